"""Dashboard figures of the later parts (delivery, quality, ledger, archive) on small fixed data built through the
services, each checked against values counted by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from jewelryorders.services import dashboard
from jewelryorders.services.dashboard import registry
from jewelryorders.services.dashboard import todo as todo_mod
from jewelryorders.services.dashboard.registry import FigureContext, Period
from jewelryorders.services.delivery import aftersales, shipments
from jewelryorders.services.delivery import dashboard as delivery_dash
from jewelryorders.services.delivery.aftersales import CaseInput, ClosingInput, FindingInput
from jewelryorders.services.delivery.shipments import PackageInput, ShipmentInput

from .delivery_support import quality_stand_in, ready_order  # noqa: F401  (fixtures)
from .planning_support import contracted, factory  # noqa: F401  (fixtures)
from .test_quality import qworld  # noqa: F401  (fixture)

NOVEMBER = Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def ctx(actor=None, period=NOVEMBER) -> FigureContext:
    return FigureContext.make(period, actor)


@pytest.fixture(autouse=True)
def registered():
    """The figure modules (and their to-do sources) load on the registry's first use, as the tab does."""
    dashboard.FIGURES.keys()


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


# ---- quality -----------------------------------------------------------------------------------------------------

def test_quality_figures_and_todo(db, qworld):
    from jewelryorders.services.quality import dashboard as quality_dash
    from jewelryorders.services.quality import inspections, master, ncr
    from jewelryorders.services.quality.inspections import InspectionInput

    from .test_quality import TODAY, _to_final_qc, fqc, good_values

    w = qworld
    points = {(p.product_type, p.step_name): p for p in master.list_control_points(db)}
    master.set_control_point(db, w.inspector, points[("ring", "Casting")].routing_step_id, fai_required=True,
                             ipqc=True, frequency="each_batch", sample_size=2)
    casting = w.sheets["Casting"]
    fai = inspections.record_inspection(db, w.worker, InspectionInput(
        "fai", w.product_std.id, good_values(w, Weight=("4.5", w.scale)), task_sheet_id=casting, quantity=1))
    inspections.record_inspection(db, w.worker, InspectionInput(
        "fai", w.product_std.id, good_values(w), task_sheet_id=casting, quantity=1))
    inspections.record_inspection(db, w.inspector, InspectionInput(
        "ipqc", w.product_std.id, good_values(w), task_sheet_id=casting, sampling="aql", aql="1.0", quantity=10,
        sample_size=2))
    _to_final_qc(db, w)
    bad1 = fqc(db, w, quantity=1, values=good_values(w, Surface="fail"))
    bad2 = fqc(db, w, quantity=1, values=good_values(w, Surface="fail"))
    fqc(db, w, quantity=1)
    ncrs = [x for x in (fai.ncr_no, bad1.ncr_no, bad2.ncr_no) if x]
    assert len(ncrs) == 3                       # every failed inspection opened an NCR

    # First-pass yield: Casting shop 3 inspected (FAI failed, FAI passed, IPQC passed), FQC 3 (1 passed).
    fpy = quality_dash.first_pass_yield(db, ctx())
    assert [(r.workshop, r.inspected, r.passed) for r in fpy.rows] == [("Casting shop", 3, 2), ("", 3, 1)]
    p = quality_dash.present_first_pass_yield(fpy, "en")
    assert p.chart.categories == ("Casting shop", "Final inspection (FQC)") and p.chart.percent
    assert p.headline == "50.0% of 6 inspections passed the first time"
    october = Period(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert quality_dash.first_pass_yield(db, ctx(period=october)).rows == []

    # Defect Pareto: appearance 2 (66.7%), weight 1 (100%).
    pareto = quality_dash.defect_pareto(db, ctx())
    assert [(r.kind, r.count, r.cumulative_percent) for r in pareto.rows] == [("appearance", 2, 66.7),
                                                                              ("weight", 1, 100.0)]
    p = quality_dash.present_defect_pareto(pareto, "en")
    assert p.chart.categories == ("Appearance", "Weight")
    assert p.headline == "3 nonconformances in the period · most often: Appearance"

    # One NCR scrapped with a corrective action due today: 2 open, 1 dispositioned, overdue from tomorrow.
    scrapped = ncr.get_ncr(db, bad1.ncr_no)
    ncr.decide_disposition(db, w.head, scrapped.id, "scrap", note="scratched", metal_recovered_g="3.400")
    ncr.record_corrective_action(db, w.head, scrapped.id, method="free", root_cause="worn polishing wheel",
                                 action="replace the wheel", owner_id=w.worker.user_id, due=TODAY)
    r = quality_dash.open_ncrs(db, ctx())
    assert [(x.status, x.count, x.overdue) for x in r.statuses] == [("open", 2, 0), ("dispositioned", 1, 0)]
    later = FigureContext.make(NOVEMBER, today=TODAY + dt.timedelta(days=3))
    assert quality_dash.open_ncrs(db, later).overdue == 1
    p = quality_dash.present_open_ncrs(quality_dash.open_ncrs(db, later), "en")
    assert p.headline == "3 NCRs open · 1 corrective action overdue" and p.table.marked == (False, True)

    # To-do: the inspector has the FQC still to do; the head decides 2 dispositions; the worker owns the action.
    inspector = todo_mod.my_todo(db, ctx(w.inspector))
    assert inspector.of("fqc_to_do").count == 1 and inspector.of("ncr_disposition") is None
    head = todo_mod.my_todo(db, ctx(w.head))
    assert head.of("ncr_disposition").count == 2 and head.of("ncr_verification") is None
    mine = todo_mod.my_todo(db, ctx(w.worker)).of("my_corrective_actions")
    assert (mine.count, mine.overdue) == (1, 0)
    ncr.submit_rectification(db, w.planner, scrapped.id, "wheel replaced")
    assert todo_mod.my_todo(db, ctx(w.head)).of("ncr_verification").count == 1
    assert todo_mod.my_todo(db, ctx(w.worker)).of("my_corrective_actions") is None
    ncr.verify(db, w.head, scrapped.id, effective=True, note="no scratches since")
    assert todo_mod.my_todo(db, ctx(w.head)).of("ncr_verification") is None


# ---- ledger ------------------------------------------------------------------------------------------------------

def test_metal_loss_per_workshop_and_worker_against_the_allowance(db, factory, contracted, make_user):
    from jewelryorders.services.ledger import dashboard as ledger_dash
    from jewelryorders.services.ledger import entries as ledger
    from jewelryorders.services.ledger import meetings

    from .test_ledger import release

    plan = release(db, factory, contracted(quantity=50))
    # every routing step allows 1.5% of the metal issued
    done = [("陳師傅", "10.000", "9.800", "0.150", ""),               # CAD design: loss 50 mg, allowance 150
            ("李師傅", "10.000", "9.500", "0", "crucible cracked"),  # Wax and mould: loss 500, allowance 150: over
            ("陳師傅", "20.000", "19.500", "0.300", "")]              # Casting: loss 200, allowance 300
    for seq, (worker, issued, returned, in_piece, reason) in enumerate(done, start=1):
        sheet = plan.step(seq).sheet_no
        ledger.record_start(db, factory.worker, sheet, worker=worker)
        ledger.record_finish(db, factory.worker, sheet, ledger.FinishInput(50, 0, issued, returned, in_piece,
                                                                          loss_reason=reason, worker=worker))

    shops = ledger_dash.metal_loss_by_workshop(db, ctx())
    assert [(x.key, x.loss_mg, x.allowance_mg, x.over) for x in shops.lines] == [
        ("CAD design shop", 50, 150, False), ("Casting shop", 200, 300, False), ("Wax and mould shop", 500, 150, True)]
    assert (shops.loss_mg, shops.allowance_mg, shops.total) == (750, 600, 3)
    p = ledger_dash.present_metal_loss(shops, "en")
    assert p.chart.marked == (False, False, True) and p.chart.limit.values == (0.15, 0.3, 0.15)
    assert p.headline == "Loss 0.750 g against an allowance of 0.600 g · 1 over the allowance"

    workers = ledger_dash.metal_loss_by_worker(db, ctx())
    assert [(x.key, x.loss_mg, x.allowance_mg) for x in workers.lines] == [("李師傅", 500, 150), ("陳師傅", 250, 450)]
    assert ledger_dash.present_metal_loss(workers, "en").table.headers[0] == "Worker"

    october = Period(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert ledger_dash.metal_loss_by_workshop(db, ctx(period=october)).lines == []

    # to-do: the owner's open action items from the meetings
    head = make_user("production", "department_head", "meethead")
    meetings.hold_meeting(db, head, meetings.MeetingInput("2026-11-09", actions=[
        meetings.ActionInput("repair the casting machine", factory.worker.user_id, "2026-11-12"),
        meetings.ActionInput("clean the crucibles", factory.worker.user_id, "2026-11-30"),
        meetings.ActionInput("ask supplier for dates", factory.purchasing.user_id, "2026-11-30")]))
    item = todo_mod.my_todo(db, ctx(factory.worker)).of("action_items")
    assert (item.count, item.overdue) == (2, 1) and item.link.tab == "ledger"
    assert item.sentence("en") == "Your action items from the meetings: 2 (1 overdue)"
    assert todo_mod.my_todo(db, ctx(head)).of("action_items") is None


# ---- archive -----------------------------------------------------------------------------------------------------

def test_archive_todo_requests_to_decide_and_grant_loans_to_chase(db, sales, make_user, order_factory):
    from jewelryorders.services.archive import filing, loans, requests

    from .conftest import TEST_TODAY

    keeper = make_user("archive", "clerk", "keeper")
    prod = make_user("production", "clerk", "worker")
    prod2 = make_user("production", "clerk", "worker2")
    prod_head = make_user("production", "department_head", "prodhead")
    qual_head = make_user("quality", "department_head", "qualhead")
    boss = make_user("management", "manager", "boss")
    order = order_factory()
    docs = [filing.file_document(db, sales, category="signed_contract", content=f"%PDF-1.4 {i}".encode(),
                                 file_name=f"HT-{i}.pdf", order_no=order.order_no, title=f"Contract {i}")
            for i in range(3)]
    soon = TEST_TODAY + dt.timedelta(days=2)
    borrowed = requests.request_access(db, prod, docs[0], "borrow", "show to the customer", soon)
    requests.decide_request(db, prod_head, borrowed, True)
    requests.grant_request(db, keeper, borrowed)
    loans.hand_out(db, keeper, borrowed, soon)
    approved = requests.request_access(db, prod2, docs[1], "read", "check engraving", soon)
    requests.decide_request(db, prod_head, approved, True)                    # waits for the archive
    requests.request_access(db, prod, docs[2], "read", "check size", soon)   # waits for prodhead
    requests.request_access(db, prod_head, docs[2], "read", "audit", soon)   # a head's: waits for management

    def todo(actor, today=TEST_TODAY):
        return todo_mod.my_todo(db, FigureContext.make(NOVEMBER, actor, today=today))

    assert todo(prod_head).of("access_requests").count == 1     # the worker's, not the head's own
    assert todo(boss).of("access_requests").count == 1          # the head's
    assert todo(qual_head).of("access_requests") is None
    assert todo(keeper).of("access_grants").count == 1
    assert todo(keeper).of("loans_to_chase") is None            # due in two days
    mine = todo(prod).of("my_loans")
    assert (mine.count, mine.overdue) == (1, 0) and mine.link.tab == "archive"
    later = TEST_TODAY + dt.timedelta(days=5)
    chase = todo(keeper, later).of("loans_to_chase")
    assert (chase.count, chase.overdue) == (1, 1)
    assert chase.sentence("en") == "Borrowed papers to chase, past their due date: 1"
    assert todo(prod, later).of("my_loans").overdue == 1
    loans.return_document(db, keeper, docs[0], "complete")
    assert todo(keeper, later).of("loans_to_chase") is None and todo(prod, later).of("my_loans") is None


def test_orders_by_stage_has_an_after_sales_bar(db, logistics, shippable, make_user):
    clerk = make_user("sales", "clerk", "aftersales1")
    one = _deliver(db, logistics, shippable, dt.date(2026, 11, 20), dt.date(2026, 11, 3), dt.date(2026, 11, 5))
    two = _deliver(db, logistics, shippable, dt.date(2026, 11, 20), dt.date(2026, 11, 3), dt.date(2026, 11, 5))
    _deliver(db, logistics, shippable, dt.date(2026, 11, 20), dt.date(2026, 11, 3), dt.date(2026, 11, 5))
    _deliver(db, logistics, shippable, dt.date(2026, 10, 20), dt.date(2026, 10, 3), dt.date(2026, 10, 5))  # October
    _case(db, clerk, one.id, "repair")
    _case(db, clerk, one.id, "complaint")          # the same order: counted once
    closed = _case(db, clerk, two.id, "maintenance")
    aftersales.record_repair(db, clerk, closed.id, aftersales.RepairInput(
        "cleaned and re-tipped", "王師傅", "18K 金線 0.120 g", "0.120", "0", "factory", dt.date(2026, 11, 14)))
    aftersales.close_case(db, clerk, closed.id, ClosingInput(satisfaction="satisfied"))
    f = registry.figure("orders_by_stage")
    r = f.query(db, ctx())
    # Delivered counts November's deliveries only; none of the four is in progress any more.
    assert r.after_sales == 1 and r.count("delivered") == 3 and r.total == 0
    p = f.present(r, "en")
    assert p.chart.categories[-2] == "Delivered (period)" and p.chart.series[0].values[-2] == 3.0
    assert p.chart.categories[-1] == "After-sales" and p.chart.series[0].values[-1] == 1.0
    assert p.chart.links[-1].tab == "delivery" and p.table.rows[-1] == ("After-sales", 1)
    assert p.headline == "0 orders in progress" and len(p.chart.categories) == 10
