"""Copying text for the user: the system clipboard, or the terminal's (OSC 52) where there is none."""

from __future__ import annotations

from textual.app import App

SYSTEM_CLIPBOARD = "to the clipboard"
THROUGH_THE_TERMINAL = "through the terminal (OSC 52): no system clipboard was found"


def copy_text(app: App, text: str) -> str:
    """Copy `text`; how it went, to finish the sentence "Copied ... "."""
    try:
        import pyperclip

        pyperclip.copy(text)
    except Exception:  # noqa: BLE001 - pyperclip raises its own types, or fails to import a backend
        # No clipboard program (a server, SSH): ask the terminal to copy.
        app.copy_to_clipboard(text)
        return THROUGH_THE_TERMINAL
    return SYSTEM_CLIPBOARD
