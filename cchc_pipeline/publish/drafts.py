"""The drafts a project published, kept so that the next draft can show what changed.

Drafts go round for comments (dự thảo lần 1, 2, 3); a leader reading the second wants to see
what changed since the first without reading both. Each build of a draft that publishes
something new stores, in ``.cchc-drafts/`` beside the cache (not in it: ``cchc clean`` must
not forget the drafts), one folder per draft: the Markdown of every document it published
and the figures it used (each section's indicator values by year, the targets' verdicts),
with a record ``draft.json`` that lists them with their SHA-256. A folder is written under a
temporary name and renamed into place, so a killed build leaves no half draft; a folder whose
record is unreadable or whose files do not match it is skipped with a message, never
believed. Only the last ``keep`` drafts are kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DRAFTS_DIR = ".cchc-drafts"
RECORD = "draft.json"
FORMAT = 1  # the record's own version
KEEP = 10  # drafts kept when the config does not say
STAGING = ".dang-ghi-"  # a draft being written (builds hold the project lock: one at a time)
_FOLDER = re.compile(r"^(\d{4,})-([0-9a-f]{4,64})$")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Draft:
    """One stored draft: its number (lần 1, 2…), revision, when it was built, what it held."""

    number: int
    revision: str
    created: str  # ISO 8601 in UTC, "2026-12-01T08:30:00Z": the date of its tracked changes
    folder: Path
    documents: dict[str, dict[str, str]]  # key → {basename, title, file, sha256}
    figures: dict[str, Any] = field(default_factory=dict)  # section → department, indicators
    targets: list[dict[str, Any]] = field(default_factory=list)

    def markdown(self, key: str) -> str | None:
        """The stored Markdown of document ``key`` (checked when the draft was read)."""
        entry = self.documents.get(key)
        if entry is None:
            return None
        return (self.folder / entry["file"]).read_text(encoding="utf-8")

    @property
    def content(self) -> str:
        """A digest of what the draft says: equal for two builds that published the same."""
        return content_digest({k: v["sha256"] for k, v in self.documents.items()},
                              self.figures, self.targets)  # fmt: skip


def content_digest(documents: dict[str, str], figures: Any, targets: Any) -> str:
    """The digest :attr:`Draft.content` compares: documents' SHA-256, figures, targets."""
    text = json.dumps([documents, figures, targets], sort_keys=True, ensure_ascii=False)
    return _sha256(text.encode("utf-8"))


class DraftStore:
    """The drafts of one project, oldest first; damaged ones are skipped with ``warn``."""

    def __init__(
        self, project_dir: Path, keep: int = KEEP, warn: Callable[[str], None] | None = None
    ) -> None:
        self.folder = project_dir / DRAFTS_DIR
        self.keep = max(1, keep)
        self.warn = warn or (lambda text: None)
        self._drafts: list[Draft] | None = None

    def drafts(self) -> list[Draft]:
        """Every readable draft, by number."""
        if self._drafts is None:
            found = []
            entries = sorted(self.folder.iterdir()) if self.folder.is_dir() else []
            for entry in entries:
                match = _FOLDER.match(entry.name)
                if match is None or not entry.is_dir():
                    continue  # a temporary folder of a build under way or killed
                draft, problem = _read(entry, int(match.group(1)), match.group(2))
                if draft is None:
                    self.warn(
                        f"Cảnh báo: bỏ qua bản dự thảo đã lưu {entry}: {problem}. Bản này "
                        "không được dùng để so sánh; xóa thư mục đó nếu không cần giữ."
                    )
                    continue
                found.append(draft)
            self._drafts = sorted(found, key=lambda d: d.number)
        return self._drafts

    def latest(self) -> Draft | None:
        drafts = self.drafts()
        return drafts[-1] if drafts else None

    def before(self, draft: Draft) -> Draft | None:
        """The draft stored just before ``draft``."""
        earlier = [d for d in self.drafts() if d.number < draft.number]
        return earlier[-1] if earlier else None

    def find(self, reference: str) -> Draft | None:
        """A draft by its number ("2") or by its revision or the start of it ("38fa")."""
        reference = reference.strip().lower()
        drafts = self.drafts()
        if reference.isdigit() and len(reference) < 4:
            return next((d for d in drafts if d.number == int(reference)), None)
        matches = [d for d in drafts if d.revision.startswith(reference)]
        return matches[-1] if matches else None

    def add(
        self,
        *,
        revision: str,
        created: str,
        documents: Iterable[tuple[str, str, str, str]],
        figures: dict[str, Any],
        targets: list[dict[str, Any]],
    ) -> Draft:
        """Store a new draft: ``documents`` as (key, basename, title, Markdown). Written in a
        temporary folder, then renamed; then the oldest beyond ``keep`` are removed."""
        self.folder.mkdir(parents=True, exist_ok=True)
        for left in self.folder.glob(STAGING + "*"):  # a killed build's half draft
            shutil.rmtree(left, ignore_errors=True)
        latest = self.latest()
        number = (latest.number if latest else 0) + 1
        staging = Path(tempfile.mkdtemp(prefix=STAGING, dir=self.folder))
        try:
            listed = {}
            for key, basename, title, markdown in documents:
                data = markdown.encode("utf-8")
                name = f"{key}.md"
                (staging / name).write_bytes(data)
                listed[key] = {"basename": basename, "title": title, "file": name,
                               "sha256": _sha256(data)}  # fmt: skip
            record = {
                "format": FORMAT,
                "number": number,
                "revision": revision,
                "created": created,
                "documents": listed,
                "figures": figures,
                "targets": targets,
            }
            text = json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
            (staging / RECORD).write_text(text, encoding="utf-8")
            final = self.folder / f"{number:04d}-{revision}"
            os.replace(staging, final)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        self._drafts = None
        self._prune()
        draft = self.latest()
        assert draft is not None
        return draft

    def _prune(self) -> None:
        drafts = self.drafts()
        for old in drafts[: max(0, len(drafts) - self.keep)]:
            with contextlib.suppress(OSError):
                shutil.rmtree(old.folder)
        self._drafts = None


def _read(folder: Path, number: int, revision: str) -> tuple[Draft | None, str]:
    """The draft in ``folder``, or None and why it cannot be believed."""
    try:
        record = json.loads((folder / RECORD).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, f"thiếu tệp {RECORD}"
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, f"không đọc được {RECORD} ({type(exc).__name__})"
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        return None, f"{RECORD} không đúng dạng mà phiên bản này đọc được"
    shapes = {"number": int, "revision": str, "created": str, "documents": dict,
              "figures": dict, "targets": list}  # fmt: skip
    for key, kind in shapes.items():
        if not isinstance(record.get(key), kind):
            return None, f"{RECORD} thiếu hoặc sai kiểu khóa “{key}”"
    if record["number"] != number or record["revision"] != revision:
        return None, f"{RECORD} ghi số hoặc phiên bản khác tên thư mục"
    for key, entry in record["documents"].items():
        fields = ("basename", "title", "file", "sha256")
        if not isinstance(entry, dict) or not all(isinstance(entry.get(f), str) for f in fields):
            return None, f"mục văn bản “{key}” của {RECORD} không đủ thông tin"
        path = folder / entry["file"]
        if "/" in entry["file"] or "\\" in entry["file"] or not path.is_file():
            return None, f"thiếu tệp {entry['file']}"
        try:
            data = path.read_bytes()
        except OSError as exc:
            return None, f"không đọc được {entry['file']} ({type(exc).__name__})"
        if _sha256(data) != entry["sha256"]:
            return None, f"tệp {entry['file']} đã bị sửa hoặc hỏng (mã băm không khớp)"
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None, f"tệp {entry['file']} không phải văn bản UTF-8"
    return (
        Draft(number, revision, record["created"], folder, record["documents"],
              record["figures"], record["targets"]),
        "",
    )  # fmt: skip


# -- the figures of a build ---------------------------------------------------------------


def figures_of(sections: Iterable[Any]) -> dict[str, Any]:
    """Each section's indicator values by year, as ``cchc diff`` lists them old → new."""
    found: dict[str, Any] = {}
    for section in sections:
        data = section.data
        table, catalogue = getattr(data, "table", None), getattr(data, "catalogue", None)
        if table is None or catalogue is None or not hasattr(table, "values"):
            continue
        indicators = {}
        for indicator in catalogue:
            values = table.values.get(indicator.id, {})
            indicators[indicator.id] = {
                "label": indicator.label,
                "unit": indicator.unit,
                "kind": indicator.kind,
                "decimals": indicator.decimals,
                "values": {str(year): values[year] for year in sorted(values)},
            }
        department = section.department.name if section.department else section.name
        found[section.name] = {"department": department, "indicators": indicators}
    return found


def targets_of(sections: Iterable[Any]) -> list[dict[str, Any]]:
    """Every section's targets with the result reached and the verdict."""
    rows = []
    for section in sections:
        for result in section.targets:
            rows.append({
                "section": section.name,
                "field": result.field,
                "indicator": result.indicator.id,
                "text": result.text,
                "year": result.year,
                "result": result.result_text,
                "verdict": result.verdict,
            })  # fmt: skip
    return rows
