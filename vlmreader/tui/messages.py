"""Messages that travel between the app and its screens, beside those a single widget defines."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from vlmreader.core.search import SearchResult


@dataclass
class SearchFinished(Message):
    """A search worker's result for the query numbered `serial` (older ones are dropped)."""

    result: SearchResult
    serial: int
