"""Jinja2 for Pandoc Markdown: submitted text is escaped, never interpreted.

Every ``{{ value }}`` in a template is escaped for Pandoc Markdown by the environment's
``finalize`` (the Markdown analogue of HTML autoescaping): a ``|`` in a table cell, a ``#`` at
the start of a line or a ``<script>`` typed by a clerk stays literal text. Text that *is*
Markdown already (a rendered fragment, a narrative read through pandoc) is wrapped in
:class:`Markdown` and passes through unchanged.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import jinja2

from ..errors import CchcError
from . import vi
from .escaping import Markdown, escape, yaml_string

__all__ = ["Markdown", "Templates", "escape", "yaml_string"]


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
    from . import awards, tables
    from .appendices import appendix_ref

    return {
        "table": tables.pipe_table,
        "yearly_table": tables.yearly_table,
        "key_table": tables.key_table,
        "targets_table": tables.targets_table,
        "nominations_table": tables.nominations_table,
        "award_groups": awards.group_awards,
        "appendix_ref": appendix_ref,
        # room left for the number a clerk writes in by hand (non-breaking: kept as is)
        "blank_number": "\u00a0" * 8,
    }


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates shared by every environment of the process, and kept on disk.

    Each section has its own environment (its own search path), yet six of them render the
    same field templates: compiling a template costs more than rendering it, so the compiled
    code is kept here by template file and checked against the source's checksum (Jinja's
    buckets do that), in memory for the build and in the project's cache for the next one.
    Every environment made by :class:`Templates` has the same options, which the compiled
    code depends on. Compiled code on disk is signed with the user's key
    (:func:`~cchc_pipeline.cache.sign`) and loaded only when the signature matches: a project
    copied from elsewhere brings no code that runs.
    """

    def __init__(self) -> None:
        self._memory: dict[str, bytes] = {}
        self._disk: dict[Path, _SignedDisk] = {}

    def on_disk(self, folder: Path | None) -> jinja2.BytecodeCache:
        """A view of this cache that also reads and writes ``folder`` (None: memory only)."""
        if folder is None:
            return self
        if folder not in self._disk:
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError:  # a cache that cannot be written only costs time
                return self
            self._disk[folder] = _SignedDisk(folder)
        return _Layered(self, self._disk[folder])

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self._memory.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._memory[bucket.key] = bucket.bytecode_to_string()


class _SignedDisk(jinja2.BytecodeCache):
    """Compiled templates in a folder, each file its signature then Jinja's bytes."""

    SIGNATURE_LENGTH = 64  # hexadecimal HMAC-SHA256

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _file(self, bucket: jinja2.bccache.Bucket) -> Path:
        return self.folder / f"__jinja2_{bucket.key}.cache"

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        from ..cache import signed

        try:
            data = self._file(bucket).read_bytes()
        except OSError:
            return
        signature, code = data[: self.SIGNATURE_LENGTH], data[self.SIGNATURE_LENGTH :]
        try:
            if signed(signature.decode("ascii"), "template", bucket.key, code):
                bucket.bytecode_from_string(code)
        except Exception:  # our own file, yet unreadable (another Python): compile again
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        from ..cache import sign

        code = bucket.bytecode_to_string()
        signature = sign("template", bucket.key, code)
        if signature is None:
            return
        target = self._file(bucket)
        partial = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}")
        try:
            partial.write_bytes(signature.encode("ascii") + code)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)


class _Layered(jinja2.BytecodeCache):
    """Memory first, then the disk; what is compiled goes to both."""

    def __init__(self, memory: CompiledTemplates, disk: _SignedDisk) -> None:
        self.memory, self.disk = memory, disk

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.memory.load_bytecode(bucket)
        if bucket.code is None:
            self.disk.load_bytecode(bucket)
            if bucket.code is not None:
                self.memory.dump_bytecode(bucket)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.memory.dump_bytecode(bucket)
        with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
            self.disk.dump_bytecode(bucket)


COMPILED = CompiledTemplates()


def compiled_folder() -> Path:
    """Where compiled templates are kept for the user: like Python's ``__pycache__``, beside
    no project, so that a first build in a new project (or after ``cchc clean``) does not
    compile the core's thirty templates again. The folder is named by this module's code
    (which sets the environment's options that the compiled code depends on) and Jinja keeps
    each template's source checksum, so a changed template or option compiles anew."""
    from ..cache import digest, user_key_folder

    return user_key_folder() / "templates" / digest(Path(__file__).read_bytes())[:16]


class Templates:
    """A Jinja2 environment over a search path of template folders (first match wins)."""

    def __init__(
        self,
        folders: Iterable[Path],
        filters: Mapping[str, Callable[..., Any]] | None = None,
        globals_: Mapping[str, Any] | None = None,
        cache: Path | None = None,
    ) -> None:
        self.folders = [Path(f) for f in folders]
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(f) for f in self.folders]),
            bytecode_cache=COMPILED.on_disk(cache),
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
        """Render template ``name`` to Markdown; a failure is a :class:`TemplateError`."""
        try:
            return Markdown(self.env.get_template(name).render(**context))
        except TemplateError:
            raise
        except jinja2.TemplateSyntaxError as exc:
            where = f"{exc.filename or name}:{exc.lineno}"
            raise TemplateError(f"mẫu {where}: lỗi cú pháp Jinja ({exc.message}).") from None
        except jinja2.TemplateNotFound as exc:
            raise TemplateError(f"không tìm thấy mẫu “{exc.name}”.") from None
        except Exception as exc:
            if isinstance(exc, CchcError):
                raise
            raise TemplateError(f"mẫu {_template_line(exc, name)}: {_reason(exc)}") from exc


class TemplateError(Exception):
    """A template that does not render, told with its file and line. Raised in a plugin's
    hook, it is that plugin's fault (with its stage, and a placeholder under --keep-going)."""


def _template_line(exc: Exception, name: str) -> str:
    """``file:line`` of the innermost template frame of ``exc`` (Jinja maps the compiled
    code's frames back to the template's lines)."""
    where = name
    frame = exc.__traceback__
    while frame is not None:
        filename = frame.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            where = f"{filename}:{frame.tb_lineno}"
        frame = frame.tb_next
    return where


def _reason(exc: Exception) -> str:
    """What went wrong, in Vietnamese."""
    text = str(exc)
    undefined = re.search(r"'([^']+)' is undefined", text)
    if undefined:
        return f"biến “{undefined.group(1)}” chưa được định nghĩa."
    attribute = re.search(r"has no attribute '([^']+)'", text)
    if attribute:
        return f"không có thuộc tính “{attribute.group(1)}”."
    return f"mẫu không kết xuất được ({type(exc).__name__}: {text})."
