"""Writing papers as BibTeX.

An imported entry goes out as it came in: its type, key and fields exactly as written, in
their order, with the `@string`s and `@preamble`s it relies on before the entries and its
JabRef metadata after them. vlmreader changes only what the user changed in vlmreader: the
`keywords` when their tags differ from the ones the entry brought (tags added are appended to
the keywords as written), the `note` when their note differs from the one it brought, and
`ids`, where the paper has older keys that documents may still cite. Fields a metadata source
filled (the record's `provenance`) that the entry lacks are appended after the user's own. A
`crossref` or `xdata` parent goes out after the entries that need it, as BibTeX requires, even
if it was not asked for.

A paper with no entry of its own (a bundled one, or one added by arXiv id or DOI) is written
from what vlmreader knows: the title with its names brace-protected, the bibliographic fields,
the url of the paper itself (its arXiv page, else its DOI), a code or project link as
`addendum`, tags as `keywords`, note as `note`, every value through `latex.to_latex`, which
compiles under BibTeX and Biber alike. Its type follows its venue: `@inproceedings` with a
`booktitle`, `@article` with a `journal`, both cited by the year of that version; an arXiv-only
paper is an `@misc` with the eprint fields and `howpublished = {arXiv preprint arXiv:ID}`, so
that plain.bst, which ignores eprint and url, still says where it is.

The user's star and reading status never go into BibTeX. Entries are sorted by key, so that
exports diff well, and writing what was read back gives the same bytes.

Values are aligned one column past the longest field name of the whole file, so every entry is
built before the first is written; the text then goes out in chunks (`bibtex_chunks`), never as
one string: 100,000 papers make 170 MB of it.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from urllib.parse import quote

import bibtexparser
from bibtexparser import model
from bibtexparser.writer import VAL_SEP

from vlmreader.core.files import user_path, write_users_file
from vlmreader.core.formats import PaperOfKey, separated
from vlmreader.core.formats.bibtex.read import KEYWORD_SEPARATOR, PARENT_FIELDS, reading, tags_from_keywords
from vlmreader.core.formats.bibtex.values import braced, expanded, names_used
from vlmreader.core.formats.citation import MONTH_NAMES, arxiv_id_in, citation_year, is_a_link_beside, is_code_host, paper_url
from vlmreader.core.formats.latex import protect_title, to_latex
from vlmreader.core.models import VENUE_FIELDS, Paper, PaperRecord, UserError

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
"""The fields a paper without an entry of its own is written with, in this order, and the only
ones a metadata source adds to an imported entry (vlmreader's own `venue_year` and `cited_by`
never go out)."""

ENTRY_TYPE_OF_VENUE = {"booktitle": "inproceedings", "journal": "article"}

BIBLATEX_NAMES = {"year": "date", "journal": "journaltitle", "archiveprefix": "eprinttype", "primaryclass": "eprintclass"}
"""Biber reads these BibTeX names as the biblatex ones: an entry with either has the field (both
would make Biber warn that one overwrites the other)."""

VERBATIM_FIELDS = frozenset({"doi", "eprint"})
"""Identifiers written exactly as they are (biblatex treats them as verbatim, like `url`)."""

_VERBATIM_SAFE = "".join(chr(code) for code in range(33, 127) if chr(code) not in '{}\\"')
_LINE_STARTING_WITH_AT = re.compile(r"^(\s*)@", re.MULTILINE)
_CLOSING_DELIMITER = re.compile(r'\s*[}"]\s*$')
# What `\url` takes inside another command's argument (biblatex's `addendum`), found by
# compiling each character: `%` and `#` break it, `'` and `` ` `` print as curly quotes.
_URL_SAFE_IN_AN_ARGUMENT = re.compile(r"[A-Za-z0-9._~:/?=&+,;@!*()-]+")

BLOCKS_PER_CHUNK = 1_000
"""Entries (and @strings, @preambles) written at a time: about 1.7 MB of text."""

CitedAs = Callable[[PaperRecord], tuple[str, dict[str, str]]]
"""The entry type and the bibliographic fields (name -> text, in order) that a paper without an
entry of its own is written with: BibTeX's (`cited_as_bibtex`) or biblatex's."""


def export_bibtex(papers: Iterable[Paper], paper_of_key: PaperOfKey | None = None, cited_as: CitedAs | None = None) -> str:
    """The papers as a `.bib` file: what their entries rely on, then one entry each, sorted by
    citation key (case-insensitively), then the parents they cross-reference, then metadata.
    Papers without an entry of their own are written with `cited_as` (BibTeX's by default)."""
    return "".join(bibtex_chunks(papers, paper_of_key, cited_as))


def bibtex_chunks(papers: Iterable[Paper], paper_of_key: PaperOfKey | None = None, cited_as: CitedAs | None = None) -> Iterator[str]:
    """The text of `export_bibtex`, `BLOCKS_PER_CHUNK` entries at a time, to be written as it
    comes. Every entry is built before the first chunk (the alignment depends on them all), and
    a duplicate citation key fails then, before anything is written."""
    chosen = list({paper.id: paper for paper in papers}.values())
    if not chosen:
        return
    parents = _parents_of(chosen, paper_of_key) if paper_of_key is not None else []
    parent_ids = {paper.id for paper in parents}
    ordered = sorted((paper for paper in chosen if paper.id not in parent_ids), key=lambda paper: paper.key.casefold())
    ordered += parents
    preambles, strings, comments = _context_of(ordered)
    written_strings = {name.casefold(): value for name, value in strings}
    blocks: list[model.Block] = [model.Preamble(value) for value in preambles]
    blocks += [model.String(name, value) for name, value in strings]
    blocks += [_entry_for(paper, written_strings, cited_as or cited_as_bibtex) for paper in ordered]
    blocks += [model.ExplicitComment(comment) for comment in comments]
    bibtex_format = _bibtex_format(_value_column(bibtexparser.Library(blocks)))
    chunks = (bibtexparser.Library(blocks[start : start + BLOCKS_PER_CHUNK]) for start in range(0, len(blocks), BLOCKS_PER_CHUNK))
    # Every value is written as it stands: the middlewares that would add braces have nothing to do.
    written = (bibtexparser.write_string(chunk, unparse_stack=[], bibtex_format=bibtex_format) for chunk in chunks)
    yield from separated(written, bibtex_format.block_separator)


def _value_column(library: bibtexparser.Library) -> int:
    """Where values start, as bibtexparser's `value_column = "auto"` aligns a whole library: past
    the longest field or @string name and ` = ` (a chunk written alone would align on its own)."""
    names = chain((field.key for entry in library.entries for field in entry.fields), (string.key for string in library.strings))
    return max(map(len, names), default=0) + len(VAL_SEP)


def _parents_of(papers: list[Paper], paper_of_key: PaperOfKey) -> list[Paper]:
    """The papers `papers` reference through `crossref`/`xdata`, also indirectly, each after
    every paper that references it."""
    order: dict[str, Paper] = {}
    pending = deque(papers)
    while pending:
        paper = pending.popleft()
        for key in _parent_keys(paper):
            parent = paper_of_key(key)
            if parent is not None and parent.id != paper.id:
                order.pop(parent.id, None)  # moved after this child
                order[parent.id] = parent
                pending.append(parent)
    return list(order.values())


def _parent_keys(paper: Paper) -> list[str]:
    strings = _strings_of(paper)
    keys = []
    for name, raw in paper.record.bibtex:
        if name.lower() in PARENT_FIELDS:
            keys += [key.strip() for key in expanded(raw, strings).split(",") if key.strip()]
    return keys


def _strings_of(paper: Paper) -> dict[str, str]:
    return {name.casefold(): value for kind, name, value in paper.record.context if kind == "string"}


def _context_of(papers: list[Paper]) -> tuple[list[str], list[tuple[str, str]], list[str]]:
    """The @preambles, @strings (name, value) and @comments the entries rely on, each once.

    Two entries from different files may define one `@string` name differently: the first
    definition is written, and an entry whose own definition differs is written with that
    value expanded in place, so that each still reads as it did.
    """
    preambles: dict[str, None] = {}
    strings: dict[str, tuple[str, str]] = {}
    comments: dict[str, None] = {}
    for paper in papers:
        for kind, name, value in paper.record.context:
            if kind == "preamble":
                preambles.setdefault(value)
            elif kind == "comment":
                comments.setdefault(value)
            elif kind == "string":
                strings.setdefault(name.casefold(), (name, value))
    return list(preambles), list(strings.values()), list(comments)


# -- one entry -------------------------------------------------------------------------


def _entry_for(paper: Paper, written_strings: dict[str, str], cited_as: CitedAs) -> model.Entry:
    if paper.record.bibtex:
        return _entry_as_written(paper, written_strings)
    return _entry_from_reading(paper, cited_as)


def _entry_as_written(paper: Paper, written_strings: dict[str, str]) -> model.Entry:
    record = paper.record
    strings = _strings_of(paper)
    differing = {name for name, value in strings.items() if written_strings.get(name) != value}
    fields = [
        (name, braced(expanded(raw, strings)) if differing.intersection(names_used(raw)) else raw)
        for name, raw in record.bibtex
    ]
    position = {name.lower(): index for index, (name, _) in reversed(list(enumerate(fields)))}

    def value_of(name: str) -> str:
        return expanded(fields[position[name]][1], strings) if name in position else ""

    def put(name: str, value: str | None) -> None:
        if name in position:
            written_name = fields[position[name]][0]
            fields[position[name]] = (written_name, value)
        elif value is not None:
            position[name] = len(fields)
            fields.append((name, value))

    filled = record.filled_fields
    for name in BIBLIOGRAPHIC_FIELDS:
        text = citation_year(record.fields) if name == "year" else record.fields.get(name, "").strip()
        if name in filled and text and not {name, BIBLATEX_NAMES.get(name)} & position.keys():
            put(name, _enclosed(name, _bibliographic_value(name, text)))
    brought_tags = tags_from_keywords(value_of("keywords"))
    if paper.tags != brought_tags:
        put("keywords", _keywords_after(fields[position["keywords"]][1] if "keywords" in position else None, brought_tags, paper.tags))
    if paper.note != reading(value_of("note")).strip():
        put("note", braced(_user_value(paper.note.strip())) if paper.note.strip() else None)
    if record.aliases:
        cited = [key.strip() for key in value_of("ids").split(",") if key.strip()]
        missing = [alias for alias in record.aliases if alias not in cited and alias != record.key]
        if missing:
            put("ids", braced(", ".join(cited + missing)))
    kept = [_field(name, value) for name, value in fields if value is not None]
    return model.Entry(record.entry_type or "misc", record.key, kept)


def _keywords_after(written: str | None, brought: tuple[str, ...], tags: tuple[str, ...]) -> str | None:
    """The `keywords` value for the user's `tags`, given the value as written and the tags it
    brought: tags only added are appended to it as written; otherwise it is written anew."""
    added = [tag for tag in tags if tag.casefold() not in {t.casefold() for t in brought}]
    removed = [tag for tag in brought if tag.casefold() not in {t.casefold() for t in tags}]
    new_text = ", ".join(_user_value(tag).replace(";", "{;}") for tag in added)
    if written is not None and not removed and _CLOSING_DELIMITER.search(written):
        closing = _CLOSING_DELIMITER.search(written)
        inner = written[: closing.start()]
        separator = ", " if KEYWORD_SEPARATOR.split(inner[1:])[-1].strip() else ""
        return inner + separator + new_text + written[closing.start() :]
    if not tags:
        return None
    return braced(", ".join(_user_value(tag).replace(";", "{;}") for tag in tags))


def _entry_from_reading(paper: Paper, cited_as: CitedAs) -> model.Entry:
    record = paper.record
    entry_type, fields = cited_as(record)
    url = paper_url(record.url, fields)
    values = [("title", protect_title(record.title))]
    values += [(name, _bibliographic_value(name, text)) for name, text in fields.items()]
    values += [
        ("url", _verbatim(url)),
        ("addendum", _link_addendum(record.url) if is_a_link_beside(record.url, url) else ""),
        ("keywords", ", ".join(_text_value(tag).replace(";", "{;}") for tag in paper.tags)),
        ("abstract", _text_value(record.abstract.strip())),
        ("note", _text_value((paper.note or record.fields.get("note", "")).strip())),
    ]
    if record.aliases:
        values.append(("ids", ", ".join(record.aliases)))
    fields = [_field(name, _enclosed(name, value)) for name, value in values if value.strip()]
    return model.Entry(entry_type, record.key, fields)


def cited_as_bibtex(record: PaperRecord) -> tuple[str, dict[str, str]]:
    """The entry type and bibliographic fields (by name) a paper is cited with in BibTeX: its
    venue decides the type and the year; `primaryclass` goes only with an arXiv id."""
    fields = {name: record.fields.get(name, "").strip() for name in BIBLIOGRAPHIC_FIELDS}
    fields["year"] = citation_year(record.fields)
    arxiv_id = arxiv_id_in(fields)
    if not arxiv_id:
        fields["primaryclass"] = ""
    venue = next((name for name in VENUE_FIELDS if fields[name]), None)
    if venue:
        entry_type = ENTRY_TYPE_OF_VENUE[venue]
    elif record.entry_type.lower() in ENTRY_TYPE_OF_VENUE.values():
        entry_type = "misc"  # an @article or @inproceedings without its venue makes BibTeX warn
    else:
        entry_type = record.entry_type or "misc"
    if arxiv_id and entry_type.lower() == "misc" and not fields["howpublished"]:
        fields["howpublished"] = f"arXiv preprint arXiv:{arxiv_id}"
    return entry_type, {name: text for name, text in fields.items() if text}


def _link_addendum(url: str) -> str:
    """`Code: \\url{...}` (or `Website: ...`). plain.bst ignores `addendum`; biblatex prints it,
    and `\\url` there only when no character of the url breaks it, else the url as text."""
    url = _verbatim(url)
    label = "Code" if is_code_host(url) else "Website"
    if _URL_SAFE_IN_AN_ARGUMENT.fullmatch(url):
        return f"{label}: \\url{{{url}}}"
    return f"{label}: {_text_value(url)}"


def _bibliographic_value(name: str, text: str) -> str:
    return _verbatim(text) if name in VERBATIM_FIELDS else _text_value(text)


def _text_value(text: str) -> str:
    return to_latex(text)


def _user_value(text: str) -> str:
    """Text the user wrote in vlmreader, for their own entry: LaTeX's specials escaped, all else
    (accents, Cyrillic, CJK) as typed, like the entry around it."""
    return to_latex(text, keep_unicode=True)


def _enclosed(name: str, value: str) -> str:
    if name == "month":
        month = _month_macro(value)
        if month:
            return month  # `jan`, unbraced, is the style's month macro: Biber sorts by it
    return braced(value)


def _field(name: str, value: str) -> model.Field:
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


def _bibtex_format(value_column: int) -> bibtexparser.BibtexFormat:
    bibtex_format = bibtexparser.BibtexFormat()
    bibtex_format.indent = "  "
    bibtex_format.value_column = value_column
    bibtex_format.block_separator = "\n"
    return bibtex_format


# -- writing files ---------------------------------------------------------------------

_EXISTING_KEY = re.compile(r"^\s*@\s*\w+\s*[{(]\s*([^,\s{}()]+)\s*,", re.MULTILINE)


@dataclass(frozen=True)
class ExportReport:
    """What `export_to_file` wrote."""

    path: str
    written: int
    already_there: int = 0


def export_to_file(papers: Iterable[Paper], path, append: bool = False, paper_of_key: PaperOfKey | None = None) -> ExportReport:
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
    chunks = bibtex_chunks(fresh, paper_of_key)
    if existing:
        chunks = chain([existing.rstrip("\n") + "\n\n"], chunks) if fresh else [existing]
    write_users_file(target, (chunk.encode("utf-8") for chunk in chunks), append_only=append)
    return ExportReport(str(target), len(fresh), len(papers) - len(fresh))
