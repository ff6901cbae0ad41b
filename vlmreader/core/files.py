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
import stat
import tempfile
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from vlmreader import __version__
from vlmreader.core.models import UserError

TEMPORARY_SUFFIX = ".tmp"
"""A file being written is `.NAME.XXXX.tmp` beside NAME until it replaces it."""


def user_path(text: str | Path) -> Path:
    """A path as the user typed it, `~` and `~user` expanded; a UserError if there is no such user."""
    try:
        return Path(text).expanduser()
    except RuntimeError:
        user = str(text)[1:].split("/", 1)[0]
        raise UserError(f"cannot find the home folder of {user!r} in {str(text)!r}") from None


def write_atomically(
    path: Path, data: bytes | Iterable, mode: int | None = None, owner: tuple[int, int] | None = None
) -> None:
    """Replace `path` with `data` so that readers and crashes see the old or the new file, whole.

    `data` may be an iterable (a list, a generator) of byte strings or buffers (arrays), written
    one after another without joining them in memory first. If it raises, nothing is replaced.
    The new file has `mode` (default 0600) and, where permitted, `owner` (uid, gid).
    """
    directory = path.parent
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMPORARY_SUFFIX, dir=directory)
    try:
        with os.fdopen(handle, "wb") as file:
            file.writelines(_chunks(data))
            file.flush()
            if mode is not None:
                os.fchmod(file.fileno(), mode)
            if owner is not None:
                try:
                    os.fchown(file.fileno(), *owner)
                except PermissionError:
                    pass  # only root may give a file away; it is then the user's own
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
    fsync_directory(directory)


def _chunks(data: bytes | Iterable) -> Iterable:
    """`data` as the byte strings (or buffers) to write one after another."""
    return (data,) if isinstance(data, (bytes, bytearray)) else data


def write_users_file(path: Path, data: bytes | Iterable[bytes], append_only: bool = False) -> Path:
    """Write `data` to a file the user named (an export), as the shell's `>` would, but safely.

    `data` may be an iterable of byte strings (an export's chunks), written as they come; if it
    raises, a regular file is left as it was.

    - A symlink is followed: its target is written (atomically there), the link stays a link.
    - A regular file is replaced atomically, keeping its mode and, where permitted, its owner;
      one the user may not write is refused, as `>` refuses it.
    - Anything else (a FIFO, `/dev/stdout`, `/dev/null`, a terminal) is written to, never
      replaced: replacing would break it or, for root, destroy a device node.
    - A new file gets the mode `>` would give it (0666 less the umask).

    `append_only` refuses a target that is not a regular file (there is nothing to read back).
    Returns the path written. Raises UserError with a one-line reason; OSError never escapes.
    """
    real = Path(os.path.realpath(path))
    try:
        status = os.stat(path)  # through symlinks, as the kernel follows them (/dev/stdout -> a pipe)
    except FileNotFoundError:
        status = None
    except OSError as error:
        raise UserError(f"cannot write {path}: {error.strerror or error}") from None
    try:
        if status is not None and stat.S_ISDIR(status.st_mode):
            raise UserError(f"cannot write {path}: it is a folder")
        if status is not None and not stat.S_ISREG(status.st_mode):
            if append_only:
                raise UserError(f"cannot add to {path}: it is not a regular file")
            with open(path, "wb") as stream:  # a pipe or a device: written to, never replaced
                stream.writelines(_chunks(data))
            return Path(path)
        if status is not None and not os.access(real, os.W_OK):
            raise UserError(f"cannot write {path}: it is read-only (permission denied)")
        if status is None and not real.parent.is_dir():
            raise UserError(f"cannot write {path}: there is no folder {real.parent}")
        if status is None and not os.access(real.parent, os.W_OK | os.X_OK):
            raise UserError(f"cannot write {path}: its folder cannot be written (permission denied)")
        mode = stat.S_IMODE(status.st_mode) if status is not None else 0o666 & ~_umask()
        owner = (status.st_uid, status.st_gid) if status is not None else None
        write_atomically(real, data, mode=mode, owner=owner)
    except OSError as error:
        raise UserError(f"cannot write {path}: {error.strerror or error}") from None
    return real


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


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


def resume_garbage_collection() -> None:
    """End a pause of the cyclic collector that outlived one call (the app's start-up, paused in
    `vlmreader.cli.main` until the papers are on screen), leaving what was made meanwhile out of
    its passes as `garbage_collection_paused` does: scanning it once restarted would only move
    the pause's savings under the user's first keys. Nothing if the collector runs."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
