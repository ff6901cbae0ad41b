"""BibTeX export and import.

`export_bibtex` writes one entry per paper, sorted by citation key so that exports diff well:
the title with its names brace-protected, the bibliographic fields an import brought, the url,
the user's tags as `keywords` and their note as `note`. Every value goes through `latex.to_latex`,
so the file compiles under a stock preamble with BibTeX and with Biber. The user's star and
reading status stay out of it.

`parse_bibtex` reads a `.bib` into papers to offer the library. An entry that cannot be read
(a missing brace, a duplicate key, no title) is reported with its line; the others still import.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import bibtexparser
from bibtexparser import model
from bibtexparser.exceptions import ParserStateException

from vlmreader.core.files import user_path, write_users_file
from vlmreader.core.formats import ParsedFile, Rejection
from vlmreader.core.formats.latex import UnreadableLatex, from_latex, names_from_latex, protect_title, to_latex
from vlmreader.core.models import Annotation, Paper, PaperRecord, UserError, clean_tag, merge_tags

BIBLIOGRAPHIC_FIELDS = (
    "author",
    "editor",
    "year",
    "month",
    "journal",
    "booktitle",
    "series",
    "volume",
    "number",
    "pages",
    "edition",
    "chapter",
    "publisher",
    "organization",
    "institution",
    "school",
    "address",
    "howpublished",
    "isbn",
    "issn",
    "doi",
    "eprint",
    "archiveprefix",
    "primaryclass",
    "eprinttype",
    "eprintclass",
)
"""Fields an import keeps in `PaperRecord.fields` and an export writes back, in this order."""

VERBATIM_FIELDS = frozenset({"doi", "eprint"})
"""Identifiers kept exactly as written (biblatex treats them as verbatim, like `url`)."""

NAME_FIELDS = frozenset({"author", "editor"})

MONTH_NAMES = (
    "january february march april may june july august september october november december".split()
)

_VERBATIM_SAFE = "".join(chr(code) for code in range(33, 127) if chr(code) not in '{}\\"')
# A `;` inside braces belongs to a tag: export writes a tag's own `;` as `{;}`.
_KEYWORD_SEPARATOR = re.compile(r"[,;](?![^{}]*})")
_ENTRY_KEY = re.compile(r"@\s*\w+\s*[{(]\s*([^,\s{}()]+)\s*,")
_LINE_STARTING_WITH_AT = re.compile(r"^(\s*)@", re.MULTILINE)


def export_bibtex(papers: Iterable[Paper]) -> str:
    """The papers as a `.bib` file, one entry each, sorted by citation key (case-insensitively)."""
    unique = {paper.id: paper for paper in papers}
    entries = sorted((_entry_for(paper) for paper in unique.values()), key=lambda entry: entry.key.casefold())
    if not entries:
        return ""
    # The entries are built here and thrown away after: the writer may change them in place
    # rather than copy each (a deep copy per entry was most of an export's time).
    unparse_stack = bibtexparser.middlewares.default_unparse_stack(allow_inplace_modification=True)
    return bibtexparser.write_string(
        bibtexparser.Library(entries), unparse_stack=unparse_stack, bibtex_format=_bibtex_format()
    )


def parse_bibtex(text: str, collection: str = "") -> ParsedFile:
    """The papers of a `.bib` file (in `collection`, if given), and a rejection for each entry
    that cannot become one. Nothing in the text makes it raise: whatever goes wrong inside one
    entry is that entry's rejection, with its line, and the other entries still import."""
    result = ParsedFile()
    try:
        with _quiet_bibtexparser():
            # No middleware: values come as written, so that `@string`s and `#` are ours to join.
            library = bibtexparser.parse_string(text, parse_stack=[])
    except (ParserStateException, RecursionError) as error:
        reason = getattr(error, "message", None) or "its braces nest too deeply"
        result.rejected.append(Rejection(1, None, f"the file cannot be parsed ({reason})"))
        return result
    strings = {string.key.casefold(): string.value for string in library.strings}
    previous: model.Block | None = None
    for block in library.blocks:
        if isinstance(block, model.ParsingFailedBlock):
            result.rejected.append(_rejection_for(block))
        elif isinstance(block, model.Entry):
            try:
                paper = _paper_from(block, collection, strings, result.warnings)
            except Exception as error:  # noqa: BLE001 - one odd entry must never cost the others
                paper = Rejection(_line_of(block), block.key or None, f"cannot be read ({type(error).__name__})")
            if isinstance(paper, Rejection):
                result.rejected.append(paper)
            else:
                result.papers.append(paper)
        elif isinstance(block, model.ImplicitComment) and isinstance(previous, model.Entry):
            stray = _fields_after_the_end(block.comment)
            if stray:
                result.rejected.append(
                    Rejection(
                        _line_of(previous),
                        previous.key or None,
                        f"a '}}' closes the entry early: {', '.join(stray)} after it were not imported "
                        "(the entry was, without them)",
                    )
                )
        previous = block
    return result


# -- export ----------------------------------------------------------------------------


def _entry_for(paper: Paper) -> model.Entry:
    record = paper.record
    values = [("title", protect_title(record.title))]
    for name in BIBLIOGRAPHIC_FIELDS:
        value = record.fields.get(name, "").strip()
        if value:
            values.append((name, _verbatim(value) if name in VERBATIM_FIELDS else to_latex(value)))
    values += [
        ("url", _verbatim(record.url)),
        ("keywords", ", ".join(to_latex(tag).replace(";", "{;}") for tag in paper.tags)),
        ("abstract", to_latex(record.abstract.strip())),
        ("note", to_latex((paper.note or record.fields.get("note", "")).strip())),
    ]
    fields = [_field(name, value) for name, value in values if value.strip()]
    return model.Entry(record.entry_type or "misc", record.key, fields)


def _field(name: str, value: str) -> model.Field:
    if name == "month":
        month = _month_macro(value)
        if month:
            # `jan`, unbraced, is the style's month macro: Biber wants it to sort by month.
            return model.Field(name, month, enclosing="no-enclosing")
    # bibtexparser takes an `@` at the start of a line for the start of a new entry.
    return model.Field(name, _LINE_STARTING_WITH_AT.sub(r"\1{@}", value) if "@" in value else value)


def _month_macro(value: str) -> str | None:
    word = value.strip().rstrip(".").lower()
    for name in MONTH_NAMES:
        if word in (name, name[:3]):
            return name[:3]
    return None


def _verbatim(value: str) -> str:
    """A url or identifier, percent-encoding only what could unbalance or break the file."""
    return quote(value.strip(), safe=_VERBATIM_SAFE)


def _bibtex_format() -> bibtexparser.BibtexFormat:
    bibtex_format = bibtexparser.BibtexFormat()
    bibtex_format.indent = "  "
    bibtex_format.value_column = "auto"
    bibtex_format.block_separator = "\n"
    return bibtex_format


# -- import ----------------------------------------------------------------------------


@contextmanager
def _quiet_bibtexparser() -> Iterator[None]:
    """Silence bibtexparser's warnings about failed blocks: `parse_bibtex` reports them itself."""
    logger = logging.getLogger("bibtexparser")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(level)


def _paper_from(entry: model.Entry, collection: str, strings: dict[str, str], warnings: list[Rejection]) -> Paper | Rejection:
    values: dict[str, str] = {}
    for entry_field in entry.fields:
        values.setdefault(entry_field.key.lower(), _expanded(str(entry_field.value), strings))

    def text(name: str, reader=from_latex) -> str:
        raw = values.get(name, "")
        try:
            return reader(raw)
        except UnreadableLatex as error:
            warnings.append(Rejection(_line_of(entry), entry.key or None, f"{name} kept as written: {error}"))
            return raw

    title = _one_line(text("title"))
    if not title:
        return Rejection(_line_of(entry), entry.key or None, "entry has no title")
    fields = {}
    for name in BIBLIOGRAPHIC_FIELDS:
        if name in VERBATIM_FIELDS:
            value = values.get(name, "").strip()
        else:
            value = _one_line(text(name, names_from_latex if name in NAME_FIELDS else from_latex))
        if value:
            fields[name] = value
    record = PaperRecord(
        key=entry.key,
        title=title,
        abstract=_one_line(text("abstract")),
        url=values.get("url", "").strip(),
        collections=(collection,) if collection else (),
        entry_type=entry.entry_type.lower(),
        fields=fields,
    )
    brought = Annotation(tags=_tags_from_keywords(values.get("keywords", "")), note=text("note").strip())
    return Paper(record, brought)


def _expanded(raw: str, strings: dict[str, str], seen: frozenset[str] = frozenset()) -> str:
    """A field's value as BibTeX reads it: `{...}` and `"..."` parts unwrapped, `@string` names
    replaced (their own values expanded too), parts joined by `#` concatenated. A name with no
    `@string` (a month, `jan`) stays as written."""
    parts = []
    for kind, part in _value_parts(raw):
        if kind == "name" and part.casefold() in strings and part.casefold() not in seen:
            parts.append(_expanded(strings[part.casefold()], strings, seen | {part.casefold()}))
        else:
            parts.append(part)
    return "".join(parts)


def _value_parts(raw: str) -> list[tuple[str, str]]:
    """("text" | "name", part) for each `#`-joined part of `raw`; the whole as one text if odd."""
    parts: list[tuple[str, str]] = []
    position, end = 0, len(raw)
    while position < end:
        while position < end and raw[position].isspace():
            position += 1
        if position >= end:
            break
        opening = raw[position]
        if opening in '{"':
            depth, cursor = 0, position
            while cursor < end:
                character = raw[cursor]
                if character == "\\":
                    cursor += 2
                    continue
                if character == "{":
                    depth += 1
                elif character == "}":
                    depth -= 1
                if (opening == "{" and depth == 0) or (opening == '"' and cursor > position and character == '"' and depth == 0):
                    break
                cursor += 1
            if cursor >= end:
                return [("text", raw.strip())]
            parts.append(("text", raw[position + 1 : cursor]))
            position = cursor + 1
        else:
            cursor = position
            while cursor < end and raw[cursor] != "#" and not raw[cursor].isspace():
                cursor += 1
            token = raw[position:cursor]
            parts.append(("text" if token.isdigit() else "name", token))
            position = cursor
        while position < end and raw[position].isspace():
            position += 1
        if position < end:
            if raw[position] != "#":
                return [("text", raw.strip())]
            position += 1
    return parts


_STRAY_FIELD = re.compile(r"^\s*,?\s*(?:([A-Za-z][\w-]*)\s*=)", re.MULTILINE)
_FIELD_NAME = re.compile(r"(?:^|,)\s*([A-Za-z][\w-]*)\s*=")


def _fields_after_the_end(comment: str) -> list[str]:
    """The field names in text right after an entry's end, if it reads as more of its fields."""
    if not _STRAY_FIELD.match(comment):
        return []
    return list(dict.fromkeys(_FIELD_NAME.findall(comment)))


def _tags_from_keywords(keywords: str) -> tuple[str, ...]:
    """`keywords = {vision language, hi-res; VLM}` -> ('vision-language', 'hi-res', 'VLM')."""
    tags = []
    for keyword in _KEYWORD_SEPARATOR.split(keywords):
        try:
            tags.append(clean_tag("-".join(from_latex(keyword).split())))
        except UserError:
            continue  # empty, or a keyword no tag can hold (quotes, a leading '-')
    return merge_tags((), tags)


def _rejection_for(block: model.ParsingFailedBlock) -> Rejection:
    line = _line_of(block)
    if isinstance(block, model.DuplicateBlockKeyBlock):
        kind = "@string" if isinstance(block.ignore_error_block, model.String) else "entry"
        return Rejection(line, block.key, f"duplicate key: an earlier {kind} already uses it")
    if isinstance(block, model.DuplicateFieldKeyBlock):
        repeated = ", ".join(sorted(block.duplicate_keys))
        return Rejection(line, block.ignore_error_block.key, f"the entry repeats the field {repeated}")
    key = _ENTRY_KEY.match(block.raw or "")
    return Rejection(line, key.group(1) if key else None, _failure_reason(block.error))


def _failure_reason(error: Exception) -> str:
    reason = " ".join(str(getattr(error, "abort_reason", error)).split())
    if "Was still looking for" in reason:
        return "unbalanced braces or quotes: the entry runs into the next one"
    if "end of file" in reason:
        return "the entry is not closed before the end of the file"
    return f"malformed entry: {reason}"


def _line_of(block: model.Block) -> int:
    return (block.start_line or 0) + 1


def _one_line(text: str) -> str:
    return " ".join(text.split())


# -- writing files ---------------------------------------------------------------------

_EXISTING_KEY = re.compile(r"^\s*@\s*\w+\s*[{(]\s*([^,\s{}()]+)\s*,", re.MULTILINE)


@dataclass(frozen=True)
class ExportReport:
    """What `export_to_file` wrote."""

    path: str
    written: int
    already_there: int = 0


def export_to_file(papers: Iterable[Paper], path, append: bool = False) -> ExportReport:
    """Write the papers' BibTeX to `path` by `write_users_file`'s rules: through a symlink,
    keeping the file's mode and owner, streamed to a pipe or device, atomically otherwise.

    With `append`, entries whose key the file already has are left out rather than
    duplicated. Raises `UserError` with a one-line reason when the file cannot be written.
    """
    target = user_path(path)
    if str(path).strip() == "-":
        raise UserError("give a file name ('-' means the standard output, which only the command line has)")
    papers = list({paper.id: paper for paper in papers}.values())
    existing = ""
    if append and target.is_file():  # a pipe is never read: it would wait for a writer
        try:
            existing = target.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise UserError(f"cannot read {target}: {getattr(error, 'strerror', None) or error}") from None
    present = {key.casefold() for key in _EXISTING_KEY.findall(existing)}
    fresh = [paper for paper in papers if paper.key.casefold() not in present]
    text = export_bibtex(fresh)
    if existing and text:
        text = existing.rstrip("\n") + "\n\n" + text
    elif existing:
        text = existing
    write_users_file(target, text.encode("utf-8"), append_only=append)
    return ExportReport(str(target), len(fresh), len(papers) - len(fresh))
