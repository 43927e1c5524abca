"""Every finding the tool emits says how to fix it: the findings file's "Cách sửa" column.

The calls are found by reading the code (ast), so that a new finding without a hint fails
here before any department receives it: ``section.error(…)``, ``section.warning(…)``,
``notes.error/warning/info(…)`` and ``….add(Severity.…, …)``, in the core and the shipped
plugins. A call must pass ``hint=`` with something other than an empty string or ``None``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from cchc_pipeline.catalogue import Indicator
from cchc_pipeline.intake.yearly import missing_hint, value_hint, value_problem
from cchc_pipeline.workflow.forms import zero_guidance

REPO = Path(__file__).resolve().parent.parent
ROOTS = (REPO / "cchc_pipeline", REPO / "plugins")
RECEIVERS = {"section", "notes"}  # a Section, or owntable's findings kept per sheet
METHODS = {"error", "warning", "info"}

# (file, function) → why a finding there may go without a hint. Empty: every one has one.
ALLOWED: dict[tuple[str, str], str] = {}


def _calls(path: Path) -> list[tuple[ast.Call, ast.FunctionDef | ast.AsyncFunctionDef | None]]:
    """The finding calls of a file, each with the function it is in."""
    found = []

    def visit(node: ast.AST, function: ast.FunctionDef | ast.AsyncFunctionDef | None) -> None:
        for child in ast.iter_child_nodes(node):
            inner = child if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
            if isinstance(child, ast.Call) and _is_finding(child):
                found.append((child, function))
            visit(child, inner or function)

    visit(ast.parse(path.read_text(encoding="utf-8")), None)
    return found


def _is_finding(call: ast.Call) -> bool:
    func = call.func
    if not isinstance(func, ast.Attribute):
        return False
    if func.attr == "add":
        first = call.args[0] if call.args else None
        return (
            isinstance(first, ast.Attribute)
            and isinstance(first.value, ast.Name)
            and first.value.id == "Severity"
        )
    receiver = func.value
    name = receiver.attr if isinstance(receiver, ast.Attribute) else getattr(receiver, "id", "")
    return func.attr in METHODS and name in RECEIVERS


def _missing_hint(call: ast.Call, where: tuple[str, str]) -> bool:
    """No ``hint=``, or an empty one; a computed hint (a variable, a call) is trusted."""
    hint = next((k.value for k in call.keywords if k.arg == "hint"), None)
    if hint is None:
        return where not in ALLOWED
    if isinstance(hint, ast.Constant):
        return not (isinstance(hint.value, str) and hint.value.strip())
    return False


def _sources() -> list[Path]:
    return sorted(p for root in ROOTS for p in root.rglob("*.py") if "_shipped" not in p.parts)


def test_the_scan_finds_the_findings() -> None:
    """The scan is not vacuous: it sees the calls it is meant to check."""
    calls = {p.relative_to(REPO).as_posix(): len(_calls(p)) for p in _sources()}
    assert calls["cchc_pipeline/intake/yearly.py"] >= 8
    assert calls["cchc_pipeline/checks/rules.py"] >= 4
    assert calls["plugins/tonghop/index.py"] >= 3
    assert sum(calls.values()) >= 60


def test_every_finding_has_a_hint() -> None:
    missing = []
    for path in _sources():
        rel = path.relative_to(REPO).as_posix()
        for call, function in _calls(path):
            where = (rel, function.name if function else "")
            if _missing_hint(call, where):
                missing.append(f"{rel}:{call.lineno} {ast.unparse(call.func)}(…)")
    assert not missing, "findings without a hint:\n" + "\n".join(missing)


def test_allowed_calls_still_exist() -> None:
    """An allow-list entry whose function is gone would silently allow something else."""
    for rel, name in ALLOWED:
        tree = ast.parse((REPO / rel).read_text(encoding="utf-8"))
        names = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        assert name in names, (rel, name)


RANK = Indicator("xep_hang", "Xếp hạng", "thứ hạng", kind="count", minimum=1, maximum=63)
COUNT = Indicator("ho_so", "Hồ sơ", "hồ sơ")
RATE = Indicator("ty_le", "Tỷ lệ", "%", kind="percent")


@pytest.mark.parametrize(
    ("indicator", "value", "expected"),
    [
        (RANK, 0, "số nguyên từ 1 đến 63 (thứ hạng)"),
        (RANK, 64, "số nguyên từ 1 đến 63"),
        (COUNT, -3, "số nguyên từ 0 trở lên (hồ sơ)"),
        (COUNT, 2.5, "không có phần thập phân"),
        (RATE, 120, "tỷ lệ % từ 0 đến 100"),
    ],
)
def test_out_of_bounds_hint_follows_the_bounds(
    indicator: Indicator, value: float, expected: str
) -> None:
    assert value_problem(indicator, value) is not None
    assert expected in value_hint(indicator, value)


def test_missing_year_hint_says_zero_only_where_zero_is_allowed() -> None:
    assert "ghi 0" in missing_hint(COUNT)
    assert "ghi 0" not in missing_hint(RANK)
    assert "từ 1 đến 63" in missing_hint(RANK)


def test_form_guidance_names_the_indicators_that_refuse_zero() -> None:
    from cchc_pipeline.catalogue import Catalogue

    assert zero_guidance(Catalogue((COUNT, RATE))) == "Năm không có số liệu ghi 0."
    mixed = zero_guidance(Catalogue((COUNT, RANK)))
    assert mixed.startswith("Năm không có số liệu ghi 0, trừ")
    assert "“Xếp hạng” (từ 1 đến 63)" in mixed
    only = zero_guidance(Catalogue((RANK,)))
    assert "ghi 0" not in only and "“Xếp hạng” (từ 1 đến 63)" in only


def test_the_form_of_a_field_with_a_rank_does_not_ask_for_zero(tmp_path: Path) -> None:
    """The real form of the ICT field: its rank 1–63 is named, 0 is offered for the rest."""
    import openpyxl

    from cchc_pipeline.testing import ReportProject

    project = ReportProject.sample(tmp_path / "bao-cao")
    target = tmp_path / "so-lieu.xlsx"
    result = project.run("form", "stttt", "-c", str(project.config_path), "-o", str(target))
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(target)
    guide = "\n".join(str(c.value) for c in book["Hướng dẫn"]["A"] if c.value)
    assert "Năm không có số liệu ghi 0, trừ các chỉ tiêu không nhận số 0:" in guide
    assert "(Vietnam ICT Index) trong 63 tỉnh, thành phố” (từ 1 đến 63" in guide
