"""Indicator catalogues: what a department reports, and the rules its figures obey.

Each department plugin keeps its catalogue in ``catalogue.toml`` beside its code, so that
adding an indicator, a consistency rule, a target or a chart is an edit to a data file the
department can read, not to Python. Every key is described in ``docs/catalogue.md``; in short::

    [[indicator]]
    id = "ho_so_dung_han"             # ascii id, the first column of the data file
    label = "Hồ sơ giải quyết đúng hạn"
    unit = "hồ sơ"
    kind = "count"                    # count (whole, ≥ 0) | percent (0–100) | decimal
    required = true                   # default true
    min = 0                           # optional bounds, within the kind's own
    max = 100
    from_year = 2016                  # optional: first year due (earlier years may be blank)
    key = true                        # a headline figure (summary table, slides)
    share = { numerator = "a", denominator = "b", tolerance = 0.5 }   # percent = a / b × 100
    target = { value = 95, op = ">=", year = 2020, measure = "last", text = "…" }
                                      # add level = "tỉnh" to a target that only a province has
    aliases = ["Hồ sơ giải quyết trước và đúng hạn"]   # other labels a department's own table
                                      # may give the row (matched like the label; {cap} too)
    decimals = 1                      # digits after the comma, in the text and the tables alike
    rollup = true                     # a column of the districts' appendix ("sum": and the
                                      # province's figure is the sum of the districts')

    [[rule]]                          # checked every year
    kind = "sum"                      # parts add up to total
    total = "ho_so_giai_quyet"
    parts = ["ho_so_dung_han", "ho_so_tre_han"]

    [[rule]]
    kind = "not_more"                 # left ≤ right (a list on the right is summed)
    left = "dvc_muc_3_4"
    right = "tthc_cong_bo"

    [[rule]]
    kind = "reduction"                # the last year is not more than the first
    indicator = "dvsncl"

    [[chart]]
    title = "Hồ sơ TTHC được giải quyết, giai đoạn 2011 - 2020"
    indicators = ["ho_so_giai_quyet", "ho_so_dung_han"]
    kind = "bar"                      # bar | line
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .errors import PluginError
from .intake import tomlread

KINDS = {
    "count": "số nguyên không âm",
    "percent": "tỷ lệ phần trăm 0-100",
    "decimal": "số thập phân",
}
OPERATORS = {">=": "≥", "<=": "≤", "==": "="}
MEASURES = ("last", "total")
RULE_KINDS = ("sum", "not_more", "reduction")
CHART_KINDS = ("bar", "line")

# The schema: every key a catalogue may write, by table. The loader refuses any other key (a
# misspelt ``form_year`` would otherwise be ignored without a word), and docs/catalogue.md is
# checked against these constants, so a new key must be added here and documented there.
INDICATOR_KEYS = (
    "id", "label", "unit", "kind", "required", "min", "max", "from_year", "key", "share",
    "target", "aliases", "decimals", "rollup",
)  # fmt: skip
SHARE_KEYS = ("numerator", "denominator", "tolerance")
TARGET_KEYS = ("value", "op", "year", "measure", "text", "level")
RULE_KEYS = ("kind", "total", "parts", "left", "right", "indicator")
CHART_KEYS = ("title", "indicators", "kind")
SCHEMA: dict[str, tuple[str, ...]] = {
    "indicator": INDICATOR_KEYS,
    "indicator.share": SHARE_KEYS,
    "indicator.target": TARGET_KEYS,
    "rule": RULE_KEYS,
    "chart": CHART_KEYS,
}
TABLES = ("indicator", "rule", "chart")  # the arrays of tables at the top of the file


@dataclass(frozen=True)
class Target:
    """A 2011–2020 programme target: an indicator's result compared with ``value``.

    ``measure`` says what the result is: the value in ``year`` (``last``, the default, with
    the period's last year) or the sum over the period (``total``).
    """

    value: float
    op: str = ">="
    year: int | None = None
    measure: str = "last"
    text: str = ""
    level: str | None = None  # only for reports of this level ("tỉnh"): absolute figures

    def met(self, result: float) -> bool:
        """Whether a result meets the target (đạt)."""
        if self.op == ">=":
            return result >= self.value
        if self.op == "<=":
            return result <= self.value
        return result == self.value


@dataclass(frozen=True)
class Share:
    """A percentage that must agree with ``numerator / denominator × 100``."""

    numerator: str
    denominator: str
    tolerance: float = 0.5


@dataclass(frozen=True)
class Indicator:
    """One reported quantity, by year."""

    id: str
    label: str
    unit: str
    kind: str = "count"
    required: bool = True
    minimum: float | None = None
    maximum: float | None = None
    from_year: int | None = None
    key: bool = False
    share: Share | None = None
    target: Target | None = None
    aliases: tuple[str, ...] = ()  # other labels of its row in a department's own table
    decimals: int | None = None  # digits after the comma wherever a value is shown
    rollup: bool | str = False  # in the districts' appendix; "sum": province = Σ districts

    def bounds(self) -> tuple[float | None, float | None]:
        """The allowed range: the kind's natural bounds narrowed by the catalogue's."""
        low, high = self.minimum, self.maximum
        if self.kind in ("count", "percent") and (low is None or low < 0):
            low = 0
        if self.kind == "percent" and (high is None or high > 100):
            high = 100
        return low, high

    def due(self, year: int) -> bool:
        """Whether a value is expected for ``year``."""
        return self.from_year is None or year >= self.from_year


@dataclass(frozen=True)
class Rule:
    """A consistency rule between indicators (see the module docstring)."""

    kind: str
    total: str | None = None
    parts: tuple[str, ...] = ()
    left: str | None = None
    right: tuple[str, ...] = ()
    indicator: str | None = None

    def indicators(self) -> tuple[str, ...]:
        named = (self.total, self.left, self.indicator, *self.parts, *self.right)
        return tuple(i for i in named if i)


@dataclass(frozen=True)
class Chart:
    """A time-series chart of some indicators over the period."""

    title: str
    indicators: tuple[str, ...]
    kind: str = "bar"


@dataclass(frozen=True)
class Catalogue:
    """A department's indicators in display order, with its rules and charts."""

    indicators: tuple[Indicator, ...]
    rules: tuple[Rule, ...] = ()
    charts: tuple[Chart, ...] = ()
    _index: dict[str, Indicator] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._index.update({i.id: i for i in self.indicators})

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self.indicators)

    def __len__(self) -> int:
        return len(self.indicators)

    def __getitem__(self, indicator_id: str) -> Indicator:
        return self._index[indicator_id]

    def __contains__(self, indicator_id: object) -> bool:
        return indicator_id in self._index

    def localized(self, level: str) -> Catalogue:
        """The catalogue for a report of ``level`` ("tỉnh", "huyện"): ``{cap}`` in labels,
        target texts and chart titles becomes the level, so one catalogue serves both."""

        def text(value: str) -> str:
            return value.replace("{cap}", level)

        indicators = tuple(
            replace(
                i,
                label=text(i.label),
                aliases=tuple(text(a) for a in i.aliases),
                target=replace(i.target, text=text(i.target.text)) if i.target else None,
            )
            for i in self.indicators
        )
        charts = tuple(replace(c, title=text(c.title)) for c in self.charts)
        return Catalogue(indicators, self.rules, charts)

    @property
    def key_indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.key)

    @property
    def rolled_up(self) -> tuple[Indicator, ...]:
        """The indicators of the districts' appendix (``rollup``), in catalogue order."""
        return tuple(i for i in self.indicators if i.rollup)

    @property
    def targets(self) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.target is not None)


def catalogue_digest(catalogue: Catalogue) -> str:
    """What a catalogue means for the figures (each indicator's id, unit and kind): two builds
    with the same digest report comparable figures (a data export records it); a reworded
    label or the ``{cap}`` of a level changes nothing."""
    import hashlib
    import json

    text = json.dumps([[i.id, i.unit, i.kind] for i in catalogue], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _indicator(entry: dict[str, Any]) -> Indicator:
    share = entry.get("share")
    target = entry.get("target")
    return Indicator(
        id=entry["id"],
        label=entry["label"],
        unit=entry["unit"],
        kind=entry.get("kind", "count"),
        required=entry.get("required", True),
        minimum=entry.get("min"),
        maximum=entry.get("max"),
        from_year=entry.get("from_year"),
        key=entry.get("key", False),
        share=Share(**share) if share else None,
        target=Target(**target) if target else None,
        aliases=_aliases(entry.get("aliases")),
        decimals=entry.get("decimals"),
        rollup=entry.get("rollup", False),
    )


def _aliases(value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, list) else (value,)  # checked by _problems


def _rule(entry: dict[str, Any]) -> Rule:
    return Rule(
        kind=entry["kind"],
        total=entry.get("total"),
        parts=_as_tuple(entry.get("parts")),
        left=entry.get("left"),
        right=_as_tuple(entry.get("right")),
        indicator=entry.get("indicator"),
    )


def _chart(entry: dict[str, Any]) -> Chart:
    return Chart(
        title=entry["title"],
        indicators=_as_tuple(entry["indicators"]),
        kind=entry.get("kind", "bar"),
    )


def _problems(catalogue: Catalogue) -> list[str]:
    problems = []
    seen: set[str] = set()
    for ind in catalogue:
        if ind.id in seen:
            problems.append(f"chỉ tiêu “{ind.id}” khai báo hai lần")
        seen.add(ind.id)
        if ind.kind not in KINDS:
            problems.append(f"chỉ tiêu “{ind.id}”: kind “{ind.kind}” không hợp lệ")
        if ind.share and ind.kind != "percent":
            problems.append(f"chỉ tiêu “{ind.id}”: share chỉ dùng cho kind = percent")
        if ind.target and (ind.target.op not in OPERATORS or ind.target.measure not in MEASURES):
            problems.append(f"chỉ tiêu “{ind.id}”: target có op hoặc measure không hợp lệ")
        decimals = ind.decimals
        if decimals is not None and (
            isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 6
        ):
            problems.append(f"chỉ tiêu “{ind.id}”: decimals phải là số nguyên từ 0 đến 6")
        elif decimals and ind.kind == "count":
            problems.append(f"chỉ tiêu “{ind.id}”: chỉ tiêu đếm (count) không có phần thập phân")
        if not (isinstance(ind.rollup, bool) or ind.rollup == "sum"):
            problems.append(f'chỉ tiêu “{ind.id}”: rollup phải là true, false hoặc "sum"')
        elif ind.rollup == "sum" and ind.kind != "count":
            problems.append(f'chỉ tiêu “{ind.id}”: rollup = "sum" chỉ dùng cho chỉ tiêu đếm')
        if not all(isinstance(a, str) and a.strip() for a in ind.aliases):
            problems.append(f"chỉ tiêu “{ind.id}”: aliases phải là danh sách tên, không rỗng")
        named = (ind.share.numerator, ind.share.denominator) if ind.share else ()
        problems += [
            f"chỉ tiêu “{ind.id}”: không có chỉ tiêu “{n}”"
            for n in named
            if n not in seen | {i.id for i in catalogue}
        ]
    problems += _shared_names(catalogue)
    for rule in catalogue.rules:
        if rule.kind not in RULE_KINDS:
            problems.append(f"quy tắc kind “{rule.kind}” không hợp lệ")
        problems += [
            f"quy tắc {rule.kind}: không có chỉ tiêu “{n}”"
            for n in rule.indicators()
            if n not in catalogue
        ]
    for chart in catalogue.charts:
        if chart.kind not in CHART_KINDS:
            problems.append(f"biểu đồ “{chart.title}”: kind “{chart.kind}” không hợp lệ")
        problems += [
            f"biểu đồ “{chart.title}”: không có chỉ tiêu “{n}”"
            for n in chart.indicators
            if n not in catalogue
        ]
    return problems


def _shared_names(catalogue: Catalogue) -> list[str]:
    """An alias that reads the same as another indicator's label or alias would make every
    row of that name ambiguous in a department's own table: the catalogue's mistake."""
    from .intake.labels import normalize  # the intake stage builds on the catalogue

    owner: dict[str, str] = {}
    problems = []
    for ind in catalogue:
        names = [ind.label, *(a for a in ind.aliases if isinstance(a, str))]
        for name in dict.fromkeys(normalize(n) for n in names):
            other = owner.setdefault(name, ind.id)
            if other != ind.id and name:
                problems.append(f"chỉ tiêu “{ind.id}”: tên hoặc alias trùng với chỉ tiêu “{other}”")
    return problems


def _unknown_keys(raw: dict[str, Any]) -> list[str]:
    """Keys the schema does not know, each with a did-you-mean (tables checked as in SCHEMA)."""
    from .config import did_you_mean

    problems = [
        f"bảng “{name}” không có trong danh mục.{did_you_mean(name, TABLES)}"
        for name in raw
        if name not in TABLES
    ]
    for table in TABLES:
        entries = raw.get(table, [])
        for number, entry in enumerate(entries if isinstance(entries, list) else [], start=1):
            if not isinstance(entry, dict):
                continue  # reported as a type error when the entry is built
            where = f"[[{table}]] thứ {number}"
            problems += [
                f"{where}: khóa “{key}” không hợp lệ.{did_you_mean(key, SCHEMA[table])}"
                for key in entry
                if key not in SCHEMA[table]
            ]
            for key, value in entry.items():
                allowed = SCHEMA.get(f"{table}.{key}")
                if allowed is None or not isinstance(value, dict):
                    continue
                problems += [
                    f"{where}: khóa “{key}.{inner}” không hợp lệ.{did_you_mean(inner, allowed)}"
                    for inner in value
                    if inner not in allowed
                ]
    return problems


def load_catalogue(path: Path) -> Catalogue:
    """Read and check ``catalogue.toml``; a mistake in it is the plugin's, reported as such."""
    try:
        raw, _, _ = tomlread.load(path)
        unknown = _unknown_keys(raw)
        if unknown:
            raise PluginError(
                f"Danh mục chỉ tiêu {path} có lỗi: " + "; ".join(unknown),
                "Chỉ dùng các khóa của định dạng danh mục (docs/catalogue.md).",
            )
        catalogue = Catalogue(
            indicators=tuple(_indicator(e) for e in raw.get("indicator", [])),
            rules=tuple(_rule(e) for e in raw.get("rule", [])),
            charts=tuple(_chart(e) for e in raw.get("chart", [])),
        )
    except (OSError, tomlread.TOMLDecodeError, KeyError, TypeError) as exc:
        raise PluginError(
            f"Danh mục chỉ tiêu {path} không đọc được: {type(exc).__name__}: {exc}",
            "Mỗi [[indicator]] cần id, label, unit; xem định dạng ở docs/catalogue.md.",
        ) from exc
    problems = _problems(catalogue)
    if problems:
        raise PluginError(
            f"Danh mục chỉ tiêu {path} có lỗi: " + "; ".join(problems) + ".",
            "Sửa danh mục chỉ tiêu của plugin (xem docs/catalogue.md).",
        )
    return catalogue
