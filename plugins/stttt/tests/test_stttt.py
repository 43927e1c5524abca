"""Sở TT&TT's plugin: a clean sample, and bad figures are found where they are.

Each case writes one bad cell into the sample's ``so-lieu.csv`` and expects exactly the findings
listed, as (fragment of the message, indicator whose row holds it) pairs, all of them errors;
the row's line is looked up, so adding an indicator shifts no case. Every ``[[rule]]`` and
every ``share`` of ``catalogue.toml`` has its case (FieldPluginCases checks it).
"""

from __future__ import annotations

import pytest

from cchc_pipeline.testing import FieldPluginCases

PLUGIN = "stttt"


HCNN = "“Cơ quan hành chính nhà nước ba cấp (sở, ban, ngành; UBND cấp huyện; UBND cấp xã)”"

BAD_VALUES = [
    pytest.param(
        ("chung_thu_so", 2011, "-5"),
        [("năm 2011: -5 nhỏ hơn giá trị tối thiểu 0", "chung_thu_so")],
        id="negative count",
    ),
    pytest.param(
        ("ty_le_van_ban_dien_tu", 2011, "120"),
        # a percentage over 100 cannot agree with its share either
        [
            ("năm 2011: 120 lớn hơn giá trị tối đa 100", "ty_le_van_ban_dien_tu"),
            ("ghi 120%, nhưng tính từ", "ty_le_van_ban_dien_tu"),
        ],
        id="percent over 100",
    ),
    pytest.param(
        ("kien_truc_cqdt", 2018, "0,5"),
        [("nhỏ hơn giá trị tối thiểu 1.", "kien_truc_cqdt")],
        id="under the catalogue's min",
    ),
    pytest.param(
        ("mot_cua_ket_noi_dvcqg", 2020, "2"),
        [("năm 2020: 2 lớn hơn giá trị tối đa 1", "mot_cua_ket_noi_dvcqg")],
        id="over the catalogue's max",
    ),
    pytest.param(
        ("chung_thu_so", 2011, "12,5"),
        [("phải là số nguyên (chứng thư)", "chung_thu_so")],
        id="fraction in a count",
    ),
    pytest.param(
        ("dvc_muc_4", 2011, ""),
        [("thiếu số liệu năm 2011", "dvc_muc_4")],
        id="missing year",
    ),
]

RULES = [
    pytest.param(
        ("dvc_muc_4", 2011, "50"),
        [("(50) lớn hơn “Dịch vụ công trực tuyến mức độ 3, 4” (2)", "dvc_muc_4")],
        id="not_more dvc_muc_4 <= dvc_muc_3_4",
    ),
    pytest.param(
        ("van_ban_trao_doi", 2011, "0"),  # a zero denominator: the share is not computed
        [
            (
                "(12.308) lớn hơn “Văn bản trao đổi giữa các cơ quan hành chính nhà nước” (0)",
                "van_ban_dien_tu",
            )
        ],
        id="not_more van_ban_dien_tu <= van_ban_trao_doi",
    ),
    pytest.param(
        # 259 / 258 is 100,39 %, within the share's tolerance of the reported 100 %
        ("co_quan_qlvb", 2019, "259"),
        [(f"(259) lớn hơn {HCNN} (258)", "co_quan_qlvb")],
        id="not_more co_quan_qlvb <= co_quan_hcnn",
    ),
    pytest.param(
        ("mot_cua_dien_tu", 2011, "300"),
        [(f"(300) lớn hơn {HCNN} (258)", "mot_cua_dien_tu")],
        id="not_more mot_cua_dien_tu <= co_quan_hcnn",
    ),
]

SHARES = [
    pytest.param(
        ("ty_le_van_ban_dien_tu", 2011, "20"),
        [("ghi 20%, nhưng tính từ", "ty_le_van_ban_dien_tu")],
        id="ty_le_van_ban_dien_tu",
    ),
    pytest.param(
        ("ty_le_co_quan_qlvb", 2011, "10"),
        [("ghi 10%, nhưng tính từ", "ty_le_co_quan_qlvb")],
        id="ty_le_co_quan_qlvb",
    ),
]


class TestStttt(FieldPluginCases):
    PLUGIN = PLUGIN
    BAD_VALUES = BAD_VALUES
    RULES = RULES
    SHARES = SHARES
