"""A text area that shows control characters in its text as visible ones, never as terminal codes."""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import TextArea

from vlmreader.core.text import visible


class LiteralTextArea(TextArea):
    """A TextArea whose lines are drawn through `visible`: a note holding ESC (written with the
    CLI, say) shows ␛ and cannot drive the terminal. The text itself is left as it is."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        if all(segment.text.isprintable() for segment in strip):
            return strip
        shown = Strip([Segment(visible(text), style, control) for text, style, control in strip])
        return shown.adjust_cell_length(strip.cell_length)  # a control character took no cell, ␛ takes one
