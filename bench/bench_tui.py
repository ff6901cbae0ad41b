"""Benchmark the TUI at the library sizes users reach: start-up and keystroke latency, against the targets.

    python bench/bench_tui.py [--sizes 452,10000,100000] [--repeat 5] [--workdir DIR] [--json]
    python bench/bench_tui.py --show report.json     # the table of a report saved with --json
    python bench/bench_tui.py --profile 100000       # one start-up under cProfile

Start-up: a fresh Python process runs `vlmreader.cli.main(["--home", HOME])`, exactly what
`vlmreader` with no arguments runs (a small library is opened before the first frame, a large
one in a worker behind a loading screen), headless at 120x35. The first screen is the first
frame written to the terminal with rows of the paper list in it; the child then waits until
what that frame set off (the detail pane, the sidebar's counts) is processed and painted, and
exits. The index cache is warm: one untimed run comes first. The parent times it from the spawn
to that first screen, to the settled screen and to the process' exit, and takes the child's
peak RSS from `os.wait4`; the child stamps each phase on the same monotonic clock, so the table
also says where the time goes (and how much of it the cyclic garbage collector took). The floor
beside it is a minimal Textual app (one Static) measured the same way, to its first frame. The
runs go round-robin (floor, then each size, `--repeat` times), so that a slow spell of a shared
machine falls on every column alike. The children cache their bytecode in the work folder, as
an installed package has it, even where PYTHONDONTWRITEBYTECODE is set.

Keystroke to updated list: in one process per size, under `App.run_test`, "/" focuses the
search bar and a few queries are typed key by key; each key is timed from the press until the
paper list holds the result for the new text (the search worker finished and the app applied
its result), and until the screen was repainted after it. Then ctrl+u clears the query back to
the full list.

The libraries are bench_core.py's (built on first use, kept in the work folder, default
$TMPDIR/vlmreader-bench). The machine is usually shared: compare figures within one run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_core import (
    benchmark_parser,
    BUNDLED_SIZE,
    Row,
    child_environment,
    ensure_library,
    library_homes,
    machine_description,
    ms,
    open_library,
    percentile,
    progress,
    report_lines,
    seconds_text,
    verdict,
)

TERMINAL_SIZE = (120, 35)
"""Wide enough for the sidebar (the app hides it below 100 columns)."""
DEFAULT_STARTUP_REPEAT = 5
TYPED_QUERIES = (
    "video question answering",
    "hallucination in multimodal models",
    "high resolution image encoder",
)
"""Typed key by key, one after the other, each cleared with ctrl+u; distinct, so no query's
repeat can hit what the engine cached for it."""
KEY_TIMEOUT_S = 30.0

STARTUP_TARGET_S = ((BUNDLED_SIZE, 0.5), (10_000, 1.0), (100_000, 2.0))
"""(up to this many papers, start-up target in seconds)."""
KEYSTROKE_TARGET_MS = ((BUNDLED_SIZE, 16.0), (10_000, 50.0), (100_000, 150.0))
"""(up to this many papers, keystroke-to-updated-list target in ms, on the p95)."""
COBIB_STARTUP_S = 2.0
"""coBib's Textual TUI to its first screen at 500 entries, as the issue reports it."""


# -- the start-up child processes --------------------------------------------------------
# Each prints one JSON object of time.monotonic() stamps: on Linux, macOS and Windows that clock
# is the machine's, so the parent can subtract its own spawn time from them. Each also times the
# cyclic garbage collector up to its first screen: with 100,000 papers in memory a full pass is
# slow, and it runs in whichever phase happens to allocate.

DRIVER_PROLOGUE = r"""
import time
started = time.monotonic()
import gc, json, sys

marks = {"interpreter": started}
gc_time = {"gc_s": 0.0, "gc_full_passes": 0}
gc_pass_started = [0.0]


def time_gc(phase, info):
    if phase == "start":
        gc_pass_started[0] = time.perf_counter()
    else:
        gc_time["gc_s"] += time.perf_counter() - gc_pass_started[0]
        gc_time["gc_full_passes"] += info["generation"] == 2


gc.callbacks.append(time_gc)
"""

STARTUP_DRIVER = DRIVER_PROLOGUE + r"""
import importlib.abc
import importlib.util

home, width, height = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
painted = {"rows_painted": 0, "papers_shown": 0}


def instrument(tui):
    # The app module has just been imported, as `vlmreader` imports it: stamp the phases on it.
    from textual.app import App

    from vlmreader.tui.widgets import PaperList

    marks["app_imported"] = time.monotonic()
    render_line, display, library_ready = PaperList.render_line, App._display, tui.VlmReaderApp._library_ready

    def counting_render_line(self, y):
        if y + self.scroll_offset.y < self.row_count:  # a paper's row, not the blank below the last
            painted["rows_painted"] += 1
        return render_line(self, y)

    def stamping_display(self, screen, update):
        display(self, screen, update)  # the frame goes to the terminal (here, the headless driver)
        if painted["rows_painted"] and "first_screen" not in marks:
            marks["first_screen"] = time.monotonic()
            painted.update(gc_time, papers_shown=self.main_screen.paper_list.row_count)

    def stamping_library_ready(self, *arguments):
        marks["library_ready"] = time.monotonic()
        library_ready(self, *arguments)

    async def exit_once_settled(pilot):
        # Called once compose and mount (with the app's on_mount) are done, before the first refresh.
        marks["mounted"] = time.monotonic()
        while "first_screen" not in marks:
            await pilot.pause(0.002)
        await pilot.pause()  # what the first screen set off (the detail pane, the sidebar's counts)

        def exit_now():
            marks["settled"] = time.monotonic()
            pilot.app.exit()

        pilot.app.call_after_refresh(exit_now)

    def run_headless(self, **options):
        return App.run(self, headless=True, size=(width, height), auto_pilot=exit_once_settled)

    PaperList.render_line, App._display = counting_render_line, stamping_display
    tui.VlmReaderApp._library_ready = stamping_library_ready
    tui.VlmReaderApp.run = run_headless


class InstrumentTheApp(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    # vlmreader imports its app only once it has decided how to open the library: import it
    # then too, and instrument it right after.
    def find_spec(self, name, path, target=None):
        if name != "vlmreader.tui.app":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        self.loader = spec.loader
        spec.loader = self
        return spec

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        instrument(module)


sys.meta_path.insert(0, InstrumentTheApp())
from vlmreader import cli

cli.main(["--home", home])
marks["run_returned"] = time.monotonic()
print(json.dumps({"marks": marks, **painted}))
"""

FLOOR_DRIVER = DRIVER_PROLOGUE + r"""
width, height = int(sys.argv[1]), int(sys.argv[2])
from textual.app import App
from textual.widgets import Static

marks["app_imported"] = time.monotonic()


class OneStatic(App):
    def compose(self):
        yield Static("one line")

    def _display(self, screen, update):
        super()._display(screen, update)
        marks.setdefault("first_screen", time.monotonic())


app = OneStatic()
at_first_screen = {}


async def exit_after_first_frame(pilot):
    marks["mounted"] = marks["library_ready"] = time.monotonic()  # no library: that phase is empty
    while "first_screen" not in marks:
        await pilot.pause(0.002)
    at_first_screen.update(gc_time)
    await pilot.pause()

    def exit_now():
        marks["settled"] = time.monotonic()
        app.exit()

    app.call_after_refresh(exit_now)


app.run(headless=True, size=(width, height), auto_pilot=exit_after_first_frame)
marks["run_returned"] = time.monotonic()
print(json.dumps({"marks": marks, **at_first_screen}))
"""

STARTUP_PHASES = (
    ("python start (spawn to the driver's first line)", "spawned", "interpreter"),
    ("imports; a small library opened first, a large one begun", "interpreter", "app_imported"),
    ("compose, mount; the library open and searched", "app_imported", "library_ready"),
    ("show the papers, paint that frame", "library_ready", "first_screen"),
    ("whatever that frame set off, repainted", "first_screen", "settled"),
    ("shut down and exit", "settled", "exited"),
)
"""(label, from mark, to mark): consecutive, so they add up to the time to exit."""


def run_startup_child(source: str, environment: dict[str, str], *arguments: str) -> dict:
    """One run of a driver in a fresh `python -c`: its phase marks (seconds from the spawn) and peak RSS."""
    command = [sys.executable, "-c", source, *arguments]
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        spawned = time.monotonic()
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr, env=environment)
        _, status, usage = os.wait4(process.pid, 0)  # the child's own ru_maxrss
        exited = time.monotonic()
        process.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        stderr.seek(0)
        output, errors = stdout.read().decode(errors="replace"), stderr.read().decode(errors="replace")
    if process.returncode != 0 or not output.strip():
        raise SystemExit(f"the start-up driver failed (exit {process.returncode}):\n{errors}{output}")
    report = json.loads(output.strip().splitlines()[-1])
    marks = {"spawned": 0.0, "exited": exited - spawned}
    marks |= {name: stamp - spawned for name, stamp in report.pop("marks").items()}
    if not 0 < marks["interpreter"] < marks["exited"]:
        raise SystemExit("time.monotonic() is not shared between processes here: the phases cannot be timed")
    return {"marks": marks, "peak_rss_mb": usage.ru_maxrss / 1024, **report}  # KiB on Linux


def startup_figures(runs: list[dict]) -> dict:
    """Medians and maxima over runs of the time to the first screen and to exit, and each phase's median."""
    first_screen = [run["marks"]["first_screen"] for run in runs]
    settled = [run["marks"]["settled"] for run in runs]
    exit_seconds = [run["marks"]["exited"] for run in runs]
    phases = {
        label: statistics.median(run["marks"][end] - run["marks"][start] for run in runs)
        for label, start, end in STARTUP_PHASES
    }
    return {
        "first_screen_s": statistics.median(first_screen),
        "first_screen_max_s": max(first_screen),
        "settled_s": statistics.median(settled),
        "settled_max_s": max(settled),
        "exit_s": statistics.median(exit_seconds),
        "exit_max_s": max(exit_seconds),
        "peak_rss_mb": max(run["peak_rss_mb"] for run in runs),
        "phases_s": phases,
        "gc_s": statistics.median(run["gc_s"] for run in runs),
        "gc_full_passes": statistics.median(run["gc_full_passes"] for run in runs),
        "papers_shown": runs[-1].get("papers_shown"),
        "rows_painted": runs[-1].get("rows_painted"),
        "runs": len(runs),
    }


def measure_startups(workdir: Path, homes: dict[int, Path], repeat: int) -> tuple[dict, dict[int, dict]]:
    """The floor's and each size's start-up figures. One untimed run each first (it builds the
    index and bytecode caches if missing), then `repeat` rounds of one run each, round-robin, so
    that a slow spell of a shared machine falls on every column alike."""
    environment, terminal = child_environment(workdir), tuple(map(str, TERMINAL_SIZE))
    drivers = {0: (FLOOR_DRIVER, terminal)} | {size: (STARTUP_DRIVER, (str(home), *terminal)) for size, home in homes.items()}
    for source, arguments in drivers.values():
        run_startup_child(source, environment, *arguments)
    runs: dict[int, list[dict]] = {size: [] for size in drivers}
    for _ in range(repeat):
        for size, (source, arguments) in drivers.items():
            runs[size].append(run_startup_child(source, environment, *arguments))
    floor = runs.pop(0)
    return startup_figures(floor), {size: startup_figures(size_runs) for size, size_runs in runs.items()}


def profile_startup(workdir: Path, size: int, top: int) -> None:
    """Run the start-up at `size` once under cProfile, after an untimed run, and print where its time goes."""
    folder = workdir / f"library-{size}"
    ensure_library(folder, size, fresh=False)
    home = folder / "home"
    environment, arguments = child_environment(workdir), (str(home), *map(str, TERMINAL_SIZE))
    run_startup_child(STARTUP_DRIVER, environment, *arguments)
    with tempfile.TemporaryDirectory() as scratch:
        driver, profile = Path(scratch) / "startup_driver.py", Path(scratch) / "startup.prof"
        driver.write_text(STARTUP_DRIVER, encoding="utf-8")
        command = [sys.executable, "-m", "cProfile", "-o", str(profile), str(driver), *arguments]
        completed = subprocess.run(command, capture_output=True, text=True, env=environment)
        if completed.returncode != 0:
            raise SystemExit(f"the profiled start-up failed:\n{completed.stderr}")
        stats = pstats.Stats(str(profile))
        for order, title in (("cumulative", "cumulative time"), ("tottime", "own time")):
            print(f"\n== start-up at {size:,} papers under cProfile, by {title} ==")
            stats.sort_stats(order).print_stats(top)


# -- the keystroke child stage -----------------------------------------------------------


class KeystrokeProbe:
    """Times a key press until the paper list holds the result for the new query text.

    It wraps the main screen's `show_result` (where the search worker's result is shown) and
    the search index's `search` (run in the worker thread), both on the instance only.
    """

    def __init__(self, app):
        self.app = app
        self._expected_text: str | None = None
        self._applied_at: float | None = None
        self._painted = asyncio.Event()
        self._painted_at: float | None = None
        self._search_seconds: dict[str, float] = {}

        screen = app.main_screen
        show_result = screen.show_result

        def showing_result(result, keep_paper=None):
            show_result(result, keep_paper)
            text = result.query.text
            if text == self._expected_text and self._applied_at is None and screen.paper_list.result is result:
                self._applied_at = time.perf_counter()
                app.call_after_refresh(self._on_painted)

        screen.show_result = showing_result

        index = app.engine.index
        search = index.search

        def timed_search(query, *arguments, **options):
            start = time.perf_counter()
            result = search(query, *arguments, **options)
            self._search_seconds[query.text] = time.perf_counter() - start
            return result

        index.search = timed_search

    def _on_painted(self) -> None:
        self._painted_at = time.perf_counter()
        self._painted.set()

    async def time_key(self, pilot, key: str, new_text: str) -> dict:
        """Press `key`, which makes the query `new_text`; wait until its result is shown and painted."""
        self._expected_text, self._applied_at, self._painted_at = new_text, None, None
        self._painted.clear()
        pressed = time.perf_counter()
        await pilot.press(key)
        try:
            await asyncio.wait_for(self._painted.wait(), KEY_TIMEOUT_S)
        except asyncio.TimeoutError:
            raise SystemExit(f"no result for {new_text!r} within {KEY_TIMEOUT_S:.0f} s") from None
        return {
            "text": new_text,
            "applied_s": self._applied_at - pressed,
            "painted_s": self._painted_at - pressed,
            "search_s": self._search_seconds.get(new_text, float("nan")),
            "matches": self.app.main_screen.paper_list.row_count,
        }


async def type_queries(home: Path) -> dict:
    """Open the app at 120x35, focus the search bar, type each query key by key, clear it with ctrl+u."""
    from vlmreader.tui.app import make_app

    library = open_library(home)
    app = make_app(library)
    keys, clears = [], []
    async with app.run_test(size=TERMINAL_SIZE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        probe = KeystrokeProbe(app)
        await pilot.press("slash")
        await pilot.pause()
        for query in TYPED_QUERIES:
            for length in range(1, len(query) + 1):
                keys.append(await probe.time_key(pilot, query[length - 1], query[:length]))
            clears.append(await probe.time_key(pilot, "ctrl+u", ""))
    return {
        "papers": len(library),
        "annotated": len(library.annotations()),
        "keys": keys,
        "clears": clears,
    }


def stage_typing(home: Path) -> dict:
    """The child process of `measure_typing`: the key timings, raw."""
    return asyncio.run(type_queries(home))


def keystroke_summary(timings: list[dict], field: str) -> dict:
    """Median, p95 and max in ms of one field of the key timings, and the text the slowest key made."""
    seconds = [timing[field] for timing in timings]
    slowest = max(timings, key=lambda timing: timing[field])
    return {
        "median_ms": statistics.median(seconds) * 1000,
        "p95_ms": percentile(seconds, 0.95) * 1000,
        "max_ms": max(seconds) * 1000,
        "slowest_text": slowest["text"],
        "runs": len(seconds),
    }


def measure_typing(workdir: Path, home: Path) -> dict:
    """Type `TYPED_QUERIES` in a fresh process; median, p95 and max of the key timings."""
    command = [sys.executable, str(Path(__file__).resolve()), "--stage", "typing", "--home", str(home)]
    completed = subprocess.run(command, capture_output=True, text=True, env=child_environment(workdir))
    if completed.returncode != 0:
        raise SystemExit(f"the typing stage failed for {home}:\n{completed.stderr}")
    raw = json.loads(completed.stdout.splitlines()[-1])
    return {
        "papers": raw["papers"],
        "annotated": raw["annotated"],
        "keys": {field: keystroke_summary(raw["keys"], field) for field in ("applied_s", "painted_s", "search_s")},
        "clear": {field: keystroke_summary(raw["clears"], field) for field in ("applied_s", "painted_s")},
        "raw": raw,
    }


# -- the parent --------------------------------------------------------------------------


# -- the table ---------------------------------------------------------------------------


def target_for(size: int, targets: tuple[tuple[int, float], ...]) -> float | None:
    return next((target for up_to, target in targets if size <= up_to), None)


def startup_cell(figures: dict, key: str, limit_s: float | None) -> str:
    return f"{seconds_text(figures[key])} ({seconds_text(figures[key.removesuffix('_s') + '_max_s'])})" + verdict(
        figures[key], limit_s
    )


def keystroke_cell(figures: dict, limit_ms: float | None = None) -> str:
    return f"{ms(figures['median_ms'])} / {ms(figures['p95_ms'])}, max {ms(figures['max_ms'])} ms" + verdict(
        figures["p95_ms"], limit_ms
    )


def table_rows(results: dict[int, dict], floor: dict) -> list[Row]:
    """The table, section by section; the start-up rows have one more column, the floor's."""

    def row(label: str, cell, target: str = "", floor_cell: str = "") -> Row:
        return Row(label, [cell(size, figures) for size, figures in results.items()] + [floor_cell], target)

    def startup_row(label: str, cell, target: str = "") -> Row:
        return row(label, lambda s, f: cell(s, f["startup"]), target, floor_cell=cell(None, floor))

    startup_target = "<= " + " / ".join(f"{t:g}" for _, t in STARTUP_TARGET_S) + " s"
    keystroke_target = "p95 <= " + " / ".join(f"{t:g}" for _, t in KEYSTROKE_TARGET_MS) + " ms"
    any_figures = next(iter(results.values()))
    typed_keys = any_figures["typing"]["keys"]["applied_s"]["runs"]
    rows = [
        row("papers shown / annotated", lambda s, f: f"{f['startup']['papers_shown']:,} / {f['typing']['annotated']:,}",
            floor_cell="(one Static)"),
        Row(f"START-UP  fresh process, headless {TERMINAL_SIZE[0]}x{TERMINAL_SIZE[1]}, warm index: "
            f"median (max) of {any_figures['startup']['runs']}", []),
        startup_row("to the first screen with papers",
                    lambda s, f: startup_cell(f, "first_screen_s", target_for(s, STARTUP_TARGET_S) if s else None),
                    f"{startup_target} (coBib ~{COBIB_STARTUP_S:g} s at 500)"),
        startup_row("to the whole screen (detail pane, counts)", lambda s, f: startup_cell(f, "settled_s", None)),
        startup_row("to the process' exit", lambda s, f: startup_cell(f, "exit_s", None)),
        startup_row("peak RSS (ru_maxrss)", lambda s, f: f"{f['peak_rss_mb']:.0f} MB"),
        Row("  where it goes, medians", []),
    ]
    for label, _, _ in STARTUP_PHASES:
        rows.append(startup_row("  " + label, lambda s, f, label=label: seconds_text(f["phases_s"][label])))
    rows.append(startup_row(
        "  cyclic GC before the first screen (full passes)",
        lambda s, f: f"{seconds_text(f['gc_s'])} ({f['gc_full_passes']:g})",
    ))
    rows += [
        Row(f"KEYSTROKE TO UPDATED LIST  {typed_keys} keys typed, {TERMINAL_SIZE[0]}x{TERMINAL_SIZE[1]}: "
            "median / p95, max", []),
        row("result applied (search worker + show)", lambda s, f: keystroke_cell(
            f["typing"]["keys"]["applied_s"], target_for(s, KEYSTROKE_TARGET_MS)), keystroke_target),
        row("screen repainted after it", lambda s, f: keystroke_cell(
            f["typing"]["keys"]["painted_s"], target_for(s, KEYSTROKE_TARGET_MS)), keystroke_target),
        row("  of which the search, in the worker", lambda s, f: keystroke_cell(f["typing"]["keys"]["search_s"])),
        row("  slowest key (applied) made", lambda s, f: repr(f["typing"]["keys"]["applied_s"]["slowest_text"])),
        row(f"ctrl+u back to the full list (x{len(TYPED_QUERIES)}), applied",
            lambda s, f: keystroke_cell(f["typing"]["clear"]["applied_s"], target_for(s, KEYSTROKE_TARGET_MS)),
            keystroke_target),
        row("  repainted", lambda s, f: keystroke_cell(f["typing"]["clear"]["painted_s"])),
    ]
    return rows


def render_table(report: dict) -> str:
    results = {int(size): figures for size, figures in report["sizes"].items()}
    header = Row("papers", [f"{size:,}" for size in results] + ["floor"], "target")
    lines = report_lines(
        report,
        "TUI benchmark",
        "the children cache bytecode in its pycache/ (PYTHONPYCACHEPREFIX)",
        header,
        table_rows(results, report["floor"]),
    )
    lines += [
        "",
        "Floor: a minimal Textual app (one Static) started and stopped the same way.",
        "Applied: the search worker's result is in the paper list. Repainted: the screen refresh after",
        "it has run (Textual paints the first change after a quiet moment at once, and a later one on a",
        "grid of TEXTUAL_FPS frames a second, 120 as vlmreader sets it, one to two steps after the frame",
        "before). bench_terminal.py measures the same in a real terminal, to what the screen shows.",
    ]
    return "\n".join(lines)


# -- the command line --------------------------------------------------------------------


def parse_arguments() -> argparse.Namespace:
    parser = benchmark_parser(
        __doc__.split("\n\n")[0], DEFAULT_STARTUP_REPEAT, "timed start-up runs per size, after one untimed"
    )
    parser.add_argument(
        "--profile", type=int, metavar="SIZE", help="profile one start-up at SIZE papers with cProfile; measure nothing"
    )
    parser.add_argument("--top", type=int, default=30, help="functions listed by --profile (default: %(default)s)")
    parser.add_argument("--stage", choices=("typing",), help=argparse.SUPPRESS)
    parser.add_argument("--home", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> int:
    arguments = parse_arguments()
    if arguments.stage == "typing":
        print(json.dumps(stage_typing(arguments.home)))
        return 0
    if arguments.show:
        print(render_table(json.loads(arguments.show.read_text(encoding="utf-8"))))
        return 0
    if arguments.profile:
        profile_startup(arguments.workdir, arguments.profile, arguments.top)
        return 0

    homes = library_homes(arguments)
    report = {"machine": machine_description(), "workdir": str(arguments.workdir)}
    progress(f"start-up: the floor (a one-Static Textual app) and {len(homes)} sizes, 1 + {arguments.repeat} runs each")
    report["floor"], startups = measure_startups(arguments.workdir, homes, arguments.repeat)
    report["sizes"] = {}
    for size, home in homes.items():
        progress(f"{size:,} papers: typing {len(TYPED_QUERIES)} queries key by key")
        report["sizes"][size] = {"startup": startups[size], "typing": measure_typing(arguments.workdir, home)}
    report["load_average_after"] = [round(load, 2) for load in os.getloadavg()]
    print(json.dumps(report, indent=2) if arguments.json else render_table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
