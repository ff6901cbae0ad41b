"""Benchmark the relevance ranking (queries in the user's own words, "more like this") against
its targets.

    python bench/bench_relevance.py [--sizes 452,10000,100000] [--repeat 3] [--json]

For each size (the bundled corpus, then synthetic papers learnt from it, bench/synthetic.py)
it measures, in memory and with no library file:
- the first-run build of the relevance index beside today's search index build on the same
  papers (target: no slower);
- loading it from its cache file, and bringing it up to date after 100 papers are added
  (the import case: only the new papers are read);
- a 12-word natural-language query through the whole engine (the strict query, then the
  partial matches ranked with feedback), median and p95 (target p95 <= 30 ms at 10,000 papers,
  <= 150 ms at 100,000);
- "more like this" (`like:KEY`) on random papers, median and p95 (the same targets).

The machine is usually shared: compare figures within one run and read medians and p95s.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_core import percentile, seconds_of  # noqa: E402
from synthetic import PaperGenerator, corpus_papers  # noqa: E402

from vlmreader.core.search.engine import SearchIndex  # noqa: E402
from vlmreader.core.search.index import CorpusIndex  # noqa: E402
from vlmreader.core.search.query import parse_query  # noqa: E402
from vlmreader.core.search.relevance import RelevanceIndex  # noqa: E402
from vlmreader.resources import data_dir  # noqa: E402

QUERY_WORDS = 12
ADDED = 100
TARGET_P95_MS = ((10_000, 30.0), (100_000, 150.0))
"""(up to this many papers, p95 target in ms) for a 12-word query and for "more like this"."""


def target_for(size: int) -> float | None:
    return next((target for limit, target in TARGET_P95_MS if size <= limit), None)


def twelve_word_queries() -> list[str]:
    """The judged natural-language queries (search_quality.json), each made exactly 12 words
    long with words of the next one."""
    entries = json.loads((Path(__file__).parent / "search_quality.json").read_text(encoding="utf-8"))
    texts = [entry["query"].split() for entry in entries if entry["kind"] == "natural"]
    return [" ".join((words + texts[(n + 1) % len(texts)])[:QUERY_WORDS]) for n, words in enumerate(texts)]


def records_of(size: int) -> list:
    corpus = corpus_papers(data_dir())
    papers = corpus + list(PaperGenerator(corpus).papers(max(0, size - len(corpus))))
    return [replace(paper.record, id=f"paper{number}") for number, paper in enumerate(papers[:size])]


def latencies_ms(calls) -> dict:
    seconds = []
    for call in calls:
        start = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - start)
    seconds.sort()
    return {"median_ms": round(1000 * seconds[len(seconds) // 2], 1), "p95_ms": round(1000 * percentile(seconds, 0.95), 1)}


def measure(size: int, repeat: int) -> dict:
    records = records_of(size + ADDED)
    records, added = records[:size], records[size:]
    figures: dict = {"papers": size}
    builds = [seconds_of(lambda: CorpusIndex.build(records)) for _ in range(repeat)]
    corpus_index = builds[-1][1]
    figures["search_index_build_s"] = round(sorted(s for s, _ in builds)[len(builds) // 2], 2)
    builds = [seconds_of(lambda: RelevanceIndex.build(records)) for _ in range(repeat)]
    relevance = builds[-1][1]
    figures["relevance_build_s"] = round(sorted(s for s, _ in builds)[len(builds) // 2], 2)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "relevance-index.bin"
        relevance.save(path)
        figures["cache_mb"] = round(path.stat().st_size / 2**20, 1)
        figures["load_s"] = round(sorted(seconds_of(lambda: RelevanceIndex.load(path))[0] for _ in range(repeat))[repeat // 2], 2)
        grown = records + added
        figures[f"update_after_{ADDED}_added_s"] = round(seconds_of(lambda: RelevanceIndex.build(grown, reuse=relevance))[0], 2)

    index = SearchIndex(records, corpus_index, lambda _: relevance)
    queries = [parse_query(text) for text in twelve_word_queries()]
    index.search(queries[0])  # the first query builds the typo tables; not what is measured here
    figures["query_12_words"] = latencies_ms([lambda q=q: index.search(q) for q in queries])
    rng = random.Random(2024)
    likes = [parse_query(f"like:{records[rng.randrange(size)].id}") for _ in range(60)]
    figures["more_like_this"] = latencies_ms([lambda q=q: index.search(q) for q in likes])
    return figures


def print_report(results: list[dict]) -> None:
    print(f"{'papers':>8}  {'index build':>11}  {'relevance build':>15}  {'load':>6}  {'+100 papers':>11}  "
          f"{'12-word query p50/p95':>21}  {'like p50/p95':>13}  target p95")
    for figures in results:
        target = target_for(figures["papers"])
        query, like = figures["query_12_words"], figures["more_like_this"]
        verdicts = ""
        if target is not None:
            met = query["p95_ms"] <= target and like["p95_ms"] <= target
            verdicts = f"{target:.0f} ms {'met' if met else 'MISSED'}"
        build_met = "" if figures["relevance_build_s"] <= figures["search_index_build_s"] * 1.1 else " (slower)"
        print(
            f"{figures['papers']:>8,}  {figures['search_index_build_s']:>10.2f}s  {figures['relevance_build_s']:>14.2f}s{build_met}  "
            f"{figures['load_s']:>5.2f}s  {figures[f'update_after_{ADDED}_added_s']:>10.2f}s  "
            f"{query['median_ms']:>9.1f} / {query['p95_ms']:>6.1f} ms  {like['median_ms']:>5.1f} / {like['p95_ms']:>5.1f} ms  {verdicts}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="452,10000", help="comma-separated library sizes (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=3, help="builds and loads per size; the median is shown")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    arguments = parser.parse_args(argv)
    results = []
    for size in (int(text) for text in arguments.sizes.split(",")):
        print(f"measuring {size:,} papers ...", file=sys.stderr, flush=True)
        results.append(measure(size, arguments.repeat))
    if arguments.json:
        print(json.dumps(results, indent=2))
    else:
        print_report(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
