"""Benchmark the core at the library sizes users reach, against the project's latency targets.

    python bench/bench_core.py [--sizes 452,10000,100000] [--repeat 30] [--workdir DIR] [--json]
    python bench/bench_core.py --show report.json     # the table of a report saved with --json

For each size it measures opening the library, building and loading the search index, search
latency for five query shapes (first query, then median and p95) and for a query typed key by
key, one annotation write, and the whole `vlmreader search WORD --json` process (time and peak
memory); then it prints the figures in a table beside the targets.

Size 452 is the bundled corpus itself; a larger size is the bundled corpus plus synthetic papers
learnt from it (bench/synthetic.py), added in one `Library.add_papers` call. Libraries are built
once and kept in the work folder (default: $TMPDIR/vlmreader-bench) for later runs; `--fresh`
rebuilds them.

Each size is measured in fresh child processes, so every peak RSS belongs to one size and one
job. The machine this runs on is usually shared: compare figures within one run, and read the
medians and p95s rather than single times.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BUNDLED_SIZE = 452
DEFAULT_SIZES = (BUNDLED_SIZE, 10_000, 100_000)
DEFAULT_REPEAT = 30
OPEN_REPEAT = 3
"""Library opens and warm index loads are slow at 100,000 papers: median of this many."""
CLI_REPEAT = 5
ANNOTATED_PAPERS = 1_000
"""Annotation writes are also timed with this many papers tagged (all of them in a smaller library)."""
CLI_WORD = "hallucination"

QUERIES = {
    "1 word": "hallucination",
    "common word": "model",
    "3 words": "visual instruction tuning",
    "typo": "halucination",
    "prefix": "hallu",
}
"""Query shapes, by what they exercise: few and many postings, intersection, typo and prefix matching."""
TYPED_QUERY = "video question answering"
"""Searched once per keystroke, as the app does while it is typed: words no other query uses, so
repeating the shapes above cannot have cached them."""

SEARCH_P95_TARGET_MS = ((BUNDLED_SIZE, 10.0), (10_000, 25.0), (100_000, 100.0))
"""(up to this many papers, search p95 target in ms)."""
WRITE_TARGET_MS = 5.0
CLI_TARGET_S = ((BUNDLED_SIZE, 0.3), (100_000, 1.0))
"""(up to this many papers, `vlmreader search WORD --json` wall-time target in s)."""
CLI_RSS_TARGET_MB = 300.0
"""Peak RSS of that process, up to 100,000 papers."""
RSS_TARGET_MB = 600.0
RSS_TARGET_UP_TO = 100_000


# -- measuring ----------------------------------------------------------------------------


def seconds_of(call) -> tuple[float, object]:
    """(wall seconds, result) of `call()`."""
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile: with 30 values, p95 is the second largest."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summary_ms(seconds: list[float], first: float | None = None) -> dict[str, float]:
    """Median, p95 and max of `seconds` in milliseconds, and `first`, the run before them, if given."""
    figures = {
        "median_ms": statistics.median(seconds) * 1000,
        "p95_ms": percentile(seconds, 0.95) * 1000,
        "max_ms": max(seconds) * 1000,
        "runs": len(seconds),
    }
    if first is not None:
        figures["first_ms"] = first * 1000
    return figures


def own_peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def bundled_pages():
    from vlmreader.core import importing
    from vlmreader.resources import data_dir

    return importing.bundled_pages(data_dir())


def open_library(home: Path):
    """The library as the CLI opens it: with the bundled corpus."""
    from vlmreader.core import importing

    return importing.open_library(home, bundled_pages())


# -- child stages: each runs in its own process and prints one JSON object ----------------


def stage_build(home: Path, size: int) -> dict:
    """Create the library in `home`: the bundled corpus, then synthetic papers up to `size`."""
    from synthetic import PaperGenerator, corpus_papers
    from vlmreader.resources import data_dir

    import_seconds, library = seconds_of(lambda: open_library(home))
    figures = {"import_corpus_s": import_seconds}
    missing = size - len(library)
    if missing > 0:
        def generate() -> list:
            return list(PaperGenerator(corpus_papers(data_dir())).papers(missing))

        figures["generate_s"], papers = seconds_of(generate)
        figures["add_papers_s"], report = seconds_of(lambda: library.add_papers(papers))
        figures["added"] = len(report.added)
    figures["papers"] = len(library)
    figures["library_json_mb"] = library.papers_path.stat().st_size / 2**20
    return figures


def stage_cold_index(home: Path) -> dict:
    """Open the library and build its search index with no cache file: a first run."""
    from vlmreader.core.search import SearchEngine

    (home / SearchEngine.INDEX_FILE).unlink(missing_ok=True)
    open_seconds, library = seconds_of(lambda: open_library(home))
    engine = SearchEngine(library)
    build_seconds, index = seconds_of(lambda: engine.index)
    return {
        "open_s": open_seconds,
        "cold_index_s": build_seconds,
        "vocabulary": len(index.vocabulary),
        "index_file_mb": (home / SearchEngine.INDEX_FILE).stat().st_size / 2**20,
        "peak_rss_mb": own_peak_rss_mb(),
    }


def stage_session(home: Path, repeat: int) -> dict:
    """A session with the index cached: open, load, search each query shape, star and unstar.

    It starts with no annotations, so every run writes against the same state: first with only
    the starred paper annotated, then with `ANNOTATED_PAPERS` tagged, as a user's library has.
    """
    from vlmreader.core.search import SearchEngine

    (home / "annotations.json").unlink(missing_ok=True)
    library = engine = None
    open_seconds, warm_seconds = [], []
    for _ in range(OPEN_REPEAT):
        library = engine = None  # let the previous one go first, or the peak RSS counts two
        seconds, library = seconds_of(lambda: open_library(home))
        open_seconds.append(seconds)
        engine = SearchEngine(library)
        seconds, _ = seconds_of(lambda: engine.index)
        warm_seconds.append(seconds)

    first = {shape: seconds_of(lambda: engine.search(text)) for shape, text in QUERIES.items()}
    searches: dict[str, list[float]] = {shape: [] for shape in QUERIES}
    for _ in range(repeat):
        for shape, text in QUERIES.items():  # round-robin, so noise falls on every shape alike
            searches[shape].append(seconds_of(lambda: engine.search(text))[0])
    keystrokes = [TYPED_QUERY[:length] for length in range(1, len(TYPED_QUERY) + 1)]
    typing = [seconds_of(lambda: engine.search(text))[0] for text in keystrokes]

    def star_and_unstar(paper_id: str) -> dict:
        first_write, _ = seconds_of(lambda: library.set_starred([paper_id], True))
        writes = [seconds_of(lambda: library.set_starred([paper_id], run % 2 == 1))[0] for run in range(repeat)]
        return summary_ms(writes, first=first_write)

    ids = [record.id for record in library.records()]
    write = star_and_unstar(ids[0])
    library.add_tags(ids[:ANNOTATED_PAPERS], ["bench"])
    write_among_annotated = star_and_unstar(ids[0]) | {"annotated": len(library.annotations())}
    return {
        "open": summary_ms(open_seconds),
        "warm_index": summary_ms(warm_seconds),
        "search": {
            shape: summary_ms(searches[shape], first=first[shape][0]) | {"matches": len(first[shape][1])}
            for shape in QUERIES
        },
        "typing": summary_ms(typing),
        "write": write,
        "write_among_annotated": write_among_annotated,
        "peak_rss_mb": own_peak_rss_mb(),
    }


# -- the parent: builds, runs the stages, times the CLI -----------------------------------


def run_stage(stage: str, home: Path, *extra: str) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--stage", stage, "--home", str(home), *extra]
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        raise SystemExit(f"stage {stage} failed for {home}:\n{completed.stderr}")
    return json.loads(completed.stdout.splitlines()[-1])


def cli_command() -> list[str]:
    """The installed `vlmreader` entry point beside this interpreter, else `python -m vlmreader`."""
    entry_point = Path(sys.executable).parent / "vlmreader"
    return [str(entry_point)] if entry_point.exists() else [sys.executable, "-m", "vlmreader"]


def child_environment(workdir: Path) -> dict[str, str]:
    """This environment, with bytecode cached under `workdir` as an installed package has it.

    With PYTHONDONTWRITEBYTECODE set (as in some dev shells), a checkout's modules are compiled
    from source at every start: 60-80 ms that no user installing the wheel pays. The cache goes
    to `workdir/pycache` (PYTHONPYCACHEPREFIX), so the checkout itself is left untouched.
    """
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    return environment | {"PYTHONPYCACHEPREFIX": str(workdir / "pycache")}


def run_measured(command: list[str], output: Path, workdir: Path) -> tuple[float, float, str]:
    """(wall seconds, peak RSS in MB, what it wrote on stderr) of one run of `command`, its
    stdout written to `output`, its bytecode cached in `workdir` (`child_environment`)."""
    with open(output, "wb") as stdout, tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr, env=child_environment(workdir))
        _, status, usage = os.wait4(process.pid, 0)  # the child's own ru_maxrss, not all children's
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        stderr.seek(0)
        said = stderr.read().decode(errors="replace")
        if process.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{said}")
    return seconds, usage.ru_maxrss / 1024, said


def measure_cli(home: Path) -> dict:
    """`vlmreader search WORD --json`: one warm-up run (it builds the index cache if missing), then timed runs."""
    command = cli_command() + ["search", CLI_WORD, "--json", "--home", str(home)]
    output = home.parent / "cli-output.json"
    workdir = home.parent.parent
    run_measured(command, output, workdir)
    runs = [run_measured(command, output, workdir) for _ in range(CLI_REPEAT)]
    seconds = [wall for wall, _, _ in runs]
    return {
        "median_s": statistics.median(seconds),
        "max_s": max(seconds),
        "runs": len(runs),
        "peak_rss_mb": max(rss for _, rss, _ in runs),
        "papers_printed": len(json.loads(output.read_text(encoding="utf-8"))),
        "output_mb": output.stat().st_size / 2**20,
    }


def build_key(size: int) -> dict:
    """What a cached library depends on: if any of it changes, the library is rebuilt."""
    from synthetic import GENERATOR_VERSION
    from vlmreader.core.importing import corpus_fingerprint
    from vlmreader.core.library.store import SCHEMA_VERSION

    return {
        "size": size,
        "generator_version": GENERATOR_VERSION,
        "corpus_fingerprint": corpus_fingerprint(bundled_pages()),
        "schema_version": SCHEMA_VERSION,
    }


def ensure_library(folder: Path, size: int, fresh: bool) -> dict:
    """The build figures of the library of `size` in `folder`, building it unless cached."""
    record = folder / "build.json"
    key = build_key(size)
    if not fresh and record.exists():
        cached = json.loads(record.read_text())
        if cached.get("key") == key:
            return cached["figures"] | {"cached": True}
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    progress(f"building the {size:,}-paper library in {folder} (kept for later runs)")
    figures = run_stage("build", folder / "home", "--size", str(size))
    record.write_text(json.dumps({"key": key, "figures": figures}, indent=2))
    return figures | {"cached": False}


def measure_size(workdir: Path, size: int, repeat: int, fresh: bool) -> dict:
    folder = workdir / f"library-{size}"
    home = folder / "home"
    figures = {"build": ensure_library(folder, size, fresh)}
    progress(f"{size:,} papers: cold index build")
    figures["cold"] = run_stage("cold-index", home)
    progress(f"{size:,} papers: session (opens, warm loads, {repeat} x {len(QUERIES)} searches, typing, writes)")
    figures["session"] = run_stage("session", home, "--repeat", str(repeat))
    progress(f"{size:,} papers: {CLI_REPEAT + 1} runs of vlmreader search {CLI_WORD} --json")
    figures["cli"] = measure_cli(home)
    return figures


def library_homes(arguments: argparse.Namespace) -> dict[int, Path]:
    """The home of each size `--sizes` names, its library built first unless kept (see `ensure_library`)."""
    sizes = [int(size.replace("_", "")) for size in arguments.sizes.split(",")]
    if any(size < BUNDLED_SIZE for size in sizes):
        raise SystemExit(f"sizes start at {BUNDLED_SIZE}, the bundled corpus")
    if arguments.repeat < 1:
        raise SystemExit("--repeat must be at least 1")
    homes = {}
    for size in sizes:
        folder = arguments.workdir / f"library-{size}"
        ensure_library(folder, size, arguments.fresh)
        homes[size] = folder / "home"
    return homes


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def source_commit(package_folder: Path) -> str:
    """'commit abc1234', with ' + uncommitted changes' if the package has some: figures compare on the same code."""
    def git(*arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", *arguments], cwd=package_folder, capture_output=True, text=True)

    try:
        commit, changes = git("rev-parse", "--short", "HEAD"), git("status", "--porcelain", "--", ".")
    except OSError:
        return "unknown"
    if commit.returncode != 0:
        return "not a git checkout"
    return f"commit {commit.stdout.strip()}" + (" + uncommitted changes" if changes.stdout.strip() else "")


def machine_description() -> dict:
    import vlmreader

    package_folder = Path(vlmreader.__file__).resolve().parent
    return {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "package": str(package_folder),
        "commit": source_commit(package_folder),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "cpus": os.cpu_count(),
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "vlmreader": vlmreader.__version__,
    }


# -- the table ----------------------------------------------------------------------------


def search_target_ms(size: int) -> float | None:
    return next((target for up_to, target in SEARCH_P95_TARGET_MS if size <= up_to), None)


@dataclass
class Row:
    """One line of the table: a label, a cell per size, and the target in words."""

    label: str
    cells: list[str]
    target: str = ""


def verdict(value: float, limit: float | None) -> str:
    if limit is None:
        return ""
    return "  ok" if value <= limit else "  OVER"


def ms(value: float) -> str:
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def seconds_text(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.1f} s"


def timing_cell(figures: dict, limit_ms: float | None = None) -> str:
    """'median / p95 (first) ms', or 'median / p95, max ms' without a first run; marked against a p95 target."""
    if "first_ms" in figures:
        extra = f" ({ms(figures['first_ms'])})"
    else:
        extra = f", max {ms(figures['max_ms'])}"
    return f"{ms(figures['median_ms'])} / {ms(figures['p95_ms'])}{extra} ms{verdict(figures['p95_ms'], limit_ms)}"


def megabytes(value: float) -> str:
    return f"{value:.1f} MB" if value < 10 else f"{value:.0f} MB"


def rss_cell(megabytes_used: float, size: int, target_mb: float = RSS_TARGET_MB) -> str:
    return f"{megabytes_used:.0f} MB" + verdict(megabytes_used, target_mb if size <= RSS_TARGET_UP_TO else None)


def cli_target_s(size: int) -> float | None:
    """The CLI's wall-time target at `size` papers: that of the smallest size it covers."""
    return next((target for up_to, target in CLI_TARGET_S if size <= up_to), None)


def table_rows(results: dict[int, dict]) -> list[Row]:
    """The table, section by section; each cell function takes (size, that size's figures)."""

    def row(label: str, cell, target: str = "") -> Row:
        return Row(label, [cell_or_dash(cell, size, figures) for size, figures in results.items()], target)

    def cell_or_dash(cell, size: int, figures: dict) -> str:
        try:
            return cell(size, figures)
        except KeyError:
            return "-"  # a report saved by an earlier version of this script lacks the figure

    def cached(figures: dict) -> str:
        return " *" if figures["build"]["cached"] else ""

    def generate_cell(size: int, figures: dict) -> str:
        seconds = figures["build"].get("generate_s")
        return "-" if seconds is None else seconds_text(seconds) + cached(figures)

    def add_papers_cell(size: int, figures: dict) -> str:
        build = figures["build"]
        return seconds_text(build.get("add_papers_s", build["import_corpus_s"])) + cached(figures)

    def files_cell(size: int, figures: dict) -> str:
        return f"{megabytes(figures['build']['library_json_mb'])} / {megabytes(figures['cold']['index_file_mb'])}"

    def cli_time_cell(size: int, figures: dict) -> str:
        cli = figures["cli"]
        limit = cli_target_s(size)
        return f"{seconds_text(cli['median_s'])} ({seconds_text(cli['max_s'])})" + verdict(cli["median_s"], limit)

    search_target = "p95 <= " + " / ".join(f"{target:.0f}" for _, target in SEARCH_P95_TARGET_MS) + " ms"
    write_target = f"p95 <= {WRITE_TARGET_MS:.0f} ms"
    rss_target = f"<= {RSS_TARGET_MB:.0f} MB up to {RSS_TARGET_UP_TO:,}"
    rows = [
        Row("LIBRARY", []),
        row("papers / index terms", lambda s, f: f"{f['build']['papers']:,} / {f['cold']['vocabulary']:,}"),
        row("library.json / search-index.bin", files_cell),
        row("generate synthetic papers", generate_cell),
        row("build: add_papers, one call", add_papers_cell),
        row("open Library(), median", lambda s, f: seconds_text(f["session"]["open"]["median_ms"] / 1000)),
        Row("SEARCH INDEX", []),
        row("cold: build + save (first run)", lambda s, f: seconds_text(f["cold"]["cold_index_s"])),
        row("warm: load search-index.bin, median",
            lambda s, f: seconds_text(f["session"]["warm_index"]["median_ms"] / 1000)),
        Row("SEARCH  median / p95 of the repeats (first run)", [], search_target),
    ]
    for shape, text in QUERIES.items():
        rows.append(row(
            f"{shape}: '{text}'",
            lambda s, f, shape=shape: timing_cell(f["session"]["search"][shape], search_target_ms(s)),
        ))
    rows.append(row(
        f"typing '{TYPED_QUERY}', per key",
        lambda s, f: timing_cell(f["session"]["typing"], search_target_ms(s)),
    ))
    rows.append(Row("MATCHES", []))
    for shape, text in QUERIES.items():
        rows.append(row(f"'{text}'", lambda s, f, shape=shape: f"{f['session']['search'][shape]['matches']:,}"))
    rows += [
        Row("ANNOTATION WRITE  median / p95 (first)", []),
        row("set_starred([id]), alternating",
            lambda s, f: timing_cell(f["session"]["write"], WRITE_TARGET_MS), write_target),
        row(f"the same, {ANNOTATED_PAPERS:,} papers tagged (or all)",
            lambda s, f: timing_cell(f["session"]["write_among_annotated"], WRITE_TARGET_MS), write_target),
        Row(f"CLI  vlmreader search {CLI_WORD} --json", []),
        row(
            f"wall time, median (max) of {CLI_REPEAT}", cli_time_cell,
            " / ".join(f"<= {target} s at {size:,}" for size, target in CLI_TARGET_S),
        ),
        row(
            "peak RSS", lambda s, f: rss_cell(f["cli"]["peak_rss_mb"], s, CLI_RSS_TARGET_MB),
            f"<= {CLI_RSS_TARGET_MB:.0f} MB up to {RSS_TARGET_UP_TO:,}",
        ),
        row("papers printed / output size",
            lambda s, f: f"{f['cli']['papers_printed']:,} / {megabytes(f['cli']['output_mb'])}"),
        Row("PEAK RSS IN-PROCESS", []),
        row("open + cold index build", lambda s, f: rss_cell(f["cold"]["peak_rss_mb"], s), rss_target),
        row("open + warm load + searches + writes", lambda s, f: rss_cell(f["session"]["peak_rss_mb"], s), rss_target),
    ]
    return rows


def report_lines(report: dict, title: str, work_note: str, header: Row, rows: list[Row]) -> list[str]:
    """What every benchmark report starts with: the machine, the code, the work folder, then
    the table. A row without cells is a section heading (an indented one, a sub-heading)."""
    label_width = max(len(r.label) for r in rows + [header] if r.cells) + 4  # indent 2, gap 2
    cell_widths = [max(len(r.cells[i]) for r in rows + [header] if r.cells) + 3 for i in range(len(header.cells))]

    def line(r: Row) -> str:
        if not r.cells:
            gap = "" if r.label.startswith(" ") else "\n"
            return f"{gap}{r.label:<{label_width + sum(cell_widths)}}{r.target}".rstrip()
        cells = "".join(f"{cell:<{width}}" for cell, width in zip(r.cells, cell_widths))
        return f"  {r.label:<{label_width - 2}}{cells}{r.target}".rstrip()

    machine = report["machine"]
    return [
        f"vlmreader {machine['vlmreader']} {title}, {machine['date']}: Python {machine['python']}, "
        f"{machine['platform']}, {machine['cpus']} CPUs, load average {machine['load_average']} at start, "
        f"{report['load_average_after']} at end",
        f"code {machine.get('package', '?')}: {machine.get('commit', 'commit unknown')}",
        f"work folder {report['workdir']}; {work_note}",
        "",
        line(header),
        *(line(r) for r in rows),
    ]


def render_table(report: dict) -> str:
    results = {int(size): figures for size, figures in report["sizes"].items()}
    header = Row("papers", [f"{size:,}" for size in results], "target")
    lines = report_lines(
        report, "core benchmark", f"{report['repeat']} runs of each search and write", header, table_rows(results)
    )
    if any(figures["build"]["cached"] for figures in results.values()):
        lines.append("\n* measured when the library was first built, in an earlier run (--fresh rebuilds)")
    return "\n".join(lines)


# -- the command line ---------------------------------------------------------------------


def benchmark_parser(description: str, default_repeat: int, repeat_help: str) -> argparse.ArgumentParser:
    """The options every benchmark script takes: sizes, repeats, the work folder, output."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, DEFAULT_SIZES)),
        help=f"library sizes, comma-separated; {BUNDLED_SIZE} is the bundled corpus (default: %(default)s)",
    )
    parser.add_argument("--repeat", type=int, default=default_repeat, help=f"{repeat_help} (default: %(default)s)")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "vlmreader-bench",
        help="where the libraries are built and kept (default: %(default)s)",
    )
    parser.add_argument("--fresh", action="store_true", help="rebuild the libraries even if cached")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead of a table")
    parser.add_argument(
        "--show", type=Path, metavar="REPORT", help="print the table of a report saved with --json; measure nothing"
    )
    return parser


def parse_arguments() -> argparse.Namespace:
    parser = benchmark_parser(__doc__.split("\n\n")[0], DEFAULT_REPEAT, "timed runs of each search and write")
    parser.add_argument("--stage", choices=("build", "cold-index", "session"), help=argparse.SUPPRESS)
    parser.add_argument("--home", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> int:
    arguments = parse_arguments()
    if arguments.stage:
        stages = {
            "build": lambda: stage_build(arguments.home, arguments.size),
            "cold-index": lambda: stage_cold_index(arguments.home),
            "session": lambda: stage_session(arguments.home, arguments.repeat),
        }
        print(json.dumps(stages[arguments.stage]()))
        return 0
    if arguments.show:
        print(render_table(json.loads(arguments.show.read_text(encoding="utf-8"))))
        return 0

    sizes = [int(size.replace("_", "")) for size in arguments.sizes.split(",")]
    if any(size < BUNDLED_SIZE for size in sizes):
        raise SystemExit(f"sizes start at {BUNDLED_SIZE}, the bundled corpus")
    report = {"machine": machine_description(), "workdir": str(arguments.workdir), "repeat": arguments.repeat}
    report["sizes"] = {size: measure_size(arguments.workdir, size, arguments.repeat, arguments.fresh) for size in sizes}
    report["load_average_after"] = [round(load, 2) for load in os.getloadavg()]
    print(json.dumps(report, indent=2) if arguments.json else render_table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
