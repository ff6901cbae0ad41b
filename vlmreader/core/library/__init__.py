"""The library on disk: paper records and the user's annotations (store.py), the JSON files they
live in (storage.py), the annotations journal (journal.py), the fast copy of the records
(record_cache.py) and the undo history (history.py)."""

from vlmreader.core.library.store import (
    AddReport,
    Library,
    LibraryBusy,
    LibraryReadOnly,
    Merge,
    RecordRevision,
    UnknownPaperError,
    default_home,
    opens_quickly,
)
from vlmreader.core.library.storage import LibraryFileError

__all__ = [
    "AddReport",
    "Library",
    "LibraryBusy",
    "LibraryFileError",
    "LibraryReadOnly",
    "Merge",
    "RecordRevision",
    "UnknownPaperError",
    "default_home",
    "opens_quickly",
]
