"""Tags, export, clipboard, url, help and sidebar, driven through the pilot."""

from __future__ import annotations

from pathlib import Path

import bibtexparser
import pytest

from vlmreader.core.library import Library
from vlmreader.tui.app import VlmReaderApp
from vlmreader.tui.screens import ExportScreen, HelpScreen
from vlmreader.tui.widgets.sidebar import Sidebar

from .conftest import list_rows, notifications, settle, text_of, type_query, type_text


async def test_add_tags_with_completion_and_remove_one(library: Library, run_app):
    library.add_tags([library.resolve("mm-vet").id], ["benchmark-suite"])
    async with run_app(library, size=(160, 45)) as (app, pilot):
        await type_query(pilot, "dragonfly")
        await pilot.press("t")
        await type_text(pilot, "to-cite, bench")
        await pilot.press("right")  # accept the completion
        await pilot.press("enter")
        await settle(pilot)
        assert library.resolve("dragonfly").tags == ("to-cite", "benchmark-suite")
        assert "#to-cite #benchmark-suite" in list_rows(app)[0]
        await pilot.press("T")
        await settle(pilot)
        await pilot.press("down", "enter")  # the second tag
        await settle(pilot)
        assert library.resolve("dragonfly").tags == ("to-cite",)
        await pilot.press("u")
        await settle(pilot)
        assert library.resolve("dragonfly").tags == ("to-cite", "benchmark-suite")


async def test_export_the_selection_to_a_file(library: Library, tmp_path: Path, run_app):
    target = tmp_path / "out" / "refs.bib"
    target.parent.mkdir()
    async with run_app(library, size=(160, 45)) as (app, pilot):
        await type_query(pilot, "hallucination")
        await pilot.press("space", "space")
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ExportScreen)
        await pilot.press("ctrl+a", "ctrl+k")
        await type_text(pilot, str(target))
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, ExportScreen)
        assert any(f"Exported 2 papers to {target}" in message for message in notifications(app))
    parsed = bibtexparser.parse_string(target.read_text())
    assert len(parsed.entries) == 2 and not parsed.failed_blocks


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("/no/such/folder/refs.bib", "cannot write /no/such/folder/refs.bib"),
        ("~nosuchuser/refs.bib", "cannot find the home folder of 'nosuchuser'"),
        ("-", "give a file name"),
    ],
)
async def test_a_failed_export_keeps_the_dialog_and_loses_nothing(library: Library, run_app, typed, shown):
    async with run_app(library, size=(160, 45)) as (app, pilot):
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("ctrl+a", "ctrl+k")
        await type_text(pilot, typed)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ExportScreen)
        assert shown in text_of(app.screen, "#export-error")
        assert app.screen.query_one("#export-path").value == typed
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ExportScreen)


async def test_copy_falls_back_to_osc52_without_a_system_clipboard(library: Library, monkeypatch, run_app):
    import pyperclip

    def no_clipboard(text):
        raise pyperclip.PyperclipException("no copy/paste mechanism")

    monkeypatch.setattr(pyperclip, "copy", no_clipboard)
    async with run_app(library, size=(160, 45)) as (app, pilot):
        await type_query(pilot, "dragonfly")
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard.startswith("@misc{dragonfly,")
        assert any("OSC 52" in message for message in notifications(app))


async def test_copy_uses_the_system_clipboard_when_there_is_one(library: Library, monkeypatch, run_app):
    import pyperclip

    copied = []
    monkeypatch.setattr(pyperclip, "copy", copied.append)
    async with run_app(library, size=(160, 45)) as (app, pilot):
        await type_query(pilot, "mmvet")
        await pilot.press("y")
        await settle(pilot)
        assert copied and copied[0].startswith("@misc{mm-vet,")
        assert any("Copied 1 BibTeX entry to the clipboard" in message for message in notifications(app))


async def test_open_url(library: Library, monkeypatch, run_app):
    opened = []
    monkeypatch.setattr(VlmReaderApp, "open_url", lambda app, url, **kw: opened.append(url))
    async with run_app(library, size=(160, 45)) as (app, pilot):
        await type_query(pilot, "dragonfly")
        await pilot.press("o")
        assert opened == ["https://github.com/togethercomputer/Dragonfly"]


async def test_help_lists_the_keys(library: Library, run_app):
    async with run_app(library, size=(160, 45)) as (app, pilot):
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        shown = "\n".join(" | ".join(row) for row in app.screen.bindings)
        for expected in ("Star", "Status", "Skip", "Tag", "Export", "Copy", "Undo", "Select", "Search"):
            assert expected in shown
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_the_sidebar_puts_its_filter_in_the_search_bar(library: Library, run_app):
    library.set_starred([library.resolve("dragonfly").id], True)
    async with run_app(library, size=(160, 45)) as (app, pilot):
        sidebar = app.query_one(Sidebar)
        assert sidebar.display
        sidebar.focus()
        await pilot.press("down", "enter")  # Starred
        await settle(pilot)
        assert app.query_one("#query").value.strip() == "is:starred"
        assert text_of(app, "#count") == "1 of 452"
        assert "Dragonfly" in list_rows(app)[0]
        await pilot.press("b")
        assert not sidebar.display


@pytest.mark.parametrize("size", [(80, 24)])
async def test_the_sidebar_starts_hidden_on_a_narrow_terminal(library: Library, size, run_app):
    async with run_app(library, size=size) as (app, pilot):
        assert not app.query_one(Sidebar).display
        await pilot.press("b")
        assert app.query_one(Sidebar).display


async def test_sidebar_counts_stay_beside_their_labels_when_it_scrolls(library: Library, run_app):
    async with run_app(library, size=(100, 14)) as (app, pilot):
        sidebar = app.query_one(Sidebar)
        lines = [sidebar.render_line(y).text for y in range(sidebar.scrollable_content_region.height)]
        assert lines[0].split() == ["All", "452"]
        assert lines[6].split() == ["Skipped", "0"]
