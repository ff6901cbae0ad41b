"""A reading list in Markdown: one list item per paper, in the order they were asked for.

    # Reading list

    - [Visual Instruction Tuning](https://arxiv.org/abs/2304.08485) — Haotian Liu, Chunyuan Li,
      Qingyang Wu et al., 2023, NeurIPS 2024. [Code](https://github.com/haotian-liu/LLaVA).
      Tags: vlm, instruction-tuning.

      The note, as written (notes are Markdown), indented into the item.

The title links to the paper's own page (its arXiv page, else its DOI, else the url it has);
the authors are named in full up to three, the first three and "et al." beyond; then the year it
is cited by, the venue and a code or project link. Text from papers is never markup: every
character CommonMark, GitHub or pandoc could read as markup there (`*`, `_`, `` ` ``, `[`, `]`,
`<`, `>`, `&`, `$`, `@`, `~`, `^`, a `-` before another) is backslash-escaped, so `[CLS]`,
`<image>`, `$x_1$` and `1--10` show as written. The note is
the user's own Markdown and is kept as it is, indented so that it stays inside its item.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from urllib.parse import quote

from vlmreader.core.formats import PaperOfKey, separated
from vlmreader.core.formats.citation import Citation, citation_of, is_code_host
from vlmreader.core.models import Paper

HEADING = "# Reading list"
AUTHORS_IN_FULL = 3
"""Up to this many authors are all named; beyond, the first ones and "et al."."""

_MARKUP = re.compile(r"([\\`*_\[\]<>&$@~^]|-(?=-))")
"""What is markup inside a line of Markdown: CommonMark's code, emphasis, links, autolinks, HTML
and entities, GitHub's strikethrough, pandoc's math, citations, sub- and superscripts and its
`--` dashes. A backslash before ASCII punctuation always makes it literal. (Line-start syntax,
`#`, `>`, `1.`, never arises: no paper's text starts a line.)"""
_URL_SAFE = "/:?#[]@!$&'*+,;=%~-._"


def export_markdown(papers: Iterable[Paper], paper_of_key: PaperOfKey | None = None) -> str:
    """The papers as a Markdown reading list, in the order given (see the module's docstring)."""
    return "".join(markdown_chunks(papers, paper_of_key))


def markdown_chunks(papers: Iterable[Paper], paper_of_key: PaperOfKey | None = None) -> Iterator[str]:
    """The text of `export_markdown`, a paper at a time."""
    chosen = list({paper.id: paper for paper in papers}.values())
    if not chosen:
        return
    yield HEADING + "\n\n"
    yield from separated((_item(citation_of(paper, abstract=False)) for paper in chosen), "\n")


def _item(citation: Citation) -> str:
    title = escaped(citation.title)
    heading = f"[{title}]({link_target(citation.url)})" if citation.url else title
    about = [part for part in (_authors(citation), citation.year, escaped(citation.venue)) if part]
    lines = [f"- {heading}" + (" — " + ", ".join(about) + "." if about else "")]
    if citation.link:
        label = "Code" if is_code_host(citation.link) else "Website"
        lines.append(f"  [{label}]({link_target(citation.link)}).")
    if citation.tags:
        lines.append("  Tags: " + ", ".join(escaped(tag) for tag in citation.tags) + ".")
    if citation.note:
        lines.append("")
        lines += [f"  {line}" if line.strip() else "" for line in citation.note.splitlines()]
    return "\n".join(lines) + "\n"


def _authors(citation: Citation) -> str:
    names = [escaped(name.display) for name in citation.authors]
    if len(names) > AUTHORS_IN_FULL or (citation.et_al and names):
        return ", ".join(names[:AUTHORS_IN_FULL]) + " et al."
    return ", ".join(names)


def escaped(text: str) -> str:
    """`text` shown as written by any Markdown reader: its markup characters backslash-escaped,
    on one line."""
    return _MARKUP.sub(r"\\\1", " ".join(text.split()))


def link_target(url: str) -> str:
    """A url as a link's destination: spaces, parentheses, `<`, `>` and backslashes percent-encoded."""
    return quote(url.strip(), safe=_URL_SAFE)
