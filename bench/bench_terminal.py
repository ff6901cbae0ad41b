"""Benchmark the app in a real terminal: start-up and keystroke to screen, against the targets.

    python bench/bench_terminal.py [--sizes 452,10000,100000] [--repeat 7] [--typing-rounds 2]
                                   [--key-interval 0.2] [--workdir DIR] [--json]
    python bench/bench_terminal.py --against OTHER_CHECKOUT   # its vlmreader too, interleaved
    python bench/bench_terminal.py --show report.json         # the table of a report saved with --json

Needs pyte (`pip install -e '.[bench]'`), a terminal emulator in Python.

Each run is the real `vlmreader --home HOME` (`python -m vlmreader`) in a pseudo-terminal of
120x35 (TERM=xterm-256color), or beside it a bare Textual app with one Static. The parent
reads the terminal's output as it comes, stamping each chunk when it is read, and only once the
measured stretch is over feeds the chunks, one by one, into pyte: the first chunk after which
the emulated screen shows what is awaited gives the time. (pyte is slow; parsing while reading
would stamp chunks late.)

Start-up: from the spawn to the first screen with the paper list's rows in it: the count
`452 of 452` at the right of the top bar and, on the list's first row, the title of the paper the
empty query puts first (for the bare app: its text). `--repeat` rounds (7 by default), each
spawning the bare app and each size in turn, so that a slow spell of a shared machine falls on
every column alike; medians and maxima, and the ratio to the bare app's median.

Keystroke to screen: in the first `--typing-rounds` start-up runs of each size, once the start-up
has gone quiet, `/` focuses the search bar and a few queries are typed key by key, one key every
`--key-interval` seconds (a person typing 60 words a minute), each query cleared with ctrl+u.
For each key, the time from writing its bytes to the terminal until the screen shows that key's
result: the count in the top bar (`40 of 452`, `3 of 452 · 12 with most words`; `1 of 452`
never matches the end of `11 of 452`) and the list's first row being the paper the result puts
first (or blank for no result). The expected result of every prefix is computed beforehand,
in a child process, by the core's SearchEngine over the same library, with the list's height as
the screenful, as the app searches it. A key whose expected screen is already on the screen
when it is written (a trailing space, a letter that changes nothing) cannot be timed that way
and is counted apart; so is a key whose result never showed because the next key's came first.
The screen is compared as text: the search input's blinking cursor (reverse video on one cell)
changes no character, so it can neither satisfy nor spoil the comparison. Beside it, the time
until the search bar shows the key typed, and the app's CPU time per key (a typing run's,
from `os.wait4`, less that of a run that only starts up).

`--against CHECKOUT` runs the vlmreader of another checkout (PYTHONPATH first, the children
started outside any checkout) as more columns, interleaved with this one's in every round:
before and after a change, in one run. It runs on copies of the libraries (`home-NAME` beside
each), whose caches it may keep in a format of its own.

The libraries are bench_core.py's (built on first use, kept in the work folder, default
$TMPDIR/vlmreader-bench). The machine is usually shared: compare figures within one run.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import shutil
import select
import signal
import statistics
import struct
import subprocess
import sys
import termios
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bench_core import (
    BUNDLED_SIZE,
    Row,
    benchmark_parser,
    child_environment,
    library_homes,
    machine_description,
    ms,
    open_library,
    progress,
    report_lines,
    seconds_text,
    summary_ms,
    verdict,
)

COLUMNS, ROWS = 120, 35
LIST_ROWS = ROWS - 2
"""The paper list's height at 120x35 (the search bar above it, the footer below): the app's
screenful, which decides whether a search adds the papers matching most of the words."""
TYPED_QUERIES = ("hallucination decoding", "video question answering", "high resolution image encoder")
"""Typed key by key, each cleared with ctrl+u; each second word starts a new word of the query."""
SEARCH_KEY, CLEAR_KEY, QUIT_KEY = b"/", b"\x15", b"\x11"
"""`/` (focus the search bar), ctrl+u (clear it) and ctrl+q, as a terminal sends them."""
PLACEHOLDER_START = "Search:"
"""How the search bar's placeholder, shown while the query is empty, begins."""
TITLE_CELLS_COMPARED = 30
"""How much of the first row's title is compared (the list cuts titles at about 40 cells here)."""
FLOOR_TEXT = "a bare Textual app"
FLOOR_APP = f"""
from textual.app import App
from textual.widgets import Static


class OneStatic(App):
    def compose(self):
        yield Static({FLOOR_TEXT!r})


OneStatic().run()
"""
STARTUP_TIMEOUT_S = 60.0
QUIET_S = 0.3
"""Output silent this long ends a measured stretch (the cursor blinks every 0.5 s)."""
SETTLE_LIMIT_S = 5.0
"""The longest a stretch waits for that silence after what it awaits has been seen."""
EXIT_TIMEOUT_S = 10.0

STARTUP_RATIO_TARGET = ((BUNDLED_SIZE, 1.5),)
"""(up to this many papers, start-up at most this many times the bare app's)."""
STARTUP_TARGET_S = ((100_000, 2.0),)
"""(at this many papers, start-up target in seconds)."""
KEY_MEDIAN_TARGET_MS = ((10_000, 33.0),)
"""(up to this many papers, keystroke-to-screen target on the median: two 60 Hz frames)."""
KEY_P95_TARGET_MS = ((100_000, 150.0),)
"""(at this many papers, keystroke-to-screen target on the p95)."""


# -- what the screen should show ------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    """What the screen shows for one query: the count at the right of the top bar (either of
    its forms: the long one, or the short one the label falls back to when it does not fit),
    and the first paper's title on the list's `first_line` (None: the list is empty)."""

    counts: tuple[str, ...]
    title: str | None
    first_line: int


def count_texts(strict: int, total: int, partial: int, similar: bool, problems: list[str]) -> tuple[str, ...]:
    """The search bar's count for a result, as `SearchBar.show_count` writes it with nothing selected."""
    head = f"{strict:,} of {total:,}"
    follows = f"{partial:,} with most words" if partial else "most alike first" if similar else ""
    tail = problems[:1]
    return (" · ".join(part for part in (head, follows, *tail) if part), " · ".join([head + (f" +{partial:,}" if partial else ""), *tail]))


def expected_screens(home: Path, texts: list[str]) -> dict[str, dict]:
    """The child stage: for each query text, what the screen should show once it is searched."""
    from vlmreader.core.search import SearchEngine
    from vlmreader.core.text import visible

    library = open_library(home)
    engine = SearchEngine(library)
    screens = {}
    for text in texts:
        result = engine.search(text, screenful=LIST_ROWS)  # waits for the relevance index, as the app's worker does
        partial = result.partial_count
        first_line = 1 + (result.strict_count == 0 and partial > 0)  # the separator line comes first
        title = visible(result.index.titles[result.order[0]]) if len(result) else None
        problems = [visible(problem) for problem in result.query.problems]
        counts = count_texts(result.strict_count, len(library), partial, result.similar, problems)
        screens[text] = asdict(Expected(counts, title, first_line))
    return screens


def compute_expectations(workdir: Path, home: Path, texts: list[str]) -> dict[str, Expected]:
    """`expected_screens` in a fresh process, so that a large library's memory goes with it."""
    command = [sys.executable, str(Path(__file__).resolve()), "--stage", "expect", "--home", str(home)]
    completed = subprocess.run(
        command, input=json.dumps(texts), capture_output=True, text=True, env=child_environment(workdir)
    )
    if completed.returncode != 0:
        raise SystemExit(f"computing the expected screens failed for {home}:\n{completed.stderr}")
    raw = json.loads(completed.stdout.splitlines()[-1])
    return {text: Expected(tuple(fields["counts"]), fields["title"], fields["first_line"]) for text, fields in raw.items()}


class EmulatedScreen:
    """A pyte screen fed with the terminal's output, read line by line as text."""

    def __init__(self) -> None:
        import pyte

        self.screen = pyte.Screen(COLUMNS, ROWS)
        self.stream = pyte.ByteStream(self.screen)
        self.title_column: int | None = None
        """Where the list's titles start: found on the first screen (the leftmost place the
        first title appears; the detail pane, at the right, shows it too)."""

    def feed(self, data: bytes) -> None:
        self.stream.feed(data)

    def line(self, y: int) -> str:
        row = self.screen.buffer[y]
        return "".join(row[x].data for x in range(COLUMNS))  # a wide character's second cell is ""

    def contains(self, text: str) -> bool:
        return any(text in self.line(y) for y in range(ROWS))

    def echoes(self, text: str) -> bool:
        """Whether the search bar shows `text` as the query typed (its placeholder for no text)."""
        query = self.line(0)[1:]  # after the input's padding
        return query.startswith(text + " ") if text else query.startswith(PLACEHOLDER_START)

    def shows(self, expected: Expected) -> bool:
        """Whether the count and the list's first row are those of `expected`."""
        top = self.line(0).rstrip()
        if not any(top.endswith(" " + count) for count in expected.counts):
            return False
        if expected.title is None:  # an empty list: nothing in its first row
            return not self.line(1)[self.title_column:][:TITLE_CELLS_COMPARED].strip()
        title = compared_title(expected.title)
        if self.title_column is None:
            column = self.line(expected.first_line).find(title)
            if column < 0:
                return False
            self.title_column = column
        return self.line(expected.first_line)[self.title_column:].startswith(title)


def compared_title(title: str) -> str:
    """The part of a title compared on the screen: its first cells, or all of it and the padding after."""
    return title[:TITLE_CELLS_COMPARED] if len(title) >= TITLE_CELLS_COMPARED else title + " "


# -- the pseudo-terminal --------------------------------------------------------------------


class PseudoTerminal:
    """A child process on a pseudo-terminal of COLUMNS x ROWS; its output, stamped as read."""

    def __init__(self, command: list[str], environment: dict[str, str], folder: Path) -> None:
        """Run `command` in `folder` (never in a checkout: `python -m` would import its package
        before the one PYTHONPATH names)."""
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        self.master = master
        self.chunks: list[tuple[float, bytes]] = []
        """(time.perf_counter() when read, bytes), in order."""
        self.spawned = time.perf_counter()
        self.process = subprocess.Popen(
            command, stdin=slave, stdout=slave, stderr=slave, env=environment, cwd=folder, start_new_session=True,
            preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),  # the terminal becomes the child's own
        )
        os.close(slave)
        self.closed = False
        self.cpu_seconds: float | None = None
        """The child's CPU time (user and system), once it has exited."""

    def _read_once(self, timeout: float) -> bool:
        """Read what is there within `timeout` seconds; False once the child has closed the terminal."""
        if self.closed:
            return False
        ready, _, _ = select.select([self.master], [], [], max(0.0, timeout))
        if ready:
            try:
                data = os.read(self.master, 1 << 16)
            except OSError:  # EIO: every process holding the terminal has exited
                data = b""
            if not data:
                self.closed = True
                return False
            self.chunks.append((time.perf_counter(), data))
        return True

    def read_until(self, deadline: float) -> None:
        while time.perf_counter() < deadline and self._read_once(deadline - time.perf_counter()):
            pass

    def read_until_quiet(self, quiet: float = QUIET_S, limit: float = SETTLE_LIMIT_S) -> None:
        """Read until the output has been silent for `quiet` seconds from now on (or `limit` has passed)."""
        called = time.perf_counter()
        give_up = called + limit
        while time.perf_counter() < give_up and not self.closed:
            last = max(called, self.chunks[-1][0]) if self.chunks else called
            silent_until = last + quiet
            if time.perf_counter() >= silent_until:
                return
            self._read_once(min(silent_until, give_up) - time.perf_counter())

    def read_until_seen(self, marker: bytes, timeout: float) -> None:
        """Read until `marker` has been written (a cheap sign of what is awaited, checked on the
        raw bytes so that reading never waits for parsing), then until the output is quiet."""
        deadline = time.perf_counter() + timeout
        seen = b""
        while marker not in seen:
            if time.perf_counter() > deadline or not self._read_once(deadline - time.perf_counter()):
                raise SystemExit(f"{marker.decode()!r} never showed (the child exited or took over {timeout:.0f} s)")
            seen = seen[-len(marker):] + self.chunks[-1][1]
        self.read_until_quiet()

    def write(self, data: bytes) -> float:
        """Write `data` as if typed; the time it was written."""
        written = time.perf_counter()
        os.write(self.master, data)
        return written

    def type_keys(self, keys: list[bytes], interval: float) -> list[float]:
        """Write one key every `interval` seconds, reading all the while; when each was written."""
        written = []
        next_key = time.perf_counter()
        for key in keys:
            self.read_until(next_key)
            written.append(self.write(key))
            next_key = written[-1] + interval
        self.read_until(next_key)
        self.read_until_quiet()
        return written

    def quit(self) -> None:
        """ctrl+q, then wait for the child to exit (reading its last output); kill it if it does not."""
        self.write(QUIT_KEY)
        deadline = time.perf_counter() + EXIT_TIMEOUT_S
        while self._read_once(deadline - time.perf_counter()) and time.perf_counter() < deadline:
            pass
        while (ended := os.wait4(self.process.pid, os.WNOHANG))[0] == 0:
            if time.perf_counter() > deadline:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
                os.close(self.master)
                raise SystemExit(f"{self.process.args} did not quit on ctrl+q")
            time.sleep(0.01)
        os.close(self.master)
        self.process.returncode = os.waitstatus_to_exitcode(ended[1])
        self.cpu_seconds = ended[2].ru_utime + ended[2].ru_stime


# -- replaying what was read ----------------------------------------------------------------


def first_showing(chunks: list[tuple[float, bytes]], screen: EmulatedScreen, shows) -> float | None:
    """Feed `chunks` into `screen`, all of them; the time of the first after which `shows(screen)`."""
    shown = None
    for read_at, data in chunks:
        screen.feed(data)
        if shown is None and shows(screen):
            shown = read_at
    return shown


def key_timings(chunks: list[tuple[float, bytes]], screen: EmulatedScreen, keys: list[tuple[float, str]], shows) -> list[dict]:
    """For each (written at, query text), when the screen first `shows(screen, text)`.

    The chunks are fed in order, each key's text is looked for from its writing on: a key
    whose screen already shows when it is written is `untimed`, one that never showed before a
    later key did is `superseded` (the app drops a search overtaken by the next key's)."""
    timings: list[dict] = [{} for _ in keys]
    pending: list[int] = []
    next_key = 0
    for read_at, data in chunks:
        while next_key < len(keys) and keys[next_key][0] <= read_at:
            if shows(screen, keys[next_key][1]):
                timings[next_key]["outcome"] = "untimed"
            else:
                pending.append(next_key)
            next_key += 1
        screen.feed(data)
        for number in list(pending):
            if shows(screen, keys[number][1]):
                timings[number].update(outcome="timed", seconds=read_at - keys[number][0])
                for earlier in pending[: pending.index(number)]:
                    timings[earlier]["outcome"] = "superseded"
                pending = pending[pending.index(number) + 1:]
                break
    for number in pending + list(range(next_key, len(keys))):
        timings[number]["outcome"] = "never shown"
    return timings


# -- one run: start-up, then (in the first rounds) typing -----------------------------------


def vlmreader_command(home: Path) -> list[str]:
    return [sys.executable, "-m", "vlmreader", "--home", str(home)]


def terminal_environment(workdir: Path) -> dict[str, str]:
    """bench_tui's child environment in a terminal: TERM set, Textual's own settings and the
    user's config left out (a config file of its own, empty), sizes from the terminal alone."""
    config = workdir / "terminal-config.toml"
    config.write_text("", encoding="utf-8")
    environment = {
        name: value for name, value in child_environment(workdir).items()
        if not name.startswith("TEXTUAL") and name not in ("COLUMNS", "LINES", "VLMREADER_HOME")
    }
    return environment | {"TERM": "xterm-256color", "VLMREADER_CONFIG": str(config)}


def run_floor(environment: dict[str, str], workdir: Path) -> float:
    """The bare app's start-up: spawn to its text on the screen, in seconds."""
    terminal = PseudoTerminal([sys.executable, "-c", FLOOR_APP], environment, workdir)
    terminal.read_until_seen(FLOOR_TEXT.encode(), STARTUP_TIMEOUT_S)
    terminal.quit()
    shown = first_showing(terminal.chunks, EmulatedScreen(), lambda screen: screen.contains(FLOOR_TEXT))
    if shown is None:
        raise SystemExit("the bare app's text was written but never showed on the emulated screen")
    return shown - terminal.spawned


def run_app(
    home: Path, environment: dict[str, str], workdir: Path, expected: dict[str, Expected], interval: float | None
) -> dict:
    """One run of the app: its start-up and, with an `interval`, the typed queries' key timings."""
    terminal = PseudoTerminal(vlmreader_command(home), environment, workdir)
    empty = expected[""]
    terminal.read_until_seen(empty.counts[0].encode(), STARTUP_TIMEOUT_S)
    keys: list[tuple[float, str]] = []
    if interval is not None:
        terminal.write(SEARCH_KEY)
        terminal.read_until_quiet()
        for query in TYPED_QUERIES:
            typed = [query[:length] for length in range(1, len(query) + 1)] + [""]
            written = terminal.type_keys([text[-1:].encode() or CLEAR_KEY for text in typed], interval)
            keys += list(zip(written, typed))
    terminal.quit()

    started = keys[0][0] if keys else float("inf")
    before_typing = [chunk for chunk in terminal.chunks if chunk[0] < started]
    typing = [chunk for chunk in terminal.chunks if chunk[0] >= started]
    shown = first_showing(before_typing, EmulatedScreen(), lambda screen: screen.shows(empty))
    if shown is None:
        raise SystemExit(f"the papers never showed on the emulated screen ({home})")
    run = {"first_screen_s": shown - terminal.spawned, "cpu_s": terminal.cpu_seconds}
    if keys:
        timings = {}
        for name, shows in (
            ("result", lambda screen, text: screen.shows(expected[text])),
            ("echo", lambda screen, text: screen.echoes(text)),
        ):
            screen = EmulatedScreen()
            first_showing(before_typing, screen, lambda screen: screen.shows(empty))  # and where the titles start
            timings[name] = key_timings(typing, screen, keys, shows)
        run["keys"] = [
            {"text": text, "written": written, **timings["result"][number],
             **{f"echo_{field}": value for field, value in timings["echo"][number].items()}}
            for number, (written, text) in enumerate(keys)
        ]
    return run


def home_copy(home: Path, against: Path) -> Path:
    """A copy of `home` for the code of `against`, made once: its caches may be in another
    format, which two versions sharing one home would rebuild at every start."""
    copy = home.parent / f"home-{against.name}"
    if not copy.exists():
        shutil.copytree(home, copy)
    return copy


def measure(workdir: Path, homes: dict[int, Path], repeat: int, typing_rounds: int, interval: float, against: Path | None) -> dict:
    """Round-robin: the bare app, then each size (and each size run from `against`, a checkout
    whose vlmreader is compared), `repeat` times, after one untimed round."""
    environment = terminal_environment(workdir)
    columns = {str(size): (homes[size], environment) for size in homes}
    if against is not None:
        other = environment | {"PYTHONPATH": os.pathsep.join(filter(None, (str(against), environment.get("PYTHONPATH"))))}
        columns = {
            name: column
            for size in homes
            for name, column in ((str(size), columns[str(size)]), (f"{size} {against.name}", (home_copy(homes[size], against), other)))
        }
    texts = sorted({query[:length] for query in TYPED_QUERIES for length in range(len(query) + 1)})
    expectations = {}
    for size, home in homes.items():
        progress(f"{size:,} papers: the expected screen of every prefix typed")
        expectations[size] = compute_expectations(workdir, home, texts)
    progress("one untimed round (caches, bytecode)")
    run_floor(environment, workdir)
    for name, (home, column_environment) in columns.items():
        run_app(home, column_environment, workdir, expectations[papers_of(name)], None)
    floor: list[float] = []
    runs: dict[str, list[dict]] = {name: [] for name in columns}
    for round_number in range(repeat):
        typing = round_number < typing_rounds
        progress(f"round {round_number + 1} of {repeat}" + (", typing" if typing else ""))
        floor.append(run_floor(environment, workdir))
        for name, (home, column_environment) in columns.items():
            runs[name].append(
                run_app(home, column_environment, workdir, expectations[papers_of(name)], interval if typing else None)
            )
    return {"floor": {"first_screen_s": floor}, "sizes": runs}


# -- the figures ----------------------------------------------------------------------------


def timed_spread(timings: list[dict], prefix: str = "") -> dict | None:
    """Median, p95 and max of the timed ones among `timings` (`prefix`: of their echo)."""
    seconds = [timing[prefix + "seconds"] for timing in timings if timing[prefix + "outcome"] == "timed"]
    return summary_ms(seconds) if seconds else None


def cpu_per_key_ms(runs: list[dict]) -> float | None:
    """The app's CPU time per key typed: a typing run's (median) less a run's that only starts up."""
    typing = [run for run in runs if run.get("keys")]
    plain = [run for run in runs if not run.get("keys")]
    if not typing or not plain:
        return None
    extra = statistics.median(run["cpu_s"] for run in typing) - statistics.median(run["cpu_s"] for run in plain)
    return extra * 1000 / statistics.median(len(run["keys"]) for run in typing)


def figures_of(raw: dict) -> dict:
    floor = summary_ms(raw["floor"]["first_screen_s"])
    sizes = {}
    for column, runs in raw["sizes"].items():
        timings = [timing for run in runs for timing in run.get("keys", [])]
        keys = [timing for timing in timings if timing["text"]]
        outcomes: dict[str, int] = {}
        for timing in keys:
            outcomes[timing["outcome"]] = outcomes.get(timing["outcome"], 0) + 1
        timed = [timing for timing in keys if timing["outcome"] == "timed"]
        sizes[column] = {
            "startup": summary_ms([run["first_screen_s"] for run in runs]),
            "keys": timed_spread(keys),
            "echoes": timed_spread(keys, "echo_"),
            "slowest": max(timed, key=lambda timing: timing["seconds"])["text"] if timed else None,
            "outcomes": outcomes,
            "clears": timed_spread([timing for timing in timings if not timing["text"]]),
            "cpu_per_key_ms": cpu_per_key_ms(runs),
        }
    return {"floor": floor, "sizes": sizes}


def target_for(size: int, targets: tuple[tuple[int, float], ...], exact: bool = False) -> float | None:
    """The target of `size`: the first whose bound it is under (`exact`: only at the bound itself)."""
    return next((target for bound, target in targets if (size == bound if exact else size <= bound)), None)


def papers_of(column: str) -> int:
    """The library size of a column: `452`, or `452 base` for the code compared against."""
    return int(column.split()[0])


def table_rows(figures: dict, report: dict) -> list[Row]:
    floor, sizes = figures["floor"], figures["sizes"]

    def row(label: str, cell, target: str = "", floor_cell: str = "") -> Row:
        return Row(label, [cell(papers_of(column), value) for column, value in sizes.items()] + [floor_cell], target)

    def startup_cell(size: int, value: dict) -> str:
        median_s, max_s = value["startup"]["median_ms"] / 1000, value["startup"]["max_ms"] / 1000
        return f"{seconds_text(median_s)} ({seconds_text(max_s)})" + verdict(median_s, target_for(size, STARTUP_TARGET_S, exact=True))

    def ratio_cell(size: int, value: dict) -> str:
        ratio = value["startup"]["median_ms"] / floor["median_ms"]
        return f"{ratio:.2f}x" + verdict(ratio, target_for(size, STARTUP_RATIO_TARGET, exact=True))

    def key_cell(size: int, value: dict | None, verdicts: bool = True) -> str:
        if value is None:
            return "-"
        marks = ""
        if verdicts:
            marks = verdict(value["median_ms"], target_for(size, KEY_MEDIAN_TARGET_MS)) + verdict(
                value["p95_ms"], target_for(size, KEY_P95_TARGET_MS, exact=True)
            )
        return f"{ms(value['median_ms'])} / {ms(value['p95_ms'])}, max {ms(value['max_ms'])} ms{marks}"

    def outcomes_cell(size: int, value: dict) -> str:
        outcomes = value["outcomes"]
        typed = sum(outcomes.values())
        others = ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items()) if outcome != "timed")
        return f"{outcomes.get('timed', 0)} of {typed}" + (f" ({others})" if others else "")

    any_size = next(iter(sizes.values()))
    return [
        Row(f"START-UP  spawn to the first screen with papers, {COLUMNS}x{ROWS}: median (max) of "
            f"{any_size['startup']['runs']}", []),
        row("first screen", startup_cell, "<= 2 s at 100,000",
            floor_cell=f"{seconds_text(floor['median_ms'] / 1000)} ({seconds_text(floor['max_ms'] / 1000)})"),
        row("  times the bare app's", ratio_cell, "<= 1.5x at 452", floor_cell="1x"),
        Row(f"KEYSTROKE TO SCREEN  one key every {report['key_interval_s'] * 1000:.0f} ms, "
            f"typing sessions per column: {report['typing_rounds']}; median / p95, max", []),
        row("list shows the key's result", lambda s, v: key_cell(s, v["keys"]),
            "median <= 33 ms at 452 and 10,000; p95 <= 150 ms at 100,000"),
        row("  keys timed, of those typed", outcomes_cell),
        row("search bar shows the key typed", lambda s, v: key_cell(s, v["echoes"], verdicts=False)),
        row("  slowest key made", lambda s, v: repr(v["slowest"])),
        row("ctrl+u back to the full list", lambda s, v: key_cell(s, v["clears"], verdicts=False)),
        row("app's CPU time per key typed", lambda s, v: "-" if v["cpu_per_key_ms"] is None else f"{v['cpu_per_key_ms']:.1f} ms"),
    ]


def render_table(report: dict) -> str:
    figures = figures_of(report["raw"])
    header = Row("papers", [f"{papers_of(column):,}" + column[len(column.split()[0]):] for column in figures["sizes"]] + ["bare app"], "target")
    lines = report_lines(
        report, "terminal benchmark", f"a pseudo-terminal of {COLUMNS}x{ROWS} read through pyte", header,
        table_rows(figures, report),
    )
    lines += [
        "",
        "First screen: the count and the first paper's title on the emulated screen (the bare app: its text).",
        "Keys: from writing a key to the terminal until the count and the list's first row are its result's,",
        "and until the search bar shows the query with that key in it.",
        "Untimed: its screen was already showing (nothing to tell apart); superseded: the next key's came first.",
    ]
    return "\n".join(lines)


# -- the command line -----------------------------------------------------------------------


def parse_arguments() -> argparse.Namespace:
    parser = benchmark_parser(__doc__.split("\n\n")[0], 7, "start-up rounds, after one untimed")
    parser.add_argument(
        "--typing-rounds", type=int, default=2, help="rounds in which each size's run also types the queries (default: %(default)s)"
    )
    parser.add_argument(
        "--key-interval", type=float, default=0.2, help="seconds between two typed keys (default: %(default)s)"
    )
    parser.add_argument(
        "--against", type=Path, metavar="CHECKOUT",
        help="also run the vlmreader of this checkout (its folder holding vlmreader/), interleaved, in columns of its own",
    )
    parser.add_argument("--stage", choices=("expect",), help=argparse.SUPPRESS)
    parser.add_argument("--home", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> int:
    arguments = parse_arguments()
    if arguments.stage == "expect":
        print(json.dumps(expected_screens(arguments.home, json.loads(sys.stdin.read()))))
        return 0
    if arguments.show:
        print(render_table(json.loads(arguments.show.read_text(encoding="utf-8"))))
        return 0
    try:
        import pyte  # noqa: F401
    except ImportError:
        raise SystemExit("bench_terminal.py needs pyte: pip install -e '.[bench]'") from None
    if arguments.typing_rounds > arguments.repeat:
        raise SystemExit("--typing-rounds cannot exceed --repeat: typing happens in the start-up runs")
    homes = library_homes(arguments)
    report = {
        "machine": machine_description(),
        "workdir": str(arguments.workdir),
        "key_interval_s": arguments.key_interval,
        "typing_rounds": arguments.typing_rounds,
    }
    report["raw"] = measure(
        arguments.workdir, homes, arguments.repeat, arguments.typing_rounds, arguments.key_interval, arguments.against
    )
    report["load_average_after"] = [round(load, 2) for load in os.getloadavg()]
    print(json.dumps(report, indent=2) if arguments.json else render_table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
