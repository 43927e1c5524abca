"""Guards that keep the hook specs, their documentation and their tests in step."""

from __future__ import annotations

import inspect
from pathlib import Path

from cchc_pipeline import hookspecs

SPECS = sorted(name for name in dir(hookspecs) if name.startswith("cchc_"))
TESTS = Path(__file__).with_name("test_hooks.py").read_text(encoding="utf-8")


def test_there_are_hook_specs():
    assert len(SPECS) >= 10


def test_every_hook_is_documented():
    for name in SPECS:
        doc = inspect.getdoc(getattr(hookspecs, name)) or ""
        assert len(doc.splitlines()) >= 3, f"{name} needs a docstring"
        assert ":return:" in doc, f"{name}'s docstring must say what it returns"
        for param in inspect.signature(getattr(hookspecs, name)).parameters:
            assert f":param {param}:" in doc, f"{name}'s docstring must describe {param}"


def test_every_hook_is_tested():
    missing = [name for name in SPECS if f"def test_hook_{name}(" not in TESTS]
    assert missing == [], f"hooks without a test_hook_<name> in test_hooks.py: {missing}"
