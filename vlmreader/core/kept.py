"""Kept exports: files that vlmreader keeps up to date with the papers a query matches.

`vlmreader export QUERY -o paper/refs.bib --keep` registers one (query, path, format) in the
library's home (`kept-exports.json`). After any change to the library, the process that made it
calls `refresh_kept_exports`, which, for each kept export, searches its query again and
rewrites the file, atomically and only when what it would write differs from what is there.

- Cheap when nothing it shows changed: the papers a query matches and their state are reduced
  to one digest, and only a changed digest costs an export.
- A file edited by hand since vlmreader last wrote it is never overwritten: the refresh says so
  (`edited`) and the user decides (`vlmreader exports --rewrite PATH` or `--drop PATH`).
- A target folder that has gone is reported (`no folder`), never created.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from vlmreader.core.files import user_path, write_atomically, write_users_file
from vlmreader.core.formats import export_papers
from vlmreader.core.library import Library
from vlmreader.core.models import UserError
from vlmreader.core.search import SearchEngine

REGISTRY_FILE = "kept-exports.json"
LOCK_FILE = "kept-exports.lock"
LOCK_TIMEOUT_SECONDS = 10.0
WRITTEN, UNCHANGED, EDITED, NO_FOLDER, FAILED = "written", "unchanged", "edited", "no folder", "failed"


@dataclass(frozen=True)
class KeptExport:
    path: str
    """Absolute, as the user named it (`~` expanded)."""
    query: str
    format: str
    papers: int = 0
    written_at: str = ""
    written_digest: str = ""
    """sha256 of the bytes vlmreader last wrote there: anything else means a hand edit."""
    inputs_digest: str = ""
    """What the matching papers looked like when they were last written."""


@dataclass(frozen=True)
class Refreshed:
    """What a refresh did to one kept export."""

    export: KeptExport
    outcome: str
    """WRITTEN, UNCHANGED, EDITED, NO_FOLDER or FAILED."""
    message: str = ""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _same_file(one: str, other: str) -> bool:
    return os.path.realpath(one) == os.path.realpath(other)


_record_digests: dict[str, tuple[object, bytes]] = {}
"""paper id -> (the record last seen, its digest): records are replaced, never changed, so the
same record object has the same digest, and a refresh after an unrelated change digests none."""


def _record_digest(record) -> bytes:
    seen = _record_digests.get(record.id)
    if seen is not None and seen[0] is record:
        return seen[1]
    digest = hashlib.blake2b(repr(record).encode("utf-8", "surrogatepass"), digest_size=16).digest()
    _record_digests[record.id] = (record, digest)
    return digest


class KeptExports:
    """The kept exports of one library, read from and written to its home."""

    def __init__(self, library: Library, engine: SearchEngine | None = None):
        self.library = library
        self.engine = engine or SearchEngine(library)
        self.path = library.home / REGISTRY_FILE

    # -- the registry --------------------------------------------------------------------

    def all(self) -> list[KeptExport]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as error:
            raise UserError(f"cannot read {self.path} ({error}); fix or remove it") from None
        try:
            return [KeptExport(**entry) for entry in data["exports"]]
        except (KeyError, TypeError) as error:
            raise UserError(f"{self.path} is not a list of kept exports ({error}); fix or remove it") from None

    def _save(self, exports: list[KeptExport]) -> None:
        data = {"exports": [asdict(export) for export in exports]}
        write_atomically(self.path, json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8") + b"\n")

    def _locked(self):
        from filelock import FileLock, Timeout

        lock = FileLock(self.library.home / LOCK_FILE, timeout=LOCK_TIMEOUT_SECONDS)
        try:
            lock.acquire()
        except Timeout:
            raise UserError("another vlmreader is rewriting the kept exports; try again") from None
        return lock

    def update(self, change: Callable[[list[KeptExport]], list[KeptExport]]) -> None:
        """Replace the registry by `change(the registry)`, read and written under its lock, so
        that no other process's keep or drop comes between (the files are not written)."""
        lock = self._locked()
        try:
            exports = self.all()
            updated = change(exports)
            if updated != exports:
                self._save(updated)
        finally:
            lock.release()

    def find(self, path: str) -> KeptExport:
        target = str(user_path(path))
        for export in self.all():
            if _same_file(export.path, target):
                return export
        raise UserError(f"{path} is not a kept export (vlmreader exports lists them)")

    def keep(self, query: str, path: str, format_name: str) -> Refreshed:
        """Register (or change) the kept export at `path` and write it now, whatever is there."""
        target = str(user_path(path))
        lock = self._locked()
        try:
            exports = [export for export in self.all() if not _same_file(export.path, target)]
            refreshed = self._write(KeptExport(path=target, query=query, format=format_name), force=True)
            if refreshed.outcome == WRITTEN:
                self._save(exports + [refreshed.export])
            return refreshed
        finally:
            lock.release()

    def drop(self, path: str) -> KeptExport:
        """Stop keeping the export at `path` up to date (the file stays)."""
        dropped = self.find(path)
        self.update(lambda exports: [export for export in exports if not _same_file(export.path, dropped.path)])
        return dropped

    # -- refreshing ----------------------------------------------------------------------

    def refresh(self, rewrite: str | None = None) -> list[Refreshed]:
        """Bring every kept export up to date; `rewrite` names one to write even if edited by hand."""
        if not self.path.exists():
            return []
        lock = self._locked()
        try:
            exports = self.all()
            forced = str(user_path(rewrite)) if rewrite else None
            results = [self._write(export, force=forced is not None and _same_file(export.path, forced)) for export in exports]
            kept = [result.export if result.outcome in (WRITTEN, UNCHANGED) else export for export, result in zip(exports, results)]
            if kept != exports:
                self._save(kept)
            return results
        finally:
            lock.release()

    def _papers_and_digest(self, export: KeptExport):
        result = self.engine.search(export.query, partial=False)
        papers = [self.library.get(paper_id) for paper_id in result.paper_ids()]
        digest = hashlib.blake2b(export.format.encode(), digest_size=16)
        for paper in papers:
            digest.update(_record_digest(paper.record))
            # Of the user's annotations, formats write the tags and the note (star and status
            # only decide what a query matches, which the list of papers already says).
            digest.update(repr((paper.annotation.tags, paper.annotation.note)).encode("utf-8", "surrogatepass"))
        return papers, digest.hexdigest()

    def _write(self, export: KeptExport, force: bool = False) -> Refreshed:
        papers, inputs = self._papers_and_digest(export)
        target = Path(export.path)
        if not force and inputs == export.inputs_digest and target.exists():
            return Refreshed(export, UNCHANGED)
        if not target.parent.is_dir():
            return Refreshed(export, NO_FOLDER, f"{export.path}: there is no folder {target.parent} (vlmreader does not make one); not written")
        data = export_papers(papers, export.format, self.library.find_key).encode("utf-8")
        try:
            current = target.read_bytes()
        except FileNotFoundError:
            current = None
        except OSError as error:
            return Refreshed(export, FAILED, f"{export.path}: cannot read it ({error.strerror or error})")
        updated = replace(export, inputs_digest=inputs, written_digest=_sha256(data), papers=len(papers))
        if current == data:  # also after a crash between writing the file and the registry
            return Refreshed(updated, UNCHANGED)
        if current is not None and not force and export.written_digest and _sha256(current) != export.written_digest:
            return Refreshed(
                export,
                EDITED,
                f"{export.path} was edited since vlmreader wrote it, so it is not overwritten: "
                f"`vlmreader exports --rewrite {export.path}` writes it anew (your edits go), "
                f"`vlmreader exports --drop {export.path}` stops keeping it",
            )
        try:
            write_users_file(target, data)
        except UserError as error:
            return Refreshed(export, FAILED, str(error))
        return Refreshed(replace(updated, written_at=_now()), WRITTEN)


def refresh_kept_exports(library: Library, engine: SearchEngine | None = None) -> list[Refreshed]:
    """Rewrite the kept exports a change has made stale; what happened to each that was not
    already up to date."""
    return [result for result in KeptExports(library, engine).refresh() if result.outcome != UNCHANGED]
