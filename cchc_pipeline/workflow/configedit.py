"""Targeted edits to ``config.toml`` that keep the coordinator's comments and layout.

``cchc new-plugin`` adds a department to the report by setting a few keys. Rewriting the file
from parsed data would drop every comment, so only the lines of the keys set are replaced (or
a line is added); the result is parsed again and must differ from the original in exactly
those keys, otherwise nothing is written and :class:`EditRefused` says so.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Sequence
from typing import Any

from ..intake.tomlread import TOMLDecodeError, key_lines, tomllib

_STRING = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'[^']*'")


class EditRefused(Exception):
    """The file is written in a way this module does not edit safely (say, an inline table)."""


def toml_value(value: str | Sequence[str]) -> str:
    """A string, or a list of strings as a one-line array, written as TOML."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in value) + "]"


def _blank_strings(text: str) -> str:
    """``text`` with its quoted strings blanked out, so that brackets and "#" are code."""
    return _STRING.sub(lambda m: "_" * len(m[0]), text)


def _value_end(lines: list[str], start: int) -> int:
    """The index of the line where the value assigned on line ``start`` ends."""
    depth = 0
    for index in range(start, len(lines)):
        text = lines[index] if index > start else lines[index].split("=", 1)[1]
        if '"""' in text or "'''" in text:
            raise EditRefused("multi-line string")
        code = _blank_strings(text).split("#", 1)[0]
        depth += code.count("[") + code.count("{") - code.count("]") - code.count("}")
        if depth <= 0:
            return index
    raise EditRefused("unterminated value")


def _set_one(text: str, table: str, key: str, value: str) -> str:
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if "\r\n" in text else "\n"
    where = key_lines(text)
    if (table, key) in where:
        start = where[(table, key)] - 1
        end = _value_end(lines, start)
        head = lines[start].split("=", 1)[0].rstrip()
        comment = ""
        if start == end:  # a one-line value keeps its comment
            rest = lines[start].split("=", 1)[1].rstrip("\r\n")
            code = _blank_strings(rest)
            if "#" in code:
                comment = "  " + rest[code.index("#") :]
        lines[start : end + 1] = [f"{head} = {value}{comment}{newline}"]
    elif (table,) in where:  # after the table's last key, or its header
        keys = [line for path, line in where.items() if len(path) > 1 and path[0] == table]
        after = _value_end(lines, max(keys) - 1) + 1 if keys else where[(table,)]
        lines.insert(after, f"{key} = {value}{newline}")
    else:
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += newline
        lines.append(f"{newline}[{table}]{newline}{key} = {value}{newline}")
    return "".join(lines)


def set_keys(text: str, changes: dict[tuple[str, str], Any]) -> str:
    """``text`` with each ``(table, key)`` set to its value (strings and lists of strings)."""
    try:
        before = tomllib.loads(text)
    except TOMLDecodeError as exc:
        raise EditRefused(str(exc)) from exc
    expected = copy.deepcopy(before)
    for (table, key), value in changes.items():
        text = _set_one(text, table, key, toml_value(value))
        expected.setdefault(table, {})[key] = list(value) if isinstance(value, tuple) else value
    try:
        after = tomllib.loads(text)
    except TOMLDecodeError as exc:
        raise EditRefused(str(exc)) from exc
    if after != expected:
        raise EditRefused("the edited file does not read back as intended")
    return text
