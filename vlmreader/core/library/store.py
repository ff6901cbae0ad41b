"""The library: papers and the user's annotations, in two TinyDB files under one home folder.

- `library.json` holds the paper records (bundled corpus and imports). It is rewritten only
  when papers are added, so its size never slows down triage.
- `annotations.json` holds the user's state (star, tags, status, note) for the papers they
  touched, and `annotations.journal` the changes since it was last written (journal.py): an
  annotation write appends one fsynced line there, so its cost grows neither with the corpus
  nor with the number of annotated papers. Every JOURNAL_FOLD_ENTRIES changes the journal is
  folded into `annotations.json`.
- `library.lock` serialises writers across processes: every read-modify-write takes it and
  re-reads the file under it, so two processes writing at once lose no update.

Both JSON files carry a `_meta` table with the schema version. Files are replaced atomically
(storage.py) and the journal is appended with an fsync: a kill at any moment keeps every
write that had returned.

Threads: a `Library` is not thread-safe. Call it from one thread (the TUI calls it from its
event loop only); other processes are handled by the lock.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tinydb import TinyDB

from vlmreader.core.files import (
    TEMPORARY_SUFFIX,
    file_signature,
    fsync_directory,
    garbage_collection_paused,
    user_path,
)
from vlmreader.core.keys import CitationKeys, is_citable_key, is_valid_key
from vlmreader.core.library.identity import PaperIdentities
from vlmreader.core.library.journal import append_to_journal, read_journal
from vlmreader.core.library.record_cache import LoadedRecords, StoredRecords, is_current, load_records, save_records
from vlmreader.core.library.storage import AtomicJSONStorage, LibraryFileError
from vlmreader.core.models import (
    ANNOTATION_FIELDS,
    NO_ANNOTATION,
    AddTags,
    Annotation,
    AnnotationChange,
    Paper,
    PaperRecord,
    RemoveTags,
    SetNote,
    SetStatus,
    Star,
    UserError,
    clean_tag,
    merge_tags,
    now_timestamp,
)
from vlmreader.core.text import paper_id_for
from vlmreader.core.vocabulary import QUEUED, READ, READING, SKIPPED, UNREAD

SCHEMA_VERSION = 1
LOCK_TIMEOUT_SECONDS = 15
HOME_ENVIRONMENT_VARIABLE = "VLMREADER_HOME"

_META_DOC_ID = 1


def default_home() -> Path:
    """`$VLMREADER_HOME`, else the platform's user data folder."""
    configured = os.environ.get(HOME_ENVIRONMENT_VARIABLE)
    if configured:
        return user_path(configured)
    from platformdirs import user_data_path

    return user_data_path("vlmreader", appauthor=False)


class UnknownPaperError(UserError):
    pass


class LibraryBusy(UserError):
    """Another vlmreader holds the library lock (an import, say) longer than the caller waits."""


class LibraryReadOnly(UserError):
    """The library's folder or lock cannot be written: it can be read, not changed."""


@dataclass(frozen=True)
class Update:
    """What one annotation write did: each paper's annotation before and after it."""

    library: Library
    before: dict[str, Annotation]
    after: dict[str, Annotation]
    warning: str | None = None
    """Something the user should know although the write succeeded (a fold postponed)."""

    @property
    def papers(self) -> list[Paper]:
        """The papers written, as they are now."""
        return [self.library.get(paper_id) for paper_id in self.after]


@dataclass(frozen=True)
class RecordRevision:
    """What one write of papers' bibliographic records did (`Library.revise_records`): each
    changed record before and after it."""

    before: dict[str, PaperRecord]
    after: dict[str, PaperRecord]


@dataclass(frozen=True)
class Merge:
    """What `merge_papers` did, enough to take it back."""

    kept: PaperRecord
    """The paper kept, as it was before."""
    other: PaperRecord
    other_position: int
    kept_annotation: Annotation
    other_annotation: Annotation
    merged: PaperRecord
    combined: Annotation


@dataclass
class AddReport:
    """What `Library.add_papers` did with each offered paper."""

    added: list[Paper] = field(default_factory=list)
    merged: list[Paper] = field(default_factory=list)
    rekeyed: list[tuple[str, str]] = field(default_factory=list)
    """(asked-for key, key given) for imported keys that could not be kept (another paper has it)."""
    renamed: list[tuple[str, str]] = field(default_factory=list)
    """(old key, new key) of papers that took the key of an entry merged into them; the old key
    still finds them."""
    possible_duplicates: list[tuple[Paper, Paper]] = field(default_factory=list)
    """(paper added, paper it shares a title with but is not): for the user to look at."""


LIBRARY_FILE = "library.json"
ANNOTATIONS_FILE = "annotations.json"
RECORDS_CACHE_FILE = "records-cache.bin"
JOURNAL_FILE = "annotations.journal"
LOCK_FILE = "library.lock"
LOCKED_FILES = (LIBRARY_FILE, ANNOTATIONS_FILE)
"""Written only under the library lock."""
WRITTEN_FILES = (*LOCKED_FILES, RECORDS_CACHE_FILE, "search-index.bin", "settings.json")
"""Every file vlmreader replaces atomically in its home, through a `.NAME.XXXX.tmp` beside it."""
STALE_TEMPORARY_SECONDS = 600
JOURNAL_FOLD_ENTRIES = 200
"""After this many journal entries the journal is folded into annotations.json (journal.py)."""


QUICK_OPEN_BYTES = 24_000_000
"""A library file up to this size (about 13,000 papers) opens in a tenth of a second from its
records cache, and in a third of a second when the cache must be rebuilt."""
QUICK_OPEN_FROM_CACHE_BYTES = 256_000_000
"""One up to this size (about 140,000 papers) opens in a fifth of a second while its records
cache is current: only the cache's light columns are read (see record_cache.py)."""


def opens_quickly(home: Path) -> bool:
    """Whether the library in `home` opens in a fraction of a second (the app then opens it
    before its first frame): not on the first run, which imports the bundled corpus, nor when
    a large library file must be parsed because its records cache is stale."""
    path = Path(home) / LIBRARY_FILE
    try:
        size = path.stat().st_size
    except OSError:
        return False
    if size <= QUICK_OPEN_BYTES:
        return True
    return size <= QUICK_OPEN_FROM_CACHE_BYTES and is_current(Path(home) / RECORDS_CACHE_FILE, file_signature(path))


class Library:
    """The user's library in `home` (an empty one if there is none yet).

    `vlmreader.core.importing.open_library` opens it and brings in the bundled corpus on first
    use; the library itself knows nothing of formats or corpora.
    """

    def __init__(self, home: Path):
        self.home = Path(home)
        try:
            self.home.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise UserError(f"cannot create library folder {self.home}: {error.strerror or error}") from None
        self._papers_db = TinyDB(
            self.home / LIBRARY_FILE, storage=AtomicJSONStorage, tables=("_meta", "papers"), line_per_document=True
        )
        self._annotations_db = TinyDB(
            self.home / ANNOTATIONS_FILE, storage=AtomicJSONStorage, tables=("_meta", "annotations")
        )
        self._lock = None
        self.lock_timeout: float = LOCK_TIMEOUT_SECONDS
        """Seconds a write waits for another process's lock (the app waits none: see its docstring)."""
        self._records = RecordTable(LoadedRecords())
        self._annotations: dict[str, Annotation] = {}
        self._papers_meta: dict[str, Any] = {}
        self._papers_signature: tuple | None = None
        self._annotations_signature: tuple | None = None
        self._journal_length = 0
        self._journal_entries = 0
        self._fold_failure_reported = False
        self.papers_version = 0
        """Grows whenever the paper records change: a cheap cache key for search indexes."""
        self.annotations_version = 0
        """Grows whenever an annotation changes."""
        self._open()

    # -- opening and refreshing ---------------------------------------------------------

    @property
    def papers_signature(self) -> tuple | None:
        """Identifies the version of the library file the records were read from."""
        return self._papers_signature

    @property
    def papers_path(self) -> Path:
        return self.home / LIBRARY_FILE

    @property
    def records_cache_path(self) -> Path:
        return self.home / RECORDS_CACHE_FILE

    @property
    def annotations_path(self) -> Path:
        return self.home / ANNOTATIONS_FILE

    @property
    def journal_path(self) -> Path:
        return self.home / JOURNAL_FILE

    @property
    def meta(self) -> dict[str, Any]:
        """What the library file records about itself (schema version, bundled corpus version)."""
        return dict(self._papers_meta)

    def _open(self) -> None:
        with garbage_collection_paused():
            self._load_papers()
        self._load_annotations()
        self._remove_stale_temporaries()

    def _remove_stale_temporaries(self) -> None:
        """Delete what a killed vlmreader left half-written (`.library.json.XXXX.tmp`, tens of MB).

        Only under the lock, which every writer of the library files holds, so none of those is
        anyone's write in progress; a cache or settings file is written without it, so its
        temporary file goes only once it is STALE_TEMPORARY_SECONDS old. Never waits for the lock.
        """
        try:
            leftovers = [path for path in self.home.glob(".*" + TEMPORARY_SUFFIX) if path.is_file()]
        except OSError:
            return
        ours = [path for path in leftovers if path.name[1:].split(".tmp")[0].rsplit(".", 1)[0] in WRITTEN_FILES]
        if not ours:
            return
        from filelock import FileLock, Timeout

        try:
            with FileLock(self.home / LOCK_FILE, timeout=0):
                now = time.time()
                for path in ours:
                    locked_writer = path.name[1:].startswith(LOCKED_FILES)
                    if locked_writer or now - path.stat().st_mtime > STALE_TEMPORARY_SECONDS:
                        path.unlink(missing_ok=True)
        except (Timeout, OSError):
            pass  # another vlmreader is writing, or the home is read-only: next time

    def _read(self, db: TinyDB, path: Path) -> tuple[dict[str, Any], dict[str, dict]]:
        """(meta, data) of a library file, read once; the schema version is checked.

        The storage is read directly rather than through TinyDB's tables, which would parse
        the file again for every table and copy every document.
        """
        data = db.storage.read() or {}
        meta = dict(data.get("_meta", {}).get(str(_META_DOC_ID), {}))
        version = meta.get("schema_version", SCHEMA_VERSION)
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise LibraryFileError(path, f"its schema version {version!r} is not one vlmreader writes")
        if version > SCHEMA_VERSION:
            raise LibraryFileError(path, f"it was written by a newer vlmreader (schema {version}); upgrade vlmreader")
        return meta, data

    def _load_papers(self) -> None:
        signature = file_signature(self.papers_path)
        cached = load_records(self.records_cache_path, signature, self._read_records) if signature is not None else None
        if cached is not None:
            meta, records = cached
            self._set_records(records, meta, signature)
            return
        meta, data = self._read(self._papers_db, self.papers_path)
        self._set_records(self._records_from(data.get("papers", {}).values()), meta, signature)
        if signature is not None:
            self._save_records_cache()

    def _read_records(self) -> list[PaperRecord]:
        """Every record, read from the library file itself (not its cache)."""
        _, data = self._read(self._papers_db, self.papers_path)
        return self._records_from(data.get("papers", {}).values())

    def _records_from(self, documents: Iterable[dict]) -> LoadedRecords:
        try:
            return LoadedRecords(PaperRecord.from_document(doc) for doc in documents)
        except (KeyError, TypeError, AttributeError) as error:
            raise LibraryFileError(self.papers_path, f"a paper record is malformed ({error!r})") from None

    def _save_records_cache(self) -> None:
        """Keep the fast copy of the records (record_cache.py) in step with the library file."""
        try:
            if not save_records(self.records_cache_path, self._papers_signature, self._papers_meta, self._records.ordered):
                self.records_cache_path.unlink(missing_ok=True)
        except OSError:
            pass  # a read-only home still works; it just parses library.json every time

    def _set_records(self, records: Sequence[PaperRecord], meta: dict[str, Any], signature: tuple | None) -> None:
        """`records`: a `LoadedRecords` or `StoredRecords` (read from the cache as they are asked for)."""
        self._records = RecordTable(records)
        self._papers_meta = meta
        self._papers_signature = signature
        self.papers_version += 1

    def _annotations_files_signature(self) -> tuple:
        return file_signature(self.annotations_path), file_signature(self.journal_path)

    def _load_annotations(self) -> None:
        signature = self._annotations_files_signature()
        _, data = self._read(self._annotations_db, self.annotations_path)
        entries, self._journal_length = read_journal(self.journal_path)
        try:
            annotations = Annotation.by_paper(data.get("annotations", {}).values())
        except ValueError as error:
            raise LibraryFileError(self.annotations_path, f"an annotation is malformed ({error})") from None
        for entry in entries:  # each checked by read_journal
            annotations.update(entry)
        self._annotations = annotations
        self._journal_entries = len(entries)
        self._annotations_signature = signature
        self.annotations_version += 1

    def refresh(self) -> bool:
        """Pick up what other processes wrote since; True if anything changed."""
        changed = False
        if file_signature(self.papers_path) != self._papers_signature:
            self._load_papers()
            changed = True
        if self._annotations_files_signature() != self._annotations_signature:
            self._load_annotations()
            changed = True
        return changed

    def locked(self):
        """Take the cross-process library lock (re-entrant); use as `with library.locked():`.

        Waits up to `lock_timeout` seconds, then raises `LibraryBusy`; a home where the lock
        cannot be taken at all (read-only, `library.lock` a folder) raises `LibraryReadOnly`.
        """
        if self._lock is None:
            from filelock import (
                FileLock,  # imported on first write: it costs read-only commands 40 ms
            )

            self._lock = FileLock(self.home / LOCK_FILE, timeout=LOCK_TIMEOUT_SECONDS)
        from filelock import Timeout

        try:
            return self._lock.acquire(timeout=self.lock_timeout)  # a proxy whose __exit__ releases it
        except Timeout:
            raise LibraryBusy(f"the library in {self.home} is locked by another vlmreader process; try again") from None
        except OSError as error:
            raise LibraryReadOnly(
                f"the library in {self.home} is read-only: cannot take {LOCK_FILE} ({error.strerror or error}); "
                "it can be searched and exported, not changed"
            ) from None

    def read_only_reason(self) -> str | None:
        """Why changes to this library would be refused (its folder or lock file cannot be
        written), or None; found without taking the lock."""
        lock = self.home / LOCK_FILE
        if lock.is_dir():
            return f"{lock} is a folder"
        if lock.exists() and not os.access(lock, os.W_OK):
            return f"{lock} cannot be written"
        if not os.access(self.home, os.W_OK | os.X_OK):
            return f"{self.home} cannot be written"
        return None

    # -- reading ---------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[Paper]:
        return (self._paper(record) for record in self._records.values())

    def __contains__(self, paper_id: object) -> bool:
        return paper_id in self._records

    def records(self) -> list[PaperRecord]:
        """Every paper record, in library order (the order papers were added). At 100,000
        papers this reads every one whole: `record_table` gives what is read as it is asked for."""
        return list(self._records.ordered)

    def record_table(self) -> RecordTable:
        """The records by id and in library order, each read when first asked for, with the
        light fields of all in columns (`RecordTable.column`). It never changes: a change to the
        records makes a new one. Safe to read from any thread."""
        return self._records

    def annotations(self) -> dict[str, Annotation]:
        """The annotations of every paper the user has touched, by paper id."""
        return dict(self._annotations)

    def annotation(self, paper_id: str) -> Annotation:
        return self._annotations.get(paper_id, NO_ANNOTATION)

    def _paper(self, record: PaperRecord) -> Paper:
        return Paper(record, self._annotations.get(record.id, NO_ANNOTATION))

    def find_key(self, key: str) -> Paper | None:
        """The paper with citation key `key` (or with `key` among its earlier keys), if any."""
        paper_id = self._records.ids_by_key().get(key.strip().casefold())
        return self.get(paper_id) if paper_id is not None else None

    def get(self, paper_id: str) -> Paper:
        try:
            return self._paper(self._records[paper_id])
        except KeyError:
            raise UnknownPaperError(f"no paper with id {paper_id}") from None

    def resolve(self, ref: str) -> Paper:
        """The paper a user means by `ref`: a citation key, an id, or a unique id prefix."""
        ref = ref.strip()
        paper_id = self._records.ids_by_key().get(ref.casefold())
        if paper_id is None and ref in self._records:
            paper_id = ref
        if paper_id is None and ref:
            lowered = ref.lower()
            matches = [pid for pid in self._records if pid.startswith(lowered)]
            if len(matches) > 1:
                raise UnknownPaperError(f"{ref!r} is ambiguous: it starts {len(matches)} paper ids; give more of it")
            if matches:
                paper_id = matches[0]
        if paper_id is None:
            raise UnknownPaperError(f"no paper has the key or id {ref!r}")
        return self.get(paper_id)

    def resolve_all(self, refs: Iterable[str]) -> list[Paper]:
        """`resolve` each ref, all or nothing, without duplicates."""
        papers: dict[str, Paper] = {}
        for ref in refs:
            paper = self.resolve(ref)
            papers.setdefault(paper.id, paper)
        return list(papers.values())

    def collection_counts(self) -> list[tuple[str, int]]:
        counts: dict[str, int] = {}
        for names in self._records.column("collections"):
            for name in names:
                counts[name] = counts.get(name, 0) + 1
        return sorted(counts.items())

    def tag_counts(self) -> list[tuple[str, int]]:
        """Each tag with the number of papers carrying it, most used first."""
        counts: dict[str, int] = {}
        spelling: dict[str, str] = {}
        for paper_id, annotation in self._annotations.items():
            if paper_id not in self._records:
                continue
            for tag in annotation.tags:
                folded = tag.casefold()
                spelling.setdefault(folded, tag)
                counts[folded] = counts.get(folded, 0) + 1
        return sorted(((spelling[f], n) for f, n in counts.items()), key=lambda item: (-item[1], item[0].casefold()))

    # -- annotating ------------------------------------------------------------------

    def _annotate(self, paper_ids: Iterable[str], change: Callable[[str, Annotation], Annotation]) -> Update:
        """Apply `change(paper_id, annotation)` to each paper in one locked read-modify-write."""
        ids = list(dict.fromkeys(paper_ids))
        for paper_id in ids:
            if paper_id not in self._records:
                raise UnknownPaperError(f"no paper with id {paper_id}")
        if not ids:
            return Update(self, {}, {})
        with self.locked():
            if self._annotations_files_signature() != self._annotations_signature:
                self._load_annotations()
            stamp = now_timestamp()
            before = {paper_id: self._annotations.get(paper_id, NO_ANNOTATION) for paper_id in ids}
            updated = {paper_id: change(paper_id, before[paper_id]).dated(before[paper_id], stamp) for paper_id in ids}
            warning = None
            if not self.annotations_path.exists():
                # The first write makes annotations.json, whole: the change is saved once it is.
                previous = dict(self._annotations)
                self._annotations.update(updated)
                try:
                    self._fold_journal()
                except UserError:
                    self._annotations = previous
                    raise
            else:
                self._journal_length = append_to_journal(
                    self.journal_path, [new.to_document(pid) for pid, new in updated.items()], self._journal_length
                )
                self._journal_entries += 1
                self._annotations.update(updated)  # saved: the journal holds it, fsynced
                if self._journal_entries >= JOURNAL_FOLD_ENTRIES:
                    warning = self._fold_journal_if_possible()
            self._annotations_signature = self._annotations_files_signature()
            self.annotations_version += 1
        return Update(self, before, updated, warning)

    def _fold_journal_if_possible(self) -> str | None:
        """Fold the journal, or leave it for a later write if annotations.json cannot be written
        (a full disk): every change is already safe in the journal. A warning, the first time."""
        try:
            self._fold_journal()
        except UserError as error:
            if self._fold_failure_reported:
                return None
            self._fold_failure_reported = True
            return f"saved in {self.journal_path.name}, but {error}; it will be tried again on the next change"
        self._fold_failure_reported = False
        return None

    def _fold_journal(self) -> None:
        """Write every annotation to annotations.json (atomically), then drop the journal they are in."""
        self._annotations_db.storage.write(
            {
                "_meta": {str(_META_DOC_ID): {"schema_version": SCHEMA_VERSION}},
                "annotations": {
                    str(_annotation_doc_id(pid)): annotation.to_document(pid)
                    for pid, annotation in self._annotations.items()
                },
            }
        )
        self.journal_path.unlink(missing_ok=True)
        fsync_directory(self.home)  # the removal is durable: a crash cannot bring old lines back
        self._journal_entries = self._journal_length = 0

    def update(self, paper_ids: Iterable[str], change: AnnotationChange) -> Update:
        """Apply `change` to each paper's annotation, in one locked read-modify-write."""
        return self._annotate(paper_ids, lambda _, annotation: change.apply(annotation))

    def set_starred(self, paper_ids: Iterable[str], starred: bool) -> list[Paper]:
        return self.update(paper_ids, Star(starred)).papers

    def add_tags(self, paper_ids: Iterable[str], tags: Iterable[str]) -> list[Paper]:
        return self.update(paper_ids, AddTags(tuple(tags))).papers

    def remove_tags(self, paper_ids: Iterable[str], tags: Iterable[str]) -> list[Paper]:
        return self.update(paper_ids, RemoveTags(tuple(tags))).papers

    def set_status(self, paper_ids: Iterable[str], status: str) -> list[Paper]:
        return self.update(paper_ids, SetStatus(status)).papers

    def set_note(self, paper_id: str, note: str) -> Paper:
        return self.update([paper_id], SetNote(note)).papers[0]

    def revise(self, paper_ids: Iterable[str], revision: Callable[[str, Annotation], Annotation]) -> Update:
        """Replace each paper's annotation with `revision(paper_id, annotation)`, computed under the
        lock from what the files hold now (undo uses it to compare before it reverts)."""
        return self._annotate(paper_ids, revision)

    # -- adding papers ---------------------------------------------------------------

    def add_papers(
        self, offered: Iterable[Paper], meta_updates: dict[str, Any] | None = None, key_style: str = "title"
    ) -> AddReport:
        """Add papers, merging each into the paper the library already has, if it is one (see
        `identity.py`: the same DOI or arXiv id, or the same title with nothing against it).

        Each offered paper is a record without id (see `PaperRecord`) and the annotation it
        brings. A new paper keeps its own key unless another paper has it. A merge adds
        collections; an imported entry merged into a paper becomes its entry (what export
        writes) and its key the paper's key, the old key staying an alias; otherwise only missing
        fields are filled in. Tags and notes offered (from a `.bib`'s keywords and note) join the
        user's annotations: tags are added, a note only fills an empty one. A paper with another's
        title that something contradicts is added, and reported as a possible duplicate.
        `meta_updates` are recorded in the library file in the same write. A new paper without a
        key of its own gets one in `key_style` (`keys.KEY_STYLES`).
        """
        offered = list(offered)
        report = AddReport()
        if not offered:
            return report
        with self.locked():
            self._load_papers()
            records = dict(self._records)
            keys = CitationKeys(self._records.ids_by_key())
            owner_of_key = dict(self._records.ids_by_key())
            identities = PaperIdentities(records.values())
            stamp = now_timestamp()
            annotation_changes: dict[str, Annotation] = {}
            added_ids: list[str] = []
            merged_ids: list[str] = []
            duplicates: list[tuple[str, str]] = []
            for paper in offered:
                new = paper.record
                origin = (new.collections[0] if new.collections else "", new.key)
                match = identities.match(new, origin)
                if match.same_as is None:
                    paper_id = self._free_id(new.title, records)
                    key = new.key
                    if not key or not (is_citable_key(key) if new.bibtex or new.item else is_valid_key(key)) or key in keys:
                        key = keys.new_key(new.title, authors=paper.authors, year=paper.year, style=key_style)
                        if new.key:
                            report.rekeyed.append((new.key, key))
                    else:
                        keys.take(key)
                    owner_of_key[key.casefold()] = paper_id
                    records[paper_id] = replace(new, id=paper_id, key=key, added=stamp)
                    added_ids.append(paper_id)
                    duplicates += [(paper_id, other) for other in match.possible_duplicates]
                else:
                    paper_id = match.same_as
                    merged = _merged(records[paper_id], new)
                    records[paper_id] = self._take_key(merged, new.key, keys, owner_of_key, report)
                    if paper_id not in added_ids:
                        merged_ids.append(paper_id)
                identities.add(paper_id, records[paper_id], origin)
                if paper.tags or paper.note:
                    annotation_changes[paper_id] = paper.annotation
            meta = {**self._papers_meta, **(meta_updates or {}), "schema_version": SCHEMA_VERSION}
            self._papers_db.storage.write({"_meta": {str(_META_DOC_ID): meta}, "papers": _Documents(list(records.values()))})
            self._set_records(LoadedRecords(records.values()), meta, file_signature(self.papers_path))
            self._save_records_cache()
            if annotation_changes:
                self._annotate_offered(annotation_changes)
        report.added = [self.get(pid) for pid in added_ids]
        report.merged = [self.get(pid) for pid in dict.fromkeys(merged_ids)]
        report.possible_duplicates = [(self.get(new), self.get(old)) for new, old in duplicates]
        return report

    @staticmethod
    def _take_key(record: PaperRecord, key: str, keys: CitationKeys, owner_of_key: dict[str, str], report: AddReport) -> PaperRecord:
        """`record` with the key of an entry merged into it: the user's document cites that key.
        Its old key stays an alias. A key another paper has is not taken."""
        old = record.key
        if not key or key == old or not is_citable_key(key):
            return record
        owner = owner_of_key.get(key.casefold())
        if owner is not None and owner != record.id:
            report.rekeyed.append((key, old))
            return record
        keys.take(key)
        owner_of_key[key.casefold()] = record.id
        aliases = [alias for alias in record.aliases if alias.casefold() != key.casefold()]
        if old.casefold() != key.casefold():
            aliases.append(old)
        report.renamed.append((old, key))
        return replace(record, key=key, aliases=tuple(aliases))

    def revise_records(self, revisions: dict[str, Callable[[PaperRecord], PaperRecord]]) -> RecordRevision:
        """Replace each paper's record with `revisions[paper_id](record)`, in one locked write,
        computed from what the library file holds now (another process may have changed it since
        the caller looked). A paper no longer in the library is skipped; an unchanged record
        costs nothing, and when none changes nothing is written."""
        with self.locked():
            self._load_papers()
            records = dict(self._records)
            before: dict[str, PaperRecord] = {}
            after: dict[str, PaperRecord] = {}
            for paper_id, revise in revisions.items():
                current = records.get(paper_id)
                if current is None:
                    continue
                revised = revise(current)
                if revised != current:
                    before[paper_id], after[paper_id] = current, revised
                    records[paper_id] = revised
            if after:
                self._write_records(records)
        return RecordRevision(before, after)

    def rewrite_records(self, rewrite: Callable[[dict[str, PaperRecord]], dict[str, PaperRecord]]) -> bool:
        """Replace every record with `rewrite(records by id)`, computed under the lock from what
        the library file holds now, in one write (nothing is written if it returns them as they
        are). Records keep their ids and keys as given: sync (`core.sync`) uses it to add, change
        and remove the papers another machine did. True if anything was written."""
        with self.locked():
            self._load_papers()
            records = rewrite(dict(self._records))
            if records == self._records:
                return False
            self._write_records(records)
        return True

    # -- duplicates ----------------------------------------------------------------------

    def merge_papers(self, keep_id: str, other_id: str) -> Merge:
        """Make two papers one: `other` goes into `keep`, which keeps its key and entry and gains
        the other's collections, missing text, keys (as aliases) and annotation (star, tags, the
        furthest status, both notes). `unmerge` takes it back."""
        if keep_id == other_id:
            raise UserError("a paper cannot be merged with itself")
        with self.locked():
            self._load_papers()
            if self._annotations_files_signature() != self._annotations_signature:
                self._load_annotations()
            keep, other = self.get(keep_id), self.get(other_id)
            combined = _combined(keep.annotation, other.annotation)
            # The annotations first, while both papers exist: the other's is now the kept one's.
            self._annotate([keep_id, other_id], lambda pid, _: combined if pid == keep_id else NO_ANNOTATION)
            records = dict(self._records)
            order = list(records)
            kept = _absorbed(keep.record, other.record)
            records[keep_id] = kept
            del records[other_id]
            self._write_records(records)
        return Merge(keep.record, other.record, order.index(other_id), keep.annotation, other.annotation, kept, combined)

    def unmerge(self, merge: Merge) -> list[Paper]:
        """Take a merge back: both papers as they were, unless the merged paper's annotation was
        changed since (then it stays, and the other paper comes back with its own)."""
        with self.locked():
            self._load_papers()
            if self._annotations_files_signature() != self._annotations_signature:
                self._load_annotations()
            items = [(pid, record) for pid, record in self._records.items() if pid != merge.other.id]
            position = min(merge.other_position, len(items))
            items.insert(position, (merge.other.id, merge.other))
            records = dict(items)
            records[merge.kept.id] = merge.kept
            self._write_records(records)
            restored = {merge.other.id: merge.other_annotation}
            if _same_values(self.annotation(merge.kept.id), merge.combined):
                restored[merge.kept.id] = merge.kept_annotation
            self._annotate(restored, lambda pid, _: restored[pid])
        return [self.get(merge.kept.id), self.get(merge.other.id)]

    def keep_apart(self, paper_ids: Iterable[str]) -> list[Paper]:
        """Say that papers sharing a title are different papers: `is:duplicate` stops showing them."""
        ids = list(dict.fromkeys(paper_ids))
        with self.locked():
            self._load_papers()
            records = dict(self._records)
            for paper_id in ids:
                others = tuple(other for other in ids if other != paper_id)
                record = records[paper_id]
                records[paper_id] = replace(record, kept_apart=tuple(dict.fromkeys(record.kept_apart + others)))
            self._write_records(records)
        return [self.get(paper_id) for paper_id in ids]

    def _write_records(self, records: dict[str, PaperRecord]) -> None:
        """Replace library.json with `records` (under the lock), and keep what derives from it."""
        meta = {**self._papers_meta, "schema_version": SCHEMA_VERSION}
        self._papers_db.storage.write({"_meta": {str(_META_DOC_ID): meta}, "papers": _Documents(list(records.values()))})
        self._set_records(LoadedRecords(records.values()), meta, file_signature(self.papers_path))
        self._save_records_cache()

    def _annotate_offered(self, offered: dict[str, Annotation]) -> None:
        tags = {pid: [clean_tag(tag) for tag in brought.tags] for pid, brought in offered.items()}
        self._annotate(
            offered,
            lambda pid, a: replace(a, tags=merge_tags(a.tags, tags[pid]), note=a.note or offered[pid].note),
        )

    @staticmethod
    def _free_id(title: str, taken: dict[str, PaperRecord]) -> str:
        """A new paper's id: from its title, salted when another paper (with that title, or a
        hash collision) has it already."""
        paper_id = paper_id_for(title)
        salt = 0
        while paper_id in taken:
            salt += 1
            paper_id = paper_id_for(f"{title}\0{salt}")
        return paper_id


def _annotation_doc_id(paper_id: str) -> int:
    return int(paper_id, 16)


def _merged(record: PaperRecord, new: PaperRecord) -> PaperRecord:
    """`record` with what `new`, the same paper, brings: its collections, and missing text. An
    imported entry (a .bib entry, a CSL-JSON or RIS item) becomes the paper's entry (what export
    writes, and what the paper shows); otherwise only missing fields are filled in."""
    collections = record.collections + tuple(name for name in new.collections if name not in record.collections)
    changes: dict[str, Any] = {"collections": collections}
    if not record.abstract and new.abstract:
        changes["abstract"] = new.abstract
    if not record.url and new.url:
        changes["url"] = new.url
    if new.bibtex:
        changes.update(
            bibtex=new.bibtex, context=new.context, entry_type=new.entry_type, fields={**record.fields, **new.fields}
        )
        # What the user's entry says is theirs now, whatever a source had filled in before.
        changes["provenance"] = tuple(item for item in record.provenance if item[0] not in new.fields)
    elif new.item:
        # A CSL-JSON or RIS item is the user's too; a .bib entry the paper has keeps its type.
        changes.update(item=new.item, item_format=new.item_format, fields={**record.fields, **new.fields})
        if not record.bibtex:
            changes["entry_type"] = new.entry_type
        changes["provenance"] = tuple(item for item in record.provenance if item[0] not in new.fields)
    else:
        if record.entry_type == "misc" and new.entry_type != "misc":
            changes["entry_type"] = new.entry_type
        changes["fields"] = {**new.fields, **record.fields}
    taken = tuple(item for item in new.provenance if item[0] not in record.fields and item[0] in changes["fields"])
    if taken:
        changes["provenance"] = changes.get("provenance", record.provenance) + taken
    return replace(record, **changes)


def _absorbed(keep: PaperRecord, other: PaperRecord) -> PaperRecord:
    """`keep` with what `other` (the same paper, as the user says) adds."""
    aliases = tuple(
        dict.fromkeys(alias for alias in (*keep.aliases, other.key, *other.aliases) if alias.casefold() != keep.key.casefold())
    )
    changes: dict[str, Any] = {
        "collections": keep.collections + tuple(name for name in other.collections if name not in keep.collections),
        "aliases": aliases,
        "fields": {**other.fields, **keep.fields},
        "abstract": keep.abstract or other.abstract,
        "url": keep.url or other.url,
        "kept_apart": tuple(pid for pid in keep.kept_apart if pid != other.id),
    }
    if not keep.bibtex and other.bibtex:
        changes.update(bibtex=other.bibtex, context=other.context, entry_type=other.entry_type)
    if not keep.item and other.item:
        changes.update(item=other.item, item_format=other.item_format)
    return replace(keep, **changes)


def _same_values(one: Annotation, other: Annotation) -> bool:
    """Whether two annotations say the same of a paper, whenever each was made."""
    return all(getattr(one, field) == getattr(other, field) for field in ANNOTATION_FIELDS)


def _combined(keep: Annotation, other: Annotation) -> Annotation:
    """One annotation from two: starred if either was, every tag, the status furthest along (a
    triaged one before `unread`), and both notes, the kept paper's first."""
    statuses = [keep.status, other.status]
    status = next((s for s in (READING, READ, QUEUED, SKIPPED) if s in statuses), UNREAD)
    notes = [note for note in (keep.note.strip(), other.note.strip()) if note]
    return Annotation(
        starred=keep.starred or other.starred,
        tags=merge_tags(keep.tags, list(other.tags)),
        status=status,
        note="\n\n---\n".join(dict.fromkeys(notes)),
    )


class _Documents:
    """Records as the documents of `library.json`'s papers table, made one at a time as it is
    written: an import of 100,000 papers never holds them all as dicts."""

    def __init__(self, records: list[PaperRecord]):
        self.records = records

    def __len__(self) -> int:
        return len(self.records)

    def items(self):
        return ((str(number), record.to_document()) for number, record in enumerate(self.records, start=1))


class RecordTable(Mapping[str, PaperRecord]):
    """The library's paper records by id, in library order (`ordered`), over a `LoadedRecords`
    or a `StoredRecords`: a record is read whole when it is first asked for, and `column` gives
    a light field of every record at once (`record_cache.LIGHT_FIELDS`)."""

    def __init__(self, records: Sequence[PaperRecord]):
        self.ordered = records
        self.ids: list[str] = records.column("id")
        self._position = records.positions()
        self._ids_by_key: dict[str, str] | None = None

    def __getitem__(self, paper_id: str) -> PaperRecord:
        return self.ordered[self._position[paper_id]]

    def __contains__(self, paper_id: object) -> bool:
        return paper_id in self._position

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def values(self):  # type: ignore[override]
        return iter(self.ordered)

    def items(self):  # type: ignore[override]
        return zip(self.ids, self.ordered)

    def ids_by_key(self) -> dict[str, str]:
        """Each citation key, case folded, to its paper's id: a paper's earlier keys (kept after
        a merge) find it too, unless another paper has that key now. Made on first use (a
        search needs none); do not change it."""
        if self._ids_by_key is None:
            by_key = {alias.casefold(): paper_id for paper_id, aliases in zip(self.ids, self.column("aliases")) for alias in aliases}
            by_key.update(zip(map(str.casefold, self.column("key")), self.ids))
            self._ids_by_key = by_key
        return self._ids_by_key

    def column(self, name: str) -> list:
        return self.ordered.column(name)
