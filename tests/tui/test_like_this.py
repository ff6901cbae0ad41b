"""Queries in the user's own words, "more like this" and suggested tags, as the user sees them."""

from __future__ import annotations

import re

import pytest

from vlmreader.core.library import Library
from vlmreader.core.search import SearchIndex
from vlmreader.core.search.engine import SearchEngine
from vlmreader.tui.screens import AddTagsScreen, TriageScreen
from vlmreader.tui.screens.main import DETAIL_DELAY_WHILE_TYPING, LIKE_THIS_DELAY, LIKE_THIS_FIRST_DELAY
from vlmreader.tui.widgets import KeyFooter, PaperList
from vlmreader.tui.widgets.paper_list import SEPARATOR, SEPARATOR_WITHOUT_STRICT

from .conftest import list_rows, screen_text, settle, text_of, type_query, type_text

SIZES = [(80, 24), (120, 35)]


async def rest_on_the_paper(pilot) -> None:
    """Wait as a reader does: long enough for the papers like the highlighted one to be found
    (the first time, with the ranking's index to load, longer)."""
    await pilot.pause(max(LIKE_THIS_DELAY, LIKE_THIS_FIRST_DELAY) + 0.1)
    await settle(pilot)


def related(library: Library, key: str, limit: int = 3) -> list[str]:
    """The papers most like `key`'s, as the core ranks them."""
    return [paper_id for paper_id, _ in SearchEngine(library).index.related(library.resolve(key).id, limit)]


def footer_keys(app) -> list[str]:
    keys, _ = app.screen.query_one(KeyFooter).shown_keys()
    return [key.description for key in keys]


@pytest.mark.parametrize("size", SIZES)
async def test_papers_with_most_of_the_words_follow_a_separator_the_cursor_skips(library: Library, size, run_app):
    async with run_app(library, size=size) as (app, pilot):
        await type_query(pilot, "llava uhd")
        paper_list = app.query_one(PaperList)
        rows = list_rows(app)
        assert "LLaVA-UHD: an LMM" in rows[0]
        assert rows[1].strip() in SEPARATOR  # the whole sentence, or a shorter one in a narrow list
        partial = len(paper_list.result) - 1
        assert partial > 0
        assert text_of(app, "#count") == f"1 of 452 · {partial} with most words"
        await pilot.press("j")  # over the separator, onto the first paper with most of the words
        assert paper_list.cursor == 1
        first_partial = library.get(paper_list.highlighted_id).title
        assert rows[2].lstrip(" ·").startswith(first_partial[:30])
        await pilot.pause(0.3)
        assert text_of(app, "#detail-title") == first_partial
        await pilot.press("k")
        assert "LLaVA-UHD" in library.get(paper_list.highlighted_id).title
        await pilot.click(PaperList, offset=(10, 1))  # the separator line: nothing happens
        assert paper_list.cursor == 0
        await pilot.press("a")  # select all: the papers, not the line
        await settle(pilot)
        assert paper_list.selected == set(paper_list.paper_ids_shown())
        assert len(paper_list.selected) == partial + 1
        assert f"{partial + 1} selected" in text_of(app, "#count")


async def test_a_question_no_paper_answers_word_for_word_still_finds_papers(library: Library, run_app):
    async with run_app(library, size=(120, 35)) as (app, pilot):
        await type_query(pilot, "make the model answer faster by dropping unimportant image patches")
        paper_list = app.query_one(PaperList)
        rows = list_rows(app)
        assert rows[0].strip() in SEPARATOR_WITHOUT_STRICT
        assert re.fullmatch(r"0 of 452 · \d+ with most words", text_of(app, "#count"))
        assert paper_list.cursor == 0  # the first paper, under the line
        assert rows[1].lstrip(" ·").startswith(library.get(paper_list.highlighted_id).title[:30])
        titles = " ".join(library.get(pid).title.lower() for pid in paper_list.paper_ids_shown()[:10])
        assert "token" in titles and ("pruning" in titles or "reduction" in titles)


async def test_m_shows_the_papers_like_the_highlighted_one_and_escape_goes_back(library: Library, run_app):
    async with run_app(library, size=(120, 35)) as (app, pilot):
        paper_list = app.query_one(PaperList)
        await type_query(pilot, "llava uhd")
        await pilot.press("j", "j")
        chosen = library.get(paper_list.highlighted_id)
        await pilot.press("m")
        await settle(pilot)
        assert app.main_screen.search_bar.text == f"like:{chosen.key} "
        assert text_of(app, "#count").endswith("· most alike first")
        shown = paper_list.paper_ids_shown()
        assert chosen.id not in shown and len(shown) > 3
        assert paper_list.cursor == 0 and paper_list.highlighted_id == related(library, chosen.key, 1)[0]
        assert "Back" in footer_keys(app)
        # Again from there, on another paper; then escape twice goes back through both views.
        await pilot.press("j")
        second = library.get(paper_list.highlighted_id)
        await pilot.press("m")
        await settle(pilot)
        assert app.main_screen.search_bar.text == f"like:{second.key} "
        await pilot.press("escape")
        await settle(pilot)
        assert app.main_screen.search_bar.text == f"like:{chosen.key} "
        assert paper_list.highlighted_id == second.id
        await pilot.press("escape")
        await settle(pilot)
        assert app.main_screen.search_bar.text == "llava uhd"
        assert paper_list.highlighted_id == chosen.id
        assert "Back" not in footer_keys(app)
        await pilot.press("escape")  # nothing more to go back to
        await settle(pilot)
        assert app.main_screen.search_bar.text == "llava uhd"


async def test_the_like_view_can_be_refined_and_triaged(library: Library, run_app):
    library.set_status([related(library, "llava-uhd", 1)[0]], "read")
    async with run_app(library, size=(120, 35)) as (app, pilot):
        paper_list = app.query_one(PaperList)
        await type_query(pilot, "llava uhd")
        await pilot.press("m")
        await settle(pilot)
        everything_like_it = paper_list.paper_ids_shown()
        await pilot.press("slash", "end")
        await type_text(pilot, "is:unread")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        unread_like_it = paper_list.paper_ids_shown()
        assert unread_like_it == [pid for pid in everything_like_it if library.get(pid).status == "unread"]
        assert len(unread_like_it) == len(everything_like_it) - 1
        await pilot.press("z")
        await settle(pilot)
        assert isinstance(app.screen, TriageScreen)
        assert app.screen.paper_ids == unread_like_it
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("escape")  # still a view of papers like one: back to the query before it
        await settle(pilot)
        assert app.main_screen.search_bar.text == "llava uhd"


async def test_typing_a_query_of_ones_own_leaves_the_like_views_behind(library: Library, run_app):
    async with run_app(library, size=(120, 35)) as (app, pilot):
        await type_query(pilot, "llava uhd")
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("slash", "ctrl+u")
        await type_text(pilot, "dragonfly")
        await pilot.press("escape")
        await settle(pilot)
        assert "Back" not in footer_keys(app)
        await pilot.press("escape")
        await settle(pilot)
        assert app.main_screen.search_bar.text == "dragonfly"


async def test_m_in_triage_leaves_it_for_the_papers_like_that_one(library: Library, run_app):
    async with run_app(library, triage_query="in:high", size=(80, 24)) as (app, pilot):
        triage = app.screen
        await pilot.press("q", "l")  # a decision, and one left for later: the third paper now
        current = library.get(triage.paper_ids[2])
        await pilot.press("m")
        await settle(pilot)
        assert app.screen is app.main_screen
        assert app.main_screen.search_bar.text == f"like:{current.key} "
        assert app.query_one(PaperList).paper_ids_shown()[:3] == related(library, current.key)
        await pilot.press("escape")  # back to the list as it was before triage, on that paper
        await settle(pilot)
        assert app.main_screen.search_bar.text == ""
        assert app.query_one(PaperList).highlighted_id == current.id
        assert library.get(triage.paper_ids[0]).status == "queued"


async def test_the_details_list_the_three_closest_papers_and_1_goes_to_the_first(library: Library, run_app):
    async with run_app(library, size=(160, 60)) as (app, pilot):
        await type_query(pilot, "llava uhd")
        await rest_on_the_paper(pilot)
        closest = [library.get(pid) for pid in related(library, "llava-uhd")]
        screen = screen_text(app)
        assert "Like this:" in screen
        for number, paper in enumerate(closest, 1):
            assert re.search(rf"\b{number} {re.escape(paper.title[:25])}", screen), paper.title
        paper_list = app.query_one(PaperList)
        assert closest[0].id in paper_list.paper_ids_shown()  # a partial match of "llava uhd"
        await pilot.press("1")
        await settle(pilot)
        assert paper_list.highlighted_id == closest[0].id
        assert app.main_screen.search_bar.text == "llava uhd"  # the same list, another paper
        # Typing a digit into the search bar types it.
        await pilot.press("slash", "end", "2")
        await settle(pilot)
        assert app.main_screen.search_bar.text == "llava uhd2"


async def test_a_close_paper_the_list_does_not_show_opens_the_like_view_on_it(library: Library, run_app):
    dragonfly = library.resolve("dragonfly")
    library.set_starred([dragonfly.id], True)
    async with run_app(library, size=(160, 60)) as (app, pilot):
        await type_query(pilot, "is:starred")
        await rest_on_the_paper(pilot)
        closest = related(library, "dragonfly")
        await pilot.press("2")
        await settle(pilot)
        paper_list = app.query_one(PaperList)
        assert app.main_screen.search_bar.text == "like:dragonfly "
        assert paper_list.highlighted_id == closest[1]
        await pilot.press("escape")
        await settle(pilot)
        assert app.main_screen.search_bar.text == "is:starred"
        assert paper_list.highlighted_id == dragonfly.id


@pytest.fixture
def asked_related(monkeypatch) -> list[str]:
    """The papers whose closest papers the app looks up, in order, as it asks the index."""
    asked: list[str] = []
    related_of = SearchIndex.related

    def counting_related(index, paper_id, limit=3):
        asked.append(paper_id)
        return related_of(index, paper_id, limit)

    monkeypatch.setattr(SearchIndex, "related", counting_related)
    return asked


async def test_moving_fast_through_the_list_looks_for_papers_like_the_last_one_only(
    library: Library, run_app, asked_related: list[str]
):
    asked = asked_related
    async with run_app(library, size=(160, 60)) as (app, pilot):
        await rest_on_the_paper(pilot)
        asked.clear()
        for _ in range(30):
            await pilot.press("j")
        await rest_on_the_paper(pilot)
        paper_list = app.query_one(PaperList)
        assert paper_list.cursor == 30
        assert asked[-1] == paper_list.highlighted_id
        assert len(asked) <= 3, asked  # not one per paper passed
        assert "Like this:" in screen_text(app)


async def test_typing_soon_after_start_up_loads_no_ranking_for_the_first_paper(
    library: Library, run_app, asked_related: list[str]
):
    async with run_app(library, size=(120, 35)) as (app, pilot):
        first_paper = app.main_screen.paper_list.highlighted_id
        await pilot.pause(0.5)  # a person reading the first screen, then typing
        await pilot.press("slash", *"vision")
        await pilot.pause(DETAIL_DELAY_WHILE_TYPING + LIKE_THIS_FIRST_DELAY + 0.1)
        await settle(pilot)
        top_paper = app.main_screen.paper_list.highlighted_id
        assert asked_related == [top_paper] != [first_paper]


async def test_the_tag_dialog_suggests_the_tags_of_similar_papers_one_key_each(library: Library, run_app):
    library.add_tags(related(library, "llava-uhd", 4), ["hi-res"])
    library.add_tags(related(library, "llava-uhd", 1), ["to-cite"])
    async with run_app(library, size=(80, 24)) as (app, pilot):
        await type_query(pilot, "llava uhd")
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, AddTagsScreen)
        assert app.screen.suggestions[0] == "hi-res"
        screen = screen_text(app)
        assert "Suggested, from papers like this:" in screen
        assert re.search(r"F1 +hi-res", screen) and re.search(r"F2 +to-cite", screen)
        await type_text(pilot, "mine")
        await pilot.press("f1")  # the suggestion and what was typed, at once
        await settle(pilot)
        assert app.screen is app.main_screen
        assert library.resolve("llava-uhd").tags == ("mine", "hi-res")


async def test_tagging_in_triage_takes_a_suggestion_with_one_key(library: Library, run_app):
    library.add_tags(related(library, "llava-uhd"), ["hi-res"])
    async with run_app(library, triage_query='"LLaVA-UHD"', size=(80, 24)) as (app, pilot):
        assert isinstance(app.screen, TriageScreen)
        assert app.screen.current.key == "llava-uhd"
        await pilot.press("t")
        await settle(pilot)
        assert "F1  hi-res" in screen_text(app)
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, TriageScreen)
        assert library.resolve("llava-uhd").tags == ("hi-res",)
        assert "tags hi-res" in text_of(app.screen, "#triage-meta")


async def test_without_tags_in_the_library_the_dialog_suggests_nothing(library: Library, run_app):
    async with run_app(library, size=(80, 24)) as (app, pilot):
        await pilot.press("t")
        await settle(pilot)
        assert app.screen.suggestions == []
        assert "Suggested" not in screen_text(app)
        await pilot.press("f1")  # nothing to take: the dialog stays
        await settle(pilot)
        assert isinstance(app.screen, AddTagsScreen)


async def test_the_palette_offers_more_like_this(library: Library, run_app):
    from .test_palette_and_settings import run_palette

    async with run_app(library, size=(120, 35)) as (app, pilot):
        first = library.get(app.query_one(PaperList).highlighted_id)
        await run_palette(pilot, "more like this")
        assert app.main_screen.search_bar.text == f"like:{first.key} "
