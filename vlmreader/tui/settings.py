"""The app's remembered preferences (the theme chosen in the palette), in `settings.json` beside
the library. Settings a user writes by hand belong in config.toml (`core/config.py`).

A settings file that cannot be read is never written over silently: the app uses the defaults
and says so, and only when the user next changes a setting is the old file kept as
`settings.json.bak` and a new one written.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from vlmreader.core.files import write_atomically

SETTINGS_FILE = "settings.json"
SETTING_TYPES = {"theme": str}


class UnreadableSettings(Exception):
    """settings.json exists but is not what vlmreader writes; the message says why."""


def load_settings(home: Path) -> dict:
    """The saved settings ({} when there are none); UnreadableSettings if the file is damaged."""
    path = home / SETTINGS_FILE
    try:
        settings = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise UnreadableSettings(f"{path} cannot be read ({error})") from None
    if not isinstance(settings, dict):
        raise UnreadableSettings(f"{path} does not hold settings")
    for name, expected in SETTING_TYPES.items():
        if name in settings and not isinstance(settings[name], expected):
            raise UnreadableSettings(f"{path}: {name} is not a {expected.__name__}")
    return settings


def save_setting(home: Path, name: str, value) -> None:
    """Remember `name = value`; a damaged settings file is kept as settings.json.bak first."""
    path = home / SETTINGS_FILE
    try:
        settings = load_settings(home)
    except UnreadableSettings:
        settings = {}
        try:
            os.replace(path, path.with_name(SETTINGS_FILE + ".bak"))
        except OSError:
            return  # neither kept nor replaced: leave the user's file as it is
    settings[name] = value
    try:
        write_atomically(path, json.dumps(settings, indent=2).encode("utf-8"))
    except OSError:
        pass  # a preference that cannot be saved is not worth interrupting the user for
