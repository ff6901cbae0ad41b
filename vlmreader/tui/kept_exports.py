"""Kept exports in the app: what a worker thread reads to refresh them, and what the app says.

A refresh (`vlmreader.core.kept`) searches each kept export's query again and writes the papers
it finds: tens of milliseconds, and a wait for a cross-process lock, so the app runs it in a
worker. The `Library` belongs to the event loop (it is not thread-safe: a change updates its
annotations in place), and so does the `SearchEngine` that keeps the index in step with it. So
the app takes a `LibraryView` on the loop and hands it to the worker, which reads nothing else:

- the records as they are now: the library's `RecordTable`, which a change replaces rather
  than alters, and which reads a record on first use, from any thread;
- a copy of the annotations (only the papers the user has touched);
- the engine's current `SearchIndex`, which is safe to search from any thread. The loop may
  meanwhile give it a newer change's annotations (in place); that change brings a refresh of
  its own, which writes the files as they then are.

Taking it costs a reference and a copy of the annotations; the lookups a refresh needs are
built on the worker. A lock around the library instead would have to be taken
by every screen that reads it, and a refresh holding it would stall the keys meanwhile.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from vlmreader.core.library import Library
from vlmreader.core.models import NO_ANNOTATION, Paper
from vlmreader.core.search import SearchIndex, SearchResult, parse_query
from vlmreader.core.vocabulary import counted

if TYPE_CHECKING:  # imported by the first refresh, not at start-up
    from vlmreader.core.kept import Refreshed


class LibraryView:
    """A library as it was when taken, read-only, for one worker thread: what `KeptExports`
    reads of a library (`home`, `get`, `find_key`) and of a search engine (`search`)."""

    def __init__(self, library: Library, index: SearchIndex) -> None:
        """Take it on the event loop, with `index` from the library's engine (`engine.index`)."""
        self.home = library.home
        self._records = library.record_table()
        self._annotations = library.annotations()
        self._index = index

    @cached_property
    def _id_of_key(self) -> dict[str, str]:
        return self._records.ids_by_key()

    def get(self, paper_id: str) -> Paper:
        return Paper(self._records[paper_id], self._annotations.get(paper_id, NO_ANNOTATION))

    def find_key(self, key: str) -> Paper | None:
        paper_id = self._id_of_key.get(key.strip().casefold())
        return self.get(paper_id) if paper_id is not None else None

    def search(self, query: str, partial: bool = True) -> SearchResult:
        return self._index.search(parse_query(query), partial=partial)


class KeptExportNotices:
    """What the app says after refreshes: each file rewritten, every time; a problem with a file
    (edited by hand, its folder gone, not writable) once, until that file's outcome changes."""

    def __init__(self) -> None:
        self._problems: dict[str, str] = {}
        """The problem last told, by kept export path ('' for the refresh as a whole)."""

    def after(self, results: list[Refreshed]) -> list[tuple[str, str]]:
        """(message, severity) to show for a refresh's `Refreshed` results (each kept export's)."""
        from vlmreader.core.kept import UNCHANGED, WRITTEN

        said = []
        self._problems.pop("", None)
        for result in results:
            path = result.export.path
            if result.outcome in (WRITTEN, UNCHANGED):
                self._problems.pop(path, None)
                if result.outcome == WRITTEN:
                    said.append((f"{Path(path).name} rewritten, {counted(result.export.papers, 'paper')}.", "information"))
            elif self._problems.get(path) != result.message:
                self._problems[path] = result.message
                said.append((result.message, "warning"))
        return said

    def failed(self, reason: str) -> list[tuple[str, str]]:
        """What to show when a refresh could not run at all (the registry unreadable, the lock
        held too long): once, until it runs again."""
        if self._problems.get("") == reason:
            return []
        self._problems[""] = reason
        return [(f"Kept exports not refreshed: {reason}", "warning")]

    def kept(self, path: str) -> None:
        """The export at `path` was just (re)registered and written: its old problem is settled."""
        self._problems.pop(path, None)
