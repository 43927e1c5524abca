"""Sở KH&CN's plugin: a clean sample, and bad figures are found where they are.

Each case writes one bad cell into the sample's ``so-lieu.csv`` and expects exactly the findings
listed, as (fragment of the message, indicator whose row holds it) pairs, all of them errors;
the row's line is looked up, so adding an indicator shifts no case. Every ``[[rule]]`` and
every ``share`` of ``catalogue.toml`` has its case (FieldPluginCases checks it).
"""

from __future__ import annotations

import pytest

from cchc_pipeline.testing import FieldPluginCases

PLUGIN = "skhcn"


CAP_TINH = "“Cơ quan, tổ chức hành chính cấp tỉnh áp dụng TCVN ISO 9001” +"
TONG = "“Tổng số cơ quan hành chính nhà nước áp dụng TCVN ISO 9001”"

BAD_VALUES = [
    pytest.param(
        ("iso_kiem_tra", 2011, "-5"),
        [("năm 2011: -5 nhỏ hơn giá trị tối thiểu 0", "iso_kiem_tra")],
        id="negative count",
    ),
    pytest.param(
        ("ty_le_xa_ap_dung", 2011, "120"),
        # a percentage over 100 cannot agree with its share either
        [
            ("năm 2011: 120 lớn hơn giá trị tối đa 100", "ty_le_xa_ap_dung"),
            ("ghi 120%, nhưng tính từ", "ty_le_xa_ap_dung"),
        ],
        id="percent over 100",
    ),
    pytest.param(
        ("iso_ap_dung_cap_huyen", 2011, "12"),
        # a part of the total by level: the sum breaks too
        [
            ("năm 2011: 12 lớn hơn giá trị tối đa 11", "iso_ap_dung_cap_huyen"),
            (f"= 31, không bằng {TONG} (28)", "iso_ap_dung_tong"),
        ],
        id="over the catalogue's max",
    ),
    pytest.param(
        ("iso_kiem_tra", 2011, "12,5"),
        [("phải là số nguyên (cuộc)", "iso_kiem_tra")],
        id="fraction in a count",
    ),
    pytest.param(
        ("iso_cong_bo", 2011, ""),
        [("thiếu số liệu năm 2011", "iso_cong_bo")],
        id="missing year",
    ),
]

RULES = [
    pytest.param(
        ("iso_ap_dung_cap_tinh", 2011, "20"),
        [(f"áp dụng TCVN ISO 9001” = 29, không bằng {TONG} (28)", "iso_ap_dung_tong")],
        id="sum iso_ap_dung_tong = iso_ap_dung_cap_tinh + iso_ap_dung_cap_huyen"
        " + iso_ap_dung_cap_xa",
    ),
    pytest.param(
        ("iso_2008", 2016, "57"),  # before 2016 iso_2015 is not due and the sum not checked
        [(f"9001:2015” = 60, không bằng {TONG} (59)", "iso_ap_dung_tong")],
        id="sum iso_ap_dung_tong = iso_2008 + iso_2015",
    ),
    pytest.param(
        ("iso_cong_bo", 2011, "2600"),
        [(f"(2.600) lớn hơn {CAP_TINH}", "iso_cong_bo")],
        id="not_more iso_cong_bo <= iso_ap_dung_cap_tinh + iso_ap_dung_cap_huyen"
        " + iso_ap_dung_cap_xa",
    ),
    pytest.param(
        ("iso_co_quan_kiem_tra", 2011, "100"),
        [(f"(100) lớn hơn {CAP_TINH}", "iso_co_quan_kiem_tra")],
        id="not_more iso_co_quan_kiem_tra <= iso_ap_dung_cap_tinh + iso_ap_dung_cap_huyen"
        " + iso_ap_dung_cap_xa",
    ),
    pytest.param(
        ("so_xa", 2020, "0"),  # a zero denominator: the share is not computed
        [("(148) lớn hơn “Đơn vị hành chính cấp xã trên địa bàn tỉnh” (0)", "iso_ap_dung_cap_xa")],
        id="not_more iso_ap_dung_cap_xa <= so_xa",
    ),
]

SHARES = [
    pytest.param(
        ("ty_le_xa_ap_dung", 2011, "5"),
        [("ghi 5%, nhưng tính từ", "ty_le_xa_ap_dung")],
        id="ty_le_xa_ap_dung",
    ),
]


class TestSkhcn(FieldPluginCases):
    PLUGIN = PLUGIN
    BAD_VALUES = BAD_VALUES
    RULES = RULES
    SHARES = SHARES
