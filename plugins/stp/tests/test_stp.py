"""Sở Tư pháp's plugin: a clean sample, and bad figures are found where they are.

Each case writes one bad cell into the sample's ``so-lieu.csv`` and expects exactly the findings
listed, as (fragment of the message, indicator whose row holds it) pairs, all of them errors;
the row's line is looked up, so adding an indicator shifts no case. Every ``[[rule]]`` and
every ``share`` of ``catalogue.toml`` has its case (FieldPluginCases checks it).
"""

from __future__ import annotations

import pytest

from cchc_pipeline.testing import FieldPluginCases

PLUGIN = "stp"


BAN_HANH = "“Văn bản QPPL do HĐND, UBND tỉnh ban hành”"

BAD_VALUES = [
    pytest.param(
        ("pbgdpl_buoi", 2011, "-5"),
        [("năm 2011: -5 nhỏ hơn giá trị tối thiểu 0", "pbgdpl_buoi")],
        id="negative count",
    ),
    pytest.param(
        ("ty_le_tham_dinh", 2014, "120"),
        # a percentage over 100 cannot agree with its share either
        [
            ("năm 2014: 120 lớn hơn giá trị tối đa 100", "ty_le_tham_dinh"),
            ("ghi 120%, nhưng tính từ", "ty_le_tham_dinh"),
        ],
        id="percent over 100",
    ),
    pytest.param(
        ("pbgdpl_buoi", 2011, "12,5"),
        [("phải là số nguyên (buổi)", "pbgdpl_buoi")],
        id="fraction in a count",
    ),
    pytest.param(
        ("pbgdpl_luot_nguoi", 2015, ""),
        [("thiếu số liệu năm 2015", "pbgdpl_luot_nguoi")],
        id="missing year",
    ),
    pytest.param(
        ("vbqppl_kiem_tra", 2011, "sáu hai"),
        [("“sáu hai” không phải là số", "vbqppl_kiem_tra")],
        id="text in a number cell",
    ),
]

RULES = [
    pytest.param(
        ("vbqppl_hdnd", 2011, "19"),
        [(f"= 63, không bằng {BAN_HANH} (62)", "vbqppl_ban_hanh")],
        id="sum vbqppl_ban_hanh = vbqppl_hdnd + vbqppl_ubnd",
    ),
    pytest.param(
        ("vbqppl_tham_dinh", 2011, "63"),
        # cannot break alone: ban_hanh is a checked total, and more documents appraised than
        # issued computes ty_le_tham_dinh over 100 %, which no reported rate can match
        [
            (f"(63) lớn hơn {BAN_HANH} (62)", "vbqppl_tham_dinh"),
            ("ghi 93,5%, nhưng tính từ", "ty_le_tham_dinh"),
        ],
        id="not_more vbqppl_tham_dinh <= vbqppl_ban_hanh",
    ),
    pytest.param(
        ("vbqppl_kiem_tra", 2011, "63"),
        [(f"(63) lớn hơn {BAN_HANH} (62)", "vbqppl_kiem_tra")],
        id="not_more vbqppl_kiem_tra <= vbqppl_ban_hanh",
    ),
    pytest.param(
        ("vbqppl_kiem_tra", 2011, "4"),
        [("(5) lớn hơn “Văn bản QPPL được kiểm tra sau ban hành” (4)", "vbqppl_trai_phap_luat")],
        id="not_more vbqppl_trai_phap_luat <= vbqppl_kiem_tra",
    ),
    pytest.param(
        ("vbqppl_trai_phap_luat", 2011, "0"),  # a zero denominator: the share is not computed
        [("(5) lớn hơn “Văn bản QPPL phát hiện trái pháp luật qua kiểm tra” (0)", "vbqppl_xu_ly")],
        id="not_more vbqppl_xu_ly <= vbqppl_trai_phap_luat",
    ),
    pytest.param(
        ("vbqppl_het_hieu_luc", 2011, "29"),
        [("= 136, không bằng “Văn bản QPPL được rà soát, hệ thống hóa” (135)", "vbqppl_ra_soat")],
        id="sum vbqppl_ra_soat = vbqppl_con_hieu_luc + vbqppl_het_hieu_luc",
    ),
]

SHARES = [
    pytest.param(
        ("ty_le_tham_dinh", 2011, "90"),
        [("ghi 90%, nhưng tính từ", "ty_le_tham_dinh")],
        id="ty_le_tham_dinh",
    ),
    pytest.param(
        ("ty_le_xu_ly", 2020, "70"),
        [("ghi 70%, nhưng tính từ", "ty_le_xu_ly")],
        id="ty_le_xu_ly",
    ),
]


class TestStp(FieldPluginCases):
    PLUGIN = PLUGIN
    BAD_VALUES = BAD_VALUES
    RULES = RULES
    SHARES = SHARES
