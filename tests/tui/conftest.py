"""Helpers for driving the app as a person does and reading what the screen shows."""

from __future__ import annotations

import pytest
from textual.widgets import Label, Static, TextArea

from vlmreader.tui.app import VlmReaderApp, make_app
from vlmreader.tui.widgets import PaperList


def list_rows(app: VlmReaderApp) -> list[str]:
    """The paper list's visible rows, as the terminal shows them."""
    paper_list = app.query_one(PaperList)
    rows = [paper_list.render_line(y).text.rstrip() for y in range(paper_list.scrollable_content_region.height)]
    return [row for row in rows if row]


def text_of(app: VlmReaderApp, selector: str) -> str:
    widget = app.query_one(selector)
    if isinstance(widget, TextArea):
        return widget.text
    content = widget.content if isinstance(widget, (Static, Label)) else widget.render()
    return str(getattr(content, "plain", content))


async def settle(pilot) -> None:
    """Let debounced searches and workers finish before asserting."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.fixture
def app_factory():
    def create(library) -> VlmReaderApp:
        return make_app(library)

    return create
