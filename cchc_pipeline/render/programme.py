"""The 2021–2030 programme's content, gathered from every department of the build.

The programme (``templates/chuong-trinh.md.j2``) is made of what the departments sent: each
field's tasks and solutions (their narrative's nhiệm vụ part and task table), their 2025 and
2030 targets, and the coordinator's own parts (overall goal, funding, organisation, from its
``chuong-trinh.md``). What no one types is computed here: the tasks' numbers in the appendix,
and each agency's responsibility ("Sở Tư pháp chủ trì 5 nhiệm vụ …").
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ..checks.agencies import agency_name
from ..intake.tasks import Aim, Task
from ..report import Report
from . import vi
from .escaping import Markdown, escape
from .tables import pipe_table


@dataclass(frozen=True)
class NumberedTask:
    """A task with its number in the appendix (counted over every field)."""

    number: int
    task: Task


@dataclass
class Field:
    """One field's part of the programme: its title, its department's text and tasks."""

    plugin: str
    title: str
    department: str
    text: Markdown
    tasks: list[NumberedTask] = field(default_factory=list)


@dataclass
class Programme:
    """Everything the programme's template places."""

    fields: list[Field] = field(default_factory=list)
    aims: list[Aim] = field(default_factory=list)
    goal: Markdown = field(default_factory=Markdown)
    funding: Markdown = field(default_factory=Markdown)
    organisation: Markdown = field(default_factory=Markdown)
    info: Any = None  # the programme's DocumentInfo

    @property
    def tasks(self) -> list[NumberedTask]:
        return [t for f in self.fields for t in f.tasks]

    def aims_by_year(self) -> list[tuple[int, list[Aim]]]:
        """The targets grouped by the year they are due, earliest first (2025, then 2030)."""
        years = sorted({a.year for a in self.aims})
        return [(year, [a for a in self.aims if a.year == year]) for year in years]

    def count(self, plugin: str) -> int:
        """How many tasks the field of ``plugin`` set."""
        return sum(len(f.tasks) for f in self.fields if f.plugin == plugin)

    def duties(self) -> list[Markdown]:
        """Each agency's share of the task table, leads first in the order they appear:
        "Sở Tư pháp: chủ trì thực hiện 5 nhiệm vụ số 1 - 5; phối hợp thực hiện 2 nhiệm vụ
        số 8, 14"."""
        leads: dict[str, list[int]] = {}
        partners: dict[str, list[int]] = {}
        shown: dict[str, str] = {}
        for item in self.tasks:
            named = [(item.task.lead, leads), *((p, partners) for p in item.task.partners)]
            for name, book in named:
                key = vi.fold(agency_name(name))
                shown.setdefault(key, agency_name(name))
                book.setdefault(key, []).append(item.number)
        lines = []
        for key in [*leads, *(k for k in partners if k not in leads)]:
            parts = []
            if key in leads:
                parts.append(f"chủ trì thực hiện {_tasks(leads[key])}")
            if key in partners:
                parts.append(f"phối hợp thực hiện {_tasks(partners[key])}")
            lines.append(escape(f"{shown[key]}: " + "; ".join(parts) + "."))
        return lines

    def fingerprint(self) -> list[Any]:
        """The content as plain data, for the document's revision (where each task was typed
        is left out: it names the project's folder, which is no part of the content)."""
        return [[f.title, [_content(t.task) for t in f.tasks], f.text] for f in self.fields] + [
            [asdict(a) for a in self.aims], self.goal, self.funding, self.organisation,
        ]  # fmt: skip

    def task_table(self) -> Markdown:
        """The appendix: STT | nhiệm vụ | chủ trì | phối hợp | thời gian | sản phẩm, a bold
        row for each field (I, II, …) and the tasks numbered over the whole table."""
        rows: list[list[Any]] = []
        for number, item in enumerate((f for f in self.fields if f.tasks), start=1):
            rows.append([Markdown(f"**{vi.roman(number)}**"), Markdown(f"**{escape(item.title)}**"),
                         "", "", "", ""])  # fmt: skip
            for numbered in item.tasks:
                task = numbered.task
                rows.append([numbered.number, task.text, task.lead, "; ".join(task.partners) or "-",
                             task.deadline, task.product or "-"])  # fmt: skip
        return pipe_table(
            ["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành",
             "Sản phẩm"],
            rows,
            align="rlllcl",
            widths=[5, 38, 15, 20, 11, 21],
        )  # fmt: skip


def _tasks(numbers: list[int]) -> str:
    """ "5 nhiệm vụ số 1 - 4, 9": ends on a word, where the closing "./." is placed."""
    spans: list[list[int]] = []
    for n in numbers:
        if spans and n == spans[-1][-1] + 1:
            spans[-1].append(n)
        else:
            spans.append([n])
    shown = ", ".join(f"{s[0]} - {s[-1]}" if len(s) > 2 else ", ".join(map(str, s)) for s in spans)
    return f"{len(numbers)} nhiệm vụ số {shown}"


def gather(report: Report, info: Any = None) -> Programme:
    """The programme from the report's sections: every field's plan in report order, and the
    coordinator's parts (a section whose data holds a ``programme`` narrative)."""
    programme = Programme(info=info)
    number = 0
    for section in report.sections.values():
        data = section.data
        plan = getattr(data, "plan", None)
        if plan is not None:
            department = section.department
            item = Field(
                plugin=section.name,
                title=department.field if department else section.name,
                department=department.name if department else section.name,
                text=getattr(data.narrative, "nhiem_vu", Markdown("")),
            )
            for task in plan.tasks:
                number += 1
                item.tasks.append(NumberedTask(number, task))
            programme.fields.append(item)
            programme.aims += plan.aims
        own = data.get("programme") if isinstance(data, dict) else None
        if own is not None:
            programme.goal = own.muc_tieu
            programme.funding = own.kinh_phi
            programme.organisation = own.to_chuc
    if not str(programme.goal).strip() and report.config.chuong_trinh.get("goal"):
        programme.goal = escape(report.config.chuong_trinh["goal"])
    return programme


def _content(task: Any) -> dict[str, Any]:
    """A task's fields but ``at`` (its cells' locations)."""
    return {k: v for k, v in asdict(task).items() if k != "at"}
