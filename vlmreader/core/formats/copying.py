r"""What the app copies for papers (`y`, `Y`): their BibTeX, a LaTeX `\cite{k1,k2}`, a pandoc
citation `[@k1; @k2]`, or formatted references (reference.py).

`[copy] format` in config.toml names the one `y` copies (`vlmreader.core.config`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from vlmreader.core.formats import PaperOfKey
from vlmreader.core.models import Paper

BIBTEX, CITE, PANDOC, REFERENCE = "bibtex", "cite", "pandoc", "reference"
COPY_FORMATS = {
    BIBTEX: "BibTeX",
    CITE: r"a LaTeX \cite{...}",
    PANDOC: "a pandoc citation [@...]",
    REFERENCE: "a formatted reference (APA-like)",
}
"""The formats papers are copied in, by the name config.toml uses, with what each is."""
DEFAULT_COPY_FORMAT = BIBTEX

_PANDOC_KEY = re.compile(r"\w(?:\w|[:.#$%&\-+?<>~/](?=\w))*")
"""A key pandoc reads after a bare `@`: a letter, digit or `_`, then those and single internal
punctuation; any other key is written `@{key}`."""


def latex_citation(keys: Iterable[str]) -> str:
    r"""`\cite{k1,k2}` (vlmreader's keys are safe inside `\cite{}`: see `keys.is_citable_key`)."""
    return r"\cite{" + ",".join(keys) + "}"


def pandoc_citation(keys: Iterable[str]) -> str:
    """`[@k1; @k2]`, a key pandoc would not read whole as `@{key}`."""
    return "[" + "; ".join("@" + (key if _PANDOC_KEY.fullmatch(key) else "{" + key + "}") for key in keys) + "]"


def text_to_copy(papers: Iterable[Paper], format_name: str, paper_of_key: PaperOfKey | None = None) -> str:
    """The papers in one of `COPY_FORMATS`: keys sorted as BibTeX sorts its entries, references
    alphabetically (by first author, as a reference list is)."""
    chosen = list({paper.id: paper for paper in papers}.values())
    if format_name == BIBTEX:
        from vlmreader.core.formats.bibtex import export_bibtex

        return export_bibtex(chosen, paper_of_key)
    if format_name == REFERENCE:
        from vlmreader.core.formats.reference import reference_of

        return "\n".join(sorted((reference_of(paper) for paper in chosen), key=str.casefold))
    keys = sorted((paper.key for paper in chosen), key=str.casefold)
    if format_name == CITE:
        return latex_citation(keys)
    if format_name == PANDOC:
        return pandoc_citation(keys)
    raise ValueError(f"unknown copy format {format_name!r}")
