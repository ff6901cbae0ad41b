"""The app's preferences (the theme), kept beside the library in `settings.json`."""

from __future__ import annotations

import json
from pathlib import Path

from vlmreader.core.files import write_atomically

SETTINGS_FILE = "settings.json"


def load_settings(home: Path) -> dict:
    """The saved settings; {} when there are none or they cannot be read (they are only preferences)."""
    try:
        settings = json.loads((home / SETTINGS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return settings if isinstance(settings, dict) else {}


def save_setting(home: Path, name: str, value) -> None:
    settings = load_settings(home)
    settings[name] = value
    try:
        write_atomically(home / SETTINGS_FILE, json.dumps(settings, indent=2).encode("utf-8"))
    except OSError:
        pass  # a preference that cannot be saved is not worth interrupting the user for
