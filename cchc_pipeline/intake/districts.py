"""The districts' data exports (``[districts]``): read, checked, their nominations merged.

A province's report rolls up what its 11 districts built for their own conferences: each
``[districts]`` entry names a district's ``<name>.data.json`` (see
:mod:`cchc_pipeline.publish.export`) or its project folder, whose export is then built first
when it is missing or older than the project's inputs. An export that is missing, not JSON,
not of the export's shape, of another level or period, or of an incompatible catalogue is a
warning naming the district, at the file (and line): the province's report is still built from
the others, and the build says which districts it used.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ..catalogue import catalogue_digest
from ..model import Finding, Location, Severity
from .names import nfc
from .nominations import KINDS, Nomination

PLUGIN = "districts"  # the findings' "plugin": the roll-up is the core's, not a department's
EXPORT_NAME, EXPORT_VERSION = "cchc-data-export", 1
PROJECT_CONFIG = "config.toml"
REPORT_KEYS = (
    ("agency", str), ("level", str), ("period", list), ("number", str), ("symbol", str),
    ("date", str), ("final", bool), ("revision", str),
)  # fmt: skip
MAX_EXPORT_BYTES = 32 * 1024 * 1024  # a district's figures are some hundred kilobytes

# What a project folder's export needs: a function that builds the district's project and
# returns its export's path, and one that says whether that export is older than its inputs.
Builder = Callable[[Path], Path]
Staleness = Callable[[Path], tuple[Path, bool]]


@dataclass(frozen=True)
class DistrictExport:
    """One ``[districts]`` entry and what was read from it (``data`` is None when unusable)."""

    name: str
    source: str  # the file as the coordinator knows it (relative to the project when inside)
    data: dict[str, Any] | None = None
    built: bool = False  # the district's project was built first

    @property
    def used(self) -> bool:
        return self.data is not None

    @property
    def report(self) -> dict[str, Any]:
        return (self.data or {}).get("report", {})

    @property
    def agency(self) -> str:
        """The district's authority as written in a sentence ("UBND huyện Cao Lộc")."""
        return self.report.get("agency") or self.name

    @property
    def final(self) -> bool:
        return bool(self.report.get("final"))

    @property
    def errors(self) -> int:
        """The errors the district's own build had (its sections' findings counts)."""
        return sum(s["findings"]["error"] for s in (self.data or {}).get("sections", []))

    @cached_property
    def _index(self) -> dict[str, tuple[dict[str, Any], dict[str, dict[str, Any]]]]:
        """Each section by name, with its indicators by id (looked up once per export)."""
        found = {}
        for entry in (self.data or {}).get("sections", []):
            indicators = {i["id"]: i for i in entry.get("indicators", [])}
            found.setdefault(entry["name"], (entry, indicators))
        return found

    def section(self, name: str) -> dict[str, Any] | None:
        found = self._index.get(name)
        return found[0] if found else None

    def indicator(self, section: str, indicator: str) -> dict[str, Any] | None:
        found = self._index.get(section)
        return found[1].get(indicator) if found else None

    def value(self, section: str, indicator: str, year: int) -> float | int | None:
        found = self.indicator(section, indicator)
        value = (found or {}).get("values", {}).get(str(year))
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


@dataclass
class Rollup:
    """Every listed district, in config order, with the findings and merged nominations."""

    districts: list[DistrictExport] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    nominations: list[Nomination] = field(default_factory=list)
    # (section, indicator) pairs a district's catalogue reports differently: shown as "-"
    incompatible: set[tuple[str, str, str]] = field(default_factory=set)
    digests: dict[str, str] = field(default_factory=dict, repr=False)  # the province's catalogues

    @property
    def used(self) -> list[DistrictExport]:
        return [d for d in self.districts if d.used]

    @property
    def missing(self) -> list[DistrictExport]:
        return [d for d in self.districts if not d.used]

    def value(self, district: DistrictExport, section: str, indicator: str, year: int) -> Any:
        """A district's value, None when missing or from an incompatible catalogue."""
        if (district.name, section, indicator) in self.incompatible:
            return None
        return district.value(section, indicator, year)

    def warn(
        self, message: str, hint: str, file: str | None = None, line: int | None = None
    ) -> None:
        self.findings.append(
            Finding(Severity.WARNING, message, PLUGIN, Location(file=file, line=line), hint)
        )


def shown(path: Path, project: Path) -> str:
    try:
        return nfc(path.resolve().relative_to(project.resolve()).as_posix())
    except ValueError:
        return nfc(str(path))


def export_files(config: Any, stale: Staleness | None = None) -> dict[str, tuple[Path, bool]]:
    """Each district's export file (a project folder's export where its config says) and
    whether it must be built first; the stage cache keys the roll-up by these."""
    found = {}
    for name, path in config.districts.items():
        if path.is_dir() and stale is not None and (path / PROJECT_CONFIG).is_file():
            try:
                found[name] = stale(path)
            except Exception:  # a broken district config is reported when the roll-up reads it
                found[name] = (path / PROJECT_CONFIG, True)
        else:
            found[name] = (path, False)
    return found


def read_districts(
    config: Any,
    catalogues: dict[str, Any],
    builder: Builder | None = None,
    stale: Staleness | None = None,
) -> Rollup:
    """Read and check every ``[districts]`` entry. ``catalogues`` are the province's field
    catalogues by section name (what a district's figures are compared with)."""
    rollup = Rollup()
    project = config.project_dir
    for name, path in config.districts.items():
        built = False
        where = config.where("districts", name)
        if path.is_dir():
            if not (path / PROJECT_CONFIG).is_file():
                rollup.districts.append(DistrictExport(name, shown(path, project)))
                rollup.warn(
                    f"{name}: thư mục “{shown(path, project)}” không có {PROJECT_CONFIG} của dự "
                    "án cấp huyện.",
                    f"Sửa đường dẫn của “{name}” trong [districts] ({where}): tệp .data.json "
                    "hoặc thư mục chứa config.toml của huyện.",
                    file=shown(path, project),
                )
                continue
            try:
                export, old = stale(path) if stale else (path, True)
                if old and builder is not None:
                    export = builder(path)
                    built = True
            except Exception as exc:  # the district's own failure, in its own words
                message = getattr(exc, "message", None) or str(exc)
                rollup.districts.append(DistrictExport(name, shown(path, project)))
                rollup.warn(
                    f"{name}: không dựng được báo cáo của dự án “{shown(path, project)}”: "
                    f"{message}",
                    "Dựng báo cáo của huyện bằng “cchc build” trong thư mục đó, sửa lỗi nó báo, "
                    "rồi dựng lại báo cáo của tỉnh.",
                    file=shown(path / PROJECT_CONFIG, project),
                )
                continue
            path = export
        rollup.districts.append(_read_one(rollup, config, name, path, catalogues, built))
    _merge_nominations(rollup)
    return rollup


def _read_one(
    rollup: Rollup, config: Any, name: str, path: Path, catalogues: dict[str, Any], built: bool
) -> DistrictExport:
    project = config.project_dir
    source = shown(path, project)
    where = config.where("districts", name)
    unusable = DistrictExport(name, source, built=built)
    if not path.is_file():
        rollup.warn(
            f"{name}: chưa có tệp dữ liệu “{source}”; huyện này không được tổng hợp.",
            f"Chép tệp .data.json do huyện dựng vào đúng chỗ, hoặc sửa đường dẫn trong "
            f"[districts] ({where}).",
            file=source,
        )
        return unusable
    try:
        if path.stat().st_size > MAX_EXPORT_BYTES:
            raise ValueError("quá lớn")
        data = json.loads(path.read_bytes().decode("utf-8"))
    except json.JSONDecodeError as exc:
        rollup.warn(
            f"{name}: tệp dữ liệu “{source}” bị hỏng, không phải JSON đọc được "
            f"({exc.msg}, cột {exc.colno}).",
            "Xin huyện gửi lại tệp .data.json do “cchc build” ghi ra; không sửa tệp bằng tay.",
            file=source,
            line=exc.lineno,
        )
        return unusable
    except (OSError, UnicodeDecodeError, ValueError):
        rollup.warn(
            f"{name}: không đọc được tệp dữ liệu “{source}” (không phải văn bản UTF-8, quá lớn "
            "hoặc không mở được).",
            "Xin huyện gửi lại tệp .data.json do “cchc build” ghi ra.",
            file=source,
        )
        return unusable
    problem = _shape_problem(data)
    if problem:
        rollup.warn(
            f"{name}: tệp “{source}” không phải tệp dữ liệu xuất của công cụ ({problem}).",
            "Xin huyện gửi lại tệp .data.json do “cchc build” ghi ra (phiên bản định dạng "
            f"{EXPORT_VERSION}).",
            file=source,
        )
        return unusable
    report = data["report"]
    if report["level"] != "huyện":
        rollup.warn(
            f"{name}: tệp “{source}” là báo cáo cấp “{report['level']}”, không phải cấp huyện.",
            f"Kiểm tra đường dẫn của “{name}” trong [districts] ({where}).",
            file=source,
        )
        return unusable
    period = list(config.document["period"])
    if list(report["period"]) != period:
        rollup.warn(
            f"{name}: tệp “{source}” tổng kết giai đoạn {report['period'][0]} - "
            f"{report['period'][1]}, khác giai đoạn {period[0]} - {period[1]} của báo cáo.",
            "Xin huyện dựng lại báo cáo với đúng giai đoạn ([document] period).",
            file=source,
        )
        return unusable
    found = DistrictExport(name, source, data, built)
    _check_catalogues(rollup, found, catalogues)
    if not found.final:
        rollup.findings.append(
            Finding(
                Severity.INFO,
                f"{name}: tệp “{source}” là bản dự thảo (chưa phải bản chính thức).",
                PLUGIN,
                Location(file=source),
                "Khi huyện ban hành báo cáo, xin tệp .data.json của bản chính thức.",
            )
        )
    return found


def _shape_problem(data: Any) -> str | None:
    """Why ``data`` is not an export this version reads (the parts the roll-up uses)."""
    if not isinstance(data, dict):
        return "không phải một đối tượng JSON"
    if data.get("schema") != EXPORT_NAME or data.get("version") != EXPORT_VERSION:
        return "thiếu hoặc sai “schema”/“version”"
    report = data.get("report")
    if not isinstance(report, dict):
        return "thiếu “report”"
    for key, kind in REPORT_KEYS:
        if not isinstance(report.get(key), kind):
            return f"“report.{key}” thiếu hoặc sai kiểu"
    if len(report["period"]) != 2 or not all(isinstance(y, int) for y in report["period"]):
        return "“report.period” phải là hai năm"
    sections = data.get("sections")
    if not isinstance(sections, list) or not all(isinstance(s, dict) for s in sections):
        return "“sections” phải là danh sách"
    for section in sections:
        findings = section.get("findings")
        if not isinstance(section.get("name"), str) or not isinstance(findings, dict):
            return "một mục của “sections” thiếu “name” hoặc “findings”"
        if not all(isinstance(findings.get(k), int) for k in ("error", "warning", "info")):
            return "“findings” của một mục phải đếm error, warning, info"
        indicators = section.get("indicators", [])
        if not isinstance(indicators, list) or not all(
            isinstance(i, dict) and isinstance(i.get("id"), str)
            and isinstance(i.get("values"), dict) for i in indicators
        ):  # fmt: skip
            return f"“indicators” của mục “{section['name']}” sai cấu trúc"
    nominations = data.get("nominations")
    if not isinstance(nominations, list) or not all(
        isinstance(n, dict) and all(isinstance(n.get(k), str) for k in
                                    ("kind", "name", "position", "achievement", "form"))
        for n in nominations
    ):  # fmt: skip
        return "“nominations” sai cấu trúc"
    return None


def _check_catalogues(rollup: Rollup, district: DistrictExport, catalogues: dict[str, Any]) -> None:
    """Same catalogue (by digest), or each rolled-up indicator of the same unit and kind."""
    digests = rollup.digests
    if not digests:  # once per roll-up, not once per district
        digests.update({name: catalogue_digest(c) for name, c in catalogues.items()})
    for section, catalogue in catalogues.items():
        own = district.section(section)
        if own is not None and own.get("catalogue") == digests[section]:
            continue
        for indicator in catalogue.rolled_up:
            theirs = district.indicator(section, indicator.id)
            if theirs is None:
                why = "không có chỉ tiêu này"
            elif (theirs.get("unit"), theirs.get("kind")) != (indicator.unit, indicator.kind):
                why = f"ghi theo đơn vị “{theirs.get('unit')}”, loại “{theirs.get('kind')}”"
            else:
                continue
            rollup.incompatible.add((district.name, section, indicator.id))
            rollup.warn(
                f"{district.name}: chỉ tiêu “{indicator.label}” ({section}) trong tệp "
                f"“{district.source}” {why}, khác danh mục của tỉnh ({indicator.unit}, "
                f"{indicator.kind}); ô này để trống trong phụ lục cấp huyện.",
                "Xin huyện dựng lại báo cáo bằng cùng phiên bản plugin với tỉnh.",
                file=district.source,
            )


def _merge_nominations(rollup: Rollup) -> None:
    """The districts' nominations, each proposed by its district ("UBND huyện Cao Lộc")."""
    for district in rollup.used:
        for item in district.data["nominations"]:  # type: ignore[index]
            kind = KINDS.get(_fold(item["kind"]), item["kind"])
            rollup.nominations.append(
                Nomination(
                    kind,
                    item["name"],
                    item["position"],
                    item["achievement"],
                    item["form"],
                    district.agency,
                )
            )


def _fold(text: str) -> str:
    from ..render.vi import fold

    return fold(text)
