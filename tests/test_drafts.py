"""Drafts that show what changed: the stored drafts, ``-so-sanh.docx`` and ``cchc diff``.

The sample is built as a draft, then one department changes one value of its figures and
one sentence of its narrative, and the sample is built again: the comparison must hold
exactly those changes as Word tracked changes, LibreOffice's accept-all must give the new
draft's text and reject-all the old one's, and ``cchc diff`` must list them.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from cchc_pipeline.publish.drafts import DRAFTS_DIR, DraftStore
from cchc_pipeline.publish.tracked import tracked_tree
from cchc_pipeline.testing import ReportProject

from .conftest import require_tool, sample_with_cache

OLD_SENTENCE = (
    "Việc sửa đổi, bổ sung, thay thế văn bản hết hiệu lực một phần sau rà soát ở một số "
    "lĩnh vực còn chậm."
)
NEW_SENTENCE = (
    "Việc sửa đổi, bổ sung văn bản hết hiệu lực một phần sau rà soát ở một số lĩnh vực còn "
    "rất chậm."
)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _comparisons(project: ReportProject) -> list[str]:
    return sorted(p.name for p in (project.root / "build").glob("*-so-sanh.docx"))


@pytest.fixture(scope="module")
def drafts(tmp_path_factory: pytest.TempPathFactory, built_sample: ReportProject) -> dict:
    """The sample built as draft 1 (from the cache of the session's build, with no draft),
    rebuilt unchanged, changed and built as draft 2, rebuilt unchanged again; what each step
    left, for the tests to read."""
    root = tmp_path_factory.mktemp("drafts")
    project = sample_with_cache(built_sample, root / "bao-cao")
    state: dict = {"project": project, "keep": root / "kept"}
    state["keep"].mkdir()
    assert (result := project.run("build")).exit_code == 0, result.output
    state["after_first"] = _comparisons(project)
    for document in (None, "chuyen-de-stp"):
        shutil.copy(project.output("docx", document), state["keep"])
    assert project.run("build").exit_code == 0
    state["after_unchanged"] = _comparisons(project)
    state["drafts_after_unchanged"] = len(DraftStore(project.root).drafts())
    project.set_value("stp", "pbgdpl_buoi", 2020, "1.205")
    project.edit_submission("stp", "bao-cao.md", OLD_SENTENCE, NEW_SENTENCE)
    result = project.run("build")
    assert result.exit_code == 0, result.output
    state["second_output"] = result.stdout
    state["after_second"] = _comparisons(project)
    state["hashes"] = {name: _sha(project.root / "build" / name) for name in _comparisons(project)}
    assert project.run("build").exit_code == 0
    state["hashes_again"] = {n: _sha(project.root / "build" / n) for n in _comparisons(project)}
    return state


def _changes(docx: Path) -> list[tuple[str, str, str, str]]:
    """Each tracked change of a DOCX in order: (kind, text, author, date)."""
    from lxml import etree

    root = etree.fromstring(zipfile.ZipFile(docx).read("word/document.xml"))
    found = []
    for element in root.iter(f"{W}ins", f"{W}del"):
        kind = "ins" if element.tag == f"{W}ins" else "del"
        text = "".join(element.itertext())
        found.append((kind, text, element.get(f"{W}author"), element.get(f"{W}date")))
    return found


def _pairs(changes: list[tuple[str, str, str, str]]) -> list[tuple[str, str]]:
    """The changes as (deleted, inserted) pairs: a deletion and the insertion right after it."""
    pairs, pending = [], None
    for kind, text, _, _ in changes:
        if kind == "del":
            if pending is not None:
                pairs.append((pending, ""))
            pending = text
        else:
            pairs.append((pending or "", text))
            pending = None
    if pending is not None:
        pairs.append((pending, ""))
    return pairs


def test_a_first_draft_is_stored_and_compared_with_nothing(drafts) -> None:
    project = drafts["project"]
    assert drafts["after_first"] == [] and drafts["after_unchanged"] == []
    assert drafts["drafts_after_unchanged"] == 1  # a rebuild of the same draft stores nothing
    stored = sorted(p.name for p in (project.root / DRAFTS_DIR).iterdir())
    assert len(stored) == 2 and stored[0].startswith("0001-") and stored[1].startswith("0002-")
    record = json.loads((project.root / DRAFTS_DIR / stored[0] / "draft.json").read_text())
    assert {"report", "chuyen-de-stp", "khen-thuong"} <= set(record["documents"])
    values = record["figures"]["stp"]["indicators"]["pbgdpl_buoi"]["values"]
    assert values["2020"] == 1204 and values["2011"] == 1250
    assert any(t["verdict"] in ("Đạt", "Không đạt") for t in record["targets"])


def test_only_the_changed_documents_get_a_comparison(drafts) -> None:
    name = "bao-cao-tong-ket-cchc-2011-2020"
    assert drafts["after_second"] == [f"{name}-chuyen-de-stp-so-sanh.docx", f"{name}-so-sanh.docx"]
    assert "Đã ghi so-sanh.docx: " in drafts["second_output"]
    manifest = json.loads((drafts["project"].root / "build" / f"{name}.manifest.json").read_text())
    listed = {c["document"]: c["file"] for c in manifest["drafts"]["comparisons"]}
    assert listed == {"report": f"{name}-so-sanh.docx",
                      "chuyen-de-stp": f"{name}-chuyen-de-stp-so-sanh.docx"}  # fmt: skip
    assert manifest["drafts"]["draft"] == 2
    assert set(listed.values()) <= {o["file"] for o in manifest["outputs"]}


def test_the_comparison_holds_exactly_the_changes(drafts) -> None:
    project = drafts["project"]
    changes = _changes(project.output("docx", "so-sanh"))
    assert {author for _, _, author, _ in changes} == {"cchc-pipeline"}
    dates = {date for _, _, _, date in changes}
    assert len(dates) == 1 and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", dates.pop())
    pairs = set(_pairs(changes))
    # the value itself (Biểu số and Phụ lục II), the period's total written in the text, the
    # sentence's two edits: nothing else
    assert pairs == {("1.204", "1.205"), ("14.201", "14.202"), ("sung, thay thế", "sung"),
                     ("", "rất ")}, pairs  # fmt: skip
    thematic = set(_pairs(_changes(project.output("docx", "chuyen-de-stp-so-sanh"))))
    assert ("sung, thay thế", "sung") in thematic and ("1.204", "1.205") in thematic
    xml = zipfile.ZipFile(project.output("docx", "so-sanh")).read("word/document.xml").decode()
    ids = re.findall(r'<w:(?:ins|del) w:id="(\d+)"', xml)
    assert len(ids) == len(set(ids)) == len(changes)


def test_a_rebuild_writes_the_same_comparison(drafts) -> None:
    assert drafts["hashes"] and drafts["hashes"] == drafts["hashes_again"]
    assert len(DraftStore(drafts["project"].root).drafts()) == 2


def _office_texts(sources: dict[str, Path], folder: Path) -> dict[str, str]:
    """The text LibreOffice reads in each DOCX, with all tracked changes accepted (name ending
    in "+accept"), rejected ("+reject"), or as it is."""
    soffice = require_tool("soffice")
    profile = folder / "profile"
    start = [soffice, "--headless", f"-env:UserInstallation={profile.as_uri()}"]
    subprocess.run([*start, "--terminate_after_init"], check=True, capture_output=True, timeout=120)
    calls = []
    for name, source in sources.items():
        command = COMMANDS.get(name.rpartition("+")[2], "")
        calls.append(f'  Apply "{source}", "{folder / name}.txt", "{command}"')
    module = profile / "user" / "basic" / "Standard" / "Module1.xba"
    module.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" '
        '"module.dtd">\n<script:module xmlns:script="http://openoffice.org/2000/script" '
        'script:name="Module1" script:language="StarBasic">'
        + _escape(BASIC.replace("CALLS", "\n".join(calls)))
        + "</script:module>\n",
        encoding="utf-8",
    )
    subprocess.run([*start, "macro:///Standard.Module1.Main"], check=True, capture_output=True,
                   timeout=300)  # fmt: skip
    texts = {}
    for name in sources:
        lines = (folder / f"{name}.txt").read_text(encoding="utf-8-sig").splitlines()
        texts[name] = "\n".join(line.rstrip() for line in lines)  # empty paragraphs too
    return texts


SMALL_OLD = """# Mục một

Đoạn đầu giữ nguyên.

Đoạn này bị xóa hẳn.

Đoạn giữa giữ nguyên.

| STT | Chỉ tiêu | 2020 |
|-----|----------|------|
| 1 | Hồ sơ | 12 |
| 2 | Thủ tục | 7 |

| Mã | Tên |
|----|-----|
| a | Giữ |
| b | Bỏ |

Đoạn cuối.
"""
SMALL_NEW = """# Mục một

Đoạn đầu giữ nguyên.

Đoạn giữa giữ nguyên.

Đoạn này mới thêm vào.

| STT | Chỉ tiêu | 2020 |
|-----|----------|------|
| 1 | Hồ sơ | 13 |
| 2 | Thủ tục | 7 |
| 3 | Dịch vụ | 4 |

| Mã | Tên |
|----|-----|
| a | Giữ |

Đoạn cuối.
"""


def _small_docx(folder: Path) -> dict[str, Path]:
    """A comparison of two small documents (a paragraph and a row added, a paragraph and a
    row removed, a cell changed), and the two documents, as the DOCX format writes them."""
    from cchc_pipeline.publish.formats.docx import postprocess
    from cchc_pipeline.publish.formats.pandoc import pandoc_path

    tree, _ = tracked_tree(SMALL_OLD, SMALL_NEW, author="cchc-pipeline",
                           date="2026-12-01T00:00:00Z", workdir=folder)  # fmt: skip
    sources = {"nho.json": tree, "nho-cu.md": SMALL_OLD, "nho-moi.md": SMALL_NEW}
    made = {}
    for name, text in sources.items():
        source = folder / name
        source.write_text(text, encoding="utf-8")
        target = source.with_suffix(".docx")
        subprocess.run([pandoc_path(), str(source), "-o", str(target)], check=True)
        postprocess(target, "")
        made[name.rpartition(".")[0]] = target
    return made


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


COMMANDS = {"accept": ".uno:AcceptAllTrackedChanges", "reject": ".uno:RejectAllTrackedChanges"}
BASIC = """
Sub Apply(source As String, target As String, command As String)
  Dim opening(0) As New com.sun.star.beans.PropertyValue
  opening(0).Name = "Hidden"
  opening(0).Value = True
  doc = StarDesktop.loadComponentFromURL(ConvertToURL(source), "_blank", 0, opening())
  If command <> "" Then
    helper = createUnoService("com.sun.star.frame.DispatchHelper")
    helper.executeDispatch(doc.CurrentController.Frame, command, "", 0, Array())
  End If
  Dim saving(0) As New com.sun.star.beans.PropertyValue
  saving(0).Name = "FilterName"
  saving(0).Value = "Text (encoded)"
  doc.storeToURL(ConvertToURL(target), saving())
  doc.close(True)
End Sub

Sub Main
CALLS
  StarDesktop.terminate()
End Sub
"""


def test_libreoffice_accept_all_gives_the_new_draft_and_reject_all_the_old(
    drafts, tmp_path: Path
) -> None:
    project, kept = drafts["project"], drafts["keep"]
    name = "bao-cao-tong-ket-cchc-2011-2020"
    comparison = project.output("docx", "so-sanh")
    small = _small_docx(tmp_path)
    texts = _office_texts(
        {
            "so-sanh+accept": comparison,
            "so-sanh+reject": comparison,
            "new": project.output("docx"),
            "old": kept / f"{name}.docx",
            "nho+accept": small["nho"],
            "nho+reject": small["nho"],
            "nho-moi": small["nho-moi"],
            "nho-cu": small["nho-cu"],
        },
        tmp_path,
    )
    assert NEW_SENTENCE in texts["new"] and OLD_SENTENCE in texts["old"]
    assert texts["so-sanh+accept"] == texts["new"]
    assert texts["so-sanh+reject"] == texts["old"]
    assert texts["new"] != texts["old"]
    # paragraphs and rows added or removed leave no empty paragraph or row behind
    assert "Đoạn này mới thêm vào." in texts["nho-moi"] and "Dịch vụ" in texts["nho-moi"]
    assert texts["nho+accept"] == texts["nho-moi"]
    assert texts["nho+reject"] == texts["nho-cu"]


def test_cchc_diff_lists_the_changed_section_and_the_figure(drafts) -> None:
    project = drafts["project"]
    result = project.run("diff")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "So sánh dự thảo lần 2" in text and "với dự thảo lần 1" in text
    assert "Báo cáo tổng kết:" in text and "Báo cáo chuyên đề của Sở Tư pháp:" in text
    assert "III. ĐÁNH GIÁ CHUNG › 2. Hạn chế › a) Cải cách thể chế" in text
    assert (
        "Sở Tư pháp — Buổi tuyên truyền, phổ biến pháp luật, năm 2020: 1.204 → 1.205 buổi" in text
    )
    assert "Số liệu thay đổi (1):" in text  # one value changed, one listed
    assert "Báo cáo chuyên đề của Sở Nội vụ" not in text
    found = json.loads(project.run("diff", "--json").stdout)
    assert found["from"]["number"] == 1 and found["to"]["number"] == 2
    assert found["figures"] == [{
        "section": "stp", "department": "Sở Tư pháp", "indicator": "pbgdpl_buoi",
        "label": "Buổi tuyên truyền, phổ biến pháp luật", "year": 2020, "old": 1204,
        "new": 1205, "unit": "buổi",
    }]  # fmt: skip
    by_revision = project.run("diff", "--from", found["from"]["revision"][:6])
    assert by_revision.exit_code == 0 and by_revision.stdout == text


def test_cchc_diff_says_when_there_is_nothing_to_compare(drafts, tmp_path: Path) -> None:
    fresh = ReportProject.sample(tmp_path / "moi")
    result = fresh.run("diff")
    assert result.exit_code == 1
    assert "Chưa có bản dự thảo trước để so sánh: chưa dựng bản dự thảo nào." in result.stderr
    unknown = drafts["project"].run("diff", "--from", "ffff99")
    assert unknown.exit_code == 2 and "Không có bản dự thảo “ffff99”" in unknown.stderr
    latest = drafts["project"].run("diff", "--from", "2")
    assert latest.exit_code == 1 and "là bản mới nhất" in latest.stderr


def test_a_damaged_stored_draft_is_skipped_with_a_message(drafts, tmp_path: Path) -> None:
    copy = ReportProject.sample(tmp_path / "hong")
    shutil.copytree(drafts["project"].root / DRAFTS_DIR, copy.root / DRAFTS_DIR)
    first = sorted((copy.root / DRAFTS_DIR).iterdir())[0]
    (first / "chuyen-de-stp.md").write_text("sửa tay", encoding="utf-8")
    result = copy.run("diff")
    assert result.exit_code == 1  # the only earlier draft cannot be believed
    assert f"Cảnh báo: bỏ qua bản dự thảo đã lưu {first}" in result.stderr
    assert "tệp chuyen-de-stp.md đã bị sửa hoặc hỏng" in result.stderr
    assert "Traceback" not in result.output
    (first / "draft.json").write_text("{", encoding="utf-8")
    again = copy.run("diff")
    assert again.exit_code == 1 and "không đọc được draft.json (JSONDecodeError)" in again.stderr


def test_only_the_last_drafts_are_kept(tmp_path: Path) -> None:
    store = DraftStore(tmp_path, keep=2)
    for number in range(1, 4):
        store.add(revision=f"abcd{number:06d}", created="2026-12-01T00:00:00Z",
                  documents=[("report", "bao-cao", "BÁO CÁO", f"# Lần {number}\n")],
                  figures={}, targets=[])  # fmt: skip
    kept = store.drafts()
    assert [d.number for d in kept] == [2, 3]
    assert kept[-1].markdown("report") == "# Lần 3\n"
    assert sorted(p.name for p in (tmp_path / DRAFTS_DIR).iterdir()) == [
        "0002-abcd000002", "0003-abcd000003"]  # fmt: skip


def test_changed_table_rows_and_cells_are_tracked_inside_the_table(tmp_path: Path) -> None:
    old = (
        "# A\n\n| STT | Chỉ tiêu | 2020 |\n|---|---|---|\n| 1 | Hồ sơ | 12 |\n| 2 | Thủ tục | 7 |\n"
    )
    new = ("# A\n\n| STT | Chỉ tiêu | 2020 |\n|---|---|---|\n| 1 | Hồ sơ | 13 |\n"
           "| 2 | Thủ tục | 7 |\n| 3 | Dịch vụ | 4 |\n")  # fmt: skip
    tree, headings = tracked_tree(old, new, author="Tổ biên tập", date="2026-12-01T00:00:00Z",
                                  workdir=tmp_path)  # fmt: skip
    assert headings == ["A"]
    table = json.loads(tree)["blocks"][1]
    assert table["t"] == "Table"
    spans = re.findall(r'\["(insertion|deletion)"\], \[\["author", "Tổ biên tập"\]',
                       json.dumps(table, ensure_ascii=False))  # fmt: skip
    assert spans.count("deletion") == 1 and spans.count("insertion") == 4  # 13; the row's 3 cells
    assert tracked_tree(old, old, author="x", date="2026-12-01T00:00:00Z", workdir=tmp_path) is None


def test_a_build_of_fewer_documents_or_a_final_build_stores_no_draft(drafts) -> None:
    project = drafts["project"]
    assert project.run("build", "-f", "md").exit_code == 0  # fewer documents: no new draft
    assert len(DraftStore(project.root).drafts()) == 2
    assert project.run("build", "--final").exit_code == 0
    assert _comparisons(project) == []
    assert len(DraftStore(project.root).drafts()) == 2
    manifest = next((project.root / "build").glob("*.manifest.json"))
    assert "drafts" not in json.loads(manifest.read_text())


def test_a_draft_that_cannot_be_stored_is_a_warning_not_a_failure(tmp_path: Path) -> None:
    project = ReportProject.sample(tmp_path / "bao-cao")
    (project.root / DRAFTS_DIR).write_text("không phải thư mục", encoding="utf-8")
    result = project.run("build", "-f", "md")
    assert result.exit_code == 0, result.output
    assert "Cảnh báo: không lưu được bản dự thảo vào" in result.stderr
    assert "Traceback" not in result.output
    assert project.output("md").is_file()


def test_the_previous_drafts_syntax_tree_is_read_once(tmp_path: Path, monkeypatch) -> None:
    from cchc_pipeline.cache import Cache
    from cchc_pipeline.publish import tracked

    old = "# A\n\n| STT | Chỉ tiêu | 2020 |\n|---|---|---|\n| 1 | Hồ sơ | 12 |\n"
    first, second = old.replace("12", "13"), old.replace("12", "14")
    when = {"author": "Tổ biên tập", "date": "2026-12-01T00:00:00Z", "workdir": tmp_path}
    fresh = tracked_tree(old, second, **when)
    trees = Cache(tmp_path / "cache", "comparisons")
    tracked_tree(old, first, **when, trees=trees)
    read: list[str] = []
    real = tracked.parse
    monkeypatch.setattr(tracked, "parse", lambda text, *a: read.append(text) or real(text, *a))
    assert tracked_tree(old, second, **when, trees=trees) == fresh  # the same comparison
    assert read == [second]  # the previous draft came from the cache
