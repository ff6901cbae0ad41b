"""The interactive app: search as you type, triage with single keys.

The app owns the library: widgets post messages, the app calls the core, records the undo step
and refreshes what is shown. Searches run in a worker thread so typing never waits for them;
the library itself is only touched from the event loop (see `Library`'s threading note).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from pathlib import Path

from rich.markup import escape
from rich.text import Text
from textual import on, work
from textual.worker import get_current_worker
from textual.app import App, ComposeResult, SuspendNotSupported, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.timer import Timer

from vlmreader.core.models import Annotation, UserError
from vlmreader.core.vocabulary import STATUSES
from vlmreader.core.search import SearchEngine, SearchIndex, SearchResult, parse_query
from vlmreader.core.library import Library
from vlmreader.resources import styles_dir
from vlmreader.tui import screens
from vlmreader.tui.commands import PaperProvider
from vlmreader.tui.messages import SearchFinished
from vlmreader.tui.settings import load_settings, save_setting
from vlmreader.tui.widgets import DetailPane, KeyFooter, NoteEditor, PaperList, SearchBar
from vlmreader.tui.widgets.sidebar import Sidebar, SidebarCounts

STATUS_CYCLE = {"unread": "queued", "queued": "reading", "reading": "read", "read": "unread", "skipped": "queued"}
MAX_UNDO_STEPS = 100
NARROW_WIDTH = 100
"""Below this many columns the detail pane goes under the list and the sidebar starts hidden."""
DEFAULT_EXPORT_FILE = "references.bib"
DETAIL_DELAY_WHILE_TYPING = 0.15
"""Seconds after the last keystroke in the search bar before the detail pane shows the top paper."""
OUTSIDE_CHANGES_INTERVAL = 2.0
"""Seconds between checks for changes other processes made to the library (two stat calls)."""
_SIDEBAR_FILTER = re.compile(r'(?<!\S)(?:is|in|tag):(?:"[^"]*"|\S+)\s*')


class VlmReaderApp(App):
    """vlmreader's TUI."""

    CSS_PATH = str(styles_dir() / "app.tcss")
    AUTO_FOCUS = "PaperList"
    TITLE = "vlmreader"
    COMMANDS = App.COMMANDS | {PaperProvider}

    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True, show=False),
        Binding("q", "quit", "Quit", tooltip="Quit vlmreader"),
        Binding("slash", "focus_search", "Search", tooltip="Type a query"),
        Binding("escape", "focus_list", "List", show=False, tooltip="Back to the paper list"),
        Binding("s", "toggle_star", "Star", tooltip="Star or unstar"),
        Binding("r", "cycle_status", "Status", tooltip="unread → queued → reading → read"),
        Binding("x", "skip", "Skip", tooltip="Mark as skipped (not relevant)"),
        Binding("t", "add_tags", "Tag", tooltip="Add tags (comma-separated, with completion)"),
        Binding("T", "remove_tag", "Untag", show=False, tooltip="Remove a tag"),
        Binding("n", "edit_note", "Note", tooltip="Write a note on the highlighted paper"),
        Binding("e", "export", "Export", tooltip="Export the selection (or the highlighted paper) to a .bib file"),
        Binding("y", "copy_bibtex", "Copy", tooltip="Copy the selection's BibTeX to the clipboard"),
        Binding("o", "open_url", "Open", show=False, tooltip="Open the paper's url in the browser"),
        Binding("ctrl+e", "edit_in_editor", "Editor", show=False, tooltip="Edit the note in $EDITOR"),
        Binding("z", "triage", "Triage", tooltip="One paper at a time, one key per decision"),
        Binding("u", "undo", "Undo", tooltip="Undo the last annotation change"),
        Binding("b", "toggle_sidebar", "Sidebar", show=False, tooltip="Show or hide the sidebar"),
        Binding("question_mark", "help", "Help", tooltip="Every key"),
    ]

    def __init__(
        self,
        library: Library | None = None,
        triage_query: str | None = None,
        open_library: Callable[[], Library] | None = None,
    ):
        super().__init__()
        self.library = library
        """The library; None until `open_library` has run in the background."""
        self._open_library = open_library
        self.triage_query = triage_query
        """Start in triage mode over this query (`vlmreader triage QUERY`)."""
        self.engine = SearchEngine(library) if library is not None else None
        self._undo: list[dict[str, Annotation]] = []
        self._search_serial = 0
        self._collection_counts: tuple[int, list[tuple[str, int]]] = (-1, [])
        self._outside_changes_pending = False
        self._outside_error = ""
        self._detail_timer: Timer | None = None

    # -- layout ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield SearchBar(id="search-bar")
        with Horizontal(id="main"):
            yield Sidebar(id="sidebar")
            yield PaperList(lambda paper_id: self.library.annotation(paper_id), id="papers")
            yield DetailPane(id="detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(Sidebar).display = self.size.width >= NARROW_WIDTH
        if self.library is not None:
            self._library_ready(self.library, self.engine)
            return
        # A large library takes seconds to open: show the screen at once, and that it is loading.
        self.search_bar.show_status("opening the library…")
        self._load_library()

    @work(thread=True, exit_on_error=False)
    def _load_library(self) -> None:
        try:
            library = self._open_library()
            engine = SearchEngine(library)
            engine.index  # build or load the search index here, off the event loop
        except UserError as error:
            self.call_from_thread(self.exit, return_code=1, message=Text(f"vlmreader: error: {error}"))
        else:
            self.call_from_thread(self._library_ready, library, engine)

    def _library_ready(self, library: Library, engine: SearchEngine) -> None:
        self.library, self.engine = library, engine
        theme = load_settings(library.home).get("theme")
        if theme in self.available_themes:
            self.theme = theme
        self.theme_changed_signal.subscribe(self, lambda theme: save_setting(library.home, "theme", theme.name))
        self._show_result(engine.search(self.search_bar.text))
        self._show_highlighted()  # now rather than on the list's message: one layout, not two
        self._update_sidebar()
        self.refresh_bindings()
        self.set_interval(OUTSIDE_CHANGES_INTERVAL, self._pick_up_outside_changes)
        if self.triage_query is not None:
            self.start_triage(self.triage_query or "is:unread")

    def _pick_up_outside_changes(self) -> None:
        """Show what other vlmreader processes (the CLI in another terminal) wrote meanwhile."""
        try:
            self._outside_changes_pending |= self.library.refresh()
        except UserError as error:
            if str(error) != self._outside_error:  # say it once, not every two seconds
                self._outside_error = str(error)
                self.notify(escape(str(error)), title="Library", severity="error")
            return
        self._outside_error = ""
        if self._outside_changes_pending and len(self.screen_stack) <= 1:
            self._outside_changes_pending = False
            self._after_annotation_change()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The main screen's keys apply on the main screen only, once the library is open."""
        if action in {"quit", "help"}:
            return True
        return self.library is not None and len(self.screen_stack) <= 1

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
        if self.engine is None:
            return  # still opening: the query typed so far is searched when the library is ready
        self._search_serial += 1
        # The engine reads the library, so it is asked for the index here, on the event loop;
        # the worker only searches the index, which is safe across threads.
        self._search(self.engine.index, event.text, self._search_serial)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _search(self, index: SearchIndex, text: str, serial: int) -> None:
        result = index.search(parse_query(text))
        if not get_current_worker().is_cancelled:
            self.post_message(SearchFinished(result, serial))

    @on(SearchFinished)
    def _search_done(self, event: SearchFinished) -> None:
        if event.serial == self._search_serial:  # a newer query is already on its way: drop this one
            self._show_result(event.result)

    def _show_result(self, result: SearchResult, keep_paper: str | None = None) -> None:
        """Show a result; the list then posts `Highlighted`, which fills the detail pane."""
        self.paper_list.show_result(result, keep_paper)
        self._update_count()

    def _update_count(self) -> None:
        result = self.paper_list.result
        self.search_bar.show_count(
            len(result), len(self.library), len(self.paper_list.selected), result.query.problems
        )

    def _research(self) -> None:
        """Search again after annotations changed (filters like is:starred depend on them)."""
        keep = self.paper_list.highlighted_id
        self._search_serial += 1
        self._show_result(self.engine.search(self.search_bar.text), keep_paper=keep)

    @on(PaperList.Highlighted)
    def _highlighted(self) -> None:
        if self.search_bar.input.has_focus:
            # While a query is typed the top paper changes with every key: laying out its abstract
            # each time would double the frame, so the pane follows once the typing pauses.
            if self._detail_timer is not None:
                self._detail_timer.stop()
            self._detail_timer = self.set_timer(DETAIL_DELAY_WHILE_TYPING, self._show_highlighted)
        else:
            self._show_highlighted()

    def _show_highlighted(self) -> None:
        if self._detail_timer is not None:
            self._detail_timer.stop()
            self._detail_timer = None
        if self.library is None:
            return
        paper_id = self.paper_list.highlighted_id
        self.query_one(DetailPane).show(self.library.get(paper_id) if paper_id else None, self.search_bar.text)

    @on(PaperList.SelectionChanged)
    def _selection_changed(self) -> None:
        self._update_count()

    # -- the sidebar ---------------------------------------------------------------------

    def _update_sidebar(self) -> None:
        if self._collection_counts[0] != self.library.papers_version:
            self._collection_counts = (self.library.papers_version, self.library.collection_counts())
        annotations = self.library.annotations().values()
        statuses = {status: 0 for status in STATUSES}
        for annotation in annotations:
            statuses[annotation.status] += 1
        statuses["unread"] = len(self.library) - sum(statuses.values()) + statuses["unread"]
        self.query_one(Sidebar).show_counts(
            SidebarCounts(
                total=len(self.library),
                starred=sum(1 for annotation in annotations if annotation.starred),
                statuses=statuses,
                collections=self._collection_counts[1],
                tags=self.library.tag_counts(),
            )
        )

    @on(Sidebar.FilterChosen)
    def _filter_chosen(self, event: Sidebar.FilterChosen) -> None:
        words = _SIDEBAR_FILTER.sub("", self.search_bar.text).strip()
        self.search_bar.set_text(" ".join(part for part in (event.query_filter, words) if part) + " ")
        self.paper_list.focus()

    def action_toggle_sidebar(self) -> None:
        sidebar = self.query_one(Sidebar)
        sidebar.display = not sidebar.display
        if sidebar.display:
            sidebar.focus()

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
        except UserError as error:
            self.notify(escape(str(error)), title="Not saved", severity="error")
            return
        self._undo.append(before)
        del self._undo[:-MAX_UNDO_STEPS]
        self._after_annotation_change()

    def _after_annotation_change(self) -> None:
        self.paper_list.refresh_rows()
        self._research()
        self._update_sidebar()

    def toggle_star(self, paper_ids: list[str]) -> None:
        """Star the papers, or unstar them if all are starred already."""
        star = not all(self.library.annotation(pid).starred for pid in paper_ids)
        self._annotate(paper_ids, lambda ids: self.library.set_starred(ids, star))

    def set_status(self, paper_ids: list[str], status: str) -> None:
        self._annotate(paper_ids, lambda ids: self.library.set_status(ids, status))

    def action_toggle_star(self) -> None:
        self.toggle_star(self._targets())

    def action_cycle_status(self) -> None:
        targets = self._targets()
        if not targets:
            return
        status = STATUS_CYCLE[self.library.annotation(targets[0]).status]
        self._annotate(targets, lambda ids: self.library.set_status(ids, status))

    def action_skip(self) -> None:
        self.set_status(self._targets(), "skipped")

    def ask_for_tags(self, paper_ids: list[str], after=None) -> None:
        """Ask for tags to add to `paper_ids`; call `after` once they are saved."""
        if not paper_ids:
            return

        def add(tags: list[str] | None) -> None:
            if tags:
                self._annotate(paper_ids, lambda ids: self.library.add_tags(ids, tags))
            if after is not None:
                after()

        known = [tag for tag, _ in self.library.tag_counts()]
        self.push_screen(screens.AddTagsScreen(len(paper_ids), known), add)

    def action_add_tags(self) -> None:
        self.ask_for_tags(self._targets())

    def ask_for_note(self, paper_id: str, after=None) -> None:
        """Edit `paper_id`'s note in a dialog; call `after` once it is saved."""
        paper = self.library.get(paper_id)

        def save(text: str | None) -> None:
            if text is not None:
                self._annotate([paper_id], lambda ids: self.library.set_note(ids[0], text))
            if after is not None:
                after()

        self.push_screen(screens.NoteScreen(paper.title, paper.note), save)

    def action_edit_in_editor(self) -> None:
        """Edit the highlighted paper's note in $EDITOR, with the app suspended."""
        paper_id = self.paper_list.highlighted_id
        if paper_id is None:
            return
        import os
        import shlex
        import subprocess
        import tempfile

        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        note = self.library.get(paper_id).note
        with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False, encoding="utf-8") as file:
            file.write(note)
        path = Path(file.name)
        try:
            with self.suspend():
                subprocess.run([*shlex.split(editor), str(path)], check=False)
            text = path.read_text(encoding="utf-8").rstrip("\n")
        except SuspendNotSupported:
            self.notify("This terminal cannot hand over to an editor; press n to edit here.", severity="warning")
            return
        except (OSError, ValueError) as error:
            self.notify(escape(f"Could not run {editor}: {error}"), severity="error")
            return
        finally:
            path.unlink(missing_ok=True)
        if text != note:
            self._annotate([paper_id], lambda ids: self.library.set_note(ids[0], text))

    # -- triage --------------------------------------------------------------------------

    def action_triage(self) -> None:
        """Triage the papers the query shows (the unread ones when the query is empty)."""
        text = self.search_bar.text.strip() or "is:unread"
        self.start_triage(text)

    def start_triage(self, query: str) -> None:
        paper_ids = self.engine.search(query).paper_ids()
        if not paper_ids:
            self.notify(escape(f"Nothing to triage: no paper matches {query!r}."), severity="warning")
            return
        self.push_screen(screens.TriageScreen(paper_ids, query, self.library.get), lambda _: self._research())

    def action_remove_tag(self) -> None:
        targets = self._targets()
        tags = list(dict.fromkeys(tag for pid in targets for tag in self.library.annotation(pid).tags))
        if not tags:
            self.notify("No tags to remove.")
            return

        def remove(tag: str | None) -> None:
            if tag:
                self._annotate(targets, lambda ids: self.library.remove_tags(ids, [tag]))

        self.push_screen(screens.RemoveTagScreen(tags), remove)

    def action_undo(self) -> None:
        if not self._undo:
            self.notify("Nothing to undo.")
            return
        previous = self._undo.pop()
        try:
            self.library.restore_annotations(previous)
        except UserError as error:
            self.notify(escape(str(error)), title="Not undone", severity="error")
            return
        self._after_annotation_change()
        self.notify(f"Undone ({len(previous)} paper{'s' if len(previous) > 1 else ''}).")

    @on(NoteEditor.Saved)
    def _note_saved(self, event: NoteEditor.Saved) -> None:
        if event.paper_id in self.library:
            self._annotate([event.paper_id], lambda ids: self.library.set_note(ids[0], event.text))

    # -- BibTeX out ----------------------------------------------------------------------

    def _bibtex_papers(self):
        return [self.library.get(paper_id) for paper_id in self._targets()]

    def action_export(self) -> None:
        papers = self._bibtex_papers()
        if not papers:
            return

        def export(request: screens.ExportRequest) -> str | None:
            from vlmreader.core.formats.bibtex import export_to_file

            try:
                report = export_to_file(papers, request.path, append=request.append)
            except UserError as error:
                return str(error)
            skipped = f" ({report.already_there} already there)" if report.already_there else ""
            self.notify(escape(f"Exported {report.written} paper{'s' if report.written != 1 else ''} to {report.path}{skipped}"))
            return None

        self.push_screen(screens.ExportScreen(len(papers), str(Path.cwd() / DEFAULT_EXPORT_FILE), export))

    def action_copy_bibtex(self) -> None:
        papers = self._bibtex_papers()
        if not papers:
            return
        from vlmreader.core.formats.bibtex import export_bibtex

        text = export_bibtex(papers)
        count = f"{len(papers)} BibTeX entr{'ies' if len(papers) != 1 else 'y'}"
        try:
            import pyperclip

            pyperclip.copy(text)
        except Exception:  # noqa: BLE001 - pyperclip raises its own types, or fails to import a backend
            # No clipboard program (a server, SSH): ask the terminal to copy, with OSC 52.
            self.copy_to_clipboard(text)
            self.notify(f"Copied {count} through the terminal (OSC 52): no system clipboard was found.")
        else:
            self.notify(f"Copied {count} to the clipboard.")

    def action_open_url(self) -> None:
        paper_id = self.paper_list.highlighted_id
        url = self.library.get(paper_id).url if paper_id else ""
        if not url:
            self.notify("This paper has no url.", severity="warning")
            return
        self.open_url(url)
        self.notify(escape(f"Opening {url}"))

    # -- the command palette ---------------------------------------------------------------

    def go_to_paper(self, paper_id: str) -> None:
        """Clear the query and highlight `paper_id`."""
        self.search_bar.set_text("")
        self._search_serial += 1
        self._show_result(self.engine.search(""), keep_paper=paper_id)
        self.paper_list.focus()

    def get_system_commands(self, screen):
        """Textual's own commands, and every key of the main screen, prefixed by area."""
        yield from super().get_system_commands(screen)
        if screen is not self.screen_stack[0]:
            return  # the palette was opened over triage or a dialog
        areas = {
            "toggle_star": "paper", "cycle_status": "paper", "skip": "paper", "add_tags": "paper",
            "remove_tag": "paper", "edit_note": "paper", "edit_in_editor": "paper", "open_url": "paper",
            "export": "export", "copy_bibtex": "export", "undo": "edit", "triage": "triage",
            "toggle_sidebar": "view", "focus_search": "view",
        }
        for binding in self.BINDINGS:
            area = areas.get(binding.action)
            if area:
                yield SystemCommand(
                    f"{area}: {binding.tooltip or binding.description}",
                    f"key {self.get_key_display(binding)}",
                    partial(self.run_action, binding.action),
                )

    # -- focus and help -----------------------------------------------------------------

    def action_focus_search(self) -> None:
        self.search_bar.input.focus()

    def action_focus_list(self) -> None:
        self.paper_list.focus()
        if self._detail_timer is not None:  # back from typing: show the paper at once
            self._show_highlighted()

    def action_edit_note(self) -> None:
        if self.paper_list.highlighted_id:
            self.query_one(NoteEditor).focus()

    def action_help(self) -> None:
        """List every key that applies where the focus is, from the active bindings."""
        by_action: dict[tuple, list] = {}
        for key, active in self.active_bindings.items():
            binding = active.binding
            entry = by_action.setdefault((active.node, binding.action), [[], binding.description, binding.tooltip])
            entry[0].append(self.get_key_display(binding) if binding.key == key else key)
        rows = [(", ".join(dict.fromkeys(keys)), description, tooltip) for keys, description, tooltip in by_action.values()]
        self.push_screen(screens.HelpScreen(rows))


def make_app(
    library: Library | None = None,
    triage_query: str | None = None,
    open_library: Callable[[], Library] | None = None,
) -> VlmReaderApp:
    """The app over `library`, or over the one `open_library` opens in the background once the
    screen is up (as `vlmreader` does; tests mostly pass a library in a temporary home)."""
    return VlmReaderApp(library, triage_query, open_library)
