"""arXiv's API (its user manual documents the Atom it answers with): papers by id in batches
(`id_list`), by title (`ti:` phrases OR-ed together, several titles a request), and a category's
newest submissions (`cat:` with a `submittedDate` range, sorted, paged with `start`).

Quirks handled: an id arXiv cannot read comes back as an entry titled `Error` (HTTP 200); when
throttling, arXiv answers 200 with the bare text `Rate exceeded.`; titles and abstracts are
hard-wrapped; ids carry a version (`2304.08485v2`), which vlmreader drops.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from datetime import date

from vlmreader.core.models import UserError
from vlmreader.core.sources.http import ARXIV, SourceUnavailable, Sources
from vlmreader.core.sources.works import Work, bibtex_name

BATCH = 50
"""Ids per request: arXiv answers `id_list` of this length at once."""
TITLES_PER_REQUEST = 8
"""Titles OR-ed into one search: the query stays short, and a page of 3 answers each holds them."""
PAGE = 200
"""Submissions per page of a category's listing (arXiv's manual advises slices of this order)."""
RECENT_FEED_SECONDS = 3600.0
"""How long a listing of recent submissions is kept before asking again."""
NAMESPACES = {
    "atom": "http://www.w3.org/2005/Atom",
    "arxiv": "http://arxiv.org/schemas/atom",
    "opensearch": "http://a9.com/-/spec/opensearch/1.1/",
}
_QUERY_SYNTAX = re.compile(r"[^\w\s]+")
"""Anything but words and spaces: quotes, colons and brackets are arXiv query syntax."""
_CATEGORY = re.compile(r"[a-z][a-z-]*(?:\.[A-Za-z][A-Za-z-]*)?")
_YEAR = re.compile(r"\b(19|20)\d{2}\b")
_ID_IN_URL = re.compile(r"arxiv\.org/abs/(.+?)(?:v\d+)?$")
_CONFERENCE = re.compile(r"\b(proceedings|proc\.|conference|workshop|symposium|cvpr|iccv|eccv|neurips|nips|icml|iclr|aaai|acl|emnlp|naacl)\b", re.IGNORECASE)


def works_by_id(sources: Sources, arxiv_ids: list[str]) -> dict[str, Work]:
    """The works arXiv has for `arxiv_ids` (versionless), by id; an id it lacks is left out."""
    found: dict[str, Work] = {}
    for start in range(0, len(arxiv_ids), BATCH):
        batch = arxiv_ids[start : start + BATCH]
        works, _ = _ask(sources, {"id_list": ",".join(batch), "max_results": str(len(batch))}, f"{len(batch)} ids")
        found.update((work.arxiv_id, work) for work in works)
    return found


def works_by_titles(sources: Sources, titles: list[str]) -> list[Work]:
    """Candidates for several titles, `TITLES_PER_REQUEST` a request; the caller matches them."""
    phrases = [" ".join(_QUERY_SYNTAX.sub(" ", title).split()) for title in titles]
    phrases = list(dict.fromkeys(phrase for phrase in phrases if phrase))
    candidates: list[Work] = []
    for start in range(0, len(phrases), TITLES_PER_REQUEST):
        batch = phrases[start : start + TITLES_PER_REQUEST]
        query = " OR ".join(f'ti:"{phrase}"' for phrase in batch)
        works, _ = _ask(sources, {"search_query": query, "start": "0", "max_results": str(3 * len(batch))}, "a title search")
        candidates += works
    return candidates


def recent_in_category(sources: Sources, category: str, first_day: date, last_day: date) -> list[Work]:
    """The submissions to `category` (cs.CV, cs.CL, hep-th, ...) from `first_day` to `last_day`,
    newest first, a page of `PAGE` a request."""
    if not _CATEGORY.fullmatch(category):
        raise UserError(f"{category!r} is not an arXiv category (like cs.CV, cs.CL, stat.ML or hep-th)")
    query = f"cat:{category} AND submittedDate:[{first_day:%Y%m%d}0000 TO {last_day:%Y%m%d}2359]"
    works: list[Work] = []
    while True:
        params = {
            "search_query": query, "sortBy": "submittedDate", "sortOrder": "descending",
            "start": str(len(works)), "max_results": str(PAGE),
        }
        page, total = _ask(sources, params, f"the {category} listing", max_age=RECENT_FEED_SECONDS)
        works += page
        if not page or len(works) >= total:
            return works


def _ask(sources: Sources, params: dict[str, str], what: str, max_age: float | None = None) -> tuple[list[Work], int]:
    """(works, total results) of one query; SourceUnavailable for an answer that is not a feed."""
    answer = sources.get(ARXIV, params=params, max_age=max_age)
    if answer.status != 200 or answer.text.strip() == "Rate exceeded.":
        raise SourceUnavailable(f"arXiv did not answer for {what} ({answer.status}: {answer.text[:60].strip()})")
    return parse_feed(answer.text), _total_results(answer.text)


def _total_results(text: str) -> int:
    found = re.search(r"<opensearch:totalResults[^>]*>(\d+)<", text)
    return int(found.group(1)) if found else 0


def parse_feed(text: str) -> list[Work]:
    """The works of an arXiv Atom feed (error entries left out); SourceUnavailable if it is not one."""
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as error:
        raise SourceUnavailable(f"arXiv answered with XML that cannot be read ({error})") from None
    works = []
    for entry in root.findall("atom:entry", NAMESPACES):
        title = _one_line(entry.findtext("atom:title", "", NAMESPACES))
        match = _ID_IN_URL.search(entry.findtext("atom:id", "", NAMESPACES).strip())
        if match is None or not title or title == "Error":
            continue
        arxiv_id = match.group(1)
        published = entry.findtext("atom:published", "", NAMESPACES)
        primary = entry.find("arxiv:primary_category", NAMESPACES)
        journal_ref = _one_line(entry.findtext("arxiv:journal_ref", "", NAMESPACES))
        works.append(
            Work(
                source="arxiv",
                title=title,
                authors=tuple(
                    bibtex_name(author.findtext("atom:name", "", NAMESPACES))
                    for author in entry.findall("atom:author", NAMESPACES)
                    if author.findtext("atom:name", "", NAMESPACES).strip()
                ),
                year=int(published[:4]) if published[:4].isdigit() else None,
                abstract=_one_line(entry.findtext("atom:summary", "", NAMESPACES)),
                arxiv_id=arxiv_id,
                primary_category=primary.get("term", "") if primary is not None else "",
                doi=entry.findtext("arxiv:doi", "", NAMESPACES).strip(),
                venue=journal_ref,
                venue_year=int(_YEAR.search(journal_ref).group(0)) if _YEAR.search(journal_ref) else None,
                published_as=("inproceedings" if _CONFERENCE.search(journal_ref) else "article") if journal_ref else "",
                url=f"https://arxiv.org/abs/{arxiv_id}",
            )
        )
    return works


def _one_line(text: str) -> str:
    return " ".join(text.split())
