"""Undo: the user's annotation changes, field by field, taken back one step at a time.

A step is one user action (a star, a status for a whole selection, a note saved). It remembers,
for each paper and each field the action changed, the value before and the value after. Undo
reverts a field only while it still holds what the action wrote: another vlmreader process (the
CLI in a second terminal) may have changed it since, and its change is the newer one, so it is
left alone and reported. Tags are reverted tag by tag: the tags the action added are removed and
the ones it removed come back, whatever else happened to the paper's tags meanwhile.

A merge of two papers (`Library.merge_papers`) is a step too: undoing it brings the other
paper back as it was.

The history lives in memory, for one session of the app; it belongs to whoever owns the library.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from vlmreader.core.library.store import Library, Merge, Update
from vlmreader.core.models import ANNOTATION_FIELDS, Annotation, Paper, merge_tags, remove_tags

MAX_STEPS = 100


@dataclass(frozen=True)
class FieldChange:
    """One field of one paper's annotation, as an action changed it."""

    paper_id: str
    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class Step:
    """What one user action changed."""

    changes: tuple[FieldChange, ...]

    @property
    def paper_ids(self) -> list[str]:
        return list(dict.fromkeys(change.paper_id for change in self.changes))


@dataclass
class UndoReport:
    """What undoing a step did."""

    papers: list[Paper] = field(default_factory=list)
    """The papers the step touched, as they are now."""
    kept: list[FieldChange] = field(default_factory=list)
    """Changes not reverted, because the field was changed again elsewhere since."""


def step_of(update: Update) -> Step:
    """The fields `update` changed, paper by paper."""
    return Step(
        tuple(
            FieldChange(paper_id, name, getattr(update.before[paper_id], name), getattr(after, name))
            for paper_id, after in update.after.items()
            for name in ANNOTATION_FIELDS
            if getattr(update.before[paper_id], name) != getattr(after, name)
        )
    )


def _revert(annotation: Annotation, changes: list[FieldChange], kept: list[FieldChange]) -> Annotation:
    """`annotation` with `changes` taken back where they still hold; the others go to `kept`."""
    for change in changes:
        current = getattr(annotation, change.field)
        if change.field == "tags":
            if current == change.after:
                annotation = replace(annotation, tags=change.before)
                continue
            added = [tag for tag in change.after if tag.casefold() not in {t.casefold() for t in change.before}]
            removed = [tag for tag in change.before if tag.casefold() not in {t.casefold() for t in change.after}]
            annotation = replace(annotation, tags=merge_tags(remove_tags(current, added), removed))
        elif current == change.after:
            annotation = replace(annotation, **{change.field: change.before})
        else:
            kept.append(change)
    return annotation


class History:
    """The steps a session can undo, newest last (at most `limit`)."""

    def __init__(self, limit: int = MAX_STEPS) -> None:
        self.limit = limit
        self._steps: list[Step | Merge] = []

    def __len__(self) -> int:
        return len(self._steps)

    def record(self, update: Update) -> None:
        """Remember what `update` changed as one step (nothing, if it changed nothing)."""
        step = step_of(update)
        if step.changes:
            self._push(step)

    def record_merge(self, merge: Merge) -> None:
        """Remember a merge of two papers as one step."""
        self._push(merge)

    def _push(self, step: Step | Merge) -> None:
        self._steps.append(step)
        del self._steps[: -self.limit]

    def undo(self, library: Library) -> UndoReport | None:
        """Take the newest step back in `library`; None if there is nothing to undo.

        The step is consumed even where a field was kept: what happened to it since is newer.
        A write that fails (UserError) leaves the step in place, to try again.
        """
        if not self._steps:
            return None
        step = self._steps[-1]
        if isinstance(step, Merge):
            papers = library.unmerge(step)
            self._steps.pop()
            return UndoReport(papers)
        by_paper: dict[str, list[FieldChange]] = {}
        for change in step.changes:
            by_paper.setdefault(change.paper_id, []).append(change)
        kept: list[FieldChange] = []

        def revert(paper_id: str, annotation: Annotation) -> Annotation:
            return _revert(annotation, by_paper[paper_id], kept)

        update = library.revise(step.paper_ids, revert)
        self._steps.pop()
        return UndoReport(update.papers, kept)
