"""The framing of a signed thematic report: what surrounds the text and is not part of it.

A department's report in Word opens with the header block of Decree 30/2020 (agency, "Số:",
national name and motto, place and date; as a table or as paragraphs), the document type and
its summary line, perhaps "Kính gửi:", and closes with "Trên đây là …./.", the signature block
and "Nơi nhận:", perhaps followed by appendices. None of it belongs in the provincial report;
the particulars found there (number, symbol, date, signer) are kept for the department's
thematic report when ``van-ban.toml`` does not give them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..render.vi import fold

_NATION = "cong hoa xa hoi chu nghia viet nam"
_MOTTO = "doc lap"
_KINDS = {
    "bao cao", "to trinh", "ke hoach", "chuong trinh", "de an", "quyet dinh", "thong bao",
    "huong dan", "cong van",
}  # fmt: skip
_NUMBER = re.compile(r"^\s*Số\s*:\s*([0-9]*)\s*/\s*([0-9A-ZĐa-zđ.\-]+)", re.I)
_DATE = re.compile(
    r"^\s*([^,\n]{2,40}),\s*ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.I
)
_AUTHORITY = re.compile(r"^(TM|KT|Q|TL|TUQ)\s*\.\s*\S")
_POSITION = re.compile(
    r"^(PHÓ\s+)?(GIÁM ĐỐC|CHỦ TỊCH|CHÁNH VĂN PHÒNG|TRƯỞNG BAN|TRƯỞNG PHÒNG|CHÁNH THANH TRA)\b"
)
_SIGNED = re.compile(r"^\(\s*(đã ký|ký|ký,? ghi rõ|ký tên)[^)]*\)$", re.I)
_RULE = re.compile(r"^[\s\-_–—=.*]+$")
_CLOSING = re.compile(r"^\s*trên đây là\b", re.I)
_END_MARK = re.compile(r"\s*\./\.\s*$")


@dataclass
class Framing:
    """Where the body lies between the framing, what was left out, and the particulars."""

    start: int = 0  # first block of the body
    end: int = 0  # one past its last block
    left_out: list[tuple[int, str]] = field(default_factory=list)  # (block, what it was)
    particulars: dict[str, Any] = field(default_factory=dict)


def _lines(block: Mapping[str, Any]) -> list[str]:
    if block.get("kind") == "table":
        return [line.strip() for row in block.get("cells", []) for cell in row
                for line in cell.split("\n") if line.strip()]  # fmt: skip
    return [line.strip() for line in block.get("text", "").split("\n") if line.strip()]


HEADER_LINE_CHARS = 90  # a header line is short: "Lạng Sơn, ngày 05 tháng 8 năm 2020"


def _is_header_line(text: str) -> bool:
    """A line of the Decree-30 header block; a body sentence that happens to open with
    "…, ngày 20 tháng 5 năm 2015" is longer than any of them."""
    if len(text) > HEADER_LINE_CHARS:
        return False
    folded = fold(text)
    return (
        _NATION in folded
        or folded.startswith(_MOTTO)
        or bool(_NUMBER.match(text))
        or bool(_DATE.match(text))
        or folded == "du thao"
        or bool(_RULE.match(text))
    )


def _kind(block: Mapping[str, Any]) -> bool:
    return block.get("kind") in {"para", "header", "item"} and fold(block.get("text", "")) in _KINDS


def _particulars_of_header(lines: Sequence[str], found: dict[str, Any]) -> None:
    for line in lines:
        if (m := _NUMBER.match(line)) and "symbol" not in found:
            found["number"], found["symbol"] = m[1], m[2].upper()
        if (m := _DATE.match(line)) and "date" not in found:
            with contextlib.suppress(ValueError):  # "ngày 31 tháng 2": no date is taken
                found["date"] = dt.date(int(m[4]), int(m[3]), int(m[2]))


def _front(blocks: Sequence[Mapping[str, Any]], framing: Framing) -> None:
    """Header block, document type, summary and "Kính gửi:" at the top."""
    limit = min(len(blocks), 15)
    kind_at = next((i for i in range(limit) if _kind(blocks[i])), None)
    header = [i for i in range(limit) if any(_is_header_line(x) for x in _lines(blocks[i]))]
    if kind_at is None and not header:
        return
    last = kind_at if kind_at is not None else header[-1]
    # everything above the document type is the header (agency lines, national name, date)
    for i in range(last + 1):
        _particulars_of_header(_lines(blocks[i]), framing.particulars)
        framing.left_out.append((i, "tiêu đề văn bản" if i != kind_at else "tên loại văn bản"))
    i = last + 1
    if kind_at is not None:
        # the summary line(s): bold or set apart, up to two short blocks; a line in capitals,
        # a styled heading or a numbered one is the body's first heading, not the summary
        taken = 0
        while i < len(blocks) and taken < 2:
            block = blocks[i]
            text = block.get("text", "").strip()
            looks = block.get("bold") or block.get("kind") == "other"
            numbered = re.match(r"^(?:[IVXLC]+|\d+|[a-zđ])\s*[.)]", text)
            heading = block.get("caps") or block.get("kind") in {"header", "item"}
            if not text or not looks or numbered or heading or len(text) > 300:
                break
            framing.left_out.append((i, "trích yếu"))
            i += 1
            taken += 1
    while i < len(blocks) and (
        fold(blocks[i].get("text", "")).startswith("kinh gui")
        or _RULE.match(blocks[i].get("text", "") or "-")
    ):
        framing.left_out.append((i, "nơi gửi"))
        i += 1
    framing.start = i


def _is_signature_line(text: str) -> bool:
    return bool(_AUTHORITY.match(text) or _POSITION.match(text) or _SIGNED.match(text))


def _tail(blocks: Sequence[Mapping[str, Any]], framing: Framing) -> None:
    """ "Nơi nhận:", the signature block and any appendix at the end."""
    end = len(blocks)
    first_half = framing.start + (end - framing.start) // 3
    recipients = next(
        (i for i in range(first_half, end)
         if any(fold(x).startswith("noi nhan") for x in _lines(blocks[i]))),
        None,
    )  # fmt: skip
    signature = recipients
    if signature is None:  # a signature without recipients: authority lines near the end
        signature = next(
            (i for i in range(max(first_half, end - 8), end)
             if blocks[i].get("kind") in {"para", "table"}
             and any(_AUTHORITY.match(x) or _POSITION.fullmatch(x) for x in _lines(blocks[i]))),
            None,
        )  # fmt: skip
    if signature is None:
        framing.end = end
        _closing(blocks, framing)
        return
    # the signer's lines may stand just above "Nơi nhận:" when there is no table
    while signature > framing.start:
        text = blocks[signature - 1].get("text", "").strip()
        if (
            not text
            or _is_signature_line(text)
            or (len(text) < 40 and blocks[signature - 1].get("bold"))
        ):
            signature -= 1
        else:
            break
    _particulars_of_signature(blocks, signature, end, framing.particulars)
    appendix = next(
        (i for i in range(signature, end) if fold(blocks[i].get("text", "")).startswith("phu luc")),
        None,
    )
    for i in range(signature, end):
        what = "phụ lục" if appendix is not None and i >= appendix else "chữ ký, nơi nhận"
        framing.left_out.append((i, what))
    framing.end = signature
    _closing(blocks, framing)


def _particulars_of_signature(
    blocks: Sequence[Mapping[str, Any]], start: int, end: int, found: dict[str, Any]
) -> None:
    lines: list[str] = []
    for i in range(start, end):
        block = blocks[i]
        if fold(block.get("text", "")).startswith("phu luc"):
            break
        if block.get("kind") == "table":
            # the signer is in the last column of a signature table
            for row in block.get("cells", []):
                if row:
                    lines.extend(x.strip() for x in row[-1].split("\n") if x.strip())
        else:
            lines.extend(_lines(block))
    authority = [x for x in lines if _AUTHORITY.match(x)]
    positions = [x for x in lines if _POSITION.match(x) and not _AUTHORITY.match(x)]
    if authority or positions:
        position_index = lines.index(positions[0]) if positions else lines.index(authority[-1])
        names = [
            x for x in lines[position_index + 1 :]
            if not _SIGNED.match(x) and not _is_signature_line(x) and x.upper() != x
            and len(x.split()) <= 6 and not x.startswith("-") and not fold(x).startswith("noi nhan")
        ]  # fmt: skip
        found["signer_authority"] = tuple(authority)
        if positions:
            found["signer_position"] = positions[0]
        if names:
            found["signer_name"] = names[-1]


def _closing(blocks: Sequence[Mapping[str, Any]], framing: Framing) -> None:
    """ "Trên đây là …" and a lone "./." at the end of the body."""
    end = framing.end
    while end > framing.start:
        block = blocks[end - 1]
        text = block.get("text", "").strip()
        if not text or _END_MARK.fullmatch(text) or text == "./.":
            framing.left_out.append((end - 1, "dấu kết thúc"))
            end -= 1
        elif _CLOSING.match(text) and block.get("kind") == "para":
            framing.left_out.append((end - 1, "đoạn kết"))
            end -= 1
        else:
            break
    framing.end = end


def find_framing(blocks: Sequence[Mapping[str, Any]]) -> Framing:
    """Where the body of a report lies, what framing surrounds it, and its particulars."""
    framing = Framing(start=0, end=len(blocks))
    _front(blocks, framing)
    _tail(blocks, framing)
    framing.left_out.sort()
    return framing


def strip_end_mark(markdown: str) -> str:
    """The last paragraph's text without the "./." that ends a document."""
    return _END_MARK.sub("", markdown.rstrip()) + "\n"
