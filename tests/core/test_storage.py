"""The library file format: plain JSON, one document per line, read in batches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vlmreader.core.library import storage
from vlmreader.core.library.storage import AtomicJSONStorage, LibraryFileError


def documents(count: int) -> dict:
    return {str(n): {"id": f"{n:012x}", "title": f'Paper {n} with "quotes", commas, and [CLS]'} for n in range(count)}


@pytest.mark.parametrize("count", [0, 1, storage.LINES_PER_PARSE, storage.LINES_PER_PARSE * 2 + 7])
def test_one_document_per_line_round_trips_and_is_plain_json(tmp_path: Path, count: int):
    path = tmp_path / "library.json"
    data = {"_meta": {"1": {"schema_version": 1}}, "papers": documents(count)}
    AtomicJSONStorage(path, line_per_document=True).write(data)
    assert json.loads(path.read_text()) == data  # any JSON reader can read it
    assert len(path.read_text().splitlines()) == count + 7  # braces, the _meta table, the papers table
    assert AtomicJSONStorage(path).read() == data


def test_a_damaged_line_is_reported_not_skipped(tmp_path: Path):
    path = tmp_path / "library.json"
    AtomicJSONStorage(path, line_per_document=True).write({"papers": documents(5000)})
    lines = path.read_text().splitlines()
    lines[3000] = lines[3000][:20]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(LibraryFileError, match="not valid JSON"):
        AtomicJSONStorage(path).read()


def test_a_truncated_file_is_reported(tmp_path: Path):
    path = tmp_path / "library.json"
    AtomicJSONStorage(path, line_per_document=True).write({"papers": documents(10)})
    path.write_text(path.read_text()[:-3])
    with pytest.raises(LibraryFileError):
        AtomicJSONStorage(path).read()
