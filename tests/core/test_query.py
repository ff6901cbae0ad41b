"""The query engine, on the real bundled corpus: what ranks first, and why."""

from __future__ import annotations

import pytest

from vlmreader.core.search import SearchEngine, parse_query
from vlmreader.core.library import Library


@pytest.fixture(scope="module")
def engine(shared_library: Library) -> SearchEngine:
    return SearchEngine(shared_library)


def titles(engine: SearchEngine, query: str, limit: int | None = None) -> list[str]:
    return [engine.library.get(paper_id).title for paper_id in engine.search(query).paper_ids(limit)]


def first(engine: SearchEngine, query: str) -> str:
    return titles(engine, query, 1)[0]


@pytest.mark.parametrize(
    ("query", "expected_first", "why"),
    [
        ("llava uhd", "LLaVA-UHD: an LMM", "both words name the model before the colon"),
        ("llava-uhd", "LLaVA-UHD: an LMM", "a typed compound matches the compound"),
        ("mmvet", "MM-Vet: Evaluating", "the joined form of MM-Vet"),
        ("mmvte", "MM-Vet: Evaluating", "one transposition away from mmvet"),
        ("dragonfly", "Dragonfly: Multi-Resolution", "the model name, also repeated in its abstract"),
        ("minigpt", "MiniGPT-4: Enhancing", "a model name prefix outranks abstract mentions"),
        ("flamingo", "Flamingo: a Visual Language Model", "title beats the abstracts that cite Flamingo"),
        ("qwen vl", "Qwen2.5-VL Technical Report", "both words in the only Qwen title"),
        ("qwen2.5", "Qwen2.5-VL Technical Report", "a dotted version is one word"),
        ("nvlm", "NVLM: Open Frontier-Class", "exact model name beats one-typo matches like LVLM"),
        ("token compression", "PVC: Progressive Visual Token Compression", "the one title holding both words"),
    ],
)
def test_what_ranks_first(engine, query, expected_first, why):
    assert first(engine, query).startswith(expected_first), why


def test_a_typo_finds_the_hallucination_papers(engine):
    exact = titles(engine, "hallucination")
    typo = titles(engine, "halucination")
    assert len(exact) >= 30
    assert set(typo[:10]) <= set(exact)
    assert all("hallucination" in title.lower() for title in typo[:10])


def test_a_prefix_being_typed_already_finds_papers(engine):
    for partial in ("hallu", "halluc", "halucin"):
        assert "hallucination" in first(engine, partial).lower(), partial


def test_a_one_letter_last_word_stands_for_the_words_it_starts(engine, library: Library):
    whole_word = engine.search("hallucination").paper_ids()
    started = engine.search("hallucination d").paper_ids()
    # the same order, less the papers with no word starting with d (and a tag counts)
    assert started and started == [paper_id for paper_id in whole_word if paper_id in set(started)]
    for paper_id in started:
        text = engine.index.searchable_text(engine.index.number_of[paper_id])
        assert any(word.startswith("d") for word in text.split())
    assert engine.search("hallucination q").paper_ids() != whole_word
    library.add_tags([started[0]], ["qwen-family"])
    tagged = SearchEngine(library)
    assert started[0] in tagged.search("hallucination q").paper_ids()
    # a one-letter word before the last is a word of its own, as before
    exact_d, d_words = engine.search("d hallucination"), engine.search("hallucination d")
    assert exact_d.strict_count < d_words.strict_count


def test_title_matches_rank_above_abstract_only_matches(engine):
    ranked = titles(engine, "hallucination decoding")
    in_title = [t for t in ranked if "hallucination" in t.lower() and "decoding" in t.lower()]
    assert ranked[: len(in_title)] == in_title and len(in_title) >= 2


def test_exact_matches_outrank_typo_matches(engine):
    ranked = titles(engine, "clip", 4)
    assert all("CLIP" in title for title in ranked[:3])
    assert not any("BLIP" in title and "CLIP" not in title for title in ranked[:3])


def test_the_empty_query_lists_everything_in_library_order(engine):
    result = engine.search("")
    assert len(result) == 452
    assert result.paper_ids() == [record.id for record in engine.library.records()]
    assert engine.search("   ").paper_ids() == result.paper_ids()


def test_hits_carry_scores_and_title_spans(engine):
    result = engine.search("llava uhd")
    hit = result.hit(0)
    title = engine.library.get(hit.paper_id).title
    assert [title[start:end] for start, end in hit.title_spans] == ["LLaVA-UHD"]
    assert hit.score > 0
    (typo_hit,) = engine.search("dragonfli").hits(1)
    assert [engine.library.get(typo_hit.paper_id).title[s:e] for s, e in typo_hit.title_spans] == ["Dragonfly"]


def test_phrases_and_excluded_words(engine):
    phrase_ids = engine.search('"visual instruction tuning"').paper_ids()
    assert phrase_ids
    for paper_id in phrase_ids:
        paper = engine.library.get(paper_id)
        assert "visual instruction tuning" in " ".join(f"{paper.title} {paper.abstract}".lower().split())
    with_video = set(engine.search("clip").paper_ids()) - set(engine.search("clip -video").paper_ids())
    assert with_video
    for paper_id in engine.search("clip -video").paper_ids():
        paper = engine.library.get(paper_id)
        assert "video" not in f"{paper.title} {paper.abstract}".lower().replace("-", " ").split()


def test_collection_filter_is_a_prefix(engine):
    high = engine.search("in:high")
    assert 0 < len(high) < 452
    assert all("high-resolution" in engine.library.get(pid).collections for pid in high.paper_ids())
    assert len(engine.search("in:high llava")) < len(high)
    assert len(engine.search("-in:high")) == 452 - len(high)


def test_filters_on_annotations_and_user_text(library: Library):
    engine = SearchEngine(library)
    dragonfly, mmvet, uhd = (library.resolve(key) for key in ("dragonfly", "mm-vet", "llava-uhd"))
    library.set_starred([dragonfly.id, mmvet.id], True)
    library.add_tags([dragonfly.id, uhd.id], ["hi-res"])
    library.add_tags([uhd.id], ["must-cite"])
    library.set_status([uhd.id], "read")
    library.set_status([mmvet.id], "queued")
    library.set_note(mmvet.id, "compare with the quokka benchmark")

    def ids(query: str) -> set[str]:
        return set(engine.search(query).paper_ids())

    assert ids("is:starred") == {dragonfly.id, mmvet.id}
    assert ids("tag:HI-RES") == {dragonfly.id, uhd.id}
    assert ids("is:starred -tag:hi-res") == {mmvet.id}
    assert ids("is:read") == {uhd.id}
    assert ids("is:read is:queued") == {uhd.id, mmvet.id}
    assert len(ids("is:unread")) == 450
    assert ids("-is:starred") == ids("") - {dragonfly.id, mmvet.id}
    assert engine.search("quokka").paper_ids()[0] == mmvet.id  # notes are searched
    assert engine.search("must-cite").paper_ids()[0] == uhd.id  # and tags
    assert ids("tag:hi-res llava") == {uhd.id}


def test_parse_query():
    query = parse_query('llava -video "exact phrase" tag:a -tag:b is:starred is:read in:high -"no this"')
    assert query.words == ("llava",)
    assert query.excluded_words == ("video",)
    assert query.phrases == ("exact phrase",)
    assert query.excluded_phrases == ("no this",)
    assert (query.tags, query.excluded_tags) == (("a",), ("b",))
    assert query.starred is True and query.statuses == ("read",)
    assert query.collections == ("high",)
    assert parse_query("is:bogus").problems
    assert parse_query("tag: is:").is_empty  # filters still being typed are ignored
    assert parse_query("arxiv:2401.1").words == ("arxiv:2401.1",)


def test_searches_from_several_threads_at_once_all_succeed_and_agree(library: Library):
    """The TUI searches in a worker thread while its event loop searches too: neither may break
    the other's caches (before the index had its lock, about 1 in 300 of these failed)."""
    import random
    import sys
    import threading

    from vlmreader.core.models import Annotation

    index = SearchEngine(library).index
    generator = random.Random(7)
    long_words = [term for term in index.vocabulary if len(term) > 4 and term.isalpha()]
    queries = []
    for number in range(2400):
        word = generator.choice(long_words)
        if number % 3 == 0:
            word = word[:-1] + "q"  # a typo: the slow, cache-filling path
        queries.append(f"{word} {generator.choice(long_words)[: generator.randint(2, 6)]}")
    alone = {query: index.search(parse_query(query)).paper_ids() for query in queries[:200]}
    errors: list[str] = []
    disagreements: list[str] = []

    def search_all(share: list[str]) -> None:
        for query in share:
            try:
                found = index.search(parse_query(query)).paper_ids()
            except Exception as error:  # noqa: BLE001 - any failure is the finding
                errors.append(f"{query!r}: {error!r}")
                continue
            if query in alone and found != alone[query]:
                disagreements.append(query)

    def annotate_meanwhile(stop: threading.Event) -> None:
        first = index.ids[0]
        while not stop.is_set():
            index.set_annotations({first: Annotation(tags=("zzunique",))})
            index.set_annotations({})

    stop = threading.Event()
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        annotator = threading.Thread(target=annotate_meanwhile, args=(stop,))
        searchers = [threading.Thread(target=search_all, args=(queries[k::4],)) for k in range(4)]
        for thread in (annotator, *searchers):
            thread.start()
        for thread in searchers:
            thread.join()
        stop.set()
        annotator.join()
    finally:
        sys.setswitchinterval(switch_interval)
    assert errors == []
    assert disagreements == []
