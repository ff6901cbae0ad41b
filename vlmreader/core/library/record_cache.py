"""A fast-loading copy of the paper records, kept beside `library.json`.

Parsing `library.json` and building 100,000 records takes about two seconds, most of it JSON
decoding and one dict lookup per field. This copy holds the same records as UTF-8 text, every
field of every record in turn, split by an ASCII separator character, which `bytes.split`
takes apart in C: about half the time. It is written and read in chunks of a few thousand
records, so it never holds more than one chunk's text beside the records themselves.

The layout follows `PaperRecord`'s fields, in their order: a text field as it is, a tuple of
texts joined by a second separator, a dict as JSON. Adding a field to the record is the one
change it needs (and a new `CACHE_FORMAT`, so that older caches are rebuilt).

It is only a cache: it is valid for one version of `library.json` (its file signature), is
written atomically, and any doubt (another version, a different format, a value containing a
separator, a damaged file) means it is ignored and `library.json` is read instead. Nothing in
it is executed or unpickled.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import fields
from itertools import chain, islice
from pathlib import Path
from typing import Any

from vlmreader.core.files import cache_header, read_cache_header, write_atomically
from vlmreader.core.models import PaperRecord

CACHE_FORMAT = 7
FIELD_SEPARATOR, LIST_SEPARATOR = "\x1f", "\x1d"
_SEPARATORS = (FIELD_SEPARATOR, LIST_SEPARATOR)
CHUNK_RECORDS = 2000


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

_FIELD_NAMES = tuple(field.name for field in fields(PaperRecord))
_FIELD_COUNT = len(_FIELD_NAMES)
_CODED = {position: _CODECS[field.type] for position, field in enumerate(fields(PaperRecord)) if field.type != "str"}
_TEXT_LISTS = [position for position, field in enumerate(fields(PaperRecord)) if field.type == "tuple[str, ...]"]


class _SeparatorInValue(Exception):
    pass


def save_records(path: Path, source: tuple | None, meta: dict[str, Any], records: list[PaperRecord]) -> bool:
    """Write the cache of `records` read from the library file with signature `source`.

    False (and nothing written) if a value contains a separator character; OSError propagates.
    """
    header = cache_header(CACHE_FORMAT, source, meta=meta, count=len(records))
    try:
        write_atomically(path, chain([header], _chunks(records)))
    except _SeparatorInValue:
        return False
    return True


def _chunks(records: list[PaperRecord]) -> Iterator[bytes]:
    """Each chunk of records as its length in bytes on a line, then its fields."""
    for start in range(0, len(records), CHUNK_RECORDS):
        values: list[str] = []
        list_separators = 0
        for record in islice(records, start, start + CHUNK_RECORDS):
            row = [getattr(record, name) for name in _FIELD_NAMES]
            for position in _TEXT_LISTS:
                list_separators += max(len(row[position]) - 1, 0)
            for position, (encode, _) in _CODED.items():
                row[position] = encode(row[position])
            values += row
        text = FIELD_SEPARATOR.join(values)
        # A separator inside a value shows as one separator too many (JSON never holds one: it
        # escapes control characters). Counted in C, once per chunk.
        if text.count(FIELD_SEPARATOR) != len(values) - 1 or text.count(LIST_SEPARATOR) != list_separators:
            raise _SeparatorInValue
        chunk = text.encode("utf-8")
        yield b"%d\n" % len(chunk)
        yield chunk


def load_records(path: Path, source: tuple | None) -> tuple[dict[str, Any], list[PaperRecord]] | None:
    """(meta, records) of the cache at `path` if it was written for the library file `source`."""
    records: list[PaperRecord] = []
    try:
        with open(path, "rb") as file:
            header = read_cache_header(file, CACHE_FORMAT, source)
            if header is None or not isinstance(header.get("meta"), dict):
                return None
            while length_line := file.readline():
                parts = file.read(int(length_line)).decode().split(FIELD_SEPARATOR)
                if len(parts) % _FIELD_COUNT:
                    return None
                # Column by column: each field of every record in the chunk, decoded in one pass.
                columns = [parts[position::_FIELD_COUNT] for position in range(_FIELD_COUNT)]
                for position, (_, decode) in _CODED.items():
                    columns[position] = list(map(decode, columns[position]))
                records.extend(map(PaperRecord, *columns))
    except (OSError, ValueError):  # UnicodeDecodeError and json's errors are ValueErrors too
        return None
    if len(records) != header.get("count"):
        return None
    return header["meta"], records
