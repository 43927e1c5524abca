"""Appendices referred to by key, numbered once the document is assembled.

Decree 30/2020 wants every appendix cited in the body where its content is discussed
("(chi tiết tại Phụ lục II)"). Which number an appendix gets depends on which appendices the
build has (no targets, no Phụ lục I), and a section's text is rendered before the document's
skeleton numbers them, so a template refers to an appendix by its key (``appendix_ref``) and
the skeleton gives each appendix a key (``appendix_heading(…, key=…)``). One pass over the
assembled Markdown then writes the numbers in, and refuses a document whose appendices and
references do not match: an appendix the body never cites, or a citation of an appendix the
document does not have, fails the build (exit code 3) before anything is converted.

The reference is a Pandoc span only the core writes: escaped text has every ``[`` and ``{``
behind a backslash and a narrative cannot hold spans, so no submitted text can forge one.
"""

from __future__ import annotations

import re

from ..errors import CchcError, ExitCode
from .escaping import Markdown
from .numbering import SLIDES_FENCE

KEY = re.compile(r"[a-z][a-z0-9_-]*")
_REFERENCE = re.compile(r'(?<!\\)((?:\\\\)*)\[Phụ lục\]\{\.appendix-ref key="([^"\n]*)"\}')
_HEADING = re.compile(r"^# Phụ lục ([IVXLCDM]+|\d+) \{([^}\n]*)\}[ \t]*$", re.MULTILINE)
_ID = re.compile(r"#phu-luc-([a-z0-9_-]+)")
HINT = (
    'Mỗi phụ lục có một khóa (appendix_heading(…, key="…")) và được nhắc đến trong phần '
    'nội dung, ở đoạn nói về nội dung của nó, bằng {{ appendix_ref("khóa") }}; xem mục '
    "“appendix_ref” trong docs/templates.md."
)


class AppendixError(CchcError):
    """A document whose appendices and the body's references to them do not match: the
    template's fault, to be fixed by whoever maintains it."""

    exit_code = ExitCode.BUILD


def appendix_ref(key: str) -> Markdown:
    """The reference to the appendix with ``key``, as "Phụ lục II" once numbered."""
    if not isinstance(key, str) or not KEY.fullmatch(key):
        raise ValueError(f"khóa phụ lục “{key}” không hợp lệ (chữ thường không dấu, số, - hoặc _)")
    return Markdown(f'[Phụ lục]{{.appendix-ref key="{key}"}}')


def resolve(markdown: str, document: str) -> Markdown:
    """Write each reference's appendix number in; raise :class:`AppendixError` naming every
    mismatch of ``document`` (how the message names it, e.g. "BÁO CÁO BC-UBND")."""
    text, fence, slides = markdown.partition(SLIDES_FENCE)
    numbers: dict[str, str] = {}
    problems: list[str] = []
    headings = list(_HEADING.finditer(text))
    for heading in headings:
        if ".appendix" not in heading.group(2).split():
            continue
        found = _ID.search(heading.group(2))
        if found is None:
            problems.append(
                f"Phụ lục {heading.group(1)} không có khóa nên không thể được nhắc đến trong nội "
                "dung."
            )
        elif found.group(1) in numbers:
            problems.append(f"hai phụ lục cùng khóa “{found.group(1)}”.")
        else:
            numbers[found.group(1)] = heading.group(1)
    first = next((h.start() for h in headings if ".appendix" in h.group(2).split()), len(text))
    cited = {m.group(2) for m in _REFERENCE.finditer(text[:first])}
    named = {m.group(2) for m in _REFERENCE.finditer(markdown)}
    for key in sorted(named - set(numbers)):
        problems.append(
            f"nội dung nhắc đến phụ lục có khóa “{key}” nhưng văn bản không có phụ lục đó."
        )
    for key, number in numbers.items():
        if key not in cited:
            problems.append(
                f"Phụ lục {number} (khóa “{key}”) không được nhắc đến trong phần nội dung."
            )
    if problems:
        raise AppendixError(
            f"Văn bản {document}: phụ lục và chỗ nhắc đến không khớp:\n"
            + "\n".join(f"  - {p}" for p in problems),
            HINT,
        )

    def number(match: re.Match[str]) -> str:
        return f"{match.group(1)}Phụ lục {numbers[match.group(2)]}"

    return Markdown(_REFERENCE.sub(number, text) + fence + _REFERENCE.sub(number, slides))
