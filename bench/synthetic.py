"""Synthetic VLM papers for the benchmarks, learnt from the bundled corpus in data/.

A benchmark at 100,000 papers is only worth its figures if the papers look like the real ones
to the search index: the same title shape, abstract length, word frequencies, and a vocabulary
that keeps growing with the library the way a real one does (every paper names its own model,
quotes its own numbers). So `PaperGenerator`:

- gives each paper a model name built from the pieces of the corpus' own model names
  ('MoE-LLaVA', 'InternLM-XComposer' -> 'Fusion-LLaVA2.5', 'XComposerDense-VL'), placed
  before a colon in the title as often as the corpus does (a little over half the titles);
- walks word-level Markov chains trained on the corpus titles and abstracts for the rest of the
  title and for an abstract of a length drawn from the real abstracts' (about 1,500
  characters), keeping mostly to the words of two corpus papers, its topics;
- writes the paper's own name wherever the real abstract named its own model, and fresh digits
  wherever a real abstract had a number.

Generation is deterministic for a given seed and takes about 0.5 ms a paper.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from pathlib import Path

from vlmreader.core.formats.listing import first_link, merge_entries, read_listing_pages
from vlmreader.core.importing import bundled_pages
from vlmreader.core.models import Paper, PaperRecord
from vlmreader.core.text import normalize_title

GENERATOR_VERSION = 2
"""Bump when the generated papers change, so that cached benchmark libraries are rebuilt."""

_OWN_NAME = "\x00"
"""Stands in the abstract chain for the paper's own model name."""
_NUMBER = re.compile(r"(?<!\S)[^\sA-Za-z]*\d[^\sA-Za-z]*(?!\S)")
"""A word of digits and punctuation ('3.2%', '(7)'), not a name with digits ('LLaVA-1.5')."""
_DIGIT = re.compile(r"\d")
_SENTENCE_END = (".", "!", "?")
_NAME_PART = re.compile(r"[A-Za-z0-9.+]+")
_SYLLABLE = re.compile(r"[A-Z0-9]*[a-z0-9.+]*")
_VERSIONS = ("2", "3", "1.5", "2.5", "-v2", "-2", "-Pro", "-7B", "-Next", "-HD")


class MarkovChain:
    """A first-order word chain over training texts, able to stay close to a few of them.

    A walk follows the words of its `sources` (a few training texts) most of the time and the
    whole corpus otherwise, so a generated abstract keeps to a topic: a hallucination paper says
    'hallucination' five times and most others never, as in the real corpus. A chain over the
    whole corpus alone would spread every topic word over almost every abstract.
    """

    def __init__(self, texts: list[list[str]], stay_on_topic: float = 0.85):
        self.stay_on_topic = stay_on_topic
        self.words: list[str] = []
        number_of: dict[str, int] = {}
        for words in texts:
            for word in words:
                if word not in number_of:
                    number_of[word] = len(self.words)
                    self.words.append(word)
        self.texts = [[number_of[word] for word in words] for words in texts]
        self.successors: list[list[int]] = [[] for _ in self.words]
        for numbers in self.texts:
            for current, following in zip(numbers, numbers[1:]):
                self.successors[current].append(following)
        self.ends_sentence = [word.endswith(_SENTENCE_END) for word in self.words]
        self.sentence_starts = [numbers[0] for numbers in self.texts] + [
            following
            for current, followers in enumerate(self.successors)
            if self.ends_sentence[current]
            for following in followers
        ]

    def _topic_successors(self, sources: list[int]) -> dict[int, list[int]]:
        successors: dict[int, list[int]] = {}
        for source in sources:
            numbers = self.texts[source]
            for current, following in zip(numbers, numbers[1:]):
                successors.setdefault(current, []).append(following)
        return successors

    def walk(self, rng: random.Random, sources: list[int], min_characters: int, max_characters: int) -> list[str]:
        """Words from a start of `sources` until a sentence ends past `min_characters` (or `max_characters`)."""
        successors, ends_sentence, words = self.successors, self.ends_sentence, self.words
        on_topic = self._topic_successors(sources)
        stay_on_topic = self.stay_on_topic
        current = self.texts[rng.choice(sources)][0]
        chosen = [current]
        length = len(words[current])
        while length < max_characters:
            if length >= min_characters and ends_sentence[current]:
                break
            followers = on_topic.get(current) if rng.random() < stay_on_topic else None
            followers = followers or successors[current] or self.sentence_starts
            current = followers[int(rng.random() * len(followers))]
            chosen.append(current)
            length += len(words[current]) + 1
        return [words[number] for number in chosen]


def _own_name_of(title: str) -> str:
    """'LLaVA-UHD: an LMM ...' -> 'LLaVA-UHD'; '' unless one word names the model before a colon."""
    name, colon, _ = title.partition(":")
    name = name.strip()
    return name if colon and name and " " not in name else ""


def _mark_own_name(abstract: str, name: str) -> list[str]:
    """The abstract's words, with the paper's own name replaced by the placeholder."""
    words = abstract.split()
    if not name:
        return words
    return [word.replace(name, _OWN_NAME) if name in word else word for word in words]


class PaperGenerator:
    """Makes papers that look like the corpus' `papers` to the search index."""

    def __init__(self, papers: list[Paper], seed: int = 2024):
        self.rng = random.Random(seed)
        papers = [paper for paper in papers if paper.abstract]
        names = [_own_name_of(paper.title) for paper in papers]
        self.named_fraction = sum(1 for name in names if name) / len(papers)
        self.name_parts = [part for name in names for part in _NAME_PART.findall(name.replace("-", " "))]
        self.syllables = [s for part in self.name_parts for s in _SYLLABLE.findall(part) if len(s) >= 2]
        # Both chains are trained on the papers in the same order, so paper i is topic i in both.
        phrases = [paper.title.partition(":")[2] if name else paper.title for paper, name in zip(papers, names)]
        self.title_chain = MarkovChain([phrase.split() for phrase in phrases], stay_on_topic=0.6)
        self.phrase_lengths = [len(phrase.strip()) for phrase in phrases]
        self.abstract_chain = MarkovChain([_mark_own_name(p.abstract, name) for p, name in zip(papers, names)])
        self.abstract_lengths = [len(paper.abstract) for paper in papers]
        self.collections = sorted({name for paper in papers for name in paper.collections})
        self.seen_titles = {normalize_title(paper.title) for paper in papers}

    def model_name(self) -> str:
        """A name like the corpus' own: known parts ('LLaVA') and new words of their syllables."""
        rng = self.rng
        parts = []
        for _ in range(rng.choices((1, 2, 3), weights=(55, 40, 5))[0]):
            if rng.random() < 0.4:
                parts.append(rng.choice(self.name_parts))
            else:
                parts.append("".join(rng.choice(self.syllables) for _ in range(rng.choice((1, 2, 2)))))
        if rng.random() < 0.2:
            parts[-1] += rng.choice(_VERSIONS)
        return "-".join(parts)

    def title_phrase(self, topics: list[int]) -> str:
        target = self.rng.choice(self.phrase_lengths)
        words = self.title_chain.walk(self.rng, topics, min_characters=target, max_characters=target)
        return " ".join(words).rstrip(".:,")

    def abstract(self, topics: list[int], own_name: str) -> str:
        target = self.rng.choice(self.abstract_lengths)
        words = self.abstract_chain.walk(self.rng, topics, min_characters=target - 100, max_characters=target + 150)
        text = _NUMBER.sub(self._fresh_digits, " ".join(words))
        return text.replace(_OWN_NAME, own_name)

    def _fresh_digits(self, number: re.Match) -> str:
        return _DIGIT.sub(lambda _: str(self.rng.randrange(10)), number.group())

    def paper(self) -> CorpusPaper:
        """A paper on the topics of two corpus papers, whose title no earlier paper has."""
        rng = self.rng
        topics = rng.sample(range(len(self.abstract_lengths)), 2)
        while True:
            name = self.model_name()
            phrase = self.title_phrase(topics)
            title = f"{name}: {phrase}" if rng.random() < self.named_fraction else phrase
            normalized = normalize_title(title)
            if normalized and normalized not in self.seen_titles:
                self.seen_titles.add(normalized)
                break
        abstract = self.abstract(topics, name)
        collections = tuple(rng.sample(self.collections, 2 if rng.random() < 0.25 else 1))
        return Paper(PaperRecord(title=title, abstract=abstract, url=first_link(abstract), collections=collections))

    def papers(self, count: int) -> Iterator[Paper]:
        for _ in range(count):
            yield self.paper()


def corpus_papers(data_dir: Path) -> list[Paper]:
    """The distinct papers of the bundled listing pages in `data_dir`."""
    return merge_entries(read_listing_pages(bundled_pages(data_dir)))
