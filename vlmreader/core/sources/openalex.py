"""OpenAlex's works API (`/works`, JSON, documented at docs.openalex.org): papers by title.

A work gives its authors in order (`authorships`), its publication year, DOI and citation count,
its abstract as an inverted index (word -> positions), and where it can be found (`locations`,
each with a `source` whose `type` is `journal`, `conference` or `repository`). The published
venue is the first location in a journal or conference; an arXiv id is read from a location on
arxiv.org or from arXiv's own DOI (`10.48550/arXiv.ID`). The arXiv preprint and the published
version of a paper are often two works: the caller combines them (`matching.decide`).
"""

from __future__ import annotations

import re

from vlmreader.core.sources.http import OPENALEX, SourceUnavailable, Sources
from vlmreader.core.sources.works import Work, bibtex_name

CANDIDATES = 5
"""Works asked for per title: the paper, its other versions, and a few near misses to reject."""
_FILTER_SYNTAX = re.compile(r"[,|:!&()\[\]\"\\]+")
"""Characters that OpenAlex's `filter` parameter reads as syntax (a comma separates filters)."""
_ARXIV_LINK = re.compile(r"arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})", re.IGNORECASE)
_ARXIV_DOI = re.compile(r"10\.48550/arxiv\.(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})", re.IGNORECASE)
_DOI_URL = re.compile(r"^https?://(?:dx\.)?doi\.org/", re.IGNORECASE)
_PROCEEDINGS = re.compile(r"\b(proceedings|conference|workshop|symposium)\b", re.IGNORECASE)


def works_by_title(sources: Sources, title: str) -> list[Work]:
    """The works whose title OpenAlex finds for `title`, best first (candidates, to be matched)."""
    searched = " ".join(_FILTER_SYNTAX.sub(" ", title).split())
    if not searched:
        return []
    params = sources.polite({"filter": f"title.search:{searched}", "per_page": str(CANDIDATES)})
    answer = sources.get(OPENALEX, "/works", params)
    if answer.status != 200:
        raise SourceUnavailable(f"OpenAlex answered {answer.status} for a title search")
    return parse_works(answer.json())


def parse_works(document: object) -> list[Work]:
    """The works of an OpenAlex list answer (`{"results": [...]}`); SourceUnavailable if it is not one."""
    try:
        return [parse_work(work) for work in document["results"] if (work.get("title") or work.get("display_name"))]
    except (KeyError, TypeError, AttributeError, ValueError, IndexError) as error:
        raise SourceUnavailable(f"OpenAlex answered with works that cannot be read ({error!r})") from None


def parse_work(work: dict) -> Work:
    """One OpenAlex work object as a `Work`."""
    locations = [work.get("primary_location") or {}, *(work.get("locations") or []), work.get("best_oa_location") or {}]
    doi = _DOI_URL.sub("", work.get("doi") or "")
    arxiv_id = ""
    for location in locations:
        for link in (location.get("landing_page_url"), location.get("pdf_url")):
            match = _ARXIV_LINK.search(link or "")
            if match and not arxiv_id:
                arxiv_id = match.group(1).lower()
    arxiv_doi = _ARXIV_DOI.fullmatch(doi)
    if arxiv_doi:
        arxiv_id, doi = arxiv_id or arxiv_doi.group(1).lower(), ""
    venue, published_as = "", ""
    for location in locations:
        source = location.get("source") or {}
        if source.get("type") in ("journal", "conference") and source.get("display_name"):
            venue = " ".join(source["display_name"].split())
            conference = source["type"] == "conference" or _PROCEEDINGS.search(venue)
            published_as = "inproceedings" if conference else "article"
            break
    year = work.get("publication_year")
    return Work(
        source="openalex",
        title=" ".join((work.get("title") or work.get("display_name")).split()),
        authors=tuple(
            bibtex_name(name)
            for name in (
                (authorship.get("author") or {}).get("display_name") or authorship.get("raw_author_name") or ""
                for authorship in work.get("authorships") or []
            )
            if name.strip()
        ),
        year=int(year) if year else None,
        abstract=abstract_text(work.get("abstract_inverted_index")),
        arxiv_id=arxiv_id,
        doi=doi.lower(),
        venue=venue,
        venue_year=int(year) if venue and year else None,
        published_as=published_as,
        url=(work.get("primary_location") or {}).get("landing_page_url") or "",
        cited_by_count=work.get("cited_by_count"),
        identifier=str(work.get("id", "")).removeprefix("https://openalex.org/"),
    )


def abstract_text(inverted_index: dict[str, list[int]] | None) -> str:
    """The abstract an inverted index (word -> the positions it is at) encodes."""
    if not inverted_index:
        return ""
    placed = sorted((position, word) for word, positions in inverted_index.items() for position in positions)
    return " ".join(word for _, word in placed)
