"""Shared fixtures: every test works in a temporary home, never the user's real library."""

from __future__ import annotations

from pathlib import Path

import pytest

from vlmreader.core import importing
from vlmreader.core.importing import open_library
from vlmreader.core.library import Library
from vlmreader.resources import data_dir

REPOSITORY = Path(__file__).resolve().parent.parent


@pytest.fixture
def bundled_pages() -> list[Path]:
    return importing.bundled_pages(data_dir())


@pytest.fixture
def library(tmp_path: Path, bundled_pages: list[Path]) -> Library:
    """A fresh library of the bundled corpus in a temporary home."""
    return open_library(tmp_path / "home", bundled_pages)


@pytest.fixture(scope="module")
def shared_library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    """One bundled library for a module's read-only tests."""
    return open_library(tmp_path_factory.mktemp("shared") / "home", importing.bundled_pages(data_dir()))


@pytest.fixture(autouse=True)
def _no_real_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A test that forgets --home writes to a temporary folder, not the user's data folder."""
    monkeypatch.setenv("VLMREADER_HOME", str(tmp_path / "default-home"))
