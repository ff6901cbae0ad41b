"""The command palette's "go to paper" and actions, and the theme surviving a restart."""

from __future__ import annotations

import json

from textual.command import CommandPalette

from vlmreader.core.importing import open_library
from vlmreader.core.library import Library
from vlmreader.tui.widgets import PaperList

from .conftest import list_rows, notifications, settle, text_of


async def run_palette(pilot, text: str) -> None:
    await pilot.press("ctrl+p")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CommandPalette)
    for character in text:
        await pilot.press("space" if character == " " else character)
    for _ in range(20):  # the palette searches in the background
        await pilot.pause(0.05)
    await pilot.press("enter")
    await settle(pilot)


async def test_go_to_a_paper_from_the_palette(library: Library, run_app):
    async with run_app(library, size=(120, 30)) as (app, pilot):
        await run_palette(pilot, "dragonfli")
        assert app.query_one(PaperList).highlighted_id == library.resolve("dragonfly").id
        assert text_of(app, "#detail-title").startswith("Dragonfly:")
        assert text_of(app, "#count") == "452 of 452"


async def test_keys_are_commands_in_the_palette(library: Library, run_app):
    async with run_app(library, size=(120, 30)) as (app, pilot):
        first = app.query_one(PaperList).highlighted_id
        await run_palette(pilot, "paper: star or unstar")
        assert library.get(first).starred
        assert "★" in list_rows(app)[0]


async def test_the_theme_persists_across_runs(library: Library, bundled_pages, run_app):
    async with run_app(library, size=(120, 30)) as (app, pilot):
        assert app.theme != "nord"
        app.theme = "nord"
        await settle(pilot)
    async with run_app(open_library(library.home, bundled_pages)) as (again, pilot):
        assert again.theme == "nord"


async def test_unreadable_settings_mean_defaults_a_notice_and_a_backup_on_the_next_change(library: Library, run_app):
    settings = library.home / "settings.json"
    settings.write_text('{"theme": ["x"]}')
    async with run_app(library) as (app, pilot):
        assert app.theme == "textual-dark"
        assert any("settings.json" in message and "default theme" in message for message in notifications(app))
        assert settings.read_text() == '{"theme": ["x"]}'  # not written over while unchanged
        app.theme = "nord"
        await settle(pilot)
    assert (library.home / "settings.json.bak").read_text() == '{"theme": ["x"]}'
    assert json.loads(settings.read_text()) == {"theme": "nord"}
