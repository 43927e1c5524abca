"""The documents one build produces, and the official particulars each one carries.

Besides the provincial report, the conference needs each department's thematic report
(báo cáo chuyên đề), with that department's own header, number and signer, and the merged
commendation list. They share the form of Decree 30/2020 (``templates/_form.md.j2``); what
differs is a :class:`DocumentInfo`. A department states its particulars in ``van-ban.toml``
in its submission folder; anything it leaves out is derived from the report's config.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from ..config import ReportConfig, date_problem
from ..intake import invisible, tomlread
from ..intake.names import nfc, on_disk
from ..model import Department
from ..render.templating import Markdown
from ..report import Section

DEPARTMENT_FILE = "van-ban.toml"
DEPARTMENT_KEYS = {
    "number": str,
    "symbol": str,
    "date": dt.date,
    "signer_authority": list,
    "signer_position": str,
    "signer_name": str,
    "recipients": list,
    "archive": str,
    "addressees": list,
}


@dataclass(frozen=True)
class DocumentInfo:
    """The particulars of one official document (header, title, signature, recipients)."""

    kind: str
    summary: str
    number: str
    symbol: str
    place: str
    date: dt.date
    parent: tuple[str, ...]
    agency: tuple[str, ...]
    full_name: str
    signer_authority: tuple[str, ...]
    signer_position: str
    signer_name: str
    recipients: tuple[str, ...]
    archive: str
    final: bool
    period: tuple[int, int]
    addressees: tuple[str, ...] = ()  # "Kính gửi:" (Decree 30, field 9a); empty: no line

    @classmethod
    def of_report(cls, config: ReportConfig) -> DocumentInfo:
        doc, agency, signer, recipients = (
            config.document, config.agency, config.signer, config.recipients,
        )  # fmt: skip
        return cls(
            kind=doc["kind"],
            summary=doc["summary"],
            number=doc["number"],
            symbol=doc["symbol"],
            place=doc["place"],
            date=doc["date"],
            parent=tuple(agency["parent"]),
            agency=tuple(agency["name"]),
            full_name=agency["full_name"],
            signer_authority=tuple(signer["authority"]),
            signer_position=signer["position"],
            signer_name=signer["name"],
            recipients=tuple(recipients["to"]),
            archive=recipients["archive"],
            final=config.final,
            period=tuple(doc["period"]),  # type: ignore[arg-type]
            addressees=tuple(recipients.get("addressees") or ()),
        )


@dataclass
class Document:
    """One document of the build: its Markdown, the formats it is made in, its file name."""

    key: str  # "report", "chuyen-de-stp", "khen-thuong"
    basename: str
    markdown: Markdown
    formats: tuple[str, ...]
    data: Any = None  # structured content for formats that are not converted from Markdown
    metadata: dict[str, Any] = field(default_factory=dict)
    reader: str = "markdown"  # "json": ``markdown`` holds pandoc's syntax tree (a comparison)


def department_info(section: Section, report_info: DocumentInfo) -> DocumentInfo:
    """The thematic report's particulars: the department's ``van-ban.toml`` over defaults."""
    department = section.department or Department(section.name.upper(), section.name, section.name)
    info = replace(
        report_info,
        kind="BÁO CÁO",
        summary=(
            f"Tổng kết thực hiện Chương trình tổng thể cải cách hành chính nhà nước giai đoạn "
            f"{report_info.period[0]} - {report_info.period[1]} trong lĩnh vực "
            f"{department.field[:1].lower()}{department.field[1:]}"
        ),
        number="",
        symbol=f"BC-{department.code}",
        parent=_parent_lines(report_info),
        agency=(department.name.upper(),),
        full_name=department.name,
        signer_authority=(),
        signer_position="GIÁM ĐỐC",
        signer_name="",
        recipients=(f"{report_info.full_name} (b/c)", "Sở Nội vụ (tổng hợp)"),
        archive=f"VT, {department.code}",
        addressees=(),
    )
    given = _read_department_file(section, quiet=True)  # its problems: check_department_file
    for key, value in _found_in_narrative(section).items():
        if not given.get(key):  # van-ban.toml wins; an empty value there gives way
            given[key] = value
    return replace(info, **given) if given else info


def _found_in_narrative(section: Section) -> dict[str, Any]:
    """The particulars read from the signed report's header and signature (number, symbol,
    date, signer)."""
    narrative = getattr(section.data, "narrative", None)
    found = getattr(narrative, "particulars", None) or {}
    return {key: found[key] for key in DEPARTMENT_KEYS if found.get(key)}


def check_department_file(section: Section) -> None:
    """Check the department's ``van-ban.toml`` while the submissions are validated, so that
    its problems are findings of ``cchc validate`` and stop the build before any output."""
    _read_department_file(section)


def _parent_lines(report_info: DocumentInfo) -> tuple[str, ...]:
    """A department's parent agency line: "UBND TỈNH LẠNG SƠN" from the report's agency."""
    joined = " ".join(report_info.agency)
    return (joined.replace("ỦY BAN NHÂN DÂN", "UBND"),)


def _read_department_file(section: Section, quiet: bool = False) -> dict[str, Any]:
    if section.submission is None:
        return {}
    path = on_disk(section.submission, DEPARTMENT_FILE)
    if not path.is_file():
        return {}
    section.use(path)
    report = (lambda *args, **kwargs: None) if quiet else section.error
    try:
        raw, lines, _ = tomlread.load(path)
    except UnicodeDecodeError as exc:
        report(
            "Tệp thông tin văn bản không phải văn bản UTF-8.", file=path,
            line=exc.object[: exc.start].count(b"\n") + 1, hint="Lưu lại tệp dạng UTF-8.",
        )  # fmt: skip
        return {}
    except tomlread.TOMLDecodeError as exc:
        report(
            f"Tệp thông tin văn bản có lỗi cú pháp TOML ({tomlread.error_reason(exc)}).",
            file=path, line=tomlread.error_position(exc)[0],
            hint="Kiểm tra dấu ngoặc kép, dấu = và dấu ngoặc vuông (xem mẫu van-ban.toml).",
        )  # fmt: skip
        return {}
    given: dict[str, Any] = {}
    for key, value in raw.items():
        line = lines.get((key,))
        kind = DEPARTMENT_KEYS.get(key)
        if kind is None:
            report(
                f"Khóa “{key}” không có trong thông tin văn bản.",
                file=path,
                line=line,
                hint="Các khóa: " + ", ".join(DEPARTMENT_KEYS) + ".",
            )
            continue
        problem, value = _typed(kind, nfc_value(value))
        if problem is None:
            problem = next(filter(None, map(invisible.problem, _texts(value))), None)
            hint = invisible.RETYPE_HINT
        else:
            hint = f"Ví dụ: {EXAMPLES[key]} (xem mẫu van-ban.toml)."
        if problem is not None:
            report(f"Khóa “{key}” của thông tin văn bản: {problem}", file=path, line=line,
                   hint=hint)  # fmt: skip
            continue
        given[key] = value
    return given


_KIND_WORDS = {str: "một chuỗi văn bản trong ngoặc kép", dt.date: "một ngày dạng 2020-09-15",
               list: "một danh sách chuỗi trong ngoặc vuông"}  # fmt: skip
EXAMPLES = {
    "number": 'number = "125"',
    "symbol": 'symbol = "BC-STP"',
    "date": "date = 2020-09-15",
    "signer_authority": 'signer_authority = ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]',
    "signer_position": 'signer_position = "GIÁM ĐỐC"',
    "signer_name": 'signer_name = "Nguyễn Văn A"',
    "recipients": 'recipients = ["UBND tỉnh (b/c)", "Sở Nội vụ (tổng hợp)"]',
    "archive": 'archive = "VT, STP"',
    "addressees": 'addressees = ["Ủy ban nhân dân tỉnh Lạng Sơn"]',
}


def nfc_value(value: Any) -> Any:
    """Text of a TOML value in NFC (lists item by item), as every text of the tool."""
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, list):
        return [nfc_value(v) for v in value]
    return value


def _typed(kind: type, value: Any) -> tuple[str | None, Any]:
    """Why ``value`` is not of ``kind`` (a date that is a date only, a list of text only), or
    None with the value as the documents use it (lists as tuples)."""
    if kind is list and isinstance(value, list):
        for number, item in enumerate(value, start=1):
            if not isinstance(item, str):
                return (
                    f"phần tử thứ {number} ({_what(item)}) không phải chuỗi văn bản; "
                    "danh sách chỉ gồm các chuỗi trong ngoặc kép.",
                    None,
                )
        return None, tuple(v.strip() for v in value)
    if kind is dt.date and isinstance(value, dt.datetime):
        return "phải là một ngày (không kèm giờ), dạng 2020-09-15.", None
    if kind is dt.date and isinstance(value, dt.date):
        return date_problem(value), value
    if isinstance(value, kind):
        return None, value.strip() if isinstance(value, str) else value
    return f"phải là {_KIND_WORDS[kind]}, không phải {_what(value)}.", None


def _what(value: Any) -> str:
    """A TOML value's type in words."""
    if isinstance(value, bool):
        return "giá trị đúng/sai"
    if isinstance(value, (int, float)):
        return "một số"
    if isinstance(value, dict):
        return "một bảng"
    if isinstance(value, list):
        return "một danh sách"
    if isinstance(value, (dt.date, dt.time)):
        return "ngày giờ"
    return "một chuỗi văn bản"


def _texts(value: Any) -> list[str]:
    """The text of a checked value: itself, a list's items, nothing for a date."""
    if isinstance(value, str):
        return [value]
    return list(value) if isinstance(value, tuple) else []
