"""A formatted reference: one line per paper, in the manner of APA (7th edition), to paste into
a document, an e-mail or a chat.

    Liu, H., Li, C., Wu, Q., & Lee, Y. J. (2023). Visual Instruction Tuning. In Advances in
    Neural Information Processing Systems. https://doi.org/10.5555/3666122.3667638

- Authors as family name and initials (`Lee, Y. J.`, `van der Berg, J.`, `Smith, J., Jr.`), a
  group by its name (`OpenAI.`), `&` before the last; up to 20 of them, beyond that the first 19,
  `...` and the last, as APA does; BibTeX's `and others` is `et al.`. Without authors the title
  comes first: `Title. (2023). ...`.
- The year a paper is cited by (`citation.citation_year`), `(n.d.)` without one.
- The title as written: APA's sentence case would lower `LLaVA` and `GPT-4`, which only the
  author may decide.
- Where it appeared: `In PROCEEDINGS (pp. 1-10).`, `JOURNAL, 12(3), 1-10.`, an arXiv-only
  paper's `arXiv:2304.08485.`, else a publisher or institution.
- The DOI's url (APA's choice), else the paper's own page (`citation.paper_url`).

It is plain text: nothing is escaped, so a title with `[CLS]`, `<image>` or `$x_1$` reads as
written, and line breaks in a field become spaces.
"""

from __future__ import annotations

from collections.abc import Iterable

from vlmreader.core.formats import PaperOfKey
from vlmreader.core.formats.citation import (
    BOOK,
    CHAPTER,
    CONFERENCE,
    DOI_URL,
    JOURNAL,
    PREPRINT,
    Citation,
    Name,
    citation_of,
)
from vlmreader.core.models import Paper

AUTHORS_IN_FULL = 20
"""APA lists up to this many authors; of more, the first 19, an ellipsis and the last."""
NO_DATE = "n.d."


def reference_of(paper: Paper) -> str:
    """The paper as one formatted reference (see the module's docstring)."""
    citation = citation_of(paper, abstract=False)
    title = _sentence(_one_line(citation.title) or citation.key)
    date = f"({citation.year or NO_DATE})."
    authors = _authors(citation)
    parts = [_sentence(authors), date, title] if authors else [title, date]
    parts += [part for part in (_source(citation), _url(citation)) if part]
    return " ".join(parts)


def export_references(papers: Iterable[Paper], paper_of_key: PaperOfKey | None = None) -> str:
    """One reference a line, in the order given (`paper_of_key` is not needed: no parents)."""
    chosen = list({paper.id: paper for paper in papers}.values())
    return "".join(reference_of(paper) + "\n" for paper in chosen)


def _authors(citation: Citation) -> str:
    names = [_author(name) for name in citation.authors]
    if not names:
        return ""
    if citation.et_al:
        return ", ".join(names + ["et al."])
    if len(names) > AUTHORS_IN_FULL:
        return ", ".join(names[: AUTHORS_IN_FULL - 1]) + ", ... " + names[-1]
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + ", & " + names[-1]


def _author(name: Name) -> str:
    """`Lee, Y. J.`, `van der Berg, J.`, `Smith, J., Jr.`; a group as its name."""
    if name.literal:
        return _one_line(name.literal)
    family = _one_line(" ".join(part for part in (name.particle, name.family) if part))
    return ", ".join(part for part in (family, initials(name.given), _one_line(name.suffix)) if part)


def initials(given: str) -> str:
    """`Yong Jae` -> `Y. J.`, `Jean-Pierre` -> `J.-P.`, `H.J.` -> `H. J.`; '' for no given name."""
    words = []
    for word in given.split():
        parts = [" ".join(piece[0].upper() + "." for piece in part.split(".") if piece) for part in word.split("-")]
        if any(parts):
            words.append("-".join(part for part in parts if part))
    return " ".join(words)


def _source(citation: Citation) -> str:
    """Where the paper appeared, as a sentence; '' when nothing says."""
    venue = _one_line(citation.venue)
    pages = _one_line(citation.pages).replace("--", "–")
    if citation.kind in (CONFERENCE, CHAPTER) and venue:
        return _sentence(f"In {venue}" + (f" (pp. {pages})" if pages else ""))
    if citation.kind == JOURNAL and venue:
        volume, number = _one_line(citation.volume), _one_line(citation.number)
        issue = (f", {volume}" if volume else "") + (f"({number})" if number else "")
        return _sentence(venue + issue + (f", {pages}" if pages else ""))
    if citation.kind == PREPRINT:
        return f"arXiv:{citation.arxiv_id}."
    if citation.kind == BOOK and citation.publisher:
        return _sentence(_one_line(citation.publisher))
    return _sentence(venue or _one_line(citation.publisher))


def _url(citation: Citation) -> str:
    return DOI_URL + citation.doi if citation.doi else citation.url


def _sentence(text: str) -> str:
    """`text` ending with a full stop (unless it ends a sentence already: `.`, `?`, `!`)."""
    return text if not text or text.endswith((".", "?", "!")) else text + "."


def _one_line(text: str) -> str:
    return " ".join(text.split())
