"""The main screen, driven through the pilot: keys in, screen and library checked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.papers import offered
from vlmreader.core.importing import open_library
from vlmreader.core.library import Library
from vlmreader.tui.messages import RelatedRequested
from vlmreader.tui.screens import main as main_screen
from vlmreader.tui.screens.main import DETAIL_DELAY_WHILE_TYPING, LIKE_THIS_DELAY, LIKE_THIS_FIRST_DELAY
from vlmreader.tui.widgets import KeyFooter, PaperList
from vlmreader.tui.widgets.sidebar import Sidebar

from .conftest import list_rows, notifications, screen_text, settle, text_of, type_query, type_text

SIZES = [(80, 24), (160, 45)]


@pytest.mark.parametrize("size", SIZES)
async def test_start_shows_every_paper_and_the_count(library: Library, size, run_app):
    async with run_app(library, size=size) as (app, pilot):
        assert text_of(app, "#count") == "452 of 452"
        rows = list_rows(app)
        assert len(rows) >= 5
        assert "Zero-Shot Dense Video Captioning" in rows[0]
        assert text_of(app, "#detail-title").startswith("Zero-Shot Dense Video Captioning")
        assert app.screen.has_class("-narrow") == (size[0] < 100)


async def test_typing_searches_as_you_type(library: Library, run_app):
    async with run_app(library, size=(120, 30)) as (app, pilot):
        await type_query(pilot, "llava uhd")
        # The one paper with both words, then those with most of them (tests/tui/test_like_this.py).
        assert re.fullmatch(r"1 of 452 · \d+ with most words", text_of(app, "#count"))
        assert "LLaVA-UHD: an LMM" in list_rows(app)[0]
        assert "key    llava-uhd" in text_of(app, "#detail-meta")
        await pilot.press("slash", "ctrl+u")
        for character in "zzqqxx":
            await pilot.press(character)
        await settle(pilot)
        assert text_of(app, "#count") == "0 of 452"
        assert list_rows(app) == []
        # The detail pane follows the list once the typing pauses, without leaving the search bar.
        await pilot.pause(DETAIL_DELAY_WHILE_TYPING + 0.2)
        assert app.main_screen.search_bar.input.has_focus
        assert text_of(app, "#detail-title") == "No paper matches 'zzqqxx'."
        assert "Widen the query" in text_of(app, "#detail-meta")


async def test_keys_typed_ahead_after_slash_go_to_the_search_bar(library: Library, run_app):
    """Typed ahead of a busy app (or sent by tmux), `/hall` reaches it in one read of the
    terminal: the keys after `/` are the query; on the list, `a` would select every paper. In the
    search bar and in the note, `/` is a character like any other."""
    from textual import events

    async with run_app(library, size=(120, 30)) as (app, pilot):
        for key, character in (("slash", "/"), ("h", "h"), ("a", "a"), ("l", "l"), ("l", "l")):
            event = events.Key(key, character)
            event.set_sender(app)
            app.post_message(event)  # as the driver posts the keys of one read: no pause between them
        await settle(pilot)
        assert app.main_screen.search_bar.text == "hall"
        assert text_of(app, "#count") == "44 of 452"
        await type_text(pilot, " w/o")
        assert app.main_screen.search_bar.text == "hall w/o"
        await pilot.press("escape", "n")
        await type_text(pilot, "a/b")
        assert app.query_one("#note").text == "a/b"


async def test_a_key_and_its_result_are_painted_in_one_frame(library: Library, run_app, monkeypatch):
    monkeypatch.setattr(main_screen, "KEY_FRAME_HOLD", 1.0)  # however slow the machine running the tests
    async with run_app(library, size=(120, 30)) as (app, pilot):
        frames: list[tuple[str, str]] = []  # (query, count) each time the app paints
        display = app._display

        def recording_display(screen, update):
            frames.append((app.main_screen.search_bar.text, text_of(app, "#count")))
            display(screen, update)

        app._display = recording_display
        await pilot.press("slash")
        await settle(pilot)
        typed = ""
        for character in "hallu":
            typed += character
            painted = len(frames)
            await pilot.press(character)
            await settle(pilot)
            first_with_key = next(frame for frame in frames[painted:] if frame[0] == typed)
            assert first_with_key == (typed, text_of(app, "#count"))
        assert text_of(app, "#count") != "452 of 452"


async def test_the_detail_pane_waits_for_a_pause_in_the_typing(library: Library, run_app):
    async with run_app(library, size=(120, 30)) as (app, pilot):
        await pilot.pause(LIKE_THIS_FIRST_DELAY + 0.1)  # the first paper's look-up, loading the ranking
        await settle(pilot)
        first_title = text_of(app, "#detail-title")
        requested: list[str] = []
        screen_post = app.main_screen.post_message

        def recording_post(message):
            if isinstance(message, RelatedRequested):
                requested.append(message.paper_id)
            return screen_post(message)

        app.main_screen.post_message = recording_post
        await pilot.press("slash")
        for character in "hallu":
            await pilot.press(character)
            await pilot.pause(0.2)  # a person's pace: shorter than a pause in the typing
            assert text_of(app, "#detail-title") == first_title
        assert "Hallucination" in list_rows(app)[0]
        assert requested == []  # nor were the papers like any of them looked for
        await pilot.pause(DETAIL_DELAY_WHILE_TYPING + LIKE_THIS_DELAY + 0.1)
        await settle(pilot)
        top_paper = app.main_screen.paper_list.highlighted_id
        assert text_of(app, "#detail-title") == app.library.get(top_paper).title
        assert requested == [top_paper]
        assert app.main_screen.search_bar.input.has_focus


async def test_the_cursor_row_shows_whether_the_list_has_the_focus(library: Library, run_app):
    async with run_app(library, size=(120, 30)) as (app, pilot):
        paper_list = app.main_screen.paper_list

        def cursor_row_backgrounds() -> set:
            return {segment.style.bgcolor for segment in paper_list.render_line(0) if segment.style}

        def cursor_background() -> object:
            return paper_list.get_component_rich_style("paper-list--cursor").bgcolor

        focused = cursor_background()
        assert cursor_row_backgrounds() == {focused}
        await pilot.press("slash")  # the search bar takes the focus, the query is unchanged
        await settle(pilot)
        assert cursor_background() != focused
        assert cursor_row_backgrounds() == {cursor_background()}
        await pilot.press("escape")
        await settle(pilot)
        assert cursor_row_backgrounds() == {focused}


async def test_a_new_word_never_empties_the_list_at_its_first_letter(library: Library, run_app):
    async with run_app(library, size=(120, 30)) as (app, pilot):
        await pilot.press("slash")
        shown: dict[str, tuple[str, list[str]]] = {}
        typed = ""
        for character in "hallucination d":
            await type_text(pilot, character)
            typed += character
            await settle(pilot)
            shown[typed] = (text_of(app, "#count"), list_rows(app))
        count, rows = shown["h"]
        # 'h' stands for every word that starts with it, as 'ha' does for those starting 'ha'.
        assert int(count.split()[0]) > 400 and len(rows) > 20
        whole_word_count, whole_word_rows = shown["hallucination "]
        count, rows = shown["hallucination d"]
        assert count.split()[0] != "0" and rows
        # Nearly every hallucination paper has a word starting with d: the list barely moves.
        assert 0 < int(count.split()[0]) <= int(whole_word_count.split()[0])
        assert rows[0] == whole_word_rows[0]
        assert not [typed for typed, (count, _) in shown.items() if count.startswith("0 of")]


async def test_star_status_skip_and_undo_persist_across_restart(library: Library, bundled_pages, run_app):
    async with run_app(library, size=(120, 30)) as (app, pilot):
        await type_query(pilot, "dragonfly")
        await pilot.press("s", "r", "r")
        await settle(pilot)
        row = list_rows(app)[0]
        assert "★" in row and " R " in row
        await pilot.press("x")
        await settle(pilot)
        assert "✗" in list_rows(app)[0]
        await pilot.press("u")  # undo the skip only
        await settle(pilot)
        assert " R " in list_rows(app)[0]
    reopened = open_library(library.home, bundled_pages)
    paper = reopened.resolve("dragonfly")
    assert paper.starred and paper.status == "reading"

    async with run_app(reopened, size=(120, 30)) as (app, pilot):
        await type_query(pilot, "is:starred")
        assert text_of(app, "#count") == "1 of 452"
        assert "★" in list_rows(app)[0] and "Dragonfly" in list_rows(app)[0]


async def test_cursor_keys_move_the_highlight(library: Library, run_app):
    async with run_app(library, size=(120, 30)) as (app, pilot):
        paper_list = app.query_one(PaperList)
        first = paper_list.highlighted_id
        await pilot.press("j", "j", "down")
        assert paper_list.cursor == 3
        await pilot.press("k")
        assert paper_list.cursor == 2
        await pilot.press("G")
        assert paper_list.cursor == 451
        await pilot.press("g")
        assert paper_list.highlighted_id == first
        await pilot.press("pagedown")
        assert paper_list.cursor > 10
        await pilot.press("pageup")
        assert paper_list.cursor == 0
        await pilot.click(PaperList, offset=(5, 2))
        assert paper_list.cursor == paper_list.scroll_offset.y + 2


async def test_selection_applies_to_all_selected_with_one_undo(library: Library, run_app):
    async with run_app(library, size=(120, 30)) as (app, pilot):
        paper_list = app.query_one(PaperList)
        await pilot.press("space", "space", "space")
        await settle(pilot)
        assert "3 selected" in text_of(app, "#count")
        assert sum("●" in row for row in list_rows(app)) == 3
        chosen = set(paper_list.selected)
        await pilot.press("s")
        await settle(pilot)
        assert all(library.get(pid).starred for pid in chosen)
        await pilot.press("u")
        await settle(pilot)
        assert not any(library.get(pid).starred for pid in chosen)
        await pilot.press("A")
        await settle(pilot)
        assert "selected" not in text_of(app, "#count")
        await type_query(pilot, "hallucination")
        await pilot.press("a")
        await settle(pilot)
        assert f"{len(paper_list.paper_ids_shown())} selected" in text_of(app, "#count")


async def test_a_note_is_saved_when_leaving_the_editor(library: Library, run_app):
    async with run_app(library, size=(160, 45)) as (app, pilot):
        await type_query(pilot, "mmvet")
        await pilot.press("n")
        for character in "ok[/]":
            await pilot.press(character)
        await pilot.press("escape")
        await settle(pilot)
        assert library.resolve("mm-vet").note == "ok[/]"
        assert app.query_one(PaperList).has_focus


async def test_markup_like_text_is_shown_literally(tmp_path: Path, run_app):
    library = Library(tmp_path / "home")
    library.add_papers(
        [
            offered(
                title="[bold]Bold[/] claims about [CLS] tokens [/]",
                abstract="We study [red]colour[/red] and \x1b[31mescape\x1b[0m codes; [link=x]no link[/link].",
            )
        ]
    )
    library.add_tags([next(iter(library)).id], ["[b]"])
    async with run_app(library, size=(160, 45)) as (app, pilot):
        assert "[bold]Bold[/] claims about [CLS] tokens [/]" in list_rows(app)[0]
        assert "#[b]" in list_rows(app)[0]
        assert text_of(app, "#detail-title") == "[bold]Bold[/] claims about [CLS] tokens [/]"
        assert "[red]colour[/red]" in text_of(app, "#detail-abstract")
        await type_query(pilot, "[CLS]")
        assert text_of(app, "#count") == "1 of 1"
        sidebar = app.query_one(Sidebar)
        assert any("#[b]" in sidebar.render_line(y).text for y in range(sidebar.size.height))
        await pilot.press("z", "n")  # the note dialog, titled with the paper's title
        await settle(pilot)
        title = app.screen.query_one("#dialog-title")
        shown = " ".join(title.render_line(y).text.strip() for y in range(title.size.height))
        assert shown == "Note on [bold]Bold[/] claims about [CLS] tokens [/]"


async def test_a_large_library_updates_as_you_type(tmp_path: Path, run_app):
    library = Library(tmp_path / "home")
    words = "vision language model token image video grounding reasoning benchmark alignment".split()
    library.add_papers(
        offered(
            title=f"Model{n}: {words[n % 10].title()} {words[(n // 10) % 10]} {words[(n // 100) % 10]} study",
            abstract=" ".join(words[(n + k) % 10] for k in range(60)),
        )
        for n in range(10_000)
    )
    async with run_app(library, size=(120, 30)) as (app, pilot):
        assert text_of(app, "#count") == "10,000 of 10,000"
        await type_query(pilot, "model4242")
        shown = int(text_of(app, "#count").split()[0].replace(",", ""))
        assert 1 <= shown < 10_000  # near misses (model4241, ...) follow the exact one
        assert "Model4242:" in list_rows(app)[0]


async def test_a_note_is_saved_after_a_pause_in_typing(library: Library, run_app):
    async with run_app(library, size=(160, 45)) as (app, pilot):
        await type_query(pilot, "dragonfly")
        await pilot.press("n", "h", "i")
        await pilot.pause(1.5)  # no typing for longer than the save delay
        assert library.resolve("dragonfly").note == "hi"
        assert app.query_one("#note").has_focus  # still writing


async def test_ctrl_e_hands_the_note_to_the_editor_or_explains_why_not(library: Library, monkeypatch, run_app):
    monkeypatch.setenv("EDITOR", "true")
    async with run_app(library, size=(160, 45)) as (app, pilot):
        await pilot.press("ctrl+e")
        await settle(pilot)
        # The headless test driver cannot suspend the app: the user is told, nothing is lost.
        assert any("cannot hand over to an editor" in message for message in notifications(app))


async def test_the_footer_shows_the_keys_where_the_focus_is_and_a_click_presses_one(library: Library, run_app):
    async with run_app(library, size=(160, 45)) as (app, pilot):
        footer = app.query_one(KeyFooter)
        line = footer.render().plain
        assert "s Star" in line and "e Export" in line and "? Help" in line
        assert line.rstrip().endswith("^p palette")
        await pilot.press("slash")
        await settle(pilot)
        assert "Star" not in footer.render().plain
        await pilot.press("escape")
        await settle(pilot)
        line = footer.render().plain
        await pilot.click(KeyFooter, offset=(line.index("Star"), 0))
        await settle(pilot)
        assert "★" in list_rows(app)[0]
        assert library.get(app.main_screen.paper_list.highlighted_id).starred


async def test_a_narrow_footer_keeps_whole_keys_and_the_palette(library: Library, run_app):
    async with run_app(library, size=(80, 24)) as (app, pilot):
        line = app.query_one(KeyFooter).render().plain
        assert len(line) == 80
        assert "s Star" in line and " … " in line and line.endswith("^p palette ")


async def test_q_quits(library: Library, run_app):
    async with run_app(library, size=(80, 24)) as (app, pilot):
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code == 0 and not app.is_running


async def test_changes_from_another_process_show_up(library: Library, bundled_pages, run_app):
    async with run_app(library, size=(120, 30)) as (app, pilot):
        await type_query(pilot, "dragonfly")
        assert "★" not in list_rows(app)[0]
        other = open_library(library.home, bundled_pages)  # e.g. the CLI in another terminal
        other.set_starred([other.resolve("dragonfly").id], True)
        await pilot.pause(2.5)
        await settle(pilot)
        assert "★" in list_rows(app)[0]


async def test_a_library_file_damaged_from_outside_is_reported_once(library: Library, run_app):
    library.set_starred([library.resolve("dragonfly").id], True)
    async with run_app(library, size=(120, 30)) as (app, pilot):
        library.annotations_path.write_text("{ damaged")
        await pilot.pause(4.5)  # two checks
        reports = [message for message in notifications(app) if "annotations.json" in message]
        assert len(reports) == 1 and "left untouched" in reports[0]
        assert library.annotations_path.read_text() == "{ damaged"


CONTROLS = ("\x1b", "\x07", "\x00", "\x9b", "\u202e")


async def test_no_control_character_from_data_reaches_the_screen(tmp_path: Path, run_app):
    library = Library(tmp_path / "home")
    library.add_papers(
        [
            offered(
                "Clip \x1b]0;HACKED\x07 \x1b[2J Paper \u202eevil\x9b",
                abstract="Also \x1b[31mred\x1b[0m and \x00 here.",
                collections=("page\x1b[2J",),
            )
        ]
    )
    paper = next(iter(library))
    library.set_note(paper.id, "a note \x1b[2J with ESC")
    async with run_app(library, size=(160, 45)) as (app, pilot):
        shown = screen_text(app)
        assert "Clip ␛]0;HACKED␇ ␛[2J Paper" in shown and "a note ␛[2J with ESC" in shown
        assert not any(control in shown for control in CONTROLS)
        await pilot.press("z")  # triage, with its note and collections
        await settle(pilot)
        shown = screen_text(app)
        assert "Clip ␛]0;HACKED␇" in shown and not any(control in shown for control in CONTROLS)
        await pilot.press("n")  # the note dialog, titled with the paper's title
        await settle(pilot)
        shown = screen_text(app)
        assert "Note on Clip ␛]0;HACKED␇" in shown and not any(control in shown for control in CONTROLS)
    assert library.get(paper.id).title.startswith("Clip \x1b]0;HACKED\x07")  # stored as written


async def test_the_app_never_waits_for_another_process_holding_the_lock(library: Library, run_app, bundled_pages):
    """An import in another terminal can hold the lock for minutes: a key press must not block."""
    import subprocess
    import sys

    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from filelock import FileLock; lock = FileLock(sys.argv[1]); "
         "lock.acquire(); print('held', flush=True); sys.stdin.readline()", str(library.home / "library.lock")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        async with run_app(library) as (app, pilot):
            await type_query(pilot, "dragonfly")
            await pilot.press("s")
            await settle(pilot)
            assert any("your changes wait" in message for message in notifications(app))
            assert not open_library(library.home, bundled_pages).resolve("dragonfly").starred
            holder.stdin.write("\n")
            holder.stdin.flush()
            holder.wait(timeout=10)
            await pilot.pause(1.2)  # the next retry
            await settle(pilot)
            assert open_library(library.home, bundled_pages).resolve("dragonfly").starred
            assert "★" in list_rows(app)[0]
            assert any("your changes are saved" in message for message in notifications(app))
    finally:
        holder.kill()


async def test_a_read_only_library_opens_says_so_once_and_refuses_changes(library: Library, run_app):
    (library.home / "library.lock").unlink(missing_ok=True)
    (library.home / "library.lock").mkdir()  # a lock that cannot be taken, even by root
    async with run_app(library) as (app, pilot):
        await type_query(pilot, "dragonfly")
        assert text_of(app, "#count") == "1 of 452"  # searching works
        await pilot.press("s", "x", "s")
        await settle(pilot)
        read_only = [message for message in notifications(app) if "library.lock is a folder" in message]
        assert len(read_only) == 1
        assert not library.resolve("dragonfly").starred


async def test_a_note_changed_elsewhere_while_writing_is_never_overwritten_unseen(library: Library, run_app, bundled_pages):
    other = open_library(library.home, bundled_pages)  # `vlmreader note` in another terminal
    async with run_app(library, size=(160, 45)) as (app, pilot):
        await type_query(pilot, "dragonfly")
        await pilot.press("n", "m", "i", "n", "e")
        other.set_note(other.resolve("dragonfly").id, "theirs")
        await pilot.pause(2.5)  # the save after a pause meets the other note
        await settle(pilot)
        assert type(app.screen).__name__ == "NoteConflictScreen"
        assert open_library(library.home, bundled_pages).resolve("dragonfly").note == "theirs"
        await pilot.press("b")  # keep both
        await settle(pilot)
        kept = open_library(library.home, bundled_pages).resolve("dragonfly").note
        assert kept == "mine\n\n---\ntheirs"
        assert text_of(app, "#note") == kept


async def test_a_note_changed_elsewhere_with_nothing_unsaved_here_is_shown(library: Library, run_app, bundled_pages):
    other = open_library(library.home, bundled_pages)
    async with run_app(library, size=(160, 45)) as (app, pilot):
        await type_query(pilot, "dragonfly")
        await pilot.press("n")  # the editor has the focus, nothing typed
        other.set_note(other.resolve("dragonfly").id, "from the CLI")
        await pilot.pause(2.5)
        await settle(pilot)
        assert text_of(app, "#note") == "from the CLI"
        await pilot.press("end", "!")
        await pilot.press("escape")
        await settle(pilot)
        assert open_library(library.home, bundled_pages).resolve("dragonfly").note == "from the CLI!"


async def test_undo_leaves_a_tag_and_a_note_added_in_another_terminal(library: Library, run_app, bundled_pages):
    async with run_app(library) as (app, pilot):
        await type_query(pilot, "dragonfly")
        await pilot.press("s")
        await settle(pilot)
        other = open_library(library.home, bundled_pages)
        dragonfly = other.resolve("dragonfly").id
        other.add_tags([dragonfly], ["cli-tag"])
        other.set_note(dragonfly, "cli note")
        await pilot.pause(2.5)
        await settle(pilot)
        assert "#cli-tag" in list_rows(app)[0]
        await pilot.press("u")
        await settle(pilot)
        assert "★" not in list_rows(app)[0] and "#cli-tag" in list_rows(app)[0]
    paper = open_library(library.home, bundled_pages).resolve("dragonfly")
    assert not paper.starred and paper.tags == ("cli-tag",) and paper.note == "cli note"


async def test_two_possible_duplicates_are_merged_with_M_and_u_takes_it_back(tmp_path: Path, run_app):
    library = Library(tmp_path / "home")
    library.add_papers(
        [
            offered("Editorial Comments", key="brown1995", fields={"author": "Brown, A.", "year": "1995"}),
            offered("Editorial comments", key="green1996", fields={"author": "Green, B.", "year": "1996"}),
            offered("Editorial Comments", key="white2001", fields={"author": "White, C.", "year": "2001"}),
        ]
    )
    async with run_app(library) as (app, pilot):
        await type_query(pilot, "is:duplicate")
        assert text_of(app, "#count") == "3 of 3"
        await pilot.press("space", "space")  # select the first two; the highlight moves to the third
        await pilot.press("up")  # the second, selected: it is kept
        kept = app.main_screen.paper_list.highlighted_id
        await pilot.press("M")
        await settle(pilot)
        assert len(library) == 2 and kept in library
        assert "selected" not in text_of(app, "#count")
        assert any("(u takes it back)" in message for message in notifications(app))
        await pilot.press("u")
        await settle(pilot)
        assert len(library) == 3 and text_of(app, "#count") == "3 of 3"
        await pilot.press("a", "K")  # all three are different papers
        await settle(pilot)
        assert text_of(app, "#count").startswith("0 of 3")
