"""The sample's outputs, byte for byte, as they were before the build was made faster.

``tests/data/sample-outputs.json`` holds the SHA-256 of every file a cold build of the
sample wrote (the manifest aside: it names this build's tools and drafts) before the
performance work of issue 17: the typst workers kept for the build, charts drawn while the
conversions run, the compiled templates kept. None of it may change a byte. The digests hold
for the tools they were recorded with; with another pandoc, typst, matplotlib or openpyxl
the outputs differ for the tools' own reasons, and the test says so and skips.
"""

from __future__ import annotations

import hashlib
import json
from importlib.metadata import version
from pathlib import Path

import pytest

from cchc_pipeline.publish.formats.pandoc import pandoc_version

RECORD = Path(__file__).with_name("data") / "sample-outputs.json"


def _tools() -> dict[str, str]:
    return {
        "pandoc": pandoc_version(),
        "typst": version("typst"),
        "matplotlib": version("matplotlib"),
        "openpyxl": version("openpyxl"),
    }


def test_every_output_of_the_sample_is_byte_identical_to_before(built_sample):
    recorded = json.loads(RECORD.read_text(encoding="utf-8"))
    if recorded["tools"] != _tools():
        pytest.skip(f"recorded with {recorded['tools']}, these tools are {_tools()}")
    build = built_sample.output("md").parent
    written = {
        p.relative_to(build).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(build.rglob("*"))
        if p.is_file() and not p.name.endswith(".manifest.json")
    }
    assert sorted(written) == sorted(recorded["files"])
    changed = [name for name, sha in written.items() if recorded["files"][name] != sha]
    assert not changed, f"these outputs changed: {changed}"
