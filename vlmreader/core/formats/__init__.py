"""File formats: reading papers from files and writing them out.

One module per format: `bibtex` (with `latex`, the text <-> LaTeX conversion it needs) and
`listing` (the "papers listing page" text the bundled corpus comes as). `parse_file` picks the
reader by the file's suffix. Formats know papers (`vlmreader.core.models`), never the library.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path

from vlmreader.core.models import Paper
from vlmreader.core.text import readable


@dataclass(frozen=True)
class Rejection:
    """Something in a file that could not become a paper as it stands, and where."""

    line: int
    """1-based line where the entry starts (0: the file as a whole)."""
    key: str | None
    reason: str


@dataclass
class ParsedFile:
    """The papers a file offers the library (see `PaperRecord`), what it had to reject, and what
    it imported only in part or not as written."""

    papers: list[Paper] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    """Entries, or parts of them, that were not imported: the file needs fixing."""
    warnings: list[Rejection] = field(default_factory=list)
    """Entries imported with a value kept as written, because it could not be read as text."""


READERS = {".bib": ("bibtex", "parse_bibtex")}
"""Suffix -> (format module, its `parse(text, collection) -> ParsedFile` function)."""
DEFAULT_READER = ("listing", "parse_listing")
"""Any other file is read as a listing page."""


def parse_file(path: Path, text: str) -> ParsedFile:
    """The papers in `text`, read from `path` in the format its suffix says, in a collection
    named after the file (`refs.bib` -> `refs`)."""
    module, function = READERS.get(path.suffix.lower(), DEFAULT_READER)
    reader = importlib.import_module(f"{__name__}.{module}")  # bibtexparser only when a .bib comes
    return getattr(reader, function)(text, collection_name(path))


def collection_name(path: Path) -> str:
    """A file's collection is named after it: data/high-resolution.txt -> high-resolution."""
    return readable(path.stem)
