"""The fast copy of the paper records beside library.json: used when current, never trusted over it."""

from __future__ import annotations

import shutil
from pathlib import Path

from vlmreader.core.library import record_cache
from vlmreader.core.library import Library
from vlmreader.core.importing import open_library
from tests.papers import offered


def reopen_without_cache(library: Library, bundled_pages) -> Library:
    library.records_cache_path.unlink()
    return open_library(library.home, bundled_pages)


def test_a_reopened_library_reads_the_same_records_from_its_cache(library: Library, bundled_pages, monkeypatch):
    library.add_papers(
        [
            offered(
                title="Ünïcode: Ω-Bench and 数据 for VLMs",
                abstract="Line one.\nLine two with [CLS] and a tab\there.",
                collections=("refs", "more refs"),
                entry_type="article",
                fields={"author": "Doe, Jane and Roe, R.", "year": "2024"},
            )
        ]
    )
    assert library.records_cache_path.exists()
    files_parsed: list[Path] = []
    read = Library._read
    monkeypatch.setattr(Library, "_read", lambda self, db, path: files_parsed.append(path) or read(self, db, path))
    from_cache = open_library(library.home, bundled_pages)
    assert files_parsed == [library.annotations_path]  # library.json's records came from the cache
    from_json = reopen_without_cache(library, bundled_pages)
    assert from_cache.records() == from_json.records() == library.records()
    assert from_cache.resolve("unicode").record.fields == {"author": "Doe, Jane and Roe, R.", "year": "2024"}


def test_a_library_file_changed_behind_the_cache_is_read_afresh(tmp_path: Path, library: Library, bundled_pages):
    other = open_library(tmp_path / "other", bundled_pages)
    other.add_papers([offered(title="A Paper Only The Other Library Has")])
    shutil.copy(other.papers_path, library.papers_path)  # replaced by hand, the cache left as it was
    reopened = open_library(library.home, bundled_pages)
    assert len(reopened) == 453
    assert "A Paper Only The Other Library Has" in {record.title for record in reopened.records()}


def test_a_damaged_cache_is_ignored_and_rewritten(library: Library, bundled_pages):
    good = library.records_cache_path.read_bytes()
    library_file = library.papers_path.read_bytes()
    for damage in (good[: len(good) // 2], b"", b"garbage\n" + good, good.replace(b"\x1f", b"\x1d", 3)):
        library.records_cache_path.write_bytes(damage)
        reopened = open_library(library.home, bundled_pages)
        assert reopened.records() == library.records()
        assert library.papers_path.read_bytes() == library_file
    assert library.records_cache_path.read_bytes() == good


def test_a_separator_character_in_a_value_means_no_cache(library: Library, bundled_pages):
    library.add_papers([offered(title="Odd \x1f Title", abstract="with a \x1d in it")])
    assert not library.records_cache_path.exists()
    reopened = open_library(library.home, bundled_pages)
    assert "Odd \x1f Title" in {record.title for record in reopened.records()}


def test_the_cache_is_tied_to_a_version_of_the_library_file(library: Library):
    records = library.records()
    signature = library.papers_signature
    assert list(record_cache.load_records(library.records_cache_path, signature)[1]) == records
    changed = (signature[0], signature[1] + 1, signature[2])
    assert record_cache.load_records(library.records_cache_path, changed) is None
    assert record_cache.load_records(library.home / "missing.bin", signature) is None
