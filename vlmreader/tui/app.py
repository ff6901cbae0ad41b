"""The interactive app: it owns the library, the undo history and the workers.

Screens show the library and ask the app for changes with messages (`tui/messages.py`); the
app calls the core, records the undo step and tells every screen that the library changed.
Searches typed into the search bar run in a worker thread, on the search index, which is safe
across threads; the library itself is only touched from the event loop (see `Library`).

The relevance ranking (papers matching most of the words, `like:`, the detail pane's closest
papers, suggested tags) builds or loads its index on first use: a third of a second here,
seconds for a large library. Whatever may need it runs in a worker, never on the event loop.

Sync (`[sync] auto` in config.toml, or "sync now" in the palette) runs in a worker too, through
a library of its own on the same home (`tui/syncing.py`); the app then picks up what it brought
in as it picks up another process's changes.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.text import Text
from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerState, get_current_worker

from vlmreader.core.config import Config
from vlmreader.core.files import resume_garbage_collection
from vlmreader.core.formats.copying import COPY_FORMATS
from vlmreader.core.library import Library, LibraryBusy, LibraryReadOnly
from vlmreader.core.library.history import History
from vlmreader.core.models import NoteChangedElsewhere, SetNote, UserError
from vlmreader.core.search import Query, SearchEngine, SearchIndex, SearchResult, parse_query
from vlmreader.core.search.engine import SCREENFUL
from vlmreader.core.text import visible
from vlmreader.core.vocabulary import UNREAD, counted, state_filter
from vlmreader.resources import styles_dir
from vlmreader.tui import screens
from vlmreader.tui.commands import PaperProvider
from vlmreader.tui.kept_exports import KeptExportNotices, LibraryView
from vlmreader.tui.messages import (
    AddRequested,
    AnnotationRequested,
    CancelJobRequested,
    EnrichRequested,
    FetchRequested,
    ExportRequested,
    KeepApartRequested,
    LibraryChanged,
    MergeRequested,
    RelatedFound,
    RelatedRequested,
    SearchFinished,
    SearchRequested,
    TagSuggestionsRequested,
    TriageRequested,
    UndoRequested,
)
from vlmreader.tui.screens.main import MainScreen
from vlmreader.tui.settings import SETTINGS_FILE, UnreadableSettings, load_settings, save_setting
from vlmreader.tui.syncing import BackgroundSync, SyncOutcome, sync_line

if TYPE_CHECKING:
    from vlmreader.tui.screens.export import ExportScreen
    from vlmreader.tui.screens.tags import AddTagsScreen

_FAILED = object()
"""What `_attempt` gives for a write that failed (None can be a write's own answer)."""
BUSY_RETRY_SECONDS = 0.5
"""How often changes waiting for another process's lock are tried again."""
FETCHED_CATEGORIES = ("cs.CV", "cs.CL")
"""The arXiv categories the palette offers to fetch (the CLI fetches any)."""
FETCHED_DAYS = 2
"""Days of submissions the palette fetches, today included (`vlmreader fetch arxiv`'s default)."""
OUTSIDE_CHANGES_INTERVAL = 2.0
"""Seconds between checks for changes other processes made to the library (two stat calls)."""
RELATED_SHOWN = 3
"""The detail pane lists this many of the papers most like the highlighted one."""
SUGGESTED_TAGS = 5
SUGGESTION_SOURCES = 10
"""Tags are suggested for at most this many of the selected papers, merged."""
SYNC_LINE_INTERVAL = 60.0
"""Seconds between updates of the footer's "synced N min ago"."""


def ranks_by_relevance(query: Query) -> bool:
    """Whether searching `query` takes the relevance ranking (free words, whose partial matches
    it ranks, or `like:`): such a search runs in a worker, since the ranking may have to be
    built first and costs more than a keystroke on a large library even once it is."""
    return bool(query.like or query.words)


def suggested_tags_for(index: SearchIndex, paper_ids: list[str], limit: int = SUGGESTED_TAGS) -> list[str]:
    """The tags to suggest for `paper_ids` together: each paper's suggestions, merged by rank (a
    tag first for one paper weighs as much as one second for two), ties by first seen."""
    weights: dict[str, float] = {}
    for paper_id in paper_ids[:SUGGESTION_SOURCES]:
        for rank, tag in enumerate(index.suggested_tags(paper_id, limit)):
            weights[tag] = weights.get(tag, 0.0) + 1.0 / (rank + 1)
    return sorted(weights, key=lambda tag: -weights[tag])[:limit]


class VlmReaderApp(App):
    """vlmreader's TUI."""

    CSS_PATH = str(styles_dir() / "app.tcss")
    TITLE = "vlmreader"
    COMMANDS = App.COMMANDS | {PaperProvider}

    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True, show=False, id="app.quit"),
        Binding("question_mark", "help", "Help", tooltip="Every key", id="app.help"),
    ]

    sync_line: reactive[str] = reactive("")
    """What the footer says about sync ("synced 2 min ago", "sync failed: ..."); empty while
    automatic sync is off and no sync has run."""

    def __init__(
        self,
        library: Library | None = None,
        triage_query: str | None = None,
        open_library: Callable[[], Library] | None = None,
        config: Config | None = None,
    ):
        super().__init__()
        self.library = library
        """The library; None until `open_library` has run in the background."""
        self._open_library = open_library
        self.config = config or Config()
        self.triage_query = triage_query
        """Start in triage mode over this query (`vlmreader triage QUERY`)."""
        self.engine = SearchEngine(library) if library is not None else None
        self.history = History()
        self.main_screen = MainScreen(export_path=self.config.export_path, copy_format=self.config.copy_format)
        self._search_serial = 0
        self._waiting: deque[AnnotationRequested] = deque()
        """Changes asked for and not yet saved, in order (see `_save_waiting`)."""
        self._retry_timer: Timer | None = None
        self._said_busy = False
        self._said_read_only = False
        self._notes_in_conflict: set[str] = set()
        self._outside_error = ""
        self._theme_from_config = self.config.theme is not None
        self._said_relevance_failed = False
        self._kept_exports_lock = threading.Lock()
        """Held by the worker refreshing or registering kept exports: one at a time, in order."""
        self._kept_export_notices = KeptExportNotices()
        self._background_sync: BackgroundSync | None = None
        self._sync_running = False
        self._sync_again = False
        """A sync was asked for while one ran: it runs when that one ends (never two at once)."""
        self._synced_at: float | None = None
        """When the last sync ended well (monotonic seconds)."""
        self._sync_error = ""
        self._sync_line_timer: Timer | None = None
        self._idle_sync_timer: Timer | None = None
        if self.config.keymap:
            self.set_keymap(self.config.keymap)

    def get_default_screen(self) -> Screen:
        return self.main_screen

    def notify(self, message: str, *, title: str = "", **options) -> None:
        """Every notification, with titles, paths and errors in it shown literally (see `visible`)."""
        super().notify(visible(message), title=visible(title), **options)

    # -- opening -------------------------------------------------------------------------

    def on_mount(self) -> None:
        if self.config.keymap:
            from vlmreader.tui.keymap import taken_keys

            for taken in taken_keys(self.config.keymap):
                self.notify(escape(f"{taken} (config.toml [keymap])"), title="Keymap", severity="warning")
        if self.library is not None:
            self._library_ready(self.library, self.engine)
            return
        # A large library takes seconds to open: show the screen at once, and that it is loading.
        self.main_screen.show_opening()
        self._load_library()

    @work(thread=True, exit_on_error=False)
    def _load_library(self) -> None:
        try:
            library = self._open_library()
            engine = SearchEngine(library)
            engine.index  # build or load the search index here, off the event loop
        except UserError as error:
            self.call_from_thread(self.exit, return_code=1, message=Text(visible(f"vlmreader: error: {error}")))
        else:
            self.call_from_thread(self._library_ready, library, engine)

    def _library_ready(self, library: Library, engine: SearchEngine) -> None:
        self.library, self.engine = library, engine
        library.lock_timeout = 0  # the event loop never waits for another process: see _save_waiting
        read_only = library.read_only_reason()
        if read_only is not None:
            self._refuse_read_only(f"{read_only}: the library can be searched and exported, not changed")
        self._apply_theme(library)
        self.main_screen.show_library(library, self._result_at_once)
        self.call_after_refresh(resume_garbage_collection)  # paused by the start-up (cli.main)
        self.set_interval(OUTSIDE_CHANGES_INTERVAL, self._pick_up_outside_changes)
        if self.triage_query is not None:
            self._start_triage(self.triage_query or state_filter(UNREAD))
        if self.config.auto_sync and self._sync_is_set_up():
            self._show_sync_line()
            self.call_after_refresh(self._start_sync)  # once the first screen is painted

    def _apply_theme(self, library: Library) -> None:
        """The config's theme, else the one last chosen in the palette (kept in settings.json)."""
        try:
            remembered = load_settings(library.home).get("theme")
        except UnreadableSettings as error:
            remembered = None
            self.notify(
                escape(f"{error}: using the default theme. It is kept as {SETTINGS_FILE}.bak when you next choose one."),
                title="Settings",
                severity="warning",
            )
        theme = self.config.theme or remembered
        if theme in self.available_themes:
            self.theme = theme
        self.theme_changed_signal.subscribe(self, partial(self._theme_chosen, library))

    def _theme_chosen(self, library: Library, theme) -> None:
        if self._theme_from_config:
            if theme.name != self.config.theme:
                self.notify(
                    escape(f"config.toml sets the theme to {self.config.theme}: change it there to keep {theme.name}."),
                    title="Theme",
                )
            return
        save_setting(library.home, "theme", theme.name)

    def _pick_up_outside_changes(self) -> None:
        """Show what other vlmreader processes (the CLI in another terminal) wrote meanwhile."""
        try:
            changed = self.library.refresh()
        except UserError as error:
            if str(error) != self._outside_error:  # say it once, not every two seconds
                self._outside_error = str(error)
                self.notify(escape(str(error)), title="Library", severity="error")
            return
        self._outside_error = ""
        if changed:
            self._library_changed(here=False)

    def _library_changed(self, here: bool = True) -> None:
        """Tell every screen; `here`: the app made the change (the automatic sync waits for
        `idle_seconds` after the last of those)."""
        for screen in self.screen_stack:
            screen.post_message(LibraryChanged())
        self._refresh_kept_exports()
        if here:
            self._sync_when_idle()

    # -- searching -----------------------------------------------------------------------

    def _screenful(self) -> int:
        """How many papers the list shows at once: fewer with every word, and those with most
        of the words follow."""
        try:
            return self.main_screen.paper_list.rows_shown or SCREENFUL
        except NoMatches:  # not composed yet (`vlmreader triage QUERY` opens straight into triage)
            return SCREENFUL

    @on(SearchRequested)
    def _search_requested(self, request: SearchRequested) -> None:
        if self.engine is None:
            return  # still opening: the query typed so far is searched when the library is ready
        self._search_serial += 1
        query = parse_query(request.text)
        if request.in_worker or ranks_by_relevance(query):
            # The engine reads the library, so it is asked for the index here, on the event loop;
            # the worker only searches the index, which is safe across threads.
            self._search(self.engine.index, query, self._screenful(), self._search_serial, request.keep_paper)
        else:
            result = self.engine.search(query, screenful=self._screenful(), wait=False)
            self.main_screen.show_result(result, keep_paper=request.keep_paper)

    def _result_at_once(self, text: str) -> SearchResult:
        """What the list shows first, on the event loop (the query typed while a large library
        was opening): without what waits for the relevance index, which a worker then adds."""
        result = self.engine.search(text, screenful=self._screenful(), wait=False)
        if result.relevance_pending:
            self.post_message(SearchRequested(text, in_worker=True))
        return result

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _search(self, index: SearchIndex, query: Query, screenful: int, serial: int, keep_paper: str | None) -> None:
        result = index.search(query, screenful=screenful)
        if not get_current_worker().is_cancelled:
            self.post_message(SearchFinished(result, serial, keep_paper))

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR:
            return
        if event.worker.group in ("search", "triage"):
            self.notify(escape(f"The search failed: {event.worker.error!r}"), title="Search", severity="error")
        elif event.worker.group == "kept-exports":
            for message, severity in self._kept_export_notices.failed(repr(event.worker.error)):
                self.notify(escape(message), title="Kept export", severity=severity)
        elif event.worker.group == "sync":
            self._sync_ended(SyncOutcome(None, f"{event.worker.error!r}", manual=True))
        elif event.worker.group in ("related", "tag-suggestions") and not self._said_relevance_failed:
            self._said_relevance_failed = True  # once: the detail pane asks on every paper
            self.notify(
                escape(f"Papers like this one could not be ranked: {event.worker.error!r}"), title="Like this", severity="error"
            )

    @on(SearchFinished)
    def _search_finished(self, event: SearchFinished) -> None:
        if event.serial == self._search_serial:  # a newer query is already on its way: drop this one
            self.main_screen.show_result(event.result, keep_paper=event.keep_paper)

    # -- more like this: the detail pane's closest papers, suggested tags ---------------------

    @on(RelatedRequested)
    def _related_requested(self, request: RelatedRequested) -> None:
        if self.engine is not None:
            self._find_related(self.engine.index, request.paper_id)

    @work(thread=True, exclusive=True, group="related", exit_on_error=False)
    def _find_related(self, index: SearchIndex, paper_id: str) -> None:
        related = [other for other, _ in index.related(paper_id, limit=RELATED_SHOWN)]
        if not get_current_worker().is_cancelled:
            self.main_screen.post_message(RelatedFound(paper_id, related))

    @on(TagSuggestionsRequested)
    def _tag_suggestions_requested(self, request: TagSuggestionsRequested) -> None:
        if self.engine is not None:
            self._suggest_tags(self.engine.index, request.paper_ids, request.dialog)

    @work(thread=True, exclusive=True, group="tag-suggestions", exit_on_error=False)
    def _suggest_tags(self, index: SearchIndex, paper_ids: list[str], dialog: AddTagsScreen) -> None:
        tags = suggested_tags_for(index, paper_ids)
        if not get_current_worker().is_cancelled:
            dialog.post_message(dialog.SuggestionsFound(tags))  # a dialog closed meanwhile drops it

    def go_to_paper(self, paper_id: str) -> None:
        """Clear the query and highlight `paper_id` (the palette's "go to")."""
        self._search_serial += 1
        self.main_screen.show_query("")
        self.main_screen.show_result(self.engine.search(""), keep_paper=paper_id)
        self.main_screen.paper_list.focus()

    # -- changing the library ------------------------------------------------------------

    @on(AnnotationRequested)
    def _annotation_requested(self, request: AnnotationRequested) -> None:
        self._waiting.append(request)
        self._save_waiting()

    def _save_waiting(self) -> None:
        """Apply the waiting requests in order. The app never waits for the library lock (its
        `lock_timeout` is 0): while another vlmreader holds it (a long import), requests wait
        here and are tried again every `BUSY_RETRY_SECONDS`."""
        if self._retry_timer is not None:
            self._retry_timer.stop()
            self._retry_timer = None
        while self._waiting:
            request = self._waiting[0]
            try:
                update = self.library.update(request.paper_ids, request.change)
            except LibraryBusy:
                if not self._said_busy and not self._sync_running:  # a sync's own writes are brief
                    self._said_busy = True
                    self.notify(
                        "Another vlmreader is changing the library (an import?): your changes wait and are "
                        "saved as soon as it is done.",
                        title="Waiting",
                        severity="warning",
                    )
                self._retry_timer = self.set_timer(BUSY_RETRY_SECONDS, self._save_waiting)
                return
            except LibraryReadOnly as error:
                self._waiting.clear()
                self._refuse_read_only(str(error))
                return
            except NoteChangedElsewhere as conflict:
                self._waiting.popleft()
                self._ask_which_note(request.paper_ids[0], request.change.note, conflict.current)
                continue
            except UserError as error:
                self._waiting.popleft()
                self.notify(escape(str(error)), title="Not saved", severity="error")
                continue
            self._waiting.popleft()
            self.history.record(update)
            if update.warning:
                self.notify(update.warning, title="Saved", severity="warning")
            self._library_changed()
        if self._said_busy:
            self._said_busy = False
            self.notify("The other vlmreader is done: your changes are saved.", title="Saved")

    def _ask_which_note(self, paper_id: str, mine: str, theirs: str) -> None:
        """The user's note and one written elsewhere meanwhile met: the user chooses (once per paper)."""
        if paper_id in self._notes_in_conflict:
            return  # already asked; the answer will settle this text too
        self._notes_in_conflict.add(paper_id)

        def settle(note: str | None) -> None:
            self._notes_in_conflict.discard(paper_id)
            note = note if note is not None else mine
            self.main_screen.note_resolved(paper_id, note)
            if note != theirs:
                self.post_message(AnnotationRequested([paper_id], SetNote(note, replacing=theirs)))

        title = self.library.get(paper_id).title
        self.push_screen(screens.NoteConflictScreen(title, mine, theirs), settle)

    def _attempt(self, write: Callable[[], Any], failure: str) -> Any:
        """Run one write to the library; if it fails, say why (read-only: once) and give `_FAILED`."""
        try:
            return write()
        except LibraryReadOnly as error:
            self._refuse_read_only(str(error))
        except UserError as error:
            self.notify(escape(str(error)), title=failure, severity="error")
        return _FAILED

    def _refuse_read_only(self, reason: str) -> None:
        """Say once that this library cannot be changed; after that, a refused key rings the bell."""
        if self._said_read_only:
            self.bell()
            return
        self._said_read_only = True
        self.notify(escape(reason), title="Read-only", severity="warning", timeout=10)

    @on(UndoRequested)
    def _undo_requested(self) -> None:
        if self._waiting:
            self.notify("Changes are still waiting to be saved; undo once they are.", title="Undo")
            return
        report = self._attempt(lambda: self.history.undo(self.library), "Not undone")
        if report is _FAILED:
            return
        if report is None:
            self.notify("Nothing to undo.")
            return
        self._library_changed()
        self.notify(f"Undone ({counted(len(report.papers), 'paper')}).")
        if report.kept:
            fields = ", ".join(dict.fromkeys(change.field for change in report.kept))
            self.notify(
                escape(f"Left as they are: {fields} of {counted(len({c.paper_id for c in report.kept}), 'paper')}, "
                       "changed elsewhere since."),
                title="Undo",
                severity="warning",
            )

    @on(MergeRequested)
    def _merge_requested(self, request: MergeRequested) -> None:
        merge = self._attempt(lambda: self.library.merge_papers(request.keep_id, request.other_id), "Not merged")
        if merge is _FAILED:
            return
        self.history.record_merge(merge)
        self._library_changed()
        self.notify(escape(f"Merged {merge.other.key} into {merge.kept.key} (u takes it back)."), title="Merged")

    @on(KeepApartRequested)
    def _keep_apart_requested(self, request: KeepApartRequested) -> None:
        papers = self._attempt(lambda: self.library.keep_apart(request.paper_ids), "Not saved")
        if papers is _FAILED:
            return
        self._library_changed()
        self.notify(f"Kept apart: {counted(len(papers), 'paper')} no longer count as duplicates of each other.")

    @on(ExportRequested)
    def _export_requested(self, request: ExportRequested) -> None:
        if request.kept_query is not None:
            self._keep_export_requested(request)
            return
        from vlmreader.core.formats import export_papers_to_file
        from vlmreader.core.formats.bibtex import export_to_file

        papers = [self.library.get(paper_id) for paper_id in request.paper_ids]
        try:
            if request.append:
                report = export_to_file(papers, request.path, append=True, paper_of_key=self.library.find_key)
                path, written, already_there = report.path, report.written, report.already_there
            else:
                path, written = export_papers_to_file(papers, request.path, request.format_name, self.library.find_key)
                already_there = 0
        except UserError as error:
            request.dialog.show_error(str(error))
            return
        request.dialog.dismiss()
        skipped = f" ({already_there} already there)" if already_there else ""
        self.notify(escape(f"Exported {counted(written, 'paper')} to {path} ({request.format_name}){skipped}"))

    # -- kept exports: files rewritten after every change to what their query finds ----------

    def _library_view(self) -> LibraryView:
        """What a kept-exports worker may read (see `LibraryView`), taken here on the event loop."""
        return LibraryView(self.library, self.engine.index)

    def _keep_export_requested(self, request: ExportRequested) -> None:
        problems = parse_query(request.kept_query).problems
        if problems:
            request.dialog.show_error("; ".join(problems))
            return
        if request.path.strip() == "-":
            request.dialog.show_error("give a file name: a kept export is a file")
            return
        request.dialog.show_writing()
        self._keep_export(self._library_view(), request.kept_query, request.path, request.format_name, request.dialog)

    @work(thread=True, group="keep-export", exit_on_error=False)
    def _keep_export(self, view: LibraryView, query: str, path: str, format_name: str, dialog: ExportScreen) -> None:
        from vlmreader.core.kept import KeptExports

        with self._kept_exports_lock:
            try:
                outcome: Any = KeptExports(view, view).keep(query, path, format_name)
            except (UserError, OSError) as error:
                outcome = error
            except Exception as error:  # noqa: BLE001 - the dialog waits for an answer, whatever happened
                outcome = UserError(f"the export failed: {error!r}")
        self.call_from_thread(self._export_kept, outcome, format_name, dialog)

    def _export_kept(self, outcome: Any, format_name: str, dialog: ExportScreen) -> None:
        from vlmreader.core.kept import WRITTEN

        if isinstance(outcome, Exception) or outcome.outcome != WRITTEN:
            reason = str(outcome) if isinstance(outcome, Exception) else outcome.message
            if dialog in self.screen_stack:
                dialog.show_error(reason)
            else:  # cancelled while it was being written
                self.notify(escape(reason), title="Not kept", severity="error")
            return
        if dialog in self.screen_stack:
            dialog.dismiss()
        export = outcome.export
        self._kept_export_notices.kept(export.path)
        self.notify(
            escape(f"Exported {counted(export.papers, 'paper')} to {export.path} ({format_name}); kept up to date from now on."),
            title="Kept export",
        )

    def _refresh_kept_exports(self) -> None:
        """After a change to the library, bring the kept exports up to date, in a worker. A burst
        of changes costs one refresh or two: a refresh waiting for the one under way is dropped
        when a newer one comes, and the newer one reads the library as it is then."""
        from vlmreader.core.kept import REGISTRY_FILE

        if self.library is None or not (self.library.home / REGISTRY_FILE).exists():
            return
        self._refresh_kept_exports_in_worker(self._library_view())

    @work(thread=True, exclusive=True, group="kept-exports", exit_on_error=False)
    def _refresh_kept_exports_in_worker(self, view: LibraryView) -> None:
        from vlmreader.core.kept import KeptExports

        with self._kept_exports_lock:
            if get_current_worker().is_cancelled:
                return  # a newer change came meanwhile: its refresh follows this one
            try:
                results: Any = KeptExports(view, view).refresh()
            except (UserError, OSError) as error:
                results = error
        self.call_from_thread(self._kept_exports_refreshed, results)

    def _kept_exports_refreshed(self, results: Any) -> None:
        if isinstance(results, Exception):
            said = self._kept_export_notices.failed(str(results))
        else:
            said = self._kept_export_notices.after(results)
        for message, severity in said:
            self.notify(escape(message), title="Kept export", severity=severity)

    # -- metadata services: enrich, add, fetch -----------------------------------------------

    @on(EnrichRequested)
    def _enrich_requested(self, request: EnrichRequested) -> None:
        from vlmreader.core.metadata import apply_findings, find_metadata

        papers = [self.library.get(paper_id) for paper_id in request.paper_ids if paper_id in self.library]

        def finish(findings) -> None:
            report = apply_findings(self.library, findings)
            self.history.record_revision(report.revision)
            self._library_changed()
            unsure = f", {len(report.ambiguous)} ambiguous" if report.ambiguous else ""
            missing = f", {len(report.not_found)} not found" if report.not_found else ""
            self.notify(
                f"Enriched {counted(len(report.enriched), 'paper')}{unsure}{missing}"
                + (" (u takes it back)" if report.enriched else "")
                + (". `vlmreader enrich` lists the candidates; `vlmreader link` settles one." if report.ambiguous else "."),
                title="Enrich",
            )

        self._start_job(
            f"enrich: {counted(len(papers), 'paper')}",
            lambda sources, progress, cancelled: find_metadata(papers, sources, progress=progress, cancelled=cancelled),
            finish,
        )

    @on(AddRequested)
    def _add_requested(self, request: AddRequested) -> None:
        from vlmreader.core.metadata import add_found, plan_additions, works_for

        try:
            plan = plan_additions(self.library, request.texts)
        except UserError as error:
            self.notify(escape(str(error)), title="Not added", severity="error")
            return

        def finish(found) -> None:
            report = add_found(self.library, plan, found, self.config.key_style)
            self._library_changed()
            said = []
            if report.added:
                said.append("Added " + ", ".join(paper.key for paper in report.added))
            if report.known:
                said.append("already there: " + ", ".join(dict.fromkeys(paper.key for _, paper in report.known)))
            if report.not_found:
                said.append("not found: " + ", ".join(report.not_found))
            self.notify(escape("; ".join(said) + "."), title="Add", severity="warning" if report.not_found else "information")
            if report.added:
                self.go_to_paper(report.added[0].id)

        if not plan.wanted:
            finish({})
            return
        self._start_job(
            f"add: {counted(len(plan.wanted), 'paper')}",
            lambda sources, progress, cancelled: works_for(sources, plan.wanted),
            finish,
        )

    @on(FetchRequested)
    def _fetch_requested(self, request: FetchRequested) -> None:
        from datetime import date, timedelta

        from vlmreader.core.metadata import category_collection, daily_collection, daily_papers_works, offer_works
        from vlmreader.core.models import today
        from vlmreader.core.sources import arxiv

        day = date.fromisoformat(today())
        if request.feed == "hf":
            collection = daily_collection(day)
            network = lambda sources, progress, cancelled: daily_papers_works(sources, day)  # noqa: E731
        else:
            collection = category_collection(request.category, day)
            network = lambda sources, progress, cancelled: [  # noqa: E731
                [work] for work in arxiv.recent_in_category(sources, request.category, day - timedelta(days=FETCHED_DAYS - 1), day)
            ]

        def finish(works) -> None:
            report = offer_works(self.library, works, (collection,), self.config.key_style)
            self._library_changed()
            self.notify(
                escape(f"{collection}: {counted(len(report.added), 'new paper')}, {len(report.merged)} already in the library."),
                title="Fetch",
            )
            if report.added or report.merged:
                self._search_serial += 1
                self.main_screen.show_query(f"in:{collection} ")
                self.main_screen.show_result(self.engine.search(f"in:{collection}"))

        self._start_job(f"fetch: {collection}", network, finish)

    def _start_job(self, title: str, network: Callable, finish: Callable[[Any], None]) -> None:
        """Run `network(sources, progress, cancelled)` (which asks the services and touches no
        library) in a worker, then `finish(its result)` here, on the event loop, which writes."""
        from vlmreader.core.metadata import sources_for

        if self.main_screen.job_bar.running:
            self.notify("Another enrich, add or fetch is under way: c cancels it.", title="Busy", severity="warning")
            return
        if self.library.read_only_reason() is not None:
            self._refuse_read_only(f"{self.library.read_only_reason()}: the library cannot be changed")
            return
        self.main_screen.job_bar.start(title)
        self.main_screen.refresh_bindings()
        self._run_job(sources_for(self.library.home, self.config), network, finish)

    @work(thread=True, exclusive=True, group="metadata", exit_on_error=False)
    def _run_job(self, sources, network: Callable, finish: Callable[[Any], None]) -> None:
        from vlmreader.core.metadata import Cancelled

        worker = get_current_worker()

        def progress(step) -> None:
            left = f", ~{step.seconds_left:.0f} s left" if step.seconds_left is not None else ""
            detail = f"enrich: {step.done:,}/{step.total:,} searched, {step.found:,} found{left}"
            self.call_from_thread(self.main_screen.job_bar.advance, step.done, step.total, detail)

        try:
            result = network(sources, progress, lambda: worker.is_cancelled)
        except Cancelled:
            self.call_from_thread(self._job_ended, None, None, "Cancelled: nothing was changed.")
        except UserError as error:
            self.call_from_thread(self._job_ended, None, None, f"{error}: nothing was changed.")
        else:
            if not worker.is_cancelled:
                self.call_from_thread(self._job_ended, finish, result, None)
        finally:
            sources.close()

    def _job_ended(self, finish: Callable[[Any], None] | None, result: Any, failure: str | None) -> None:
        self.main_screen.job_bar.finish()
        self.main_screen.refresh_bindings()
        if failure is not None:
            self.notify(escape(failure), title="Metadata", severity="warning")
        elif finish is not None:
            self._attempt(lambda: finish(result), "Not saved")

    @on(CancelJobRequested)
    def _cancel_job_requested(self) -> None:
        self.workers.cancel_group(self, "metadata")

    # -- sync: automatic (config.toml [sync] auto) and "sync now" from the palette --------------

    def _sync_is_set_up(self) -> bool:
        from vlmreader.core.sync import sync_is_set_up

        return self.library is not None and sync_is_set_up(self.library.home)

    def _sync_when_idle(self) -> None:
        """After a change made here, (re)start the wait: the automatic sync runs once no change
        has been made for `idle_seconds`."""
        if not self.config.auto_sync:
            return
        if self._idle_sync_timer is not None:
            self._idle_sync_timer.stop()
        self._idle_sync_timer = self.set_timer(self.config.sync_idle_seconds, self._idle_sync_due)

    def _idle_sync_due(self) -> None:
        self._idle_sync_timer = None
        if self._sync_is_set_up():
            self._start_sync()

    def _start_sync(self, manual: bool = False) -> None:
        """Sync in a worker; one asked for while another runs follows it (never two at once)."""
        if self.library is None:
            return
        if self._sync_running:
            if manual:
                self.notify("A sync is under way.", title="Sync")
            else:
                self._sync_again = True
            return
        if self._background_sync is None:
            self._background_sync = BackgroundSync(self.library.home)
        self._sync_running = True
        self._show_sync_line()
        self._run_sync(self._background_sync, manual)

    @work(thread=True, exclusive=True, group="sync", exit_on_error=False)
    def _run_sync(self, background: BackgroundSync, manual: bool) -> None:
        outcome = background.run(manual)  # never raises a UserError: it is the outcome's error
        self.call_from_thread(self._sync_ended, outcome)

    def _sync_ended(self, outcome: SyncOutcome) -> None:
        self._sync_running = False
        report = outcome.report
        if report is None:
            # The footer cuts a long reason short: it is said whole once (and on each "sync now").
            if outcome.manual or outcome.error != self._sync_error:
                self.notify(escape(f"Sync failed: {outcome.error}"), title="Sync", severity="error")
            self._sync_error = outcome.error
        else:
            self._sync_error = ""
            self._synced_at = time.monotonic()
            self._pick_up_outside_changes()  # what it brought in, as from any other process
            if report.conflicts:
                self.notify(
                    f"Notes of {counted(len(report.conflicts), 'paper')} changed on both machines: both versions "
                    "are kept; search is:conflict to settle them.",
                    title="Sync",
                    severity="warning",
                    timeout=10,
                )
            if outcome.manual:
                self.notify(f"Synced: {counted(len(report.sent), 'paper')} sent, {len(report.received):,} received.", title="Sync")
            elif report.received:
                self.notify(f"Sync brought in changes to {counted(len(report.received), 'paper')}.", title="Sync")
        self._show_sync_line()
        if self._sync_again:
            self._sync_again = False
            self._start_sync()

    def _show_sync_line(self) -> None:
        """Put how sync went in the footer, and keep "N min ago" up to date from now on."""
        self.sync_line = sync_line(self._sync_running, self._synced_at, self._sync_error)
        if self._sync_line_timer is None and self.sync_line:
            self._sync_line_timer = self.set_interval(SYNC_LINE_INTERVAL, self._show_sync_line)

    # -- triage ----------------------------------------------------------------------------

    @on(TriageRequested)
    def _triage_requested(self, request: TriageRequested) -> None:
        self._start_triage(request.query)

    def _start_triage(self, query: str) -> None:
        """Triage what `query` finds, as the list would show it (in a worker if it ranks by relevance)."""
        parsed = parse_query(query)
        if ranks_by_relevance(parsed):
            self._find_for_triage(self.engine.index, parsed, self._screenful())
        else:
            self._open_triage(query, self.engine.search(parsed, screenful=self._screenful(), wait=False).paper_ids())

    @work(thread=True, exclusive=True, group="triage", exit_on_error=False)
    def _find_for_triage(self, index: SearchIndex, query: Query, screenful: int) -> None:
        paper_ids = index.search(query, screenful=screenful).paper_ids()
        if not get_current_worker().is_cancelled:
            self.call_from_thread(self._open_triage, query.text, paper_ids)

    def _open_triage(self, query: str, paper_ids: list[str]) -> None:
        if not paper_ids:
            self.notify(escape(f"Nothing to triage: no paper matches {query!r}."), severity="warning")
            return
        self.push_screen(screens.TriageScreen(paper_ids, query, self.library), self._triage_left)

    def _triage_left(self, like_paper: str | None) -> None:
        """Triage was left; with `m`, for the main screen's view of the papers like `like_paper`."""
        if like_paper is not None and like_paper in self.library:
            self.main_screen.show_similar(like_paper)

    # -- the command palette and help ------------------------------------------------------

    def get_system_commands(self, screen: Screen):
        """Textual's own commands, every key of the main screen prefixed by area, and the feeds."""
        yield from super().get_system_commands(screen)
        if screen is not self.main_screen:
            return  # the palette was opened over triage or a dialog
        if self._sync_is_set_up():
            yield SystemCommand(
                "sync: sync now", "pull, merge and push, as `vlmreader sync` does", lambda: self._start_sync(manual=True)
            )
        yield SystemCommand(
            "metadata: fetch today's Hugging Face daily papers", "into the collection hf-DATE",
            lambda: self.post_message(FetchRequested("hf")),
        )
        for category in FETCHED_CATEGORIES:
            yield SystemCommand(
                f"metadata: fetch arXiv {category}, the last {FETCHED_DAYS} days' submissions", f"into the collection arxiv-{category}-DATE",
                partial(self.post_message, FetchRequested("arxiv", category)),
            )
        from vlmreader.tui.screens.copy import KEY_OF_FORMAT

        copy_as = next(binding for binding in MainScreen.BINDINGS if binding.id == "main.copy-as")
        for name, description in COPY_FORMATS.items():
            yield SystemCommand(
                f"export: copy as {description}", f"key {self.get_key_display(copy_as)} then {KEY_OF_FORMAT[name]}",
                partial(screen.run_action, f"copy('{name}')"),
            )
        for binding in MainScreen.BINDINGS:
            area = MainScreen.COMMAND_AREAS.get(binding.action)
            if area:
                yield SystemCommand(
                    f"{area}: {binding.tooltip or binding.description}",
                    f"key {self.get_key_display(binding)}",
                    partial(screen.run_action, binding.action),
                )

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
    config: Config | None = None,
) -> VlmReaderApp:
    """The app over `library`, or over the one `open_library` opens in the background once the
    screen is up (as `vlmreader` does; tests mostly pass a library in a temporary home).

    A config naming a theme or a binding the app does not have is a UserError: the app does
    not start half configured.
    """
    if config is not None and config.keymap:
        from vlmreader.tui.keymap import check_keymap

        check_keymap(config)
    app = VlmReaderApp(library, triage_query, open_library, config)
    if config is not None and config.theme is not None and config.theme not in app.available_themes:
        themes = ", ".join(sorted(app.available_themes))
        raise UserError(f"{config.path}: theme {config.theme!r} is not a theme here (themes: {themes})")
    return app
