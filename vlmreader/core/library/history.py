"""Undo: the user's annotation changes, field by field, taken back one step at a time.

A step is one user action (a star, a status for a whole selection, a note saved). It remembers,
for each paper and each field the action changed, the value before and the value after. Undo
reverts a field only while it still holds what the action wrote: another vlmreader process (the
CLI in a second terminal) may have changed it since, and its change is the newer one, so it is
left alone and reported. Tags are reverted tag by tag: the tags the action added are removed and
the ones it removed come back, whatever else happened to the paper's tags meanwhile.

A merge of two papers (`Library.merge_papers`) is a step too: undoing it brings the other
paper back as it was. So is a metadata run (`enrich` in the app): undoing it takes back each
field it filled, by the same rule, so a field changed since (by a second run, or an import) stays.

The history lives in memory, for one session of the app; it belongs to whoever owns the library.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from vlmreader.core.library.store import Library, Merge, RecordRevision, Update
from vlmreader.core.models import ANNOTATION_FIELDS, Annotation, Paper, PaperRecord, merge_tags, remove_tags

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


RECORD_ATTRIBUTES = ("title", "abstract", "url", "entry_type")
"""The parts of a record other than its fields that a metadata run may set."""


def _reverted_record(current: PaperRecord, before: PaperRecord, after: PaperRecord) -> PaperRecord:
    """`current` with what a revision from `before` to `after` set taken back, where it still holds."""
    changes: dict[str, Any] = {}
    for name in RECORD_ATTRIBUTES:
        if getattr(before, name) != getattr(after, name) and getattr(current, name) == getattr(after, name):
            changes[name] = getattr(before, name)
    fields = dict(current.fields)
    provenance = {item[0]: item for item in current.provenance}
    was = {item[0]: item for item in before.provenance}
    became = {item[0]: item for item in after.provenance}
    for name in set(before.fields) | set(after.fields):
        if before.fields.get(name) == after.fields.get(name) and was.get(name) == became.get(name):
            continue
        if fields.get(name) != after.fields.get(name) or provenance.get(name) != became.get(name):
            continue  # changed again since: that change is the newer one
        for table, old in ((fields, before.fields.get(name)), (provenance, was.get(name))):
            if old is None:
                table.pop(name, None)
            else:
                table[name] = old
    changes.update(fields=fields, provenance=tuple(provenance.values()))
    return replace(current, **changes)


class History:
    """The steps a session can undo, newest last (at most `limit`)."""

    def __init__(self, limit: int = MAX_STEPS) -> None:
        self.limit = limit
        self._steps: list[Step | Merge | RecordRevision] = []

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

    def record_revision(self, revision: RecordRevision) -> None:
        """Remember a metadata run's changes to papers' records as one step (nothing, if none)."""
        if revision.after:
            self._push(revision)

    def _push(self, step: Step | Merge | RecordRevision) -> None:
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
        if isinstance(step, RecordRevision):
            library.revise_records(
                {
                    paper_id: lambda current, paper_id=paper_id: _reverted_record(
                        current, step.before[paper_id], step.after[paper_id]
                    )
                    for paper_id in step.after
                }
            )
            self._steps.pop()
            return UndoReport([library.get(paper_id) for paper_id in step.after if paper_id in library])
        by_paper: dict[str, list[FieldChange]] = {}
        for change in step.changes:
            by_paper.setdefault(change.paper_id, []).append(change)
        kept: list[FieldChange] = []

        def revert(paper_id: str, annotation: Annotation) -> Annotation:
            return _revert(annotation, by_paper[paper_id], kept)

        update = library.revise(step.paper_ids, revert)
        self._steps.pop()
        return UndoReport(update.papers, kept)
