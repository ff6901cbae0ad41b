"""Command palette: "go to paper" by fuzzy search of the library, with the app's own engine."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.command import Hit, Hits, Provider

from vlmreader.core.search import parse_query
from vlmreader.core.text import visible

if TYPE_CHECKING:
    from vlmreader.tui.app import VlmReaderApp

GO_TO_LIMIT = 15


class PaperProvider(Provider):
    """`go to: <title>` for the best matches of what is typed (typo-tolerant, like the search)."""

    async def search(self, query: str) -> Hits:
        app = cast("VlmReaderApp", self.app)
        text = query.strip()
        if not text or self.screen is not app.main_screen or app.engine is None:
            return  # over triage or a dialog, or before the library is open
        parsed = parse_query(text)
        if parsed.like:
            return  # a view of papers, not one to go to
        # The papers with every word: this runs on the event loop, where ranking the partial
        # ones (after building their index, the first time) would cost too much.
        result = app.engine.search(parsed, partial=False)
        for position, (paper_id, _) in enumerate(result.scored_ids(GO_TO_LIMIT)):
            paper = app.library.get(paper_id)
            display = Text("go to: ", style="dim")
            display.append(visible(paper.title))
            yield Hit(
                score=1.0 - position / (GO_TO_LIMIT + 1),
                match_display=display,
                command=partial(app.go_to_paper, paper_id),
                text=f"go to: {visible(paper.title)}",
                help=visible(paper.key),
            )
