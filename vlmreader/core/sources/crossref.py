"""Crossref's REST API (`/works/{doi}`, JSON, documented at api.crossref.org): papers by DOI.

Asked in Crossref's polite pool: the contact email goes as `mailto` (and in the User-Agent).
Titles and abstracts may carry JATS or HTML markup (`<jats:p>`, `<i>`), which `plain_text` drops.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from vlmreader.core.sources.http import CROSSREF, SourceUnavailable, Sources
from vlmreader.core.sources.works import Work

PUBLISHED_AS = {"journal-article": "article", "proceedings-article": "inproceedings"}
_TAG = re.compile(r"<[^>]+>")


def work_by_doi(sources: Sources, doi: str) -> Work | None:
    """The work Crossref has for `doi`, or None if it has none."""
    answer = sources.get(CROSSREF, f"/works/{quote(doi, safe='/')}")
    if answer.status == 404:
        return None
    return parse_work(answer.require_ok(doi).json())


def parse_work(document: object) -> Work:
    """A Crossref `works` answer as a `Work`; SourceUnavailable if it is not one."""
    try:
        message = document["message"]
        authors = tuple(
            f"{person['family']}, {person['given']}" if person.get("given") else person.get("family") or person.get("name", "")
            for person in message.get("author", [])
            if person.get("family") or person.get("name")
        )
        year = None
        for name in ("published-print", "published-online", "issued", "created"):
            parts = (message.get(name) or {}).get("date-parts") or [[None]]
            if parts[0] and parts[0][0]:
                year = int(parts[0][0])
                break
        kind = PUBLISHED_AS.get(message.get("type", ""), "")
        venue = plain_text(" ".join(message.get("container-title") or [])) if kind else ""
        return Work(
            source="crossref",
            title=plain_text(" ".join(message.get("title") or [""])),
            authors=authors,
            year=year,
            abstract=plain_text(message.get("abstract", "")),
            doi=message.get("DOI", ""),
            venue=venue,
            published_as=kind if venue else "",
            url=message.get("URL", ""),
        )
    except (KeyError, TypeError, AttributeError, ValueError, IndexError) as error:
        raise SourceUnavailable(f"Crossref answered with a work that cannot be read ({error!r})") from None


def plain_text(text: str) -> str:
    """`text` without markup tags, on one line."""
    return " ".join(_TAG.sub(" ", text).split())
