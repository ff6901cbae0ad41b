"""Text normalisation shared by ids, citation keys and search.

Everything here is deterministic and must stay so: paper ids are hashes of `normalize_title`,
so changing it changes every id. Add a new function rather than altering these.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_LATEX_COMMAND = re.compile(r"\\[A-Za-z]+")
_WORD = re.compile(r"[^\W_]+")
# A "chunk" is a run of word characters joined by in-word punctuation: LLaVA-UHD, Qwen2.5-VL, MM-Vet.
_JOINER = re.compile(r"[-.'’/+]")
_CHUNK = re.compile(r"[^\W_]+(?:[-.'’/+][^\W_]+)*")
_COMPOUND = re.compile(r"(?<![^\W_])[^\W_]++(?:[-.'’/+][^\W_]++)+")  # possessive: no backtracking

PAPER_ID_LENGTH = 12


def readable(text: str) -> str:
    """`text` with what could not be decoded (bytes that are not UTF-8 in a file name, a command-line
    argument or piped text, which Python keeps as lone surrogates) shown as U+FFFD, so that it can
    be stored and printed."""
    if text.isascii():
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


_BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_VISIBLE = {
    **{code: 0x2400 + code for code in range(0x20) if chr(code) not in "\t\n"},  # ␀ … ␛ … ␟
    0x7F: 0x2421,  # ␡
    **{code: 0xFFFD for code in range(0x80, 0xA0)},
    **{ord(character): 0xFFFD for character in _BIDI_CONTROLS},
}


def visible(text: str) -> str:
    """`text` safe to put on a terminal: C0 controls other than tab and newline, DEL, C1 controls
    and bidirectional overrides are drawn as visible characters (ESC as ␛, C1 and bidi controls
    as U+FFFD), one for one, so that offsets into the text still hold. Stored text is never
    changed; only what is shown is."""
    return text if text.isprintable() else text.translate(_VISIBLE)


def fold(text: str) -> str:
    """Lower-case `text` and strip accents, so 'Über' and 'uber' compare equal."""
    decomposed = unicodedata.normalize("NFKD", text)
    if decomposed.isascii():
        return decomposed.casefold()
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def normalize_title(title: str) -> str:
    """The form under which two titles count as the same paper.

    Case, accents, punctuation, spacing and LaTeX command names (`\\emph`) are ignored:
    'GenderBias-\\emph{VL}: X' and 'GenderBias-VL: X' are the same paper.
    """
    return " ".join(_WORD.findall(fold(_LATEX_COMMAND.sub(" ", title))))


def title_identity(title: str) -> str:
    """What makes two titles the same paper: `normalize_title`, or for a title with no letters or
    digits at all (`!!!`, `...`), the title itself, spacing aside, so such titles stay apart."""
    return normalize_title(title) or "\0" + " ".join(title.split())


def paper_id_for(title: str) -> str:
    """A stable id for the paper with this title: the same on every machine and run."""
    return hashlib.sha256(title_identity(title).encode("utf-8")).hexdigest()[:PAPER_ID_LENGTH]


def words(text: str) -> list[str]:
    """The folded alphanumeric words of `text`."""
    return _WORD.findall(fold(text))


def search_terms(text: str) -> list[str]:
    """The index terms of `text`: every word, plus the joined form of each compound.

    'LLaVA-UHD' gives 'llava', 'uhd' and 'llavauhd', so both `llava uhd` and `llavauhd` find it.
    """
    folded = fold(text)
    terms = _WORD.findall(folded)
    terms.extend(_JOINER.sub("", compound) for compound in _COMPOUND.findall(folded))
    return terms


def query_terms(text: str) -> list[str]:
    """The terms a typed query word stands for: one per chunk, compounds joined.

    'llava-uhd' gives ['llavauhd'] and 'qwen2.5' gives ['qwen25'], matching the compound terms
    `search_terms` indexes; 'a,b' gives ['a', 'b'].
    """
    return ["".join(_WORD.findall(chunk)) for chunk in _CHUNK.findall(fold(text))]


def word_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, folded word) for every word of `text`, and for every compound chunk.

    Offsets index into `text` itself, for highlighting. Folding keeps offsets only for text
    whose folded form has the same length, which holds for titles in practice; where it does
    not, the word is matched on its own folded form but the span still covers the original.
    """
    spans: list[tuple[int, int, str]] = []
    for chunk_match in _CHUNK.finditer(text):
        parts = list(_WORD.finditer(chunk_match.group()))
        base = chunk_match.start()
        for part in parts:
            spans.append((base + part.start(), base + part.end(), fold(part.group())))
        if len(parts) > 1:
            joined = "".join(fold(part.group()) for part in parts)
            spans.append((chunk_match.start(), chunk_match.end(), joined))
    return spans
