"""The Planning tab driven like a planner: propose and release, drag bars on the Gantt (saved through the
service), see what blocks a start, tick the checklist, scan, print, re-plan, optimise, and edit master data."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog

from jewelryorders.services.orders import intake as orders

from jewelryorders.services.planning import plans as planning

from jewelryorders.services.planning import checklist as planning_checklist

from jewelryorders.services.planning import master_data as planning_master

from jewelryorders.services.planning import sheets as planning_sheets
from jewelryorders.ui import operations
from jewelryorders.ui.context import UiContext
from jewelryorders.ui.planning import tab as tab_module
from jewelryorders.ui.planning.master_data import RoutingsDialog, WorkshopsDialog
from jewelryorders.ui.planning.proposal import OptimiseDialog
from jewelryorders.ui.planning.tab import (
    ACTION_PRINT_ORDER,
    ACTION_PROPOSE,
    ACTION_RELEASE,
    ACTION_REPLAN,
    PlanningTab,
)

from .planning_support import MONDAY, contracted, factory  # noqa: F401  (fixtures)

ONE_DAY = dt.timedelta(days=1)


@pytest.fixture
def errors(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(operations, "show_error", lambda parent, exc: shown.append(str(exc)))
    return shown


@pytest.fixture
def opened(monkeypatch):
    files = []
    monkeypatch.setattr(tab_module, "open_file", lambda path: files.append(path))
    return files


@pytest.fixture
def make_tab(qtbot, db, factory, errors):
    def make(actor=None) -> PlanningTab:
        ctx = UiContext(db, actor or factory.planner, "Golden Luck Jewellery")
        widget = PlanningTab(ctx)
        widget.today = MONDAY
        qtbot.addWidget(widget)
        widget.resize(1800, 950)
        widget.show()
        qtbot.waitExposed(widget)
        widget.refresh()
        widget.gantt.set_zoom("day")
        return widget

    return make


def _select(tab: PlanningTab, order_id: int) -> None:
    assert tab.orders.select_order(order_id)
    assert tab.panel.order_id == order_id


def _drag(qtbot, tab: PlanningTab, key: str, days: int) -> None:
    gantt = tab.gantt
    gantt.ensure_bar_visible(key)
    rect = gantt.bar_scene_rect(key)
    viewport = gantt.view().viewport()
    start = gantt.view().mapFromScene(QPointF(rect.center().x(), rect.center().y()))
    assert viewport.rect().contains(start), "the bar must be on screen to be dragged"
    end = start + QPoint(int(round(days * gantt.zoom())), 0)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for step in range(1, 5):
        QTest.mouseMove(viewport, start + (end - start) * step / 4)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)


def test_planner_proposes_and_releases_from_the_tab(qtbot, db, factory, contracted, make_tab, errors):
    order_id = contracted()
    tab = make_tab()
    _select(tab, order_id)
    assert "no plan yet" in tab.panel.header.text()
    assert tab.actions[ACTION_PROPOSE].isEnabled() and not tab.actions[ACTION_RELEASE].isEnabled()
    tab.actions[ACTION_PROPOSE].trigger()
    assert errors == []
    assert tab.panel.plan is not None and tab.panel.plan.status == "draft"
    assert tab.panel.steps.rowCount() == 7
    assert {b.order_id for b in tab.gantt.bars()} == {order_id}
    assert tab.actions[ACTION_RELEASE].isEnabled()

    tab.actions[ACTION_RELEASE].trigger()
    assert errors == []
    assert orders.get_order(db, order_id).stage == "planned"
    plan = tab.panel.plan
    assert plan.status == "released"
    sheet_column = [tab.panel.steps.item(r, 7).text() for r in range(tab.panel.steps.rowCount())]
    assert sheet_column == [s.sheet_no for s in plan.steps] and all(n.startswith("TS-") for n in sheet_column)
    assert not tab.actions[ACTION_RELEASE].isEnabled() and tab.actions[ACTION_PRINT_ORDER].isEnabled()


def test_dragging_a_bar_of_a_draft_saves_the_new_dates(qtbot, db, factory, contracted, make_tab, errors):
    order_id = contracted()
    plan = planning.propose_plan(db, factory.planner, order_id, today=MONDAY)
    tab = make_tab()
    last = plan.step(7)  # the routing's last step (plating)
    _drag(qtbot, tab, last.key, 1)  # plating a day later
    assert errors == [], errors
    stored = planning.get_plan(db, order_id, MONDAY).step(7)
    assert stored.start == last.start + ONE_DAY and stored.end == last.end + ONE_DAY
    assert tab.gantt.bar(last.key).start == stored.start
    assert planning.plan_history(db, order_id)[0].version_no == 1


def test_dragging_a_released_bar_asks_why_and_makes_a_new_version(qtbot, db, factory, contracted, make_tab,
                                                                  monkeypatch):
    order_id = contracted()
    plan = planning.propose_plan(db, factory.planner, order_id, today=MONDAY)
    planning.release_plan(db, factory.planner, plan.id, today=MONDAY)
    tab = make_tab()
    asked = []

    def reason(title, explanation, default=""):
        asked.append(explanation)
        return "Plating line maintenance"

    monkeypatch.setattr(tab, "ask_reason", reason)
    last = plan.step(7)  # the routing's last step (plating)
    days = 7  # a week later: the same weekday, never a weekend
    _drag(qtbot, tab, last.key, days)
    assert len(asked) == 1 and plan.order_no in asked[0]
    history = planning.plan_history(db, order_id)
    assert [(h.version_no, h.change_reason) for h in history][0] == (2, "Plating line maintenance")
    assert planning.get_plan(db, order_id, MONDAY).step(7).start == last.start + ONE_DAY * days


def test_a_drag_before_the_previous_step_is_refused_and_nothing_is_saved(qtbot, db, factory, contracted, make_tab,
                                                                         errors):
    order_id = contracted()
    plan = planning.propose_plan(db, factory.planner, order_id, today=MONDAY)
    tab = make_tab()
    casting = plan.step(3)
    _drag(qtbot, tab, casting.key, -7)
    assert "Not moved" in tab.gantt.message() and "the step before it" in tab.gantt.message()
    assert planning.get_plan(db, order_id, MONDAY).step(3).start == casting.start


def test_refusing_to_give_a_reason_keeps_the_released_plan(qtbot, db, factory, contracted, make_tab, monkeypatch):
    order_id = contracted()
    plan = planning.propose_plan(db, factory.planner, order_id, today=MONDAY)
    planning.release_plan(db, factory.planner, plan.id, today=MONDAY)
    tab = make_tab()
    monkeypatch.setattr(tab, "ask_reason", lambda *a, **k: None)
    _drag(qtbot, tab, plan.step(7).key, 7)
    assert "only with a reason" in tab.gantt.message()
    assert len(planning.plan_history(db, order_id)) == 1


def test_the_panel_says_what_blocks_a_start_and_the_checklist_unblocks_it(qtbot, db, factory, contracted,
                                                                          make_tab, errors):
    order_id = contracted()
    plan = planning.propose_plan(db, factory.planner, order_id, today=MONDAY)
    planning.release_plan(db, factory.planner, plan.id, today=MONDAY)
    planning.start_step(db, factory.worker, order_id, 1)
    planning.finish_step(db, factory.worker, order_id, 1)
    tab = make_tab(factory.planner)
    _select(tab, order_id)
    tab.panel.select_step(2)
    text = tab.panel.blockers.text()
    assert "What blocks step 2 Wax and mould" in text and "Tooling and moulds ready" in text
    assert tab.panel.rows["tooling"].done.isEnabled()  # production confirms tooling, like technical
    tab.panel.rows["tooling"].done.click()
    assert errors == []
    tab.panel.select_step(2)
    assert "can start now" in tab.panel.blockers.text()
    tab.panel.start_button.click()
    assert errors == []
    assert planning.get_plan(db, order_id, MONDAY).step(2).state == "in_progress"


def test_materials_cannot_be_ticked_by_production(qtbot, db, factory, contracted, make_tab):
    order_id = contracted()
    plan = planning.propose_plan(db, factory.planner, order_id, today=MONDAY)
    planning.release_plan(db, factory.planner, plan.id, today=MONDAY)
    tab = make_tab(factory.planner)
    _select(tab, order_id)
    assert not tab.panel.rows["materials"].done.isEnabled()
    assert tab.panel.rows["equipment"].done.isEnabled()
    buyer_tab = make_tab(factory.purchasing)
    _select(buyer_tab, order_id)
    buyer_tab.panel.rows["materials"].done.click()
    items = {i.key: i for i in planning_checklist.get_checklist(db, order_id)}
    assert items["materials"].done and items["materials"].done_by == factory.purchasing.display_name


def test_scanning_an_unknown_sheet_shows_a_clear_message(qtbot, db, factory, contracted, make_tab, errors):
    order_id = contracted()
    plan = planning.propose_plan(db, factory.planner, order_id, today=MONDAY)
    released = planning.release_plan(db, factory.planner, plan.id, today=MONDAY)
    tab = make_tab(factory.worker)
    tab.scan.setText("TS-2026-777777")
    QTest.keyClick(tab.scan, Qt.Key.Key_Return)
    assert errors and "No task sheet has the number TS-2026-777777" in errors[-1]
    tab.scan.setText(released.step(1).sheet_no)
    QTest.keyClick(tab.scan, Qt.Key.Key_Return)
    assert len(errors) == 1
    assert orders.get_order(db, order_id).stage == "in_production"


def test_printing_the_order_sheets_from_the_tab_counts_them(qtbot, db, factory, contracted, make_tab, errors,
                                                             opened):
    order_id = contracted()
    plan = planning.propose_plan(db, factory.planner, order_id, today=MONDAY)
    planning.release_plan(db, factory.planner, plan.id, today=MONDAY)
    tab = make_tab()
    _select(tab, order_id)
    tab.actions[ACTION_PRINT_ORDER].trigger()
    assert errors == [] and len(opened) == 1 and opened[0].exists()
    assert all(s.print_count == 1 for s in planning_sheets.list_task_sheets(db, order_id))


def test_replan_all_shows_the_result_and_applies_it_when_accepted(qtbot, db, factory, contracted, make_tab,
                                                                  errors, monkeypatch):
    # Planned just in time before mid-January; re-planning forwards from today moves them earlier.
    first = contracted(quantity=80, delivery=dt.date(2027, 1, 15))
    second = contracted(quantity=80, delivery=dt.date(2027, 1, 15), priority=5)
    for order_id in (first, second):
        plan = planning.propose_plan(db, factory.planner, order_id, today=MONDAY)
        planning.release_plan(db, factory.planner, plan.id, today=MONDAY)
    tab = make_tab()
    shown = []

    def accept(dialog):
        shown.append(dialog)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(tab_module, "run_dialog", accept)
    monkeypatch.setattr(tab, "ask_reason", lambda *a, **k: "Re-plan after the weekly meeting")
    tab.actions[ACTION_REPLAN].trigger()
    assert errors == []
    summary = shown[0].view.summary.text()
    assert "Weighted lateness" in summary
    changed = shown[0].proposal.changed_orders
    assert sorted(changed) == sorted([first, second])
    for order_id in changed:
        latest = planning.plan_history(db, order_id)[0]
        assert (latest.version_no, latest.change_reason) == (2, "Re-plan after the weekly meeting")
    assert planning.get_plan(db, first, MONDAY).steps[0].start == MONDAY


def test_optimise_dialog_searches_in_the_background_and_shows_before_and_after(qtbot, db, factory, contracted):
    for _ in range(2):
        order_id = contracted(quantity=80, delivery=dt.date(2026, 12, 18))
        plan = planning.propose_plan(db, factory.planner, order_id, today=MONDAY)
        planning.release_plan(db, factory.planner, plan.id, today=MONDAY)
    dialog = OptimiseDialog(db, seconds=2)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.start_button.click()
    assert not dialog.start_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.proposal is not None or dialog.discard_button.isVisible(), timeout=60_000)
    assert dialog.proposal is not None
    assert "Weighted lateness" in dialog.result_view.summary.text()
    assert dialog.accept_button.isVisible() and dialog.discard_button.isVisible()
    dialog.wait_for_worker()


def test_optimise_can_be_cancelled(qtbot, db, factory, contracted):
    order_id = contracted()
    plan = planning.propose_plan(db, factory.planner, order_id, today=MONDAY)
    planning.release_plan(db, factory.planner, plan.id, today=MONDAY)
    dialog = OptimiseDialog(db, seconds=120)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.start_button.click()
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: dialog.proposal is not None, timeout=30_000)
    assert dialog.proposal.elapsed < 60
    dialog.wait_for_worker()


def test_workshops_dialog_refuses_a_workshop_without_capacity(qtbot, db, factory, errors):
    ctx = UiContext(db, factory.planner, "Golden Luck")
    dialog = WorkshopsDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.new_button.click()
    dialog.name.setText("Engraving")
    dialog.hours.setValue(8)
    dialog.benches.setValue(0)
    dialog.save_button.click()
    assert errors and "Benches must be greater than zero" in errors[-1]
    dialog.benches.setValue(3)
    for box in dialog.days:
        box.setChecked(False)
    dialog.save_button.click()
    assert "tick at least one working day" in errors[-1]
    dialog.days[0].setChecked(True)
    dialog.days[5].setChecked(True)
    dialog.save_button.click()
    saved = [w for w in planning_master.list_workshops(db) if w.name == "Engraving"]
    assert len(saved) == 1 and saved[0].working_weekdays == frozenset({0, 5}) and saved[0].benches == 3
    dialog.holiday_day.setDate(dialog.holiday_day.date().addDays(3))
    dialog.holiday_name.setText("Factory outing")
    dialog.add_holiday.click()
    assert [h.name for h in planning_master.list_holidays(db)] == ["Factory outing"]


def test_routings_dialog_edits_steps_and_refuses_zero_hours(qtbot, db, factory, errors):
    ctx = UiContext(db, factory.planner, "Golden Luck")
    dialog = RoutingsDialog(ctx)
    qtbot.addWidget(dialog)
    assert dialog.steps.rowCount() == 7
    dialog.steps.setCurrentCell(4, 0)
    dialog.up.click()
    dialog.steps.item(0, 3).setText("0")
    dialog.steps.item(0, 2).setText("0")
    dialog.save_button.click()
    assert errors and "zero hours per piece and per batch" in errors[-1]
    dialog.steps.item(0, 3).setText("3.5")
    dialog.save_button.click()
    routing = planning_master.get_routing(db, factory.routing_id)
    assert [s.name for s in routing.steps][3:5] == ["Stone setting", "Filing"]
    assert routing.steps[0].minutes_per_batch == 210
    dialog.new_button.click()
    dialog.name.setText("Pendant routing")
    dialog.save_button.click()
    assert "has no steps" in errors[-1]


def test_orders_projected_late_by_the_forecast_are_flagged_in_the_orders_tab(qtbot, db, factory, contracted):
    from jewelryorders.services.planning import forecast as planning_forecast
    from jewelryorders.ui.orders.list_model import AT_RISK
    from jewelryorders.ui.orders.tab import OrdersTab

    late_id = contracted(quantity=200, delivery=dt.date(2026, 12, 4))
    fine_id = contracted(quantity=10, delivery=dt.date(2027, 2, 26))
    for order_id in (late_id, fine_id):
        plan = planning.propose_plan(db, factory.planner, order_id, today=MONDAY)
        planning.release_plan(db, factory.planner, plan.id, today=MONDAY)
    planning_forecast.refresh_forecast(db, MONDAY)
    tab = OrdersTab(UiContext(db, factory.planner, "Factory"))
    qtbot.addWidget(tab)
    rows = {tab.model.row_object(r).id: tab.model.row_object(r) for r in range(tab.model.rowCount())}
    late = tab.model.status_of(rows[late_id])
    assert late.state == AT_RISK and "days late" in late.reason
    assert tab.model.status_of(rows[fine_id]).state != AT_RISK


def test_the_plan_panel_shows_the_reviews_conditions_and_materials_day(qtbot, db, factory, contracted, make_tab,
                                                                         errors):
    from jewelryorders.models.planning import PlanReviewInput
    from jewelryorders.services.planning.review_inputs import Condition, conditions_json

    order_id = contracted()
    with db.unit_of_work() as s:  # test data: as if technical had passed with this condition
        carried = s.get(PlanReviewInput, order_id)
        assert carried is not None and carried.materials_expected == dt.date(2026, 11, 7)  # signed 11-02 + 5 days
        carried.conditions = conditions_json([Condition("technical", "首件需客戶確認")])
    tab = make_tab()
    _select(tab, order_id)
    tab.actions[ACTION_PROPOSE].trigger()
    assert errors == []
    header = tab.panel.header.text()
    assert "Conditions agreed in the review" in header and "Technical: 首件需客戶確認" in header
    assert "Materials expected 2026-11-07" in header
