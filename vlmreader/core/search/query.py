"""The query language, one for the CLI and the TUI (every part must hold):

    hallucination llava        free words, ranked; typo-tolerant; the last may be a prefix
    "exact phrase"             the phrase, as written (case-insensitive)
    -word   -"a phrase"        papers without it
    tag:NAME   -tag:NAME       with / without a tag (case-insensitive)
    is:starred                 starred papers (-is:starred: not starred)
    is:duplicate               papers whose title another paper shares
    is:unread|queued|reading|read|skipped   by reading status (several is: statuses: any of them)
    in:COLLECTION              in a collection whose name starts with COLLECTION

An empty query lists every paper in library order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vlmreader.core.vocabulary import (
    DUPLICATE,
    FILTER_PREFIXES,
    STARRED,
    STATE_FILTER,
    STATUSES,
    TAG_FILTER,
    state_filter,
)

_TOKEN = re.compile(r'(-?)(?:([a-z]+):)?(?:"([^"]*)"?|(\S+))', re.IGNORECASE)


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
    collections: tuple[str, ...] = ()
    excluded_collections: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return self == Query(text=self.text)


def parse_query(text: str) -> Query:
    """Split `text` into free words, phrases and filters."""
    parts: dict[str, list] = {name: [] for name in (
        "words", "phrases", "excluded_words", "excluded_phrases", "tags", "excluded_tags",
        "statuses", "excluded_statuses", "collections", "excluded_collections", "problems",
    )}
    starred: bool | None = None
    duplicate: bool | None = None
    for match in _TOKEN.finditer(text):
        negated, prefix, phrase, word = match.groups()
        negated = bool(negated)
        prefix = (prefix or "").lower()
        value = phrase if phrase is not None else word
        if prefix in FILTER_PREFIXES:
            if not value:
                continue  # a filter still being typed: `tag:`
            if prefix == TAG_FILTER:
                parts["excluded_tags" if negated else "tags"].append(value)
            elif prefix != STATE_FILTER:
                parts["excluded_collections" if negated else "collections"].append(value)
            elif value.lower() == STARRED:
                starred = not negated
            elif value.lower() == DUPLICATE:
                duplicate = not negated
            elif value.lower() in STATUSES:
                parts["excluded_statuses" if negated else "statuses"].append(value.lower())
            else:
                known = f"{state_filter(STARRED)}, {state_filter(DUPLICATE)} or {state_filter('|'.join(STATUSES))}"
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
    return Query(text=text, starred=starred, duplicate=duplicate, **{name: tuple(values) for name, values in parts.items()})
