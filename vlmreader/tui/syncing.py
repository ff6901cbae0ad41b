"""Sync in the app: what a sync worker runs, and the line the footer shows about it.

A sync (`vlmreader.core.sync`) fetches, merges, pushes and writes what it brought in through
the library's own locked writes: a second or more, and git over the network, so the app runs it
in a worker thread. The app's `Library` belongs to the event loop (it is not thread-safe), so
the worker syncs through a `Library` of its own on the same home, as another vlmreader process
would: the cross-process lock keeps the two apart, the sync re-reads the files before it
renders and before it writes, and the app then picks up what it wrote as it picks up any other
process's changes (`refresh`). That library is opened on the first sync and kept for the next,
which only re-reads what changed; the syncs use it one at a time, never two at once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from vlmreader.core.models import UserError

if TYPE_CHECKING:  # sync is imported by the first sync, not at start-up: most apps never sync
    from vlmreader.core.sync import SyncReport


@dataclass(frozen=True)
class SyncOutcome:
    """What one sync in the app gave: its report, or why it failed (one line)."""

    report: SyncReport | None
    error: str = ""
    manual: bool = False
    """Asked for from the palette ("sync now"), not the automatic sync."""


class BackgroundSync:
    """The syncs of one app's library, run one at a time from worker threads (see the module)."""

    def __init__(self, home: Path) -> None:
        self.home = Path(home)
        self._library = None
        self._bundled: tuple[frozenset[str], frozenset[str]] | None = None

    def run(self, manual: bool = False) -> SyncOutcome:
        """Sync now (in a worker thread): the report, or the error in one line."""
        from vlmreader.core.library import Library
        from vlmreader.core.sync import Sync

        try:
            if self._bundled is None:
                self._bundled = _bundled()
            if self._library is None:
                self._library = Library(self.home)
            return SyncOutcome(Sync(self._library, self._bundled).sync(), manual=manual)
        except UserError as error:
            return SyncOutcome(None, str(error), manual)
        except OSError as error:
            return SyncOutcome(None, f"{error.strerror or error}; nothing was changed", manual)


def _bundled() -> tuple[frozenset[str], frozenset[str]]:
    from vlmreader.core.importing import bundled_pages
    from vlmreader.core.sync import bundled_corpus
    from vlmreader.resources import data_dir

    return bundled_corpus(bundled_pages(data_dir()))


def sync_line(running: bool, synced_at: float | None, error: str, now: float | None = None) -> str:
    """The footer's words about sync: "syncing…", "synced 2 min ago" or "sync failed: ..."."""
    if running:
        return "syncing…"
    if error:
        return f"sync failed: {error}"
    if synced_at is None:
        return ""
    minutes = int(((now if now is not None else time.monotonic()) - synced_at) // 60)
    if minutes < 1:
        return "synced just now"
    if minutes < 60:
        return f"synced {minutes} min ago"
    return f"synced {minutes // 60} h ago"
