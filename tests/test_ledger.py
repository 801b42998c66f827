"""Progress ledger: start/finish/rework entries per task sheet, metal loss against the allowance, corrections by
reversal, refusals of bad input, the order's stage following the ledger, and the gates with quality."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from jewelryorders import clock
from jewelryorders.models.ledger import LedgerEntry
from jewelryorders.models.orders import Order
from jewelryorders.services import gates
from jewelryorders.services.errors import GateError, NotFound, PermissionDenied, ValidationError
from jewelryorders.services.ledger import entries as ledger
from jewelryorders.services.planning import checklist as planning_checklist
from jewelryorders.services.planning import plans as planning

from .planning_support import MONDAY, contracted, factory  # noqa: F401,F811  (fixtures)


def release(db, factory, order_id):
    plan = planning.propose_plan(db, factory.planner, order_id, today=MONDAY)
    plan = planning.release_plan(db, factory.planner, plan.id, today=MONDAY)
    planning_checklist.set_checklist_item(db, factory.planner, order_id, "equipment", done=True)
    planning_checklist.set_checklist_item(db, factory.technical, order_id, "tooling", done=True)
    planning_checklist.set_checklist_item(db, factory.purchasing, order_id, "materials", done=True)
    return plan


def stage(db, order_id):
    with db.read_session() as s:
        return s.get(Order, order_id).stage


def entry_count(db):
    with db.read_session() as s:
        return s.scalar(select(func.count(LedgerEntry.id)))


def run_all(db, worker, plan, qty=50, issued="10.000", returned="9.800", in_piece="0.150"):
    for step in plan.steps:
        ledger.record_start(db, worker, step.sheet_no)
        ledger.record_finish(db, worker, step.sheet_no, ledger.FinishInput(qty, 0, issued, returned, in_piece))


@pytest.fixture
def running(db, factory, contracted):
    order_id = contracted(quantity=50)
    return order_id, release(db, factory, order_id)


def test_start_and_finish_with_weights_record_the_loss_and_move_the_order(db, factory, running):
    order_id, plan = running
    sheet = plan.step(1).sheet_no
    info = ledger.open_sheet(db, sheet.lower() + " ")
    assert info.next_action == "start" and info.planned_qty == 50 and info.order_no
    started = ledger.record_start(db, factory.worker, sheet, worker="陳師傅")
    assert started.entry_no.startswith("LE-2026-") and stage(db, order_id) == "in_production"
    done = ledger.record_finish(db, factory.worker, sheet, ledger.FinishInput(48, 2, "100.250", "98.100", "0.650",
                                                                              stones_ct="1.250", worker="陳師傅"))
    assert not done.over_allowance
    [row] = ledger.query_entries(db, ledger.LedgerFilter(kind="finish"))
    assert (row.issued_mg, row.returned_mg, row.in_piece_mg, row.loss_mg) == (100_250, 98_100, 650, 1_500)
    assert row.allowance_mg == 1_504 and row.stones_mct == 1_250 and row.worker == "陳師傅"
    assert ledger.open_sheet(db, sheet).state == "done" and ledger.open_sheet(db, sheet).done_qty == 48
    # planning's own view sees the step finished
    assert planning.get_plan(db, order_id, MONDAY).step(1).state == "done"


def test_loss_over_the_allowance_needs_a_reason_and_is_flagged(db, factory, running):
    _order_id, plan = running
    sheet = plan.step(1).sheet_no
    ledger.record_start(db, factory.worker, sheet)
    with pytest.raises(ValidationError, match="over the step's allowance"):
        ledger.record_finish(db, factory.worker, sheet, ledger.FinishInput(50, 0, "10", "9.5", "0"))
    assert ledger.open_sheet(db, sheet).state == "in_progress"
    done = ledger.record_finish(db, factory.worker, sheet, ledger.FinishInput(50, 0, "10", "9.5", "0",
                                                                              loss_reason="crucible cracked"))
    assert done.over_allowance
    assert ledger.count_entries(db, ledger.LedgerFilter(flagged_only=True)) == 1
    totals = ledger.totals(db, ledger.LedgerFilter())
    assert totals.loss_mg == 500 and totals.flagged == 1 and totals.entries == 2
    [line] = ledger.loss_by(db, "worker")
    assert line.over and line.loss_mg == 500


def test_bad_input_is_refused_and_nothing_is_lost(db, factory, running):
    order_id, plan = running
    sheet = plan.step(1).sheet_no
    with pytest.raises(NotFound, match="No task sheet has the number TS-2026-999999"):
        ledger.record_start(db, factory.worker, "TS-2026-999999")
    with pytest.raises(GateError, match="has not started"):
        ledger.record_finish(db, factory.worker, sheet, ledger.FinishInput(1))
    ledger.record_start(db, factory.worker, sheet)
    with pytest.raises(ValidationError, match="more than was issued"):
        ledger.record_finish(db, factory.worker, sheet, ledger.FinishInput(50, 0, "10", "10.001", "0"))
    with pytest.raises(ValidationError, match="more than the 50 planned"):
        ledger.record_finish(db, factory.worker, sheet, ledger.FinishInput(51, 0, "10", "9.99", "0"))
    with pytest.raises(ValidationError, match="cannot be before the start"):
        ledger.record_finish(db, factory.worker, sheet, ledger.FinishInput(
            50, 0, "10", "9.99", "0", at=clock.now() - dt.timedelta(hours=2)))
    with pytest.raises(ValidationError, match="more than 3 decimals"):
        ledger.record_finish(db, factory.worker, sheet, ledger.FinishInput(50, 0, "10.0001", "9", "0"))
    assert entry_count(db) == 1
    ledger.record_finish(db, factory.worker, sheet, ledger.FinishInput(50, 0, "10", "9.99", "0"))
    with pytest.raises(GateError, match="already finished"):
        ledger.record_start(db, factory.worker, sheet)
    with pytest.raises(GateError, match="already finished"):
        ledger.record_finish(db, factory.worker, sheet, ledger.FinishInput(1))
    assert entry_count(db) == 2 and stage(db, order_id) == "in_production"


def test_a_correction_reverses_an_entry_and_cannot_itself_be_corrected(db, factory, make_user, running):
    _order_id, plan = running
    head = make_user("production", "department_head", "prodhead")
    sheet = plan.step(1).sheet_no
    ledger.record_start(db, factory.worker, sheet)
    finish = ledger.record_finish(db, factory.worker, sheet, ledger.FinishInput(50, 0, "10", "9.9", "0"))
    with pytest.raises(PermissionDenied):
        ledger.reverse_entry(db, factory.worker, finish.entry_no, "wrong weight")
    with pytest.raises(ValidationError):
        ledger.reverse_entry(db, head, finish.entry_no, "  ")
    correction = ledger.reverse_entry(db, head, finish.entry_no, "wrong weight typed")
    assert ledger.open_sheet(db, sheet).state == "in_progress"
    with pytest.raises(GateError, match="a correction cannot be corrected"):
        ledger.reverse_entry(db, head, correction.entry_no, "again")
    with pytest.raises(GateError, match="already been reversed"):
        ledger.reverse_entry(db, head, finish.entry_no, "again")
    totals = ledger.totals(db, ledger.LedgerFilter())
    assert totals.issued_mg == 0 and totals.qty_done == 0 and totals.entries == 3
    ledger.record_finish(db, factory.worker, sheet, ledger.FinishInput(50, 0, "10", "9.95", "0"))
    assert ledger.totals(db, ledger.LedgerFilter()).issued_mg == 10_000


def test_the_last_step_finished_sends_the_order_to_final_inspection(db, factory, running):
    order_id, plan = running
    run_all(db, factory.worker, plan)
    assert stage(db, order_id) == "final_qc"
    [progress] = ledger.order_progress(db)
    assert progress.steps_done == progress.steps_total == len(plan.steps) and progress.percent == 100


def test_the_ledger_asks_quality_before_recording(db, factory, running):
    _order_id, plan = running
    seen = []

    def fai_gate(session, *, order, step, sheet, kind, quantity):
        seen.append((kind, quantity, sheet.sheet_no))
        if kind == "finish" and step.seq == 1:
            raise GateError("the first-article inspection has not passed")

    gates.register_check(gates.LEDGER_RECORD, "test.fai", fai_gate)
    try:
        ledger.record_start(db, factory.worker, plan.step(1).sheet_no)
        with pytest.raises(GateError, match="first-article"):
            ledger.record_finish(db, factory.worker, plan.step(1).sheet_no, ledger.FinishInput(50))
    finally:
        gates._checks[gates.LEDGER_RECORD] = [c for c in gates._checks[gates.LEDGER_RECORD] if c[0] != "test.fai"]
    assert seen == [("start", 50, plan.step(1).sheet_no), ("finish", 50, plan.step(1).sheet_no)]
    assert entry_count(db) == 1


def test_quality_asks_for_rework_and_the_order_comes_back_to_final_inspection(db, factory, make_user, running):
    order_id, plan = running
    run_all(db, factory.worker, plan)
    assert stage(db, order_id) == "final_qc"
    inspector = make_user("quality", "clerk", "qc1")
    last = plan.steps[-1]
    from jewelryorders.services.context import unit_of_work

    with unit_of_work(db) as s:
        order = s.get(Order, order_id)
        sheet_id = s.scalar(select(LedgerEntry.task_sheet_id).where(LedgerEntry.seq == last.seq).limit(1))
        number = gates.ask(s, "ledger.rework", actor=inspector, order=order, sheet_id=sheet_id, quantity=3,
                           reason="prongs loose", ncr_no="NCR-2026-0001")
    assert number.startswith("LE-") and stage(db, order_id) == "in_production"
    [row] = ledger.query_entries(db, ledger.LedgerFilter(kind="rework"))
    assert row.qty_rework == 3 and row.ncr_no == "NCR-2026-0001"
    info = ledger.open_sheet(db, last.sheet_no)
    assert info.state == "in_progress" and info.done_qty == 47 and info.next_action == "finish"
    with pytest.raises(ValidationError, match="more than the 50 planned"):
        ledger.record_finish(db, factory.worker, last.sheet_no, ledger.FinishInput(4))
    ledger.record_finish(db, factory.worker, last.sheet_no, ledger.FinishInput(3))
    assert stage(db, order_id) == "final_qc"


def test_rework_from_the_shop_floor_and_planning_buttons_go_through_the_ledger(db, factory, running):
    order_id, plan = running
    planning.start_step(db, factory.worker, order_id, 1)
    planning.finish_step(db, factory.worker, order_id, 1)
    assert ledger.count_entries(db, ledger.LedgerFilter(order_no="")) == 2
    with pytest.raises(ValidationError, match="cannot go back for rework"):
        ledger.record_rework(db, factory.worker, plan.step(1).sheet_no, 51, "scratches")
    with pytest.raises(GateError, match="nothing can be returned"):
        ledger.record_rework(db, factory.worker, plan.step(2).sheet_no, 1, "scratches")
    ledger.record_rework(db, factory.worker, plan.step(1).sheet_no, 5, "scratches")
    assert ledger.open_sheet(db, plan.step(1).sheet_no).state == "in_progress"
