"""A paper as a metadata service describes it, and what that becomes in the library."""

from __future__ import annotations

from dataclasses import dataclass

from vlmreader.core.models import PaperRecord


@dataclass(frozen=True)
class Work:
    """One paper from arXiv, Crossref, OpenAlex or Hugging Face, in their common terms."""

    source: str
    title: str
    authors: tuple[str, ...] = ()
    """In BibTeX's `Family, Given` form, in order."""
    year: int | None = None
    """The year of the first version (arXiv) or of publication."""
    abstract: str = ""
    arxiv_id: str = ""
    primary_category: str = ""
    doi: str = ""
    venue: str = ""
    """The journal or proceedings it was published in, if any."""
    published_as: str = ""
    """`article` (a journal) or `inproceedings` (a conference), when `venue` is known."""
    url: str = ""

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
        return fields

    def record(self, collections: tuple[str, ...] = ()) -> PaperRecord:
        """A paper to offer the library (see `PaperRecord`)."""
        return PaperRecord(
            title=self.title,
            abstract=self.abstract,
            url=self.url,
            collections=collections,
            entry_type=self.published_as or "misc",
            fields=self.fields(),
        )


def bibtex_name(name: str) -> str:
    """`Haotian Liu` -> `Liu, Haotian`; a one-word name, or one already in that form, as it is."""
    name = " ".join(name.split())
    if "," in name or " " not in name:
        return name
    given, _, family = name.rpartition(" ")
    return f"{family}, {given}"
