"""A build with nothing changed since the last successful one repeats its result and stops;
any change anywhere it could read is a full build."""

from __future__ import annotations

import json

import pytest

from cchc_pipeline.cache import CACHE_DIR
from cchc_pipeline.publish.uptodate import RECORD

SAID = "Không có gì thay đổi từ lần dựng trước"


def _stamps(project) -> dict[str, int]:
    build = project.root / "build"
    return {p.relative_to(build).as_posix(): p.stat().st_mtime_ns
            for p in build.rglob("*") if p.is_file()}  # fmt: skip


@pytest.fixture
def built(project):
    first = project.run("build", "-f", "md")
    assert first.exit_code == 0, first.output
    assert SAID not in first.stderr
    return project, first


def test_nothing_changed_repeats_the_result_and_writes_nothing(built):
    project, first = built
    before = _stamps(project)
    again = project.run("build", "-f", "md")
    assert again.exit_code == 0 and SAID in again.stderr
    assert again.stdout == first.stdout  # the files written, the districts rolled up
    assert _stamps(project) == before


def test_a_changed_value_is_a_full_build(built):
    project, _ = built
    project.set_value("stp", "pbgdpl_buoi", 2020, "1.777")
    again = project.run("build", "-f", "md")
    assert again.exit_code == 0 and SAID not in again.stderr
    assert "| 1.777 |" in project.output("md").read_text(encoding="utf-8")


@pytest.mark.parametrize("change", ["deleted", "edited", "template", "options", "no-cache",
                                    "foreign", "new-file"])  # fmt: skip
def test_anything_not_known_unchanged_is_a_full_build(built, change):
    project, _ = built
    args = ["build", "-f", "md"]
    output = project.output("md")
    if change == "deleted":
        output.unlink()
    elif change == "edited":
        output.write_text(output.read_text(encoding="utf-8") + "sửa tay\n", encoding="utf-8")
    elif change == "template":
        (project.root / "templates").mkdir()
        (project.root / "templates" / "nhiem-vu.md.j2").write_text("Ghi đè.\n", "utf-8")
    elif change == "options":
        args += ["--keep-going"]
    elif change == "no-cache":
        args += ["--no-cache"]
    elif change == "foreign":  # a record this user did not sign: believed by nobody
        record = project.root / CACHE_DIR / RECORD
        data = json.loads(record.read_text(encoding="utf-8"))
        data["signature"] = "0" * 64
        record.write_text(json.dumps(data), encoding="utf-8")
    elif change == "new-file":  # a file the build may read (or list as unused)
        (project.root / "submissions" / "stp" / "ghi-chu.txt").write_text("mới", "utf-8")
    again = project.run(*args)
    assert again.exit_code == 0, again.output
    assert SAID not in again.stderr
    if change in ("deleted", "edited"):
        assert "sửa tay" not in output.read_text(encoding="utf-8")
    if change == "template":
        assert "Ghi đè." in output.read_text(encoding="utf-8")


def test_a_build_with_errors_keeps_no_record(project):
    project.set_value("stp", "pbgdpl_buoi", 2012, "-3")
    failed = project.run("build", "-f", "md", "--keep-going")
    assert failed.exit_code != 0
    assert not (project.root / CACHE_DIR / RECORD).exists()
    assert SAID not in project.run("build", "-f", "md", "--keep-going").stderr


def test_the_warnings_of_the_last_build_are_shown_again(project):
    narrative = project.root / "submissions" / "stp" / "bao-cao.md"
    text = narrative.read_text(encoding="utf-8")
    odd = "# Mục lạ\n\nMột đoạn.\n\n# Nguyên nhân"
    narrative.write_text(text.replace("# Nguyên nhân", odd), "utf-8")
    first = project.run("build", "-f", "md")
    warnings = [line for line in first.stderr.splitlines() if line.startswith("[stp]")]
    assert first.exit_code == 0 and warnings, first.output
    again = project.run("build", "-f", "md")
    assert SAID in again.stderr
    assert [line for line in again.stderr.splitlines() if line.startswith("[stp]")] == warnings
