"""A dialog to write one paper's note (used where the detail pane is not on screen)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label

from vlmreader.core.text import visible
from vlmreader.tui.widgets.literal_text_area import LiteralTextArea


class NoteScreen(ModalScreen[str | None]):
    """Dismisses with the note as written when left with escape (None if unchanged)."""

    BINDINGS = [Binding("escape", "done", "Save and close", id="note.close")]

    def __init__(self, title: str, note: str) -> None:
        super().__init__()
        self.paper_title = title
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(visible(f"Note on {self.paper_title}"), id="dialog-title", markup=False)
            yield LiteralTextArea(self.note, language="markdown", soft_wrap=True, id="note-text")

    def on_mount(self) -> None:
        self.query_one(LiteralTextArea).focus()

    def action_done(self) -> None:
        text = self.query_one(LiteralTextArea).text
        self.dismiss(text if text != self.note else None)
