"""CSL-JSON: the bibliography format of pandoc, Quarto and Zotero (CSL 1.0.2's csl-data.json).

**Reading** (Zotero's and Better BibTeX's exports, pandoc's): a file is a JSON array of items.
Each item is kept whole, every variable in its order with its value as JSON (the record's
`item`), and read into the record: `title`, `abstract` and `URL` into its own places (CSL's
rich-text tags such as `<i>` and `<span class="nocase">` left out of what is shown), and the
well-known variables into BibTeX-named fields, so that search, the details and the BibTeX export
know them: `author` and `editor` in BibTeX's name form (`Liu, Haotian and {Gemini Team}`),
`issued` as `year` (and `month`), `container-title` as `booktitle` (conference papers, chapters)
or `journal`, `DOI`, `volume`, `issue`, `page`, `publisher`, ... An arXiv preprint as Zotero
writes it (`number: "arXiv:2304.08485"`) gains `eprint` and `archiveprefix`. `keyword` brings
tags and `note` the note, as a `.bib`'s `keywords` and `note` do. The key is the item's
`citation-key`, else its `id`, when it is a key a document can cite (not a number or a Zotero
item URI). An item that is not an object, has no title, repeats a variable or an earlier id, or
has a name list or date of the wrong shape is rejected with its number and line; the other
items still import. A file that is not JSON, or not an array, is one rejection.

**Writing**: an imported item goes out as it came in, its `id` (and `citation-key`) being the
paper's key, its `keyword` and `note` rewritten only when the user changed tags or note in
vlmreader, and variables a metadata source filled that it lacks added. Any other paper is written
from what vlmreader knows: `type` `paper-conference` (with its `container-title`),
`article-journal`, `article` for an arXiv preprint (Zotero's and CSL 1.0.2's type for preprints,
with `publisher: "arXiv"` and `number: "arXiv:ID"`), `document` when nothing is known;
`author` as `{family, given, suffix}` or `{literal}` for a group, `others` as `{literal:
"others"}` (which citeproc prints as "et al.", as pandoc reads BibTeX's `and others`); `issued`
as date-parts of the year it is cited by; the paper's own page as `URL`; tags as `keyword`.
Text is written as it is: CSL-JSON has no escapes, and citeproc reads only its six rich-text
tags (`<i>`, `<b>`, `<sup>`, `<sub>`, two `<span>`s) as markup, so `<image>` or `[CLS]` print
as written. Items are sorted by key, one JSON array, UTF-8.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from vlmreader.core.formats import PaperOfKey, ParsedFile, Rejection, separated, tags_from_keywords
from vlmreader.core.formats.citation import (
    BOOK,
    gained_from_sources,
    CHAPTER,
    CONFERENCE,
    JOURNAL,
    MONTH_NAMES,
    OTHERS,
    PREPRINT,
    REPORT,
    THESIS,
    Citation,
    Name,
    bibtex_names,
    citation_of,
)
from vlmreader.core.keys import is_citable_key
from vlmreader.core.models import Annotation, Paper, PaperRecord

FORMAT = "csl-json"
"""The record's `item_format` for an item read from CSL-JSON."""

CSL_TYPE_OF_KIND = {
    CONFERENCE: "paper-conference",
    JOURNAL: "article-journal",
    PREPRINT: "article",
    CHAPTER: "chapter",
    BOOK: "book",
    THESIS: "thesis",
    REPORT: "report",
}
"""A paper's kind -> CSL type; anything else is a `document`."""

ENTRY_TYPE_OF_CSL_TYPE = {
    "article-journal": "article",
    "article-magazine": "article",
    "article-newspaper": "article",
    "paper-conference": "inproceedings",
    "chapter": "incollection",
    "book": "book",
    "thesis": "phdthesis",
    "report": "techreport",
}
"""CSL type -> the BibTeX entry type the BibTeX export writes it as (else `misc`)."""
IN_BOOKTITLE = frozenset({"paper-conference", "chapter", "entry", "entry-dictionary", "entry-encyclopedia"})
"""Types whose `container-title` is a `booktitle`; other types' is a `journal`."""

TEXT_VARIABLES = {
    "volume": "volume",
    "issue": "number",
    "page": "pages",
    "edition": "edition",
    "publisher": "publisher",
    "publisher-place": "address",
    "collection-title": "series",
    "ISBN": "isbn",
    "ISSN": "issn",
    "DOI": "doi",
}
"""CSL variables read into the BibTeX field of the same meaning."""
NAME_VARIABLES = {"author": "author", "editor": "editor"}

RICH_TEXT_TAG = re.compile(r'</?(?:i|b|sup|sub|sc)>|<span class="nocase">|<span style="font-variant:\s*small-caps;?">|</span>')
"""The markup citeproc reads in CSL-JSON text (its "rich text"): left out of what vlmreader shows."""
_ARXIV_NUMBER = re.compile(r"^arxiv:\s*(\S+)$", re.IGNORECASE)
_ARXIV_ID = re.compile(r"^(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(v\d+)?$", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_KEYWORD_SEPARATOR = re.compile(r"[,;]")


# -- reading -----------------------------------------------------------------------------


class _Object(dict):
    """A JSON object, remembering the names it repeats (the dict keeps the last value)."""

    repeated: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, Any]]) -> _Object:
    found = _Object(pairs)
    if len(found) != len(pairs):
        names = [name for name, _ in pairs]
        found.repeated = tuple(dict.fromkeys(name for name in names if names.count(name) > 1))
    return found


def parse_csl_json(text: str, collection: str = "") -> ParsedFile:
    """The papers of a CSL-JSON file (in `collection`, if given), and a rejection, with its item
    number and line, for each item that cannot become one; the other items still import."""
    result = ParsedFile()
    try:
        items = list(_items_with_lines(text))
    except ValueError as error:
        result.rejected.append(Rejection(getattr(error, "lineno", 0) or 0, None, str(error)))
        return result
    ids: set[str] = set()
    for number, (line, item) in enumerate(items, start=1):
        try:
            paper = _paper_from(item, number, line, collection, ids)
        except Exception as error:  # noqa: BLE001 - one odd item must never cost the others
            paper = Rejection(line, None, f"item {number} cannot be read ({type(error).__name__})")
        if isinstance(paper, Rejection):
            result.rejected.append(paper)
        else:
            result.papers.append(paper)
    return result


class _NotCslJson(ValueError):
    def __init__(self, message: str, lineno: int = 0):
        super().__init__(message)
        self.lineno = lineno


def _items_with_lines(text: str) -> Iterable[tuple[int, Any]]:
    """(line where it starts, item) for each item of the array `text` holds; `_NotCslJson` if
    `text` is not JSON or not an array."""
    decoder = json.JSONDecoder(object_pairs_hook=_object)
    try:
        whole = decoder.decode(text)
    except json.JSONDecodeError as error:
        raise _NotCslJson(f"not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})", error.lineno) from None
    except RecursionError:
        raise _NotCslJson("not readable JSON: it nests too deeply", 1) from None
    if not isinstance(whole, list):
        kind = "an object" if isinstance(whole, dict) else f"a {type(whole).__name__}"
        raise _NotCslJson(f"a CSL-JSON file is an array of items ([{{...}}, ...]); this one is {kind}", 1)
    # The text is a valid array: find where each item starts, for the rejections' lines.
    position = text.index("[") + 1
    line = 1 + text.count("\n", 0, position)
    for item in whole:
        start = _skip_space(text, position)
        line += text.count("\n", position, start)
        _, end = decoder.raw_decode(text, start)
        yield line, item
        line += text.count("\n", start, end)
        position = _skip_space(text, end) + 1  # past the comma
        line += text.count("\n", end, position)


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _paper_from(item: Any, number: int, line: int, collection: str, ids: set[str]) -> Paper | Rejection:
    def rejected(reason: str, key: str | None = None) -> Rejection:
        return Rejection(line, key, f"item {number} {reason}")

    if not isinstance(item, dict):
        return rejected("is not an object ({...})")
    item_id = item.get("id")
    label = str(item_id) if isinstance(item_id, (str, int, float)) and not isinstance(item_id, bool) else None
    if getattr(item, "repeated", ()):
        return rejected(f"repeats the variable {', '.join(item.repeated)}", label)
    title = item.get("title")
    if not isinstance(title, str) or not _shown(title):
        return rejected("has no title", label)
    if label is not None:
        if label in ids:
            return rejected("has the id of an earlier item", label)
        ids.add(label)
    fields: dict[str, str] = {}
    for variable, field_name in NAME_VARIABLES.items():
        if variable in item:
            names = _names(item[variable])
            if names is None:
                return rejected(f"has an {variable} that is not a list of names", label)
            if names:
                fields[field_name] = names
    issued = item.get("issued")
    if issued is not None:
        date = _date(issued)
        if date is None:
            return rejected("has an issued date of the wrong shape", label)
        year, month = date
        if year:
            fields["year"] = year
        if month:
            fields["month"] = MONTH_NAMES[month - 1].capitalize()
    csl_type = item.get("type") if isinstance(item.get("type"), str) else ""
    container = _text(item.get("container-title")) or (_text(item.get("event-title")) if csl_type == "paper-conference" else "")
    if container:
        fields["booktitle" if csl_type in IN_BOOKTITLE else "journal"] = container
    for variable, field_name in TEXT_VARIABLES.items():
        value = _text(item.get(variable))
        if value and field_name not in fields:
            fields[field_name] = value
    arxiv_id = _arxiv_id(item)
    if arxiv_id:
        fields.update(eprint=arxiv_id, archiveprefix="arXiv")
        if fields.get("publisher", "").lower() == "arxiv":
            del fields["publisher"]  # the repository, which `archiveprefix` names
    elif _text(item.get("number")) and "number" not in fields:
        fields["number"] = _text(item.get("number"))
    record = PaperRecord(
        key=_key_of(item),
        title=_shown(title),
        abstract=_shown(_text(item.get("abstract"))),
        url=_text(item.get("URL")),
        collections=(collection,) if collection else (),
        entry_type=ENTRY_TYPE_OF_CSL_TYPE.get(csl_type, "misc"),
        fields=fields,
        item=tuple((name, json.dumps(value, ensure_ascii=False)) for name, value in item.items()),
        item_format=FORMAT,
    )
    brought = Annotation(tags=_tags_of(item.get("keyword")), note=_text(item.get("note"), one_line=False))
    return Paper(record, brought)


def _key_of(item: dict) -> str:
    """The item's `citation-key`, else its `id`, if a document can cite it: '' for a number, a
    Zotero item URI (`http://zotero.org/users/...`) or anything `\\cite` cannot take."""
    for name in ("citation-key", "id"):
        key = item.get(name)
        if isinstance(key, str) and is_citable_key(key) and "://" not in key and not key.isdigit():
            return key
    return ""


def _names(value: Any) -> str | None:
    """A CSL name list in BibTeX's name form; None if it is not a list of name objects."""
    if not isinstance(value, list) or not all(isinstance(name, dict) for name in value):
        return None
    names, et_al = [], False
    for name in value:
        literal, family = _text(name.get("literal")), _text(name.get("family"))
        particle = " ".join(part for part in (_text(name.get("dropping-particle")), _text(name.get("non-dropping-particle"))) if part)
        given, suffix = _text(name.get("given")), _text(name.get("suffix"))
        if literal.lower() == OTHERS or (family.lower() == OTHERS and not given):
            et_al = True
        elif literal:
            names.append(Name(literal=literal))
        elif family or given:
            names.append(Name(family=family or given, given=given if family else "", particle=particle, suffix=suffix))
    return bibtex_names(names, et_al)


def _date(value: Any) -> tuple[str, int] | None:
    """(year, month or 0) of a CSL date: date-parts, or the year in `raw`, `literal` or an EDTF
    string; None if it is not a date's shape."""
    if isinstance(value, str):
        match = _YEAR.search(value)
        return (match.group(1) if match else "", 0)
    if not isinstance(value, dict):
        return None
    parts = value.get("date-parts")
    if parts is not None:
        if not isinstance(parts, list) or not parts or not isinstance(parts[0], list):
            return None
        first = [str(part).strip() for part in parts[0] if isinstance(part, (str, int)) and not isinstance(part, bool)]
        year = first[0] if first and first[0].lstrip("-").isdigit() else ""
        month = int(first[1]) if len(first) > 1 and first[1].isdigit() and 1 <= int(first[1]) <= 12 else 0
        return year, month
    for name in ("raw", "literal", "edtf"):
        if isinstance(value.get(name), str):
            match = _YEAR.search(value[name])
            return (match.group(1) if match else "", 0)
    return "", 0


def _arxiv_id(item: dict) -> str:
    """The arXiv id Zotero writes as a preprint's number (`arXiv:2304.08485`), or a number beside
    `arXiv` as its publisher or archive."""
    number = _text(item.get("number"))
    match = _ARXIV_NUMBER.match(number)
    if match and _ARXIV_ID.match(match.group(1)):
        return _ARXIV_ID.match(match.group(1)).group(1)
    for name in ("archive", "publisher", "container-title"):
        if _text(item.get(name)).lower() == "arxiv":
            located = _text(item.get("archive_location")) or number
            found = _ARXIV_ID.match(located.removeprefix("arXiv:"))
            if found:
                return found.group(1)
    return ""


def _tags_of(keyword: Any) -> tuple[str, ...]:
    """CSL's `keyword` is one text (`"vlm, hi-res"`); some tools write a list."""
    if isinstance(keyword, list):
        words = [word for value in keyword if isinstance(value, str) for word in _KEYWORD_SEPARATOR.split(value)]
    elif isinstance(keyword, str):
        words = _KEYWORD_SEPARATOR.split(keyword)
    else:
        words = []
    return tags_from_keywords(words)


def _text(value: Any, one_line: bool = True) -> str:
    """A variable's text (numbers as written); '' for anything else."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return ""
    text = str(value)
    return " ".join(text.split()) if one_line else text.strip()


def _shown(text: str) -> str:
    """CSL rich text as vlmreader shows it: the markup citeproc reads left out, on one line."""
    return " ".join(RICH_TEXT_TAG.sub("", text).split())


# -- writing -----------------------------------------------------------------------------


def export_csl_json(papers: Iterable[Paper], paper_of_key: PaperOfKey | None = None) -> str:
    """The papers as a CSL-JSON array, sorted by key (see the module's docstring)."""
    return "".join(csl_json_chunks(papers, paper_of_key))


def csl_json_chunks(papers: Iterable[Paper], paper_of_key: PaperOfKey | None = None) -> Iterator[str]:
    """The text of `export_csl_json`, an item at a time: what `json.dumps` writes for the whole
    array, each item indented one level (JSON text has no line breaks inside its strings)."""
    chosen = sorted({paper.id: paper for paper in papers}.values(), key=lambda paper: paper.key.casefold())
    if not chosen:
        return
    items = (json.dumps(item_of(paper), ensure_ascii=False, indent=2).replace("\n", "\n  ") for paper in chosen)
    yield "[\n  "
    yield from separated(items, ",\n  ")
    yield "\n]\n"


def item_of(paper: Paper) -> dict[str, Any]:
    """The CSL-JSON item of one paper: its own item as it came, or one written from the reading."""
    written = item_from_reading(citation_of(paper))
    if paper.record.item_format != FORMAT:
        return written
    item = {name: json.loads(value) for name, value in paper.record.item}
    item["id"] = paper.key
    if "citation-key" in item:
        item["citation-key"] = paper.key
    if paper.tags != _tags_of(item.get("keyword")):
        _put(item, "keyword", ", ".join(paper.tags))
    if paper.note.strip() != _text(item.get("note"), one_line=False):
        _put(item, "note", paper.note.strip())
    for variable in gained_from_sources(paper.record, FILLED_FROM, item):
        if variable in written:
            item[variable] = written[variable]
    return item


FILLED_FROM = {
    "author": {"author"},
    "issued": {"year", "venue_year"},
    "container-title": {"booktitle", "journal"},
    "DOI": {"doi"},
    "publisher": {"eprint"},
    "number": {"eprint"},
}
"""CSL variables an imported item gains when a metadata source filled these fields (and the item
lacks the variable)."""


def _put(item: dict[str, Any], name: str, value: str) -> None:
    if value:
        item[name] = value
    else:
        item.pop(name, None)


def item_from_reading(citation: Citation) -> dict[str, Any]:
    """A paper without an item of its own, as CSL-JSON (see the module's docstring)."""
    item: dict[str, Any] = {"id": citation.key, "type": CSL_TYPE_OF_KIND.get(citation.kind, "document"), "title": citation.title}
    if citation.authors or citation.et_al:
        item["author"] = [_csl_name(name) for name in citation.authors] + ([{"literal": OTHERS}] if citation.et_al else [])
    if citation.editors:
        item["editor"] = [_csl_name(name) for name in citation.editors]
    if citation.year:
        year: int | str = int(citation.year) if citation.year.isdigit() else citation.year
        item["issued"] = {"date-parts": [[year, citation.month] if citation.month else [year]]}
    values = {
        "container-title": citation.venue,
        "volume": citation.volume,
        ("number" if citation.kind in (REPORT, PREPRINT) else "issue"): citation.number,
        "page": citation.pages.replace("--", "-"),
        "publisher": citation.publisher,
        "publisher-place": citation.address,
        "ISBN": citation.isbn,
        "ISSN": citation.issn,
        "DOI": citation.doi,
    }
    if citation.kind == PREPRINT:
        values.update(publisher=citation.publisher or "arXiv", number=f"arXiv:{citation.arxiv_id}")
    values.update(URL=citation.url, abstract=citation.abstract, keyword=", ".join(citation.tags), note=citation.note)
    item.update((name, value) for name, value in values.items() if value)
    return item


def _csl_name(name: Name) -> dict[str, str]:
    if name.literal:
        return {"literal": name.literal}
    # BibTeX's `von` part is what CSL calls a dropping particle: pandoc reads it so.
    parts = {"family": name.family, "given": name.given, "dropping-particle": name.particle, "suffix": name.suffix}
    return {part: value for part, value in parts.items() if value}
