"""The inverted index of the paper records, and its cache file.

Building it tokenises every title, key and abstract, which takes a while for a large library
(seconds at 100,000 papers), so it is saved beside the library (`search-index.bin`) and loaded
on the next run while the library file is unchanged. The file is a JSON header line followed by
the raw bytes of the postings arrays; a missing, stale or damaged cache is simply rebuilt.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections import Counter
from pathlib import Path

from vlmreader.core.files import cache_header, read_cache_header, write_atomically
from vlmreader.core.models import PaperRecord
from vlmreader.core.text import search_terms

TITLE, KEY, ABSTRACT = "title", "key", "abstract"
CORPUS_FIELDS = (TITLE, KEY, ABSTRACT)
INDEX_FORMAT = 2
MAX_COUNT = 255


class PostingsTable:
    """term -> sorted document numbers (and, optionally, occurrence counts), packed in arrays.

    One flat array for all terms keeps 100,000 papers' postings compact, and saves and loads
    as raw bytes.
    """

    def __init__(self, terms: list[str], offsets: array, numbers: array, counts: array | None = None):
        self.terms = terms
        self.slot = {term: position for position, term in enumerate(terms)}
        self.offsets = offsets
        self.numbers = numbers
        self.counts = counts

    @classmethod
    def from_lists(cls, table: dict[str, array], counts: dict[str, array] | None = None) -> PostingsTable:
        """Pack per-term postings (and counts) into flat arrays, releasing each term's as it goes."""
        terms = list(table)
        offsets = array("q", [0])
        numbers = array("i")
        packed_counts = array("B") if counts is not None else None
        for term in terms:
            numbers.extend(table.pop(term))
            offsets.append(len(numbers))
            if packed_counts is not None:
                packed_counts.extend(counts.pop(term))
        return cls(terms, offsets, numbers, packed_counts)

    def __contains__(self, term: str) -> bool:
        return term in self.slot

    def get(self, term: str) -> array | None:
        position = self.slot.get(term)
        if position is None:
            return None
        return self.numbers[self.offsets[position] : self.offsets[position + 1]]

    def count(self, term: str, number: int) -> int:
        """How often `term` occurs in document `number` (0 if not, or if counts are not kept)."""
        position = self.slot.get(term)
        if position is None or self.counts is None:
            return 0
        end = self.offsets[position + 1]
        found = bisect_left(self.numbers, number, self.offsets[position], end)  # postings are sorted
        if found < end and self.numbers[found] == number:
            return self.counts[found]
        return 0

    def arrays(self) -> list[array]:
        return [self.offsets, self.numbers] + ([self.counts] if self.counts is not None else [])


class CorpusIndex:
    """Postings of every title, key and abstract term, and each term's document frequency."""

    def __init__(
        self, tables: dict[str, PostingsTable], document_frequency: dict[str, int], vocabulary: list[str] | None = None
    ):
        self.tables = tables
        self.document_frequency = document_frequency
        self.vocabulary = vocabulary if vocabulary is not None else sorted(document_frequency)
        """Every term, sorted (for prefix lookups by bisection)."""

    @classmethod
    def build(cls, records: list[PaperRecord]) -> CorpusIndex:
        # Arrays rather than lists while building: 4 bytes a posting instead of 8.
        building: dict[str, dict[str, array]] = {name: {} for name in CORPUS_FIELDS}
        mentions: dict[str, array] = {}
        frequency: dict[str, int] = {}
        abstracts, titles, keys = building[ABSTRACT], building[TITLE], building[KEY]
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
            for table, text in ((titles, record.title), (keys, record.key)):
                terms = set(search_terms(text))
                seen |= terms
                for term in terms:
                    if term in table:
                        table[term].append(number)
                    else:
                        table[term] = array("i", (number,))
            for term in seen:
                frequency[term] = frequency.get(term, 0) + 1
        tables = {
            name: PostingsTable.from_lists(table, mentions if name == ABSTRACT else None)
            for name, table in building.items()
        }
        return cls(tables, frequency)

    # -- the cache file --------------------------------------------------------------

    def save(self, path: Path, source: tuple | None) -> None:
        """Write the index to `path`, valid while the library's file signature is `source`."""
        vocabulary = self.vocabulary
        header = cache_header(
            INDEX_FORMAT,
            source,
            vocabulary=vocabulary,
            fields={
                name: {"terms": table.terms, "lengths": [len(a) for a in table.arrays()]}
                for name, table in self.tables.items()
            },
        )
        frequencies = array("i", (self.document_frequency[term] for term in vocabulary))
        blobs = [header, frequencies]
        for table in self.tables.values():
            blobs.extend(table.arrays())
        write_atomically(path, blobs)

    @classmethod
    def load(cls, path: Path, source: tuple | None) -> CorpusIndex | None:
        """The index saved at `path` if it was built from the library file `source`, else None."""
        try:
            with open(path, "rb") as file:
                header = read_cache_header(file, INDEX_FORMAT, source)
                if header is None:
                    return None
                vocabulary = header["vocabulary"]
                frequencies = _read_array(file, "i", len(vocabulary))
                tables = {}
                for name in CORPUS_FIELDS:
                    spec = header["fields"][name]
                    lengths = spec["lengths"]
                    offsets = _read_array(file, "q", lengths[0])
                    numbers = _read_array(file, "i", lengths[1])
                    counts = _read_array(file, "B", lengths[2]) if len(lengths) > 2 else None
                    tables[name] = PostingsTable(spec["terms"], offsets, numbers, counts)
        except (OSError, ValueError, KeyError, TypeError, EOFError):
            return None
        return cls(tables, dict(zip(vocabulary, frequencies)), vocabulary)


def _read_array(file, typecode: str, length: int) -> array:
    values = array(typecode)
    values.fromfile(file, length)
    return values
