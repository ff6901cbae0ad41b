"""The user's configuration: `config.toml` in the platform's config folder, or `$VLMREADER_CONFIG`.

    theme = "gruvbox"                    # a Textual theme; unset: the one last chosen in the palette
    [keymap]                             # binding id = keys (comma-separated), see the README
    "main.star" = "f"
    [export]
    default_path = "~/paper/refs.bib"    # what the export dialog offers first
    [sources]
    contact_email = "you@example.org"    # sent to metadata services that ask for one (polite use)
    [keys]
    style = "authoryear"                 # keys of new papers: "title" (default) or "authoryear"
    [copy]
    format = "pandoc"                    # what `y` copies: "bibtex" (default), "cite", "pandoc", "reference"
    [sync]
    auto = true                          # the app syncs at start-up and once idle (false: default)
    idle_seconds = 120                   # seconds after the last change before it syncs again

Every key is optional; a missing file means the defaults. A file that is not TOML, a key vlmreader
does not know or a value of the wrong type is a `UserError` naming the file, the key and what was
expected, and nothing starts half configured.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vlmreader.core.files import user_path
from vlmreader.core.formats.copying import COPY_FORMATS, DEFAULT_COPY_FORMAT
from vlmreader.core.keys import KEY_STYLES, TITLE_STYLE
from vlmreader.core.models import UserError

CONFIG_ENVIRONMENT_VARIABLE = "VLMREADER_CONFIG"
CONFIG_FILE = "config.toml"

ANY_KEY = "*"
SCHEMA: dict[str, Any] = {
    "theme": str,
    "keymap": {ANY_KEY: str},
    "export": {"default_path": str},
    "sources": {
        "contact_email": str, "openalex_api_key": str,
        "arxiv_url": str, "openalex_url": str, "crossref_url": str, "hf_url": str,
    },
    "keys": {"style": str},
    "copy": {"format": str},
    "sync": {"auto": bool, "idle_seconds": (int, float)},
}
"""Every key the file may hold: a type for a value, a table for a table (`*`: any key)."""

_TYPE_NAMES: dict[Any, str] = {
    str: "a string (in quotes)", dict: "a table", bool: "true or false", int: "an integer", float: "a number",
    (int, float): "a number",
}
DEFAULT_SYNC_IDLE_SECONDS = 120.0


@dataclass(frozen=True)
class Config:
    """The settings in effect; the defaults when there is no file."""

    theme: str | None = None
    keymap: dict[str, str] = field(default_factory=dict)
    """Binding id -> keys, applied over the app's own bindings."""
    export_path: str | None = None
    contact_email: str = ""
    openalex_api_key: str = ""
    """OpenAlex's free API key (it limits callers without one to a few searches a day)."""
    source_urls: dict[str, str] = field(default_factory=dict)
    """Base URLs of metadata services set in `[sources]` (`arxiv_url`, ...), by service name."""
    key_style: str = TITLE_STYLE
    """How the keys of new papers are made: one of `keys.KEY_STYLES`."""
    copy_format: str = DEFAULT_COPY_FORMAT
    """What `y` copies: one of `formats.copying.COPY_FORMATS`."""
    auto_sync: bool = False
    """The app syncs (once `vlmreader sync init` has run) at start-up and once idle."""
    sync_idle_seconds: float = DEFAULT_SYNC_IDLE_SECONDS
    """Seconds after the app's last change before the automatic sync runs."""
    path: Path | None = None
    """The file these came from (None: defaults, no file)."""


def default_config_path() -> Path:
    """`$VLMREADER_CONFIG`, else `config.toml` in the platform's user config folder."""
    configured = os.environ.get(CONFIG_ENVIRONMENT_VARIABLE)
    if configured:
        return user_path(configured)
    from platformdirs import user_config_path

    return user_config_path("vlmreader", appauthor=False) / CONFIG_FILE


def load_config(path: Path | None = None) -> Config:
    """The configuration in `path` (default: `default_config_path()`), checked against `SCHEMA`."""
    path = path or default_config_path()
    try:
        with open(path, "rb") as file:
            document = tomllib.load(file)
    except FileNotFoundError:
        if os.environ.get(CONFIG_ENVIRONMENT_VARIABLE):
            raise UserError(f"{path}: no such config file (named by ${CONFIG_ENVIRONMENT_VARIABLE})") from None
        return Config()
    except tomllib.TOMLDecodeError as error:
        raise UserError(f"{path}: not valid TOML: {error}") from None
    except OSError as error:
        raise UserError(f"{path}: cannot read the config file: {error.strerror or error}") from None
    _check(document, SCHEMA, path, "")
    keymap = document.get("keymap", {})
    for binding_id, keys in keymap.items():
        if not keys.strip():
            raise UserError(f"{path}: keymap.{binding_id} is empty: give one key or several, comma-separated")
    key_style = document.get("keys", {}).get("style", TITLE_STYLE)
    if key_style not in KEY_STYLES:
        allowed = " or ".join(repr(style) for style in KEY_STYLES)
        raise UserError(f"{path}: keys.style must be {allowed}, not {key_style!r}")
    copy_format = document.get("copy", {}).get("format", DEFAULT_COPY_FORMAT)
    if copy_format not in COPY_FORMATS:
        allowed = ", ".join(repr(name) for name in COPY_FORMATS)
        raise UserError(f"{path}: copy.format must be one of {allowed}, not {copy_format!r}")
    sync = document.get("sync", {})
    idle_seconds = sync.get("idle_seconds", DEFAULT_SYNC_IDLE_SECONDS)
    if isinstance(idle_seconds, bool) or not 0 < idle_seconds < float("inf"):
        raise UserError(f"{path}: sync.idle_seconds must be a positive number of seconds, not {idle_seconds!r}")
    return Config(
        theme=document.get("theme"),
        keymap=dict(keymap),
        export_path=document.get("export", {}).get("default_path"),
        contact_email=document.get("sources", {}).get("contact_email", ""),
        openalex_api_key=document.get("sources", {}).get("openalex_api_key", ""),
        source_urls={
            name.removesuffix("_url"): value for name, value in document.get("sources", {}).items() if name.endswith("_url")
        },
        key_style=key_style,
        copy_format=copy_format,
        auto_sync=sync.get("auto", False),
        sync_idle_seconds=float(idle_seconds),
        path=path,
    )


def _check(table: dict[str, Any], schema: dict[str, Any], path: Path, prefix: str) -> None:
    for key, value in table.items():
        name = f"{prefix}{key}"
        expected = schema.get(key, schema.get(ANY_KEY))
        if expected is None:
            known = ", ".join(k for k in schema if k != ANY_KEY)
            raise UserError(f"{path}: unknown key {name!r} (known here: {known})")
        if isinstance(expected, dict):
            if not isinstance(value, dict):
                raise UserError(f"{path}: {name} must be {_TYPE_NAMES[dict]} ([{name}]), not {_type_name(value)}")
            _check(value, expected, path, f"{name}.")
        elif not isinstance(value, expected):
            raise UserError(f"{path}: {name} must be {_TYPE_NAMES[expected]}, not {_type_name(value)}")


def _type_name(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__.replace("list", "an array"))
