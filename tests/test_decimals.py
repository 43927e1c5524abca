"""``decimals`` per indicator: the text and the tables show a value with the same digits."""

from __future__ import annotations

from pathlib import Path

import pytest

from cchc_pipeline.catalogue import load_catalogue
from cchc_pipeline.department import FieldData
from cchc_pipeline.errors import PluginError
from cchc_pipeline.intake.yearly import YearlyTable
from cchc_pipeline.render.tables import yearly_table

CATALOGUE = """
[[indicator]]
id = "diem_par"
label = "Chỉ số cải cách hành chính"
unit = "điểm"
kind = "decimal"
decimals = 2

[[indicator]]
id = "ty_le"
label = "Tỷ lệ hồ sơ đúng hạn"
unit = "%"
kind = "percent"
decimals = 1

[[indicator]]
id = "ho_so"
label = "Hồ sơ tiếp nhận"
unit = "hồ sơ"
"""


def _catalogue(tmp_path: Path, text: str = CATALOGUE):
    path = tmp_path / "catalogue.toml"
    path.write_text(text, encoding="utf-8")
    return load_catalogue(path)


def test_text_and_table_show_the_same_digits(tmp_path):
    catalogue = _catalogue(tmp_path)
    table = YearlyTable(
        values={"diem_par": {2020: 63.6}, "ty_le": {2020: 97}, "ho_so": {2020: 1250}}
    )
    data = FieldData(catalogue=catalogue, years=range(2011, 2021), table=table)
    assert data.format("diem_par") == "63,60"
    assert data.format("ty_le") == "97,0%"
    assert data.format("ho_so") == "1.250"
    assert data.format("diem_par", 70) == "70,00"
    assert data.format("ty_le", None) == "97,0%"
    rendered = yearly_table(catalogue, table, [2020], title="Biểu")
    row = next(line for line in rendered.splitlines() if "Chỉ số cải cách" in line)
    assert "63,60" in row and "63,6 " not in row
    assert "97,0%" in next(line for line in rendered.splitlines() if "Tỷ lệ" in line)


@pytest.mark.parametrize(
    ("value", "kind", "message"),
    [
        ("-1", "decimal", "decimals phải là số nguyên từ 0 đến 6"),
        ("7", "decimal", "decimals phải là số nguyên từ 0 đến 6"),
        ('"2"', "decimal", "decimals phải là số nguyên từ 0 đến 6"),
        ("true", "decimal", "decimals phải là số nguyên từ 0 đến 6"),
        ("2", "count", "chỉ tiêu đếm (count) không có phần thập phân"),
    ],
)
def test_bad_decimals_are_catalogue_errors(tmp_path, value, kind, message):
    text = (
        f'[[indicator]]\nid = "a"\nlabel = "A"\nunit = "x"\nkind = "{kind}"\ndecimals = {value}\n'
    )
    with pytest.raises(PluginError) as raised:
        _catalogue(tmp_path, text)
    assert message in str(raised.value)
