"""Writing papers as biblatex, for documents that use biblatex with Biber.

The same file as the BibTeX export (`bibtex/write.py`: the user's own entries exactly as written,
the `@string`s and parents they need, entries sorted by key), except for papers without an entry
of their own, which are written with biblatex's types and field names rather than BibTeX's:

- an arXiv-only paper is `@online` with `eprint`, `eprinttype = {arxiv}` and `eprintclass`
  (biblatex prints `arXiv: 2304.08485 [cs.CV]`, so no `howpublished` repeats it);
- a conference paper is `@inproceedings` with its `booktitle`, a journal paper `@article` with
  its `journaltitle`, each with the `date` of that version;
- `date` holds the year (and the month when it is known: `2023-04`), `location` the address;
- authors and editors are in BibTeX's name form, which biblatex reads the same way.

A user's entry keeps the field names it was written with: Biber reads `journal` as
`journaltitle` and `year` as `date` itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from vlmreader.core.formats.bibtex.write import PaperOfKey, bibtex_chunks, export_bibtex
from vlmreader.core.formats.citation import arxiv_id_in, citation_year, month_of
from vlmreader.core.models import Paper, PaperRecord

BIBLATEX_FIELDS = (
    ("author", "author"),
    ("editor", "editor"),
    ("journal", "journaltitle"),
    ("booktitle", "booktitle"),
    ("series", "series"),
    ("volume", "volume"),
    ("number", "number"),
    ("pages", "pages"),
    ("edition", "edition"),
    ("chapter", "chapter"),
    ("publisher", "publisher"),
    ("organization", "organization"),
    ("institution", "institution"),
    ("school", "institution"),
    ("address", "location"),
    ("howpublished", "howpublished"),
    ("isbn", "isbn"),
    ("issn", "issn"),
    ("doi", "doi"),
    ("eprint", "eprint"),
)
"""(the record's field, biblatex's name for it), in the order they are written."""

ENTRY_TYPES = {"phdthesis": "thesis", "mastersthesis": "thesis", "techreport": "report", "conference": "inproceedings"}
"""BibTeX entry types biblatex has under another name (it accepts the old ones as aliases)."""
VENUE_TYPES = (("booktitle", "inproceedings"), ("journaltitle", "article"))


def export_biblatex(papers: Iterable[Paper], paper_of_key: PaperOfKey | None = None) -> str:
    """The papers as a `.bib` file for biblatex and Biber (see the module's docstring)."""
    return export_bibtex(papers, paper_of_key, cited_as=cited_as_biblatex)


def biblatex_chunks(papers: Iterable[Paper], paper_of_key: PaperOfKey | None = None) -> Iterator[str]:
    """The text of `export_biblatex` in chunks, to be written as they come."""
    return bibtex_chunks(papers, paper_of_key, cited_as=cited_as_biblatex)


def cited_as_biblatex(record: PaperRecord) -> tuple[str, dict[str, str]]:
    """The entry type and fields (by biblatex name, in order) of a paper without an entry of its
    own: its venue decides the type and the date, an arXiv-only paper is `@online`."""
    read = {name: value.strip() for name, value in record.fields.items()}
    arxiv_id = arxiv_id_in(read)
    year, month = citation_year(read), month_of(read)
    fields = {"author": read.get("author", ""), "editor": read.get("editor", "")}
    fields["date"] = f"{year}-{month:02d}" if year and month else year
    for name, biblatex_name in BIBLATEX_FIELDS:
        if read.get(name) and not fields.get(biblatex_name):
            fields[biblatex_name] = read[name]
    if arxiv_id:
        fields.update(eprint=arxiv_id, eprinttype="arxiv", eprintclass=read.get("primaryclass") or read.get("eprintclass", ""))
    elif read.get("eprint"):
        fields.update(eprinttype=read.get("archiveprefix") or read.get("eprinttype", ""))
    venue_type = next((entry_type for name, entry_type in VENUE_TYPES if fields.get(name)), None)
    own_type = record.entry_type.lower()
    if venue_type:
        entry_type = venue_type
    elif arxiv_id:
        entry_type = "online"
    elif own_type in ("article", "inproceedings", "misc", "online", ""):
        entry_type = "misc"  # an @article or @inproceedings without its venue makes Biber warn
    else:
        entry_type = ENTRY_TYPES.get(own_type, own_type)
    return entry_type, {name: text for name, text in fields.items() if text}
