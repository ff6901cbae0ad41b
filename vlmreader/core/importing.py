"""Bringing papers into the library: files a user imports, and the corpus bundled in data/.

Each imported file becomes a collection named after it (`refs.bib` -> `refs`), so `in:refs`
finds what it brought. A file that cannot be read, or an entry that cannot be parsed, is
reported with its line; everything else still imports. A paper added that may be one the
library has (the same title with something against it, a slightly different title, a near copy
of its abstract: `core.search.duplicates`) is reported as a possible duplicate, for the user to
merge or keep apart.

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
from vlmreader.core.models import Paper

CORPUS_FINGERPRINT = "corpus_fingerprint"
"""The library file's record of which bundled corpus it holds."""


@dataclass
class ImportReport(AddReport):
    """What `import_files` did: what the library added and merged, and what it rejected."""

    rejected: list[str] = field(default_factory=list)
    """One line per rejected file or entry: 'FILE:LINE: reason'."""
    warnings: list[str] = field(default_factory=list)
    """One line per entry imported with a value kept as written: 'FILE:LINE: reason'."""
    reasons: dict[tuple[str, str], str] = field(default_factory=dict)
    """Why each pair of `possible_duplicates` (by ids) may be one paper, if not for its title."""

    def why(self, paper: Paper, other: Paper) -> str:
        """Why a pair of `possible_duplicates` may be one paper (`duplicates.REASONS`)."""
        from vlmreader.core.search.duplicates import SAME_TITLE

        return self.reasons.get((paper.id, other.id), SAME_TITLE)


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
    report = ImportReport(**vars(added), rejected=rejected, warnings=warnings)
    if report.added:
        _report_similar_papers(library, report)
    return report


def _report_similar_papers(library: Library, report: ImportReport) -> None:
    """Add to the possible duplicates each paper the import added whose title differs slightly
    from another paper's, or whose abstract nearly copies one; the library reported those with
    its very title already. As there, two entries of one file are two papers."""
    # Imported here: opening a library for `vlmreader star` need not load the search engine.
    from vlmreader.core.search.duplicates import SAME_TITLE, duplicates_in

    records = library.records()
    added = {paper.id: paper for paper in report.added}
    reported = {(paper.id, other.id) for paper, other in report.possible_duplicates}
    for group in duplicates_in(records):
        for link in group.links:
            if link.reason == SAME_TITLE:
                continue
            earlier, later = records[link.one], records[link.other]
            paper, other = (later, earlier) if later.id in added else (earlier, later)
            if paper.id not in added or (other.id in added and _file_of(added[other.id]) == _file_of(added[paper.id])):
                continue
            if (paper.id, other.id) not in reported:
                report.possible_duplicates.append((added[paper.id], library.get(other.id)))
                report.reasons[(paper.id, other.id)] = link.reason
                reported.add((paper.id, other.id))


def _file_of(paper: Paper) -> str:
    """The collection of the file a paper came in with."""
    return paper.collections[0] if paper.collections else ""


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
