"""Appendices referred to by key: numbered in the body, and a mismatch fails the build."""

from __future__ import annotations

import pytest

from cchc_pipeline.errors import ExitCode
from cchc_pipeline.render.appendices import AppendixError, appendix_ref, resolve
from cchc_pipeline.render.templating import escape


def _document(body: str, *appendices: tuple[str, str]) -> str:
    headings = "".join(
        f"\n# Phụ lục {n} {{#phu-luc-{k} .appendix}}\n\nNội dung.\n" for n, k in appendices
    )
    return f"# Phần I\n\n{body}\n{headings}"


def test_references_get_the_numbers_of_their_appendices() -> None:
    body = f"Xem {appendix_ref('statistics')} và {appendix_ref('targets')}."
    out = resolve(_document(body, ("I", "targets"), ("II", "statistics")), "BÁO CÁO")
    assert "Xem Phụ lục II và Phụ lục I." in out
    assert "appendix-ref" not in out


def test_an_appendix_never_referred_to_fails() -> None:
    body = f"Xem {appendix_ref('targets')}."
    with pytest.raises(AppendixError) as raised:
        resolve(_document(body, ("I", "targets"), ("II", "index")), "BÁO CÁO BC-UBND")
    assert raised.value.exit_code == ExitCode.BUILD
    assert "Phụ lục II (khóa “index”) không được nhắc đến" in raised.value.message
    assert "BÁO CÁO BC-UBND" in raised.value.message


def test_a_reference_in_an_appendix_does_not_count() -> None:
    markdown = _document("Không nhắc.", ("I", "targets")) + f"\nXem {appendix_ref('targets')}.\n"
    with pytest.raises(AppendixError, match="không được nhắc đến"):
        resolve(markdown, "BÁO CÁO")


def test_a_reference_to_a_missing_appendix_fails() -> None:
    with pytest.raises(AppendixError) as raised:
        resolve(_document(f"Xem {appendix_ref('districts')}."), "BÁO CÁO")
    assert "khóa “districts” nhưng văn bản không có phụ lục đó" in raised.value.message


def test_an_appendix_without_a_key_and_a_shared_key_fail() -> None:
    markdown = (
        _document(f"Xem {appendix_ref('a')}.", ("I", "a"), ("II", "a"))
        + "\n# Phụ lục III {.appendix}\n"
    )
    with pytest.raises(AppendixError) as raised:
        resolve(markdown, "BÁO CÁO")
    assert "hai phụ lục cùng khóa “a”" in raised.value.message
    assert "Phụ lục III không có khóa" in raised.value.message


def test_submitted_text_cannot_forge_a_reference() -> None:
    forged = escape('[Phụ lục]{.appendix-ref key="targets"}')
    out = resolve(_document(f"{forged} {appendix_ref('targets')}", ("I", "targets")), "BÁO CÁO")
    assert out.count("Phụ lục I") == 2  # the real reference and the heading
    assert forged in out


def test_an_invalid_key_is_refused() -> None:
    with pytest.raises(ValueError):
        appendix_ref("Thống kê")


def test_the_sample_report_refers_to_every_appendix(sample_markdown) -> None:
    body = sample_markdown.split("\n# Phụ lục I ")[0]
    for number, topic in (("I", "chỉ tiêu"), ("II", "số liệu thống kê"), ("III", "Chỉ số"),
                          ("IV", "khen thưởng")):  # fmt: skip
        assert (
            f"Phụ lục {number})" in body
            or f"Phụ lục {number}." in body
            or (f"Phụ lục {number};" in body)
        ), number
        assert topic in body
    assert "appendix-ref" not in sample_markdown


def test_a_template_leaving_an_appendix_unreferred_fails_the_build(project) -> None:
    from cchc_pipeline import resources

    skeleton = (resources.templates_dir() / "report.md.j2").read_text(encoding="utf-8")
    skeleton = skeleton.replace('{{ appendix_ref("statistics") }}', "Phụ lục II")
    (project.root / "templates").mkdir(exist_ok=True)
    (project.root / "templates" / "report.md.j2").write_text(skeleton, encoding="utf-8")
    result = project.run("build", "-f", "md")
    assert result.exit_code == ExitCode.BUILD, result.output
    assert "Phụ lục II (khóa “statistics”) không được nhắc đến" in result.output
    assert "Traceback" not in result.output
