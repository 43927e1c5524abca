"""Properties (Hypothesis) of what every submission goes through: the readers, the Vietnamese
number and date forms, and the Markdown escaping of submitted text.

Each property keeps to a few seconds: pandoc, where a property needs it, reads one document
per example holding a whole batch of values.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import subprocess
import unicodedata
from decimal import Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st

from cchc_pipeline.intake.textfiles import read_rows
from cchc_pipeline.intake.yearly import parse_number
from cchc_pipeline.publish.formats.pandoc import READER, pandoc_path
from cchc_pipeline.render import vi
from cchc_pipeline.render.tables import pipe_table
from cchc_pipeline.render.templating import Templates

from .test_textfiles import windows_1258_form

FAST = settings(max_examples=60, deadline=None)
VIETNAMESE = "ăâđêôơưáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
LETTERS = VIETNAMESE + VIETNAMESE.upper() + "abcdefghijklmnopqrstuvwxyzĐ"
# what a clerk may type into a cell: letters, digits, punctuation, the separators, quotes
CELL = st.text(alphabet=LETTERS + "0123456789 .,;:!?%()-+*/\"'_#|<>&@$=\t", max_size=30)

# -- readers ------------------------------------------------------------------------------


@FAST
@given(
    rows=st.lists(st.lists(CELL, min_size=3, max_size=3), min_size=1, max_size=8),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1258"]),
    delimiter=st.sampled_from([",", ";", "\t"]),
)
def test_read_rows_gives_back_what_was_written(tmp_path_factory, rows, encoding, delimiter):
    header = ["ma_chi_tieu", "2011", "2012"]
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows([header, *rows])
    text = out.getvalue()
    if encoding == "cp1258":
        text = windows_1258_form(text)  # how Windows-1258 spells Vietnamese: tones apart
    path = tmp_path_factory.mktemp("csv") / "so-lieu.csv"
    path.write_bytes(text.encode(encoding))
    assert read_rows(path) == [
        header,
        *[[unicodedata.normalize("NFC", c) for c in r] for r in rows],
    ]


AMOUNTS = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**12),
    st.decimals(min_value=-(10**9), max_value=10**9, places=3, allow_nan=False),
)


@FAST
@given(value=AMOUNTS)
def test_a_number_formatted_the_vietnamese_way_reads_back(value):
    text = vi.number(value)
    assert re.fullmatch(r"-?\d{1,3}(\.\d{3})*(,\d{1,3})?", text), text  # "." groups, "," decimals
    assert Decimal(str(parse_number(text))) == Decimal(value).normalize()
    assert Decimal(str(parse_number(vi.percent(value)))) == Decimal(value).normalize()


@FAST
@given(
    value=st.one_of(AMOUNTS, st.floats(min_value=-1e9, max_value=1e9, allow_nan=False)),
    decimals=st.sampled_from([None, 0, 1, 2, 3]),
)
def test_numbers_are_what_babel_format_decimal_gives(value, decimals):
    """The pattern and locale parsed once give what Babel's one call gives."""
    from babel.numbers import format_decimal

    pattern = "#,##0.###" if decimals is None else "#,##0" + "." * bool(decimals) + "0" * decimals
    assert vi.number(value, decimals) == format_decimal(value, format=pattern, locale="vi_VN")


@FAST
@given(value=st.decimals(min_value=0, max_value=10**6, places=4, allow_nan=False))
def test_fixed_decimals_round_half_even_and_keep_trailing_zeros(value):
    text = vi.number(value, 2)
    assert text.rsplit(",", 1)[1].isdigit() and len(text.rsplit(",", 1)[1]) == 2
    assert Decimal(str(parse_number(text))) == value.quantize(Decimal("0.01"))


@FAST
@given(day=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2199, 12, 31)))
def test_dates_follow_decree_30_and_read_back(day):
    long = vi.long_date(day)
    match = re.fullmatch(r"ngày (\d\d) tháng (\d\d?) năm (\d{4})", long)
    assert match, long
    month = match.group(2)
    assert month == (
        f"{day.month:02d}" if day.month < 3 else str(day.month)
    )  # "tháng 02", "tháng 3"
    assert dt.date(int(match.group(3)), int(month), int(match.group(1))) == day
    assert dt.datetime.strptime(vi.short_date(day), "%d/%m/%Y").date() == day


# -- escaping -----------------------------------------------------------------------------

# Anything, except what pandoc's "smart" typography turns into other characters (curly
# quotes and ellipses, compared straight below) and line separators it does not treat as such.
ANY_TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc", "Zl", "Zp"),
        blacklist_characters="‘’“”…",
    )
    | st.sampled_from("\n\t *_`#|<>[]{}\\-+:!$@^~&=.'\"1"),
    max_size=40,
)
PLAIN = {"Str", "Space", "SoftBreak", "Quoted"}


def pandoc_blocks(markdown: str) -> list[dict]:
    out = subprocess.run(
        [pandoc_path(), "--from", READER, "--to", "json"],
        input=markdown.encode("utf-8"),
        capture_output=True,
        check=True,
    )
    return json.loads(out.stdout)["blocks"]


def inline_text(inlines: list[dict]) -> str:
    """The text of inlines that may only be plain text; anything else fails the property."""
    parts = []
    for node in inlines:
        kind = node["t"]
        assert kind in PLAIN, f"markup {kind} in {inlines}"
        if kind == "Str":
            parts.append(node["c"])
        elif kind == "Quoted":
            quote = '"' if node["c"][0]["t"] == "DoubleQuote" else "'"
            parts.append(quote + inline_text(node["c"][1]) + quote)
        else:
            parts.append(" ")
    straight = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "…": "..."})
    return "".join(parts).translate(straight)


def expected(value: str) -> str:
    """The text a reader sees: NFC, one line (line breaks and the space around them become
    one space), runs of spaces and tabs as one space, none at either end."""
    text = re.sub(r"\s*[\r\n]+\s*", " ", unicodedata.normalize("NFC", value))
    return re.sub(r"[ \t]+", " ", text).strip(" \t")


@settings(max_examples=25, deadline=None)
@given(values=st.lists(ANY_TEXT.filter(lambda v: v.strip()), min_size=1, max_size=12))
@example(
    values=["    mã lệnh", "\tx", "A) mục", "(iv) ý", "B. Nguyễn", "% tiêu đề", ": định nghĩa"]
)
def test_any_text_placed_in_a_template_stays_text(tmp_path_factory, values):
    folder = tmp_path_factory.mktemp("mau")
    (folder / "t.md.j2").write_text(
        "{% for v in values %}{{ v }}\n\nCâu có {{ v }} ở giữa.\n\n{% endfor %}", encoding="utf-8"
    )
    markdown = Templates([folder]).render("t.md.j2", values=values)
    blocks = pandoc_blocks(markdown)
    assert [b["t"] for b in blocks] == ["Para"] * (2 * len(values)), markdown
    for number, value in enumerate(values):
        alone, inside = blocks[2 * number], blocks[2 * number + 1]
        assert inline_text(alone["c"]) == expected(value)
        assert inline_text(inside["c"]) == expected(f"Câu có {value} ở giữa.")


@settings(max_examples=25, deadline=None)
@given(cells=st.lists(ANY_TEXT, min_size=2, max_size=12))
def test_any_text_in_a_table_cell_stays_in_its_cell(cells):
    rows = [[str(n), cell] for n, cell in enumerate(cells, start=1)]
    markdown = pipe_table(["STT", "Nội dung"], rows, align="rl", widths=[1, 5], numbered=False)
    (table,) = pandoc_blocks(markdown)
    assert table["t"] == "Table"
    body_rows = table["c"][4][0][3]  # the one body's rows
    assert len(body_rows) == len(cells)
    for row, value in zip(body_rows, cells, strict=True):
        assert len(row[1]) == 2  # no "|" made a third column
        content = row[1][1][4]  # the second cell's blocks
        text = " ".join(inline_text(block["c"]) for block in content)
        assert text == expected(value)


def test_spaces_around_a_value_are_kept_as_one(tmp_path):
    """``{{ " " ~ unit }}`` after a number keeps its space; indentation never reaches pandoc."""
    (tmp_path / "t.md.j2").write_text(
        '{{ n }}{{ " " ~ unit }}; {{ " .landscape" }}|\n{{ "    - code?" }}\n', encoding="utf-8"
    )
    out = Templates([tmp_path]).render("t.md.j2", n=72, unit="văn bản")
    assert out == "72 văn bản;  .landscape|\n \\- code?\n"
