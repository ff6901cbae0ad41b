"""How long `enrich` takes over the bundled corpus, and how many requests it makes, with the
services' real pacing: against the tests' local stand-in (tests/sources/fake_services.py) on
127.0.0.1, which refuses (429) any request that comes sooner than the service allows (arXiv:
one every 3 s; OpenAlex: ten a second), while vlmreader paces itself as it does for real.

    .venv/bin/python bench/bench_enrich.py              # the 452 bundled papers (about 2 minutes)
    .venv/bin/python bench/bench_enrich.py --papers 60  # a quicker look

The stand-in knows every paper on arXiv (with 1-12 authors each) and nine in ten on OpenAlex (a
third of those with a published venue); the tenth must be found by arXiv's title search. Targets
(issue 10): the 452 papers in <= 2 minutes and <= 1.3 requests a paper; `add` of one arXiv id in
<= 1 request.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))

from tests.sources.fake_services import ArxivPaper, FakeServices  # noqa: E402
from vlmreader.core.config import Config  # noqa: E402
from vlmreader.core.importing import bundled_pages, open_library  # noqa: E402
from vlmreader.core.metadata import add_by_identifiers, enrich, needs_metadata, sources_for  # noqa: E402
from vlmreader.resources import data_dir  # noqa: E402

PACING = {"/arxiv": 3.0, "/openalex": 0.1}
"""The least time between two requests each service allows, as the stand-in enforces it."""
GIVEN = "Wei Jun Ana Luca Mei Omar Priya Sven Yuki Zoe".split()
FAMILY = "Chen Garcia Ito Kowalski Li Müller Nakamura Okafor Rossi Smith Wang Zhang".split()


def described(papers, seed: int = 7) -> tuple[list[ArxivPaper], list[dict]]:
    """The stand-in's arXiv entries for `papers`, and OpenAlex's works for nine in ten of them."""
    chance = random.Random(seed)
    on_arxiv, on_openalex = [], []
    for number, paper in enumerate(papers):
        authors = [f"{chance.choice(GIVEN)} {chance.choice(FAMILY)}" for _ in range(chance.randint(1, 12))]
        year = chance.choice((2022, 2023, 2024))
        entry = ArxivPaper(f"{year % 100}{chance.randint(1, 12):02d}.{10000 + number:05d}", paper.title, authors,
                           abstract=paper.abstract, published=f"{year}-05-0{chance.randint(1, 9)}T12:00:00Z")
        on_arxiv.append(entry)
        if number % 10 != 9:
            venue = {"venue": "Computer Vision and Pattern Recognition", "year": year + 1, "doi": f"10.5555/cvpr.{number}"}
            on_openalex.append(entry.openalex_work(**(venue if number % 3 == 0 else {})))
    return on_arxiv, on_openalex


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=None, help="enrich only the first N bundled papers")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vlmreader-bench-enrich-") as home, FakeServices() as fake:
        os.environ.update(fake.environment())
        library = open_library(Path(home), bundled_pages(data_dir()))
        papers = [paper for paper in library if needs_metadata(paper)][: arguments.papers]
        on_arxiv, fake.openalex = described(papers)
        fake.arxiv = {entry.arxiv_id: entry for entry in on_arxiv}
        fake.min_interval = dict(PACING)
        with closing(sources_for(library.home, Config())) as sources:
            started = time.monotonic()
            report = enrich(library, papers, sources)
            seconds = time.monotonic() - started
        requests = len(fake.requests)
        by_service = {prefix: sum(path.startswith(prefix) for path in fake.requests) for prefix in PACING}
        print(f"enrich, {len(papers)} papers, real pacing (arXiv 1 request / 3 s, OpenAlex 10 / s):")
        print(f"  time              {seconds:7.1f} s     target <= 120 s for 452 papers")
        print(f"  requests          {requests:7d}       OpenAlex {by_service['/openalex']}, arXiv {by_service['/arxiv']}")
        print(f"  requests a paper  {requests / max(len(papers), 1):7.2f}       target <= 1.3")
        print(f"  refused as too soon: {len(fake.too_soon)} (must be 0)")
        print(f"  enriched {len(report.enriched)}, ambiguous {len(report.ambiguous)}, not found {len(report.not_found)}")
        fake._last.clear()  # `add` is another run, seconds later: a fresh process knows no pacing
        before = len(fake.requests)
        fake.arxiv["2304.08485"] = ArxivPaper("2304.08485", "Visual Instruction Tuning", ["Haotian Liu"])
        with closing(sources_for(library.home, Config())) as sources:
            added = add_by_identifiers(library, ["2304.08485"], sources)
        print(f"add of one arXiv id: {len(fake.requests) - before} request (target <= 1); added {len(added.added)}")
        ok = not fake.too_soon and requests / max(len(papers), 1) <= 1.3 and (arguments.papers or seconds <= 120)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
