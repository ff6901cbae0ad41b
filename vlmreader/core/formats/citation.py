"""What a paper is cited as, whatever the format it goes out in.

CSL-JSON, RIS and the Markdown reading list write a paper from one reading of its record,
`citation_of`: the kind of work it is (a conference paper, a journal article, an arXiv preprint,
...), its authors as names, the year it is cited by (the published version's), its venue,
identifiers, the url of the paper itself and a code or project link beside it. BibTeX and
biblatex, which write fields by their BibTeX names, share the rules for the year, the urls and
the arXiv id. The rules are written once here; each format only says how it spells them.

The record's fields are vlmreader's Unicode reading of BibTeX (or biblatex) fields by lower-case
name; authors are in BibTeX name form, `Liu, Haotian and {Gemini Team} and others`. The title and
abstract of a paper without an entry of its own (the bundled corpus, a paper a source added) are
plain text with LaTeX leaking in (`GenderBias-\\emph{VL}`, `17.76\\%`): they are cited as the
BibTeX export makes LaTeX print them (`GenderBias-VL`, `17.76%`), so every format says the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from vlmreader.core.formats.latex import UnreadableLatex, from_latex, to_latex
from vlmreader.core.models import VENUE_YEAR_FIELD, Paper, PaperRecord

ARXIV_ABS_URL = "https://arxiv.org/abs/"
DOI_URL = "https://doi.org/"
PAPER_HOSTS = frozenset({"arxiv.org", "www.arxiv.org", "export.arxiv.org", "doi.org", "dx.doi.org"})
"""A url on these is the paper itself (a version of it), never a link to its code."""
CODE_HOSTS = frozenset({"github.com", "gitlab.com", "bitbucket.org", "codeberg.org"})

PUBLISHED_IN = ("booktitle", "journal", "journaltitle")
"""Fields naming where a paper was published (BibTeX's two, and biblatex's name for a journal)."""
OTHERS = "others"
"""BibTeX's `and others`: the list goes on (et al.)."""

CONFERENCE, JOURNAL, PREPRINT = "conference", "journal", "preprint"
CHAPTER, BOOK, THESIS, REPORT, OTHER = "chapter", "book", "thesis", "report", "other"
KIND_OF_ENTRY_TYPE = {
    "inproceedings": CONFERENCE,
    "conference": CONFERENCE,
    "incollection": CHAPTER,
    "inbook": CHAPTER,
    "book": BOOK,
    "phdthesis": THESIS,
    "mastersthesis": THESIS,
    "thesis": THESIS,
    "techreport": REPORT,
    "report": REPORT,
}
"""Entry types that say what a work is whatever its fields; any other type (`misc`, `online`,
`article` without a journal, ...) is decided by its fields."""

MONTH_NAMES = "january february march april may june july august september october november december".split()

_ARXIV_PREFIX = re.compile(r"^arxiv:", re.IGNORECASE)
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_YEAR = re.compile(r"\b(\d{4})\b")


@dataclass(frozen=True)
class Name:
    """One author or editor: a person's parts, or a group's name as one unit (`literal`)."""

    family: str = ""
    given: str = ""
    particle: str = ""
    """BibTeX's `von` part (`van der` Berg), which biblatex and pandoc leave out of citations."""
    suffix: str = ""
    literal: str = ""

    @property
    def display(self) -> str:
        """`Haotian Liu`, `Jan van der Berg`, `John Smith Jr.`, `Gemini Team`."""
        if self.literal:
            return self.literal
        return " ".join(part for part in (self.given, self.particle, self.family, self.suffix) if part)

    @property
    def inverted(self) -> str:
        """`Liu, Haotian`, `van der Berg, Jan`, `Smith, John, Jr.`, `Gemini Team` (RIS's order)."""
        if self.literal:
            return self.literal
        family = " ".join(part for part in (self.particle, self.family) if part)
        return ", ".join(part for part in (family, self.given, self.suffix) if part)


@dataclass(frozen=True)
class Citation:
    """A paper as a citation names it; '' for what is not known."""

    key: str
    kind: str
    """CONFERENCE, JOURNAL, PREPRINT (arXiv only), CHAPTER, BOOK, THESIS, REPORT or OTHER."""
    title: str
    authors: tuple[Name, ...]
    et_al: bool
    """The author list ends with BibTeX's `and others`."""
    editors: tuple[Name, ...]
    year: str
    """The year it is cited by: the published version's, else its own (an arXiv paper's first)."""
    month: int
    """1-12, or 0 when not known."""
    venue: str
    """The proceedings, journal or book it appeared in."""
    volume: str
    number: str
    pages: str
    publisher: str
    address: str
    isbn: str
    issn: str
    doi: str
    arxiv_id: str
    arxiv_class: str
    url: str
    """The paper itself: its arXiv page, else its DOI's, else the url it came with."""
    link: str
    """A code or project page beside the paper ('' when the url is the paper)."""
    abstract: str
    tags: tuple[str, ...]
    note: str


def citation_of(paper: Paper, abstract: bool = True) -> Citation:
    """How `paper` is cited, read from its record and the user's annotation of it. With
    `abstract` false the abstract is left empty, for a writer that never shows it: reading it
    as printed is most of the work."""
    record = paper.record
    fields = {name: value.strip() for name, value in record.fields.items()}
    arxiv_id = arxiv_id_in(fields)
    venue = next((fields[name] for name in PUBLISHED_IN if fields.get(name)), "")
    url = paper_url(record.url, fields)
    authors, et_al = names_in(fields.get("author", ""))
    editors, _ = names_in(fields.get("editor", ""))
    as_printed = _as_printed if not record.bibtex and not record.item else str
    return Citation(
        key=record.key,
        kind=kind_of(record, fields, arxiv_id),
        title=as_printed(record.title),
        authors=authors,
        et_al=et_al,
        editors=editors,
        year=citation_year(fields),
        month=month_of(fields),
        venue=venue,
        volume=fields.get("volume", ""),
        number=fields.get("number", "") or fields.get("issue", ""),
        pages=fields.get("pages", ""),
        publisher=fields.get("publisher", "") or fields.get("institution", "") or fields.get("school", ""),
        address=fields.get("address", "") or fields.get("location", ""),
        isbn=fields.get("isbn", ""),
        issn=fields.get("issn", ""),
        doi=_DOI_PREFIX.sub("", fields.get("doi", "")),
        arxiv_id=arxiv_id,
        arxiv_class=(fields.get("primaryclass") or fields.get("eprintclass") or "") if arxiv_id else "",
        url=url,
        link=record.url.strip() if is_a_link_beside(record.url, url) else "",
        abstract=as_printed(record.abstract.strip()) if abstract else "",
        tags=paper.tags,
        note=(paper.note or "").strip(),
    )


def _as_printed(text: str) -> str:
    """Corpus text as LaTeX prints the BibTeX export of it: `\\emph{VL}` -> `VL`, `\\%` -> `%`."""
    try:
        return from_latex(to_latex(text))
    except UnreadableLatex:
        return text


def kind_of(record: PaperRecord, fields: dict[str, str], arxiv_id: str) -> str:
    """What kind of work a record is: its entry type where that says, else its venue."""
    kind = KIND_OF_ENTRY_TYPE.get(record.entry_type.lower())
    if kind:
        return kind
    if fields.get("booktitle"):
        return CONFERENCE
    if fields.get("journal") or fields.get("journaltitle"):
        return JOURNAL
    return PREPRINT if arxiv_id else OTHER


def gained_from_sources(record: PaperRecord, filled_from: dict[str, set[str]], present) -> list[str]:
    """Of an imported item's variables (CSL) or tags (RIS), those it lacks (not in `present`)
    that `filled_from` says a metadata source has filled for the paper since: what its export
    adds to the item as it came."""
    filled = record.filled_fields
    return [name for name, fields in filled_from.items() if filled & fields and name not in present]


def citation_year(fields: dict[str, str]) -> str:
    """A published paper is cited by the year of its publication, otherwise by its own (an arXiv
    paper's first version). A biblatex `date` gives its year."""
    own = fields.get("year", "").strip()
    if not own:
        match = _YEAR.search(fields.get("date", ""))
        own = match.group(1) if match else ""
    if any(fields.get(name, "").strip() for name in PUBLISHED_IN):
        return fields.get(VENUE_YEAR_FIELD, "").strip() or own
    return own


def month_of(fields: dict[str, str]) -> int:
    """The month of `month` (`4`, `apr`, `April`) or of a biblatex `date` (`2023-04`); 0 if none."""
    word = fields.get("month", "").strip().rstrip(".").lower()
    if word.isdigit() and 1 <= int(word) <= 12:
        return int(word)
    for number, name in enumerate(MONTH_NAMES, start=1):
        if word and word in (name, name[:3]):
            return number
    match = re.match(r"\d{4}-(\d{2})", fields.get("date", "").strip())
    if match and 1 <= int(match.group(1)) <= 12:
        return int(match.group(1))
    return 0


def arxiv_id_in(fields: dict[str, str]) -> str:
    """The arXiv id of an `eprint` whose archive is arXiv (`archiveprefix` or `eprinttype`)."""
    kind = fields.get("archiveprefix") or fields.get("eprinttype") or ""
    eprint = fields.get("eprint", "")
    return _ARXIV_PREFIX.sub("", eprint) if eprint and kind.lower() == "arxiv" else ""


def paper_url(record_url: str, fields: dict[str, str]) -> str:
    """The paper's own page: its arXiv abstract, else its DOI, else the url it has."""
    arxiv_id = arxiv_id_in(fields)
    if arxiv_id:
        return ARXIV_ABS_URL + arxiv_id
    if fields.get("doi"):
        return DOI_URL + _DOI_PREFIX.sub("", fields["doi"])
    return record_url.strip()


def is_a_link_beside(record_url: str, paper_url: str) -> bool:
    """Whether the record's url is something other than the paper (its code, a project page)."""
    record_url = record_url.strip()
    return bool(record_url) and record_url != paper_url and urlsplit(record_url).hostname not in PAPER_HOSTS


def is_code_host(url: str) -> bool:
    return urlsplit(url).hostname in CODE_HOSTS


def names_in(text: str) -> tuple[tuple[Name, ...], bool]:
    """The names of a BibTeX name list (`Liu, Haotian and {Gemini Team} and others`), and whether
    it ends with `others`. A braced name, or one with no given name, is one unit."""
    if not text.strip():
        return (), False
    from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names

    names: list[Name] = []
    et_al = False
    for written in split_multiple_persons_names(text):
        written = written.strip()
        if written.lower() == OTHERS:
            et_al = True
            continue
        try:
            parts = parse_single_name_into_parts(written, strict=False)
        except Exception:  # noqa: BLE001 - a name bibtexparser cannot take apart is one unit
            parts = None
        one_unit = written.startswith("{") and written.endswith("}") and written.count("{") == 1
        if parts is None or one_unit or not (parts.first or parts.von or parts.jr):
            names.append(Name(literal=_unbraced(written)))
            continue
        names.append(
            Name(
                family=_unbraced(" ".join(parts.last)),
                given=_unbraced(" ".join(parts.first)),
                particle=_unbraced(" ".join(parts.von)),
                suffix=_unbraced(" ".join(parts.jr)),
            )
        )
    return tuple(names), et_al


def bibtex_name(name: Name) -> str:
    """A name in BibTeX's form: `Liu, Haotian`, `van der Berg, Jan`, `Smith, Jr., John`; a group
    braced (`{Gemini Team}`, `{OpenAI}`), so that no style takes it apart."""
    if name.literal:
        return f"{{{name.literal}}}"
    if not name.given and not name.suffix and not name.particle:
        return f"{{{name.family}}}" if len(name.family.split()) > 1 or "," in name.family else name.family
    # Before the comma is the family name, `von` part and all: no braces needed.
    family = " ".join(part for part in (name.particle, name.family) if part)
    return ", ".join(part for part in (family, name.suffix, name.given) if part)


def bibtex_names(names: list[Name], et_al: bool = False) -> str:
    """`Liu, Haotian and {Gemini Team}` (with ` and others` if the list goes on)."""
    return " and ".join([bibtex_name(name) for name in names] + ([OTHERS] if et_al else []))


def _unbraced(text: str) -> str:
    return " ".join(text.replace("{", "").replace("}", "").split())
