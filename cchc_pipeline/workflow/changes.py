"""``cchc diff``: what changed from one stored draft to the next, in words and figures.

The comparison DOCX shows the changes in place; a coordinator sending draft 3 round also
wants them listed: the sections of each document whose text changed, and every figure that
moved, old → new, with its unit, and every target whose result or verdict changed. Only the
stored drafts are read (:mod:`..publish.drafts`), nothing is built, so it answers at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..publish.drafts import Draft
from ..render import vi

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*(?:\{[^}]*\})?\s*$")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~^<>\"'$&%=:;,/?@])")
START = "(đầu văn bản)"


@dataclass
class FigureChange:
    """One value of one indicator that differs between the drafts (None: not given)."""

    section: str
    department: str
    indicator: str
    label: str
    year: int
    old: float | int | None
    new: float | int | None
    unit: str
    kind: str
    decimals: int | None

    def shown(self, value: float | int | None) -> str:
        if value is None:
            return "(trống)"
        if self.kind == "percent":
            return vi.percent(value, self.decimals)
        return vi.number(value, self.decimals)

    def __str__(self) -> str:
        unit = "" if self.kind == "percent" else f" {self.unit}"
        return (f"{self.department} — {self.label}, năm {self.year}: "
                f"{self.shown(self.old)} → {self.shown(self.new)}{unit}")  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        return {"section": self.section, "department": self.department,
                "indicator": self.indicator, "label": self.label, "year": self.year,
                "old": self.old, "new": self.new, "unit": self.unit}  # fmt: skip


@dataclass
class Changes:
    """What changed from draft ``old`` to draft ``new``."""

    old: Draft
    new: Draft
    sections: dict[str, list[str]] = field(default_factory=dict)  # document title → headings
    figures: list[FigureChange] = field(default_factory=list)
    targets: list[dict[str, Any]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.sections or self.figures or self.targets)

    def lines(self) -> list[str]:
        """The changes in Vietnamese, as ``cchc diff`` prints them."""
        out = [f"So sánh {_named(self.new)} với {_named(self.old)}."]
        if self.empty:
            return [*out, "Không có thay đổi nào về nội dung và số liệu."]
        if self.sections:
            out.append("Các phần có nội dung thay đổi:")
            for title, headings in self.sections.items():
                out.append(f"  {title}:")
                out += [f"    - {heading}" for heading in headings]
        if self.figures:
            out.append(f"Số liệu thay đổi ({len(self.figures)}):")
            out += [f"  - {change}" for change in self.figures]
        if self.targets:
            out.append(f"Mục tiêu có kết quả thay đổi ({len(self.targets)}):")
            for row in self.targets:
                out.append(
                    f"  - {row['text']} ({row['field']}, năm {row['year']}): kết quả "
                    f"{row['old_result']} → {row['new_result']}; {row['old_verdict']} → "
                    f"{row['new_verdict']}"
                )
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": _about(self.old),
            "to": _about(self.new),
            "sections": [{"document": t, "headings": h} for t, h in self.sections.items()],
            "figures": [change.to_dict() for change in self.figures],
            "targets": self.targets,
        }


def _named(draft: Draft) -> str:
    return f"dự thảo lần {draft.number} (phiên bản {draft.revision}, {_when(draft.created)})"


def _when(created: str) -> str:
    """``2026-12-01T08:30:00Z`` → "08:30 UTC ngày 01/12/2026"."""
    match = re.match(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)", created)
    if match is None:
        return created
    year, month, day, hour, minute = match.groups()
    return f"{hour}:{minute} UTC ngày {day}/{month}/{year}"


def _about(draft: Draft) -> dict[str, Any]:
    return {"number": draft.number, "revision": draft.revision, "created": draft.created}


def split_front_matter(markdown: str) -> tuple[str, str]:
    """The YAML front matter (with its fences) and the body of a document's Markdown."""
    if markdown.startswith("---\n"):
        end = markdown.find("\n---\n", 4)
        if end >= 0:
            return markdown[: end + 5], markdown[end + 5 :]
    return "", markdown


def heading_text(raw: str) -> str:
    """A Markdown heading's text as read: escapes and emphasis marks removed."""
    text = _ESCAPE.sub(r"\1", raw)
    return re.sub(r"(\*\*|__|\*)", "", text).strip()


def parts(markdown: str) -> list[tuple[str, str]]:
    """A document's body cut at its headings: (heading path, text under it) in order."""
    _, body = split_front_matter(markdown)
    path: list[str] = []
    found: list[tuple[str, list[str]]] = [(START, [])]
    fence = None
    for line in body.splitlines():
        if fence is None and line.startswith(("```", "~~~")):
            fence = line[:3]
        elif fence is not None and line.startswith(fence):
            fence = None
        match = _HEADING.match(line) if fence is None else None
        if match is None:
            found[-1][1].append(line)
            continue
        level = len(match.group(1))
        del path[level - 1 :]
        path += [""] * (level - 1 - len(path)) + [heading_text(match.group(2))]
        found.append((" › ".join(p for p in path if p), [line]))
    return [(where, "\n".join(lines).strip()) for where, lines in found]


def changed_parts(old: str, new: str) -> list[str]:
    """The headings under which the text changed (added and removed parts included)."""

    def keyed(items: list[tuple[str, str]]) -> dict[tuple[str, int], str]:
        seen: dict[str, int] = {}
        out = {}
        for where, text in items:
            seen[where] = seen.get(where, 0) + 1
            out[(where, seen[where])] = text
        return out

    before, after = keyed(parts(old)), keyed(parts(new))
    changed = [k for k, text in after.items() if before.get(k) != text]
    changed += [k for k in before if k not in after]
    names = []
    for where, _ in changed:
        if where not in names:
            names.append(where)
    return names


def document_title(key: str, draft: Draft) -> str:
    """How a coordinator calls a stored document."""
    if key == "report":
        return "Báo cáo tổng kết"
    if key.startswith("chuyen-de-"):
        name = key.removeprefix("chuyen-de-")
        department = draft.figures.get(name, {}).get("department", name)
        return f"Báo cáo chuyên đề của {department}"
    if key == "khen-thuong":
        return "Danh sách khen thưởng"
    return key


def compare(old: Draft, new: Draft) -> Changes:
    """Every change from ``old`` to ``new``: sections, figures, targets."""
    changes = Changes(old, new)
    for key in sorted(new.documents, key=lambda k: k != "report"):
        before, after = old.markdown(key), new.markdown(key)
        title = document_title(key, new)
        if before is None:
            changes.sections[title] = ["(văn bản mới so với bản trước)"]
        elif before != after and after is not None:
            found = changed_parts(before, after)
            if found:
                changes.sections[title] = found
    for key in old.documents:
        if key not in new.documents:
            changes.sections[document_title(key, old)] = ["(không còn trong bản này)"]
    changes.figures = _figures(old.figures, new.figures)
    changes.targets = _targets(old.targets, new.targets)
    return changes


def _figures(old: dict[str, Any], new: dict[str, Any]) -> list[FigureChange]:
    found = []
    for section in [*new, *(s for s in old if s not in new)]:
        before = old.get(section, {}).get("indicators", {})
        after = new.get(section, {}).get("indicators", {})
        department = (new.get(section) or old.get(section) or {}).get("department", section)
        for indicator in [*after, *(i for i in before if i not in after)]:
            info = after.get(indicator) or before.get(indicator)
            was = before.get(indicator, {}).get("values", {})
            now = after.get(indicator, {}).get("values", {})
            for year in sorted({*was, *now}, key=int):
                if was.get(year) != now.get(year):
                    found.append(FigureChange(
                        section, department, indicator, info["label"], int(year),
                        was.get(year), now.get(year), info["unit"], info["kind"],
                        info.get("decimals"),
                    ))  # fmt: skip
    return found


def _targets(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    before = {(t["section"], t["indicator"]): t for t in old}
    rows = []
    for target in new:
        was = before.get((target["section"], target["indicator"]))
        if was is None or (was["result"], was["verdict"]) == (target["result"],
                                                              target["verdict"]):  # fmt: skip
            continue
        rows.append({
            "section": target["section"], "field": target["field"],
            "indicator": target["indicator"], "text": target["text"], "year": target["year"],
            "old_result": was["result"], "new_result": target["result"],
            "old_verdict": was["verdict"], "new_verdict": target["verdict"],
        })  # fmt: skip
    return rows
