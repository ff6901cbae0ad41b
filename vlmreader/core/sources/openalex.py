"""OpenAlex's works API (`/works`, JSON, documented at docs.openalex.org): candidates by title.

A work gives its authors in order (`authorships`), its publication year, DOI and citation count,
its abstract as an inverted index (word -> positions), and where it can be found (`locations`,
each with a `source` whose `type` is `journal`, `conference`, `repository`, ...). The published
venue is the first location in a journal or a conference, never a repository such as arXiv; an
arXiv id is read from a location on arxiv.org or from arXiv's own DOI (`10.48550/arXiv.ID`).
The arXiv preprint and the published version of a paper are often two works: the caller
combines them (`matching.decide`). Titles come from Crossref's metadata and may carry its markup.
"""

from __future__ import annotations

from vlmreader.core.sources.arxiv import published_as_for
from vlmreader.core.sources.crossref import plain_text
from vlmreader.core.sources.http import OPENALEX, SourceUnavailable, Sources
from vlmreader.core.sources.identifiers import arxiv_id_in, doi_in, searchable_title
from vlmreader.core.sources.works import Work, bibtex_name

CANDIDATES = 5
"""Works asked for per title: the paper, its other versions, and a few near misses to reject."""
FILTER_SYNTAX = ",|:!"
"""What OpenAlex's `filter` reads as syntax: a comma starts another filter, a pipe means OR, a
colon separates a filter's name from its value, `!` negates it."""
FIELDS = "id,doi,title,display_name,publication_year,type,authorships,primary_location,locations,abstract_inverted_index,cited_by_count"
"""What is read of a work (`select`): a whole work, with its references and topics, is ten times as long."""
VENUE_TYPES = ("journal", "conference")


def works_by_title(sources: Sources, title: str) -> list[Work]:
    """The works OpenAlex finds for `title`, best first (candidates, to be matched)."""
    searched = searchable_title(title, FILTER_SYNTAX)
    if not searched:
        return []
    params = {"filter": f"title.search:{searched}", "per_page": str(CANDIDATES), "select": FIELDS}
    return parse_works(sources.get(OPENALEX, "/works", params).require_ok("a title search").json())


def parse_works(document: object) -> list[Work]:
    """The works of an OpenAlex list answer (`{"results": [...]}`); SourceUnavailable if it is not one."""
    try:
        return [parse_work(work) for work in document["results"] if work.get("title") or work.get("display_name")]
    except (KeyError, TypeError, AttributeError, ValueError, IndexError) as error:
        raise SourceUnavailable(f"OpenAlex answered with works that cannot be read ({error!r})") from None


def parse_work(work: dict) -> Work:
    """One OpenAlex work object as a `Work`."""
    locations = [location for location in (work.get("primary_location"), *(work.get("locations") or [])) if location]
    links = [location.get(name) or "" for location in locations for name in ("landing_page_url", "pdf_url")]
    arxiv_ids = [arxiv_id_in(link) for link in (*links, work.get("doi") or "")]
    arxiv_id = next((found for found in arxiv_ids if found), "")
    doi = "" if arxiv_ids[-1] else doi_in(work.get("doi") or "")  # arXiv's own DOI is no published version
    venue, published_as = "", ""
    for location in locations:
        source = location.get("source") or {}
        name = " ".join((source.get("display_name") or "").split())
        if source.get("type") in VENUE_TYPES and name and "arxiv" not in name.lower():
            venue = name
            published_as = "inproceedings" if source["type"] == "conference" else published_as_for(name)
            break
    year = work.get("publication_year")
    return Work(
        source="openalex",
        title=plain_text(work.get("title") or work.get("display_name")),
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
        doi=doi,
        venue=venue,
        venue_year=int(year) if venue and year else None,
        published_as=published_as,
        url=next((location["landing_page_url"] for location in locations if location.get("landing_page_url")), ""),
        cited_by_count=work.get("cited_by_count"),
        identifier=str(work.get("id") or "").removeprefix("https://openalex.org/"),
    )


def abstract_text(inverted_index: dict[str, list[int]] | None) -> str:
    """The abstract an inverted index (word -> the positions it is at) encodes."""
    if not inverted_index:
        return ""
    placed = sorted((position, word) for word, positions in inverted_index.items() for position in positions)
    return " ".join(word for _, word in placed)
