"""Triage mode: one key per decision, progress, back, summary."""

from __future__ import annotations

from vlmreader.core.library import Library
from vlmreader.tui.screens import TriageScreen

from .conftest import settle, text_of, type_query


async def test_triage_decides_with_one_key_each_and_can_go_back(library: Library, run_app):
    async with run_app(library, triage_query="in:high", size=(80, 24)) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, TriageScreen)
        first, second, third, fourth = screen.paper_ids[:4]
        assert text_of(screen, "#triage-progress").startswith("Triage · 0 of 97 triaged")
        assert text_of(screen, "#triage-title") == library.get(first).title
        await pilot.press("q")  # queue the first
        await pilot.press("s")  # star the second, stay on it
        assert text_of(screen, "#triage-title") == library.get(second).title
        await pilot.press("r")  # reading
        await pilot.press("backspace")  # take it back: the second paper again, unread
        assert text_of(screen, "#triage-title") == library.get(second).title
        assert library.get(second).status == "unread"
        await pilot.press("d")  # read after all
        await pilot.press("x")  # skip the third
        await pilot.press("l")  # leave the fourth for later
        assert text_of(screen, "#triage-progress").startswith("Triage · 3 of 97 triaged")
        statuses = [library.get(pid).status for pid in (first, second, third, fourth)]
        assert statuses == ["queued", "read", "skipped", "unread"]
        assert library.get(second).starred
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, TriageScreen)


async def test_triage_ends_with_a_summary(library: Library, run_app):
    async with run_app(library, size=(120, 30)) as (app, pilot):
        await type_query(pilot, "mmvet")
        await pilot.press("z")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TriageScreen) and len(screen.paper_ids) == 1
        await pilot.press("x")
        assert text_of(screen, "#triage-title") == "Triage done"
        assert text_of(screen, "#triage-meta") == "1 of 1 papers triaged: 1 skipped, 0 starred."
        assert library.resolve("mm-vet").status == "skipped"


async def test_triage_with_an_empty_query_takes_the_unread_papers(library: Library, run_app):
    library.set_status([library.resolve("dragonfly").id], "read")
    async with run_app(library, size=(120, 30)) as (app, pilot):
        await pilot.press("z")
        await settle(pilot)
        assert len(app.screen.paper_ids) == 451
        await pilot.press("n")
        await settle(pilot)
        for character in "later":
            await pilot.press(character)
        await pilot.press("escape")
        await settle(pilot)
        assert library.get(app.screen.paper_ids[0]).note == "later"
        assert "note later" in text_of(app.screen, "#triage-meta")
