"""Characters no one can see in a text field: control characters and bidi controls.

A right-to-left override (U+202E) pasted into a signer's name shows "nimdA" as "Admin" in one
program and the letters reversed in another; a NUL or a form feed from a badly exported file
breaks the writers. They cannot be checked by eye, so every text field the tool prints
(config values, ``van-ban.toml``, nominations, indicator labels) is refused when it holds one,
with the character's code and a hint to type the text again. Names of files get the stricter
check: no character of Unicode's "other" categories at all.
"""

from __future__ import annotations

import unicodedata

# Bidi embeddings, overrides and isolates, the directional marks, and the Arabic letter mark.
BIDI_CONTROLS = frozenset(
    [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
    + ["\u200e", "\u200f", "\u061c"]
)
ALLOWED_CONTROLS = frozenset("\t\n\r")  # line structure, which TOML and CSV keep as written
RETYPE_HINT = (
    "Văn bản có ký tự điều khiển hoặc ký tự vô hình (thường do dán từ trang web hay tệp khác): "
    "xóa và gõ lại đoạn này."
)


def hidden(char: str, strict: bool = False) -> bool:
    """Whether ``char`` is invisible or a control character: a bidi control, or a C0/C1
    control other than tab and line breaks; with ``strict`` (file names) any character of
    Unicode's categories Cc, Cf, Cs, Co and Cn."""
    if strict:
        return unicodedata.category(char).startswith("C")
    if char in BIDI_CONTROLS:
        return True
    return unicodedata.category(char) == "Cc" and char not in ALLOWED_CONTROLS


def hidden_characters(text: str, strict: bool = False) -> list[str]:
    """The distinct hidden characters of ``text``, in order of appearance (see :func:`hidden`)."""
    return list(dict.fromkeys(c for c in text if hidden(c, strict)))


def codes(chars: list[str]) -> str:
    """The characters as their code points, for a message: "U+202E, U+0000"."""
    return ", ".join(f"U+{ord(c):04X}" for c in chars)


def shown(text: str, limit: int = 60) -> str:
    """Text for a message: hidden characters as their code, long text cut."""
    out = "".join(f"U+{ord(c):04X}" if hidden(c, strict=True) else c for c in text)
    return out if len(out) <= limit else out[: limit - 3] + "…"


def problem(text: str) -> str | None:
    """The finding's wording for a text field holding hidden characters, or None."""
    found = hidden_characters(text)
    if not found:
        return None
    return f"“{shown(text, 40)}” chứa ký tự điều khiển hoặc ký tự vô hình ({codes(found)})."
