"""The merge rules on documents: deterministic and symmetric, whichever side merges."""

from __future__ import annotations

from vlmreader.core.search import parse_query
from vlmreader.core.sync.clock import Clock, make_stamp
from vlmreader.core.sync.merge import merge_paper


def stamp(second: int, machine: str) -> str:
    return make_stamp(1_780_000_000_000 + second * 1000, 0, machine)


def join_notes(base, older, newer):
    return f"{older[0]}|{newer[0]}"


BASE = {"id": "p", "key": "k", "starred": [False, stamp(0, "a")], "tags": {"x": ["x", True, stamp(0, "a")]},
        "note": ["base", stamp(0, "a")]}
LAPTOP = {**BASE, "starred": [True, stamp(5, "laptop")], "tags": {"x": ["x", False, stamp(5, "laptop")]},
          "note": ["laptop", stamp(5, "laptop")]}
DESKTOP = {**BASE, "starred": [False, stamp(9, "desktop")], "status": ["read", stamp(9, "desktop")],
           "tags": {"x": ["x", True, stamp(0, "a")], "y": ["y", True, stamp(9, "desktop")]},
           "note": ["desktop", stamp(9, "desktop")]}


def test_merging_is_symmetric():
    assert merge_paper(BASE, LAPTOP, DESKTOP, join_notes) == merge_paper(BASE, DESKTOP, LAPTOP, join_notes)


def test_the_later_change_wins_each_field():
    merged = merge_paper(BASE, LAPTOP, DESKTOP, join_notes)
    assert merged["starred"][0] is False and merged["status"][0] == "read"
    assert merged["tags"]["x"][1] is False and merged["tags"]["y"][1] is True
    assert merged["note"][0] == "laptop|desktop"


def test_a_side_that_changed_nothing_takes_the_other():
    assert merge_paper(BASE, BASE, DESKTOP, join_notes) == DESKTOP
    assert merge_paper(BASE, LAPTOP, BASE, join_notes) == LAPTOP


def test_a_clock_never_stamps_before_what_it_has_seen():
    seen = stamp(100, "other")
    clock = Clock("here", seen)
    assert clock.stamp(1_780_000_000_000) > seen  # this machine's clock is behind
    assert Clock("here").stamp(1_780_000_050_000) < seen


def test_is_conflict_is_a_filter():
    assert parse_query("is:conflict").conflict is True
    assert parse_query("-is:conflict").conflict is False
    assert not parse_query("is:conflict").problems
