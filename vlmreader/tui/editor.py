"""Handing a note to the user's own editor (`$VISUAL`, `$EDITOR`, else vi), with the app suspended."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path

from textual.app import App, SuspendNotSupported


class EditorUnavailable(Exception):
    """The text could not be edited outside the app; the message says why, for the user."""


def edit_in_editor(app: App, text: str, suffix: str = ".md") -> str:
    """`text` as the user left it in their editor (without trailing newlines).

    The app steps aside while the editor runs. The text goes through a temporary file, which is
    removed afterwards whatever happens.
    """
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    with tempfile.NamedTemporaryFile("w", suffix=suffix, delete=False, encoding="utf-8") as file:
        file.write(text)
    path = Path(file.name)
    try:
        with app.suspend():
            subprocess.run([*shlex.split(editor), str(path)], check=False)
        return path.read_text(encoding="utf-8").rstrip("\n")
    except SuspendNotSupported:
        raise EditorUnavailable("This terminal cannot hand over to an editor; press n to edit here.") from None
    except (OSError, ValueError) as error:
        raise EditorUnavailable(f"Could not run {editor}: {error}") from None
    finally:
        path.unlink(missing_ok=True)
