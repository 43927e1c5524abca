"""Reading the text files departments send: whatever encoding and separator Excel chose.

Excel on a Vietnamese Windows saves "CSV" as Windows-1258 (whose accents are combining
marks, so the text must be normalised to NFC) with ";" between cells, "Unicode text" as
UTF-16, and "CSV UTF-8" with a byte-order mark. The encoding is told by the byte-order mark,
else UTF-8 if the bytes are valid UTF-8, else Windows-1258; the separator by the header line.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from pathlib import Path

from ..errors import CchcError, ExitCode

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class UnreadableText(CchcError):
    """A file whose bytes are neither UTF-8 nor Windows-1258: the department must save it
    again, so it is their error (exit code 1), at the line of the first bad byte."""

    exit_code = ExitCode.VALIDATION

    def __init__(self, path: Path | str | None, line: int, byte: int) -> None:
        self.line = line
        self.reason = (
            f"Tệp không đọc được: byte 0x{byte:02X} không thuộc bảng mã UTF-8 hay Windows-1258 "
            "(tệp hỏng, hoặc ghép từ nhiều bảng mã)."
        )
        super().__init__(
            f"{path or 'Tệp'}:{line}: {self.reason}",
            "Mở tệp bằng Excel hoặc Notepad, sửa dòng này rồi lưu lại dạng “CSV UTF-8”.",
        )


def decode(data: bytes, path: Path | str | None = None) -> tuple[str, str]:
    """The text (NFC) and the name of the encoding it was read with.

    A file that is mostly UTF-8 but holds a few broken bytes (a copy cut short, two files
    pasted together) is not read as Windows-1258, which would garble every accent without a
    word: like a byte no encoding here defines, it raises :class:`UnreadableText`.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return unicodedata.normalize("NFC", data.decode(encoding, errors="replace")), encoding
    try:
        return unicodedata.normalize("NFC", data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    lenient = data.decode("utf-8", errors="replace")
    broken = lenient.count("\ufffd")
    if sum(ord(c) > 127 for c in lenient) - broken <= broken:
        try:
            return unicodedata.normalize("NFC", data.decode("cp1258")), "cp1258"
        except UnicodeDecodeError as exc:
            first_bad = exc.start
    raise UnreadableText(path, data.count(b"\n", 0, first_bad) + 1, data[first_bad])


def read_rows(path: Path) -> list[list[str]]:
    """The rows of a CSV file in any of the encodings above, with ",", ";" or tab between cells."""
    text, _ = decode(path.read_bytes(), path)
    header = text.split("\n", 1)[0]
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    delimiter = max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))
