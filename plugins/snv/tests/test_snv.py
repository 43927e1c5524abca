"""Sở Nội vụ's plugin: a clean sample, and bad figures are found where they are.

Each case writes one bad cell into the sample's ``so-lieu.csv`` and expects exactly the findings
listed, as (fragment of the message, indicator whose row holds it) pairs, all of them errors;
the row's line is looked up, so adding an indicator shifts no case. Every ``[[rule]]`` and
every ``share`` of ``catalogue.toml`` has its case (FieldPluginCases checks it).
"""

from __future__ import annotations

import pytest

from cchc_pipeline.testing import FieldPluginCases

PLUGIN = "snv"


TINH_GON = "trái với yêu cầu tinh gọn"

BAD_VALUES = [
    pytest.param(
        ("dao_tao_boi_duong", 2011, "-5"),
        [("năm 2011: -5 nhỏ hơn giá trị tối thiểu 0", "dao_tao_boi_duong")],
        id="negative count",
    ),
    pytest.param(
        ("ty_le_cbcc_xa_dat_chuan", 2011, "120"),
        # a percentage over 100 cannot agree with its share either
        [
            ("năm 2011: 120 lớn hơn giá trị tối đa 100", "ty_le_cbcc_xa_dat_chuan"),
            ("ghi 120%, nhưng tính từ", "ty_le_cbcc_xa_dat_chuan"),
        ],
        id="percent over 100",
    ),
    pytest.param(
        ("co_quan_chuyen_mon", 2011, "31"),
        [("năm 2011: 31 lớn hơn giá trị tối đa 30", "co_quan_chuyen_mon")],
        id="over the catalogue's max",
    ),
    pytest.param(
        ("dao_tao_boi_duong", 2011, "12,5"),
        [("phải là số nguyên (lượt người)", "dao_tao_boi_duong")],
        id="fraction in a count",
    ),
    pytest.param(
        ("cong_chuc_ky_luat", 2011, ""),
        [("thiếu số liệu năm 2011", "cong_chuc_ky_luat")],
        id="missing year",
    ),
]

RULES = [
    pytest.param(
        ("dvsncl", 2020, "800"),
        [(f"(năm 2020: 800) nhiều hơn đầu kỳ (năm 2011: 742), {TINH_GON}", "dvsncl")],
        id="reduction dvsncl",
    ),
    pytest.param(
        ("co_quan_chuyen_mon", 2020, "25"),
        [(f"(năm 2020: 25) nhiều hơn đầu kỳ (năm 2011: 20), {TINH_GON}", "co_quan_chuyen_mon")],
        id="reduction co_quan_chuyen_mon",
    ),
    pytest.param(
        ("phong_thuoc_so", 2020, "200"),
        [(f"(năm 2020: 200) nhiều hơn đầu kỳ (năm 2011: 168), {TINH_GON}", "phong_thuoc_so")],
        id="reduction phong_thuoc_so",
    ),
    pytest.param(
        ("don_vi_hanh_chinh_xa", 2020, "230"),
        [(f"(năm 2020: 230) nhiều hơn đầu kỳ (năm 2011: 226), {TINH_GON}", "don_vi_hanh_chinh_xa")],
        id="reduction don_vi_hanh_chinh_xa",
    ),
    pytest.param(
        ("cbcc_xa", 2011, "0"),  # a zero denominator: the share is not computed
        [("(2.955) lớn hơn “Cán bộ, công chức cấp xã” (0)", "cbcc_xa_dat_chuan")],
        id="not_more cbcc_xa_dat_chuan <= cbcc_xa",
    ),
    pytest.param(
        ("cong_chuc_ky_luat", 2011, "9999"),
        [("(9.999) lớn hơn “Công chức cấp tỉnh, cấp huyện” (2.584)", "cong_chuc_ky_luat")],
        id="not_more cong_chuc_ky_luat <= cong_chuc",
    ),
    pytest.param(
        ("tinh_gian_bien_che", 2015, "50.000"),
        [("+ “Cán bộ, công chức cấp xã” (28.874)", "tinh_gian_bien_che")],
        id="not_more tinh_gian_bien_che <= cong_chuc + vien_chuc + cbcc_xa",
    ),
    pytest.param(
        ("tuyen_dung", 2011, "50.000"),
        [("+ “Viên chức trong đơn vị sự nghiệp công lập” (24.444)", "tuyen_dung")],
        id="not_more tuyen_dung <= cong_chuc + vien_chuc",
    ),
]

SHARES = [
    pytest.param(
        ("ty_le_cbcc_xa_dat_chuan", 2011, "70"),
        [("ghi 70%, nhưng tính từ", "ty_le_cbcc_xa_dat_chuan")],
        id="ty_le_cbcc_xa_dat_chuan",
    ),
]


class TestSnv(FieldPluginCases):
    PLUGIN = PLUGIN
    BAD_VALUES = BAD_VALUES
    RULES = RULES
    SHARES = SHARES
