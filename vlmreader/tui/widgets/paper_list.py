"""The paper list: one row per search hit, rendered line by line.

A Line-API widget: it draws only the rows on screen, so a result of 100,000 papers costs no
more than one of 20. No widget per paper, no stock list filled with every row.

A row is its marks, the title with its matches, the tags, and (where the list is wide enough,
for a paper that has them) the short authors and the year, in columns at the right. A paper
without them gives that room to its title.

When papers matching most of the words follow those with every word, a separator line sits
between them. It is a row of the list but not a position of the result: the cursor counts
papers, so it never lands on the line, and selection and counts never see it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from vlmreader.core.models import NO_ANNOTATION, Annotation, Paper
from vlmreader.core.search import SearchResult
from vlmreader.core.text import visible
from vlmreader.core.vocabulary import STAR, STATUS

ROW_CACHE_SIZE = 512
MARKS_WIDTH = 6
"""Cells of a row's marks: selected, starred, status."""
YEAR_WIDTH = 4
AUTHORS_WIDTH = 16
"""Cells of the short-authors column: `Zhang & Wang`, `Liu et al.`; longer ones are cut."""
YEAR_FROM_WIDTH = 50
AUTHORS_FROM_WIDTH = 70
"""List widths (in cells) from which rows show the year, and the short authors too, so that a
title keeps at least 39 and 42 cells beside them (titles had 44 at 110 columns before). The
list's own width decides, not the terminal's: at 80x24 and 160x45 the list is 79 cells wide
(both columns, 51 cells of title); at 120x35 the sidebar and the detail pane leave it 55 (the
year only); at 110 columns and below, 49 or less (titles only)."""
SEPARATOR = (
    "no more papers with every word; papers matching most of them:",
    "no more with every word; papers with most of them:",
    "papers with most of the words:",
)
SEPARATOR_WITHOUT_STRICT = (
    "no paper has every word; papers matching most of them:",
    "no paper has every word; papers with most of them:",
    "papers with most of the words:",
)
"""What the separator line says (after papers with every word, or at the top when none has
them): the first that fits the list's width."""


class PaperList(ScrollView, can_focus=True, inherit_bindings=False):
    """The search results, with a cursor and a multi-selection."""

    COMPONENT_CLASSES = {
        "paper-list--cursor",
        "paper-list--match",
        "paper-list--star",
        "paper-list--mark",
        "paper-list--tags",
        "paper-list--selected",
        "paper-list--authors",
        "paper-list--year",
        "paper-list--separator",
    }

    BINDINGS = [
        Binding("j,down", "cursor_down", "Down", show=False, id="list.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="list.up"),
        Binding("g,home", "first", "First", show=False, id="list.first"),
        Binding("G,end", "last", "Last", show=False, id="list.last"),
        Binding("pagedown,ctrl+d", "page_down", "Page down", show=False, id="list.page-down"),
        Binding("pageup,ctrl+u", "page_up", "Page up", show=False, id="list.page-up"),
        Binding("space", "toggle_selection", "Select", tooltip="Select or unselect the highlighted paper", id="list.select"),
        Binding("a", "select_all", "Select all", show=False, tooltip="Select every paper shown", id="list.select-all"),
        Binding("A", "clear_selection", "Clear selection", show=False, id="list.clear-selection"),
    ]

    cursor: reactive[int] = reactive(0, always_update=True)
    """Position of the highlighted row in the result."""

    @dataclass
    class Highlighted(Message):
        """The highlighted paper changed (None: the list is empty)."""

        paper_list: PaperList
        paper_id: str | None

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, PaperList.Highlighted)

    @dataclass
    class SelectionChanged(Message):
        """The set of selected papers changed."""

        paper_list: PaperList
        count: int

    def __init__(self, paper_of: Callable[[str], Paper | None], **kwargs) -> None:
        """`paper_of(id)` gives a row's paper as the library holds it now (None for one merged
        away since the result was made)."""
        super().__init__(**kwargs)
        self._paper_of = paper_of
        self.result: SearchResult | None = None
        self.selected: set[str] = set()
        self._rows: dict[tuple, Strip] = {}
        self._paint: tuple[Style, int] | None = None
        self._separator_row: int | None = None
        """The row of the separator line (the position of the first partial match), or None."""

    # -- content -----------------------------------------------------------------------

    def show_result(self, result: SearchResult, keep_paper: str | None = None) -> None:
        """Show a new result, keeping `keep_paper` highlighted if it is still in it."""
        self.result = result
        self._separator_row = result.strict_count if result.partial_count else None
        self.virtual_size = Size(self.size.width, self.line_count)
        position = self.position_of(keep_paper) if keep_paper is not None else None
        self.cursor = position or 0
        self.refresh()

    def position_of(self, paper_id: str) -> int | None:
        """Where `paper_id` is in the result shown, or None if it is not."""
        number = self.result.index.number_of.get(paper_id) if self.result is not None else None
        if number is None:
            return None
        try:
            return self.result.order.index(number)
        except ValueError:
            return None

    def highlight(self, paper_id: str) -> bool:
        """Move the cursor to `paper_id`, if the list shows it."""
        position = self.position_of(paper_id)
        if position is not None:
            self.cursor = position
        return position is not None

    def refresh_rows(self) -> None:
        """Redraw after the library changed (stars, tags, statuses, and records: a title or the
        authors a row shows, which its cache key leaves out)."""
        self._rows.clear()
        self.refresh()

    def notify_style_update(self) -> None:
        """The styles changed (the theme, or the list gained or lost the focus, which colours
        the cursor's row): the rows are drawn anew."""
        super().notify_style_update()
        self._rows.clear()

    @property
    def row_count(self) -> int:
        """Papers in the list."""
        return len(self.result) if self.result is not None else 0

    @property
    def line_count(self) -> int:
        """Lines of the list: its papers and the separator line."""
        return self.row_count + (self._separator_row is not None)

    @property
    def rows_shown(self) -> int:
        """How many lines the list shows at once (0 before it is laid out)."""
        return self.scrollable_content_region.height

    def _line_of(self, position: int) -> int:
        separator = self._separator_row
        return position + 1 if separator is not None and position >= separator else position

    def _position_at(self, line: int) -> int | None:
        """The result position drawn on `line`; None for the separator line."""
        separator = self._separator_row
        if separator is None or line < separator:
            return line
        return None if line == separator else line - 1

    @property
    def highlighted_id(self) -> str | None:
        if not self.row_count:
            return None
        return self.result.index.ids[self.result.order[self.cursor]]

    def paper_ids_shown(self) -> list[str]:
        return self.result.paper_ids() if self.result is not None else []

    # -- cursor ------------------------------------------------------------------------

    def validate_cursor(self, cursor: int) -> int:
        return max(0, min(cursor, self.row_count - 1)) if self.row_count else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Highlighted(self, self.highlighted_id))

    def _scroll_to_cursor(self) -> None:
        if self.row_count:
            line = self._line_of(self.cursor)
            # The first paper after the separator comes into view with it.
            top = line - 1 if self.cursor == self._separator_row else line
            self.scroll_to_region(Region(0, top, 1, line - top + 1), animate=False, force=True, immediate=True)

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = self.row_count - 1

    def action_page_down(self) -> None:
        self.cursor += max(1, self.scrollable_content_region.height - 1)

    def action_page_up(self) -> None:
        self.cursor -= max(1, self.scrollable_content_region.height - 1)

    def on_click(self, event: events.Click) -> None:
        position = self._position_at(event.y + self.scroll_offset.y)
        if position is not None and 0 <= position < self.row_count:
            self.cursor = position

    # -- selection ---------------------------------------------------------------------

    def action_toggle_selection(self) -> None:
        paper_id = self.highlighted_id
        if paper_id is None:
            return
        self.selected.symmetric_difference_update({paper_id})
        self._selection_changed()
        self.cursor += 1

    def action_select_all(self) -> None:
        self.selected.update(self.paper_ids_shown())
        self._selection_changed()

    def action_clear_selection(self) -> None:
        self.selected.clear()
        self._selection_changed()

    def _selection_changed(self) -> None:
        self._rows.clear()
        self.refresh()
        self.post_message(self.SelectionChanged(self, len(self.selected)))

    # -- rendering ---------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, self.line_count)
        self._rows.clear()

    def render_lines(self, crop: Region) -> list[Strip]:
        # Resolve the base style and width once per paint, not once per line.
        self._paint = (self.rich_style, self.scrollable_content_region.width)
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        base, width = self._paint if self._paint is not None else (self.rich_style, self.scrollable_content_region.width)
        line = y + self.scroll_offset.y
        if line >= self.line_count:
            return Strip.blank(width, base)
        position = self._position_at(line)
        if position is None:
            return self._separator_line(width, base)
        number = self.result.order[position]
        paper_id = self.result.index.ids[number]
        paper = self._paper_of(paper_id)
        annotation = paper.annotation if paper is not None else NO_ANNOTATION
        is_cursor = position == self.cursor
        title_spans = self.result.hit(position).title_spans  # the words matched, or their stems in a partial match
        # A row depends on its paper and on the query only through the spans it highlights, so
        # it is drawn once for the keys of a query that keep the paper on the screen. The record
        # is not in the key: after a change to records the app calls `refresh_rows`.
        key = (paper_id, title_spans, annotation, width, is_cursor, paper_id in self.selected)
        strip = self._rows.get(key)
        if strip is None:
            if len(self._rows) > ROW_CACHE_SIZE:
                self._rows.clear()
            strip = self._render_row(number, paper_id, paper, annotation, title_spans, width, is_cursor, base)
            self._rows[key] = strip
        return strip

    def _separator_line(self, width: int, base: Style) -> Strip:
        texts = SEPARATOR if self._separator_row > 0 else SEPARATOR_WITHOUT_STRICT
        text = next((text for text in texts if cell_len(text) < width), texts[-1])
        style = base + self.get_component_rich_style("paper-list--separator")
        return Strip([Segment(" " + _fit(text, max(0, width - 1)), style)]).adjust_cell_length(width, style)

    def _render_row(
        self,
        number: int,
        paper_id: str,
        paper: Paper | None,
        annotation: Annotation,
        title_spans: tuple[tuple[int, int], ...],
        width: int,
        is_cursor: bool,
        base: Style,
    ) -> Strip:
        """One row as segments: marks, the title with its matches, the tags, authors and year.
        Built directly, without Rich's Text layout, since every keystroke redraws a screenful
        of rows."""
        style = self.get_component_rich_style
        cursor = style("paper-list--cursor") if is_cursor else None

        def styled(component: str | None) -> Style:
            own = base + style(component) if component else base
            return own + cursor if cursor is not None else own

        marks = [
            Segment("● " if paper_id in self.selected else "  ", styled("paper-list--selected")),
            Segment(f"{STAR} " if annotation.starred else "  ", styled("paper-list--star")),
            Segment(f"{STATUS[annotation.status].mark if annotation.status in STATUS else '?'} ", styled("paper-list--mark")),
        ]
        metadata = _metadata_columns(paper, width)
        metadata_width = sum(1 + cells for _, cells, _ in metadata)
        tags = visible(" ".join(f"#{tag}" for tag in annotation.tags))
        tags_width = min(cell_len(tags), max(0, (width - metadata_width) // 3))
        title_width = max(0, width - MARKS_WIDTH - metadata_width - (tags_width + 1 if tags_width else 0))
        title = _fit(visible(self.result.index.titles[number]), title_width)  # one for one: spans still hold
        plain, matched = styled(None), styled("paper-list--match")
        segments = marks
        done = 0
        for start, end in title_spans:
            if start >= len(title):
                break
            if start > done:
                segments.append(Segment(title[done:start], plain))
            segments.append(Segment(title[start:end], matched))
            done = end
        if done < len(title):
            segments.append(Segment(title[done:], plain))
        if tags_width:
            segments.append(Segment(" " + _fit(tags, tags_width), styled("paper-list--tags")))
        segments.extend(Segment(" " + _fit(text, cells), styled(component)) for text, cells, component in metadata)
        return Strip(segments).adjust_cell_length(width, styled(None))


def _metadata_columns(paper: Paper | None, width: int) -> list[tuple[str, int, str]]:
    """(text, cells, component class) of the authors and year columns a row of a list `width`
    cells wide shows: none for a paper that has neither, so that its title takes the room."""
    if paper is None or width < YEAR_FROM_WIDTH:
        return []
    columns = [(visible(paper.year), YEAR_WIDTH, "paper-list--year")]
    if width >= AUTHORS_FROM_WIDTH:  # short_authors splits every name: only where it is shown
        columns.insert(0, (visible(paper.short_authors), AUTHORS_WIDTH, "paper-list--authors"))
    return columns if any(text for text, _, _ in columns) else []


def _fit(text: str, width: int) -> str:
    """`text` in exactly `width` cells: padded, or cut with an ellipsis."""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, max(0, width - 1)) + "…" if width else ""
