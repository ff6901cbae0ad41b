"""Papers for tests to offer a library, as an import would."""

from __future__ import annotations

from vlmreader.core.models import Annotation, Paper, PaperRecord


def offered(title: str, *, tags: tuple[str, ...] = (), note: str = "", **record_fields) -> Paper:
    """A paper as an import offers it: a record without id, and the tags and note it brings."""
    return Paper(PaperRecord(title=title, **record_fields), Annotation(tags=tuple(tags), note=note))
