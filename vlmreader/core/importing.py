"""Bringing papers into the library: files a user imports, and the corpus bundled in data/.

Each imported file becomes a collection named after it (`refs.bib` -> `refs`), so `in:refs`
finds what it brought. A file that cannot be read, or an entry that cannot be parsed, is
reported with its line; everything else still imports.

`open_library` is how the CLI and the app open a library: it imports the bundled corpus on
first use, and again when a new vlmreader ships a changed one (its fingerprint is kept in the
library file). `add_by_identifiers` brings papers in from metadata sources (`core.sources`),
which nothing else in the core reaches.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from vlmreader.core.formats import Rejection, parse_file
from vlmreader.core.formats.listing import merge_entries, read_listing_pages
from vlmreader.core.library import AddReport, Library
from vlmreader.core.library.identity import PaperIdentities, arxiv_id_of, doi_of
from vlmreader.core.models import Paper, today

if TYPE_CHECKING:
    from vlmreader.core.sources.http import Sources
    from vlmreader.core.sources.works import Work

CORPUS_FINGERPRINT = "corpus_fingerprint"
"""The library file's record of which bundled corpus it holds."""


@dataclass
class ImportReport(AddReport):
    """What `import_files` did: what the library added and merged, and what it rejected."""

    rejected: list[str] = field(default_factory=list)
    """One line per rejected file or entry: 'FILE:LINE: reason'."""
    warnings: list[str] = field(default_factory=list)
    """One line per entry imported with a value kept as written: 'FILE:LINE: reason'."""


def import_files(library: Library, paths: list[Path]) -> ImportReport:
    """Import every file, in order, reporting what was added, merged and rejected."""
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
    added = library.add_papers(offered)
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


@dataclass
class AddedByIdentifier:
    """What `add_by_identifiers` did with each identifier the user gave."""

    added: list[Paper] = field(default_factory=list)
    known: list[tuple[str, Paper]] = field(default_factory=list)
    """(identifier as given, the paper the library already had): nothing fetched, or the fetched
    metadata merged into it."""
    not_found: list[str] = field(default_factory=list)
    requests: int = 0


def add_by_identifiers(library: Library, texts: list[str], sources: Sources) -> AddedByIdentifier:
    """Add the papers that arXiv ids, DOIs or Hugging Face URLs name, with their metadata.

    Every identifier is read first (a typo stops it all, before any request); one the library
    already has is reported with its key and costs no request; arXiv ids are asked in batches.
    """
    from vlmreader.core.sources.arxiv import works_by_id
    from vlmreader.core.sources.crossref import work_by_doi
    from vlmreader.core.sources.identifiers import identify

    given: dict = {}  # identifier -> every text that named it, in order
    for text in texts:
        given.setdefault(identify(text), []).append(text)
    report = AddedByIdentifier()
    identities = PaperIdentities(library.records())
    wanted = []
    for identifier, named in given.items():
        known = identities.by_arxiv.get(identifier.value) if identifier.kind == "arxiv" else identities.by_doi.get(identifier.value)
        if known is not None:
            report.known += [(text, library.get(known)) for text in named]
        else:
            wanted.append((named[0], identifier))
    arxiv_works = works_by_id(sources, [identifier.value for _, identifier in wanted if identifier.kind == "arxiv"])
    offered: list[tuple[str, Work]] = []
    for text, identifier in wanted:
        work = arxiv_works.get(identifier.value) if identifier.kind == "arxiv" else work_by_doi(sources, identifier.value)
        if work is None:
            report.not_found.append(text)
        else:
            offered.append((text, work))
    added = library.add_papers(Paper(work.record(today())) for _, work in offered)
    new_ids = {paper.id for paper in added.added}
    report.added = added.added
    for (text, work), paper in zip(offered, _papers_for(library, offered)):
        if paper is None:
            continue
        named = next(names for names in given.values() if names[0] == text)
        report.known += [(other, paper) for other in (named if paper.id not in new_ids else named[1:])]
    report.requests = sources.requests
    return report


def _papers_for(library: Library, offered: list[tuple[str, Work]]) -> list[Paper | None]:
    """The library's paper for each work just offered (found again by its identifiers)."""
    identities = PaperIdentities(library.records())
    papers = []
    for _, work in offered:
        record = work.record(today())
        paper_id = identities.by_arxiv.get(arxiv_id_of(record)) or identities.by_doi.get(doi_of(record))
        papers.append(library.get(paper_id) if paper_id else None)
    return papers
