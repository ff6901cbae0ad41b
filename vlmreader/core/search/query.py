"""The query language, one for the CLI and the TUI (every part must hold):

    hallucination llava        free words, ranked; typo-tolerant; the last may be a prefix;
                               matched in titles, keys, authors' names, tags, notes, abstracts
    "exact phrase"             the phrase, as written (case-insensitive)
    -word   -"a phrase"        papers without it
    tag:NAME   -tag:NAME       with / without a tag (case-insensitive)
    is:starred                 starred papers (-is:starred: not starred)
    is:duplicate               possible duplicates: the same or nearly the same title as another
                               paper, or a near copy of its abstract (duplicates.py)
    is:conflict                notes where a sync kept two machines' versions of the same lines
    is:unread|queued|reading|read|skipped   by reading status (several is: statuses: any of them)
    in:COLLECTION              in a collection whose name starts with COLLECTION
    author:NAME                an author one of whose names (family or given) starts with
                               NAME, accents and case aside; author:"haotian liu": one author
                               with both
    year:2024  year:2023..2025  year:2023..  year:..2022
                               the paper's year or its venue's in the range, inclusive (a CVPR
                               2024 paper first on arXiv in 2023 is in both years)
    venue:WORDS                every word starts a word of its booktitle or journal
    has:arxiv|doi|author|year|venue   with that metadata (-has:author: papers without authors)
    like:KEY                   papers most like that one (its title and abstract as the query),
                               most similar first

When every free word finds fewer than a screenful, papers matching most of the words follow,
ranked by relevance (see relevance.py): a query in the user's own words still finds papers.

Every filter can be negated with `-`, and every one narrows by itself (author:a author:b: both)
but is: statuses (any of them). An empty query lists every paper in library order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vlmreader.core.vocabulary import (
    AUTHOR_FILTER,
    COLLECTION_FILTER,
    CONFLICT,
    DUPLICATE,
    FILTER_PREFIXES,
    HAS_FILTER,
    HAS_VALUES,
    LIKE_FILTER,
    STARRED,
    STATE_FILTER,
    STATUSES,
    TAG_FILTER,
    VENUE_FILTER,
    YEAR_FILTER,
    state_filter,
)

_TOKEN = re.compile(r'(-?)(?:([a-z]+):)?(?:"([^"]*)"?|(\S+))', re.IGNORECASE)
_YEAR_RANGE = re.compile(r"(\d{4})|(\d{4})?\.\.(\d{4})?")
EARLIEST_YEAR, LATEST_YEAR = 0, 9999
"""The ends of an open range: `year:2023..` is 2023..9999."""
_VALUE_FILTERS = {
    TAG_FILTER: ("tags", "excluded_tags"),
    COLLECTION_FILTER: ("collections", "excluded_collections"),
    AUTHOR_FILTER: ("authors", "excluded_authors"),
    VENUE_FILTER: ("venues", "excluded_venues"),
}
"""Filters that keep their value as typed: (the Query field it goes to, the one when negated)."""


@dataclass(frozen=True)
class Query:
    """A parsed query. `problems` lists filters that could not be understood."""

    text: str = ""
    words: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    excluded_words: tuple[str, ...] = ()
    excluded_phrases: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    excluded_tags: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    excluded_statuses: tuple[str, ...] = ()
    starred: bool | None = None
    duplicate: bool | None = None
    conflict: bool | None = None
    """`is:conflict`: notes holding a sync's two versions of a line (`-is:conflict`: none)."""
    collections: tuple[str, ...] = ()
    excluded_collections: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    excluded_authors: tuple[str, ...] = ()
    years: tuple[tuple[int, int], ...] = ()
    """(first, last) year of each `year:` range, inclusive; an open end is EARLIEST/LATEST_YEAR."""
    excluded_years: tuple[tuple[int, int], ...] = ()
    venues: tuple[str, ...] = ()
    excluded_venues: tuple[str, ...] = ()
    has: tuple[str, ...] = ()
    """`has:` values (of HAS_VALUES) a paper must have; `excluded_has`, those it must lack."""
    excluded_has: tuple[str, ...] = ()
    like: tuple[str, ...] = ()
    """`like:` papers (keys or ids, as typed): the ranking is by similarity to them."""
    problems: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return self == Query(text=self.text)


def year_range(text: str) -> tuple[int, int] | None:
    """`2024` -> (2024, 2024), `2023..2025`, `2023..` and `..2022` -> inclusive (first, last);
    None for anything else."""
    match = _YEAR_RANGE.fullmatch(text.strip())
    if match is None or match.group() == "..":
        return None
    single, first, last = match.groups()
    if single:
        return int(single), int(single)
    bounds = int(first) if first else EARLIEST_YEAR, int(last) if last else LATEST_YEAR
    return min(bounds), max(bounds)


def _one_of(choices: list[str]) -> str:
    """'a, b or c'."""
    return f"{', '.join(choices[:-1])} or {choices[-1]}"


def parse_query(text: str) -> Query:
    """Split `text` into free words, phrases and filters."""
    parts: dict[str, list] = {name: [] for name in (
        "words", "phrases", "excluded_words", "excluded_phrases", "statuses", "excluded_statuses",
        "years", "excluded_years", "has", "excluded_has", "like", "problems",
        *(name for names in _VALUE_FILTERS.values() for name in names),
    )}
    starred: bool | None = None
    duplicate: bool | None = None
    conflict: bool | None = None
    for match in _TOKEN.finditer(text):
        negated, prefix, phrase, word = match.groups()
        negated = bool(negated)
        prefix = (prefix or "").lower()
        value = phrase if phrase is not None else word
        if prefix in FILTER_PREFIXES:
            if not value or not value.strip():
                continue  # a filter still being typed: `tag:`
            if prefix in _VALUE_FILTERS:
                parts[_VALUE_FILTERS[prefix][negated]].append(value)
            elif prefix == YEAR_FILTER:
                years = year_range(value)
                if years is None:
                    parts["problems"].append(f"{YEAR_FILTER}:{value} is not a year or a range like 2023..2025")
                else:
                    parts["excluded_years" if negated else "years"].append(years)
            elif prefix == LIKE_FILTER:
                if negated:
                    parts["problems"].append(f"-{LIKE_FILTER}: cannot be negated (use {LIKE_FILTER}:KEY)")
                else:
                    parts["like"].append(value)
            elif prefix == HAS_FILTER:
                if value.lower() in HAS_VALUES:
                    parts["excluded_has" if negated else "has"].append(value.lower())
                else:
                    known = _one_of([f"{HAS_FILTER}:{name}" for name in HAS_VALUES])
                    parts["problems"].append(f"unknown filter {HAS_FILTER}:{value} (use {known})")
            elif value.lower() == STARRED:
                starred = not negated
            elif value.lower() == DUPLICATE:
                duplicate = not negated
            elif value.lower() == CONFLICT:
                conflict = not negated
            elif value.lower() in STATUSES:
                parts["excluded_statuses" if negated else "statuses"].append(value.lower())
            else:
                known = _one_of([state_filter(STARRED), state_filter(DUPLICATE), state_filter(CONFLICT), state_filter("|".join(STATUSES))])
                parts["problems"].append(f"unknown filter {state_filter(value)} (use {known})")
            continue
        if phrase is None and value.lower().rstrip(":") in FILTER_PREFIXES and value.endswith(":"):
            continue  # a filter still being typed: `tag:`
        if prefix:
            value = f"{prefix}:{value}" if value else prefix
        if phrase is not None:
            if phrase.strip():
                parts["excluded_phrases" if negated else "phrases"].append(phrase.strip())
        elif negated:
            if value:
                parts["excluded_words"].append(value)
        elif value and value != "-":
            parts["words"].append(value)
    return Query(text=text, starred=starred, duplicate=duplicate, conflict=conflict, **{name: tuple(values) for name, values in parts.items()})
