"""config.toml: every key read, and every mistake a one-line error naming the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from vlmreader.core.config import Config, load_config
from vlmreader.core.models import UserError

FULL = """
theme = "gruvbox"

[keymap]
"main.star" = "f"
"list.down" = "j,down,ctrl+n"

[export]
default_path = "~/thesis/refs.bib"

[sources]
contact_email = "me@example.org"

[copy]
format = "pandoc"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_means_the_defaults(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("VLMREADER_CONFIG", raising=False)
    assert load_config(tmp_path / "missing.toml") == Config()


def test_every_key_is_read(tmp_path: Path):
    path = write(tmp_path, FULL)
    assert load_config(path) == Config(
        theme="gruvbox",
        keymap={"main.star": "f", "list.down": "j,down,ctrl+n"},
        export_path="~/thesis/refs.bib",
        contact_email="me@example.org",
        copy_format="pandoc",
        path=path,
    )


def test_vlmreader_config_names_the_file(tmp_path: Path, monkeypatch):
    path = write(tmp_path, 'theme = "nord"\n')
    monkeypatch.setenv("VLMREADER_CONFIG", str(path))
    assert load_config().theme == "nord"
    monkeypatch.setenv("VLMREADER_CONFIG", str(tmp_path / "typo.toml"))
    with pytest.raises(UserError, match=r"typo\.toml: no such config file \(named by \$VLMREADER_CONFIG\)"):
        load_config()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('colour = "red"\n', r"config\.toml: unknown key 'colour' \(known here: theme, keymap, export, sources, keys, copy, sync\)"),
        ('[export]\npath = "x.bib"\n', r"unknown key 'export\.path' \(known here: default_path\)"),
        ('[keys]\nstyle = "author-year"\n', r"keys\.style must be 'title' or 'authoryear', not 'author-year'"),
        (
            '[copy]\nformat = "apa"\n',
            r"copy\.format must be one of 'bibtex', 'cite', 'pandoc', 'reference', not 'apa'",
        ),
        ("[copy]\nformat = 1\n", r"copy\.format must be a string \(in quotes\), not an integer"),
        ("theme = 3\n", r"theme must be a string \(in quotes\), not an integer"),
        ('keymap = "f"\n', r"keymap must be a table \(\[keymap\]\), not a string"),
        ('[keymap]\n"main.star" = ["f"]\n', r"keymap\.main\.star must be a string \(in quotes\), not an array"),
        ('[keymap]\n"main.star" = " "\n', r"keymap\.main\.star is empty"),
        ("[sources]\ncontact_email = true\n", r"sources\.contact_email must be a string \(in quotes\), not true or false"),
        ('theme = "unclosed\n', r"config\.toml: not valid TOML"),
    ],
)
def test_a_mistake_is_one_line_naming_the_file_and_the_key(tmp_path: Path, text: str, message: str):
    path = write(tmp_path, text)
    with pytest.raises(UserError, match=message) as raised:
        load_config(path)
    assert str(path) in str(raised.value) and "\n" not in str(raised.value)


def test_sync_settings_are_read_and_checked(tmp_path: Path):
    config = load_config(write(tmp_path, "[sync]\nauto = true\nidle_seconds = 30\n"))
    assert config.auto_sync and config.sync_idle_seconds == 30
    assert not load_config(write(tmp_path, "")).auto_sync
    for value, message in (("0", "positive number"), ("-5", "positive number"), ("true", "positive number"), ('"5"', "must be a number")):
        with pytest.raises(UserError, match=message):
            load_config(write(tmp_path, f"[sync]\nidle_seconds = {value}\n"))
    with pytest.raises(UserError, match="sync.auto must be true or false"):
        load_config(write(tmp_path, "[sync]\nauto = 1\n"))
