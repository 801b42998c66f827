"""Columns size to their content: amounts, names, stage and status texts are shown whole after the data loads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from jewelryorders.i18n import set_language
from jewelryorders.services import customers
from jewelryorders.services.customers import CustomerInput
from jewelryorders.services.orders import intake as orders
from jewelryorders.ui.context import UiContext
from jewelryorders.ui.customers.customer_list import CustomerList
from jewelryorders.ui.orders.tab import OrdersTab

from .conftest import TEST_TODAY, order_input


@pytest.fixture
def ctx(db, sales):
    return UiContext(db, sales, "金福珠寶廠")


def _shown_whole(view, column: int, text: str) -> bool:
    """The column is as wide as Qt says its cells need (text and margins, never elided), or at the fitter's cap."""
    needed = max(view.sizeHintForColumn(column), view.fontMetrics().horizontalAdvance(text))
    width = view.columnWidth(column)
    return width >= needed or width >= view.column_fitter.max_width


def _column(model, title: str) -> int:
    return next(c for c in range(model.columnCount())
                if model.headerData(c, Qt.Orientation.Horizontal) == title)


@pytest.mark.parametrize("lang", ["en", "zh_TW"])
def test_order_list_columns_fit_stage_status_and_quantity(qtbot, ctx, db, sales, customer, lang):
    set_language(lang)
    try:
        orders.create_order(db, sales, order_input(customer.id, quantity=123456,
                                                   order_date=TEST_TODAY - dt.timedelta(days=90),
                                                   delivery_date=TEST_TODAY - dt.timedelta(days=12)))
        tab = OrdersTab(ctx)
        tab.table.column_fitter = tab.column_fitter
        qtbot.addWidget(tab)
        tab.resize(1300, 600)
        tab.show()
        qtbot.waitExposed(tab)
        qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
        tab.column_fitter.fit()
        model = tab.model
        for column in range(model.columnCount()):
            if column == 2:
                continue  # the stretching column takes what is left
            header = model.headerData(column, Qt.Orientation.Horizontal)
            value = model.data(model.index(0, column)) or ""
            assert _shown_whole(tab.table, column, str(value)), (header, value, tab.table.columnWidth(column))
            assert tab.table.columnWidth(column) >= tab.table.horizontalHeader().sectionSizeHint(column), header
    finally:
        set_language("en")


def test_customer_list_columns_fit_long_names_and_amounts(qtbot, db, sales):
    customers.create_customer(db, sales, CustomerInput(
        name="金碧輝煌珠寶首飾國際貿易（香港）有限公司", name_en="Golden Splendour Jewellery International Trading",
        contact_person="歐陽慕容", credit_limit=Decimal("123456789.00")))
    widget = CustomerList(UiContext(db, sales, "金福珠寶廠"))
    qtbot.addWidget(widget)
    widget.resize(1300, 500)
    widget.show()
    qtbot.waitExposed(widget)
    widget.column_fitter.fit()
    widget.table.column_fitter = widget.column_fitter
    model = widget.model
    assert model.rowCount() == 1
    last = model.columnCount() - 1
    for column in range(last):
        value = model.data(model.index(0, column)) or ""
        assert _shown_whole(widget.table, column, str(value)), (column, value)
