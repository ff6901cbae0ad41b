"""The export dialog: where to write the BibTeX, and whether to replace or add to the file."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from vlmreader.core.text import visible
from vlmreader.core.vocabulary import counted
from vlmreader.tui.messages import ExportRequested


class ExportScreen(ModalScreen[None]):
    """Asks where to write `paper_ids`' BibTeX; the app writes it (`ExportRequested`) and closes
    the dialog, or shows why it could not, so nothing typed is lost."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="export.cancel")]

    def __init__(self, paper_ids: list[str], default_path: str) -> None:
        super().__init__()
        self.paper_ids = paper_ids
        self.default_path = default_path

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(f"Export {counted(len(self.paper_ids), 'paper')} as BibTeX", id="dialog-title", markup=False)
            yield Input(self.default_path, id="export-path")
            with RadioSet(id="export-mode"):
                yield RadioButton("Replace the file", value=True, id="overwrite")
                yield RadioButton("Add to the file (skips keys already in it)", id="append")
            yield Static("", id="export-error", markup=False)
            with Horizontal(id="dialog-buttons"):
                yield Button("Export", variant="primary", id="export")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#export")
    def _export_pressed(self) -> None:
        path = self.query_one("#export-path", Input).value.strip()
        append = self.query_one("#append", RadioButton).value
        if not path:
            self.show_error("Give a file name.")
            return
        self.post_message(ExportRequested(self.paper_ids, path, append, self))

    def show_error(self, message: str) -> None:
        self.query_one("#export-error", Static).update(Text(visible(message)))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss()
