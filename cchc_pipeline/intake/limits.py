"""Resource limits at intake: what a submission may cost the readers and writers, checked first.

A file's size on disk says little about what reading it costs: a 19 KB Word file can hold a
30000×30000 picture (3.6 GB in typst), a 3.5 MB workbook 3.5 GB of XML, a 174 KB one a million
empty paragraphs (2.8 GB in pandoc), one 200 KB word takes pandoc's typst writer two minutes
(it is quadratic in a word's length) and 40 nested lists exceed typst's depth. So, before any
parser runs, an Office file is checked as a zip from its central directory and by inflating
each member in bounded steps (declared sizes are not trusted: a member must inflate to exactly
its declared size), its XML for entity declarations, its pictures from their headers; a
Markdown file for its longest word. After pandoc read a narrative, its parts are checked for
nesting depth and word length, then rendered through the PDF writers once (cached), so that
what validates also converts. Each limit is a located finding with a hint, and every limit
can be raised in ``[limits]`` of config.toml.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import shutil
import struct
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .pictures import PictureProblem, inspect

if TYPE_CHECKING:
    from ..config import ReportConfig
    from ..report import Section
    from .narrative import Narrative

MB = 2**20


@dataclass(frozen=True)
class Limits:
    """The limits of one report (``[limits]`` of config.toml); the defaults are safe on a
    machine with 4 GB and leave room above any real submission."""

    archive_mb: int = 256  # a docx or xlsx, all members inflated
    member_mb: int = 128  # one member inflated
    ratio: int = 500  # inflated / compressed, for a member above 1 MB
    members: int = 5000
    nesting: int = 2  # archives inside archives (a workbook embedded in a Word file)
    paragraphs: int = 50000  # paragraphs of a Word file's body
    picture_mb: int = 32  # one picture file
    picture_megapixels: int = 50
    picture_decoded_mb: int = 256  # one picture decoded (four bytes a pixel)
    token: int = 1000  # longest run of characters without a space
    depth: int = 10  # lists and quotations inside each other
    pandoc_seconds: int = 120
    pandoc_memory_mb: int = 1536
    typst_seconds: int = 120
    typst_memory_mb: int = 1536


HELP = {
    "archive_mb": "dung lượng tối đa (MB) của tệp Word/Excel sau khi giải nén",
    "member_mb": "dung lượng tối đa (MB) của một thành phần trong tệp Word/Excel sau khi giải nén",
    "ratio": "tỉ lệ nén tối đa của một thành phần trong tệp Word/Excel",
    "members": "số thành phần tối đa trong tệp Word/Excel",
    "nesting": "số tầng tệp nén lồng nhau tối đa",
    "paragraphs": "số đoạn văn tối đa của bài viết Word",
    "picture_mb": "dung lượng tối đa (MB) của một tệp hình",
    "picture_megapixels": "số điểm ảnh tối đa (triệu) của một hình",
    "picture_decoded_mb": "bộ nhớ tối đa (MB) để giải nén một hình",
    "token": "độ dài tối đa (ký tự) của một chuỗi liền không có dấu cách",
    "depth": "số cấp danh sách, trích dẫn lồng nhau tối đa",
    "pandoc_seconds": "thời gian tối đa (giây) của một lần chạy pandoc",
    "pandoc_memory_mb": "bộ nhớ tối đa (MB) của một lần chạy pandoc",
    "typst_seconds": "thời gian tối đa (giây) để tạo một tệp PDF",
    "typst_memory_mb": "bộ nhớ tối đa (MB) để tạo một tệp PDF",
}
DEFAULTS = {f.name: f.default for f in fields(Limits)}


def of(config: ReportConfig | None) -> Limits:
    """The report's limits (the defaults where the config sets none)."""
    given = getattr(config, "limits", None) or {}
    return Limits(**{k: v for k, v in given.items() if k in DEFAULTS and v is not None})


_HINT_RESAVE = "Mở tệp bằng Word/Excel và lưu lại; nếu vẫn lỗi, tạo lại tệp từ mẫu biểu."
_HINT_PICTURE = (
    "Lưu lại hình dạng PNG hoặc JPEG với kích thước vừa trang in (ví dụ rộng 2000 điểm ảnh)."
)
_HINT_RAISE = "nếu tệp đúng, tăng giới hạn “{key}” trong mục [limits] của config.toml."


class _Refused(Exception):
    """One reason to refuse an archive: message and hint (the file is the caller's)."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


# -- archives -------------------------------------------------------------------------------

_XML_DECLARATION = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)|<\x00!\x00(?:D\x00O\x00C|E\x00N\x00T)")
_PARAGRAPH = re.compile(rb"<w:p[\s>/]")
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")


@dataclass
class _Budget:
    """What is left of the whole archive's inflated size, shared by nested archives."""

    left: int


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int):
    """The member's bytes in chunks of at most 1 MB, inflated from its raw data (not through
    its declared size); raises _Refused past ``limit`` or when it does not match its header."""
    handle = archive.fp
    assert handle is not None
    handle.seek(info.header_offset)
    header = handle.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise _Refused(f"thành phần “{info.filename}” bị hỏng", _HINT_RESAVE)
    *_, flags, method, _, _, _, csize, usize, name_len, extra_len = _LOCAL_HEADER.unpack(header)
    zip64 = 0xFFFFFFFF in (csize, usize)
    if not flags & 0x08 and not zip64 and (csize, usize) != (info.compress_size, info.file_size):
        raise _Refused(
            f"thành phần “{info.filename}” khai báo hai kích thước khác nhau", _HINT_RESAVE
        )
    handle.seek(name_len + extra_len, 1)
    left = info.compress_size
    inflater = zlib.decompressobj(-15) if method == zipfile.ZIP_DEFLATED else None
    produced = 0
    while left > 0 or (inflater is not None and inflater.unconsumed_tail):
        raw = b""
        if inflater is None or not inflater.unconsumed_tail:
            raw = handle.read(min(left, MB))
            if not raw:
                raise _Refused(f"thành phần “{info.filename}” bị cắt cụt", _HINT_RESAVE)
            left -= len(raw)
        try:
            chunk = raw if inflater is None else inflater.decompress(
                inflater.unconsumed_tail + raw, MB
            )  # fmt: skip
        except zlib.error:
            raise _Refused(
                f"thành phần “{info.filename}” bị hỏng (dữ liệu nén sai)", _HINT_RESAVE
            ) from None
        produced += len(chunk)
        if produced > limit:
            raise _Refused("", "")  # the caller words it: it knows which limit
        if chunk:
            yield chunk
        if inflater is not None and inflater.eof:
            break
    if produced != info.file_size:
        raise _Refused(
            f"thành phần “{info.filename}” giải nén ra {produced} byte, khác kích thước khai "
            f"báo ({info.file_size} byte)",
            _HINT_RESAVE,
        )


def _check_zip(file: str | IO[bytes], limits: Limits, depth: int, budget: _Budget) -> None:
    """Raise _Refused for the first limit this archive (and the archives in it) exceeds."""
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip: the reader says the file is damaged or of the wrong kind
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.members:
            raise _Refused(
                f"tệp có {len(infos)} thành phần (tối đa {limits.members})",
                _HINT_RESAVE + " " + _HINT_RAISE.format(key="members").capitalize(),
            )
        declared = sum(i.file_size for i in infos)
        if declared > budget.left:
            largest = max(infos, key=lambda i: i.file_size)
            raise _Refused(
                f"tệp giải nén ra {declared // MB} MB (tối đa {limits.archive_mb} MB), lớn "
                f"nhất là thành phần “{largest.filename}” ({largest.file_size // MB} MB)",
                "Giảm số lượng, dung lượng hình ảnh hoặc dữ liệu thừa; "
                + _HINT_RAISE.format(key="archive_mb"),
            )
        for info in infos:
            _check_member(archive, info, limits, depth, budget)


def _check_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, depth: int, budget: _Budget
) -> None:
    name = info.filename
    if info.flag_bits & 0x01:
        raise _Refused(f"thành phần “{name}” được mã hóa", "Bỏ mật khẩu của tệp rồi lưu lại.")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise _Refused(f"thành phần “{name}” dùng kiểu nén không hỗ trợ", _HINT_RESAVE)
    limit = min(limits.member_mb * MB, budget.left)
    if info.file_size > limits.member_mb * MB:
        raise _member_too_big(name, info.file_size, limits)
    if info.file_size > MB and info.file_size > limits.ratio * max(info.compress_size, 1):
        raise _Refused(
            f"thành phần “{name}” nén với tỉ lệ {info.file_size // max(info.compress_size, 1)}"
            f":1 (tối đa {limits.ratio}:1): dấu hiệu của tệp “bom nén”",
            _HINT_RESAVE + " " + _HINT_RAISE.format(key="ratio").capitalize(),
        )
    is_xml = name.lower().endswith(_XML_SUFFIXES)
    is_media = "/media/" in f"/{name.lower()}"
    body = name == "word/document.xml"
    with tempfile.SpooledTemporaryFile(max_size=8 * MB) as kept:
        paragraphs, tail, para_tail, head = 0, b"", b"", b""
        try:
            for chunk in _inflate(archive, info, limit):
                budget.left -= len(chunk)
                if is_xml and _XML_DECLARATION.search(tail + chunk):
                    raise _Refused(
                        f"thành phần “{name}” có khai báo DOCTYPE/ENTITY của XML (không được "
                        "phép trong tệp Office)",
                        _HINT_RESAVE,
                    )
                if body:
                    paragraphs += len(_PARAGRAPH.findall(para_tail + chunk))
                    if paragraphs > limits.paragraphs:
                        raise _Refused(
                            f"bài viết có hơn {limits.paragraphs} đoạn văn (tính cả đoạn trống)",
                            "Xóa các đoạn trống thừa; " + _HINT_RAISE.format(key="paragraphs"),
                        )
                tail, para_tail = chunk[-24:], chunk[-4:]
                if not head:
                    head = chunk[:8]
                if is_media or head.startswith(b"PK\x03\x04"):
                    if kept.tell() + len(chunk) > limits.picture_mb * MB and is_media:
                        raise _Refused(
                            f"hình “{name}” nặng hơn {limits.picture_mb} MB", _HINT_PICTURE
                        )
                    kept.write(chunk)
        except _Refused as refused:
            if refused.message:
                raise
            raise _member_too_big(name, limit + 1, limits) from None
        if head.startswith(b"PK\x03\x04"):
            if depth + 1 > limits.nesting:
                raise _Refused(
                    f"thành phần “{name}” là tệp nén lồng quá {limits.nesting} tầng", _HINT_RESAVE
                )
            kept.seek(0)
            _check_zip(kept, limits, depth + 1, budget)  # type: ignore[arg-type]
        elif is_media:
            kept.seek(0)
            _check_picture(kept.read(), f"hình “{name}”", limits)


def _member_too_big(name: str, size: int, limits: Limits) -> _Refused:
    return _Refused(
        f"thành phần “{name}” giải nén ra hơn {min(size, limits.archive_mb * MB + 1) // MB} MB "
        f"(tối đa {limits.member_mb} MB cho một thành phần, {limits.archive_mb} MB cả tệp)",
        "Xóa dữ liệu thừa (các dòng, cột trống có định dạng; hình quá lớn) rồi lưu lại; "
        + _HINT_RAISE.format(key="member_mb"),
    )


def _check_picture(data: bytes, shown: str, limits: Limits) -> None:
    try:
        inspect(
            data,
            max_pixels=limits.picture_megapixels * 10**6,
            max_decoded=limits.picture_decoded_mb * MB,
        )
    except PictureProblem as problem:
        raise _Refused(f"{shown}: {problem}", _HINT_PICTURE) from None


def archive_refusal(path: Path, limits: Limits) -> tuple[str, str] | None:
    """Why an Office file is refused (message, hint), or None: the same checks as
    :func:`check_archive`, for a file that is not yet part of a section (a portal upload)."""
    try:
        _check_zip(str(path), limits, 0, _Budget(limits.archive_mb * MB))
    except _Refused as refused:
        return refused.message, refused.hint
    return None


def picture_refusal(data: bytes, shown: str, limits: Limits) -> tuple[str, str] | None:
    """Why a picture file is refused (message, hint), or None."""
    try:
        _check_picture(data, shown, limits)
    except _Refused as refused:
        return refused.message, refused.hint
    return None


def check_archive(section: Section, path: Path) -> bool:
    """Check an Office file before a reader opens it; False after an error saying why."""
    limits = of(section.config)
    try:
        _check_zip(str(path), limits, 0, _Budget(limits.archive_mb * MB))
    except _Refused as refused:
        section.error(f"Tệp {path.name} bị từ chối: {refused.message}.", file=path,
                      hint=refused.hint)  # fmt: skip
        return False
    except OSError:
        return True  # unreadable: the reader reports it in its own words
    return True


# -- text -----------------------------------------------------------------------------------


def _long_word(text: str, limit: int) -> re.Match[str] | None:
    return re.search(r"\S{" + str(limit + 1) + ",}", text)


def _word_finding(section: Section, limits: Limits, length: int, **where: Any) -> None:
    section.error(
        f"Có một chuỗi {length} ký tự liền nhau không có dấu cách (tối đa {limits.token}); "
        "chuyển sang PDF sẽ rất chậm.",
        hint="Tách chuỗi bằng dấu cách (một đường dẫn dài: ghi tên văn bản thay cho nó); "
        + _HINT_RAISE.format(key="token"),
        **where,
    )


def check_source(section: Section, path: Path) -> bool:
    """Check a narrative before pandoc reads it; False after an error saying why."""
    if path.suffix.lower() == ".docx":
        return check_archive(section, path)
    from .textfiles import UnreadableText, decode

    limits = of(section.config)
    try:
        text, _ = decode(path.read_bytes(), path)
    except (UnreadableText, OSError):
        return True  # the narrative reader reports it in its own words
    match = _long_word(text, limits.token)
    if match is None:
        return True
    line = text.count("\n", 0, match.start()) + 1
    length = len(re.match(r"\S*", text[match.start() :])[0])  # type: ignore[index]
    _word_finding(section, limits, length, file=path, line=line)
    return False


_NESTING = {"BulletList", "OrderedList", "BlockQuote", "DefinitionList"}
_BREAKS = {"Space", "SoftBreak", "LineBreak"}


def _measure(node: Any, depth: int, found: dict[str, int]) -> None:
    """Deepest nesting and longest word of a pandoc JSON tree (iterative in lists)."""
    if isinstance(node, dict):
        kind = node.get("t")
        depth += kind in _NESTING
        found["depth"] = max(found["depth"], depth)
        _measure(node.get("c"), depth, found)
    elif isinstance(node, list):
        run = 0
        for item in node:
            if isinstance(item, dict) and item.get("t") in ("Str", "Code"):
                content = item["c"] if item["t"] == "Str" else item["c"][1]
                run += len(content)
                found["token"] = max(found["token"], run)
            else:
                if isinstance(item, dict) and item.get("t") in _BREAKS:
                    run = 0
                _measure(item, depth, found)


def _part_separator(key: str) -> str:
    return f"\n\n# CCHC-PART-{key}\n\n"


def check_narrative(section: Section, narrative: Narrative, path: Path) -> None:
    """After pandoc read a narrative: its pictures, its parts' depth and words, then one
    rendering through the PDF writers (cached), each problem located at its part."""
    from .narrative import _drop_image

    limits = of(section.config)
    for image in list(narrative.images):
        shown = image.relative_to(section.media_dir).as_posix()
        try:
            if image.stat().st_size > limits.picture_mb * MB:
                raise _Refused(f"hình “{shown}” nặng hơn {limits.picture_mb} MB", _HINT_PICTURE)
            _check_picture(image.read_bytes(), f"hình “{shown}”", limits)
        except _Refused as refused:
            section.error(f"Hình ảnh bị từ chối: {refused.message}.", file=path,
                          hint=refused.hint)  # fmt: skip
            narrative.images.remove(image)
            image.unlink(missing_ok=True)
            _drop_image(narrative, f"{section.media_prefix}/{shown}")
    parts = {k: str(v) for k, v in narrative.text.items() if str(v).strip()}
    if not parts or section.workdir is None:
        return
    source = "".join(_part_separator(k) + text for k, text in parts.items())
    bad = _measure_parts(section, source, limits)
    for key, (depth, token) in bad.items():
        heading = narrative.headings.get(key)
        if depth > limits.depth:
            section.error(
                f"Danh sách hoặc trích dẫn lồng nhau {depth} cấp (tối đa {limits.depth}).",
                file=path,
                heading=heading,
                hint="Giảm số cấp thụt lề của danh sách (văn bản hành chính thường dùng tối đa "
                "3 cấp); " + _HINT_RAISE.format(key="depth"),
            )
        if token > limits.token:
            _word_finding(section, limits, token, file=path, heading=heading)
    if not bad:
        _render_check(section, narrative, parts, path)


_MEASURED: dict[tuple[str, int, int], dict[str, tuple[int, int]]] = {}  # in this process
_MEASURED_KEPT = 64


def _measure_parts(section: Section, source: str, limits: Limits) -> dict[str, tuple[int, int]]:
    """(depth, longest word) of every part over a limit, from pandoc's reading of them; kept
    in memory by text and limits, so that a long-running process (the portal, where a
    department sends its figures again and again beside the same narrative) reads it once."""
    key = (hashlib.sha256(source.encode("utf-8")).hexdigest(), limits.depth, limits.token)
    if key not in _MEASURED:
        if len(_MEASURED) >= _MEASURED_KEPT:
            _MEASURED.pop(next(iter(_MEASURED)))
        _MEASURED[key] = _read_parts(section, source, limits)
    return dict(_MEASURED[key])


def _read_parts(section: Section, source: str, limits: Limits) -> dict[str, tuple[int, int]]:
    from ..publish.formats import pandoc_service
    from ..publish.formats.pandoc import READER

    scratch = Path(tempfile.mkdtemp(prefix="cchc-measure-", dir=section.workdir))
    try:
        (scratch / "parts.md").write_text(source, encoding="utf-8")
        result = pandoc_service.read(  # as `pandoc parts.md -f READER -t json`
            {"op": "json", "path": str(scratch / "parts.md"), "from": READER},
            what=f"pandoc (đọc bài viết của {section.name})",
            limits=limits,
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if result.returncode != 0:
        return {}  # the rendering check that follows says what is wrong
    try:
        blocks = json.loads(result.stdout)["blocks"]
    except RecursionError:
        return {k: (limits.depth + 1, 0) for k in _keys_of(source)}
    found: dict[str, tuple[int, int]] = {}
    key = ""
    for block in blocks:
        if block.get("t") == "Header" and block["c"][0] == 1:
            words = [i["c"] for i in block["c"][2] if i.get("t") == "Str"]
            key = words[0].removeprefix("CCHC-PART-") if words else key
            continue
        measured = {"depth": 0, "token": 0}
        try:
            _measure(block, 0, measured)
        except RecursionError:
            measured["depth"] = limits.depth + 1
        if measured["depth"] > limits.depth or measured["token"] > limits.token:
            depth, token = found.get(key, (0, 0))
            found[key] = (max(depth, measured["depth"]), max(token, measured["token"]))
    return found


def _keys_of(source: str) -> list[str]:
    return re.findall(r"^# CCHC-PART-(\S+)$", source, flags=re.M)


def _passed(key: str, record: bool = False) -> bool:
    """Whether text of this digest already converted (``record``: say that it did).

    The verdict depends only on the text and the tools, so it is kept per user, outside any
    project (a marker signed with the user's key), and shared by every project of the user:
    the same narrative is not rendered again in a new project or after ``cchc clean``."""
    from ..cache import sign, signed, user_key_folder

    marker = user_key_folder() / "pdf-checks" / key[:2] / key
    if record:
        signature = sign("pdf-check", key)
        if signature is not None:
            with contextlib.suppress(OSError):
                marker.parent.mkdir(parents=True, exist_ok=True)
                marker.write_text(signature, encoding="ascii")
        return True
    try:
        return signed(marker.read_text(encoding="ascii").strip(), "pdf-check", key)
    except (OSError, UnicodeDecodeError):
        return False


def _render_check(
    section: Section, narrative: Narrative, parts: dict[str, str], path: Path
) -> None:
    """Convert the parts to PDF once, as the build will; a part that fails is an error at its
    heading. A success is cached by everything the conversion read."""
    from .. import resources
    from ..cache import digest
    from ..errors import ConversionError, LimitExceeded
    from ..model import ConversionJob
    from ..publish.formats import pdf
    from ..publish.formats.pandoc import pandoc_version
    from ..render.escaping import escape

    assert section.workdir is not None
    folders = tuple(
        f for f in (section.config.project_dir / "templates", resources.templates_dir())
        if f.is_dir()
    )  # fmt: skip

    def document(keys: list[str]) -> str:
        return "".join(f"\n\n# {escape(narrative.headings.get(k, k))}\n\n{parts[k]}" for k in keys)

    names = ("typst/report.typ", "filters/formats.lua", "filters/layout.lua")
    used = [*(f / n for f in folders for n in names), *narrative.images]
    key = digest(
        document(list(parts)), pandoc_version(), pdf.typst_version(),
        *(p.read_bytes() for p in used if p.is_file()), Path(__file__).read_bytes(),
        Path(pdf.__file__).read_bytes(),
    )  # fmt: skip
    if _passed(key):
        return
    stem = section.workdir / f".check-{section.name}"

    def converts(keys: list[str], text: str | None = None) -> str | None:
        """None when the parts (or ``text``) convert, else why not."""
        source = stem.with_suffix(".md")
        source.write_text(document(keys) if text is None else text, encoding="utf-8")
        job = ConversionJob(
            source=source,
            target=stem.with_suffix(".pdf"),
            resources=section.workdir,  # type: ignore[arg-type]
            templates=folders,
            epoch=0,
            metadata={},
            log=lambda _message: None,
            limits=of(section.config),
        )
        try:
            pdf.convert(job)
        except LimitExceeded as exc:
            raise LimitExceeded(
                f"Kiểm tra bài viết {section.relative(path)} của {section.name}: {exc.message}",
                exc.hint,
            ) from None
        except ConversionError as exc:
            return exc.message
        finally:
            stem.with_suffix(".pdf").unlink(missing_ok=True)
        return None

    whole = converts(list(parts))
    if whole is None:
        stem.with_suffix(".md").unlink(missing_ok=True)
        _passed(key, record=True)
        return
    # before blaming the department: does a plain paragraph convert? If not, the tools or the
    # project's templates are broken (exit 3), not this text
    control = converts([], "\n\n# Kiểm tra\n\nĐoạn văn bản thường.\n")
    if control is not None:
        stem.with_suffix(".md").unlink(missing_ok=True)
        raise ConversionError(
            f"Không kiểm tra được bài viết của {section.name}: chuyển một đoạn văn thường sang "
            f"PDF cũng thất bại ({control}).",
            "Lỗi của công cụ hoặc của mẫu trong thư mục templates/ của dự án, không phải của bài "
            "viết: báo cho người duy trì công cụ; thử “cchc clean” rồi chạy lại.",
        )
    failed = [(k, why) for k in parts if (why := converts([k])) is not None]
    stem.with_suffix(".md").unlink(missing_ok=True)
    for part, why in failed or [("", whole)]:
        where = f"Mục “{narrative.headings.get(part)}”" if part else "Bài viết"
        section.error(
            f"{where} không chuyển được sang PDF: {why}",
            file=path,
            heading=narrative.headings.get(part) if part else None,
            hint="Viết lại đoạn có định dạng lạ (danh sách lồng nhiều cấp, ký tự đặc biệt, "
            "hình ảnh) bằng văn bản thường, rồi kiểm tra lại.",
        )
