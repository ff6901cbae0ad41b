"""Rendering a document that cites an export, as a pandoc or Quarto user would: pandoc --citeproc.

The tests that use this are skipped where pandoc (2.11 or newer, which has --citeproc) is
missing, unless VLMREADER_REQUIRE_PANDOC=1 (CI sets it), which makes them fail instead.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REQUIRE_PANDOC = os.environ.get("VLMREADER_REQUIRE_PANDOC") == "1"


def require_pandoc() -> None:
    """Skip, or fail under VLMREADER_REQUIRE_PANDOC=1, unless a pandoc with --citeproc exists."""
    reason = None
    if shutil.which("pandoc") is None:
        reason = "needs pandoc (Debian: pandoc)"
    else:
        version = subprocess.run(["pandoc", "--version"], capture_output=True, text=True).stdout
        match = re.match(r"pandoc(?:\.exe)? (\d+)\.(\d+)", version)
        if not match or (int(match.group(1)), int(match.group(2))) < (2, 11):
            reason = f"needs pandoc 2.11 or newer for --citeproc, not {version.splitlines()[0] if version else '?'}"
    if reason:
        if REQUIRE_PANDOC:
            pytest.fail(f"{reason}, and VLMREADER_REQUIRE_PANDOC=1")
        pytest.skip(reason)


def render_citations(bibliography: str, file_name: str, text: str, folder: Path, source_format: str = "markdown") -> str:
    """What `pandoc --citeproc -t plain` prints for the Markdown `text` with `bibliography`
    written to `folder/file_name` as its bibliography (pandoc's default style, Chicago
    author-date). Pandoc must say nothing on stderr (an unknown citation, an unreadable entry)."""
    require_pandoc()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / file_name).write_text(bibliography, encoding="utf-8")
    (folder / "paper.md").write_text(text, encoding="utf-8")
    completed = subprocess.run(
        ["pandoc", "--citeproc", "--bibliography", file_name, "-f", source_format, "-t", "plain", "--wrap=none", "paper.md"],
        cwd=folder, capture_output=True, text=True, timeout=300,
    )
    assert completed.returncode == 0 and completed.stderr == "", completed.stderr
    return completed.stdout


def render_markdown(text: str, source_format: str) -> str:
    """What pandoc prints (`-t plain`) for Markdown `text` read as `source_format` (`markdown`,
    `commonmark`, `gfm`)."""
    require_pandoc()
    completed = subprocess.run(
        ["pandoc", "-f", source_format, "-t", "plain", "--wrap=none"], input=text, capture_output=True, text=True, timeout=300
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout
