"""A maintainer's check against the real services (arXiv, OpenAlex, Crossref, Hugging Face).

Not run by CI or the tests, which never touch the internet: run it by hand, with the network,
to see that vlmreader still reads what the services answer today.

    .venv/bin/python bench/live_check.py                  # five bundled papers, one id, one DOI
    .venv/bin/python bench/live_check.py --papers 10 --email you@example.org --hf-date 2024-05-10

It works in a temporary home (your library is never touched) and prints what it found: the
fields each paper gained, with their sources, the papers `add` brought, and a day of Hugging
Face daily papers. It asks politely (arXiv once every 3 s), so it takes a minute or so.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from contextlib import closing
from datetime import date
from pathlib import Path

from vlmreader.core.config import Config
from vlmreader.core.importing import bundled_pages, open_library
from vlmreader.core.metadata import add_by_identifiers, daily_papers_works, enrich, sources_for
from vlmreader.core.models import UserError
from vlmreader.resources import data_dir

SAMPLE_TITLES = (
    "Flamingo: a Visual Language Model for Few-Shot Learning",
    "LLaVA-UHD: an LMM Perceiving Any Aspect Ratio and High-Resolution Images",
    "Dragonfly: Multi-Resolution Zoom Supercharges Large Visual-Language Model",
    "MM-Vet: Evaluating Large Multimodal Models for Integrated Capabilities",
    "BLIP-2: Bootstrapping Language-Image Pre-training with Frozen Image Encoders and Large Language Models",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=5, help="how many bundled papers to enrich")
    parser.add_argument("--email", default="", help="your contact email, for the services' polite pools")
    parser.add_argument("--hf-date", default="2024-05-10", help="the day of daily papers to read")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vlmreader-live-") as home:
        library = open_library(Path(home), bundled_pages(data_dir()))
        by_title = {paper.title.casefold(): paper for paper in library}
        chosen = [by_title[title.casefold()] for title in SAMPLE_TITLES if title.casefold() in by_title]
        chosen += [paper for paper in library if paper not in chosen][: max(0, arguments.papers - len(chosen))]
        chosen = chosen[: arguments.papers]
        config = Config(contact_email=arguments.email)
        try:
            with closing(sources_for(library.home, config)) as sources:
                started = time.monotonic()
                report = enrich(library, chosen, sources)
                print(f"enrich: {len(chosen)} papers, {sources.requests} requests, {time.monotonic() - started:.1f} s")
                for paper, filled in report.enriched:
                    print(f"\n  {paper.key}: {paper.title}")
                    for name in filled:
                        source = paper.source_of(name)
                        print(f"    {name:<13} {paper.record.fields[name]}  ({source[0] if source else 'user'})")
                for paper, candidates in report.ambiguous:
                    print(f"\n  ambiguous {paper.key}: " + "; ".join(f"{w.arxiv_id or w.doi} {w.title!r}" for w in candidates))
                for paper in report.not_found:
                    print(f"\n  not found {paper.key}: {paper.title}")
                added = add_by_identifiers(library, ["2304.08485", "10.1109/CVPR52729.2023.01312"], sources)
                print("\nadd:", ", ".join(paper.key for paper in added.added) or "-",
                      "| known:", ", ".join(paper.key for _, paper in added.known) or "-",
                      "| not found:", ", ".join(added.not_found) or "-")
                for paper in added.added:
                    print(f"  {paper.key}: {paper.record.fields}")
                day = date.fromisoformat(arguments.hf_date)
                works = daily_papers_works(sources, day)
                print(f"\nHugging Face daily papers of {day}: {len(works)}")
                for described in works[:5]:
                    work = described[-1]
                    print(f"  {work.arxiv_id}  {work.title[:70]}  ({work.primary_category or '?'}, {len(work.authors)} authors)")
        except UserError as error:
            print(f"live check failed: {error}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
