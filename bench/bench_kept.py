"""Benchmark kept exports: what a change costs when it affects a kept export, and when it does not.

    python bench/bench_kept.py [--papers 500] [--repeat 21]

A fresh library of the bundled corpus plus synthetic papers up to `--papers` (bench/synthetic.py),
all tagged `cite`, with one kept export of `tag:cite` (every paper) to a .bib file. Then, each
`--repeat` times:
- a write that changes an exported paper (a note on one of them: BibTeX carries it) followed by
  the refresh that rewrites the file (target: under 50 ms for 500 papers);
- a write that changes nothing the export shows (the reading status, which BibTeX does not
  carry) followed by the refresh that finds nothing to do, beside the write alone.
Medians and the slowest are printed; the machine is shared, so compare within one run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from synthetic import PaperGenerator, corpus_papers  # noqa: E402

from vlmreader.core import importing  # noqa: E402
from vlmreader.core.kept import KeptExports, refresh_kept_exports  # noqa: E402
from vlmreader.core.search import SearchEngine  # noqa: E402
from vlmreader.resources import data_dir  # noqa: E402

TARGET_MS = 50.0


def milliseconds(seconds: list[float]) -> str:
    return f"median {1000 * statistics.median(seconds):6.1f} ms, slowest {1000 * max(seconds):6.1f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=21)
    arguments = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        library = importing.open_library(Path(folder) / "home", importing.bundled_pages(data_dir()))
        missing = arguments.papers - len(library)
        if missing > 0:
            library.add_papers(list(PaperGenerator(corpus_papers(data_dir())).papers(missing)))
        ids = [paper.id for paper in library][: arguments.papers]
        library.add_tags(ids, ["cite"])
        engine = SearchEngine(library)
        KeptExports(library, engine).keep("tag:cite", str(Path(folder) / "refs.bib"), "bibtex")

        affecting, unaffected, writes_alone = [], [], []
        for round_number in range(arguments.repeat):
            paper_id = ids[round_number % len(ids)]
            start = time.perf_counter()
            library.set_note(paper_id, f"round {round_number}")
            results = refresh_kept_exports(library, engine)
            affecting.append(time.perf_counter() - start)
            assert [result.outcome for result in results] == ["written"], results

            start = time.perf_counter()
            library.update([paper_id], _status(round_number))
            writes_alone.append(time.perf_counter() - start)
            start = time.perf_counter()
            library.update([paper_id], _status(round_number + 1))
            assert refresh_kept_exports(library, engine) == []
            unaffected.append(time.perf_counter() - start)
    met = statistics.median(affecting) * 1000 <= TARGET_MS
    print(f"kept export of {len(ids)} papers (tag:cite -> refs.bib), {arguments.repeat} rounds")
    print(f"  a write that changes an exported paper + the rewrite: {milliseconds(affecting)}  "
          f"(target {TARGET_MS:.0f} ms: {'met' if met else 'MISSED'})")
    print(f"  a write that changes nothing exported + the refresh:  {milliseconds(unaffected)}")
    print(f"  the same write alone, without kept exports' refresh:   {milliseconds(writes_alone)}")
    return 0


def _status(number: int):
    from vlmreader.core.models import SetStatus

    return SetStatus("queued" if number % 2 else "reading")


if __name__ == "__main__":
    raise SystemExit(main())
