"""File formats: reading papers from files and writing them out.

One module per format: `bibtex` (with `latex`, the text <-> LaTeX conversion it needs),
`biblatex`, `csl_json` (CSL-JSON, for pandoc, Quarto and Zotero), `ris` (EndNote, Mendeley,
Zotero), `markdown` (a reading list) and `listing` (the "papers listing page" text the bundled
corpus comes as); `citation` is how a paper is cited, which the writers share. `parse_file` picks
the reader by the file's suffix, `export_papers` the writer by its name (`format_for` finds it
from a file name). Formats know papers (`vlmreader.core.models`), never the library.

A writer gives its text in chunks (an entry or a thousand at a time), which `export_chunks`
passes on to be written as they come: an export of 100,000 papers is 170 MB of text, which
never sits in memory as one string.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from vlmreader.core.files import user_path, write_users_file
from vlmreader.core.models import Paper, UserError, clean_tag, merge_tags
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


READERS = {
    ".bib": ("bibtex", "parse_bibtex"),
    ".json": ("csl_json", "parse_csl_json"),
    ".ris": ("ris", "parse_ris"),
}
"""Suffix -> (format module, its `parse(text, collection) -> ParsedFile` function)."""
DEFAULT_READER = ("listing", "parse_listing")
"""Any other file is read as a listing page."""

WRITERS = {
    "bibtex": ("bibtex", "bibtex_chunks"),
    "biblatex": ("biblatex", "biblatex_chunks"),
    "csl-json": ("csl_json", "csl_json_chunks"),
    "ris": ("ris", "ris_chunks"),
    "markdown": ("markdown", "markdown_chunks"),
}
"""`--format` name -> (format module, its `chunks(papers, paper_of_key) -> Iterator[str]`
function: the text of the file, in pieces that follow one another)."""
FORMAT_OF_SUFFIX = {".bib": "bibtex", ".json": "csl-json", ".ris": "ris", ".md": "markdown"}
"""The format a file name says; `.bib` is BibTeX (biblatex only when asked for)."""
DEFAULT_FORMAT = "bibtex"
"""What goes to the standard output, or to a name without a suffix (`/dev/stdout`, a FIFO)."""

PaperOfKey = Callable[[str], Paper | None]
"""Finds the paper with a citation key (the library's `find_key`), for BibTeX `crossref` parents."""


def parse_file(path: Path, text: str) -> ParsedFile:
    """The papers in `text`, read from `path` in the format its suffix says, in a collection
    named after the file (`refs.bib` -> `refs`)."""
    module, function = READERS.get(path.suffix.lower(), DEFAULT_READER)
    reader = importlib.import_module(f"{__name__}.{module}")  # bibtexparser only when a .bib comes
    return getattr(reader, function)(text, collection_name(path))


def format_for(path: str | None, name: str | None = None) -> str:
    """The export format: `name` if given, else the one `path`'s suffix says, else BibTeX for the
    standard output or a name without a suffix. UserError, listing the formats, for a name that
    is none of them or a suffix that names no format."""
    if name is not None:
        if name.lower() not in WRITERS:
            raise UserError(f"unknown format {name!r}: use one of {', '.join(WRITERS)}")
        return name.lower()
    suffix = Path(path).suffix.lower() if path not in (None, "-") else ""
    if not suffix:
        return DEFAULT_FORMAT
    if suffix not in FORMAT_OF_SUFFIX:
        known = ", ".join(f"{written} ({fmt})" for written, fmt in FORMAT_OF_SUFFIX.items())
        raise UserError(
            f"cannot tell the format from {suffix!r}: give --format ({', '.join(WRITERS)}) or a file name ending in {known}"
        )
    return FORMAT_OF_SUFFIX[suffix]


def export_papers(papers: Iterable[Paper], format_name: str, paper_of_key: PaperOfKey | None = None) -> str:
    """The papers written in the format `format_name` (one of `WRITERS`)."""
    return "".join(export_chunks(papers, format_name, paper_of_key))


def export_chunks(papers: Iterable[Paper], format_name: str, paper_of_key: PaperOfKey | None = None) -> Iterator[str]:
    """The text of `export_papers` in chunks, to be written as they come."""
    module, function = WRITERS[format_name]
    writer = importlib.import_module(f"{__name__}.{module}")
    return getattr(writer, function)(list(papers), paper_of_key)


def separated(pieces: Iterable[str], separator: str) -> Iterator[str]:
    """`separator.join(pieces)`, a piece at a time."""
    for position, piece in enumerate(pieces):
        yield separator + piece if position else piece


def export_papers_to_file(
    papers: Iterable[Paper], path, format_name: str, paper_of_key: PaperOfKey | None = None
) -> tuple[str, int]:
    """Write the papers to `path` in `format_name` as the shell's `>` would, but atomically
    (`files.write_users_file`), chunk by chunk; returns (the path written, how many papers).
    UserError with a one-line reason when it cannot be written."""
    if str(path).strip() == "-":
        raise UserError("give a file name ('-' means the standard output, which only the command line has)")
    target = user_path(path)
    papers = list({paper.id: paper for paper in papers}.values())
    chunks = export_chunks(papers, format_name, paper_of_key)
    write_users_file(target, (chunk.encode("utf-8") for chunk in chunks))
    return str(target), len(papers)


def tags_from_keywords(keywords: Iterable[str]) -> tuple[str, ...]:
    """The tags a file's keywords bring (`vision language` -> `vision-language`), each once; a
    keyword no tag can hold (empty, quotes, a leading '-') brings none, and stays in the entry."""
    tags = []
    for keyword in keywords:
        try:
            tags.append(clean_tag("-".join(keyword.split())))
        except UserError:
            continue
    return merge_tags((), tags)


def collection_name(path: Path) -> str:
    """A file's collection is named after it: data/high-resolution.txt -> high-resolution."""
    return readable(path.stem)
