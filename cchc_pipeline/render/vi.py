"""Vietnamese conventions for numbers, dates and numbering (Decree 30/2020 and usage).

Numbers go through Babel's ``vi`` locale (thousands ".", decimal ","), so that the rules are
a maintained library's, not ours. Babel is imported on first use: ``cchc --help`` and
``cchc plugins`` never pay for it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from functools import lru_cache
from typing import Any

LETTERS = [
    "a",
    "b",
    "c",
    "d",
    "đ",
    "e",
    "g",
    "h",
    "i",
    "k",
    "l",
    "m",
    "n",
    "o",
    "p",
    "q",
    "r",
    "s",
    "t",
    "u",
    "v",
    "x",
    "y",
]
_ROMAN = (
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
)  # fmt: skip


@lru_cache(maxsize=16)
def _pattern(decimals: int | None) -> Any:
    """The Babel number pattern, parsed once (Babel's ``format_decimal`` parses the pattern
    and the locale on every call: a tenth of a second of the sample's render and charts)."""
    from babel.numbers import parse_pattern

    if decimals is None:
        return parse_pattern("#,##0.###")
    return parse_pattern("#,##0" + ("." + "0" * decimals if decimals > 0 else ""))


@lru_cache(maxsize=1)
def _locale() -> Any:
    from babel import Locale

    return Locale.parse("vi_VN")


def number(value: int | float | Decimal, decimals: int | None = None) -> str:
    """``7518`` → "7.518"; ``85.48`` → "85,48"; ``decimals`` fixes the digits after the comma.
    What ``babel.numbers.format_decimal(value, pattern, locale="vi_VN")`` returns."""
    return _pattern(decimals).apply(value, _locale(), decimal_quantization=True,
                                    group_separator=True, numbering_system="latn")  # fmt: skip


def percent(value: int | float | Decimal, decimals: int | None = None) -> str:
    """``85.48`` (already in percent) → "85,48%": the sign follows the number directly."""
    return number(value, decimals) + "%"


def _pad_month(month: int) -> str:
    return f"{month:02d}" if month < 3 else str(month)


def long_date(day: dt.date) -> str:
    """Decree 30 form: "ngày 05 tháng 02 năm 2020", "ngày 15 tháng 7 năm 2021"."""
    return f"ngày {day.day:02d} tháng {_pad_month(day.month)} năm {day.year}"


def short_date(day: dt.date) -> str:
    """Running-text form: "05/02/2020"."""
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def roman(value: int) -> str:
    """``4`` → "IV" (parts, sections and appendices)."""
    if value <= 0:
        raise ValueError(f"no Roman numeral for {value}")
    out = []
    for size, symbol in _ROMAN:
        count, value = divmod(value, size)
        out.append(symbol * count)
    return "".join(out)


def letter(value: int) -> str:
    """``5`` → "đ": the Vietnamese order of lettered items a), b), c), d), đ), e), g)…"""
    if not 1 <= value <= len(LETTERS):
        raise ValueError(f"no Vietnamese item letter for {value}")
    return LETTERS[value - 1]


def fold(text: str) -> str:
    """Lower case, no accents, no punctuation: "TỒN TẠI, HẠN CHẾ" → "ton tai han che"."""
    text = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())
