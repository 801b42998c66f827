"""After-sales: cases against a delivered order or a piece by certificate no.; repairs with their record; complaints
that close only with the customer's answer and a lesson learned; piece history; analysis."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jewelryorders.services.delivery import aftersales, shipments
from jewelryorders.services.delivery.aftersales import CaseInput, ClosingInput, FindingInput, RepairInput
from jewelryorders.services.delivery.shipments import PackageInput, ShipmentInput
from jewelryorders.services.errors import GateError, ValidationError

from .delivery_support import quality_stand_in, ready_order  # noqa: F401  (fixtures)


@pytest.fixture
def delivered(db, make_user, ready_order):
    logistics = make_user("logistics", "clerk", "logi1")
    order = ready_order(quantity=2)
    [line] = shipments.open_lines(db, order.id)
    sh = shipments.create_shipment(db, logistics, ShipmentInput(
        order.id, {line.line_id: 2}, [PackageInput("2 rings", "200", "S-1")], "DHL",
        shipped_on=dt.date(2026, 11, 3), certificates="piece"))
    shipments.record_delivery(db, logistics, sh.id, dt.date(2026, 11, 5))
    return order, sh


@pytest.fixture
def after_sales_clerk(make_user):
    return make_user("sales", "clerk", "aftersales1")


def _case(db, actor, order_id=None, kind="repair", cert="", **kw):
    return aftersales.open_case(db, actor, CaseInput(kind, "phone", kw.pop("words", "戒指爪鬆了，主石晃動"), actor.user_id,
                                                     dt.date(2026, 11, 30), dt.date(2026, 11, 10), order_id,
                                                     cert, **kw))


def test_a_repair_is_carried_to_closure_and_shows_in_the_piece_history(db, delivered, after_sales_clerk):
    order, sh = delivered
    cert = sh.certificates[0].certificate_no
    case = _case(db, after_sales_clerk, cert=cert)
    assert case.order_id == order.id and case.style_code == "R-18K-001" and case.status == "open"
    aftersales.add_photo(db, after_sales_clerk, case.id, "photo1.jpg", b"\xff\xd8jpeg")
    with pytest.raises(ValidationError, match="work done and when the piece was returned"):
        aftersales.close_case(db, after_sales_clerk, case.id, ClosingInput())
    aftersales.record_repair(db, after_sales_clerk, case.id, RepairInput(
        "重新鑲爪並加固主石，拋光", "技術部 王師傅", "18K 金線 0.120 g", "0.120", "0", "factory", dt.date(2026, 11, 14)))
    closed = aftersales.close_case(db, after_sales_clerk, case.id, ClosingInput(satisfaction="satisfied"))
    assert closed.status == "closed" and closed.metal_used_mg == 120 and len(closed.photo_document_ids) == 1
    assert [c.case_no for c in aftersales.piece_history(db, cert)] == [case.case_no]
    assert aftersales.piece_history(db, sh.certificates[1].certificate_no) == []


def test_a_complaint_closes_only_with_the_customers_answer(db, delivered, after_sales_clerk):
    order, _sh = delivered
    case = _case(db, after_sales_clerk, order.id, kind="complaint", words="交貨遲了兩天，包裝有壓痕")
    with pytest.raises(ValidationError) as err:
        aftersales.close_case(db, after_sales_clerk, case.id, ClosingInput())
    assert {"satisfaction", "answer", "cause", "lesson"} <= {p.field for p in err.value.problems}
    aftersales.record_finding(db, after_sales_clerk, case.id, FindingInput(
        "transport", "快遞途中受壓", ("logistics", "sales"), "更換外箱並改用加固包裝", "已致歉並補寄新首飾盒"))
    with pytest.raises(ValidationError, match="only with management's decision"):
        aftersales.close_case(db, after_sales_clerk, case.id, ClosingInput("escalated", "", "外箱需加固"))
    assert aftersales.get_case(db, case.id).status == "open"
    closed = aftersales.close_case(db, after_sales_clerk, case.id,
                                   ClosingInput("escalated", "免收運費並下單九折", "外箱需加固"))
    assert closed.status == "closed" and closed.departments == ("logistics", "sales")
    with pytest.raises(GateError, match="is closed"):
        aftersales.record_finding(db, after_sales_clerk, case.id, FindingInput("other"))


def test_cases_open_only_against_delivered_orders(db, ready_order, after_sales_clerk):
    order = ready_order(quantity=2)
    with pytest.raises(GateError, match="has not been delivered"):
        _case(db, after_sales_clerk, order.id)
    with pytest.raises(ValidationError, match="no certificate QC-0"):
        _case(db, after_sales_clerk, cert="QC-0")


def test_analysis_counts_cases_by_month_kind_style_cause_and_repeat_customers(db, delivered, after_sales_clerk):
    order, _sh = delivered
    a = _case(db, after_sales_clerk, order.id, kind="maintenance")
    b = _case(db, after_sales_clerk, order.id, kind="quality_problem")
    aftersales.record_finding(db, after_sales_clerk, b.id, FindingInput("stone_setting", answer="已免費維修"))
    aftersales.close_case(db, after_sales_clerk, b.id, ClosingInput())
    result = aftersales.analyse(db, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert result.cases == 2 and result.by_month_kind["2026-11"]["maintenance"] == 1
    assert result.by_cause == [("stone_setting", 1)] and result.by_style == [("R-18K-001", 2)]
    assert result.repeat_customers == [("周大福珠寶", 2)] and result.days_to_close["quality_problem"] == Decimal("6")
    assert a.status == "open"
