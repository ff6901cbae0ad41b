"""The interactive app: search as you type, triage with single keys.

The app owns the library: widgets post messages, the app calls the core, records the undo step
and refreshes what is shown. Searches run in a worker thread so typing never waits for them;
the library itself is only touched from the event loop (see `Library`'s threading note).
"""

from __future__ import annotations

from rich.markup import escape
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Footer

from vlmreader.core.models import Annotation
from vlmreader.core.query import SearchEngine, SearchResult, parse_query
from vlmreader.core.store import Library
from vlmreader.resources import styles_dir
from vlmreader.tui.widgets.detail_pane import DetailPane, NoteEditor
from vlmreader.tui.widgets.paper_list import PaperList
from vlmreader.tui.widgets.search_bar import SearchBar

STATUS_CYCLE = {"unread": "queued", "queued": "reading", "reading": "read", "read": "unread", "skipped": "queued"}
MAX_UNDO_STEPS = 100
NARROW_WIDTH = 100
"""Below this many columns the detail pane goes under the list instead of beside it."""


class VlmReaderApp(App):
    """vlmreader's TUI."""

    CSS_PATH = str(styles_dir() / "app.tcss")
    TITLE = "vlmreader"

    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True, show=False),
        Binding("q", "quit", "Quit", tooltip="Quit vlmreader"),
        Binding("slash", "focus_search", "Search", tooltip="Type a query"),
        Binding("escape", "focus_list", "List", show=False, tooltip="Back to the paper list"),
        Binding("s", "toggle_star", "Star", tooltip="Star or unstar"),
        Binding("r", "cycle_status", "Status", tooltip="unread → queued → reading → read"),
        Binding("x", "skip", "Skip", tooltip="Mark as skipped (not relevant)"),
        Binding("n", "edit_note", "Note", tooltip="Write a note on the highlighted paper"),
        Binding("u", "undo", "Undo", tooltip="Undo the last annotation change"),
    ]

    def __init__(self, library: Library):
        super().__init__()
        self.library = library
        self.engine = SearchEngine(library)
        self._undo: list[dict[str, Annotation]] = []
        self._search_serial = 0

    # -- layout ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield SearchBar(id="search-bar")
        with Horizontal(id="main"):
            yield PaperList(self.library.annotation, id="papers")
            yield DetailPane(id="detail")
        yield Footer()

    def on_mount(self) -> None:
        self.paper_list.focus()
        self._show_result(self.engine.search(""))

    def on_resize(self) -> None:
        self.screen.set_class(self.size.width < NARROW_WIDTH, "-narrow")

    @property
    def paper_list(self) -> PaperList:
        return self.query_one(PaperList)

    @property
    def search_bar(self) -> SearchBar:
        return self.query_one(SearchBar)

    # -- searching ---------------------------------------------------------------------

    @on(SearchBar.QueryChanged)
    def _query_changed(self, event: SearchBar.QueryChanged) -> None:
        self._search_serial += 1
        self._search(event.text, self._search_serial)

    @work(thread=True, exclusive=True, group="search")
    def _search(self, text: str, serial: int) -> None:
        result = self.engine.index.search(parse_query(text))
        self.call_from_thread(self._search_done, result, serial)

    def _search_done(self, result: SearchResult, serial: int) -> None:
        if serial == self._search_serial:  # a newer query is already on its way: drop this one
            self._show_result(result)

    def _show_result(self, result: SearchResult, keep_paper: str | None = None) -> None:
        self.paper_list.show_result(result, keep_paper)
        self._update_count()
        self._show_highlighted()

    def _update_count(self) -> None:
        result = self.paper_list.result
        self.search_bar.show_count(
            len(result), len(self.library), len(self.paper_list.selected), result.query.problems
        )

    def _research(self) -> None:
        """Search again after annotations changed (filters like is:starred depend on them)."""
        keep = self.paper_list.highlighted_id
        self._show_result(self.engine.search(self.search_bar.text), keep_paper=keep)

    @on(PaperList.Highlighted)
    def _show_highlighted(self) -> None:
        paper_id = self.paper_list.highlighted_id
        self.query_one(DetailPane).show(self.library.get(paper_id) if paper_id else None)

    @on(PaperList.SelectionChanged)
    def _selection_changed(self) -> None:
        self._update_count()

    # -- annotating --------------------------------------------------------------------

    def _targets(self) -> list[str]:
        """The selected papers, or the highlighted one when nothing is selected."""
        if self.paper_list.selected:
            return sorted(self.paper_list.selected)
        highlighted = self.paper_list.highlighted_id
        return [highlighted] if highlighted else []

    def _annotate(self, paper_ids: list[str], change) -> None:
        """Apply a library change to `paper_ids` as one undo step, then refresh the screen."""
        if not paper_ids:
            return
        before = {paper_id: self.library.annotation(paper_id) for paper_id in paper_ids}
        try:
            change(paper_ids)
        except Exception as error:  # noqa: BLE001 - shown, never a crash
            self.notify(escape(str(error)), title="Not saved", severity="error")
            return
        self._undo.append(before)
        del self._undo[:-MAX_UNDO_STEPS]
        self.paper_list.refresh_rows()
        self._research()

    def action_toggle_star(self) -> None:
        targets = self._targets()
        star = not all(self.library.annotation(pid).starred for pid in targets)
        self._annotate(targets, lambda ids: self.library.set_starred(ids, star))

    def action_cycle_status(self) -> None:
        targets = self._targets()
        if not targets:
            return
        status = STATUS_CYCLE[self.library.annotation(targets[0]).status]
        self._annotate(targets, lambda ids: self.library.set_status(ids, status))

    def action_skip(self) -> None:
        self._annotate(self._targets(), lambda ids: self.library.set_status(ids, "skipped"))

    def action_undo(self) -> None:
        if not self._undo:
            self.notify("Nothing to undo.")
            return
        previous = self._undo.pop()
        self.library.restore_annotations(previous)
        self.paper_list.refresh_rows()
        self._research()
        self.notify(f"Undone ({len(previous)} paper{'s' if len(previous) > 1 else ''}).")

    @on(NoteEditor.Saved)
    def _note_saved(self, event: NoteEditor.Saved) -> None:
        if event.paper_id in self.library:
            self._annotate([event.paper_id], lambda ids: self.library.set_note(ids[0], event.text))

    # -- focus ---------------------------------------------------------------------------

    def action_focus_search(self) -> None:
        self.search_bar.input.focus()

    def action_focus_list(self) -> None:
        self.paper_list.focus()

    def action_edit_note(self) -> None:
        if self.paper_list.highlighted_id:
            self.query_one(NoteEditor).focus()


def make_app(library: Library) -> VlmReaderApp:
    """The app over `library` (tests pass a library in a temporary home)."""
    return VlmReaderApp(library)

