"""Văn phòng UBND tỉnh's plugin: a clean sample, and bad figures are found where they are.

Each case writes one bad cell into the sample's ``so-lieu.csv`` and expects exactly the findings
listed, as (fragment of the message, indicator whose row holds it) pairs, all of them errors;
the row's line is looked up, so adding an indicator shifts no case. Every ``[[rule]]`` and
every ``share`` of ``catalogue.toml`` has its case (FieldPluginCases checks it).
"""

from __future__ import annotations

import pytest

from cchc_pipeline.testing import FieldPluginCases

PLUGIN = "vp"


CONG_BO = "“Thủ tục hành chính được công bố, công khai”"
TIEP_NHAN = "“Hồ sơ TTHC được tiếp nhận”"

BAD_VALUES = [
    pytest.param(
        ("phan_anh_kien_nghi", 2011, "-5"),
        [("năm 2011: -5 nhỏ hơn giá trị tối thiểu 0", "phan_anh_kien_nghi")],
        id="negative count",
    ),
    pytest.param(
        ("ty_le_hai_long", 2020, "120"),
        [("năm 2020: 120 lớn hơn giá trị tối đa 100", "ty_le_hai_long")],
        id="percent over 100",
    ),
    pytest.param(
        ("phan_anh_kien_nghi", 2011, "12,5"),
        [("phải là số nguyên (phản ánh, kiến nghị)", "phan_anh_kien_nghi")],
        id="fraction in a count",
    ),
    pytest.param(
        ("ho_so_tre_han", 2011, ""),  # the sum it is a part of is then not checked
        [("thiếu số liệu năm 2011", "ho_so_tre_han")],
        id="missing year",
    ),
]

RULES = [
    pytest.param(
        ("ho_so_tre_han", 2011, "999.999"),
        [("= 1.151.713, không bằng “Hồ sơ TTHC đã giải quyết” (159.363)", "ho_so_giai_quyet")],
        id="sum ho_so_giai_quyet = ho_so_dung_han + ho_so_tre_han",
    ),
    pytest.param(
        ("tthc_cap_xa", 2011, "143"),
        [(f"= 1.987, không bằng {CONG_BO} (1.986)", "tthc_cong_bo")],
        id="sum tthc_cong_bo = tthc_cap_tinh + tthc_cap_huyen + tthc_cap_xa",
    ),
    pytest.param(
        ("dvc_muc_3", 2014, "24"),
        [("= 26, không bằng “Dịch vụ công trực tuyến mức độ 3, 4” (25)", "dvc_muc_3_4")],
        id="sum dvc_muc_3_4 = dvc_muc_3 + dvc_muc_4",
    ),
    pytest.param(
        # cannot break alone: tthc_cong_bo is a checked total, and dvc_muc_3_4 is the total
        # of a sum rule (levels 3 + 4, level 4 counting 0 before it is due) and the base of a
        # share, so raising it breaks all three
        ("dvc_muc_3_4", 2011, "2.000"),
        [
            (f"(2.000) lớn hơn {CONG_BO} (1.986)", "dvc_muc_3_4"),
            ("= 2, không bằng “Dịch vụ công trực tuyến mức độ 3, 4” (2.000)", "dvc_muc_3_4"),
            ("ghi 0,1%, nhưng tính từ", "ty_le_dvc_muc_3_4"),
        ],
        id="not_more dvc_muc_3_4 <= tthc_cong_bo",
    ),
    pytest.param(
        ("tthc_lien_thong", 2011, "2.000"),
        [(f"(2.000) lớn hơn {CONG_BO} (1.986)", "tthc_lien_thong")],
        id="not_more tthc_lien_thong <= tthc_cong_bo",
    ),
    pytest.param(
        ("ho_so_buu_chinh", 2016, "300.000"),
        [(f"(300.000) lớn hơn {TIEP_NHAN} (238.720)", "ho_so_buu_chinh")],
        id="not_more ho_so_buu_chinh <= ho_so_tiep_nhan",
    ),
    pytest.param(
        ("ho_so_truc_tuyen", 2015, "300.000"),
        [(f"(300.000) lớn hơn {TIEP_NHAN} (215.380)", "ho_so_truc_tuyen")],
        id="not_more ho_so_truc_tuyen <= ho_so_tiep_nhan",
    ),
]

SHARES = [
    pytest.param(
        ("ty_le_dung_han", 2011, "90"),
        [("ghi 90%, nhưng tính từ", "ty_le_dung_han")],
        id="ty_le_dung_han",
    ),
    pytest.param(
        ("ty_le_dvc_muc_3_4", 2011, "5"),
        [("ghi 5%, nhưng tính từ", "ty_le_dvc_muc_3_4")],
        id="ty_le_dvc_muc_3_4",
    ),
    pytest.param(
        ("ty_le_dvc_muc_4", 2020, "30"),
        [("ghi 30%, nhưng tính từ", "ty_le_dvc_muc_4")],
        id="ty_le_dvc_muc_4",
    ),
]


class TestVp(FieldPluginCases):
    PLUGIN = PLUGIN
    BAD_VALUES = BAD_VALUES
    RULES = RULES
    SHARES = SHARES
