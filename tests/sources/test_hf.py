"""Hugging Face: saved daily-papers and paper answers read as works, and the feed asked of the
local stand-in (pages, a paper it lacks, a day that is still growing)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from urllib.parse import parse_qs, urlparse

import pytest

from vlmreader.core.sources import hf
from vlmreader.core.sources.http import SourceUnavailable

from .conftest import age
from .fake_services import ArxivPaper

# A day's answer as Hugging Face gives it (trimmed; entries carry more, such as media and votes).
SAVED_DAY = [
    {
        "paper": {
            "id": "2405.09818",
            "authors": [
                {"_id": "6645a1", "name": "Srinivasan Iyer", "hidden": False},
                {"_id": "6645a2", "name": "Armen Aghajanyan", "hidden": False},
            ],
            "publishedAt": "2024-05-16T17:59:46.000Z",
            "submittedOnDailyAt": "2024-05-17T00:36:01.283Z",
            "title": "Chameleon: Mixed-Modal Early-Fusion Foundation Models",
            "summary": "We present Chameleon, a family of early-fusion token-based mixed-modal models\ncapable of understanding and generating images and text.",
            "upvotes": 126,
            "discussionId": "6646b0",
        },
        "publishedAt": "2024-05-17T00:36:01.283Z",
        "title": "Chameleon: Mixed-Modal Early-Fusion Foundation Models",
        "thumbnail": "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2405.09818.png",
        "numComments": 3,
        "submittedBy": {"_id": "60f1", "user": "akhaliq", "fullname": "AK", "type": "user"},
    },
    {
        "paper": {
            "id": "2405.09673",
            "authors": [
                {"_id": "a1", "name": "Zhe Chen", "hidden": False},
                {"_id": "a2", "name": "  ", "hidden": False},
                {"_id": "a3", "name": "Jifeng Dai", "hidden": False, "user": {"user": "jifeng"}},
            ],
            "publishedAt": "2024-05-15T16:59:27.000Z",
            "summary": "Multimodal models.",
        },
        "publishedAt": "2024-05-17T01:00:00.000Z",
        "title": "A Listed Title When The Paper Has None",
        "numComments": 0,
    },
]


def test_a_saved_day_reads_as_works_in_order():
    chameleon, second = hf.parse_daily_papers(SAVED_DAY)
    assert chameleon.source == "hf" and chameleon.arxiv_id == "2405.09818"
    assert chameleon.title == "Chameleon: Mixed-Modal Early-Fusion Foundation Models"
    assert chameleon.authors == ("Iyer, Srinivasan", "Aghajanyan, Armen") and chameleon.year == 2024
    assert chameleon.abstract == "We present Chameleon, a family of early-fusion token-based mixed-modal models capable of understanding and generating images and text."
    assert chameleon.url == "https://arxiv.org/abs/2405.09818"
    assert second.title == "A Listed Title When The Paper Has None" and second.authors == ("Chen, Zhe", "Dai, Jifeng")


def test_a_saved_paper_reads_as_a_work():
    work = hf.parse_paper(SAVED_DAY[0]["paper"])
    assert (work.arxiv_id, work.year, work.authors) == ("2405.09818", 2024, ("Iyer, Srinivasan", "Aghajanyan, Armen"))


@pytest.mark.parametrize("document", [{"error": "Invalid date"}, [{"title": "no paper"}], None])
def test_an_answer_that_is_not_a_day_is_one_line(document):
    with pytest.raises(SourceUnavailable, match="^Hugging Face answered with daily papers that cannot be read"):
        hf.parse_daily_papers(document)


def papers(count: int) -> list[ArxivPaper]:
    return [ArxivPaper(f"2405.0000{n}", f"Daily Paper {n}", ["Ada Lovelace", "Alan Turing"], published="2024-05-16T10:00:00Z") for n in range(count)]


def test_a_day_is_read_page_after_page(services, sources, monkeypatch):
    monkeypatch.setattr(hf, "DAILY_PAGE", 2)
    services.daily["2024-05-17"] = papers(5)
    works = hf.daily_papers(sources, date(2024, 5, 17))
    assert [work.arxiv_id for work in works] == [f"2405.0000{n}" for n in range(5)]
    assert works[0].authors == ("Lovelace, Ada", "Turing, Alan") and works[0].year == 2024
    queries = [parse_qs(urlparse(path).query) for path in services.requests]
    assert [(query["date"], query["limit"], query["p"]) for query in queries] == [(["2024-05-17"], ["2"], [str(p)]) for p in range(3)]


def test_a_day_whose_pages_repeat_themselves_ends(services, sources, monkeypatch):
    monkeypatch.setattr(hf, "DAILY_PAGE", 2)
    monkeypatch.setattr(services, "_answer", lambda path, failure: (200, '[{"paper": {"id": "2405.00001", "title": "Again"}}, {"paper": {"id": "2405.00002", "title": "And again"}}]', "application/json"))
    assert len(hf.daily_papers(sources, date(2024, 5, 17))) == 2
    assert len(services.requests) == 2  # the second page brought nothing new


def test_a_paper_hugging_face_lacks_is_none(services, sources):
    (known,) = papers(1)
    services.hf_papers[known.arxiv_id] = known
    assert hf.paper_by_id(sources, "2405.00000").title == "Daily Paper 0"
    assert hf.paper_by_id(sources, "2401.99999") is None


def test_todays_list_is_asked_again_after_an_hour_an_old_days_is_kept(services, sources):
    today = datetime.now(timezone.utc).date()
    services.daily[today.isoformat()] = papers(1)
    assert len(hf.daily_papers(sources, today)) == 1
    hf.daily_papers(sources, date(2024, 5, 17))
    services.daily[today.isoformat()] = papers(3)  # more papers were listed during the day
    age(sources.home, 7200)
    assert len(hf.daily_papers(sources, today)) == 3
    hf.daily_papers(sources, date(2024, 5, 17))
    assert [parse_qs(urlparse(path).query)["date"][0] for path in services.requests] == [today.isoformat(), "2024-05-17", today.isoformat()]


def test_a_failing_feed_is_one_line(services, sources):
    services.fail("/hf", 403)
    with pytest.raises(SourceUnavailable, match="^Hugging Face answered 403 for the daily papers of 2024-05-17$"):
        hf.daily_papers(sources, date(2024, 5, 17))
