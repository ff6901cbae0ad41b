"""Change stamps: when a field was changed, and on which machine, ordered the same everywhere.

A stamp is text that sorts in time order: `2026-12-04T10:00:00.000Z 0000 laptop-3f9a` (the
wall-clock time in milliseconds, UTC; a counter; the machine's id). It is a hybrid logical
clock: a machine never stamps a change earlier than the latest stamp it has seen (the counter
then orders it after), so a change made after a sync that brought in another machine's change
wins over it even if this machine's clock is behind. Two stamps are never equal across
machines (the machine id settles a tie), so "the later change wins" is the same answer on
every machine. The empty stamp, '', is earlier than any: a field nobody has changed.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone

_FORMAT = "%Y-%m-%dT%H:%M:%S"


def _text_of(milliseconds: int) -> str:
    moment = datetime.fromtimestamp(milliseconds / 1000, tz=timezone.utc)
    return f"{moment.strftime(_FORMAT)}.{milliseconds % 1000:03d}Z"


def _milliseconds_of(text: str) -> int:
    moment = datetime.strptime(text[:19], _FORMAT).replace(tzinfo=timezone.utc)
    return int(moment.timestamp()) * 1000 + int(text[20:23] or 0)


def make_stamp(milliseconds: int, counter: int, machine: str) -> str:
    return f"{_text_of(milliseconds)} {counter:04d} {machine}"


def parse_stamp(stamp: str) -> tuple[int, int, str]:
    """(milliseconds, counter, machine) of a stamp; ValueError for one that is not."""
    moment, counter, machine = stamp.split(" ", 2)
    return _milliseconds_of(moment), int(counter), machine


def stamp_machine(stamp: str) -> str:
    return stamp.split(" ", 2)[2] if stamp.count(" ") >= 2 else ""


def stamp_time(stamp: str) -> str:
    """`2026-12-04 10:00:00` (UTC) of a stamp, for people."""
    return stamp[:19].replace("T", " ") if stamp else ""


def milliseconds_of_timestamp(timestamp: str) -> int | None:
    """An ISO timestamp (`Annotation.modified`: `2026-12-04T10:00:00+00:00`) in milliseconds."""
    try:
        return int(datetime.fromisoformat(timestamp).timestamp() * 1000)
    except (TypeError, ValueError):
        return None


def now_milliseconds() -> int:
    return int(time.time() * 1000)


class Clock:
    """Stamps for one sync on one machine: never before `floor`, the latest stamp seen so far."""

    def __init__(self, machine: str, latest_seen: str = ""):
        self.machine = machine
        self.latest = latest_seen
        if latest_seen:
            milliseconds, counter, _ = parse_stamp(latest_seen)
            self._floor = (milliseconds, counter + 1)
        else:
            self._floor = (0, 0)

    def stamp(self, milliseconds: int | None = None) -> str:
        """The stamp of a change made at `milliseconds` (now if None), after every stamp seen."""
        wall = now_milliseconds() if milliseconds is None else milliseconds
        stamp = make_stamp(wall, 0, self.machine) if wall > self._floor[0] else make_stamp(*self._floor, self.machine)
        self.observe(stamp)
        return stamp

    def observe(self, stamp: str) -> None:
        """Remember a stamp seen (another machine's): the next sync stamps after it."""
        if stamp and stamp > self.latest:
            self.latest = stamp
