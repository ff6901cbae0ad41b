"""vlmreader's screens and dialogs."""

from vlmreader.tui.screens.export import ExportRequest, ExportScreen
from vlmreader.tui.screens.help import HelpScreen
from vlmreader.tui.screens.tags import AddTagsScreen, RemoveTagScreen

__all__ = ["AddTagsScreen", "ExportRequest", "ExportScreen", "HelpScreen", "RemoveTagScreen"]
