"""Start-up: the screen comes up at once and says it is loading; errors end the app cleanly."""

from __future__ import annotations

import threading
from pathlib import Path

from vlmreader.core.importing import open_library
from vlmreader.core.library import Library
from vlmreader.tui.app import make_app

from .conftest import list_rows, settle, text_of


async def test_the_screen_shows_loading_then_the_papers(tmp_path: Path, bundled_pages, run_app):
    release = threading.Event()

    def slow_open() -> Library:
        release.wait(timeout=30)
        return open_library(tmp_path / "home", bundled_pages)

    app = make_app(open_library=slow_open)  # not run_app: it waits for the opening to finish
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert text_of(app, "#count") == "opening the library…"
        await pilot.press("s", "space", "a", "j")  # no paper to star or select yet: nothing happens, nothing breaks
        release.set()
        await settle(pilot)
        assert text_of(app, "#count") == "452 of 452"
        assert "Zero-Shot Dense Video Captioning" in list_rows(app)[0]
        assert not any(paper.starred for paper in app.library)
        assert app.main_screen.paper_list.has_focus


async def test_a_query_typed_ahead_while_the_library_opens_is_searched(tmp_path: Path, bundled_pages):
    """A large library takes seconds to open; a person who types `/hall` meanwhile (the keys reach
    the app together, as keys typed ahead of a busy app do) gets those papers once it is open."""
    from textual import events

    release = threading.Event()

    def slow_open() -> Library:
        release.wait(timeout=30)
        return open_library(tmp_path / "home", bundled_pages)

    app = make_app(open_library=slow_open)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        for key, character in (("slash", "/"), ("h", "h"), ("a", "a"), ("l", "l"), ("l", "l")):
            event = events.Key(key, character)
            event.set_sender(app)
            app.post_message(event)
        await pilot.pause()
        release.set()
        await settle(pilot)
        assert app.main_screen.search_bar.text == "hall"
        assert text_of(app, "#count") == "44 of 452"
        assert app.is_running  # the `l`s were not taken for keys of the list, nor any `q` for quit


async def test_a_corrupt_library_ends_the_app_with_the_error(tmp_path: Path, bundled_pages, run_app):
    home = tmp_path / "home"
    open_library(home, bundled_pages)
    (home / "library.json").write_text("{ broken")
    async with run_app(open_library=lambda: open_library(home, bundled_pages), size=(80, 24)) as (app, pilot):
        await settle(pilot)
    assert app.return_code == 1
    assert (home / "library.json").read_text() == "{ broken"


async def test_a_triage_command_line_opens_straight_into_triage(tmp_path: Path, bundled_pages, run_app):
    opening = lambda: open_library(tmp_path / "h", bundled_pages)  # noqa: E731
    async with run_app(triage_query="in:interleaved", open_library=opening, size=(80, 24)) as (app, pilot):
        assert text_of(app.screen, "#triage-progress").startswith("Triage · 0 of 199 triaged")


def test_vlmreader_opens_a_small_library_before_the_first_frame(tmp_path: Path, bundled_pages, monkeypatch):
    """Then the first frame already shows the papers; the first run, which imports the bundled
    corpus, and a large library whose records cache is stale (or a very large one) open behind
    the loading screen instead."""
    from vlmreader.cli import main
    from vlmreader.tui.app import VlmReaderApp

    started: list[VlmReaderApp] = []
    monkeypatch.setattr(VlmReaderApp, "run", lambda app, **options: started.append(app))
    open_library(tmp_path / "small", bundled_pages)
    assert main(["--home", str(tmp_path / "small")]) == 0
    assert started[-1].library is not None and len(started[-1].library) == 452
    assert main(["--home", str(tmp_path / "first-run")]) == 0
    assert started[-1].library is None
    # The 452 papers now count as large, and open at once only while their records cache is current.
    monkeypatch.setattr("vlmreader.core.library.store.QUICK_OPEN_BYTES", 100_000)
    assert main(["--home", str(tmp_path / "small")]) == 0
    assert started[-1].library is not None
    (tmp_path / "small" / "records-cache.bin").unlink()
    assert main(["--home", str(tmp_path / "small")]) == 0
    assert started[-1].library is None
    open_library(tmp_path / "small", bundled_pages)  # which makes the cache again
    assert main(["--home", str(tmp_path / "small")]) == 0
    assert started[-1].library is not None
    monkeypatch.setattr("vlmreader.core.library.store.QUICK_OPEN_FROM_CACHE_BYTES", 100_000)
    assert main(["--home", str(tmp_path / "small")]) == 0
    assert started[-1].library is None


def test_a_corrupt_small_library_is_reported_before_the_app_starts(tmp_path: Path, bundled_pages, capsys):
    from vlmreader.cli import main

    home = tmp_path / "home"
    open_library(home, bundled_pages)
    (home / "library.json").write_text("{ broken")
    assert main(["--home", str(home)]) == 1
    assert capsys.readouterr().err.startswith("vlmreader: error:")
    assert (home / "library.json").read_text() == "{ broken"


def test_the_app_restarts_the_garbage_collector_that_start_up_paused(tmp_path: Path, bundled_pages, monkeypatch):
    """Start-up runs without Python's cyclic collector (it freed nothing there and cost the first
    frame some 25 ms); once the papers are on screen it runs again, for the rest of the session."""
    import asyncio
    import gc

    from vlmreader.cli import main
    from vlmreader.tui.app import VlmReaderApp

    collecting: dict[str, bool] = {}

    async def drive(app: VlmReaderApp) -> None:
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(pilot)
            assert text_of(app, "#count") == "452 of 452"
            collecting["papers shown"] = gc.isenabled()

    def run(app: VlmReaderApp, **options) -> None:
        collecting["starting"] = gc.isenabled()
        asyncio.run(drive(app))

    monkeypatch.setattr(VlmReaderApp, "run", run)
    open_library(tmp_path / "home", bundled_pages)
    try:
        assert main(["--home", str(tmp_path / "home")]) == 0
    finally:
        gc.unfreeze()
    assert collecting == {"starting": False, "papers shown": True}
    assert gc.isenabled()
