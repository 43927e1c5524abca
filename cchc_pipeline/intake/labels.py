"""Matching a row's label, as a department typed it, to an indicator of the catalogue.

A department's own table ("Biểu số 01") has no indicator codes: its rows are known only by
their labels, written the department's way ("Số VB QPPL do HĐND tỉnh ban hành" for "Văn bản
QPPL do HĐND tỉnh ban hành"). Both sides are brought to one comparable form (case, accents,
punctuation and spacing folded, typed numbering and a leading "Số"/"Số lượng" dropped, the
usual abbreviations spelled out) and compared with :mod:`difflib`; a label is taken for an
indicator only above :data:`THRESHOLD`, and never when a second indicator comes as close
(within :data:`MARGIN`): a near tie is reported, not guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from ..catalogue import Catalogue, Indicator
from ..render.vi import fold

THRESHOLD = 0.85  # similarity (0–1) a label needs to be read as an indicator
MARGIN = 0.1  # a runner-up this close to the best makes the match ambiguous

# Abbreviations of administrative-reform tables, folded (no accents, lower case).
ABBREVIATIONS = {
    "vbqppl": "van ban quy pham phap luat",
    "qppl": "quy pham phap luat",
    "vb": "van ban",
    "tthc": "thu tuc hanh chinh",
    "cbccvc": "can bo cong chuc vien chuc",
    "cbcc": "can bo cong chuc",
    "ccvc": "cong chuc vien chuc",
    "dvsncl": "don vi su nghiep cong lap",
    "dvsn": "don vi su nghiep",
    "dvhc": "don vi hanh chinh",
    "hdnd": "hoi dong nhan dan",
    "ubnd": "uy ban nhan dan",
    "dvc": "dich vu cong",
    "dvctt": "dich vu cong truc tuyen",
    "cqhcnn": "co quan hanh chinh nha nuoc",
    "hcnn": "hanh chinh nha nuoc",
    "cntt": "cong nghe thong tin",
    "cchc": "cai cach hanh chinh",
    "pbgdpl": "pho bien giao duc phap luat",
    "pbpl": "pho bien phap luat",
    "hs": "ho so",
    "sl": "so luong",
}
# Typed numbering before a label: "1.", "1.1.", "II.", "a)", "(3)", "-", "+", "•".
_NUMBERING = re.compile(
    r"^\s*(?:\(\s*\w{1,4}\s*\)|(?:\d+[.,]?)+\s*[.):/-]?|[IVXLC]{1,6}\s*[.)/-]|[a-zđA-ZĐ]\s*[.)]"
    r"|[-+*•–—·])\s*"
)
_LEAD = re.compile(r"^(?:trong do|so luong|so)\s+")  # "Trong đó:", "Số lượng …", "Số …"
# Words that tell apart indicators whose labels are otherwise alike ("đúng hạn" / "quá hạn",
# "HĐND" / "UBND"): a label and a catalogue label that name different words of a group are
# never the same indicator, however alike the rest; for a strict group, naming some of it on
# one side only is a difference too ("Hồ sơ đã giải quyết" is not "… giải quyết đúng hạn"),
# while a level may be left out ("HĐND ban hành" for "HĐND tỉnh ban hành").
_MARKERS = (
    (True, ("hoi dong nhan dan", "uy ban nhan dan")),
    (True, ("dung han", "qua han")),
    (True, ("con hieu luc", "het hieu luc")),
    (False, ("cap tinh", "cap huyen", "cap xa")),
)
_SYNONYMS = (("tre han", "qua han"), ("ti le", "ty le"))  # same meaning, one spelling
_TOTAL = {"tong", "tong cong", "cong", "tong so", "tong cong chung", "cong chung"}


def strip_numbering(label: str) -> str:
    """The label without the typed numbering or bullet a table puts before it."""
    previous = None
    while previous != label:
        previous, label = label, _NUMBERING.sub("", label, count=1)
    return label.strip()


def normalize(label: str) -> str:
    """The comparable form of a label: folded, numbering dropped, abbreviations spelled out."""
    words = fold(strip_numbering(label).replace("_", " "))
    words = " ".join(ABBREVIATIONS.get(word, word) for word in words.split())
    while (shorter := _LEAD.sub("", words)) != words:
        words = shorter
    padded = f" {words} "
    for variant, spelling in _SYNONYMS:
        padded = padded.replace(f" {variant} ", f" {spelling} ")
    return padded.strip()


def is_total(label: str) -> bool:
    """Whether a row is a total row ("Tổng cộng", "Cộng", "Tổng số"), checked, not read."""
    return fold(strip_numbering(label)) in _TOTAL


@dataclass(frozen=True)
class Match:
    """The indicator a label became (``None`` below the threshold or when ambiguous), its
    similarity, and the indicators that came as close when the match is ambiguous."""

    indicator: Indicator | None
    score: float
    rivals: tuple[Indicator, ...] = ()
    nearest: Indicator | None = None  # the best candidate, matched or not (for did-you-mean)

    @property
    def ambiguous(self) -> bool:
        return bool(self.rivals)


class Matcher:
    """A catalogue's labels and aliases normalised once, for matching many rows."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.candidates = [
            (indicator, normalize(text))
            for indicator in catalogue
            for text in (indicator.label, *indicator.aliases)
        ]
        self._seen: dict[str, Match] = {}  # a table repeats labels (units, "Cộng", headings)

    def scores(self, label: str) -> list[tuple[float, Indicator]]:
        """Each indicator's best similarity to ``label``, best first."""
        wanted = normalize(label)
        best: dict[str, tuple[float, Indicator]] = {}
        for indicator, text in self.candidates:
            score = 1.0 if text == wanted else _similarity(wanted, text)
            if score > best.get(indicator.id, (-1.0, indicator))[0]:
                best[indicator.id] = (score, indicator)
        return sorted(best.values(), key=lambda pair: -pair[0])

    def match(self, label: str) -> Match:
        found = self._seen.get(label)
        if found is None:
            found = self._seen[label] = self._match(label)
        return found

    def _match(self, label: str) -> Match:
        ranked = self.scores(label)
        if not ranked or not normalize(label):
            return Match(None, 0.0)
        score, indicator = ranked[0]
        if score < THRESHOLD:
            return Match(None, score, nearest=indicator)
        # An exact label wins over near ones, unless two indicators share it (or an alias).
        close = score - MARGIN if score < 1.0 else 1.0
        rivals = tuple(i for s, i in ranked[1:] if s >= THRESHOLD and s > close - 1e-9)
        if rivals:
            return Match(None, score, (indicator, *rivals), nearest=indicator)
        return Match(indicator, score, nearest=indicator)


def _similarity(a: str, b: str) -> float:
    if _features(a) != _features(b):
        return 0.0
    for strict, group in _MARKERS:
        named_a, named_b = _named(a, group), _named(b, group)
        if named_a != named_b and (strict or (named_a and named_b)):
            return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _features(text: str) -> tuple[frozenset[str], bool]:
    """What two labels must share to be the same indicator at all: their numbers ("mức độ
    3, 4", "ISO 9001:2015") and whether they are a rate ("Tỷ lệ …") or a count."""
    words = text.split()
    rate = " ty le " in f" {text} "
    return frozenset(w for w in words if w.isdigit()), rate


def _named(text: str, group: tuple[str, ...]) -> frozenset[str]:
    padded = f" {text} "
    return frozenset(phrase for phrase in group if f" {phrase} " in padded)


def match(label: str, catalogue: Catalogue) -> Match:
    """The indicator of ``catalogue`` that ``label`` names (see :class:`Match`)."""
    return Matcher(catalogue).match(label)
