"""Narratives: a department's prose, written in Markdown or Word, split into named parts.

Pandoc reads the file (Markdown with raw HTML, raw blocks and metadata turned off; or DOCX,
keeping bold, lists, tables and images) and the ``narrative.lua`` writer splits it at its
top-level headings and makes it safe: no raw markup, no divs or spans that could reach into
another part of the report, images and links only inside the submission folder. Headings
are matched to parts ignoring case and accents, so "TỒN TẠI, HẠN CHẾ" finds ``han_che``.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .. import resources
from ..cache import Cache, digest
from ..render import vi
from ..render.templating import Markdown
from ..render.vi import fold
from ..report import Section
from . import limits
from .textfiles import UnreadableText, decode

NAMES = ("bao-cao.docx", "bao-cao.md")
# A narrative is some pages of prose (and a Word file some pictures): far bigger is a wrong
# file, which would only make the build slow and the report absurd.
MAX_MEGABYTES = {".md": 2, ".docx": 64}
MARKDOWN_READER = "markdown-raw_html-raw_attribute-raw_tex-yaml_metadata_block-citations"


@dataclass(frozen=True)
class Part:
    """A part of a narrative: its canonical heading and the heading prefixes that name it."""

    title: str
    aliases: tuple[str, ...]


DEPARTMENT_PARTS: dict[str, Part] = {
    "ket_qua": Part("Kết quả thực hiện", ("kết quả",)),
    "han_che": Part("Hạn chế", ("hạn chế", "tồn tại")),
    "nguyen_nhan": Part("Nguyên nhân", ("nguyên nhân",)),
    "bai_hoc": Part("Bài học kinh nghiệm", ("bài học",)),
    "nhiem_vu": Part(
        "Nhiệm vụ, giải pháp giai đoạn 2021 - 2030", ("nhiệm vụ", "phương hướng", "giải pháp")
    ),
    "kien_nghi": Part("Đề xuất, kiến nghị", ("đề xuất", "kiến nghị")),
}
COORDINATOR_PARTS: dict[str, Part] = {
    "chi_dao": Part("Công tác chỉ đạo, điều hành", ("công tác chỉ đạo", "chỉ đạo")),
    "danh_gia": Part("Đánh giá chung", ("đánh giá",)),
    "han_che": DEPARTMENT_PARTS["han_che"],
    "nguyen_nhan": DEPARTMENT_PARTS["nguyen_nhan"],
    "bai_hoc": DEPARTMENT_PARTS["bai_hoc"],
    "phuong_huong": Part(
        "Mục tiêu, phương hướng giai đoạn 2021 - 2030", ("mục tiêu", "phương hướng")
    ),
    "kien_nghi": DEPARTMENT_PARTS["kien_nghi"],
}


@dataclass
class Narrative:
    """The parts of one narrative, as safe Markdown, and the images they show."""

    source: str = ""
    parts: dict[str, Markdown] = field(default_factory=dict)
    headings: dict[str, str] = field(default_factory=dict)  # part → heading as written
    images: list[Path] = field(default_factory=list)  # as copied into the section's media

    def __getattr__(self, name: str) -> Markdown:
        # ``narrative.han_che`` in templates; an absent part renders as nothing
        if name.startswith("_") or name in {"source", "parts", "headings", "images"}:
            raise AttributeError(name)
        return self.parts.get(name, Markdown(""))


def _match(heading: str, spec: Mapping[str, Part]) -> str | None:
    folded = fold(heading)
    for key, part in spec.items():
        if any(folded.startswith(fold(alias)) for alias in part.aliases):
            return key
    return None


def _run_writer(
    path: Path, media_prefix: str, workdir: Path, cache: Cache, bounds: limits.Limits
) -> dict:
    """The narrative writer's JSON (and, for Word, the pictures it extracted into ``workdir``).

    Reading a narrative costs a pandoc run; the result is cached by the file's content, the
    writer, pandoc's version and the media prefix.
    """
    from ..publish.formats.bounded import run_bounded
    from ..publish.formats.pandoc import pandoc_command, pandoc_version

    writer = resources.templates_dir() / "filters" / "narrative.lua"
    key = digest(path.read_bytes(), path.suffix.lower(), writer.read_bytes(), pandoc_version(),
                 media_prefix)  # fmt: skip
    cached = cache.get(key)
    if cached is not None:
        if (cached / "media").is_dir():
            shutil.copytree(cached / "media", workdir / "media", dirs_exist_ok=True)
        return json.loads((cached / "result.json").read_text(encoding="utf-8"))
    reader = "docx" if path.suffix.lower() == ".docx" else MARKDOWN_READER
    command = [
        *pandoc_command(),
        str(path.resolve()),
        "--from",
        reader,
        "--to",
        str(writer),
        "--metadata",
        f"cchc-media={media_prefix}",
    ]
    if reader == "docx":
        command.append("--extract-media=.")
    command[: len(pandoc_command())] = pandoc_command(bounds.pandoc_memory_mb)
    result = run_bounded(command, what=f"pandoc (đọc {path.name})", seconds=bounds.pandoc_seconds,
                         megabytes=bounds.pandoc_memory_mb, cwd=workdir)  # fmt: skip
    if result.returncode != 0:
        raise ValueError(result.stderr.decode("utf-8", "replace").strip().splitlines()[-1:])
    (workdir / "result.json").write_bytes(result.stdout)
    files = {"result.json": workdir / "result.json"}
    if (workdir / "media").is_dir():
        files["media"] = workdir / "media"
    cache.put(key, files)
    return json.loads(result.stdout.decode("utf-8"))


def _utf8_source(path: Path, workdir: Path) -> Path:
    """The Markdown as pandoc reads it, UTF-8 and NFC: a narrative saved by Notepad as
    Windows-1258 or UTF-16, or typed with combining accents, is read like the CSV files."""
    if path.suffix.lower() != ".md":
        return path
    data = path.read_bytes()
    text, _ = decode(data, path)
    converted = text.encode("utf-8")
    if converted == data:
        return path
    source = workdir / "bao-cao.utf8.md"
    source.write_bytes(converted)
    return source


_PROBLEMS = {
    "raw": (
        "warning",
        "Đoạn mã định dạng thô ({target}) đã bị bỏ qua.",
        "Chỉ dùng văn bản thường.",
    ),
    "image-url": (
        "error",
        "Hình ảnh lấy từ Internet ({target}) không được dùng.",
        "Lưu hình vào thư mục bài nộp và chèn từ đó.",
    ),
    "image-absolute": (
        "error",
        "Hình ảnh dùng đường dẫn tuyệt đối ({target}).",
        "Lưu hình vào thư mục bài nộp và dùng đường dẫn tương đối.",
    ),
    "image-parent": (
        "error",
        "Hình ảnh nằm ngoài thư mục bài nộp ({target}).",
        "Lưu hình vào thư mục bài nộp và chèn từ đó.",
    ),
    "link": (
        "warning",
        "Liên kết ({target}) đã được chuyển thành văn bản thường.",
        "Báo cáo in không dùng liên kết; ghi rõ tên văn bản nếu cần.",
    ),
}


def read_narrative(
    section: Section,
    spec: Mapping[str, Part] = DEPARTMENT_PARTS,
    required: Sequence[str] | None = None,
) -> Narrative:
    """Find, read and check the section's narrative; problems become located findings."""
    assert section.submission is not None
    folder = Path(section.submission)
    found = [folder / name for name in NAMES if (folder / name).is_file()]
    required = list(spec) if required is None else list(required)
    if not found:
        section.error(
            "Không có bài viết của báo cáo (bao-cao.md hoặc bao-cao.docx).",
            file=folder / NAMES[1],
            hint="Đặt bài viết theo mẫu vào thư mục bài nộp.",
        )
        return Narrative()
    if len(found) > 1:
        section.error(
            "Có cả bao-cao.md và bao-cao.docx; không rõ dùng tệp nào.",
            file=found[0],
            hint="Giữ lại một tệp bài viết.",
        )
    path = found[0]
    narrative = Narrative(source=section.relative(path))
    limit = MAX_MEGABYTES[path.suffix.lower()]
    if path.stat().st_size > limit * 2**20:
        section.error(
            f"Bài viết quá lớn ({vi.number(path.stat().st_size / 2**20, 1)} MB; tối đa "
            f"{limit} MB).",
            file=path,
            hint="Kiểm tra đã đặt đúng tệp; giảm dung lượng hình ảnh trong bài viết.",
        )
        return narrative
    if not limits.check_source(section, path):
        return narrative
    workdir = Path(tempfile.mkdtemp(prefix="cchc-narrative-"))
    try:
        try:
            source = _utf8_source(path, workdir)
            raw = _run_writer(
                source, section.media_prefix, workdir, Cache(section.cache, "narratives"),
                limits.of(section.config),
            )  # fmt: skip
        except UnreadableText as exc:
            section.error(exc.reason, file=path, line=exc.line, hint="Lưu lại tệp dạng UTF-8.")
            return narrative
        except (ValueError, json.JSONDecodeError, OSError):
            word = path.suffix.lower() == ".docx"
            section.error(
                "Không đọc được bài viết: "
                + ("tệp hỏng hoặc không phải tệp Word (.docx)." if word else "tệp Markdown hỏng."),
                file=path,
                hint="Mở và lưu lại tệp bằng Word (định dạng .docx) hoặc kiểm tra tệp Markdown.",
            )
            return narrative
        _collect_parts(section, narrative, raw, spec, path)
        _copy_images(section, narrative, raw, path, workdir)
        limits.check_narrative(section, narrative, path)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    for key in required:
        if not str(narrative.parts.get(key, "")).strip():
            heading = spec[key].title
            missing = key not in narrative.headings
            section.error(
                f"Thiếu mục “{heading}”." if missing else f"Mục “{heading}” chưa có nội dung.",
                file=path,
                heading=narrative.headings.get(key, heading),
                hint=f"Thêm mục “{heading}” (đề mục cấp 1) và nội dung của nó.",
            )
    return narrative


def _collect_parts(section, narrative, raw, spec, path) -> None:
    if raw.get("preamble"):
        section.warning(
            "Có nội dung trước đề mục đầu tiên; phần này không được đưa vào báo cáo.",
            file=path,
            hint="Đặt nội dung dưới một đề mục cấp 1 của mẫu.",
        )
    for part in raw.get("parts", []):
        title = unicodedata.normalize("NFC", part["title"])
        key = _match(title, spec)
        if key is None:
            section.warning(
                f"Mục “{title}” không thuộc mẫu báo cáo nên không được dùng.",
                file=path,
                heading=title,
                hint="Các mục của mẫu: " + "; ".join(p.title for p in spec.values()) + ".",
            )
            continue
        text = unicodedata.normalize("NFC", part["markdown"])
        text = re.sub(r"\[\^([^\]\s]+)\]", rf"[^{section.name}-{key}-\1]", text)
        if key in narrative.parts:
            section.warning(
                f"Mục “{spec[key].title}” xuất hiện hai lần; nội dung được nối tiếp.",
                file=path,
                heading=title,
            )
            text = narrative.parts[key] + "\n" + text
        narrative.parts[key] = Markdown(text)
        narrative.headings.setdefault(key, title)
    for problem in raw.get("problems", []):
        severity, message, hint = _PROBLEMS[problem["kind"]]
        add = section.error if severity == "error" else section.warning
        add(
            message.format(target=problem["target"]),
            file=path,
            heading=problem["part"],
            hint=hint,
        )


def _copy_images(section, narrative, raw, path, workdir) -> None:
    """Copy each image the narrative shows into the section's media folder, where it points."""
    base = (workdir if path.suffix.lower() == ".docx" else path.parent).resolve()
    for src in dict.fromkeys(raw.get("images", [])):
        file = (base / src).resolve()
        if not file.is_relative_to(base) or not file.is_file():
            section.error(
                f"Không tìm thấy hình ảnh “{src}” trong thư mục bài nộp.",
                file=path,
                hint="Kiểm tra tên tệp hình và để hình trong thư mục bài nộp.",
            )
            _drop_image(narrative, f"{section.media_prefix}/{src}")
            continue
        destination = section.media_dir / src
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(file, destination)
        narrative.images.append(destination)


def _drop_image(narrative: Narrative, target: str) -> None:
    """Put an image that was refused back as its description, so that no output refers to a
    file the build does not have (``--keep-going`` still converts every format)."""
    image = re.compile(
        r"!\[((?:[^\]\\]|\\.)*)\]\(<?" + re.escape(target) + r'>?(?:\s+"[^"]*")?\)(?:\{[^}]*\})?'
    )
    for key, text in narrative.parts.items():
        narrative.parts[key] = Markdown(image.sub(r"\1", text))
