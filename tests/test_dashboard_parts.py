"""Dashboard figures of the later parts (delivery, quality, ledger, archive) on small fixed data built through the
services, each checked against values counted by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from jewelryorders.services import dashboard
from jewelryorders.services.dashboard import todo as todo_mod
from jewelryorders.services.dashboard.registry import FigureContext, Period
from jewelryorders.services.delivery import aftersales, shipments
from jewelryorders.services.delivery import dashboard as delivery_dash
from jewelryorders.services.delivery.aftersales import CaseInput, ClosingInput, FindingInput
from jewelryorders.services.delivery.shipments import PackageInput, ShipmentInput

from .delivery_support import quality_stand_in, ready_order  # noqa: F401  (fixtures)

NOVEMBER = Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def ctx(actor=None, period=NOVEMBER) -> FigureContext:
    return FigureContext.make(period, actor)


def test_the_parts_register_their_figures():
    keys = dashboard.FIGURES.keys()
    assert {"on_time_delivery", "after_sales"} <= set(keys)
    for f in dashboard.FIGURES:
        assert f.title and len(f.definition) > 40


# ---- delivery ----------------------------------------------------------------------------------------------------

@pytest.fixture
def shippable(ready_order, quality_stand_in):
    """The delivery part's ready order, with only the test's stand-in answering for quality at the shipping gate
    (the real final-inspection check would ask for inspections these delivery figures do not need)."""
    from jewelryorders.services import gates

    saved = list(gates._checks.get(gates.DELIVERY_SHIP, []))
    gates._checks[gates.DELIVERY_SHIP] = [(n, c) for n, c in saved if n == "test.quality"]
    yield ready_order
    gates._checks[gates.DELIVERY_SHIP] = saved


@pytest.fixture
def logistics(make_user):
    return make_user("logistics", "clerk", "logi1")


def _deliver(db, logistics, ready_order, promised, shipped, delivered, quantity=2):
    order = ready_order(quantity=quantity, order_date=dt.date(2025, 9, 1), delivery_date=promised)
    [line] = shipments.open_lines(db, order.id)
    sh = shipments.create_shipment(db, logistics, ShipmentInput(
        order.id, {line.line_id: quantity}, [PackageInput("rings", "200", "S-1")], "DHL", shipped_on=shipped,
        certificates="lot"))
    shipments.record_delivery(db, logistics, sh.id, delivered)
    return order


def test_on_time_delivery_per_month_over_12_months(db, logistics, shippable):
    d = dt.date
    # November 2026: 3 delivered, 2 on time (one on the day itself); October: 1 late; December 2025: 1 on time;
    # November 2025 falls outside the 12 months.
    _deliver(db, logistics, shippable, d(2026, 11, 10), d(2026, 11, 8), d(2026, 11, 9))
    _deliver(db, logistics, shippable, d(2026, 11, 10), d(2026, 11, 9), d(2026, 11, 10))
    _deliver(db, logistics, shippable, d(2026, 11, 5), d(2026, 11, 6), d(2026, 11, 12))
    _deliver(db, logistics, shippable, d(2026, 10, 1), d(2026, 10, 2), d(2026, 10, 3))
    _deliver(db, logistics, shippable, d(2025, 12, 31), d(2025, 12, 1), d(2025, 12, 2))
    _deliver(db, logistics, shippable, d(2025, 11, 30), d(2025, 11, 1), d(2025, 11, 2))
    shippable(quantity=1)  # not delivered: not counted

    r = delivery_dash.on_time_by_month(db, ctx())
    assert [m.label for m in r.months][0] == "2025-12" and r.months[-1].label == "2026-11" and len(r.months) == 12
    by = {m.label: (m.counts.delivered, m.counts.on_time) for m in r.months}
    assert by["2026-11"] == (3, 2) and by["2026-10"] == (1, 0) and by["2025-12"] == (1, 1)
    assert sum(n for n, _k in by.values()) == 5
    assert (r.total.delivered, r.total.on_time) == (5, 3)
    # the same counts as the delivery part's own rule
    rate = shipments.on_time_rate(db, d(2026, 11, 1), d(2026, 11, 30))
    assert (rate.delivered, rate.on_time) == by["2026-11"]
    p = delivery_dash.present_on_time(r, "en")
    assert p.chart.kind == "line" and p.chart.percent and p.chart.series[0].values[-1] == pytest.approx(2 / 3)
    assert p.headline == "60.0% of 5 orders delivered on time in 12 months"
    # the 12 months end with the chosen period: October's view leaves November out and takes November 2025 in
    oct_ = delivery_dash.on_time_by_month(db, ctx(period=Period(d(2026, 10, 1), d(2026, 10, 31))))
    assert oct_.months[0].label == "2025-11" and (oct_.total.delivered, oct_.total.on_time) == (3, 2)


def test_on_time_with_nothing_delivered_is_empty(db):
    r = delivery_dash.on_time_by_month(db, ctx())
    assert r.total.delivered == 0 and delivery_dash.present_on_time(r, "en").chart is None


def _case(db, actor, order_id, kind, due=dt.date(2026, 11, 30)):
    return aftersales.open_case(db, actor, CaseInput(kind, "phone", "戒指爪鬆了", actor.user_id, due,
                                                     dt.date(2026, 11, 10), order_id))


def test_after_sales_open_cases_by_kind_and_complaints_awaiting_the_customer(db, logistics, shippable, make_user):
    clerk = make_user("sales", "clerk", "aftersales1")
    order = _deliver(db, logistics, shippable, dt.date(2026, 11, 20), dt.date(2026, 11, 3), dt.date(2026, 11, 5))
    _case(db, clerk, order.id, "repair")
    _case(db, clerk, order.id, "repair", due=dt.date(2026, 11, 12))          # past due (today 16 Nov)
    answered = _case(db, clerk, order.id, "complaint")
    aftersales.record_finding(db, clerk, answered.id, FindingInput("transport", "受壓", ("logistics",), "加固",
                                                                   "已致歉"))
    _case(db, clerk, order.id, "complaint")                                  # not answered yet
    closed = _case(db, clerk, order.id, "complaint")
    aftersales.record_finding(db, clerk, closed.id, FindingInput("transport", "受壓", ("logistics",), "加固", "已致歉"))
    aftersales.close_case(db, clerk, closed.id, ClosingInput("satisfied", "", "外箱需加固"))

    r = delivery_dash.after_sales_open(db, ctx())
    assert (r.of("repair").open, r.of("repair").overdue) == (2, 1)
    assert (r.of("complaint").open, r.of("complaint").awaiting_customer) == (2, 1)
    assert r.of("maintenance").open == 0 and r.open == 4 and r.awaiting_customer == 1
    p = delivery_dash.present_after_sales(r, "en")
    assert p.headline == "4 after-sales cases open · 1 complaint awaiting the customer's answer"
    assert len(p.chart.categories) == 5 and p.table.links[0].tab == "delivery"


def test_todo_orders_to_ship_for_logistics(db, logistics, shippable, make_user, sales):
    shippable(quantity=1, order_date=dt.date(2026, 10, 1), delivery_date=dt.date(2026, 11, 10))
    shippable(quantity=1)
    item = todo_mod.my_todo(db, ctx(logistics)).of("to_ship")
    assert (item.count, item.overdue) == (2, 1) and item.link.tab == "delivery"
    assert item.sentence("en") == "Orders to ship: 2 (1 past their delivery date)"
    assert todo_mod.my_todo(db, ctx(sales)).of("to_ship") is None
