"""Searching by bibliographic metadata: author:, year:, venue:, has:, and authors' names as free words."""

from __future__ import annotations

from pathlib import Path

import pytest

from vlmreader.core.library import Library
from vlmreader.core.models import Paper, PaperRecord
from vlmreader.core.search import SearchEngine, parse_query

LLAVA = "Visual Instruction Tuning"
CVPR_PAPER = "Dense Connector for MLLMs"
BARE_PAPER = "A Paper Known Only by Its Title"
JOURNAL_PAPER = "Pattern Recognition in Long Documents"
ET_AL_PAPER = "Grounded Captions at Scale"

PAPERS = [
    PaperRecord(
        title=LLAVA,
        abstract="Instruction tuning large language models using machine-generated data.",
        fields={
            "author": "Liu, Haotian and Li, Chunyuan and Wu, Qingyang and Lee, Yong Jae",
            "year": "2023",
            "booktitle": "Advances in Neural Information Processing Systems",
            "eprint": "2304.08485",
            "archiveprefix": "arXiv",
        },
    ),
    PaperRecord(
        title=CVPR_PAPER,
        abstract="A plug-and-play vision-language connector.",
        fields={
            "author": "Müller, Jürgen and Guo, Wei",
            "year": "2023",
            "venue_year": "2024",
            "booktitle": "IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)",
            "doi": "https://doi.org/10.1109/CVPR52733.2024.01234",
        },
    ),
    PaperRecord(title=BARE_PAPER, abstract="Nothing but a title and a link.", url="https://arxiv.org/abs/2401.00001v2"),
    PaperRecord(
        title=JOURNAL_PAPER,
        fields={
            "author": "van der Berg, Anna",
            "year": "2021",
            "journal": "IEEE Transactions on Pattern Analysis and Machine Intelligence",
        },
    ),
    PaperRecord(title=ET_AL_PAPER, fields={"author": "Guo, Li and others", "year": "2022"}),
]


@pytest.fixture
def library(tmp_path: Path) -> Library:
    library = Library(tmp_path / "home")
    library.add_papers([Paper(record) for record in PAPERS])
    return library


@pytest.fixture
def engine(library: Library) -> SearchEngine:
    return SearchEngine(library)


def found(engine: SearchEngine, query: str) -> set[str]:
    """The titles a query finds."""
    return {engine.library.get(paper_id).title for paper_id in engine.search(query).paper_ids()}


def ranked(engine: SearchEngine, query: str) -> list[str]:
    return [engine.library.get(paper_id).title for paper_id in engine.search(query).paper_ids()]


def test_author_matches_any_name_accents_case_and_prefix_aside(engine):
    for query in ("author:muller", "author:MÜLLER", "author:Mull", "author:jurgen", "author:Jürgen"):
        assert found(engine, query) == {CVPR_PAPER}, query
    assert found(engine, "author:guo") == {CVPR_PAPER, ET_AL_PAPER}
    assert found(engine, "author:haotian") == {LLAVA}
    assert found(engine, "author:lee") == {LLAVA}, "a later author counts as much as the first"
    assert found(engine, "author:berg") == {JOURNAL_PAPER}
    assert found(engine, "author:others") == set(), "`and others` is nobody's name"


def test_several_author_filters_must_all_hold_and_minus_excludes(engine):
    assert found(engine, "author:guo author:muller") == {CVPR_PAPER}
    assert found(engine, "author:guo -author:muller") == {ET_AL_PAPER}
    assert found(engine, "-author:guo") == {LLAVA, BARE_PAPER, JOURNAL_PAPER}


def test_a_quoted_author_is_one_person(engine):
    assert found(engine, 'author:"haotian liu"') == {LLAVA}
    assert found(engine, 'author:"liu, haotian"') == {LLAVA}
    assert found(engine, 'author:"van der berg"') == {JOURNAL_PAPER}
    # Chunyuan Li and Haotian Liu are two people: no author of LLaVA is called Chunyuan Liu.
    assert found(engine, 'author:"chunyuan liu"') == set()


def test_year_is_the_papers_or_its_venues(engine):
    assert found(engine, "year:2023") == {LLAVA, CVPR_PAPER}
    assert found(engine, "year:2024") == {CVPR_PAPER}, "published at CVPR 2024, on arXiv in 2023"
    assert found(engine, "year:2021..2022") == {JOURNAL_PAPER, ET_AL_PAPER}
    assert found(engine, "year:2022..") == {ET_AL_PAPER, LLAVA, CVPR_PAPER}
    assert found(engine, "year:..2021") == {JOURNAL_PAPER}
    assert found(engine, "year:2025..") == set()
    assert found(engine, "-year:2023") == {BARE_PAPER, JOURNAL_PAPER, ET_AL_PAPER}
    assert found(engine, "year:2023 author:guo") == {CVPR_PAPER}


def test_a_malformed_year_is_a_problem_not_a_filter(engine):
    for text in ("20x4", "2023-2025", "..", "24", "20232025"):
        query = parse_query(f"year:{text}")
        assert query.problems == (f"year:{text} is not a year or a range like 2023..2025",)
        assert query.years == ()
    assert parse_query("year:2025..2023").years == ((2023, 2025),), "a range written backwards"
    assert parse_query("year:").is_empty, "a filter still being typed"
    assert len(engine.search("year:20x4")) == len(PAPERS)


def test_venue_words_must_all_start_words_of_the_booktitle_or_journal(engine):
    assert found(engine, "venue:cvpr") == {CVPR_PAPER}
    assert found(engine, "venue:CVPR") == {CVPR_PAPER}
    assert found(engine, 'venue:"computer vision"') == {CVPR_PAPER}
    assert found(engine, "venue:pattern") == {CVPR_PAPER, JOURNAL_PAPER}
    assert found(engine, 'venue:"pattern machine"') == {JOURNAL_PAPER}
    assert found(engine, "venue:trans") == {JOURNAL_PAPER}
    assert found(engine, "venue:neurips") == set(), "the words written, not what they abbreviate"
    assert found(engine, "-venue:ieee") == {LLAVA, BARE_PAPER, ET_AL_PAPER}


def test_has_and_its_negation(engine):
    assert found(engine, "has:arxiv") == {LLAVA, BARE_PAPER}, "from an eprint field or an arXiv url"
    assert found(engine, "has:doi") == {CVPR_PAPER}
    assert found(engine, "has:author") == {LLAVA, CVPR_PAPER, JOURNAL_PAPER, ET_AL_PAPER}
    assert found(engine, "-has:author") == {BARE_PAPER}
    assert found(engine, "has:year") == {LLAVA, CVPR_PAPER, JOURNAL_PAPER, ET_AL_PAPER}
    assert found(engine, "has:venue") == {LLAVA, CVPR_PAPER, JOURNAL_PAPER}
    assert found(engine, "has:venue -has:doi") == {LLAVA, JOURNAL_PAPER}
    assert found(engine, "HAS:ArXiv") == {LLAVA, BARE_PAPER}


def test_an_unknown_has_value_lists_the_known_ones():
    assert parse_query("has:pdf").problems == (
        "unknown filter has:pdf (use has:arxiv, has:doi, has:author, has:year or has:venue)",
    )


def test_without_authors_is_exactly_the_papers_without_authors(library, engine):
    """The sidebar's "Needs metadata" view is `-has:author`; its count is `not paper.authors`."""
    library.add_papers(
        [
            Paper(PaperRecord(title="Blank Authors", fields={"author": "  "})),
            Paper(PaperRecord(title="Braced Author", fields={"author": "{OpenAI}"})),
        ]
    )
    without = {paper.title for paper in library if not paper.authors}
    assert found(engine, "-has:author") == without == {BARE_PAPER, "Blank Authors"}


def test_the_bundled_papers_all_need_metadata(shared_library):
    engine = SearchEngine(shared_library)
    assert len(engine.search("-has:author")) == len(shared_library) == 452
    assert len(engine.search("has:author")) == 0


def test_authors_names_are_free_words_too(engine):
    assert ranked(engine, "liu visual instruction")[0] == LLAVA
    assert ranked(engine, "muller connector") == [CVPR_PAPER]
    assert ranked(engine, "mueller") == [CVPR_PAPER], "one typo away from Müller"
    assert ranked(engine, "guo -muller") == [ET_AL_PAPER]


def test_an_author_match_ranks_below_a_title_match_and_above_an_abstract_match(tmp_path):
    library = Library(tmp_path / "home")
    library.add_papers(
        [
            Paper(PaperRecord(title="Abstract Mentions", abstract="Zorbel did this; zorbel did that; as zorbel says.")),
            Paper(PaperRecord(title="By the Author", abstract="Nothing about it.", fields={"author": "Zorbel, Anna"})),
            Paper(PaperRecord(title="Zorbel Networks", abstract="Networks.")),
            *(Paper(PaperRecord(title=f"Filler {number}", abstract="Other words.")) for number in range(10)),
        ]
    )
    engine = SearchEngine(library)
    assert ranked(engine, "zorbel") == ["Zorbel Networks", "By the Author", "Abstract Mentions"]
    assert ranked(engine, "zorb") == ["Zorbel Networks", "By the Author", "Abstract Mentions"], "a prefix"


def test_a_name_that_starts_like_a_typo_does_not_hide_the_correction(tmp_path):
    """Among thousands of authors, some name starts with almost any typo ('modl': Modlinski)."""
    library = Library(tmp_path / "home")
    library.add_papers(
        [
            Paper(PaperRecord(title="A Vision Model for Charts", abstract="We train it.")),
            Paper(PaperRecord(title="Grounding Tokens", abstract="Tokens.", fields={"author": "Modlinski, Piotr"})),
        ]
    )
    engine = SearchEngine(library)
    assert ranked(engine, "modl") == ["A Vision Model for Charts", "Grounding Tokens"]
    assert ranked(engine, "charts modl") == ["A Vision Model for Charts"]
    assert ranked(engine, "modlin") == ["Grounding Tokens"]


def test_the_cached_index_answers_the_same(library, engine):
    queries = ["author:guo", "year:2024", "venue:pattern", "has:arxiv", "-has:author", "liu visual"]
    built = {query: engine.search(query).paper_ids() for query in queries}
    assert (library.home / SearchEngine.INDEX_FILE).exists()
    loaded = SearchEngine(library)
    assert {query: loaded.search(query).paper_ids() for query in queries} == built
