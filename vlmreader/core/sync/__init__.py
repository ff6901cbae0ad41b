"""Sync through git: one library on every machine, merged by our rules (repository.py), stored
as text files that diff and merge well (layout.py), with change stamps (clock.py) and the merge
rules (merge.py), over the git command-line tool (git.py)."""

from vlmreader.core.sync.git import SyncError
from vlmreader.core.sync.repository import STEPS, Sync, SyncReport, SyncStatus, bundled_corpus, sync_is_set_up

__all__ = ["STEPS", "Sync", "SyncError", "SyncReport", "SyncStatus", "bundled_corpus", "sync_is_set_up"]
