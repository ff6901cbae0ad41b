"""Importing files into the library: `.bib` files and listing-page text files.

Each file becomes a collection named after it (`refs.bib` -> `refs`), so `in:refs` finds what
it brought. A file that cannot be read, or an entry that cannot be parsed, is reported with
its line; everything else still imports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from vlmreader.core.corpus import collection_name, parse_listing_page
from vlmreader.core.models import Paper
from vlmreader.core.store import Library, NewPaper


@dataclass
class ImportReport:
    added: list[Paper] = field(default_factory=list)
    merged: list[Paper] = field(default_factory=list)
    rekeyed: list[tuple[str, str]] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    """One line per rejected file or entry: 'FILE:LINE: reason'."""


def _papers_from_bibtex(text: str, path: Path, report: ImportReport) -> list[NewPaper]:
    from dataclasses import replace

    from vlmreader.core.bibtex import parse_bibtex

    parsed = parse_bibtex(text)
    for rejection in parsed.rejected:
        label = f" ({rejection.key})" if rejection.key else ""
        report.rejected.append(f"{path}:{rejection.line}: {rejection.reason}{label}")
    collection = collection_name(path)
    return [replace(paper, collections=(*paper.collections, collection)) for paper in parsed.papers]


def _papers_from_listing(text: str, path: Path, report: ImportReport) -> list[NewPaper]:
    collection = collection_name(path)
    papers = []
    for entry in parse_listing_page(text):
        if not entry.abstract:
            report.rejected.append(f"{path}:{entry.line}: a title without an abstract line after it")
        papers.append(NewPaper(title=entry.title, abstract=entry.abstract, url=entry.url, collections=(collection,)))
    return papers


def import_files(library: Library, paths: list[Path]) -> ImportReport:
    """Import every file, in order, reporting what was added, merged and rejected."""
    report = ImportReport()
    offered: list[NewPaper] = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            report.rejected.append(f"{path}: no such file")
            continue
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or str(error)
            report.rejected.append(f"{path}: cannot read it ({reason})")
            continue
        reader = _papers_from_bibtex if path.suffix.lower() == ".bib" else _papers_from_listing
        offered.extend(reader(text, path, report))
    added = library.add_papers(offered)
    report.added, report.merged, report.rekeyed = added.added, added.merged, added.rekeyed
    return report
