"""The commendation documents: the Tờ trình of the standing agency, the Quyết định of the
Chủ tịch UBND tỉnh, and the list that is the decision's appendix.

Awards are granted by a decision, on a proposal; the list is what both attach. Each
document's particulars come from its own table of ``config.toml`` (``[to_trinh]``,
``[quyet_dinh]``); every key left out is derived from the report's tables, so a project
that states nothing still gets documents a clerk can number and have signed. The counts
are computed from the nominations' groups (:mod:`cchc_pipeline.render.awards`), never typed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..config import ReportConfig
from ..render import vi
from ..render.awards import AwardGroup, counted, forms_phrase, group_awards, totals
from .documents import DocumentInfo

LAWS = (
    "Căn cứ Luật Thi đua, khen thưởng ngày 26/11/2003; Luật sửa đổi, bổ sung một số điều của "
    "Luật Thi đua, khen thưởng ngày 14/6/2005 và ngày 16/11/2013",
    "Căn cứ Nghị định số 91/2017/NĐ-CP ngày 31/7/2017 của Chính phủ quy định chi tiết thi hành "
    "một số điều của Luật Thi đua, khen thưởng",
)
LOCAL_GOVERNMENT = (
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19/6/2015; Luật sửa đổi, bổ sung một số "
    "điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa phương ngày 22/11/2019"
)
PRIZE_RULES = "Nghị định số 91/2017/NĐ-CP ngày 31/7/2017 của Chính phủ"
PRIZE_FUND = "Quỹ Thi đua, khen thưởng của {level}"  # tỉnh, huyện
BLANK_NUMBER = "\u00a0" * 8  # as templates' ``blank_number``: room for the clerk's number


@dataclass(frozen=True)
class Commendations:
    """Everything the three documents say, computed once for the build."""

    proposal: DocumentInfo  # the Tờ trình
    decision: DocumentInfo  # the Quyết định
    listing: DocumentInfo  # the list, printed on its own
    groups: tuple[AwardGroup, ...]
    proposal_bases: tuple[str, ...]
    decision_bases: tuple[str, ...]
    authority: tuple[str, ...]  # "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN"
    proposed_by: str  # "Theo đề nghị của … tại Tờ trình số … ngày …"
    prize_rules: str
    prize_fund: str
    executors: tuple[str, ...]
    list_title: str
    show_proposer: bool
    proposers: tuple[str, ...]

    @property
    def collectives(self) -> int:
        return totals(self.groups)[0]

    @property
    def individuals(self) -> int:
        return totals(self.groups)[1]

    @property
    def forms(self) -> str:
        return forms_phrase(self.groups)

    counted = staticmethod(counted)  # "14 tập thể và 14 cá nhân", for the templates

    @property
    def executing(self) -> str:
        """Điều 3's subject: the executors in one phrase, its first letter capitalised."""
        text = ", ".join(self.executors)
        return text[:1].upper() + text[1:]

    def attached_to(self, info: DocumentInfo, issuer: str) -> str:
        """The list's "(Kèm theo …)" line for the document it is attached to."""
        return (
            f"Kèm theo {info.kind[:1]}{info.kind[1:].lower()} số {number(info)}/{info.symbol} "
            f"{vi.long_date(info.date)} của {issuer}"
        )


def number(info: DocumentInfo) -> str:
    return info.number or BLANK_NUMBER


def _given(table: dict[str, Any], key: str, default: Any) -> Any:
    """A key of a commendation table, or its derived default when it was left out."""
    value = table.get(key)
    return default if value is None else value


def _in_sentence(agency: DocumentInfo) -> str:
    """ "Ủy ban nhân dân tỉnh Lạng Sơn" from the report's "UBND tỉnh Lạng Sơn"."""
    name = agency.full_name
    return "Ủy ban nhân dân" + name[4:] if name.startswith("UBND ") else name


def _agency(proposer: str) -> str:
    """The proposing agency without its role: "Sở Nội vụ (cơ quan thường trực CCHC)" is the
    Sở Nội vụ, counted once."""
    return re.sub(r"\s*\([^()]*\)$", "", proposer).strip() or proposer


def commendations(config: ReportConfig, nominations: Sequence[Any]) -> Commendations:
    """The particulars and the text of the Tờ trình, the Quyết định and the list."""
    report = DocumentInfo.of_report(config)
    groups = tuple(group_awards(nominations))
    proposal_table, decision_table = config.to_trinh, config.quyet_dinh
    period = f"{report.period[0]} - {report.period[1]}"
    forms = forms_phrase(groups) or "khen thưởng"
    merit = (
        "có thành tích xuất sắc trong thực hiện Chương trình tổng thể cải cách hành chính "
        f"nhà nước giai đoạn {period}"
    )
    province = " ".join(report.agency)
    level = config.document.get("level") or "tỉnh"
    district = level == "huyện"
    # the standing agency for CCHC: the Sở Nội vụ of a province, the Phòng Nội vụ of a district
    office, symbol, head_title, signer = (
        ("Phòng Nội vụ", "TTr-PNV", "Trưởng", "TRƯỞNG PHÒNG")
        if district
        else ("Sở Nội vụ", "TTr-SNV", "Giám đốc", "GIÁM ĐỐC")
    )
    proposal = replace(
        report,
        kind="TỜ TRÌNH",
        summary=_given(proposal_table, "summary", f"Về việc đề nghị tặng {forms} cho các tập "
                                                  f"thể, cá nhân {merit}"),
        number=_given(proposal_table, "number", ""),
        symbol=_given(proposal_table, "symbol", symbol),
        place=_given(proposal_table, "place", report.place),
        date=_given(proposal_table, "date", report.date),
        parent=_given(proposal_table, "parent", (province.replace("ỦY BAN NHÂN DÂN", "UBND"),)),
        agency=_given(proposal_table, "agency", (office.upper(),)),
        full_name=_given(proposal_table, "full_name", office),
        addressees=_given(proposal_table, "addressees", (_in_sentence(report),)),
        signer_authority=_given(proposal_table, "signer_authority", ()),
        signer_position=_given(proposal_table, "signer_position", signer),
        signer_name=_given(proposal_table, "signer_name", ""),
        recipients=_given(proposal_table, "recipients", ("Như trên",)),
        archive="",
    )  # fmt: skip
    code = proposal.symbol.rpartition("-")[2] or "SNV"
    proposal = replace(proposal, archive=_given(proposal_table, "archive", f"VT, {code}"))
    decision = replace(
        report,
        kind="QUYẾT ĐỊNH",
        addressees=(),  # a decision is addressed to no one: Điều 3 says who executes it
        summary=_given(decision_table, "summary", f"Về việc tặng {forms} cho các tập thể, "
                                                  f"cá nhân {merit}"),
        number=_given(decision_table, "number", ""),
        symbol=_given(decision_table, "symbol", "QĐ-UBND"),
        place=_given(decision_table, "place", report.place),
        date=_given(decision_table, "date", report.date),
        full_name=f"Chủ tịch {report.full_name}",
        signer_authority=_given(
            decision_table, "signer_authority",
            tuple(line for line in report.signer_authority if not line.startswith("TM.")),
        ),
        signer_position=_given(decision_table, "signer_position", report.signer_position),
        signer_name=_given(decision_table, "signer_name", report.signer_name),
        recipients=("Như Điều 3",
                    *_given(decision_table, "recipients", (f"Chủ tịch, các PCT UBND {level}",))),
        archive=_given(decision_table, "archive", proposal.archive),
    )  # fmt: skip
    list_title = _given(decision_table, "list_title", f"Tập thể, cá nhân {merit}")
    listing = replace(decision, kind="DANH SÁCH", summary=list_title)
    head = proposal.full_name
    lead = f"{head_title} {head[:1].lower()}{head[1:]}" if district else f"{head_title} {head}"
    proposed_by = _given(decision_table, "proposed_by", lead)
    executors = (
        f"Chánh Văn phòng {'HĐND và ' if district else ''}{report.full_name}",
        lead,
        "Trưởng phòng Tài chính - Kế hoạch" if district else "Giám đốc Sở Tài chính",
        "Thủ trưởng các cơ quan, đơn vị có liên quan",
        "các tập thể, cá nhân có tên tại Điều 1",
    )
    return Commendations(
        proposal=proposal,
        decision=decision,
        listing=listing,
        groups=groups,
        proposal_bases=tuple(_given(proposal_table, "legal_bases", LAWS)),
        decision_bases=tuple(_given(decision_table, "legal_bases", (LOCAL_GOVERNMENT, *LAWS))),
        authority=_given(decision_table, "authority", (f"CHỦ TỊCH {province}",)),
        proposed_by=(
            f"Theo đề nghị của {proposed_by} tại Tờ trình số {number(proposal)}/{proposal.symbol} "
            f"ngày {vi.short_date(proposal.date)}"
        ),
        prize_rules=_given(decision_table, "prize_rules", PRIZE_RULES),
        prize_fund=_given(decision_table, "prize_fund", PRIZE_FUND.format(level=level)),
        executors=tuple(_given(decision_table, "executors", executors)),
        list_title=list_title,
        show_proposer=bool(_given(decision_table, "show_proposer", True)),
        proposers=tuple(dict.fromkeys(_agency(n.proposer) for n in nominations if n.proposer)),
    )
