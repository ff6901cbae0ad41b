"""arXiv's API (its user manual documents the Atom it answers with): papers by id in batches
(`id_list`), candidates for titles (`ti:"..."` phrases OR-ed, several titles a request), and a
category's submissions between two days (`cat:` AND a `submittedDate` range, paged with `start`).

Quirks handled: an id arXiv cannot read comes back as an entry titled `Error` (HTTP 200); when
throttling, arXiv answers 200 with the bare text `Rate exceeded.` (retried by the HTTP layer); a
page of a listing sometimes comes back empty though `opensearch:totalResults` says there is more
(asked again); titles and abstracts are hard-wrapped; ids carry a version (`2304.08485v2`), which
vlmreader drops. `submittedDate` is in GMT, so days are UTC days.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from datetime import date
from typing import NamedTuple

from vlmreader.core.models import UserError
from vlmreader.core.sources.http import ARXIV, NOT_FOUND_SECONDS, SourceUnavailable, Sources, max_age_for
from vlmreader.core.sources.identifiers import arxiv_id_in, searchable_title
from vlmreader.core.sources.works import Work, bibtex_name
from vlmreader.core.text import normalize_title

BATCH = 50
"""Ids per request: arXiv answers `id_list` of this length at once."""
TITLES_PER_REQUEST = 8
"""Titles OR-ed into one search: a query of about a kilobyte, answered in one page."""
CANDIDATES_PER_TITLE = 5
"""Answers asked for per title: the paper, its renamed versions, and papers that quote its title."""
PAGE = 500
"""Submissions per page of a category's listing: a busy day of cs.CV in one request (arXiv's
manual allows up to 2,000 a request)."""
LONGEST_LISTING = 30000
"""arXiv gives no more of one query than this."""
EMPTY_PAGE_ATTEMPTS = 3
LISTING_SETTLES_DAYS = 5
"""A day's submissions are announced up to a weekend and a holiday later; until then a listing
that ends on that day may still grow."""
NAMESPACES = {
    "atom": "http://www.w3.org/2005/Atom",
    "arxiv": "http://arxiv.org/schemas/atom",
    "opensearch": "http://a9.com/-/spec/opensearch/1.1/",
}
QUERY_SYNTAX = '"():[]^~'
"""What arXiv's `search_query` reads as syntax: a quote would end the phrase, a colon name a
field, brackets group or give a range."""
ARCHIVES_WITH_CLASSES = {"cs", "math", "stat", "eess", "econ", "q-bio", "q-fin"}
"""Archives asked by subject class only: cs.CV, never cs."""
TWO_LETTER_CLASSES = ARCHIVES_WITH_CLASSES | {"astro-ph", "nlin"}
WORD_CLASSES = {"cond-mat", "physics"}
"""Archives whose classes are words: cond-mat.mes-hall, physics.optics."""
ARCHIVES = TWO_LETTER_CLASSES | WORD_CLASSES | {"gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th", "math-ph", "nucl-ex", "nucl-th", "quant-ph"}
_CATEGORY = re.compile(r"([a-z]+(?:-[a-z]+)?)(?:\.([a-z]+(?:-[a-z]+)*))?", re.IGNORECASE)
_YEAR = re.compile(r"(?<![\d\-–])(?:19|20)\d\d(?![\d\-–])")
"""A year, not a page range's end (`pp. 2012-2020`)."""
_JOURNAL_NAMED_PROCEEDINGS = re.compile(r"proceedings of the (national academy|royal society|ieee\s*$)", re.IGNORECASE)
_PROCEEDINGS = re.compile(r"\b(proceedings|proc|conference|conf|workshops?|symposium)\b", re.IGNORECASE)
_JOURNAL = re.compile(r"\b(journal|transactions|letters|magazine|review)\b", re.IGNORECASE)
_CONFERENCE_NAME = re.compile(
    r"\b(cvpr|iccv|eccv|wacv|bmvc|accv|neurips|nips|icml|iclr|aaai|ijcai|acl|emnlp|naacl|coling|eacl|"
    r"icassp|interspeech|siggraph|kdd|sigir|miccai|icra|iros|corl)(?![a-z])",  # CVPR2023 too
    re.IGNORECASE,
)


class FeedPage(NamedTuple):
    """One answer of arXiv's: its works, the results the query has in all, the entries it held."""

    works: list[Work]
    total: int
    entries: int


def works_by_id(sources: Sources, arxiv_ids: list[str]) -> dict[str, Work]:
    """The works arXiv has for `arxiv_ids` (versionless), by id; an id it lacks is left out."""
    found: dict[str, Work] = {}
    for start in range(0, len(arxiv_ids), BATCH):
        batch = arxiv_ids[start : start + BATCH]
        params, what = {"id_list": ",".join(batch), "max_results": str(len(batch))}, f"{len(batch)} ids"
        page = _ask(sources, params, what)
        if len(page.works) < len(batch):  # one not announced yet may be tomorrow: its absence is trusted a day
            page = _ask(sources, params, what, max_age=NOT_FOUND_SECONDS)
        found.update((work.arxiv_id, work) for work in page.works)
    return found


def works_by_titles(sources: Sources, titles: list[str]) -> list[Work]:
    """Candidates for several titles, `TITLES_PER_REQUEST` to a request; the caller matches them.

    A title is searched as a phrase, without what arXiv reads as syntax (quotes, colons,
    brackets) or LaTeX. When a request had more answers than it was given, a title none of the
    given answers contain (crowded out by another title that many papers quote) is asked alone.
    """
    phrases = [searchable_title(title, QUERY_SYNTAX).lower() for title in titles]
    phrases = list(dict.fromkeys(phrase for phrase in phrases if phrase))
    found: dict[str, Work] = {}
    crowded_out: list[str] = []
    for start in range(0, len(phrases), TITLES_PER_REQUEST):
        batch = phrases[start : start + TITLES_PER_REQUEST]
        page = _search_titles(sources, batch)
        found.update((work.arxiv_id, work) for work in page.works)
        if page.total > page.entries and len(batch) > 1:
            given = [f" {normalize_title(work.title)} " for work in page.works]
            crowded_out += [phrase for phrase in batch if not any(f" {normalize_title(phrase)} " in title for title in given)]
    for phrase in crowded_out:
        found.update((work.arxiv_id, work) for work in _search_titles(sources, [phrase]).works)
    return list(found.values())


def recent_in_category(sources: Sources, category: str, first_day: date, last_day: date) -> list[Work]:
    """The submissions to `category` (cs.CV, cs.CL, stat.ML, hep-th, ...) from `first_day` to
    `last_day`, both included (UTC days), newest first.

    Paged `PAGE` at a time, each page one paced request; a listing that may still grow (see
    `LISTING_SETTLES_DAYS`) is asked again once an hour old, an older one is kept for good.
    """
    category = category_name(category)
    if first_day > last_day:
        raise UserError(f"the first day ({first_day}) comes after the last ({last_day})")
    query = f"cat:{category} AND submittedDate:[{first_day:%Y%m%d}0000 TO {last_day:%Y%m%d}2359]"
    max_age = max_age_for(last_day, LISTING_SETTLES_DAYS)
    found: dict[str, Work] = {}
    start, total = 0, 1
    while start < total:
        # Oldest first: what is announced while paging joins the end and moves no page.
        params = {"search_query": query, "sortBy": "submittedDate", "sortOrder": "ascending", "start": str(start), "max_results": str(PAGE)}
        for attempt in range(EMPTY_PAGE_ATTEMPTS):
            page = _ask(sources, params, f"the {category} listing", max_age=max_age if attempt == 0 else 0)
            if page.entries or start >= page.total:
                break
        else:
            raise SourceUnavailable(f"arXiv answered an empty page at {start} of {page.total} for the {category} listing, {EMPTY_PAGE_ATTEMPTS} times; try again later")
        if page.total > LONGEST_LISTING:
            raise UserError(f"{category} has {page.total} submissions in those days, more than arXiv lists ({LONGEST_LISTING}): ask for fewer days")
        found.update((work.arxiv_id, work) for work in page.works)
        start, total = start + page.entries, page.total
    return list(reversed(found.values()))


def category_name(text: str) -> str:
    """An arXiv category as arXiv writes it (`cs.cv` -> `cs.CV`), or a UserError."""
    match = _CATEGORY.fullmatch(text.strip())
    archive, subject = (match.group(1).lower(), match.group(2) or "") if match else ("", "")
    if subject and archive in WORD_CLASSES:
        subject = subject.lower()
    elif subject and archive in TWO_LETTER_CLASSES and len(subject) == 2 and subject.isalpha():
        subject = subject.upper()
    elif subject or archive not in ARCHIVES or archive in ARCHIVES_WITH_CLASSES:
        raise UserError(f"{text!r} is not an arXiv category (like cs.CV, cs.CL, stat.ML or hep-th)")
    return f"{archive}.{subject}" if subject else archive


def published_as_for(venue: str) -> str:
    """`inproceedings` or `article`, as a venue's name reads ("" for none): proceedings,
    conferences, workshops and the usual conferences' names are proceedings, except the journals
    named "Proceedings of the National Academy ..." and their like."""
    if not venue:
        return ""
    if _JOURNAL_NAMED_PROCEEDINGS.search(venue):
        return "article"
    if _PROCEEDINGS.search(venue):
        return "inproceedings"
    if _JOURNAL.search(venue):
        return "article"
    return "inproceedings" if _CONFERENCE_NAME.search(venue) else "article"


def year_in(text: str) -> int | None:
    """The year a journal reference names (its last, as in `Phys. Rev. D 98, 1999 (2018)`)."""
    years = _YEAR.findall(text)
    return int(years[-1]) if years else None


def parse_feed(text: str) -> list[Work]:
    """The works of an arXiv Atom feed (error entries left out); SourceUnavailable if it is not one."""
    return parse_feed_page(text).works


def parse_feed_page(text: str) -> FeedPage:
    """An arXiv Atom feed: its works, `opensearch:totalResults` and how many entries it held."""
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as error:
        raise SourceUnavailable(f"arXiv answered with XML that cannot be read ({error})") from None
    entries = root.findall("atom:entry", NAMESPACES)
    total = root.findtext("opensearch:totalResults", "", NAMESPACES).strip()
    works = []
    for entry in entries:
        title = _one_line(entry.findtext("atom:title", "", NAMESPACES))
        arxiv_id = arxiv_id_in(entry.findtext("atom:id", "", NAMESPACES))
        if not arxiv_id or not title or title == "Error":
            continue
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
                doi=_published_doi(entry.findtext("arxiv:doi", "", NAMESPACES)),
                venue=journal_ref,
                venue_year=year_in(journal_ref),
                published_as=published_as_for(journal_ref),
                url=f"https://arxiv.org/abs/{arxiv_id}",
            )
        )
    return FeedPage(works, int(total) if total.isdigit() else len(entries), len(entries))


def _search_titles(sources: Sources, phrases: list[str]) -> FeedPage:
    query = " OR ".join(f'ti:"{phrase}"' for phrase in phrases)
    params = {"search_query": query, "start": "0", "max_results": str(CANDIDATES_PER_TITLE * len(phrases))}
    return _ask(sources, params, f"a search for {len(phrases)} titles")


def _ask(sources: Sources, params: dict[str, str], what: str, max_age: float | None = None) -> FeedPage:
    return parse_feed_page(sources.get(ARXIV, params=params, max_age=max_age).require_ok(what).text)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _published_doi(text: str) -> str:
    """The DOI an author gave for the published version; arXiv's own (`10.48550/arXiv.*`) names
    the preprint, which the eprint fields already do."""
    doi = text.strip()
    return "" if doi.lower().startswith("10.48550/") else doi
