"""What a file really is, told by its bytes: departments rename, re-save and scan files, so an
extension says what the clerk meant, not what the file holds.

:func:`sniff` reads the first few kilobytes of a file (plus, for a zip, its directory, and for
an Office 97-2003 compound file a few sectors of its directory) and never more, so it can be
asked of every file of a submission folder. It has no side effects.

- Office Open XML (a zip holding ``[Content_Types].xml``) is told apart by its parts:
  ``word/`` is a ``.docx``, ``xl/`` an ``.xlsx``, ``ppt/`` a ``.pptx``; OpenDocument by the
  ``mimetype`` entry.
- An OLE2 compound file (Office 97-2003) is told by the streams of its directory:
  ``WordDocument`` is a ``.doc``, ``Workbook`` (or ``Book``, Excel 5) an ``.xls``,
  ``PowerPoint Document`` a ``.ppt``; ``EncryptedPackage`` is a ``.docx``/``.xlsx`` saved
  with a password to open it.
- PDF, pictures (PNG, JPEG, GIF, WebP, TIFF, BMP, HEIC) and RTF by their signatures.
- Text (no NUL byte, or a UTF-16 byte-order mark) is CSV, Markdown or TOML by its extension
  when that is one of theirs, otherwise by the look of its first lines.
"""

from __future__ import annotations

import codecs
import re
import struct
import zipfile
from enum import Enum
from pathlib import Path
from typing import BinaryIO

HEAD_BYTES = 8192  # what is read of any file
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_MAX_DIRECTORY_SECTORS = 16  # the streams that tell the kind are the first entries
_OLE_MAX_DIFAT_SECTORS = 8
_FREE, _END_OF_CHAIN = 0xFFFFFFFF, 0xFFFFFFFE


class Kind(str, Enum):
    """A file format, as far as intake cares."""

    DOCX = "docx"
    XLSX = "xlsx"
    PPTX = "pptx"
    ODT = "odt"
    ODS = "ods"
    ODP = "odp"
    DOC = "doc"
    XLS = "xls"
    PPT = "ppt"
    RTF = "rtf"
    ENCRYPTED = "encrypted"  # an Office file with a password to open it
    OLE = "ole"  # another compound file (an Outlook message, a Visio drawing…)
    ZIP = "zip"
    PDF = "pdf"
    PNG = "png"
    JPEG = "jpeg"
    GIF = "gif"
    WEBP = "webp"
    TIFF = "tiff"
    BMP = "bmp"
    HEIC = "heic"
    CSV = "csv"
    MARKDOWN = "markdown"
    TOML = "toml"
    TEXT = "text"
    EMPTY = "empty"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        """What the file is, in Vietnamese, for messages: “tệp Word 97-2003 (.doc)”."""
        return _LABELS[self]

    @property
    def suffix(self) -> str:
        """The extension a file of this kind should have (empty when there is none)."""
        return _SUFFIXES.get(self, "")


_LABELS = {
    Kind.DOCX: "tệp Word (.docx)",
    Kind.XLSX: "tệp Excel (.xlsx)",
    Kind.PPTX: "tệp PowerPoint (.pptx)",
    Kind.ODT: "tệp văn bản OpenDocument (.odt)",
    Kind.ODS: "tệp bảng tính OpenDocument (.ods)",
    Kind.ODP: "tệp trình chiếu OpenDocument (.odp)",
    Kind.DOC: "tệp Word 97-2003 (.doc)",
    Kind.XLS: "tệp Excel 97-2003 (.xls)",
    Kind.PPT: "tệp PowerPoint 97-2003 (.ppt)",
    Kind.RTF: "tệp văn bản RTF (.rtf)",
    Kind.ENCRYPTED: "tệp Office có đặt mật khẩu mở",
    Kind.OLE: "tệp Office 97-2003 không phải Word hay Excel",
    Kind.ZIP: "tệp nén (.zip)",
    Kind.PDF: "tệp PDF",
    Kind.PNG: "ảnh PNG",
    Kind.JPEG: "ảnh JPEG",
    Kind.GIF: "ảnh GIF",
    Kind.WEBP: "ảnh WebP",
    Kind.TIFF: "ảnh TIFF",
    Kind.BMP: "ảnh BMP",
    Kind.HEIC: "ảnh HEIC",
    Kind.CSV: "văn bản CSV",
    Kind.MARKDOWN: "văn bản Markdown",
    Kind.TOML: "văn bản TOML",
    Kind.TEXT: "văn bản thường",
    Kind.EMPTY: "tệp rỗng",
    Kind.UNKNOWN: "tệp không rõ định dạng",
}
_SUFFIXES = {
    Kind.DOCX: ".docx",
    Kind.XLSX: ".xlsx",
    Kind.PPTX: ".pptx",
    Kind.ODT: ".odt",
    Kind.ODS: ".ods",
    Kind.ODP: ".odp",
    Kind.DOC: ".doc",
    Kind.XLS: ".xls",
    Kind.PPT: ".ppt",
    Kind.RTF: ".rtf",
    Kind.ZIP: ".zip",
    Kind.PDF: ".pdf",
    Kind.PNG: ".png",
    Kind.JPEG: ".jpg",
    Kind.GIF: ".gif",
    Kind.WEBP: ".webp",
    Kind.TIFF: ".tif",
    Kind.BMP: ".bmp",
    Kind.HEIC: ".heic",
    Kind.CSV: ".csv",
    Kind.MARKDOWN: ".md",
    Kind.TOML: ".toml",
    Kind.TEXT: ".txt",
}

WORD = frozenset({Kind.DOCX, Kind.DOC, Kind.ODT, Kind.RTF})
SPREADSHEET = frozenset({Kind.XLSX, Kind.XLS, Kind.ODS})
PICTURE = frozenset({Kind.PNG, Kind.JPEG, Kind.GIF, Kind.WEBP, Kind.TIFF, Kind.BMP, Kind.HEIC})
SCAN = PICTURE | {Kind.PDF}  # what a scanner or a phone makes: no text to read
TEXT = frozenset({Kind.CSV, Kind.MARKDOWN, Kind.TOML, Kind.TEXT})
# Formats read through a conversion by LibreOffice, and what they become.
CONVERTED = {Kind.DOC: Kind.DOCX, Kind.RTF: Kind.DOCX, Kind.ODT: Kind.DOCX,
             Kind.XLS: Kind.XLSX, Kind.ODS: Kind.XLSX}  # fmt: skip
# What an extension promises, for messages and for files whose bytes say nothing.
BY_SUFFIX = {suffix: kind for kind, suffix in _SUFFIXES.items()} | {
    ".docm": Kind.DOCX, ".xlsm": Kind.XLSX, ".jpeg": Kind.JPEG, ".tiff": Kind.TIFF,
    ".markdown": Kind.MARKDOWN, ".tsv": Kind.CSV,
}  # fmt: skip


def sniff(path: Path) -> Kind:
    """The format of the file at ``path`` by its content (:data:`Kind.UNKNOWN` when the bytes
    match nothing known, or the file cannot be read)."""
    try:
        with Path(path).open("rb") as handle:
            return _sniff(handle, Path(path).suffix.lower())
    except OSError:
        return Kind.UNKNOWN


def _sniff(handle: BinaryIO, suffix: str) -> Kind:
    head = handle.read(HEAD_BYTES)
    if not head:
        return Kind.EMPTY
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(handle)
    if head.startswith(_OLE_MAGIC):
        return _ole_kind(handle, head)
    if b"%PDF-" in head[:1024]:
        return Kind.PDF
    picture = _picture_kind(head)
    if picture is not None:
        return picture
    if head.startswith(b"{\\rtf"):
        return Kind.RTF
    return _text_kind(head, suffix)


def _zip_kind(handle: BinaryIO) -> Kind:
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive:
            names = archive.namelist()
            if "[Content_Types].xml" in names:
                for prefix, kind in (("word/", Kind.DOCX), ("xl/", Kind.XLSX), ("ppt/", Kind.PPTX)):
                    if any(name.startswith(prefix) for name in names):
                        return kind
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 100:
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                return {
                    "application/vnd.oasis.opendocument.text": Kind.ODT,
                    "application/vnd.oasis.opendocument.spreadsheet": Kind.ODS,
                    "application/vnd.oasis.opendocument.presentation": Kind.ODP,
                }.get(mimetype, Kind.ZIP)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return Kind.UNKNOWN  # a damaged zip: the reader says what is wrong with it
    return Kind.ZIP


_OLE_STREAMS = {
    "worddocument": Kind.DOC,
    "workbook": Kind.XLS,
    "book": Kind.XLS,
    "powerpoint document": Kind.PPT,
    "encryptedpackage": Kind.ENCRYPTED,
}


def ole_stream_names(handle: BinaryIO, header: bytes | None = None) -> list[str]:
    """The names in the directory of an OLE2 compound file, read sector by sector following
    the allocation table, at most :data:`_OLE_MAX_DIRECTORY_SECTORS` sectors; a damaged
    directory ends the list rather than raising."""
    if header is None or len(header) < 512:
        handle.seek(0)
        header = handle.read(512)
    if len(header) < 512 or not header.startswith(_OLE_MAGIC):
        return []
    shift = struct.unpack_from("<H", header, 0x1E)[0]
    if shift not in (9, 12):
        return []
    size = 1 << shift
    fat_count, first_directory = struct.unpack_from("<II", header, 0x2C)
    first_difat, difat_count = struct.unpack_from("<II", header, 0x44)
    difat = list(struct.unpack_from("<109I", header, 0x4C))

    def sector(number: int) -> bytes:
        handle.seek((number + 1) * size)
        return handle.read(size)

    # The DIFAT lists the sectors of the allocation table: 109 in the header, more in a chain
    next_difat = first_difat
    for _ in range(min(difat_count, _OLE_MAX_DIFAT_SECTORS)):
        if next_difat >= _END_OF_CHAIN:
            break
        block = sector(next_difat)
        if len(block) < size:
            break
        entries = struct.unpack(f"<{size // 4}I", block)
        difat += entries[:-1]
        next_difat = entries[-1]
    fat_sectors = [s for s in difat[:fat_count] if s < _END_OF_CHAIN]
    per_sector = size // 4
    fat_cache: dict[int, tuple[int, ...]] = {}

    def next_sector(number: int) -> int:
        index = number // per_sector
        if index >= len(fat_sectors):
            return _END_OF_CHAIN
        if index not in fat_cache:
            block = sector(fat_sectors[index])
            if len(block) < size:
                return _END_OF_CHAIN
            fat_cache[index] = struct.unpack(f"<{per_sector}I", block)
        return fat_cache[index][number % per_sector]

    names: list[str] = []
    current, seen = first_directory, set()
    limit = _OLE_MAX_DIRECTORY_SECTORS
    while current < _END_OF_CHAIN and current not in seen and len(seen) < limit:
        seen.add(current)
        block = sector(current)
        for offset in range(0, len(block) - 127, 128):
            length = struct.unpack_from("<H", block, offset + 64)[0]
            kind = block[offset + 66]
            if kind in (1, 2, 5) and 2 <= length <= 64:
                names.append(block[offset : offset + length - 2].decode("utf-16-le", "replace"))
        if any(name.lower() in _OLE_STREAMS for name in names):
            break
        current = next_sector(current)
    return names


def _ole_kind(handle: BinaryIO, head: bytes) -> Kind:
    names = {name.lower() for name in ole_stream_names(handle, head[:512])}
    # A password-protected .docx/.xlsx also holds other streams: its encryption says most
    for stream in ("encryptedpackage", "worddocument", "workbook", "book", "powerpoint document"):
        if stream in names:
            return _OLE_STREAMS[stream]
    return Kind.OLE


def _picture_kind(head: bytes) -> Kind | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Kind.PNG
    if head.startswith(b"\xff\xd8\xff"):
        return Kind.JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return Kind.GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Kind.WEBP
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return Kind.TIFF
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heif"):
        return Kind.HEIC
    # a bitmap: "BM", then the size of its info header, one of a few known values
    if head.startswith(b"BM") and len(head) >= 18 and _bmp_info_size(head) in _BMP_SIZES:
        return Kind.BMP
    return None


_BMP_SIZES = (12, 40, 52, 56, 64, 108, 124)


def _bmp_info_size(head: bytes) -> int:
    return struct.unpack_from("<I", head, 14)[0]


_TOML_LINE = re.compile(r"^\s*(\[[^\]]+\]|[A-Za-z0-9_\-\"'.]+\s*=)")


def _text_kind(head: bytes, suffix: str) -> Kind:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = head.decode("utf-16", "replace")
    elif b"\x00" in head:
        return Kind.UNKNOWN
    else:
        text = head.decode("utf-8", "replace")
        # bytes that are no text at all (control characters other than tab, CR, LF, FF)
        controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
        if controls > len(head) // 100:
            return Kind.UNKNOWN
    promised = BY_SUFFIX.get(suffix)
    if promised in TEXT:
        return promised
    lines = [line for line in text.lstrip("\ufeff").splitlines()[:20] if line.strip()]
    if not lines:
        return Kind.TEXT
    body = [line for line in lines if not line.lstrip().startswith("#")]  # TOML comments
    if body and sum(bool(_TOML_LINE.match(line)) for line in body) >= max(1, len(body) * 3 // 4):
        return Kind.TOML
    if any(re.match(r"#{1,6} \S", line) for line in lines[:10]):
        return Kind.MARKDOWN
    for separator in (",", ";", "\t"):
        counts = {line.count(separator) for line in lines[:10]}
        if len(counts) == 1 and counts != {0}:
            return Kind.CSV
    return Kind.TEXT
