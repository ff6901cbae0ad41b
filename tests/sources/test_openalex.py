"""OpenAlex: a saved `/works` answer read as works, and title searches asked of the local stand-in."""

from __future__ import annotations

import copy
from urllib.parse import parse_qs, urlparse

import pytest

from vlmreader.core.sources import openalex
from vlmreader.core.sources.http import SourceUnavailable, Sources

from .fake_services import ArxivPaper

# An answer as OpenAlex gives it to `select` (trimmed): the published version of an arXiv paper,
# listed first under arXiv (a repository), then in a conference's proceedings; authors with and
# without a disambiguated name; an abstract as an inverted index; a title with Crossref's markup.
SAVED_WORK = {
    "id": "https://openalex.org/W4402727757",
    "doi": "https://doi.org/10.1109/cvpr52733.2024.02484",
    "title": "Improved Baselines with <i>Visual</i> Instruction Tuning",
    "display_name": "Improved Baselines with <i>Visual</i> Instruction Tuning",
    "publication_year": 2024,
    "type": "article",
    "authorships": [
        {"author_position": "first", "author": {"id": "https://openalex.org/A1", "display_name": "Haotian Liu"}, "raw_author_name": "Haotian Liu"},
        {"author_position": "middle", "author": {"id": "https://openalex.org/A2", "display_name": "Chunyuan Li"}, "raw_author_name": "Chunyuan Li"},
        {"author_position": "middle", "author": {"id": None, "display_name": None}, "raw_author_name": "Yuheng Li"},
        {"author_position": "last", "author": {"id": "https://openalex.org/A4", "display_name": "Yong Jae Lee"}, "raw_author_name": "Yong Jae Lee"},
    ],
    "primary_location": {
        "is_oa": True,
        "landing_page_url": "https://arxiv.org/abs/2310.03744",
        "pdf_url": "https://arxiv.org/pdf/2310.03744",
        "source": {"id": "https://openalex.org/S4306400194", "display_name": "arXiv (Cornell University)", "type": "repository"},
        "version": "submittedVersion",
    },
    "locations": [
        {
            "is_oa": True,
            "landing_page_url": "https://arxiv.org/abs/2310.03744",
            "pdf_url": "https://arxiv.org/pdf/2310.03744",
            "source": {"id": "https://openalex.org/S4306400194", "display_name": "arXiv (Cornell University)", "type": "repository"},
        },
        {
            "is_oa": False,
            "landing_page_url": "https://doi.org/10.1109/cvpr52733.2024.02484",
            "pdf_url": None,
            "source": {
                "id": "https://openalex.org/S4363607701",
                "display_name": "2024 IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)",
                "type": "conference",
            },
        },
    ],
    "abstract_inverted_index": {"Large": [0], "multimodal": [1], "models": [2], "(LMM)": [3], "show": [4], "progress.": [5, 8], "Steady": [6, 7]},
    "cited_by_count": 1873,
}


def answer(*works: dict) -> dict:
    return {"meta": {"count": len(works), "db_response_time_ms": 31, "page": 1, "per_page": 5}, "results": list(works)}


def test_a_saved_answer_reads_as_a_work_with_its_conference_and_arxiv_id():
    (work,) = openalex.parse_works(answer(SAVED_WORK))
    assert work.source == "openalex" and work.identifier == "W4402727757"
    assert work.title == "Improved Baselines with Visual Instruction Tuning"
    assert work.authors == ("Liu, Haotian", "Li, Chunyuan", "Li, Yuheng", "Lee, Yong Jae")
    assert (work.year, work.cited_by_count) == (2024, 1873)
    assert work.abstract == "Large multimodal models (LMM) show progress. Steady Steady progress."
    assert (work.arxiv_id, work.doi) == ("2310.03744", "10.1109/cvpr52733.2024.02484")
    assert work.venue == "2024 IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)"
    assert (work.published_as, work.venue_year) == ("inproceedings", 2024)
    assert work.url == "https://arxiv.org/abs/2310.03744"


def test_a_preprint_gives_its_arxiv_id_from_arxivs_doi_and_no_venue():
    preprint = copy.deepcopy(SAVED_WORK)
    preprint["doi"] = "https://doi.org/10.48550/arxiv.2310.03744"
    repository = preprint["locations"][0] | {"landing_page_url": "https://www.semanticscholar.org/x", "pdf_url": None}
    preprint["primary_location"] = repository
    preprint["locations"] = [repository, {"source": None, "landing_page_url": None}]
    (work,) = openalex.parse_works(answer(preprint))
    assert (work.arxiv_id, work.doi) == ("2310.03744", "")  # arXiv's own DOI is not a published version's
    assert (work.venue, work.published_as, work.venue_year) == ("", "", None)


@pytest.mark.parametrize(
    ("name", "kind", "published_as"),
    [
        ("Proceedings of the AAAI Conference on Artificial Intelligence", "journal", "inproceedings"),
        ("Proceedings of the National Academy of Sciences", "journal", "article"),
        ("IEEE Transactions on Pattern Analysis and Machine Intelligence", "journal", "article"),
        ("Neural Information Processing Systems", "conference", "inproceedings"),
    ],
)
def test_the_kind_of_venue_comes_from_the_source_type_and_its_name(name, kind, published_as):
    published = copy.deepcopy(SAVED_WORK)
    published["locations"][1]["source"] |= {"display_name": name, "type": kind}
    (work,) = openalex.parse_works(answer(published))
    assert (work.venue, work.published_as) == (name, published_as)


def test_a_repository_or_a_book_series_is_never_the_venue():
    elsewhere = copy.deepcopy(SAVED_WORK)
    elsewhere["locations"][1]["source"] |= {"display_name": "Lecture Notes in Computer Science", "type": "book series"}
    (work,) = openalex.parse_works(answer(elsewhere))
    assert work.venue == "" and work.published_as == ""


def test_an_answer_that_is_not_a_list_of_works_is_one_line():
    with pytest.raises(SourceUnavailable, match="^OpenAlex answered with works that cannot be read"):
        openalex.parse_works({"error": "Invalid query parameters error."})


def test_a_title_is_searched_without_openalexs_filter_syntax(services, sources):
    paper = ArxivPaper("2406.00977", "Dragonfly: Multi-Resolution Zoom, Supercharges | Large Visual-Language Models", ["Rahul Thapa", "Kezhen Chen"])
    services.openalex = [paper.openalex_work(venue="Advances in Neural Information Processing Systems", year=2025, doi="10.5555/x")]
    (work,) = openalex.works_by_title(sources, paper.title)  # a comma would be a second filter: a 400
    assert work.authors == ("Thapa, Rahul", "Chen, Kezhen") and work.venue_year == 2025 and work.doi == "10.5555/x"
    (path,) = services.requests
    query = parse_qs(urlparse(path).query)
    assert query["filter"] == ["title.search:Dragonfly Multi-Resolution Zoom Supercharges Large Visual-Language Models"]
    assert query["per_page"] == ["5"] and "authorships" in query["select"][0] and "mailto" not in query


def test_the_contact_email_goes_as_mailto(services, tmp_path):
    services.openalex = [ArxivPaper("2406.00977", "Dragonfly", ["Rahul Thapa"]).openalex_work()]
    sources = Sources(tmp_path / "home", contact_email="reader@example.org")
    assert len(openalex.works_by_title(sources, "Dragonfly")) == 1
    sources.close()
    assert parse_qs(urlparse(services.requests[0]).query)["mailto"] == ["reader@example.org"]


def test_a_title_of_nothing_but_syntax_asks_nothing(services, sources):
    assert openalex.works_by_title(sources, " , | : ") == []
    assert services.requests == []


def test_a_refused_search_is_one_line(services, sources):
    services.fail("/openalex", 400)
    with pytest.raises(SourceUnavailable, match="^OpenAlex answered 400 for a title search$"):
        openalex.works_by_title(sources, "Dragonfly")


def test_malformed_json_is_one_line_and_not_kept(services, sources):
    services.openalex = [ArxivPaper("2406.00977", "Dragonfly", ["Rahul Thapa"]).openalex_work()]
    services.fail("/openalex", "garbage")
    with pytest.raises(SourceUnavailable) as raised:
        openalex.works_by_title(sources, "Dragonfly")
    assert str(raised.value) == "OpenAlex answered with something that is not JSON"
    assert len(openalex.works_by_title(sources, "Dragonfly")) == 1  # asked again: the garbage was not cached
    assert len(services.requests) == 2
