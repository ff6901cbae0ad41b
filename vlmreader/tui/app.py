"""The interactive app (a placeholder until the TUI issue lands): shows the library's size."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static

from vlmreader.core.store import Library
from vlmreader.resources import styles_dir


class VlmReaderApp(App):
    """vlmreader's TUI."""

    CSS_PATH = str(styles_dir() / "app.tcss")
    TITLE = "vlmreader"
    BINDINGS = [("q", "quit", "Quit")]

    def __init__(self, library: Library):
        super().__init__()
        self.library = library

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(
            f"{len(self.library)} papers in {self.library.home}.\n\n"
            "The interactive reading list is coming; meanwhile try `vlmreader --help`.",
            id="placeholder",
            markup=False,
        )
        yield Footer()


def make_app(library: Library) -> VlmReaderApp:
    """The app over `library` (tests pass a library in a temporary home)."""
    return VlmReaderApp(library)
