"""The line that shows an enrich, add or fetch running in the background: what it does, a
progress bar, and how to stop it. Hidden while nothing runs."""

from __future__ import annotations

from rich.text import Text
from textual.containers import Horizontal
from textual.widgets import Label

from vlmreader.core.text import visible


class JobBar(Horizontal):
    """Shows the running job; the app tells it how far the job has got. Its label and bar are
    made when the first job starts: start-up never pays for them."""

    DEFAULT_CSS = """
    JobBar { height: 1; display: none; }
    JobBar.-running { display: block; }
    """

    def start(self, title: str) -> None:
        """A job began: `title` says what it does; its length is not known yet."""
        from textual.widgets import ProgressBar

        if not self.children:
            self.mount(Label(id="job-label", markup=False), ProgressBar(total=None, show_eta=False, id="job-progress"))
        self.add_class("-running")
        self.call_after_refresh(self._reset)
        self._say(f"{title} · c cancels")

    def _reset(self) -> None:
        self.query_one("#job-progress").update(total=None, progress=0)

    def advance(self, done: int, total: int, detail: str) -> None:
        self.query_one("#job-progress").update(total=max(total, 1), progress=done)
        self._say(f"{detail} · c cancels")

    def cancelling(self) -> None:
        self._say("cancelling… (after the request under way)")

    def finish(self) -> None:
        self.remove_class("-running")

    @property
    def running(self) -> bool:
        return self.has_class("-running")

    def _say(self, text: str) -> None:
        if self.children:
            self.children[0].update(Text(visible(text) + " "))
