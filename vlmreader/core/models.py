"""The library's records: what a paper is, and what the user has said about it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timezone
from operator import attrgetter
from typing import Any

from vlmreader.core.vocabulary import STATUSES, UNREAD

_TAG = re.compile(r"[^\s,\"\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]+")


class UserError(Exception):
    """A mistake the user can fix: shown as one line, never as a traceback."""


def now_timestamp() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def today() -> str:
    """Today's date in UTC, as provenance records it: `2026-12-02`."""
    return now_timestamp()[:10]


def clean_tag(tag: str) -> str:
    """`tag` stripped, or a UserError saying why it cannot be a tag."""
    tag = tag.strip()
    if not _TAG.fullmatch(tag) or tag.startswith("-"):
        raise UserError(
            f"not a valid tag: {tag!r} (tags cannot be empty, hold spaces, commas, quotes or control "
            "characters, or start with '-')"
        )
    return tag


def check_status(status: str) -> str:
    if status not in STATUSES:
        raise UserError(f"unknown status {status!r}: use one of {', '.join(STATUSES)}")
    return status


def merge_tags(existing: tuple[str, ...], added: list[str]) -> tuple[str, ...]:
    """`existing` followed by the `added` tags it lacks, compared case-insensitively."""
    seen = {tag.casefold() for tag in existing}
    merged = list(existing)
    for tag in added:
        if tag.casefold() not in seen:
            seen.add(tag.casefold())
            merged.append(tag)
    return tuple(merged)


def remove_tags(existing: tuple[str, ...], removed: list[str]) -> tuple[str, ...]:
    gone = {tag.casefold() for tag in removed}
    return tuple(tag for tag in existing if tag.casefold() not in gone)


@dataclass(frozen=True, slots=True)
class Annotation:
    """The user's triage state of one paper, kept apart from its bibliographic record."""

    starred: bool = False
    tags: tuple[str, ...] = ()
    status: str = UNREAD
    note: str = ""
    modified: str = ""
    changed: tuple[tuple[str, str], ...] = ()
    """When each field last changed: (("note", time), ("starred", time), ("tag:hi-res", time),
    ...), sorted; a tag's time is kept after it is removed. Sync dates each field by it, so a
    later change to one field never passes for a later change to another. A field missing here
    never changed; when all are (a library from before they were kept), `modified` dates them."""

    @classmethod
    def from_document(cls, document: Any) -> Annotation:
        """The annotation a stored document describes; ValueError saying what is wrong with it
        (a file that holds one is damaged, and is reported rather than guessed at)."""
        if not isinstance(document, dict) or not isinstance(document.get("id"), str):
            raise ValueError("an annotation without a paper id")
        starred, tags = document.get("starred", False), document.get("tags", [])
        status, note, modified = document.get("status", UNREAD), document.get("note", ""), document.get("modified", "")
        if not isinstance(starred, bool):
            raise ValueError(f"paper {document['id']}: starred must be true or false")
        if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
            raise ValueError(f"paper {document['id']}: tags must be a list of texts")
        if status not in STATUSES:
            raise ValueError(f"paper {document['id']}: {status!r} is not a reading status")
        if not isinstance(note, str) or not isinstance(modified, str):
            raise ValueError(f"paper {document['id']}: note and modified must be texts")
        changed = document.get("changed", {})
        if not isinstance(changed, dict) or not all(isinstance(time, str) for time in changed.values()):
            raise ValueError(f"paper {document['id']}: changed must map fields to times")
        return cls(
            starred=starred, tags=tuple(tags), status=status, note=note, modified=modified,
            changed=tuple(sorted(changed.items())),
        )

    @classmethod
    def by_paper(cls, documents: Any) -> dict[str, Annotation]:
        """Stored annotation documents as {paper id: annotation}; ValueError if one is malformed."""
        annotations = {}
        for document in documents:
            annotation = cls.from_document(document)
            annotations[document["id"]] = annotation
        return annotations

    def to_document(self, paper_id: str) -> dict[str, Any]:
        document = {
            "id": paper_id,
            "starred": self.starred,
            "tags": list(self.tags),
            "status": self.status,
            "note": self.note,
            "modified": self.modified,
        }
        if self.changed:
            document["changed"] = dict(self.changed)
        return document

    def changed_at(self, field: str) -> str:
        """When `field` ("starred", "status", "note" or "tag:" + the folded tag) last changed:
        its own time; "" if it never did; the paper's last change if the library is from before
        each field kept its time."""
        for name, time in self.changed:
            if name == field:
                return time
        return "" if self.changed else self.modified

    def dated(self, before: Annotation, time: str) -> Annotation:
        """This annotation, made from `before` at `time`: each field that differs from `before`
        (each tag added or removed) dated `time`, the others keeping their dates."""
        times = dict(before.changed)
        if before.modified and not before.changed:
            # a library from before each field kept its time: all are dated by the last change
            for field in ("starred", "status", "note", *(f"tag:{tag.casefold()}" for tag in before.tags)):
                times.setdefault(field, before.modified)
        for field in ("starred", "status", "note"):
            if getattr(self, field) != getattr(before, field):
                times[field] = time
        now, then = {tag.casefold() for tag in self.tags}, {tag.casefold() for tag in before.tags}
        for folded in now ^ then:
            times[f"tag:{folded}"] = time
        return replace(self, modified=time, changed=tuple(sorted(times.items())))


NO_ANNOTATION = Annotation()

ANNOTATION_FIELDS = ("starred", "tags", "status", "note")
"""What a user can change about a paper; undo reverts them one by one."""


@dataclass(frozen=True)
class Star:
    """Star (or unstar) papers."""

    starred: bool

    def apply(self, annotation: Annotation) -> Annotation:
        return replace(annotation, starred=self.starred)


@dataclass(frozen=True)
class SetStatus:
    """Set papers' reading status (one of `STATUSES`)."""

    status: str

    def __post_init__(self) -> None:
        check_status(self.status)

    def apply(self, annotation: Annotation) -> Annotation:
        return replace(annotation, status=self.status)


@dataclass(frozen=True)
class AddTags:
    """Add tags to papers (those a paper has already, in any case, are left as they are)."""

    tags: tuple[str, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "tags", tuple(clean_tag(tag) for tag in self.tags))

    def apply(self, annotation: Annotation) -> Annotation:
        return replace(annotation, tags=merge_tags(annotation.tags, list(self.tags)))


@dataclass(frozen=True)
class RemoveTags:
    """Remove tags from papers, compared case-insensitively."""

    tags: tuple[str, ...]

    def apply(self, annotation: Annotation) -> Annotation:
        return replace(annotation, tags=remove_tags(annotation.tags, [tag.strip() for tag in self.tags]))


class NoteChangedElsewhere(UserError):
    """The note was changed (by another process) since the user began the text they are saving."""

    def __init__(self, current: str):
        super().__init__("the note was changed elsewhere since you began writing")
        self.current = current
        """The note as the library holds it now."""


@dataclass(frozen=True)
class SetNote:
    """Replace a paper's note."""

    note: str
    replacing: str | None = None
    """If given, save only over this note (the one the user's text was written from); another
    note there means it was changed elsewhere meanwhile: `NoteChangedElsewhere`, nothing saved."""

    def apply(self, annotation: Annotation) -> Annotation:
        if self.replacing is not None and annotation.note != self.replacing:
            raise NoteChangedElsewhere(annotation.note)
        return replace(annotation, note=self.note)


AnnotationChange = Star | SetStatus | AddTags | RemoveTags | SetNote
"""Something the user does to papers' annotations: the CLI and the app ask the library for these."""


@dataclass(frozen=True, slots=True)
class PaperRecord:
    """What the library knows of a paper apart from the user's annotations.

    An imported entry is kept twice: `bibtex` (and `context`) hold it exactly as the user's
    `.bib` had it, which is what export writes back; `title`, `abstract`, `url` and `fields`
    (author, year, doi, journal, ... by lower-case name) are a Unicode reading of it, for
    display and search only. An item imported from CSL-JSON or RIS is kept the same way, in
    `item`, which export in that format writes back. A bundled paper has neither: export writes
    it from the reading.

    A paper offered to the library (by the corpus or an import) is a record without `id` and
    `added`, which the library gives it; its `key` is the one asked for ('' for none), kept
    unless it is invalid or taken. Every field has a default so that it can be left out then.
    """

    id: str = ""
    key: str = ""
    title: str = ""
    abstract: str = ""
    url: str = ""
    collections: tuple[str, ...] = ()
    added: str = ""
    entry_type: str = "misc"
    fields: dict[str, str] = field(default_factory=dict)
    bibtex: tuple[tuple[str, str], ...] = ()
    """The entry's fields exactly as written: (name, value with its braces, quotes, `@string`
    names and `#`), in the file's order."""
    context: tuple[tuple[str, str, str], ...] = ()
    """What the entry relies on from its file: ("string", name, value) for each `@string` its
    values use, ("preamble", "", value) for the file's `@preamble`s, ("comment", "", text) for
    its JabRef metadata. Export writes them with the entry."""
    item: tuple[tuple[str, str], ...] = ()
    """An item imported from CSL-JSON or RIS, every field as its file had it, in the file's order:
    (CSL variable, its value as JSON text) or (RIS tag, its value, continuation lines included)."""
    item_format: str = ""
    """The format `item` is in: `csl-json` or `ris` ('' when there is no item)."""
    aliases: tuple[str, ...] = ()
    """Earlier citation keys of the paper: they still find it, and go out as biblatex `ids`."""
    kept_apart: tuple[str, ...] = ()
    """Ids of papers with the same title that the user said are other papers (not duplicates)."""
    provenance: tuple[tuple[str, str, str], ...] = ()
    """(field, source, date) for each field a metadata service filled (`enrich`, `add`, `fetch`):
    `("author", "arxiv", "2026-12-02")`. A field without one was set by the user or their `.bib`,
    and no source ever overwrites it."""

    @property
    def filled_fields(self) -> frozenset[str]:
        """The fields a metadata service filled (see `provenance`)."""
        return frozenset(name for name, _source, _date in self.provenance)

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> PaperRecord:
        return cls(
            id=document["id"],
            key=document["key"],
            title=document["title"],
            abstract=document.get("abstract", ""),
            url=document.get("url", ""),
            collections=tuple(document.get("collections", ())),
            added=document.get("added", ""),
            entry_type=document.get("entry_type", "misc"),
            fields=dict(document.get("fields", {})),
            bibtex=tuple(tuple(pair) for pair in document.get("bibtex", ())),
            context=tuple(tuple(item) for item in document.get("context", ())),
            item=tuple(tuple(pair) for pair in document.get("item", ())),
            item_format=document.get("item_format", ""),
            aliases=tuple(document.get("aliases", ())),
            kept_apart=tuple(document.get("kept_apart", ())),
            provenance=tuple(tuple(item) for item in document.get("provenance", ())),
        )

    def to_document(self) -> dict[str, Any]:
        """The record as stored in `library.json`, for JSON to write (which writes a tuple as a
        list); it shares the record's values, so it is written, not kept."""
        return {name: getattr(self, name) for name in _RECORD_FIELDS}


_RECORD_FIELDS = tuple(record_field.name for record_field in fields(PaperRecord))

VENUE_FIELDS = ("booktitle", "journal")
"""Where a paper was published, as BibTeX names it (proceedings, then journal)."""
VENUE_YEAR_FIELD = "venue_year"
"""vlmreader's own field: the year of the published version, when it differs from `year` (the
first version's, on arXiv). Never written to BibTeX as such."""
CITED_BY_FIELD = "cited_by"
"""vlmreader's own field: how often the paper is cited (OpenAlex's `cited_by_count`)."""
_AUTHOR_SEPARATOR = re.compile(r"\s+and\s+")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_ARXIV_ID = re.compile(r"(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?", re.IGNORECASE)
_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/([^\s?#]+?)(?:\.pdf)?(?:[?#]|$)", re.IGNORECASE)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)


def doi_of(record: PaperRecord) -> str:
    """The record's DOI, lower-cased, without `https://doi.org/`; '' if it has none."""
    return _DOI_PREFIX.sub("", record.fields.get("doi", "").strip()).lower()


def arxiv_id_of(record: PaperRecord) -> str:
    """The record's arXiv id without its version (`2304.08485`), from its eprint, url or DOI."""
    fields = record.fields
    candidates = []
    kind = (fields.get("archiveprefix") or fields.get("eprinttype") or "").lower()
    if fields.get("eprint") and kind in ("", "arxiv"):
        candidates.append(fields["eprint"])
    for url in (record.url, fields.get("url", "")):
        match = _ARXIV_URL.search(url or "")
        if match:
            candidates.append(match.group(1))
    match = _ARXIV_DOI.match(doi_of(record))
    if match:
        candidates.append(match.group(1))
    for candidate in candidates:
        found = _ARXIV_ID.fullmatch(candidate.strip().removeprefix("arXiv:").removeprefix("arxiv:"))
        if found:
            return found.group(1).lower()
    return ""


def display_name(name: str) -> str:
    """`Liu, Haotian` -> `Haotian Liu`; `{OpenAI}` -> `OpenAI`; other forms as they are."""
    name = name.strip().strip("{}").strip()
    family, comma, given = name.partition(",")
    if comma and given.strip():
        return f"{given.strip()} {family.strip()}"
    return family.strip()


def family_name(name: str) -> str:
    """`Liu, Haotian` -> `Liu`; `Yong Jae Lee` -> `Lee`; `{Chameleon Team}` (one unit) as it is."""
    name = name.strip()
    if name.startswith("{") and name.endswith("}") and name.count("{") == 1:
        return name[1:-1].strip()
    name = name.strip("{}").strip()
    if "," in name:
        return name.split(",")[0].strip()
    return (name.split() or [""])[-1]


@dataclass(frozen=True, slots=True)
class Paper:
    """A paper as the user sees it: its record and their annotation of it.

    A paper offered to the library carries the annotation it brings (a `.bib` entry's keywords
    as tags, its note), which joins the user's own: tags are added, a note fills an empty one.
    """

    record: PaperRecord
    annotation: Annotation = NO_ANNOTATION

    # What the user sees of a paper, read through from its record and its annotation.
    id = property(attrgetter("record.id"))
    key = property(attrgetter("record.key"))
    title = property(attrgetter("record.title"))
    abstract = property(attrgetter("record.abstract"))
    url = property(attrgetter("record.url"))
    collections = property(attrgetter("record.collections"))
    starred = property(attrgetter("annotation.starred"))
    tags = property(attrgetter("annotation.tags"))
    status = property(attrgetter("annotation.status"))
    note = property(attrgetter("annotation.note"))

    @property
    def authors(self) -> tuple[str, ...]:
        """The authors in order, as BibTeX gives them (`Liu, Haotian`); () when unknown."""
        text = self.record.fields.get("author", "").strip()
        return tuple(name.strip() for name in _AUTHOR_SEPARATOR.split(text) if name.strip()) if text else ()

    @property
    def short_authors(self) -> str:
        """`Liu`, `Liu & Li`, `Liu et al.`; '' when the authors are unknown."""
        families = [family_name(name) for name in self.authors]
        if len(families) > 2 or (families and families[-1].lower() == "others"):
            return f"{families[0]} et al."
        return " & ".join(families)

    @property
    def year(self) -> str:
        """The year of the paper (of its first version, for an arXiv paper); '' when unknown."""
        return self.record.fields.get("year", "").strip()

    @property
    def venue(self) -> str:
        """Where it was published, with the year of that version when it differs: `CVPR 2024`."""
        fields = self.record.fields
        venue = next((fields[name].strip() for name in VENUE_FIELDS if fields.get(name, "").strip()), "")
        venue_year = fields.get(VENUE_YEAR_FIELD, "").strip()
        if venue and venue_year and venue_year not in venue:
            return f"{venue} {venue_year}"
        return venue

    def source_of(self, field_name: str) -> tuple[str, str] | None:
        """(source, date) of a field a metadata service filled; None for the user's own."""
        for name, source, date in self.record.provenance:
            if name == field_name:
                return source, date
        return None

    def to_json(self) -> dict[str, Any]:
        """The object `--json` prints; scripts rely on these names."""
        return {
            "id": self.id,
            "key": self.key,
            "title": self.title,
            "abstract": self.abstract,
            "url": self.url,
            "collections": list(self.collections),
            "tags": list(self.tags),
            "starred": self.starred,
            "status": self.status,
            "note": self.note,
            "added": self.record.added,
            "modified": self.annotation.modified,
            "fields": dict(self.record.fields),
            "provenance": {name: {"source": source, "date": date} for name, source, date in self.record.provenance},
        }


def needs_metadata(paper: Paper) -> bool:
    """Whether a paper lacks what a citation needs: its authors or its year."""
    return not paper.authors or not paper.year
