"""Benchmark finding possible duplicates (what `is:duplicate` and `vlmreader duplicates` compute).

    python bench/bench_duplicates.py [--sizes 452,10000,100000] [--repeat 3] [--planted 30] [--show 10]

For each size: the bundled corpus plus synthetic papers (bench/synthetic.py) up to that size,
into which `--planted` duplicates of each kind are put, made from random papers of the library:

- a bib entry: the title with a hyphen dropped ('Black-Box' -> 'BlackBox') or put in
  inside a long word ('Multimodal' -> 'Mult-imodal'), and no abstract;
- a renamed version: a word added to the title, one sentence of the abstract replaced;
- a retitled version: a new title, one word in twenty-five of the abstract changed.

It prints the median time of `find_duplicates` over `--repeat` runs (the whole computation,
lazily done the first time a query has `is:duplicate`), how many planted pairs were found, and
the other groups flagged, the first `--show` of them in full, to check by eye (the synthetic
papers are different papers, though their abstracts copy runs of the corpus's). Targets: well
under a second at 10,000 papers, a few seconds at 100,000.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import PaperGenerator, corpus_papers  # noqa: E402

from vlmreader.core.models import PaperRecord  # noqa: E402
from vlmreader.core.search.duplicates import find_duplicates  # noqa: E402
from vlmreader.resources import data_dir  # noqa: E402

TARGET_SECONDS = {10_000: 1.0, 100_000: 5.0}


def planted_copies(records: list[PaperRecord], count: int, rng: random.Random) -> list[tuple[int, PaperRecord, str]]:
    """(number of the original, its copy, kind) for `count` copies of each kind."""
    copies = []
    for number in rng.sample(range(len(records)), 3 * count):
        original = records[number]
        sentences = re.split(r"(?<=[.!?])\s+", original.abstract)
        kind = ("bib entry", "renamed", "retitled")[len(copies) % 3]
        if kind == "bib entry":
            hyphen = original.title.find("-")
            long_word = re.search(r"[A-Za-z]{4}([a-z]{4,})", original.title)
            if hyphen > 0:
                title = original.title[:hyphen] + original.title[hyphen + 1 :]
            elif long_word:
                title = original.title[: long_word.start(1)] + "-" + original.title[long_word.start(1) :]
            else:
                continue
            abstract = ""
        elif kind == "renamed":
            name, colon, rest = original.title.partition(": ")
            title = f"{name}: Efficient {rest}" if colon else f"Efficient {original.title}"
            sentences[rng.randrange(len(sentences))] = "We extend the method and report results on more benchmarks."
            abstract = " ".join(sentences)
        else:
            words = original.abstract.split()
            for position in rng.sample(range(len(words)), len(words) // 25):
                words[position] = rng.choice(("novel", "strong", "simple", "large"))
            title, abstract = f"Retitled Paper Number {len(copies)}", " ".join(words)
        copies.append((number, PaperRecord(title=title, abstract=abstract, id=f"copy{len(copies)}"), kind))
    return copies


def measure(size: int, repeat: int, planted: int, show: int) -> None:
    corpus = corpus_papers(data_dir())
    records = [paper.record for paper in corpus]
    started = time.perf_counter()
    if size > len(records):
        records += [paper.record for paper in PaperGenerator(corpus).papers(size - len(records))]
    generated = time.perf_counter() - started
    rng = random.Random(size)
    copies = planted_copies(records, planted, rng) if planted else []
    records = records[: size - len(copies)] + [copy for _, copy, _ in copies]
    titles, abstracts = [r.title for r in records], [r.abstract for r in records]
    times, groups = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        groups = find_duplicates(titles, abstracts)
        times.append(time.perf_counter() - started)
    first_copy = len(records) - len(copies)
    linked = {(link.one, link.other) for group in groups for link in group.links}
    found: dict[str, int] = {}
    for position, (original, _, kind) in enumerate(copies):
        pair = (min(original, first_copy + position), max(original, first_copy + position))
        found[kind] = found.get(kind, 0) + (pair in linked or original >= first_copy)
    planted_members = {first_copy + position for position in range(len(copies))} | {o for o, _, _ in copies}
    others = [group for group in groups if not set(group.members) & planted_members]
    median = statistics.median(times)
    target = TARGET_SECONDS.get(size)
    print(
        f"{size:>7,} papers: {median:.2f} s median of {repeat} (runs {', '.join(f'{t:.2f}' for t in times)})"
        + (f", target {target:.0f} s" if target else "")
        + f"; generated in {generated:.0f} s"
    )
    for kind, count in found.items():
        print(f"          planted {kind}: {count} of {sum(1 for *_, k in copies if k == kind)} found")
    print(f"          other groups flagged: {len(others)}")
    for group in others[:show]:
        print(f"            {', '.join(group.reasons)}")
        for member in group.members:
            print(f"              {titles[member][:110]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="452,10000,100000", help="library sizes, comma-separated (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per size (default: %(default)s)")
    parser.add_argument("--planted", type=int, default=30, help="duplicates of each kind to plant (default: %(default)s)")
    parser.add_argument("--show", type=int, default=10, help="other groups to print in full (default: %(default)s)")
    arguments = parser.parse_args()
    for size in (int(text) for text in arguments.sizes.split(",")):
        measure(size, arguments.repeat, arguments.planted if size > 452 else 0, arguments.show)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
