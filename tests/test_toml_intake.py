"""Figures as TOML (``so-lieu.toml``): the same report as the CSV, findings at their line."""

from __future__ import annotations

import csv
import io

PLUGIN = "stp"
TOML = "submissions/stp/so-lieu.toml"


def without_revision(markdown: str) -> str:
    """The draft's revision fingerprints the input files, which differ by design."""
    head, rest = markdown.split("revision:", 1)
    return head + rest.split("\n", 1)[1]


def csv_as_toml(project, plugin: str = PLUGIN) -> str:
    """The sample's figures written one indicator per line, numbers as TOML numbers."""
    path = project.root / "submissions" / plugin / "so-lieu.csv"
    header, *rows = csv.reader(io.StringIO(path.read_text(encoding="utf-8")))
    lines = ["# Số liệu minh họa của Sở Tư pháp"]
    for row in rows:
        cells = []
        for year, text in zip(header[3:], row[3:], strict=True):
            if text:
                number = text.replace(".", "").replace(",", ".")
                cells.append(f"{year} = {number}")
        lines.append(f"{row[0]} = {{ {', '.join(cells)} }}")
    path.unlink()
    return "\n".join(lines) + "\n"


def test_toml_figures_build_the_sample_report(project, sample_markdown):
    text = csv_as_toml(project)
    (project.root / TOML).write_text(text, encoding="utf-8")
    assert project.findings(PLUGIN) == []
    result = project.run("build", "-f", "md")
    assert result.exit_code == 0, result.output
    built = project.output("md").read_text(encoding="utf-8")
    assert without_revision(built) == without_revision(sample_markdown)


def test_toml_findings_are_at_the_indicators_line(project):
    lines = csv_as_toml(project).splitlines()
    number = next(i for i, line in enumerate(lines, 1) if line.startswith("vbqppl_kiem_tra "))
    lines[number - 1] = lines[number - 1].replace("2012 = 58", '2012 = "năm tám"')
    lines[number - 1] = lines[number - 1].replace(", 2015 = 80", "")
    (project.root / TOML).write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = [f for f in project.findings(PLUGIN) if f["severity"] == "error"]
    where = {"file": TOML, "sheet": None, "cell": None, "line": number, "heading": None,
             "paragraph": None}  # fmt: skip
    at_line = [f for f in found if f["location"] == where]
    messages = " | ".join(f["message"] for f in at_line)
    assert "năm 2012: “năm tám” không phải là số" in messages
    assert "thiếu số liệu năm 2015" in messages


def test_toml_syntax_error_is_located_and_nothing_is_built(project):
    text = csv_as_toml(project).replace("vbqppl_ubnd = {", "vbqppl_ubnd = {{", 1)
    (project.root / TOML).write_text(text, encoding="utf-8")
    number = next(i for i, line in enumerate(text.splitlines(), 1) if "{{" in line)
    result = project.run("build", "-f", "md")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"{TOML}:{number}: lỗi: Tệp số liệu TOML sai cú pháp" in result.output


def test_toml_beside_the_csv_is_an_error(project):
    (project.root / TOML).write_text("vbqppl_hdnd = { 2011 = 18 }\n", encoding="utf-8")
    found = project.findings(PLUGIN)
    assert any("Có cả so-lieu.toml và so-lieu.csv" in f["message"] for f in found)
