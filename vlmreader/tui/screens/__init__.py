"""vlmreader's screens and dialogs.

Each is imported the first time it is asked for (PEP 562), not when the app starts: together
they pull in a good part of Textual that the main screen does not need for its first frame.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vlmreader.tui.screens.export import ExportRequest, ExportScreen
    from vlmreader.tui.screens.help import HelpScreen
    from vlmreader.tui.screens.note import NoteScreen
    from vlmreader.tui.screens.tags import AddTagsScreen, RemoveTagScreen
    from vlmreader.tui.screens.triage import TriageScreen

_MODULE_OF = {
    "AddTagsScreen": "tags",
    "ExportRequest": "export",
    "ExportScreen": "export",
    "HelpScreen": "help",
    "NoteScreen": "note",
    "RemoveTagScreen": "tags",
    "TriageScreen": "triage",
}

__all__ = [
    "AddTagsScreen",
    "ExportRequest",
    "ExportScreen",
    "HelpScreen",
    "NoteScreen",
    "RemoveTagScreen",
    "TriageScreen",
]


def __getattr__(name: str):
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_MODULE_OF[name]}"), name)
