"""The outline of a narrative: which paragraphs are headings, how deep, and which part each is.

Departments write their thematic report the usual way, not to our template: headings typed as
bold paragraphs ("I. KẾT QUẢ ĐẠT ĐƯỢC"), Word's Heading styles with typed numbers, Word's
automatic numbering (whose number is not in the text), combined headings ("II. TỒN TẠI, HẠN
CHẾ VÀ NGUYÊN NHÂN" with "1. Tồn tại, hạn chế" and "2. Nguyên nhân" under it). This module
works on the blocks the ``narrative.lua`` writer lists (one dict per top-level paragraph,
list, table or list item that may be a heading) and decides, without reading any file:

- which blocks are headings: a Heading/Title style (or one named like it in Vietnamese Word,
  "Tiêu đề 1"), or a short paragraph that is all bold, all capitals, or opens with numbering
  (Phần I, I., 1., 1.1., a), A.; typed, or Word's automatic numbering);
- each heading's depth, from its numbering scheme and style together: a scheme seen before
  goes back to its depth; a new one nests under the current heading unless its rank (Phần >
  A. > I. > 1. > 1.1. > a)) says it is higher;
- which parts each heading names, by meaning (case- and accent-insensitive, numbering
  stripped, the usual synonyms); a heading under a single-part heading is content of that
  part; the sub-headings of a combined heading split it among the parts it names.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..render.vi import fold

# Longest paragraph still read as a heading by its look (a sentence in bold is not one).
MAX_HEADING_CHARS = 200

# Numbering schemes in the order Vietnamese official documents nest them (Decree 30/2020:
# Phần, then I., 1., a); "A." above "I." and "1.1." under "1." are common practice).
RANKS = {"phan": 0, "upper": 1, "roman": 2, "decimal": 3, "decimal2": 4, "decimal3": 5, "lower": 6}
_WORD_LIST_SCHEMES = {
    "UpperRoman": "roman",
    "LowerRoman": "roman",
    "Decimal": "decimal",
    "UpperAlpha": "upper",
    "LowerAlpha": "lower",
}
_ROMAN = r"[IVXLC]+"
_NUMBERING = [
    ("phan", re.compile(rf"^ph[aầ]n\s+(?:th[uứ]\s+\w+|{_ROMAN}|\d+)\b\s*[.:\-–]?\s*", re.I)),
    ("decimal3", re.compile(r"^\d+\.\d+\.\d+\.?\s+")),
    ("decimal2", re.compile(r"^\d+\.\d+\.?\s+")),
    ("roman", re.compile(rf"^{_ROMAN}\s*[.)/:\-–]\s*")),
    ("decimal", re.compile(r"^\d+\s*[.)/]\s*")),
    ("upper", re.compile(r"^[A-ZĐ]\s*[.)]\s+")),
    ("lower", re.compile(r"^[a-zđ]\s*\)\s*")),
]
_STYLE_LEVEL = re.compile(r"^(?:heading|tieu de|de muc|muc)\s*(\d)$")
_TITLE_STYLES = {"title", "tieu de", "tieu de chinh"}
_SENTENCE_END = re.compile(r"[.;!?]$")
_PERIOD = re.compile(r"\bgiai doan\s+\d{4}\s+\d{4}\b|\b\d{4}\s+\d{4}\b")  # folded text


@dataclass(frozen=True)
class Heading:
    """A block taken for a heading."""

    index: int  # position in the block list
    text: str
    para: int  # paragraph number, counted from the top of the document
    scheme: str | None  # numbering scheme, or None
    style_level: int | None  # from a Heading style or a Markdown heading
    depth: int = 0


@dataclass
class Outline:
    """What the recogniser made of a narrative: each heading and the part(s) it became."""

    headings: list[Heading] = field(default_factory=list)
    parts_of: dict[int, list[str]] = field(default_factory=dict)  # heading index → parts
    part_of_block: dict[int, str] = field(default_factory=dict)  # block index → part
    unmatched: list[Heading] = field(default_factory=list)  # unrecognised, with content left out
    also_covers: dict[int, list[str]] = field(default_factory=dict)  # combined, not split
    duplicates: list[tuple[Heading, str]] = field(default_factory=list)


def numbering(block: Mapping[str, Any]) -> tuple[str | None, str]:
    """The block's numbering scheme (typed or Word's automatic one) and its text without it."""
    text = block.get("text", "").strip()
    auto = block.get("auto")
    if auto:
        return _WORD_LIST_SCHEMES.get(auto.get("style", ""), "decimal"), text
    for scheme, pattern in _NUMBERING:
        match = pattern.match(text)
        if match and match.end() < len(text):
            return scheme, text[match.end() :].strip()
    return None, text


def style_level(block: Mapping[str, Any]) -> int | None:
    """The heading level its style or Markdown gives (0 for a Title style), else None."""
    if block.get("kind") == "header":
        return int(block.get("level") or 1)
    style = fold(block.get("style") or "")
    if style in _TITLE_STYLES:
        return 0
    match = _STYLE_LEVEL.match(style)
    return int(match[1]) if match else None


def is_heading(block: Mapping[str, Any]) -> bool:
    """Whether a block reads as a heading: by its style, or by its look."""
    if block.get("kind") not in {"header", "para", "item"}:
        return False
    text = block.get("text", "").strip()
    if not text or block.get("generated"):
        return False
    if style_level(block) is not None:
        return True
    if len(text) > MAX_HEADING_CHARS:
        return False
    looks = bool(block.get("bold")) or bool(block.get("caps"))
    # typed numbering alone is a heading only when it names a part (see :func:`recognise`),
    # since "1. Số văn bản ban hành: 120." is an ordinary numbered paragraph
    return looks and (not _SENTENCE_END.search(text) or numbering(block)[0] is not None)


def title_key(text: str) -> str:
    """A heading's text as compared: folded, numbering, period and punctuation removed."""
    _, rest = numbering({"text": text})
    return " ".join(_PERIOD.sub(" ", fold(rest)).split())


@dataclass(frozen=True)
class PartNames:
    """How a part is named: patterns over a heading's folded text (see :func:`title_key`)."""

    key: str
    title: str
    patterns: tuple[str, ...]

    def find(self, key_text: str) -> int | None:
        """Where in the text the part is named first, or None."""
        found = [m.start() for p in self.patterns if (m := re.search(p, key_text))]
        return min(found) if found else None


def parts_named(text: str, names: Sequence[PartNames]) -> list[str]:
    """The parts a heading names, in the order it names them."""
    key_text = title_key(text)
    hits = [(pos, n.key) for n in names if (pos := n.find(key_text)) is not None]
    return [key for _, key in sorted(hits)]


def nearest(text: str, names: Sequence[PartNames]) -> PartNames | None:
    """The part whose title is most like ``text`` (a did-you-mean), if any is close."""
    key_text = title_key(text)
    scored = [
        (difflib.SequenceMatcher(None, key_text, title_key(n.title)).ratio(), i)
        for i, n in enumerate(names)
    ]
    best = max(scored, default=(0.0, -1))
    return names[best[1]] if best[0] >= 0.4 else None


def recognise(blocks: Sequence[Mapping[str, Any]], names: Sequence[PartNames]) -> Outline:
    """Headings, depths and parts of the blocks (the body, framing already removed)."""
    result = Outline()
    stack: list[tuple[Any, float, int]] = []  # (signature, rank, heading index)
    # the active part boundaries: (depth, parts named, heading index, split so far)
    active: list[dict[str, Any]] = []
    current: str | None = None
    split_parents: set[int] = set()  # combined headings divided by their sub-headings
    for index, block in enumerate(blocks):
        candidate = is_heading(block)
        named = parts_named(block.get("text", ""), names) if block.get("kind") != "table" else []
        weak = not candidate and named and numbering(block)[0] is not None
        if weak and len(block.get("text", "")) <= MAX_HEADING_CHARS:
            candidate = True  # "1. Tồn tại, hạn chế" typed plain still names a part
        if not candidate:
            if current is not None:
                result.part_of_block[index] = current
            continue
        scheme, _ = numbering(block)
        level = style_level(block)
        signature: Any = scheme if scheme else ("style", level) if level is not None else "look"
        if scheme:
            rank: float = RANKS[scheme]
        elif level is not None:
            rank = level + 1.0  # Heading 1 sits with "I.", Heading 2 with "1."
        else:
            rank = 99.0  # a bold or capitals line: under the current heading
        if any(s[0] == signature for s in stack):  # a scheme seen above: a sibling of it
            while stack and stack[-1][0] != signature:
                stack.pop()
            stack.pop()
        else:
            while stack and stack[-1][1] >= rank and rank != 99.0:
                stack.pop()
        stack.append((signature, rank, index))
        depth = len(stack)
        heading = Heading(index, block.get("text", "").strip(), block.get("para", 0), scheme,
                          level, depth)  # fmt: skip
        result.headings.append(heading)
        while active and active[-1]["depth"] >= depth:
            ended = active.pop()
            if len(ended["parts"]) > 1 and not ended["split"]:
                result.also_covers[ended["index"]] = ended["parts"][1:]
        parent = active[-1] if active else None
        if parent is None:
            if named:
                active.append({"depth": depth, "parts": named, "index": index, "split": False})
                result.parts_of[index] = named
                current = named[0]
            else:
                current = None
                result.unmatched.append(heading)
        elif len(parent["parts"]) > 1 and named and named[0] in parent["parts"]:
            parent["split"] = True
            split_parents.add(parent["index"])
            covered = [p for p in named if p in parent["parts"]]
            active.append({"depth": depth, "parts": covered, "index": index, "split": True})
            result.parts_of[index] = covered
            current = covered[0]
        else:
            # a sub-heading of a part is part of its text
            result.part_of_block[index] = current if current is not None else parent["parts"][0]
            current = result.part_of_block[index]
    for ended in active:
        if len(ended["parts"]) > 1 and not ended["split"]:
            result.also_covers[ended["index"]] = ended["parts"][1:]
    # a heading whose own text is a part, found again: its text is appended (and said)
    seen: dict[str, int] = {}
    for heading in result.headings:
        if heading.index in split_parents:
            continue
        for part in result.parts_of.get(heading.index, [])[:1]:
            if part in seen:
                result.duplicates.append((heading, part))
            seen.setdefault(part, heading.index)
    # unmatched headings with no text of their own (a container such as "PHẦN THỨ NHẤT")
    # leave nothing out: only those with content are reported
    owned = set(result.part_of_block) | set(result.parts_of)
    with_content = []
    for heading in result.unmatched:
        following = range(heading.index + 1, len(blocks))
        body = next((i for i in following if i in owned or is_heading(blocks[i])), len(blocks))
        if body > heading.index + 1:
            with_content.append(heading)
    result.unmatched = with_content
    return result
