"""The Ledger tab driven like a production manager's week: scan, start, finish with weights, an exception with its
customer notification, a meeting with an action item on the owner's to-do list, the pack and the minutes."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt

from jewelryorders.services.ledger import entries as ledger
from jewelryorders.services.ledger import exceptions as exc
from jewelryorders.services.ledger import meetings
from jewelryorders.ui import operations
from jewelryorders.ui.context import EventBus, UiContext
from jewelryorders.ui.ledger import common as ledger_tab
from jewelryorders.ui.ledger.tab import LedgerTab

from . import test_ledger as support
from .planning_support import contracted, factory  # noqa: F401,F811  (fixtures)


@pytest.fixture
def errors(monkeypatch):
    found: list[str] = []
    monkeypatch.setattr(operations, "show_error", lambda parent, e: found.append(str(e)))
    return found


def _tab(qtbot, db, actor) -> LedgerTab:
    tab = LedgerTab(UiContext(db, actor, "金福珠寶廠", EventBus()))
    qtbot.addWidget(tab)
    tab.resize(1366, 700)
    return tab


def test_a_week_in_the_ledger_tab(qtbot, db, factory, contracted, errors, monkeypatch, tmp_path, make_user):
    order_id = contracted(quantity=50)
    plan = support.release(db, factory, order_id)
    head = make_user("production", "department_head", "prodhead")
    tab = _tab(qtbot, db, head)
    scan = tab.ledger_view.scan
    sheet = plan.step(1).sheet_no
    # an unknown barcode is refused and nothing opens
    qtbot.keyClicks(scan.scan_edit, "TS-2026-999999")
    scan.open_scanned()
    assert errors and "No task sheet" in errors[-1] and scan.info is None
    scan.scan_edit.clear()
    qtbot.keyClicks(scan.scan_edit, sheet)
    qtbot.keyClick(scan.scan_edit, Qt.Key.Key_Return)
    assert scan.info is not None and scan.info.next_action == "start" and scan.start_button.isEnabled()
    scan.worker_edit.setText("陳師傅")
    scan.start()
    assert scan.info.next_action == "finish" and scan.qty_done.text() == ""
    scan.scan_edit.setText(sheet)
    qtbot.keyClick(scan.scan_edit, Qt.Key.Key_Return)
    assert scan.qty_done.text() == "50"
    for edit, value in ((scan.issued, "100.250"), (scan.returned, "98.100"), (scan.in_piece, "0.650")):
        qtbot.keyClicks(edit, value)
    qtbot.keyClick(scan.in_piece, Qt.Key.Key_Return)
    assert scan.info.state == "done", errors
    assert tab.ledger_view.model.rowCount() == 2
    assert "loss 1.500 g" in tab.ledger_view.totals_label.text()
    # the filter
    tab.ledger_view.flagged_check.setChecked(True)
    assert tab.ledger_view.model.rowCount() == 0
    tab.ledger_view.flagged_check.setChecked(False)
    # order progress
    tab.tabs.setCurrentIndex(1)
    assert tab.progress_view.model.rowCount() == 1 and tab.progress_view.model.rows[0].steps_done == 1
    # an exception: the delivery date cannot move before the customer is told
    tab.tabs.setCurrentIndex(2)
    order_no = plan.order_no
    monkeypatch.setattr(ledger_tab, "ask_exception", lambda parent: exc.ExceptionInput(
        "material_shortage", "gold grain late", order_no=order_no, impact_days=3, affected_steps="3"))
    tab.exceptions_view.new_exception()
    assert tab.exceptions_view.model.rowCount() == 1
    tab.exceptions_view.table.selectRow(0)
    answers = iter(["2027-01-20", "phone / Sales Chen / agrees", "2027-01-20"])
    monkeypatch.setattr(ledger_tab, "ask_text", lambda *a: next(answers))
    tab.exceptions_view.move_date()
    assert "until the customer has been told" in errors[-1]
    tab.exceptions_view.table.selectRow(0)
    tab.exceptions_view.notify()
    tab.exceptions_view.table.selectRow(0)
    tab.exceptions_view.move_date()
    assert exc.list_exceptions(db)[0].new_delivery_date == dt.date(2027, 1, 20)
    # a meeting: the agenda lists the open exception; an action lands on the owner's to-do list
    tab.tabs.setCurrentIndex(3)
    dialog = ledger_tab.MeetingDialog(tab.ctx)
    qtbot.addWidget(dialog)
    dialog.reports["production"].setText("casting behind by two days")
    dialog.reports["sales"].setText("customer told")
    text, owner, due = dialog.actions[0]
    text.setText("chase the supplier")
    owner.setCurrentIndex(owner.findData(head.user_id))
    due.setText("2026-11-18")
    monkeypatch.setattr(ledger_tab, "ask_meeting", lambda parent, ctx: dialog.value())
    tab.meetings_view.hold()
    [m] = meetings.list_meetings(db)
    assert [x["exception_no"] for x in m.agenda.open_exceptions]
    assert m.reports == {"production": "casting behind by two days", "sales": "customer told"}
    tab.meetings_view.refresh()
    assert tab.meetings_view.todo_model.rowCount() == 1
    tab.meetings_view.todo_table.selectRow(0)
    monkeypatch.setattr(ledger_tab, "ask_text", lambda *a: "called them")
    tab.meetings_view.mark_done()
    assert tab.meetings_view.todo_model.rowCount() == 0
    tab.meetings_view.meetings_table.selectRow(0)
    monkeypatch.setattr(ledger_tab, "ask_save_path", lambda *a: str(tmp_path / "pack.xlsx"))
    tab.meetings_view.export_pack()
    assert load_workbook(tmp_path / "pack.xlsx").sheetnames
    monkeypatch.setattr(ledger_tab, "ask_save_path", lambda *a: str(tmp_path / "minutes.pdf"))
    tab.meetings_view.print_minutes()
    assert (tmp_path / "minutes.pdf").stat().st_size > 1000
    # the ledger export
    tab.tabs.setCurrentIndex(0)
    monkeypatch.setattr(ledger_tab, "ask_save_path", lambda *a: str(tmp_path / "ledger.xlsx"))
    tab.ledger_view.export()
    assert load_workbook(tmp_path / "ledger.xlsx").active.max_row == 5
    monkeypatch.setattr(ledger_tab, "ask_text", lambda *a: "2026-W47")
    monkeypatch.setattr(ledger_tab, "ask_save_path", lambda *a: str(tmp_path / "week.xlsx"))
    tab.ledger_view.export_summary()
    assert load_workbook(tmp_path / "week.xlsx").active.max_row >= 4
    # a correction from the list
    tab.ledger_view.table.selectRow(0)
    monkeypatch.setattr(ledger_tab, "ask_text", lambda *a: "wrong weights")
    tab.ledger_view.reverse_selected()
    assert tab.ledger_view.model.rowCount() == 3
    assert ledger.open_sheet(db, sheet).state == "in_progress"
    tab.grab().save(str(tmp_path / "ledger.png"))


def test_the_gantt_marks_steps_that_an_open_exception_affects(qtbot, tmp_path):
    from datetime import date

    from jewelryorders.gantt.data import GanttBar, GanttData
    from jewelryorders.ui.planning.gantt_view import GanttWidget

    bars = [GanttBar(key=f"JO-1/{seq}", order_id=1, order_no="JO-1", customer="周大福", workshop_id=seq,
                     workshop=f"W{seq}", step=f"S{seq}", seq=seq, start=date(2026, 11, 16 + seq),
                     end=date(2026, 11, 17 + seq), state="planned") for seq in (1, 2, 3)]
    widget = GanttWidget()
    qtbot.addWidget(widget)
    widget.resize(1000, 500)
    widget.set_data(GanttData(bars=bars, loads=[], holidays=frozenset(), today=date(2026, 11, 16)))
    widget.set_exception_marks({(1, 2): ["EX-2026-0001"]})
    assert "EX-2026-0001" in widget.tooltip_for("JO-1/2") and "EX-2026" not in widget.tooltip_for("JO-1/1")
    widget.grab().save(str(tmp_path / "gantt.png"))


def test_the_tab_speaks_chinese(qtbot, db, factory, contracted, errors, tmp_path):
    from jewelryorders.i18n import set_language

    order_id = contracted(quantity=50)
    plan = support.release(db, factory, order_id)
    ledger.record_start(db, factory.worker, plan.step(1).sheet_no, worker="陳師傅")
    ledger.record_finish(db, factory.worker, plan.step(1).sheet_no, ledger.FinishInput(
        50, 0, "10", "9.5", "0", loss_reason="坩堝裂開"))
    set_language("zh_TW")
    tab = _tab(qtbot, db, factory.planner)
    tab.ledger_view.scan.scan_edit.setText(plan.step(2).sheet_no)
    tab.ledger_view.scan.open_scanned()
    model = tab.ledger_view.model
    assert model.headerData(0, Qt.Orientation.Horizontal) == "記錄編號"
    assert tab.tabs.tabText(3) == "協調會與待辦" and "超出允許損耗" in tab.ledger_view.totals_label.text()
    tab.grab().save(str(tmp_path / "ledger_zh.png"))
