"""Hugging Face's papers API (`/api/daily_papers?date=`, `/api/papers/{arxiv id}`, JSON): the daily
papers feed the bundled listing pages come from, and a paper by its arXiv id.

A daily entry holds the paper (`paper`: `id`, the arXiv id; `title`, `summary`, `authors` with
their `name`, `publishedAt`, arXiv's date) beside the feed's own fields (`title`, `publishedAt`,
when it was listed); a paper answer is that `paper` object. A day's list is paged (`limit`, at
most 100, and `p` from 0); it grows during the day, so a recent day is asked again hourly.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from vlmreader.core.sources.http import HUGGING_FACE, SourceUnavailable, Sources, max_age_for
from vlmreader.core.sources.identifiers import arxiv_id_in
from vlmreader.core.sources.works import Work, bibtex_name

DAILY_PAGE = 100
"""Entries per page of a day's list (Hugging Face's most; its default is 50)."""
LONGEST_DAY = 20
"""Pages of one day at most: a service that ignored `p` would otherwise be asked forever."""
DAILY_SETTLES_DAYS = 2
"""A day's list may still grow until two days after it (time zones, late submissions)."""


def daily_papers(sources: Sources, day: date) -> list[Work]:
    """The papers of Hugging Face's daily papers on `day`, as listed."""
    found: dict[str, Work] = {}
    for page in range(LONGEST_DAY):
        params = {"date": day.isoformat(), "limit": str(DAILY_PAGE), "p": str(page)}
        answer = sources.get(HUGGING_FACE, "/api/daily_papers", params, max_age=max_age_for(day, DAILY_SETTLES_DAYS))
        listed = answer.require_ok(f"the daily papers of {day}").json()
        works = parse_daily_papers(listed)
        new = {work.arxiv_id or work.title: work for work in works if (work.arxiv_id or work.title) not in found}
        found.update(new)
        if len(listed) < DAILY_PAGE or not new:
            break
    return list(found.values())


def paper_by_id(sources: Sources, arxiv_id: str) -> Work | None:
    """The paper Hugging Face has for an arXiv id, or None if it has none."""
    answer = sources.get(HUGGING_FACE, f"/api/papers/{quote(arxiv_id, safe='')}")
    if answer.status == 404:
        return None
    return parse_paper(answer.require_ok(f"paper {arxiv_id}").json())


def parse_daily_papers(document: object) -> list[Work]:
    """The works of a daily papers answer (a list of entries); SourceUnavailable if it is not one."""
    try:
        return [_work(entry["paper"], entry.get("title") or "") for entry in document]
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise SourceUnavailable(f"Hugging Face answered with daily papers that cannot be read ({error!r})") from None


def parse_paper(document: object) -> Work:
    """A paper answer (`/api/papers/{id}`) as a `Work`; SourceUnavailable if it is not one."""
    try:
        return _work(document)
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise SourceUnavailable(f"Hugging Face answered with a paper that cannot be read ({error!r})") from None


def _work(paper: dict, listed_title: str = "") -> Work:
    arxiv_id = arxiv_id_in(str(paper["id"]))
    published = str(paper.get("publishedAt") or "")
    return Work(
        source="hf",
        title=" ".join((paper.get("title") or listed_title).split()),
        authors=tuple(bibtex_name(author["name"]) for author in paper.get("authors") or [] if (author.get("name") or "").strip()),
        year=int(published[:4]) if published[:4].isdigit() else None,
        abstract=" ".join((paper.get("summary") or "").split()),
        arxiv_id=arxiv_id,
        url=f"https://arxiv.org/abs/{arxiv_id}" if arxiv_id else f"https://huggingface.co/papers/{paper['id']}",
    )
