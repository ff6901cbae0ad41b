"""The dialog that asks which papers to add: arXiv ids or URLs, DOIs, Hugging Face paper URLs."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class AddPaperScreen(ModalScreen[list[str]]):
    """Asks for identifiers, separated by spaces or commas; dismisses with them (none when cancelled)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="add.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Add papers: arXiv ids or URLs, DOIs, Hugging Face paper URLs", id="dialog-title", markup=False)
            yield Input(placeholder="e.g. 2304.08485 10.1109/CVPR52729.2023.01234", id="identifiers")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.replace(",", " ").split())

    def action_cancel(self) -> None:
        self.dismiss([])
