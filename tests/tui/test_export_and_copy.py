"""The export dialog's formats and its "keep it up to date" switch, kept exports rewritten after
changes in the app (and picked up from elsewhere), and `y` / `Y` copying in each format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.text import Text

from vlmreader.core.config import Config
from vlmreader.core.kept import KeptExports
from vlmreader.core.library import Library
from vlmreader.tui.screens import CopyFormatScreen, ExportScreen

from .conftest import notifications, screen_text, settle, text_of, type_query, type_text


async def open_export_dialog(pilot, path: Path) -> ExportScreen:
    await pilot.press("e")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, ExportScreen)
    await pilot.press("ctrl+a", "ctrl+k")
    await type_text(pilot, str(path))
    return dialog


def shown_notifications(app) -> list[str]:
    """The notifications' text as the user reads it (their markup applied)."""
    return [Text.from_markup(message).plain for message in notifications(app)]


def kept_paths(library: Library) -> list[str]:
    return [export.path for export in KeptExports(library).all()]


def entries_in(path: Path) -> int:
    return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("@"))


async def test_the_keep_switch_makes_a_kept_export_that_a_star_in_the_app_rewrites(library: Library, tmp_path: Path, run_app):
    target = tmp_path / "paper" / "refs.bib"
    target.parent.mkdir()
    library.set_starred([library.resolve("dragonfly").id], True)
    async with run_app(library, size=(120, 35), toasts=True) as (app, pilot):
        await type_query(pilot, "is:starred")
        dialog = await open_export_dialog(pilot, target)
        assert "Export the highlighted paper" in screen_text(app)
        await pilot.click("#export-keep")
        await settle(pilot)
        assert "Export what the query finds: 1 paper" in screen_text(app)
        assert dialog.query_one("#append").disabled  # a kept export is written whole
        await pilot.click("#export")
        await settle(pilot)
        assert not isinstance(app.screen, ExportScreen)
        assert kept_paths(library) == [str(target)]
        assert KeptExports(library).all()[0].query == "is:starred"
        assert entries_in(target) == 1
        assert any(f"Exported 1 paper to {target} (bibtex); kept up to date" in message for message in notifications(app))

        await type_query(pilot, "mmvet")
        await pilot.press("s")
        await settle(pilot)
        assert library.resolve("mm-vet").starred
        assert entries_in(target) == 2 and "@misc{mm-vet," in target.read_text(encoding="utf-8")
        assert "refs.bib rewritten, 2 papers." in notifications(app)
        assert "refs.bib rewritten, 2 papers." in screen_text(app)

        await pilot.press("u")  # undo is a change too
        await settle(pilot)
        assert entries_in(target) == 1
        assert "refs.bib rewritten, 1 paper." in notifications(app)


async def test_a_hand_edited_kept_file_is_not_overwritten_and_the_warning_shows_once(library: Library, tmp_path: Path, run_app):
    target = tmp_path / "refs.bib"
    KeptExports(library).keep("is:starred", str(target), "bibtex")
    edited = target.read_text(encoding="utf-8") + "% my own line\n"
    target.write_text(edited, encoding="utf-8")
    async with run_app(library, size=(120, 35), toasts=True) as (app, pilot):
        await type_query(pilot, "dragonfly")
        await pilot.press("s")
        await settle(pilot)
        assert target.read_text(encoding="utf-8") == edited
        warnings = [message for message in notifications(app) if "was edited since vlmreader wrote it" in message]
        assert len(warnings) == 1 and f"vlmreader exports --rewrite {target}" in warnings[0]
        assert "was edited since vlmreader wrote" in screen_text(app)
        await type_query(pilot, "mmvet")
        await pilot.press("s")  # still edited: not said again
        await settle(pilot)
        assert len([message for message in notifications(app) if "was edited since" in message]) == 1
        assert target.read_text(encoding="utf-8") == edited


async def test_a_change_another_process_made_is_picked_up_and_rewrites_the_kept_export(
    library: Library, tmp_path: Path, run_app
):
    target = tmp_path / "refs.md"
    KeptExports(library).keep("tag:to-cite", str(target), "markdown")
    assert target.read_text(encoding="utf-8") == ""
    async with run_app(library, size=(120, 35)) as (app, pilot):
        elsewhere = Library(library.home)  # the CLI in another terminal, which does not refresh here
        elsewhere.add_tags([elsewhere.resolve("dragonfly").id], ["to-cite"])
        app._pick_up_outside_changes()  # what the app's timer does every two seconds
        await settle(pilot)
        assert "Dragonfly" in target.read_text(encoding="utf-8")
        assert "refs.md rewritten, 1 paper." in notifications(app)


async def test_with_a_selection_the_switch_is_disabled_and_says_why(library: Library, tmp_path: Path, run_app):
    async with run_app(library, size=(80, 24)) as (app, pilot):
        await pilot.press("space")
        dialog = await open_export_dialog(pilot, tmp_path / "refs.bib")
        assert dialog.query_one("#export-keep").disabled
        assert "Export 1 selected paper" in screen_text(app)
        assert "follows a query, not a selection" in screen_text(app)
        assert "Cancel" in screen_text(app)  # the whole dialog fits at 80x24
        await pilot.press("enter")
        await settle(pilot)
        assert kept_paths(library) == [] and (tmp_path / "refs.bib").read_text().startswith("@misc{")


@pytest.mark.parametrize(("name", "expected"), [("refs.json", "csl-json"), ("list.md", "markdown"), ("refs.ris", "ris")])
async def test_the_format_follows_the_file_name(library: Library, tmp_path: Path, run_app, name, expected):
    target = tmp_path / name
    async with run_app(library, size=(120, 35)) as (app, pilot):
        await type_query(pilot, "dragonfly")
        dialog = await open_export_dialog(pilot, target)
        assert dialog.format_name == expected
        assert dialog.query_one("#append").disabled  # adding to a file is for BibTeX only
        await pilot.press("enter")
        await settle(pilot)
        assert any(f"Exported 1 paper to {target} ({expected})" in message for message in notifications(app))
    text = target.read_text(encoding="utf-8")
    if expected == "csl-json":
        assert json.loads(text)[0]["id"] == "dragonfly"
    else:
        assert "Dragonfly" in text


async def test_a_chosen_format_stays_while_the_name_says_the_same(library: Library, tmp_path: Path, run_app):
    async with run_app(library, size=(120, 35)) as (app, pilot):
        dialog = await open_export_dialog(pilot, tmp_path / "refs.bib")
        dialog.query_one("#export-format").value = "biblatex"
        await pilot.press("backspace")
        await type_text(pilot, "b")  # still .bib: biblatex stays
        await settle(pilot)
        assert dialog.format_name == "biblatex"
        await type_text(pilot, ".json")  # refs.bib.json: the name now says CSL-JSON
        await settle(pilot)
        assert dialog.format_name == "csl-json"


async def test_a_kept_export_that_cannot_be_written_keeps_the_dialog_open(library: Library, tmp_path: Path, run_app):
    async with run_app(library, size=(120, 35)) as (app, pilot):
        await type_query(pilot, "dragonfly")
        dialog = await open_export_dialog(pilot, tmp_path / "no-such-folder" / "refs.bib")
        await pilot.click("#export-keep")
        await pilot.click("#export")
        await settle(pilot)
        assert isinstance(app.screen, ExportScreen)
        assert "there is no folder" in text_of(dialog, "#export-error") and "not written" in text_of(dialog, "#export-error")
        assert kept_paths(library) == []


# -- copying -------------------------------------------------------------------------------------


@pytest.fixture
def clipboard(monkeypatch) -> list[str]:
    import pyperclip

    copied: list[str] = []
    monkeypatch.setattr(pyperclip, "copy", copied.append)
    return copied


@pytest.mark.parametrize(
    ("copy_format", "expected", "said"),
    [
        ("bibtex", "@misc{dragonfly,", "Copied 2 BibTeX entries to the clipboard."),
        ("cite", r"\cite{dragonfly,mm-vet}", r"Copied \cite{dragonfly,mm-vet} to the clipboard."),
        ("pandoc", "[@dragonfly; @mm-vet]", "Copied [@dragonfly; @mm-vet] to the clipboard."),
        ("reference", "Dragonfly: Multi-Resolution Zoom", "Copied 2 references to the clipboard."),
    ],
)
async def test_y_copies_the_selection_in_the_configured_format(library: Library, clipboard, run_app, copy_format, expected, said):
    async with run_app(library, size=(120, 35), config=Config(copy_format=copy_format)) as (app, pilot):
        await type_query(pilot, "dragonfly")
        await pilot.press("space")
        await type_query(pilot, "mmvet")
        await pilot.press("space", "y")
        await settle(pilot)
        assert clipboard[-1].startswith(expected)
        assert said in shown_notifications(app)
    if copy_format == "reference":
        assert clipboard[-1].count("\n") == 1 and "MM-Vet: Evaluating" in clipboard[-1].splitlines()[1]


async def test_capital_y_asks_which_format(library: Library, clipboard, run_app):
    async with run_app(library, size=(80, 24)) as (app, pilot):
        await type_query(pilot, "dragonfly")
        await pilot.press("Y")
        await settle(pilot)
        assert isinstance(app.screen, CopyFormatScreen)
        shown = screen_text(app)
        assert "Copy 1 paper as" in shown and r"c  a LaTeX \cite{...}" in shown and "BibTeX  (y)" in shown
        await pilot.press("p")
        await settle(pilot)
        assert not isinstance(app.screen, CopyFormatScreen)
        assert clipboard == ["[@dragonfly]"]
        assert "Copied [@dragonfly] to the clipboard." in shown_notifications(app)
        await pilot.press("Y", "escape")
        await settle(pilot)
        assert clipboard == ["[@dragonfly]"]


async def test_the_palette_offers_each_copy_format(library: Library, clipboard, run_app):
    async with run_app(library, size=(120, 35)) as (app, pilot):
        await type_query(pilot, "dragonfly")
        titles = [command.title for command in app.get_system_commands(app.main_screen)]
        for title in ("BibTeX", r"a LaTeX \cite{...}", "a pandoc citation [@...]", "a formatted reference (APA-like)"):
            assert f"export: copy as {title}" in titles
        await pilot.press("ctrl+p")
        await settle(pilot)
        await type_text(pilot, "copy as a formatted reference")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert clipboard and clipboard[-1].startswith("Dragonfly: Multi-Resolution Zoom") and "(n.d.)" in clipboard[-1]


def test_the_library_view_a_worker_reads_is_the_library_as_it_was(library: Library):
    from vlmreader.core.search import SearchEngine
    from vlmreader.tui.kept_exports import LibraryView

    dragonfly, mm_vet = library.resolve("dragonfly"), library.resolve("mm-vet")
    library.merge_papers(dragonfly.id, mm_vet.id)  # mm-vet's key now finds dragonfly
    view = LibraryView(library, SearchEngine(library).index)
    library.set_starred([dragonfly.id], True)  # after the view was taken
    assert view.get(dragonfly.id).record == library.get(dragonfly.id).record
    assert not view.get(dragonfly.id).starred and library.get(dragonfly.id).starred
    assert view.find_key("MM-VET").id == dragonfly.id and view.find_key("DRAGONFLY").id == dragonfly.id
    assert view.find_key("no-such-key") is None
    assert view.search("dragonfly", partial=False).paper_ids() == [dragonfly.id]
