"""Dashboard figures on a small fixed factory built through the services, each checked against values counted by
hand: orders by stage, late and projected-late orders, workshop load, review speed, intake, my to-do."""

from __future__ import annotations

import datetime as dt

import pytest

from jewelryorders import clock
from jewelryorders.services import dashboard
from jewelryorders.services.dashboard import figures as fig
from jewelryorders.services.dashboard import todo as todo_mod
from jewelryorders.services.dashboard.registry import FigureContext, Period, parse_month, preset_period
from jewelryorders.services.orders import intake as orders
from jewelryorders.services.planning import checklist as planning_checklist
from jewelryorders.services.planning import forecast as planning_forecast
from jewelryorders.services.planning import plans as planning
from jewelryorders.services.review import procedure as review

from .conftest import TEST_TODAY, order_input
from .planning_support import contracted, factory  # noqa: F401  (fixtures)
from .review_support import set_stage

TODAY = TEST_TODAY  # Monday 16 November 2026
NOVEMBER = Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def ctx(actor=None, period=NOVEMBER, now=None) -> FigureContext:
    return FigureContext.make(period, actor, now=now)


# ---- the registry and the period ----------------------------------------------------------------------------------

def test_registry_lists_the_figures_in_order_with_a_definition_each():
    keys = dashboard.FIGURES.keys()
    assert keys[:2] == ["my_todo", "orders_by_stage"]
    assert {"late_orders", "workshop_load", "review_speed", "intake"} <= set(keys)
    for f in dashboard.FIGURES:
        assert f.title and len(f.definition) > 40


def test_periods():
    assert parse_month("2026-02") == Period(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert parse_month("2026-12").last == dt.date(2026, 12, 31)
    for bad in ("2026-13", "26-01", "2026/01", "x"):
        with pytest.raises(ValueError):
            parse_month(bad)
    assert preset_period("this_month", TODAY) == Period(dt.date(2026, 11, 1), TODAY)
    assert preset_period("last_month", TODAY) == parse_month("2026-10")
    assert preset_period("last_3_months", TODAY) == Period(dt.date(2026, 9, 1), TODAY)
    assert preset_period("last_12_months", TODAY) == Period(dt.date(2025, 12, 1), TODAY)
    assert preset_period("year_to_date", TODAY) == Period(dt.date(2026, 1, 1), TODAY)


# ---- orders by stage ---------------------------------------------------------------------------------------------

def test_orders_by_stage_counts_each_group_of_stages(db, admin, factory, contracted, sales, customer):
    drafts = [orders.create_order(db, sales, order_input(customer.id)) for _ in range(3)]
    orders.submit_for_review(db, sales, drafts[0].id)            # -> review
    orders.cancel_order(db, admin, drafts[1].id, "customer withdrew")  # -> not counted
    a, b, c, d = (contracted() for _ in range(4))               # 4 contracted
    plan = planning.propose_plan(db, factory.planner, a, today=TODAY)
    planning.release_plan(db, factory.planner, plan.id, today=TODAY)  # -> planned
    # Stages no service reaches yet (final QC, shipping, delivery come with later parts):
    set_stage(db, b, "final_qc")
    set_stage(db, c, "partly_shipped")
    set_stage(db, d, "delivered")

    r = fig.orders_by_stage(db, ctx())
    counts = {bar.key: bar.count for bar in r.bars}
    assert counts == {"intake": 1, "review": 1, "contracted": 0, "planned": 1, "in_production": 0, "qc": 1,
                      "ready_to_ship": 0, "shipped": 1, "delivered": 1}
    assert r.total == 5  # in progress: the delivered order is behind the factory
    review_bar = next(bar for bar in r.bars if bar.key == "review")
    assert set(review_bar.stages) == {"preliminary_review", "negotiating", "escalated", "detailed_review"}
    p = fig.present_orders_by_stage(r, "en")
    assert p.chart.categories[0] == "Intake" and p.chart.series[0].values[3] == 1.0
    assert p.chart.links[1].tab == "orders" and "detailed_review" in p.chart.links[1].stages
    assert p.headline == "5 orders in progress"


# ---- late orders -------------------------------------------------------------------------------------------------

def test_late_orders_worst_first_with_days_late_and_blocking_step(db, factory, contracted, sales, customer):
    # Two orders taken at the start of October, promised for 10 and 13 November: past their dates today.
    clock.set_fixed(dt.date(2026, 10, 1))
    early = orders.create_order(db, sales, order_input(customer.id, order_date=dt.date(2026, 10, 1),
                                                       delivery_date=dt.date(2026, 11, 10)))
    later = orders.create_order(db, sales, order_input(customer.id, order_date=dt.date(2026, 10, 1),
                                                       delivery_date=dt.date(2026, 11, 13)))
    orders.submit_for_review(db, sales, later.id)
    clock.set_fixed(TODAY)
    # A planned order due in January (on time), and one due too soon for its plan (projected late).
    on_time = contracted(quantity=10, delivery=dt.date(2027, 1, 15))
    squeezed = contracted(quantity=200, delivery=dt.date(2026, 11, 27))
    for order_id in (on_time, squeezed):
        plan = planning.propose_plan(db, factory.planner, order_id, today=TODAY)
        planning.release_plan(db, factory.planner, plan.id, today=TODAY)
    forecast = {row.order_id: row for row in planning_forecast.refresh_forecast(db, TODAY)}
    assert forecast[squeezed].days_late > 0 and forecast[on_time].days_late == 0

    r = fig.late_orders(db, ctx())
    assert r.total == 3 and r.overdue == 2
    by_id = {x.order_id: x for x in r.rows}
    assert set(by_id) == {early.id, later.id, squeezed}
    assert by_id[early.id].days_late == 6 and by_id[early.id].overdue
    assert by_id[later.id].days_late == 3
    assert by_id[squeezed].days_late == forecast[squeezed].days_late and not by_id[squeezed].overdue
    assert [x.days_late for x in r.rows] == sorted((x.days_late for x in r.rows), reverse=True)
    # The squeezed order's plan has not started: its first step blocks it; the drafts have no plan.
    assert by_id[squeezed].blocking_step == "CAD design" and by_id[squeezed].blocking_workshop == "CAD design shop"
    assert by_id[early.id].blocking_step == ""
    # Finishing the first step moves the blocker to the second.
    planning_checklist.set_checklist_item(db, factory.planner, squeezed, "equipment", done=True)
    planning.start_step(db, factory.planner, squeezed, 1)
    planning.finish_step(db, factory.planner, squeezed, 1)
    assert {x.order_id: x for x in fig.late_orders(db, ctx()).rows}[squeezed].blocking_step == "Wax and mould"
    p = fig.present_late_orders(r, "en")
    assert p.headline == "3 orders late or projected late · 2 past their delivery date"
    assert p.table.rows[0][0] in (early.order_no, squeezed_no(db, squeezed))
    assert fig.late_orders(db, ctx(), limit=1).rows[0].days_late == r.rows[0].days_late


def squeezed_no(db, order_id):
    return orders.get_order(db, order_id).order_no


# ---- workshop load -----------------------------------------------------------------------------------------------

def test_workshop_load_per_week_against_capacity_with_overloads(db, factory, contracted):
    # Three draft plans of the same big order, each proposed without seeing the others: they share the same days.
    ids = [contracted(quantity=200, delivery=dt.date(2026, 12, 31)) for _ in range(3)]
    plans = [planning.propose_plan(db, factory.planner, i, today=TODAY) for i in ids]
    r = fig.workshop_load(db, ctx())
    assert r.weeks == [dt.date(2026, 11, 16), dt.date(2026, 11, 23), dt.date(2026, 11, 30), dt.date(2026, 12, 7)]
    window_end = dt.date(2026, 12, 13)
    # Capacity: 8 h × 2 benches × 5 weekdays = 80 h a week; the week of today starts today (a Monday).
    for shop in r.workshops:
        assert [w.capacity_minutes for w in shop.weeks] == [4800] * 4
    # Every step lying wholly inside the four weeks books all its minutes there.
    for shop in r.workshops:
        steps = [s for p in plans for s in p.steps if s.workshop_id == shop.workshop_id]
        if all(s.planned_end <= window_end for s in steps):
            assert sum(w.used_minutes for w in shop.weeks) == sum(s.work_minutes for s in steps), shop.name
        elif all(s.planned_start > window_end for s in steps):
            assert sum(w.used_minutes for w in shop.weeks) == 0
    # Filing: 0.25 h × 200 = 50 h per order, three orders on the same days at one bench each (8 h) — 24 h a day
    # on 16 h of benches.
    filing = r.of("Filing shop")
    filing_steps = [s for p in plans for s in p.steps if s.name == "Filing"]
    assert all(s.work_minutes == 3000 for s in filing_steps)
    assert filing.overloaded and sum(w.overloaded_days for w in filing.weeks) > 0
    p = fig.present_workshop_load(r, "en")
    assert p.chart.percent and p.chart.limit.values[0] == 1.0
    assert p.chart.marked[[w.name for w in r.workshops].index("Filing shop")]
    assert "overloaded" in p.headline


# ---- review speed ------------------------------------------------------------------------------------------------

def _send(db, sales, order_id, sent: dt.datetime, due_hours: int):
    orders.submit_for_review(db, sales, order_id)
    due = sent + dt.timedelta(hours=due_hours)
    review.accept_and_send(db, sales, order_id, {d: due for d in ("production", "technical", "purchasing")},
                           review.PreliminaryInput(True, "standard"), now=sent)


def _opinion_ids(db, order_id):
    from sqlalchemy import select

    from jewelryorders.models.reviews import ReviewOpinion

    with db.read_session() as s:
        return dict((dep, oid) for oid, dep in s.execute(select(ReviewOpinion.id, ReviewOpinion.department)
                                                         .where(ReviewOpinion.order_id == order_id)))


def test_review_speed_per_department(db, make_user, sales, customer):
    from jewelryorders.services.review import policy

    manager = make_user("management", "manager", "boss")
    policy.set_price_policy(db, manager, policy.CurrencyPolicyInput("HKD", "0", "0", {"Au750": "1"}))
    production = make_user("production", "clerk", "prod")
    technical = make_user("technical", "clerk", "tech")
    utc = dt.timezone.utc
    monday = dt.datetime(2026, 11, 9, 2, 0, tzinfo=utc)
    a = orders.create_order(db, sales, order_input(customer.id)).id
    b = orders.create_order(db, sales, order_input(customer.id)).id
    _send(db, sales, a, monday, 48)
    _send(db, sales, b, monday, 24)
    oa, ob = _opinion_ids(db, a), _opinion_ids(db, b)
    answer = review.OpinionAnswer("pass", difficulty="low", cycle_days=10, capacity_load_pct=50)
    # Production answers A after 10 h (on time) and B after 30 h (6 h late); technical answers A after 50 h (late).
    review.answer_opinion(db, production, oa["production"], answer, now=monday + dt.timedelta(hours=10))
    review.answer_opinion(db, production, ob["production"], answer, now=monday + dt.timedelta(hours=30))
    review.answer_opinion(db, technical, oa["technical"], review.OpinionAnswer("pass", craft_feasibility="feasible"),
                          now=monday + dt.timedelta(hours=50))

    r = fig.review_speed(db, ctx())
    prod, tech, purch = r.of("production"), r.of("technical"), r.of("purchasing")
    assert (prod.open, prod.overdue, prod.answered, prod.answered_on_time, prod.average_hours) == (0, 0, 2, 1, 20.0)
    assert (tech.open, tech.overdue, tech.answered, tech.answered_on_time, tech.average_hours) == (1, 1, 1, 0, 50.0)
    # Purchasing answered nothing: both requests open, both past due by today.
    assert (purch.open, purch.overdue, purch.answered, purch.average_hours) == (2, 2, 0, None)
    # A period before the answers counts the open requests, but no answers.
    october = fig.review_speed(db, ctx(period=parse_month("2026-10")))
    assert october.of("production").answered == 0 and october.of("purchasing").open == 2
    p = fig.present_review_speed(r, "en")
    assert p.headline == "Review requests open: 3, overdue: 3"

    # Sales: nothing to close yet (purchasing has not answered either round).
    assert todo_mod.my_todo(db, ctx(sales)).of("rounds_to_close") is None
    # My to-do: the purchasing clerk has two opinions due, both overdue; technical one; production none.
    buyer = make_user("purchasing", "clerk", "buyer")
    items = todo_mod.my_todo(db, ctx(buyer)).items
    assert [(i.kind, i.count, i.overdue) for i in items] == [("review_opinions", 2, 2)]
    assert items[0].link.tab == "review" and items[0].link.view == "inbox"
    assert items[0].sentence("en") == "Review opinions due from Purchasing: 2 (2 overdue)"
    assert todo_mod.my_todo(db, ctx(production)).items == []
    assert todo_mod.my_todo(db, ctx(technical)).of("review_opinions").count == 1
    # Every department answers order B: sales has one round to close; closed (passed), one contract to record.
    review.answer_opinion(db, technical, ob["technical"], review.OpinionAnswer("pass", craft_feasibility="feasible"))
    review.answer_opinion(db, buyer, ob["purchasing"], review.OpinionAnswer(
        "pass", materials_list="Au750 200 g", purchase_lead_days=5, supplier_risk="low"))
    mine = todo_mod.my_todo(db, ctx(sales))
    assert mine.of("rounds_to_close").count == 1 and mine.of("contracts") is None
    assert mine.of("rounds_to_close").link == dashboard.Link("review", "rounds")
    review.close_round(db, sales, b)
    mine = todo_mod.my_todo(db, ctx(sales))
    assert mine.of("rounds_to_close") is None and mine.of("contracts").count == 1


# ---- intake ------------------------------------------------------------------------------------------------------

def test_intake_counts_orders_and_contracts_per_month(db, factory, contracted, sales, customer):
    orders.create_order(db, sales, order_input(customer.id, order_date=dt.date(2026, 10, 20)))
    orders.create_order(db, sales, order_input(customer.id, order_date=dt.date(2026, 11, 3)))
    contracted()  # order date 2 November, contract signed 2 November
    r = fig.intake(db, ctx(period=Period(dt.date(2026, 10, 1), dt.date(2026, 11, 30))))
    assert [(m.month, m.received, m.contracts) for m in r.months] == [
        (dt.date(2026, 10, 1), 1, 0), (dt.date(2026, 11, 1), 2, 1)]
    assert (r.received, r.contracts) == (3, 1)
    assert fig.intake(db, ctx(period=parse_month("2026-09"))).received == 0


# ---- my to-do ----------------------------------------------------------------------------------------------------

def test_my_todo_for_sales_managers_checklist_departments_and_purchasing_head(db, factory, contracted, make_user,
                                                                             sales, customer):
    from jewelryorders.services.review import queries

    waiting = orders.create_order(db, sales, order_input(customer.id))
    orders.submit_for_review(db, sales, waiting.id)
    order_id = contracted()
    plan = planning.propose_plan(db, factory.planner, order_id, today=TODAY)
    planning.release_plan(db, factory.planner, plan.id, today=TODAY)
    # Sales: one order waits for the preliminary review.
    items = todo_mod.my_todo(db, ctx(sales)).items
    assert [(i.kind, i.count) for i in items] == [("preliminary", 1)]
    assert items[0].link.view == "preliminary"
    # The checklist of the released plan: equipment (production), tooling (production, technical), materials
    # (purchasing, quality); training only for a new style (not required here).
    tech = todo_mod.my_todo(db, ctx(factory.technical))
    assert tech.of("checklist_tooling").count == 1 and tech.of("checklist_materials") is None
    assert tech.of("checklist_tooling").link.tab == "planning"
    assert tech.of("checklist_tooling").sentence("en") == "Orders needing 'Tooling and moulds ready' confirmed: 1"
    planning_checklist.set_checklist_item(db, factory.technical, order_id, "tooling", done=True)
    assert todo_mod.my_todo(db, ctx(factory.technical)).of("checklist_tooling") is None
    quality = make_user("quality", "clerk", "qc")
    assert todo_mod.my_todo(db, ctx(quality)).of("checklist_materials").count == 1
    # A manager: escalations awaiting a decision, counted as the review part counts them.
    manager = make_user("management", "manager", "gm")
    mine = todo_mod.my_todo(db, ctx(manager))
    assert (mine.of("decisions").count if mine.of("decisions") else 0) == queries.count_escalations(db)
    # The head of purchasing: lots in quarantine (none yet), and the clerk never sees them.
    head = make_user("purchasing", "department_head", "phead")
    assert todo_mod.my_todo(db, ctx(head)).of("lots") is None
    assert todo_mod.my_todo(db, ctx(None)).items == []


def test_compute_runs_every_figure_and_times_it(db, admin):
    data = dashboard.compute(db, ctx(admin))
    assert [c.figure.key for c in data.computed] == dashboard.FIGURES.keys()
    assert all(c.error == "" and c.seconds >= 0 for c in data.computed)
    report = dashboard.compute(db, ctx(admin), for_report=True)
    assert "my_todo" not in [c.figure.key for c in report.computed]
    for c in data.computed:
        p = c.figure.present(c.result, "zh_TW")
        assert p.headline or p.empty
        assert all(len(row) == len(p.table.headers) for row in p.table.rows)
