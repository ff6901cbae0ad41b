"""Bringing papers into the library: files a user imports, and the corpus bundled in data/.

Each imported file becomes a collection named after it (`refs.bib` -> `refs`), so `in:refs`
finds what it brought. A file that cannot be read, or an entry that cannot be parsed, is
reported with its line; everything else still imports.

`open_library` is how the CLI and the app open a library: it imports the bundled corpus on
first use, and again when a new vlmreader ships a changed one (its fingerprint is kept in the
library file). Papers from metadata services (by arXiv id or DOI, daily feeds) come in
through `core.metadata`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from vlmreader.core.formats import Rejection, parse_file
from vlmreader.core.formats.listing import merge_entries, read_listing_pages
from vlmreader.core.library import AddReport, Library

CORPUS_FINGERPRINT = "corpus_fingerprint"
"""The library file's record of which bundled corpus it holds."""


@dataclass
class ImportReport(AddReport):
    """What `import_files` did: what the library added and merged, and what it rejected."""

    rejected: list[str] = field(default_factory=list)
    """One line per rejected file or entry: 'FILE:LINE: reason'."""
    warnings: list[str] = field(default_factory=list)
    """One line per entry imported with a value kept as written: 'FILE:LINE: reason'."""


def import_files(library: Library, paths: list[Path], key_style: str = "title") -> ImportReport:
    """Import every file, in order, reporting what was added, merged and rejected; an entry
    without a key of its own gets one in `key_style`."""
    rejected: list[str] = []
    warnings: list[str] = []
    offered = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            rejected.append(f"{path}: no such file")
            continue
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or str(error)
            rejected.append(f"{path}: cannot read it ({reason})")
            continue
        parsed = parse_file(path, text)
        rejected += [_where(path, rejection) for rejection in parsed.rejected]
        warnings += [_where(path, warning) for warning in parsed.warnings]
        offered.extend(parsed.papers)
    added = library.add_papers(offered, key_style=key_style)
    return ImportReport(**vars(added), rejected=rejected, warnings=warnings)


def _where(path: Path, rejection: Rejection) -> str:
    label = f" ({rejection.key})" if rejection.key else ""
    return f"{path}:{rejection.line}: {rejection.reason}{label}"


def bundled_pages(data_dir: Path) -> list[Path]:
    """The bundled listing pages, in a stable order."""
    return sorted(data_dir.glob("*.txt"))


def corpus_fingerprint(paths: list[Path]) -> str:
    """A digest of the pages' names and contents: it changes when the bundled corpus does."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def open_library(home: Path, bundled: list[Path] | None = None) -> Library:
    """The library in `home`, holding the bundled corpus `bundled` (listing pages) if given."""
    library = Library(home)
    if bundled is not None:
        import_bundled_corpus(library, bundled)
    return library


def import_bundled_corpus(library: Library, pages: list[Path]) -> None:
    """Bring the library up to the bundled corpus `pages`, unless it holds that version already."""
    fingerprint = corpus_fingerprint(pages)
    if library.meta.get(CORPUS_FINGERPRINT) == fingerprint:
        return
    with library.locked():
        library.refresh()
        if library.meta.get(CORPUS_FINGERPRINT) == fingerprint:
            return  # another process imported it while we waited for the lock
        papers = merge_entries(read_listing_pages(pages))
        library.add_papers(papers, meta_updates={CORPUS_FINGERPRINT: fingerprint})
