"""What the screens look like, as SVG snapshots (pytest-textual-snapshot).

The baselines in `__snapshots__/` were checked by eye. After a deliberate change to the look,
or a new Textual, regenerate them with `pytest tests/tui/test_snapshots.py --snapshot-update`,
look at every changed SVG (on a mismatch, pytest writes a report that shows old and new side
by side) and update `BASELINES_MADE_WITH` before committing them.
"""

from __future__ import annotations

from importlib.metadata import version

import pytest

from vlmreader.core.library import Library
from vlmreader.tui.app import make_app
from vlmreader.tui.screens.main import LIKE_THIS_DELAY

SIZES = [(80, 24), (160, 45)]
BASELINES_MADE_WITH = {"textual": "8.2.8", "rich": "15.0.0"}
"""Another Textual or Rich draws the same screen into different SVG: the snapshots then say
nothing about vlmreader, so they are skipped until someone regenerates and checks them."""

pytestmark = pytest.mark.skipif(
    any(version(package) != made_with for package, made_with in BASELINES_MADE_WITH.items()),
    reason=f"the snapshot baselines were made with {BASELINES_MADE_WITH}; regenerate them and check by eye",
)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_main_screen_after_a_query_and_a_star(snap_compare, library: Library, size):
    async def type_a_query_with_a_typo_and_star_the_first(pilot):
        await pilot.press("slash", *"halucination decoding")
        await pilot.app.workers.wait_for_complete()
        await pilot.press("escape", "s", "down", "space")
        await pilot.pause(LIKE_THIS_DELAY + 0.1)  # the details' "Like this:" papers, found in a worker
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    app = make_app(library)
    assert snap_compare(app, terminal_size=size, run_before=type_a_query_with_a_typo_and_star_the_first)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_triage_screen_after_two_decisions(snap_compare, library: Library, size):
    async def decide_twice(pilot):
        await pilot.pause()
        await pilot.press("q", "x")
        await pilot.pause()

    app = make_app(library, triage_query="in:interleaved")
    assert snap_compare(app, terminal_size=size, run_before=decide_twice)
