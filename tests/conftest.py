"""Shared fixtures: every test works in a temporary home, never the user's real library."""

from __future__ import annotations

import ipaddress
import socket
import subprocess
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


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """The home the CLI tests' `run` works in."""
    return tmp_path / "home"


@pytest.fixture
def run(home: Path, capsys):
    """Run `vlmreader ARGS --home HOME` in-process; returns (exit code, stdout, stderr)."""
    from vlmreader.cli import main

    def run(*arguments: str) -> tuple[int, str, str]:
        code = main([*arguments, "--home", str(home)])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    """An empty bare git repository, the remote the sync tests share."""
    path = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(path)], check=True)
    return path


@pytest.fixture(autouse=True)
def _no_real_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A test that forgets --home writes to a temporary folder, not the user's data folder."""
    monkeypatch.setenv("VLMREADER_HOME", str(tmp_path / "default-home"))


SERVICE_URLS = ("VLMREADER_ARXIV_URL", "VLMREADER_OPENALEX_URL", "VLMREADER_CROSSREF_URL", "VLMREADER_HF_URL")
NOWHERE = "http://127.0.0.1:9"
"""The discard port on this machine: a test that asks a service without its stand-in is refused
at once, in this process and in the CLI processes it starts, instead of reaching the internet."""


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test talks to a real service: their URLs point here unless a test serves a stand-in
    (tests/sources set their own), and any connection this process opens beyond the loopback
    fails the test."""
    for name in SERVICE_URLS:
        monkeypatch.setenv(name, NOWHERE)
    connect = socket.socket.connect

    def loopback_only(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0]
            try:
                loopback = ipaddress.ip_address(host).is_loopback
            except ValueError:
                loopback = host == "localhost"
            if not loopback:
                raise AssertionError(f"a test tried to reach {host}: serve a stand-in on 127.0.0.1")
        return connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", loopback_only)
