"""A paper as a metadata service describes it, and what that becomes in the library."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from vlmreader.core.models import CITED_BY_FIELD, VENUE_FIELDS, VENUE_YEAR_FIELD, PaperRecord


@dataclass(frozen=True)
class Work:
    """One paper from arXiv, Crossref, OpenAlex or Hugging Face, in their common terms.

    Each source module turns its service's documented answer into these with a pure function;
    what a source does not say is left empty.
    """

    source: str
    """`arxiv`, `openalex`, `crossref` or `hf`: what provenance records."""
    title: str
    authors: tuple[str, ...] = ()
    """In BibTeX's `Family, Given` form, in order."""
    year: int | None = None
    """The year of the first version (arXiv) or of publication."""
    abstract: str = ""
    arxiv_id: str = ""
    """Without its version: `2304.08485`."""
    primary_category: str = ""
    doi: str = ""
    """The DOI of the published version (not arXiv's own `10.48550/arXiv.*`), lower-cased or as given."""
    venue: str = ""
    """The journal or proceedings it was published in, if any."""
    venue_year: int | None = None
    """The year of the published version in `venue`."""
    published_as: str = ""
    """`article` (a journal) or `inproceedings` (a conference), when `venue` is known."""
    url: str = ""
    cited_by_count: int | None = None
    identifier: str = ""
    """The service's own id of the work (an OpenAlex `W...`), for reports."""

    def fields(self) -> dict[str, str]:
        """The bibliographic fields this work gives a paper, as the library keeps them."""
        return {name: value for name, (value, _) in metadata_of([self]).items()}

    def record(self, date: str, collections: tuple[str, ...] = ()) -> PaperRecord:
        """A paper to offer the library (see `record_of`)."""
        return record_of([self], date, collections)


_GROUP_NAME = re.compile(r"\b(team|consortium|collaboration|committee|group|lab|labs|inc|ltd|project|community|authors)\.?$", re.IGNORECASE)


def bibtex_name(name: str) -> str:
    """`Haotian Liu` -> `Liu, Haotian`; a group (`Chameleon Team`) braced whole, so BibTeX never
    reads `Team` as a family name; a one-word name, or one already in that form, as it is."""
    name = " ".join(name.split())
    if "," in name or " " not in name or name.startswith("{"):
        return name
    if _GROUP_NAME.search(name):
        return "{" + name + "}"
    given, _, family = name.rpartition(" ")
    return f"{family}, {given}"


SOURCES_BY_TRUST = ("arxiv", "crossref", "hf", "openalex")
"""Whose word a field takes when several sources describe a paper: arXiv for its authors, first
version and category; then the DOI registry; then the rest."""
VENUE_SOURCES_BY_TRUST = ("crossref", "openalex", "arxiv", "hf")
"""For where it was published: the registries' names, before an author's free-text journal_ref."""
VENUE_GROUP = (*VENUE_FIELDS, VENUE_YEAR_FIELD)

Metadata = dict[str, tuple[str, str]]
"""Field name -> (value, the source it came from)."""


def metadata_of(works: list[Work]) -> Metadata:
    """The fields several works of one paper give it, each from the most trusted source that
    has it (`SOURCES_BY_TRUST`); the venue, with its year, all from one source."""
    chosen: Metadata = {}

    def offer(name: str, value: str, source: str) -> None:
        if value:
            chosen.setdefault(name, (value, source))

    for work in sorted(works, key=lambda work: SOURCES_BY_TRUST.index(work.source)):
        offer("author", " and ".join(work.authors), work.source)
        offer("year", str(work.year or ""), work.source)
        if work.arxiv_id:
            offer("eprint", work.arxiv_id, work.source)
            offer("archiveprefix", "arXiv", work.source)
            offer("primaryclass", work.primary_category, work.source)
        offer("doi", work.doi, work.source)
        if work.cited_by_count is not None:
            offer(CITED_BY_FIELD, str(work.cited_by_count), work.source)
    published = [work for work in works if work.venue]
    if published:
        work = min(published, key=lambda work: VENUE_SOURCES_BY_TRUST.index(work.source))
        offer("booktitle" if work.published_as == "inproceedings" else "journal", work.venue, work.source)
        venue_year = str(work.venue_year or work.year or "")
        if venue_year != chosen.get("year", ("",))[0]:
            offer(VENUE_YEAR_FIELD, venue_year, work.source)
    return chosen


def with_metadata(record: PaperRecord, metadata: Metadata, date: str, refresh: bool = False) -> PaperRecord:
    """`record` with the fields `metadata` gives it, each remembering its source and `date`.

    A field the user or their `.bib` set (one without provenance) is never touched, and where
    they named a venue no source adds another. A field a source filled is updated only with
    `refresh`. A paper without an entry of its own becomes `@inproceedings` or `@article` once a
    venue is known.
    """
    fields = dict(record.fields)
    provenance = {item[0]: item for item in record.provenance}
    users = {name for name in fields if name not in provenance}
    users_venue = any(name in users for name in VENUE_GROUP)
    for name, (value, source) in metadata.items():
        if name in users or (users_venue and name in VENUE_GROUP):
            continue
        if name in fields and not refresh:
            continue
        fields[name] = value
        provenance[name] = (name, source, date)
    if refresh and not users_venue and any(name in metadata for name in VENUE_FIELDS):
        for name in VENUE_GROUP:  # a source's venue replaced by another kind (journal -> booktitle)
            if name in provenance and name not in metadata:
                del fields[name], provenance[name]
    changes: dict = {"fields": fields, "provenance": tuple(provenance.values())}
    if not record.bibtex and record.entry_type in ("misc", "inproceedings", "article"):
        changes["entry_type"] = "inproceedings" if "booktitle" in fields else "article" if "journal" in fields else "misc"
    return replace(record, **changes)


def without_source_fields(record: PaperRecord) -> PaperRecord:
    """`record` with every field a source filled taken out: what the user's own entry says."""
    filled = record.filled_fields
    return replace(record, fields={name: value for name, value in record.fields.items() if name not in filled}, provenance=())


def record_of(works: list[Work], date: str, collections: tuple[str, ...] = ()) -> PaperRecord:
    """A new paper from the works that describe it (see `PaperRecord`): title, abstract and url
    from the most trusted, the fields by `metadata_of`, each with its source and `date`."""
    best = min(works, key=lambda work: SOURCES_BY_TRUST.index(work.source))
    arxiv_id = next((work.arxiv_id for work in works if work.arxiv_id), "")
    blank = PaperRecord(
        title=best.title,
        abstract=best.abstract or next((work.abstract for work in works if work.abstract), ""),
        url=f"https://arxiv.org/abs/{arxiv_id}" if arxiv_id else best.url,
        collections=collections,
    )
    return with_metadata(blank, metadata_of(works), date)
