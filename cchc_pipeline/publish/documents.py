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
from pathlib import Path
from typing import Any

from ..config import ReportConfig
from ..intake import tomlread
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
    path = Path(section.submission) / DEPARTMENT_FILE
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
        kind = DEPARTMENT_KEYS.get(key)
        if kind is None or not isinstance(value, kind):
            report(
                f"Khóa “{key}” không hợp lệ trong thông tin văn bản.",
                file=path,
                line=lines.get((key,)),
                hint="Các khóa: " + ", ".join(DEPARTMENT_KEYS) + ".",
            )
            continue
        given[key] = tuple(value) if isinstance(value, list) else value
    return given


def commendation_info(report_info: DocumentInfo) -> DocumentInfo:
    """The merged commendation list, issued with the report's header."""
    return replace(
        report_info,
        kind="DANH SÁCH",
        summary=(
            "Đề nghị khen thưởng tập thể, cá nhân có thành tích xuất sắc trong thực hiện "
            "Chương trình tổng thể cải cách hành chính nhà nước giai đoạn "
            f"{report_info.period[0]} - {report_info.period[1]}"
        ),
    )
