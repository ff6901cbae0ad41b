"""A fast-loading copy of the paper records, kept beside `library.json`.

Parsing `library.json` and building 100,000 records takes about two seconds and holds every
abstract in memory (a quarter of a gigabyte), while what opens first (the list, the search, a
key lookup) needs a paper's id, key, title and collections, and the rest only for the papers a
user looks at or a command prints. So this copy keeps the records in two parts:

- the *light* fields (`LIGHT_FIELDS`), one column each: every record's value in turn, split by
  an ASCII separator character, which `str.split` takes apart in C. Read when the library opens;
- the other fields of each record, one after another (`bodies`), with each record's offset, read
  from the file when a record is first asked for (`StoredRecords`), a few microseconds a record.
  Only what is read is in memory.

The layout follows `PaperRecord`'s fields: a text field as it is, a tuple of texts joined by a
second separator, a dict as JSON. Adding a field to the record is the one change it needs (and
a new `CACHE_FORMAT`, so that older caches are rebuilt).

It is only a cache: it is valid for one version of `library.json` (its file signature), is
written atomically, and any doubt (another version, a different format, a value containing a
separator, a damaged file) means it is ignored and `library.json` is read instead; a record
found damaged only when it is read is read from `library.json` then (`StoredRecords`'s
`fallback`). Nothing in it is executed or unpickled.
"""

from __future__ import annotations

import json
import os
import struct
import threading
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import fields
from itertools import chain, islice
from pathlib import Path
from typing import Any, BinaryIO

from vlmreader.core.files import cache_header, read_cache_header, write_atomically
from vlmreader.core.models import PaperRecord

CACHE_FORMAT = 8
FIELD_SEPARATOR, LIST_SEPARATOR = "\x1f", "\x1d"
RECORD_SEPARATOR = "\x1e"
"""Ends each record's body, so that a body cut short is seen as damaged."""
CHUNK_RECORDS = 2000
LIGHT_FIELDS = ("id", "key", "title", "url", "collections", "added", "entry_type", "aliases", "kept_apart")
"""What opening the library reads of every record: enough for the list, keys and the search."""
_SHARED_VALUES = ("collections", "added", "entry_type", "aliases", "kept_apart")
"""Light fields whose values repeat from paper to paper."""
_TRAILER = struct.Struct("<qq")
"""At the end of the file: where the bodies start, and where their offsets start."""


def _encode_texts(values: tuple[str, ...]) -> str:
    return LIST_SEPARATOR.join(values)


def _decode_texts(text: str) -> tuple[str, ...]:
    return tuple(text.split(LIST_SEPARATOR)) if text else ()


def _encode_mapping(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False) if value else ""


def _decode_mapping(text: str) -> dict:
    return json.loads(text) if text else {}


def _encode_rows(rows: tuple[tuple[str, ...], ...]) -> str:
    return json.dumps(rows, ensure_ascii=False) if rows else ""


def _decode_rows(text: str) -> tuple[tuple[str, ...], ...]:
    return tuple(map(tuple, json.loads(text))) if text else ()


_CODECS: dict[str, tuple[Callable[[Any], str], Callable[[str], Any]]] = {
    "tuple[str, ...]": (_encode_texts, _decode_texts),
    "dict[str, str]": (_encode_mapping, _decode_mapping),
    "tuple[tuple[str, str], ...]": (_encode_rows, _decode_rows),
    "tuple[tuple[str, str, str], ...]": (_encode_rows, _decode_rows),
}
"""How a record field that is not plain text is written and read, by its annotation."""

_FIELD_TYPES = {field.name: field.type for field in fields(PaperRecord)}
_FIELD_NAMES = tuple(_FIELD_TYPES)
_BODY_FIELDS = tuple(name for name in _FIELD_NAMES if name not in LIGHT_FIELDS)
_ENCODE = {name: _CODECS[kind][0] for name, kind in _FIELD_TYPES.items() if kind != "str"}
_DECODE = {name: _CODECS[kind][1] for name, kind in _FIELD_TYPES.items() if kind != "str"}
_BODY_DECODERS = [(position, _DECODE[name]) for position, name in enumerate(_BODY_FIELDS) if name in _DECODE]


class _SeparatorInValue(Exception):
    pass


class DamagedRecords(Exception):
    """A record's part of the cache cannot be read back."""


def save_records(path: Path, source: tuple | None, meta: dict[str, Any], records: Sequence[PaperRecord]) -> bool:
    """Write the cache of `records` read from the library file with signature `source`.

    False (and nothing written) if a value contains a separator character; OSError propagates.
    """
    header = cache_header(CACHE_FORMAT, source, meta=meta, count=len(records))
    try:
        write_atomically(path, _file_parts(header, records))
    except _SeparatorInValue:
        return False
    return True


def _file_parts(header: bytes, records: Sequence[PaperRecord]) -> Iterator[bytes]:
    """The header, each light column as its length in bytes on a line then its values, the
    bodies, their offsets (aligned to 8 bytes), and the trailer."""
    written = 0
    for part in chain([header], *(_column(records, name) for name in LIGHT_FIELDS)):
        written += len(part)
        yield part
    bodies_start = written
    offsets = array("q", [0])
    for chunk in _bodies(records, offsets):
        written += len(chunk)
        yield chunk
    padding = -written % 8
    yield b"\0" * padding
    yield offsets.tobytes()
    yield _TRAILER.pack(bodies_start, written + padding)


def _column(records: Sequence[PaperRecord], name: str) -> Iterator[bytes]:
    """The light field `name` of every record: its length in bytes on a line, then the values."""
    values = [getattr(record, name) for record in records]
    list_separators = 0
    encode = _ENCODE.get(name)
    if encode is not None:
        if encode is _encode_texts:
            list_separators = sum(max(len(value) - 1, 0) for value in values)
        values = list(map(encode, values))
    text = FIELD_SEPARATOR.join(values)
    _check_separators(text, max(len(values) - 1, 0), list_separators)
    data = text.encode("utf-8")
    yield b"%d\n" % len(data)
    yield data


def _bodies(records: Sequence[PaperRecord], offsets: array) -> Iterator[bytes]:
    """The bodies of the records, a chunk at a time, appending each record's end to `offsets`.
    A body is the record's other fields joined by the field separator, then the record separator."""
    for start in range(0, len(records), CHUNK_RECORDS):
        bodies: list[str] = []
        list_separators = 0
        for record in records[start : start + CHUNK_RECORDS]:
            values = []
            for name in _BODY_FIELDS:
                value = getattr(record, name)
                encode = _ENCODE.get(name)
                if encode is _encode_texts:
                    list_separators += max(len(value) - 1, 0)
                values.append(encode(value) if encode is not None else value)
            bodies.append(FIELD_SEPARATOR.join(values) + RECORD_SEPARATOR)
        _check_separators("".join(bodies), len(bodies) * (len(_BODY_FIELDS) - 1), list_separators, len(bodies))
        encoded = [body.encode("utf-8") for body in bodies]
        end = offsets[-1]
        for body in encoded:
            end += len(body)
            offsets.append(end)
        yield b"".join(encoded)


def _check_separators(text: str, fields: int, lists: int, records: int = 0) -> None:
    """A separator inside a value shows as one separator too many. Counted in C."""
    if text.count(FIELD_SEPARATOR) != fields or text.count(LIST_SEPARATOR) != lists or text.count(RECORD_SEPARATOR) != records:
        raise _SeparatorInValue


def is_current(path: Path, source: tuple | None) -> bool:
    """Whether the cache at `path` was written for the library file `source` (its header says
    so; `load_records` still checks the rest)."""
    try:
        with open(path, "rb") as file:
            return source is not None and read_cache_header(file, CACHE_FORMAT, source) is not None
    except (OSError, ValueError):
        return False


def load_records(
    path: Path, source: tuple | None, fallback: Callable[[], list[PaperRecord]] | None = None
) -> tuple[dict[str, Any], StoredRecords] | None:
    """(meta, records) of the cache at `path` if it was written for the library file `source`.

    The records' light fields are read now, the rest when a record is asked for; `fallback`
    gives every record afresh (from the library file) should one turn out damaged then."""
    try:
        file = open(path, "rb")
    except OSError:
        return None
    try:
        read = _read_parts(file, source)
    except (OSError, ValueError, EOFError, struct.error):  # UnicodeDecodeError and json's errors are ValueErrors too
        read = None
    if read is None:
        file.close()
        return None
    meta, columns, bodies_start, offsets = read
    # The file stays open: records are read from this version of it, whatever replaces it later.
    return meta, StoredRecords(columns, file, bodies_start, offsets, fallback)


def _read_parts(file: BinaryIO, source: tuple | None) -> tuple[dict[str, Any], dict[str, list], int, array] | None:
    """(meta, light columns, where the bodies start, their offsets) of a cache, if it is whole."""
    header = read_cache_header(file, CACHE_FORMAT, source)
    if header is None or not isinstance(header.get("meta"), dict) or not isinstance(header.get("count"), int):
        return None
    count = header["count"]
    columns = {}
    for name in LIGHT_FIELDS:
        text = file.read(int(file.readline())).decode()
        values = text.split(FIELD_SEPARATOR) if count else []
        if len(values) != count:
            return None
        if name in _SHARED_VALUES:
            # Many papers have the same value (no aliases, one collection): each distinct one is
            # decoded once, and the papers share it.
            decode = _DECODE.get(name, str)
            decoded = {value: decode(value) for value in set(values)}
            values = list(map(decoded.__getitem__, values))
        columns[name] = values
    size = file.seek(0, os.SEEK_END)
    file.seek(size - _TRAILER.size)
    bodies_start, offsets_start = _TRAILER.unpack(file.read(_TRAILER.size))
    file.seek(offsets_start)
    offsets = array("q")
    offsets.fromfile(file, count + 1)
    if (
        offsets[0] != 0
        or bodies_start + offsets[-1] > offsets_start
        or offsets_start + offsets.itemsize * (count + 1) + _TRAILER.size != size
        or any(map(int.__gt__, offsets, islice(offsets, 1, None)))
    ):
        return None
    return header["meta"], columns, bodies_start, offsets


class StoredRecords(Sequence[PaperRecord]):
    """The records of a records cache, in library order: light fields in columns, each record
    whole once it is asked for (and kept). Safe to read from several threads.

    It keeps the cache file open, so a record is read from the version of the file that was
    opened, even after another process replaced it."""

    def __init__(
        self,
        columns: dict[str, list],
        bodies: BinaryIO,
        bodies_start: int,
        offsets: array,
        fallback: Callable[[], list[PaperRecord]] | None,
    ):
        self._columns = columns
        self._sources = [(columns.get(name), _BODY_FIELDS.index(name) if name in _BODY_FIELDS else -1) for name in _FIELD_NAMES]
        """Where each field of a record comes from, in order: its light column, or its place in a body."""
        self._bodies = bodies
        self._reading = threading.Lock()
        self._bodies_start = bodies_start
        self._offsets = offsets
        self._fallback = fallback
        self._read: list[PaperRecord | None] = [None] * (len(offsets) - 1)
        self._positions: dict[str, int] | None = None

    def __del__(self) -> None:
        self._bodies.close()

    def __len__(self) -> int:
        return len(self._read)

    def __getitem__(self, position):  # type: ignore[override]
        if isinstance(position, slice):
            return [self[n] for n in range(*position.indices(len(self)))]
        record = self._read[position]
        if record is None:
            record = self._read[position] = self._record_at(position)
        return record

    def __iter__(self) -> Iterator[PaperRecord]:
        return map(self.__getitem__, range(len(self)))

    def column(self, name: str) -> list:
        """Every record's `name`, in order: a light field at once, another one record at a time."""
        if name in self._columns:
            return self._columns[name]
        return [getattr(record, name) for record in self]

    def positions(self) -> dict[str, int]:
        """Each record's position by its id, made once."""
        if self._positions is None:
            self._positions = {paper_id: position for position, paper_id in enumerate(self._columns["id"])}
        return self._positions

    def _record_at(self, position: int) -> PaperRecord:
        start, end = self._offsets[position], self._offsets[position + 1]
        try:
            with self._reading:
                self._bodies.seek(self._bodies_start + start)
                body = self._bodies.read(end - start).decode()
            values = body[:-1].split(FIELD_SEPARATOR)
            if len(values) != len(_BODY_FIELDS) or not body.endswith(RECORD_SEPARATOR):
                raise DamagedRecords
            for field_position, decode in _BODY_DECODERS:
                values[field_position] = decode(values[field_position])
        except (OSError, ValueError, DamagedRecords):
            return self._read_afresh(position)
        return PaperRecord(*[values[place] if column is None else column[position] for column, place in self._sources])

    def _read_afresh(self, position: int) -> PaperRecord:
        """Every record from the library file, when the cache turned out damaged."""
        records = self._fallback() if self._fallback is not None else None
        if records is None or [record.id for record in records] != self._columns["id"]:
            raise DamagedRecords("the records cache is damaged and the library file has changed since")
        self._read = list(records)
        return self._read[position]


class LoadedRecords(list):
    """Records held whole in memory (read from the library file, or just written), with the
    `column` and `positions` that `StoredRecords` offers. Never changed once made."""

    def column(self, name: str) -> list:
        return [getattr(record, name) for record in self]

    def positions(self) -> dict[str, int]:
        if "_positions" not in self.__dict__:
            self._positions = {record.id: position for position, record in enumerate(self)}
        return self._positions
