"""Triage mode: one paper at a time, large, one key per decision.

Every decision (queue, reading, read, skip) is saved at once and moves to the next paper, so
going through a few hundred abstracts costs one key each. `backspace` takes the last decision
back and returns to that paper. `m` leaves triage for the main screen's view of the papers like
the current one (escape there comes back to the list as it was, on that paper): triage ends
with the result of its screen, that paper's id (None when simply left).
"""

from __future__ import annotations

from collections import Counter

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from vlmreader.core.library import Library
from vlmreader.core.models import AddTags, AnnotationChange, Paper, SetNote, SetStatus, Star
from vlmreader.core.text import visible
from vlmreader.core.vocabulary import READING_STATUSES, STARRED, STARRED_LABEL
from vlmreader.tui import screens
from vlmreader.tui.messages import AnnotationRequested, LibraryChanged
from vlmreader.tui.widgets.detail_pane import byline
from vlmreader.tui.widgets.footer import KeyFooter

DECISIONS = [status for status in READING_STATUSES if status.triage_key]
"""The statuses triage decides, each with its key, in the order they are offered."""


class TriageScreen(Screen[str | None]):
    """Goes through `paper_ids` in order; the app saves each decision as one undo step."""

    BINDINGS = [
        *(
            Binding(
                status.triage_key,
                f"decide('{status.name}')",
                status.triage_verb,
                tooltip=f"Status {status.name} ({status.meaning}), next paper",
                id=f"triage.{status.name}",
            )
            for status in DECISIONS
        ),
        Binding("s", "star", "Star", tooltip="Star or unstar (stays on the paper)", id="triage.star"),
        Binding("t", "tag", "Tag", tooltip="Add tags (stays on the paper)", id="triage.tag"),
        Binding("n", "note", "Note", tooltip="Write a note (stays on the paper)", id="triage.note"),
        Binding(
            "m", "more_like_this", "Similar", tooltip="More like this: leave triage for the papers most like this one",
            id="triage.like",
        ),
        Binding("backspace,u", "back", "Back", tooltip="Take the last decision back", id="triage.back"),
        Binding("l,right", "later", "Later", show=False, tooltip="Next paper, no decision", id="triage.later"),
        Binding("o", "open", "Open", show=False, tooltip="Open the url", id="triage.open"),
        Binding("escape", "leave", "Leave", tooltip="Back to the list", id="triage.leave"),
    ]

    def __init__(self, paper_ids: list[str], query: str, library: Library) -> None:
        super().__init__()
        self.paper_ids = paper_ids
        self.query_text = query
        self.library = library
        self.position = 0
        self.decisions: list[tuple[int, str, str]] = []
        """(position, status decided, status before) of every decision taken, for `back` and the summary."""

    def compose(self) -> ComposeResult:
        yield Static(id="triage-progress", markup=False)
        with VerticalScroll(id="triage-paper"):
            yield Static(id="triage-title", markup=False)
            yield Static(id="triage-byline", markup=False)
            yield Static(id="triage-meta", markup=False)
            yield Static(id="triage-abstract", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.show_current()

    @property
    def current(self) -> Paper | None:
        if self.position < len(self.paper_ids):
            return self.library.get(self.paper_ids[self.position])
        return None

    def show_current(self) -> None:
        paper = self.current
        decided = len(self.decisions)
        total = len(self.paper_ids)
        progress = Text(f"Triage · {decided:,} of {total:,} triaged", style="bold")
        progress.append(f"   {visible(self.query_text) or 'all papers'}", style="dim")
        self.query_one("#triage-progress", Static).update(progress)
        title = self.query_one("#triage-title", Static)
        meta = self.query_one("#triage-meta", Static)
        abstract = self.query_one("#triage-abstract", Static)
        authors_year_venue = byline(paper) if paper is not None else Text()
        self.query_one("#triage-byline", Static).update(authors_year_venue)
        self.set_class(bool(authors_year_venue), "-with-byline")
        if paper is None:
            title.update(Text("Triage done", style="bold"))
            meta.update(Text(self.summary()))
            abstract.update(Text("backspace takes the last decision back; escape returns to the list."))
            return
        title.update(Text(visible(paper.title), style="bold"))
        lines = Text()
        for name, value in (
            ("", f"{self.position + 1:,} of {total:,}" + (f"  {STARRED_LABEL}" if paper.starred else "") + f"  · {paper.status}"),
            ("in ", ", ".join(paper.collections) or "–"),
            ("url ", paper.url or "–"),
            ("key ", paper.key),
            ("tags ", ", ".join(paper.tags) or "–"),
        ):
            lines.append(name, style="dim")
            lines.append(visible(value) + "\n")
        if paper.note:
            lines.append("note ", style="dim")
            lines.append(visible(paper.note))
        meta.update(lines.rstrip() or lines)
        abstract.update(Text(visible(paper.abstract)))
        self.query_one("#triage-paper", VerticalScroll).scroll_home(animate=False)

    def summary(self) -> str:
        counts = Counter(decision for _, decision, _ in self.decisions)
        parts = [f"{counts[status.name]} {status.name}" for status in DECISIONS if counts[status.name]]
        starred = sum(1 for paper_id in self.paper_ids if self.library.annotation(paper_id).starred)
        parts.append(f"{starred} {STARRED}")
        return f"{len(self.decisions):,} of {len(self.paper_ids):,} papers triaged: " + ", ".join(parts) + "."

    def _advance(self) -> None:
        self.position += 1
        self.show_current()

    def _request(self, change: AnnotationChange, paper_id: str | None = None) -> None:
        paper_id = paper_id or self.current.id
        self.post_message(AnnotationRequested([paper_id], change))

    @on(LibraryChanged)
    def _library_changed(self) -> None:
        self.show_current()

    def action_decide(self, status: str) -> None:
        paper = self.current
        if paper is None:
            return
        self.decisions.append((self.position, status, paper.status))
        self._request(SetStatus(status))
        self._advance()

    def action_later(self) -> None:
        if self.current is not None:
            self._advance()

    def action_back(self) -> None:
        if not self.decisions:
            self.notify("No decision to take back.")
            return
        position, _, previous_status = self.decisions.pop()
        self.position = position
        self._request(SetStatus(previous_status), self.paper_ids[position])
        self.show_current()

    def action_star(self) -> None:
        if self.current is not None:
            self._request(Star(not self.current.starred))

    def action_tag(self) -> None:
        paper = self.current
        if paper is None:
            return

        def add(tags: list[str] | None) -> None:
            if tags:
                self._request(AddTags(tuple(tags)), paper.id)

        known = [tag for tag, _ in self.library.tag_counts()]
        self.app.push_screen(screens.AddTagsScreen([paper.id], known), add)

    def action_note(self) -> None:
        paper = self.current
        if paper is None:
            return

        def save(text: str | None) -> None:
            if text is not None:
                self._request(SetNote(text, replacing=paper.note), paper.id)

        self.app.push_screen(screens.NoteScreen(paper.title, paper.note), save)

    def action_open(self) -> None:
        if self.current is not None and self.current.url:
            self.app.open_url(self.current.url)

    def action_more_like_this(self) -> None:
        if self.current is not None:
            self.dismiss(self.current.id)

    def action_leave(self) -> None:
        self.dismiss(None)
