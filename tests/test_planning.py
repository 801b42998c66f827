"""Production planning services: the contract gate, capacity-aware proposals, changes with versions, release with
task sheets, the checklist gate, scanning, re-planning, optimising, forecasting, and bad input."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from sqlalchemy import func, select

from jewelryorders.models.orders import Order
from jewelryorders.models.planning import PlanStep, ProductionPlan, TaskSheet, Workshop
from jewelryorders.services.orders import intake as orders
from jewelryorders.services.planning import plans as planning
from jewelryorders.services.planning import checklist as planning_checklist
from jewelryorders.services.planning import forecast as planning_forecast
from jewelryorders.services.planning import gantt as planning_gantt
from jewelryorders.services.planning import master_data as master
from jewelryorders.services.planning import replan as planning_replan
from jewelryorders.services.planning import sheets as planning_sheets
from jewelryorders.services.errors import ConcurrentEditError, GateError, NotFound, PermissionDenied, ValidationError

from .conftest import order_input
from .planning_support import MONDAY, RING_STEPS, contracted, factory  # noqa: F401  (fixtures)

ONE_DAY = dt.timedelta(days=1)


def _stage(db, order_id: int) -> str:
    return orders.get_order(db, order_id).stage


def _plans(db, order_id: int) -> list[tuple[int, str, str]]:
    with db.read_session() as s:
        return list(s.execute(select(ProductionPlan.version_no, ProductionPlan.status, ProductionPlan.change_reason)
                              .where(ProductionPlan.order_id == order_id).order_by(ProductionPlan.version_no)))


def _released(db, factory, order_id: int, today=MONDAY) -> planning.PlanView:
    plan = planning.propose_plan(db, factory.planner, order_id, today=today)
    return planning.release_plan(db, factory.planner, plan.id, today=today)


def _tick_all(db, factory, order_id: int) -> None:
    planning_checklist.set_checklist_item(db, factory.planner, order_id, "equipment", done=True)
    planning_checklist.set_checklist_item(db, factory.technical, order_id, "tooling", done=True)
    planning_checklist.set_checklist_item(db, factory.purchasing, order_id, "materials", done=True)


# ---- the gate -----------------------------------------------------------------------------------------------------

def test_no_plan_before_the_contract_is_signed(db, factory, sales, customer):
    order = orders.create_order(db, sales, order_input(customer.id))
    orders.submit_for_review(db, sales, order.id)
    with pytest.raises(GateError) as err:
        planning.propose_plan(db, factory.planner, order.id, today=MONDAY)
    assert order.order_no in str(err.value) and "contract is not signed" in str(err.value)
    assert _plans(db, order.id) == []


def test_contracted_stage_without_a_recorded_contract_is_refused(db, factory, sales, customer):
    order = orders.create_order(db, sales, order_input(customer.id))
    with db.unit_of_work() as s:  # a damaged or hand-edited record: the stage says contracted, no contract exists
        s.get(Order, order.id).stage = "contracted"
    with pytest.raises(GateError) as err:
        planning.propose_plan(db, factory.planner, order.id, today=MONDAY)
    assert "no signed contract is recorded" in str(err.value)


def test_only_planners_propose_plans(db, factory, contracted):
    order_id = contracted()
    with pytest.raises(PermissionDenied):
        planning.propose_plan(db, factory.sales, order_id, today=MONDAY)
    with pytest.raises(PermissionDenied):
        planning.propose_plan(db, factory.worker, order_id, today=MONDAY)


# ---- proposing ----------------------------------------------------------------------------------------------------

def test_proposal_follows_the_routing_in_order_on_working_days_and_ends_before_delivery(db, factory, contracted):
    order_id = contracted(quantity=50, delivery=dt.date(2027, 1, 15))
    master.add_holiday(db, factory.planner, dt.date(2027, 1, 1), "元旦 New Year")
    plan = planning.propose_plan(db, factory.planner, order_id, today=MONDAY)
    assert [s.name for s in plan.steps] == [name for name, *_rest in RING_STEPS]
    assert plan.status == "draft" and _stage(db, order_id) == "contracted"
    for before, after in zip(plan.steps, plan.steps[1:]):
        assert after.start > before.end, (before, after)
    for step in plan.steps:
        for day in (step.start, step.end):
            assert day.weekday() < 5 and day != dt.date(2027, 1, 1)
    # Backwards from the delivery date less two days for shipping: just in time, not weeks early.
    assert plan.finish <= dt.date(2027, 1, 13)
    assert plan.finish >= dt.date(2027, 1, 8)
    assert plan.days_late == 0
    # 50 pieces × 0.25 h + 0 = 12.5 h of filing, two bench days of 8 h.
    filing = plan.step(4)
    assert filing.work_minutes == 750 and (filing.end - filing.start).days >= 1


def test_an_order_due_too_soon_is_planned_forwards_from_today_and_shown_late(db, factory, contracted):
    order_id = contracted(quantity=200, delivery=dt.date(2026, 12, 4))
    plan = planning.propose_plan(db, factory.planner, order_id, today=MONDAY)
    assert plan.steps[0].start == MONDAY
    assert plan.days_late > 0
    assert any("days after its delivery date" in w for w in plan.warnings)


def test_proposal_respects_the_load_of_other_released_plans(db, factory, contracted):
    with db.unit_of_work() as s:  # one bench per workshop, so two orders cannot share a day's work
        for w in s.scalars(select(Workshop)):
            w.benches = 1
    first = contracted(quantity=60, delivery=dt.date(2027, 1, 15))
    second = contracted(quantity=60, delivery=dt.date(2027, 1, 15))
    _released(db, factory, first)
    plan = _released(db, factory, second)
    assert plan.warnings == ()
    data = planning_gantt.gantt_data(db, today=MONDAY)
    assert [d for d in data.loads if d.overloaded] == []
    # Stone setting takes 18 h, 6 h a day over three days: two orders cannot share its one bench on a day.
    setting = [b for b in data.bars if b.workshop_id == factory.workshops["Stone setting"]]
    assert len(setting) == 2
    a, b = sorted(setting, key=lambda bar: bar.start)
    assert b.start > a.end


def test_a_style_without_routing_needs_the_planners_choice(db, factory, contracted):
    order_id = contracted(style="X-UNKNOWN-1")
    with pytest.raises(ValidationError) as err:
        planning.propose_plan(db, factory.planner, order_id, today=MONDAY)
    assert "X-UNKNOWN-1" in str(err.value) and "choose a routing" in str(err.value)
    choices = planning.routing_choices(db, order_id)
    assert [(c.style_code, c.routing_id) for c in choices] == [("X-UNKNOWN-1", None)]
    plan = planning.propose_plan(db, factory.planner, order_id, routing_for_style={"X-UNKNOWN-1": factory.routing_id},
                                 today=MONDAY)
    assert len(plan.steps) == len(RING_STEPS)


# ---- changing -----------------------------------------------------------------------------------------------------

def _change(step, start=None, end=None, workshop_id=None):
    return planning.StepChange(step.seq, start or step.start, end or step.end, workshop_id or step.workshop_id,
                               step.responsible_id)


def test_a_step_moved_before_its_predecessor_is_refused_and_nothing_is_saved(db, factory, contracted):
    order_id = contracted()
    plan = planning.propose_plan(db, factory.planner, order_id, today=MONDAY)
    casting, wax = plan.step(3), plan.step(2)
    with pytest.raises(ValidationError) as err:
        planning.change_steps(db, factory.planner, plan.id, [_change(casting, start=wax.start, end=wax.start)],
                              today=MONDAY)
    assert "the step before it" in str(err.value) and "Wax and mould" in str(err.value)
    assert planning.get_plan(db, order_id, MONDAY).step(3).start == casting.start


def test_a_step_on_a_holiday_is_refused(db, factory, contracted):
    order_id = contracted()
    plan = planning.propose_plan(db, factory.planner, order_id, today=MONDAY)
    master.add_holiday(db, factory.planner, dt.date(2026, 12, 8), "Factory outing")
    cad = plan.step(1)
    with pytest.raises(ValidationError) as err:
        planning.change_steps(db, factory.planner, plan.id,
                              [_change(cad, dt.date(2026, 12, 8), dt.date(2026, 12, 8))], today=MONDAY)
    assert "2026-12-08" in str(err.value) and "holiday" in str(err.value)


def test_a_draft_changes_in_place_without_a_reason(db, factory, contracted):
    order_id = contracted()
    plan = planning.propose_plan(db, factory.planner, order_id, today=MONDAY)
    cad = plan.step(1)
    new_start = cad.start - dt.timedelta(days=7)
    outcome = planning.change_steps(db, factory.planner, plan.id, [_change(cad, new_start, new_start)],
                                    expected_version=plan.version, today=MONDAY)
    assert not outcome.new_version and outcome.plan.version_no == 1 and outcome.plan.step(1).start == new_start
    assert _plans(db, order_id) == [(1, "draft", "")]
    with pytest.raises(ConcurrentEditError):
        planning.change_steps(db, factory.planner, plan.id, [_change(cad, new_start + ONE_DAY, new_start + ONE_DAY)],
                              expected_version=plan.version, today=MONDAY)


def test_a_change_after_release_needs_a_reason_and_makes_a_new_version(db, factory, contracted):
    order_id = contracted()
    plan = _released(db, factory, order_id)
    sheets = [s.sheet_no for s in plan.steps]
    last = plan.step(7)  # the routing's last step (plating)
    later = _change(last, last.start + ONE_DAY, last.end + ONE_DAY)
    with pytest.raises(ValidationError) as err:
        planning.change_steps(db, factory.planner, plan.id, [later], today=MONDAY)
    assert "say why it changes" in str(err.value)
    assert _plans(db, order_id) == [(1, "released", "")]
    outcome = planning.change_steps(db, factory.planner, plan.id, [later], reason="QC inspector on leave",
                                    today=MONDAY)
    assert outcome.new_version and outcome.plan.version_no == 2 and outcome.plan.status == "released"
    assert _plans(db, order_id) == [(1, "superseded", ""), (2, "released", "QC inspector on leave")]
    assert outcome.plan.step(7).start == last.start + ONE_DAY
    # The sheets at the benches keep their numbers and follow their steps into the new version.
    assert [s.sheet_no for s in outcome.plan.steps] == sheets
    old = planning.get_plan_version(db, plan.id, MONDAY)
    assert old.status == "superseded" and old.step(7).start == last.start
    history = planning.plan_history(db, order_id)
    assert [(h.version_no, h.change_reason) for h in history] == [(2, "QC inspector on leave"), (1, "")]


def test_moving_a_bar_is_checked_like_the_gantt_and_saved(db, factory, contracted):
    order_id = contracted()
    plan = planning.propose_plan(db, factory.planner, order_id, today=MONDAY)
    last = plan.step(7)  # the routing's last step (plating)
    key = last.key
    bad = planning_gantt.check_move(db, key, plan.step(6).start, plan.step(6).start, today=MONDAY)
    assert not bad.ok and any("the step before it" in e for e in bad.errors)
    good = planning_gantt.check_move(db, key, last.start + ONE_DAY, last.end + ONE_DAY, actor=factory.planner,
                                     today=MONDAY)
    assert good.ok
    assert not planning_gantt.check_move(db, key, last.start, last.end, actor=factory.sales, today=MONDAY).ok
    outcome = planning.move_step(db, factory.planner, key, last.start + ONE_DAY, last.end + ONE_DAY, today=MONDAY)
    assert outcome.plan.step(7).start == last.start + ONE_DAY


# ---- releasing, task sheets, checklist, running steps -------------------------------------------------------------

def test_release_issues_one_task_sheet_per_step_and_moves_the_order_to_planned(db, factory, contracted):
    order_id = contracted()
    plan = planning.propose_plan(db, factory.planner, order_id, today=MONDAY)
    assert all(s.sheet_no is None for s in plan.steps)
    released = planning.release_plan(db, factory.planner, plan.id, expected_version=plan.version, today=MONDAY)
    numbers = [s.sheet_no for s in released.steps]
    assert len(numbers) == len(set(numbers)) == len(RING_STEPS)
    assert all(n.startswith("TS-") for n in numbers)
    assert _stage(db, order_id) == "planned"
    with pytest.raises(GateError):
        planning.release_plan(db, factory.planner, plan.id, today=MONDAY)
    with pytest.raises(GateError):
        planning.propose_plan(db, factory.planner, order_id, today=MONDAY)
    listed = planning_sheets.list_task_sheets(db, order_id)
    assert [s.sheet_no for s in listed] == numbers and not any(s.printed for s in listed)


def test_a_step_cannot_start_until_its_checklist_items_are_done_and_the_planner_sees_what_is_missing(
        db, factory, contracted):
    order_id = contracted()
    plan = _released(db, factory, order_id)
    worker = factory.worker
    planning.start_step(db, worker, order_id, 1)  # CAD needs no checklist item
    assert _stage(db, order_id) == "in_production"
    planning.finish_step(db, worker, order_id, 1)
    blockers = planning.get_plan(db, order_id, MONDAY).step(2).blockers
    assert blockers == ("the checklist is not complete: Tooling and moulds ready",)
    with pytest.raises(GateError) as err:
        planning.start_step(db, worker, order_id, 2)
    assert "cannot start yet" in str(err.value) and "Tooling and moulds ready" in str(err.value)
    items = {i.key: i for i in planning_checklist.get_checklist(db, order_id)}
    assert items["tooling"].blocking and "2 Wax and mould" in items["tooling"].needed_by
    planning_checklist.set_checklist_item(db, factory.technical, order_id, "tooling", done=True)
    planning.start_step(db, worker, order_id, 2)
    # Casting waits for the step before it as well as for its own items.
    blockers = planning.get_plan(db, order_id, MONDAY).step(3).blockers
    assert blockers == ("the step before it, 2 Wax and mould, is not finished",
                        "the checklist is not complete: Equipment commissioned, Materials picked and inspected")
    assert plan.step(5).blockers[-1].endswith("Materials picked and inspected")  # training not required: old style


def test_training_is_required_for_a_new_style(db, factory, contracted):
    from jewelryorders.services import styles

    styles.create_style(db, factory.technical, "R-NEW-001", "New twisted ring", "ring", "Au750", 45,
                        is_new_style=True)
    order_id = contracted(style="R-NEW-001")
    plan = _released(db, factory, order_id)
    assert "Training done" in plan.step(5).blockers[-1]


def test_checklist_items_are_confirmed_by_their_departments(db, factory, contracted):
    order_id = contracted()
    _released(db, factory, order_id)
    with pytest.raises(PermissionDenied):
        planning_checklist.set_checklist_item(db, factory.worker, order_id, "materials", done=True)
    with pytest.raises(PermissionDenied):
        planning_checklist.set_checklist_item(db, factory.sales, order_id, "equipment", done=True)
    item = planning_checklist.set_checklist_item(db, factory.purchasing, order_id, "materials", done=True,
                                                 note="IQC passed")
    assert item.done and item.done_by == factory.purchasing.display_name and item.note == "IQC passed"


def test_scanning_a_task_sheet_starts_then_finishes_its_step(db, factory, contracted):
    order_id = contracted()
    plan = _released(db, factory, order_id)
    first = plan.step(1).sheet_no
    started = planning.scan_task_sheet(db, factory.worker, first.lower() + " ")
    assert started.action == "start" and "started" in started.message
    finished = planning.scan_task_sheet(db, factory.worker, first)
    assert finished.action == "finish"
    with pytest.raises(GateError) as err:
        planning.scan_task_sheet(db, factory.worker, first)
    assert "already finished" in str(err.value)
    with pytest.raises(GateError) as err:
        planning.scan_task_sheet(db, factory.worker, plan.step(2).sheet_no)
    assert "Tooling and moulds ready" in str(err.value)


def test_scanning_an_unknown_sheet_says_so_and_changes_nothing(db, factory, contracted):
    order_id = contracted()
    _released(db, factory, order_id)
    with pytest.raises(NotFound) as err:
        planning.scan_task_sheet(db, factory.worker, "TS-2026-999999")
    assert "No task sheet has the number TS-2026-999999" in str(err.value)
    with pytest.raises(ValidationError):
        planning.scan_task_sheet(db, factory.worker, "   ")
    assert _stage(db, order_id) == "planned"


def test_printing_counts_reprints_and_marks_them(db, factory, contracted, tmp_path):
    order_id = contracted()
    plan = _released(db, factory, order_id)
    first = planning_sheets.print_task_sheets(db, factory.planner, tmp_path / "a.pdf", order=order_id, lang="en",
                                              factory_name="Golden Luck")
    assert first.count == len(RING_STEPS) and first.reprints == 0
    text = subprocess.run(["pdftotext", str(first.path), "-"], capture_output=True, text=True).stdout
    assert all(step.sheet_no in text for step in plan.steps) and "REPRINT" not in text
    again = planning_sheets.print_task_sheets(db, factory.planner, tmp_path / "b.pdf",
                                              sheet_nos=[plan.step(3).sheet_no], lang="en", factory_name="Golden Luck")
    assert again.count == 1 and again.reprints == 1
    text = subprocess.run(["pdftotext", str(again.path), "-"], capture_output=True, text=True).stdout
    assert "REPRINT #1" in text and plan.step(3).sheet_no in text
    counts = {s.sheet_no: s.print_count for s in planning_sheets.list_task_sheets(db, order_id)}
    assert counts[plan.step(3).sheet_no] == 2 and counts[plan.step(4).sheet_no] == 1


def test_workshop_day_prints_the_sheets_of_the_steps_worked_that_day(db, factory, contracted, tmp_path):
    order_id = contracted()
    plan = _released(db, factory, order_id)
    filing = plan.step(4)
    result = planning_sheets.print_task_sheets(db, factory.planner, tmp_path / "w.pdf", workshop="Filing shop",
                                               day=filing.start, lang="zh_TW", factory_name="金福")
    assert result.sheet_nos == (filing.sheet_no,)
    with pytest.raises(NotFound) as err:
        planning_sheets.print_task_sheets(db, factory.planner, tmp_path / "x.pdf", workshop="Moon base",
                                          day=filing.start, lang="en")
    assert "There is no workshop Moon base" in str(err.value) and "Filing shop" in str(err.value)
    with pytest.raises(GateError):
        planning_sheets.print_task_sheets(db, factory.planner, tmp_path / "y.pdf", workshop="Filing shop",
                                          day=filing.start - dt.timedelta(days=60), lang="en")
    assert not (tmp_path / "y.pdf").exists()


def test_no_task_sheets_before_release(db, factory, contracted, tmp_path):
    order_id = contracted()
    planning.propose_plan(db, factory.planner, order_id, today=MONDAY)
    with pytest.raises(GateError) as err:
        planning_sheets.print_task_sheets(db, factory.planner, tmp_path / "a.pdf", order=order_id, lang="en")
    assert "issued when its plan is released" in str(err.value)


# ---- bad master data ----------------------------------------------------------------------------------------------

def _workshop_count(db) -> int:
    with db.read_session() as s:
        return s.scalar(select(func.count(Workshop.id)))


def test_a_workshop_without_capacity_is_refused_with_a_clear_message(db, factory):
    before = _workshop_count(db)
    cases = [
        (master.WorkshopInput("Engraving", hours_per_day="0", benches=2), "its hours per day are zero"),
        (master.WorkshopInput("Engraving", hours_per_day="8", benches=0), "must be greater than zero"),
        (master.WorkshopInput("Engraving", hours_per_day="8", benches=2, working_weekdays=[]),
         "tick at least one working day"),
        (master.WorkshopInput("Engraving", hours_per_day="25", benches=2), "too large"),
        (master.WorkshopInput("Filing shop", hours_per_day="8", benches=2), "already exists"),
    ]
    for data, message in cases:
        with pytest.raises(ValidationError) as err:
            master.create_workshop(db, factory.planner, data)
        assert message in str(err.value)
    assert _workshop_count(db) == before


def test_a_routing_with_no_steps_or_zero_hours_is_refused(db, factory):
    with pytest.raises(ValidationError) as err:
        master.create_routing(db, factory.planner, master.RoutingInput("pendant", "Pendant", []))
    assert "has no steps" in str(err.value)
    with pytest.raises(ValidationError) as err:
        master.create_routing(db, factory.planner, master.RoutingInput("pendant", "Pendant", [
            master.RoutingStepInput("Casting", factory.workshops["Casting"], "0", "0")]))
    assert "zero hours per piece and per batch" in str(err.value)
    with pytest.raises(ValidationError) as err:
        master.create_routing(db, factory.planner, master.RoutingInput("pendant", "Pendant", [
            master.RoutingStepInput("Casting", None, "1", "0")]))
    assert "choose its workshop" in str(err.value)
    assert [r.product_type for r in master.list_routings(db)] == ["ring"]


def test_routing_steps_are_edited_and_reordered_in_hours_stored_as_minutes(db, factory):
    routing = master.get_routing(db, factory.routing_id)
    steps = [master.RoutingStepInput(s.name, s.workshop_id, s.hours_per_piece, s.hours_per_batch,
                                     s.loss_allowance_pct, s.checklist_needs) for s in routing.steps]
    steps[3], steps[4] = steps[4], steps[3]
    steps[0].hours_per_batch = "2.5"
    saved = master.update_routing(db, factory.planner, routing.id, routing.version,
                                  master.RoutingInput("ring", "Ring routing v2", steps))
    assert [s.name for s in saved.steps][3:5] == ["Stone setting", "Filing"]
    assert saved.steps[0].minutes_per_batch == 150 and saved.steps[0].hours_per_batch == 2.5
    with pytest.raises(ConcurrentEditError):
        master.update_routing(db, factory.planner, routing.id, routing.version,
                              master.RoutingInput("ring", "Ring routing v3", steps))


def test_master_data_is_for_planners(db, factory):
    with pytest.raises(PermissionDenied):
        master.create_workshop(db, factory.worker, master.WorkshopInput("Engraving"))
    with pytest.raises(PermissionDenied):
        master.add_holiday(db, factory.sales, dt.date(2027, 1, 1), "New Year")


# ---- re-plan all, optimise, forecast ------------------------------------------------------------------------------

def _crowded(db, factory, contracted):
    """Three released orders squeezed into one-bench workshops: the last due ones cannot all be on time."""
    with db.unit_of_work() as s:
        for w in s.scalars(select(Workshop)):
            w.benches = 1
    ids = [contracted(quantity=80, delivery=dt.date(2026, 12, 18), priority=p) for p in (1, 5, 3)]
    for order_id in ids:
        _released(db, factory, order_id)
    return ids


def test_replan_all_reports_late_orders_and_applies_with_new_versions(db, factory, contracted):
    ids = _crowded(db, factory, contracted)
    proposal = planning_replan.replan_preview(db, today=MONDAY)
    assert proposal.late_after, "three crowded orders cannot all be on time"
    assert {o.order_id for o in proposal.late_after} <= set(ids)
    # Same delivery date: the highest priority goes first and is not the latest.
    latest = max(proposal.late_after, key=lambda o: o.days_late)
    assert latest.priority < 5
    assert proposal.changed_orders
    with pytest.raises(ValidationError):
        planning_replan.apply_proposal(db, factory.planner, proposal, "")
    result = planning_replan.apply_proposal(db, factory.planner, proposal, "Re-plan all after rush order")
    assert result.orders_changed == len(proposal.changed_orders) == result.versions_created
    changed = proposal.changed_orders[0]
    assert _plans(db, changed)[-1] == (2, "released", "Re-plan all after rush order")
    with pytest.raises(ConcurrentEditError):
        planning_replan.apply_proposal(db, factory.planner, proposal, "again")


def test_optimise_never_proposes_more_lateness_and_can_be_discarded(db, factory, contracted):
    _crowded(db, factory, contracted)
    seen = []
    proposal = planning_replan.optimise_preview(db, 3, today=MONDAY,
                                                on_progress=lambda best, bound, t: seen.append(best))
    assert proposal.lateness_after <= proposal.lateness_before
    assert proposal.status in ("optimal", "improved", "unchanged", "replanned") and proposal.status_text
    with pytest.raises(ValidationError):
        planning_replan.optimise_preview(db, 0, today=MONDAY)
    # Discarding is simply not applying: the plans are untouched.
    assert all(len(_plans(db, oid)) == 1 for oid in proposal.stamps)


def test_forecast_flags_orders_projected_late(db, factory, contracted):
    late_id = contracted(quantity=200, delivery=dt.date(2026, 12, 4))
    fine_id = contracted(quantity=10, delivery=dt.date(2027, 2, 26))
    _released(db, factory, late_id)
    _released(db, factory, fine_id)
    rows = planning_forecast.refresh_forecast(db, MONDAY)
    by_id = {r.order_id: r for r in rows}
    assert by_id[late_id].days_late > 0 and by_id[late_id].at_risk
    assert by_id[fine_id].days_late == 0 and not by_id[fine_id].at_risk
    flagged = planning_forecast.projected_late(db, [late_id, fine_id])
    assert flagged == {late_id: by_id[late_id].days_late}
    listed = planning.query_planning_orders(db, planning.PlanningOrderFilter(only_late=True))
    assert [r.order_id for r in listed] == [late_id]


def test_gantt_data_shows_plans_with_states_loads_and_holidays(db, factory, contracted):
    order_id = contracted()
    plan = _released(db, factory, order_id)
    master.add_holiday(db, factory.planner, dt.date(2026, 12, 25), "Christmas")
    planning.start_step(db, factory.worker, order_id, 1, now=dt.datetime(2026, 11, 30, 9, tzinfo=dt.timezone.utc))
    data = planning_gantt.gantt_data(db, today=plan.steps[0].start)
    bars = {b.key: b for b in data.bars if b.order_id == order_id}
    assert len(bars) == len(RING_STEPS)
    assert bars[plan.step(1).key].state == "in_progress"
    assert bars[plan.step(2).key].state == "planned"
    assert dt.date(2026, 12, 25) in data.holidays and data.weekend_days == frozenset({5, 6})
    assert any(d.used_minutes > 0 for d in data.loads)
    assert all(d.capacity_minutes == 0 for d in data.loads if d.day == dt.date(2026, 12, 25))


def test_gantt_pdf_lists_the_orders(db, factory, contracted, tmp_path):
    order_id = contracted()
    plan = _released(db, factory, order_id)
    path = planning_gantt.export_gantt_pdf(db, tmp_path / "gantt.pdf", first=MONDAY, last=dt.date(2027, 1, 31),
                                           lang="en", factory_name="Golden Luck", today=MONDAY)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert plan.order_no in text


def test_steps_of_a_superseded_plan_cannot_be_changed(db, factory, contracted):
    order_id = contracted()
    plan = _released(db, factory, order_id)
    last = plan.step(7)  # the routing's last step (plating)
    planning.change_steps(db, factory.planner, plan.id, [_change(last, last.start + ONE_DAY, last.end + ONE_DAY)],
                          reason="moved", today=MONDAY)
    with pytest.raises(ConcurrentEditError):
        planning.change_steps(db, factory.planner, plan.id, [_change(last, last.start + ONE_DAY * 2,
                                                                     last.end + ONE_DAY * 2)], reason="x", today=MONDAY)
    with db.read_session() as s:
        assert s.scalar(select(func.count(TaskSheet.id)).where(TaskSheet.order_id == order_id)) == len(RING_STEPS)
        assert s.scalar(select(func.count(PlanStep.id))) == 2 * len(RING_STEPS)
