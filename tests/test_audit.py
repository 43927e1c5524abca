"""The audit trail: the manifest beside the outputs, and ``cchc verify`` against it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from cchc_pipeline.publish.manifest import dump


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_manifest_hashes_are_those_of_the_files(built_sample):
    path = built_sample.output("manifest.json")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    assert path.read_bytes() == dump(manifest)  # sorted keys, fixed layout
    build = path.parent
    published = sorted(
        p.relative_to(build).as_posix() for p in build.rglob("*") if p.is_file() and p != path
    )
    assert [o["file"] for o in manifest["outputs"]] == published  # media/ included
    for output in manifest["outputs"]:
        file = build / output["file"]
        assert (output["size"], output["sha256"]) == (file.stat().st_size, sha256(file))
    inputs = {i["path"]: i for i in manifest["inputs"]}
    assert "config.toml" in inputs and "submissions/stp/so-lieu.csv" in inputs
    for item in manifest["inputs"]:
        file = built_sample.root / item["path"]
        assert (item["size"], item["sha256"]) == (file.stat().st_size, sha256(file))
    plugins = {p["name"]: p["version"] for p in manifest["plugins"]}
    assert {"stp", "vp", "snv", "stc", "stttt", "skhcn", "tonghop", "pdf"} <= set(plugins)
    assert set(manifest["tools"]) == {"cchc-pipeline", "pandoc", "python", "typst"}
    assert manifest["report"]["date"] == "2020-11-20"
    assert manifest["report"]["epoch"] == 1605830400  # the report's date, not the clock


def test_verify_names_what_changed_since_the_build(project):
    assert project.run("build", "-f", "md").exit_code == 0
    clean = project.run("verify")
    assert clean.exit_code == 0, clean.output
    assert "Khớp:" in clean.stdout

    data = project.root / "submissions" / "stp" / "so-lieu.csv"
    original = data.read_bytes()
    data.write_bytes(original.replace(b"2020", b"2020 ", 1))
    stale = project.run("verify")
    assert stale.exit_code == 1
    assert (
        "Đầu vào submissions/stp/so-lieu.csv đã bị sửa sau lần dựng; kết quả đã cũ" in stale.stdout
    )
    data.write_bytes(original)
    (project.root / "submissions" / "vp" / "ghi-chu.txt").write_text("x", encoding="utf-8")
    (project.root / "submissions" / "snv" / "README.md").unlink()
    added = project.run("verify")
    assert added.exit_code == 1
    assert "Đầu vào submissions/vp/ghi-chu.txt mới được thêm" in added.stdout
    assert "Đầu vào submissions/snv/README.md đã bị xóa" in added.stdout
    override = project.root / "templates" / "stp" / "ket-qua.md.j2"
    override.parent.mkdir(parents=True)
    override.write_text("Kết quả.\n", encoding="utf-8")  # the project's templates count too
    assert "Đầu vào templates/stp/ket-qua.md.j2 mới được thêm" in project.run("verify").stdout


def test_verify_names_an_edited_or_missing_output(project):
    assert project.run("build", "-f", "md").exit_code == 0
    markdown = project.output("md")
    markdown.write_text(markdown.read_text(encoding="utf-8") + "\nSửa tay.\n", encoding="utf-8")
    chart = next((markdown.parent / "media").rglob("*.png"))
    chart.unlink()
    result = project.run("verify")
    assert result.exit_code == 1
    assert f"Kết quả {markdown.name} đã bị sửa sau lần dựng" in result.stdout
    relative = chart.relative_to(markdown.parent).as_posix()
    assert f"Kết quả {relative} không còn trong thư mục kết quả." in result.stdout
    assert "Traceback" not in result.output


def test_verify_without_a_build_says_so(project):
    result = project.run("verify")
    assert result.exit_code == 1
    assert "Không có bản kê" in result.stderr and "cchc build" in result.stderr
