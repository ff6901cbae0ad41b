"""Searching in the user's own words, "more like this" and suggested tags, on the bundled corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.papers import offered
from vlmreader.core.importing import open_library
from vlmreader.core.library import Library
from vlmreader.core.search import SearchEngine
from vlmreader.core.search import relevance
from vlmreader.core.search.relevance import RelevanceIndex, stemmed_terms


def titles(library: Library, result, limit: int = 10) -> list[str]:
    return [library.get(paper_id).title for paper_id in result.paper_ids(limit)]


@pytest.fixture(scope="module")
def engine(shared_library: Library) -> SearchEngine:
    return SearchEngine(shared_library)


def test_a_described_idea_finds_the_papers_that_do_it(shared_library: Library, engine: SearchEngine):
    result = engine.search("make the model answer faster by dropping unimportant image patches")

    assert result.strict_count == 0  # no paper has every one of these words
    top = titles(shared_library, result, 5)
    assert any("Token Pruning" in title or "Token Reduction" in title for title in top[:3]), top
    assert {result.match_at(position) for position in range(len(result))} == {"partial"}


def test_papers_with_every_word_stay_first_in_todays_order(shared_library: Library, engine: SearchEngine):
    strict = engine.search("llava uhd", partial=False)
    both = engine.search("llava uhd")

    assert both.paper_ids(len(strict)) == strict.paper_ids()
    assert both.strict_count == len(strict) and both.partial_count > 0
    assert titles(shared_library, both, 1) == ["LLaVA-UHD: an LMM Perceiving Any Aspect Ratio and High-Resolution Images"]
    assert len(set(both.paper_ids())) == len(both)  # no paper twice


def test_a_screenful_of_papers_with_every_word_is_enough(engine: SearchEngine):
    result = engine.search("hallucination")

    assert len(result) >= 20 and result.partial_count == 0


def test_words_a_question_is_phrased_with_do_not_decide(shared_library: Library, engine: SearchEngine):
    assert stemmed_terms("How do I make the papers that use a way to") == []
    asked = engine.search("how do the models make less hallucinations")

    top = titles(shared_library, asked, 10)
    assert all("hallucinat" in (title + shared_library.get(pid).abstract).lower() for title, pid in zip(top, asked.paper_ids(10)))


def test_stems_find_other_forms_of_a_word(shared_library: Library, engine: SearchEngine):
    result = engine.search("pruned visual tokens speedup")

    assert any("Pruning" in title for title in titles(shared_library, result, 5))


def test_filters_hold_for_papers_matching_most_words(library: Library):
    engine = SearchEngine(library)
    question = "make the model answer faster by dropping unimportant image patches"
    best = engine.search(question).paper_ids(3)
    library.set_starred([best[1]], True)
    library.add_tags([best[2]], ["efficiency"])

    assert engine.search(f"{question} is:starred").paper_ids() == [best[1]]
    assert engine.search(f"{question} tag:efficiency").paper_ids() == [best[2]]
    unwanted = library.get(best[0]).title.split()[-1]
    assert all(
        unwanted.lower() not in (library.get(pid).title + library.get(pid).abstract).lower()
        for pid in engine.search(f"{question} -{unwanted}").paper_ids()
    )


def test_the_users_tags_and_notes_are_ranked_too(library: Library):
    engine = SearchEngine(library)
    paper = library.get(engine.search("llava uhd").paper_ids(1)[0])
    library.set_note(paper.id, "read for the zebra crossing detector comparison")

    result = engine.search("detector for zebra crossings at night")

    assert result.paper_ids(1) == [paper.id]


def test_like_lists_the_closest_papers_but_the_paper_itself(shared_library: Library, engine: SearchEngine):
    uhd = shared_library.resolve("llava-uhd")
    result = engine.search("like:llava-uhd")

    assert result.similar and uhd.id not in result.paper_ids()
    close = titles(shared_library, result, 5)
    assert sum("High-Resolution" in title or "LLaVA" in title for title in close) >= 3, close
    assert [pid for pid, _ in engine.index.related(uhd.id, 3)] == result.paper_ids(3)
    assert all(0 < score <= 1 for _, score in engine.index.related(uhd.id, 3))


def test_like_combines_with_filters(library: Library):
    engine = SearchEngine(library)
    close = engine.search("like:llava-uhd").paper_ids(5)
    library.set_starred([close[3]], True)

    assert engine.search("like:llava-uhd is:starred").paper_ids() == [close[3]]
    assert engine.search("like:llava-uhd -is:starred").paper_ids(3) == close[:3]


def test_a_like_of_an_unknown_paper_lists_nothing(engine: SearchEngine):
    assert len(engine.search("like:no-such-paper")) == 0


def test_suggested_tags_come_from_the_closest_papers(library: Library):
    engine = SearchEngine(library)
    hallucination = engine.search("hallucination").paper_ids(6)
    library.add_tags(hallucination[:4], ["faithfulness"])
    library.add_tags([hallucination[0]], ["to-cite"])
    untagged = hallucination[5]

    suggestions = engine.index.suggested_tags(untagged)

    assert suggestions[0] == "faithfulness"
    library.add_tags([untagged], ["faithfulness"])
    assert "faithfulness" not in engine.index.suggested_tags(untagged)


def test_a_tag_named_by_the_papers_words_is_suggested(library: Library):
    engine = SearchEngine(library)
    some_paper = engine.search("robot -hallucination -hallucinations -hallucinate").paper_ids(1)[0]
    library.add_tags([engine.search("medical").paper_ids(1)[0]], ["hallucination"])
    paper = engine.search("hallucination").paper_ids(1)[0]

    assert "hallucination" in engine.index.suggested_tags(paper)
    assert "hallucination" not in engine.index.suggested_tags(some_paper)


# -- the index's cache ---------------------------------------------------------------------


def reads_counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every text the relevance index reads (tokenises and stems)."""
    texts: list[str] = []
    original = relevance.stemmed_terms

    def counting(text: str) -> list[str]:
        texts.append(text)
        return original(text)

    monkeypatch.setattr(relevance, "stemmed_terms", counting)
    return texts


def test_a_second_run_reads_no_paper_again(library: Library, monkeypatch: pytest.MonkeyPatch):
    question = "answer faster by dropping unimportant image patches"
    first = SearchEngine(library).search(question).paper_ids()
    reads = reads_counted(monkeypatch)

    again = SearchEngine(library).search(question).paper_ids()

    assert again == first
    assert reads == [question]  # the query itself; no paper


def test_adding_papers_reads_only_the_new_ones(library: Library, monkeypatch: pytest.MonkeyPatch):
    SearchEngine(library).search("zebra crossings at night")
    reads = reads_counted(monkeypatch)
    library.add_papers([offered("Detecting Zebra Crossings at Night", abstract="Pedestrian crossings in the dark.")])

    result = SearchEngine(library).search("zebra crossings at night detection")

    paper_reads = [text for text in reads if text != "zebra crossings at night detection"]
    assert sorted(paper_reads) == ["Detecting Zebra Crossings at Night", "Pedestrian crossings in the dark."]
    assert SearchEngine(library).search("like:detecting-zebra-crossings-night").paper_ids() is not None
    assert library.get(result.paper_ids(1)[0]).title == "Detecting Zebra Crossings at Night"


@pytest.mark.parametrize("damage", [b"", b"not json\n", b'{"format": 1}\n\x00\x01'])
def test_a_damaged_cache_is_rebuilt(library: Library, damage: bytes):
    question = "answer faster by dropping unimportant image patches"
    first = SearchEngine(library).search(question).paper_ids()
    (library.home / SearchEngine.RELEVANCE_FILE).write_bytes(damage)

    assert SearchEngine(library).search(question).paper_ids() == first
    assert RelevanceIndex.load(library.home / SearchEngine.RELEVANCE_FILE) is not None  # written again


def test_a_truncated_cache_is_rebuilt(library: Library):
    question = "answer faster by dropping unimportant image patches"
    first = SearchEngine(library).search(question).paper_ids()
    path = library.home / SearchEngine.RELEVANCE_FILE
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])

    assert RelevanceIndex.load(path) is None
    assert SearchEngine(library).search(question).paper_ids() == first


def test_a_cache_made_with_other_weights_is_read_again(library: Library, monkeypatch: pytest.MonkeyPatch):
    SearchEngine(library).search("answer faster by dropping unimportant image patches")
    monkeypatch.setattr(relevance, "TITLE_WEIGHT", relevance.TITLE_WEIGHT + 1)

    assert RelevanceIndex.load(library.home / SearchEngine.RELEVANCE_FILE) is None


def test_a_search_that_must_not_wait_leaves_partial_matches_for_later(library: Library):
    engine = SearchEngine(library)
    question = "make the model answer faster by dropping unimportant image patches"

    hurried = engine.search("llava uhd", wait=False)
    assert hurried.relevance_pending and hurried.paper_ids() == engine.search("llava uhd", partial=False).paper_ids()
    assert engine.search("like:llava-uhd", wait=False).relevance_pending
    assert not engine.index.relevance_ready

    assert len(engine.search(question)) > 0  # waits: builds the relevance index
    assert engine.index.relevance_ready
    again = engine.search(question, wait=False)
    assert not again.relevance_pending and again.paper_ids() == engine.search(question).paper_ids()


def test_a_screenful_of_papers_with_every_word_never_loads_the_relevance_index(library: Library):
    engine = SearchEngine(library)
    engine.search("answer faster by dropping image patches")  # builds and caches it
    fresh = SearchEngine(library)

    assert len(fresh.search("hallucination")) >= 20  # 40 papers hold the word
    assert not fresh.index.relevance_ready  # not read from its cache either
    assert fresh.search("hallucination", wait=False).relevance_pending is False
    assert len(fresh.search("llava uhd")) > 1  # one paper has both words: the partial ones follow
    assert fresh.index.relevance_ready


def test_a_cache_of_this_very_library_file_is_taken_without_reading_a_paper(library: Library, monkeypatch, bundled_pages):
    question = "answer faster by dropping unimportant image patches"
    expected = SearchEngine(library).search(question).paper_ids()
    monkeypatch.setattr(relevance, "_digest", lambda record: pytest.fail("a paper was read to check the cache"))
    reopened = open_library(library.home, bundled_pages)
    assert SearchEngine(reopened).search(question).paper_ids() == expected
    monkeypatch.undo()

    library.add_papers([offered(title="Dropping Unimportant Image Patches to Answer Faster", abstract="Token pruning.")])
    grown = SearchEngine(open_library(library.home, bundled_pages)).search(question)
    assert grown.paper_ids()[0] != expected[0]  # the new paper is ranked: the cache was brought up to date
    assert "Dropping Unimportant Image Patches to Answer Faster" in titles(library, grown)


def test_an_empty_library_ranks_nothing(tmp_path: Path):
    engine = SearchEngine(Library(tmp_path / "home"))

    assert len(engine.search("anything at all here")) == 0
    assert len(engine.search("like:nothing")) == 0
