"""The words vlmreader's domain is made of, each written down once: reading statuses, the query
language's filters, how a star reads, and counted nouns ("1 paper", "3 papers").

The CLI, the app's list, sidebar, detail pane and triage screen all draw on these tables, so a
new status or filter is one change here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReadingStatus:
    """One reading status, and everything the front ends show or accept for it."""

    name: str
    """As stored, typed (`is:queued`, `vlmreader status REF queued`) and printed."""
    label: str
    """As a heading: the sidebar's view."""
    mark: str
    """One character in the paper list."""
    next: str
    """What `r` (cycle the status) moves it to."""
    triage_key: str
    """The triage screen's key for deciding this ('' for none)."""
    triage_verb: str
    """The triage key's label."""
    meaning: str
    """What it means, for help and tooltips."""


READING_STATUSES = (
    ReadingStatus("unread", "Unread", "·", "queued", "", "", "not triaged yet"),
    ReadingStatus("queued", "Queued", "Q", "reading", "q", "Queue", "to read"),
    ReadingStatus("reading", "Reading", "R", "read", "r", "Reading", "being read"),
    ReadingStatus("read", "Read", "✓", "unread", "d", "Read", "read"),
    ReadingStatus("skipped", "Skipped", "✗", "queued", "x", "Skip", "triaged as not relevant"),
)
STATUSES = tuple(status.name for status in READING_STATUSES)
"""Reading statuses by name, in the order a paper goes through them."""
STATUS = {status.name: status for status in READING_STATUSES}
UNREAD = "unread"
"""A paper nobody has annotated yet has this status."""
QUEUED, READING, READ, SKIPPED = "queued", "reading", "read", "skipped"

DUPLICATE = "duplicate"
"""`is:duplicate`: papers that may be another paper of the library (`core.search.duplicates`)."""

CONFLICT = "conflict"
"""`is:conflict`: papers whose note holds both versions of a line two machines changed (sync)."""
CONFLICT_START, CONFLICT_MIDDLE, CONFLICT_END = "<<<<<<< ", "=======", ">>>>>>> "
"""The lines that set apart the two versions in a note merged by `vlmreader sync`."""


def has_sync_conflict(note: str) -> bool:
    """Whether a note holds a sync's conflict markers (a line starting each of them)."""
    if CONFLICT_START not in note:
        return False
    lines = note.splitlines()
    return any(line.startswith(CONFLICT_START) for line in lines) and any(
        line.startswith(CONFLICT_END) for line in lines
    )

STARRED = "starred"
"""The word for a starred paper: `is:starred`, the sidebar's view, `★ starred` in the details."""
STAR = "★"
STARRED_LABEL = f"{STAR} {STARRED}"

TAG_FILTER, STATE_FILTER, COLLECTION_FILTER = "tag", "is", "in"
AUTHOR_FILTER, YEAR_FILTER, VENUE_FILTER, HAS_FILTER = "author", "year", "venue", "has"
LIKE_FILTER = "like"
FILTER_PREFIXES = (
    TAG_FILTER, STATE_FILTER, COLLECTION_FILTER, AUTHOR_FILTER, YEAR_FILTER, VENUE_FILTER, HAS_FILTER, LIKE_FILTER
)
"""The query language's filters: `tag:NAME`, `is:starred` / `is:STATUS`, `in:COLLECTION`,
`author:NAME`, `year:2024` / `year:2023..2025`, `venue:WORDS`, `has:WHAT`, `like:KEY`."""

ALL_WORDS, SOME_WORDS, SIMILAR = "all", "partial", "similar"
"""How a search hit matches: every free word (`all`), most of them (`partial`, ranked by
relevance after the `all` ones), or like the paper of a `like:` query (`similar`)."""

HAS_ARXIV, HAS_DOI, HAS_AUTHOR, HAS_YEAR, HAS_VENUE = "arxiv", "doi", "author", "year", "venue"
HAS_VALUES = (HAS_ARXIV, HAS_DOI, HAS_AUTHOR, HAS_YEAR, HAS_VENUE)
"""What `has:` asks of a paper's metadata: an arXiv id, a DOI, authors, a year, a venue."""


def state_filter(state: str) -> str:
    """The query filter for a status or `starred`: `is:queued`."""
    return f"{STATE_FILTER}:{state}"


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """'1 paper', '2 papers', '1,200 BibTeX entries' (give `plural` where it is not noun + 's')."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"
