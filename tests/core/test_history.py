"""Undo, field by field: an action is taken back without erasing what another process did since."""

from __future__ import annotations

from vlmreader.core.importing import open_library
from vlmreader.core.library import Library
from vlmreader.core.library.history import History
from vlmreader.core.models import AddTags, SetNote, SetStatus, Star

DRAGONFLY = "dragonfly"


def another_process(library: Library, bundled_pages) -> Library:
    """The same home opened again: what `vlmreader tag ...` in a second terminal does."""
    return open_library(library.home, bundled_pages)


def test_undoing_a_star_leaves_a_tag_and_a_note_made_elsewhere_since(library: Library, bundled_pages):
    history = History()
    paper = library.resolve(DRAGONFLY)
    history.record(library.update([paper.id], Star(True)))
    cli = another_process(library, bundled_pages)
    cli.add_tags([paper.id], ["cli-tag"])
    cli.set_note(paper.id, "cli note")

    report = history.undo(library)

    assert report is not None and report.kept == []
    now = open_library(library.home, bundled_pages).get(paper.id)
    assert not now.starred
    assert now.tags == ("cli-tag",) and now.note == "cli note"
    assert len(history) == 0


def test_a_field_changed_elsewhere_since_is_left_and_reported(library: Library, bundled_pages):
    history = History()
    paper = library.resolve(DRAGONFLY)
    history.record(library.update([paper.id], SetStatus("queued")))
    another_process(library, bundled_pages).set_status([paper.id], "read")

    report = history.undo(library)

    assert [(change.field, change.after) for change in report.kept] == [("status", "queued")]
    assert open_library(library.home, bundled_pages).get(paper.id).status == "read"


def test_undoing_a_tag_removes_only_that_tag(library: Library, bundled_pages):
    history = History()
    paper = library.resolve(DRAGONFLY)
    library.add_tags([paper.id], ["mine"])
    history.record(library.update([paper.id], AddTags(("to-cite",))))
    another_process(library, bundled_pages).add_tags([paper.id], ["theirs"])

    history.undo(library)

    assert open_library(library.home, bundled_pages).get(paper.id).tags == ("mine", "theirs")


def test_a_selection_is_one_step_and_older_steps_follow(library: Library):
    history = History()
    ids = [paper.id for paper in library][:3]
    history.record(library.update([ids[0]], SetNote("first")))
    history.record(library.update(ids, Star(True)))

    report = history.undo(library)

    assert sorted(paper.id for paper in report.papers) == sorted(ids)
    assert not any(library.get(paper_id).starred for paper_id in ids)
    assert library.get(ids[0]).note == "first"
    history.undo(library)
    assert library.get(ids[0]).note == ""
    assert history.undo(library) is None


def test_an_action_that_changes_nothing_is_not_a_step(library: Library):
    history = History()
    paper = library.resolve(DRAGONFLY)
    history.record(library.update([paper.id], Star(False)))  # it was not starred
    assert len(history) == 0
