"""Is a work a service found certainly the paper the library has? A wrong author list in a
bibliography is worse than none, so a match is accepted only when nothing leaves room for doubt.

- **Same title**: the titles are equal once case, accents, punctuation, LaTeX and spacing are
  ignored, hyphens too ("Fine-tuning" is "Finetuning"). Accepted, unless the abstracts, where
  both are known, plainly disagree (a different paper that happens to share a title).
- **Nearly the same title** (a renamed arXiv version, a typo, "a survey on" / "of"): accepted
  only when the abstracts agree, runs of words and not just vocabulary, and the titles name the
  same numbers and versions ("LLaVA-1.5" is not "LLaVA", "v2" is not the first version).
- Anything else is another paper, however similar ("Improved Baselines with Visual Instruction
  Tuning" is not "Visual Instruction Tuning").

Several accepted candidates are one paper when they agree on it (the same arXiv id, or the same
first author: a preprint and its published version); otherwise the paper is ambiguous and the
user decides (`vlmreader link`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

from vlmreader.core.models import family_name
from vlmreader.core.sources.works import Work
from vlmreader.core.text import fold, normalize_title, words

NEAR_TITLE_SIMILARITY = 0.9
"""How alike (0-1, by edit distance) two titles must be to be nearly the same."""
AGREEING_ABSTRACTS = 0.3
"""The share of one abstract's three-word runs the other must have for the two to agree."""
DISAGREEING_ABSTRACTS = 0.05
"""Below this share, two abstracts are of different papers."""
_NUMBER = re.compile(r"\d+(?:\.\d+)*|\bv\d+\b")
_STOP = frozenset("a an and of the in on for to with by from is are we our this that as at or via".split())


class Verdict(Enum):
    SAME = "same"
    """Certainly this paper."""
    UNSURE = "unsure"
    """Nearly its title, but nothing confirms it (no abstract to compare): the user decides."""
    OTHER = "other"
    """Another paper."""


def verdict(title: str, abstract: str, work: Work) -> Verdict:
    """Whether `work` is the paper with this title and abstract (see the module's rules)."""
    if not work.title.strip():
        return Verdict.OTHER
    agreement = abstract_agreement(abstract, work.abstract)
    if _squeezed(title) == _squeezed(work.title):
        return Verdict.OTHER if agreement is not None and agreement < DISAGREEING_ABSTRACTS else Verdict.SAME
    if title_similarity(title, work.title) < NEAR_TITLE_SIMILARITY or _numbers(title) != _numbers(work.title):
        return Verdict.OTHER
    if agreement is None:
        return Verdict.UNSURE
    return Verdict.SAME if agreement >= AGREEING_ABSTRACTS else Verdict.OTHER


def title_similarity(one: str, other: str) -> float:
    """0-1: how alike two titles are once normalised (1: the same)."""
    from rapidfuzz.fuzz import ratio

    return ratio(normalize_title(one), normalize_title(other)) / 100


def abstract_agreement(one: str, other: str) -> float | None:
    """The share of the shorter abstract's three-word runs (stop words aside) that the other
    has too; None when either is too short to tell."""
    runs, other_runs = _runs(one), _runs(other)
    if len(runs) < 5 or len(other_runs) < 5:
        return None
    return len(runs & other_runs) / min(len(runs), len(other_runs))


def _runs(text: str) -> set[tuple[str, ...]]:
    content = [word for word in words(text) if word not in _STOP]
    return {tuple(content[index : index + 3]) for index in range(len(content) - 2)}


def _squeezed(title: str) -> str:
    return normalize_title(title).replace(" ", "")


def _numbers(title: str) -> list[str]:
    return _NUMBER.findall(fold(title))


@dataclass
class Decision:
    """What the candidates a search gave say about one paper."""

    accepted: list[Work] = field(default_factory=list)
    """Candidates that are certainly this paper, all one paper (versions of it)."""
    doubtful: list[Work] = field(default_factory=list)
    """Candidates the user should choose among: nearly the title, or several papers."""

    @property
    def ambiguous(self) -> bool:
        return not self.accepted and bool(self.doubtful)


def decide(title: str, abstract: str, candidates: list[Work]) -> Decision:
    """Sort `candidates` for the paper with `title` and `abstract` (see the module's rules)."""
    same, unsure = [], []
    for work in candidates:
        judged = verdict(title, abstract, work)
        if judged is Verdict.SAME:
            same.append(work)
        elif judged is Verdict.UNSURE:
            unsure.append(work)
    if not same:
        return Decision(doubtful=unsure)
    if _one_paper(same):
        return Decision(accepted=same)
    # Several papers share the title: an abstract that agrees with exactly one of them settles it.
    agreeing = [work for work in same if (abstract_agreement(abstract, work.abstract) or 0) >= AGREEING_ABSTRACTS]
    if agreeing and _one_paper(agreeing):
        return Decision(accepted=agreeing)
    return Decision(doubtful=same)


def _one_paper(works: list[Work]) -> bool:
    """Whether works that share a title are one paper: no two arXiv ids, and one first author."""
    arxiv_ids = {work.arxiv_id for work in works if work.arxiv_id}
    first_authors = {fold(family_name(work.authors[0])) for work in works if work.authors}
    return len(arxiv_ids) <= 1 and len(first_authors) <= 1
