"""Authors, year, venue, arXiv id and DOI on the screens: the list, the detail pane, triage and
the sidebar's "Needs metadata" view, driven through the pilot at a small and a large size."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from vlmreader.core.library import Library
from vlmreader.core.models import Paper, PaperRecord
from vlmreader.tui.app import OUTSIDE_CHANGES_INTERVAL
from vlmreader.tui.screens import TriageScreen
from vlmreader.tui.widgets import PaperList
from vlmreader.tui.widgets.sidebar import Sidebar

from .conftest import list_rows, screen_text, settle, text_of

SIZES = [(80, 24), (160, 45)]
LLAVA = "Visual Instruction Tuning"
IMPROVED = "Improved Baselines with Visual Instruction Tuning"
BARE = "A Paper Nobody Has Enriched Yet"
BLANK = "Authors Left Blank"
MARKUP = "Names That Look Like Markup"


@pytest.fixture
def enriched(tmp_path: Path) -> Library:
    """Five papers, in this order: one with everything, one whose venue came a year after its
    arXiv version, one with nothing, one with a year and a blank author field, one whose
    authors and venue look like markup."""
    library = Library(tmp_path / "home")
    library.add_papers(
        [
            Paper(PaperRecord(title=LLAVA, fields={
                "author": "Liu, Haotian and Li, Chunyuan and Wu, Qingyang and Lee, Yong Jae",
                "year": "2023", "booktitle": "NeurIPS", "eprint": "2304.08485", "archiveprefix": "arXiv",
                "primaryclass": "cs.CV", "doi": "10.48550/arXiv.2304.08485",
            })),
            Paper(PaperRecord(title=IMPROVED, fields={
                "author": "Liu, Haotian and Li, Chunyuan", "year": "2023", "booktitle": "CVPR", "venue_year": "2024",
            })),
            Paper(PaperRecord(title=BARE)),
            Paper(PaperRecord(title=BLANK, fields={"author": "  ", "year": "2021"})),
            Paper(PaperRecord(title=MARKUP, fields={
                "author": "[bold]Evil[/bold], Mallory and \x1b]52;c;eA==\x07Trudy and others",
                "year": "2024", "journal": "[red]Journal[/red]",
            })),
        ]
    )
    return library


def row_of(app, title: str) -> str:
    """The list row of the paper titled `title` (cut short, where the row is)."""
    return next(row for row in list_rows(app) if title[:20] in row)


@pytest.mark.parametrize(
    "size, shows_authors",
    [((80, 24), True), ((120, 35), False), ((160, 45), True)],
    ids=["80x24", "120x35", "160x45"],
)
async def test_rows_show_short_authors_and_year_as_the_width_allows(enriched: Library, size, shows_authors, run_app):
    async with run_app(enriched, size=size) as (app, pilot):
        width = app.query_one(PaperList).scrollable_content_region.width
        llava, improved, bare = row_of(app, LLAVA), row_of(app, IMPROVED), row_of(app, BARE)
        assert llava.endswith(" 2023") and improved.endswith(" 2023")
        assert ("Liu et al." in llava) == shows_authors and ("Liu & Li" in improved) == shows_authors
        # The columns line up at the right edge, and the title keeps most of the row.
        assert len(llava) == len(improved) == width
        columns_start = improved.index("Liu & Li") if shows_authors else improved.rindex("2023")
        assert columns_start - len("  ★ · ") >= 44
        # A paper without metadata shows nothing extra, and its title has the whole row.
        assert bare.endswith(BARE) and "–" not in bare
        blank = row_of(app, BLANK)
        assert blank.endswith(" 2021") and len(blank) == width and "–" not in blank


async def test_a_narrow_list_keeps_its_whole_width_for_titles(enriched: Library, run_app):
    """At 110 columns the list is under 50 cells wide: titles only, as before."""
    async with run_app(enriched, size=(110, 30)) as (app, pilot):
        assert app.query_one(PaperList).scrollable_content_region.width < 50
        assert not any("2023" in row for row in list_rows(app))


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
async def test_the_detail_pane_shows_authors_year_venue_arxiv_id_and_doi(enriched: Library, size, run_app):
    async with run_app(enriched, size=size) as (app, pilot):
        assert text_of(app, "#detail-title") == LLAVA
        assert text_of(app, "#detail-byline") == "Haotian Liu, Chunyuan Li, Qingyang Wu, Yong Jae Lee\n2023 · NeurIPS"
        meta = text_of(app, "#detail-meta")
        assert "arxiv  2304.08485 [cs.CV]" in meta and "doi    10.48550/arXiv.2304.08485" in meta
        assert "Liu, Haotian" not in meta  # the BibTeX form is not shown beside the reader's
        screen = screen_text(app)
        assert "Haotian Liu, Chunyuan Li," in screen and "2023 · NeurIPS" in screen

        await pilot.press("j")  # published a year after its first version
        await settle(pilot)
        assert text_of(app, "#detail-byline") == "Haotian Liu, Chunyuan Li\n2023 · CVPR 2024"
        assert "arxiv" not in text_of(app, "#detail-meta")

        await pilot.press("j")  # no metadata: the pane is as it always was
        await settle(pilot)
        assert not app.query_one("#detail-byline").display
        meta = text_of(app, "#detail-meta")
        assert meta.startswith("key ") and "arxiv" not in meta and "doi" not in meta


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
async def test_authors_and_venues_that_look_like_markup_are_shown_as_written(enriched: Library, size, run_app):
    async with run_app(enriched, size=size) as (app, pilot):
        await pilot.press("G")
        await settle(pilot)
        assert text_of(app, "#detail-byline") == (
            "Mallory [bold]Evil[/bold], ␛]52;c;eA==␇Trudy et al.\n2024 · [red]Journal[/red]"
        )
        screen = screen_text(app)
        assert "Mallory [bold]Evil[/bold]," in screen and "[red]Journal[/red]" in screen
        assert "\x1b" not in screen and "\x07" not in screen
        assert "[bold]Evil" in row_of(app, MARKUP)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
async def test_triage_shows_authors_year_and_venue_under_the_title(enriched: Library, size, run_app):
    async with run_app(enriched, size=size) as (app, pilot):
        await pilot.press("z")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TriageScreen)
        assert text_of(screen, "#triage-title") == LLAVA
        assert text_of(screen, "#triage-byline") == "Haotian Liu, Chunyuan Li, Qingyang Wu, Yong Jae Lee\n2023 · NeurIPS"
        title, byline = screen.query_one("#triage-title"), screen.query_one("#triage-byline")
        assert byline.region.y == title.region.bottom  # right under the title
        assert "Haotian Liu, Chunyuan Li" in screen_text(app)
        await pilot.press("l", "l")  # the paper without metadata
        assert text_of(screen, "#triage-title") == BARE
        assert not screen.query_one("#triage-byline").display


def needs_metadata_label(app) -> str:
    sidebar = app.query_one(Sidebar)
    return str(sidebar.get_option("view-needs-metadata").prompt)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
async def test_the_needs_metadata_view_counts_papers_without_authors_and_fills_the_search_bar(
    enriched: Library, size, run_app
):
    async with run_app(enriched, size=size) as (app, pilot):
        sidebar = app.query_one(Sidebar)
        if not sidebar.display:
            await pilot.press("b")  # hidden on a narrow terminal: b shows it
        else:
            await pilot.press("b", "b")  # hide, then show it with the focus
        await settle(pilot)
        assert sidebar.has_focus
        assert needs_metadata_label(app).split() == ["Needs", "metadata", "2"]
        while sidebar.highlighted_option.id != "view-needs-metadata":
            await pilot.press("down")
        await settle(pilot)
        assert "Needs metadata       2" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert app.main_screen.search_bar.text == "-has:author "
        assert app.query_one(PaperList).has_focus
        rows = list_rows(app)
        assert len(rows) == 2 and BARE in rows[0] and BLANK in rows[1]

        await pilot.press("b", "b", "home", "enter")  # back to the sidebar: All
        await settle(pilot)
        assert app.main_screen.search_bar.text.strip() == ""

        # Another vlmreader fills the authors: the count follows.
        other = Library(enriched.home)
        bare = next(paper for paper in other if paper.title == BARE)
        other.revise_records({bare.id: lambda record: replace(record, fields={**record.fields, "author": "Doe, Jane"})})
        await pilot.pause(OUTSIDE_CHANGES_INTERVAL + 0.5)
        await settle(pilot)
        assert needs_metadata_label(app).split() == ["Needs", "metadata", "1"]
        assert "Doe" in row_of(app, BARE)
