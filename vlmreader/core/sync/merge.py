"""The merge rules: three documents of a paper (base, ours, theirs) into one, field by field.

Deterministic and symmetric: merging (base, A, B) and (base, B, A) give the same document, so
every machine comes to the same library whichever merges first.

- star and status: the later change (by stamp, clock.py) wins;
- tags: each tag on its own, its later add or removal winning (a removal is remembered);
- the note: a three-way text merge against the base; where both sides changed the same lines,
  both versions are kept between conflict markers (the older change first), and the paper is
  found by `is:conflict`;
- the record: a side that did not change it takes the other's; when both did, field by field,
  collections, earlier keys and kept-apart papers joined, anything else the later change's;
- a paper merged into another on either side (`gone`) is gone in the result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vlmreader.core.sync.layout import Document, gone_of, note_of, starred_of, status_of, tag_entries

NoteMerge = Callable[[str, tuple[str, str], tuple[str, str]], str]
"""(base text, (older text, its stamp), (newer text, its stamp)) -> the merged text."""

_JOINED_RECORD_FIELDS = ("collections", "aliases", "kept_apart")


def _later(one: list | None, other: list | None) -> list | None:
    """Of two [value..., stamp] pairs, the one with the later stamp (then the larger value)."""
    if one is None or other is None:
        return one if other is None else other
    return max(one, other, key=lambda pair: (pair[-1], repr(pair[:-1])))


def merge_paper(base: Document | None, ours: Document | None, theirs: Document | None, merge_note: NoteMerge) -> Document:
    """One document from both sides' documents of a paper and their common ancestor's."""
    if ours == theirs or theirs is None:
        return ours if ours is not None else theirs
    if ours is None:
        return theirs
    if ours == base:
        return theirs
    if theirs == base:
        return ours
    merged: Document = {"id": ours.get("id") or theirs.get("id")}
    for name in ("starred", "status"):
        value = _later(ours.get(name), theirs.get(name))
        if value is not None:
            merged[name] = value
    tags = {}
    ours_tags, theirs_tags = tag_entries(ours), tag_entries(theirs)
    for folded in sorted(set(ours_tags) | set(theirs_tags)):
        tags[folded] = _later(ours_tags.get(folded), theirs_tags.get(folded))
    if tags:
        merged["tags"] = tags
    note = _merged_note(note_of(base), note_of(ours), note_of(theirs), merge_note)
    if note[1]:
        merged["note"] = list(note)
    record, record_at = _merged_record(base or {}, ours, theirs)
    if record is not None:
        merged["record"], merged["record_at"] = record, record_at
    merged["key"] = record["key"] if record is not None else max(ours.get("key", ""), theirs.get("key", ""))
    gone = _later(ours.get("gone"), theirs.get("gone"))
    if gone is not None:
        merged["gone"] = gone
    return merged


def _merged_note(base: tuple[str, str], ours: tuple[str, str], theirs: tuple[str, str], merge_note: NoteMerge) -> tuple[str, str]:
    if ours[0] == theirs[0]:
        return max(ours, theirs, key=lambda pair: pair[1])
    if ours[0] == base[0]:
        return theirs
    if theirs[0] == base[0]:
        return ours
    older, newer = sorted((ours, theirs), key=lambda pair: (pair[1], pair[0]))
    return merge_note(base[0], older, newer), newer[1]


def _merged_record(base: Document, ours: Document, theirs: Document) -> tuple[dict | None, str]:
    mine, other, before = ours.get("record"), theirs.get("record"), base.get("record")
    mine_at, other_at = ours.get("record_at", ""), theirs.get("record_at", "")
    if mine == other:
        return mine, max(mine_at, other_at)
    if mine is None or mine == before:
        return other, other_at
    if other is None or other == before:
        return mine, mine_at
    before = before or {}
    later, earlier = (mine, other) if (mine_at, repr(mine)) > (other_at, repr(other)) else (other, mine)
    merged: dict[str, Any] = {}
    for name in sorted(set(mine) | set(other)):
        one, two, old = mine.get(name), other.get(name), before.get(name)
        if one == two:
            merged[name] = one
        elif one == old:
            merged[name] = two
        elif two == old:
            merged[name] = one
        elif name in _JOINED_RECORD_FIELDS:
            merged[name] = list(dict.fromkeys([*(earlier.get(name) or []), *(later.get(name) or [])]))
        elif name == "fields" and isinstance(one, dict) and isinstance(two, dict):
            merged[name] = _merged_fields(old or {}, later[name], earlier[name])
        else:
            merged[name] = later.get(name)
    return merged, max(mine_at, other_at)


def _merged_fields(base: dict, later: dict, earlier: dict) -> dict:
    merged = {}
    for name in sorted(set(later) | set(earlier) | set(base)):
        one, two, old = later.get(name), earlier.get(name), base.get(name)
        value = two if one == old else one
        if value is not None:
            merged[name] = value
    return merged


def fold_into(target: Document, other: Document) -> Document:
    """`target` with `other`'s annotation added, for a paper `other` was merged into: star and
    status by the later change, every tag entry by its later change, and `other`'s note after
    the target's unless the target's holds it already."""
    folded = dict(target)
    for name in ("starred", "status"):
        value = _later(target.get(name), other.get(name))
        if value is not None:
            folded[name] = value
    tags = tag_entries(target)
    for key, entry in tag_entries(other).items():
        tags[key] = _later(tags.get(key), entry)
    if tags:
        folded["tags"] = tags
    note, note_at = note_of(target)
    other_note, other_at = note_of(other)
    if other_note.strip() and other_note.strip() not in note:
        joined = f"{note.rstrip()}\n\n---\n{other_note.strip()}" if note.strip() else other_note
        folded["note"] = [joined, max(note_at, other_at)]
    return folded


def annotation_changed(base: Document | None, document: Document | None) -> bool:
    """Whether `document` changed any of the user's fields since `base`."""
    fields = ("starred", "status", "note", "tags")
    return any((base or {}).get(name) != (document or {}).get(name) for name in fields)


def merge_kept(base: Document | None, ours: Document | None, theirs: Document | None) -> Document:
    """The kept exports of both sides: each file's entry by its later change."""
    if ours == theirs or theirs is None:
        return ours if ours is not None else theirs
    if ours is None or ours == base:
        return theirs
    if theirs == base:
        return ours
    mine, other = (ours.get("exports") or {}), (theirs.get("exports") or {})
    return {"exports": {path: _later(mine.get(path), other.get(path)) for path in sorted(set(mine) | set(other))}}


__all__ = ["annotation_changed", "fold_into", "gone_of", "merge_kept", "merge_paper", "starred_of", "status_of"]
