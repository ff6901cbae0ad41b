"""The sidebar: views, collections and tags, each with a live count.

Choosing an entry posts `Sidebar.FilterChosen`; the app puts the filter in the search bar, so
what the list shows is always what the query says.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from vlmreader.core.text import visible
from vlmreader.core.vocabulary import (
    COLLECTION_FILTER,
    HAS_AUTHOR,
    HAS_FILTER,
    READING_STATUSES,
    STARRED,
    TAG_FILTER,
    state_filter,
)


LABEL_WIDTH = 15
NEEDS_METADATA_FILTER = f"-{HAS_FILTER}:{HAS_AUTHOR}"
"""The "Needs metadata" view: papers without authors, which `enrich` (E) can fill."""


@dataclass(frozen=True)
class SidebarCounts:
    total: int
    starred: int
    statuses: dict[str, int]
    collections: list[tuple[str, int]]
    tags: list[tuple[str, int]]
    without_author: int
    """Papers with no author (for "Needs metadata": what `-has:author` finds)."""


class Sidebar(OptionList):
    """A list of filters with counts."""

    @dataclass
    class FilterChosen(Message):
        """Show what `query_filter` selects ('' for everything)."""

        query_filter: str

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._filters: dict[str, str] = {}

    def show_counts(self, counts: SidebarCounts) -> None:
        highlighted = self.highlighted_option.id if self.highlighted_option is not None else None
        options: list[Option | None] = []
        self._filters = {}

        def add(option_id: str, label: str, count: int, query_filter: str) -> None:
            if len(label) > LABEL_WIDTH:
                label = label[: LABEL_WIDTH - 1] + "…"
            line = Content.assemble(visible(label).ljust(LABEL_WIDTH), (f"{count:>7,}", "dim"))
            options.append(Option(line, id=option_id))
            self._filters[option_id] = query_filter

        add("view-All", "All", counts.total, "")
        add(f"view-{STARRED}", STARRED.title(), counts.starred, state_filter(STARRED))
        for status in READING_STATUSES:
            add(f"view-{status.name}", status.label, counts.statuses.get(status.name, 0), state_filter(status.name))
        add("view-needs-metadata", "Needs metadata", counts.without_author, NEEDS_METADATA_FILTER)
        options.append(None)
        options.append(Option(Content.styled("Collections", "bold"), id="heading-collections", disabled=True))
        for name, count in counts.collections:
            add(f"collection-{name}", name, count, f"{COLLECTION_FILTER}:{name}")
        if counts.tags:
            options.append(None)
            options.append(Option(Content.styled("Tags", "bold"), id="heading-tags", disabled=True))
            for tag, count in counts.tags:
                add(f"tag-{tag}", f"#{tag}", count, f"{TAG_FILTER}:{tag}")
        self.clear_options()
        self.add_options(options)
        if highlighted is not None and highlighted in self._filters:
            self.highlighted = self.get_option_index(highlighted)
        else:
            self.highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        query_filter = self._filters.get(event.option.id or "")
        if query_filter is not None:
            self.post_message(self.FilterChosen(query_filter))
