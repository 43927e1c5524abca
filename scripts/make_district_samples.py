"""Make the 11 illustrative district data exports the province sample rolls up.

SỐ LIỆU MINH HỌA: every figure made here is invented to try the tool, not an official one.

For each district-level unit of Lạng Sơn (the city and ten districts) this builds a district
project in a scratch folder from the Cao Lộc example (``examples/huyen-cao-loc``): its names
replaced, its counts scaled by the unit's number of communes, the commune counts, commune
cadres and communes applying ISO 9001 split from the province sample's own figures (so the
province's ``rollup = "sum"`` cross-checks agree), then the catalogue's sum, bound and share
rules re-established. The project is built with ``cchc``'s own pipeline and its
``<slug>.data.json`` copied to ``districts/``. Nothing is random: the same script gives the
same exports byte for byte (for the same tool and plugin versions).

    python scripts/make_district_samples.py [--output districts]
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cchc_pipeline.catalogue import load_catalogue  # noqa: E402
from cchc_pipeline.config import load_config  # noqa: E402
from cchc_pipeline.intake.yearly import parse_number  # noqa: E402
from cchc_pipeline.pipeline import Pipeline  # noqa: E402
from cchc_pipeline.publish.export import export_name  # noqa: E402

EXAMPLE = ROOT / "examples" / "huyen-cao-loc"
YEARS = list(range(2011, 2021))
FIELDS = ("stp", "vp", "snv", "stc", "stttt", "skhcn")
# (kind, name, slug, communes 2011-2019, communes 2020, document number, date, final):
# the communes are illustrative, adding up to the province sample's 226 and 200.
UNITS = (
    ("thành phố", "Lạng Sơn", "thanh-pho-lang-son", 8, 8, "41", "2020-08-14", True),
    ("huyện", "Tràng Định", "huyen-trang-dinh", 23, 22, "52", "2020-08-18", True),
    ("huyện", "Bình Gia", "huyen-binh-gia", 20, 19, "38", "2020-08-20", True),
    ("huyện", "Văn Lãng", "huyen-van-lang", 20, 17, "47", "2020-08-21", True),
    ("huyện", "Bắc Sơn", "huyen-bac-son", 20, 17, "55", "2020-08-24", True),
    ("huyện", "Văn Quan", "huyen-van-quan", 24, 17, "43", "2020-08-25", True),
    ("huyện", "Cao Lộc", "huyen-cao-loc", 23, 22, "60", "2020-08-25", True),
    ("huyện", "Lộc Bình", "huyen-loc-binh", 29, 21, "49", "2020-08-27", True),
    ("huyện", "Chi Lăng", "huyen-chi-lang", 21, 20, "51", "2020-08-28", True),
    ("huyện", "Đình Lập", "huyen-dinh-lap", 12, 12, "", "2020-09-04", False),
    ("huyện", "Hữu Lũng", "huyen-huu-lung", 26, 25, "58", "2020-09-08", True),
)
PROVINCE_AWARD = "Bằng khen của Chủ tịch UBND tỉnh"
EXAMPLE_COMMUNES = 22  # Cao Lộc's in 2020: the scale of the example's figures
SPLIT = {"snv": ("cbcc_xa",), "skhcn": ("iso_ap_dung_cap_xa",)}  # from the province's figures
COMMUNES = {"snv": ("don_vi_hanh_chinh_xa",), "skhcn": ("so_xa",)}


def read_figures(path: Path) -> tuple[list[str], dict[str, list[str]], dict[str, list]]:
    """The header, each row's first three cells and its values (None when blank)."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    labels, values = {}, {}
    for row in rows[1:]:
        labels[row[0]] = row[:3]
        values[row[0]] = [parse_number(c) if c.strip() else None for c in row[3:13]]
    return rows[0], labels, values


def write_figures(path: Path, header: list[str], labels: dict, values: dict) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for key, first in labels.items():
        writer.writerow([*first, *(_cell(v) for v in values[key])])
    path.write_text(out.getvalue(), encoding="utf-8")


def _cell(value: float | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return str(int(value))


def split(total: list, weights: list[list[int]], index: int) -> list:
    """Unit ``index``'s part of each year's ``total``, by weight, largest remainder first, so
    the parts of every year add up to the total exactly."""
    parts = []
    for year, value in enumerate(total):
        if value is None:
            parts.append(None)
            continue
        column = [w[year] for w in weights]
        shares = [value * w / sum(column) for w in column]
        floors = [int(s) for s in shares]
        left = int(value) - sum(floors)
        order = sorted(range(len(shares)), key=lambda i: (floors[i] - shares[i], i))
        for i in order[:left]:
            floors[i] += 1
        parts.append(floors[index])
    return parts


def fix_rules(catalogue, values: dict) -> None:
    """Sums, bounds and shares as the catalogue states them, after the counts were scaled."""

    def total(ids) -> float | None:
        picked = [[values.get(i, [None] * 10)[y] for i in ids] for y in range(10)]
        return [None if all(v is None for v in p) else sum(v or 0 for v in p) for p in picked]

    summed: set[str] = set()
    for rule in catalogue.rules:
        if rule.kind != "sum" or rule.total not in values:
            continue
        if rule.total not in summed:
            sums = total(rule.parts)
            values[rule.total] = [
                s if old is not None else None
                for s, old in zip(sums, values[rule.total], strict=True)
            ]
            summed.add(rule.total)
        else:  # a second partition of the same total: its last part present takes the difference
            for year, whole in enumerate(values[rule.total]):
                present = [p for p in rule.parts if values.get(p, [None] * 10)[year] is not None]
                if whole is None or not present:
                    continue
                taker = present[-1]
                rest = sum(values[p][year] for p in present if p != taker)
                values[taker][year] = max(0, whole - rest)
    for rule in catalogue.rules:
        if rule.kind == "not_more" and rule.left in values:
            bound = total(rule.right)
            values[rule.left] = [
                None if v is None else (min(v, b) if b is not None else v)
                for v, b in zip(values[rule.left], bound, strict=True)
            ]
    for indicator in catalogue:
        if indicator.share and indicator.id in values:
            top = values.get(indicator.share.numerator, [None] * 10)
            bottom = values.get(indicator.share.denominator, [None] * 10)
            values[indicator.id] = [
                old if old is None or t is None or not b else round(100 * t / b, 1)
                for old, t, b in zip(values[indicator.id], top, bottom, strict=True)
            ]


def make_unit(index: int, folder: Path) -> Path:
    kind, name, slug, before, after, number, date, final = UNITS[index]
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("build", ".*", "__pycache__"))
    scale = after / EXAMPLE_COMMUNES
    replacements = [
        ("HUYỆN CAO LỘC", f"{kind.upper()} {name.upper()}"),
        ("huyện Cao Lộc", f"{kind} {name}"),
        ("Huyện Cao Lộc", f"{kind.capitalize()} {name}"),
        ("Cao Lộc", name),
    ]
    if kind == "thành phố":
        replacements += [("UBND huyện", "UBND thành phố"), ("HĐND huyện", "HĐND thành phố"),
                         ("Huyện ủy", "Thành ủy")]  # fmt: skip
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in (".md", ".toml", ".csv"):
            text = path.read_text(encoding="utf-8")
            for old, new in replacements:
                text = text.replace(old, new)
            path.write_text(text, encoding="utf-8")
    config = folder / "config.toml"
    text = config.read_text(encoding="utf-8")
    text = re.sub(r'(?m)^number = ""', f'number = "{number}"', text, count=1)
    text = re.sub(r"(?m)^date = .*$", f"date = {date}", text, count=1)
    text = re.sub(r"(?m)^final = false", f"final = {'true' if final else 'false'}", text, count=1)
    text = re.sub(r'(?m)^name = "bao-cao[^"]*"', f'name = "{slug}"', text, count=1)
    text = text.replace("ranked_among = 11 ", "illustrative = true\nranked_among = 11 ")
    text = re.sub(r"(?m)^formats = .*$", 'formats = ["md"]', text, count=1)
    text = re.sub(r"(?m)^thematic = .*$", "thematic = []", text, count=1)
    text = re.sub(r"(?m)^commendations = .*$", "commendations = []", text, count=1)
    config.write_text(text, encoding="utf-8")
    _figures(index, folder, scale, before, after)
    _nominations(folder)
    return config


def _figures(index: int, folder: Path, scale: float, before: int, after: int) -> None:
    communes = [[u[3]] * 9 + [u[4]] for u in UNITS]
    for field in FIELDS:
        path = folder / "submissions" / field / "so-lieu.csv"
        catalogue = load_catalogue(ROOT / "plugins" / field / "catalogue.toml")
        header, labels, values = read_figures(path)
        _, _, province = read_figures(ROOT / "submissions" / field / "so-lieu.csv")
        for indicator in catalogue:
            row = values.get(indicator.id)
            if row is None or indicator.id == "xep_hang_ict_index":
                continue
            if indicator.kind == "count" and indicator.maximum is None:
                values[indicator.id] = [None if v is None else round(v * scale) for v in row]
            elif indicator.kind == "decimal" and indicator.id != "kien_truc_cqdt":
                values[indicator.id] = [None if v is None else round(v * scale, 2) for v in row]
            elif indicator.kind == "percent" and not indicator.share:
                shift = ((index % 5) - 2) * 0.4
                values[indicator.id] = [
                    None if v is None else round(min(100.0, max(0.0, v + shift)), 1) for v in row
                ]
        for indicator in catalogue:  # rates that differ a little from unit to unit
            share = indicator.share
            if share and share.numerator in values and share.numerator not in SPLIT.get(field, ()):
                factor = 1 - 0.01 * ((index * 3) % 7)
                values[share.numerator] = [
                    None if v is None else round(v * factor) for v in values[share.numerator]
                ]
        for indicator in COMMUNES.get(field, ()):
            values[indicator] = [before] * 9 + [after]
        for indicator in SPLIT.get(field, ()):
            values[indicator] = split(province[indicator], communes, index)
        fix_rules(catalogue, values)
        write_figures(path, header, labels, values)
    ranks = folder / "submissions" / "tonghop" / "chi-so.csv"
    lines = ranks.read_text(encoding="utf-8").splitlines()
    shifted = [lines[0]]
    for line in lines[1:]:
        cells = next(csv.reader([line]))
        if cells[2]:
            cells[2] = str((int(cells[2]) - 1 + index) % len(UNITS) + 1)
        out = io.StringIO()
        csv.writer(out, lineterminator="").writerow(cells)
        shifted.append(out.getvalue())
    ranks.write_text("\n".join(shifted) + "\n", encoding="utf-8")


def _nominations(folder: Path) -> None:
    """One collective per unit, the one-stop office's, proposed for the province's Bằng khen
    (a district proposes to the province what the province grants): the province's merged
    list stays readable with eleven districts. One the province sample proposes itself is
    left out (the roll-up would warn of it, as it should)."""
    province = {
        row[1]
        for path in sorted((ROOT / "submissions").glob("*/khen-thuong.csv"))
        for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8")))
        if len(row) > 1
    }
    for field in (*FIELDS, "tonghop"):
        path = folder / "submissions" / field / "khen-thuong.csv"
        if field != "vp":
            path.unlink(missing_ok=True)
            continue
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        kept = [r for r in rows[1:] if r and r[0] == "Tập thể" and r[1] not in province][:1]
        for row in kept:
            row[4] = PROVINCE_AWARD
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([rows[0], *kept])
        path.write_text(out.getvalue(), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "districts")
    args = parser.parse_args()
    args.output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cchc-districts-") as scratch:
        for index, unit in enumerate(UNITS):
            folder = Path(scratch) / unit[2]
            config = load_config(make_unit(index, folder))
            with Pipeline(config, use_cache=False) as pipeline:
                result = pipeline.build(["md"], folder / "build")
            problems = [str(f) for f in result.report.findings if f.severity.value != "info"]
            for problem in problems:
                print(f"{unit[2]}: {problem}", file=sys.stderr)
            export = folder / "build" / export_name(unit[2])
            shutil.copyfile(export, args.output / export.name)
            print(f"{args.output / export.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
