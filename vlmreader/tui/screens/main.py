"""The main screen: the search bar, the sidebar, the paper list and the detail pane, and their keys.

The screen reads the library to show it, and asks the app for everything else: a search
(`SearchRequested`), a change to papers (`AnnotationRequested`), undo, triage, the papers like
the highlighted one (`RelatedRequested`). Dialogs it opens give their answer back as a `dismiss`
result, which it turns into a request.

"More like this" (`m`) is a view like any query, `like:KEY`, which the user can refine and
triage; the views it was opened from are kept, so escape goes back to each in turn, with the
paper it was opened on highlighted. Typing a query without `like:` leaves them behind.
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

from vlmreader.core.formats.copying import COPY_FORMATS, DEFAULT_COPY_FORMAT
from vlmreader.core.library import Library
from vlmreader.core.models import AddTags, AnnotationChange, Paper, RemoveTags, SetNote, SetStatus, Star, needs_metadata
from vlmreader.core.search import SearchIndex, SearchResult, parse_query
from vlmreader.core.vocabulary import (
    FILTER_PREFIXES,
    HAS_AUTHOR,
    LIKE_FILTER,
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
from vlmreader.tui.frame_hold import FrameHold
from vlmreader.tui.messages import (
    AddRequested,
    AnnotationRequested,
    CancelJobRequested,
    EnrichRequested,
    KeepApartRequested,
    LibraryChanged,
    MergeRequested,
    NoteSaved,
    RelatedFound,
    RelatedRequested,
    SearchRequested,
    TriageRequested,
    UndoRequested,
)
from vlmreader.tui.widgets import DetailPane, JobBar, KeyFooter, PaperList, SearchBar
from vlmreader.tui.widgets.sidebar import Sidebar, SidebarCounts

NARROW_WIDTH = 100
"""Below this many columns the detail pane goes under the list and the sidebar starts hidden."""
DEFAULT_EXPORT_FILE = "references.bib"
COPIED_SHOWN = 60
"""A copied citation longer than this is shown shortened in the notification."""
DETAIL_DELAY_WHILE_TYPING = 0.4
"""Seconds after the last keystroke in the search bar before the detail pane shows the top paper:
longer than a person takes between two keys (~0.2 s), so that it waits for a pause in the
typing. Shown between two keys, it would lay out the pane (a frame's work and more) just as the
next key comes."""
KEY_FRAME_HOLD = 0.025
"""Seconds the search bar's echo of a key may wait for the key's result, so that both are
painted in one frame (see `tui/frame_hold.py`); results take 2 to 10 ms at 452 and 10,000
papers. Where they take longer, keys are painted at once."""
LIKE_THIS_DELAY = 0.2
"""Seconds the highlight rests on a paper before the papers like it are looked for: moving fast
through the list asks for none of the papers passed."""
LIKE_THIS_FIRST_DELAY = 1.0
"""The same, while the relevance ranking's index is not loaded: the first look-up loads it, a
second of a worker's time at 100,000 papers during which the worker holds the interpreter's lock
most of the time, and keys typed meanwhile took up to 0.65 s to show. Opening the app and typing
at once, a person's first result comes sooner and cancels the look-up for the first paper."""
LIKE_THIS_KEYS = ("1", "2", "3")
"""The keys that go to the papers the detail pane lists under "Like this:"."""
LIKE_THIS_CACHE = 512
"""Papers whose closest papers are remembered (until the records change)."""
VIEWS_KEPT = 50
"""How many views escape can go back through."""
_FILTER = re.compile(rf'(?<!\S)-?(?:{"|".join(FILTER_PREFIXES)}):(?:"[^"]*"|\S+)\s*')
"""A filter in the query, negated or not: choosing a sidebar entry replaces them, keeping the words."""


class MainScreen(Screen[None]):
    """Search, browse and annotate the library."""

    AUTO_FOCUS = "PaperList"

    BINDINGS = [
        # Shown only while there is a view to go back to; otherwise escape is main.list's.
        Binding("escape", "back", "Back", tooltip="Back to the view before more like this", id="main.back"),
        Binding("q", "app.quit", "Quit", tooltip="Quit vlmreader", id="main.quit"),
        # A priority binding, so that the keys typed after it (read with it, when typed ahead
        # of a busy app) go to the search bar: see action_focus_search.
        Binding("slash", "focus_search", "Search", tooltip="Type a query", id="main.search", priority=True),
        Binding("escape", "focus_list", "List", show=False, tooltip="Back to the paper list", id="main.list"),
        Binding("s", "toggle_star", "Star", tooltip="Star or unstar", id="main.star"),
        Binding("r", "cycle_status", "Status", tooltip=" → ".join(STATUSES[:4]), id="main.status"),
        Binding("x", "skip", "Skip", tooltip=f"Mark as {SKIPPED} ({STATUS[SKIPPED].meaning})", id="main.skip"),
        Binding("t", "add_tags", "Tag", tooltip="Add tags (comma-separated, with completion)", id="main.tag"),
        Binding("T", "remove_tag", "Untag", show=False, tooltip="Remove a tag", id="main.untag"),
        Binding("n", "edit_note", "Note", tooltip="Write a note on the highlighted paper", id="main.note"),
        Binding(
            "e", "export", "Export", tooltip="Export the selection (or the highlighted paper) to a file, or keep one up to date",
            id="main.export",
        ),
        Binding(
            "y", "copy", "Copy", tooltip="Copy the selection in the configured format (BibTeX unless config.toml says)",
            id="main.copy",
        ),
        Binding(
            "Y", "choose_copy_format", "Copy as", show=False, tooltip="Copy as BibTeX, \\cite, pandoc or a reference",
            id="main.copy-as",
        ),
        Binding("o", "open_url", "Open", show=False, tooltip="Open the paper's url in the browser", id="main.open"),
        Binding("ctrl+e", "edit_in_editor", "Editor", show=False, tooltip="Edit the note in $EDITOR", id="main.editor"),
        Binding("z", "triage", "Triage", tooltip="One paper at a time, one key per decision", id="main.triage"),
        Binding(
            "m", "more_like_this", "Similar", tooltip="More like this (the papers most like the highlighted one)",
            id="main.like",
        ),
        *(
            Binding(
                key, f"go_to_like({number})", f"Like this {key}", show=False,
                tooltip=f"Go to paper {key} under \"Like this:\" in the details", id=f"main.like-{key}",
            )
            for number, key in enumerate(LIKE_THIS_KEYS)
        ),
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
        "export": "export", "copy": "export", "choose_copy_format": "export", "undo": "edit", "triage": "triage",
        "merge": "duplicates", "keep_apart": "duplicates",
        "toggle_sidebar": "view", "focus_search": "view", "more_like_this": "view",
        "add_papers": "metadata", "enrich": "metadata",
    }
    """The palette offers each of these keys as a command, titled by area ("paper: Star or unstar")."""

    def __init__(self, export_path: str | None = None, copy_format: str = DEFAULT_COPY_FORMAT) -> None:
        super().__init__()
        self.library: Library | None = None
        """The library shown; None until the app has opened it."""
        self.export_path = export_path
        """What the export dialog offers first (config `[export] default_path`)."""
        self.copy_format = copy_format
        """What `y` copies (config `[copy] format`)."""
        self._detail_timer: Timer | None = None
        self._record_counts: tuple[SearchIndex | None, list[tuple[str, int]], int] = (None, [], 0)
        """(search index, papers by collection, papers without authors): what only a change to
        the records changes, counted once per version of them (each has its own index), from
        the index rather than from every record, which a large library reads only on demand."""
        self._changed_while_away = False
        self._before_mount: list[Callable[[], None]] | None = []
        """What the app said before the screen was mounted, done once it is; None after that."""
        self._views_before: list[tuple[str, str]] = []
        """(query, paper to highlight) of each view a "more like this" was opened from, the
        last one last: escape goes back to it."""
        self._like_this: list[str] = []
        """The papers the detail pane lists under "Like this:", in order (1, 2, 3 go to them)."""
        self._related: dict[str, list[str]] = {}
        self._related_version = -1
        """The papers most like each paper looked up, while the records are of this version."""
        self._related_timer: Timer | None = None
        self._frame_hold = FrameHold(self, KEY_FRAME_HOLD)
        """Holds the frame of a change to the query until its result is shown."""

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
        # Watched, not handled as a message: the hold must begin before the search bar's
        # echo of the key reaches the screen, within the key's own handling.
        self.watch(self.search_bar.input, "value", self._query_edited, init=False)
        before_mount, self._before_mount = self._before_mount, None
        for call in before_mount:
            call()

    def on_resize(self) -> None:
        self.set_class(self.app.size.width < NARROW_WIDTH, "-narrow")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The keys apply once the library is open (quitting and `/`, at any time: a query can be
        typed while the library opens); cancelling only while a job runs (and only then is it in
        the footer)."""
        if action == "cancel_job":
            return self.job_bar.running
        if action == "back":
            return bool(self._views_before)
        if action == "focus_search":  # in the search bar and the note, `/` is a character
            return self.focused is None or self.focused.id not in ("query", "note")
        if action == "go_to_like":
            return parameters[0] < len(self._like_this)
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
        self.show_result(result)  # and the sidebar's counts
        self._show_highlighted()  # now rather than on the list's message: one layout, not two
        self.refresh_bindings()

    def show_result(self, result: SearchResult, keep_paper: str | None = None) -> None:
        """Show a result; the list then posts `Highlighted`, which fills the detail pane."""
        self.paper_list.show_result(result, keep_paper)
        self._update_count()
        if self.library is not None and result.index is not self._record_counts[0]:
            self.update_sidebar()  # the first result, or the records changed
        self._frame_hold.end()

    def note_resolved(self, paper_id: str, note: str) -> None:
        """The user settled a note conflict with `note` (being saved now): the editor shows it."""
        self.query_one(DetailPane).note_resolved(paper_id, note)

    def show_query(self, text: str) -> None:
        """Put `text` in the search bar without searching it (the app shows its result): a new
        view, which escape does not go back from."""
        self._forget_views()
        self._put_query(text)

    def _put_query(self, text: str) -> None:
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

    def _query_edited(self) -> None:
        if self.library is not None:  # else no result is coming soon: the library is opening
            self._frame_hold.begin()

    @on(SearchBar.QueryChanged)
    def _query_changed(self, event: SearchBar.QueryChanged) -> None:
        event.stop()
        if self._views_before and not parse_query(event.text).like:
            self._forget_views()  # the user left the view of papers like one for a query of their own
        if self.library is not None:  # still opening: the app searches what was typed once it is open
            self.post_message(SearchRequested(event.text, in_worker=True))

    def _update_count(self) -> None:
        result = self.paper_list.result
        if result is None:  # the library is still opening (and the list's keys, `a`, may be pressed)
            return
        self.search_bar.show_count(
            result.strict_count, len(self.library), len(self.paper_list.selected), result.query.problems,
            partial=result.partial_count, similar=result.similar,
        )

    @on(PaperList.Highlighted)
    def _highlighted(self) -> None:
        if self.search_bar.input.has_focus:
            # While a query is typed the top paper changes with every key: the pane, and the
            # papers like the one it shows, follow once the typing pauses.
            if self._detail_timer is not None:
                self._detail_timer.stop()
            self._stop_looking_for_like_this()
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
        self._show_like_this(paper_id)

    @on(PaperList.SelectionChanged)
    def _selection_changed(self) -> None:
        self._update_count()

    # -- more like this --------------------------------------------------------------------

    def _show_like_this(self, paper_id: str | None) -> None:
        """The papers like `paper_id` in the detail pane: at once if known, else once the
        highlight has rested on it for `LIKE_THIS_DELAY`, or `LIKE_THIS_FIRST_DELAY` while the
        ranking's index is not loaded (the app finds them in a worker)."""
        self._stop_looking_for_like_this()
        if self._related_version != self.library.papers_version:
            self._related.clear()
            self._related_version = self.library.papers_version
        related = self._related.get(paper_id) if paper_id is not None else None
        if related is not None:
            self._show_related(paper_id, related)
            return
        self._set_like_this([])
        if paper_id is not None:
            delay = LIKE_THIS_DELAY if self.paper_list.result.index.relevance_ready else LIKE_THIS_FIRST_DELAY
            self._related_timer = self.set_timer(delay, lambda: self.post_message(RelatedRequested(paper_id)))

    def _stop_looking_for_like_this(self) -> None:
        if self._related_timer is not None:
            self._related_timer.stop()
            self._related_timer = None

    @on(RelatedFound)
    def _related_found(self, found: RelatedFound) -> None:
        if self.library is None:
            return
        if len(self._related) >= LIKE_THIS_CACHE:
            self._related.clear()
        self._related[found.paper_id] = found.paper_ids
        if found.paper_id == self.query_one(DetailPane).paper_id:  # else the user has moved on
            self._show_related(found.paper_id, found.paper_ids)

    def _show_related(self, paper_id: str, related: list[str]) -> None:
        papers = [self.library.get(other) for other in related if other in self.library]  # not merged away since
        self.query_one(DetailPane).show_related(paper_id, papers)
        self._set_like_this([paper.id for paper in papers])

    def _set_like_this(self, paper_ids: list[str]) -> None:
        if paper_ids != self._like_this:
            self._like_this = paper_ids
            self.refresh_bindings()

    def action_more_like_this(self) -> None:
        paper_id = self.paper_list.highlighted_id
        if paper_id is not None:
            self.show_similar(paper_id)

    def show_similar(self, paper_id: str, highlight: str | None = None) -> None:
        """The view of the papers most like `paper_id` (the query `like:KEY`), most alike first,
        with `highlight` highlighted (else the closest). Escape comes back to the view shown
        now, with `paper_id` highlighted if it is in it."""
        self._views_before.append((self.search_bar.text, paper_id))
        del self._views_before[:-VIEWS_KEPT]
        self._show_view(f"{LIKE_FILTER}:{like_reference(self.library.get(paper_id))} ", highlight)

    def action_back(self) -> None:
        """Back to the list (from the search bar or the note); from the list, back to the view
        the "more like this" shown was opened from."""
        if not self.paper_list.has_focus:
            self.action_focus_list()
            return
        text, paper_id = self._views_before.pop()
        self._show_view(text, paper_id)

    def _show_view(self, text: str, highlight: str | None) -> None:
        self._put_query(text)
        self.post_message(SearchRequested(text, keep_paper=highlight))
        self.paper_list.focus()
        self.refresh_bindings()

    def _forget_views(self) -> None:
        if self._views_before:
            self._views_before.clear()
            self.refresh_bindings()

    def action_go_to_like(self, number: int) -> None:
        """Go to paper `number` (from 0) under "Like this:": highlight it if the list shows it,
        else show the papers like the one in the details, with it highlighted."""
        paper_id = self._like_this[number]
        if not self.paper_list.highlight(paper_id):
            self.show_similar(self.query_one(DetailPane).paper_id, highlight=paper_id)
        self.paper_list.focus()

    # -- the sidebar ---------------------------------------------------------------------

    def update_sidebar(self) -> None:
        library = self.library
        index = self.paper_list.result.index if self.paper_list.result is not None else None
        if index is not None and index is not self._record_counts[0]:
            without_author = len(index.ids) - index.count_having(HAS_AUTHOR)
            self._record_counts = (index, library.collection_counts(), without_author)
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
        self.app.push_screen(screens.AddTagsScreen(targets, known), add)

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
            self.query_one(DetailPane).edit_note()

    @on(NoteSaved)
    def _note_saved(self, event: NoteSaved) -> None:
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

    # -- exporting and copying ------------------------------------------------------------

    def action_export(self) -> None:
        targets = self._targets()
        if targets:
            default = self.export_path or str(Path.cwd() / DEFAULT_EXPORT_FILE)
            query, result = self.search_bar.text, self.paper_list.result
            self.app.push_screen(screens.ExportScreen(targets, default, query, result.strict_count, bool(self.paper_list.selected)))

    def action_copy(self, format_name: str | None = None) -> None:
        """Copy the selection (or the highlighted paper) in `format_name`, else in the configured one."""
        targets = self._targets()
        if not targets:
            return
        from vlmreader.core.formats.copying import BIBTEX, REFERENCE, text_to_copy

        format_name = format_name or self.copy_format
        text = text_to_copy((self.library.get(paper_id) for paper_id in targets), format_name, self.library.find_key)
        how = copy_text(self.app, text)
        if format_name == BIBTEX:
            what = counted(len(targets), "BibTeX entry", "BibTeX entries")
        elif format_name == REFERENCE:
            what = counted(len(targets), "reference")
        else:
            what = text if len(text) <= COPIED_SHOWN else text[: COPIED_SHOWN - 1] + "…"
        self.notify(escape(f"Copied {what} {how}."))

    def action_choose_copy_format(self) -> None:
        targets = self._targets()
        if not targets:
            return

        def copy(format_name: str | None) -> None:
            if format_name in COPY_FORMATS:
                self.action_copy(format_name)

        self.app.push_screen(screens.CopyFormatScreen(len(targets), self.copy_format), copy)

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
            result = self.paper_list.result  # the papers with every word, not those read after them
            paper_ids = [pid for pid in result.paper_ids(result.strict_count) if needs_metadata(self.library.get(pid))]
        if not paper_ids:
            self.notify("Every paper shown has its authors and year; select papers to enrich them again.", title="Enrich")
            return
        self.post_message(EnrichRequested(paper_ids))

    def action_cancel_job(self) -> None:
        self.job_bar.cancelling()
        self.post_message(CancelJobRequested())

    # -- focus -----------------------------------------------------------------------------

    def action_focus_search(self) -> None:
        # At once, not on the next turn of the event loop as `Widget.focus` does: the keys that
        # came in the same read of the terminal (typed ahead, or sent by tmux) are then handed
        # to the search bar, not to the list (where `a` would select every paper).
        self.set_focus(self.search_bar.input)

    def action_focus_list(self) -> None:
        self.paper_list.focus()
        if self._detail_timer is not None:  # back from typing: show the paper at once
            self._show_highlighted()


def like_reference(paper: Paper) -> str:
    """How `like:` names `paper`: its citation key, or its id for a key the query language
    would split (a space or a quote in it)."""
    key = paper.key
    return key if key and not any(character.isspace() or character == '"' for character in key) else paper.id
