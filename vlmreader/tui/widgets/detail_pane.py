"""The detail pane: everything about the highlighted paper, and its note."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static, TextArea

from vlmreader.core.models import Paper
from vlmreader.core.text import visible
from vlmreader.tui.widgets.literal_text_area import LiteralTextArea
from vlmreader.core.vocabulary import FILTER_PREFIXES, STARRED_LABEL

NOTE_SAVE_DELAY = 1.0
"""Seconds of no typing after which the note is saved."""


class NoteEditor(LiteralTextArea):
    """The highlighted paper's note (markdown). Saved when left and after a pause in typing."""

    @dataclass
    class Saved(Message):
        """The user's note for `paper_id` should now read `text`."""

        paper_id: str
        text: str

    def __init__(self, **kwargs) -> None:
        super().__init__(language="markdown", soft_wrap=True, show_line_numbers=False, **kwargs)
        self.paper_id: str | None = None
        self._saved_text = ""
        self._timer = None

    def show_note(self, paper_id: str | None, note: str) -> None:
        """Show `paper_id`'s note, saving the previous paper's first if it changed."""
        self.save()
        self.paper_id = paper_id
        self._saved_text = note
        self.load_text(note)
        self.disabled = paper_id is None

    def save(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self.paper_id is not None and self.text != self._saved_text:
            self._saved_text = self.text
            self.post_message(self.Saved(self.paper_id, self.text))

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(NOTE_SAVE_DELAY, self.save)

    def on_blur(self) -> None:
        self.save()


class DetailPane(VerticalScroll):
    """Title, key, collections, url, tags, abstract and note of one paper, shown literally."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._shown: tuple | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="detail-title", markup=False)
        yield Static(id="detail-meta", markup=False)
        yield Static(id="detail-abstract", markup=False)
        yield NoteEditor(id="note")

    def show(self, paper: Paper | None, query: str = "") -> None:
        shown = (paper, query if paper is None else "")
        if shown == self._shown:
            return  # typing often keeps the same paper on top: no need to lay the pane out again
        self._shown = shown
        title = self.query_one("#detail-title", Static)
        meta = self.query_one("#detail-meta", Static)
        abstract = self.query_one("#detail-abstract", Static)
        if paper is None:
            title.update(Text(visible(f"No paper matches {query.strip()!r}.") if query.strip() else "The library is empty."))
            meta.update(
                Text(
                    f"Widen the query: drop a word or a filter ({', '.join(p + ':' for p in FILTER_PREFIXES)}), "
                    "or check its spelling. "
                    "Press / then ctrl+u to start over."
                    if query.strip()
                    else "Import papers with `vlmreader import FILE.bib` or a listing page."
                )
            )
            abstract.update(Text(""))
            self.query_one(NoteEditor).show_note(None, "")
            return
        title.update(Text(visible(paper.title), style="bold"))
        lines = Text()
        rows = [
            ("key", paper.key),
            ("status", paper.status + (f"  {STARRED_LABEL}" if paper.starred else "")),
            ("tags", ", ".join(paper.tags) or "–"),
            ("in", ", ".join(paper.collections) or "–"),
            ("url", paper.url or "–"),
        ]
        for field in ("author", "year", "doi"):
            if paper.record.fields.get(field):
                rows.append((field, paper.record.fields[field]))
        for name, value in rows:
            lines.append(f"{name:<7}", style="dim")
            lines.append(visible(value))
            lines.append("\n")
        lines.rstrip()
        meta.update(lines)
        abstract.update(Text(visible(paper.abstract)))
        editor = self.query_one(NoteEditor)
        if editor.paper_id != paper.id or not editor.has_focus:
            editor.show_note(paper.id, paper.note)
