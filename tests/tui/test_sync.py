"""Sync in the app: at start-up and once idle with `[sync] auto`, "sync now" from the palette,
the footer's line, and a remote that is gone; two homes through a local bare repository."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from vlmreader.cli import main
from vlmreader.core.config import Config
from vlmreader.core.importing import open_library
from vlmreader.tui.widgets import KeyFooter

from .conftest import list_rows, notifications, settle, type_query
from .test_palette_and_settings import run_palette

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="sync needs git")

from tests.sync.test_sync import PAPER
AUTO = Config(auto_sync=True, sync_idle_seconds=600)


def vlm(home: Path, *arguments: str) -> None:
    assert main([*arguments, "--home", str(home)]) == 0


@pytest.fixture
def homes(tmp_path: Path, remote: Path, capsys) -> tuple[Path, Path]:
    """(laptop, desktop), both syncing with `remote`."""
    laptop, desktop = tmp_path / "laptop", tmp_path / "desktop"
    for home in (laptop, desktop):
        vlm(home, "sync", "init", str(remote))
    capsys.readouterr()
    return laptop, desktop


def footer(app) -> str:
    return app.screen.query_one(KeyFooter).render().plain


async def wait_for(pilot, condition, seconds: float = 20.0) -> None:
    """Let the app run until `condition()` holds (a sync runs git in a worker: about a second)."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            break
        await pilot.pause(0.05)
    await settle(pilot)
    assert condition()


def starred_elsewhere(home: Path, bundled_pages, ref: str = PAPER) -> bool:
    return open_library(home, bundled_pages).resolve(ref).starred


async def test_auto_sync_at_start_up_brings_in_a_star_from_the_other_machine(homes, bundled_pages, run_app):
    laptop, desktop = homes
    vlm(desktop, "star", PAPER)
    vlm(desktop, "sync")
    library = open_library(laptop, bundled_pages)
    assert not library.resolve(PAPER).starred
    async with run_app(library, size=(120, 30), config=AUTO) as (app, pilot):
        await wait_for(pilot, lambda: "synced just now" in footer(app))
        assert app.library.resolve(PAPER).starred
        await type_query(pilot, "is:starred")
        assert any("LLaVA-UHD" in row and "★" in row for row in list_rows(app))
        assert any("1 paper" in message for message in notifications(app))
    assert starred_elsewhere(laptop, bundled_pages)


async def test_a_remote_that_is_gone_is_one_line_in_the_footer_and_changes_nothing(homes, remote, bundled_pages, run_app):
    laptop, desktop = homes
    vlm(laptop, "tag", PAPER, "mine")
    shutil.rmtree(remote)
    library = open_library(laptop, bundled_pages)
    before = {paper_id: library.annotation(paper_id) for paper_id in library.annotations()}
    async with run_app(library, size=(80, 24), config=AUTO) as (app, pilot):
        await wait_for(pilot, lambda: "sync failed" in footer(app))
        assert app.sync_line.startswith("sync failed: cannot fetch from")
        assert "nothing was changed" in app.sync_line
        assert len(footer(app)) <= 80
        assert not app._sync_running
        assert sum("Sync failed: cannot fetch" in message for message in notifications(app)) == 1  # said whole, once
    again = open_library(laptop, bundled_pages)
    assert {paper_id: again.annotation(paper_id) for paper_id in again.annotations()} == before


async def test_sync_now_from_the_palette(homes, bundled_pages, run_app):
    laptop, desktop = homes
    async with run_app(open_library(laptop, bundled_pages), size=(120, 30)) as (app, pilot):
        assert "sync" not in footer(app)  # automatic sync is off and none has run
        vlm(desktop, "star", PAPER)
        vlm(desktop, "sync")
        await settle(pilot)
        assert not app.library.resolve(PAPER).starred
        await run_palette(pilot, "sync now")
        await wait_for(pilot, lambda: "synced just now" in footer(app))
        assert app.library.resolve(PAPER).starred  # without a restart
        assert any("Synced: 0 papers sent, 1 received" in message for message in notifications(app))


async def test_sync_now_is_not_offered_without_sync_set_up(library, run_app):
    async with run_app(library, size=(120, 30), config=AUTO) as (app, pilot):
        commands = [command.title for command in app.get_system_commands(app.main_screen)]
        assert not any(title.startswith("sync:") for title in commands)
        assert any(title.startswith("metadata:") for title in commands)
        assert "sync" not in footer(app)
        assert app.sync_line == ""


async def test_the_idle_sync_runs_idle_seconds_after_the_last_change_made_here(homes, bundled_pages, run_app):
    laptop, desktop = homes
    config = Config(auto_sync=True, sync_idle_seconds=1.5)
    async with run_app(open_library(laptop, bundled_pages), size=(120, 30), config=config) as (app, pilot):
        await wait_for(pilot, lambda: "synced just now" in footer(app))  # the start-up sync
        await type_query(pilot, PAPER)
        await pilot.press("s")
        await settle(pilot)
        assert app.library.resolve(PAPER).starred
        vlm(desktop, "sync")  # the event loop waits meanwhile: no timer can fire
        assert not starred_elsewhere(desktop, bundled_pages)
        assert app._idle_sync_timer is not None
        synced_before = app._synced_at
        await wait_for(pilot, lambda: app._synced_at != synced_before and not app._sync_running)
        assert app._idle_sync_timer is None
    vlm(desktop, "sync")
    assert starred_elsewhere(desktop, bundled_pages)
