"""A fast-loading copy of the paper records, kept beside `library.json`.

Parsing `library.json` and building 100,000 records takes about two seconds, most of it JSON
decoding and one dict lookup per field. This copy holds the same records as UTF-8 text, every
field of every record in turn, split by an ASCII separator character, which `bytes.split`
takes apart in C: about half the time. It is written and read in chunks of a few thousand
records, so it never holds more than one chunk's text beside the records themselves.

It is only a cache: it is valid for one version of `library.json` (its file signature), is
written atomically, and any doubt (another version, a different format, a value containing a
separator, a damaged file) means it is ignored and `library.json` is read instead. Nothing in
it is executed or unpickled.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import chain, islice
from pathlib import Path
from typing import Any

from vlmreader import __version__
from vlmreader.core.models import PaperRecord
from vlmreader.core.storage import write_atomically

CACHE_FORMAT = 2
FIELD_SEPARATOR, LIST_SEPARATOR = "\x1f", "\x1d"
_SEPARATORS = (FIELD_SEPARATOR, LIST_SEPARATOR)
_FIELD_COUNT = 9
CHUNK_RECORDS = 2000


class _SeparatorInValue(Exception):
    pass


def save_records(path: Path, source: object, meta: dict[str, Any], records: list[PaperRecord]) -> bool:
    """Write the cache of `records` read from the library file with signature `source`.

    False (and nothing written) if a value contains a separator character; OSError propagates.
    """
    header = {
        "format": CACHE_FORMAT,
        "version": __version__,
        "source": list(source) if source is not None else None,
        "meta": meta,
        "count": len(records),
    }
    try:
        write_atomically(path, chain([json.dumps(header).encode("utf-8") + b"\n"], _chunks(records)))
    except _SeparatorInValue:
        return False
    return True


def _chunks(records: list[PaperRecord]) -> Iterator[bytes]:
    """Each chunk of records as its length in bytes on a line, then its fields."""
    for start in range(0, len(records), CHUNK_RECORDS):
        fields: list[str] = []
        for record in islice(records, start, start + CHUNK_RECORDS):
            bibliographic = json.dumps(record.fields, ensure_ascii=False) if record.fields else ""
            texts = (record.id, record.key, record.title, record.abstract, record.url, record.added, record.entry_type)
            if any(separator in text for text in (*texts, *record.collections, bibliographic) for separator in _SEPARATORS):
                raise _SeparatorInValue
            collections = LIST_SEPARATOR.join(record.collections)
            fields += (*texts[:5], collections, *texts[5:], bibliographic)  # in PaperRecord's field order
        chunk = FIELD_SEPARATOR.join(fields).encode("utf-8")
        yield b"%d\n" % len(chunk)
        yield chunk


def load_records(path: Path, source: object) -> tuple[dict[str, Any], list[PaperRecord]] | None:
    """(meta, records) of the cache at `path` if it was written for the library file `source`."""
    records: list[PaperRecord] = []
    try:
        with open(path, "rb") as file:
            header = json.loads(file.readline())
            if (
                not isinstance(header, dict)
                or header.get("format") != CACHE_FORMAT
                or header.get("version") != __version__
                or header.get("source") != (list(source) if source is not None else None)
                or not isinstance(header.get("meta"), dict)
            ):
                return None
            while length_line := file.readline():
                chunk = file.read(int(length_line))
                parts = chunk.split(FIELD_SEPARATOR.encode())
                if len(parts) % _FIELD_COUNT:
                    return None
                decoded = map(bytes.decode, parts)
                for fields in zip(*[decoded] * _FIELD_COUNT):  # nine fields at a time, in order
                    identifier, key, title, abstract, url, collections, added, entry_type, bibliographic = fields
                    records.append(
                        PaperRecord(
                            identifier,
                            key,
                            title,
                            abstract,
                            url,
                            tuple(collections.split(LIST_SEPARATOR)) if collections else (),
                            added,
                            entry_type,
                            json.loads(bibliographic) if bibliographic else {},
                        )
                    )
    except (OSError, ValueError):  # UnicodeDecodeError and json's errors are ValueErrors too
        return None
    if len(records) != header.get("count"):
        return None
    return header["meta"], records
