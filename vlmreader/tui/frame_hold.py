"""Holding the app's next frame for a search result that is about to come.

Textual paints the first change after a quiet moment at once, and each later change on its grid
of frames, one to two frame periods after the previous frame (`TEXTUAL_FPS`, see
`vlmreader/tui/__init__.py`). A key typed in the search bar is such a first change: its echo
was painted at once, a few milliseconds before the search's result came back from its worker,
and the result then waited 8 to 17 ms for the grid before its own frame. Held until the result
is shown, the key and its result share one frame, painted as soon as the result is there.
"""

from __future__ import annotations

import time
from contextlib import ExitStack

from textual.message_pump import MessagePump
from textual.timer import Timer


class FrameHold:
    """Keeps the app from painting from `begin()` until `end()`, for `limit` seconds at most.

    Only while results come within the limit: when the last one took longer (a large library,
    a slow query), the next key is painted at once, as without a hold, rather than `limit` late.
    """

    def __init__(self, owner: MessagePump, limit: float) -> None:
        """`owner` (a mounted screen or widget) runs the timer that ends a hold at `limit`."""
        self._owner = owner
        self._limit = limit
        self._held: ExitStack | None = None
        self._timer: Timer | None = None
        self._began: float | None = None
        """When the change now waiting for its result was made (monotonic seconds)."""
        self._last_wait = 0.0
        """How long the last result took to come after its change."""

    @property
    def holding(self) -> bool:
        return self._held is not None

    def begin(self) -> None:
        """A change was made whose result is on its way: hold the next frame for it, if results
        have been coming in time. A later change before the result keeps the same hold."""
        self._began = time.monotonic()
        if self._held is None and self._last_wait < self._limit:
            self._held = ExitStack()
            self._held.enter_context(self._owner.app.batch_update())
            self._timer = self._owner.set_timer(self._limit, self._release)

    def end(self) -> None:
        """The result is shown: paint it, with what was held, in the next frame."""
        if self._began is not None:
            self._last_wait = time.monotonic() - self._began
            self._began = None
        self._release()

    def _release(self) -> None:
        if self._held is None:
            return
        held, self._held = self._held, None
        self._timer.stop()
        held.close()
        # A screen only paints when a message wakes it: one that came during the hold (the
        # key's echo) would otherwise wait for the next one.
        self._owner.app.screen.check_idle()
