"""Citation keys: readable, unique, stable, and safe inside `\\cite{}`.

Two styles (config `[keys] style`). `title`, the default: the model name before a colon
('Dragonfly: ...' -> `dragonfly`), else the first significant words ('Towards Analyzing and
Mitigating Sycophancy ...' -> `analyzing-mitigating-sycophancy`). `authoryear`: the first
author's family name, the year and the first significant title word, as Google Scholar and
Better BibTeX make them ('Guo, Zonghao', 2024, 'LLaVA-UHD: ...' -> `guo2024llavauhd`); a paper
without authors or year (the bundled corpus has neither) gets its title key. A key is stored
when it is handed out and never derived again.

Keys start with a letter, use only `a-z 0-9 - . _ :` plus upper case for imported keys, and are
never made only of hex digits, so a key can never be mistaken for a paper id or an id prefix.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from vlmreader.core.text import fold

_KEY_SHAPE = re.compile(r"[A-Za-z][A-Za-z0-9_.:+-]*")
_HEX_ONLY = re.compile(r"[0-9a-f]+")
_KEY_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)*")
_LATEX_COMMAND = re.compile(r"\\(?:emph|textbf|textit|texttt|textsc|mathrm|mathbf|text)\b|\\[A-Za-z]+")

MAX_NAME_WORDS = 3
"""A colon prefix of at most this many words is a model name, usable as the key."""
SIGNIFICANT_WORDS = 3
MAX_KEY_LENGTH = 40

TITLE_STYLE = "title"
AUTHOR_YEAR_STYLE = "authoryear"
KEY_STYLES = (TITLE_STYLE, AUTHOR_YEAR_STYLE)
"""How new papers' keys are made; see the module's docstring."""

STOPWORDS = frozenset(
    "a an and are as at be by can do does for from how in into is it its of on or our over "
    "the their this to towards toward under via vs what when where which who why with without "
    "we you your not no all any".split()
)


def is_valid_key(key: str) -> bool:
    """Whether `key` is safe in `\\cite{}` and cannot be read as a paper id or id prefix."""
    return (
        _KEY_SHAPE.fullmatch(key) is not None
        and _HEX_ONLY.fullmatch(key) is None
        and len(key) <= MAX_KEY_LENGTH
    )


_NOT_IN_A_KEY = re.compile(r"[\s,{}\\%]")


def is_citable_key(key: str) -> bool:
    """Whether a user's own key can be kept as it is: BibTeX reads it and `\\cite` takes it (no
    spaces, commas, braces, backslashes or %). Biber also refuses `" # ' ( ) =`; such a key is
    kept all the same, since the user's document cites it (see the README)."""
    return bool(key) and key.isprintable() and _NOT_IN_A_KEY.search(key) is None


_GREEK_COMMAND = re.compile(
    r"\\(alpha|beta|gamma|delta|epsilon|zeta|eta|theta|iota|kappa|lambda|mu|nu|xi|pi|rho|sigma|tau|"
    r"upsilon|phi|chi|psi|omega)\b",
    re.IGNORECASE,
)


def _spell_greek(text: str) -> str:
    """'μ-Bench' and '{\\mu}-Bench' -> 'mu-Bench': a Greek letter keeps its name in the key."""
    text = _GREEK_COMMAND.sub(lambda match: match.group(1), text)
    if text.isascii():
        return text
    return "".join(
        unicodedata.name(c, "").split()[-1].lower() if unicodedata.name(c, "").startswith("GREEK") else c for c in text
    )


def _key_words(text: str) -> list[str]:
    return _KEY_WORD.findall(fold(_LATEX_COMMAND.sub("", _spell_greek(text))))


def _significant(words: list[str]) -> list[str]:
    return [w for w in words if w not in STOPWORDS and w[0].isalpha()]


def _base_key(title: str) -> str:
    """The key a title asks for, before collisions are resolved."""
    name, colon, _ = title.partition(":")
    name_words = _key_words(name)
    rest_words = _significant(_key_words(title))
    if colon and 0 < len(name.split()) <= MAX_NAME_WORDS and name_words and name_words[0][0].isalpha():
        key = "-".join(name_words)
        rest = _significant(_key_words(title.partition(":")[2]))
    else:
        key = "-".join(rest_words[:SIGNIFICANT_WORDS])
        rest = rest_words[SIGNIFICANT_WORDS:]
    # A one-word key such as `face` or `bead` would read as a hex id prefix: lengthen it.
    while _HEX_ONLY.fullmatch(key) and rest:
        key = f"{key}-{rest.pop(0)}"
    if not key or not is_valid_key(key[:MAX_KEY_LENGTH].rstrip("-.")):
        key = f"paper-{key}" if key else "paper"
    return key[:MAX_KEY_LENGTH].rstrip("-.")


_YEAR = re.compile(r"\d{4}")
# Latin letters that Unicode does not decompose into a base letter and an accent (ß folds to ss).
_UNDECOMPOSED = {"ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i"}
_UNDECOMPOSED_LETTERS = str.maketrans(_UNDECOMPOSED | {letter.upper(): plain for letter, plain in _UNDECOMPOSED.items()})
_NOT_A_LETTER = re.compile(r"[^a-z]")


def _ascii_letters(text: str) -> str:
    """`van der Berg` -> `vanderberg`, `Müller` -> `muller`, `Łukasiewicz` -> `lukasiewicz`."""
    return _NOT_A_LETTER.sub("", fold(_LATEX_COMMAND.sub("", text.translate(_UNDECOMPOSED_LETTERS))))


def _family_name(name: str) -> str:
    """A BibTeX name's family name with its particles: `van der Berg, Jan` and `Jan van der Berg`
    -> `van der Berg` (BibTeX's "von" words: lower-case ones before the last); a name in braces
    is one unit (`{Gemini Team}`)."""
    name = name.strip()
    if name.startswith("{") and name.endswith("}"):
        return name[1:-1]
    if "," in name:
        return name.partition(",")[0]
    words = name.split()
    particles_from = next((index for index, word in enumerate(words[:-1]) if word[:1].islower()), len(words) - 1)
    return " ".join(words[particles_from:])


def _first_significant_word(title: str) -> str:
    """`LLaVA-UHD: an LMM ...` -> `llavauhd`, `Towards Analyzing ...` -> `analyzing`: a hyphenated
    word (a model name, usually) stays whole."""
    for written in title.split():
        words = _key_words(written.translate(_UNDECOMPOSED_LETTERS))
        is_a_stopword = len(words) == 1 and words[0] in STOPWORDS
        if words and words[0][0].isalpha() and not is_a_stopword:
            return "".join(words).replace(".", "")
    return ""


def _author_year_key(title: str, authors: Sequence[str], year: str) -> str:
    """`guo2024llavauhd`, or '' when the first author's family name or the year is unknown."""
    family = _ascii_letters(_family_name(authors[0])) if authors else ""
    found = _YEAR.search(str(year))
    if not family or not found:
        return ""
    key = f"{family}{found.group()}{_first_significant_word(title)}"[:MAX_KEY_LENGTH]
    return key if is_valid_key(key) else ""


class CitationKeys:
    """The keys in use (compared case-insensitively), handing out new ones.

    A title asks for its base key (`llava`); on a collision it gets the next free suffix
    (`llava-2`, `llava-3`, ...). Each base remembers where its suffixes got to, so 20,000 titles
    asking for `llava` cost 20,000 steps, not 200 million.
    """

    def __init__(self, taken: Iterable[str] = ()):
        self._taken = {key.casefold() for key in taken}
        self._next_suffix: dict[str, int] = {}

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.casefold() in self._taken

    def take(self, key: str) -> None:
        self._taken.add(key.casefold())

    def new_key(self, title: str, *, authors: Sequence[str] = (), year: str = "", style: str = TITLE_STYLE) -> str:
        """A key for the paper that no paper has, now taken: in the `authoryear` style from its
        first author (of `authors`, BibTeX names such as `Liu, Haotian`) and `year` when both are
        known, else from `title`."""
        if style not in KEY_STYLES:
            raise ValueError(f"unknown key style {style!r}: use one of {', '.join(KEY_STYLES)}")
        base = (style == AUTHOR_YEAR_STYLE and _author_year_key(title, authors, year)) or _base_key(title)
        key = base
        if key in self._taken:
            suffix = self._next_suffix.get(base, 2)
            while f"{base}-{suffix}" in self._taken:
                suffix += 1
            self._next_suffix[base] = suffix + 1
            key = f"{base}-{suffix}"
        self._taken.add(key)
        return key
