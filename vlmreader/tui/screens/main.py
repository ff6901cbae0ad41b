"""The main screen: the search bar, the sidebar, the paper list and the detail pane, and their keys.

The screen reads the library to show it, and asks the app for everything else: a search
(`SearchRequested`), a change to papers (`AnnotationRequested`), undo, triage. Dialogs it opens
give their answer back as a `dismiss` result, which it turns into a request.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer

from vlmreader.core.library import Library
from vlmreader.core.models import AddTags, AnnotationChange, Paper, RemoveTags, SetNote, SetStatus, Star, needs_metadata
from vlmreader.core.search import SearchResult
from vlmreader.core.vocabulary import (
    FILTER_PREFIXES,
    SKIPPED,
    STATUS,
    STATUSES,
    UNREAD,
    counted,
    state_filter,
)
from vlmreader.tui import screens
from vlmreader.tui.clipboard import copy_text
from vlmreader.tui.editor import EditorUnavailable, edit_in_editor
from vlmreader.tui.messages import (
    AddRequested,
    AnnotationRequested,
    CancelJobRequested,
    EnrichRequested,
    KeepApartRequested,
    LibraryChanged,
    MergeRequested,
    SearchRequested,
    TriageRequested,
    UndoRequested,
)
from vlmreader.tui.widgets import DetailPane, JobBar, KeyFooter, NoteEditor, PaperList, SearchBar
from vlmreader.tui.widgets.sidebar import Sidebar, SidebarCounts, count_without_author

NARROW_WIDTH = 100
"""Below this many columns the detail pane goes under the list and the sidebar starts hidden."""
DEFAULT_EXPORT_FILE = "references.bib"
DETAIL_DELAY_WHILE_TYPING = 0.15
"""Seconds after the last keystroke in the search bar before the detail pane shows the top paper."""
_FILTER = re.compile(rf'(?<!\S)-?(?:{"|".join(FILTER_PREFIXES)}):(?:"[^"]*"|\S+)\s*')
"""A filter in the query, negated or not: choosing a sidebar entry replaces them, keeping the words."""


class MainScreen(Screen[None]):
    """Search, browse and annotate the library."""

    AUTO_FOCUS = "PaperList"

    BINDINGS = [
        Binding("q", "app.quit", "Quit", tooltip="Quit vlmreader", id="main.quit"),
        Binding("slash", "focus_search", "Search", tooltip="Type a query", id="main.search"),
        Binding("escape", "focus_list", "List", show=False, tooltip="Back to the paper list", id="main.list"),
        Binding("s", "toggle_star", "Star", tooltip="Star or unstar", id="main.star"),
        Binding("r", "cycle_status", "Status", tooltip=" → ".join(STATUSES[:4]), id="main.status"),
        Binding("x", "skip", "Skip", tooltip=f"Mark as {SKIPPED} ({STATUS[SKIPPED].meaning})", id="main.skip"),
        Binding("t", "add_tags", "Tag", tooltip="Add tags (comma-separated, with completion)", id="main.tag"),
        Binding("T", "remove_tag", "Untag", show=False, tooltip="Remove a tag", id="main.untag"),
        Binding("n", "edit_note", "Note", tooltip="Write a note on the highlighted paper", id="main.note"),
        Binding("e", "export", "Export", tooltip="Export the selection (or the highlighted paper) to a .bib file", id="main.export"),
        Binding("y", "copy_bibtex", "Copy", tooltip="Copy the selection's BibTeX to the clipboard", id="main.copy"),
        Binding("o", "open_url", "Open", show=False, tooltip="Open the paper's url in the browser", id="main.open"),
        Binding("ctrl+e", "edit_in_editor", "Editor", show=False, tooltip="Edit the note in $EDITOR", id="main.editor"),
        Binding("z", "triage", "Triage", tooltip="One paper at a time, one key per decision", id="main.triage"),
        Binding("u", "undo", "Undo", tooltip="Undo the last change (a merge too)", id="main.undo"),
        Binding("M", "merge", "Merge", show=False, tooltip="Merge the two selected papers into the highlighted one", id="main.merge"),
        Binding("K", "keep_apart", "Keep apart", show=False, tooltip="The selected papers are not duplicates", id="main.keep-apart"),
        Binding("b", "toggle_sidebar", "Sidebar", show=False, tooltip="Show or hide the sidebar", id="main.sidebar"),
        Binding("plus", "add_papers", "Add", show=False, tooltip="Add papers by arXiv id, DOI or URL", id="main.add"),
        Binding(
            "E", "enrich", "Enrich", show=False,
            tooltip="Fill authors, year, arXiv id and venue of the selection (or of the papers shown that lack them)",
            id="main.enrich",
        ),
        Binding("c", "cancel_job", "Cancel", tooltip="Stop the enrich, add or fetch under way", id="main.cancel"),
    ]

    COMMAND_AREAS = {
        "toggle_star": "paper", "cycle_status": "paper", "skip": "paper", "add_tags": "paper",
        "remove_tag": "paper", "edit_note": "paper", "edit_in_editor": "paper", "open_url": "paper",
        "export": "export", "copy_bibtex": "export", "undo": "edit", "triage": "triage",
        "merge": "duplicates", "keep_apart": "duplicates",
        "toggle_sidebar": "view", "focus_search": "view",
        "add_papers": "metadata", "enrich": "metadata",
    }
    """The palette offers each of these keys as a command, titled by area ("paper: Star or unstar")."""

    def __init__(self, export_path: str | None = None) -> None:
        super().__init__()
        self.library: Library | None = None
        """The library shown; None until the app has opened it."""
        self.export_path = export_path
        """What the export dialog offers first (config `[export] default_path`)."""
        self._detail_timer: Timer | None = None
        self._record_counts: tuple[int, list[tuple[str, int]], int] = (-1, [], 0)
        """(papers_version, papers by collection, papers without authors): what only a change
        to the records changes, counted once per version of them."""
        self._changed_while_away = False
        self._before_mount: list[Callable[[], None]] | None = []
        """What the app said before the screen was mounted, done once it is; None after that."""

    def compose(self) -> ComposeResult:
        yield SearchBar(id="search-bar")
        with Horizontal(id="main"):
            yield Sidebar(id="sidebar")
            yield PaperList(self._paper_of, id="papers")
            yield DetailPane(id="detail")
        yield JobBar(id="job-bar")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(Sidebar).display = self.app.size.width >= NARROW_WIDTH
        self.set_class(self.app.size.width < NARROW_WIDTH, "-narrow")
        before_mount, self._before_mount = self._before_mount, None
        for call in before_mount:
            call()

    def on_resize(self) -> None:
        self.set_class(self.app.size.width < NARROW_WIDTH, "-narrow")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The keys apply once the library is open (quitting, at any time); cancelling only
        while a job runs (and only then is it in the footer)."""
        if action == "cancel_job":
            return self.job_bar.running
        return action == "app.quit" or self.library is not None

    @property
    def job_bar(self) -> JobBar:
        return self.query_one(JobBar)

    @property
    def paper_list(self) -> PaperList:
        return self.query_one(PaperList)

    @property
    def search_bar(self) -> SearchBar:
        return self.query_one(SearchBar)

    def _paper_of(self, paper_id: str) -> Paper | None:
        """A list row's paper; None for one merged away since the list's result was made."""
        return self.library.get(paper_id) if paper_id in self.library else None

    # -- what the app tells the screen ------------------------------------------------------

    def show_opening(self) -> None:
        """Say that the library is being opened (it can take seconds), where the count goes."""
        if self._before_mount is not None:
            self._before_mount.append(self.show_opening)
            return
        self.search_bar.show_status("opening the library…")

    def show_library(self, library: Library, result_for: Callable[[str], SearchResult]) -> None:
        """The library is open: show it, starting with `result_for(query typed meanwhile)`.

        The app opens a small library before the screen is composed, so that its first frame
        shows the papers: then the screen does this as soon as it is.
        """
        if self._before_mount is not None:
            self._before_mount.append(lambda: self.show_library(library, result_for))
            return
        result = result_for(self.search_bar.text)
        self.library = library
        self.show_result(result)
        self._show_highlighted()  # now rather than on the list's message: one layout, not two
        self.update_sidebar()
        self.refresh_bindings()

    def show_result(self, result: SearchResult, keep_paper: str | None = None) -> None:
        """Show a result; the list then posts `Highlighted`, which fills the detail pane."""
        self.paper_list.show_result(result, keep_paper)
        self._update_count()

    def note_resolved(self, paper_id: str, note: str) -> None:
        """The user settled a note conflict with `note` (being saved now): the editor shows it."""
        self.query_one(DetailPane).note_resolved(paper_id, note)

    def show_query(self, text: str) -> None:
        """Put `text` in the search bar without searching it (the app shows its result)."""
        with self.search_bar.prevent(SearchBar.QueryChanged):
            self.search_bar.set_text(text)

    @on(LibraryChanged)
    def _library_changed(self) -> None:
        if self.library is None:
            return
        if not self.is_current:  # under a dialog or triage: catch up when it closes
            self._changed_while_away = True
            return
        gone = {paper_id for paper_id in self.paper_list.selected if paper_id not in self.library}
        if gone:  # merged away
            self.paper_list.selected -= gone
        self.paper_list.refresh_rows()
        self.post_message(SearchRequested(self.search_bar.text, keep_paper=self.paper_list.highlighted_id))
        self.update_sidebar()

    def on_screen_resume(self) -> None:
        if self._changed_while_away:
            self._changed_while_away = False
            self._library_changed()

    # -- searching and showing -----------------------------------------------------------

    @on(SearchBar.QueryChanged)
    def _query_changed(self, event: SearchBar.QueryChanged) -> None:
        event.stop()
        if self.library is not None:  # still opening: the app searches what was typed once it is open
            self.post_message(SearchRequested(event.text, in_worker=True))

    def _update_count(self) -> None:
        result = self.paper_list.result
        self.search_bar.show_count(len(result), len(self.library), len(self.paper_list.selected), result.query.problems)

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

    def update_sidebar(self) -> None:
        library = self.library
        if self._record_counts[0] != library.papers_version:
            without_author = count_without_author(library.records())
            self._record_counts = (library.papers_version, library.collection_counts(), without_author)
        _, collections, without_author = self._record_counts
        annotations = library.annotations().values()
        statuses = dict.fromkeys(STATUSES, 0)
        for annotation in annotations:
            statuses[annotation.status] += 1
        statuses[UNREAD] += len(library) - len(annotations)
        self.query_one(Sidebar).show_counts(
            SidebarCounts(
                total=len(library),
                starred=sum(1 for annotation in annotations if annotation.starred),
                statuses=statuses,
                collections=collections,
                tags=library.tag_counts(),
                without_author=without_author,
            )
        )

    @on(Sidebar.FilterChosen)
    def _filter_chosen(self, event: Sidebar.FilterChosen) -> None:
        words = _FILTER.sub("", self.search_bar.text).strip()
        self.search_bar.set_text(" ".join(part for part in (event.query_filter, words) if part) + " ")
        self.paper_list.focus()

    def action_toggle_sidebar(self) -> None:
        sidebar = self.query_one(Sidebar)
        sidebar.display = not sidebar.display
        if sidebar.display:
            sidebar.focus()

    # -- annotating ----------------------------------------------------------------------

    def _targets(self) -> list[str]:
        """The selected papers, or the highlighted one when nothing is selected."""
        if self.paper_list.selected:
            return sorted(self.paper_list.selected)
        highlighted = self.paper_list.highlighted_id
        return [highlighted] if highlighted else []

    def _request(self, paper_ids: list[str], change: AnnotationChange) -> None:
        if paper_ids:
            self.post_message(AnnotationRequested(paper_ids, change))

    def action_toggle_star(self) -> None:
        """Star the papers, or unstar them if all are starred already."""
        targets = self._targets()
        self._request(targets, Star(not all(self.library.annotation(pid).starred for pid in targets)))

    def action_cycle_status(self) -> None:
        targets = self._targets()
        if targets:
            self._request(targets, SetStatus(STATUS[self.library.annotation(targets[0]).status].next))

    def action_skip(self) -> None:
        self._request(self._targets(), SetStatus(SKIPPED))

    def action_add_tags(self) -> None:
        targets = self._targets()
        if not targets:
            return

        def add(tags: list[str] | None) -> None:
            if tags:
                self._request(targets, AddTags(tuple(tags)))

        known = [tag for tag, _ in self.library.tag_counts()]
        self.app.push_screen(screens.AddTagsScreen(len(targets), known), add)

    def action_remove_tag(self) -> None:
        targets = self._targets()
        tags = list(dict.fromkeys(tag for pid in targets for tag in self.library.annotation(pid).tags))
        if not tags:
            self.notify("No tags to remove.")
            return

        def remove(tag: str | None) -> None:
            if tag:
                self._request(targets, RemoveTags((tag,)))

        self.app.push_screen(screens.RemoveTagScreen(tags), remove)

    def action_edit_note(self) -> None:
        if self.paper_list.highlighted_id:
            self.query_one(NoteEditor).focus()

    @on(NoteEditor.Saved)
    def _note_saved(self, event: NoteEditor.Saved) -> None:
        event.stop()
        if event.paper_id in self.library:
            self._request([event.paper_id], SetNote(event.text, replacing=event.replacing))

    def action_edit_in_editor(self) -> None:
        """Edit the highlighted paper's note in $EDITOR, with the app suspended."""
        paper_id = self.paper_list.highlighted_id
        if paper_id is None:
            return
        note = self.library.get(paper_id).note
        try:
            text = edit_in_editor(self.app, note)
        except EditorUnavailable as error:
            self.notify(escape(str(error)), severity="warning")
            return
        if text != note:
            self._request([paper_id], SetNote(text, replacing=note))

    def action_undo(self) -> None:
        self.post_message(UndoRequested())

    def action_merge(self) -> None:
        """The two selected papers become one: the highlighted one, if it is one of them, keeps
        its key and entry."""
        selected = self.paper_list.selected
        if len(selected) != 2:
            self.notify("Select the two papers to merge (space), then press M.", title="Merge")
            return
        highlighted = self.paper_list.highlighted_id
        keep = highlighted if highlighted in selected else min(selected)
        (other,) = selected - {keep}
        self.post_message(MergeRequested(keep, other))
        self.paper_list.action_clear_selection()  # the selection is used up

    def action_keep_apart(self) -> None:
        if len(self.paper_list.selected) < 2:
            self.notify("Select the papers that are not duplicates (space), then press K.", title="Keep apart")
            return
        self.post_message(KeepApartRequested(sorted(self.paper_list.selected)))
        self.paper_list.action_clear_selection()

    def action_triage(self) -> None:
        """Triage the papers the query shows (the unread ones when the query is empty)."""
        self.post_message(TriageRequested(self.search_bar.text.strip() or state_filter(UNREAD)))

    # -- BibTeX out ----------------------------------------------------------------------

    def action_export(self) -> None:
        targets = self._targets()
        if targets:
            default = self.export_path or str(Path.cwd() / DEFAULT_EXPORT_FILE)
            self.app.push_screen(screens.ExportScreen(targets, default))

    def action_copy_bibtex(self) -> None:
        targets = self._targets()
        if not targets:
            return
        from vlmreader.core.formats.bibtex import export_bibtex

        how = copy_text(self.app, export_bibtex((self.library.get(paper_id) for paper_id in targets), self.library.find_key))
        self.notify(f"Copied {counted(len(targets), 'BibTeX entry', 'BibTeX entries')} {how}.")

    def action_open_url(self) -> None:
        paper_id = self.paper_list.highlighted_id
        url = self.library.get(paper_id).url if paper_id else ""
        if not url:
            self.notify("This paper has no url.", severity="warning")
            return
        self.app.open_url(url)
        self.notify(escape(f"Opening {url}"))

    # -- metadata services -------------------------------------------------------------------

    def action_add_papers(self) -> None:
        def add(texts: list[str] | None) -> None:
            if texts:
                self.post_message(AddRequested(texts))

        self.app.push_screen(screens.AddPaperScreen(), add)

    def action_enrich(self) -> None:
        """Enrich the selection, or else every paper the query shows that lacks authors or a year."""
        if self.paper_list.selected:
            paper_ids = sorted(self.paper_list.selected)
        else:
            paper_ids = [pid for pid in self.paper_list.result.paper_ids() if needs_metadata(self.library.get(pid))]
        if not paper_ids:
            self.notify("Every paper shown has its authors and year; select papers to enrich them again.", title="Enrich")
            return
        self.post_message(EnrichRequested(paper_ids))

    def action_cancel_job(self) -> None:
        self.job_bar.cancelling()
        self.post_message(CancelJobRequested())

    # -- focus -----------------------------------------------------------------------------

    def action_focus_search(self) -> None:
        self.search_bar.input.focus()

    def action_focus_list(self) -> None:
        self.paper_list.focus()
        if self._detail_timer is not None:  # back from typing: show the paper at once
            self._show_highlighted()
