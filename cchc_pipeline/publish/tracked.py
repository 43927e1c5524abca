"""Two drafts of a document merged into one, the differences marked as Word tracked changes.

A leader reading draft 2 wants draft 2 with what changed since draft 1 struck through or
underlined, as Word shows a colleague's edits, so that "accept all" leaves draft 2 and
"reject all" brings back draft 1. Pandoc's DOCX writer turns a span of class ``insertion``
or ``deletion`` (with ``author`` and ``date``) into ``w:ins`` / ``w:del``; this module finds
the differences word by word on pandoc's syntax tree, not on the Markdown text, so that a
change never breaks a table or a heading: the blocks of the two drafts are aligned, then the
words of each pair of changed paragraphs, headings, list items and table cells.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..cache import Cache, digest
from ..intake.limits import Limits
from ..memory import LEDGER, PANDOC_MB
from .formats.pandoc import READER, bounded_pandoc

Block = dict[str, Any]
Inline = dict[str, Any]


@dataclass
class Marker:
    """Who made the changes and when, and the headings under which changes were found."""

    author: str
    date: str  # ISO 8601, e.g. 2026-12-01T08:30:00Z
    changed: list[str] = field(default_factory=list)
    _path: list[str] = field(default_factory=list)

    def span(self, kind: str, inlines: list[Inline]) -> Inline:
        """``inlines`` as an insertion or deletion by this author at this date."""
        self._note()
        attrs = [["author", self.author], ["date", self.date]]
        return {"t": "Span", "c": [["", [kind], attrs], inlines]}

    def heading(self, level: int, text: str) -> None:
        """Enter a heading: changes after it are under it (and its parents)."""
        del self._path[level - 1 :]
        self._path += [""] * (level - 1 - len(self._path)) + [text]

    def _note(self) -> None:
        where = " › ".join(p for p in self._path if p) or "(đầu văn bản)"
        if where not in self.changed:
            self.changed.append(where)


def _key(node: Any) -> str:
    """A node's identity for alignment (pandoc's JSON keeps its keys in one order)."""
    return json.dumps(node, ensure_ascii=False, separators=(",", ":"), check_circular=False)


def stringify(inlines: list[Inline]) -> str:
    """The plain text of inlines (what a heading is called in a message)."""
    out = []
    for node in inlines:
        kind, content = node.get("t"), node.get("c")
        if kind == "Str":
            out.append(content)
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif kind in ("Emph", "Strong", "Underline", "Strikeout", "SmallCaps", "Superscript",
                      "Subscript"):  # fmt: skip
            out.append(stringify(content))
        elif kind in ("Span", "Link", "Quoted"):
            out.append(stringify(content[1]))
        elif kind == "Code":
            out.append(content[1])
    return "".join(out).strip()


def compare_inlines(old: list[Inline], new: list[Inline], marker: Marker) -> list[Inline]:
    """The new inlines, with the words that changed since ``old`` as deletions + insertions."""
    if _key(old) == _key(new):
        return new
    matcher = difflib.SequenceMatcher(None, [_key(n) for n in old], [_key(n) for n in new],
                                      autojunk=False)  # fmt: skip
    merged: list[Inline] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            merged += new[b1:b2]
            continue
        if a2 > a1:
            merged.append(marker.span("deletion", old[a1:a2]))
        if b2 > b1:
            merged.append(marker.span("insertion", new[b1:b2]))
    return merged


def _inlines_of(block: Block) -> list[Inline] | None:
    """The words of a block that holds words directly (paragraph, plain text, heading)."""
    if block["t"] in ("Para", "Plain"):
        return block["c"]
    if block["t"] == "Header":
        return block["c"][2]
    return None


def _with_inlines(block: Block, inlines: list[Inline]) -> Block:
    if block["t"] == "Header":
        return {"t": "Header", "c": [block["c"][0], block["c"][1], inlines]}
    return {"t": block["t"], "c": inlines}


def _whole(block: Block, kind: str, marker: Marker) -> Block | None:
    """A block that only one draft has, its every word marked inserted or deleted; None when
    it holds no words to mark (a deleted picture or rule is left out, an inserted one kept)."""
    inlines = _inlines_of(block)
    if inlines is not None:
        return _with_inlines(block, [marker.span(kind, inlines)] if inlines else [])
    if block["t"] in ("Div", "BlockQuote", "BulletList", "OrderedList", "Table"):
        return _map_blocks(block, lambda blocks: [b for b in (_whole(x, kind, marker)
                                                              for x in blocks) if b])  # fmt: skip
    return block if kind == "insertion" else None


def _map_blocks(block: Block, change: Any) -> Block:
    """``block`` with every list of blocks inside it passed through ``change``."""
    kind, c = block["t"], block["c"]
    if kind == "Div":
        return {"t": kind, "c": [c[0], change(c[1])]}
    if kind == "BlockQuote":
        return {"t": kind, "c": change(c)}
    if kind == "BulletList":
        return {"t": kind, "c": [change(item) for item in c]}
    if kind == "OrderedList":
        return {"t": kind, "c": [c[0], [change(item) for item in c[1]]]}
    if kind == "Table":
        head, bodies, foot = c[3], c[4], c[5]
        return {"t": kind, "c": [c[0], c[1], c[2], _map_rows(head, change),
                                 [_map_body(b, change) for b in bodies],
                                 _map_rows(foot, change)]}  # fmt: skip
    return block


def _map_row(row: list[Any], change: Any) -> list[Any]:
    return [row[0], [[cell[0], cell[1], cell[2], cell[3], change(cell[4])] for cell in row[1]]]


def _map_rows(part: list[Any], change: Any) -> list[Any]:
    return [part[0], [_map_row(row, change) for row in part[1]]]


def _map_body(body: list[Any], change: Any) -> list[Any]:
    return [body[0], body[1], [_map_row(r, change) for r in body[2]],
            [_map_row(r, change) for r in body[3]]]  # fmt: skip


def _pair(old: Block, new: Block, marker: Marker) -> Block | None:
    """Two versions of the same block merged, or None when they are not comparable."""
    if old["t"] != new["t"]:
        return None
    kind = new["t"]
    if kind == "Header" and old["c"][0] != new["c"][0]:
        return None
    inlines = _inlines_of(new)
    if inlines is not None:
        return _with_inlines(new, compare_inlines(_inlines_of(old) or [], inlines, marker))
    if kind == "Div":
        return {"t": kind, "c": [new["c"][0], compare_blocks(old["c"][1], new["c"][1], marker)]}
    if kind == "BlockQuote":
        return {"t": kind, "c": compare_blocks(old["c"], new["c"], marker)}
    if kind == "BulletList":
        return {"t": kind, "c": _compare_items(old["c"], new["c"], marker)}
    if kind == "OrderedList":
        return {"t": kind, "c": [new["c"][0], _compare_items(old["c"][1], new["c"][1], marker)]}
    if kind == "Table":
        return _compare_tables(old, new, marker)
    return None


def _compare_items(old: list[list[Block]], new: list[list[Block]], marker: Marker) -> list:
    """List items aligned like blocks: a changed item is compared, a new one inserted."""
    matcher = difflib.SequenceMatcher(None, [_key(i) for i in old], [_key(i) for i in new],
                                      autojunk=False)  # fmt: skip
    items: list[list[Block]] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            items += new[b1:b2]
            continue
        olds, news = old[a1:a2], new[b1:b2]
        for index in range(max(len(olds), len(news))):
            if index < len(olds) and index < len(news):
                items.append(compare_blocks(olds[index], news[index], marker))
            elif index < len(news):
                items.append([b for b in (_whole(x, "insertion", marker) for x in news[index])
                              if b])  # fmt: skip
            else:
                items.append([b for b in (_whole(x, "deletion", marker) for x in olds[index])
                              if b])  # fmt: skip
    return items


def _rows(table: Block) -> list[list[Any]]:
    head, bodies, foot = table["c"][3], table["c"][4], table["c"][5]
    rows = list(head[1])
    for body in bodies:
        rows += body[2] + body[3]
    return rows + list(foot[1])


def _compare_tables(old: Block, new: Block, marker: Marker) -> Block | None:
    """Tables of the same shape compared cell by cell; a table whose rows were added or
    removed has its rows aligned, the new rows' words inserted and the old rows' deleted."""
    old_rows, new_rows = _rows(old), _rows(new)
    if len(old["c"][2]) != len(new["c"][2]):
        return None  # another number of columns: not the same table
    matcher = difflib.SequenceMatcher(None, [_key(r[1]) for r in old_rows],
                                      [_key(r[1]) for r in new_rows], autojunk=False)  # fmt: skip
    plan: dict[int, list[Any]] = {}  # new row index → its merged row
    extra: dict[int, list[list[Any]]] = {}  # new row index → deleted old rows placed before it
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            continue
        for offset in range(max(a2 - a1, b2 - b1)):
            a, b = a1 + offset, b1 + offset
            if a < a2 and b < b2 and len(old_rows[a][1]) == len(new_rows[b][1]):
                cells = [
                    [n[0], n[1], n[2], n[3], compare_blocks(o[4], n[4], marker)]
                    for o, n in zip(old_rows[a][1], new_rows[b][1], strict=True)
                ]
                plan[b] = [new_rows[b][0], cells]
                continue
            if b < b2:
                plan[b] = _map_row(new_rows[b], lambda blocks: [
                    x for x in (_whole(y, "insertion", marker) for y in blocks) if x])  # fmt: skip
            if a < a2:
                gone = _map_row(old_rows[a], lambda blocks: [
                    x for x in (_whole(y, "deletion", marker) for y in blocks) if x])  # fmt: skip
                extra.setdefault(min(b, b2), []).append(gone)
    counter = iter(range(len(new_rows) + 1))

    def rebuilt(rows: list[list[Any]]) -> list[list[Any]]:
        out = []
        for row in rows:
            index = next(counter)
            out += extra.pop(index, [])
            out.append(plan.get(index, row))
        return out

    head, bodies, foot = new["c"][3], new["c"][4], new["c"][5]
    new_head = [head[0], rebuilt(head[1])]
    new_bodies = [[b[0], b[1], rebuilt(b[2]), rebuilt(b[3])] for b in bodies]
    new_foot = [foot[0], rebuilt(foot[1])]
    leftover = [row for rows in extra.values() for row in rows]  # rows deleted at the end
    if leftover and new_bodies:
        new_bodies[-1][3] += leftover
    return {"t": "Table", "c": [new["c"][0], new["c"][1], new["c"][2], new_head, new_bodies,
                                new_foot]}  # fmt: skip


def compare_blocks(old: list[Block], new: list[Block], marker: Marker) -> list[Block]:
    """The new blocks, with what changed since ``old`` marked, block by block."""
    matcher = difflib.SequenceMatcher(None, [_key(b) for b in old], [_key(b) for b in new],
                                      autojunk=False)  # fmt: skip
    merged: list[Block] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            for block in new[b1:b2]:
                _enter(block, marker)
                merged.append(block)
            continue
        for o, n in _by_shape(old[a1:a2], new[b1:b2]):
            if n is not None:
                _enter(n, marker)
            paired = _pair(o, n, marker) if o is not None and n is not None else None
            if paired is not None:
                merged.append(paired)
                continue
            if o is not None and (gone := _whole(o, "deletion", marker)) is not None:
                merged.append(gone)
            if n is not None and (added := _whole(n, "insertion", marker)) is not None:
                merged.append(added)
    return merged


def _shape(block: Block) -> str:
    """What two versions of a block share: its kind, a heading's level, a table's columns."""
    if block["t"] == "Header":
        return f"Header {block['c'][0]}"
    if block["t"] == "Table":
        return f"Table {len(block['c'][2])}"
    return block["t"]


def _by_shape(olds: list[Block], news: list[Block]) -> list[tuple[Block | None, Block | None]]:
    """Changed blocks paired old with new where their shapes line up (a paragraph with a
    paragraph, a table with a table of as many columns), in document order; the others
    alone (deleted, or inserted)."""
    matcher = difflib.SequenceMatcher(None, [_shape(b) for b in olds], [_shape(b) for b in news],
                                      autojunk=False)  # fmt: skip
    pairs: list[tuple[Block | None, Block | None]] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            pairs += list(zip(olds[a1:a2], news[b1:b2], strict=True))
            continue
        pairs += [(o, None) for o in olds[a1:a2]]
        pairs += [(None, n) for n in news[b1:b2]]
    return pairs


def _enter(block: Block, marker: Marker) -> None:
    if block["t"] == "Header":
        marker.heading(block["c"][0], stringify(block["c"][2]))


def _pandoc(args: list[str], workdir: Path, limits: Limits) -> bytes:
    with LEDGER.step("pandoc", PANDOC_MB):  # it runs beside the conversions
        result = bounded_pandoc(args, what="pandoc (so sánh)", limits=limits, cwd=workdir)
    if result.returncode != 0:
        from ..errors import ConversionError

        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ConversionError("pandoc (so sánh) thất bại: " + " ".join(message[-3:]))
    return result.stdout


def parse(markdown: str, workdir: Path, limits: Limits | None = None) -> dict[str, Any]:
    """A document's Markdown as pandoc's syntax tree (read as every conversion reads it)."""
    source = Path(tempfile.mkstemp(prefix=".so-sanh-", suffix=".md", dir=workdir)[1])
    try:
        source.write_text(markdown, encoding="utf-8")
        raw = _pandoc([str(source), "--from", READER, "--to", "json"], workdir, limits or Limits())
    finally:
        source.unlink(missing_ok=True)
    return json.loads(raw)


def _parsed(markdown: str, workdir: Path, limits: Limits | None, trees: Cache | None) -> Any:
    """:func:`parse`, from ``trees`` when this text was read before: the previous draft is
    the same one build after build while the coordinator edits the current one."""
    if trees is None or not trees.enabled:
        return parse(markdown, workdir, limits)
    from .formats.pandoc import pandoc_version

    key = digest("syntax-tree", pandoc_version(), READER, markdown)
    hit = trees.get(key)
    if hit is not None:
        with contextlib.suppress(OSError, ValueError):
            return json.loads((hit / "tree.json").read_text(encoding="utf-8"))
    tree = parse(markdown, workdir, limits)
    path = Path(tempfile.mkstemp(prefix=".so-sanh-", suffix=".json", dir=workdir)[1])
    try:
        path.write_text(json.dumps(tree, ensure_ascii=False), encoding="utf-8")
        trees.put(key, {"tree.json": path})
    finally:
        path.unlink(missing_ok=True)
    return tree


def tracked_tree(
    old: str,
    new: str,
    *,
    author: str,
    date: str,
    workdir: Path,
    limits: Limits | None = None,
    trees: Cache | None = None,
) -> tuple[str, list[str]] | None:
    """The new document as pandoc JSON with the changes since ``old`` as tracked changes, and
    the headings they are under; None when the two bodies say the same thing. (JSON, not
    Markdown: written back as Markdown, tables would lose their exact column widths.)
    ``trees`` keeps each text's syntax tree by its content."""
    with ThreadPoolExecutor(max_workers=2) as pool:  # two pandoc processes at once
        old_tree, new_tree = pool.map(
            lambda text: _parsed(text, workdir, limits, trees), (old, new)
        )
    if _key(old_tree["blocks"]) == _key(new_tree["blocks"]):
        return None
    marker = Marker(author, date)
    new_tree["blocks"] = compare_blocks(old_tree["blocks"], new_tree["blocks"], marker)
    return json.dumps(new_tree, ensure_ascii=False, sort_keys=True), marker.changed
