"""arXiv's API (its user manual documents the Atom it answers with): papers by id, in batches.

Quirks handled: an id arXiv cannot read comes back as an entry titled `Error` (HTTP 200); when
throttling, arXiv answers 200 with the bare text `Rate exceeded.`; titles and abstracts are
hard-wrapped; ids carry a version (`2304.08485v2`), which vlmreader drops.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

from vlmreader.core.sources.http import ARXIV, SourceUnavailable, Sources
from vlmreader.core.sources.works import Work, bibtex_name

BATCH = 50
"""Ids per request: arXiv answers `id_list` of this length at once."""
NAMESPACES = {"atom": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom"}
_ID_IN_URL = re.compile(r"arxiv\.org/abs/(.+?)(?:v\d+)?$")
_CONFERENCE = re.compile(r"\b(proceedings|proc\.|conference|workshop|symposium|cvpr|iccv|eccv|neurips|nips|icml|iclr|aaai|acl|emnlp|naacl)\b", re.IGNORECASE)


def works_by_id(sources: Sources, arxiv_ids: list[str]) -> dict[str, Work]:
    """The works arXiv has for `arxiv_ids` (versionless), by id; an id it lacks is left out."""
    found: dict[str, Work] = {}
    for start in range(0, len(arxiv_ids), BATCH):
        batch = arxiv_ids[start : start + BATCH]
        answer = sources.get(ARXIV, params={"id_list": ",".join(batch), "max_results": str(len(batch))})
        if answer.status != 200 or answer.text.strip() == "Rate exceeded.":
            raise SourceUnavailable(f"arXiv did not answer for {len(batch)} ids ({answer.status}: {answer.text[:60].strip()})")
        found.update((work.arxiv_id, work) for work in parse_feed(answer.text))
    return found


def parse_feed(text: str) -> list[Work]:
    """The works of an arXiv Atom feed (error entries left out); SourceUnavailable if it is not one."""
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as error:
        raise SourceUnavailable(f"arXiv answered with XML that cannot be read ({error})") from None
    works = []
    for entry in root.findall("atom:entry", NAMESPACES):
        title = _one_line(entry.findtext("atom:title", "", NAMESPACES))
        match = _ID_IN_URL.search(entry.findtext("atom:id", "", NAMESPACES).strip())
        if match is None or not title or title == "Error":
            continue
        arxiv_id = match.group(1)
        published = entry.findtext("atom:published", "", NAMESPACES)
        primary = entry.find("arxiv:primary_category", NAMESPACES)
        journal_ref = _one_line(entry.findtext("arxiv:journal_ref", "", NAMESPACES))
        works.append(
            Work(
                source="arxiv",
                title=title,
                authors=tuple(
                    bibtex_name(author.findtext("atom:name", "", NAMESPACES))
                    for author in entry.findall("atom:author", NAMESPACES)
                    if author.findtext("atom:name", "", NAMESPACES).strip()
                ),
                year=int(published[:4]) if published[:4].isdigit() else None,
                abstract=_one_line(entry.findtext("atom:summary", "", NAMESPACES)),
                arxiv_id=arxiv_id,
                primary_category=primary.get("term", "") if primary is not None else "",
                doi=entry.findtext("arxiv:doi", "", NAMESPACES).strip(),
                venue=journal_ref,
                published_as=("inproceedings" if _CONFERENCE.search(journal_ref) else "article") if journal_ref else "",
                url=f"https://arxiv.org/abs/{arxiv_id}",
            )
        )
    return works


def _one_line(text: str) -> str:
    return " ".join(text.split())
