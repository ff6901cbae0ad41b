"""The "papers listing page" text format, which the corpus bundled in data/ comes as.

A listing page is what a browser's "save as text" gives for a page of trending papers:
a few boilerplate lines, a date, then for every paper a title line and an abstract line,
with or without blank lines between them. Each page is one *collection*.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from vlmreader.core.formats import ParsedFile, Rejection, collection_name
from vlmreader.core.models import Paper, PaperRecord
from vlmreader.core.text import title_identity

_BOILERPLATE = {
    "new",
    "subscribe",
    "get trending papers in your email inbox!",
    "byak and the research community",
}
_DATE_LINE = re.compile(
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d{1,2}(?:, \d{4})?", re.IGNORECASE
)
_GLUED_SUBSCRIBE = re.compile(r"^Subscribe(?=\S)")

# A link ends at white space or at LaTeX/markdown syntax around it: \url{..}, \href{..}{..}, [x](..).
_LINK = re.compile(r"(?:https?://|(?<![\w.])github\.com/)[^\s{}<>\"\\|]+", re.IGNORECASE)
_TRAILING_PUNCTUATION = ".,;:!?'\"*"


@dataclass(frozen=True)
class ListingEntry:
    """One paper as a listing page shows it."""

    title: str
    abstract: str
    line: int
    """1-based line number of the title in the page."""

    @property
    def url(self) -> str:
        return first_link(self.abstract)


def _is_boilerplate(line: str) -> bool:
    lowered = line.lower()
    return (
        lowered in _BOILERPLATE
        or (lowered.startswith("get trending papers") and lowered.endswith("once a day!"))
        or _DATE_LINE.fullmatch(line) is not None
    )


def parse_listing_page(text: str) -> list[ListingEntry]:
    """The papers of a listing page, in page order.

    Boilerplate and date lines are dropped, a 'Subscribe' glued to the first title is cut off,
    and the remaining non-blank lines pair up as title, abstract. A last title without an
    abstract keeps an empty abstract rather than being lost.
    """
    content: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.replace("\xa0", " ").strip()
        if not line or _is_boilerplate(line):
            continue
        content.append((number, _GLUED_SUBSCRIBE.sub("", line)))
    entries = []
    for index in range(0, len(content), 2):
        line_number, title = content[index]
        abstract = content[index + 1][1] if index + 1 < len(content) else ""
        entries.append(ListingEntry(title=title, abstract=abstract, line=line_number))
    return entries


def _balanced_tail(url: str) -> str:
    """Strip trailing punctuation and closing brackets that the url did not open."""
    while url:
        last = url[-1]
        if last in _TRAILING_PUNCTUATION:
            url = url[:-1]
        elif last in ")]" and url.count("(" if last == ")" else "[") < url.count(last):
            url = url[:-1]
        else:
            break
    return url


def first_link(text: str) -> str:
    """The first code or project link in `text`, without trailing punctuation; '' if none."""
    match = _LINK.search(text)
    if not match:
        return ""
    url = _balanced_tail(match.group())
    if not url.lower().startswith("http"):
        url = "https://" + url
    return url


def parse_listing(text: str, collection: str = "") -> ParsedFile:
    """The papers of a listing page (in `collection`, if given). A title without an abstract line
    after it is kept, and reported."""
    parsed = ParsedFile()
    for entry in parse_listing_page(text):
        if not entry.abstract:
            parsed.rejected.append(Rejection(entry.line, None, "a title without an abstract line after it"))
        record = PaperRecord(
            title=entry.title, abstract=entry.abstract, url=entry.url, collections=(collection,) if collection else ()
        )
        parsed.papers.append(Paper(record))
    return parsed


def merge_entries(pages: dict[str, list[ListingEntry]]) -> list[Paper]:
    """Merge the entries of several pages into distinct papers, by normalized title.

    The first occurrence gives the title and abstract (a later, longer abstract wins, since a
    page sometimes truncates); the paper lists every collection it appears in, in page order.
    """
    merged: dict[str, dict] = {}
    for collection, entries in pages.items():
        for entry in entries:
            normalized = title_identity(entry.title)
            paper = merged.get(normalized)
            if paper is None:
                merged[normalized] = {
                    "title": entry.title,
                    "abstract": entry.abstract,
                    "collections": [collection],
                }
                continue
            if collection not in paper["collections"]:
                paper["collections"].append(collection)
            if len(entry.abstract) > len(paper["abstract"]):
                paper["abstract"] = entry.abstract
    return [
        Paper(
            PaperRecord(
                title=paper["title"],
                abstract=paper["abstract"],
                url=first_link(paper["abstract"]),
                collections=tuple(paper["collections"]),
            )
        )
        for paper in merged.values()
    ]


def read_listing_pages(paths: list[Path]) -> dict[str, list[ListingEntry]]:
    """Parse each page, keyed by collection name, in the order given."""
    return {collection_name(path): parse_listing_page(path.read_text(encoding="utf-8")) for path in paths}
