"""Files every part of the core writes: atomic replacement, file signatures, cache-file headers.

A write goes to a temporary file in the same directory, is fsynced, renamed over the target and
the directory fsynced, so a kill at any moment leaves either the old or the new file, whole.

The library's caches (the records cache, the search index) begin with one JSON header line that
says which format and vlmreader version wrote them and which version of the library file they
were built from; `cache_header` writes it and `read_cache_header` accepts only a match.
"""

from __future__ import annotations

import gc
import json
import os
import tempfile
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from vlmreader import __version__
from vlmreader.core.models import UserError


def user_path(text: str | Path) -> Path:
    """A path as the user typed it, `~` and `~user` expanded; a UserError if there is no such user."""
    try:
        return Path(text).expanduser()
    except RuntimeError:
        user = str(text)[1:].split("/", 1)[0]
        raise UserError(f"cannot find the home folder of {user!r} in {str(text)!r}") from None


def write_atomically(path: Path, data: bytes | Iterable) -> None:
    """Replace `path` with `data` so that readers and crashes see the old or the new file, whole.

    `data` may be an iterable (a list, a generator) of byte strings or buffers (arrays), written
    one after another without joining them in memory first. If it raises, nothing is replaced.
    """
    directory = path.parent
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "wb") as file:
            for chunk in (data,) if isinstance(data, (bytes, bytearray)) else data:
                file.write(chunk)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
    fsync_directory(directory)


def fsync_directory(directory: Path) -> None:
    """Make a rename, creation or removal in `directory` durable (POSIX needs the directory synced)."""
    if os.name != "posix":
        return
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def file_signature(path: Path) -> tuple[int, int, int] | None:
    """Changes whenever `path` is replaced or rewritten; None if it does not exist."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


def cache_header(cache_format: int, source: tuple | None, **content: Any) -> bytes:
    """The first line of a cache file built from the library file whose signature is `source`."""
    header = {"format": cache_format, "version": __version__, "source": list(source) if source is not None else None}
    return json.dumps(header | content, ensure_ascii=False).encode("utf-8") + b"\n"


def read_cache_header(file: BinaryIO, cache_format: int, source: tuple | None) -> dict[str, Any] | None:
    """The header `cache_header` wrote at the start of `file`, if it matches; None means rebuild.

    Raises ValueError (which callers take as "rebuild" too) when the line is not JSON at all.
    """
    header = json.loads(file.readline())
    if (
        not isinstance(header, dict)
        or header.get("format") != cache_format
        or header.get("version") != __version__
        or header.get("source") != (list(source) if source is not None else None)
    ):
        return None
    return header


@contextmanager
def garbage_collection_paused():
    """Load a large library or index without the cyclic collector scanning it again and again.

    Reading 100,000 papers allocates millions of objects, none of them garbage; left on, the
    collector runs several full passes over them (a second or more). Afterwards the loaded
    objects are frozen out of future collections for the same reason.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
