"""The commendation list grouped as a decision lists it: by form of award, then tập thể before
cá nhân, each group numbered from 1, with the counts the Tờ trình and the Quyết định state.

The documents, the list's table, its spreadsheet and the slides all count from these groups,
so the counts in "Điều 1" can never differ from the rows of the list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from . import vi

KINDS = (("Tập thể", "tập thể"), ("Cá nhân", "cá nhân"))


@dataclass(frozen=True)
class KindGroup:
    """The collectives (or the individuals) of one form of award, in list order."""

    kind: str  # "Tập thể" | "Cá nhân"
    items: tuple[Any, ...]


@dataclass(frozen=True)
class AwardGroup:
    """One form of award ("Bằng khen của Chủ tịch UBND tỉnh") and who receives it."""

    form: str
    kinds: tuple[KindGroup, ...]

    def count(self, kind: str) -> int:
        return sum(len(group.items) for group in self.kinds if group.kind == kind)

    @property
    def collectives(self) -> int:
        return self.count("Tập thể")

    @property
    def individuals(self) -> int:
        return self.count("Cá nhân")

    @property
    def total(self) -> int:
        return self.collectives + self.individuals


def _value(item: Any, name: str) -> Any:
    """A nomination's field, whether it is a ``Nomination`` or its ``asdict`` form."""
    return item[name] if isinstance(item, dict) else getattr(item, name)


def group_awards(nominations: Sequence[Any]) -> list[AwardGroup]:
    """The nominations by form (in the order each form first appears in the merged list), then
    tập thể before cá nhân; forms that differ only in spacing or case are one form."""
    forms: dict[str, tuple[str, dict[str, list[Any]]]] = {}
    for item in nominations:
        form = " ".join(str(_value(item, "form")).split())
        key = vi.fold(form)
        forms.setdefault(key, (form, {kind: [] for kind, _ in KINDS}))
        forms[key][1].setdefault(_value(item, "kind"), []).append(item)
    return [
        AwardGroup(form, tuple(KindGroup(k, tuple(v)) for k, v in kinds.items() if v))
        for form, kinds in forms.values()
    ]


def totals(groups: Sequence[AwardGroup]) -> tuple[int, int]:
    """(collectives, individuals) over every form."""
    return sum(g.collectives for g in groups), sum(g.individuals for g in groups)


def counted(collectives: int, individuals: int) -> str:
    """ "14 tập thể và 14 cá nhân", leaving out a zero ("3 cá nhân")."""
    pairs = zip((collectives, individuals), KINDS, strict=True)
    parts = [f"{vi.number(n)} {word}" for n, (_, word) in pairs if n]
    return " và ".join(parts)


def forms_phrase(groups: Sequence[AwardGroup]) -> str:
    """The forms as a decision names them in its summary: "A", "A và B", "A, B và C"."""
    forms = [g.form for g in groups]
    if len(forms) <= 1:
        return "".join(forms)
    return ", ".join(forms[:-1]) + " và " + forms[-1]
