"""An uploaded file checked by its content and size before it is kept, and the name it gets.

The name a browser sends is never used as a path: the file's bytes say what it is
(:func:`~cchc_pipeline.intake.sniff.sniff`), and that decides the name it is written under
in the submission folder (``so-lieu.xlsx``, ``bao-cao.docx``…). The sent name only tells
apart the CSV files (figures, nominations, PAR Index) and gives a picture a readable name
made of the letters a-z, digits and "-". Office files are checked against zip bombs and XML
entity declarations (:mod:`~cchc_pipeline.intake.limits`) before anything parses them."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..intake import limits as intake_limits
from ..intake.sniff import BY_SUFFIX, Kind, sniff
from ..render.vi import fold

# What each kind becomes in the submission folder; the stem is the file's role, and a new
# file of a role replaces the version's other files of that role (bao-cao.md by bao-cao.docx).
_FIXED = {
    Kind.XLSX: "so-lieu.xlsx",
    Kind.XLS: "so-lieu.xls",
    Kind.ODS: "so-lieu.ods",
    Kind.DOCX: "bao-cao.docx",
    Kind.DOC: "bao-cao.doc",
    Kind.ODT: "bao-cao.odt",
    Kind.RTF: "bao-cao.rtf",
    Kind.MARKDOWN: "bao-cao.md",
}
_OFFICE = {Kind.XLSX, Kind.DOCX, Kind.ODT, Kind.ODS}
_PICTURES = {Kind.PNG: ".png", Kind.JPEG: ".jpg", Kind.GIF: ".gif", Kind.WEBP: ".webp"}
ROLES = ("bao-cao", "so-lieu")  # one file of each at a time
_HINT_KINDS = (
    "Gửi mẫu biểu Excel (so-lieu.xlsx), bài viết Word (bao-cao.docx), khen-thuong.csv, "
    "van-ban.toml hoặc hình PNG/JPEG."
)


@dataclass(frozen=True)
class Accepted:
    """A file kept: the name it gets in the submission folder, its bytes, what it is."""

    sent_as: str
    name: str
    data: bytes
    kind: Kind


@dataclass(frozen=True)
class Refused:
    """A file refused, with why and what to do (Vietnamese)."""

    sent_as: str
    message: str
    hint: str


def shown_name(sent: str) -> str:
    """The sent name for messages only: its last component, without control characters."""
    name = re.split(r"[\\/]", sent or "")[-1]
    name = "".join(ch for ch in name if ch.isprintable())[:120]
    return name or "(không tên)"


def role(name: str) -> str:
    return name.split(".", 1)[0]


def _slug(sent: str) -> str:
    stem = shown_name(sent).rsplit(".", 1)[0]
    slug = re.sub(r"[^a-z0-9]+", "-", fold(stem)).strip("-")[:60]
    if not slug or slug in ROLES or slug.startswith("."):
        slug = "hinh"
    return slug


def target_name(kind: Kind, sent: str) -> str | None:
    """The name a file of ``kind`` is written under (None: not a kind a submission holds)."""
    if kind in _FIXED:
        return _FIXED[kind]
    folded = fold(shown_name(sent))
    if kind is Kind.CSV:
        if "khen" in folded:
            return "khen-thuong.csv"
        if "chi so" in folded or "chiso" in folded:
            return "chi-so.csv"
        return "so-lieu.csv"
    if kind is Kind.TOML:
        return "so-lieu.toml" if "so lieu" in folded else "van-ban.toml"
    if kind in _PICTURES:
        return _slug(sent) + _PICTURES[kind]
    return None


def check_upload(sent: str, data: bytes, limits: intake_limits.Limits,
                 max_bytes: int) -> Accepted | Refused:  # fmt: skip
    """Keep or refuse one uploaded file."""
    shown = shown_name(sent)
    if not data:
        return Refused(shown, f"Tệp “{shown}” rỗng.", "Chọn lại đúng tệp đã lưu rồi gửi lại.")
    if len(data) > max_bytes:
        return Refused(
            shown,
            f"Tệp “{shown}” nặng {len(data) / 2**20:.1f} MB, quá {max_bytes // 2**20} MB cho "
            "một tệp.",
            "Giảm dung lượng (nén hình, xóa dữ liệu thừa) hoặc đề nghị cơ quan tổng hợp tăng "
            "“upload_mb” trong mục [portal].",
        )
    suffix = Path(shown).suffix.lower()
    suffix = suffix if suffix in BY_SUFFIX else ""  # only a known one, for text files' sniffing
    with tempfile.TemporaryDirectory(prefix="cchc-upload-") as scratch:
        path = Path(scratch) / f"tep{suffix}"
        path.write_bytes(data)
        kind = sniff(path)
        name = target_name(kind, shown)
        if kind is Kind.ENCRYPTED:
            return Refused(shown, f"Tệp “{shown}” có đặt mật khẩu mở.",
                           "Bỏ mật khẩu của tệp rồi lưu lại và gửi lại.")  # fmt: skip
        if name is None:
            return Refused(
                shown, f"Tệp “{shown}” là {kind.label}, không phải loại tệp của bài nộp.",
                _HINT_KINDS,
            )  # fmt: skip
        if kind in _OFFICE:
            refusal = intake_limits.archive_refusal(path, limits)
            if refusal:
                return Refused(shown, f"Tệp “{shown}” bị từ chối: {refusal[0]}.", refusal[1])
    if kind in _PICTURES:
        refusal = intake_limits.picture_refusal(data, f"hình “{shown}”", limits)
        if refusal:
            return Refused(shown, f"{refusal[0]}.", refusal[1])
    return Accepted(shown, name, data, kind)
