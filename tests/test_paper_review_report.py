"""The printed review report a factory files: checks, negotiation, decisions, rounds and opinions, in 3 languages."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from jewelryorders.i18n import tr
from jewelryorders.reports.paper_data import (
    CHECK_OVER_LIMIT, CHECK_TO_BE_CONFIRMED, DECISION_PROCEED, OUTCOME_ESCALATE, ROUND_FAILED, ROUND_PASSED,
    VERDICT_PASS, VERDICT_PASS_WITH_CONDITIONS,
    VERDICT_REJECT, ContractData, DecisionData, NegotiationEntryData, OpinionData, OrderLineData, OrderPaperData,
    ReviewCheckData, ReviewReportData, ReviewRoundData, StoneData,
)
from jewelryorders.reports.review_report import write_review_report

UTC = dt.timezone.utc
PRINTED_AT = dt.datetime(2026, 3, 20, 10, 0, tzinfo=UTC)

# What a service hands the paper: labels it has already translated into the paper's language.
LABELS = {
    "zh_TW": dict(channel="電郵", stage="已簽合同", diamond="鑽石", sapphire="藍寶石", credit="信用", lead_time="交期",
                  craft="工藝", price_terms="價格條款", over_limit="超出額度", production="生產部",
                  technical="技術部", purchasing="採購部", sales_manager="銷售經理", general_manager="總經理",
                  difficulty="難度", cycle_days="生產週期（天）", load="產能負荷 %", feasibility="工藝可行性",
                  solution="建議方案", materials="物料清單", purchase_lead="採購交期（天）", risk="供應商風險",
                  high="高", medium="中"),
    "zh_CN": dict(channel="电邮", stage="已签合同", diamond="钻石", sapphire="蓝宝石", credit="信用", lead_time="交期",
                  craft="工艺", price_terms="价格条款", over_limit="超出额度", production="生产部",
                  technical="技术部", purchasing="采购部", sales_manager="销售经理", general_manager="总经理",
                  difficulty="难度", cycle_days="生产周期（天）", load="产能负荷 %", feasibility="工艺可行性",
                  solution="建议方案", materials="物料清单", purchase_lead="采购交期（天）", risk="供应商风险",
                  high="高", medium="中"),
    "en": dict(channel="Email", stage="Contracted", diamond="Diamond", sapphire="Sapphire", credit="Credit",
               lead_time="Lead time", craft="Craft", price_terms="Price terms", over_limit="Over limit",
               production="Production", technical="Technical", purchasing="Purchasing",
               sales_manager="Sales manager", general_manager="General manager", difficulty="Difficulty",
               cycle_days="Cycle (days)", load="Capacity load %", feasibility="Craft feasibility",
               solution="Proposed solution", materials="Materials list", purchase_lead="Purchasing lead time (days)",
               risk="Supplier risk", high="High", medium="Medium"),
}


def make_order(lang: str) -> OrderPaperData:
    labels = LABELS[lang]
    lines = [
        OrderLineData(1, "PD-7781", "Pt950 藍寶石吊墜 sapphire halo pendant", "Pt950", "45 cm", 40, 12345,
                      [StoneData(labels["sapphire"], 1, Decimal("1.020")), StoneData(labels["diamond"], 18,
                                                                                     Decimal("0.270"))],
                      Decimal("6800.00"), Decimal("272000.00")),
        OrderLineData(2, "ER-7782", "Au750 玫瑰金耳環 rose gold earrings (pair)", "Au750", "", 60, 4210,
                      [StoneData(labels["diamond"], 24, Decimal("0.480"))], Decimal("3150.00"), Decimal("189000.00")),
    ]
    return OrderPaperData(
        factory_name="金匠珠寶製造廠 Goldsmith Jewellery Manufactory Ltd.",
        factory_address="廣東省廣州市番禺區沙灣鎮珠寶產業園 8 號",
        order_no="JO-2026-0107",
        customer_name="Lumière & Fils <b>Joaillerie</b> SA",
        customer_contact="Claire Dubois",
        customer_phone="+33 1 42 60 12 34",
        customer_email="claire.dubois@lumiere-fils.example.fr",
        customer_address="12 Rue de la Paix, 75002 Paris, France",
        channel_label=labels["channel"],
        order_date=dt.date(2026, 3, 2),
        delivery_date=dt.date(2026, 5, 15),
        delivery_place="Paris, DDP",
        currency="USD",
        lines=lines,
        total_quantity=100,
        total_amount=Decimal("461000.00"),
        special_requirements="Laser mark \"L&F\" on every clasp; certificates per piece.",
        attachments=["PD-7781.3dm", "ER-7782_render.png"],
        stage_label=labels["stage"],
        prepared_by="李小華",
        contract_no="HT-2026-0107",
        contract_signed=dt.date(2026, 3, 18),
    )


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def make_report(lang: str) -> ReviewReportData:
    labels = LABELS[lang]
    round_one = ReviewRoundData(1, at(5, 1), at(9, 8), ROUND_FAILED, [
        OpinionData(labels["production"], "王建國", at(6, 7), at(7, 10), VERDICT_PASS_WITH_CONDITIONS, False,
                    [(labels["difficulty"], labels["high"]), (labels["cycle_days"], "38"), (labels["load"], "92")],
                    conditions="Delivery moved to 2026-05-15 to fit the casting queue.",
                    comments="Halo setting needs two extra setters."),
        OpinionData(labels["technical"], "張志明", at(9, 6), at(7, 10), VERDICT_REJECT, True,
                    [(labels["feasibility"], "Micro-pavé halo < 0.8 mm not feasible with current claws"),
                     (labels["solution"], "Use 1.0 mm melee & shared prongs")],
                    comments="Reject as drawn; redesign needed."),
        OpinionData(labels["purchasing"], "劉芳", None, at(7, 10), None, True,
                    [(labels["materials"], "Pt950 2.1 kg; sapphire 1 ct × 40"), (labels["purchase_lead"], "21"),
                     (labels["risk"], labels["medium"])]),
    ])
    round_two = ReviewRoundData(2, at(11, 1), at(13, 9), ROUND_PASSED, [
        OpinionData(labels["production"], "王建國", at(12, 3), at(13, 10), VERDICT_PASS, False,
                    [(labels["difficulty"], labels["medium"]), (labels["cycle_days"], "35"), (labels["load"], "88")]),
        OpinionData(labels["technical"], "張志明", at(12, 5), at(13, 10), VERDICT_PASS_WITH_CONDITIONS, False,
                    [(labels["feasibility"], "Feasible with 1.0 mm melee"), (labels["solution"], "Shared prongs")],
                    conditions="First article to be approved by the customer before batch setting."),
        OpinionData(labels["purchasing"], "劉芳", at(12, 8), at(13, 10), VERDICT_PASS, False,
                    [(labels["materials"], "Pt950 2.1 kg; sapphire 1 ct × 40"), (labels["purchase_lead"], "18"),
                     (labels["risk"], labels["medium"])]),
    ])
    return ReviewReportData(
        order=make_order(lang),
        preliminary_checks=[
            ReviewCheckData(labels["credit"], CHECK_OVER_LIMIT,
                            "Open orders USD 512,000.00 + this order USD 461,000.00 vs limit USD 800,000.00",
                            "Cleared by a payment\n2026-03-05 王經理: 30% deposit received"),
            ReviewCheckData(labels["lead_time"], ROUND_PASSED, "74 days offered; plan needs 52"),
            ReviewCheckData(labels["craft"], CHECK_TO_BE_CONFIRMED, "Halo micro-pavé: to be confirmed by technical"),
            ReviewCheckData(labels["price_terms"], ROUND_PASSED, "30% deposit, balance before shipment"),
        ],
        preliminary_outcome=OUTCOME_ESCALATE,
        negotiations=[
            NegotiationEntryData(dt.date(2026, 3, 10), "Claire Dubois", "Melee enlarged to 1.0 mm",
                                 "Line 1 stones: diamond 18 → 14 pcs", "李小華"),
        ],
        decisions=[
            DecisionData(at(4, 2), "陳大文", labels["sales_manager"], OUTCOME_ESCALATE,
                         "Credit over limit by USD 173,000.00"),
            DecisionData(at(4, 9), "黃志強", labels["general_manager"], DECISION_PROCEED,
                         "Long-standing customer; extra deposit of 20% agreed"),
        ],
        rounds=[round_one, round_two],
        final_decision_label=DECISION_PROCEED,
        contract=ContractData("HT-2026-0107", dt.date(2026, 3, 18),
                              [labels["production"], labels["technical"], labels["purchasing"]], "李小華"),
    )


@pytest.fixture(autouse=True)
def _work_in_tmp(tmp_path, monkeypatch):
    # The PDF builder's page-counting pass may leave a scratch file in the working directory.
    monkeypatch.chdir(tmp_path)


def pdf_pages(path: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True)
    return [page for page in out.stdout.split("\f") if page.strip()]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def squashed(text: str) -> str:
    """Text without any white space: pdftotext drops narrow spaces, e.g. in "第 1 輪" or "a < b"."""
    return re.sub(r"\s+", "", text)


EXPECTED = {
    "zh_TW": dict(title="訂單評審報告",
                  sections=["一、訂單概要", "二、初步評審", "三、溝通協商記錄", "四、決策", "五、詳細評審", "六、附帶條件",
                            "七、最終決定", "八、合同", "九、簽署"],
                  rounds=["第 1 輪", "第 2 輪"], verdicts=["有條件通過", "未通過", "通過"], overdue="逾期",
                  unanswered="未回覆", failed="未通過", signatures=["銷售部", "生產部", "技術部", "採購部", "管理層"]),
    "zh_CN": dict(title="订单评审报告",
                  sections=["一、订单概要", "二、初步评审", "三、沟通协商记录", "四、决策", "五、详细评审", "六、附带条件",
                            "七、最终决定", "八、合同", "九、签署"],
                  rounds=["第 1 轮", "第 2 轮"], verdicts=["有条件通过", "未通过", "通过"], overdue="逾期",
                  unanswered="未回复", failed="未通过", signatures=["销售部", "生产部", "技术部", "采购部", "管理层"]),
    "en": dict(title="Order Review Report",
               sections=["1. Order summary", "2. Preliminary review", "3. Negotiation log", "4. Decisions",
                         "5. Detailed review", "6. Conditions", "7. Final decision", "8. Contract", "9. Signatures"],
               rounds=["Round 1", "Round 2"], verdicts=["Pass with conditions", "Reject", "Pass"], overdue="OVERDUE",
               unanswered="Not answered", failed="Failed",
               signatures=["Sales department", "Production department", "Technical department",
                           "Purchasing department", "Management"]),
}


@pytest.mark.parametrize("lang", ["zh_TW", "zh_CN", "en"])
def test_review_report_files_the_whole_review_in_each_language(tmp_path, lang):
    expected = EXPECTED[lang]
    path = write_review_report(make_report(lang), tmp_path / f"review_{lang}.pdf", lang=lang, printed_by="李小華",
                               printed_at=PRINTED_AT)
    pages = pdf_pages(path)
    text = flat("\n".join(pages))
    assert expected["title"] in text
    for section in expected["sections"]:
        assert section in text, section
    for round_title in expected["rounds"]:
        assert squashed(round_title) in squashed(text), round_title
    for verdict in expected["verdicts"]:
        assert verdict in text, verdict
    assert expected["overdue"] in text
    assert expected["unanswered"] in text  # purchasing never answered in round 1
    assert expected["failed"] in text
    for signature in expected["signatures"]:
        assert signature in text, signature
    assert "JO-2026-0107" in text
    assert "HT-2026-0107" in text
    assert "12.345" in text
    assert "Lumière & Fils <b>Joaillerie</b> SA" in text
    assert "Open orders USD 512,000.00 + this order USD 461,000.00 vs limit USD 800,000.00" in text
    assert "2026-03-05 王經理: 30% deposit received" in text and "Cleared by a payment" in text
    assert "First article to be approved by the customer before batch setting." in text
    assert LABELS[lang]["over_limit"] in text
    for number, page in enumerate(pages, start=1):
        page_label = tr("Page {page} of {total}", lang, page=number, total=len(pages))
        assert page_label in flat(page)


def test_rounds_keep_their_own_opinions_in_order(tmp_path):
    path = write_review_report(make_report("en"), tmp_path / "r.pdf", lang="en", printed_at=PRINTED_AT)
    text = flat("\n".join(pdf_pages(path)))
    round_one, round_two = text.index("Round 1"), text.index("Round 2")
    assert round_one < text.index("Reject") < round_two
    assert text.index("OVERDUE") < round_two  # the late technical and purchasing answers of round 1
    assert text.count("OVERDUE") == 2
    assert round_two < text.rindex("Shared prongs")
    assert "38" in text[round_one:round_two] and "35" in text[round_two:]


def test_the_conditions_section_collects_every_condition(tmp_path):
    path = write_review_report(make_report("en"), tmp_path / "r.pdf", lang="en", printed_at=PRINTED_AT)
    text = flat("\n".join(pdf_pages(path)))
    conditions = text[text.index("6. Conditions"):text.index("7. Final decision")]
    assert "Delivery moved to 2026-05-15 to fit the casting queue." in conditions
    assert "First article to be approved by the customer before batch setting." in conditions
    assert "Round 1" in conditions and "Round 2" in conditions


def test_final_decision_and_outcomes_are_translated_from_their_msgids(tmp_path):
    path = write_review_report(make_report("zh_TW"), tmp_path / "r.pdf", lang="zh_TW", printed_at=PRINTED_AT)
    text = flat("\n".join(pdf_pages(path)))
    final = text[text.index("七、最終決定"):text.index("八、合同")]
    assert "進入合同" in final
    assert "上報" in text  # the preliminary outcome and the sales manager's escalation
    assert "Proceed to contract" not in text and "Pass with conditions" not in text


def test_a_review_still_under_way_prints_what_is_missing(tmp_path):
    full = make_report("en")
    open_round = ReviewRoundData(1, at(5, 1), None, None, [full.rounds[0].opinions[2]])
    report = ReviewReportData(order=full.order, preliminary_checks=[], preliminary_outcome=None, negotiations=[],
                              decisions=[], rounds=[open_round], final_decision_label="", contract=None)
    path = write_review_report(report, tmp_path / "r.pdf", lang="en", printed_at=PRINTED_AT)
    text = flat("\n".join(pdf_pages(path)))
    assert "Still open" in text and "In progress" in text
    assert "Not answered" in text and "OVERDUE" in text
    assert "No contract has been signed yet." in text
    assert text.count("None recorded.") == 3  # checks, negotiations, decisions
    assert "Not decided" in text


def test_user_text_is_never_read_as_markup(tmp_path):
    report = make_report("en")
    odd = OpinionData("Technical", "<i>Ng</i> & Co", at(6, 1), at(7, 10), VERDICT_REJECT, False,
                      [("Craft feasibility", "<font color='red'>x</font> & <br/> y")], conditions="a < b & c > d")
    rounds = [ReviewRoundData(1, at(5, 1), at(9, 8), ROUND_FAILED, [odd])]
    changed = ReviewReportData(**{**report.__dict__, "rounds": rounds})
    path = write_review_report(changed, tmp_path / "r.pdf", lang="en", printed_at=PRINTED_AT)
    text = flat("\n".join(pdf_pages(path)))
    assert "<i>Ng</i> & Co" in text
    assert "<font color='red'>x</font> & <br/> y" in text
    assert "a<b&c>d" in squashed(text)


class RenderedPage:
    """One page as a reader sees it (rendered at 144 dpi) with the position of every word."""

    SCALE = 2  # pixels per point

    def __init__(self, pdf: Path, page: int, tmp_path: Path) -> None:
        from PIL import Image

        self.boxes = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(pdf), "-"],
                                    capture_output=True, text=True, check=True).stdout
        prefix = tmp_path / f"page{page}"
        subprocess.run(["pdftoppm", "-f", str(page), "-l", str(page), "-r", str(72 * self.SCALE), "-png",
                        "-singlefile", str(pdf), str(prefix)], check=True)
        self.image = Image.open(f"{prefix}.png").convert("RGB")

    def word_colours(self, word: str) -> list[tuple[int, int, int]]:
        """The ink of each occurrence of `word`: the darkest pixel inside the word's box."""
        colours = []
        number = r'"([\d.]+)"'
        pattern = f"<word xMin={number} yMin={number} xMax={number} yMax={number}>{re.escape(word)}</word>"
        for match in re.finditer(pattern, self.boxes):
            x0, y0, x1, y1 = (int(float(v) * self.SCALE) for v in match.groups())
            region = self.image.crop((x0, y0, x1 + 1, y1 + 1))
            pixels = region.load()
            colours.append(min((pixels[x, y] for x in range(region.width) for y in range(region.height)), key=sum))
        return colours


def is_red(rgb: tuple[int, int, int]) -> bool:
    r, g, b = rgb
    return r > 120 and r > g + 60 and r > b + 60


def is_green(rgb: tuple[int, int, int]) -> bool:
    r, g, b = rgb
    return g > r + 40 and g > b + 20


def is_amber(rgb: tuple[int, int, int]) -> bool:
    r, g, b = rgb
    return r > g + 60 and g > b + 40


def test_verdicts_stand_out_in_colour(tmp_path):
    path = write_review_report(make_report("en"), tmp_path / "r.pdf", lang="en", printed_at=PRINTED_AT)
    page = next(number for number, text in enumerate(pdf_pages(path), start=1) if "Round 1" in text)
    rendered = RenderedPage(path, page, tmp_path)
    rejects = rendered.word_colours("Reject")
    assert len(rejects) == 2  # the technical verdict, and the word in the reviewer's own comment
    assert is_red(rejects[0])  # the verdict is printed in red ...
    assert not is_red(rejects[1])  # ... the reviewer's comment "Reject as drawn" in ordinary ink
    assert all(is_red(colour) for colour in rendered.word_colours("OVERDUE"))
    assert is_red(rendered.word_colours("Failed")[0])
    passes = rendered.word_colours("Pass")  # "Pass" alone, and the first word of "Pass with conditions"
    assert any(is_green(colour) for colour in passes) and any(is_amber(colour) for colour in passes)
    assert all(is_green(colour) or is_amber(colour) for colour in passes)
