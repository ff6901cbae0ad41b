"""vlmreader's screens and dialogs.

Each is imported the first time it is asked for (PEP 562), not when the app starts: together
they pull in parts of Textual (buttons, radio sets, tables, the text area) that the main screen
does not need for its first frame, about 14 ms of start-up here.
"""

from __future__ import annotations

import importlib

_MODULE_OF = {
    "AddPaperScreen": "add",
    "AddTagsScreen": "tags",
    "CopyFormatScreen": "copy",
    "ExportScreen": "export",
    "HelpScreen": "help",
    "MainScreen": "main",
    "NoteConflictScreen": "note",
    "NoteScreen": "note",
    "RemoveTagScreen": "tags",
    "TriageScreen": "triage",
}


def __getattr__(name: str):
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_MODULE_OF[name]}"), name)


def __dir__() -> list[str]:
    return sorted(_MODULE_OF)
