"""Messages between the app and its screens: screens ask, the app (which owns the library) acts.

A screen never writes to the library or searches in a worker itself: it posts one of the
requests below, which bubble up to the app. The app answers by updating the screen it came
from, and after any change to the library posts `LibraryChanged` to every screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

from vlmreader.core.models import AnnotationChange
from vlmreader.core.search import SearchResult

if TYPE_CHECKING:
    from vlmreader.tui.screens.export import ExportScreen
    from vlmreader.tui.screens.tags import AddTagsScreen


@dataclass
class AnnotationRequested(Message):
    """Apply `change` to `paper_ids` (one undo step)."""

    paper_ids: list[str]
    change: AnnotationChange


@dataclass
class UndoRequested(Message):
    """Take the last annotation step back."""


@dataclass
class MergeRequested(Message):
    """Make `other_id` part of `keep_id` (one undo step)."""

    keep_id: str
    other_id: str


@dataclass
class KeepApartRequested(Message):
    """The papers share a title but are different papers: no longer possible duplicates."""

    paper_ids: list[str]


@dataclass
class SearchRequested(Message):
    """Search for `text` and show the result on the main screen.

    `in_worker`: while typing, in a worker thread (a newer request drops an older result);
    otherwise at once, keeping `keep_paper` highlighted if it is still in the result.
    """

    text: str
    keep_paper: str | None = None
    in_worker: bool = False

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SearchRequested) and self.in_worker and message.in_worker


@dataclass
class SearchFinished(Message):
    """A search worker's result for the request numbered `serial` (older ones are dropped), to
    be shown with `keep_paper` highlighted if it is in it."""

    result: SearchResult
    serial: int
    keep_paper: str | None = None


@dataclass
class RelatedRequested(Message):
    """Find the papers most like `paper_id`, for the detail pane (answered with `RelatedFound`)."""

    paper_id: str


@dataclass
class RelatedFound(Message):
    """The papers most like `paper_id`, most similar first (none: nothing is like it)."""

    paper_id: str
    paper_ids: list[str]


@dataclass
class TagSuggestionsRequested(Message):
    """Find the tags to suggest for `paper_ids`; the app gives them to `dialog`."""

    paper_ids: list[str]
    dialog: AddTagsScreen


@dataclass
class TriageRequested(Message):
    """Go through the papers `query` finds, one at a time."""

    query: str


@dataclass
class ExportRequested(Message):
    """Write `paper_ids` to `path` in `format_name` (BibTeX added to the file with `append`), or,
    with `kept_query`, keep `path` up to date with the papers that query finds (a kept export,
    written now); the app tells `dialog` how it went."""

    paper_ids: list[str]
    path: str
    format_name: str
    append: bool
    dialog: ExportScreen
    kept_query: str | None = None


@dataclass
class NoteSaved(Message):
    """The user's note for `paper_id` should now read `text`, if it still reads `replacing` (so a
    note changed meanwhile elsewhere is never overwritten unseen)."""

    paper_id: str
    text: str
    replacing: str


@dataclass
class LibraryChanged(Message):
    """The library changed (here, or in another process): show it as it is now."""


@dataclass
class AddRequested(Message):
    """Add the papers these arXiv ids, DOIs or paper URLs name, from the metadata services."""

    texts: list[str]


@dataclass
class EnrichRequested(Message):
    """Fill what `paper_ids` lack from the metadata services, in the background (one undo step)."""

    paper_ids: list[str]


@dataclass
class FetchRequested(Message):
    """Bring in a feed as a collection: `hf` (today's daily papers) or `arxiv` (`category`'s newest)."""

    feed: str
    category: str = ""


@dataclass
class CancelJobRequested(Message):
    """Stop the running enrich, add or fetch: nothing it found is written."""
