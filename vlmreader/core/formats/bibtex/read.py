"""Reading a `.bib` file into papers, keeping every entry as it was written.

Each entry becomes a `PaperRecord` whose `bibtex` holds its fields exactly as written (in order,
with their braces, quotes, `@string` names and `#`), whose `context` holds the `@string`s those
values use and the file's `@preamble`s and JabRef metadata, and whose entry type and key are the
file's, byte for byte. Beside that, a Unicode reading of the values (`@string`s expanded, LaTeX
read as text) fills `title`, `abstract`, `url` and `fields`, for display and search only.

An entry that cannot be read (a missing brace, a duplicate key, no title) is rejected with its
line; nothing in the text makes this raise, and the other entries still import.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

import bibtexparser
from bibtexparser import model
from bibtexparser.exceptions import ParserStateException

from vlmreader.core.formats import ParsedFile, Rejection
from vlmreader.core.formats.bibtex.values import expanded, names_used, strings_needed
from vlmreader.core.formats.latex import UnreadableLatex, from_latex, names_from_latex
from vlmreader.core.models import Annotation, Paper, PaperRecord, UserError, clean_tag, merge_tags

VERBATIM_FIELDS = frozenset({"doi", "eprint", "url", "file", "isbn", "issn"})
"""Identifiers read exactly as written (biblatex treats them as verbatim)."""
NAME_FIELDS = frozenset({"author", "editor", "translator", "bookauthor"})
READ_APART = frozenset({"title", "abstract", "url", "keywords", "note"})
PARENT_FIELDS = ("crossref", "xdata")
"""Fields that name other entries an entry draws on."""
TITLELESS_TYPES = frozenset({"xdata", "set"})
"""Entry types that are never papers of their own, and have no title."""
"""Fields read into their own places (the record's title, abstract and url; tags and note)."""

# A `;` inside braces belongs to a tag: export writes a tag's own `;` as `{;}`.
KEYWORD_SEPARATOR = re.compile(r"[,;](?![^{}]*})")
_ENTRY_KEY = re.compile(r"@\s*\w+\s*[{(]\s*([^,\s{}()]+)\s*,")
_ENTRY_TYPE = re.compile(r"\s*@\s*([^\s{(]+)")
_STRAY_FIELD = re.compile(r"^\s*,?\s*(?:([A-Za-z][\w-]*)\s*=)", re.MULTILINE)
_FIELD_NAME = re.compile(r"(?:^|,)\s*([A-Za-z][\w-]*)\s*=")
_JABREF_METADATA = "jabref-meta:"


def parse_bibtex(text: str, collection: str = "") -> ParsedFile:
    """The papers of a `.bib` file (in `collection`, if given), and a rejection for each entry
    that cannot become one. Whatever goes wrong inside one entry is that entry's rejection,
    with its line; the other entries still import."""
    result = ParsedFile()
    try:
        with _quiet_bibtexparser():
            # No middleware: values come exactly as written.
            library = bibtexparser.parse_string(text, parse_stack=[])
    except (ParserStateException, RecursionError) as error:
        reason = getattr(error, "message", None) or "its braces nest too deeply"
        result.rejected.append(Rejection(1, None, f"the file cannot be parsed ({reason})"))
        return result
    strings = {string.key.casefold(): string.value for string in library.strings}
    string_names = {string.key.casefold(): string.key for string in library.strings}
    file_context = tuple(("preamble", "", preamble.value) for preamble in library.preambles) + tuple(
        ("comment", "", block.comment)
        for block in library.blocks
        if isinstance(block, model.ExplicitComment) and block.comment.lstrip().startswith(_JABREF_METADATA)
    )
    parents = _parent_keys(library.entries, strings)
    previous: model.Block | None = None
    for block in library.blocks:
        if isinstance(block, model.ParsingFailedBlock):
            result.rejected.append(_rejection_for(block))
        elif isinstance(block, model.Entry):
            try:
                paper = _paper_from(block, collection, strings, string_names, file_context, parents, result.warnings)
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


def _paper_from(
    entry: model.Entry,
    collection: str,
    strings: dict[str, str],
    string_names: dict[str, str],
    file_context: tuple[tuple[str, str, str], ...],
    parents: set[str],
    warnings: list[Rejection],
) -> Paper | Rejection:
    written = tuple((entry_field.key, entry_field.value) for entry_field in entry.fields)
    values: dict[str, str] = {}
    expressions = []  # values that are more than one braced group: names, quotes, `#`
    for name, raw in written:
        if raw[:1] == "{" and raw[-1:] == "}" and "#" not in raw:
            value = raw[1:-1]  # most values, taken at once
        else:
            value = expanded(raw, strings)
            expressions.append(raw)
        values.setdefault(name.lower(), value)
    undefined = sorted({name for raw in expressions for name in names_used(raw) if name not in strings})
    if undefined:
        warnings.append(
            Rejection(_line_of(entry), entry.key or None, f"uses @string {', '.join(undefined)}, which the file does not define")
        )
    title = _one_line(reading(values.get("title", "")))
    if not title and (entry.key.casefold() in parents or entry.entry_type in TITLELESS_TYPES):
        # A parent other entries draw fields from (`@xdata`, a `crossref`'d `@proceedings`).
        title = _one_line(reading(values.get("booktitle", ""))) or f"@{entry.entry_type} {entry.key}"
    if not title:
        return Rejection(_line_of(entry), entry.key or None, "entry has no title")
    needed = strings_needed(expressions, strings)
    context = tuple(("string", string_names[name], strings[name]) for name in needed) + file_context
    record = PaperRecord(
        key=entry.key,
        title=title,
        abstract=_one_line(reading(values.get("abstract", ""))),
        url=values.get("url", "").strip(),
        collections=(collection,) if collection else (),
        entry_type=_entry_type_as_written(entry),
        fields=readings(values),
        bibtex=written,
        context=context,
    )
    brought = Annotation(tags=tags_from_keywords(values.get("keywords", "")), note=reading(values.get("note", "")).strip())
    return Paper(record, brought)


def _parent_keys(entries: list[model.Entry], strings: dict[str, str]) -> set[str]:
    """Keys (case-folded) that entries of the file name in `crossref`, `xdata` or `set`."""
    keys = set()
    for entry in entries:
        for entry_field in entry.fields:
            if entry_field.key.lower() in PARENT_FIELDS:
                keys.update(key.strip().casefold() for key in expanded(entry_field.value, strings).split(","))
    return keys


def reading(value: str, reader=from_latex) -> str:
    """A value read as text for display and search; as written if its LaTeX cannot be read
    (what is written is what export writes back, so nothing is lost)."""
    try:
        return reader(value)
    except UnreadableLatex:
        return value


def readings(values: dict[str, str]) -> dict[str, str]:
    """Every field but those read apart, as one line of text, by lower-case name."""
    read = {}
    for name, value in values.items():
        if name in READ_APART:
            continue
        if name in VERBATIM_FIELDS:
            text = value.strip()
        else:
            text = _one_line(reading(value, names_from_latex if name in NAME_FIELDS else from_latex))
        if text:
            read[name] = text
    return read


def tags_from_keywords(keywords: str) -> tuple[str, ...]:
    """`keywords = {vision language, hi-res; VLM}` -> ('vision-language', 'hi-res', 'VLM')."""
    tags = []
    for keyword in KEYWORD_SEPARATOR.split(keywords):
        try:
            tags.append(clean_tag("-".join(reading(keyword).split())))
        except UserError:
            continue  # empty, or a keyword no tag can hold (quotes, a leading '-')
    return merge_tags((), tags)


def _entry_type_as_written(entry: model.Entry) -> str:
    """`@Article{...}` -> `Article` (bibtexparser lower-cases it)."""
    match = _ENTRY_TYPE.match(entry.raw or "")
    return match.group(1) if match and match.group(1).lower() == entry.entry_type else entry.entry_type


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


def _fields_after_the_end(comment: str) -> list[str]:
    """The field names in text right after an entry's end, if it reads as more of its fields."""
    if not _STRAY_FIELD.match(comment):
        return []
    return list(dict.fromkeys(_FIELD_NAME.findall(comment)))


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
