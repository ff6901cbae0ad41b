"""Every test here talks to a local stand-in for the services (fake_services.py), never the internet."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from vlmreader.cli import main

from vlmreader.core.sources import http

from .fake_services import CROSSREF_WORK, FLAMINGO, LLAVA, FakeServices


@pytest.fixture
def services(monkeypatch: pytest.MonkeyPatch):
    """The stand-in, knowing LLaVA and Flamingo on arXiv and one DOI on Crossref; vlmreader's
    sources point at it, without waiting between requests or before retries."""
    with FakeServices() as fake:
        fake.arxiv = {paper.arxiv_id: paper for paper in (LLAVA, FLAMINGO)}
        fake.crossref = {CROSSREF_WORK["DOI"].lower(): CROSSREF_WORK}
        for name, value in fake.environment().items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr(http, "BACKOFF_SECONDS", 0.01)
        monkeypatch.setattr(http, "TIMEOUT_SECONDS", 0.5)
        monkeypatch.setattr(http, "PACING", 0.0)
        yield fake


@pytest.fixture
def run(tmp_path: Path, capsys):
    """`run("add", "2304.08485")` -> (exit status, stdout, stderr) of the CLI, in a temporary home."""

    def run(*arguments: str) -> tuple[int, str, str]:
        code = main([*arguments, "--home", str(tmp_path / "home")])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def shown(run, ref: str) -> dict:
    """`vlmreader show REF --json`, read."""
    return json.loads(run("show", ref, "--json")[1])


@pytest.fixture
def sources(services, tmp_path: Path):
    """A `Sources` asking the stand-in, with its cache in a fresh home."""
    asking = http.Sources(tmp_path / "home")
    yield asking
    asking.close()


def age(home: Path, seconds: float) -> None:
    """Make every answer kept in `home`'s cache `seconds` old."""
    then = time.time() - seconds
    for path in (home / http.CACHE_FOLDER).iterdir():
        os.utime(path, (then, then))
