"""The Orders tab as a clerk uses it: type an order in the form, find it in the list, open it and read its history."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QDialog

from jewelryorders.services import customers, documents

from jewelryorders.services.orders import reads as order_reads

from jewelryorders.services.orders import intake as orders
from jewelryorders.services.orders.intake import OrderFilter
from jewelryorders.ui import operations
from jewelryorders.ui.context import UiContext
from jewelryorders.ui.orders import launch, order_form, order_window, tab as tab_module
from jewelryorders.ui.orders.line_editors import COLUMN_OF, StoneDraft
from jewelryorders.ui.orders.list_model import AT_RISK, LATE, LATE_TEXT, ON_TRACK, OrderListModel, delivery_status
from jewelryorders.ui.orders.order_form import OrderForm
from jewelryorders.ui.orders.order_window import OrderWindow
from jewelryorders.ui.orders.tab import OrdersTab

from .conftest import TEST_TODAY, order_input
from .review_support import set_stage

TODAY = TEST_TODAY


@pytest.fixture
def ctx(db, sales):
    return UiContext(db, sales, "金福珠寶廠")


@pytest.fixture
def shown_errors(monkeypatch):
    """Messages the clerk would see in a message box, captured instead of blocking the test."""
    seen: list[str] = []
    monkeypatch.setattr(operations, "show_error", lambda parent, exc: seen.append(str(exc)))
    monkeypatch.setattr(order_form, "confirm_discard", lambda parent: True)
    return seen


@pytest.fixture(autouse=True)
def close_windows():
    yield
    for w in launch.open_windows():
        try:
            w.close()
        except RuntimeError:
            pass


def make_tab(qtbot, ctx) -> OrdersTab:
    tab = OrdersTab(ctx)
    qtbot.addWidget(tab)
    tab.resize(1300, 600)
    tab.show()
    return tab


def new_form(qtbot, ctx, order_id=None) -> OrderForm:
    form = OrderForm(ctx, order_id)
    qtbot.addWidget(form)
    form.show()
    return form


def set_cell(form: OrderForm, row: int, key: str, text: str) -> None:
    assert form.lines_model.setData(form.lines_model.index(row, COLUMN_OF[key]), text)


def fill_header(qtbot, form: OrderForm, customer, *, delivery: dt.date | None = TODAY + dt.timedelta(days=60)):
    qtbot.keyClicks(form.customer_field.edit, customer.code)
    qtbot.keyClick(form.customer_field.edit, Qt.Key.Key_Return)
    form.channel_combo.setCurrentIndex(form.channel_combo.findData("trade_fair"))
    form.order_date_edit.setDate(QDate(TODAY.year, TODAY.month, TODAY.day))
    if delivery is not None:
        form.delivery_date_check.setChecked(True)
        form.delivery_date_edit.setDate(QDate(delivery.year, delivery.month, delivery.day))
    # Chinese arrives through the input method, which key clicks cannot simulate.
    form.delivery_place_edit.insert("香港九龍彌敦道 88 號")
    form.special_edit.insertPlainText("內圈刻字 LOVE")


def fill_line(form: OrderForm, row: int, style: str, quantity: str, weight: str = "3.125", price: str = "2380.00",
              stones=()):
    while len(form.lines_model.lines) <= row:
        form.add_line()
    for key, value in (("style_code", style), ("description", "18K 金鑽石戒指"), ("metal", "Au750"), ("size", "#12"),
                       ("quantity", quantity), ("target_weight", weight), ("unit_price", price)):
        set_cell(form, row, key, value)
    if stones:
        form.lines_model.set_stones(row, [StoneDraft(*s) for s in stones])


def all_orders(db):
    return orders.query_orders(db, OrderFilter(), 0, 1000)


# ---- the form ------------------------------------------------------------------------------------------------

def test_an_order_typed_in_the_form_is_saved_and_shows_in_the_list(qtbot, ctx, db, customer, shown_errors,
                                                                    tmp_path):
    tab = make_tab(qtbot, ctx)
    assert tab.model.rowCount() == 0
    design = tmp_path / "ring.png"
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(QColor("gold"))
    image.save(str(design))
    form = tab.new_order()
    fill_header(qtbot, form, customer)
    assert form.customer_field.customer.id == customer.id
    assert form.currency_combo.currentText() == "HKD"  # the customer's currency is taken over
    fill_line(form, 0, "R-18K-001", "50", stones=[("diamond", "12", "0.360")])
    fill_line(form, 1, "P-PT-002", "20", weight="5.250", price="4100")
    form.add_files([design])
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)

    assert shown_errors == []
    assert form.result() == QDialog.DialogCode.Accepted
    saved = all_orders(db)
    assert len(saved) == 1
    view = orders.get_order(db, saved[0].id)
    assert re.fullmatch(rf"JO-{TODAY.year}-\d{{5}}", view.order_no)
    assert view.stage == "draft"
    assert [(l.style_code, l.quantity, l.target_weight_mg) for l in view.lines] == [("R-18K-001", 50, 3125),
                                                                                     ("P-PT-002", 20, 5250)]
    assert view.lines[0].stones[0].count == 12
    assert view.currency == "HKD" and view.delivery_place == "香港九龍彌敦道 88 號"
    stored = documents.list_documents(db, view.id)
    assert [d.file_name for d in stored] == ["ring.png"]
    assert stored[0].sha256 == hashlib.sha256(design.read_bytes()).hexdigest()

    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    row = tab.model.row_object(0)
    assert row.order_no == view.order_no and row.customer_name == "周大福珠寶"
    assert tab.model.data(tab.model.index(0, 3)) == "70"
    assert tab.count_label.text() == "1 order"


def test_zero_quantity_and_four_decimal_weight_are_refused_by_line_and_nothing_is_saved(qtbot, ctx, db, customer,
                                                                                       shown_errors):
    form = new_form(qtbot, ctx)
    fill_header(qtbot, form, customer)
    fill_line(form, 0, "R-18K-001", "0")
    fill_line(form, 1, "R-18K-002", "5", weight="1.2345")
    form.save()

    assert len(shown_errors) == 1
    message = shown_errors[0]
    assert "Line 1: quantity must be greater than zero" in message
    assert "Line 2: target weight (g): 1.2345 has more than 3 decimals" in message
    assert form.lines_model.problems.keys() == {(0, "quantity"), (1, "target_weight")}
    bad_cell = form.lines_model.index(1, COLUMN_OF["target_weight"])
    assert "1.2345" in form.lines_model.data(bad_cell, Qt.ItemDataRole.ToolTipRole)
    assert form.lines_model.data(bad_cell) == "1.2345"  # what was typed stays to be corrected
    assert form.problems_label.isVisible() and "Line 1: quantity" in form.problems_label.text()
    assert form.isVisible() and form.order_id is None
    assert all_orders(db) == []

    set_cell(form, 0, "quantity", "10")
    set_cell(form, 1, "target_weight", "1.234")
    assert form.save() is not None
    assert [l.target_weight_mg for l in orders.get_order(db, form.order_id).lines] == [3125, 1234]


def test_other_bad_input_names_its_field_and_saves_nothing(qtbot, ctx, db, customer, shown_errors):
    form = new_form(qtbot, ctx)
    fill_header(qtbot, form, customer, delivery=TODAY - dt.timedelta(days=3))
    form.customer_field.edit.clear()
    qtbot.keyClicks(form.customer_field.edit, "No Such Jeweller Ltd")
    form.special_edit.setPlainText("字" * 100_000)
    fill_line(form, 0, "", "5")
    form.save()

    message = shown_errors[-1]
    assert 'Customer: no customer matches "No Such Jeweller Ltd"' in message
    assert "is before the order date" in message
    assert "Special requirements is too long: 100,000 characters" in message
    assert "Line 1: style is required" in message
    for widget in (form.customer_field.edit, form.delivery_date_edit, form.special_edit):
        assert widget.property("problem") is True
    assert form.delivery_place_edit.property("problem") is not True
    assert len(form.special_edit.toPlainText()) == 100_000
    assert all_orders(db) == []


def test_editing_a_draft_saves_a_new_version(qtbot, ctx, db, order_factory, shown_errors):
    order = order_factory(lines=3)
    form = new_form(qtbot, ctx, order.id)
    assert form.order_no_value.text() == order.order_no
    assert form.lines_model.data(form.lines_model.index(0, COLUMN_OF["target_weight"])) == "3.125"
    form.delivery_place_edit.setText("台北市信義路五段 7 號")
    set_cell(form, 2, "quantity", "80")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)

    assert shown_errors == []
    saved = orders.get_order(db, order.id)
    assert saved.version > order.version
    assert saved.delivery_place == "台北市信義路五段 7 號"
    assert [l.quantity for l in saved.lines] == [50, 50, 80]
    assert form.result() == QDialog.DialogCode.Accepted


def test_a_form_saving_a_stale_version_explains_and_offers_to_reload(qtbot, ctx, db, order_factory, shown_errors,
                                                                     monkeypatch):
    order = order_factory()
    first, second = new_form(qtbot, ctx, order.id), new_form(qtbot, ctx, order.id)
    first.delivery_place_edit.setText("First clerk's address")
    assert first.save() is not None
    asked: list[str] = []
    monkeypatch.setattr(order_form, "ask_reload", lambda parent, exc: asked.append(str(exc)) or False)
    second.delivery_place_edit.setText("Second clerk's address")
    assert second.save() is None

    assert len(asked) == 1 and "was changed by someone else since you opened it" in asked[0]
    assert orders.get_order(db, order.id).delivery_place == "First clerk's address"
    assert second.delivery_place_edit.text() == "Second clerk's address"  # kept when the clerk declines

    monkeypatch.setattr(order_form, "ask_reload", lambda parent, exc: True)
    assert second.save() is None
    assert second.delivery_place_edit.text() == "First clerk's address"
    assert second.version == orders.get_order(db, order.id).version


def test_submitting_with_missing_fields_names_them_and_keeps_the_draft(qtbot, ctx, db, customer, shown_errors):
    form = new_form(qtbot, ctx)
    qtbot.keyClicks(form.customer_field.edit, customer.code)
    form.customer_field.resolve_typed()
    form.channel_combo.setCurrentIndex(form.channel_combo.findData("phone"))
    set_cell(form, 0, "style_code", "R-18K-001")
    set_cell(form, 0, "metal", "Au750")
    set_cell(form, 0, "quantity", "30")
    qtbot.mouseClick(form.submit_button, Qt.MouseButton.LeftButton)

    assert len(shown_errors) == 1
    message = shown_errors[0]
    assert "cannot be submitted for review; missing:" in message
    for missing in ("delivery date", "delivery place", "Line 1: description", "Line 1: target weight (g)",
                    "Line 1: unit price"):
        assert missing in message
    # The draft itself was saved, and the form now edits it with the missing fields marked.
    saved = all_orders(db)
    assert [r.stage for r in saved] == ["draft"]
    assert form.order_id == saved[0].id and form.isVisible()
    assert form.delivery_date_edit.property("problem") is True
    assert form.delivery_place_edit.property("problem") is True
    assert (0, "unit_price") in form.lines_model.problems

    form.delivery_date_check.setChecked(True)
    form.delivery_place_edit.setText("深圳市羅湖區")
    set_cell(form, 0, "description", "足金素圈")
    set_cell(form, 0, "target_weight", "4.000")
    set_cell(form, 0, "unit_price", "1880")
    qtbot.mouseClick(form.submit_button, Qt.MouseButton.LeftButton)
    assert len(shown_errors) == 1
    assert orders.get_order(db, form.order_id).stage == "preliminary_review"
    assert form.result() == QDialog.DialogCode.Accepted


# ---- the list ------------------------------------------------------------------------------------------------

@pytest.fixture
def three_customers_orders(db, sales, customer):
    other = customers.create_customer(db, sales, customers.CustomerInput(name="六福珠寶", name_en="Lukfook",
                                                                         currency="HKD"))
    third = customers.create_customer(db, sales, customers.CustomerInput(name="Golden Lotus Jewellery",
                                                                         currency="USD"))
    made = []
    for cust, style, days in ((customer, "R-18K-001", 40), (other, "PD-PT-900", 10), (third, "BR-AG-777", 90)):
        data = order_input(cust.id, order_date=TODAY - dt.timedelta(days=20),
                           delivery_date=TODAY + dt.timedelta(days=days))
        data.lines[0].style_code = style
        made.append(orders.create_order(db, sales, data))
    return made


def test_search_as_you_type_filters_the_list(qtbot, ctx, three_customers_orders):
    tab = make_tab(qtbot, ctx)
    assert tab.model.rowCount() == 3
    qtbot.keyClicks(tab.search_edit, "PD-PT")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    assert tab.model.row_object(0).customer_name == "六福珠寶"
    tab.search_edit.clear()
    qtbot.keyClicks(tab.search_edit, "lotus")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1 and tab.model.row_object(0).style_summary == "BR-AG-777")
    tab.search_edit.clear()
    qtbot.keyClicks(tab.search_edit, three_customers_orders[0].order_no)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1 and tab.model.row_object(0).style_summary == "R-18K-001")
    qtbot.keyClicks(tab.search_edit, "-nothing")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 0)
    assert tab.count_label.text() == "0 orders"


def test_filters_by_stage_channel_customer_and_delivery_dates(qtbot, ctx, db, sales, three_customers_orders):
    tab = make_tab(qtbot, ctx)
    orders.submit_for_review(db, sales, three_customers_orders[1].id)
    tab.refresh()
    tab.set_stage_filter(tab_module.STAGES_CHOSEN, {"preliminary_review"})
    assert [tab.model.row_object(i).style_summary for i in range(tab.model.rowCount())] == ["PD-PT-900"]
    assert tab.stage_button.text() == "Stage: Preliminary review"
    tab.set_stage_filter(tab_module.STAGES_OPEN)
    assert tab.model.rowCount() == 3
    tab.channel_combo.setCurrentIndex(tab.channel_combo.findData("phone"))
    assert tab.model.rowCount() == 0
    tab.channel_combo.setCurrentIndex(tab.channel_combo.findData("trade_fair"))
    assert tab.model.rowCount() == 3
    tab.set_customer_filter(customers.get_customer(db, three_customers_orders[2].customer_id))
    assert [tab.model.row_object(0).customer_name] == ["Golden Lotus Jewellery"] and tab.model.rowCount() == 1
    tab.set_customer_filter(None)
    tab.date_field_combo.setCurrentIndex(tab.date_field_combo.findData("delivery_date"))
    low, high = TODAY + dt.timedelta(days=5), TODAY + dt.timedelta(days=50)
    tab.date_from.setDate(QDate(low.year, low.month, low.day))
    tab.date_to.setDate(QDate(high.year, high.month, high.day))
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2)
    assert {tab.model.row_object(i).style_summary for i in range(2)} == {"R-18K-001", "PD-PT-900"}
    tab.clear_filters()
    assert tab.model.rowCount() == 3 and tab.stage_button.text() == "Stage: all open"


def test_clicking_the_delivery_date_header_sorts_by_it(qtbot, ctx, three_customers_orders):
    tab = make_tab(qtbot, ctx)
    header = tab.table.horizontalHeader()
    column = 5
    assert tab.model.headerData(column, Qt.Orientation.Horizontal) == "Delivery date"

    def click_header():
        x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))

    def styles():
        return [tab.model.row_object(i).style_summary for i in range(tab.model.rowCount())]

    click_header()
    first = styles()
    click_header()
    second = styles()
    assert {tuple(first), tuple(second)} == {("PD-PT-900", "R-18K-001", "BR-AG-777"),
                                              ("BR-AG-777", "R-18K-001", "PD-PT-900")}
    assert tab.model.sort_key == "delivery_date"


def test_days_to_delivery_are_red_when_late_and_amber_when_at_risk(qtbot, ctx, db, sales, customer):
    late = orders.create_order(db, sales, order_input(customer.id, order_date=TODAY - dt.timedelta(days=60),
                                                      delivery_date=TODAY - dt.timedelta(days=2)))
    soon = orders.create_order(db, sales, order_input(customer.id, order_date=TODAY - dt.timedelta(days=60),
                                                      delivery_date=TODAY + dt.timedelta(days=5)))
    later = orders.create_order(db, sales, order_input(customer.id, order_date=TODAY - dt.timedelta(days=60),
                                                       delivery_date=TODAY + dt.timedelta(days=30)))
    model = OrderListModel(db, OrderFilter(sort="delivery_date", descending=False))
    days = 7
    assert [model.data(model.index(r, days)) for r in range(3)] == ["Overdue 2 days", "5", "30"]
    assert model.data(model.index(0, days), Qt.ItemDataRole.ForegroundRole).color() == LATE_TEXT
    assert "Late by 2 days" in model.data(model.index(0, days), Qt.ItemDataRole.ToolTipRole)
    assert model.status_of(model.row_object(1)).state == AT_RISK
    assert model.data(model.index(2, days), Qt.ItemDataRole.ForegroundRole) is None

    # The planning forecast plugs in: it may call a far delivery at risk.
    model.set_risk_provider(lambda ids: {later.id: "Forecast: casting is 40 days behind."} if later.id in ids else {})
    assert model.status_of(model.row_object(2)).state == AT_RISK
    assert model.data(model.index(2, days), Qt.ItemDataRole.ToolTipRole) == "Forecast: casting is 40 days behind."
    assert {late.id, soon.id, later.id} == {model.row_object(r).id for r in range(3)}

    tab = make_tab(qtbot, ctx)
    badges: list[str] = []
    tab.sig_badge.connect(badges.append)
    tab.refresh()
    assert badges[-1] == "1"  # one open order is past its delivery date


def test_the_rule_for_late_and_at_risk():
    today = dt.date(2026, 11, 26)
    assert delivery_status("in_production", dt.date(2026, 11, 25), today).state == LATE
    assert delivery_status("shipped", dt.date(2026, 11, 1), today).days == -25
    assert delivery_status("shipped", dt.date(2026, 11, 1), today).state not in (LATE, AT_RISK)
    assert delivery_status("in_production", dt.date(2026, 12, 3), today).state == AT_RISK
    assert delivery_status("final_qc", dt.date(2026, 12, 3), today).state == ON_TRACK
    assert delivery_status("planned", dt.date(2026, 12, 4), today).state == ON_TRACK
    assert delivery_status("draft", None, today).days is None


def test_actions_follow_the_stage_and_the_role(qtbot, db, sales, make_user, customer, monkeypatch, shown_errors):
    draft = orders.create_order(db, sales, order_input(customer.id))
    clerk_tab = make_tab(qtbot, UiContext(db, sales, "f"))
    clerk_tab.table.selectRow(0)
    enabled = {k: a.isEnabled() for k, a in clerk_tab.actions_by_id.items()}
    assert enabled[tab_module.ACTION_EDIT] and enabled[tab_module.ACTION_SUBMIT]
    assert not enabled[tab_module.ACTION_CANCEL]  # a clerk may not cancel orders

    head = make_user("sales", "department_head")
    head_tab = make_tab(qtbot, UiContext(db, head, "f"))
    head_tab.table.selectRow(0)
    assert head_tab.actions_by_id[tab_module.ACTION_CANCEL].isEnabled()
    monkeypatch.setattr(tab_module, "ask_cancel_reason", lambda parent, order_no: "客戶取消訂單")
    head_tab.actions_by_id[tab_module.ACTION_CANCEL].trigger()
    assert orders.get_order(db, draft.id).stage == "cancelled"
    head_tab.set_stage_filter(tab_module.STAGES_ALL)
    head_tab.table.selectRow(0)
    assert not head_tab.actions_by_id[tab_module.ACTION_EDIT].isEnabled()
    assert not head_tab.actions_by_id[tab_module.ACTION_CANCEL].isEnabled()

    production = make_user("production", "clerk")
    viewer_tab = make_tab(qtbot, UiContext(db, production, "f"))
    viewer_tab.set_stage_filter(tab_module.STAGES_ALL)
    viewer_tab.table.selectRow(0)
    assert not viewer_tab.actions_by_id[tab_module.ACTION_NEW].isEnabled()
    assert viewer_tab.actions_by_id[tab_module.ACTION_OPEN].isEnabled()


def test_refreshes_when_an_order_changes_elsewhere(qtbot, ctx, db, sales, customer):
    tab = make_tab(qtbot, ctx)
    assert tab.model.rowCount() == 0
    made = orders.create_order(db, sales, order_input(customer.id))
    ctx.bus.sig_order_changed.emit(made.id)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)


def test_import_export_and_print_slots_call_the_other_modules(qtbot, ctx, order_factory, monkeypatch):
    import sys
    import types

    calls = []
    for name, function in (("actions_import", "import_orders"), ("actions_export", "export_orders"),
                           ("actions_print", "print_confirmation")):
        module = types.ModuleType(f"jewelryorders.ui.orders.{name}")
        setattr(module, function, lambda *args, f=function: calls.append((f, args[2:])))
        monkeypatch.setitem(sys.modules, module.__name__, module)
    order = order_factory()
    set_stage(ctx.db, order.id, "contracted")
    tab = make_tab(qtbot, ctx)
    tab.table.selectRow(0)
    for key in (tab_module.ACTION_IMPORT, tab_module.ACTION_EXPORT, tab_module.ACTION_PRINT):
        tab.actions_by_id[key].trigger()
    assert [c[0] for c in calls] == ["import_orders", "export_orders", "print_confirmation"]
    assert calls[1][1][0].stages  # the export gets the list's filter
    assert calls[2][1] == (order.id,)


# ---- 20,000 orders -------------------------------------------------------------------------------------------

def bulk_insert_orders(db, customer_id: int, owner_id: int, count: int) -> None:
    """Orders straight through the ORM in one transaction: the list reads them like any others."""
    from sqlalchemy import insert

    from jewelryorders.models.orders import Order

    stages = ["draft", "preliminary_review", "contracted", "in_production", "shipped"]
    rows = [dict(order_no=f"JO-2025-{n:05d}", customer_id=customer_id, channel="phone",
                 order_date=dt.date(2025, 1, 1) + dt.timedelta(days=n % 300),
                 delivery_date=dt.date(2025, 1, 1) + dt.timedelta(days=n % 300 + 30 + n % 100), delivery_place="HK",
                 special_requirements="", currency="HKD", stage=stages[n % len(stages)], priority=3,
                 owner_id=owner_id, style_summary=f"R-{n % 97:03d}", total_quantity=10 + n % 50,
                 total_amount=100, version=1) for n in range(1, count + 1)]
    with db.unit_of_work() as s:
        s.execute(insert(Order), rows)


def test_twenty_thousand_orders_load_only_the_pages_on_screen(qtbot, ctx, db, sales, customer, monkeypatch):
    bulk_insert_orders(db, customer.id, sales.user_id, 20_000)
    fetched: list[int] = []
    real_query = order_reads.query_list_orders

    def counting_query(database, f, offset=0, limit=200, **kw):
        fetched.append(offset)
        return real_query(database, f, offset, limit, **kw)

    monkeypatch.setattr(order_reads, "query_list_orders", counting_query)
    tab = make_tab(qtbot, ctx)
    tab.set_stage_filter(tab_module.STAGES_ALL)
    assert tab.model.rowCount() == 20_000
    assert tab.count_label.text() == "20,000 orders"
    qtbot.waitUntil(lambda: tab.model.cached_page_numbers() == [0])  # the view paints the first rows
    tab.table.scrollToBottom()
    qtbot.waitUntil(lambda: tab.model.cached_page_numbers() == [0, 99])
    assert tab.model.data(tab.model.index(19_999, 0)) == "JO-2025-00001"
    qtbot.wait(50)
    assert tab.model.cached_page_numbers() == [0, 99]
    assert len(fetched) <= 3
    # A save elsewhere drops the cache; only what is on screen is read again.
    fetched.clear()
    tab.refresh()
    qtbot.waitUntil(lambda: len(fetched) >= 1)
    qtbot.wait(50)
    assert fetched == [19_800]


# ---- the order window ----------------------------------------------------------------------------------------

def test_double_click_and_enter_open_the_order_window(qtbot, ctx, order_factory):
    order = order_factory()
    tab = make_tab(qtbot, ctx)
    rect = tab.table.visualRect(tab.model.index(0, 1))
    qtbot.mouseClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    windows = [w for w in launch.open_windows() if isinstance(w, OrderWindow)]
    assert [w.order_id for w in windows] == [order.id]
    windows[0].close()
    qtbot.waitUntil(lambda: not launch.open_windows())
    tab.table.setFocus()
    tab.table.selectRow(0)
    qtbot.keyClick(tab.table, Qt.Key.Key_Return)
    assert [w.order_id for w in launch.open_windows()] == [order.id]
    ctx.bus.sig_open_order.emit(order.id)
    assert len(launch.open_windows()) == 1  # the open window is raised, not opened twice


def test_the_order_window_shows_fields_lines_attachments_and_timeline(qtbot, ctx, db, sales, customer, tmp_path,
                                                                      monkeypatch):
    design, cad = tmp_path / "design.png", tmp_path / "ring.stl"
    image = QImage(400, 300, QImage.Format.Format_RGB32)
    image.fill(QColor("#d4af37"))
    image.save(str(design))
    cad.write_bytes(b"solid ring\nendsolid ring\n")
    order = orders.create_order(db, sales, order_input(customer.id, lines=2), attachments=[design, cad])
    orders.submit_for_review(db, sales, order.id)
    window = OrderWindow(ctx, order.id)
    qtbot.addWidget(window)
    window.show()

    assert window.order_no_label.text() == order.order_no
    assert window.stage_label.text() == "Preliminary review"
    assert window.field_values["delivery_place"].text() == "香港九龍彌敦道 88 號"
    assert window.field_values["channel"].text() == "Trade fair"
    assert window.lines_model.rowCount() == 2
    assert "Diamond × 12 / 0.360 ct" in window.lines_model.data(window.lines_model.index(0, 7))
    assert "Au750 312.500 g" in window.totals_label.text()  # 3.125 g × 50 pcs × 2 lines

    window.tabs.setCurrentIndex(1)
    items = [window.attachments.item(i) for i in range(window.attachments.count())]
    assert [i.text().splitlines()[0] for i in items] == ["design.png", "ring.stl"]
    thumb = items[0].icon().pixmap(150, 150)
    assert thumb.width() == 150 and thumb.toImage().pixelColor(75, 75) == QColor("#d4af37")

    opened = []
    monkeypatch.setattr(order_window, "open_local_file", lambda path: opened.append(path) or True)
    window.open_document(items[1].data(Qt.ItemDataRole.UserRole))
    assert opened and opened[0].read_bytes() == cad.read_bytes()

    timeline = window.timeline.model.plain_lines()
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d  Sales1  Stage Draft → Preliminary review — submitted for review$",
                    timeline[0])
    assert timeline[-1].endswith(f"Order {order.order_no} created for 周大福珠寶 (2 lines, 100 pcs)")
    assert any("CAD file ring.stl attached" in line for line in timeline)


def test_the_timeline_loads_long_histories_a_page_at_a_time(qtbot, ctx, db, sales, customer, order_factory):
    order = order_factory()
    version = order.version
    for n in range(1, 131):
        version = orders.update_order(db, sales, order.id, version, order_input(customer.id, quantity=50 + n)).version
    window = OrderWindow(ctx, order.id)
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentIndex(2)
    model = window.timeline.model
    assert model.total == 131 and model.rowCount() == 100 and model.pages_fetched == 1
    assert "Line 1: Quantity 179 → 180" in model.plain_lines()[0]
    window.timeline.view.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() == 131)
    assert model.plain_lines()[-1].endswith("(1 line, 50 pcs)")


def test_the_window_follows_changes_made_elsewhere(qtbot, ctx, db, sales, order_factory, shown_errors):
    order = order_factory()
    window = OrderWindow(ctx, order.id)
    qtbot.addWidget(window)
    window.show()
    assert window.submit_button.isEnabled()
    window.submit()
    assert window.stage_label.text() == "Preliminary review"
    assert not window.submit_button.isVisible()
    assert window.timeline.model.total == 2


# ---- translations --------------------------------------------------------------------------------------------


def test_the_tab_speaks_traditional_chinese(qtbot, ctx, order_factory):
    from jewelryorders.i18n import set_language

    order_factory()
    set_language("zh_TW")
    tab = make_tab(qtbot, ctx)
    assert tab.model.headerData(7, Qt.Orientation.Horizontal) == "距交期(天)"
    assert tab.count_label.text() == "1 張訂單"
    assert tab.model.data(tab.model.index(0, 6)) == "草稿"
    set_language("en")
    tab.retranslate_ui()
    assert tab.count_label.text() == "1 order"


def test_open_windows_follow_a_language_switch_and_closed_ones_are_left_alone(qtbot, ctx, order_factory,
                                                                              shown_errors):
    from jewelryorders.i18n import set_language

    order = order_factory()
    tab = make_tab(qtbot, ctx)
    window = tab.open_order(order.id)
    form = tab.new_order()
    with qtbot.waitSignal(form.destroyed):
        form.close()
    set_language("zh_TW")
    ctx.bus.sig_language_changed.emit("zh_TW")
    assert window.stage_label.text() == "草稿"
    assert window.tabs.tabText(2).startswith("訂單歷程")
    assert window.timeline.model.plain_lines()[0].endswith("（1 行，50 件）")


def test_a_passed_delivery_date_reads_as_overdue_in_the_list_and_the_window(qtbot, ctx, db, sales, customer):
    from jewelryorders.i18n import set_language

    late = orders.create_order(db, sales, order_input(customer.id, order_date=TODAY - dt.timedelta(days=60),
                                                      delivery_date=TODAY - dt.timedelta(days=3)))
    one_day = orders.create_order(db, sales, order_input(customer.id, order_date=TODAY - dt.timedelta(days=60),
                                                         delivery_date=TODAY - dt.timedelta(days=1)))
    model = OrderListModel(db, OrderFilter(sort="delivery_date", descending=False))
    texts = [model.data(model.index(r, 7)) for r in range(2)]
    assert texts == ["Overdue 3 days", "Overdue 1 day"]
    window = OrderWindow(ctx, late.id)
    qtbot.addWidget(window)
    assert window.delivery_label.text() == "Overdue 3 days"
    set_language("zh_TW")
    try:
        assert model.data(model.index(0, 7)) == "逾期 3 天"
        window = OrderWindow(ctx, one_day.id)
        qtbot.addWidget(window)
        assert window.delivery_label.text() == "逾期 1 天"
        assert "-" not in window.delivery_label.text()
    finally:
        set_language("en")
