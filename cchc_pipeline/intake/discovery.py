"""Which file of a submission is the narrative and which holds the figures, by name and
content together; and which files nobody read.

Departments send what they have: "BC chuyen de CCHC - STP (ban ky).docx", a ``.doc`` from an
old Word, a ``.xlsx`` that Excel saved under a ``.xls`` name, or a scan. The rules:

1. The exact names win (``bao-cao.docx``/``bao-cao.md``; ``so-lieu.xlsx``/``.csv``/``.toml``),
   then other files of the same stem (``bao-cao.doc``, ``so-lieu.xls``). Two readable ones
   are an error on the one not read, as before.
2. Otherwise the only Word file of the folder (``.docx``, ``.doc``, ``.odt``, ``.rtf``) is the
   narrative and the only spreadsheet (``.xlsx``, ``.xls``, ``.ods``) the figures, each with a
   notice naming it; two candidates are an error naming both, and neither is read.
3. A file is read by what its bytes are (:func:`~.sniff.sniff`): a ``.docx`` that is really a
   ``.doc`` is converted (:mod:`.legacy`), an ``.xls`` that is really an ``.xlsx`` is read as
   one; text under an Office name, a PDF or a picture where a narrative or figures are
   expected is refused, naming the file and what to send instead.

The file found is returned as the path the reader opens (a converted or correctly named copy
in the build's scratch folder when needed, shown in findings as the file sent: see
``Section.aliases``). Every file read is marked with ``Section.use``; after validation
:func:`warn_unused` warns once about each other file of the folder.
"""

from __future__ import annotations

import difflib
import shutil
import tempfile
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from ..cache import Cache
from ..inputs import submission_files
from ..model import Severity
from ..report import Section
from . import legacy
from .sniff import BY_SUFFIX, CONVERTED, PICTURE, SCAN, SPREADSHEET, TEXT, WORD, Kind, sniff

NARRATIVE_NAMES = ("bao-cao.docx", "bao-cao.md")
FIGURE_NAMES = ("so-lieu.xlsx", "so-lieu.csv", "so-lieu.toml")  # read in this order
# Files with a fixed name that some reader looks for: never taken as "the only Word file"
OTHER_NAMES = ("khen-thuong.csv", "van-ban.toml", "chi-so.csv", "nhiem-vu.csv", "chi-tieu.csv",
               "chuong-trinh.md", "chuong-trinh.docx")  # fmt: skip
NOTE_STEM = "readme"  # README.md: a note for people, documented as never read
# The suffix each reader opens a file by
_READ_AS = {Kind.DOCX: ".docx", Kind.MARKDOWN: ".md", Kind.XLSX: ".xlsx", Kind.CSV: ".csv",
            Kind.TOML: ".toml"}  # fmt: skip
_NARRATIVE_HINT = (
    "Gửi bài viết ở dạng Word (.docx hoặc .doc), là tệp soạn thảo gốc chứ không phải bản "
    "quét hay bản PDF, đặt tên bao-cao.docx trong thư mục bài nộp."
)
_FIGURES_HINT = (
    "Gửi số liệu bằng mẫu biểu Excel đã điền (so-lieu.xlsx) hoặc tệp so-lieu.csv; bản quét "
    "hay ảnh chụp biểu số liệu chỉ để lưu, không đọc được số."
)


def find_narrative(section: Section, names: Sequence[str] = NARRATIVE_NAMES) -> Path | None:
    """The file to read as the section's narrative, or None after an error saying why
    (nothing there, a scan, two candidates, a conversion that failed)."""
    assert section.submission is not None
    folder = Path(section.submission)
    section.use()  # the core's readers say what they read: unused files can be named
    found = _find(section, folder, names, "narrative")
    if found is not False:
        return found
    message = "Không có bài viết của báo cáo (bao-cao.md hoặc bao-cao.docx)."
    pdfs = [p.name for p in _loose_files(folder) if sniff(p) is Kind.PDF]
    if pdfs:
        message += f" Tệp {_names(pdfs)} là bản PDF, không đọc được thành bài viết."
    section.error(
        message,
        file=folder / names[-1],
        hint="Đặt bài viết theo mẫu vào thư mục bài nộp." if not pdfs else _NARRATIVE_HINT,
    )
    return None


def find_figures(section: Section, names: Sequence[str] = FIGURE_NAMES) -> Path | None:
    """The file to read as the section's yearly figures (its suffix says the format:
    ``.xlsx``, ``.csv`` or ``.toml``), or None after an error saying why."""
    assert section.submission is not None
    folder = Path(section.submission)
    section.use()
    found = _find(section, folder, names, "figures")
    if found is not False:
        return found
    message = f"Không tìm thấy tệp số liệu {names[0]} hoặc {names[1]}."
    pdfs = [p.name for p in _loose_files(folder) if sniff(p) is Kind.PDF]
    if pdfs:
        message += f" Tệp {_names(pdfs)} là bản PDF, không đọc được số liệu."
    section.error(
        message,
        file=folder / names[0],
        hint=f"Đặt mẫu biểu đã điền ({names[0]}) hoặc {names[1]} vào thư mục bài nộp."
        if not pdfs
        else _FIGURES_HINT,
    )
    return None


def _find(section: Section, folder: Path, names: Sequence[str], role: str) -> Path | bool | None:
    """The readable file for ``role``; None after an error; False when there is no candidate."""
    stem = _stem(Path(names[0]))
    files = _top_files(folder)
    order = {name: number for number, name in enumerate(names)}
    named = sorted(
        (p for p in files if _stem(p) == stem), key=lambda p: (order.get(p.name, len(names)), p)
    )
    readable = [(p, kind) for p in named if (kind := _read_as(p, sniff(p), role)) is not None]
    if readable:
        first = readable[0][0]
        for extra, _ in readable[1:]:
            section.error(
                f"Có cả {extra.name} và {first.name}; không rõ dùng tệp nào "
                f"(đang đọc {first.name}).",
                file=first if role == "narrative" else extra,  # where each was always told
                hint="Giữ lại một tệp bài viết trong thư mục bài nộp."
                if role == "narrative"
                else "Giữ lại một tệp số liệu trong thư mục bài nộp.",
            )
        return _readable(section, first, readable[0][1])
    wanted = WORD if role == "narrative" else SPREADSHEET
    candidates = [
        p for p in _loose_files(folder) if sniff(p) in wanted or BY_SUFFIX.get(_suffix(p)) in wanted
    ]
    # Under the expected name only files that cannot be read: refuse each, unless they are
    # scans beside the Word file or workbook they were made from (a signed copy)
    if named and (not candidates or any(sniff(p) not in SCAN for p in named)):
        for path in named:
            _refuse(section, path, sniff(path), role)
        return None
    if not candidates:
        return False
    what = "tệp Word" if role == "narrative" else "bảng tính"
    if len(candidates) > 1:
        section.error(
            f"Có {len(candidates)} {what} có thể là "
            + ("bài viết của báo cáo" if role == "narrative" else "tệp số liệu")
            + f": {_names(p.name for p in candidates)}; không rõ dùng tệp nào nên chưa đọc "
            "tệp nào.",
            file=candidates[0],
            hint=f"Đổi tên tệp cần dùng thành {names[0]}, hoặc bỏ bớt các tệp không dùng.",
        )
        return None
    (path,) = candidates
    kind = sniff(path)
    as_kind = _read_as(path, kind, role)
    if as_kind is None:
        _refuse(section, path, kind, role)
        return None
    section.add(
        Severity.INFO,
        f"Dùng {path.name} làm "
        + ("bài viết của báo cáo" if role == "narrative" else "tệp số liệu")
        + f" (là {what} duy nhất trong thư mục, không có tệp {names[0]}).",
        file=path,
        hint=f"Có thể đổi tên tệp thành {names[0]} để khỏi thấy thông báo này.",
    )
    return _readable(section, path, as_kind)


def _read_as(path: Path, kind: Kind, role: str) -> Kind | None:
    """The format ``path`` is read as for ``role`` (None: it cannot be)."""
    suffix = _suffix(path)
    promised = BY_SUFFIX.get(suffix)
    if role == "narrative":
        if kind in WORD:
            return kind
        if kind in TEXT and suffix == ".md":
            return Kind.MARKDOWN
        direct = {".docx": Kind.DOCX, ".md": Kind.MARKDOWN}
    else:
        if kind in SPREADSHEET:
            return kind
        if kind in TEXT and promised in (Kind.CSV, Kind.TEXT):
            return Kind.CSV
        if kind in TEXT and promised is Kind.TOML:
            return Kind.TOML
        direct = {".xlsx": Kind.XLSX, ".csv": Kind.CSV, ".toml": Kind.TOML}
    if kind in (Kind.UNKNOWN, Kind.EMPTY, Kind.OLE) and suffix in direct:
        return direct[suffix]  # a damaged or empty file: its reader says what is wrong
    return None


def _refuse(section: Section, path: Path, kind: Kind, role: str) -> None:
    """A file where a narrative or figures are expected that cannot be read as one."""
    narrative = role == "narrative"
    promised = BY_SUFFIX.get(_suffix(path))
    if kind in SCAN:
        section.error(
            f"Tệp {path.name} là {kind.label} (bản quét, ảnh chụp hoặc bản PDF): không đọc "
            + ("được bài viết" if narrative else "được số liệu")
            + " từ đó.",
            file=path,
            hint=_NARRATIVE_HINT if narrative else _FIGURES_HINT,
        )
    elif kind is Kind.ENCRYPTED:
        section.error(
            f"Tệp {path.name} có đặt mật khẩu mở nên không đọc được.",
            file=path,
            hint="Mở tệp, bỏ mật khẩu (Tệp > Thông tin > Bảo vệ > Mã hóa bằng mật khẩu, xóa "
            "mật khẩu) rồi lưu lại và gửi lại.",
        )
    elif kind in TEXT and promised in WORD | SPREADSHEET:
        expected = "tệp Word" if narrative else "tệp Excel"
        rename = "so-lieu.toml" if kind is Kind.TOML else "so-lieu.csv"
        rename = "bao-cao.md" if narrative else rename
        section.error(
            ("Không đọc được bài viết: " if narrative else "")
            + f"tệp {path.name} không phải là {expected} mà là {kind.label}.",
            file=path,
            hint=f"Nếu đây là {kind.label}, đổi tên tệp thành {rename}; nếu không, mở tệp bằng "
            + ("Word và lưu dạng .docx." if narrative else "Excel và lưu dạng .xlsx."),
        )
    else:
        section.error(
            f"Tệp {path.name} là {kind.label}, không phải "
            + ("bài viết (tệp Word hoặc Markdown)." if narrative else "tệp số liệu (Excel, CSV)."),
            file=path,
            hint=_NARRATIVE_HINT if narrative else _FIGURES_HINT,
        )


def _readable(section: Section, path: Path, kind: Kind) -> Path | None:
    """The path a reader opens for ``path`` read as ``kind``: the file itself, a copy named by
    its content, or its conversion; marks ``path`` as used."""
    section.use(path)
    if kind in CONVERTED:
        target = CONVERTED[kind]
        try:
            readable = legacy.convert(
                path, kind, target, cache=Cache(section.cache, "office"), scratch=_scratch(section)
            )
        except legacy.ConversionError as exc:
            section.error(exc.message, file=path, hint=exc.hint)
            return None
        section.aliases[readable.resolve()] = path.resolve()
        section.add(
            Severity.INFO,
            f"Đã chuyển {path.name} ({kind.label}) sang {target.suffix} bằng LibreOffice để đọc.",
            file=path,
            hint=f"Lưu tệp dạng {target.suffix} (Lưu dưới dạng…) để bài viết được đọc đúng như "
            "trong Word/Excel.",
        )
        return readable
    suffix = _READ_AS[kind]
    if _suffix(path) == suffix:
        return path
    copy = Path(tempfile.mkdtemp(prefix="named-", dir=_scratch(section))) / (path.stem + suffix)
    shutil.copyfile(path, copy)
    section.aliases[copy.resolve()] = path.resolve()
    section.add(
        Severity.INFO,
        f"Tệp {path.name} thực chất là {kind.label}; đã đọc theo nội dung của tệp.",
        file=path,
        hint=f"Đổi đuôi tệp thành {suffix} cho đúng với nội dung.",
    )
    return copy


def _scratch(section: Section) -> Path:
    """Where converted and renamed copies live for this build (removed with its scratch)."""
    if section.workdir is None:
        return Path(tempfile.mkdtemp(prefix="cchc-intake-"))
    folder = Path(section.workdir) / "intake" / section.name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# -- unused files ---------------------------------------------------------------------------


def is_note(path: Path) -> bool:
    """``README.md`` and the like: a note for people in the submission, never read."""
    return _stem(path) == NOTE_STEM


def unused_files(section: Section) -> list[Path]:
    """The submission's files that nothing read (empty when the plugin does not say what it
    reads); Office lock files and hidden files are not submission files at all."""
    if section.submission is None or section.used_files is None or section.failure:
        return []
    used = section.used_files
    return [p for p in submission_files(section.submission) if p.resolve() not in used]


def warn_unused(section: Section) -> None:
    """Record the section's unused files and warn once about each (a note, or a file an
    error already names, such as the second of two Word files, is not warned again)."""
    section.unused_files = unused_files(section)
    named = {f.location.file for f in section.findings}
    errors = [f.message for f in section.findings if f.severity is Severity.ERROR]
    for path in section.unused_files:
        told = section.relative(path) in named or any(path.name in m for m in errors)
        if is_note(path) or told:
            continue
        section.warning(
            f"Tệp {path.relative_to(section.submission).as_posix()} không được dùng cho báo "  # type: ignore[arg-type]
            "cáo (công cụ không đọc tệp này).",
            file=path,
            hint=_unused_hint(path),
        )


_KNOWN = (*NARRATIVE_NAMES, *FIGURE_NAMES, *OTHER_NAMES)


def _family(kind: Kind | None) -> frozenset[Kind] | None:
    return next((group for group in (TEXT, WORD, SPREADSHEET) if kind in group), None)


def _unused_hint(path: Path) -> str:
    kind = sniff(path)
    # a misspelt name (khen-thuong.cvs) of a file that holds what that name would
    close = [
        known
        for known in difflib.get_close_matches(path.name.lower(), _KNOWN, n=3, cutoff=0.8)
        if _family(kind) is not None and _family(BY_SUFFIX[_suffix(Path(known))]) == _family(kind)
    ]
    if close:
        return f"Nếu đây là tệp {close[0]} bị đặt sai tên, đổi tên thành {close[0]}."
    if kind in PICTURE:
        return (
            "Ảnh chỉ được dùng khi bài viết chèn nó (bài viết Word: chèn ảnh ngay trong tệp "
            "Word); nếu không cần, xóa tệp khỏi thư mục bài nộp."
        )
    if kind is Kind.PDF:
        return (
            "Bản PDF hay bản quét (kể cả bản đã ký) không được đọc; bài viết và số liệu phải ở "
            "dạng Word, Excel hoặc CSV. Có thể để lại để lưu trữ hoặc xóa khỏi thư mục bài nộp."
        )
    if kind in WORD:
        return (
            "Chỉ một bài viết được đọc (bao-cao.docx); nếu nội dung tệp này cần có trong báo "
            "cáo, chép vào bài viết; nếu không cần, xóa tệp khỏi thư mục bài nộp."
        )
    if kind in SPREADSHEET:
        return (
            "Chỉ một tệp số liệu được đọc (so-lieu.xlsx); nếu số liệu của tệp này cần có trong "
            "báo cáo, chép vào mẫu biểu; nếu không cần, xóa tệp khỏi thư mục bài nộp."
        )
    return (
        "Công cụ đọc bài viết (bao-cao.docx hoặc bao-cao.md), số liệu (so-lieu.xlsx, .csv hoặc "
        ".toml), khen-thuong.csv, nhiem-vu.csv, chi-tieu.csv, van-ban.toml và ảnh bài viết "
        "chèn; đổi tên tệp nếu đặt sai, hoặc xóa tệp không cần khỏi thư mục bài nộp."
    )


# -- helpers --------------------------------------------------------------------------------


def _stem(path: Path) -> str:
    return unicodedata.normalize("NFC", path.stem).casefold()


def _suffix(path: Path) -> str:
    return path.suffix.lower()


def _top_files(folder: Path) -> list[Path]:
    """The submission's files directly in ``folder`` (pictures may sit in sub-folders)."""
    return [p for p in submission_files(folder) if p.parent == folder]


def _loose_files(folder: Path) -> list[Path]:
    """Top-level files with none of the names a reader looks for: where "the only Word file"
    is looked for."""
    fixed = {_stem(Path(n)) for n in (*NARRATIVE_NAMES, *FIGURE_NAMES)}
    others = {n.casefold() for n in OTHER_NAMES}
    return [
        p
        for p in _top_files(folder)
        if _stem(p) not in fixed and p.name.casefold() not in others and not is_note(p)
    ]


def _names(names) -> str:
    return ", ".join(names)
