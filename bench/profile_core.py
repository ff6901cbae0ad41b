"""Profile one core operation on a library that bench_core.py built, to see where its time goes.

    python bench/profile_core.py --size 100000 search hallucination
    python bench/profile_core.py --size 100000 open | cold-index | warm-index | write | cli [WORD]

It runs the operation under cProfile (searches and writes `--repeat` times, after one untimed
run) and prints the functions that take the most time, by own time and by cumulative time.
The library must exist: run bench_core.py with that size first (same `--workdir`).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import sys
import tempfile
from pathlib import Path

from bench_core import QUERIES, open_library

OPERATIONS = ("open", "cold-index", "warm-index", "search", "write", "cli")


def operation_to_profile(name: str, home: Path, words: list[str], repeat: int):
    """A function that runs the operation `name` once, with its setup already done."""
    from vlmreader.core.search.index import CorpusIndex
    from vlmreader.core.search import SearchEngine

    if name == "open":
        return lambda: open_library(home)
    library = open_library(home)
    if name == "cold-index":
        records = library.records()
        path = Path(tempfile.mkdtemp()) / SearchEngine.INDEX_FILE
        return lambda: CorpusIndex.build(records).save(path, library.papers_signature)
    if name == "warm-index":
        return lambda: SearchEngine(library).index
    if name == "search":
        engine = SearchEngine(library)
        text = " ".join(words) or QUERIES["1 word"]
        engine.search(text)  # load the index and warm the caches outside the profile
        return lambda: [engine.search(text) for _ in range(repeat)]
    if name == "write":
        paper_id = library.records()[0].id
        library.set_starred([paper_id], True)
        return lambda: [library.set_starred([paper_id], run % 2 == 1) for run in range(repeat)]
    if name == "cli":
        from vlmreader.cli import main

        argv = ["search", *(words or ["hallucination"]), "--json", "--home", str(home)]
        main(argv)  # builds the index cache if it is missing

        def run_cli():
            with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
                main(argv)

        return run_cli
    raise ValueError(name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("operation", choices=OPERATIONS)
    parser.add_argument("words", nargs="*", help="the query, for search and cli")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "vlmreader-bench")
    parser.add_argument("--repeat", type=int, default=10, help="runs of a search or write (default: %(default)s)")
    parser.add_argument("--top", type=int, default=20, help="functions to list (default: %(default)s)")
    arguments = parser.parse_args()

    home = arguments.workdir / f"library-{arguments.size}" / "home"
    if not (home / "library.json").exists():
        raise SystemExit(f"no library in {home}: run bench/bench_core.py --sizes {arguments.size} first")
    operation = operation_to_profile(arguments.operation, home, arguments.words, arguments.repeat)
    profile = cProfile.Profile()
    profile.runcall(operation)
    for order in ("tottime", "cumulative"):
        report = io.StringIO()
        pstats.Stats(profile, stream=report).strip_dirs().sort_stats(order).print_stats(arguments.top)
        print(f"== {arguments.operation} at {arguments.size:,} papers, by {order} ==")
        print(report.getvalue().split("\n", 4)[-1].strip("\n"), end="\n\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
