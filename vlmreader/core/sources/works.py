"""A paper as a metadata service describes it, and what that becomes in the library."""

from __future__ import annotations

from dataclasses import dataclass

from vlmreader.core.models import CITED_BY_FIELD, VENUE_YEAR_FIELD, PaperRecord


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
        fields = {}
        if self.authors:
            fields["author"] = " and ".join(self.authors)
        if self.year:
            fields["year"] = str(self.year)
        if self.arxiv_id:
            fields.update(eprint=self.arxiv_id, archiveprefix="arXiv")
            if self.primary_category:
                fields["primaryclass"] = self.primary_category
        if self.doi:
            fields["doi"] = self.doi
        if self.venue:
            fields["booktitle" if self.published_as == "inproceedings" else "journal"] = self.venue
            if self.venue_year and self.venue_year != self.year:
                fields[VENUE_YEAR_FIELD] = str(self.venue_year)
        if self.cited_by_count is not None:
            fields[CITED_BY_FIELD] = str(self.cited_by_count)
        return fields

    def record(self, date: str, collections: tuple[str, ...] = ()) -> PaperRecord:
        """A paper to offer the library (see `PaperRecord`), each field's provenance this work
        on `date` (YYYY-MM-DD)."""
        fields = self.fields()
        return PaperRecord(
            title=self.title,
            abstract=self.abstract,
            url=self.url,
            collections=collections,
            entry_type=self.published_as or "misc",
            fields=fields,
            provenance=tuple((name, self.source, date) for name in fields),
        )


def bibtex_name(name: str) -> str:
    """`Haotian Liu` -> `Liu, Haotian`; a one-word name, or one already in that form, as it is."""
    name = " ".join(name.split())
    if "," in name or " " not in name:
        return name
    given, _, family = name.rpartition(" ")
    return f"{family}, {given}"
