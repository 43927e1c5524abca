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

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(data: bytes) -> tuple[str, str]:
    """The text (NFC) and the name of the encoding it was read with."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return unicodedata.normalize("NFC", data.decode(encoding)), encoding
    try:
        return unicodedata.normalize("NFC", data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        return unicodedata.normalize("NFC", data.decode("cp1258", errors="replace")), "cp1258"


def read_rows(path: Path) -> list[list[str]]:
    """The rows of a CSV file in any of the encodings above, with ",", ";" or tab between cells."""
    text, _ = decode(path.read_bytes())
    header = text.split("\n", 1)[0]
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    delimiter = max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))
