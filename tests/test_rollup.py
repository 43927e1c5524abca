"""The province's report rolls up its districts' data exports ([districts])."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from cchc_pipeline.testing import ReportProject

from .conftest import sample_with_cache

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "huyen-cao-loc"
APPENDIX = "KẾT QUẢ THỰC HIỆN CẢI CÁCH HÀNH CHÍNH CỦA CẤP HUYỆN"


def _text(element) -> str:
    return "".join(t.text or "" for t in element.iter(qn("w:t")))


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> ReportProject:
    project = ReportProject.sample(tmp_path_factory.mktemp("rollup") / "bao-cao")
    result = project.run("build", "-f", "md", "-f", "docx")
    assert result.exit_code == 0, result.output
    assert "Cấp huyện: đã tổng hợp 11/11 đơn vị" in result.stdout
    return project


def _district_table(path: Path):
    document = docx.Document(str(path))
    found = [t for t in document.tables if _text(t.rows[-1]._tr).find("Toàn tỉnh") >= 0]
    assert len(found) == 1, "one table with a “Toàn tỉnh” row"
    return found[0]


def test_the_appendix_has_eleven_rows_and_a_computed_total(province):
    path = province.output("docx")
    body = [_text(p) for p in docx.Document(str(path)).element.body.iter(qn("w:p"))]
    assert APPENDIX in body
    table = _district_table(path)
    rows = [[_text(c._tc) for c in row.cells] for row in table.rows]
    assert len(rows) == 1 + 11 + 1  # header, the eleven units, the total
    assert rows[1][1] == "Thành phố Lạng Sơn" and rows[11][1] == "Huyện Hữu Lũng"
    header = rows[0]
    communes = header.index("Đơn vị hành chính cấp xã (đơn vị)")
    assert sum(int(r[communes]) for r in rows[1:12]) == 200
    assert rows[12][communes] == "200"  # a count is summed
    cadres = header.index("Cán bộ, công chức cấp xã (người)")
    assert rows[12][cadres] == "4.702"
    # a share is weighted: Σ communes applying ISO / Σ communes, not the mean of the rates
    iso = header.index("Tỷ lệ UBND cấp xã áp dụng TCVN ISO 9001 (%)")
    assert rows[12][iso] == "74%"  # 148 / 200
    # the landscape section of the appendix
    section = [s for s in docx.Document(str(path)).sections if s.page_width > s.page_height]
    assert section


def test_the_leadership_part_names_the_district_reports(province):
    text = province.output("md").read_text(encoding="utf-8")
    part = text[text.index("CÔNG TÁC CHỈ ĐẠO") : text.index("KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ")]
    assert "UBND huyện Cao Lộc (Báo cáo số 60/BC-UBND ngày 25/08/2020)" in part
    assert "UBND thành phố Lạng Sơn (Báo cáo số 41/BC-UBND ngày 14/08/2020)" in part
    assert "UBND huyện Đình Lập (Báo cáo số …/BC-UBND ngày 04/09/2020, bản dự thảo)" in part
    assert "(11/11 đơn vị)" in part
    assert "(chi tiết tại Phụ lục IV)" in part
    assert "# Phụ lục IV {#phu-luc-districts .appendix .landscape}" in text
    assert text.index("# Phụ lục IV") < text.index(APPENDIX)


def test_district_nominations_are_in_the_list_with_their_origin(province):
    path = province.output("docx", "khen-thuong")
    cells = [_text(c) for c in docx.Document(str(path)).element.body.iter(qn("w:tc"))]
    assert "UBND huyện Hữu Lũng" in cells
    assert "UBND thành phố Lạng Sơn" in cells
    report = province.output("md").read_text(encoding="utf-8")
    assert "| Bộ phận Tiếp nhận và Trả kết quả huyện Hữu Lũng |" in report


def test_the_comparison_chart_is_drawn_and_placed(province):
    text = province.output("md").read_text(encoding="utf-8")
    assert "So sánh kết quả của các đơn vị cấp huyện năm 2020](media/districts/" in text
    chart = province.output("md").parent / "media" / "districts" / "so-sanh-cap-huyen.png"
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    document = docx.Document(str(province.output("docx")))
    pictures = [r for r in document.part.rels.values() if "image" in r.reltype]
    assert any(r.target_part.blob == chart.read_bytes() for r in pictures)


def test_status_lists_every_district(province):
    result = province.run("status")
    assert "Cấp huyện: 11/11 đơn vị có tệp dữ liệu dùng được" in result.stdout
    assert (
        "Huyện Cao Lộc: districts/huyen-cao-loc.data.json — số 60/BC-UBND, ngày 25/08/2020"
        in result.stdout
    )
    assert "Huyện Đình Lập: districts/huyen-dinh-lap.data.json — chưa có số" in result.stdout
    assert "bản dự thảo, 0 lỗi" in result.stdout


def _findings(project: ReportProject, plugin: str) -> list[dict]:
    return [f for f in project.findings() if f["plugin"] == plugin]


def test_missing_damaged_and_mismatched_exports_are_located_findings(tmp_path):
    project = ReportProject.sample(tmp_path / "bao-cao")
    folder = project.root / "districts"
    (folder / "huyen-bac-son.data.json").unlink()
    damaged = folder / "huyen-van-quan.data.json"
    damaged.write_text(damaged.read_text(encoding="utf-8")[:500], encoding="utf-8")
    other = folder / "huyen-loc-binh.data.json"
    data = json.loads(other.read_text(encoding="utf-8"))
    data["report"]["period"] = [2016, 2020]
    other.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    found = _findings(project, "districts")
    by_file = {f["location"]["file"]: f for f in found}
    missing = by_file["districts/huyen-bac-son.data.json"]
    assert missing["message"].startswith("Huyện Bắc Sơn: chưa có tệp dữ liệu")
    broken = by_file["districts/huyen-van-quan.data.json"]
    assert broken["message"].startswith("Huyện Văn Quan: tệp dữ liệu")
    assert "bị hỏng" in broken["message"] and broken["location"]["line"] > 1
    period = by_file["districts/huyen-loc-binh.data.json"]
    assert period["message"].startswith("Huyện Lộc Bình:")
    assert "2016 - 2020" in period["message"] and "2011 - 2020" in period["message"]
    assert all(f["severity"] == "warning" and f["hint"] for f in found)

    result = project.run("build", "-f", "md")
    assert result.exit_code == 0, result.output
    assert "Cấp huyện: đã tổng hợp 8/11 đơn vị" in result.stdout
    assert "chưa dùng được: Huyện Bắc Sơn, Huyện Văn Quan, Huyện Lộc Bình." in result.stdout
    text = project.output("md").read_text(encoding="utf-8")
    assert "(8/11 đơn vị)" in text
    assert "Chưa có báo cáo tổng kết của Huyện Bắc Sơn, Huyện Văn Quan, Huyện Lộc Bình." in text
    table = text[text.index(APPENDIX) :]
    assert "| Huyện Cao Lộc |" in table and "| Huyện Bắc Sơn |" not in table
    # with districts missing, the province's sums are not held to the districts'
    assert not [f for f in project.findings("snv") if "tổng của" in f["message"]]


def test_another_level_and_another_catalogue_are_named(tmp_path):
    project = ReportProject.sample(tmp_path / "bao-cao")
    folder = project.root / "districts"
    path = folder / "huyen-chi-lang.data.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["report"]["level"] = "tỉnh"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    path = folder / "huyen-binh-gia.data.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    vp = next(s for s in data["sections"] if s["name"] == "vp")
    vp["catalogue"] = "0" * 16
    next(i for i in vp["indicators"] if i["id"] == "ho_so_giai_quyet")["unit"] = "nghìn hồ sơ"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    messages = [f["message"] for f in _findings(project, "districts")]
    assert any(m.startswith("Huyện Chi Lăng:") and "cấp “tỉnh”" in m for m in messages)
    assert any(
        m.startswith("Huyện Bình Gia:") and "Hồ sơ TTHC đã giải quyết" in m and "nghìn hồ sơ" in m
        for m in messages
    )
    assert project.run("build", "-q", "-f", "md").exit_code == 0
    text = project.output("md").read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| 3 | Huyện Bình Gia |"))
    assert row.split(" | ")[4] == "-"  # the incompatible cell, the others kept
    assert row.split(" | ")[5].endswith("%")


def test_a_province_figure_other_than_the_districts_sum_is_warned(tmp_path):
    project = ReportProject.sample(tmp_path / "bao-cao")
    project.set_value("snv", "cbcc_xa", 2020, "4.800")
    found = [f for f in project.findings("snv") if "tổng của 11 đơn vị cấp huyện" in f["message"]]
    assert len(found) == 1
    message = found[0]["message"]
    assert "4.800 người" in message and "4.702 người" in message
    assert "Huyện Cao Lộc" in message and "Thành phố Lạng Sơn" in message
    assert found[0]["location"]["file"] == "submissions/snv/so-lieu.csv"
    assert found[0]["location"]["line"] is not None


def test_a_nomination_proposed_at_both_levels_is_warned(tmp_path):
    project = ReportProject.sample(tmp_path / "bao-cao")
    path = project.root / "districts" / "huyen-cao-loc.data.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    province = (project.root / "submissions" / "stp" / "khen-thuong.csv").read_text("utf-8")
    row = list(csv.reader(io.StringIO(province)))[1]
    data["nominations"].append(
        {"kind": row[0], "name": row[1], "position": row[2], "achievement": "Trùng",
         "form": "Giấy khen", "proposer": "Phòng Tư pháp"}
    )  # fmt: skip
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    found = [f["message"] for f in project.findings() if "hai lần" in f["message"]]
    assert found == [
        f"“{row[1]}” ({row[2]}) được đề nghị khen thưởng hai lần: bởi Sở Tư pháp và "
        "UBND huyện Cao Lộc."
    ]


def test_a_district_project_built_and_pointed_to_is_rolled_up_without_copying(
    markdown_sample, tmp_path
):
    project = sample_with_cache(markdown_sample, tmp_path / "bao-cao")
    district = project.root / "huyen-cao-loc"
    shutil.copytree(EXAMPLE, district, ignore=shutil.ignore_patterns("build", ".cchc-cache"))
    own = ReportProject(district)
    own.set_list("formats", ["md"])
    own.set_list("thematic", [])
    own.set_list("commendations", [])
    assert own.run("build", "-q").exit_code == 0
    export = own.output("data.json")
    built = export.read_bytes()
    project.edit_config(
        '"Huyện Cao Lộc" = "districts/huyen-cao-loc.data.json"', '"Huyện Cao Lộc" = "huyen-cao-loc"'
    )
    (project.root / "districts" / "huyen-cao-loc.data.json").unlink()  # not the copy
    result = project.run("build", "-f", "md")
    assert result.exit_code == 0, result.output
    assert export.read_bytes() == built  # up to date: not built again
    text = project.output("md").read_text(encoding="utf-8")
    assert "UBND huyện Cao Lộc (Báo cáo số …/BC-UBND ngày 25/08/2020, bản dự thảo)" in text
    manifest = json.loads(project.output("manifest.json").read_text(encoding="utf-8"))
    assert (
        "huyen-cao-loc/build/bao-cao-tong-ket-cchc-huyen-cao-loc.data.json"
        in (manifest["districts"])
    )

    # a district's figure changed since its build: the province builds it first
    own.set_value("snv", "tinh_gian_bien_che", 2020, "23")
    result = project.run("build", "-f", "md")
    assert result.exit_code == 0, result.output
    rebuilt = json.loads(export.read_text(encoding="utf-8"))
    snv = next(s for s in rebuilt["sections"] if s["name"] == "snv")
    figure = next(i for i in snv["indicators"] if i["id"] == "tinh_gian_bien_che")
    assert figure["values"]["2020"] == 23
    row = next(
        line
        for line in project.output("md").read_text(encoding="utf-8").splitlines()
        if line.startswith("| 7 | Huyện Cao Lộc |")
    )
    assert row.split(" | ")[8] == "23"  # the staff reduction column


def test_a_rebuild_with_no_export_changed_reads_none_again(tmp_path, monkeypatch):
    from cchc_pipeline.config import load_config
    from cchc_pipeline.intake import districts
    from cchc_pipeline.pipeline import Pipeline

    project = ReportProject.sample(tmp_path / "bao-cao")
    config = load_config(project.config_path)
    with Pipeline(config) as pipeline:
        pipeline.collect_and_validate()
        assert len(pipeline.report.rollup.used) == 11

    def fail(*args, **kwargs):
        raise AssertionError("read again")

    monkeypatch.setattr(districts, "read_districts", fail)
    with Pipeline(config) as pipeline:
        pipeline.collect_and_validate()
        assert len(pipeline.report.rollup.used) == 11
    path = project.root / "districts" / "huyen-cao-loc.data.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"60"', '"61"'), encoding="utf-8")
    with Pipeline(config) as pipeline, pytest.raises(AssertionError, match="read again"):
        pipeline.collect_and_validate()


def test_init_carries_the_district_exports(tmp_path):
    target = tmp_path / "moi"
    assert ReportProject(tmp_path).run("init", str(target)).exit_code == 0
    shipped = sorted((REPO / "districts").glob("*.data.json"))
    copied = sorted((target / "districts").glob("*.data.json"))
    assert [p.name for p in copied] == [p.name for p in shipped] and len(copied) == 11
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(shipped, copied, strict=True))


def test_verify_names_a_district_export_changed_after_the_build(tmp_path):
    project = ReportProject.sample(tmp_path / "bao-cao")
    assert project.run("build", "-q", "-f", "md").exit_code == 0
    assert project.run("verify").exit_code == 0
    path = project.root / "districts" / "huyen-cao-loc.data.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"60"', '"61"'), encoding="utf-8")
    result = project.run("verify")
    assert result.exit_code == 1
    assert "Đầu vào districts/huyen-cao-loc.data.json đã bị sửa sau lần dựng" in result.stdout


def test_without_the_coordinators_section_the_districts_and_the_list_are_still_cited(tmp_path):
    """The leadership part (tonghop's) is where the appendices of the districts and the
    commendations are cited; a province that does without it still builds, citing both."""
    project = ReportProject.sample(tmp_path / "bao-cao")
    project.set_list("order", ["stp", "vp", "snv", "stc", "stttt", "skhcn"])
    project.set_list("disabled", ["tonghop"])
    project.edit_config('tonghop = "submissions/tonghop"\n', "")
    result = project.run("build", "-q", "-f", "md")
    assert result.exit_code == 0, result.output
    text = project.output("md").read_text(encoding="utf-8")
    part = text[text.index("CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH") : text.index("## II.")]
    assert "Các đơn vị cấp huyện đã tổ chức tổng kết" in part
    cited = re.findall(r"chi tiết tại (Phụ lục [IVX]+)", part)
    assert len(cited) == 2 and cited[0] != cited[1]
    headings = dict(re.findall(r"(?m)^# (Phụ lục [IVX]+) \{#phu-luc-(\w+)", text))
    assert [headings[appendix] for appendix in cited] == ["districts", "nominations"]
