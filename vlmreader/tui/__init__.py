"""The Textual app. Everything that imports textual lives under this package."""

import os

# Textual paints on a fixed grid of frames (60 a second unless TEXTUAL_FPS says otherwise), and
# a screen that was idle waits one to two grid steps before its next frame. At 120 the list
# follows a keystroke ~13 ms sooner (median 31 ms against 44 ms in a real terminal here). Set
# before Textual is first imported, which reads it once; a user's own setting wins.
os.environ.setdefault("TEXTUAL_FPS", "120")
