"""The Textual app. Everything that imports textual lives under this package."""

import os

# Textual paints the first change after a quiet moment at once, and each later change on a fixed
# grid of frames (60 a second unless TEXTUAL_FPS says otherwise), one to two grid steps after the
# frame before it: after a pause its timer skips to the second grid point, not the next. At 120
# a result painted right after another frame (a key's echo, the scrollbar) waits 8 to 17 ms
# rather than 17 to 33. Set before Textual is first imported, which reads it once; a user's own
# setting wins. (A key's echo and its result share one frame: see frame_hold.py.)
os.environ.setdefault("TEXTUAL_FPS", "120")
