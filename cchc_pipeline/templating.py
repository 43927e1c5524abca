"""Jinja2 for Pandoc Markdown: submitted text is escaped, never interpreted.

Every ``{{ value }}`` in a template is escaped for Pandoc Markdown by the environment's
``finalize`` (the Markdown analogue of HTML autoescaping): a ``|`` in a table cell, a ``#`` at
the start of a line or a ``<script>`` typed by a clerk stays literal text. Text that *is*
Markdown already (a rendered fragment, a narrative read through pandoc) is wrapped in
:class:`Markdown` and passes through unchanged.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import jinja2

from . import vi

# Characters Pandoc's Markdown reader gives a meaning to anywhere in a line…
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~^$@&!])")
# …runs of hyphens (smart dashes), and what starts a block when it opens a line.
_DASHES = re.compile(r"-(?=-)|(?<=-)-")
_LEADING = re.compile(r"^(?:([-+:])|(\d+)([.)]))(?=\s|$)")
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
    text = _DASHES.sub(r"\\-", _SPECIAL.sub(r"\\\1", text))
    text = _LEADING.sub(lambda m: "\\" + m[1] if m[1] else m[2] + "\\" + m[3], text)
    return Markdown(text)


def yaml_string(value: Any) -> Markdown:
    """A YAML double-quoted scalar whose content Pandoc reads as literal Markdown text."""
    return Markdown(json.dumps(str(escape(value)), ensure_ascii=False))


def _finalize(value: Any) -> Any:
    return value if isinstance(value, Markdown) else escape(value)


def default_filters() -> dict[str, Callable[..., Any]]:
    """The core's filters: Vietnamese formatting and explicit Markdown handling."""
    return {
        "number": vi.number,
        "percent": vi.percent,
        "long_date": vi.long_date,
        "short_date": vi.short_date,
        "roman": vi.roman,
        "letter": vi.letter,
        "md": Markdown,  # trust a value as Markdown (for template authors, never for data)
        "yaml": yaml_string,
    }


def default_globals() -> dict[str, Any]:
    """Helpers that build whole Markdown blocks (tables) with every cell escaped once."""
    from . import tables

    return {
        "table": tables.pipe_table,
        "yearly_table": tables.yearly_table,
        "key_table": tables.key_table,
        "targets_table": tables.targets_table,
        "nominations_table": tables.nominations_table,
        # room left for the number a clerk writes in by hand (non-breaking: kept as is)
        "blank_number": "\u00a0" * 8,
    }


class Templates:
    """A Jinja2 environment over a search path of template folders (first match wins)."""

    def __init__(
        self,
        folders: Iterable[Path],
        filters: Mapping[str, Callable[..., Any]] | None = None,
        globals_: Mapping[str, Any] | None = None,
    ) -> None:
        self.folders = [Path(f) for f in folders]
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(f) for f in self.folders]),
            undefined=jinja2.StrictUndefined,
            finalize=_finalize,
            autoescape=False,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(default_filters())
        self.env.globals.update(default_globals())
        self.env.filters.update(filters or {})
        self.env.globals.update(globals_ or {})

    def render(self, name: str, **context: Any) -> Markdown:
        """Render template ``name`` to Markdown."""
        return Markdown(self.env.get_template(name).render(**context))
