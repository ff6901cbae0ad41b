"""RIS: the tagged format of EndNote, Mendeley, Zotero and most publishers' "export citation".

A record is lines `TAG  - value` from `TY  - TYPE` to `ER  - `; a line without a tag continues
the value before it. The line grammar and the tags' meanings are rispy's (a maintained RIS
reader: `RisParser.parse_line`, and its parsing of each record into named values).

**Reading**: each record is kept whole, every tag line in its order with continuation lines (the
record's `item`), and read into the record: `TI` (or `T1`) as the title, `AB` the abstract, the
first `UR` the url, and the well-known tags into BibTeX-named fields: `AU`/`A1` as `author` in
BibTeX's name form (`Liu, Haotian and {Gemini Team}`: RIS writes `Family, Given`, and a name
without a comma is one unit), `A2`/`ED` as `editor`, `PY`/`Y1`/`DA` as `year` and `month`, `T2`
(or `JF`, `JO`, `BT`) as `booktitle` for conference papers and chapters or `journal`, `VL`, `IS`,
`SP`-`EP`, `PB`, `CY`, `SN`, `DO`, `ET`, `T3`; `AN  - arXiv:ID` (with `DB  - arXiv`) as `eprint`.
`KW` lines bring tags and `N1` lines the note (one paragraph each), as a `.bib`'s `keywords`
and `note` do; `ID` is the key when a document can cite it. A record with no title, a record
not closed by `ER` before the next `TY` or the end, and tag lines outside any record are
rejected with their line; the other records still import. Text before the first record
(a database's header lines) is not RIS and is passed over; a file with no record at all is one
rejection.

**Writing**: an imported record goes out as it came in, with `ID` the paper's key, its `KW` and
`N1` lines rewritten only when the user changed tags or note in vlmreader, and tags a metadata
source filled that it lacks added. Any other paper: `TY` `CPAPER` (conference paper), `JOUR`,
`UNPB` for an arXiv preprint (RIS has no preprint type; `PB  - arXiv`, `AN  - arXiv:ID` and
`DB  - arXiv` say where it is), `CHAP`, `BOOK`, `THES`, `RPRT` or `GEN`; `ID`, `TI`, one `AU` per
author (`Family, Given`), `PY` (and `DA` with the month), `T2` the venue, `VL`, `IS`, `SP`/`EP`,
`DO`, `UR` the paper's page (and a second `UR` for a code or project link), `AB`, one `KW` per
tag and the note as `N1` (a line of it that would read as a tag gets a leading space). Records
are sorted by key and separated by a blank line; UTF-8.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from rispy import RisParser

from vlmreader.core.formats import PaperOfKey, ParsedFile, Rejection, separated, tags_from_keywords
from vlmreader.core.formats.citation import (
    BOOK,
    gained_from_sources,
    CHAPTER,
    CONFERENCE,
    JOURNAL,
    MONTH_NAMES,
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

FORMAT = "ris"
"""The record's `item_format` for a record read from RIS."""

RIS_TYPE_OF_KIND = {
    CONFERENCE: "CPAPER",
    JOURNAL: "JOUR",
    PREPRINT: "UNPB",
    CHAPTER: "CHAP",
    BOOK: "BOOK",
    THESIS: "THES",
    REPORT: "RPRT",
}
"""A paper's kind -> RIS type; anything else is `GEN` (generic)."""
ENTRY_TYPE_OF_RIS_TYPE = {
    "JOUR": "article",
    "EJOUR": "article",
    "JFULL": "article",
    "MGZN": "article",
    "NEWS": "article",
    "CPAPER": "inproceedings",
    "CONF": "inproceedings",
    "CHAP": "incollection",
    "ECHAP": "incollection",
    "BOOK": "book",
    "EBOOK": "book",
    "EDBOOK": "book",
    "THES": "phdthesis",
    "RPRT": "techreport",
}
"""RIS type -> the BibTeX entry type the BibTeX export writes it as (else `misc`)."""
IN_BOOKTITLE = frozenset({"inproceedings", "incollection"})

SINGLE_VALUES = {
    "volume": "volume",
    "number": "number",
    "publisher": "publisher",
    "place_published": "address",
    "doi": "doi",
    "edition": "edition",
    "tertiary_title": "series",
}
"""rispy's name for a tag's value -> the BibTeX field it is read into."""

_TAG_LINE = RisParser()
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_RIS_DATE = re.compile(r"^\s*(\d{4})(?:/(\d{1,2}))?")
_ARXIV_ACCESSION = re.compile(r"^arxiv:\s*(\S+)$", re.IGNORECASE)
_ARXIV_ID = re.compile(r"^(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(v\d+)?$", re.IGNORECASE)
_PAGE_RANGE = re.compile(r"\s*[-\u2013]+\s*")


# -- reading -----------------------------------------------------------------------------


def parse_ris(text: str, collection: str = "") -> ParsedFile:
    """The papers of a RIS file (in `collection`, if given), and a rejection, with its line, for
    each record that cannot become one; the other records still import."""
    result = ParsedFile()
    lines = text.splitlines()
    for start, end in _records(lines, result.rejected):
        try:
            paper = _paper_from(lines[start:end], start + 1, collection)
        except Exception as error:  # noqa: BLE001 - one odd record must never cost the others
            paper = Rejection(start + 1, None, f"the record cannot be read ({type(error).__name__})")
        if isinstance(paper, Rejection):
            result.rejected.append(paper)
        else:
            result.papers.append(paper)
    if not result.papers and not result.rejected and text.strip():
        result.rejected.append(Rejection(1, None, "not a RIS file: no record starts with a 'TY  - ' line"))
    return result


def _records(lines: list[str], rejected: list[Rejection]) -> list[tuple[int, int]]:
    """(first line, line after its ER) of each well-formed record, by index; the rest rejected."""
    records: list[tuple[int, int]] = []
    start: int | None = None
    stray_reported = False
    for index, line in enumerate(lines):
        tag, _ = _TAG_LINE.parse_line(line)
        if tag == "TY":
            if start is not None:
                rejected.append(Rejection(start + 1, None, f"the record is not closed with 'ER  - ' before the next one (line {index + 1})"))
            start, stray_reported = index, False
        elif tag == "ER":
            if start is None:
                if not stray_reported:
                    rejected.append(Rejection(index + 1, None, "an 'ER  - ' with no 'TY  - ' opening its record"))
                stray_reported = False
            else:
                records.append((start, index + 1))
                start = None
        elif tag is not None and start is None and not stray_reported:
            rejected.append(Rejection(index + 1, None, f"a {tag} line outside any record: a 'TY  - ' line is missing before it"))
            stray_reported = True
    if start is not None:
        rejected.append(Rejection(start + 1, None, "the record is not closed with 'ER  - ' before the end of the file"))
    return records


def _pairs(lines: list[str]) -> list[tuple[str, str]]:
    """(tag, value) of each tag line between TY and ER, TY included, in order; a line without a
    tag joins the value before it, on a line of its own (less the space `export_ris` puts before
    a line of a value that would read as a tag line)."""
    pairs: list[tuple[str, str]] = []
    for line in lines[:-1]:  # the last is ER
        tag, content = _TAG_LINE.parse_line(line)
        if tag is None:
            if line.startswith(" ") and _TAG_LINE.parse_line(line[1:])[0] is not None:
                line = line[1:]
            name, value = pairs[-1]
            pairs[-1] = (name, f"{value}\n{line.rstrip()}")
        else:
            pairs.append((tag, content))
    return [(tag, value.rstrip("\n")) for tag, value in pairs]


def _paper_from(lines: list[str], line: int, collection: str) -> Paper | Rejection:
    pairs = _pairs(lines)
    values = RisParser().parse_lines(iter(lines))[0]
    unknown = values.get("unknown_tag", {})

    def first(*names: str) -> str:
        for name in names:
            value = values.get(name) or unknown.get(name)
            if isinstance(value, list):
                value = next((item for item in value if item.strip()), "")
            if value and value.strip():
                return " ".join(value.split())
        return ""

    ris_type = first("type_of_reference").upper()
    key = first("id")
    title = first("title", "primary_title", "CT", "BT" if ris_type in ("BOOK", "EBOOK", "EDBOOK") else "")
    if not title:
        return Rejection(line, key or None, "the record has no title (TI or T1)")
    entry_type = ENTRY_TYPE_OF_RIS_TYPE.get(ris_type, "misc")
    fields: dict[str, str] = {}
    authors = [value for tag, value in pairs if tag in ("AU", "A1")]
    editors = [value for tag, value in pairs if tag in ("A2", "ED")]
    for name, written in (("author", authors), ("editor", editors)):
        if written:
            fields[name] = bibtex_names([_name(value) for value in written if value.strip()])
    year, month = _date(first("year", "publication_year"), first("date"))
    if year:
        fields["year"] = year
    if month:
        fields["month"] = MONTH_NAMES[month - 1].capitalize()
    venue = first("secondary_title", "alternate_title3", "journal_name", "BT")
    if venue and venue != title:
        fields["booktitle" if entry_type in IN_BOOKTITLE else "journal"] = venue
    for name, field_name in SINGLE_VALUES.items():
        value = first(name)
        if value:
            fields[field_name] = value
    pages = "--".join(part for part in (first("start_page"), first("end_page")) if part)
    if pages:
        fields["pages"] = _PAGE_RANGE.sub("--", pages) if "--" not in pages else pages
    issn = first("issn")
    if issn:
        fields["isbn" if entry_type in ("book", "incollection") else "issn"] = issn
    arxiv_id = _arxiv_id(first("accession_number"), first("name_of_database"))
    if arxiv_id:
        fields.update(eprint=arxiv_id, archiveprefix="arXiv")
        if fields.get("publisher", "").lower() == "arxiv":
            del fields["publisher"]  # the repository, which `archiveprefix` names
    urls = [url for url in values.get("urls") or [] if url.strip()]
    record = PaperRecord(
        key=key if is_citable_key(key) else "",
        title=title,
        abstract=first("abstract", "notes_abstract"),
        url=urls[0].strip() if urls else "",
        collections=(collection,) if collection else (),
        entry_type=entry_type,
        fields=fields,
        item=tuple(pairs),
        item_format=FORMAT,
    )
    return Paper(record, Annotation(tags=_tags_of(pairs), note=_note_of(pairs)))


def _name(written: str) -> Name:
    """RIS's `Family, Given[, Suffix]`; a name without a comma is one unit (a group)."""
    parts = [part.strip() for part in written.split(",")]
    if len(parts) == 1 or not any(parts[1:]):
        return Name(literal=parts[0])
    return Name(family=parts[0], given=parts[1], suffix=", ".join(part for part in parts[2:] if part))


def _date(year_value: str, date_value: str) -> tuple[str, int]:
    """(year, month or 0) from `PY  - 2023/04/01/` (or `2023`), the month also from a `DA` of
    the same year; from `DA` alone when there is no `PY`."""
    year, month = _year_and_month(year_value)
    dated_year, dated_month = _year_and_month(date_value)
    if not year:
        return dated_year, dated_month
    return year, month or (dated_month if dated_year == year else 0)


def _year_and_month(value: str) -> tuple[str, int]:
    match = _RIS_DATE.match(value)
    if match:
        month = int(match.group(2)) if match.group(2) and 1 <= int(match.group(2)) <= 12 else 0
        return match.group(1), month
    found = _YEAR.search(value)
    return (found.group(1), 0) if found else ("", 0)


def _arxiv_id(accession: str, database: str) -> str:
    match = _ARXIV_ACCESSION.match(accession)
    candidate = match.group(1) if match else accession if database.strip().lower() == "arxiv" else ""
    found = _ARXIV_ID.match(candidate)
    return found.group(1) if found else ""


def _tags_of(pairs: list[tuple[str, str]]) -> tuple[str, ...]:
    """One tag per `KW` line (a line holding `a; b` gives two, as Zotero reads it)."""
    return tags_from_keywords(word for tag, value in pairs if tag == "KW" for word in re.split(r"[;\n]", value))


def _note_of(pairs: list[tuple[str, str]]) -> str:
    return "\n\n".join(value.strip() for tag, value in pairs if tag == "N1" and value.strip())


# -- writing -----------------------------------------------------------------------------


def export_ris(papers: Iterable[Paper], paper_of_key: PaperOfKey | None = None) -> str:
    """The papers as RIS records, sorted by key (see the module's docstring)."""
    return "".join(ris_chunks(papers, paper_of_key))


def ris_chunks(papers: Iterable[Paper], paper_of_key: PaperOfKey | None = None) -> Iterator[str]:
    """The text of `export_ris`, a record at a time."""
    chosen = sorted({paper.id: paper for paper in papers}.values(), key=lambda paper: paper.key.casefold())
    return separated((_written(record_of(paper)) for paper in chosen), "\n")


def record_of(paper: Paper) -> list[tuple[str, str]]:
    """The (tag, value) lines of one paper's record, ER left out: its own record as it came, or
    one written from the reading."""
    written = record_from_reading(citation_of(paper))
    if paper.record.item_format != FORMAT:
        return written
    pairs = list(paper.record.item)
    ids = [index for index, (tag, _) in enumerate(pairs) if tag == "ID"]
    if ids:
        pairs[ids[0]] = ("ID", paper.key)
    else:
        pairs.insert(1, ("ID", paper.key))
    if paper.tags != _tags_of(pairs):
        pairs = _replaced(pairs, "KW", [("KW", tag) for tag in paper.tags])
    if paper.note.strip() != _note_of(pairs):
        pairs = _replaced(pairs, "N1", [("N1", paper.note.strip())] if paper.note.strip() else [])
    for tag in gained_from_sources(paper.record, FILLED_FROM, {tag for tag, _ in pairs}):
        pairs += [pair for pair in written if pair[0] == tag]
    return pairs


FILLED_FROM = {
    "AU": {"author"},
    "PY": {"year", "venue_year"},
    "T2": {"booktitle", "journal"},
    "DO": {"doi"},
    "AN": {"eprint"},
    "DB": {"eprint"},
}
"""Tags an imported record gains when a metadata source filled these fields (and it lacks them)."""


def _replaced(pairs: list[tuple[str, str]], tag: str, new: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """`pairs` with every `tag` line replaced by `new`, where the first of them was (else at the end)."""
    positions = [index for index, (name, _) in enumerate(pairs) if name == tag]
    at = positions[0] if positions else len(pairs)
    kept = [pair for pair in pairs if pair[0] != tag]
    return kept[:at] + new + kept[at:]


def record_from_reading(citation: Citation) -> list[tuple[str, str]]:
    """A paper without a record of its own, as RIS (see the module's docstring)."""
    pairs = [("TY", RIS_TYPE_OF_KIND.get(citation.kind, "GEN")), ("ID", citation.key), ("TI", citation.title)]
    pairs += [("AU", name.inverted) for name in citation.authors]
    pairs += [("A2", name.inverted) for name in citation.editors]
    pairs.append(("PY", citation.year))
    if citation.year and citation.month:
        pairs.append(("DA", f"{citation.year}/{citation.month:02d}//"))
    first_page, _, last_page = citation.pages.replace("\u2013", "-").partition("-")
    pairs += [
        ("T2", citation.venue),
        ("VL", citation.volume),
        ("IS", citation.number),
        ("SP", first_page.strip()),
        ("EP", last_page.strip("- ")),
        ("PB", citation.publisher or ("arXiv" if citation.kind == PREPRINT else "")),
        ("CY", citation.address),
        ("SN", citation.isbn or citation.issn),
        ("DO", citation.doi),
        ("UR", citation.url),
        ("UR", citation.link),
        ("AN", f"arXiv:{citation.arxiv_id}" if citation.arxiv_id else ""),
        ("DB", "arXiv" if citation.arxiv_id else ""),
        ("AB", citation.abstract),
    ]
    pairs += [("KW", tag) for tag in citation.tags]
    pairs.append(("N1", citation.note))
    return [(tag, value) for tag, value in pairs if value.strip()]


def _written(pairs: list[tuple[str, str]]) -> str:
    lines = []
    for tag, value in pairs:
        first, *more = value.split("\n")
        lines.append(f"{tag}  - {first}")
        # A continuation line that reads as a tag line (`AB  - ...`) or is blank would change the
        # record: a leading space keeps it the value's own line.
        lines += [f" {line}" if _TAG_LINE.parse_line(line)[0] is not None or not line.strip() else line for line in more]
    lines.append("ER  - ")
    return "\n".join(lines) + "\n"
