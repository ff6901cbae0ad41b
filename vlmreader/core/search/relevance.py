"""Ranking by relevance: for queries in the user's own words, "more like this" and suggested tags.

The keyword engine (engine.py) wants every word; a researcher describing an idea ("make the
model answer faster by dropping unimportant image patches") uses words no single paper has
all of. Here papers are ranked by BM25 over stemmed words of the title (counted
`TITLE_WEIGHT` times), the abstract, and the user's tags and note, then the query is expanded
with the strongest terms of the best-ranked papers (RM3-style pseudo-relevance feedback) and
ranked again.

The corpus part (titles and abstracts) is cached beside the search index
(`relevance-index.bin`) with a digest of each paper's text, so that after an import only the
new or changed papers are read again; the user's part is small and rebuilt with the
annotations.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from vlmreader import __version__
from vlmreader.core.files import write_atomically
from vlmreader.core.models import Annotation, PaperRecord
from vlmreader.core.text import search_terms

CACHE_FORMAT = 1
TITLE_WEIGHT = 4
TAG_WEIGHT = 3
K1, B = 1.2, 0.75
MAX_COUNT = 255
COMMON_SHARE = 0.4
"""A term in more than this share of the papers ('model', 'visual' in a VLM library) decides
nothing: it is left out of queries and expansions."""
FEEDBACK_PAPERS = 8
FEEDBACK_TERMS = 20
ORIGINAL_WEIGHT = 0.8
"""The original query's share of the expanded one (RM3's lambda)."""
LIKE_TERMS = 30
"""A paper's strongest terms, by tf-idf, make its "more like this" query."""
RELATIVE_FLOOR = 0.25
"""Papers scoring under this share of the best are not worth listing."""
STOP_WORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself
    yourselves
    paper papers work works approach approaches method methods technique techniques way ways
    make makes making made get gets getting let lets thing things something someone using use
    used uses via based new novel propose proposed proposes present presents find finding
    want looking look one ones many much like kind sort etc able given give gives""".split()
    + list("abcdefghijklmnopqrstuvwxyz0123456789")
)
"""Words of a natural-language query that carry nothing: function words, how people phrase a
question ("papers that make ... using ..."), and single letters and digits."""

_stemmer = None
_stems: dict[str, str] = {}
_stem_lock = threading.Lock()


def stem(word: str) -> str:
    """The Snowball (Porter 2) English stem of a folded word, remembered: a library repeats its
    words, and stemming is the costly part of reading a paper."""
    found = _stems.get(word)
    if found is None:
        global _stemmer
        with _stem_lock:
            if _stemmer is None:
                import snowballstemmer

                _stemmer = snowballstemmer.stemmer("english")
            found = _stems[word] = _stemmer.stemWord(word)
    return found


def stemmed_terms(text: str) -> list[str]:
    """The stems of `text`'s words (and joined compounds), stop words left out."""
    known = _stems.get
    return [
        found if (found := known(term)) is not None else stem(term)
        for term in search_terms(text)
        if term not in STOP_WORDS
    ]


def _reading() -> dict:
    """What decides a cached index's terms and counts: a cache read another way is rebuilt."""
    stop_words = hashlib.blake2b(" ".join(sorted(STOP_WORDS)).encode(), digest_size=8).hexdigest()
    return {"format": CACHE_FORMAT, "version": __version__, "title_weight": TITLE_WEIGHT, "k1": K1, "b": B, "stop_words": stop_words}


def _digest(record: PaperRecord) -> int:
    text = f"{record.title}\0{record.abstract}".encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "little")


@dataclass(frozen=True)
class Ranking:
    """Papers by relevance, best first: (document number, score)."""

    scored: list[tuple[int, float]]
    terms: frozenset[str]
    """The stems the final query used (the original ones and the expansion)."""


class RelevanceIndex:
    """BM25 postings of the papers' stemmed words, and each paper's own terms (for feedback and
    "more like this").

    Built once per version of the paper records (or loaded, see `load_or_build`); the user's
    tags and notes are set with `set_annotations`. Read-only once built, but for the user part,
    which is replaced whole: safe to search from several threads.
    """

    def __init__(
        self,
        digests: array,
        terms: list[str],
        paper_offsets: array,
        paper_terms: array,
        paper_counts: array,
        postings: tuple[array, array, array, array] | None = None,
    ):
        self.digests = digests
        self.terms = terms
        self.slot = {term: position for position, term in enumerate(terms)}
        self.paper_offsets = paper_offsets
        """Paper n's terms are paper_terms[paper_offsets[n]:paper_offsets[n + 1]] (term slots)."""
        self.paper_terms = paper_terms
        self.paper_counts = paper_counts
        if postings is None:
            self._invert()
        else:
            self.lengths, self.offsets, self.numbers, self.impacts = postings
            self.document_frequency = [end - start for start, end in zip(self.offsets, self.offsets[1:])]
            self.average_length = (sum(self.lengths) / len(self.lengths)) if self.lengths else 1.0
        self.user: dict[int, dict[int, int]] = {}
        """term slot (or a negative slot for a word only the user wrote) -> paper -> weighted count."""
        self.source: list | None = None
        """The library file's signature the index was saved for, when it was loaded from a cache."""
        self._user_slots: dict[str, int] = {}

    @property
    def size(self) -> int:
        return len(self.digests)

    # -- building ------------------------------------------------------------------------

    @classmethod
    def build(cls, records: list[PaperRecord], reuse: RelevanceIndex | None = None) -> RelevanceIndex:
        """The index of `records`, reading again only the papers `reuse` does not have as they are."""
        known: dict[int, int] = {}
        if reuse is not None:
            known = {digest: number for number, digest in enumerate(reuse.digests)}
        terms: list[str] = []
        slot: dict[str, int] = {}
        digests = array("Q")
        paper_offsets = array("q", [0])
        paper_terms = array("i")
        paper_counts = array("B")
        for record in records:
            digest = _digest(record)
            digests.append(digest)
            old = known.get(digest)
            if old is not None:
                counts = reuse.counts_of(old)
            else:
                counts = Counter(stemmed_terms(record.title) * TITLE_WEIGHT)
                counts.update(stemmed_terms(record.abstract))
            for term in counts:
                if term not in slot:
                    slot[term] = len(terms)
                    terms.append(term)
            paper_terms.extend(map(slot.__getitem__, counts))
            paper_counts.extend([count if count < MAX_COUNT else MAX_COUNT for count in counts.values()])
            paper_offsets.append(len(paper_terms))
        return cls(digests, terms, paper_offsets, paper_terms, paper_counts)

    def counts_of(self, number: int) -> dict[str, int]:
        """Paper `number`'s terms and their (title-weighted) counts."""
        start, end = self.paper_offsets[number], self.paper_offsets[number + 1]
        terms = self.terms
        return {terms[t]: c for t, c in zip(self.paper_terms[start:end], self.paper_counts[start:end])}

    def _invert(self) -> None:
        """Postings (papers and BM25 impacts per term) from each paper's terms."""
        size = len(self.digests)
        offsets, counts = self.paper_offsets, self.paper_counts
        self.lengths = array("f", (sum(counts[offsets[n] : offsets[n + 1]]) for n in range(size)))
        average = (sum(self.lengths) / size) if size else 1.0
        frequency = [0] * len(self.terms)
        for term in self.paper_terms:
            frequency[term] += 1
        self.document_frequency = frequency
        starts = [0] * (len(self.terms) + 1)
        for position, count in enumerate(frequency):
            starts[position + 1] = starts[position] + count
        self.offsets = array("q", starts)
        fill = starts[:-1]
        numbers = array("i", bytes(4 * len(self.paper_terms)))
        impacts = array("f", bytes(4 * len(self.paper_terms)))
        idf = [self.idf(df) for df in frequency]
        norm = [K1 * (1 - B + B * length / average) for length in self.lengths]
        for number in range(size):
            start, end = offsets[number], offsets[number + 1]
            paper_norm = norm[number]
            for term, count in zip(self.paper_terms[start:end], counts[start:end]):
                at = fill[term]
                fill[term] = at + 1
                numbers[at] = number
                impacts[at] = idf[term] * count * (K1 + 1) / (count + paper_norm)
        self.numbers = numbers
        self.impacts = impacts
        self.average_length = average

    def idf(self, frequency: int) -> float:
        size = len(self.digests)
        return math.log(1.0 + (size - frequency + 0.5) / (frequency + 0.5))

    def set_annotations(self, numbered: dict[int, Annotation]) -> None:
        """Index the user's tags (weighted like a title) and notes of papers by number."""
        user: dict[int, dict[int, int]] = {}
        user_slots: dict[str, int] = {}
        for number, annotation in numbered.items():
            counts = Counter(stemmed_terms(" ".join(annotation.tags)) * TAG_WEIGHT)
            counts.update(stemmed_terms(annotation.note))
            for term, count in counts.items():
                position = self.slot.get(term)
                if position is None:
                    position = user_slots.setdefault(term, -1 - len(user_slots))
                user.setdefault(position, {})[number] = count
        self.user, self._user_slots = user, user_slots

    # -- the cache file ------------------------------------------------------------------

    def save(self, path: Path, source: tuple | None = None) -> None:
        """Write the index to `path`; `source`, the library file's signature, lets the next
        `load_or_build` of that very version take it without reading the papers."""
        header = _reading() | {"terms": self.terms, "papers": len(self.digests), "source": list(source) if source else None}
        line = json.dumps(header, ensure_ascii=False).encode("utf-8") + b"\n"
        write_atomically(
            path,
            [line, self.digests, self.paper_offsets, self.paper_terms, self.paper_counts]
            + [self.lengths, self.offsets, self.numbers, self.impacts],
        )

    @classmethod
    def load(cls, path: Path) -> RelevanceIndex | None:
        try:
            with open(path, "rb") as file:
                header = json.loads(file.readline())
                if any(header.get(name) != value for name, value in _reading().items()):
                    return None
                papers = header["papers"]
                digests = _read(file, "Q", papers)
                paper_offsets = _read(file, "q", papers + 1)
                paper_terms = _read(file, "i", paper_offsets[-1])
                paper_counts = _read(file, "B", paper_offsets[-1])
                terms = header["terms"]
                lengths = _read(file, "f", papers)
                offsets = _read(file, "q", len(terms) + 1)
                numbers = _read(file, "i", offsets[-1])
                impacts = _read(file, "f", offsets[-1])
        except (OSError, ValueError, KeyError, TypeError, AttributeError, EOFError):
            return None
        if (paper_terms and max(paper_terms) >= len(terms)) or (numbers and max(numbers) >= papers):
            return None
        loaded = cls(digests, terms, paper_offsets, paper_terms, paper_counts, (lengths, offsets, numbers, impacts))
        loaded.source = header.get("source")
        return loaded

    @classmethod
    def load_or_build(cls, path: Path, records: Sequence[PaperRecord], source: tuple | None = None) -> RelevanceIndex:
        """The index of `records`: the cached one if it is of these very papers, else one built
        reading only what changed since, and saved for next time. A cache saved for the library
        file `source` is taken as it is, without reading a paper (a large library reads its
        papers' abstracts only as they are asked for: see `record_cache`)."""
        cached = cls.load(path)
        if cached is not None and source is not None and cached.source == list(source) and cached.size == len(records):
            return cached
        if cached is not None and list(cached.digests) == [_digest(record) for record in records]:
            if source is not None:
                cls._save_quietly(cached, path, source)
            return cached
        built = cls.build(records, reuse=cached)
        cls._save_quietly(built, path, source)
        return built

    @staticmethod
    def _save_quietly(index: RelevanceIndex, path: Path, source: tuple | None) -> None:
        try:
            index.save(path, source)
        except OSError:
            pass  # a read-only home still ranks; it just reads every paper next time

    # -- ranking -------------------------------------------------------------------------

    def query_weights(self, text: str) -> dict[int, float]:
        """The slots of `text`'s terms that decide something, each weighted by how often it occurs."""
        counts = Counter(stemmed_terms(text))
        weights: dict[int, float] = {}
        for term, count in counts.items():
            position = self.slot.get(term, self._user_slots.get(term))
            if position is not None and not self._common(position):
                weights[position] = float(count)
        return weights

    def _common(self, position: int) -> bool:
        return position >= 0 and self.document_frequency[position] > COMMON_SHARE * len(self.digests)

    def score(self, weights: dict[int, float], allowed: set[int] | None = None) -> dict[int, float]:
        """BM25 score of every paper holding a weighted term (only `allowed` ones, if given)."""
        scores: dict[int, float] = {}
        get = scores.get
        numbers, impacts, offsets = self.numbers, self.impacts, self.offsets
        for position, weight in weights.items():
            if position >= 0:
                start, end = offsets[position], offsets[position + 1]
                if weight == 1.0:
                    for number, impact in zip(numbers[start:end], impacts[start:end]):
                        scores[number] = get(number, 0.0) + impact
                else:
                    for number, impact in zip(numbers[start:end], impacts[start:end]):
                        scores[number] = get(number, 0.0) + weight * impact
            user = self.user.get(position)
            if user:
                frequency = len(user) + (self.document_frequency[position] if position >= 0 else 0)
                idf = self.idf(frequency)
                for number, count in user.items():
                    scores[number] = get(number, 0.0) + weight * idf * count * (K1 + 1) / (count + K1)
        if allowed is not None:
            return {number: value for number, value in scores.items() if number in allowed}
        return scores

    def expanded(self, weights: dict[int, float], scores: dict[int, float]) -> dict[int, float]:
        """RM3: the query mixed with the strongest terms of its best-ranked papers."""
        best = sorted(scores.items(), key=lambda item: item[1], reverse=True)[:FEEDBACK_PAPERS]
        total = sum(score for _, score in best)
        if not total:
            return weights
        relevance: dict[int, float] = {}
        for number, score in best:
            start, end = self.paper_offsets[number], self.paper_offsets[number + 1]
            share = score / total / self.lengths[number]
            for position, count in zip(self.paper_terms[start:end], self.paper_counts[start:end]):
                relevance[position] = relevance.get(position, 0.0) + share * count
        frequency = self.document_frequency
        strongest = sorted(
            (
                (value * self.idf(frequency[position]), position)
                for position, value in relevance.items()
                if frequency[position] > 1 and not self._common(position)
            ),
            reverse=True,
        )[:FEEDBACK_TERMS]
        expansion_total = sum(value for value, _ in strongest) or 1.0
        original_total = sum(weights.values()) or 1.0
        mixed = {position: ORIGINAL_WEIGHT * weight / original_total for position, weight in weights.items()}
        for value, position in strongest:
            mixed[position] = mixed.get(position, 0.0) + (1 - ORIGINAL_WEIGHT) * value / expansion_total
        return mixed

    def rank(self, text: str, allowed: set[int] | None = None) -> Ranking:
        """Papers for a query in natural language: BM25, then once more with the query expanded.

        Only papers holding one of the query's own terms are ranked: the expansion reorders
        what the user's words found, it does not bring papers that share none of them."""
        weights = self.query_weights(text)
        if not weights:
            return Ranking([], frozenset())
        first = self.score(weights, allowed)
        final = self.score(self.expanded(weights, first), set(first))
        return Ranking(self._listed(final), frozenset(self._term(position) for position in weights))

    def like(self, number: int, allowed: set[int] | None = None) -> Ranking:
        """Papers most like paper `number`: its strongest terms as the query; itself left out."""
        counts = self.counts_of(number)
        frequency = self.document_frequency
        strongest = sorted(
            (
                (count * self.idf(frequency[self.slot[term]]), self.slot[term])
                for term, count in counts.items()
                if frequency[self.slot[term]] > 1 and not self._common(self.slot[term])
            ),
            reverse=True,
        )[:LIKE_TERMS]
        weights = {position: value for value, position in strongest}
        scores = self.score(weights, allowed | {number} if allowed is not None else None)
        itself = scores.pop(number, 0.0)
        if itself:  # a share of how the paper scores against its own terms: 1 would be a copy
            scores = {other: score / itself for other, score in scores.items()}
        return Ranking(self._listed(scores), frozenset(self.terms[position] for position in weights))

    def _listed(self, scores: dict[int, float]) -> list[tuple[int, float]]:
        if not scores:
            return []
        floor = RELATIVE_FLOOR * max(scores.values())
        listed = [(number, score) for number, score in scores.items() if score >= floor]
        listed.sort(key=lambda item: (-item[1], item[0]))
        return listed

    def _term(self, position: int) -> str:
        if position >= 0:
            return self.terms[position]
        return next(term for term, slot in self._user_slots.items() if slot == position)


def _read(file, typecode: str, length: int) -> array:
    values = array(typecode)
    values.fromfile(file, length)
    return values
