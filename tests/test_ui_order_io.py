"""The Orders tab's import wizard, Excel export and order confirmation printing, driven as a clerk would."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QCoreApplication, QSettings, Qt

from jewelryorders.i18n import set_language
from jewelryorders.services import documents
from jewelryorders.services.orders import importing as order_import
from jewelryorders.services.orders import intake as orders
from jewelryorders.services.orders.intake import OrderFilter
from jewelryorders.ui import operations
from jewelryorders.ui.context import UiContext
from jewelryorders.ui.orders import actions_export, actions_import, actions_print
from jewelryorders.ui.orders.actions_import import ImportWizard

from .review_support import set_stage
from .test_order_import import good_rows, write_sheet

# A customer's own header names: "Legierung" is nothing the guess knows, so the clerk maps it by hand.
HEADERS = ["Customer", "PO No.", "Order Date", "Delivery Date", "Ship To", "Style No.", "Description", "Legierung",
           "Size", "Qty", "Weight (g)", "Stone", "Stone Qty", "Carat", "Unit Price", "Remarks"]


@pytest.fixture(autouse=True)
def own_settings(tmp_path, qapp):
    """Remembered mappings go to a settings file of this test, never the user's."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    QCoreApplication.setOrganizationName("jewelryorders-tests")
    QCoreApplication.setApplicationName("order-io")
    yield
    QSettings().clear()


@pytest.fixture
def ctx(db, sales):
    return UiContext(db=db, actor=sales, factory_name="金福珠寶廠")


@pytest.fixture
def errors(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(operations, "show_error", lambda parent, exc: shown.append(str(exc)))
    return shown


@pytest.fixture
def announced(monkeypatch):
    said: list[str] = []
    monkeypatch.setattr(actions_import, "announce", lambda parent, title, text: said.append(text))
    return said


def count(db) -> int:
    return orders.count_orders(db, OrderFilter())


def test_the_wizard_maps_previews_errors_refuses_then_imports_when_fixed(qtbot, ctx, db, customer, tmp_path,
                                                                         errors, announced):
    rows = good_rows(customer.code)
    rows[1][9] = "twenty"  # J3
    path = write_sheet(tmp_path / "po.xlsx", HEADERS, rows)
    wizard = ImportWizard(ctx, order_import.inspect_workbook(path))
    qtbot.addWidget(wizard)

    # Mapping: the guess found everything but the metal, which the clerk must choose before checking.
    assert wizard.mapping()["style_code"] == "Style No." and "metal" not in wizard.mapping()
    assert not wizard.next_button.isEnabled() and "Metal" in wizard.mapping_message.text()
    assert wizard.example_labels["style_code"].text() == "R-18K-001"
    wizard.set_column("metal", "Legierung")
    assert wizard.next_button.isEnabled() and wizard.mapping_message.text() == ""

    # Preview: the bad row is shown with its row and column; Import is refused.
    with qtbot.waitSignal(ctx.bus.sig_orders_changed, timeout=200, raising=False) as changed:
        result = wizard.check()
    assert not changed.signal_triggered
    assert wizard.pages.currentIndex() == 1 and result is not None and result.problem_count == 1
    model = wizard.problems_model
    assert model.rowCount() == 1
    assert [model.index(0, c).data() for c in range(2)] == ["3", "J Qty"]
    assert "'twenty' is not a whole number" in model.index(0, 2).data()
    assert wizard.orders_model.rowCount() == 2
    assert not wizard.import_button.isEnabled() and "1 problems" in wizard.summary_label.text()
    assert wizard.run_import() is None and count(db) == 0

    # The clerk corrects the workbook in Excel, saves it and checks again: now it imports.
    rows[1][9] = 20
    write_sheet(path, HEADERS, rows)
    wizard.check()
    assert wizard.problems_model.rowCount() == 0 and wizard.import_button.isEnabled()
    assert "Every row is valid" in wizard.summary_label.text()
    with qtbot.waitSignal(ctx.bus.sig_orders_changed, timeout=5000):
        imported = wizard.run_import()
    assert imported is not None and imported.imported and count(db) == 2
    assert wizard.result() == wizard.DialogCode.Accepted
    assert announced and "Imported 2 orders with 4 lines" in announced[0]
    assert orders.get_order_by_no(db, imported.orders[0].order_no).lines[1].quantity == 20
    assert errors == []


def test_the_mapping_is_remembered_for_sheets_with_the_same_headers(qtbot, ctx, customer, tmp_path):
    first = write_sheet(tmp_path / "a.xlsx", HEADERS, good_rows(customer.code))
    wizard = ImportWizard(ctx, order_import.inspect_workbook(first))
    qtbot.addWidget(wizard)
    wizard.set_column("metal", "Legierung")
    wizard.set_column("description", None)
    wizard.check()
    second = write_sheet(tmp_path / "b.xlsx", HEADERS, good_rows(customer.code)[:1])
    again = ImportWizard(ctx, order_import.inspect_workbook(second))
    qtbot.addWidget(again)
    assert again.mapping()["metal"] == "Legierung" and "description" not in again.mapping()
    other = write_sheet(tmp_path / "c.xlsx", ["款號", "成色", "數量", "Legierung"], [["R-1", "18K", 1, "x"]])
    fresh = ImportWizard(ctx, order_import.inspect_workbook(other))
    qtbot.addWidget(fresh)
    assert fresh.mapping()["metal"] == "成色"


def test_a_customer_for_the_whole_sheet_replaces_a_customer_column(qtbot, ctx, db, customer, tmp_path, announced):
    path = write_sheet(tmp_path / "one.xlsx", ["款號", "成色", "數量", "客戶訂單號"], [["R-1", "18K", 2, "P-1"]])
    wizard = ImportWizard(ctx, order_import.inspect_workbook(path))
    qtbot.addWidget(wizard)
    assert not wizard.next_button.isEnabled()
    assert "Customer (code or name)" in wizard.mapping_message.text()
    from jewelryorders.services import customers as customer_service

    wizard.customer_field.set_customer(customer_service.get_customer(db, customer.id))
    assert wizard.next_button.isEnabled()
    wizard.check()
    wizard.run_import()
    assert count(db) == 1


def test_a_file_that_is_not_a_workbook_is_refused_before_the_wizard(qtbot, ctx, db, tmp_path, monkeypatch, errors):
    fake = tmp_path / "order.xlsx"
    fake.write_bytes(b"%PDF-1.7\n")
    monkeypatch.setattr(actions_import, "choose_workbook", lambda parent: str(fake))
    opened: list[ImportWizard] = []
    monkeypatch.setattr(ImportWizard, "exec", lambda self: opened.append(self))
    assert actions_import.import_orders(ctx, None) is None
    assert opened == [] and len(errors) == 1 and "is a PDF document" in errors[0]


def test_import_orders_runs_the_wizard_for_the_chosen_file(qtbot, ctx, db, customer, tmp_path, monkeypatch,
                                                           announced):
    path = write_sheet(tmp_path / "po.xlsx", HEADERS, good_rows(customer.code))
    monkeypatch.setattr(actions_import, "choose_workbook", lambda parent: str(path))

    def clerk(self: ImportWizard):
        self.set_column("metal", "Legierung")
        self.check()
        self.run_import()

    monkeypatch.setattr(ImportWizard, "exec", clerk)
    result = actions_import.import_orders(ctx, None)
    assert result is not None and len(result.orders) == 2 and count(db) == 2


def test_the_wizard_speaks_chinese(qtbot, ctx, customer, tmp_path):
    set_language("zh_TW")
    path = write_sheet(tmp_path / "po.xlsx", HEADERS, good_rows(customer.code))
    wizard = ImportWizard(ctx, order_import.inspect_workbook(path))
    qtbot.addWidget(wizard)
    assert wizard.windowTitle() == "從 Excel 匯入訂單"
    assert wizard.field_labels["style_code"].text() == "款號 *"
    assert wizard.field_combos["metal"].currentText() == "— 表格中沒有 —"


def test_export_action_writes_what_the_list_shows(qtbot, ctx, db, order_factory, tmp_path, monkeypatch, errors):
    made = [order_factory(quantity=q) for q in (5, 50, 20)]
    target = tmp_path / "list.xlsx"
    monkeypatch.setattr(actions_export, "ask_save_path", lambda parent, name: str(target))
    offered: list[tuple[Path, int]] = []
    monkeypatch.setattr(actions_export, "offer_to_open", lambda parent, path, n: offered.append((path, n)))
    with qtbot.waitSignal(ctx.bus.sig_status_message, timeout=5000):
        written = actions_export.export_orders(ctx, None, OrderFilter(sort="quantity", descending=True))
    assert written == target and offered == [(target, 3)] and errors == []
    ws = load_workbook(target).worksheets[0]
    assert [ws.cell(r, 4).value for r in (2, 3, 4)] == [50, 20, 5]
    assert {ws.cell(r, 1).value for r in (2, 3, 4)} == {o.order_no for o in made}


def test_export_action_cancelled_in_the_file_dialog_does_nothing(qtbot, ctx, tmp_path, monkeypatch):
    monkeypatch.setattr(actions_export, "ask_save_path", lambda parent, name: None)
    assert actions_export.export_orders(ctx, None, OrderFilter()) is None


def test_print_action_saves_files_and_opens_the_confirmation(qtbot, ctx, db, order_factory, tmp_path, monkeypatch,
                                                             errors):
    order = order_factory()
    set_stage(db, order.id, "contracted")  # the confirmation is printed only for a contracted order
    suggested: list[str] = []

    def ask(parent, name):
        suggested.append(name)
        return str(tmp_path / name)

    monkeypatch.setattr(actions_print, "ask_save_path", ask)
    opened: list[Path] = []
    monkeypatch.setattr(actions_print, "open_document", lambda path: opened.append(path) or True)
    with qtbot.waitSignal(ctx.bus.sig_order_changed, timeout=5000) as changed:
        printed = actions_print.print_confirmation(ctx, None, order.id)
    assert changed.args == [order.id] and errors == []
    assert suggested == [f"{order.order_no}-confirmation.pdf"]
    assert opened == [tmp_path / suggested[0]] and printed.version == 1
    text = subprocess.run(["pdftotext", str(opened[0]), "-"], capture_output=True, text=True, check=True).stdout
    assert order.order_no in text and "周大福珠寶" in text
    assert [d.category for d in documents.list_documents(db, order.id)] == ["order_confirmation"]


def test_print_action_shows_why_it_cannot_save(qtbot, ctx, db, order_factory, tmp_path, monkeypatch, errors):
    order = order_factory()
    monkeypatch.setattr(actions_print, "ask_save_path", lambda parent, name: str(tmp_path / "gone" / name))
    monkeypatch.setattr(actions_print, "open_document", lambda path: pytest.fail("nothing to open"))
    assert actions_print.print_confirmation(ctx, None, order.id) is None
    assert len(errors) == 1 and "does not exist" in errors[0]
    assert documents.list_documents(db, order.id) == []


def test_choosing_another_sheet_reads_its_header_row(qtbot, ctx, customer, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    first = wb.active
    first.title = "2026 秋季"
    first.append(["款號", "成色", "數量"])
    first.append(["R-1", "18K", 1])
    second = wb.create_sheet("2026 冬季")
    second.append(["Style No.", "Karat", "Qty", "PO No."])
    second.append(["W-9", "Pt950", 3, "W-PO"])
    path = tmp_path / "seasons.xlsx"
    wb.save(path)
    wizard = ImportWizard(ctx, order_import.inspect_workbook(path))
    qtbot.addWidget(wizard)
    assert wizard.sheet_combo.isEnabled() and wizard.mapping()["metal"] == "成色"
    wizard.sheet_combo.setCurrentText("2026 冬季")
    assert wizard.info.sheet_name == "2026 冬季" and wizard.info.headers == ("Style No.", "Karat", "Qty", "PO No.")
    assert wizard.mapping() == {"customer_po": "PO No.", "style_code": "Style No.", "metal": "Karat",
                                "quantity": "Qty"}
    assert wizard.example_labels["style_code"].text() == "W-9"
    assert wizard.options().sheet_name == "2026 冬季"


def test_cancel_in_the_progress_dialog_stops_the_work_off_the_gui_thread(qtbot, ctx, errors):
    import threading
    import time

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton

    from jewelryorders.services.orders.importing import ImportCancelled

    threads: list[bool] = []

    def work(progress, should_stop):
        threads.append(threading.current_thread() is threading.main_thread())
        for step in range(2_000):
            if should_stop():
                raise ImportCancelled("Cancelled; nothing was imported.")
            progress("Checking the orders", step, 2_000)
            time.sleep(0.005)
        return "finished"

    def press_cancel():
        dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible()]
        assert dialogs
        dialogs[0].findChild(QPushButton).click()

    QTimer.singleShot(600, press_cancel)
    with pytest.raises(ImportCancelled) as cancelled:
        actions_import.run_in_background(None, "Checking", work)
    assert threads == [False]
    with qtbot.waitSignal(ctx.bus.sig_status_message, timeout=1000):
        actions_import.show_failure(ctx, None, cancelled.value)
    assert errors == []  # a cancel is no error to confirm


def test_the_wizard_shows_the_top_of_a_customer_sheet_and_lets_the_clerk_choose_the_header_row(
        qtbot, ctx, db, customer, tmp_path, errors, announced):
    from .test_order_import_sheets import customer_sheet

    path = customer_sheet(tmp_path / "po.xlsx", customer.code)
    wizard = ImportWizard(ctx, order_import.inspect_workbook(path))
    qtbot.addWidget(wizard)
    assert wizard.header_row_spin.value() == 6
    top = wizard.top_rows_model
    assert top.index(0, 0).data().startswith("周大福珠寶 訂貨單") and top.index(5, 0).data() == "款號"
    assert top.index(5, 0).data(Qt.ItemDataRole.FontRole).bold()
    assert "Customer PO / reference: 4500123 (row 2)" in wizard.sheet_values_label.text()
    # The customer is written above the header, so no customer column and no customer choice is needed.
    assert wizard.next_button.isEnabled()
    wizard.sheet_values_check.setChecked(False)
    assert not wizard.next_button.isEnabled() and "Customer" in wizard.mapping_message.text()
    wizard.sheet_values_check.setChecked(True)

    wizard.set_header_row(5)  # the clerk tries the note row: its two cells become the columns
    assert wizard.info.header_row == 5 and "style_code" not in wizard.mapping()
    wizard.set_header_row(6)
    assert wizard.mapping()["style_code"] == "款號"

    result = wizard.check()
    assert result is not None and result.ok
    summary = wizard.summary_label.text()
    assert "Skipped: 2 blank rows, 1 total rows." in summary
    assert "Row 8 skipped: blank." in summary and "Row 14 skipped: a total row (合計)." in summary
    assert "Order date: 2026年11月16日" in summary
    imported = wizard.run_import()
    assert imported is not None and count(db) == 1 and errors == []
    assert orders.get_order_by_no(db, imported.orders[0].order_no).order_date.isoformat() == "2026-11-16"
