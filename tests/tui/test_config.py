"""config.toml in the app: a rebound key works, the theme and export path apply, mistakes stop it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import REPOSITORY
from vlmreader.core.config import load_config
from vlmreader.core.library import Library
from vlmreader.tui.keymap import rebindable

from .conftest import list_rows, notifications, settle, text_of, type_query


def config_file(tmp_path: Path, text: str, monkeypatch) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("VLMREADER_CONFIG", str(path))
    return path


async def test_a_rebound_key_does_the_action_and_the_old_key_does_not(library: Library, run_app, tmp_path, monkeypatch):
    config_file(tmp_path, '[keymap]\n"main.star" = "f"\n"triage.queued" = "w"\n', monkeypatch)
    async with run_app(library, config=load_config()) as (app, pilot):
        await type_query(pilot, "dragonfly")
        await pilot.press("s")
        await settle(pilot)
        assert not library.resolve("dragonfly").starred
        await pilot.press("f")
        await settle(pilot)
        assert library.resolve("dragonfly").starred and "★" in list_rows(app)[0]
        assert "f Star" in app.main_screen.query_one("KeyFooter").render().plain
        await pilot.press("z", "w")  # triage over the query; w queues now
        await settle(pilot)
        assert library.resolve("dragonfly").status == "queued"


async def test_a_key_taken_from_another_binding_is_reported(library: Library, run_app, tmp_path, monkeypatch):
    config_file(tmp_path, '[keymap]\n"main.star" = "x"\n', monkeypatch)
    async with run_app(library, config=load_config()) as (app, pilot):
        await pilot.press("x")
        await settle(pilot)
        assert app.library.get(app.main_screen.paper_list.highlighted_id).starred
        assert any("main.star takes x from main.skip" in message for message in notifications(app))


async def test_the_configured_theme_and_export_path_apply(library: Library, run_app, tmp_path, monkeypatch):
    config_file(tmp_path, f'theme = "nord"\n[export]\ndefault_path = "{tmp_path}/thesis.bib"\n', monkeypatch)
    async with run_app(library, config=load_config()) as (app, pilot):
        assert app.theme == "nord"
        await pilot.press("e")
        await settle(pilot)
        assert app.screen.query_one("#export-path").value == f"{tmp_path}/thesis.bib"
        await pilot.press("enter")
        await settle(pilot)
        assert (tmp_path / "thesis.bib").read_text().startswith("@misc{")
        app.theme = "gruvbox"  # chosen in the palette: for this session only
        await settle(pilot)
        assert any("config.toml sets the theme" in message for message in notifications(app))
    assert not (library.home / "settings.json").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('theme = "no-such-theme"\n', "theme 'no-such-theme' is not a theme here"),
        ('[keymap]\n"star" = "f"\n', "keymap.star is not a binding id (did you mean main.star or triage.star?)"),
        ("theme = 1\n", "theme must be a string"),
    ],
)
def test_a_config_mistake_stops_the_app_with_one_line(tmp_path, monkeypatch, capsys, text, message):
    from vlmreader.cli import main
    from vlmreader.tui.app import VlmReaderApp

    path = config_file(tmp_path, text, monkeypatch)
    started = []
    monkeypatch.setattr(VlmReaderApp, "run", lambda app, **options: started.append(app))
    assert main(["--home", str(tmp_path / "home")]) == 1
    error = capsys.readouterr().err
    assert error.startswith(f"vlmreader: error: {path}: ") and message in error and error.count("\n") == 1
    assert started == []


def test_the_readme_lists_every_binding_id_with_its_keys():
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    listed = dict(re.findall(r"`([a-z]+\.[a-z][a-z0-9-]*)` \(([^)]*)\)", readme))
    for binding_id, binding in rebindable().items():
        assert binding_id in readme, f"{binding_id} is not in the README's Configuration section"
        if binding_id in listed:
            shown = listed[binding_id].replace("?", "question_mark").replace("/", "slash").replace(" ", "")
            assert shown == binding.key.replace(" ", ""), (binding_id, listed[binding_id], binding.key)
