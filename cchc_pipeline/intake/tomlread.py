"""Read TOML with the line numbers that ``tomllib`` does not keep.

``tomllib`` gives values only; to tell a coordinator *which line* holds a wrong key, this
module also records, for each key, the line where it is written. It understands the parts
of TOML a config file uses (tables, dotted and quoted keys, multi-line strings and arrays);
anything it cannot place simply gets no line number, never a wrong one.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

TOMLDecodeError = tomllib.TOMLDecodeError

_KEY = r'(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_TABLE_RE = re.compile(rf"^\s*\[\[?\s*({_KEY}(?:\s*\.\s*{_KEY})*)\s*\]\]?\s*(?:#.*)?$")
_ASSIGN_RE = re.compile(rf"^\s*({_KEY}(?:\s*\.\s*{_KEY})*)\s*=")
_POSITION_RE = re.compile(r"\(at line (\d+), column (\d+)\)")


def _split_key(text: str) -> tuple[str, ...]:
    parts = re.findall(_KEY, text)
    return tuple(p[1:-1] if p[:1] in "\"'" else p for p in parts)


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """Map every table and key path to the 1-based line it is written on."""
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    in_multiline: str | None = None
    depth = 0  # open brackets of a multi-line array or inline table
    for number, line in enumerate(text.splitlines(), start=1):
        if in_multiline:
            if line.count(in_multiline) % 2 == 1:
                in_multiline = None
            continue
        if depth > 0:
            depth += line.count("[") + line.count("{") - line.count("]") - line.count("}")
            continue
        match = _TABLE_RE.match(line)
        if match:
            table = _split_key(match.group(1))
            lines.setdefault(table, number)
            continue
        match = _ASSIGN_RE.match(line)
        if not match:
            continue
        key = table + _split_key(match.group(1))
        lines.setdefault(key, number)
        rest = line[match.end() :]
        for quote in ('"""', "'''"):
            if rest.count(quote) % 2 == 1:
                in_multiline = quote
        value = re.sub(r"\"(?:[^\"\\]|\\.)*\"|'[^']*'", "", rest).split("#", 1)[0]
        depth = value.count("[") + value.count("{") - value.count("]") - value.count("}")
    return lines


def error_position(error: TOMLDecodeError) -> tuple[int | None, int | None]:
    """Line and column of a TOML syntax error (attributes on 3.14+, the message before)."""
    line = getattr(error, "lineno", None)
    column = getattr(error, "colno", None)
    if line is None:
        match = _POSITION_RE.search(str(error))
        if match:
            line, column = int(match.group(1)), int(match.group(2))
    return line, column


# The TOML reader's messages (tomllib's and tomli's are the same), told in Vietnamese; one that
# is not listed keeps its own words.
_REASONS: tuple[tuple[str, str], ...] = (
    (r"Invalid value", "giá trị không hợp lệ (văn bản phải đặt trong dấu ngoặc kép)"),
    (r"Expected '=' after a key.*", "thiếu dấu “=” sau tên khóa"),
    (r"Expected newline or end of document.*", "sau một giá trị chỉ được xuống dòng"),
    (r"Expected '\]\]?' at the end.*", "thiếu dấu “]” đóng tên mục"),
    (r"Unclosed array", "danh sách thiếu dấu “]” đóng"),
    (r"Unclosed inline table", "bảng thiếu dấu “}}” đóng"),
    (r"Unterminated string", "chuỗi văn bản thiếu dấu ngoặc kép đóng"),
    (r"Cannot overwrite a value", "một khóa được ghi hai lần"),
    (r"Cannot declare (.+) twice", "mục “{0}” được khai báo hai lần"),
    (r"Duplicate inline table key (.+)", "khóa “{0}” được ghi hai lần trong cùng một bảng"),
    (r"Invalid date or datetime", "ngày tháng không hợp lệ (viết dạng 2020-11-20)"),
    (r"Invalid statement", "dòng không phải dạng khóa = giá trị hay [mục]"),
    (r"Invalid initial character for a key part", "tên khóa bắt đầu bằng ký tự không hợp lệ"),
    (r"Illegal character '\\n'", "chuỗi văn bản thiếu dấu ngoặc kép đóng trước khi xuống dòng"),
    (r"(?:Illegal|Found invalid) character (.+)", "ký tự không hợp lệ {0}"),
    (r"Unescaped '\\' in a string", "dấu “\\” trong chuỗi phải viết thành “\\\\”"),
)
_WHERE = re.compile(r"\s*\((?:at line \d+, column \d+|at end of document)\)\s*$")


def _key_text(shown: str) -> str:
    """A key as the parser shows it (``('x', 'y')`` or ``'b'``) as it is written: ``x.y``."""
    parts = re.findall(r"'([^']*)'", shown) if shown.startswith(("(", "'")) else []
    return ".".join(parts) if parts else shown


def error_reason(error: TOMLDecodeError) -> str:
    """The syntax error's message without its position, in Vietnamese where it is known."""
    reason = getattr(error, "msg", None) or str(error)
    reason = _WHERE.sub("", _POSITION_RE.sub("", reason)).strip()
    for pattern, text in _REASONS:
        match = re.fullmatch(pattern, reason)
        if match:
            return text.format(*(_key_text(group) for group in match.groups()))
    return reason


def load(path: Path) -> tuple[dict[str, Any], dict[tuple[str, ...], int], str]:
    """Parse ``path``; return its data, the line of each key and the text (NFC is the caller's)."""
    text = path.read_text(encoding="utf-8-sig")
    return tomllib.loads(text), key_lines(text), text
