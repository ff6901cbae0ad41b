"""Driving the app as a person does, and reading what the screen shows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from textual.pilot import Pilot
from textual.widgets import Label, Static, TextArea

from vlmreader.core.library import Library
from vlmreader.tui.app import VlmReaderApp, make_app
from vlmreader.tui.widgets import PaperList

KEY_NAMES = {" ": "space", ",": "comma", "/": "slash", ".": "full_stop", "-": "minus", "~": "tilde"}


@pytest.fixture
def run_app():
    """`async with run_app(library, size=(w, h)) as (app, pilot):` the app on `library`, running
    headless at that size, with its first searches and workers finished; with `toasts`, its
    notifications are drawn on the screen too (Textual's tests leave them out)."""

    @asynccontextmanager
    async def run(
        library: Library | None = None, size: tuple[int, int] = (120, 30), toasts: bool = False, **options
    ) -> AsyncIterator:
        app = make_app(library, **options)
        async with app.run_test(size=size, notifications=toasts) as pilot:
            await settle(pilot)
            yield app, pilot

    return run


async def settle(pilot: Pilot) -> None:
    """Let debounced searches and workers finish before asserting."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def type_text(pilot: Pilot, text: str) -> None:
    """Type `text` key by key, as a person does."""
    for character in text:
        await pilot.press(KEY_NAMES.get(character, character))


async def type_query(pilot: Pilot, text: str) -> None:
    """`/`, the query, and `escape` back to the list, with the result shown."""
    await pilot.press("slash")
    await type_text(pilot, text)
    await settle(pilot)
    await pilot.press("escape")
    await settle(pilot)


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


def screen_text(app: VlmReaderApp) -> str:
    """Everything the current screen would write to the terminal, as text."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def notifications(app: VlmReaderApp) -> list[str]:
    """The messages the app has shown in its notifications."""
    return [notification.message for notification in app._notifications]
