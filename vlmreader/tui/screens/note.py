"""A dialog to write one paper's note (used where the detail pane is not on screen)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

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


KEEP_MINE, USE_THEIRS, KEEP_BOTH = "mine", "theirs", "both"


def both_notes(mine: str, theirs: str) -> str:
    """The user's text, then the other one, apart: nothing of either is lost."""
    return f"{mine.rstrip()}\n\n---\n{theirs.lstrip()}"


class NoteConflictScreen(ModalScreen[str]):
    """The note was changed elsewhere while the user wrote theirs: which to keep. Dismisses with
    the note to save; escape keeps both, since neither text may go without the user choosing."""

    BINDINGS = [
        Binding("m", "choose('mine')", "Keep mine", id="conflict.mine"),
        Binding("t", "choose('theirs')", "Use theirs", id="conflict.theirs"),
        Binding("b,escape", "choose('both')", "Keep both", id="conflict.both"),
    ]

    def __init__(self, title: str, mine: str, theirs: str) -> None:
        super().__init__()
        self.paper_title = title
        self.mine = mine
        self.theirs = theirs

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(visible(f"The note on {self.paper_title} was changed elsewhere"), id="dialog-title", markup=False)
            yield Label("Yours:", classes="conflict-heading")
            yield Static(visible(self.mine) or "(empty)", classes="conflict-text", markup=False)
            yield Label("Changed elsewhere:", classes="conflict-heading")
            yield Static(visible(self.theirs) or "(empty)", classes="conflict-text", markup=False)
            yield Label("m keeps yours · t uses the other · b (or escape) keeps both, yours first", markup=False)

    def action_choose(self, choice: str) -> None:
        chosen = {KEEP_MINE: self.mine, USE_THEIRS: self.theirs}.get(choice) or both_notes(self.mine, self.theirs)
        self.dismiss(chosen)
