"""The pandoc runner: runtime options when the binary takes them, none when it does not."""

from __future__ import annotations

import stat

import pytest

from cchc_pipeline.publish.formats import pandoc


@pytest.fixture
def fake_pandoc(tmp_path, monkeypatch):
    """A pandoc that refuses runtime options (as a binary built without -rtsopts does)."""
    script = tmp_path / "pandoc"
    script.write_text(
        '#!/bin/sh\nif [ "$1" = "+RTS" ]; then echo "RTS options are disabled" >&2; exit 1; fi\n'
        'echo "pandoc 9.9.9"\n',
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(pandoc, "pandoc_path", lambda: str(script))
    pandoc._version_and_options.cache_clear()
    yield script
    pandoc._version_and_options.cache_clear()


def test_the_bundled_pandoc_runs_with_a_smaller_heap():
    pandoc._version_and_options.cache_clear()
    assert pandoc.pandoc_command()[1:] == list(pandoc.RTS_OPTIONS)
    assert pandoc.pandoc_version().count(".") >= 1


def test_a_pandoc_without_runtime_options_runs_plain(fake_pandoc):
    assert pandoc.pandoc_command() == [str(fake_pandoc)]
    assert pandoc.pandoc_version() == "9.9.9"
