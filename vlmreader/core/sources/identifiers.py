"""What names a paper: an arXiv id or URL, a DOI or doi.org URL, a Hugging Face paper URL, which
a user may paste (`identify` says which, in the form the services want) and services answer with
(`arxiv_id_in`, `doi_in`); and a title, in the form a service's search syntax accepts
(`searchable_title`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from vlmreader.core.models import UserError

_NEW_ARXIV = r"\d{4}\.\d{4,5}"
_OLD_ARXIV = r"[a-z-]+(?:\.[A-Z]{2})?/\d{7}"
_ARXIV_ID = re.compile(rf"(?:arxiv:)?({_NEW_ARXIV}|{_OLD_ARXIV})(v\d+)?", re.IGNORECASE)
_ARXIV_URL = re.compile(rf"(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/({_NEW_ARXIV}|{_OLD_ARXIV})(v\d+)?(?:\.pdf)?/?(?:[?#].*)?$", re.IGNORECASE)
_HF_URL = re.compile(rf"(?:https?://)?(?:www\.)?huggingface\.co/papers/({_NEW_ARXIV})(?:v\d+)?/?(?:[?#].*)?$", re.IGNORECASE)
_DOI = re.compile(r"(?:doi:\s*|(?:https?://)?(?:dx\.)?doi\.org/)?(10\.\d{4,9}/\S+)", re.IGNORECASE)
_ARXIV_DOI = re.compile(rf"10\.48550/arxiv\.({_NEW_ARXIV}|{_OLD_ARXIV})", re.IGNORECASE)
_LATEX_COMMAND = re.compile(r"\\[A-Za-z]+")


@dataclass(frozen=True)
class Identifier:
    """A paper's identifier: `kind` is "arxiv" (the id without its version) or "doi" (lower-cased)."""

    kind: str
    value: str

    def __str__(self) -> str:
        return f"arXiv:{self.value}" if self.kind == "arxiv" else f"doi:{self.value}"


def identify(text: str) -> Identifier:
    """The identifier in `text`, or a UserError saying what is accepted."""
    text = text.strip()
    match = _HF_URL.match(text)
    arxiv_id = match.group(1) if match else arxiv_id_in(text)
    if arxiv_id:
        return Identifier("arxiv", arxiv_id)
    doi = doi_in(text)
    if doi:
        return Identifier("doi", doi)
    raise UserError(
        f"{text!r} is not an arXiv id or URL (2304.08485, hep-th/9901001, https://arxiv.org/abs/...), "
        "a DOI (10.1109/...) or a Hugging Face paper URL"
    )


def arxiv_id_in(text: str) -> str:
    """The arXiv id, without its version, that `text` is or links to (`2304.08485v2`,
    `https://arxiv.org/pdf/2304.08485v2`, arXiv's DOI `10.48550/arXiv.2304.08485` or its doi.org
    URL), or "" if it names none."""
    text = text.strip()
    match = _ARXIV_URL.match(text) or _ARXIV_ID.fullmatch(text) or _ARXIV_DOI.fullmatch(doi_in(text))
    return match.group(1) if match else ""


def doi_in(text: str) -> str:
    """The DOI, lower-cased, that `text` is or links to (`doi:10.1109/X`, `https://doi.org/...`),
    or "" if it is none."""
    match = _DOI.fullmatch(text.strip())
    return match.group(1).rstrip(".,;").lower() if match else ""


def searchable_title(title: str, syntax: str) -> str:
    """`title` for a search box whose query language reads the characters in `syntax`: those,
    LaTeX commands and the braces and dollars around them become spaces, so that only its words
    and their in-word punctuation (`Qwen2.5-VL`) are searched."""
    text = _LATEX_COMMAND.sub(" ", title).translate({ord(character): " " for character in syntax + "{}$\\"})
    return " ".join(text.split())
