"""The demo factory a visitor would believe: stages in a working factory's proportions, history in the past, names,
addresses, credit and review texts that fit, and a plan mostly on time with a few late orders."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
from sqlalchemy import func, select

from jewelryorders import clock
from jewelryorders.db import open_database
from jewelryorders.demo import build_demo, data
from jewelryorders.demo.history import FATE_WEIGHTS, fate_counts
from jewelryorders.models.customers import Customer
from jewelryorders.models.orders import Order, OrderLine
from jewelryorders.models.planning import PlanStep, ProductionPlan
from jewelryorders.models.reviews import Contract, ReviewOpinion
from jewelryorders.services import audit, users
from jewelryorders.services.orders.intake import open_order_value
from jewelryorders.services.planning.forecast import list_forecast

from .conftest import TEST_TODAY

N_ORDERS = 50
OPEN_STAGES = ["draft", "preliminary_review", "negotiating", "escalated", "detailed_review", "contracted", "planned",
               "in_production"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """One demo factory of N_ORDERS orders, built at the tests' moment (module-wide: building it takes a while)."""
    saved = users.SCRYPT_N
    users.SCRYPT_N = 2**10
    db = open_database("sqlite:///" + str(tmp_path_factory.mktemp("demo") / "demo.db"))
    phases: list[tuple[str, int, int]] = []
    try:
        with clock.frozen(TEST_TODAY):
            result = build_demo(db, n_orders=N_ORDERS, seed=5, progress=lambda *a: phases.append(a))
    finally:
        users.SCRYPT_N = saved
    yield db, result, phases
    db.close()


def test_the_stages_stand_in_the_same_proportions_at_500_and_100000_orders():
    for n in (500, 100_000):
        counts = Counter(fate_counts(n))
        assert sum(counts.values()) == n
        for fate, weight in FATE_WEIGHTS.items():
            assert abs(counts[fate] / n - weight / sum(FATE_WEIGHTS.values())) < 0.003, (n, fate)
    assert Counter(fate_counts(500))["finished"] > 250


def test_most_orders_are_behind_the_factory_and_every_open_stage_has_a_few(demo):
    db, result, _phases = demo
    assert result.orders == N_ORDERS and sum(result.stages.values()) == N_ORDERS
    for stage in OPEN_STAGES + ["abandoned", "cancelled"]:
        assert result.stages.get(stage, 0) >= 1, stage
    with db.read_session() as s:
        # Every production step finished: the ledger moved those orders on to final inspection (or beyond).
        finished = s.scalar(select(func.count()).select_from(ProductionPlan).where(
            ProductionPlan.status == "released",
            ~select(PlanStep.id).where(PlanStep.plan_id == ProductionPlan.id, PlanStep.state != "done").exists()))
    assert finished > N_ORDERS / 2
    assert result.stages["in_production"] >= 2  # and some still at work
    past_production = sum(result.stages.get(stage, 0) for stage in (
        "final_qc", "ready_to_ship", "partly_shipped", "shipped", "delivered", "closed"))
    assert past_production >= finished


def test_each_phase_reports_its_progress(demo):
    _db, _result, phases = demo
    ended = [name for name, done, total in phases if done == total]
    assert len(ended) >= 6 and any(total == N_ORDERS for _name, _done, total in phases)


def test_customer_names_have_no_doubled_ending_and_addresses_lie_in_their_country(demo):
    db, _result, _phases = demo
    with db.read_session() as s:
        rows = list(s.execute(select(Customer.name, Customer.name_en, Customer.address, Customer.country)))
    assert len(rows) == len(data.CUSTOMER_STEMS)
    for name, name_en, address, country in rows:
        assert not re.search(r"(.+)\1", name), name  # 珠寶珠寶, 海珠珠寶
        words = re.findall(r"[a-zà-ÿ]+", name_en.lower())
        for stem in ("jewel", "gold", "gem", "diamond", "pearl", "silver"):
            assert sum(w.startswith(stem) for w in words) <= 1, name_en
        assert address in data.COUNTRY_ADDRESSES[country], (name, address, country)
    assert ("明牌珠寶有限公司", "Mingpai Jewellery Ltd.") in [(r[0], r[1]) for r in rows]
    assert ("天貓旗艦珠寶有限公司", "Tmall Flagship Jewellery Ltd.") in [(r[0], r[1]) for r in rows]


def test_credit_stands_within_the_limit_for_most_customers(demo):
    db, _result, _phases = demo
    with db.read_session() as s:
        customers = list(s.scalars(select(Customer)))
        within = [c for c in customers if open_order_value(s, c.id) <= c.credit_limit]
        over = [c for c in customers if open_order_value(s, c.id) > c.credit_limit]
    assert len(within) >= 0.9 * len(customers)
    assert over, "a credit review cut a few limits below what those customers owe"


def test_review_opinions_name_the_orders_metal_stones_and_setting(demo):
    db, _result, _phases = demo
    with db.read_session() as s:
        opinions = list(s.execute(select(ReviewOpinion.order_id, ReviewOpinion.department,
                                         ReviewOpinion.materials_list, ReviewOpinion.proposed_solution)
                                  .where(ReviewOpinion.answered_at.is_not(None))))
        lines: dict[int, list[OrderLine]] = {}
        for line in s.scalars(select(OrderLine)):
            lines.setdefault(line.order_id, []).append(line)
        styles = {row[0]: row for row in data.STYLES}
        assert len(opinions) > N_ORDERS
        for order_id, department, materials, solution in opinions:
            metals = {line.metal for line in lines[order_id]}
            stones = {st.stone_type for line in lines[order_id] for st in line.stones}
            if department == "purchasing":
                assert all(metal in materials for metal in metals), (materials, metals)
                assert all(data.STONE_NAMES[kind] in materials for kind in stones), (materials, stones)
            if department == "technical":
                assert all(metal in solution for metal in metals), (solution, metals)
                for line in lines[order_id]:
                    for kind, count, carat in styles[line.style_code][6]:
                        assert data.stone_setting(kind, count, carat) in solution, (solution, line.style_code)
                if not stones:
                    assert "無鑲石" in solution


def test_contracts_were_signed_over_past_months_and_production_has_a_history(demo):
    db, _result, _phases = demo
    now = clock.now()
    with db.read_session() as s:
        signed = sorted(s.scalars(select(Contract.signed_date)))
        assert signed[-1] <= TEST_TODAY and signed[0] <= TEST_TODAY - dt.timedelta(days=180)
        months = {(d.year, d.month) for d in signed}
        assert len(months) >= 6
        steps = list(s.execute(select(PlanStep.state, PlanStep.actual_start_at, PlanStep.actual_end_at,
                                      PlanStep.planned_end, Order.stage)
                               .join(ProductionPlan, ProductionPlan.id == PlanStep.plan_id)
                               .join(Order, Order.id == ProductionPlan.order_id)
                               .where(ProductionPlan.status == "released")))
        order_dates = list(s.scalars(select(Order.order_date)))
    assert min(order_dates) < TEST_TODAY - dt.timedelta(days=365) and max(order_dates) <= TEST_TODAY
    done = [st for st in steps if st.state == "done"]
    assert done and all(st.actual_start_at <= st.actual_end_at < now for st in done)
    assert any(st.state == "in_progress" and st.stage == "in_production" and st.actual_start_at < now for st in steps)


def test_the_plan_has_most_orders_on_time_and_a_few_late(demo):
    db, _result, _phases = demo
    rows = list_forecast(db)
    late = [r for r in rows if r.days_late > 0]
    assert rows and late
    assert len(late) <= len(rows) / 2


def test_the_history_is_one_unbroken_audit_chain(demo):
    db, _result, _phases = demo
    assert audit.verify_chain(db).ok


def test_delivered_orders_arrived_mostly_on_time_and_none_waits_months_in_final_inspection(demo):
    from jewelryorders.models.delivery import Shipment
    from jewelryorders.models.quality import Inspection

    db, _result, _phases = demo
    with db.read_session() as s:
        last = (select(Shipment.order_id, func.max(Shipment.delivered_on).label("arrived"))
                .group_by(Shipment.order_id).subquery())
        arrivals = s.execute(select(Order.delivery_date, last.c.arrived).join(last, last.c.order_id == Order.id)
                             .where(Order.stage == "delivered")).all()
        waiting = s.scalars(select(Order.order_no).where(
            Order.stage == "final_qc", Order.delivery_date < TEST_TODAY - dt.timedelta(days=90),
            ~select(Inspection.id).where(Inspection.order_id == Order.id).exists())).all()
    assert len(arrivals) >= N_ORDERS / 2
    on_time = sum(1 for promised, arrived in arrivals if arrived <= promised)
    assert on_time >= 0.6 * len(arrivals), (on_time, len(arrivals))  # most on time (the dashboard's rate)
    assert on_time < len(arrivals)                                   # and a few late
    assert waiting == []  # an uninspected order does not sit in final inspection for months
