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
from typing import Any

from .. import resources
from ..cache import Cache, digest
from ..errors import check_machine, machine_os_error
from ..model import Severity
from ..render import vi
from ..render.templating import Markdown
from ..report import Section
from . import limits
from .discovery import find_narrative
from .framing import find_framing, strip_end_mark
from .names import on_disk
from .outline import PartNames, nearest, recognise
from .tasks import table_kind
from .textfiles import UnreadableText, decode

NAMES = ("bao-cao.docx", "bao-cao.md")
# A narrative is some pages of prose (and a Word file some pictures): far bigger is a wrong
# file, which would only make the build slow and the report absurd.
MAX_MEGABYTES = {".md": 2, ".docx": 64}
MARKDOWN_READER = "markdown-raw_html-raw_attribute-raw_tex-yaml_metadata_block-citations"
WORD_READER = "docx+styles"  # paragraph styles tell headings and generated text apart


@dataclass(frozen=True)
class Part:
    """A part of a narrative: its canonical heading and the patterns that name it.

    ``patterns`` are regular expressions over a heading's text folded to lower case without
    accents, numbering and period ("II. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN" is compared as
    "ton tai han che va nguyen nhan"), so a heading may name several parts.
    """

    title: str
    patterns: tuple[str, ...]


_TASKS = r"(?<!thuc hien )(?<!ket qua )\bnhiem vu\b"
DEPARTMENT_PARTS: dict[str, Part] = {
    "ket_qua": Part("Kết quả thực hiện", (r"\bket qua\b",)),
    "han_che": Part(
        "Hạn chế", (r"\bhan che\b", r"\bton tai\b", r"\bkhuyet diem\b", r"\byeu kem\b")
    ),
    "nguyen_nhan": Part("Nguyên nhân", (r"\bnguyen nhan\b",)),
    "bai_hoc": Part("Bài học kinh nghiệm", (r"\bbai hoc\b",)),
    "nhiem_vu": Part(
        "Nhiệm vụ, giải pháp giai đoạn 2021 - 2030",
        (r"\bphuong huong\b", r"\bgiai phap\b", _TASKS, r"\bmuc tieu\b"),
    ),
    "kien_nghi": Part("Đề xuất, kiến nghị", (r"\bkien nghi\b", r"\bde xuat\b", r"\bde nghi\b")),
}
COORDINATOR_PARTS: dict[str, Part] = {
    "chi_dao": Part(
        "Công tác chỉ đạo, điều hành", (r"\bchi dao\b", r"\blanh dao\b", r"\bdieu hanh\b")
    ),
    "danh_gia": Part("Đánh giá chung", (r"\bdanh gia\b",)),
    "han_che": DEPARTMENT_PARTS["han_che"],
    "nguyen_nhan": DEPARTMENT_PARTS["nguyen_nhan"],
    "bai_hoc": DEPARTMENT_PARTS["bai_hoc"],
    "phuong_huong": Part(
        "Mục tiêu, phương hướng giai đoạn 2021 - 2030",
        (r"\bmuc tieu\b", r"\bphuong huong\b", _TASKS, r"\bgiai phap\b"),
    ),
    "kien_nghi": DEPARTMENT_PARTS["kien_nghi"],
}
# The coordinator's own parts of the 2021–2030 programme, in ``chuong-trinh.md`` (or .docx)
PROGRAMME_NAMES = ("chuong-trinh.docx", "chuong-trinh.md")
PROGRAMME_PARTS: dict[str, Part] = {
    "muc_tieu": Part("Mục tiêu chung", (r"\bmuc tieu\b",)),
    "kinh_phi": Part("Kinh phí thực hiện", (r"\bkinh phi\b",)),
    "to_chuc": Part("Tổ chức thực hiện", (r"\bto chuc thuc hien\b", r"\btrach nhiem\b")),
}

# The department's text inside the documents is marked so that the DOCX can tell it from
# what the tool generated around it (``layout.lua``); other formats drop the mark.
MARK = "narrative"


def marked(text: str) -> Markdown:
    """A part's text as templates insert it: a block of its own, marked as the department's."""
    return Markdown(f"\n::: {MARK}\n\n{text.strip()}\n\n:::\n") if text.strip() else Markdown("")


@dataclass(frozen=True)
class DataTable:
    """A table of data typed in a part of the narrative (the tasks, the targets): read as
    data by :mod:`cchc_pipeline.intake.tasks`, left out of the part's text."""

    kind: str  # "tasks" | "targets"
    part: str
    paragraph: int | None
    heading: str | None
    cells: tuple[tuple[str, ...], ...]


@dataclass
class Narrative:
    """The parts of one narrative, as safe Markdown, and how its outline was understood."""

    source: str = ""
    parts: dict[str, Markdown] = field(default_factory=dict)  # as templates insert them
    text: dict[str, Markdown] = field(default_factory=dict)  # the same, unmarked
    headings: dict[str, str] = field(default_factory=dict)  # part → heading as written
    images: list[Path] = field(default_factory=list)  # as copied into the section's media
    particulars: dict[str, Any] = field(default_factory=dict)  # found in its framing
    tables: list[DataTable] = field(default_factory=list)  # task and target tables

    def __getattr__(self, name: str) -> Markdown:
        # ``narrative.han_che`` in templates; an absent part renders as nothing
        if name.startswith("_") or name in {
            "source", "parts", "text", "headings", "images", "particulars", "tables"
        }:  # fmt: skip
            raise AttributeError(name)
        return self.parts.get(name, Markdown(""))


def _names(spec: Mapping[str, Part]) -> list[PartNames]:
    return [PartNames(key, part.title, part.patterns) for key, part in spec.items()]


def _run_writer(
    path: Path, media_prefix: str, workdir: Path, cache: Cache, bounds: limits.Limits
) -> dict:
    """The narrative writer's JSON (and, for Word, the pictures it extracted into ``workdir``).

    Reading a narrative costs a pandoc run; the result is cached by the file's content, the
    writer, pandoc's version and the media prefix.
    """
    from ..publish.formats import pandoc_service
    from ..publish.formats.pandoc import pandoc_version

    writer = resources.templates_dir() / "filters" / "narrative.lua"
    key = digest(path.read_bytes(), path.suffix.lower(), writer.read_bytes(), pandoc_version(),
                 media_prefix, MARKDOWN_READER, WORD_READER)  # fmt: skip
    cached = cache.get(key)
    if cached is not None:
        if (cached / "media").is_dir():
            shutil.copytree(cached / "media", workdir / "media", dirs_exist_ok=True)
        return json.loads((cached / "result.json").read_text(encoding="utf-8"))
    word = path.suffix.lower() == ".docx"
    # as `pandoc PATH --from READER --to narrative.lua --metadata cchc-media=PREFIX`, for Word
    # also `--extract-media=. --track-changes=all` in workdir (revisions and comments kept, so
    # that the writer can say where they are), in a pandoc process kept for the reading
    request = {
        "op": "narrative",
        "path": str(path.resolve()),
        "from": WORD_READER if word else MARKDOWN_READER,
        "writer": str(writer),
        "media": media_prefix,
        "word": word,
        "dir": str(workdir),
    }
    try:
        result = pandoc_service.read(request, what=f"pandoc (đọc {path.name})", limits=bounds)
    except OSError as exc:  # the machine's failure, not the file's: not cached as a finding
        raise machine_os_error(exc, "pandoc") from exc
    if result.returncode != 0:
        check_machine(result.returncode, result.stderr, "pandoc")
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
    "revision": (
        "warning",
        "Đoạn văn còn thay đổi chưa chấp nhận (Track Changes); đã dùng văn bản sau khi chấp "
        "nhận mọi thay đổi.",
        "Trong Word: Review (Xem lại) > Accept All Changes (Chấp nhận tất cả), rồi lưu và gửi "
        "lại nếu văn bản được dùng không đúng ý.",
    ),
    "comment": (
        "warning",
        "Đoạn văn có nhận xét (Comment) “{target}”; nhận xét không được đưa vào báo cáo.",
        "Xóa các nhận xét trong Word (Review > Delete All Comments) trước khi gửi.",
    ),
}
SHOWN_PROBLEMS = 20  # per kind; the rest in one finding
_FENCE = re.compile(r"(?m)^(?=:::)")


def read_narrative(
    section: Section,
    spec: Mapping[str, Part] = DEPARTMENT_PARTS,
    required: Sequence[str] | None = None,
    names: Sequence[str] = NAMES,
) -> Narrative:
    """Find, read and check the section's narrative (``names``: the file's names, Word
    first); problems become located findings."""
    assert section.submission is not None
    path = find_narrative(section, names)  # by name and content; a .doc comes converted
    required = list(spec) if required is None else list(required)
    if path is None:
        return Narrative()
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
        kept = _collect_parts(section, narrative, raw, spec, path)
        _copy_images(section, narrative, raw, kept, path, workdir)
        limits.check_narrative(section, narrative, path)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    for key in required:
        if not str(narrative.text.get(key, "")).strip():
            heading = spec[key].title
            missing = key not in narrative.headings
            section.error(
                f"Thiếu mục “{heading}”." if missing else f"Mục “{heading}” chưa có nội dung.",
                file=path,
                heading=narrative.headings.get(key, heading),
                hint=f"Thêm đề mục “{heading}” (có thể đánh số như “I.”, “1.”, in đậm hoặc "
                "dùng kiểu Heading của Word) và nội dung của nó.",
            )
    return narrative


def _titles(spec: Mapping[str, Part], keys: Sequence[str]) -> str:
    return ", ".join(f"“{spec[k].title}”" for k in keys)


def _collect_parts(
    section: Section, narrative: Narrative, raw: dict, spec: Mapping[str, Part], path: Path
) -> set[int]:
    """Split the writer's blocks into parts; say what became what and what was left out.

    Returns the indexes of the blocks whose text is used (their pictures are copied)."""
    blocks: list[dict[str, Any]] = raw.get("blocks") or []  # an empty list comes as {}
    for block in blocks:
        block["text"] = unicodedata.normalize("NFC", block.get("text", ""))
    framing = find_framing(blocks)
    narrative.particulars = framing.particulars
    body = blocks[framing.start : framing.end]
    names = _names(spec)
    mapping = recognise(body, names)
    at = framing.start  # body index + at = block index

    def where(block_index: int, heading: str | None = None) -> dict[str, Any]:
        return {"file": path, "paragraph": blocks[block_index].get("para"), "heading": heading}

    heading_of: dict[str, str] = {}
    told = 0
    for heading in mapping.headings:
        parts = mapping.parts_of.get(heading.index)
        if not parts:
            continue
        heading_of.setdefault(parts[0], heading.text)
        told += 1
        if told > SHOWN_PROBLEMS:  # a wrong file with thousands of headings: not all told
            continue
        section.add(
            Severity.INFO,
            f"Đề mục “{heading.text}” → mục {_titles(spec, parts)}.",
            hint="Nếu đề mục được hiểu sai, sửa tên đề mục cho rõ nghĩa rồi gửi lại.",
            **where(heading.index + at, heading.text),
        )
        if heading.index in mapping.also_covers:
            others = mapping.also_covers[heading.index]
            section.warning(
                f"Đề mục “{heading.text}” gồm cả {_titles(spec, parts)} nhưng không có đề mục "
                f"con tách riêng; toàn bộ nội dung được đưa vào mục “{spec[parts[0]].title}”, "
                f"mục {_titles(spec, others)} coi như chưa có.",
                hint="Thêm các đề mục con (ví dụ “1. Hạn chế”, “2. Nguyên nhân”) dưới đề mục "
                "này để tách nội dung.",
                **where(heading.index + at, heading.text),
            )
    for heading, key in mapping.duplicates[:SHOWN_PROBLEMS]:
        section.warning(
            f"Mục “{spec[key].title}” xuất hiện hai lần (đề mục “{heading.text}”); nội dung được "
            "nối tiếp.",
            hint="Gộp nội dung vào một đề mục.",
            **where(heading.index + at, heading.text),
        )
    if len(mapping.unmatched) > SHOWN_PROBLEMS:  # a wrong file: the first ones, then a count
        section.warning(
            f"Còn {len(mapping.unmatched) - SHOWN_PROBLEMS} đề mục khác không ứng với mục nào "
            "của báo cáo; nội dung dưới các đề mục đó không được đưa vào.",
            hint="Kiểm tra đã gửi đúng tệp báo cáo chuyên đề của đơn vị.",
            **where(mapping.unmatched[SHOWN_PROBLEMS].index + at),
        )
    for heading in mapping.unmatched[:SHOWN_PROBLEMS]:
        guess = nearest(heading.text, names)
        hint = (
            f"Có phải là mục “{guess.title}”? Đổi tên đề mục cho đúng nghĩa."
            if guess
            else "Các mục của báo cáo: " + _titles(spec, list(spec)) + "."
        )
        section.warning(
            f"Đề mục “{heading.text}” không ứng với mục nào của báo cáo; nội dung dưới đề mục "
            "này không được đưa vào.",
            hint=hint,
            **where(heading.index + at, heading.text),
        )
    _say_left_out(section, framing, mapping, body, blocks, path)
    kept: set[int] = set()
    chunks: dict[str, list[str]] = {}
    last_body = max(mapping.part_of_block, default=-1)
    for index, key in sorted(mapping.part_of_block.items()):
        block = body[index]
        if block.get("generated"):
            continue
        cells = block.get("cells") or [] if block.get("kind") == "table" else []
        if kind := table_kind(cells):
            rows = tuple(tuple(unicodedata.normalize("NFC", c) for c in row) for row in cells)
            para = blocks[index + at].get("para")
            narrative.tables.append(DataTable(kind, key, para, heading_of.get(key), rows))
            continue
        text = unicodedata.normalize("NFC", block.get("markdown", ""))
        if block.get("kind") in {"para", "item"}:  # pandoc writes a typed ":::" as is: it
            text = _FENCE.sub(r"\\", text)  # would close the div the text is placed in
        if index == last_body:
            text = strip_end_mark(text)
        kept.add(index + at)
        chunks.setdefault(key, []).append(text.strip())
    for key, pieces in chunks.items():
        text = "\n\n".join(p for p in pieces if p)
        text = re.sub(r"\[\^([^\]\s]+)\]", rf"[^{section.name}-{key}-\1]", text)
        narrative.text[key] = Markdown(text)
        narrative.parts[key] = marked(text)
    narrative.headings.update(heading_of)
    _say_problems(section, raw.get("problems") or [], blocks, kept, mapping, at, path)
    return kept


def _say_left_out(section, framing, mapping, body, blocks, path) -> None:
    """One notice for the framing (and the particulars found there), one for the opening
    paragraphs before the first part, one for what the tool itself had generated."""
    if framing.left_out:
        kinds = list(dict.fromkeys(what for _, what in framing.left_out))
        first = blocks[framing.left_out[0][0]].get("para")
        found = framing.particulars
        shown = []
        if found.get("symbol"):
            shown.append(f"số {found.get('number') or '…'}/{found['symbol']}")
        if found.get("date"):
            shown.append(f"ngày {vi.short_date(found['date'])}")
        if found.get("signer_name") or found.get("signer_position"):
            shown.append(
                "người ký "
                + " ".join(x for x in (found.get("signer_position"), found.get("signer_name")) if x)
            )
        section.add(
            Severity.INFO,
            "Đã nhận ra và bỏ phần khung của văn bản (" + ", ".join(kinds) + ")"
            + (": " + "; ".join(shown) if shown else "") + ".",
            hint="Số, ngày và người ký tìm thấy được dùng cho báo cáo chuyên đề khi van-ban.toml "
            "không ghi; kiểm tra lại nếu chưa đúng.",
            file=path,
            paragraph=first,
        )  # fmt: skip
    owned = set(mapping.part_of_block) | set(mapping.parts_of)
    first_part = min(owned, default=len(body))
    opening = [
        i for i in range(first_part)
        if body[i].get("text", "").strip() and not any(h.index == i for h in mapping.headings)
    ]  # fmt: skip
    if opening:
        para = body[opening[0]].get("para")
        if framing.left_out:
            section.add(
                Severity.INFO,
                f"Đoạn mở đầu (từ đoạn {para}) trước mục đầu tiên không được đưa vào báo cáo.",
                hint="Nếu đoạn này cần có trong báo cáo, đặt nó dưới một đề mục của báo cáo.",
                file=path,
                paragraph=para,
            )
        else:
            section.warning(
                "Có nội dung trước đề mục đầu tiên; phần này không được đưa vào báo cáo.",
                hint="Đặt nội dung dưới một đề mục của báo cáo.",
                file=path,
                paragraph=para,
            )
    generated = [i for i in owned if body[i].get("generated")]
    if generated:
        section.add(
            Severity.INFO,
            f"Bỏ {len(generated)} đoạn, biểu và biểu đồ do công cụ tạo từ số liệu (kiểu "
            "“Nội dung tổng hợp”); chúng được dựng lại từ tệp số liệu.",
            hint="Muốn sửa các số liệu này, sửa tệp số liệu chứ không sửa trong bài viết.",
            file=path,
            paragraph=body[min(generated)].get("para"),
        )


def _say_problems(section, problems, blocks, kept, mapping, at, path) -> None:
    shown: dict[str, int] = {}
    seen: set[tuple[str, int]] = set()
    starts = {h.index + at: h.text for h in mapping.headings if mapping.parts_of.get(h.index)}
    part_heading: dict[int, str | None] = {}
    current = None
    for index in range(len(blocks)):  # the part heading each block is under
        current = starts.get(index, current)
        part_heading[index] = current
    for problem in problems:
        block = int(problem.get("block", 0)) - 1  # Lua counts from 1
        kind = problem["kind"]
        if block not in kept and kind not in {"revision", "comment"}:
            continue  # in framing or left out: never reaches the report
        if kind in {"revision", "comment"} and (kind, block) in seen:
            continue
        seen.add((kind, block))
        shown[kind] = shown.get(kind, 0) + 1
        if shown[kind] > SHOWN_PROBLEMS:
            continue
        severity, message, hint = _PROBLEMS[kind]
        add = section.error if severity == "error" else section.warning
        para = blocks[block].get("para") if 0 <= block < len(blocks) else None
        add(
            message.format(target=problem.get("target", "")[:80]),
            file=path,
            heading=part_heading.get(block),
            paragraph=para,
            hint=hint,
        )
    for kind, count in shown.items():
        if count > SHOWN_PROBLEMS:
            section.warning(
                f"Còn {count - SHOWN_PROBLEMS} đoạn khác cùng loại ({kind}).",
                hint=_PROBLEMS[kind][2],
                file=path,
            )


def _copy_images(section, narrative, raw, kept, path, workdir) -> None:
    """Copy each image the used text shows into the section's media folder, where it points."""
    base = (workdir if path.suffix.lower() == ".docx" else path.parent).resolve()
    wanted = [src for i, b in enumerate(raw.get("blocks", [])) if i in kept
              for src in b.get("images", [])]  # fmt: skip
    for src in dict.fromkeys(wanted):
        file = on_disk(base, src).resolve()
        if not file.is_relative_to(base) or not file.is_file():
            section.error(
                f"Không tìm thấy hình ảnh “{src}” trong thư mục bài nộp.",
                file=path,
                hint="Kiểm tra tên tệp hình và để hình trong thư mục bài nộp.",
            )
            _drop_image(narrative, f"{section.media_prefix}/{src}")
            continue
        section.use(file)
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
    for key, text in narrative.text.items():
        narrative.text[key] = Markdown(image.sub(r"\1", text))
        narrative.parts[key] = marked(narrative.text[key])
