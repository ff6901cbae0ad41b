"""Possible duplicates in the app: near-duplicates listed by is:duplicate, merged with M (u takes
it back), kept apart with K."""

from __future__ import annotations

from pathlib import Path

import pytest

from vlmreader.core.importing import import_files, open_library
from vlmreader.core.library import Library

from .conftest import list_rows, notifications, settle, text_of, type_query


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
async def test_an_imported_near_duplicate_is_listed_and_merged_into_the_bundled_paper(
    library: Library, bundled_pages, tmp_path: Path, run_app, size
):
    mine = tmp_path / "mine.bib"
    mine.write_text(
        "@article{fan2024mousi, title = {MouSi: PolyVisual Expert Vision-Language Model}, author = {Fan, Xiaoran}}\n"
        "@article{vla2025, title = {What matters when building vision-language-action models?}}\n"
    )
    import_files(library, [mine])
    bundled = library.resolve("mousi")
    async with run_app(library, size=size) as (app, pilot):
        await type_query(pilot, "is:duplicate")
        assert text_of(app, "#count") == "2 of 454"
        rows = list_rows(app)
        assert "MouSi: Poly-Visual-Expert" in rows[0] and "MouSi: PolyVisual Expert" in rows[1]
        await pilot.press("space", "space")  # both selected; the highlight is on the imported one
        await pilot.press("up")  # the bundled one keeps its key
        await pilot.press("M")
        await settle(pilot)
        assert len(library) == 453 and library.resolve("fan2024mousi").id == bundled.id
        assert text_of(app, "#count").startswith("0 of 453")
        assert any("Merged fan2024mousi into mousi" in message for message in notifications(app))
        await pilot.press("u")
        await settle(pilot)
        assert len(library) == 454 and text_of(app, "#count") == "2 of 454"
        await pilot.press("a", "K")  # after all, two papers
        await settle(pilot)
        assert text_of(app, "#count").startswith("0 of 454")
    reopened = open_library(library.home, bundled_pages)
    assert reopened.resolve("fan2024mousi").id != reopened.resolve("mousi").id
