"""Column widths that fit a table's content, so that no word is broken across lines.

Pandoc takes a pipe table's relative widths from the dashes of its separator; widths chosen by
hand break words the moment the content changes ("ST T", "cá n hân" on a narrow column). Here
each column gets at least the width of its longest word (measured with an approximation of
Times New Roman's advance widths, with a margin), and the rest of the line is shared in
proportion to how much text each column holds.
"""

from __future__ import annotations

from collections.abc import Sequence

# Advance widths of Times New Roman in em, by class of character (a deliberate overestimate
# of the average, so that a word measured to fit does fit).
_NARROW = set("iljtfrI.,;:'!|()[]/-")
_WIDE = set("mwMW")
_POINTS = 12.0  # table text size (templates/typst/report.typ, the reference document)
_PADDING = 12.0  # both cell margins, in points (Word: 2 × 5,4 pt; typst: 2 × 4 pt)
_SAFETY = 1.15
# Text width of a landscape A4 page with Decree 30's margins (297 − 30 − 15 mm), in points.
LANDSCAPE_POINTS = (297 - 30 - 15) / 25.4 * 72
PORTRAIT_POINTS = (210 - 30 - 15) / 25.4 * 72


def word_points(word: str, bold: bool = False) -> float:
    """The printed width of ``word`` in points at the table's size."""
    ems = 0.0
    for char in word:
        if char in _NARROW:
            ems += 0.33
        elif char in _WIDE:
            ems += 0.9
        elif char.isupper():
            ems += 0.72
        elif char.isdigit():
            ems += 0.5
        else:
            ems += 0.5
    return ems * _POINTS * (1.08 if bold else 1.0)


def longest_word(text: str, bold: bool = False) -> float:
    return max((word_points(w, bold) for w in text.split()), default=0.0)


def fitted_widths(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    total: float = LANDSCAPE_POINTS,
    bold_rows: Sequence[int] = (),
) -> list[int]:
    """Widths in points (summing to about ``total``) for a table of plain-text cells; the
    rows whose index is in ``bold_rows`` are printed in bold (group headings)."""
    columns = len(header)
    minimum = [
        max(
            longest_word(header[c], bold=True),
            *(longest_word(row[c], bold=i in bold_rows) for i, row in enumerate(rows)),
        )
        * _SAFETY
        + _PADDING
        for c in range(columns)
    ]
    plain = [row for i, row in enumerate(rows) if i not in bold_rows] or list(rows)
    bulk = [
        sum(word_points(row[c]) for row in plain) / max(1, len(plain)) if plain else 0.0
        for c in range(columns)
    ]
    spare = total - sum(minimum)
    if spare <= 0 or not sum(bulk):
        scale = total / sum(minimum) if sum(minimum) else 1.0
        return [max(1, round(m * min(1.0, scale))) for m in minimum]
    # the square root: a column of long texts gets more room, but not all of it (names would
    # wrap on every word beside a wide column of achievements)
    weights = [b**0.5 for b in bulk]
    extra = [spare * w / sum(weights) for w in weights]
    return [max(1, round(m + e)) for m, e in zip(minimum, extra, strict=True)]
