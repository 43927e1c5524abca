"""Narratives read in kept pandoc processes (issue 17): the same bytes and pictures as the
pandoc command line, the limits kept, nothing left running."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from PIL import Image

from cchc_pipeline import resources
from cchc_pipeline.errors import LimitExceeded
from cchc_pipeline.intake.limits import Limits
from cchc_pipeline.intake.narrative import MARKDOWN_READER, WORD_READER
from cchc_pipeline.publish.formats import pandoc_service
from cchc_pipeline.publish.formats.pandoc import READER, pandoc_command, pandoc_path
from cchc_pipeline.publish.formats.service import LineWorker

WRITER = resources.templates_dir() / "filters" / "narrative.lua"


def _picture(kind: str, colour: tuple[int, int, int]) -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(data, kind)
    data.seek(0)
    return data


def _word_with_everything(path: Path) -> Path:
    """Headings, a table, two pictures, a tracked insertion and deletion, a comment."""
    document = docx.Document()
    document.add_heading("I. KẾT QUẢ ĐẠT ĐƯỢC", level=1)
    document.add_paragraph("Năm 2020 đã ban hành 12 văn bản.")
    document.add_picture(_picture("PNG", (200, 30, 30)))
    table = document.add_table(rows=2, cols=2)
    for (row, col), text in {
        (0, 0): "Chỉ tiêu",
        (0, 1): "2020",
        (1, 0): "Số",
        (1, 1): "12",
    }.items():
        table.cell(row, col).text = text
    document.add_heading("II. HẠN CHẾ", level=1)
    changed = document.add_paragraph("Còn chậm")
    attrs = 'w:author="A" w:date="2020-01-01T00:00:00Z"'
    changed._p.append(parse_xml(
        f'<w:ins {nsdecls("w")} w:id="901" {attrs}><w:r><w:t xml:space="preserve"> bổ sung'
        "</w:t></w:r></w:ins>"
    ))  # fmt: skip
    changed._p.append(parse_xml(
        f'<w:del {nsdecls("w")} w:id="902" {attrs}><w:r><w:delText xml:space="preserve"> đã '
        "xóa</w:delText></w:r></w:del>"
    ))  # fmt: skip
    commented = document.add_paragraph("Có nhận xét ở đây")
    document.add_comment(commented.runs, text="Xem lại số liệu này", author="Lãnh đạo")
    document.add_picture(_picture("JPEG", (20, 30, 200)))
    document.add_heading("III. NGUYÊN NHÂN", level=1)
    document.add_paragraph("Nguyên nhân khách quan.")
    document.save(str(path))
    return path


def _corpus(tmp_path: Path) -> list[Path]:
    sample = resources.sample_dir() / "submissions"
    files = sorted(sample.glob("*/bao-cao.md")) + sorted(sample.glob("*/chuong-trinh.md"))
    assert len(files) >= 7
    odd = tmp_path / "tabs-crlf.md"
    odd.write_bytes("# Kết quả\r\n\r\n\tThụt lề bằng tab\r\nDòng CRLF\r\n\r\n- mục\r\n".encode())
    Image.new("RGB", (20, 20), (0, 128, 0)).save(tmp_path / "hinh anh.png")
    pictured = tmp_path / "co-hinh.md"
    pictured.write_text("# I. KẾT QUẢ\n\n![Hình](hinh%20anh.png)\n\nVăn bản.\n", "utf-8")
    from_pandoc = tmp_path / "co-hinh.docx"
    subprocess.run([pandoc_path(), str(pictured), "-o", str(from_pandoc)], cwd=tmp_path, check=True)
    return [*files, odd, pictured, from_pandoc, _word_with_everything(tmp_path / "word.docx")]


def _tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_the_service_writes_what_the_command_line_writes(tmp_path):
    limits = Limits()
    for number, path in enumerate(_corpus(tmp_path)):
        word = path.suffix == ".docx"
        reader = WORD_READER if word else MARKDOWN_READER
        by_command, by_service = tmp_path / f"cli-{number}", tmp_path / f"svc-{number}"
        by_command.mkdir()
        by_service.mkdir()
        args = [str(path), "--from", reader, "--to", str(WRITER), "--metadata", "cchc-media=m/x"]
        if word:
            args += ["--extract-media=.", "--track-changes=all"]
        command = subprocess.run(
            [*pandoc_command(), *args], cwd=by_command, capture_output=True, check=True
        )
        request = {"op": "narrative", "path": str(path), "from": reader, "writer": str(WRITER),
                   "media": "m/x", "word": word, "dir": str(by_service)}  # fmt: skip
        served = pandoc_service.read(request, what="test", limits=limits)
        assert served.returncode == 0, served.stderr
        assert served.stdout == command.stdout.rstrip(b"\n"), path.name
        assert _tree(by_service) == _tree(by_command), path.name
        if word:
            assert _tree(by_command), "the Word files carry pictures"
            continue
        tree = subprocess.run(
            [*pandoc_command(), str(path), "-f", READER, "-t", "json"],
            capture_output=True,
            check=True,
        )
        served = pandoc_service.read(
            {"op": "json", "path": str(path), "from": READER}, what="test", limits=limits
        )
        assert json.loads(served.stdout) == json.loads(tree.stdout), path.name
    found = json.loads(command.stdout)  # the Word file: revisions and the comment reported
    assert {p["kind"] for p in found["problems"]} >= {"revision", "comment"}
    pandoc_service.stop()


def test_an_unreadable_file_is_an_error_answer_not_a_dead_process(tmp_path):
    broken = tmp_path / "hong.docx"
    broken.write_bytes(b"PK\x03\x04 not really a word file")
    request = {"op": "narrative", "path": str(broken), "from": WORD_READER,
               "writer": str(WRITER), "media": "m", "word": True, "dir": str(tmp_path)}  # fmt: skip
    answer = pandoc_service.read(request, what="test", limits=Limits())
    assert answer.returncode == 1 and answer.stderr
    ok = tmp_path / "ok.md"
    ok.write_text("# Kết quả\n\nĐúng.\n", "utf-8")
    again = pandoc_service.read(
        {"op": "json", "path": str(ok), "from": READER}, what="test", limits=Limits()
    )
    assert again.returncode == 0 and "Đúng" in again.stdout.decode("utf-8")
    pandoc_service.stop()


def test_a_dead_kept_process_is_replaced_and_the_file_read(tmp_path):
    text = tmp_path / "a.md"
    text.write_text("# A\n\nMột.\n", "utf-8")
    request = {"op": "json", "path": str(text), "from": READER}
    assert pandoc_service.read(request, what="test", limits=Limits()).returncode == 0
    kept = pandoc_service.READERS._idle[-1][1]
    kept.process.kill()
    kept.process.wait()
    answer = pandoc_service.read(request, what="test", limits=Limits())
    assert answer.returncode == 0 and "Một" in answer.stdout.decode("utf-8")
    pandoc_service.stop()
    assert not pandoc_service.READERS._idle


def test_a_request_past_the_time_limit_kills_the_process(tmp_path, monkeypatch):
    stuck = LineWorker(["sleep", "60"])  # never answers
    monkeypatch.setattr(pandoc_service.READERS, "take", lambda _mb, _document=None: stuck)
    with pytest.raises(LimitExceeded) as caught:
        pandoc_service.read({"op": "json"}, what="pandoc (đọc x)", limits=Limits(pandoc_seconds=1))
    assert "pandoc (đọc x): quá giới hạn thời gian 1 giây" in caught.value.message
    assert stuck.process.poll() is not None


def test_a_process_out_of_memory_is_told_as_the_limit(tmp_path, monkeypatch):
    def dies(_mb: int, _document: str | None = None) -> LineWorker:
        return LineWorker(["sh", "-c", "echo 'pandoc: heap exhausted' >&2; exit 251"])

    monkeypatch.setattr(pandoc_service.READERS, "take", dies)
    with pytest.raises(LimitExceeded) as caught:
        pandoc_service.read({"op": "json"}, what="pandoc (đọc x)", limits=Limits())
    assert "quá giới hạn bộ nhớ 1536 MB" in caught.value.message


def test_an_idle_process_ends_by_itself(tmp_path, monkeypatch):
    monkeypatch.setattr(pandoc_service, "IDLE_SECONDS", 0.2)
    text = tmp_path / "a.md"
    text.write_text("# A\n\nMột.\n", "utf-8")
    request = {"op": "json", "path": str(text), "from": READER}
    assert pandoc_service.read(request, what="test", limits=Limits()).returncode == 0
    kept = pandoc_service.READERS._idle[-1][1]
    kept.process.wait(timeout=10)  # ended without a stop(): a portal keeps no idle pandoc
    assert not any(w is kept for _, w in pandoc_service.READERS._idle)
