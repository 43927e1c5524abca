"""Where the shipped templates, department plugins and sample project are.

They live at the top level of the repository (``templates/``, ``plugins/``, ``config.toml``,
``submissions/``) because that is where departments and reviewers look. A wheel carries them
inside the package under ``_shipped/`` (see ``pyproject.toml``); an editable install or a
source checkout reads them from the repository. Everything else asks this module.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_SHIPPED = _PACKAGE / "_shipped"


def _root() -> Path:
    return _SHIPPED if _SHIPPED.is_dir() else _PACKAGE.parent


def templates_dir() -> Path:
    """The core templates (report skeleton, format assets)."""
    return _root() / "templates"


def plugins_dir() -> Path:
    """The folder of the built-in department plugins, one sub-folder each."""
    return _root() / "plugins"


def sample_dir() -> Path:
    """The sample project copied by ``cchc init``: ``config.toml`` and ``submissions/``."""
    return _SHIPPED / "sample" if _SHIPPED.is_dir() else _PACKAGE.parent
