"""The procedure from the ledger to delivery with every part's real gates: production records its steps, final
inspection fails two pieces, the nonconformance sends them back through the ledger for rework, the re-inspection
passes, the order is released and ships in two parts, and its delivery counts towards the on-time figure."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from jewelryorders.models.orders import Order
from jewelryorders.models.planning import TaskSheet
from jewelryorders.services import gates
from jewelryorders.services.delivery import shipments
from jewelryorders.services.delivery.shipments import PackageInput, ShipmentInput
from jewelryorders.services.errors import GateError, ValidationError
from jewelryorders.services.ledger import entries as ledger
from jewelryorders.services.quality import inspections, ncr

from .planning_support import contracted, factory  # noqa: F401,F811  (fixtures)
from .test_quality import TODAY, fqc, good_values, qworld  # noqa: F401  (fixtures)


def _stage(db, order_id):
    with db.read_session() as s:
        return s.get(Order, order_id).stage


def _sheets(db, order_id):
    with db.read_session() as s:
        return [(sh.sheet_no, sh.id) for sh in s.scalars(select(TaskSheet).where(
            TaskSheet.order_id == order_id, TaskSheet.status == "issued").order_by(TaskSheet.seq))]


def _run_every_step(db, w, order_id):
    from jewelryorders.services.planning import checklist

    checklist.set_checklist_item(db, w.planner, order_id, "equipment", done=True)
    checklist.set_checklist_item(db, w.tech, order_id, "tooling", done=True)
    checklist.set_checklist_item(db, w.buyer, order_id, "materials", done=True)
    worker = w.worker
    for number, _id in _sheets(db, order_id):
        ledger.record_start(db, worker, number)
        info = ledger.open_sheet(db, number)
        ledger.record_finish(db, worker, number, ledger.FinishInput(qty_done=info.remaining_qty))


@pytest.fixture
def logistics(make_user):
    return make_user("logistics", "clerk", "logistics1")


def test_an_order_goes_from_the_ledger_through_rework_to_delivery(db, qworld, logistics):
    w = qworld
    gates._load()
    assert "quality.fqc" in gates.registered(gates.DELIVERY_SHIP)
    assert gates._answers["ledger.rework"] is ledger.rework_answer

    _run_every_step(db, w, w.order_id)
    assert _stage(db, w.order_id) == "final_qc"

    # Nothing ships before final inspection: quality's gate names what blocks.
    with db.read_session() as s:
        order = s.get(Order, w.order_id)
        line_id = order.lines[0].id
    with pytest.raises(GateError):
        shipments.create_shipment(db, logistics, ShipmentInput(
            w.order_id, {line_id: 5}, [PackageInput("5 rings", "100", "S1")], "SF Express"))

    first = fqc(db, w, values=good_values(w, **{"Stones secure": "fail"}), quantity_failed=2)
    assert first.quantity_passed == 8 and first.ncr_no
    report = ncr.get_ncr(db, first.ncr_no)
    setting_sheet = _sheets(db, w.order_id)[-1]
    report = ncr.decide_disposition(db, w.head, report.id, "rework", note="reset the loose stones",
                                    sheet_id=setting_sheet[1])
    # The real ledger took the two pieces back: the order is in production again until they are finished.
    assert report.ledger_entry_no
    assert _stage(db, w.order_id) == "in_production"
    assert ledger.open_sheet(db, setting_sheet[0]).remaining_qty == 2
    ledger.record_finish(db, w.worker, setting_sheet[0], ledger.FinishInput(qty_done=2))
    assert _stage(db, w.order_id) == "final_qc"

    report = ncr.record_corrective_action(db, w.head, report.id, method="free", root_cause=["worn setting tool"],
                                          action="replace the tool", owner_id=w.worker.user_id,
                                          due=TODAY + dt.timedelta(days=7))
    report = ncr.submit_rectification(db, w.planner, report.id, "tool replaced")
    report = ncr.verify(db, w.head, report.id, effective=True, note="next batches fine")
    again = fqc(db, w, reinspects_ncr_id=report.id)
    assert again.result == "passed"
    ncr.close_ncr(db, w.head, report.id)
    assert _stage(db, w.order_id) == "ready_to_ship"

    def ship(qty, day):
        return shipments.create_shipment(db, logistics, ShipmentInput(
            w.order_id, {line_id: qty}, [PackageInput(f"{qty} rings", "500", f"SEAL-{qty}")], "SF Express",
            tracking_no="SF1", shipped_on=day))

    part1 = ship(6, TODAY)
    assert _stage(db, w.order_id) == "partly_shipped"
    assert part1.certificates and all(c.fqc_no in (first.inspection_no, again.inspection_no)
                                      for c in part1.certificates)
    with pytest.raises(ValidationError):
        ship(5, TODAY)  # only 4 remain open
    part2 = ship(4, TODAY)
    assert _stage(db, w.order_id) == "shipped"
    shipments.record_delivery(db, logistics, part1.id, TODAY)
    shipments.record_delivery(db, logistics, part2.id, TODAY)
    assert _stage(db, w.order_id) == "delivered"
    rate = shipments.on_time_rate(db, TODAY - dt.timedelta(days=1), TODAY)
    assert rate.delivered == 1 and rate.on_time == 1


def test_the_fqc_gate_and_the_lot_gate_are_real_checks_of_quality():
    gates._load()
    assert "quality.fai" in gates.registered(gates.LEDGER_RECORD)
    assert "quality.iqc" in gates.registered(gates.MATERIALS_ISSUE)
    assert callable(inspections.record_inspection)
