"""Find the bundled data/ and styles/ folders, installed from a wheel or run from a checkout.

The wheel carries them inside the package (`vlmreader/data`, `vlmreader/styles`, see
pyproject.toml's force-include); a checkout or an editable install keeps them at the top level.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _resource_dir(name: str) -> Path:
    for candidate in (_PACKAGE_DIR / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"vlmreader's bundled '{name}' folder is missing: the installation is broken")


def data_dir() -> Path:
    """The folder of bundled listing pages, one per collection."""
    return _resource_dir("data")


def styles_dir() -> Path:
    """The folder of TCSS stylesheets."""
    return _resource_dir("styles")
