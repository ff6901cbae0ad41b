"""Triage mode: one paper at a time, large, one key per decision.

Every decision (queue, reading, read, skip) is saved at once and moves to the next paper, so
going through a few hundred abstracts costs one key each. `backspace` takes the last decision
back and returns to that paper.
"""

from __future__ import annotations

from collections import Counter

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from vlmreader.core.models import Paper
from vlmreader.tui.widgets.footer import KeyFooter

DECISIONS = {"queue": "queued", "reading": "reading", "read": "read", "skip": "skipped"}


class TriageScreen(Screen[None]):
    """Goes through `paper_ids` in order; the app saves each decision as one undo step."""

    BINDINGS = [
        Binding("q", "decide('queue')", "Queue", tooltip="To read: status queued, next paper"),
        Binding("r", "decide('reading')", "Reading", tooltip="Status reading, next paper"),
        Binding("d", "decide('read')", "Read", tooltip="Status read, next paper"),
        Binding("x", "decide('skip')", "Skip", tooltip="Not relevant: status skipped, next paper"),
        Binding("s", "star", "Star", tooltip="Star or unstar (stays on the paper)"),
        Binding("t", "tag", "Tag", tooltip="Add tags (stays on the paper)"),
        Binding("n", "note", "Note", tooltip="Write a note (stays on the paper)"),
        Binding("backspace,u", "back", "Back", tooltip="Take the last decision back"),
        Binding("l,right", "later", "Later", show=False, tooltip="Next paper, no decision"),
        Binding("o", "open", "Open", show=False, tooltip="Open the url"),
        Binding("escape", "leave", "Leave", tooltip="Back to the list"),
    ]

    def __init__(self, paper_ids: list[str], query: str, paper_of) -> None:
        super().__init__()
        self.paper_ids = paper_ids
        self.query_text = query
        self._paper_of = paper_of
        self.position = 0
        self.decisions: list[tuple[int, str, str]] = []
        """(position, decision, status before) of every decision taken, for `back` and the summary."""

    def compose(self) -> ComposeResult:
        yield Static(id="triage-progress", markup=False)
        with VerticalScroll(id="triage-paper"):
            yield Static(id="triage-title", markup=False)
            yield Static(id="triage-meta", markup=False)
            yield Static(id="triage-abstract", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.show_current()

    @property
    def current(self) -> Paper | None:
        if self.position < len(self.paper_ids):
            return self._paper_of(self.paper_ids[self.position])
        return None

    def show_current(self) -> None:
        paper = self.current
        decided = len(self.decisions)
        total = len(self.paper_ids)
        progress = Text(f"Triage · {decided:,} of {total:,} triaged", style="bold")
        progress.append(f"   {self.query_text or 'all papers'}", style="dim")
        self.query_one("#triage-progress", Static).update(progress)
        title = self.query_one("#triage-title", Static)
        meta = self.query_one("#triage-meta", Static)
        abstract = self.query_one("#triage-abstract", Static)
        if paper is None:
            title.update(Text("Triage done", style="bold"))
            meta.update(Text(self.summary()))
            abstract.update(Text("backspace takes the last decision back; escape returns to the list."))
            return
        title.update(Text(paper.title, style="bold"))
        lines = Text()
        for name, value in (
            ("", f"{self.position + 1:,} of {total:,}" + ("  ★ starred" if paper.starred else "") + f"  · {paper.status}"),
            ("in ", ", ".join(paper.collections) or "–"),
            ("url ", paper.url or "–"),
            ("key ", paper.key),
            ("tags ", ", ".join(paper.tags) or "–"),
        ):
            lines.append(name, style="dim")
            lines.append(value + "\n")
        if paper.note:
            lines.append("note ", style="dim")
            lines.append(paper.note)
        meta.update(lines.rstrip() or lines)
        abstract.update(Text(paper.abstract))
        self.query_one("#triage-paper", VerticalScroll).scroll_home(animate=False)

    def summary(self) -> str:
        counts = Counter(decision for _, decision, _ in self.decisions)
        parts = [f"{counts[name]} {DECISIONS[name]}" for name in DECISIONS if counts[name]]
        starred = sum(1 for paper_id in self.paper_ids if self._paper_of(paper_id).starred)
        parts.append(f"{starred} starred")
        return f"{len(self.decisions):,} of {len(self.paper_ids):,} papers triaged: " + ", ".join(parts) + "."

    def _advance(self) -> None:
        self.position += 1
        self.show_current()

    def action_decide(self, decision: str) -> None:
        paper = self.current
        if paper is None:
            return
        self.decisions.append((self.position, decision, paper.status))
        self.app.set_status([paper.id], DECISIONS[decision])
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
        self.app.set_status([self.paper_ids[position]], previous_status)
        self.show_current()

    def action_star(self) -> None:
        if self.current is not None:
            self.app.toggle_star([self.current.id])
            self.show_current()

    def action_tag(self) -> None:
        if self.current is not None:
            self.app.ask_for_tags([self.current.id], after=self.show_current)

    def action_note(self) -> None:
        if self.current is not None:
            self.app.ask_for_note(self.current.id, after=self.show_current)

    def action_open(self) -> None:
        if self.current is not None and self.current.url:
            self.app.open_url(self.current.url)

    def action_leave(self) -> None:
        self.dismiss()
