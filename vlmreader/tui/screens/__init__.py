"""vlmreader's screens and dialogs."""

from vlmreader.tui.screens.export import ExportRequest, ExportScreen
from vlmreader.tui.screens.help import HelpScreen
from vlmreader.tui.screens.note import NoteScreen
from vlmreader.tui.screens.tags import AddTagsScreen, RemoveTagScreen
from vlmreader.tui.screens.triage import TriageScreen

__all__ = [
    "AddTagsScreen",
    "ExportRequest",
    "ExportScreen",
    "HelpScreen",
    "NoteScreen",
    "RemoveTagScreen",
    "TriageScreen",
]
