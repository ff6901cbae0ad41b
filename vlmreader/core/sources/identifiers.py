"""What a user may paste to name a paper: an arXiv id or URL, a DOI or doi.org URL, a Hugging Face
paper URL. `identify` says which, in the form the services want."""

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
    for pattern in (_ARXIV_URL, _HF_URL):
        match = pattern.match(text)
        if match:
            return Identifier("arxiv", match.group(1))
    match = _ARXIV_ID.fullmatch(text)
    if match:
        return Identifier("arxiv", match.group(1))
    match = _DOI.fullmatch(text)
    if match:
        doi = match.group(1).rstrip(".,;")
        arxiv = _ARXIV_DOI.fullmatch(doi)
        return Identifier("arxiv", arxiv.group(1)) if arxiv else Identifier("doi", doi.lower())
    raise UserError(
        f"{text!r} is not an arXiv id or URL (2304.08485, hep-th/9901001, https://arxiv.org/abs/...), "
        "a DOI (10.1109/...) or a Hugging Face paper URL"
    )
