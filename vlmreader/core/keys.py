"""Citation keys: readable, unique, stable, and safe inside `\\cite{}`.

The corpus has no authors or years, so a key comes from the title: the model name before a
colon ('Dragonfly: ...' -> `dragonfly`), else the first significant words
('Towards Analyzing and Mitigating Sycophancy ...' -> `analyzing-mitigating-sycophancy`).
A key is stored when it is handed out and never derived again.

Keys start with a letter, use only `a-z 0-9 - . _ :` plus upper case for imported keys, and are
never made only of hex digits, so a key can never be mistaken for a paper id or an id prefix.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container

from vlmreader.core.text import fold

_KEY_SHAPE = re.compile(r"[A-Za-z][A-Za-z0-9_.:+-]*")
_HEX_ONLY = re.compile(r"[0-9a-f]+")
_KEY_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)*")
_LATEX_COMMAND = re.compile(r"\\(?:emph|textbf|textit|texttt|textsc|mathrm|mathbf|text)\b|\\[A-Za-z]+")

MAX_NAME_WORDS = 3
"""A colon prefix of at most this many words is a model name, usable as the key."""
SIGNIFICANT_WORDS = 3
MAX_KEY_LENGTH = 40

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


def citation_key_for(title: str, taken: Container[str]) -> str:
    """A new key for `title` that is not in `taken` (compared case-insensitively by callers' sets)."""
    base = _base_key(title)
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"
