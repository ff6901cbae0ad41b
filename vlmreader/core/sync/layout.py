"""What the sync repository holds: the library as small text files that diff and merge well.

```
vlmreader-sync.json              {"format": 1}
kept-exports.json                the kept exports' definitions (query, file, format)
papers/3f/3f9a0c1d2e4b.json      one file per paper the user touched or brought in
```

A paper's file is sorted, indented JSON, one value a line, each of the user's fields with the
stamp of its last change (clock.py):

```json
{
 "id": "3f9a0c1d2e4b",
 "key": "llava-uhd",
 "note": ["Compare with Dragonfly.", "2026-12-04T10:00:00.000Z 0000 laptop-3f9a"],
 "starred": [true, "2026-12-04T09:58:12.000Z 0000 laptop-3f9a"],
 "status": ["read", "2026-12-03T18:00:00.000Z 0000 desktop-77c1"],
 "tags": {"hi-res": ["hi-res", true, "..."], "old": ["old", false, "..."]}
}
```

A tag's entry stays after it is removed (`false`, with the removal's stamp), so a removal on
one machine and an older add on another resolve by time. `record` (with `record_at`) is the
paper's bibliographic record when the bundled corpus does not give it as it is on every
machine: papers the user added or imported (raw BibTeX included), and bundled papers a metadata
source enriched, an import merged into, or that took another key. `gone` (`[into, stamp]`)
marks a paper that was merged into another (`into`, its id) and is no more.

Caches and the bundled corpus are not in it: every machine has those. The repository is
written from the library and the library from it (the two can always be rebuilt one from
the other); the library stays the source of truth on each machine.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from vlmreader.core.models import Annotation, PaperRecord
from vlmreader.core.vocabulary import UNREAD

FORMAT_FILE = "vlmreader-sync.json"
FORMAT_VERSION = 1
KEPT_FILE = "kept-exports.json"
PAPERS_FOLDER = "papers"

Document = dict[str, Any]
Bundled = tuple[frozenset[str], frozenset[str]]
"""(ids, collections) of the bundled corpus's papers: `repository.bundled_corpus`."""


def paper_path(paper_id: str) -> str:
    return f"{PAPERS_FOLDER}/{paper_id[:2]}/{paper_id}.json"


def is_paper_path(path: str) -> bool:
    return path.startswith(PAPERS_FOLDER + "/") and path.endswith(".json")


def encode(document: Document) -> bytes:
    return (json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def decode(data: bytes, path: str = "") -> Document:
    try:
        document = json.loads(data)
    except ValueError as error:
        raise ValueError(f"{path} in the sync repository is not JSON ({error})") from None
    if not isinstance(document, dict):
        raise ValueError(f"{path} in the sync repository is not a JSON object")
    return document


FORMAT_DOCUMENT = {"format": FORMAT_VERSION}


# -- records ------------------------------------------------------------------------


def record_document(record: PaperRecord, bundled: Bundled) -> Document | None:
    """The record as the repository keeps it, or None for a bundled paper as the corpus gives it
    (every machine has that one)."""
    bundled_ids, bundled_collections = bundled
    pristine = (
        record.id in bundled_ids
        and not record.bibtex
        and not record.item
        and not record.provenance
        and not record.aliases
        and not record.kept_apart
        and bool(record.collections)
        and set(record.collections) <= bundled_collections
    )
    if pristine:
        return None
    return record_as_json(record)


def record_as_json(record: PaperRecord) -> Document:
    """`record.to_document()` as JSON reads it back (lists for tuples), without the round trip."""
    document = record.to_document()
    for name, value in document.items():
        if isinstance(value, tuple):
            document[name] = [list(item) if isinstance(item, tuple) else item for item in value]
        elif isinstance(value, dict):
            document[name] = dict(value)
    return document


def record_from_document(document: Document) -> PaperRecord:
    return PaperRecord.from_document(document)


# -- the user's fields ------------------------------------------------------------------


def starred_of(document: Document | None) -> tuple[bool, str]:
    value = (document or {}).get("starred")
    return (bool(value[0]), str(value[1])) if value else (False, "")


def status_of(document: Document | None) -> tuple[str, str]:
    value = (document or {}).get("status")
    return (str(value[0]), str(value[1])) if value else (UNREAD, "")


def note_of(document: Document | None) -> tuple[str, str]:
    value = (document or {}).get("note")
    return (str(value[0]), str(value[1])) if value else ("", "")


def tag_entries(document: Document | None) -> dict[str, list]:
    """{folded tag: [spelling, present, stamp]}."""
    return dict((document or {}).get("tags") or {})


def tags_present(document: Document | None) -> dict[str, str]:
    """{folded tag: spelling} of the tags the paper has."""
    return {folded: entry[0] for folded, entry in tag_entries(document).items() if entry[1]}


def annotation_values(document: Document | None) -> tuple:
    """What the user sees of a paper's annotation in a document, stamps aside."""
    return (
        starred_of(document)[0],
        status_of(document)[0],
        frozenset(tags_present(document)),
        note_of(document)[0],
    )


def gone_of(document: Document | None) -> tuple[str, str] | None:
    value = (document or {}).get("gone")
    return (str(value[0]), str(value[1])) if value else None


def render_paper(
    paper_id: str,
    key: str,
    annotation: Annotation,
    record: Document | None,
    base: Document | None,
    stamp,
) -> Document:
    """The document of a paper as the library has it now, each field keeping `base`'s stamp when
    it is as `base` has it, and getting `stamp(field)` when it changed: `field` is "starred",
    "status", "note", "tag:" + the folded tag, or "record"."""
    document: Document = {"id": paper_id, "key": key}
    base = base or {}
    starred, starred_at = starred_of(base)
    if annotation.starred != starred:
        starred, starred_at = annotation.starred, stamp("starred")
    if starred_at:
        document["starred"] = [starred, starred_at]
    status, status_at = status_of(base)
    if annotation.status != status:
        status, status_at = annotation.status, stamp("status")
    if status_at:
        document["status"] = [status, status_at]
    note, note_at = note_of(base)
    if annotation.note != note:
        note, note_at = annotation.note, stamp("note")
    if note_at:
        document["note"] = [note, note_at]
    entries = tag_entries(base)
    have = {tag.casefold(): tag for tag in annotation.tags}
    for folded, spelling in have.items():
        entry = entries.get(folded)
        if entry is None or not entry[1]:
            entries[folded] = [spelling, True, stamp(f"tag:{folded}")]
    for folded, entry in list(entries.items()):
        if entry[1] and folded not in have:
            entries[folded] = [entry[0], False, stamp(f"tag:{folded}")]
    if entries:
        document["tags"] = entries
    if record is not None:
        if base.get("record") == record:
            document["record"], document["record_at"] = record, base.get("record_at", "")
        else:
            document["record"], document["record_at"] = record, stamp("record")
    return document


def has_content(document: Document) -> bool:
    """Whether a document says anything beyond the paper's id and key."""
    return any(name in document for name in ("starred", "status", "note", "tags", "record", "gone"))


# -- kept exports -----------------------------------------------------------------------


def portable_path(path: str) -> str:
    """A kept export's file as the repository names it: `~/...` when under the home folder, so
    the same export means the same file on a laptop and a server with other home folders."""
    home = str(Path.home())
    if path == home or path.startswith(home.rstrip("/") + "/"):
        return "~" + path[len(home.rstrip("/")):]
    return path


def kept_entries(document: Document | None) -> dict[str, list]:
    """{portable path: [query, format, kept, stamp]}."""
    return dict((document or {}).get("exports") or {})


def render_kept(exports: list[tuple[str, str, str]], base: Document | None, stamp) -> Document:
    """The kept exports (path, query, format) as the repository keeps them; a dropped one stays,
    `false`, so a drop and an older change elsewhere resolve by time."""
    entries = kept_entries(base)
    have = {portable_path(path): (query, format_name) for path, query, format_name in exports}
    for path, (query, format_name) in have.items():
        entry = entries.get(path)
        if entry is None or not entry[2] or (entry[0], entry[1]) != (query, format_name):
            entries[path] = [query, format_name, True, stamp()]
    for path, entry in list(entries.items()):
        if entry[2] and path not in have:
            entries[path] = [entry[0], entry[1], False, stamp()]
    return {"exports": entries}


def kept_present(document: Document | None) -> dict[str, tuple[str, str]]:
    return {path: (entry[0], entry[1]) for path, entry in kept_entries(document).items() if entry[2]}
