"""The order review: checks and their override, negotiation, escalation, rounds of opinions, contract, report data."""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from jewelryorders import clock
from jewelryorders.models.audit import AuditEvent
from jewelryorders.models.reviews import (
    Contract, NegotiationEntry, PreliminaryReview, ReviewDecision, ReviewOpinion, ReviewRound,
)
from jewelryorders.services import customers, styles, users
from jewelryorders.services.orders import intake as orders
from jewelryorders.services.review import procedure as review
from jewelryorders.services.review import policy, queries
from jewelryorders.services.errors import GateError, PermissionDenied, ValidationError
from jewelryorders.services.review.report import order_paper_data, review_report_data

from .conftest import order_input

# The command line runs this checkout's package, whatever the working directory.
WORKTREE_ENV = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
UTC = dt.timezone.utc
CLEAR = review.PreliminaryInput(craft_ok=True, craft_note="爪鑲，常規工藝")
NOW = dt.datetime(2026, 11, 10, 2, 0, tzinfo=UTC)  # order date 2026-11-02, delivery 2027-01-15: 66 days ahead
DEPARTMENTS = ("production", "technical", "purchasing")


def due(hours: float = 48, now: dt.datetime = NOW) -> dict[str, dt.datetime]:
    return {d: now + dt.timedelta(hours=hours + i) for i, d in enumerate(DEPARTMENTS)}


def later(hours: float) -> dt.datetime:
    return NOW + dt.timedelta(hours=hours)


def answer(department: str, verdict: str = "pass", **extra) -> review.OpinionAnswer:
    base = {
        "production": dict(difficulty="medium", cycle_days=28, capacity_load_pct=85),
        "technical": dict(craft_feasibility="feasible", proposed_solution="倒模後執模，爪鑲"),
        "purchasing": dict(materials_list="18K 金 180 g；鑽石 0.36 ct × 50", purchase_lead_days=12,
                           supplier_risk="low"),
    }[department]
    if verdict == "reject":
        base["comments"] = "微鑲 0.8 mm 以下做不到"
    if verdict == "pass_with_conditions":
        base["conditions"] = "首件需客戶確認"
    return review.OpinionAnswer(verdict=verdict, **{**base, **extra})


@pytest.fixture(autouse=True)
def price_policy(request):
    """The factory's HKD price policy: the test order (3.125 g Au750 at HKD 2,380) meets it."""
    if "db" not in request.fixturenames:
        return
    db = request.getfixturevalue("db")
    boss = request.getfixturevalue("make_user")("management", "manager", "policy.boss")
    policy.set_price_policy(db, boss, policy.CurrencyPolicyInput("HKD", "300", "15", {"Au750": "500", "Pt950": "380"}))


@pytest.fixture
def team(make_user, sales):
    return {
        "sales": sales,
        "production": make_user("production", "department_head"),
        "technical": make_user("technical", "department_head"),
        "purchasing": make_user("purchasing", "department_head"),
        "manager": make_user("management", "manager"),
    }


@pytest.fixture
def submitted(db, sales, customer):
    """A new order of `customer` (or another) submitted for review; returns its id."""

    def make(customer_id: int | None = None, **kw) -> int:
        order = orders.create_order(db, sales, order_input(customer_id or customer.id, **kw))
        orders.submit_for_review(db, sales, order.id)
        return order.id

    return make


@pytest.fixture
def tight_customer(db, sales):
    """A customer whose limit one order of 119,000 fits but two do not."""
    return customers.create_customer(db, sales, customers.CustomerInput(
        name="Lumière & Fils", contact_person="Claire", credit_rating="B", credit_limit="150000", currency="HKD"))


def state(db, order_id: int) -> dict:
    """Everything the review may change for an order, to prove that a refused step changed nothing."""
    with db.read_session() as s:
        def count(model, *where):
            return s.scalar(select(func.count()).select_from(model).where(*where))

        rounds = s.execute(select(ReviewRound.round_no, ReviewRound.result).where(ReviewRound.order_id == order_id)
                           .order_by(ReviewRound.round_no)).all()
        opinions = s.execute(select(ReviewOpinion.department, ReviewOpinion.verdict)
                             .where(ReviewOpinion.order_id == order_id).order_by(ReviewOpinion.id)).all()
        return {
            "stage": orders.get_order(db, order_id).stage,
            "rounds": rounds, "opinions": opinions,
            "preliminary": count(PreliminaryReview, PreliminaryReview.order_id == order_id),
            "negotiations": count(NegotiationEntry, NegotiationEntry.order_id == order_id),
            "decisions": count(ReviewDecision, ReviewDecision.order_id == order_id),
            "contracts": s.execute(select(Contract.contract_no)).scalars().all(),
            "audit": count(AuditEvent),
        }


def opinion_ids(db, order_id: int) -> dict[str, int]:
    return {o.department: o.id for o in queries.review_history(db, order_id).latest_round.opinions}


def answer_all(db, team, order_id: int, verdicts: dict[str, str] | None = None, at: float = 5) -> None:
    for i, (department, opinion_id) in enumerate(opinion_ids(db, order_id).items()):
        review.answer_opinion(db, team[department], opinion_id,
                              answer(department, (verdicts or {}).get(department, "pass")), now=later(at + i))


def passed_review(db, team, order_id: int) -> None:
    review.accept_and_send(db, team["sales"], order_id, due(), CLEAR, now=NOW)
    answer_all(db, team, order_id)
    assert review.close_round(db, team["sales"], order_id, now=later(10)) == "passed"


# ---- checks ---------------------------------------------------------------------------------------------------

def test_credit_check_adds_the_customers_open_orders_to_this_order(db, sales, submitted, tight_customer):
    first = submitted(tight_customer.id)
    second = submitted(tight_customer.id)
    checks = review.compute_checks(db, second, today=NOW.date(), craft=review.CraftCheck(True))
    assert checks.credit.open_value == Decimal("119000.00")
    assert checks.credit.order_value == Decimal("119000.00")
    assert checks.credit.limit == Decimal("150000.00")
    assert not checks.credit.ok and checks.credit.excess == Decimal("88000.00")
    assert checks.failed == ["credit"] and checks.blocking == ["credit"]
    assert "HKD 238,000.00" in review.credit_text(checks.credit)
    # A draft is not an open order: it does not count against the limit.
    orders.create_order(db, sales, order_input(tight_customer.id))
    assert review.compute_checks(db, first, today=NOW.date()).credit.open_value == Decimal("119000.00")


def test_lead_time_is_the_longest_standard_lead_of_the_orders_styles(db, sales, submitted):
    styles.create_style(db, sales, "R-18K-001", "18K 鑽石戒指", "ring", "Au750", 90)
    order_id = submitted(lines=2)  # R-18K-001 (90 days, in the master) and R-18K-002 (default 30 days)
    lead = review.compute_checks(db, order_id, today=NOW.date()).lead_time
    assert lead.required_days == 90
    assert lead.available_days == 66
    assert not lead.ok and lead.shortfall == 24
    assert [(s.style_code, s.lead_days, s.in_master) for s in lead.styles] == [
        ("R-18K-001", 90, True), ("R-18K-002", 30, False)]
    assert review.compute_checks(db, order_id, today=dt.date(2026, 10, 1)).lead_time.ok


def test_the_default_lead_days_setting_applies_to_styles_not_in_the_master(db, admin, submitted):
    users.update_settings(db, admin, {"default_lead_days": "70"})
    order_id = submitted()
    lead = review.compute_checks(db, order_id, today=NOW.date()).lead_time
    assert lead.required_days == 70 and not lead.ok


# ---- the override rule ----------------------------------------------------------------------------------------

def test_accept_is_refused_over_the_credit_limit_and_nothing_changes(db, team, submitted, tight_customer):
    submitted(tight_customer.id)
    order_id = submitted(tight_customer.id)
    before = state(db, order_id)
    with pytest.raises(GateError) as err:
        review.accept_and_send(db, team["sales"], order_id, due(), CLEAR, now=NOW)
    message = str(err.value)
    assert "credit" in message and "HKD 238,000.00" in message and "HKD 150,000.00" in message
    assert "88,000.00" in message
    assert state(db, order_id) == before


def test_accept_is_refused_when_the_lead_time_is_too_short(db, team, submitted):
    styles.create_style(db, team["sales"], "R-18K-001", "18K 鑽石戒指", "ring", "Au750", 90)
    order_id = submitted()
    before = state(db, order_id)
    with pytest.raises(GateError, match=r"lead time is too short .*66 days.*need 90 days.*short by 24 days"):
        review.accept_and_send(db, team["sales"], order_id, due(), CLEAR, now=NOW)
    assert state(db, order_id) == before


def test_a_talk_alone_clears_nothing_a_payment_does_and_the_report_says_so(db, team, submitted, tight_customer):
    submitted(tight_customer.id)
    order_id = submitted(tight_customer.id)
    review.negotiate(db, team["sales"], order_id, review.NegotiationInput(
        NOW.date(), "Claire", "客戶同意預付 50% 訂金", "付款條件改為 50% 訂金"), CLEAR, now=NOW)
    assert orders.get_order(db, order_id).stage == "negotiating"
    checks = review.compute_checks(db, order_id, today=NOW.date())
    assert checks.failed == ["credit"] and checks.blocking == ["credit"]  # the talk is recorded, nothing cleared
    with pytest.raises(GateError, match="talk with the customer alone clears no check"):
        review.accept_and_send(db, team["sales"], order_id, due(now=later(1)), CLEAR, now=later(1))
    # Sales may not record the payment; management does.
    before = state(db, order_id)
    with pytest.raises(PermissionDenied, match="record customers' payments"):
        review.record_payment(db, team["sales"], order_id, "60000", "訂金", now=later(1))
    assert state(db, order_id) == before
    review.record_payment(db, team["manager"], order_id, "60000", "訂金 50% 已收（銀行水單 8812）", now=later(1))
    checks = review.compute_checks(db, order_id, today=NOW.date())
    assert checks.credit.exposure == Decimal("178000.00") and not checks.credit.ok  # still over 150,000
    review.record_payment(db, team["manager"], order_id, "30000", "第二筆訂金", now=later(1.5))
    checks = review.compute_checks(db, order_id, today=NOW.date())
    assert checks.credit.ok and checks.cleared["credit"] == review.CLEARED_PAYMENT
    assert review.accept_and_send(db, team["sales"], order_id, due(now=later(2)), CLEAR, now=later(2)) == 1
    history = queries.review_history(db, order_id)
    assert [p.outcome for p in history.preliminary] == ["negotiate", "accept"]
    assert not history.preliminary[0].credit_ok and history.preliminary[-1].credit_ok
    data = review_report_data(db, order_id, "en")
    credit = data.preliminary_checks[0]
    assert credit.check == "Customer credit standing" and credit.result == "Passed"
    assert credit.cleared_by.startswith("Cleared by a payment") and "銀行水單 8812" in credit.cleared_by
    assert [c.cleared_by for c in data.preliminary_checks[1:]] == ["—", "—", "—"]


def test_a_raised_credit_limit_clears_the_credit_check(db, team, submitted, tight_customer):
    submitted(tight_customer.id)
    order_id = submitted(tight_customer.id)
    review.negotiate(db, team["sales"], order_id, review.NegotiationInput(NOW.date(), "Claire", "提額申請"), CLEAR,
                     now=NOW)
    with pytest.raises(ValidationError, match="not above the current limit"):
        review.raise_credit_limit(db, team["manager"], order_id, "150000", "x", now=later(1))
    with pytest.raises(PermissionDenied):
        review.raise_credit_limit(db, team["production"], order_id, "300000", "x", now=later(1))
    assert customers.get_customer(db, tight_customer.id).credit_limit == Decimal("150000.00")
    review.raise_credit_limit(db, team["manager"], order_id, "300000", "合作五年，按時付款", now=later(1))
    assert customers.get_customer(db, tight_customer.id).credit_limit == Decimal("300000.00")
    checks = review.compute_checks(db, order_id, today=NOW.date())
    assert checks.cleared["credit"] == review.CLEARED_CREDIT_LIMIT
    review.accept_and_send(db, team["sales"], order_id, due(now=later(2)), CLEAR, now=later(2))
    credit = review_report_data(db, order_id, "zh_TW").preliminary_checks[0]
    assert credit.check == "客戶信用狀況" and "合作五年" in credit.cleared_by


def test_the_customers_rating_d_blocks_and_c_needs_managements_approval(db, team, submitted, sales):
    rated = {r: customers.create_customer(db, sales, customers.CustomerInput(
        name=f"Rated {r}", credit_rating=r, credit_limit="5000000", currency="HKD")) for r in "CD"}
    c_order, d_order = submitted(rated["C"].id), submitted(rated["D"].id)
    with pytest.raises(GateError, match="rating is C: management's approval"):
        review.accept_and_send(db, team["sales"], c_order, due(), CLEAR, now=NOW)
    review.escalate(db, team["sales"], c_order, "C 級客戶", CLEAR, now=NOW)
    review.decide(db, team["manager"], c_order, "accept", "同意，預收 30%", now=later(1))
    review.accept_and_send(db, team["sales"], c_order, due(now=later(2)), CLEAR, now=later(2))
    assert review_report_data(db, c_order, "en").preliminary_checks[0].cleared_by.startswith(
        "Cleared by management's decision")
    # D: not even a manager's acceptance; only cash in advance for the whole order.
    review.escalate(db, team["sales"], d_order, "D 級客戶", CLEAR, now=NOW)
    review.decide(db, team["manager"], d_order, "accept", "試試看", now=later(1))
    with pytest.raises(GateError, match="rating is D: only cash in advance"):
        review.accept_and_send(db, team["sales"], d_order, due(now=later(2)), CLEAR, now=later(2))
    review.record_payment(db, team["manager"], d_order, "119000", "全款預付", now=later(2))
    review.accept_and_send(db, team["sales"], d_order, due(now=later(3)), CLEAR, now=later(3))


def test_no_check_starts_ticked_the_craft_must_be_judged_and_too_complex_needs_technical(db, team, submitted,
                                                                                         make_user):
    order_id = submitted()
    checks = review.compute_checks(db, order_id, today=NOW.date())
    assert checks.craft.judged is None and checks.blocking == ["craft"]
    before = state(db, order_id)
    with pytest.raises(GateError, match="craft requirements have not been judged"):
        review.accept_and_send(db, team["sales"], order_id, due(), now=NOW)
    with pytest.raises(ValidationError, match="what makes the style or craft too complex"):
        review.accept_and_send(db, team["sales"], order_id, due(), review.PreliminaryInput(craft_ok=False), now=NOW)
    complex_ = review.PreliminaryInput(craft_ok=False, craft_note="0.8 mm 微鑲，現有設備未做過")
    with pytest.raises(GateError, match="judged too complex.*technical must confirm"):
        review.accept_and_send(db, team["sales"], order_id, due(), complex_, now=NOW)
    assert state(db, order_id) == before
    review.negotiate(db, team["sales"], order_id, review.NegotiationInput(NOW.date(), "陳小姐", "微鑲可改爪鑲?"),
                     complex_, now=NOW)
    with pytest.raises(PermissionDenied, match="confirm technically"):
        review.confirm_craft(db, team["production"], order_id, "可以", now=later(1))
    with pytest.raises(ValidationError):
        review.confirm_craft(db, team["technical"], order_id, "  ", now=later(1))
    review.confirm_craft(db, team["technical"], order_id, "試做樣板後可微鑲，良率 95%", now=later(1))
    assert review.compute_checks(db, order_id).cleared["craft"] == review.CLEARED_TECHNICAL
    review.accept_and_send(db, team["sales"], order_id, due(now=later(2)), now=later(2))  # the recorded judgement
    craft = review_report_data(db, order_id, "en").preliminary_checks[2]
    assert craft.result == "Failed" and "Too complex" in craft.note
    assert craft.cleared_by.startswith("Cleared by a technical confirmation") and "良率 95%" in craft.cleared_by


def test_a_new_delivery_date_that_passes_the_lead_time_clears_it(db, team, submitted):
    styles.create_style(db, team["sales"], "R-18K-001", "18K 鑽石戒指", "ring", "Au750", 90)
    order_id = submitted()
    review.negotiate(db, team["sales"], order_id, review.NegotiationInput(NOW.date(), "陳小姐", "交期延後"), CLEAR,
                     now=NOW)
    with pytest.raises(GateError, match="lead time is too short"):
        review.accept_and_send(db, team["sales"], order_id, due(now=later(1)), CLEAR, now=later(1))
    _change_order(db, team["sales"], order_id, delivery_date=dt.date(2027, 3, 1))
    assert review.compute_checks(db, order_id, today=NOW.date()).cleared["lead_time"] == review.CLEARED_NEW_DATE
    review.accept_and_send(db, team["sales"], order_id, due(now=later(2)), CLEAR, now=later(2))
    lead = review_report_data(db, order_id, "en").preliminary_checks[1]
    assert lead.result == "Passed" and lead.cleared_by == "Cleared by a new delivery date"


def test_the_price_is_checked_against_the_policy_with_the_figures(db, team, submitted, make_user):
    order_id = submitted()
    checks = review.compute_checks(db, order_id, today=NOW.date())
    line = checks.price.lines[0]
    # 3.125 g × 500 + 300 = 1,862.50; + 15% = 2,141.88; the order's 2,380.00 meets it.
    assert (line.minimum, line.required, line.ok) == (Decimal("1862.50"), Decimal("2141.88"), True)
    assert "HKD 1,862.50" in policy.line_price_text(line, "HKD", "en")
    boss = make_user("management", "manager")
    policy.set_price_policy(db, boss, policy.CurrencyPolicyInput("HKD", "300", "40", {"Au750": "600"}))
    checks = review.compute_checks(db, order_id, today=NOW.date(), craft=review.CraftCheck(True))
    # 3.125 × 600 + 300 = 2,175.00; + 40% = 3,045.00 > 2,380.00
    assert checks.price.lines[0].required == Decimal("3045.00") and checks.blocking == ["price"]
    with pytest.raises(GateError, match=r"price terms do not meet.*HKD 3,045.00"):
        review.accept_and_send(db, team["sales"], order_id, due(), CLEAR, now=NOW)
    review.negotiate(db, team["sales"], order_id, review.NegotiationInput(NOW.date(), "陳小姐", "加價"), CLEAR,
                     now=NOW)
    _change_order(db, team["sales"], order_id, unit_price="3100.00")
    assert review.compute_checks(db, order_id).cleared["price"] == review.CLEARED_NEW_PRICE
    review.accept_and_send(db, team["sales"], order_id, due(now=later(2)), CLEAR, now=later(2))
    price = review_report_data(db, order_id, "en").preliminary_checks[3]
    assert price.cleared_by == "Cleared by a price that meets the policy" and "HKD 3,100.00" in price.note


def test_the_price_policy_is_managements_and_validated(db, team, make_user):
    before = policy.get_price_policy(db)
    with pytest.raises(PermissionDenied, match="price policy"):
        policy.set_price_policy(db, team["sales"], policy.CurrencyPolicyInput("HKD", "1", "1", {"Au750": "1"}))
    with pytest.raises(ValidationError) as err:
        policy.set_price_policy(db, team["manager"], policy.CurrencyPolicyInput("HK", "-1", "x", {"Au750": "abc"}))
    assert {p.field for p in err.value.problems} == {"currency", "labour_per_piece", "min_margin_pct", "metal.Au750"}
    assert policy.get_price_policy(db) == before
    policy.set_price_policy(db, team["manager"], policy.CurrencyPolicyInput("usd", "20", "12.5", {"Pt950": "35"}))
    after = policy.get_price_policy(db)
    assert after.for_currency("USD").metal_price_per_g == {"Pt950": Decimal("35.0000")}
    assert after.for_currency("HKD") == before.for_currency("HKD")  # other currencies stay


def _change_order(db, actor, order_id, *, delivery_date=None, unit_price=None):
    """What sales does after agreeing with the customer: change the order itself."""
    from jewelryorders.services.orders.intake import LineInput, OrderInput, StoneInput

    v = orders.get_order(db, order_id)
    data = OrderInput(
        v.customer_id, v.channel, v.order_date, delivery_date or v.delivery_date, v.delivery_place,
        v.special_requirements, v.currency, v.priority,
        [LineInput(line.style_code, line.metal, line.quantity, line.description, line.size,
                   None if line.target_weight_mg is None else Decimal(line.target_weight_mg) / 1000,
                   unit_price or line.unit_price,
                   [StoneInput(st.stone_type, st.count, st.carat) for st in line.stones]) for line in v.lines])
    orders.update_order(db, actor, order_id, v.version, data)


def test_a_negotiation_logged_before_the_check_failed_does_not_count(db, team, submitted, tight_customer):
    submitted(tight_customer.id)
    order_id = submitted(tight_customer.id)
    review.log_negotiation(db, team["sales"], order_id, review.NegotiationInput(NOW.date(), "Claire", "寒暄"),
                           now=NOW)
    with pytest.raises(GateError, match="credit"):
        review.accept_and_send(db, team["sales"], order_id, due(now=later(1)), CLEAR, now=later(1))


def test_escalation_a_managers_acceptance_overrides_the_failed_check(db, team, submitted, tight_customer):
    submitted(tight_customer.id)
    order_id = submitted(tight_customer.id)
    review.escalate(db, team["sales"], order_id, "信用額度不足，請管理層決定", now=NOW)
    assert orders.get_order(db, order_id).stage == "escalated"
    before = state(db, order_id)
    with pytest.raises(GateError, match="waits for a manager's decision"):
        review.accept_and_send(db, team["sales"], order_id, due(now=later(1)), CLEAR, now=later(1))
    with pytest.raises(PermissionDenied):
        review.decide(db, team["sales"], order_id, "accept", "我覺得可以")
    with pytest.raises(ValidationError, match="Reason is required"):
        review.decide(db, team["manager"], order_id, "accept", "   ")
    assert state(db, order_id) == before
    assert [r.order_id for r in queries.escalation_rows(db)] == [order_id]
    review.decide(db, team["manager"], order_id, "accept", "老客戶，加收 20% 訂金", now=later(2))
    assert queries.count_escalations(db) == 0
    assert [r.status for r in queries.preliminary_rows(db) if r.order_id == order_id] == [
        queries.STATUS_MANAGER_ACCEPTED]
    assert review.compute_checks(db, order_id).cleared["credit"] == review.CLEARED_DECISION
    review.accept_and_send(db, team["sales"], order_id, due(now=later(3)), CLEAR, now=later(3))
    assert orders.get_order(db, order_id).stage == "detailed_review"
    decisions = queries.review_history(db, order_id).decisions
    assert [(d.decision, d.reason, d.decided_by_role) for d in decisions] == [
        ("accept", "老客戶，加收 20% 訂金", "manager")]


def test_manager_renegotiate_and_abandon_an_escalated_order(db, team, submitted):
    first, second = submitted(), submitted()
    for order_id in (first, second):
        review.escalate(db, team["sales"], order_id, "新客戶首單", now=NOW)
    review.decide(db, team["manager"], first, "renegotiate", "請先談妥付款條件", now=later(1))
    assert orders.get_order(db, first).stage == "negotiating"
    review.decide(db, team["manager"], second, "abandon", "客戶不接受預付", now=later(1))
    assert orders.get_order(db, second).stage == "abandoned"
    with pytest.raises(GateError, match="a manager cannot"):
        review.decide(db, team["manager"], second, "accept", "再考慮")


def test_only_managers_decide(db, team, make_user, admin, submitted):
    order_id = submitted()
    review.escalate(db, team["sales"], order_id, "大單", now=NOW)
    for actor in (team["sales"], make_user("sales", "department_head"), team["production"], admin):
        with pytest.raises(PermissionDenied, match="decide on escalated or failed reviews"):
            review.decide(db, actor, order_id, "abandon", "no")
    review.decide(db, make_user("management", "department_head"), order_id, "abandon", "不做", now=later(1))
    assert orders.get_order(db, order_id).stage == "abandoned"


def test_departments_cannot_run_the_preliminary_review(db, team, submitted):
    order_id = submitted()
    with pytest.raises(PermissionDenied):
        review.accept_and_send(db, team["production"], order_id, due(), CLEAR, now=NOW)
    with pytest.raises(PermissionDenied):
        review.escalate(db, team["technical"], order_id, "x", now=NOW)


def test_due_times_must_be_given_and_in_the_future(db, team, submitted):
    order_id = submitted()
    before = state(db, order_id)
    with pytest.raises(ValidationError) as err:
        review.accept_and_send(db, team["sales"], order_id,
                               {"production": NOW - dt.timedelta(hours=1), "technical": later(5)}, now=NOW)
    fields = {p.field for p in err.value.problems}
    assert fields == {"due.production", "due.purchasing"}
    assert "already past" in str(err.value)
    assert state(db, order_id) == before


# ---- detailed review ------------------------------------------------------------------------------------------

def test_only_that_departments_users_answer_for_it(db, team, make_user, admin, submitted):
    order_id = submitted()
    review.accept_and_send(db, team["sales"], order_id, due(), CLEAR, now=NOW)
    ids = opinion_ids(db, order_id)
    technical_clerk = make_user("technical", "clerk")
    production_clerk = make_user("production", "clerk")
    before = state(db, order_id)
    with pytest.raises(PermissionDenied) as err:
        review.answer_opinion(db, technical_clerk, ids["production"], answer("production"), now=later(1))
    assert "Technical" in str(err.value) and "Production" in str(err.value)
    for outsider in (admin, team["sales"], team["manager"]):
        with pytest.raises(PermissionDenied):
            review.answer_opinion(db, outsider, ids["production"], answer("production"), now=later(1))
    assert state(db, order_id) == before
    review.answer_opinion(db, production_clerk, ids["production"], answer("production"), now=later(1))
    with pytest.raises(GateError, match="already answered"):
        review.answer_opinion(db, team["production"], ids["production"], answer("production", "reject"),
                              now=later(2))


def test_an_opinion_needs_the_departments_own_figures(db, team, submitted):
    order_id = submitted()
    review.accept_and_send(db, team["sales"], order_id, due(), CLEAR, now=NOW)
    ids = opinion_ids(db, order_id)
    before = state(db, order_id)
    with pytest.raises(ValidationError) as err:
        review.answer_opinion(db, team["production"], ids["production"],
                              review.OpinionAnswer("pass", difficulty="extreme", cycle_days="", capacity_load_pct=-5),
                              now=later(1))
    assert {p.field for p in err.value.problems} == {"difficulty", "cycle_days", "capacity_load_pct"}
    with pytest.raises(ValidationError, match="why the department rejects"):
        review.answer_opinion(db, team["technical"], ids["technical"],
                              review.OpinionAnswer("reject", craft_feasibility="not_feasible",
                                                   proposed_solution="改設計"), now=later(1))
    with pytest.raises(ValidationError, match="conditions written down"):
        review.answer_opinion(db, team["purchasing"], ids["purchasing"],
                              answer("purchasing", "pass_with_conditions", conditions=""), now=later(1))
    with pytest.raises(ValidationError, match="Verdict is required"):
        review.answer_opinion(db, team["purchasing"], ids["purchasing"], answer("purchasing", ""), now=later(1))
    assert state(db, order_id) == before


def test_closing_a_round_with_an_opinion_missing_is_refused(db, team, submitted):
    order_id = submitted()
    review.accept_and_send(db, team["sales"], order_id, due(), CLEAR, now=NOW)
    ids = opinion_ids(db, order_id)
    review.answer_opinion(db, team["production"], ids["production"], answer("production"), now=later(1))
    review.answer_opinion(db, team["technical"], ids["technical"], answer("technical"), now=later(1))
    before = state(db, order_id)
    with pytest.raises(GateError) as err:
        review.close_round(db, team["sales"], order_id, now=later(2))
    assert "Purchasing" in str(err.value) and "Production" not in str(err.value)
    assert state(db, order_id) == before
    with pytest.raises(PermissionDenied):
        review.close_round(db, team["production"], order_id, now=later(2))


def test_a_failed_round_goes_back_to_negotiation_and_every_round_is_kept(db, team, submitted):
    order_id = submitted()
    review.accept_and_send(db, team["sales"], order_id, due(), CLEAR, now=NOW)
    answer_all(db, team, order_id, {"technical": "reject", "production": "pass_with_conditions"})
    assert review.close_round(db, team["sales"], order_id, now=later(10)) == "failed"
    assert orders.get_order(db, order_id).stage == "negotiating"
    rows = queries.escalation_rows(db)
    assert [(r.order_id, r.kind) for r in rows] == [(order_id, "failed_review")]
    assert [r.status for r in queries.preliminary_rows(db)] == [queries.STATUS_ROUND_FAILED]
    review.log_negotiation(db, team["sales"], order_id, review.NegotiationInput(
        later(11).date(), "陳小姐", "碎鑽改 1.0 mm", "第 1 行鑲石規格"), now=later(11))
    assert review.accept_and_send(db, team["sales"], order_id, due(now=later(12)), CLEAR, now=later(12)) == 2
    answer_all(db, team, order_id, at=14)
    assert review.close_round(db, team["sales"], order_id, now=later(20)) == "passed"
    history = queries.review_history(db, order_id)
    assert [(r.round_no, r.result) for r in history.rounds] == [(1, "failed"), (2, "passed")]
    first = {o.department: o for o in history.rounds[0].opinions}
    assert first["technical"].verdict == "reject" and first["technical"].comments == "微鑲 0.8 mm 以下做不到"
    assert first["production"].conditions == "首件需客戶確認"
    assert all(o.verdict == "pass" for o in history.rounds[1].opinions)
    assert [r.order_id for r in queries.round_rows(db)] == [order_id]
    assert queries.round_rows(db)[0].awaiting_contract


def test_a_manager_abandons_during_detailed_review_and_the_open_round_is_withdrawn(db, team, submitted):
    order_id = submitted()
    review.accept_and_send(db, team["sales"], order_id, due(), CLEAR, now=NOW)
    assert queries.count_inbox(db, "production") == 1
    review.decide(db, team["manager"], order_id, "abandon", "客戶取消合作", now=later(1))
    history = queries.review_history(db, order_id)
    assert history.stage == "abandoned" and history.rounds[0].result == "withdrawn"
    assert queries.count_inbox(db, "production") == 0
    with pytest.raises(GateError, match="closed"):
        review.answer_opinion(db, team["production"], opinion_ids(db, order_id)["production"],
                              answer("production"), now=later(2))


def test_overdue_requests_come_first_and_are_counted_per_department(db, team, submitted):
    late_order, early_order, answered_order = submitted(), submitted(), submitted()
    review.accept_and_send(db, team["sales"], late_order, due(hours=24), CLEAR, now=NOW)
    review.accept_and_send(db, team["sales"], early_order, due(hours=96), CLEAR, now=NOW)
    review.accept_and_send(db, team["sales"], answered_order, due(hours=24), CLEAR, now=NOW)
    answer_all(db, team, answered_order, at=30)  # answered after the due time: late, but no longer open
    when = later(48)
    assert queries.overdue_count(db, "production", now=when) == 1
    assert queries.overdue_count(db, now=when) == 3
    assert queries.overdue_count(db, now=NOW) == 0
    rows = queries.inbox_rows(db, "technical", sort_key="order_no", descending=True, now=when)
    assert [r.order_id for r in rows] == [late_order, early_order]  # overdue first, whatever the sort
    assert [r.overdue(when) for r in rows] == [True, False]
    assert queries.count_inbox(db, "technical") == 2
    round_rows = {r.order_id: r for r in queries.round_rows(db, now=when)}
    assert round_rows[late_order].overdue == 3 and round_rows[early_order].overdue == 0
    assert round_rows[answered_order].ready_to_close
    late_answers = queries.review_history(db, answered_order).latest_round.opinions
    assert all(o.overdue() for o in late_answers)  # answered late stays marked late


# ---- contract -------------------------------------------------------------------------------------------------

def test_a_contract_needs_a_passed_review(db, team, submitted):
    order_id = submitted()
    contract = review.ContractInput("HT-2026-001", dt.date(2026, 11, 9), ["production"])
    for step in ("before", "open", "failed"):
        if step == "open":
            review.accept_and_send(db, team["sales"], order_id, due(), CLEAR, now=NOW)
        if step == "failed":
            answer_all(db, team, order_id, {"purchasing": "reject"})
            review.close_round(db, team["sales"], order_id, now=later(10))
        before = state(db, order_id)
        with pytest.raises(GateError, match="review has not passed"):
            review.record_contract(db, team["sales"], order_id, contract, now=later(11))
        assert state(db, order_id) == before


def test_the_contract_is_recorded_with_its_copies_and_its_number_is_unique(db, team, submitted):
    first, second = submitted(), submitted()
    passed_review(db, team, first)
    passed_review(db, team, second)
    with pytest.raises(ValidationError) as err:
        review.record_contract(db, team["sales"], first, review.ContractInput(" ", "2026-11-20", []), now=later(11))
    assert {p.field for p in err.value.problems} == {"contract_no", "signed_date", "copies_to"}
    review.record_contract(db, team["sales"], first, review.ContractInput(
        "HT-2026-0107", "2026-11-09", ["production", "technical", "purchasing", "production"]), now=later(11))
    assert orders.get_order(db, first).stage == "contracted"
    contract = queries.review_history(db, first).contract
    assert contract.contract_no == "HT-2026-0107" and contract.copies_to == ("production", "technical", "purchasing")
    before = state(db, second)
    with pytest.raises(ValidationError) as err:
        review.record_contract(db, team["sales"], second, review.ContractInput("ht-2026-0107", dt.date(2026, 11, 9),
                                                                               ["sales"]), now=later(11))
    assert "already recorded" in str(err.value) and orders.get_order(db, first).order_no in str(err.value)
    assert state(db, second) == before
    with pytest.raises(ValidationError, match="before the order date"):
        review.record_contract(db, team["sales"], second, review.ContractInput("HT-2", dt.date(2026, 10, 1),
                                                                               ["sales"]), now=later(11))
    with pytest.raises(PermissionDenied):
        review.record_contract(db, team["production"], second, review.ContractInput("HT-2", "2026-11-09",
                                                                                    ["sales"]), now=later(11))
    with db.read_session() as s:
        from jewelryorders.services.review.procedure import has_signed_contract
        assert has_signed_contract(s, first) and not has_signed_contract(s, second)


def test_every_step_writes_one_audit_event_with_the_order(db, team, submitted):
    order_id = submitted()
    review.negotiate(db, team["sales"], order_id, review.NegotiationInput(NOW.date(), "陳小姐", "確認交期"),
                     now=NOW)
    review.accept_and_send(db, team["sales"], order_id, due(now=later(1)), CLEAR, now=later(1))
    answer_all(db, team, order_id)
    review.close_round(db, team["sales"], order_id, now=later(10))
    review.record_contract(db, team["sales"], order_id, review.ContractInput("HT-9", "2026-11-09", ["sales"]),
                           now=later(11))
    with db.read_session() as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.order_id == order_id)
                            .order_by(AuditEvent.id)).all()
    assert actions == ["create", "stage",  # intake
                       "preliminary_review", "negotiation", "stage",
                       "preliminary_review", "open_round", "stage",
                       "answer", "answer", "answer",
                       "close_round",
                       "contract", "stage"]
    from jewelryorders.services.audit import verify_chain
    assert verify_chain(db).ok


# ---- report data and the demo ---------------------------------------------------------------------------------

def test_review_report_data_holds_every_round_with_its_opinions(db, team, submitted):
    order_id = submitted()
    review.escalate(db, team["sales"], order_id, "交期緊", now=NOW)
    review.decide(db, team["manager"], order_id, "accept", "客戶重要", now=later(1))
    review.accept_and_send(db, team["sales"], order_id, due(now=later(2)), CLEAR, now=later(2))
    answer_all(db, team, order_id, {"technical": "reject"})
    review.close_round(db, team["sales"], order_id, now=later(10))
    review.log_negotiation(db, team["sales"], order_id, review.NegotiationInput(NOW.date(), "陳小姐", "改爪鑲"),
                           now=later(11))
    review.accept_and_send(db, team["sales"], order_id, due(now=later(12)), CLEAR, now=later(12))
    answer_all(db, team, order_id, {"production": "pass_with_conditions"}, at=70)  # after the due time
    review.close_round(db, team["sales"], order_id, now=later(80))
    review.record_contract(db, team["sales"], order_id, review.ContractInput("HT-77", "2026-11-09",
                                                                             ["production", "archive"]),
                           now=later(81))
    data = review_report_data(db, order_id, "zh_TW")
    assert data.order.order_no == orders.get_order(db, order_id).order_no
    assert data.order.contract_no == "HT-77" and data.contract.copies_to == ["生產部", "檔案室"]
    assert [r.round_no for r in data.rounds] == [1, 2]
    assert [r.result_label for r in data.rounds] == ["Failed", "Passed"]
    assert [len(r.opinions) for r in data.rounds] == [3, 3]
    first = {o.department_label: o for o in data.rounds[0].opinions}
    assert first["技術部"].verdict_label == "Reject" and "微鑲" in first["技術部"].comments
    assert ("生產週期（天）", "28") in first["生產部"].fields
    assert not any(o.overdue for o in data.rounds[0].opinions)
    assert all(o.overdue for o in data.rounds[1].opinions)
    assert data.rounds[1].opinions[0].conditions == "首件需客戶確認"
    assert [d.decision_label for d in data.decisions] == ["Escalate", "Accept"]
    assert data.preliminary_outcome == "Accept"
    assert [c.check for c in data.preliminary_checks] == ["客戶信用狀況", "交貨期", "產品款式與工藝要求",
                                                          "價格條款（符合公司政策）"]
    assert [c.cleared_by for c in data.preliminary_checks] == ["—"] * 4
    assert data.final_decision_label == "Proceed to contract"
    assert [n.with_whom for n in data.negotiations] == ["陳小姐"]


def test_order_paper_data_has_the_lines_and_labels_in_the_papers_language(db, admin, submitted):
    users.update_settings(db, admin, {"factory_address": "廣州番禺"})
    order_id = submitted(lines=2)
    data = order_paper_data(db, order_id, "zh_CN")
    assert data.factory_address == "廣州番禺" and data.customer_name == "周大福珠寶"
    assert [line.style_code for line in data.lines] == ["R-18K-001", "R-18K-002"]
    assert data.lines[0].amount == Decimal("119000.00") and data.lines[0].target_weight_mg == 3125
    assert data.lines[0].stones[0].stone_type == "钻石" and data.lines[0].stones[0].carat == Decimal("0.360")
    assert data.stage_label == "初步评审" and data.contract_no is None


def test_before_any_outcome_the_report_shows_the_checks_as_they_stand(db, submitted):
    order_id = submitted()
    data = review_report_data(db, order_id, "en")
    assert [(c.check, c.result, c.cleared_by) for c in data.preliminary_checks] == [
        ("Customer credit standing", "Passed", "—"), ("Delivery lead time", "Passed", "—"),
        ("Style and craft requirements", "Failed", "Open"), ("Price terms (meet company policy)", "Passed", "—")]
    assert data.preliminary_checks[2].note == "Not judged yet"
    assert "3.125 g × HKD 500.00/g + labour HKD 300.00 = minimum HKD 1,862.50" in data.preliminary_checks[3].note
    assert data.preliminary_outcome is None and data.rounds == [] and data.final_decision_label == "Pending"


def test_the_demo_puts_orders_into_every_review_state(db, team, submitted, tight_customer):
    from jewelryorders.demo.review import DEMO_TARGET_STATES, advance_demo_orders

    by_state = {state: [submitted(tight_customer.id if state == "contracted" else None)]
                for state in DEMO_TARGET_STATES}
    now = clock.now()
    done = advance_demo_orders(db, random.Random(3), by_state, team, now=now)
    assert done == {state: 1 for state in DEMO_TARGET_STATES}
    stage = {state: orders.get_order(db, ids[0]).stage for state, ids in by_state.items()}
    assert stage == {"preliminary_review": "preliminary_review", "negotiating": "negotiating",
                     "escalated": "escalated", "detailed_review": "detailed_review",
                     "detailed_review_overdue": "detailed_review", "failed_then_passed": "detailed_review",
                     "abandoned": "abandoned", "contracted": "contracted"}
    rounds = queries.review_history(db, by_state["failed_then_passed"][0]).rounds
    assert [r.result for r in rounds] == ["failed", "passed"]
    assert queries.overdue_count(db, "technical", now=now) >= 1
    overdue_order = by_state["detailed_review_overdue"][0]
    assert any(o.overdue(now) for o in queries.review_history(db, overdue_order).latest_round.opinions)


# ---- command line ---------------------------------------------------------------------------------------------

def test_print_review_report_writes_a_pdf_with_the_order_no(db, team, submitted, tmp_path):
    if not db.is_sqlite:
        pytest.skip("the command line test opens the SQLite file")
    order_id = submitted()
    passed_review(db, team, order_id)
    order_no = orders.get_order(db, order_id).order_no
    out = tmp_path / "review.pdf"
    result = subprocess.run([sys.executable, "-m", "jewelryorders", "--db", str(db.path), "print", "review-report",
                             order_no, "--out", str(out), "--lang", "zh_TW"], capture_output=True, text=True,
                            cwd=tmp_path, timeout=120, env=WORKTREE_ENV)
    assert result.returncode == 0, result.stderr
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert order_no in text and "訂單評審報告" in text
    assert re.search(r"第\s*1\s*輪", text)
    missing = subprocess.run([sys.executable, "-m", "jewelryorders", "--db", str(db.path), "print", "review-report",
                              "JO-1999-00001", "--out", str(tmp_path / "x.pdf")], capture_output=True, text=True,
                             cwd=tmp_path, timeout=120, env=WORKTREE_ENV)
    assert missing.returncode == 1 and "JO-1999-00001" in missing.stderr
    assert not (tmp_path / "x.pdf").exists()
