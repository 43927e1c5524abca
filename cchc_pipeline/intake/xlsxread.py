"""Reading a department's filled Excel form (``so-lieu.xlsx``) with openpyxl.

A sheet is handed to the same readers as a CSV file, as a :class:`~cchc_pipeline.intake.yearly.Grid`
of numbered rows holding what the clerk sees in each cell:

- a formula's result as Excel cached it when the file was saved (``data_only``); a formula
  with no cached result (the file was written by a program and never saved in Excel) reads as
  blank, with a warning at its cell asking to open and save the file in Excel;
- a number shown as a percentage (Excel stores "95%" as 0.95) as the percentage, 95;
- text in NFC; dates and numbers as openpyxl gives them (the readers say what is wrong).

Sheets are streamed (read-only mode), so a large form costs little memory. Formula cells can
only be told with a second, formula-reading stream; it is opened only when the file holds a
formula at all. A file that is not a workbook, is damaged or lacks a sheet is a located error
naming the file and what to do, never a traceback.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import repeat, zip_longest
from pathlib import Path
from typing import Any

from ..render.vi import fold
from ..report import Section
from . import limits
from .yearly import Grid

DATA_FILE = "so-lieu.xlsx"
DATA_SHEET = "Số liệu"
NOMINATIONS_SHEET = "Khen thưởng"

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003, or a workbook with a password
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_MERGE_TAG = re.compile(
    rb'<(?:\w+:)?mergeCell\s[^>]{0,200}?ref="([A-Z]{1,3}\d{1,7}:[A-Z]{1,3}\d{1,7})"'
)
MAX_MERGES = 10_000  # a department's table has a few dozen; more is not a table to read
_RESAVE = "Mở tệp bằng Excel rồi lưu lại (Lưu dưới dạng: Excel Workbook *.xlsx)"


class Workbook:
    """An opened form: its sheets by name, streamed on demand."""

    def __init__(self, section: Section, path: Path, values: Any, formulas: Any) -> None:
        self.section = section
        self.path = path
        self._values = values
        self._formulas = formulas  # None when the file holds no formula

    @property
    def names(self) -> list[str]:
        """The sheets' names, in the workbook's order."""
        return list(self._values.sheetnames)

    def merged(self, name: str) -> tuple[str, ...]:
        """The merged ranges of a sheet ("C3:L3"). Read-only mode does not parse them, so they
        are found in the sheet's XML by a bounded pattern over the streamed bytes (no XML
        parser, no entity expansion), as formulas are."""
        sheet = self._values[name]
        try:
            member = sheet.parent._archive.open(sheet._worksheet_path)
        except (AttributeError, KeyError, OSError):
            return ()
        found: dict[str, None] = {}
        with member:
            tail = b""
            while (chunk := member.read(1 << 20)) and len(found) < MAX_MERGES:
                for ref in _MERGE_TAG.findall(tail + chunk):
                    found[ref.decode("ascii")] = None
                tail = chunk[-256:]
        return tuple(found)[:MAX_MERGES]

    def find(self, name: str) -> str | None:
        """The sheet's name as written in the file (case, accents and spaces may differ)."""
        wanted = fold(name)
        return next((s for s in self._values.sheetnames if fold(s) == wanted), None)

    def sheet(self, name: str, *, required: bool = True) -> Grid | None:
        """The sheet ``name`` as a grid; ``None`` (an error when ``required``) without it."""
        found = self.find(name)
        if found is None:
            if required:
                self.section.error(
                    f"Tệp không có trang “{name}”.",
                    file=self.path,
                    hint=f"Điền vào trang “{name}” của mẫu biểu, không đổi tên trang (tệp có: "
                    + ", ".join(f"“{s}”" for s in self._values.sheetnames)
                    + ").",
                )
            return None
        return Grid(self.path, self._rows(found), sheet=found)

    def _rows(self, name: str) -> Iterator[tuple[int, list[Any]]]:
        values = self._values[name]
        values.reset_dimensions()  # some programs write a wrong size; read what is there
        formulas = None
        if self._formulas is not None:
            formulas = self._formulas[name]
            formulas.reset_dimensions()
        sources = formulas.iter_rows() if formulas is not None else repeat(())
        try:
            for number, (row, source) in enumerate(
                zip(values.iter_rows(), sources, strict=False), 1
            ):
                yield number, [self._cached(name, c, f) for c, f in zip_longest(row, source)]
        except Exception as exc:  # damaged XML inside the package: any parser error
            self.section.error(
                f"Trang “{name}” bị hỏng, chỉ đọc được một phần: {type(exc).__name__}.",
                file=self.path,
                sheet=name,
                hint=_RESAVE + "; nếu vẫn lỗi, điền lại từ mẫu biểu.",
            )

    def _cached(self, name: str, cell: Any, source: Any) -> Any:
        if source is not None and source.data_type == "f" and cell.value is None:
            self.section.warning(
                "Ô có công thức nhưng chưa có kết quả tính sẵn; ô được coi là để trống.",
                file=self.path,
                sheet=name,
                cell=source.coordinate,
                hint=_RESAVE + " để Excel tính và lưu kết quả của công thức.",
            )
            return None
        return _seen(cell)


def _seen(cell: Any) -> Any:
    """The value the clerk sees: a number formatted as a percentage is its percentage; text
    in NFC (a Vietnamese keyboard may type combining accents)."""
    value = cell.value
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        shown = re.sub(r'"[^"]*"|\\.', "", cell.number_format or "")
        if "%" in shown:
            value = round(value * 100, 9)
            return int(value) if value.is_integer() else value
    return value


def _has_formulas(path: Path) -> bool:
    """Whether any sheet of the package holds a formula (``<f>`` element)."""
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            with archive.open(name) as member:
                tail = b""
                while chunk := member.read(1 << 20):
                    if _FORMULA_TAG.search(tail + chunk):
                        return True
                    tail = chunk[-16:]
    return False


@contextmanager
def open_workbook(section: Section, path: Path) -> Iterator[Workbook | None]:
    """The workbook at ``path``, or ``None`` after an error saying why it cannot be read."""
    import openpyxl

    if not limits.check_archive(section, path):
        yield None
        return
    books: list[Any] = []
    try:
        books.append(openpyxl.load_workbook(path, read_only=True, data_only=True))
        if _has_formulas(path):
            books.append(openpyxl.load_workbook(path, read_only=True, data_only=False))
    except Exception as exc:  # not a zip, not a workbook, or damaged: all mean the same
        _unreadable(section, path, exc)
        books.append(None)
    try:
        if books[-1] is None:
            yield None
        else:
            yield Workbook(section, path, books[0], books[1] if len(books) > 1 else None)
    finally:
        for book in books:
            if book is not None:
                book.close()


def _unreadable(section: Section, path: Path, exc: Exception) -> None:
    try:
        with path.open("rb") as handle:
            old = handle.read(len(_OLE)) == _OLE
    except OSError:
        old = False
    if old:
        message = (
            f"Tệp {path.name} là tệp Excel 97-2003 (.xls) được đổi tên, hoặc tệp có đặt "
            "mật khẩu mở; không đọc được."
        )
        hint = _RESAVE + ", không đặt mật khẩu."
    else:
        message = (
            f"Tệp {path.name} không phải là tệp Excel (.xlsx) hợp lệ hoặc đã bị hỏng "
            f"({type(exc).__name__})."
        )
        hint = _RESAVE + "; nếu không mở được, điền lại từ mẫu biểu."
    section.error(message, file=path, hint=hint)
