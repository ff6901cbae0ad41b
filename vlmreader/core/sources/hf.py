"""Hugging Face's papers API (`/api/daily_papers?date=`, `/api/papers/{arxiv id}`, JSON): the daily
papers feed the bundled listing pages come from, and a paper by its arXiv id.

A daily entry holds the paper (`paper`: `id`, the arXiv id; `title`, `summary`, `authors` with
their `name`, `publishedAt`) beside the feed's own fields; a paper answer is that `paper` object.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from vlmreader.core.sources.http import HUGGING_FACE, SourceUnavailable, Sources
from vlmreader.core.sources.works import Work, bibtex_name

RECENT_FEED_SECONDS = 3600.0
"""How long a recent day's feed is kept before asking again: it grows during that day."""


def daily_papers(sources: Sources, day: date) -> list[Work]:
    """The papers of Hugging Face's daily papers on `day`, as listed."""
    recent = (datetime.now(timezone.utc).date() - day).days <= 1
    answer = sources.get(HUGGING_FACE, "/api/daily_papers", {"date": day.isoformat()}, max_age=RECENT_FEED_SECONDS if recent else None)
    if answer.status != 200:
        raise SourceUnavailable(f"Hugging Face answered {answer.status} for the daily papers of {day}")
    return parse_daily_papers(answer.json())


def paper_by_id(sources: Sources, arxiv_id: str) -> Work | None:
    """The paper Hugging Face has for an arXiv id, or None if it has none."""
    answer = sources.get(HUGGING_FACE, f"/api/papers/{arxiv_id}")
    if answer.status == 404:
        return None
    if answer.status != 200:
        raise SourceUnavailable(f"Hugging Face answered {answer.status} for paper {arxiv_id}")
    try:
        return parse_paper(answer.json())
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise SourceUnavailable(f"Hugging Face answered with a paper that cannot be read ({error!r})") from None


def parse_daily_papers(document: object) -> list[Work]:
    """The works of a daily papers answer (a list of entries); SourceUnavailable if it is not one."""
    try:
        return [parse_paper(entry["paper"], entry.get("title", "")) for entry in document]
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise SourceUnavailable(f"Hugging Face answered with daily papers that cannot be read ({error!r})") from None


def parse_paper(paper: dict, listed_title: str = "") -> Work:
    """One paper object as a `Work` (its id is an arXiv id)."""
    arxiv_id = str(paper["id"]).strip()
    published = str(paper.get("publishedAt") or "")
    return Work(
        source="hf",
        title=" ".join((paper.get("title") or listed_title).split()),
        authors=tuple(bibtex_name(author["name"]) for author in paper.get("authors") or [] if (author.get("name") or "").strip()),
        year=int(published[:4]) if published[:4].isdigit() else None,
        abstract=" ".join((paper.get("summary") or "").split()),
        arxiv_id=arxiv_id,
        url=f"https://arxiv.org/abs/{arxiv_id}",
    )
