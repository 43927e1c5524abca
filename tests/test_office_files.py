"""Office files as departments send them: a .doc or .xls (converted by LibreOffice), a file
whose extension lies, a report under its own name, a scan, and the files nobody reads.

Every input is made here (python-docx, openpyxl, and LibreOffice for the 97-2003 files) and
goes through the real command line.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
import struct
import subprocess
import time
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from PIL import Image

from cchc_pipeline.intake.narrative import DEPARTMENT_PARTS
from cchc_pipeline.intake.sniff import Kind, sniff
from cchc_pipeline.testing import ReportProject

from .conftest import require_tool
from .test_forms import fill_form, without_revision

STP = "submissions/stp"


# -- inputs made by the tests ---------------------------------------------------------------


def word_narrative(path: Path, marker: str) -> Path:
    """A department narrative in Word: the six parts as Heading 1, each with a sentence
    holding ``marker`` so that the built report shows it came from this file."""
    document = docx.Document()
    for part in DEPARTMENT_PARTS.values():
        document.add_heading(part.title, level=1)
        document.add_paragraph(f"{part.title}: {marker}.")
    document.save(path)
    return path


def libreoffice_save(source: Path, extension: str, tmp_path: Path) -> Path:
    """``source`` saved by LibreOffice as ``extension`` (doc, xls): a real 97-2003 file."""
    program = require_tool("soffice")
    out = tmp_path / "lo-out"
    subprocess.run(
        [program, f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}", "--headless",
         "--convert-to", extension, "--outdir", str(out), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    made = out / f"{source.stem}.{extension}"
    assert made.is_file()
    return made


def compound_file(*streams: str) -> bytes:
    """A minimal OLE2 compound file whose directory holds ``streams`` (no content): what
    tells a .doc from an .xls, without needing Office or LibreOffice."""
    sector = 512
    header = bytearray(sector)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIII", header, 0x2C, 1, 1, 0, 4096, 0xFFFFFFFE)
    struct.pack_into("<III", header, 0x3C, 0, 0xFFFFFFFE, 0)
    difat = [0] + [0xFFFFFFFF] * 108
    struct.pack_into("<109I", header, 0x4C, *difat)
    fat = struct.pack("<128I", 0xFFFFFFFD, 0xFFFFFFFE, *([0xFFFFFFFF] * 126))
    directory = bytearray(sector)
    for number, (name, kind) in enumerate([("Root Entry", 5), *((s, 2) for s in streams)]):
        encoded = name.encode("utf-16-le") + b"\0\0"
        directory[number * 128 : number * 128 + len(encoded)] = encoded
        struct.pack_into("<HB", directory, number * 128 + 64, len(encoded), kind)
    return bytes(header) + fat + bytes(directory)


def jpeg_scan() -> bytes:
    """A grey page as a phone or scanner would save it."""
    buffer = io.BytesIO()
    Image.new("L", (60, 80), 200).save(buffer, "JPEG")
    return buffer.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def validate(project: ReportProject) -> tuple[int, list[dict]]:
    result = project.run("validate", "--format", "json")
    assert "Traceback" not in result.output and "không mong đợi" not in result.output
    return result.exit_code, [f for f in json.loads(result.stdout) if f["plugin"] == "stp"]


def of(found: list[dict], severity: str) -> list[dict]:
    """Findings of one severity; the notices of how a narrative's outline was read (they
    name a paragraph) are tested in test_outline.py."""
    return [
        f for f in found
        if f["severity"] == severity and f["location"].get("paragraph") is None
    ]  # fmt: skip


def built_markdown(project: ReportProject) -> str:
    result = project.run("build", "-f", "md")
    assert result.exit_code == 0, result.output
    return project.output("md").read_text(encoding="utf-8")


@pytest.fixture
def no_libreoffice(monkeypatch, tmp_path):
    """PATH without LibreOffice (pandoc and typst come from Python packages)."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


# -- recognising formats by their bytes -----------------------------------------------------


def test_formats_are_told_by_their_bytes(tmp_path):
    import pptx

    made = {}
    word_narrative(made.setdefault("a.docx", tmp_path / "a.docx"), "x")
    openpyxl.Workbook().save(made.setdefault("b.xlsx", tmp_path / "b.xlsx"))
    pptx.Presentation().save(made.setdefault("c.pptx", tmp_path / "c.pptx"))
    contents = {
        "d.doc": compound_file("\x01CompObj", "1Table", "WordDocument"),
        "e.xls": compound_file("Workbook", "\x05SummaryInformation"),
        "f.xls": compound_file("Book"),
        "g.docx": compound_file("EncryptionInfo", "EncryptedPackage"),
        "h.msg": compound_file("__properties_version1.0"),
        "i.pdf": PDF,
        "j.jpg": jpeg_scan(),
        "k.csv": "ma_chi_tieu;2011\nvbqppl;18\n".encode("cp1258"),
        "l.md": "# Kết quả thực hiện\n\nVăn bản.\n".encode(),
        "m.toml": b"# figures\nvbqppl_hdnd = { 2011 = 18 }\n",
        "n.bin": bytes(range(256)),
        "o.docx": b"",
        "p": "# Kết quả\n\nKhông có đuôi tệp.\n".encode(),
        "q": b"[vbqppl_hdnd]\n2011 = 18\n",
        "r": b"ma,2011\nx,1\ny,2\n",
        "s.rtf": b"{\\rtf1\\ansi Hello}",
    }
    for name, data in contents.items():
        (tmp_path / name).write_bytes(data)
    for image, kind in (("PNG", Kind.PNG), ("GIF", Kind.GIF), ("WEBP", Kind.WEBP),
                        ("TIFF", Kind.TIFF), ("BMP", Kind.BMP)):  # fmt: skip
        Image.new("RGB", (4, 4)).save(tmp_path / f"picture.{image.lower()}", image)
        assert sniff(tmp_path / f"picture.{image.lower()}") is kind
    odt = tmp_path / "t.odt"
    with zipfile.ZipFile(odt, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    expected = {
        "a.docx": Kind.DOCX, "b.xlsx": Kind.XLSX, "c.pptx": Kind.PPTX, "d.doc": Kind.DOC,
        "e.xls": Kind.XLS, "f.xls": Kind.XLS, "g.docx": Kind.ENCRYPTED, "h.msg": Kind.OLE,
        "i.pdf": Kind.PDF, "j.jpg": Kind.JPEG, "k.csv": Kind.CSV, "l.md": Kind.MARKDOWN,
        "m.toml": Kind.TOML, "n.bin": Kind.UNKNOWN, "o.docx": Kind.EMPTY, "p": Kind.MARKDOWN,
        "q": Kind.TOML, "r": Kind.CSV, "s.rtf": Kind.RTF, "t.odt": Kind.ODT,
    }  # fmt: skip
    assert {name: sniff(tmp_path / name) for name in expected} == expected
    # the extension does not matter: a workbook named .docx is a workbook
    shutil.copyfile(tmp_path / "b.xlsx", tmp_path / "b.docx")
    assert sniff(tmp_path / "b.docx") is Kind.XLSX


def test_sniffing_reads_only_the_start_of_a_big_file(tmp_path):
    big = tmp_path / "scan.pdf"
    big.write_bytes(PDF + b"\0" * 50_000_000)
    started = time.perf_counter()
    assert sniff(big) is Kind.PDF
    assert time.perf_counter() - started < 0.5


# -- .doc and .xls through LibreOffice ------------------------------------------------------


@pytest.mark.parametrize("name", ["bao-cao.doc", "bao-cao.docx"], ids=["doc", "doc-named-docx"])
def test_word_97_narrative_is_converted_and_read(project, tmp_path, name):
    source = word_narrative(tmp_path / "bao-cao.docx", "viết bằng Word 97-2003")
    legacy = libreoffice_save(source, "doc", tmp_path)
    folder = project.root / STP
    (folder / "bao-cao.md").unlink()
    shutil.copyfile(legacy, folder / name)
    code, found = validate(project)
    assert code == 0, found
    assert of(found, "error") == of(found, "warning") == []
    (notice,) = of(found, "info")
    assert f"Đã chuyển {name} (tệp Word 97-2003 (.doc)) sang .docx" in notice["message"]
    assert notice["location"]["file"] == f"{STP}/{name}"
    markdown = built_markdown(project)
    assert "Kết quả thực hiện: viết bằng Word 97-2003." in markdown
    assert "Đề xuất, kiến nghị: viết bằng Word 97-2003." in markdown


def test_conversion_is_cached_by_content(project, tmp_path, monkeypatch):
    """A rebuild after another file changed reads the .doc again but does not convert it."""
    real = require_tool("soffice")
    source = word_narrative(tmp_path / "bao-cao.docx", "chuyển một lần")
    legacy = libreoffice_save(source, "doc", tmp_path)
    folder = project.root / STP
    (folder / "bao-cao.md").unlink()
    shutil.copyfile(legacy, folder / "bao-cao.doc")
    log, wrapper = tmp_path / "runs.log", tmp_path / "bin" / "soffice"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\necho run >> "{log}"\nexec "{real}" "$@"\n', encoding="utf-8")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{wrapper.parent}{os.pathsep}{os.environ['PATH']}")
    assert "chuyển một lần" in built_markdown(project)
    with (folder / "README.md").open("a", encoding="utf-8") as note:
        note.write("\nĐã nhận bản Word 97-2003.\n")  # stp is collected again
    assert "chuyển một lần" in built_markdown(project)
    assert log.read_text(encoding="utf-8").count("run") == 1


def test_excel_97_figures_are_converted_and_read(project, tmp_path):
    before = built_markdown(project)
    _, path = fill_form(project, "stp")
    legacy = libreoffice_save(path, "xls", tmp_path)
    path.unlink()
    shutil.copyfile(legacy, project.root / STP / "so-lieu.xls")
    code, found = validate(project)
    assert code == 0, found
    (notice,) = of(found, "info")
    assert "Đã chuyển so-lieu.xls (tệp Excel 97-2003 (.xls)) sang .xlsx" in notice["message"]
    assert without_revision(built_markdown(project)) == without_revision(before)


def test_excel_97_errors_point_at_the_file_sent(project, tmp_path):
    book, path = fill_form(project, "stp")
    sheet = book["Số liệu"]
    target = next(c for row in sheet.iter_rows() for c in row if c.value == 2015)
    code_row = next(r[0].row for r in sheet.iter_rows() if r[0].value == "vbqppl_hdnd")
    sheet.cell(row=code_row, column=target.column, value="mười tám")
    book.save(path)
    legacy = libreoffice_save(path, "xls", tmp_path)
    path.unlink()
    shutil.copyfile(legacy, project.root / STP / "so-lieu.xls")
    code, found = validate(project)
    assert code == 1
    (error,) = of(found, "error")
    assert "“mười tám” không phải là số" in error["message"]
    assert error["location"]["file"] == f"{STP}/so-lieu.xls"
    assert error["location"]["sheet"] == "Số liệu"
    assert error["location"]["cell"] == f"{target.column_letter}{code_row}"


@pytest.mark.parametrize(
    ("name", "streams", "save_as"),
    [("bao-cao.doc", ("WordDocument",), "Tài liệu Word (*.docx)"),
     ("so-lieu.xls", ("Workbook",), "Sổ làm việc Excel (*.xlsx)")],
    ids=["doc", "xls"],
)  # fmt: skip
def test_without_libreoffice_97_2003_files_are_refused(project, no_libreoffice, name, streams,
                                                      save_as):  # fmt: skip
    folder = project.root / STP
    replaced = "bao-cao.md" if name.endswith(".doc") else "so-lieu.csv"
    (folder / replaced).unlink()
    (folder / name).write_bytes(compound_file(*streams))
    result = project.run("validate")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"{STP}/{name}: lỗi: Tệp {name}" in result.output and "Lưu dưới dạng" in result.output
    _, found = validate(project)
    (error,) = of(found, "error")
    assert error["message"].startswith(f"Tệp {name} là tệp ")
    assert "không có LibreOffice" in error["message"]
    assert error["location"]["file"] == f"{STP}/{name}"
    assert "Lưu dưới dạng" in error["hint"] and save_as in error["hint"]
    assert [f for f in found if f["severity"] == "warning"] == []  # the file is not warned twice


def test_conversion_is_time_limited_and_isolated(project, tmp_path, monkeypatch):
    """A LibreOffice that hangs is killed with what it started; it runs headless with its own
    profile on a copy of the file, never in the submission folder."""
    if os.name != "posix":
        pytest.skip("the stand-in LibreOffice is a shell script")
    args, child = tmp_path / "args.txt", tmp_path / "child.pid"
    fake = tmp_path / "bin" / "soffice"
    fake.parent.mkdir()
    fake.write_text(
        f'#!/bin/sh\nprintf "%s\\n" "$@" > "{args}"\nsleep 300 &\necho $! > "{child}"\nwait\n',
        encoding="utf-8",
    )
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("CCHC_CONVERT_TIMEOUT", "2")
    folder = project.root / STP
    (folder / "bao-cao.md").unlink()
    (folder / "bao-cao.doc").write_bytes(compound_file("WordDocument"))
    started = time.monotonic()
    code, found = validate(project)
    assert time.monotonic() - started < 60
    assert code == 1
    (error,) = of(found, "error")
    assert "Chuyển đổi tệp bao-cao.doc" in error["message"] and "quá 2 giây" in error["message"]
    assert error["location"]["file"] == f"{STP}/bao-cao.doc"
    given = args.read_text(encoding="utf-8").splitlines()
    assert "--headless" in given
    assert any(a.startswith("-env:UserInstallation=file://") for a in given)
    assert not any(str(folder) in a for a in given)
    pid = int(child.read_text(encoding="utf-8"))
    for _ in range(50):
        if not Path(f"/proc/{pid}").exists() or "Z" in _state(pid):
            break
        time.sleep(0.1)
    else:
        pytest.fail("LibreOffice's child process was left running")


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return "Z"


# -- scans and files under other names ------------------------------------------------------


def test_a_pdf_narrative_is_refused_naming_it(project):
    folder = project.root / STP
    (folder / "bao-cao.md").unlink()
    (folder / "bao-cao.pdf").write_bytes(PDF)
    code, found = validate(project)
    assert code == 1
    (error,) = of(found, "error")
    assert "Tệp bao-cao.pdf là tệp PDF (bản quét" in error["message"]
    assert "không đọc được bài viết" in error["message"]
    assert error["location"]["file"] == f"{STP}/bao-cao.pdf"
    assert "Word (.docx" in error["hint"]


def test_a_signed_pdf_beside_the_word_file_is_only_unused(project):
    folder = project.root / STP
    (folder / "bao-cao.md").unlink()
    (folder / "bao-cao.pdf").write_bytes(PDF)
    word_narrative(folder / "BC STP.docx", "bản Word của bản ký")
    code, found = validate(project)
    assert code == 0, found
    assert [f["message"] for f in of(found, "info")] == [
        "Dùng BC STP.docx làm bài viết của báo cáo (là tệp Word duy nhất trong thư mục, không "
        "có tệp bao-cao.docx)."
    ]
    (warning,) = of(found, "warning")
    assert warning["location"]["file"] == f"{STP}/bao-cao.pdf"
    assert "Bản PDF hay bản quét" in warning["hint"]


def test_a_scanned_figures_sheet_is_refused_naming_it(project):
    folder = project.root / STP
    (folder / "so-lieu.csv").unlink()
    (folder / "so-lieu.jpg").write_bytes(jpeg_scan())
    code, found = validate(project)
    assert code == 1
    (error,) = of(found, "error")
    assert "Tệp so-lieu.jpg là ảnh JPEG" in error["message"]
    assert "không đọc được số liệu" in error["message"]
    assert error["location"]["file"] == f"{STP}/so-lieu.jpg"
    assert "so-lieu.xlsx" in error["hint"]


def test_files_are_read_by_their_bytes_not_their_extension(project, tmp_path):
    """A Word file saved as "bao-cao.doc" and the filled form as "so-lieu.xls" are read as
    what they are (no LibreOffice needed); a CSV renamed .xlsx is refused naming it."""
    before = built_markdown(project)
    folder = project.root / STP
    _, path = fill_form(project, "stp")
    path.rename(folder / "so-lieu.xls")
    (folder / "bao-cao.md").unlink()
    word_narrative(folder / "bao-cao.doc", "đuôi tệp sai")
    code, found = validate(project)
    assert code == 0, found
    notices = sorted(f["message"] for f in of(found, "info"))
    assert notices == [
        "Tệp bao-cao.doc thực chất là tệp Word (.docx); đã đọc theo nội dung của tệp.",
        "Tệp so-lieu.xls thực chất là tệp Excel (.xlsx); đã đọc theo nội dung của tệp.",
    ]
    markdown = built_markdown(project)
    assert "Hạn chế: đuôi tệp sai." in markdown
    # the figures are the sample's: only the narrative differs
    assert markdown.count("| ") == before.count("| ")
    (folder / "so-lieu.xls").unlink()
    (folder / "so-lieu.xlsx").write_bytes(b"ma_chi_tieu,2011\nvbqppl_hdnd,18\n")
    code, found = validate(project)
    (error,) = of(found, "error")
    assert "tệp so-lieu.xlsx không phải là tệp Excel mà là văn bản CSV" in error["message"]
    assert "đổi tên tệp thành so-lieu.csv" in error["hint"]


def test_the_only_word_file_is_the_narrative(project):
    folder = project.root / STP
    name = "BC chuyen de CCHC - STP (ban ky).docx"
    (folder / "bao-cao.md").unlink()
    word_narrative(folder / name, "tên tệp của đơn vị")
    code, found = validate(project)
    assert code == 0, found
    (notice,) = of(found, "info")
    assert notice["message"] == (
        f"Dùng {name} làm bài viết của báo cáo (là tệp Word duy nhất trong thư mục, không có "
        "tệp bao-cao.docx)."
    )
    assert notice["location"]["file"] == f"{STP}/{name}"
    assert "Kết quả thực hiện: tên tệp của đơn vị." in built_markdown(project)


def test_the_only_spreadsheet_is_the_figures_file(project):
    folder = project.root / STP
    _, path = fill_form(project, "stp")
    path.rename(folder / "Bieu so lieu STP 2011-2020.xlsx")
    code, found = validate(project)
    assert code == 0, found
    (notice,) = of(found, "info")
    assert notice["message"].startswith("Dùng Bieu so lieu STP 2011-2020.xlsx làm tệp số liệu")


def test_two_word_files_are_an_error_naming_both(project):
    folder = project.root / STP
    (folder / "bao-cao.md").unlink()
    word_narrative(folder / "BC STP ban 1.docx", "một")
    word_narrative(folder / "BC STP ban 2.docx", "hai")
    code, found = validate(project)
    assert code == 1
    (error,) = of(found, "error")
    assert "Có 2 tệp Word có thể là bài viết của báo cáo" in error["message"]
    assert "BC STP ban 1.docx, BC STP ban 2.docx" in error["message"]
    assert "bao-cao.docx" in error["hint"]
    assert of(found, "warning") == []  # not warned again as unused files
    assert not [f for f in found if "Thiếu mục" in f["message"]]  # nothing was read


# -- files nobody reads ---------------------------------------------------------------------


def test_unused_files_are_listed_and_warned_once(project):
    folder = project.root / STP
    (folder / "hinh").mkdir()
    Image.new("RGB", (8, 8)).save(folder / "hinh" / "hoi-nghi.png")
    project.edit_submission(
        "stp", "bao-cao.md", "# Hạn chế", "![Hội nghị tổng kết](hinh/hoi-nghi.png)\n\n# Hạn chế"
    )
    (folder / "ghi-chu.txt").write_text("Gửi kèm bản ký.\n", encoding="utf-8")
    (folder / "bao-cao-ban-ky.pdf").write_bytes(PDF)
    (folder / "anh-chup.jpg").write_bytes(jpeg_scan())
    (folder / "khen-thuong.cvs").write_text("loai,ten\n", encoding="utf-8")
    (folder / "~$bao-cao.docx").write_bytes(b"\0lock")
    unused = ["anh-chup.jpg", "bao-cao-ban-ky.pdf", "ghi-chu.txt", "khen-thuong.cvs"]

    result = project.run("status")
    listed = [line.strip() for line in result.stdout.splitlines() if f"{STP}/" in line]
    marked = sorted(
        line.split("  (")[0].rsplit("/", 1)[-1] for line in listed if "không dùng" in line
    )
    assert marked == sorted([*unused, "README.md"])
    assert any("README.md" in line and "— không dùng (ghi chú)" in line for line in listed)
    assert any("hinh/hoi-nghi.png" in line and "không dùng" not in line for line in listed)
    assert any("so-lieu.csv" in line and "không dùng" not in line for line in listed)
    assert "~$" not in result.stdout

    for _ in range(2):  # the second time from the cache: the same warnings, not twice as many
        code, found = validate(project)
        assert code == 0
        warnings = of(found, "warning")
        assert sorted(w["location"]["file"] for w in warnings) == [f"{STP}/{n}" for n in unused]
        assert all("không được dùng cho báo cáo" in w["message"] and w["hint"] for w in warnings)
    hints = {w["location"]["file"].split("/")[-1]: w["hint"] for w in warnings}
    assert hints["khen-thuong.cvs"].startswith("Nếu đây là tệp khen-thuong.csv bị đặt sai tên")
    assert "Bản PDF hay bản quét" in hints["bao-cao-ban-ky.pdf"]
    assert "Ảnh chỉ được dùng khi bài viết chèn nó" in hints["anh-chup.jpg"]


def test_the_sample_has_no_unused_file(project):
    code, found = validate(project)
    assert code == 0 and [f for f in found if f["severity"] != "info"] == []
