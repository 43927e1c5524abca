"""``<name>.data.json``: written on every build, valid against its JSON Schema, in the manifest,
the same bytes on a rebuild."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

import cchc_pipeline
from cchc_pipeline.publish.export import SCHEMA_FILE, schema
from cchc_pipeline.testing import ReportProject

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> ReportProject:
    project = ReportProject.sample(tmp_path_factory.mktemp("export") / "bao-cao")
    result = project.run("build", "-q", "-f", "md")
    assert result.exit_code == 0, result.output
    return project


def _export(project: ReportProject) -> dict:
    return json.loads(project.output("data.json").read_text(encoding="utf-8"))


def test_the_schema_file_is_a_valid_json_schema_shipped_in_the_package():
    # read from the installed package (CI installs it non-editable), the same as the checkout's
    assert SCHEMA_FILE.is_relative_to(Path(cchc_pipeline.__file__).parent)
    relative = SCHEMA_FILE.relative_to(Path(cchc_pipeline.__file__).parent)
    assert SCHEMA_FILE.read_bytes() == (REPO / "cchc_pipeline" / relative).read_bytes()
    jsonschema.Draft202012Validator.check_schema(schema())


def test_the_build_writes_an_export_that_validates(built):
    data = _export(built)
    jsonschema.validate(data, schema())
    report = data["report"]
    assert report["agency"] == "UBND tỉnh Lạng Sơn"
    assert report["level"] == "tỉnh"
    assert report["period"] == [2011, 2020]
    assert report["date"] == "2020-11-20"
    assert report["final"] is False
    assert data["illustrative"] is True


def test_the_export_holds_figures_targets_index_nominations_and_findings(built):
    data = _export(built)
    sections = {s["name"]: s for s in data["sections"]}
    assert list(sections) == ["stp", "vp", "snv", "stc", "stttt", "skhcn", "tonghop"]
    communes = [i for i in sections["snv"]["indicators"] if i["id"] == "don_vi_hanh_chinh_xa"]
    assert communes[0]["unit"] == "đơn vị"
    assert communes[0]["values"]["2020"] == 200
    assert communes[0]["rollup"] == "sum"
    rate = next(i for i in sections["vp"]["indicators"] if i["id"] == "ty_le_dung_han")
    assert rate["kind"] == "percent"
    assert rate["share"] == {"numerator": "ho_so_dung_han", "denominator": "ho_so_giai_quyet"}
    verdicts = {t["verdict"] for s in data["sections"] for t in s.get("targets", [])}
    assert verdicts <= {"đạt", "không đạt", "chưa có số liệu"} and "đạt" in verdicts
    assert {"error", "warning", "info"} == set(sections["stp"]["findings"])
    assert [row["rank"] for row in data["index"] if row["year"] == 2019] == [29]
    proposers = {n["proposer"] for n in data["nominations"]}
    assert "Sở Tư pháp" in proposers and "UBND huyện Hữu Lũng" in proposers


def test_the_export_is_listed_in_the_manifest_and_checked_by_verify(built):
    manifest = json.loads(built.output("manifest.json").read_text(encoding="utf-8"))
    names = [o["file"] for o in manifest["outputs"]]
    assert built.output("data.json").name in names
    assert "districts/huyen-cao-loc.data.json" in manifest["districts"]
    assert "districts/huyen-cao-loc.data.json" in [i["path"] for i in manifest["inputs"]]
    assert built.run("verify").exit_code == 0


def test_a_rebuild_writes_the_same_bytes(built, tmp_path):
    first = built.output("data.json").read_bytes()
    result = built.run("build", "-q", "-f", "md", "--no-cache", "-o", str(tmp_path / "again"))
    assert result.exit_code == 0, result.output
    again = tmp_path / "again" / built.output("data.json").name
    assert again.read_bytes() == first


def test_a_changed_figure_changes_the_export_and_its_revision(built, tmp_path):
    project = ReportProject.sample(tmp_path / "bao-cao")
    project.set_value("snv", "tinh_gian_bien_che", 2020, "999")
    assert project.run("build", "-q", "-f", "md").exit_code == 0
    data = _export(project)
    snv = next(s for s in data["sections"] if s["name"] == "snv")
    value = next(i for i in snv["indicators"] if i["id"] == "tinh_gian_bien_che")
    assert value["values"]["2020"] == 999
    assert data["report"]["revision"] != _export(built)["report"]["revision"]


@pytest.mark.parametrize("path", sorted((REPO / "districts").glob("*.data.json")), ids=str)
def test_the_shipped_district_exports_validate_and_are_illustrative(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(data, schema())
    assert data["illustrative"] is True
    assert data["report"]["level"] == "huyện"


def test_the_district_exports_are_the_eleven_units():
    names = sorted(p.name for p in (REPO / "districts").glob("*.data.json"))
    assert len(names) == 11
    agencies = {
        json.loads((REPO / "districts" / n).read_text(encoding="utf-8"))["report"]["agency"]
        for n in names
    }
    assert "UBND thành phố Lạng Sơn" in agencies and "UBND huyện Hữu Lũng" in agencies
