"""The search bar: the query as typed, and how many papers it matches."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Label

from vlmreader.core.text import visible


class SearchBar(Horizontal):
    """A query input and a match count ("37 of 452", "3 of 452 · 12 with most words")."""

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

    def show_count(
        self, shown: int, total: int, selected: int, problems: tuple[str, ...] = (), partial: int = 0, similar: bool = False
    ) -> None:
        """`shown` of `total` ("3 of 452"), then what else the list holds and the selection:
        `partial` papers matching most of the words after those with every word, or a `similar`
        list (most alike first). Where that does not fit, they are said shortly ("+12")."""
        label = self.query_one("#count", Label)
        head = f"{shown:,} of {total:,}"
        tail = []
        if selected:
            tail.append(f"{selected:,} selected")
        if problems:
            tail.append(visible(problems[0]))
        what_follows = f"{partial:,} with most words" if partial else "most alike first" if similar else ""
        count = " · ".join(part for part in (head, what_follows, *tail) if part)
        if label.content_region.width and cell_len(count) > label.content_region.width:
            count = " · ".join([head + (f" +{partial:,}" if partial else ""), *tail])
        label.update(count, layout=False)  # its size is fixed in the TCSS

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.QueryChanged(event.value))
