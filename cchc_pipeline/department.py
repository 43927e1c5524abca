"""The common steps of a department plugin: collect, validate and render a reform field.

A department plugin stays a short, explicit module of hook functions (see ``plugins/stp``)
that call these helpers with its catalogue; what every department does the same way lives
here, so that a fix reaches all of them. A plugin adds its own rules after
:func:`validate_field` and its own prose in its templates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .catalogue import Catalogue
from .checks.rules import check_rules
from .checks.targets import evaluate_targets
from .config import ReportConfig
from .intake import owntable, tasks, tomlintake, xlsxread
from .intake.discovery import find_figures
from .intake.names import on_disk
from .intake.narrative import DEPARTMENT_PARTS, Narrative, read_narrative
from .intake.nominations import FILE as NOMINATIONS_FILE
from .intake.nominations import Nomination, read_nomination_grid, read_nominations
from .intake.tomlintake import read_toml
from .intake.yearly import YearlyTable, check_table, read_grid
from .publish.documents import check_department_file
from .render.charts import ChartJob
from .render.templating import Markdown
from .report import Section
from .workflow.forms import leftover_guidance

DATA_FILE = "so-lieu.csv"
FIELD_TEMPLATES = {
    "results": "ket-qua.md.j2",
    "tasks": "nhiem-vu.md.j2",
    "statistics": "so-lieu.md.j2",
    "slides": "trinh-chieu.md.j2",
}


def period_years(config: ReportConfig) -> range:
    """The years of the review period, e.g. 2011…2020."""
    first, last = config.document["period"]
    return range(first, last + 1)


@dataclass
class FieldData:
    """Everything a department submitted for its field, as its templates use it."""

    catalogue: Catalogue
    years: range
    table: YearlyTable
    narrative: Narrative = field(default_factory=Narrative)
    nominations: list[Nomination] = field(default_factory=list)
    plan: tasks.Plan = field(default_factory=tasks.Plan)  # tasks and targets 2021–2030

    def value(self, indicator: str, year: int | None = None) -> float | int | None:
        """The value in ``year`` (default: the last year of the period)."""
        return self.table.get(indicator, year or self.years[-1])

    def format(self, indicator: str, value: float | int | None = None) -> Markdown:
        """``value`` (default: the last year's) shown as the tables show it: the indicator's
        kind and ``decimals`` ("63,60%"), "-" when missing."""
        from .render.tables import format_value

        shown = self.value(indicator) if value is None else value
        return format_value(self.catalogue[indicator], shown)

    def first(self, indicator: str) -> float | int | None:
        """The value in the first year the indicator is due."""
        ind = self.catalogue[indicator]
        due = [y for y in self.years if ind.due(y)]
        return self.table.get(indicator, due[0]) if due else None

    def total(self, indicator: str) -> float | int:
        """The sum over the period (missing years count as nothing)."""
        return sum(v for v in self.table.series(indicator, self.years) if v is not None)

    def change(self, indicator: str) -> float | int | None:
        """Last year's value minus the first due year's."""
        first, last = self.first(indicator), self.value(indicator)
        return None if first is None or last is None else last - first

    def ratio(self, part: str, whole: str, year: int | None = None) -> float | None:
        """``part / whole × 100`` in ``year``; with ``year=0`` over the whole period."""
        if year == 0:
            top, bottom = self.total(part), self.total(whole)
        else:
            top, bottom = self.value(part, year), self.value(whole, year)
        return None if top is None or not bottom else 100 * top / bottom


def collect_field(section: Section, catalogue: Catalogue) -> FieldData:
    """Read the yearly figures, the narrative and the nominations of a submission.

    The figures come from the filled Excel form (``so-lieu.xlsx``, whose "Khen thưởng" sheet
    holds the nominations when there is no ``khen-thuong.csv``), ``so-lieu.csv`` or
    ``so-lieu.toml``; more than one of them is an error on each file not read. Without them
    the only spreadsheet of the folder is read (see :mod:`cchc_pipeline.intake.discovery`). A
    workbook without the form's sheet, or a CSV without its code column, is read by its labels
    as the department's own table (:mod:`cchc_pipeline.intake.owntable`).
    """
    assert section.submission is not None
    catalogue = catalogue.localized(section.config.document["level"])
    folder = Path(section.submission)
    csv = folder / DATA_FILE
    # so-lieu.xlsx, .csv or .toml, else the only spreadsheet (an .xls comes converted); the
    # suffix of the path found says how to read it
    found = find_figures(section, (xlsxread.DATA_FILE, DATA_FILE, tomlintake.DATA_FILE))
    nominations = None
    sheets: tuple[Any, Any] = (None, None)  # the form's task and target sheets
    if found is None:
        table = YearlyTable(source=section.relative(csv), read=False)
    elif found.suffix == ".xlsx":
        with xlsxread.open_workbook(section, found) as book:
            table = YearlyTable(source=section.relative(found), read=False)
            if book is not None:
                grid = book.sheet(xlsxread.DATA_SHEET, required=False)
                if grid is None:  # not our form: the department's own table, by its labels
                    table = owntable.read_figures_workbook(section, book, catalogue)
                else:
                    table = read_grid(section, grid)
                if not on_disk(folder, NOMINATIONS_FILE).is_file():
                    sheet = book.sheet(xlsxread.NOMINATIONS_SHEET, required=False)
                    nominations = read_nomination_grid(section, sheet)
                if grid is not None:  # the form's own sheets, read while the book is open
                    sheets = tuple(  # type: ignore[assignment]
                        _materialised(book.sheet(name, required=False))
                        for name in (tasks.TASKS_SHEET, tasks.TARGETS_SHEET)
                    )
    elif found.suffix == ".csv":
        table = owntable.read_figures_csv(section, found, catalogue)  # by label without codes
    else:
        table = read_toml(section, found)
    narrative = read_narrative(section, DEPARTMENT_PARTS)
    data = FieldData(
        catalogue=catalogue,
        years=period_years(section.config),
        table=table,
        narrative=narrative,
        nominations=read_nominations(section) if nominations is None else nominations,
        plan=tasks.read_plan(section, *sheets, narrative=narrative),
    )
    section.nominations = data.nominations
    for part in leftover_guidance(data.narrative.parts):
        section.error(
            f"Mục “{DEPARTMENT_PARTS[part].title}” còn đoạn hướng dẫn của mẫu bài viết.",
            file=folder / Path(data.narrative.source).name,
            heading=data.narrative.headings.get(part),
            hint="Xóa đoạn in nghiêng bắt đầu bằng “Hướng dẫn (xóa đoạn này khi viết)”.",
        )
    return data


def _materialised(grid: Any) -> Any:
    """A sheet's rows read now: the workbook is closed before the tasks are read."""
    if grid is not None:
        grid.rows = list(grid.rows)
    return grid


def validate_field(section: Section, catalogue: Catalogue, data: FieldData) -> None:
    """Catalogue checks and consistency rules (findings go to the section); targets computed."""
    catalogue = data.catalogue  # localized for the report's level by collect_field
    check_table(section, catalogue, data.table, data.years)
    check_rules(section, catalogue, data.table, data.years)
    check_department_file(section)
    title = section.department.field if section.department else section.name
    level = section.config.document["level"]
    section.targets = evaluate_targets(title, catalogue, data.table, data.years, level)


def draw_charts(section: Section, data: FieldData) -> list[Markdown]:
    """Ask for the catalogue's charts; return their Markdown figures (drawn in the background)."""
    return [
        section.chart(
            ChartJob.from_catalogue(chart, data.catalogue, data.table, data.years),
            f"bieu-do-{number}.png",
        )
        for number, chart in enumerate(data.catalogue.charts, start=1)
    ]


def render_field(
    section: Section, catalogue: Catalogue, data: FieldData, **context: Any
) -> dict[str, Markdown]:
    """Render the field's slots with the plugin's templates (or the core's defaults)."""
    context = {
        "data": data,
        "catalogue": data.catalogue,
        "years": data.years,
        "narrative": data.narrative,
        "charts": draw_charts(section, data),
        **context,
    }
    return {slot: section.render(name, **context) for slot, name in FIELD_TEMPLATES.items()}
