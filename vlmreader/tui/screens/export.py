"""The export dialog: where to write the BibTeX, and whether to replace or add to the file."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static


@dataclass(frozen=True)
class ExportRequest:
    path: str
    append: bool


class ExportScreen(ModalScreen[None]):
    """Asks for a path; the app does the writing (see `VlmReaderApp.export_papers`).

    On failure the dialog stays open with the reason, so nothing typed is lost.
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, count: int, default_path: str, export) -> None:
        super().__init__()
        self.count = count
        self.default_path = default_path
        self._export = export

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(f"Export {self.count} paper{'s' if self.count != 1 else ''} as BibTeX", id="dialog-title", markup=False)
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
            self._show_error("Give a file name.")
            return
        error = self._export(ExportRequest(path, append))
        if error:
            self._show_error(error)
        else:
            self.dismiss()

    def _show_error(self, message: str) -> None:
        self.query_one("#export-error", Static).update(Text(message))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss()
