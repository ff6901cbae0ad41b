"""The search engine: an index of a library's papers and annotations, ranked answers to a `Query`.

Ranking: each free word is matched against an inverted index of every field's terms, exactly,
as a prefix, or within one or two typos (rapidfuzz), and scored by field (title highest, then
key, tags, authors' names, note, abstract), match quality and rarity. The best hundred are
re-ranked so that a title naming exactly what was typed ('llava uhd' -> 'LLaVA-UHD: ...') comes
first.

When every word finds fewer than a screenful, papers matching most of the words follow, ranked
by relevance (relevance.py), and a `like:` query ranks papers by their likeness to one.
"""

from __future__ import annotations

import math
import re
import threading
from bisect import bisect_left
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from collections.abc import Sequence
from typing import Protocol

from vlmreader.core.files import garbage_collection_paused
from vlmreader.core.models import Annotation, PaperRecord
from vlmreader.core.search import index
from vlmreader.core.search.duplicates import find_duplicates
from vlmreader.core.search.index import CorpusIndex, PostingsTable
from vlmreader.core.search.query import Query, parse_query
from vlmreader.core.search.relevance import RelevanceIndex, stem
from vlmreader.core.vocabulary import ALL_WORDS, SIMILAR, SOME_WORDS, UNREAD, has_sync_conflict
from vlmreader.core.text import fold, query_terms, search_terms, word_spans, words as words_of

TITLE, KEY, ABSTRACT, TAGS, NOTE, AUTHORS = range(6)
FIELD_WEIGHTS = {TITLE: 10.0, KEY: 7.0, TAGS: 6.0, AUTHORS: 5.0, NOTE: 3.0, ABSTRACT: 1.5}
"""An author's name counts below what the user wrote on a paper (its tags) and above a note:
'liu' more likely means papers by Liu than ones a note mentions Liu in. Over an abstract it wins
even against the abstract-mention bonus, unless the name is in most papers."""

EXACT, PREFIX_BASE, ONE_TYPO, TWO_TYPOS, TYPO_PREFIX = 1.0, 0.7, 0.6, 0.45, 0.4
RERANK_DEPTH = 100
MENTION_TERMS_PER_WORD = 3
MATCH_CACHE_SIZE = 4096
SCORES_CACHE_SIZE = 8
MIN_OPEN_PREFIX = 3
"""A word still being typed matches every completion from this many characters on."""
SHORT_EXTENSION = 3
"""Other words match completions at most this much longer: plurals and -ing forms."""
MAX_COMPLETIONS = 200
"""Of more completions, only the most frequent count: 'vi' should not weigh 1,400 terms."""
KNOWN_WORD_FREQUENCY = 2
"""A word in at least this many papers is not looked up as a typo of another."""
MODEL_NAME_BONUS = 40.0
MODEL_NAME_PREFIX_BONUS = 12.0
WHOLE_TITLE_BONUS = 8.0
ABSTRACT_MENTION_BONUS = 0.5
MAX_COUNTED_MENTIONS = 6
SCREENFUL = 20
"""Fewer papers with every word than this, and papers with most of them follow."""
PARTIAL_LIMIT = 100
"""At most this many papers matching most of the words are listed."""
SIMILAR_LIMIT = 100
SUGGESTION_NEIGHBOURS = 10
NAMED_TAG_LIKENESS = 0.3

_NOT_FILTERED_YET = object()
_MODEL_NAME = re.compile(r"^([^:]{1,60}):")


@dataclass(frozen=True)
class Hit:
    """One search result: the paper, its score, and the title's matched character spans."""

    paper_id: str
    score: float
    title_spans: tuple[tuple[int, int], ...]


@dataclass
class SearchResult:
    """Papers matching a query, best first. Hits are built on demand: a result may hold 100,000."""

    query: Query
    order: list[int]
    """Document numbers, best first."""
    scores: dict[int, float]
    matched_terms: frozenset[str]
    index: "SearchIndex"
    strict_count: int | None = None
    """How many papers, at the head of `order`, hold every word; those after hold most of them
    (None: all of them do)."""
    similar: bool = False
    """A `like:` query: `order` is by likeness."""
    stems: frozenset[str] = frozenset()
    """The stems the papers after `strict_count` were ranked by (for highlighting)."""
    relevance_pending: bool = False
    """The search did not wait for the relevance index: partial or similar papers are left out."""

    def __post_init__(self) -> None:
        if self.strict_count is None:
            self.strict_count = len(self.order)

    def __len__(self) -> int:
        return len(self.order)

    @property
    def partial_count(self) -> int:
        """How many papers match most of the words rather than every one."""
        return len(self.order) - self.strict_count

    def match_at(self, position: int) -> str:
        """`all`, `partial` or `similar`: how the paper at `position` matches."""
        if self.similar:
            return SIMILAR
        return ALL_WORDS if position < self.strict_count else SOME_WORDS

    def paper_ids(self, limit: int | None = None) -> list[str]:
        ids = self.index.ids
        return [ids[n] for n in self.order[:limit]]

    def scored_ids(self, limit: int | None = None) -> list[tuple[str, float]]:
        """(paper id, score) of the best `limit` hits, without computing highlight spans."""
        ids = self.index.ids
        return [(ids[n], round(self.scores.get(n, 0.0), 3)) for n in self.order[:limit]]

    def hit(self, position: int) -> Hit:
        number = self.order[position]
        if position < self.strict_count:
            spans = self.index.title_spans(number, self.matched_terms)
        else:
            spans = self.index.title_spans(number, frozenset(), self.stems)
        return Hit(paper_id=self.index.ids[number], score=round(self.scores.get(number, 0.0), 3), title_spans=spans)

    def hits(self, limit: int | None = None) -> list[Hit]:
        count = len(self.order) if limit is None else min(limit, len(self.order))
        return [self.hit(position) for position in range(count)]


class SearchIndex:
    """Search over a library's records (a `CorpusIndex`) and annotations (tags, notes).

    The corpus part is built or loaded once per version of the paper records; the user part is
    rebuilt once per version of the annotations, and is small.

    Threads: the index owns one lock, and `search` and `set_annotations` hold it from start to
    end, so a search never sees its caches (matched terms, word scores, typo candidates) or the
    user's annotations change under it. The TUI searches in a worker thread while its event loop
    searches too (after a change, from the palette); the second simply waits for the first, a
    few milliseconds. A `SearchResult` reads only what never changes after the index is built.
    """

    def __init__(
        self,
        records: Sequence[PaperRecord],
        corpus_index: CorpusIndex | None = None,
        relevance_source=RelevanceIndex.build,
    ):
        """`records` may read each record when it is first asked for, and give a field of all at
        once by `records.column(name)` (the library's `RecordTable.ordered`): the index reads
        their ids, keys, titles and collections at once, abstracts only as a search needs them.
        `relevance_source(records)` gives the `RelevanceIndex`, called on the first search that
        needs it (a cached one, see `SearchEngine`)."""
        self.ids = _column(records, "id")
        positions = getattr(records, "positions", None)
        self.number_of = positions() if positions is not None else {paper_id: number for number, paper_id in enumerate(self.ids)}
        self.titles = _column(records, "title")
        self.keys = _column(records, "key")
        self.abstracts = _FieldOfEach(records, "abstract")
        self.collections = _column(records, "collections")
        self.kept_apart = {number: set(ids) for number, ids in enumerate(_column(records, "kept_apart")) if ids}
        """Papers the user said are not duplicates of these (sparse: most have none)."""
        self.corpus = corpus_index or CorpusIndex.build(records)
        self.document_frequency = self.corpus.document_frequency
        self.vocabulary: list[str] = self.corpus.vocabulary
        self._candidates_cache: dict[tuple, list[str]] = {}
        self._matches_cache: dict[tuple[str, bool], dict[str, float]] = {}
        self._scores_cache: dict[tuple[str, bool], tuple] = {}
        self._model_names: dict[int, str] = {}
        self.annotations: dict[int, Annotation] = {}
        self.user_postings: dict[int, dict[str, list[int]]] = {TAGS: {}, NOTE: {}}
        self._user_vocabulary: list[str] = []
        self._user_initials: dict[str, set[int]] = {}
        self._lock = threading.RLock()
        self._records = records
        self._relevance_source = relevance_source
        self._relevance: RelevanceIndex | None = None
        self._relevance_lock = threading.Lock()
        self._by_key: dict[str, int] | None = None

    def set_annotations(self, annotations: dict[str, Annotation]) -> None:
        """Index the user's tags and notes (replacing any earlier ones)."""
        with self._lock:
            self._set_annotations(annotations)

    def _set_annotations(self, annotations: dict[str, Annotation]) -> None:
        self.annotations = {}
        tag_postings: dict[str, list[int]] = {}
        note_postings: dict[str, list[int]] = {}
        for paper_id, annotation in annotations.items():
            number = self.number_of.get(paper_id)
            if number is None:
                continue
            self.annotations[number] = annotation
            for table, text in ((tag_postings, " ".join(annotation.tags)), (note_postings, annotation.note)):
                for term in set(search_terms(text)):
                    table.setdefault(term, []).append(number)
        self.user_postings = {TAGS: tag_postings, NOTE: note_postings}
        self._user_initials = {}
        for term, postings in (*tag_postings.items(), *note_postings.items()):
            self._user_initials.setdefault(term[0], set()).update(postings)
        if self._relevance is not None:
            self._relevance.set_annotations(self.annotations)
        self._matches_cache = {}
        self._scores_cache = {}
        known = self.document_frequency
        self._user_vocabulary = sorted({term for term in (*tag_postings, *note_postings) if term not in known})

    # -- term matching ---------------------------------------------------------------

    def _all_postings(self):
        """(field, table) for every field; each table answers `.get(term)` with postings or None."""
        yield TITLE, self.corpus.tables[index.TITLE]
        yield KEY, self.corpus.tables[index.KEY]
        yield ABSTRACT, self.corpus.tables[index.ABSTRACT]
        yield AUTHORS, self.corpus.tables[index.AUTHOR]
        yield from self.user_postings.items()

    def _prefix_matches(self, word: str, vocabulary: list[str]) -> list[str]:
        """The terms of sorted `vocabulary` that start with `word`."""
        start = bisect_left(vocabulary, word)
        return vocabulary[start : bisect_left(vocabulary, word + "\U0010ffff", start)]

    @cached_property
    def _by_length(self) -> dict[int, list[str]]:
        """The vocabulary by term length, built on the first typo lookup rather than at start-up."""
        by_length: dict[int, list[str]] = {}
        for term in self.vocabulary:
            by_length.setdefault(len(term), []).append(term)
        return by_length

    def _fuzzy_candidates(self, length: int, max_typos: int) -> list[str]:
        """Terms within `max_typos` of `length` characters (cached per length)."""
        key = (length, max_typos)
        candidates = self._candidates_cache.get(key)
        if candidates is None:
            candidates = [
                term for size in range(length - max_typos, length + max_typos + 1) for term in self._by_length.get(size, ())
            ]
            self._candidates_cache[key] = candidates
        return candidates

    def _prefixes(self, length: int) -> list[str]:
        """Every distinct `length`-character prefix of a longer term (cached per length)."""
        key = ("prefixes", length)
        prefixes = self._candidates_cache.get(key)
        if prefixes is None:
            prefixes = self._candidates_cache[key] = list({term[:length] for term in self.vocabulary if len(term) > length})
        return prefixes

    def term_matches(self, word: str, last: bool = True) -> dict[str, float]:
        """Index terms that `word` stands for, with a match quality in (0, 1] (cached).

        `last` marks the word still being typed: only it matches every completion ('hallu' ->
        'hallucination'); earlier words match only short extensions ('model' -> 'models').
        """
        with self._lock:
            matches = self._matches_cache.get((word, last))
            if matches is None:
                if len(self._matches_cache) > MATCH_CACHE_SIZE:
                    self._matches_cache.clear()
                matches = self._matches_cache[(word, last)] = self._find_term_matches(word, last)
            return matches

    def _find_term_matches(self, word: str, last: bool) -> dict[str, float]:
        matches: dict[str, float] = {}
        user_vocabulary = self._user_vocabulary
        frequency = self.document_frequency.get(word, 0)
        if frequency or any(word in table for table in self.user_postings.values()):
            matches[word] = EXACT
        if len(word) >= 2:
            completions = self._prefix_matches(word, self.vocabulary) + self._prefix_matches(word, user_vocabulary)
            if not last or len(word) < MIN_OPEN_PREFIX:
                completions = [term for term in completions if len(term) <= len(word) + SHORT_EXTENSION]
            if len(completions) > MAX_COMPLETIONS:
                completions.sort(key=lambda term: self.document_frequency.get(term, 0), reverse=True)
                del completions[MAX_COMPLETIONS:]
            for term in completions:
                if term != word:
                    matches.setdefault(term, PREFIX_BASE + 0.25 * len(word) / len(term))
        if len(word) < 4 or frequency >= KNOWN_WORD_FREQUENCY or (last and any(map(self._in_text, matches))):
            # A word the library knows, or the start of words it knows, is taken as meant. Not
            # the start of a name only: among thousands of names, 'modl' starts one, yet means 'model'.
            return matches
        # Imported at the first typo rather than at start-up, which it would slow by a tenth.
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        max_typos = 2 if len(word) >= 8 else 1
        for candidates in (self._fuzzy_candidates(len(word), max_typos), user_vocabulary):
            for term, distance, _ in process.extract(
                word, candidates, scorer=OSA.distance, score_cutoff=max_typos, limit=None
            ):
                if distance:
                    matches.setdefault(term, ONE_TYPO if distance == 1 else TWO_TYPOS)
        if last and len(word) >= 5:
            # A typo in a word still being typed: 'halucin' is one edit from 'hallucin...'.
            for length in (len(word) - 1, len(word), len(word) + 1):
                for prefix, _, _ in process.extract(
                    word, self._prefixes(length), scorer=OSA.distance, score_cutoff=1, limit=None
                ):
                    for term in self._prefix_matches(prefix, self.vocabulary)[:MAX_COMPLETIONS]:
                        matches.setdefault(term, TYPO_PREFIX)
        return matches

    def _in_text(self, term: str) -> bool:
        """Whether `term` is in a title, key, abstract, tag or note, not only in authors' names."""
        tables = self.corpus.tables
        return any(term in tables[name] for name in (index.TITLE, index.KEY, index.ABSTRACT)) or any(
            term in postings for postings in self.user_postings.values()
        )

    def _layers(self, matches: dict[str, float]) -> list[tuple[float, object]]:
        """(field weight x match quality, postings) for every field a matched term occurs in, best first."""
        layers = []
        for field_id, table in self._all_postings():
            weight = FIELD_WEIGHTS[field_id]
            for term, quality in matches.items():
                postings = table.get(term)
                if postings is not None:
                    layers.append((quality * weight, postings))
        layers.sort(key=lambda layer: layer[0], reverse=True)
        return layers

    def _estimated_documents(self, matches: dict[str, float]) -> int:
        """About how many documents a word's terms reach (an upper bound, cheap to compute)."""
        reach = sum(self.document_frequency.get(term, 1) for term in matches)
        return min(len(self.ids), reach) or 1

    def _rarity(self, matches: dict[str, float]) -> float:
        return math.log(1.0 + len(self.ids) / self._estimated_documents(matches))

    def word_scores(self, matches: dict[str, float]) -> tuple[dict[int, float], list[tuple[float, set[int]]]]:
        """Each document's best score for one query word, given the terms it matched.

        The score is field weight x match quality x the word's rarity, so an exact match always
        outranks a typo in the same field. Also returns the documents grouped by score, best
        first, which orders a one-word query without sorting.
        """
        rarity = self._rarity(matches)
        seen: set[int] = set()
        groups: list[tuple[float, set[int]]] = []
        for score, postings in self._layers(matches):
            fresh = set(postings)
            fresh -= seen
            if fresh:
                seen |= fresh
                groups.append((score * rarity, fresh))
        best: dict[int, float] = {}
        for score, fresh in groups:
            best.update(dict.fromkeys(fresh, score))
        return best, groups

    def word_scores_within(self, matches: dict[str, float], candidates: set[int]) -> dict[int, float]:
        """`word_scores` for the `candidates` only: cheap when they are few and the word is common."""
        rarity = self._rarity(matches)
        remaining = set(candidates)
        best: dict[int, float] = {}
        for score, postings in self._layers(matches):
            if not remaining:
                break
            hit = remaining.intersection(postings)
            if hit:
                best.update(dict.fromkeys(hit, score * rarity))
                remaining -= hit
        return best

    def _cached_word_scores(self, key: tuple[str, bool] | None, matches: dict[str, float]):
        """`word_scores`, remembered for the last few words: while a query is typed, the words
        before the one being typed are scored again on every keystroke."""
        if key is None:
            return self.word_scores(matches)
        scores = self._scores_cache.pop(key, None)
        if scores is None:
            scores = self.word_scores(matches)
        self._scores_cache[key] = scores  # most recently used last
        while len(self._scores_cache) > SCORES_CACHE_SIZE:
            del self._scores_cache[next(iter(self._scores_cache))]
        best, groups = scores
        return dict(best), groups

    def documents_with(self, term: str) -> set[int]:
        """Documents holding exactly `term` in any field."""
        found: set[int] = set()
        for _, table in self._all_postings():
            postings = table.get(term)
            if postings is not None:
                found.update(postings)
        return found

    def title_spans(
        self, number: int, matched_terms: frozenset[str], stems: frozenset[str] = frozenset()
    ) -> tuple[tuple[int, int], ...]:
        """Where the title holds a matched term, or a word of one of `stems`."""
        if not matched_terms and not stems:
            return ()
        spans = [
            (start, end)
            for start, end, term in word_spans(self.titles[number])
            if term in matched_terms or (stems and stem(term) in stems)
        ]
        merged: list[tuple[int, int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return tuple(merged)

    def searchable_text(self, number: int) -> str:
        annotation = self.annotations.get(number)
        user = f"{' '.join(annotation.tags)}\n{annotation.note}" if annotation else ""
        return fold(f"{self.titles[number]}\n{self.keys[number]}\n{self.abstracts[number]}\n{user}")

    # -- filters ---------------------------------------------------------------------

    def _filtered(self, query: Query) -> set[int] | None:
        """Documents the filters allow, or None when no filter applies."""
        allowed: set[int] | None = None

        def narrow(documents: set[int]) -> None:
            nonlocal allowed
            allowed = documents if allowed is None else allowed & documents

        def exclude(documents: set[int]) -> None:
            nonlocal allowed
            allowed = (set(range(len(self.ids))) if allowed is None else allowed) - documents

        if query.starred is not None:
            starred = {n for n, a in self.annotations.items() if a.starred}
            narrow(starred) if query.starred else exclude(starred)
        if query.duplicate is not None:
            narrow(set(self._duplicates)) if query.duplicate else exclude(self._duplicates)
        if query.conflict is not None:
            conflicted = {n for n, a in self.annotations.items() if has_sync_conflict(a.note)}
            narrow(conflicted) if query.conflict else exclude(conflicted)
        if query.statuses:
            narrow(self._with_status(set(query.statuses)))
        if query.excluded_statuses:
            exclude(self._with_status(set(query.excluded_statuses)))
        # Each filter value narrows by itself: tag:a tag:b means both.
        for wanted, unwanted, papers_with in (
            (query.tags, query.excluded_tags, self._with_tag),
            (query.collections, query.excluded_collections, self._in_collection),
            (query.authors, query.excluded_authors, self._by_author),
            (query.venues, query.excluded_venues, self._in_venue),
            (query.years, query.excluded_years, self._in_years),
            (query.has, query.excluded_has, self._having),
        ):
            for value in wanted:
                narrow(papers_with(value))
            for value in unwanted:
                exclude(papers_with(value))
        for word in query.excluded_words:
            for term in set(search_terms(word)):
                exclude(self.documents_with(term))
        return allowed

    def count_having(self, name: str) -> int:
        """How many papers have the metadata `has:name` asks for (`vocabulary.HAS_VALUES`)."""
        return len(self.corpus.tables[index.HAS].get(name) or ())

    @cached_property
    def _duplicates(self) -> set[int]:
        """Papers that may be another paper of the library (duplicates.py: the same title, a
        slightly different one, a near copy of its abstract), unless the user kept the two
        apart. Found on first use: only `is:duplicate` needs them."""
        groups = find_duplicates(self.titles, self.abstracts, self.ids, self.kept_apart)
        return {number for group in groups for number in group.members}

    def _with_status(self, statuses: set[str]) -> set[int]:
        marked = {n for n, a in self.annotations.items() if a.status != UNREAD}
        chosen = {n for n, a in self.annotations.items() if a.status in statuses}
        if UNREAD in statuses:
            chosen |= set(range(len(self.ids))) - marked
        return chosen

    def _with_tag(self, tag: str) -> set[int]:
        folded = tag.casefold()
        return {n for n, a in self.annotations.items() if any(t.casefold() == folded for t in a.tags)}

    def _in_collection(self, prefix: str) -> set[int]:
        folded = prefix.casefold()
        return {
            number
            for number, names in enumerate(self.collections)
            if any(name.casefold().startswith(folded) for name in names)
        }

    def _with_words(self, table: PostingsTable, text: str) -> set[int]:
        """Papers holding, for every word of `text`, a term of `table` that starts with it."""
        found: set[int] | None = None
        for word in query_terms(text):
            with_word: set[int] = set()
            for term in self._prefix_matches(word, table.terms):
                with_word.update(table.get(term))
            found = with_word if found is None else found & with_word
        return found or set()

    def _by_author(self, name: str) -> set[int]:
        """Papers with an author whose names start with every word of `name`, accents and case aside."""
        if len(query_terms(name)) < 2:
            return self._with_words(self.corpus.tables[index.AUTHOR], name)
        # 'haotian liu': both words in one author's name, not one each in two authors'.
        people = self._with_words(self.corpus.tables[index.PERSON], name)
        return {person // index.AUTHORS_NUMBERED for person in people}

    def _in_venue(self, words: str) -> set[int]:
        return self._with_words(self.corpus.tables[index.VENUE], words)

    def _in_years(self, years: tuple[int, int]) -> set[int]:
        """Papers whose year, or whose venue's year, is in the inclusive range `years`."""
        first, last = years
        table = self.corpus.tables[index.YEAR]
        found: set[int] = set()
        for year in table.terms:
            if first <= int(year) <= last:
                found.update(table.get(year))
        return found

    def _having(self, name: str) -> set[int]:
        """Papers that have the metadata `has:name` asks for."""
        return set(self.corpus.tables[index.HAS].get(name) or ())

    # -- search ----------------------------------------------------------------------

    @property
    def relevance(self) -> RelevanceIndex:
        """The relevance ranking's index, built (or loaded) on first use; other threads wait for it."""
        with self._relevance_lock:
            if self._relevance is None:
                relevance = self._relevance_source(self._records)
                with self._lock:
                    relevance.set_annotations(self.annotations)
                    self._relevance = relevance
            return self._relevance

    def number_of_ref(self, ref: str) -> int | None:
        """The paper a `like:` value names: its key (any case) or id."""
        if self._by_key is None:
            by_key = {key.casefold(): number for number, key in enumerate(self.keys)}
            self._by_key = by_key
        number = self._by_key.get(ref.casefold())
        return number if number is not None else self.number_of.get(ref)

    @property
    def relevance_ready(self) -> bool:
        """Whether searches needing the relevance index can run without waiting for it."""
        return self._relevance is not None

    def search(self, query: Query, partial: bool = True, screenful: int = SCREENFUL, wait: bool = True) -> SearchResult:
        """Papers for `query`. With `partial`, when every word finds fewer than `screenful`,
        those that match most of the words follow (see `SearchResult.strict_count`).

        The first search that needs the relevance index builds it (seconds for a large library):
        with `wait` false (the app's event loop), a search that would wait leaves the partial
        matches out instead (`like:` lists nothing) and says so in `result.relevance_pending`."""
        if query.like:
            if not wait and self._relevance is None:
                result = self._empty(query)
                result.relevance_pending = True
                return result
            relevance = self.relevance  # built outside the lock: it takes a while
            with self._lock:
                return self._similar(query, relevance)
        with self._lock:
            allowed = self._filtered(query)
            result = self._search(query, allowed)
        if not (partial and query.words) or len(result) >= screenful:
            return result  # the relevance index is not needed: not even loaded from its cache
        if not wait and self._relevance is None:
            result.relevance_pending = True
            return result
        relevance = self.relevance
        with self._lock:
            self._add_partial(result, query, relevance, allowed)
        return result

    def _add_partial(self, result: SearchResult, query: Query, relevance: RelevanceIndex, allowed: set[int] | None) -> None:
        """Append to `result` the papers, ranked by relevance, that hold most of the words
        (of those the filters `allowed`, None for all)."""
        ranking = relevance.rank(" ".join(query.words), allowed)
        strict = set(result.order)
        added = [number for number, _ in ranking.scored if number not in strict]
        if query.phrases or query.excluded_phrases:
            added = [number for number in added if self._phrases_hold(number, query)]
        added = added[:PARTIAL_LIMIT]
        scores = dict(ranking.scored)
        for number in added:
            result.scores[number] = scores[number]
        result.order.extend(added)
        result.stems = ranking.terms

    def _empty(self, query: Query) -> SearchResult:
        return SearchResult(query=query, order=[], scores={}, matched_terms=frozenset(), index=self, similar=True)

    def _similar(self, query: Query, relevance: RelevanceIndex) -> SearchResult:
        """A `like:` query: papers by likeness to the named one(s), narrowed by the rest."""
        numbers = [self.number_of_ref(ref) for ref in query.like]
        if query.words or query.phrases:
            allowed = set(self._search(replace(query, like=())).order)  # the filters hold there too
        else:
            allowed = self._filtered(query)
        scores: dict[int, float] = {}
        terms: set[str] = set()
        for number in numbers:
            if number is None:
                continue
            ranking = relevance.like(number, allowed)
            terms |= ranking.terms
            for other, score in ranking.scored:
                scores[other] = scores.get(other, 0.0) + score
        for number in numbers:
            scores.pop(number, None)
        order = sorted(scores, key=lambda number: (-scores[number], number))[:SIMILAR_LIMIT]
        return SearchResult(
            query=query, order=order, scores=scores, matched_terms=frozenset(), index=self, similar=True,
            stems=frozenset(terms),
        )

    def related(self, paper_id: str, limit: int = 3) -> list[tuple[str, float]]:
        """(paper id, score) of the `limit` papers most like `paper_id`, most similar first."""
        number = self.number_of.get(paper_id)
        if number is None:
            return []
        ranking = self.relevance.like(number)
        return [(self.ids[other], round(score, 3)) for other, score in ranking.scored[:limit]]

    def suggested_tags(self, paper_id: str, limit: int = 5) -> list[str]:
        """Tags the papers most like `paper_id` bear, most used (by likeness) first, but those it has.

        Each close paper counts by its likeness (a share of 1); a tag whose words the paper's
        title or abstract holds counts as if a fairly close paper bore it."""
        number = self.number_of.get(paper_id)
        if number is None:
            return []
        relevance = self.relevance
        with self._lock:
            own = {tag.casefold() for tag in self.annotations[number].tags} if number in self.annotations else set()
            weights: dict[str, float] = {}
            names: dict[str, str] = {}
            closest = [(other, score) for other, score in relevance.like(number).scored if other in self.annotations]
            for other, likeness in closest[:SUGGESTION_NEIGHBOURS]:
                for tag in self.annotations[other].tags:
                    folded = tag.casefold()
                    if folded not in own:
                        names.setdefault(folded, tag)
                        weights[folded] = weights.get(folded, 0.0) + likeness
            paper_terms = relevance.counts_of(number)
            named = {tag.casefold(): tag for annotation in self.annotations.values() for tag in annotation.tags}
            for folded, tag in named.items():
                tag_stems = [stem(term) for term in search_terms(tag)]
                if folded not in own and tag_stems and all(term in paper_terms for term in tag_stems):
                    names.setdefault(folded, tag)
                    weights[folded] = weights.get(folded, 0.0) + NAMED_TAG_LIKENESS
        ranked = sorted(weights, key=lambda folded: (-weights[folded], folded))
        return [names[folded] for folded in ranked[:limit]]

    def _search(self, query: Query, allowed=_NOT_FILTERED_YET) -> SearchResult:
        """Papers with every word; `allowed`: what `_filtered(query)` gives, if already known."""
        if allowed is _NOT_FILTERED_YET:
            allowed = self._filtered(query)
        words = [term for word in query.words for term in query_terms(word)]
        if words and len(words[-1]) == 1:
            # One letter of a word being typed: every paper with a word that starts with it, so
            # that the list narrows as the word grows instead of emptying at its first letter.
            with_initial = self._with_initial(words.pop())
            allowed = with_initial if allowed is None else allowed & with_initial
        word_matches = [self.term_matches(word, last=position == len(words) - 1) for position, word in enumerate(words)]
        phrase_matches = [{term: EXACT} for phrase in query.phrases for term in search_terms(phrase)]
        matched_terms = {term for matches in word_matches + phrase_matches for term in matches}
        keyed = [((word, position == len(words) - 1), matches) for position, (word, matches) in enumerate(zip(words, word_matches))]
        keyed += [(None, matches) for matches in phrase_matches]
        scores: dict[int, float] = {}
        if not keyed:
            order = list(range(len(self.ids))) if allowed is None else sorted(allowed)
            if query.excluded_phrases:
                order = [n for n in order if self._phrases_hold(n, query)]
        else:
            # Score the rarest word in full, and every other one only where the rarest matched.
            keyed.sort(key=lambda item: self._estimated_documents(item[1]))
            (first_key, first_matches), others = keyed[0], keyed[1:]
            best, groups = self._cached_word_scores(first_key, first_matches)
            candidates = set(best) if allowed is None else allowed.intersection(best)
            other_scores = []
            for _, matches in others:
                within = self.word_scores_within(matches, candidates)
                candidates = set(within)
                other_scores.append(within)
            if query.phrases or query.excluded_phrases:
                candidates = {n for n in candidates if self._phrases_hold(n, query)}
            if not other_scores:
                scores = best
                # Groups hold documents by falling score: concatenated, they are the ranking.
                restricted = len(candidates) < len(best)
                order = [n for _, group in groups for n in sorted(group & candidates if restricted else group)]
            else:
                scores = {n: best[n] for n in candidates}
                for within in other_scores:
                    for n in candidates:
                        scores[n] += within[n]
                order = sorted(candidates)
                order.sort(key=scores.__getitem__, reverse=True)
            if words:
                order = self._rerank(order, scores, words, word_matches)
        return SearchResult(
            query=query,
            order=order,
            scores=scores,
            matched_terms=frozenset(matched_terms),
            index=self,
        )

    def _with_initial(self, character: str) -> set[int]:
        """Papers with a term, in any field, that starts with `character`."""
        with_initial = set(self.corpus.tables[index.INITIAL].get(character) or ())
        return with_initial | self._user_initials.get(character, set())

    def _phrases_hold(self, number: int, query: Query) -> bool:
        text = " ".join(self.searchable_text(number).split())
        return all(" ".join(fold(p).split()) in text for p in query.phrases) and not any(
            " ".join(fold(p).split()) in text for p in query.excluded_phrases
        )

    def _rerank(
        self, order: list[int], scores: dict[int, float], words: list[str], word_matches: list[dict[str, float]]
    ) -> list[int]:
        """Re-rank the best `RERANK_DEPTH` with what the index alone cannot see.

        A title that names what was typed ('llava uhd' -> 'LLaVA-UHD: ...') comes first, then
        titles whose name starts with it, then titles holding every word; among equals, papers
        whose abstract keeps coming back to the words.
        """
        head, tail = order[:RERANK_DEPTH], order[RERANK_DEPTH:]
        typed = "".join(words)
        close_matches = [{t for t, quality in matches.items() if quality >= PREFIX_BASE} for matches in word_matches]
        # Counting mentions is a lookup per (paper, term): count only each word's best terms.
        mention_terms = {
            term
            for matches in word_matches
            for term in sorted(matches, key=matches.__getitem__, reverse=True)[:MENTION_TERMS_PER_WORD]
        }
        abstracts = self.corpus.tables[index.ABSTRACT]
        for number in head:
            bonus = 0.0
            model_name = self._model_names.get(number)
            if model_name is None:
                model_name = self._model_names[number] = _model_name(self.titles[number])
            if model_name == typed:
                bonus += MODEL_NAME_BONUS * len(words)
            elif model_name.startswith(typed):
                bonus += MODEL_NAME_PREFIX_BONUS * len(words)
            title_terms = set(search_terms(self.titles[number]))
            if all(title_terms & matches for matches in close_matches):
                bonus += WHOLE_TITLE_BONUS * len(words)
            mentions = sum(abstracts.count(term, number) for term in mention_terms)
            bonus += ABSTRACT_MENTION_BONUS * min(mentions, MAX_COUNTED_MENTIONS)
            scores[number] += bonus
        head.sort(key=scores.__getitem__, reverse=True)
        return head + tail


def _column(records: Sequence[PaperRecord], name: str) -> list:
    """Every record's `name`, in order, read at once where `records` can (`column`)."""
    column = getattr(records, "column", None)
    return column(name) if column is not None else [getattr(record, name) for record in records]


class _FieldOfEach(Sequence[str]):
    """One field of each record, read when asked for: `abstracts[n]` reads paper n's record."""

    def __init__(self, records: Sequence[PaperRecord], name: str):
        self._records = records
        self._name = name

    def __len__(self) -> int:
        return len(self._records)

    def __getitem__(self, number):  # type: ignore[override]
        if isinstance(number, slice):
            return [getattr(record, self._name) for record in self._records[number]]
        return getattr(self._records[number], self._name)

    def __iter__(self):
        return (getattr(record, self._name) for record in self._records)


def _model_name(title: str) -> str:
    """'LLaVA-UHD: an LMM ...' -> 'llavauhd'; '' when the title has no short name before a colon."""
    match = _MODEL_NAME.match(title)
    if not match or len(match.group(1).split()) > 3:
        return ""
    return "".join(words_of(match.group(1)))


class RecordSource(Protocol):
    """The records as the library holds them (`vlmreader.core.library.RecordTable`)."""

    ordered: Sequence[PaperRecord]
    """In library order, each read when first asked for, with `column(name)` for a field of all."""


class SearchedLibrary(Protocol):
    """What the engine reads of a library (`vlmreader.core.library.Library` is one). Search knows
    this much of the library and no more: the two packages do not import each other."""

    home: Path
    papers_version: int
    annotations_version: int

    @property
    def papers_signature(self) -> tuple | None: ...

    def record_table(self) -> RecordSource: ...

    def annotations(self) -> dict[str, Annotation]: ...


class SearchEngine:
    """Keeps a `SearchIndex` in step with a library and answers queries on it.

    The corpus index is cached in the library's home (see index.py) and rebuilt only when the
    library file changes. The engine reads the library, so it belongs to the library's thread
    (the TUI's event loop); a worker thread is handed `engine.index`, taken on that thread, and
    searches it (the index is safe across threads, see `SearchIndex`).
    """

    INDEX_FILE = "search-index.bin"
    RELEVANCE_FILE = "relevance-index.bin"

    def __init__(self, library: SearchedLibrary):
        self.library = library
        self._index: SearchIndex | None = None
        self._papers_version = -1
        self._annotations_version = -1

    def _corpus_index(self, records: Sequence[PaperRecord]) -> CorpusIndex:
        path = self.library.home / self.INDEX_FILE
        source = self.library.papers_signature
        cached = CorpusIndex.load(path, source)
        if cached is not None:
            return cached
        built = CorpusIndex.build(records)
        try:
            built.save(path, source)
        except OSError:
            pass  # a read-only home still searches; it just rebuilds next time
        return built

    def _relevance_source(self, source: tuple | None):
        """What gives the relevance index of the records read from the library file `source`
        (taken now: the index may be asked for after the library has moved on)."""
        path = self.library.home / self.RELEVANCE_FILE
        return lambda records: RelevanceIndex.load_or_build(path, records, source)

    @property
    def index(self) -> SearchIndex:
        if self._index is None or self._papers_version != self.library.papers_version:
            records = self.library.record_table().ordered
            source = self._relevance_source(self.library.papers_signature)
            with garbage_collection_paused():
                self._index = SearchIndex(records, self._corpus_index(records), source)
            self._papers_version = self.library.papers_version
            self._annotations_version = -1
        if self._annotations_version != self.library.annotations_version:
            self._index.set_annotations(self.library.annotations())
            self._annotations_version = self.library.annotations_version
        return self._index

    def search(
        self, query: str | Query, partial: bool = True, screenful: int = SCREENFUL, wait: bool = True
    ) -> SearchResult:
        parsed = parse_query(query) if isinstance(query, str) else query
        return self.index.search(parsed, partial=partial, screenful=screenful, wait=wait)
