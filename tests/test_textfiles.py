"""Files as Excel saves them on a Vietnamese Windows: Windows-1258 with ";", UTF-16, UTF-8 BOM."""

from __future__ import annotations

import csv
import io
import unicodedata

import pytest

from cchc_pipeline.intake.textfiles import decode

TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # the only combining marks Windows-1258 has


def windows_1258_form(text: str) -> str:
    """Text as Windows-1258 holds it: vowels with ^, ˘ and the horn precomposed, tones apart."""
    out = []
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in parts if c in TONE_MARKS)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))
        out.append(base + tones)
    return "".join(out)


def rewrite(path, encoding: str, delimiter: str = ",", bom: bytes = b"") -> None:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    text = out.getvalue()
    if encoding == "cp1258":
        text = windows_1258_form(text)
    path.write_bytes(bom + text.encode(encoding))


@pytest.mark.parametrize(
    ("encoding", "delimiter", "bom"),
    [("cp1258", ";", b""), ("utf-16", "\t", b""), ("utf-8", ",", b"\xef\xbb\xbf")],
    ids=["windows-1258 ;", "utf-16 tab", "utf-8 bom"],
)
def test_submission_files_in_excel_encodings_read_the_same(project, encoding, delimiter, bom):
    folder = project.root / "submissions" / "stp"
    assert project.run("build", "-f", "md").exit_code == 0
    expected = project.output("md").read_text(encoding="utf-8")
    for name in ("so-lieu.csv", "khen-thuong.csv"):
        rewrite(folder / name, encoding, delimiter, bom)
    assert project.findings("stp") == []
    assert project.run("build", "-f", "md").exit_code == 0
    markdown = project.output("md").read_text(encoding="utf-8")
    assert "Phòng Xây dựng và Kiểm tra văn bản quy phạm pháp luật" in markdown
    strip = lambda text: text.split("revision:", 1)[1].split("\n", 1)[1]  # noqa: E731
    assert strip(markdown) == strip(expected)


def test_decode_tells_the_encoding():
    text = "Hồ sơ giải quyết đúng hạn"
    assert decode(text.encode("utf-8")) == (text, "utf-8")
    assert decode(windows_1258_form(text).encode("cp1258")) == (text, "cp1258")
    assert decode(text.encode("utf-16")) == (text, "utf-16")


def test_a_flood_of_unknown_rows_gives_a_bounded_list(project):
    """Another department's file or a raw export: 20 codes named, the rest counted once."""
    path = project.root / "submissions" / "stp" / "so-lieu.csv"
    extra = "".join(f"ma_la_{n:04d},Dòng lạ,lần,1,1,1,1,1,1,1,1,1,1\n" for n in range(1000))
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    found = project.findings("stp")
    assert [f["severity"] for f in found] == ["warning"] * 21
    assert "“ma_la_0000”" in found[0]["message"] and found[0]["location"]["line"] == 16
    assert found[-1]["message"].startswith("Còn 980 mã chỉ tiêu khác")
