"""The house's rules: the contracts in pyproject.toml hold, and the core runs without a UI."""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys

import vlmreader.core
from tests.conftest import REPOSITORY


def test_the_import_contracts_hold():
    """import-linter checks every contract in pyproject.toml: a broken one fails the suite."""
    linter = subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports; "
         "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True))"],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(REPOSITORY)},
    )
    assert linter.returncode == 0, linter.stdout + linter.stderr
    assert "0 broken" in linter.stdout


def test_every_core_module_imports_without_textual_or_rich():
    """The contracts see static imports; this also catches one made at run time."""
    modules = [info.name for info in pkgutil.walk_packages(vlmreader.core.__path__, "vlmreader.core.")]
    assert "vlmreader.core.formats.bibtex" in modules and "vlmreader.core.library.store" in modules
    code = (
        f"import importlib, sys\nfor name in {modules!r}: importlib.import_module(name)\n"
        "sys.exit(1 if {'textual', 'rich'} & set(sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], timeout=120).returncode == 0


def test_starting_the_app_or_a_search_loads_no_network_code():
    """The metadata services are loaded when a run asks them, never to start the app or search."""
    code = (
        "import sys\n"
        "import vlmreader.cli, vlmreader.tui.app, vlmreader.tui.screens.main\n"
        "from vlmreader.core.search import SearchEngine\n"
        "loaded = sorted(name for name in sys.modules if name.split('.')[0] in ('httpx', 'httpcore')"
        " or name.startswith(('vlmreader.core.sources', 'vlmreader.core.metadata')))\n"
        "print(loaded); sys.exit(1 if loaded else 0)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=REPOSITORY)
    assert run.returncode == 0, run.stdout + run.stderr
