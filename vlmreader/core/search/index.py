"""The inverted index of the paper records, and its cache file.

Building it tokenises every title, key, abstract and author's name, and reads each paper's
venue, years and what metadata it has (for the `venue:`, `year:` and `has:` filters), which
takes a while for a large library (seconds at 100,000 papers), so it is saved beside the library
(`search-index.bin`) and loaded on the next run while the library file is unchanged. The file is
a JSON header line followed by the vocabulary and the raw bytes of the postings arrays, which
are memory-mapped rather than read: opening the index of 100,000 papers reads the vocabulary,
and a search the few postings it needs. A missing, stale or damaged cache is simply rebuilt.
"""

from __future__ import annotations

import mmap
import re
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from vlmreader.core.files import cache_header, read_cache_header, write_atomically
from vlmreader.core.models import VENUE_FIELDS, VENUE_YEAR_FIELD, Paper, PaperRecord, arxiv_id_of, doi_of
from vlmreader.core.text import search_terms
from vlmreader.core.vocabulary import HAS_ARXIV, HAS_AUTHOR, HAS_DOI, HAS_VENUE, HAS_YEAR

TITLE, KEY, ABSTRACT, AUTHOR = "title", "key", "abstract", "author"
CORPUS_FIELDS = (TITLE, KEY, ABSTRACT, AUTHOR)
"""The fields free words are matched in (and whose terms make the vocabulary)."""
PERSON, VENUE, YEAR, HAS, INITIAL = "person", "venue", "year", "has", "initial"
FILTER_TABLES = (PERSON, VENUE, YEAR, HAS, INITIAL)
"""Read by filters only: authors' name terms to the authors who bear them (see `person_number`),
venue words, years ('2024', a paper's own and its venue's), `has:` values, and the first
characters of a paper's terms (what a one-letter word being typed stands for), each to the
papers that have it."""
AUTHORS_NUMBERED = 64
"""A paper's authors are numbered up to this many; those after share the last number."""
INDEX_FORMAT = 5
MAX_COUNT = 255
_YEAR = re.compile(r"\b(\d{4})\b")


class PostingsTable:
    """term -> sorted document numbers (and, optionally, occurrence counts), packed in arrays.

    One flat array for all terms keeps 100,000 papers' postings compact, and saves and loads
    as raw bytes; a loaded table's arrays are views of the memory-mapped cache file, so only
    the postings a search reads are read from disk. The terms are sorted: a term is found by
    bisection, and so are a prefix's terms.
    """

    def __init__(self, terms: list[str], offsets: Sequence[int], numbers: Sequence[int], counts: Sequence[int] | None = None):
        self.terms = terms
        self.offsets = offsets
        self.numbers = numbers
        self.counts = counts

    @classmethod
    def from_lists(cls, table: dict[str, array], counts: dict[str, array] | None = None) -> PostingsTable:
        """Pack per-term postings (and counts) into flat arrays, releasing each term's as it goes."""
        terms = sorted(table)
        offsets = array("q", [0])
        numbers = array("i")
        packed_counts = array("B") if counts is not None else None
        for term in terms:
            numbers.extend(table.pop(term))
            offsets.append(len(numbers))
            if packed_counts is not None:
                packed_counts.extend(counts.pop(term))
        return cls(terms, offsets, numbers, packed_counts)

    def _position(self, term: str) -> int | None:
        position = bisect_left(self.terms, term)
        return position if position < len(self.terms) and self.terms[position] == term else None

    def __contains__(self, term: str) -> bool:
        return self._position(term) is not None

    def get(self, term: str) -> Sequence[int] | None:
        position = self._position(term)
        if position is None:
            return None
        return self.numbers[self.offsets[position] : self.offsets[position + 1]]

    def count(self, term: str, number: int) -> int:
        """How often `term` occurs in document `number` (0 if not, or if counts are not kept)."""
        position = self._position(term)
        if position is None or self.counts is None:
            return 0
        end = self.offsets[position + 1]
        found = bisect_left(self.numbers, number, self.offsets[position], end)  # postings are sorted
        if found < end and self.numbers[found] == number:
            return self.counts[found]
        return 0

    def arrays(self) -> list[tuple[str, str, Sequence[int]]]:
        """(name, typecode, values) of each array the table is packed in."""
        packed = [("offsets", "q", self.offsets), ("numbers", "i", self.numbers)]
        return packed + ([("counts", "B", self.counts)] if self.counts is not None else [])


class CorpusIndex:
    """Postings of every title, key, abstract and author term, each term's document frequency,
    and the filter tables (`FILTER_TABLES`)."""

    def __init__(
        self, tables: dict[str, PostingsTable], document_frequency: dict[str, int], vocabulary: list[str] | None = None
    ):
        self.tables = tables
        self.document_frequency = document_frequency
        self.vocabulary = vocabulary if vocabulary is not None else sorted(document_frequency)
        """Every term, sorted (for prefix lookups by bisection)."""

    @classmethod
    def build(cls, records: Sequence[PaperRecord]) -> CorpusIndex:
        # Arrays rather than lists while building: 4 bytes a posting instead of 8.
        building: dict[str, dict[str, array]] = {name: {} for name in CORPUS_FIELDS + FILTER_TABLES}
        mentions: dict[str, array] = {}
        frequency: dict[str, int] = {}
        abstracts = building[ABSTRACT]
        for number, record in enumerate(records):
            abstract_counts = Counter(search_terms(record.abstract))
            for term, count in abstract_counts.items():
                if term in abstracts:
                    abstracts[term].append(number)
                    mentions[term].append(count if count < MAX_COUNT else MAX_COUNT)
                else:
                    abstracts[term] = array("i", (number,))
                    mentions[term] = array("B", (count if count < MAX_COUNT else MAX_COUNT,))
            seen = set(abstract_counts)
            paper = Paper(record)
            people = _people_of(paper)
            for name, terms in _terms_of(paper, people).items():
                if name in CORPUS_FIELDS:
                    seen |= terms
                _post(building[name], terms, number)
            for position, terms in enumerate(people):
                _post(building[PERSON], terms, person_number(number, position))
            for term in seen:
                frequency[term] = frequency.get(term, 0) + 1
            _post(building[INITIAL], {term[0] for term in seen}, number)
        tables = {
            name: PostingsTable.from_lists(table, mentions if name == ABSTRACT else None)
            for name, table in building.items()
        }
        return cls(tables, frequency)

    # -- the cache file --------------------------------------------------------------

    def save(self, path: Path, source: tuple | None) -> None:
        """Write the index to `path`, valid while the library's file signature is `source`.

        After the header line come its sections, each at a multiple of 8 bytes from the start
        of the file, as the header says: the vocabulary (terms, one a line), the frequencies,
        then each table's terms (for a table of free-word terms, their places in the
        vocabulary) and arrays."""
        vocabulary = self.vocabulary
        place = {term: number for number, term in enumerate(vocabulary)}
        sections: list[tuple[str, str, bytes | array]] = [
            ("vocabulary", "text", "\n".join(vocabulary).encode("utf-8")),
            ("frequencies", "i", array("i", (self.document_frequency[term] for term in vocabulary))),
        ]
        for name, table in self.tables.items():
            if name in CORPUS_FIELDS:
                sections.append((f"{name}.terms", "i", array("i", (place[term] for term in table.terms))))
            else:
                sections.append((f"{name}.terms", "text", "\n".join(table.terms).encode("utf-8")))
            sections += [(f"{name}.{part}", typecode, _packed(typecode, values)) for part, typecode, values in table.arrays()]
        layout: dict[str, tuple[str, int, int]] = {}
        offset = 0
        for name, typecode, data in sections:
            size = memoryview(data).nbytes
            layout[name] = (typecode, offset, size)
            offset += size + -size % 8
        header = cache_header(INDEX_FORMAT, source, sections=layout)
        header = header[:-1] + b" " * (-len(header) % 8) + b"\n"  # the sections start aligned

        def blobs():
            yield header
            for _, _, data in sections:
                yield data
                yield b"\0" * (-memoryview(data).nbytes % 8)

        write_atomically(path, blobs())

    @classmethod
    def load(cls, path: Path, source: tuple | None) -> CorpusIndex | None:
        """The index saved at `path` if it was built from the library file `source`, else None.
        Its arrays are read from the file as searches need them (the file is memory-mapped)."""
        try:
            with open(path, "rb") as file:
                header = read_cache_header(file, INDEX_FORMAT, source)
                if header is None:
                    return None
                start = file.tell()
                contents = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
            whole = memoryview(contents)
            end = max((offset + size + -size % 8 for _, offset, size in header["sections"].values()), default=0)
            if start + end != len(contents):
                return None  # cut short, or more than was written

            def section(name: str):
                typecode, offset, size = header["sections"][name]
                if start + offset + size > len(contents):
                    raise ValueError(f"section {name} is cut short")
                data = whole[start + offset : start + offset + size]
                return bytes(data).decode("utf-8") if typecode == "text" else data.cast(typecode)

            text = section("vocabulary")
            vocabulary = text.split("\n") if text else []
            frequencies = section("frequencies")
            if len(frequencies) != len(vocabulary):
                return None
            tables = {}
            for name in CORPUS_FIELDS + FILTER_TABLES:
                terms = section(f"{name}.terms")
                if name in CORPUS_FIELDS:
                    terms = list(map(vocabulary.__getitem__, terms))
                else:
                    terms = terms.split("\n") if terms else []
                offsets, numbers = section(f"{name}.offsets"), section(f"{name}.numbers")
                counts = section(f"{name}.counts") if f"{name}.counts" in header["sections"] else None
                if len(offsets) != len(terms) + 1 or offsets[-1] != len(numbers) or (counts is not None and len(counts) != len(numbers)):
                    return None
                tables[name] = PostingsTable(terms, offsets, numbers, counts)
        except (OSError, ValueError, KeyError, TypeError, IndexError, EOFError):
            return None
        return cls(tables, dict(zip(vocabulary, frequencies)), vocabulary)


def person_number(paper_number: int, position: int) -> int:
    """The number of a paper's author in the PERSON table: `// AUTHORS_NUMBERED` gives the paper."""
    return paper_number * AUTHORS_NUMBERED + min(position, AUTHORS_NUMBERED - 1)


def _post(table: dict[str, array], terms: set[str], number: int) -> None:
    """Add `number` to each term's postings (once: later authors may share a person number)."""
    for term in terms:
        postings = table.get(term)
        if postings is None:
            table[term] = array("i", (number,))
        elif postings[-1] != number:
            postings.append(number)


def _people_of(paper: Paper) -> list[set[str]]:
    """The name terms of each author, in order."""
    # `and others` ends a list of authors in BibTeX: no one is called Others.
    return [set(search_terms(name)) for name in paper.authors if name.lower() != "others"]


def _terms_of(paper: Paper, people: list[set[str]]) -> dict[str, set[str]]:
    """A paper's terms for each table but the abstract's (which counts its terms) and PERSON's."""
    record, fields = paper.record, paper.record.fields
    years = {_year_in(paper.year), _year_in(fields.get(VENUE_YEAR_FIELD, ""))} - {""}
    has = {
        HAS_AUTHOR: bool(paper.authors),
        HAS_YEAR: bool(paper.year),
        HAS_VENUE: bool(paper.venue),
        HAS_DOI: bool(doi_of(record)),
        HAS_ARXIV: bool(arxiv_id_of(record)),
    }
    return {
        TITLE: set(search_terms(record.title)),
        KEY: set(search_terms(record.key)),
        AUTHOR: set().union(*people),
        VENUE: {term for name in VENUE_FIELDS if fields.get(name) for term in search_terms(fields[name])},
        YEAR: years,
        HAS: {name for name, present in has.items() if present},
    }


def _year_in(text: str) -> str:
    """The first four-digit year in `text` ('2024' of '2024-05-01'), or ''."""
    match = _YEAR.search(text)
    return match.group(1) if match else ""


def _packed(typecode: str, values: Sequence[int]) -> array:
    """`values` as an array of `typecode` (a loaded table's are views of the file)."""
    return values if isinstance(values, array) and values.typecode == typecode else array(typecode, values)
