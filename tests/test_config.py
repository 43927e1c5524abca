"""config.toml: every mistake exits 2 with the file, the line and the key, and no traceback."""

from __future__ import annotations

import pytest

from cchc_pipeline.config import load_config
from cchc_pipeline.errors import ConfigError


def line_of(project, text: str) -> int:
    for number, line in enumerate(project.config_text().splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(text)


def assert_usage_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


def test_sample_config_loads(project):
    config = load_config(project.config_path)
    assert config.document["symbol"] == "BC-UBND"
    assert config.agency["name"] == ("ỦY BAN NHÂN DÂN", "TỈNH LẠNG SƠN")
    assert config.document["period"] == (2011, 2020)


def test_toml_syntax_error_names_file_and_line(project):
    project.edit_config('place = "Lạng Sơn"', 'place = "Lạng Sơn')
    line = line_of(project, 'place = "Lạng Sơn')
    result = project.run("build", "-f", "md")
    assert_usage_error(result, f"config.toml:{line}", "lỗi cú pháp TOML")
    assert not (project.root / "build").exists()


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        ('place = "Lạng Sơn"', 'place = "Lạng Sơn', "chuỗi văn bản thiếu dấu ngoặc kép đóng"),
        ('place = "Lạng Sơn"', "place = Lạng Sơn", "văn bản phải đặt trong dấu ngoặc kép"),
        ('place = "Lạng Sơn"', 'place "Lạng Sơn"', "thiếu dấu “=” sau tên khóa"),
        ("[signer]", "[document]", "mục “document” được khai báo hai lần"),
    ],
)
def test_toml_syntax_errors_are_told_in_vietnamese(project, old, new, reason):
    project.edit_config(old, new)
    result = project.run("validate")
    assert result.exit_code == 2
    assert reason in result.stderr, result.stderr


def test_unknown_key_names_line_and_suggests(project):
    project.edit_config('name = "bao-cao', 'nmae = "bao-cao')
    line = line_of(project, "nmae =")
    result = project.run("validate")
    assert_usage_error(
        result, f"config.toml:{line}", "“nmae”", "[output]", "Có phải ý bạn là “name”"
    )


def test_unknown_table_is_reported(project):
    project.edit_config("[output]", "[ouptut]")
    result = project.run("build", "-f", "md")
    assert_usage_error(result, "mục [ouptut]", "Có phải ý bạn là “output”")


def test_missing_submission_folder_names_line_and_key(project):
    project.edit_config('stp = "submissions/stp"', 'stp = "submissions/khong-co"')
    line = line_of(project, "submissions/khong-co")
    result = project.run("build", "-f", "md")
    assert_usage_error(result, f"config.toml:{line}", "“submissions/khong-co”", "“stp”")


def test_wrong_type_names_key_and_expected_type(project):
    project.edit_config("date = 2020-11-20", 'date = "20/11/2020"')
    line = line_of(project, 'date = "20/11/2020"')
    result = project.run("build", "-f", "md")
    assert_usage_error(result, f"config.toml:{line}", "“date”", "một ngày dạng 2020-11-20")


def test_missing_required_key(project):
    project.edit_config('position = "PHÓ CHỦ TỊCH"\n', "")
    result = project.run("build", "-f", "md")
    assert_usage_error(result, "[signer] thiếu khóa bắt buộc “position”")


def test_every_problem_is_listed_at_once(project):
    project.edit_config("date = 2020-11-20", "date = 20")
    project.edit_config("[output]", "[output]\ncolour = 1")
    result = project.run("build", "-f", "md")
    assert_usage_error(result, "“date”", "“colour”")


def test_unknown_plugin_in_order_suggests(project):
    project.set_list("order", ["stpp"])
    result = project.run("build", "-f", "md")
    assert_usage_error(result, "không có plugin “stpp”", "Có phải ý bạn là “stp”")


def test_unknown_plugin_in_submissions(project):
    project.edit_config("[submissions]", '[submissions]\nstpx = "submissions/stp"')
    result = project.run("build", "-f", "md")
    assert_usage_error(result, "không có plugin “stpx”")


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="Không tìm thấy tệp cấu hình"):
        load_config(tmp_path / "config.toml")


def test_text_is_normalised_to_nfc(project):
    decomposed = "Ho\u0300a"  # "Hòa" written with a combining accent (NFD)
    project.edit_config('name = "Nguyễn Văn Minh họa"', f'name = "{decomposed}"')
    assert load_config(project.config_path).signer["name"] == "H\u00f2a"


def test_output_folder_given_on_the_command_line_may_not_be_an_input(project):
    before = sorted(p.name for p in (project.root / "submissions" / "stp").iterdir())
    result = project.run("build", "-f", "md", "-o", str(project.root / "submissions" / "stp"))
    assert result.exit_code == 2
    assert "nằm trong hoặc chứa một thư mục bài nộp" in result.stderr
    assert "Traceback" not in result.output
    assert sorted(p.name for p in (project.root / "submissions" / "stp").iterdir()) == before
