"""The library on disk: first run, merges, annotations, and the safety guarantees."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from vlmreader.core.models import UserError
from vlmreader.core.library.storage import LibraryFileError
from vlmreader.core.library import Library, UnknownPaperError
from tests.papers import offered
from vlmreader.resources import data_dir
from vlmreader.core.importing import open_library

DRAGONFLY = "dragonfly"


def test_first_use_imports_the_bundled_corpus(library: Library):
    assert len(library) == 452
    assert len({paper.key for paper in library}) == 452
    paper = library.resolve(DRAGONFLY)
    assert paper.status == "unread" and not paper.starred and paper.tags == ()
    assert paper.collections == ("high-resolution",)


def test_annotations_persist_and_reopening_adds_nothing(library: Library, bundled_pages):
    paper = library.resolve(DRAGONFLY)
    library.set_starred([paper.id], True)
    library.add_tags([paper.id], ["hi-res", "VLM", "vlm", "zoom"])
    library.remove_tags([paper.id], ["ZOOM"])
    library.set_status([paper.id], "reading")
    library.set_note(paper.id, "Read **section 3**.\n\n[CLS] stays literal.")
    reopened = open_library(library.home, bundled_pages)
    assert len(reopened) == 452
    again = reopened.resolve(DRAGONFLY)
    assert again.starred and again.status == "reading"
    assert again.tags == ("hi-res", "VLM")  # ordered, case-insensitively unique
    assert again.note == "Read **section 3**.\n\n[CLS] stays literal."
    assert again.annotation.modified


def test_new_corpus_papers_are_added_without_touching_annotations_or_keys(tmp_path: Path, bundled_pages):
    first_pages, last_page = bundled_pages[:-1], bundled_pages[-1]
    library = open_library(tmp_path / "home", first_pages)
    before = len(library)
    keys_before = {paper.id: paper.key for paper in library}
    some = list(library)[:3]
    library.set_starred([p.id for p in some], True)
    library.set_note(some[0].id, "mine")

    grown = open_library(tmp_path / "home", first_pages + [last_page])
    assert len(grown) == 452 > before
    assert all(grown.get(pid).key == key for pid, key in keys_before.items())
    assert all(grown.get(p.id).starred for p in some)
    assert grown.get(some[0].id).note == "mine"


def test_each_field_keeps_the_time_of_its_own_last_change(library: Library, bundled_pages, monkeypatch):
    clock = iter(["2026-12-04T10:00:00+00:00", "2026-12-04T11:00:00+00:00", "2026-12-04T12:00:00+00:00"])
    monkeypatch.setattr("vlmreader.core.library.store.now_timestamp", lambda: next(clock))
    paper = library.resolve(DRAGONFLY)
    library.set_starred([paper.id], True)
    library.add_tags([paper.id], ["hi-res", "zoom"])
    library.remove_tags([paper.id], ["zoom"])
    for annotation in (library.get(paper.id).annotation, open_library(library.home, bundled_pages).get(paper.id).annotation):
        assert annotation.modified == "2026-12-04T12:00:00+00:00"
        assert annotation.changed_at("starred") == "2026-12-04T10:00:00+00:00"
        assert annotation.changed_at("tag:hi-res") == "2026-12-04T11:00:00+00:00"
        assert annotation.changed_at("tag:zoom") == "2026-12-04T12:00:00+00:00"  # the removal's time stays
        assert annotation.changed_at("note") == ""  # never changed


def test_resolve_by_key_id_and_unique_prefix(library: Library):
    paper = library.resolve(DRAGONFLY)
    assert library.resolve(paper.id).id == paper.id
    assert library.resolve(paper.id[:6]).id == paper.id
    assert library.resolve("DragonFly").id == paper.id  # keys compare case-insensitively
    with pytest.raises(UnknownPaperError, match="ambiguous"):
        library.resolve("1")
    with pytest.raises(UnknownPaperError, match="no paper"):
        library.resolve("no-such-paper")


def test_bad_tags_and_statuses_are_user_errors(library: Library):
    paper = library.resolve(DRAGONFLY)
    for bad in ["two words", "a,b", "", "-minus"]:
        with pytest.raises(UserError):
            library.add_tags([paper.id], [bad])
    with pytest.raises(UserError, match="unknown status"):
        library.set_status([paper.id], "done")
    assert library.resolve(DRAGONFLY).tags == ()


def test_an_annotation_write_does_not_rewrite_the_corpus(library: Library):
    before = library.papers_path.stat()
    library.set_starred([library.resolve(DRAGONFLY).id], True)
    after = library.papers_path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert library.annotations_path.stat().st_size < 2_000


def test_an_import_merged_into_a_paper_gives_it_the_users_key_and_the_old_key_still_finds_it(library: Library):
    paper = library.resolve(DRAGONFLY)
    report = library.add_papers(
        [
            offered(
                title="DRAGONFLY: multi-resolution zoom supercharges large visual-language model",
                entry_type="article",
                fields={"author": "Thapa, Rahul and others", "year": "2024"},
                key="thapa2024dragonfly",
                tags=("imported",),
            ),
            offered(title="A Brand New Paper", key="dragonfly"),
        ]
    )
    assert [p.id for p in report.merged] == [paper.id]
    merged = library.get(paper.id)
    assert merged.key == "thapa2024dragonfly"  # what the user's document cites
    assert merged.record.aliases == (DRAGONFLY,) and library.resolve(DRAGONFLY).id == paper.id
    assert report.renamed == [(DRAGONFLY, "thapa2024dragonfly")]
    assert merged.record.fields["year"] == "2024"
    assert merged.tags == ("imported",)
    (new,) = report.added
    assert new.key != DRAGONFLY and report.rekeyed == [("dragonfly", new.key)]  # an alias is taken too


def test_schema_version_is_stored(library: Library):
    library.set_starred([library.resolve(DRAGONFLY).id], True)
    for path in (library.papers_path, library.annotations_path):
        assert json.loads(path.read_text())["_meta"]["1"]["schema_version"] == 1


@pytest.mark.parametrize("name", ["library.json", "annotations.json"])
@pytest.mark.parametrize("content", [b"{not json", b"", b"[1, 2]", b'{"papers": {"1": {"title": "no id"}}}'])
def test_a_corrupt_file_is_reported_and_never_overwritten(tmp_path: Path, bundled_pages, name, content):
    home = tmp_path / "home"
    open_library(home, bundled_pages)
    (home / name).write_bytes(content)
    with pytest.raises(LibraryFileError) as raised:
        library = open_library(home, bundled_pages)
        library.set_starred([next(iter(library)).id], True)
    assert str(home / name) in str(raised.value)
    assert (home / name).read_bytes() == content


def test_an_unreadable_file_is_reported(tmp_path: Path, bundled_pages):
    home = tmp_path / "home"
    home.mkdir()
    (home / "library.json").mkdir()  # a directory where the file should be: unreadable even as root
    with pytest.raises(LibraryFileError, match="library.json"):
        open_library(home, bundled_pages)


def test_a_newer_schema_is_refused(library: Library, bundled_pages):
    data = json.loads(library.papers_path.read_text())
    data["_meta"]["1"]["schema_version"] = 99
    library.papers_path.write_text(json.dumps(data))
    with pytest.raises(LibraryFileError, match="newer vlmreader"):
        open_library(library.home, bundled_pages)


def test_a_schema_version_that_is_not_a_number_is_reported_as_such(library: Library, bundled_pages):
    data = json.loads(library.papers_path.read_text())
    data["_meta"]["1"]["schema_version"] = "1"
    library.papers_path.write_text(json.dumps(data))
    with pytest.raises(LibraryFileError, match=r"its schema version '1' is not one vlmreader writes"):
        open_library(library.home, bundled_pages)


@pytest.mark.parametrize("cache", ["search-index.bin", "records-cache.bin"])
@pytest.mark.parametrize("content", [b"1\n", b"[]\n", b'{"format": 2, "source": null}\n', b"\xff\xfe", b""])
def test_any_content_of_a_cache_file_means_rebuild(library: Library, bundled_pages, cache, content):
    from vlmreader.core.search import SearchEngine

    (library.home / cache).write_bytes(content)
    reopened = open_library(library.home, bundled_pages)
    assert len(SearchEngine(reopened).search("dragonfly")) >= 1
    assert len(reopened) == 452


@pytest.mark.parametrize("cache", ["search-index.bin", "records-cache.bin"])
def test_a_cache_file_cut_short_means_rebuild(library: Library, bundled_pages, cache):
    from vlmreader.core.search import SearchEngine

    found = SearchEngine(library).search("dragonfly zoom").paper_ids()
    whole = (library.home / cache).read_bytes()
    for length in (len(whole) // 3, len(whole) - 9, len(whole) - 1):
        (library.home / cache).write_bytes(whole[:length])
        reopened = open_library(library.home, bundled_pages)
        assert SearchEngine(reopened).search("dragonfly zoom").paper_ids() == found
        assert reopened.records() == library.records()
    assert (library.home / cache).read_bytes() == whole  # rebuilt as it was


def test_a_record_found_damaged_when_read_is_read_from_the_library_file(library: Library, bundled_pages):
    dragonfly = library.resolve("dragonfly")
    cache = library.records_cache_path.read_bytes()
    sentence = dragonfly.abstract[:40].encode("utf-8")
    assert cache.count(sentence) == 1
    library.records_cache_path.write_bytes(cache.replace(sentence, b"\xff" * len(sentence)))  # not UTF-8
    reopened = open_library(library.home, bundled_pages)
    assert reopened.get(dragonfly.id).abstract == dragonfly.abstract
    assert reopened.records() == library.records()


# -- real processes ----------------------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from vlmreader.core.importing import bundled_pages, open_library
    home, prefix, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    library = open_library(home, bundled_pages(Path(sys.argv[4])))
    paper = library.resolve("dragonfly")
    others = [p.id for p in library][:50]
    print("ready", flush=True)
    sys.stdin.readline()
    for i in range(count):
        library.add_tags([paper.id], [f"{prefix}{i}"])
        library.set_note(others[i % len(others)], f"{prefix} note {i}")
        print(i, flush=True)
    """
)


def _start_writer(home: Path, prefix: str, count: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(home), prefix, str(count), str(data_dir())],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "ready"
    return process


def test_two_processes_writing_at_once_lose_no_update(library: Library, bundled_pages):
    writers = [_start_writer(library.home, prefix, 40) for prefix in ("a", "b")]
    for writer in writers:
        writer.stdin.write("go\n")
        writer.stdin.flush()
    for writer in writers:
        writer.communicate(timeout=120)
        assert writer.returncode == 0
    tags = open_library(library.home, bundled_pages).resolve(DRAGONFLY).tags
    assert sorted(tags) == sorted([f"a{i}" for i in range(40)] + [f"b{i}" for i in range(40)])


@pytest.mark.parametrize("attempt", range(3))
def test_a_kill_at_any_moment_keeps_every_acknowledged_write(library: Library, bundled_pages, attempt):
    writer = _start_writer(library.home, "k", 10_000)
    writer.stdin.write("go\n")
    writer.stdin.flush()
    acknowledged = -1
    kill_after = random.Random(attempt).uniform(0.05, 0.6)
    started = time.monotonic()
    while time.monotonic() - started < kill_after:
        line = writer.stdout.readline()
        if not line:
            break
        acknowledged = int(line)
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(timeout=30)
    assert acknowledged >= 0, "the writer never acknowledged a write"
    reopened = open_library(library.home, bundled_pages)  # must not be corrupt
    tags = set(reopened.resolve(DRAGONFLY).tags)
    assert {f"k{i}" for i in range(acknowledged + 1)} <= tags
    leftovers = [p.name for p in library.home.iterdir() if p.name.endswith(".tmp")]
    # A killed writer may leave one temporary file; it is never mistaken for the library.
    assert len(leftovers) <= 1


@pytest.mark.parametrize("tag", ["a\x1bb", "bell\x07", "rtl\u202e", "c1\x9b"])
def test_a_tag_cannot_hold_control_characters(library: Library, tag: str):
    with pytest.raises(UserError, match="control characters"):
        library.add_tags([next(iter(library)).id], [tag])


def test_titles_without_letters_or_digits_stay_separate_papers(tmp_path: Path):
    library = Library(tmp_path / "home")
    report = library.add_papers([offered("!!!"), offered("..."), offered("!!!  "), offered("Fine")])
    assert sorted(paper.title for paper in report.added) == ["!!!", "...", "Fine"]
    assert len(library) == 3  # "!!!  " is "!!!" again
