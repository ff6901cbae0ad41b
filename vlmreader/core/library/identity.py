"""When an incoming paper is one the library already has: never on a title alone.

Strong identity first: the same DOI, or the same arXiv id, is the same paper. Otherwise the
same title (as `title_identity` reads it) is the same paper only when nothing contradicts it:
different DOIs or arXiv ids, first authors with different family names, or years more than
one apart. A title match that is contradicted is a *possible duplicate*: kept as a paper of
its own, and reported. Two entries of one file under different keys are two papers, always.
A bundled paper has no authors, year or DOI, so an import with its title enriches it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from vlmreader.core.models import PaperRecord, arxiv_id_of, doi_of
from vlmreader.core.text import fold, title_identity

_YEAR = re.compile(r"\b(\d{4})\b")


def first_author_family(record: PaperRecord) -> str:
    """The family name of the first author, folded ('' if unknown): `Müller, J. and ...` -> `muller`."""
    authors = record.fields.get("author", "")
    if not authors.strip():
        return ""
    first = re.split(r"\s+and\s+", authors.strip(), maxsplit=1)[0].strip().strip("{}")
    family = first.split(",")[0] if "," in first else (first.split() or [""])[-1]
    return fold(family.strip("{} "))


def year_of(record: PaperRecord) -> int | None:
    for name in ("year", "date"):
        match = _YEAR.search(record.fields.get(name, ""))
        if match:
            return int(match.group(1))
    return None


def contradiction(existing: PaperRecord, incoming: PaperRecord) -> str | None:
    """Why two records with the same title are not the same paper, or None if nothing says so."""
    pairs = (
        ("DOIs", doi_of(existing), doi_of(incoming)),
        ("arXiv ids", arxiv_id_of(existing), arxiv_id_of(incoming)),
        ("first authors", first_author_family(existing), first_author_family(incoming)),
    )
    for what, one, other in pairs:
        if one and other and one != other:
            return f"different {what}"
    years = year_of(existing), year_of(incoming)
    if None not in years and abs(years[0] - years[1]) > 1:
        return "years more than one apart"
    return None


@dataclass
class Match:
    """What the library makes of an incoming paper."""

    same_as: str | None = None
    """The id of the paper it is, if any."""
    possible_duplicates: list[str] = field(default_factory=list)
    """Ids of papers with its title that it is not (something contradicts it)."""


class PaperIdentities:
    """The library's papers by DOI, arXiv id and title identity, kept up to date during an import."""

    def __init__(self, records):
        self.by_doi: dict[str, str] = {}
        self.by_arxiv: dict[str, str] = {}
        self.by_title: dict[str, list[str]] = {}
        self.records: dict[str, PaperRecord] = {}
        self.origin: dict[str, tuple[str, str]] = {}
        """(file, key) of papers added or merged by this import: a file's keys are its papers."""
        for record in records:
            self.add(record.id, record)

    def add(self, paper_id: str, record: PaperRecord, origin: tuple[str, str] | None = None) -> None:
        self.records[paper_id] = record
        doi, arxiv = doi_of(record), arxiv_id_of(record)
        if doi:
            self.by_doi.setdefault(doi, paper_id)
        if arxiv:
            self.by_arxiv.setdefault(arxiv, paper_id)
        ids = self.by_title.setdefault(title_identity(record.title), [])
        if paper_id not in ids:
            ids.append(paper_id)
        if origin is not None:
            self.origin[paper_id] = origin

    def match(self, incoming: PaperRecord, origin: tuple[str, str]) -> Match:
        for index, identifier in ((self.by_doi, doi_of(incoming)), (self.by_arxiv, arxiv_id_of(incoming))):
            if identifier and identifier in index and not self._same_file_other_key(index[identifier], origin):
                return Match(index[identifier])
        result = Match()
        for candidate in self.by_title.get(title_identity(incoming.title), []):
            if self._same_file_other_key(candidate, origin):
                continue  # the user's own file says these are two papers
            if contradiction(self.records[candidate], incoming) is not None:
                result.possible_duplicates.append(candidate)
                continue
            result.same_as = candidate
            return result
        return result

    def _same_file_other_key(self, paper_id: str, origin: tuple[str, str]) -> bool:
        earlier = self.origin.get(paper_id)
        return earlier is not None and bool(origin[0]) and earlier[0] == origin[0] and earlier[1] != origin[1]
