"""The Delivery & After-sales tab: logistics ships an order in two parts and records its delivery; sales carries a
repair and a complaint to closure; the analysis shows; everything through the GUI."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate

from jewelryorders.services.delivery import aftersales, shipments
from jewelryorders.ui import operations
from jewelryorders.ui.context import EventBus, UiContext
from jewelryorders.ui.delivery import common as delivery_tab
from jewelryorders.ui.delivery.tab import VIEW_ANALYSIS, VIEW_CASES, VIEW_SHIP, VIEW_SHIPMENTS, DeliveryTab

from .delivery_support import quality_stand_in, ready_order  # noqa: F401  (fixtures)


@pytest.fixture
def errors(monkeypatch):
    found: list[str] = []
    monkeypatch.setattr(operations, "show_error", lambda parent, exc: found.append(str(exc)))
    return found


@pytest.fixture
def opened(monkeypatch):
    files = []
    monkeypatch.setattr(delivery_tab, "open_file", lambda path: files.append(path))
    return files


def _tab(qtbot, db, actor) -> DeliveryTab:
    tab = DeliveryTab(UiContext(db, actor, "金福珠寶廠", EventBus()))
    qtbot.addWidget(tab)
    tab.resize(1366, 700)
    return tab


def _ship(view, qty, seal):
    view.set_quantity(0, qty)
    view.set_package(0, f"{qty} × 18K 金鑽石戒指", "500", seal)
    view.carrier_edit.setText("順豐速運")
    view.tracking_edit.setText(f"SF-{seal}")
    view.ship_button.click()


def test_logistics_ships_an_order_in_two_parts_and_records_delivery(qtbot, db, make_user, ready_order, errors,
                                                                     opened):
    logistics = make_user("logistics", "clerk", "logi1")
    order2 = ready_order(quantity=10)
    tab = _tab(qtbot, db, logistics)
    ship = tab.views[VIEW_SHIP]
    ship.select_order(order2.order_no)
    assert ship.lines_table.cellWidget(0, 3).maximum() == 10  # no more than is still open
    _ship(ship, 6, "S2")
    assert errors == []
    row = next(r for r in ship.orders_model.rows if r.order_no == order2.order_no)
    assert (row.stage, row.shipped, row.open) == ("partly_shipped", 6, 4)
    ship.select_order(order2.order_no)
    _ship(ship, 4, "S3")
    assert errors == [] and all(r.order_no != order2.order_no for r in ship.orders_model.rows)

    view = tab.views[VIEW_SHIPMENTS]
    parts = [r for r in view.model.rows if r.order_no == order2.order_no]
    assert sorted(r.quantity for r in parts) == [4, 6]
    for r in parts:
        view.select(r.shipment_no)
        view.on_date.setDate(QDate(2026, 11, 16))
        view.received_by.setText("陳小姐")
        view.delivered_button.click()
        view.select(r.shipment_no)
        view.channel_box.setCurrentIndex(view.channel_box.findData("phone"))
        view.update_note.setText("已送達")
        view.tell_button.click()
    assert errors == []
    assert {r.status for r in view.model.rows if r.order_no == order2.order_no} == {"delivered"}
    from jewelryorders.services.orders.intake import get_order

    assert get_order(db, order2.id).stage == "delivered"
    assert all(len(s.updates) == 1 for s in shipments.shipments_of_order(db, order2.id))
    view.select(parts[0].shipment_no)
    view.paper_buttons["certificates"].click()
    assert errors == [] and opened and opened[-1].read_bytes().startswith(b"%PDF")


def test_a_delivered_date_before_shipping_is_shown_and_nothing_saved(qtbot, db, make_user, ready_order, errors):
    logistics = make_user("logistics", "clerk", "logi1")
    order = ready_order(quantity=2)
    tab = _tab(qtbot, db, logistics)
    ship = tab.views[VIEW_SHIP]
    ship.select_order(order.order_no)
    _ship(ship, 2, "S9")
    view = tab.views[VIEW_SHIPMENTS]
    view.select(view.model.rows[0].shipment_no)
    view.on_date.setDate(QDate(2026, 11, 1))
    view.delivered_button.click()
    assert errors and "before the shipped date" in errors[0]
    assert view.model.rows[0].status == "shipped"


def _delivered(db, make_user, ready_order):
    logistics = make_user("logistics", "clerk", "logi1")
    order = ready_order(quantity=2)
    [line] = shipments.open_lines(db, order.id)
    sh = shipments.create_shipment(db, logistics, shipments.ShipmentInput(
        order.id, {line.line_id: 2}, [shipments.PackageInput("2 rings", "200", "S-1")], "DHL",
        shipped_on=dt.date(2026, 11, 3), certificates="piece"))
    shipments.record_delivery(db, logistics, sh.id, dt.date(2026, 11, 5))
    return order, sh


def test_sales_carries_a_repair_and_a_complaint_to_closure(qtbot, db, make_user, sales, ready_order, errors,
                                                          opened):
    order, sh = _delivered(db, make_user, ready_order)
    tab = _tab(qtbot, db, sales)
    cases = tab.views[VIEW_CASES]
    cert = sh.certificates[0].certificate_no
    # A repair of one piece, by its certificate no.
    cases.kind_box.setCurrentIndex(cases.kind_box.findData("repair"))
    cases.cert_edit.setText(cert)
    cases.words_edit.setText("戒指爪鬆了")
    cases.open_button.click()
    assert errors == []
    [case] = cases.model.rows
    cases.select(case.case_no)
    cases.work_edit.setText("重新鑲爪")
    cases.done_by_edit.setText("王師傅")
    cases.metal_edit.setText("0.050")
    cases.returned_edit.setDate(QDate(2026, 11, 16))
    cases.repair_button.click()
    cases.select(case.case_no)
    cases.record_button.click()
    assert errors == [] and opened[-1].read_bytes().startswith(b"%PDF")
    cases.select(case.case_no)
    cases.satisfaction_box.setCurrentIndex(cases.satisfaction_box.findData("satisfied"))
    cases.close_button.click()
    assert errors == [] and aftersales.get_case(db, case.id).status == "closed"
    # A complaint against the order: refused without the customer's answer, then closed.
    cases.kind_box.setCurrentIndex(cases.kind_box.findData("complaint"))
    cases.cert_edit.setText("")
    cases.order_edit.setText(order.order_no)
    cases.words_edit.setText("包裝破損")
    cases.open_button.click()
    complaint = next(r for r in cases.model.rows if r.kind == "complaint")
    cases.select(complaint.case_no)
    cases.satisfaction_box.setCurrentIndex(cases.satisfaction_box.findData(""))
    cases.close_button.click()
    assert errors and "customer's answer" in errors[-1]
    cases.select(complaint.case_no)
    cases.cause_box.setCurrentIndex(cases.cause_box.findData("transport"))
    cases.departments_edit.setText("logistics")
    cases.actions_edit.setText("改用加固外箱")
    cases.answer_edit.setText("已致歉並補寄")
    cases.finding_button.click()
    cases.select(complaint.case_no)
    cases.satisfaction_box.setCurrentIndex(cases.satisfaction_box.findData("satisfied"))
    cases.lesson_edit.setText("貴重貨品一律加固包裝")
    n_errors = len(errors)
    cases.close_button.click()
    assert len(errors) == n_errors and aftersales.get_case(db, complaint.id).status == "closed"
    # The piece's history is one click from its certificate no.
    cases.search_edit.setText(cert)
    cases.history_button.click()
    assert [r.case_no for r in cases.model.rows] == [case.case_no]
    analysis = tab.views[VIEW_ANALYSIS]
    analysis.refresh()
    assert analysis.analysis.cases == 2 and analysis.chart.series()
