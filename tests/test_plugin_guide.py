"""The plugin author guide (docs/plugins.md) agrees with the hook specs it documents."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from cchc_pipeline import hookspecs
from cchc_pipeline.report import SLOTS

ROOT = Path(__file__).resolve().parents[1]
GUIDE = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
SPECS = {name: getattr(hookspecs, name) for name in dir(hookspecs) if name.startswith("cchc_")}


def _annotation(value: object) -> str:
    return value if isinstance(value, str) else inspect.formatannotation(value)


def rendered(func) -> str:
    """A hook's signature as the guide writes it: ``def name(arg: Type, ...) -> Type``."""
    signature = inspect.signature(func)
    params = ", ".join(
        p.name if p.annotation is p.empty else f"{p.name}: {_annotation(p.annotation)}"
        for p in signature.parameters.values()
    )
    result = signature.return_annotation
    returns = "" if result is signature.empty else f" -> {_annotation(result)}"
    return f"def {func.__name__}({params}){returns}"


def _section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", GUIDE, re.M | re.S)
    assert match, f"docs/plugins.md has no section “## {title}”"
    return match.group(1)


def _documented() -> dict[str, str]:
    """The ``def cchc_…`` lines of the python blocks of the hook reference, by hook name."""
    blocks = re.findall(r"^```python\n(.*?)^```", _section("Hook reference"), re.M | re.S)
    lines = [line for block in blocks for line in block.splitlines()]
    found = {}
    for line in lines:
        match = re.match(r"def (cchc_\w+)\(", line)
        if match:
            assert match.group(1) not in found, f"{match.group(1)} is documented twice"
            found[match.group(1)] = line.rstrip().removesuffix(":")
    return found


def test_the_guide_documents_every_hook_and_no_other():
    assert set(_documented()) == set(SPECS)


def test_each_signature_is_the_spec_s():
    documented = _documented()
    wrong = {
        name: (documented[name], rendered(func))
        for name, func in SPECS.items()
        if name in documented and documented[name] != rendered(func)
    }
    assert wrong == {}, "docs/plugins.md and hookspecs.py disagree (guide, spec): " + str(wrong)


def test_each_hook_has_its_heading():
    reference = _section("Hook reference")
    assert re.findall(r"^### `(cchc_\w+)`$", reference, re.M) == list(_documented())


def test_the_slot_table_lists_the_report_s_slots():
    slots = re.findall(r"^\| `(\w+)` \|", _section("Hook reference"), re.M)
    assert slots == list(SLOTS)


def test_the_readme_links_the_guide():
    assert "(docs/plugins.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
