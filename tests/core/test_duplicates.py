"""Possible duplicates: merged into one paper (and taken back), or kept apart, as the user says."""

from __future__ import annotations

from pathlib import Path

from tests.papers import offered
from vlmreader.core.library import Library
from vlmreader.core.library.history import History
from vlmreader.core.search import SearchEngine


def two_editorials(tmp_path: Path) -> Library:
    library = Library(tmp_path / "home")
    library.add_papers(
        [
            offered("Editorial Comments", key="brown1995", fields={"author": "Brown, A.", "year": "1995"}, collections=("a",)),
            offered("Editorial comments", key="green1996", fields={"author": "Green, B.", "year": "1996"}, collections=("b",)),
            offered("Something Else", key="else2000"),
        ]
    )
    return library


def duplicate_keys(library: Library) -> list[str]:
    return sorted(library.get(pid).key for pid in SearchEngine(library).search("is:duplicate").paper_ids())


def test_merging_makes_one_paper_that_both_keys_find_and_undo_takes_it_back(tmp_path: Path):
    library = two_editorials(tmp_path)
    brown, green = library.resolve("brown1995"), library.resolve("green1996")
    library.set_starred([green.id], True)
    library.add_tags([brown.id], ["mine"])
    library.set_note(green.id, "from green")
    history = History()

    history.record_merge(library.merge_papers(brown.id, green.id))

    assert len(library) == 2 and green.id not in library
    merged = library.resolve("green1996")  # the other key still finds it
    assert merged.id == brown.id and merged.key == "brown1995" and merged.record.aliases == ("green1996",)
    assert merged.collections == ("a", "b") and merged.starred and merged.tags == ("mine",)
    assert merged.note == "from green" and duplicate_keys(library) == []

    report = history.undo(library)

    assert sorted(paper.key for paper in report.papers) == ["brown1995", "green1996"]
    assert len(library) == 3 and library.resolve("green1996").id == green.id
    assert library.get(green.id).starred and library.get(green.id).note == "from green"
    assert not library.get(brown.id).starred and library.get(brown.id).tags == ("mine",)
    assert duplicate_keys(library) == ["brown1995", "green1996"]


def test_kept_apart_they_are_no_longer_possible_duplicates(tmp_path: Path):
    library = two_editorials(tmp_path)
    assert duplicate_keys(library) == ["brown1995", "green1996"]
    library.keep_apart([library.resolve("brown1995").id, library.resolve("green1996").id])
    reopened = Library(library.home)
    assert duplicate_keys(reopened) == []
    reopened.add_papers([offered("EDITORIAL COMMENTS", key="white2001", fields={"author": "White, C.", "year": "2001"})])
    assert duplicate_keys(reopened) == ["brown1995", "green1996", "white2001"]  # a new one: look again
