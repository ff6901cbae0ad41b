"""Possible duplicates inside the library: two records that may be one paper.

A false "duplicate" invites a wrong merge, and in this field many different papers share the
shape of a title ("X: Improving Y via Z", "A Survey on ...", "Benchmarking ... in VLMs"), so a
pair is flagged only on evidence that different papers rarely give:

- **Same title**: equal as `title_identity` reads them (case, accents, punctuation). Always
  flagged, as before.
- **Titles differ slightly**, in one of three ways:
  - only in spelling: hyphens, spaces and joined words ("Fine-tuning", "Fine Tuning",
    "Finetuning"), British or American spelling ("modelling", "colour", "-ise"), plurals, and
    the small words between the others ("a survey on" / "of", "via" / "with");
  - one has a short name before a colon that the other lacks ("LLaVA-Med: Training a ..." and
    "Training a ..."), the rest being the same in that sense and `MIN_EDITED_WORDS` words or
    more;
  - a word or two added, removed or changed (a renamed arXiv version), the shorter title having
    `MIN_EDITED_WORDS` words or more (small words aside).
  Where both abstracts are known, they decide: they must share `AGREEING` of their four-word
  runs ("Evaluating Object Hallucination in ..." and "Evaluating Attribute Hallucination in ..."
  are two papers). Where they are not, a changed word is never enough, and one word added or
  removed counts only in a title of `MIN_TITLE_ONLY_WORDS` words or more, and never a word that
  names what the paper is about ("... Vision-Language-Action Models" is not "... Vision-Language
  Models", "... Benchmark for X" not "... for X"). The titles must name the same numbers and
  versions ("LLaVA-1.5" is not "LLaVA", "InternVL2" not "InternVL"), and a correction, erratum,
  comment or reply is no variant of the paper it is about.
- **Near-identical abstracts**: `NEAR_COPY` of the shorter abstract's four-word runs are in the
  other (the shorter: a listing page may cut an abstract short), whatever the titles say (a
  paper renamed between versions).

Why these thresholds: in the bundled corpus (452 papers, no two of them one paper) two
different papers share at most 29 % of their four-word runs (SEED and SEED-LLaMA, by the same
authors, have two sentences in common) and nearly all share none, while an abstract with one
sentence replaced keeps about 90 % of them, one with 4 % of its words changed about 87 %.

Nothing compares every pair. Candidates come from exact keys of the titles (squeezed of spaces
and small words, the part after a name, a long title's words with any one left out) and from a
sketch of each abstract: its opening and the `SKETCH_SIZE` lowest hashes of the phrases that start at a
word beginning with "a" (content-anchored spots, after Theobald et al.'s SpotSigs, SIGIR 2008).
Abstracts sharing `MIN_SHARED_SPOTS` of those are judged; two whose phrases share none are taken
to be of different papers. A key held by many papers is boilerplate and gives no candidates.
Each candidate is then judged on the whole texts. Which phrases sketch an abstract depends on
Python's string hashing, so it changes between runs: made from the bundled abstracts, every
copy with a sentence replaced (that kept `NEAR_COPY` of its runs) or 4 % of its words changed
was found, and 98-99 % of the copies cut to their first half (whose titles, on a listing page,
would be the same anyway).
"""

from __future__ import annotations

import re
import string
from array import array
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple
from zlib import crc32

from vlmreader.core.files import garbage_collection_paused
from vlmreader.core.models import PaperRecord
from vlmreader.core.text import fold, normalize_title, title_identity

SAME_TITLE = "same title"
SIMILAR_TITLES = "titles differ slightly"
SIMILAR_ABSTRACTS = "near-identical abstracts"
REASONS = (SAME_TITLE, SIMILAR_TITLES, SIMILAR_ABSTRACTS)
"""Why two papers may be one, strongest first."""

NEAR_COPY = 0.8
"""The share of the shorter abstract's four-word runs the other must have: a near copy."""
AGREEING = 0.5
"""The share for two abstracts to say that slightly different titles are one paper."""
SHINGLE_WORDS = 4
MIN_SHINGLES = 20
"""An abstract with fewer four-word runs (about 23 words) is too short to say anything."""
MIN_EDITED_WORDS = 4
"""A title with a word changed, or a name added, must keep this many words (small ones aside)."""
MIN_TITLE_ONLY_WORDS = 8
"""Without abstracts to compare, a word added or removed counts only in a title this long."""
MAX_EDITS = 2
SKETCH_SIZE = 10
MIN_SHARED_SPOTS = 2
SPOT_CHARACTERS = 40
MIN_SKETCHED_CHARACTERS = 100
"""A shorter abstract is not sketched: it has fewer than `MIN_SHINGLES` runs anyway."""
MAX_TITLE_BUCKET = 40
MAX_SKETCH_BUCKET = 10
"""Keys shared by more papers than these are boilerplate ('the proposed method ...', 'Large
Language Models'), not signs of a copy: a paper is not copied ten times."""

_SMALL_WORDS = frozenset(
    "a an the of for in on to with via by from and or at as into onto toward through using is are".split()
)
"""Words whose change leaves a title the same ('towards' is 'toward' once plurals are read)."""
_SUBJECT_WORDS = frozenset(
    """vision visual video image language multimodal modal audio speech text textual 3d 2d action robot
    robotic embodied medical biomedical survey review benchmark dataset""".split()
)
"""Words that name what a paper is about: one of them added to a title makes another paper
('... Vision-Language-Action Models', '... Benchmark for ...')."""
_NOTICES = frozenset(
    "erratum corrigendum correction retraction retracted comment comments reply response addendum".split()
)
_PUNCTUATION_TO_SPACE = str.maketrans(dict.fromkeys(string.punctuation, " "))
"""Split at these and at spaces, an abstract gives the words of `text.words` four times as fast
(but where a non-ASCII mark, a dash or a curly quote, sits against a word)."""
_NUMBER = re.compile(r"\d+(?:\.\d+)*|\bv\d+\b")
_NAME = re.compile(r"^\s*([^:]{1,60}):")
_SPELLINGS = (
    ("isation", "ization"),
    ("ise", "ize"),
    ("ised", "ized"),
    ("ising", "izing"),
    ("iser", "izer"),
    ("yse", "yze"),
    ("ysed", "yzed"),
    ("ysing", "yzing"),
    ("elled", "eled"),
    ("elling", "eling"),
    ("our", "or"),
    ("tre", "ter"),
)


@dataclass(frozen=True)
class Link:
    """Two papers (document numbers, `one` < `other`) that may be one, and why (`REASONS`)."""

    one: int
    other: int
    reason: str


@dataclass(frozen=True)
class DuplicateGroup:
    """Papers linked, directly or through each other, as possible duplicates."""

    members: tuple[int, ...]
    """Document numbers, in library order."""
    links: tuple[Link, ...]

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why, strongest first, each once."""
        found = {link.reason for link in self.links}
        return tuple(reason for reason in REASONS if reason in found)


def duplicates_in(records: Sequence[PaperRecord]) -> list[DuplicateGroup]:
    """The possible duplicates among `records`, numbered in their order (see `find_duplicates`)."""
    kept_apart = {number: set(record.kept_apart) for number, record in enumerate(records) if record.kept_apart}
    return find_duplicates(
        [record.title for record in records],
        [record.abstract for record in records],
        [record.id for record in records],
        kept_apart,
    )


def find_duplicates(
    titles: Sequence[str],
    abstracts: Sequence[str],
    ids: Sequence[str] = (),
    kept_apart: Mapping[int, Collection[str]] | None = None,
) -> list[DuplicateGroup]:
    """Groups of possible duplicates among papers numbered by position (see the module's rules).

    `kept_apart` maps a paper's number to the ids (`ids`) of the papers the user said it is not:
    those two are never linked, though both may be linked to a third.
    """
    kept_apart = kept_apart or {}

    def apart(one: int, other: int) -> bool:
        return bool(kept_apart) and (ids[other] in kept_apart.get(one, ()) or ids[one] in kept_apart.get(other, ()))

    with garbage_collection_paused():  # a million small objects at 100,000 papers, none garbage
        papers = _Papers(titles, abstracts)
        links = _same_title_links(papers.identities, apart)
        for one, other in _candidates(papers):
            if papers.identities[one] == papers.identities[other] or apart(one, other):
                continue  # linked already, or never to be
            reason = papers.reason(one, other)
            if reason is not None:
                links.append(Link(one, other, reason))
        return _groups(links)


# -- candidates ------------------------------------------------------------------------


def _same_title_links(identities: list[str], apart) -> list[Link]:
    """Each paper that shares its title with one it is not kept apart from, linked to the first
    such (a thousand 'Editorial' entries make a thousand links, not half a million)."""
    groups: dict[str, list[int]] = {}
    for number, identity in enumerate(identities):
        groups.setdefault(identity, []).append(number)
    links = []
    for group in groups.values():
        for number in group[1:]:
            partner = next((other for other in group if other != number and not apart(number, other)), None)
            if partner is not None:
                links.append(Link(min(number, partner), max(number, partner), SAME_TITLE))
    return links


def _candidates(papers: _Papers) -> list[tuple[int, int]]:
    """Pairs worth judging, in order: sharing a key of their titles, or enough of their sketches."""
    pairs = set(_pairs(_shared_keys(_title_keys(papers)), MAX_TITLE_BUCKET))
    sketches = ((number, array("q", sketch)) for number, sketch in enumerate(papers.sketches))
    shared = Counter(_pairs(_shared_keys(sketches), MAX_SKETCH_BUCKET))
    pairs.update(pair for pair, count in shared.items() if count >= MIN_SHARED_SPOTS)
    return sorted(pairs)


def _title_keys(papers: _Papers) -> Iterator[tuple[int, list]]:
    """(number, keys) of each title: its squeezed words, those after its name, and, for a title
    long enough that a word added or removed counts by itself (`MIN_TITLE_ONLY_WORDS`), its
    words, and its words with each one left out in turn. Other edited titles count only where
    the abstracts agree, and abstracts that agree share phrases of their sketches: those pairs
    come from the sketches (of 1,942 copies of bundled abstracts with two to four sentences
    replaced that kept half their runs or more, 1,941 shared two phrases)."""
    for number, normalized in enumerate(papers.normalized):
        split = normalized.split()
        content = _content_words(split)
        if not content:
            continue
        keys: list = ["".join(content)]
        name_length = papers.name_length(number)
        if name_length:
            keys.append("".join(_content_words(split[name_length:])))
        if len(content) >= MIN_TITLE_ONLY_WORDS:
            keys.append(hash(content))
            if len(content) > MIN_TITLE_ONLY_WORDS:
                keys.extend(hash(content[:position] + content[position + 1 :]) for position in range(len(content)))
        yield number, keys


def _shared_keys(keyed: Iterable[tuple[int, Iterable]]) -> list[list[int]]:
    """The papers holding each key that more than one holds, from (number, keys) in number
    order. A key held by one paper, as nearly all are, costs one dict entry."""
    holders: dict = {}
    shared: dict = {}
    holder_of = holders.setdefault
    for number, keys in keyed:
        for key in keys:
            holder = holder_of(key, number)
            if holder != number:
                numbers = shared.get(key)
                if numbers is None:
                    shared[key] = [holder, number]
                elif numbers[-1] != number:
                    numbers.append(number)
    return list(shared.values())


def _pairs(groups: list[list[int]], most: int) -> Iterator[tuple[int, int]]:
    """Every pair of each group (numbers ascending) of at most `most` papers."""
    for numbers in groups:
        if len(numbers) <= most:
            for position, one in enumerate(numbers):
                for other in numbers[position + 1 :]:
                    yield one, other


def _sketch(abstract: str) -> bytes:
    """What near copies of `abstract` share: the hashes of its opening, then of the lowest of
    the phrases that start at a word beginning with 'a' (a word of every English sentence or
    two, so every abstract has a few dozen); nothing for an abstract too short to sketch. Packed
    (`array('q')`): 100,000 sketches as tuples of ints would take 50 MB."""
    if len(abstract) < MIN_SKETCHED_CHARACTERS:
        return b""
    text = fold(abstract)
    if "\n" in text or "\t" in text:  # (a search for double spaces would cost a tenth of the sketch)
        text = " ".join(text.split())
    pieces = text.split(" a")
    del pieces[0]
    # crc32, not hash(): which phrases are the lowest must be the same in every process, or a
    # pair near the threshold would be found in one run and missed in the next.
    spots = sorted({crc32(piece[:SPOT_CHARACTERS].encode("utf-8", "surrogatepass")) for piece in pieces})[:SKETCH_SIZE]
    return array("q", [crc32(text[:SPOT_CHARACTERS].encode("utf-8", "surrogatepass")), *spots]).tobytes()


# -- judging a pair --------------------------------------------------------------------

SPELLING, NAME, WORD_ADDED, WORDS_CHANGED = "spelling", "name", "word added", "words changed"
"""How two titles differ (`_title_difference`); only the last needs the abstracts to agree."""


class _Title(NamedTuple):
    words: tuple[str, ...]
    """Its words, spelling evened out, small words left out."""
    numbers: tuple[str, ...]
    rest: tuple[tuple[str, ...], tuple[str, ...]] | None
    """The words and numbers after a short name before a colon, if it has one."""
    notice: bool
    """A correction, erratum, comment or reply: about a paper, not the paper."""


class _Papers:
    """The titles and abstracts as compared: keys for all, the rest read when a pair asks."""

    def __init__(self, titles: Sequence[str], abstracts: Sequence[str]):
        self.titles = titles
        self.abstracts = abstracts
        self.normalized = [normalize_title(title) for title in titles]
        self.identities = [normalized or title_identity(title) for normalized, title in zip(self.normalized, titles)]
        self.sketches = [_sketch(abstract) for abstract in abstracts]
        self._titles: dict[int, _Title | None] = {}
        self._shingles: dict[int, frozenset[int]] = {}

    def name_length(self, number: int) -> int:
        """How many of the normalised title's words are a short name before a colon
        ('LLaVA-Med: ...': 2), 0 if it has none."""
        text = self.titles[number]
        if ":" not in text:
            return 0
        name = _NAME.match(text)
        if name is None or len(name.group(1).split()) > 3:
            return 0
        return len(normalize_title(name.group(1)).split())

    def title(self, number: int) -> _Title | None:
        """The title as compared (None for one without letters or digits)."""
        if number not in self._titles:
            split, text = self.normalized[number].split(), self.titles[number]
            rest = None
            name_length = self.name_length(number) if split else 0
            if name_length:
                rest = _content_words(split[name_length:]), _numbers(text[text.index(":") :])
            self._titles[number] = (
                _Title(_content_words(split), _numbers(text), rest, notice=split[0] in _NOTICES) if split else None
            )
        return self._titles[number]

    def overlap(self, one: int, other: int) -> float | None:
        """The share of the shorter abstract's four-word runs the other has; None if either is
        too short to tell."""
        first, second = self.shingles(one), self.shingles(other)
        if len(first) < MIN_SHINGLES or len(second) < MIN_SHINGLES:
            return None
        if len(first) > len(second):
            first, second = second, first
        return len(first & second) / len(first)

    def shingles(self, number: int) -> frozenset[int]:
        """The hashes of the abstract's four-word runs (words: split at spaces and punctuation)."""
        found = self._shingles.get(number)
        if found is None:
            run = fold(self.abstracts[number]).translate(_PUNCTUATION_TO_SPACE).split()
            found = self._shingles[number] = frozenset(map(hash, zip(*(run[start:] for start in range(SHINGLE_WORDS)))))
        return found

    def reason(self, one: int, other: int) -> str | None:
        """Why papers `one` and `other`, whose titles are not the same, may be one; or None."""
        sketches = array("q", self.sketches[one]), array("q", self.sketches[other])
        shared = len(set(sketches[0]).intersection(sketches[1]))
        if all(sketches) and not set(sketches[0][1:]).intersection(sketches[1][1:]):
            # No phrase in common (openings aside: many abstracts start alike) puts the
            # abstracts' likeness under one in ten: two papers, whatever their titles say.
            return None
        first, second = self.title(one), self.title(other)
        difference = None
        if first is not None and second is not None and first.notice == second.notice:
            difference = _title_difference(first, second)
        if difference is None and shared < MIN_SHARED_SPOTS:
            return None
        overlap = self.overlap(one, other)
        if difference is not None:
            if overlap is not None:
                if overlap >= AGREEING:
                    return SIMILAR_TITLES
            elif difference != WORDS_CHANGED:
                return SIMILAR_TITLES
        if overlap is not None and overlap >= NEAR_COPY:
            return SIMILAR_ABSTRACTS
        return None


def _title_difference(first: _Title, second: _Title) -> str | None:
    """How two titles differ, if only slightly (see the module's rules): `SPELLING`, `NAME`,
    `WORD_ADDED` (one word, in a long title) or `WORDS_CHANGED`; None if by more."""
    if not first.words or not second.words:
        return None
    if first.numbers == second.numbers and "".join(first.words) == "".join(second.words):
        return SPELLING
    for named, bare in ((first, second), (second, first)):
        if named.rest is not None and bare.rest is None:
            rest, numbers = named.rest
            if len(rest) >= MIN_EDITED_WORDS and numbers == bare.numbers and "".join(rest) == "".join(bare.words):
                return NAME
    shorter = min(len(first.words), len(second.words))
    if first.numbers != second.numbers or shorter < MIN_EDITED_WORDS:
        return None
    edits, changed = _word_edits(first.words, second.words)
    if not 0 < edits <= MAX_EDITS:
        return None
    return WORD_ADDED if edits == 1 and not changed and shorter >= MIN_TITLE_ONLY_WORDS else WORDS_CHANGED


def _word_edits(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[int, bool]:
    """(words added, removed or changed between two titles, whether a word was changed rather
    than only added or removed). 'fine tuning' for 'finetuning' is no edit; adding or removing
    a word naming what the paper is about counts as a change."""
    from rapidfuzz.distance import Levenshtein

    edits, changed = 0, False
    block: list[int] | None = None  # [start, end in first, start, end in second] of differing words

    def settle() -> None:
        nonlocal edits, changed
        start, end, other_start, other_end = block
        removed, added = first[start:end], second[other_start:other_end]
        if "".join(removed) == "".join(added):
            return
        edits += max(len(removed), len(added))
        changed = changed or bool(removed and added) or any(word in _SUBJECT_WORDS for word in removed + added)

    for operation in Levenshtein.opcodes(list(first), list(second)):
        if operation.tag == "equal":
            if block is not None:
                settle()
                block = None
        elif block is None:
            block = [operation.src_start, operation.src_end, operation.dest_start, operation.dest_end]
        else:
            block[1], block[3] = operation.src_end, operation.dest_end
    if block is not None:
        settle()
    return edits, changed


_canonical_words: dict[str, str] = {word: "" for word in _SMALL_WORDS}
"""Each word's form (`_canonical`), remembered: titles repeat their words. Small words: ''."""


def _content_words(split: list[str]) -> tuple[str, ...]:
    """A normalised title's words but the small ones, plurals and British spelling evened out."""
    forms = list(map(_canonical_words.get, split))
    if None in forms:
        forms = [form if form is not None else _canonical(word) for form, word in zip(forms, split)]
    return tuple(filter(None, forms))


def _canonical(word: str) -> str:
    """'modelling' -> 'modeling', 'colours' -> 'color', 'strategies' -> 'strategy': one form
    for the spellings of a word. Two different words rarely meet in one form, and where they
    might ('news', 'new') the titles would still have to agree everywhere else."""
    form = word
    if len(form) > 4 and form.endswith("ies"):
        form = form[:-3] + "y"
    elif len(form) > 3 and form.endswith("s") and not form.endswith(("ss", "us", "is")):
        form = form[:-1]
    if len(form) >= 6:
        for british, american in _SPELLINGS:
            if form.endswith(british):
                form = form[: -len(british)] + american
                break
    if form in _SMALL_WORDS:
        form = ""  # 'towards'
    _canonical_words[word] = form
    return form


def _numbers(title: str) -> tuple[str, ...]:
    return tuple(_NUMBER.findall(fold(title)))


def _groups(links: list[Link]) -> list[DuplicateGroup]:
    """The linked papers, grouped (each group with its links), in library order."""
    parent: dict[int, int] = {}

    def root(number: int) -> int:
        parent.setdefault(number, number)
        while parent[number] != number:
            parent[number] = parent[parent[number]]
            number = parent[number]
        return number

    for link in links:
        one, other = root(link.one), root(link.other)
        if one != other:
            parent[max(one, other)] = min(one, other)
    members: dict[int, list[int]] = {}
    for number in sorted(parent):
        members.setdefault(root(number), []).append(number)
    links_of: dict[int, list[Link]] = {}
    for link in sorted(links, key=lambda link: (link.one, link.other)):
        links_of.setdefault(root(link.one), []).append(link)
    return [DuplicateGroup(tuple(members[group]), tuple(links_of[group])) for group in sorted(members)]
