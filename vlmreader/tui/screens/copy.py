r"""The "copy as" chooser (`Y`): BibTeX, `\cite{}`, a pandoc citation or a formatted reference, one key each."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from vlmreader.core.formats.copying import BIBTEX, CITE, COPY_FORMATS, PANDOC, REFERENCE
from vlmreader.core.vocabulary import counted

KEY_OF_FORMAT = {BIBTEX: "b", CITE: "c", PANDOC: "p", REFERENCE: "r"}


class CopyFormatScreen(ModalScreen[str | None]):
    """Asks which format to copy papers in; dismisses with its name (None when cancelled)."""

    BINDINGS = [
        *(
            Binding(key, f"choose('{name}')", COPY_FORMATS[name], tooltip=f"Copy {COPY_FORMATS[name]}", id=f"copy.{name}")
            for name, key in KEY_OF_FORMAT.items()
        ),
        Binding("escape", "cancel", "Cancel", id="copy.cancel"),
    ]

    def __init__(self, papers: int, default: str) -> None:
        """`papers`: how many will be copied; `default`: the format `y` copies (config.toml)."""
        super().__init__()
        self.papers = papers
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(f"Copy {counted(self.papers, 'paper')} as", id="dialog-title", markup=False)
            yield OptionList(*(self._option(name) for name in KEY_OF_FORMAT), id="copy-formats")

    def _option(self, name: str) -> Option:
        label = Text.assemble((f" {KEY_OF_FORMAT[name]} ", "bold"), " ", COPY_FORMATS[name])
        if name == self.default:
            label.append("  (y)", style="dim")
        return Option(label, id=name)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = list(KEY_OF_FORMAT).index(self.default)
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_choose(self, name: str) -> None:
        self.dismiss(name)

    def action_cancel(self) -> None:
        self.dismiss(None)
