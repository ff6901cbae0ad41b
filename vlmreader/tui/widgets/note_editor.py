"""The note editor at the foot of the detail pane. Its own module, as it is the only part of the
main screen built on Textual's TextArea, whose import and styles the first frame can do without."""

from __future__ import annotations

from textual.widgets import TextArea

from vlmreader.tui.messages import NoteSaved
from vlmreader.tui.widgets.literal_text_area import LiteralTextArea

NOTE_SAVE_DELAY = 1.0
"""Seconds of no typing after which the note is saved."""


class NoteEditor(LiteralTextArea):
    """The highlighted paper's note (markdown). Saved when left and after a pause in typing.

    Each save says which note it was written over (`replacing`), so a note changed meanwhile in
    another terminal is never overwritten unseen: the save is refused, and the app asks the
    user which to keep. A change made elsewhere while the user has no unsaved text here is
    simply shown.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(language="markdown", soft_wrap=True, show_line_numbers=False, **kwargs)
        self.paper_id: str | None = None
        self.base = ""
        """The note as the library held it when the text here was begun from it."""
        self._posted: str | None = None
        """Text asked to be saved and not yet seen in the library."""
        self._timer = None

    def show_note(self, paper_id: str | None, note: str) -> None:
        """Show `paper_id`'s note, saving the previous paper's first if it changed."""
        self.save()
        self.paper_id = paper_id
        self.base, self._posted = note, None
        self.load_text(note)
        self.disabled = paper_id is None

    def library_note(self, note: str) -> None:
        """The library now holds `note` for the paper shown (changed here, or elsewhere)."""
        if note == self.base:
            return
        if note in (self._posted, self.text):  # a save of ours has landed
            self.base, self._posted = note, None
        elif self.text == self.base and self._posted is None:  # nothing unsaved here: follow it
            self.base = note
            self.load_text(note)
        else:
            self.save()  # ours and theirs differ: this save is refused, and the app asks

    def settle(self, note: str) -> None:
        """Show `note` as the saved note: what the user chose when their text and another's met."""
        self.base, self._posted = note, None
        self.load_text(note)

    def save(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        last = self._posted if self._posted is not None else self.base
        if self.paper_id is not None and self.text != last:
            self._posted = self.text
            self.post_message(NoteSaved(self.paper_id, self.text, replacing=last))

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(NOTE_SAVE_DELAY, self.save)

    def on_blur(self) -> None:
        self.save()
