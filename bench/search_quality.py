"""How well search finds the papers a person means, on the bundled corpus, against judged queries.

    python bench/search_quality.py            # the figures, per query set
    python bench/search_quality.py -v         # and each query: rank of its first relevant paper, top 3
    python bench/search_quality.py --json     # the figures as JSON (with -v: per query too)

The judgments are in search_quality.json beside this script: a list of {"query", "kind",
"relevant": [exact titles]}. Two kinds of query:

- "natural": a researcher describing an idea in their own words, not the paper's ("make the model
  answer faster by dropping unimportant image patches" for visual-token pruning), 6-15 ordinary
  words, avoiding the papers' distinctive title words and model names;
- "keyword": the queries that strict search is built for: model names ("llava uhd"), typos
  ("halucination"), topic words ("video token compression").

Relevant papers were judged by reading the corpus's titles and abstracts (452 papers), never by
looking at what the search engine returns: for each query, every paper whose main contribution
answers it, usually 1 to 6 of them, a few broad topics more. Titles identify papers, since keys
and ids may change; the script stops at once, naming them, if a judged title is not in the corpus.

For each set it prints, over its queries:

- recall@10: |relevant in the top 10| / min(|relevant|, 10), averaged;
- MRR: 1 / rank of the first relevant paper in the top 100 (0 if none), averaged;
- hit@10: the share of queries with at least one relevant paper in the top 10;

for the full search (`SearchEngine.search(query)`) and, when the engine has it, the strict-only
search (`search(query, partial=False)`: every word must match), so that what the ranked partial
matches add is visible. The library is a fresh one in a temporary home; no network.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
import tempfile
from pathlib import Path

JUDGMENTS = Path(__file__).with_name("search_quality.json")
KINDS = ("natural", "keyword")
CUTOFF = 10
DEPTH = 100
"""MRR looks this far down the returned list."""


def load_judgments(path: Path) -> list[dict]:
    entries = json.loads(path.read_text(encoding="utf-8"))
    for entry in entries:
        if entry.get("kind") not in KINDS or not entry.get("query") or not entry.get("relevant"):
            kinds = " or ".join(KINDS)
            sys.exit(f"{path.name}: each entry needs a query, a kind ({kinds}) and relevant titles: {entry}")
    return entries


def check_titles(entries: list[dict], titles: dict[str, set[str]]) -> None:
    """Exit naming every judged title that is not a corpus title (with the nearest ones)."""
    missing = sorted({title for entry in entries for title in entry["relevant"] if title not in titles})
    if not missing:
        return
    lines = [f"{len(missing)} judged title(s) are not in the corpus:"]
    for title in missing:
        near = difflib.get_close_matches(title, titles, n=1, cutoff=0.8)
        lines.append(f"  {title!r}" + (f"\n    nearest: {near[0]!r}" if near else ""))
    sys.exit("\n".join(lines))


def searcher(library):
    """(full search, strict-only search or None): each takes a query and returns ids, best first."""
    from vlmreader.core.search import SearchEngine

    engine = SearchEngine(library)

    def full(query: str) -> list[str]:
        return engine.search(query).paper_ids(DEPTH)

    def strict(query: str) -> list[str]:
        return engine.search(query, partial=False).paper_ids(DEPTH)

    try:
        strict("vision")
    except TypeError:
        return full, None
    return full, strict


def first_rank(ranked: list[str], relevant: set[str]) -> int | None:
    return next((rank for rank, paper_id in enumerate(ranked, 1) if paper_id in relevant), None)


def figures(runs: list[tuple[list[str], set[str]]]) -> dict:
    """recall@10, MRR and hit@10 over (returned ids, relevant ids) pairs."""
    recall = mrr = hits = 0.0
    for ranked, relevant in runs:
        found = len(relevant.intersection(ranked[:CUTOFF]))
        recall += found / min(len(relevant), CUTOFF)
        rank = first_rank(ranked, relevant)
        mrr += 1 / rank if rank else 0.0
        hits += found > 0
    count = len(runs) or 1
    return {"recall@10": round(recall / count, 3), "mrr": round(mrr / count, 3), "hit@10": round(hits / count, 3)}


def evaluate(entries: list[dict], library, ids_by_title: dict[str, set[str]]) -> tuple[dict, list[dict]]:
    """The figures per set and mode, and what each query returned."""
    full, strict = searcher(library)
    modes = {"full": full} | ({"strict": strict} if strict else {})
    details, report = [], {}
    for entry in entries:
        relevant = set().union(*(ids_by_title[title] for title in entry["relevant"]))
        returned = {mode: search(entry["query"]) for mode, search in modes.items()}
        details.append(entry | {"ids": relevant, "returned": returned})
    for kind in KINDS:
        chosen = [d for d in details if d["kind"] == kind]
        report[kind] = {"queries": len(chosen)} | {
            mode: figures([(d["returned"][mode], d["ids"]) for d in chosen]) for mode in modes
        }
        if not strict:
            report[kind]["strict"] = None
    return report, details


def print_table(report: dict, papers: int) -> None:
    print(f"search quality, bundled corpus ({papers} papers), judgments in {JUDGMENTS.name}")
    print(f"{'':18}{'queries':>8}{'recall@10':>11}{'MRR':>8}{'hit@10':>9}")
    for kind, row in report.items():
        for mode in ("full", "strict"):
            if row[mode] is None:
                print(f"{kind:<9}{mode:<9}{'':>8}  (no partial=False in SearchEngine.search)")
                continue
            f = row[mode]
            print(f"{kind:<9}{mode:<9}{row['queries']:>8}{f['recall@10']:>11.3f}{f['mrr']:>8.3f}{f['hit@10']:>9.0%}")


def print_queries(details: list[dict], title_of: dict[str, str]) -> None:
    for d in details:
        ranks = ", ".join(f"{mode} {first_rank(ids, d['ids']) or '-'}" for mode, ids in d["returned"].items())
        print(f"\n[{d['kind']}] {d['query']}   (first relevant: {ranks}; {len(d['ids'])} relevant)")
        for rank, paper_id in enumerate(d["returned"]["full"][:3], 1):
            mark = "*" if paper_id in d["ids"] else " "
            print(f"   {mark}{rank}. {title_of[paper_id]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="each query: first relevant rank, top 3 titles")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    arguments = parser.parse_args(argv)

    entries = load_judgments(JUDGMENTS)
    with tempfile.TemporaryDirectory(prefix="vlmreader-quality-") as workdir:
        os.environ["VLMREADER_HOME"] = workdir  # nothing may touch the user's own library
        from vlmreader.core.importing import bundled_pages, open_library
        from vlmreader.resources import data_dir

        library = open_library(Path(workdir) / "home", bundled_pages(data_dir()))
        title_of = {record.id: library.get(record.id).title for record in library.records()}
        ids_by_title: dict[str, set[str]] = {}
        for paper_id, title in title_of.items():
            ids_by_title.setdefault(title, set()).add(paper_id)  # a duplicated title: all its papers
        check_titles(entries, ids_by_title)
        report, details = evaluate(entries, library, ids_by_title)

    if arguments.json:
        output = {"papers": len(title_of), "sets": report}
        if arguments.verbose:
            output["queries"] = [
                {"query": d["query"], "kind": d["kind"], "relevant": len(d["ids"])}
                | {f"first_relevant_{mode}": first_rank(ids, d["ids"]) for mode, ids in d["returned"].items()}
                for d in details
            ]
        print(json.dumps(output, indent=2))
        return 0
    print_table(report, len(title_of))
    if arguments.verbose:
        print_queries(details, title_of)
    return 0


if __name__ == "__main__":
    sys.exit(main())
