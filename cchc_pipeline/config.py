"""``config.toml``: the description of one report, read and checked before anything runs.

Every problem is reported at once, each with the file, the line and the key, in Vietnamese,
with a did-you-mean for misspelt keys, so that the coordinator fixes the file in one pass.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .intake import invisible, tomlread
from .intake import limits as intake_limits
from .intake.names import on_disk

DEFAULT_CONFIG_NAME = "config.toml"
DEFAULT_FORMATS = ("md", "docx", "pdf", "html", "pptx")
PROGRAMME_KINDS = ("CHƯƠNG TRÌNH", "KẾ HOẠCH")


@dataclass(frozen=True)
class Key:
    """One key of the schema: its kind, whether it is required, its default, its meaning."""

    kind: str  # text | lines | names | date | bool | years
    help: str
    required: bool = False
    default: Any = None


_KIND_NAMES = {
    "text": "một chuỗi văn bản",
    "lines": "một chuỗi hoặc danh sách chuỗi",
    "names": "một danh sách chuỗi",
    "date": "một ngày dạng 2020-11-20",
    "bool": "true hoặc false",
    "years": "hai năm, ví dụ [2011, 2020]",
    "count": "một số nguyên dương",
    "dates": "một bảng tên plugin = ngày, ví dụ stp = 2020-11-15",
}

SCHEMA: dict[str, dict[str, Key]] = {
    "document": {
        "kind": Key("text", "loại văn bản, in hoa", default="BÁO CÁO"),
        "number": Key("text", "số văn bản; để trống khi chưa cấp số", default=""),
        "symbol": Key("text", "ký hiệu, ví dụ BC-UBND", required=True),
        "summary": Key("text", "trích yếu nội dung", required=True),
        "place": Key("text", "địa danh ghi ở dòng ngày tháng", required=True),
        "date": Key("date", "ngày ban hành", required=True),
        "period": Key("years", "giai đoạn tổng kết", default=(2011, 2020)),
        "final": Key("bool", "bản chính thức (false: dự thảo)", default=False),
        "level": Key("text", "cấp của cơ quan ban hành: tỉnh hoặc huyện", default="tỉnh"),
        "ranked_among": Key("count", "số đơn vị cùng cấp để xếp hạng chỉ số CCHC", default=63),
        "illustrative": Key("bool", "số liệu minh họa (ghi vào tệp dữ liệu xuất)", default=False),
        "drafts_kept": Key("count", "số bản dự thảo gần nhất được lưu để so sánh", default=10),
        "changes_author": Key(
            "text", "tên người sửa ghi trong bản so sánh dự thảo", default="cchc-pipeline"
        ),
    },
    "agency": {
        "parent": Key("lines", "cơ quan chủ quản (nếu có), in hoa", default=()),
        "name": Key("lines", "cơ quan ban hành, in hoa, mỗi dòng một phần tử", required=True),
        "full_name": Key("text", "tên cơ quan ban hành viết trong câu", default=""),
    },
    "signer": {
        "authority": Key("lines", "thẩm quyền ký: TM., KT., Q., TL., TUQ.", default=()),
        "position": Key("text", "chức vụ người ký, in hoa", required=True),
        "name": Key("text", "họ và tên người ký", required=True),
    },
    "recipients": {
        "to": Key("names", "danh sách nơi nhận", required=True),
        "archive": Key("text", "nơi lưu, ví dụ VT, SNV", default="VT"),
        "addressees": Key(
            "names", "nơi gửi ghi ở dòng “Kính gửi:” (Nghị định 30, ô 9a)", default=()
        ),
    },
    "plugins": {
        "order": Key("names", "thứ tự các phần của báo cáo (tên plugin)", default=()),
        "disabled": Key("names", "các plugin không dùng", default=()),
        "folders": Key("names", "thư mục chứa plugin bổ sung", default=()),
    },
    "output": {
        "dir": Key("text", "thư mục kết quả", default="build"),
        "name": Key("text", "tên tệp kết quả (không có phần mở rộng)", default="bao-cao"),
        "formats": Key("names", "các định dạng kết quả", default=DEFAULT_FORMATS),
        "thematic": Key(
            "names", "định dạng báo cáo chuyên đề của từng sở", default=("docx", "pdf")
        ),
        "commendations": Key(
            "names", "định dạng danh sách khen thưởng", default=("docx", "pdf", "xlsx")
        ),
        "to_trinh": Key("names", "định dạng tờ trình đề nghị khen thưởng", default=("docx", "pdf")),
        "quyet_dinh": Key("names", "định dạng quyết định khen thưởng", default=("docx", "pdf")),
        "programme": Key(
            "names", "định dạng Chương trình (Kế hoạch) CCHC 2021 - 2030", default=("docx", "pdf")
        ),
    },
    # the commendation documents (publish/commendations.py); a key left out (None) is derived
    # from the report's own tables
    "to_trinh": {
        "number": Key("text", "số tờ trình; để trống khi chưa cấp số", default=""),
        "symbol": Key("text", "ký hiệu (mặc định: TTr-SNV; cấp huyện TTr-PNV)"),
        "date": Key("date", "ngày ký tờ trình (mặc định: ngày của báo cáo)"),
        "place": Key("text", "địa danh (mặc định: như báo cáo)"),
        "summary": Key("text", "trích yếu, bắt đầu bằng “Về việc”"),
        "parent": Key("lines", "cơ quan chủ quản, in hoa (mặc định: UBND TỈNH …)"),
        "agency": Key("lines", "cơ quan trình, in hoa (mặc định: SỞ NỘI VỤ; PHÒNG NỘI VỤ)"),
        "full_name": Key("text", "tên cơ quan trình viết trong câu (Sở Nội vụ; Phòng Nội vụ)"),
        "addressees": Key("names", "dòng “Kính gửi:” (mặc định: Ủy ban nhân dân tỉnh …)"),
        "legal_bases": Key("names", "các căn cứ, mỗi phần tử một dòng “Căn cứ …”"),
        "signer_authority": Key("lines", "thẩm quyền ký, ví dụ KT. GIÁM ĐỐC", default=()),
        "signer_position": Key("text", "chức vụ người ký, in hoa (GIÁM ĐỐC; TRƯỞNG PHÒNG)"),
        "signer_name": Key("text", "họ và tên người ký", default=""),
        "recipients": Key("names", "nơi nhận", default=("Như trên",)),
        "archive": Key("text", "nơi lưu (mặc định: VT và mã cơ quan của ký hiệu)"),
    },
    "quyet_dinh": {
        "number": Key("text", "số quyết định; để trống khi chưa cấp số", default=""),
        "symbol": Key("text", "ký hiệu, ví dụ QĐ-UBND", default="QĐ-UBND"),
        "date": Key("date", "ngày ký quyết định (mặc định: ngày của báo cáo)"),
        "place": Key("text", "địa danh (mặc định: như báo cáo)"),
        "summary": Key("text", "trích yếu, bắt đầu bằng “Về việc” (mặc định: theo hình thức)"),
        "authority": Key("lines", "thẩm quyền ban hành, in hoa (mặc định: CHỦ TỊCH …)"),
        "legal_bases": Key("names", "các căn cứ ban hành, mỗi phần tử một dòng “Căn cứ …”"),
        "proposed_by": Key("text", "người đề nghị (mặc định: Giám đốc và tên cơ quan trình)"),
        "prize_rules": Key("text", "văn bản quy định mức tiền thưởng (Điều 2)"),
        "prize_fund": Key("text", "nguồn chi tiền thưởng (Điều 2)"),
        "executors": Key("names", "người thi hành (Điều 3), mỗi phần tử một người hoặc đơn vị"),
        "signer_authority": Key("lines", "thẩm quyền ký, ví dụ KT. CHỦ TỊCH"),
        "signer_position": Key("text", "chức vụ người ký, in hoa (mặc định: như báo cáo)"),
        "signer_name": Key("text", "họ và tên người ký (mặc định: như báo cáo)"),
        "recipients": Key("names", "nơi nhận, sau dòng “Như Điều 3”"),
        "archive": Key("text", "nơi lưu (mặc định: như tờ trình)"),
        "list_title": Key("text", "tên danh sách kèm theo, dưới chữ DANH SÁCH"),
        "show_proposer": Key("bool", "danh sách có cột “Đơn vị đề nghị”", default=True),
    },
    # the 2021–2030 programme (publish/documents.py programme_info): an empty key is derived
    # from the report's own [document], [signer] and [recipients]
    "chuong_trinh": {
        "kind": Key("text", "CHƯƠNG TRÌNH hoặc KẾ HOẠCH", default=PROGRAMME_KINDS[0]),
        "number": Key("text", "số văn bản; để trống khi chưa cấp số", default=""),
        "symbol": Key("text", "ký hiệu; mặc định CTr-UBND hoặc KH-UBND theo loại", default=""),
        "summary": Key("text", "trích yếu; mặc định “Cải cách hành chính … giai đoạn …”"),
        "date": Key("date", "ngày ban hành; mặc định ngày của báo cáo", default=None),
        "period": Key("years", "giai đoạn của Chương trình", default=(2021, 2030)),
        "goal": Key("text", "mục tiêu chung (khi bài nộp tổng hợp không ghi)", default=""),
        "signer_authority": Key("lines", "thẩm quyền ký; mặc định như báo cáo", default=()),
        "signer_position": Key("text", "chức vụ người ký; mặc định như báo cáo", default=""),
        "signer_name": Key("text", "họ và tên người ký; mặc định như báo cáo", default=""),
        "recipients": Key("names", "nơi nhận; mặc định như báo cáo", default=()),
        "archive": Key("text", "nơi lưu; mặc định như báo cáo", default=""),
        "agencies": Key("names", "các cơ quan khác được giao nhiệm vụ", default=()),
    },
    # what a submission may cost the readers and writers (cchc_pipeline/intake/limits.py)
    "limits": {
        key: Key("count", intake_limits.HELP[key], default=value)
        for key, value in intake_limits.DEFAULTS.items()
    },
    # the collection portal, ``cchc serve`` (cchc_pipeline/portal/)
    "portal": {
        "database": Key(
            "text", "cơ sở dữ liệu của cổng nộp bài; để trống: SQLite trong dự án", default=""
        ),
        "deadline": Key("date", "hạn nộp bài chung của các đơn vị", default=None),
        "deadlines": Key("dates", "hạn nộp riêng của từng plugin", default={}),
        "secure_cookies": Key(
            "bool", "cookie chỉ gửi qua HTTPS (chạy sau proxy HTTPS)", default=False
        ),
        "lockout": Key("count", "số lần đăng nhập sai liên tiếp thì khóa tài khoản", default=5),
        "upload_mb": Key("count", "dung lượng tối đa (MB) của một tệp tải lên", default=64),
    },
}
# Tables whose keys are chosen by the user (plugin names) rather than by the schema.
OPEN_TABLES: dict[str, str] = {
    "submissions": "thư mục bài nộp của từng plugin",
    "departments": "tên đơn vị phụ trách từng plugin, khi khác tên mặc định (ví dụ cấp huyện)",
    "districts": "tệp dữ liệu xuất (.data.json) hoặc thư mục dự án của từng đơn vị cấp huyện",
}
REQUIRED_TABLES = ("document", "agency", "signer", "recipients")


@dataclass(frozen=True)
class ReportConfig:
    """The validated configuration. Paths are absolute; text is Unicode NFC."""

    path: Path
    document: dict[str, Any]
    agency: dict[str, Any]
    signer: dict[str, Any]
    recipients: dict[str, Any]
    plugins: dict[str, Any]
    output: dict[str, Any]
    submissions: dict[str, Path]
    departments: dict[str, str] = field(default_factory=dict)
    districts: dict[str, Path] = field(default_factory=dict)  # name → export or project folder
    lines: dict[tuple[str, ...], int] = field(default_factory=dict, repr=False, compare=False)
    limits: dict[str, int] = field(default_factory=lambda: dict(intake_limits.DEFAULTS))
    to_trinh: dict[str, Any] = field(default_factory=dict)
    quyet_dinh: dict[str, Any] = field(default_factory=dict)
    portal: dict[str, Any] = field(default_factory=dict)
    chuong_trinh: dict[str, Any] = field(
        default_factory=lambda: {k: v.default for k, v in SCHEMA["chuong_trinh"].items()}
    )

    @property
    def project_dir(self) -> Path:
        """The folder holding the config; relative paths in it resolve from here."""
        return self.path.parent

    @property
    def plugin_folders(self) -> tuple[Path, ...]:
        """The project's plugin folders (``[plugins] folders``), as named on disk."""
        return tuple(on_disk(self.project_dir, f) for f in self.plugins["folders"])

    @property
    def output_dir(self) -> Path:
        return on_disk(self.project_dir, self.output["dir"]).resolve()

    @property
    def final(self) -> bool:
        return bool(self.document["final"])

    def where(self, *key: str) -> str:
        """``file:line`` of a key, for messages; the file alone when the line is unknown."""
        line = self.lines.get(tuple(key))
        return f"{self.path}:{line}" if line else str(self.path)

    def with_overrides(self, **tables: dict[str, Any]) -> ReportConfig:
        """A copy with some tables' keys replaced (used by CLI options such as ``-o``)."""
        values = {name: getattr(self, name) for name in SCHEMA if name in tables}
        merged = {name: {**values[name], **tables[name]} for name in values}
        return ReportConfig(
            path=self.path,
            document=merged.get("document", self.document),
            agency=merged.get("agency", self.agency),
            signer=merged.get("signer", self.signer),
            recipients=merged.get("recipients", self.recipients),
            plugins=merged.get("plugins", self.plugins),
            output=merged.get("output", self.output),
            submissions=self.submissions,
            departments=self.departments,
            districts=self.districts,
            lines=self.lines,
            limits=merged.get("limits", self.limits),
            to_trinh=merged.get("to_trinh", self.to_trinh),
            quyet_dinh=merged.get("quyet_dinh", self.quyet_dinh),
            portal=merged.get("portal", self.portal),
            chuong_trinh=merged.get("chuong_trinh", self.chuong_trinh),
        )


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A Vietnamese "did you mean" suffix, or an empty string."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" Có phải ý bạn là “{close[0]}”?" if close else ""


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    if isinstance(value, dict):
        return {_nfc(k): _nfc(v) for k, v in value.items()}
    return value


def _check(kind: str, value: Any) -> Any:
    """Return the value in its canonical form, or raise ValueError when it has the wrong type."""
    if kind == "text" and isinstance(value, str):
        return value.strip()
    if kind == "lines":
        if isinstance(value, str):
            return (value.strip(),) if value.strip() else ()
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(v.strip() for v in value)
    if kind == "names" and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(v.strip() for v in value)
    if kind == "date" and isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if kind == "bool" and isinstance(value, bool):
        return value
    if (
        kind == "dates"
        and isinstance(value, dict)
        and all(isinstance(v, dt.date) and not isinstance(v, dt.datetime) for v in value.values())
    ):
        return {str(k).strip(): v for k, v in value.items()}
    if kind == "count" and isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if (
        kind == "years"
        and isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        and 1900 < value[0] <= value[1] < 2200
    ):
        return tuple(value)
    raise ValueError(kind)


def _control_characters(where: str, table: str, key: str, value: Any) -> list[str]:
    """Text holding a control character (U+0000-U+001F but tab and line breaks, U+007F-U+009F)
    or a non-character: no writer can print it and pandoc's metadata reader refuses it."""
    texts = value if isinstance(value, tuple) else (value,)
    for text in (t for t in texts if isinstance(t, str)):
        for char in text:
            if char not in "\t\n\r" and (
                unicodedata.category(char) == "Cc" or unicodedata.category(char) == "Cn"
            ):
                return [
                    f"{where}: khóa “{key}” trong mục [{table}] chứa ký tự điều khiển "
                    f"U+{ord(char):04X}, không in được; xóa ký tự đó (thường do chép từ tệp khác)."
                ]
    return []


def _inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` (resolved: ``..`` and symbolic links followed) is in ``folder``."""
    return path.resolve().is_relative_to(folder.resolve())


def _folder_problem(
    where: str, what: str, folder: Path, project: Path, why: str, needed: bool = True
) -> list[str]:
    """The problem of a folder an input is read from: outside the project, or missing (when
    it is ``needed``: ``cchc form`` writes the forms that will fill a folder not made yet)."""
    if not _inside(folder, project):
        return [f"{where}: {what} nằm ngoài thư mục dự án ({folder}); {why}"]
    if needed and not folder.is_dir():
        return [f"{where}: không tìm thấy {what} (tìm ở {folder})."]
    return []


def _links_out(where: str, value: str, folder: Path) -> list[str]:
    """Symbolic links in a submission folder that lead out of it: a reader following one
    would put a file from elsewhere on the machine into the report."""
    found = []
    for root, dirs, files in os.walk(folder):
        for entry in [*dirs, *files]:
            link = Path(root) / entry
            if link.is_symlink() and not _inside(link, folder):
                shown = link.relative_to(folder).as_posix()
                found.append(
                    f"{where}: trong thư mục bài nộp “{value}”, “{shown}” là liên kết trỏ ra "
                    f"ngoài ({link.resolve()}); chép tệp thật vào thay cho liên kết."
                )
    return found


def _reserved_folder(folder: Path, project: Path) -> str | None:
    """Why ``folder`` cannot hold outputs: the project's cache (``cchc clean`` would delete
    them) or its templates (outputs would become inputs)."""
    from .cache import CACHE_DIR

    if _inside(folder, project / CACHE_DIR):
        return f"nằm trong bộ nhớ đệm {CACHE_DIR} (lệnh “cchc clean” sẽ xóa kết quả)"
    templates = project / "templates"
    if _inside(folder, templates) or _inside(templates, folder):
        return "trùng, nằm trong hoặc chứa thư mục mẫu templates/ (kết quả sẽ thành đầu vào)"
    if folder.resolve() == project.resolve():
        return "là chính thư mục dự án (kết quả sẽ lẫn với tệp cấu hình)"
    return None


def check_output_folder(config: ReportConfig, folder: Path) -> None:
    """The ``-o`` folder of a command gets the config's check: a folder, not an input's."""
    plugin_folders = config.plugin_folders
    if folder.exists() and not folder.is_dir():
        raise ConfigError(
            f"Thư mục kết quả {folder} là một tệp đã có, không phải thư mục.",
            "Chọn thư mục khác bằng -o.",
        )
    if any(_inside(folder, f) or _inside(f, folder)
           for f in [*config.submissions.values(), *plugin_folders]):  # fmt: skip
        raise ConfigError(
            f"Thư mục kết quả {folder} trùng, nằm trong hoặc chứa một thư mục bài nộp hay "
            "plugin; kết quả sẽ lẫn vào đầu vào.",
            "Chọn thư mục riêng bằng -o, ví dụ “build”.",
        )
    reason = _reserved_folder(folder, config.project_dir)
    if reason:
        raise ConfigError(f"Thư mục kết quả {folder} {reason}.", "Chọn thư mục riêng bằng -o.")


def _path_problems(
    tables: dict[str, dict[str, Any]], submissions: dict[str, Path], path: Path, at: Any
) -> list[str]:
    """Plugin folders (code that runs) must exist inside the project. The output folder may
    be anywhere (a shared drive, say), but not inside the inputs, and ``name`` is a file
    name, not a path."""
    problems = []
    plugin_folders = []
    for value in tables.get("plugins", {}).get("folders") or ():
        folder = on_disk(path.parent, value).resolve()
        problems += _folder_problem(
            at("plugins", "folders"),
            f"thư mục plugin “{value}”",
            folder,
            path.parent,
            "plugin là mã chạy khi dựng, chỉ nạp từ trong thư mục chứa tệp cấu hình, hoặc cài "
            "thành gói.",
        )
        plugin_folders.append(folder)
    output = tables.get("output", {})
    if output.get("dir"):
        folder = on_disk(path.parent, output["dir"]).resolve()
        holders = [*submissions.values(), *plugin_folders]
        if folder.exists() and not folder.is_dir():
            problems.append(
                f"{at('output', 'dir')}: thư mục kết quả “{output['dir']}” là một tệp đã có, "
                "không phải thư mục; chọn tên khác."
            )
        elif any(_inside(folder, f) or _inside(f, folder) for f in holders):
            problems.append(
                f"{at('output', 'dir')}: thư mục kết quả “{output['dir']}” trùng, nằm trong "
                "hoặc chứa một thư mục bài nộp hay plugin; kết quả sẽ lẫn vào đầu vào. "
                "Chọn thư mục riêng, ví dụ “build”."
            )
        elif reason := _reserved_folder(folder, path.parent):
            problems.append(
                f"{at('output', 'dir')}: thư mục kết quả “{output['dir']}” {reason}. "
                "Chọn thư mục riêng, ví dụ “build”."
            )
    name = output.get("name")
    if name is not None:
        problem = name_problem(name)
        if problem:
            shown = invisible.shown(name)
            problems.append(f"{at('output', 'name')}: tên tệp kết quả “{shown}” {problem}")
    return problems


MAX_NAME_CHARS = 80  # with "-chuyen-de-<plugin>.manifest.json" well under every file system's 255
MAX_NAME_BYTES = 160
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{d}{n}" for d in ("COM", "LPT")
                                                  for n in "123456789¹²³"}  # fmt: skip


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be the base name of files on every system the outputs travel to
    (Windows included), or None."""
    if not name:
        return "để trống; ghi một tên, ví dụ “bao-cao-tong-ket”."
    if invisible.hidden_characters(name, strict=True):
        return "chứa ký tự điều khiển hoặc ký tự vô hình; gõ lại tên bằng chữ, số và dấu gạch."
    if any(c in name for c in '/\\:<>"|?*') or name.startswith("."):
        return (
            'chỉ được là một tên tệp (không có / \\ : < > " | ? * và không bắt đầu bằng dấu chấm).'
        )
    if len(name) > MAX_NAME_CHARS or len(name.encode("utf-8")) > MAX_NAME_BYTES:
        return f"quá dài ({len(name)} ký tự; tối đa {MAX_NAME_CHARS}); rút ngắn tên."
    if name != name.rstrip(". ") or name != name.lstrip():
        return "không được bắt đầu bằng dấu cách, hay kết thúc bằng dấu cách hoặc dấu chấm."
    if name.split(".")[0].strip().upper() in WINDOWS_RESERVED:
        return "là tên dành riêng của Windows (CON, PRN, AUX, NUL, COM1…, LPT1…); chọn tên khác."
    return None


# Office files are zips, whose timestamps hold 1980 to 2107 only; a report is dated at the
# earliest in its period's first year.
EARLIEST_DATE, LATEST_DATE = dt.date(1980, 1, 1), dt.date(2107, 12, 31)


def date_problem(day: dt.date, period: tuple[int, int] | None = None) -> str | None:
    """Why ``day`` cannot be a report's date, or None."""
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        return (
            f"ngày {day.isoformat()} nằm ngoài khoảng các định dạng văn bản ghi được "
            f"({EARLIEST_DATE.isoformat()} đến {LATEST_DATE.isoformat()}); kiểm tra năm."
        )
    if period is not None and day.year < period[0]:
        return (
            f"ngày {day.isoformat()} ở trước giai đoạn tổng kết {period[0]} - {period[1]}; "
            "kiểm tra năm."
        )
    return None


def _hidden_problems(value: Any, at: Any, key: tuple[str, ...] = ()) -> list[str]:
    """Text values holding control or invisible characters (a bidi override pasted with a
    name), each at its key's line; the output name has its own, stricter check."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _hidden_problems(v, at, (*key, k))]
    if isinstance(value, list):
        return [p for item in value for p in _hidden_problems(item, at, key)][:1]
    if not isinstance(value, str) or key == ("output", "name"):
        return []
    problem = invisible.problem(value)
    if problem is None:
        return []
    where = f"“{key[-1]}” trong mục [{key[0]}]" if len(key) > 1 else f"“{key[0]}”"
    return [f"{at(*key)}: {where}: {problem} Xóa và gõ lại văn bản này."]


def _date_problems(document: dict[str, Any], at: Any) -> list[str]:
    day, period = document.get("date"), document.get("period")
    if not isinstance(day, dt.date):
        return []
    problem = date_problem(day, period if isinstance(period, tuple) else None)
    return [f"{at('document', 'date')}: “date” trong mục [document]: {problem}"] if problem else []


def _commendation_date_problems(tables: dict[str, dict[str, Any]], at: Any) -> list[str]:
    """The Tờ trình's and the Quyết định's dates: writable, and the decision not before the
    proposal it answers."""
    problems = []
    period = tables.get("document", {}).get("period")
    for table in ("to_trinh", "quyet_dinh"):
        day = tables.get(table, {}).get("date")
        problem = date_problem(day, period) if isinstance(day, dt.date) else None
        if problem:
            problems.append(f"{at(table, 'date')}: “date” trong mục [{table}]: {problem}")
    fallback = tables.get("document", {}).get("date")
    proposed = tables.get("to_trinh", {}).get("date") or fallback
    decided = tables.get("quyet_dinh", {}).get("date") or fallback
    if isinstance(proposed, dt.date) and isinstance(decided, dt.date) and decided < proposed:
        problems.append(
            f"{at('quyet_dinh', 'date')}: ngày của quyết định ({decided.isoformat()}) ở trước "
            f"ngày của tờ trình ({proposed.isoformat()}); quyết định ban hành theo đề nghị của "
            "tờ trình, kiểm tra hai ngày này."
        )
    return problems


def _addressee_problems(recipients: dict[str, Any], at: Any) -> list[str]:
    """An empty "Kính gửi" entry would print "Kính gửi: ." on the first page."""
    if any(not name.strip(" .;,") for name in recipients.get("addressees") or ()):
        return [
            f"{at('recipients', 'addressees')}: “addressees” trong mục [recipients] có một mục "
            'để trống; xóa mục đó hoặc ghi tên cơ quan nhận, ví dụ addressees = ["Bộ Nội vụ"].'
        ]
    return []


def load_config(path: Path, *, submissions_needed: bool = True) -> ReportConfig:
    """Read and validate ``path``; raise :class:`ConfigError` listing every problem.

    ``submissions_needed=False`` accepts submission folders that do not exist yet (a command
    that writes forms or scaffolding, not one that reads the submissions)."""
    path = Path(path).absolute()
    if not path.is_file():
        raise ConfigError(
            f"Không tìm thấy tệp cấu hình {path}.",
            "Chạy lệnh trong thư mục báo cáo, chỉ rõ tệp bằng -c, hoặc tạo mới bằng “cchc init”.",
        )
    try:
        raw, lines, _ = tomlread.load(path)
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: tệp cấu hình không phải văn bản UTF-8 (byte {exc.start}).",
            "Lưu lại tệp với mã hóa UTF-8.",
        ) from None
    except tomlread.TOMLDecodeError as exc:
        line, column = tomlread.error_position(exc)
        where = f"{path}:{line}" + (f":{column}" if column else "") if line else str(path)
        raise ConfigError(
            f"{where}: lỗi cú pháp TOML ({tomlread.error_reason(exc)}).",
            "Kiểm tra dấu ngoặc kép, dấu = và dấu ngoặc vuông ở dòng này hoặc dòng trên nó.",
        ) from None
    return validate_config(_nfc(raw), path, lines, submissions_needed)


def validate_config(
    raw: dict[str, Any],
    path: Path,
    lines: dict[tuple[str, ...], int],
    submissions_needed: bool = True,
) -> ReportConfig:
    """Check ``raw`` against :data:`SCHEMA` and build the :class:`ReportConfig`."""
    problems: list[str] = []

    def at(*key: str) -> str:
        for depth in range(len(key), 0, -1):
            if key[:depth] in lines:
                return f"{path}:{lines[key[:depth]]}"
        return str(path)

    known_tables = [*SCHEMA, *OPEN_TABLES]
    for table in raw:
        if table not in known_tables:
            problems.append(
                f"{at(table)}: mục [{table}] không có trong cấu hình."
                + did_you_mean(table, known_tables)
            )
    tables: dict[str, dict[str, Any]] = {}
    for table, keys in SCHEMA.items():
        given = raw.get(table, {})
        if not isinstance(given, dict):
            problems.append(f"{at(table)}: “{table}” phải là một mục [{table}].")
            given = {}
        if table in REQUIRED_TABLES and table not in raw:
            problems.append(f"{path}: thiếu mục [{table}].")
            continue
        values: dict[str, Any] = {}
        for key in given:
            if key not in keys:
                problems.append(
                    f"{at(table, key)}: khóa “{key}” không có trong mục [{table}]."
                    f"{did_you_mean(key, keys)}"
                )
        for key, spec in keys.items():
            if key not in given:
                if spec.required:
                    problems.append(
                        f"{at(table)}: mục [{table}] thiếu khóa bắt buộc “{key}” ({spec.help})."
                    )
                values[key] = spec.default
                continue
            try:
                values[key] = _check(spec.kind, given[key])
                if (table, key) == ("output", "name") and isinstance(given[key], str):
                    values[key] = given[key]  # as written: a trailing space is a problem
                problems += _control_characters(at(table, key), table, key, values[key])
            except ValueError:
                problems.append(
                    f"{at(table, key)}: khóa “{key}” trong mục [{table}] phải là "
                    f"{_KIND_NAMES[spec.kind]} ({spec.help})."
                )
                values[key] = spec.default
        tables[table] = values

    departments: dict[str, str] = {}
    for name, value in (raw.get("departments") or {}).items():
        if isinstance(value, str) and value.strip():
            departments[name] = value.strip()
        else:
            problems.append(f"{at('departments', name)}: tên đơn vị của “{name}” phải là chuỗi.")
    districts: dict[str, Path] = {}
    given = raw.get("districts", {})
    if not isinstance(given, dict):
        problems.append(f"{at('districts')}: “districts” phải là một mục [districts].")
        given = {}
    for name, value in given.items():
        if not isinstance(value, str) or not value.strip():
            problems.append(
                f"{at('districts', name)}: “{name}” trong mục [districts] phải là đường dẫn tới "
                "tệp .data.json hoặc thư mục dự án của đơn vị đó."
            )
            continue
        districts[name] = on_disk(path.parent, value.strip()).absolute()
    submissions: dict[str, Path] = {}
    given = raw.get("submissions", {})
    if not isinstance(given, dict):
        problems.append(f"{at('submissions')}: “submissions” phải là một mục [submissions].")
        given = {}
    for name, value in given.items():
        if not isinstance(value, str) or not value.strip():
            problems.append(
                f"{at('submissions', name)}: thư mục bài nộp của “{name}” phải là một đường dẫn."
            )
            continue
        folder = on_disk(path.parent, value.strip()).resolve()
        problems += _folder_problem(
            at("submissions", name),
            f"thư mục bài nộp “{value}” của plugin “{name}”",
            folder,
            path.parent,
            "chép bài nộp vào trong thư mục chứa tệp cấu hình (bài nộp là dữ liệu gửi đến, "
            "chỉ được đọc trong dự án).",
            needed=submissions_needed,
        )
        if folder.is_dir() and _inside(folder, path.parent):
            problems += _links_out(at("submissions", name), value, folder)
        submissions[name] = folder
    problems += _path_problems(tables, submissions, path, at)

    if "agency" in tables and not tables["agency"]["full_name"]:
        tables["agency"]["full_name"] = " ".join(tables["agency"]["name"] or ())
    problems += _date_problems(tables.get("document", {}), at)
    problems += _commendation_date_problems(tables, at)
    problems += _addressee_problems(tables.get("recipients", {}), at)
    problems += _hidden_problems(raw, at)
    if tables.get("document", {}).get("level") not in (None, "tỉnh", "huyện"):
        problems.append(f"{at('document', 'level')}: “level” phải là “tỉnh” hoặc “huyện”.")
    programme = tables.get("chuong_trinh", {})
    if isinstance(programme.get("date"), dt.date) and (why := date_problem(programme["date"])):
        problems.append(f"{at('chuong_trinh', 'date')}: “date” trong mục [chuong_trinh]: {why}")
    if isinstance(programme.get("kind"), str) and programme["kind"].upper() in PROGRAMME_KINDS:
        programme["kind"] = programme["kind"].upper()  # "Kế hoạch" is the same kind
    if programme.get("kind") not in (None, *PROGRAMME_KINDS):
        problems.append(
            f"{at('chuong_trinh', 'kind')}: “kind” trong mục [chuong_trinh] phải là "
            + " hoặc ".join(f"“{k}”" for k in PROGRAMME_KINDS)
            + "."
        )
    if problems:
        raise ConfigError(
            "Tệp cấu hình có lỗi:\n" + "\n".join(f"  - {p}" for p in problems),
            "Sửa các dòng nêu trên rồi chạy lại; xem phần “Cấu hình” trong README.",
        )
    return ReportConfig(
        path=path,
        submissions=submissions,
        departments=departments,
        districts=districts,
        lines=lines,
        **tables,
    )


def report_epoch(config: ReportConfig) -> int:
    """The fixed timestamp of every output: SOURCE_DATE_EPOCH, else the report's date."""
    if os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():
        return int(os.environ["SOURCE_DATE_EPOCH"])
    day: dt.date = config.document["date"]
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp())
