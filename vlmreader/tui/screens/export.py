"""The export dialog: where to write, in which format, whether to replace or add to the file, and
whether to keep it up to date."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Select, Static, Switch

from vlmreader.core.formats import DEFAULT_FORMAT, FORMAT_OF_SUFFIX, WRITERS
from vlmreader.core.text import visible
from vlmreader.core.vocabulary import counted
from vlmreader.tui.messages import ExportRequested

FORMAT_LABELS = {
    "bibtex": "BibTeX (.bib)",
    "biblatex": "biblatex (.bib, for biber)",
    "csl-json": "CSL-JSON (.json: pandoc, Zotero)",
    "ris": "RIS (.ris: EndNote, Mendeley)",
    "markdown": "Markdown reading list (.md)",
}
QUERY_SHOWN = 40
"""A longer query is shortened in the dialog (it keeps to a few lines at 80 columns)."""
APPENDS_TO = "bibtex"
"""The one format whose file the dialog can add to (keys already in it are skipped)."""


def format_of_name(path: str) -> str | None:
    """The format a file name's suffix says, or None (no suffix, or one that names none)."""
    return FORMAT_OF_SUFFIX.get(Path(path.strip()).suffix.lower())


class ExportScreen(ModalScreen[None]):
    """Asks where and how to write `paper_ids`; the app writes them (`ExportRequested`) and closes
    the dialog, or shows why it could not, so nothing typed is lost.

    The format follows the file name's suffix as it is typed and can be chosen (biblatex also
    goes to a `.bib`). Adding to a file is for BibTeX only, and never for a kept export, which is
    written whole.

    "Keep it up to date" registers the file as a kept export of the query in the search bar, which
    the app rewrites after every change to the papers that query finds (every word). A kept
    export follows a query, never a hand selection: while papers are selected the switch is
    disabled and says so, since exporting the query's papers instead of the ones the title names
    would write something other than what the user picked.
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="export.cancel")]

    def __init__(self, paper_ids: list[str], default_path: str, query: str, query_count: int, selected: bool) -> None:
        """`query` and `query_count`: the search bar's query and how many papers hold every word
        of it; `selected`: `paper_ids` are the user's selection (else the highlighted paper)."""
        super().__init__()
        self.paper_ids = paper_ids
        self.default_path = default_path
        self.search_query = query.strip()
        self.query_count = query_count
        self.selected = selected
        self._suffix_format = format_of_name(default_path)
        self._writing = False

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self._title(keep=False), id="dialog-title", markup=False)
            yield Input(self.default_path, id="export-path")
            with Horizontal(id="export-format-row"):
                yield Label("Format ", id="export-format-label")
                yield Select(
                    [(FORMAT_LABELS.get(name, name), name) for name in WRITERS],
                    value=self._suffix_format or DEFAULT_FORMAT,
                    allow_blank=False,
                    compact=True,
                    id="export-format",
                )
            with RadioSet(id="export-mode", compact=True):
                yield RadioButton("Replace the file", value=True, id="overwrite")
                yield RadioButton("Add to the file (skips keys already in it)", id="append")
            with Horizontal(id="export-keep-row"):
                yield Switch(id="export-keep", disabled=self.selected)
                yield Label(" Keep it up to date", id="export-keep-label")
            yield Static(self._keep_hint(keep=False), id="export-keep-hint")
            yield Static("", id="export-error", markup=False)
            with Horizontal(id="dialog-buttons"):
                yield Button("Export", variant="primary", id="export")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()
        self._follow_choices()

    def _title(self, keep: bool) -> str:
        if keep:
            what = "what the query finds" if self.search_query else "the whole library"
            return f"Export {what}: {counted(self.query_count, 'paper')}"
        if self.selected:
            return f"Export {counted(len(self.paper_ids), 'selected paper')}"
        return "Export the highlighted paper"

    def _keep_hint(self, keep: bool) -> Text:
        if self.selected:
            return Text(
                "A kept export follows a query, not a selection: clear the selection (A) to keep what the query finds.",
                style="dim",
            )
        query = visible(self.search_query)
        if len(query) > QUERY_SHOWN:
            query = query[: QUERY_SHOWN - 1] + "…"
        what = Text.assemble("what ", (query, "bold"), " finds") if query else Text("the library")
        now = f" changes ({counted(self.query_count, 'paper')} now)."
        if keep:
            return Text.assemble("On: the file is rewritten whenever ", what, now, style="dim")
        return Text.assemble("Off: written once. On: rewritten whenever ", what, now, style="dim")

    @property
    def keep(self) -> bool:
        return self.query_one("#export-keep", Switch).value

    @property
    def format_name(self) -> str:
        return str(self.query_one("#export-format", Select).value)

    @on(Input.Changed, "#export-path")
    def _path_changed(self, event: Input.Changed) -> None:
        """Follow the suffix when it comes to say another format than it last did: a format
        chosen for the name (biblatex for a `.bib`) stays chosen while the name is edited."""
        said = format_of_name(event.value)
        if said is not None and said != self._suffix_format:
            self.query_one("#export-format", Select).value = said
            self._suffix_format = said

    @on(Select.Changed, "#export-format")
    @on(Switch.Changed, "#export-keep")
    def _follow_choices(self) -> None:
        """Adding to the file only where it can be done; the title says what will be written."""
        append = self.query_one("#append", RadioButton)
        append.disabled = self.keep or self.format_name != APPENDS_TO
        if append.disabled and append.value:
            self.query_one("#overwrite", RadioButton).value = True
        self.query_one("#dialog-title", Label).update(self._title(self.keep))
        self.query_one("#export-keep-hint", Static).update(self._keep_hint(self.keep))

    @on(Input.Submitted)
    @on(Button.Pressed, "#export")
    def _export_pressed(self) -> None:
        if self._writing:
            return
        path = self.query_one("#export-path", Input).value.strip()
        if not path:
            self.show_error("Give a file name.")
            return
        append = self.query_one("#append", RadioButton).value
        kept_query = self.search_query if self.keep else None
        self.post_message(ExportRequested(self.paper_ids, path, self.format_name, append, self, kept_query))

    def show_writing(self) -> None:
        """The app is writing in the background: say so, and take no second press meanwhile."""
        self._writing = True
        self.query_one("#export", Button).disabled = True
        status = self.query_one("#export-error", Static)
        status.add_class("-writing")
        status.update("Writing…")

    def show_error(self, message: str) -> None:
        self._writing = False
        self.query_one("#export", Button).disabled = False
        status = self.query_one("#export-error", Static)
        status.remove_class("-writing")
        status.update(Text(visible(message)))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss()
