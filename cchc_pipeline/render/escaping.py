"""Escaping for Pandoc Markdown: submitted text becomes literal text, never markup.

Kept apart from the templates so that the table builders can use it without the Jinja side.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

# Characters Pandoc's Markdown reader gives a meaning to anywhere in a line…
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~^$@&!])")
# …runs of hyphens (smart dashes), and what starts a block when it opens a line.
_DASHES = re.compile(r"-(?=-)|(?<=-)-")
# (a list marker: "1." "a)" "(iv)" "B." — pandoc's fancy lists — or a definition's ":")
_LEADING = re.compile(r"^(?:([-+:])|(\(?(?:\d+|[A-Za-z]|[ivxlcdmIVXLCDM]+))([.)]))(?=\s|$)")
_BREAKS = re.compile(r"\s*[\r\n\u2028\u2029]+\s*")


class Markdown(str):
    """A string that is Pandoc Markdown already; templates insert it without escaping."""

    __slots__ = ()


def escape(value: Any) -> Markdown:
    """Make ``value`` literal inline text in Pandoc Markdown (NFC, one line)."""
    if isinstance(value, Markdown):
        return value
    text = unicodedata.normalize("NFC", "" if value is None else str(value))
    text = _BREAKS.sub(" ", text)
    # Indentation would make a code block of a line the value opens, so a run of spaces
    # around the text becomes one space (" văn bản" after a number keeps its space), and
    # the text itself is escaped as if it opened a line.
    core = text.strip(" \t")
    if not core:
        return Markdown(" " if text else "")
    lead = " " if text[0] in " \t" else ""
    trail = " " if text[-1] in " \t" else ""
    core = _DASHES.sub(r"\\-", _SPECIAL.sub(r"\\\1", core))
    core = _LEADING.sub(lambda m: "\\" + m[1] if m[1] else m[2] + "\\" + m[3], core)
    if core.startswith("%"):  # at the top of a document, a pandoc title block
        core = "\\" + core
    return Markdown(lead + core + trail)


def yaml_string(value: Any) -> Markdown:
    """A YAML double-quoted scalar whose content Pandoc reads as literal Markdown text."""
    return Markdown(json.dumps(str(escape(value)), ensure_ascii=False))
