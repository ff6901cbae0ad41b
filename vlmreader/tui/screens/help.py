"""The help screen: every key that applies, built from the active bindings so it cannot drift."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]

    def __init__(self, bindings: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.bindings = bindings

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
        table.add_column(style="bold")
        table.add_column()
        table.add_column(style="dim")
        for keys, description, tooltip in self.bindings:
            table.add_row(Text(keys), Text(description), Text(tooltip))
        with VerticalScroll(id="dialog"):
            yield Static(Text("Keys (escape closes)", style="bold"), markup=False)
            yield Static(table)

    async def action_dismiss(self, result=None) -> None:
        self.dismiss()
