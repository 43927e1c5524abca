"""Sở Tài chính's plugin: a clean sample, and bad figures are found where they are.

Each case writes one bad cell into the sample's ``so-lieu.csv`` and expects exactly the findings
listed, as (fragment of the message, indicator whose row holds it) pairs, all of them errors;
the row's line is looked up, so adding an indicator shifts no case. Every ``[[rule]]`` and
every ``share`` of ``catalogue.toml`` has its case (FieldPluginCases checks it).
"""

from __future__ import annotations

import pytest

from cchc_pipeline.testing import FieldPluginCases

PLUGIN = "stc"


TU_CHU = "“Đơn vị sự nghiệp công lập được giao quyền tự chủ tài chính”"

BAD_VALUES = [
    pytest.param(
        ("nha_dat_sap_xep", 2011, "-5"),
        [("năm 2011: -5 nhỏ hơn giá trị tối thiểu 0", "nha_dat_sap_xep")],
        id="negative count",
    ),
    pytest.param(
        ("tiet_kiem_cai_cach_tien_luong", 2011, "-5"),
        [("năm 2011: -5 nhỏ hơn giá trị tối thiểu 0", "tiet_kiem_cai_cach_tien_luong")],
        id="negative decimal with min 0",
    ),
    pytest.param(
        ("ty_le_tu_chu_hanh_chinh", 2011, "120"),
        # a percentage over 100 cannot agree with its share either
        [
            ("năm 2011: 120 lớn hơn giá trị tối đa 100", "ty_le_tu_chu_hanh_chinh"),
            ("ghi 120%, nhưng tính từ", "ty_le_tu_chu_hanh_chinh"),
        ],
        id="percent over 100",
    ),
    pytest.param(
        ("nha_dat_sap_xep", 2011, "12,5"),
        [("phải là số nguyên (cơ sở)", "nha_dat_sap_xep")],
        id="fraction in a count",
    ),
    pytest.param(
        ("dvsncl_tu_bao_dam_mot_phan", 2011, ""),  # the sum is then not checked
        [("thiếu số liệu năm 2011", "dvsncl_tu_bao_dam_mot_phan")],
        id="missing year",
    ),
]

RULES = [
    pytest.param(
        # 330 / 329 is 100,30 %, within the share's tolerance of the reported 100 %
        ("co_quan_tu_chu_hanh_chinh", 2020, "330"),
        [
            (
                "(330) lớn hơn “Cơ quan hành chính nhà nước sử dụng kinh phí",
                "co_quan_tu_chu_hanh_chinh",
            )
        ],
        id="not_more co_quan_tu_chu_hanh_chinh <= co_quan_hanh_chinh",
    ),
    pytest.param(
        ("dvsncl_tu_bao_dam_mot_phan", 2011, "900"),
        [(f"= 1.456, không bằng {TU_CHU} (742)", "dvsncl_tu_chu")],
        id="sum dvsncl_tu_chu = dvsncl_tu_bao_dam_chi_tx + dvsncl_tu_bao_dam_mot_phan"
        " + dvsncl_nn_bao_dam",
    ),
    pytest.param(
        ("dvsncl_co_phan_hoa", 2011, "800"),
        [(f"(800) lớn hơn {TU_CHU} (742)", "dvsncl_co_phan_hoa")],
        id="not_more dvsncl_co_phan_hoa <= dvsncl_tu_chu",
    ),
]

SHARES = [
    pytest.param(
        ("ty_le_tu_chu_hanh_chinh", 2011, "90"),
        [("ghi 90%, nhưng tính từ", "ty_le_tu_chu_hanh_chinh")],
        id="ty_le_tu_chu_hanh_chinh",
    ),
    pytest.param(
        ("ty_le_dvsncl_tu_bao_dam", 2011, "5"),
        [("ghi 5%, nhưng tính từ", "ty_le_dvsncl_tu_bao_dam")],
        id="ty_le_dvsncl_tu_bao_dam",
    ),
]


class TestStc(FieldPluginCases):
    PLUGIN = PLUGIN
    BAD_VALUES = BAD_VALUES
    RULES = RULES
    SHARES = SHARES
