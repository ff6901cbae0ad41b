"""The search bar: the query as typed, and how many papers it matches."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Label

from vlmreader.core.text import visible


class SearchBar(Horizontal):
    """A query input and a match count ("37 of 452")."""

    @dataclass
    class QueryChanged(Message):
        """The query text changed; coalesced, so only the newest waits in the queue."""

        text: str

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, SearchBar.QueryChanged)

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Search: words, \"phrases\", tag:x, is:starred, in:collection, author:x, year:2024, -word", id="query")
        yield Label("", id="count", markup=False)

    @property
    def input(self) -> Input:
        return self.query_one("#query", Input)

    @property
    def text(self) -> str:
        return self.input.value

    def set_text(self, text: str) -> None:
        """Replace the query (e.g. from the sidebar); the change is searched like typing."""
        self.input.value = text
        self.input.cursor_position = len(text)

    def show_status(self, text: str) -> None:
        """Say what is happening where the count goes (e.g. while the library opens)."""
        self.query_one("#count", Label).update(text)

    def show_count(self, shown: int, total: int, selected: int, problems: tuple[str, ...] = ()) -> None:
        count = f"{shown:,} of {total:,}"
        if selected:
            count += f" · {selected} selected"
        if problems:
            count += f" · {visible(problems[0])}"
        self.query_one("#count", Label).update(count, layout=False)  # its size is fixed in the TCSS

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.QueryChanged(event.value))
