"""Customers: the searchable window, the customer form with marked fields, and the picker other windows use."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from jewelryorders.services import customers
from jewelryorders.services.customers import CustomerInput
from jewelryorders.ui.context import UiContext
from jewelryorders.ui.customers import window as window_module
from jewelryorders.ui.customers.edit_dialog import CustomerDialog
from jewelryorders.ui.customers.picker import CustomerPickerDialog, CustomerSearchBox
from jewelryorders.ui.customers.window import CustomersWindow
from jewelryorders.ui.main_window import MainWindow

from .test_ui_shell import errors, isolated_settings  # noqa: F401  (shared fixtures)


@pytest.fixture
def sales_ctx(db, sales):
    return UiContext(db, sales, "金福珠寶廠")


def add(db, actor, name, **kw):
    return customers.create_customer(db, actor, CustomerInput(name=name, **kw))


def fill(dialog: CustomerDialog, **values):
    for key, value in values.items():
        widget = getattr(dialog, key)
        if key in ("address", "notes"):
            widget.setPlainText(value)
        elif key == "credit_rating":
            widget.setCurrentIndex(widget.findData(value))
        elif key == "currency":
            widget.setCurrentIndex(widget.findText(value))
        else:
            widget.setText(value)


def test_create_a_customer_through_the_form(qtbot, sales_ctx, errors):
    dialog = CustomerDialog(sales_ctx)
    qtbot.addWidget(dialog)
    fill(dialog, name="六福珠寶", name_en="Lukfook Jewellery", contact_person="黃先生", phone="+852 2311 2222",
         email="buy@lukfook.example", address="香港九龍旺角彌敦道 1 號", country="Hong Kong", credit_rating="A",
         credit_limit="1,500,000.50", currency="HKD", notes="月結 30 天")
    with qtbot.waitSignal(sales_ctx.bus.sig_customers_changed):
        dialog.accept()
    assert errors == []
    assert dialog.result() == QDialog.DialogCode.Accepted
    saved = customers.get_customer(sales_ctx.db, dialog.result_customer.id)
    assert (saved.name, saved.contact_person, saved.country, saved.credit_rating) == ("六福珠寶", "黃先生",
                                                                                     "Hong Kong", "A")
    assert saved.credit_limit == Decimal("1500000.50") and saved.currency == "HKD"
    assert saved.address == "香港九龍旺角彌敦道 1 號" and saved.notes == "月結 30 天"


def test_an_invalid_email_is_highlighted_and_nothing_is_saved(qtbot, sales_ctx, errors):
    dialog = CustomerDialog(sales_ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    fill(dialog, name="老鳳祥", email="orders-at-lfx", credit_limit="abc")
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted and dialog.isVisible()
    assert len(errors) == 1 and "not an e-mail address" in errors[0] and "not a number" in errors[0]
    assert dialog.email.property("invalid") is True
    assert "not an e-mail address" in dialog.email.toolTip()
    assert dialog.credit_limit.property("invalid") is True
    assert dialog.name.property("invalid") is not True
    assert dialog.focusWidget() is dialog.email
    assert customers.count_customers(sales_ctx.db) == 0

    qtbot.keyClicks(dialog.email, ".cn")
    assert dialog.email.property("invalid") is not True  # the mark goes as soon as the field is edited


def test_editing_a_customer_keeps_its_code_and_saves_changes(qtbot, db, sales, customer, errors):
    ctx = UiContext(db, sales, "F")
    dialog = CustomerDialog(ctx, customer=customer)
    qtbot.addWidget(dialog)
    assert dialog.code.text() == customer.code
    assert dialog.credit_limit.text() == "2,000,000.00"
    assert dialog.credit_rating.currentText() == "A — excellent"
    fill(dialog, phone="+852 3999 0000", credit_rating="C")
    dialog.accept()
    assert errors == []
    after = customers.get_customer(db, customer.id)
    assert after.code == customer.code and after.phone == "+852 3999 0000" and after.credit_rating == "C"
    assert after.version == customer.version + 1


def test_a_clerk_outside_sales_only_looks(qtbot, db, customer, make_user):
    production = UiContext(db, make_user("production", "clerk"), "F")
    dialog = CustomerDialog(production, customer=customer)
    qtbot.addWidget(dialog)
    assert dialog.read_only and dialog.name.isReadOnly() and not dialog.credit_rating.isEnabled()
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Save) is None
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Ok) is None
    window = CustomersWindow(production)
    qtbot.addWidget(window)
    assert not window.new_button.isEnabled() and window.edit_button.text() == "&Open…"


def test_search_as_you_type_finds_the_customer(qtbot, db, sales, customer):
    for i in range(30):
        add(db, sales, f"測試客戶 {i:02d}", contact_person="李小姐")
    ctx = UiContext(db, sales, "F")
    window = CustomersWindow(ctx)
    qtbot.addWidget(window)
    listing = window.list
    assert listing.model.rowCount() == 31
    qtbot.keyClicks(listing.search, "Chow Tai")
    qtbot.waitUntil(lambda: listing.model.rowCount() == 1, timeout=3000)
    assert listing.selected_customer().id == customer.id
    assert listing.model.data(listing.model.index(0, 1)) == "周大福珠寶"
    assert listing.model.data(listing.model.index(0, 8)) == "2,000,000.00 HKD"
    assert "1 customers match" in listing.count_label.text()
    listing.search.setText("陳小姐")  # the contact person is searched too
    qtbot.waitUntil(lambda: listing.model.rowCount() == 1, timeout=3000)


def test_deactivated_customers_show_only_on_request(qtbot, db, sales, customer):
    customers.update_customer(db, sales, customer.id, customer.version, CustomerInput(
        name=customer.name, credit_rating="A", credit_limit="100", currency="HKD", active=False))
    window = CustomersWindow(UiContext(db, sales, "F"))
    qtbot.addWidget(window)
    assert window.list.model.rowCount() == 0
    window.list.show_inactive.setChecked(True)
    assert window.list.model.rowCount() == 1
    assert window.list.model.data(window.list.model.index(0, 0), Qt.ItemDataRole.ForegroundRole) is not None


def test_double_click_opens_the_customer_and_the_list_follows_the_save(qtbot, db, sales, customer, monkeypatch):
    window = CustomersWindow(UiContext(db, sales, "F"))
    qtbot.addWidget(window)
    window.show()
    opened = []

    def fake_edit(ctx, parent, chosen=None):
        opened.append(chosen)
        saved = customers.update_customer(db, sales, chosen.id, chosen.version, CustomerInput(
            name="周大福珠寶金行", credit_rating="A", credit_limit="2000000", currency="HKD"))
        ctx.bus.sig_customers_changed.emit()
        return saved

    monkeypatch.setattr(window_module, "edit_customer", fake_edit)
    table = window.list.table
    rect = table.visualRect(window.list.model.index(0, 1))
    # Qt 6 recognises a double click only after a press it has seen, as with a real mouse.
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert [c.id for c in opened] == [customer.id]
    assert window.list.model.data(window.list.model.index(0, 1)) == "周大福珠寶金行"
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert len(opened) == 2 and opened[1].name == "周大福珠寶金行"


def test_the_picker_returns_the_chosen_customer(qtbot, db, sales, customer):
    other = add(db, sales, "六福珠寶")
    dialog = CustomerPickerDialog(UiContext(db, sales, "F"), query="六福")
    qtbot.addWidget(dialog)
    assert dialog.list.model.rowCount() == 1
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.chosen.id == other.id


def test_the_customer_search_box_suggests_and_only_takes_a_real_choice(qtbot, db, sales, customer):
    box = CustomerSearchBox(UiContext(db, sales, "F"))
    qtbot.addWidget(box)
    box.show()
    box.edit.setFocus()
    box.edit.insert("周大")  # as typed through an input method: textEdited, not setText
    assert box.customer() is None
    qtbot.waitUntil(lambda: box.suggestions.rowCount() == 1, timeout=3000)
    label = box.suggestions.stringList()[0]
    assert label.startswith(customer.code)
    with qtbot.waitSignal(box.sig_customer_changed) as changed:
        box.completer.activated.emit(label)
    assert changed.args[0].id == customer.id and box.customer().id == customer.id
    qtbot.keyClicks(box.edit, "x")
    assert box.customer() is None


def test_data_menu_opens_one_customers_window(qtbot, db, sales):
    window = MainWindow(UiContext(db, sales, "F"))
    qtbot.addWidget(window)
    first = window.open_customers()
    second = window.open_customers()
    assert first is second and first.isVisible()
    window.set_language("zh_TW")
    assert first.windowTitle() == "客戶"
