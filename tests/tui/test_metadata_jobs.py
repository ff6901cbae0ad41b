"""Adding, enriching and fetching papers from the app, against the local stand-in for the services:
the work runs in the background with a progress line, can be cancelled, and enrich is one undo step."""

from __future__ import annotations

import threading

from vlmreader.core.library import Library
from vlmreader.core.sources import http
from vlmreader.tui.widgets import JobBar
from tests.sources.conftest import services  # noqa: F401 (the local stand-in, as a fixture)
from tests.sources.fake_services import FLAMINGO, LLAVA
from tests.tui.conftest import list_rows, notifications, screen_text, settle, type_query, type_text


async def test_plus_adds_a_paper_by_arxiv_id_and_shows_it(services, run_app, library: Library):
    async with run_app(library, size=(120, 30)) as (app, pilot):
        await pilot.press("plus")
        await type_text(pilot, "https://arxiv.org/abs/2304.08485v1")
        await pilot.press("enter")
        await settle(pilot)
        assert any("Added visual-instruction-tuning" in message for message in notifications(app))
        added = library.find_key("visual-instruction-tuning")
        assert added.authors[0] == "Liu, Haotian"
        assert app.main_screen.paper_list.highlighted_id == added.id  # the list goes to it
        assert any("Visual Instruction Tuning" in row for row in list_rows(app))
        assert "Visual Instruction Tuning" in screen_text(app)
        assert not app.query_one(JobBar).running


async def test_a_typo_in_the_add_prompt_is_said_and_asks_nothing(services, run_app, library: Library):
    async with run_app(library) as (app, pilot):
        await pilot.press("plus")
        await type_text(pilot, "2304.08485 not-an-id")
        await pilot.press("enter")
        await settle(pilot)
        assert any("'not-an-id' is not an arXiv id" in message for message in notifications(app))
        assert services.requests == []


async def test_enrich_runs_in_the_background_and_u_takes_it_back(services, run_app, library: Library):
    async with run_app(library, size=(120, 30)) as (app, pilot):
        await type_query(pilot, "flamingo few shot")
        await pilot.press("E")
        await settle(pilot)
        flamingo = library.find_key("flamingo")
        assert flamingo.authors[:1] == ("Alayrac, Jean-Baptiste",) and flamingo.year == "2022"
        assert any(message.startswith("Enriched 1 paper") for message in notifications(app))
        assert "Alayrac" in screen_text(app)
        await pilot.press("u")
        await settle(pilot)
        assert library.find_key("flamingo").authors == () and library.find_key("flamingo").record.provenance == ()


async def test_a_running_enrich_shows_its_progress_and_c_cancels_it_changing_nothing(services, run_app, library: Library, monkeypatch):
    release = threading.Event()
    original = http.Sources.get

    def slow_get(self, *arguments, **options):
        release.wait(5)  # the stand-in answers only once the test has looked at the screen
        return original(self, *arguments, **options)

    monkeypatch.setattr(http.Sources, "get", slow_get)
    before = library.papers_path.read_bytes()
    async with run_app(library, size=(120, 30)) as (app, pilot):
        await type_query(pilot, "in:frozen")
        await pilot.press("E")
        await pilot.pause(0.2)
        bar = app.query_one(JobBar)
        assert bar.running and "enrich:" in screen_text(app) and "c cancels" in screen_text(app)
        await pilot.press("s")  # the app answers keys while the run goes on
        await pilot.press("c")
        release.set()
        await settle(pilot)
        assert not bar.running
        assert any("Cancelled: nothing was changed" in message for message in notifications(app))
    assert library.papers_path.read_bytes() == before
