"""Annotation changes go to an append-only journal, so a write costs the same however many papers
are annotated; it is folded into annotations.json now and then, and damage is reported."""

from __future__ import annotations

import re

import pytest

from vlmreader.core.library import store
from vlmreader.core.library.storage import LibraryFileError
from vlmreader.core.library import Library
from vlmreader.core.models import SetNote, Star
from vlmreader.core.importing import open_library


def test_a_write_appends_to_the_journal_and_leaves_annotations_json_alone(library: Library, bundled_pages):
    papers = [paper.id for paper in library][:3]
    library.set_starred([papers[0]], True)  # the first write creates annotations.json itself
    before = library.annotations_path.stat()
    library.add_tags(papers[1:], ["vlm"])
    library.set_status([papers[0]], "reading")
    after = library.annotations_path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert len(library.journal_path.read_text().splitlines()) == 2  # one line per change, however many papers
    reopened = open_library(library.home, bundled_pages)
    assert reopened.get(papers[0]).starred and reopened.get(papers[0]).status == "reading"
    assert [reopened.get(pid).tags for pid in papers[1:]] == [("vlm",), ("vlm",)]


def test_the_journal_is_folded_into_annotations_json(library: Library, bundled_pages, monkeypatch):
    monkeypatch.setattr(store, "JOURNAL_FOLD_ENTRIES", 3)
    papers = [paper.id for paper in library][:4]
    for paper_id in papers:
        library.set_starred([paper_id], True)
    assert not library.journal_path.exists()  # folded after the third entry, the fourth wrote it whole
    library.set_note(papers[0], "folded")
    reopened = open_library(library.home, bundled_pages)
    assert all(reopened.get(pid).starred for pid in papers) and reopened.get(papers[0]).note == "folded"


def test_a_torn_last_line_is_an_unacknowledged_write_and_is_dropped(library: Library, bundled_pages):
    first, second = [paper.id for paper in library][:2]
    library.set_starred([first], True)
    library.set_starred([second], True)
    with library.journal_path.open("ab") as journal:  # a kill in the middle of an append
        journal.write(b'[{"id": "' + first.encode() + b'", "starr')
    reopened = open_library(library.home, bundled_pages)
    assert reopened.get(first).starred and reopened.get(second).starred
    reopened.set_note(first, "after the kill")
    again = open_library(library.home, bundled_pages)
    assert again.get(first).note == "after the kill" and again.get(second).starred


def test_a_damaged_journal_is_reported_by_line_and_left_untouched(library: Library, bundled_pages):
    paper_id = next(iter(library)).id
    library.set_starred([paper_id], True)
    library.set_starred([paper_id], False)
    lines = library.journal_path.read_bytes().splitlines(keepends=True)
    damaged = b'{"not": "a journal entry"}\n' + lines[0]
    library.journal_path.write_bytes(damaged)
    with pytest.raises(LibraryFileError, match=r"annotations\.journal.*line 1"):
        open_library(library.home, bundled_pages)
    assert library.journal_path.read_bytes() == damaged


@pytest.mark.parametrize(
    ("line", "why"),
    [
        (b'[{"id": "PAPER", "tags": [1]}]', "tags must be a list of texts"),
        (b'[{"id": "PAPER", "tags": "abc"}]', "tags must be a list of texts"),
        (b'[{"id": "PAPER", "starred": "yes"}]', "starred must be true or false"),
        (b'[{"id": "PAPER", "status": "done"}]', "'done' is not a reading status"),
        (b'[{"id": "PAPER", "note": 5}]', "note and modified must be texts"),
        (b'[{"tags": []}]', "an annotation without a paper id"),
        (b'[7]', "an annotation without a paper id"),
    ],
)
def test_a_journal_line_of_the_wrong_shape_is_reported_never_guessed(library: Library, bundled_pages, line, why):
    paper_id = next(iter(library)).id
    library.set_starred([paper_id], True)
    library.set_starred([paper_id], False)
    damaged = library.journal_path.read_bytes() + line.replace(b"PAPER", paper_id.encode()) + b"\n"
    library.journal_path.write_bytes(damaged)
    with pytest.raises(LibraryFileError, match=rf"line 2 is not a journal entry \((paper \w+: )?{re.escape(why)}\)"):
        open_library(library.home, bundled_pages)
    assert library.journal_path.read_bytes() == damaged


def test_creating_and_removing_the_journal_is_made_durable(library: Library, monkeypatch):
    """A rename or a new file is durable only once its folder is fsynced (POSIX)."""
    from vlmreader.core import files
    from vlmreader.core.library import journal

    synced: list[str] = []
    real = files.fsync_directory

    def recording(directory):
        synced.append("journal" if library.journal_path.exists() else "no journal")
        real(directory)

    monkeypatch.setattr(journal, "fsync_directory", recording)
    monkeypatch.setattr(store, "fsync_directory", recording)
    monkeypatch.setattr(store, "JOURNAL_FOLD_ENTRIES", 2)
    paper_id = next(iter(library)).id
    library.set_starred([paper_id], True)  # the first write: annotations.json, whole
    synced.clear()
    library.set_starred([paper_id], False)  # creates the journal
    assert synced == ["journal"]
    library.set_starred([paper_id], True)  # the fold removes it
    assert synced[-1] == "no journal"


def test_a_full_disk_at_fold_time_keeps_the_change_and_warns_once(library: Library, bundled_pages, monkeypatch):
    from vlmreader.core.library.storage import AtomicJSONStorage

    monkeypatch.setattr(store, "JOURNAL_FOLD_ENTRIES", 2)
    paper_id = next(iter(library)).id
    library.set_starred([paper_id], True)

    def disk_full(self, data):
        raise store.UserError(f"cannot write library file {self.path}: No space left on device")

    monkeypatch.setattr(AtomicJSONStorage, "write", disk_full)
    first = library.update([paper_id], Star(False))
    second = library.update([paper_id], SetNote("still saved"))
    third = library.update([paper_id], Star(True))
    assert first.warning is None  # one journal entry: no fold due yet
    assert "saved in annotations.journal" in second.warning and "No space left" in second.warning
    assert third.warning is None  # said once
    monkeypatch.undo()
    reopened = open_library(library.home, bundled_pages)
    assert reopened.get(paper_id).starred and reopened.get(paper_id).note == "still saved"


def test_temporary_files_a_kill_left_behind_are_removed_on_the_next_open(library: Library, bundled_pages):
    import os
    import time

    old = time.time() - 3600
    leftovers = [library.home / ".library.json.k1ll3d.tmp", library.home / ".search-index.bin.abc.tmp"]
    for path in leftovers:
        path.write_bytes(b"x" * 1000)
        os.utime(path, (old, old))
    in_progress = library.home / ".search-index.bin.now.tmp"  # another process may be writing it
    in_progress.write_bytes(b"x")
    not_ours = library.home / ".mine.tmp"
    not_ours.write_bytes(b"x")
    open_library(library.home, bundled_pages)
    assert not any(path.exists() for path in leftovers)
    assert in_progress.exists() and not_ours.exists()
