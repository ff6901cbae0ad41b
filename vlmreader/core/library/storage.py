"""The library's JSON files: a TinyDB storage that reads fresh and writes atomically.

A file that cannot be read or parsed raises `LibraryFileError` and is never written over.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from vlmreader.core.files import write_atomically
from vlmreader.core.models import UserError


class LibraryFileError(UserError):
    """A library file is unreadable or corrupt; it is left exactly as it is."""

    def __init__(self, path: Path, reason: str):
        super().__init__(f"cannot use library file {path}: {reason} (the file was left untouched)")
        self.path = path


class AtomicJSONStorage(Storage):
    """TinyDB storage: a JSON file, read fresh on every access, replaced atomically on write.

    Reading fresh is what lets a read-modify-write under the library lock see what another
    process wrote a moment ago.
    """

    def __init__(self, path: Path, tables: tuple[str, ...] = (), line_per_document: bool = False):
        self.path = Path(path)
        self.line_per_document = line_per_document
        """Write one document per line: slower for small files, far leaner to read for large ones."""
        self.tables = frozenset(tables)
        """The table names this file may hold (any, if empty): anything else means a wrong file."""

    def read(self) -> dict[str, dict[str, Any]] | None:
        try:
            with open(self.path, encoding="utf-8") as file:
                data = _read_line_layout(file)
                if data is None:  # not our one-document-per-line layout: parse it whole
                    file.seek(0)
                    data = json.loads(file.read())
        except FileNotFoundError:
            return None
        except (ValueError, UnicodeDecodeError) as error:
            raise LibraryFileError(self.path, f"it is not valid JSON ({error})") from None
        except OSError as error:
            raise LibraryFileError(self.path, error.strerror or str(error)) from None
        if not isinstance(data, dict) or not all(isinstance(table, dict) for table in data.values()):
            raise LibraryFileError(self.path, "it is not a vlmreader library file")
        unexpected = set(data) - self.tables if self.tables else set()
        if unexpected:
            raise LibraryFileError(self.path, f"it holds unexpected tables {sorted(unexpected)}")
        return data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        try:
            if self.line_per_document:
                write_atomically(self.path, _line_layout(data))
            else:
                write_atomically(self.path, _encode(data).encode("utf-8"))
        except OSError as error:
            raise UserError(f"cannot write library file {self.path}: {error.strerror or error}") from None

    def close(self) -> None:
        pass


def _encode(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _line_layout(data: dict[str, dict[str, Any]]) -> Iterator[bytes]:
    """`data` as JSON with each document on a line of its own, a chunk of lines at a time.

    Still plain JSON for TinyDB and any other reader, but `_read_line_layout` can parse it one
    line at a time, and it is written as it is made: a 100,000-paper library is never held
    as one string, let alone as that string and its UTF-8 bytes.
    """
    lines = ["{"]
    tables = list(data.items())
    for table_number, (name, documents) in enumerate(tables):
        lines.append(f"{_encode(name)}:{{")
        last = len(documents) - 1
        for number, (doc_id, document) in enumerate(documents.items()):
            lines.append(f"{_encode(str(doc_id))}:{_encode(document)}{',' if number < last else ''}")
            if len(lines) >= LINES_PER_PARSE:
                yield ("\n".join(lines) + "\n").encode("utf-8")
                lines.clear()
        lines.append("}," if table_number < len(tables) - 1 else "}")
    lines.append("}")
    yield ("\n".join(lines) + "\n").encode("utf-8")


LINES_PER_PARSE = 2000
"""Documents parsed per `json.loads` call: one call per line costs twice as long in all."""


def _read_line_layout(file) -> dict[str, dict[str, Any]] | None:
    """Parse the layout `_line_layout` writes, a batch of lines at a time; None if the file is
    laid out otherwise."""
    if file.readline() != "{\n":
        return None
    data: dict[str, dict[str, Any]] = {}
    table: dict[str, Any] | None = None
    pending: list[str] = []
    closed = False

    def parse_pending() -> None:
        if pending:
            table.update(json.loads("{" + ",".join(line.removesuffix(",") for line in pending) + "}"))
            pending.clear()

    for line in file:
        if closed:
            return None  # anything after the final brace
        line = line.rstrip("\n")
        if table is None:
            if line == "}":
                closed = True
                continue
            if not line.endswith(":{"):
                return None
            table = data.setdefault(json.loads(line[:-2]), {})
        elif line in ("}", "},"):
            parse_pending()
            table = None
        else:
            pending.append(line)
            if len(pending) >= LINES_PER_PARSE:
                parse_pending()
    return data if closed and table is None else None
