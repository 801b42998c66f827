"""Data limits at the validation layer: control characters, plausible dates, the factory's currencies, and amounts
that fit their columns on SQLite and PostgreSQL alike; a refused order changes nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import text as sql

from jewelryorders.services import customers, validation
from jewelryorders.services.errors import ValidationError
from jewelryorders.services.orders import exporting as order_export
from jewelryorders.services.orders import intake as orders
from jewelryorders.services.orders.intake import LineInput, OrderFilter
from jewelryorders.services.validation import Problems

from .conftest import order_input


def _fields(exc: ValidationError) -> dict[str, str]:
    return {p.field: p.message for p in exc.problems}


def _refused(db, sales, data) -> dict[str, str]:
    before = orders.count_orders(db, OrderFilter())
    with pytest.raises(ValidationError) as err:
        orders.create_order(db, sales, data)
    assert orders.count_orders(db, OrderFilter()) == before  # nothing was saved
    return _fields(err.value)


# ---- the validation functions on their own ---------------------------------------------------------------------

@pytest.mark.parametrize("bad", ["\x00", "\x01", "\x1b", "\x7f", "\ud800", "\u2028"])
def test_text_refuses_control_characters_and_names_the_field_and_place(bad):
    p = Problems()
    validation.text(p, "name", "Customer name", f"周大福{bad}珠寶", max_len=200)
    assert len(p.items) == 1 and p.items[0].field == "name"
    assert "Customer name" in p.items[0].message and "character 4" in p.items[0].message


def test_lines_are_allowed_only_where_text_may_have_lines():
    p = Problems()
    assert validation.text(p, "req", "Special requirements", "第一行\n第二行\r\n\t第三行", max_len=10_000) == \
        "第一行\n第二行\r\n\t第三行"
    assert not p
    validation.text(p, "code", "Style code", "R-18K\n001", max_len=40)
    assert "must be one line" in p.items[0].message
    p = Problems()
    validation.text(p, "note", "Note", "one\ntwo", max_len=40, lines=True)
    assert not p


@pytest.mark.parametrize("value", [dt.date(1, 1, 1), dt.date(9999, 12, 31), "0001-01-01", "9999-12-31",
                                   dt.datetime(1999, 12, 31, 12, 0), "2101-01-01"])
def test_dates_outside_the_plausible_years_are_refused(value):
    p = Problems()
    assert validation.parse_date(p, "order_date", "Order date", value) is None
    assert "Order date" in p.items[0].message and "2000-01-01" in p.items[0].message


@pytest.mark.parametrize("value", [dt.date(2000, 1, 1), "2100-12-31", "2026/11/16"])
def test_dates_inside_the_range_pass(value):
    p = Problems()
    assert validation.parse_date(p, "d", "Date", value) is not None and not p


def test_currencies_come_from_the_factory_list():
    p = Problems()
    assert validation.currency(p, "currency", "Currency", " thb ") == "THB" and not p
    for bad in ("XYZ", "", "US$", "HKDX"):
        validation.currency(p, "currency", "Currency", bad)
    assert len(p.items) == 4 and all("HKD" in item.message for item in p.items)


# ---- orders: refused naming the field, nothing saved ----------------------------------------------------------

def test_an_order_with_control_characters_is_refused_naming_each_field(db, sales, customer):
    data = order_input(customer.id)
    data = dataclasses.replace(data, order_no="JO-2026\x0000001", delivery_place="九龍\x01",
                               special_requirements="刻字\nLOVE\x00")
    data.lines[0] = dataclasses.replace(data.lines[0], style_code="R-18K\x1f-001", description="戒指\x07")
    fields = _refused(db, sales, data)
    assert {"order_no", "delivery_place", "special_requirements", "lines[1].style_code",
            "lines[1].description"} <= set(fields)
    assert "control character (U+0000)" in fields["order_no"]


def test_a_customer_name_with_a_control_character_is_refused(db, sales):
    with pytest.raises(ValidationError) as err:
        customers.create_customer(db, sales, customers.CustomerInput(name="Bad\x01Name", currency="HKD"))
    assert "name" in _fields(err.value)
    assert customers.count_customers(db) == 0


def test_an_order_dated_in_year_1_or_9999_is_refused(db, sales, customer):
    fields = _refused(db, sales, order_input(customer.id, order_date=dt.date(1, 1, 1),
                                              delivery_date=dt.date(9999, 12, 31)))
    assert "order_date" in fields and "delivery_date" in fields


def test_an_order_in_a_currency_the_factory_does_not_use_is_refused(db, sales, customer):
    fields = _refused(db, sales, dataclasses.replace(order_input(customer.id), currency="XYZ"))
    assert "XYZ" in fields["currency"]
    made = orders.create_order(db, sales, dataclasses.replace(order_input(customer.id), currency="THB"))
    assert made.currency == "THB"


def _line(price: str, quantity: int, n: int = 1) -> LineInput:
    return LineInput(style_code=f"R-{n:03d}", metal="Au750", quantity=quantity, unit_price=price,
                     target_weight_g="3.125")


def test_a_unit_price_or_quantity_above_the_bound_is_refused_naming_the_line(db, sales, customer):
    data = order_input(customer.id)
    data.lines[:] = [_line("100000000.00", 1, 1), _line("10.00", validation.MAX_LINE_QUANTITY + 1, 2)]
    fields = _refused(db, sales, data)
    assert "Line 1: unit price" in fields["lines[1].unit_price"]
    assert "Line 2: quantity" in fields["lines[2].quantity"]


def test_a_line_amount_above_the_bound_is_refused(db, sales, customer):
    data = order_input(customer.id)
    data.lines[:] = [_line("99999999.99", 1000)]  # each figure is allowed, their product is not
    fields = _refused(db, sales, data)
    assert "Line 1" in fields["lines[1].amount"] and "9,999,999,999.99" in fields["lines[1].amount"]


def test_an_order_total_above_the_bound_is_refused(db, sales, customer):
    data = order_input(customer.id)
    data.lines[:] = [_line("9999999.99", 1000, n) for n in range(1, 12)]  # 11 lines just under the line bound
    fields = _refused(db, sales, data)
    assert "99,999,999,999.99" in fields["total_amount"]


def test_the_largest_order_allowed_is_stored_exactly_on_this_backend(db, sales, customer):
    """The bound leaves room in Numeric(16, 2) on PostgreSQL and stays exact in SQLite's float NUMERIC."""
    data = order_input(customer.id)
    data.lines[:] = [_line("99999999.99", 100, n) for n in range(1, 11)]  # 10 lines of 9,999,999,999.00
    data.lines.append(_line("9.99", 1, 11))
    expected = validation.MAX_ORDER_AMOUNT  # 99,999,999,999.99: the largest total, to the cent
    made = orders.create_order(db, sales, data)
    assert orders.get_order(db, made.id).total_amount == expected
    listed = orders.query_orders(db, OrderFilter(search=made.order_no))
    assert listed[0].total_amount == expected


# ---- export of old data -----------------------------------------------------------------------------------------

def test_export_survives_old_records_with_control_characters(db, sales, customer, order_factory, tmp_path):
    made = order_factory()
    with db.engine.begin() as conn:  # written before validation refused it, or behind the application's back
        conn.execute(sql("UPDATE customers SET name = :n"), {"n": "周大福\x01珠寶\x1b"})
        conn.execute(sql("UPDATE orders SET style_summary = :s"), {"s": "R-18K\x02-001"})
    path = tmp_path / "orders.xlsx"
    assert order_export.export_orders(db, OrderFilter(), path, lang="en", exported_by="Sales\x03") == 1
    row = next(load_workbook(path).worksheets[0].iter_rows(min_row=2, values_only=True))
    assert row[0] == made.order_no and row[1] == "周大福\ufffd珠寶\ufffd" and row[2] == "R-18K\ufffd-001"


@pytest.mark.parametrize("field, value", [("currency", 123), ("currency", ["HKD"]), ("credit_rating", ["A"]),
                                          ("credit_rating", None), ("credit_limit", float("inf")),
                                          ("credit_limit", [1, 2])])
def test_wrong_python_types_in_a_customer_are_refused_with_a_message(db, sales, field, value):
    from jewelryorders.services import customers
    from jewelryorders.services.errors import ValidationError

    data = customers.CustomerInput(name="Wrong Types Ltd", currency="HKD", credit_limit="1000")
    setattr(data, field, value)
    with pytest.raises(ValidationError):
        customers.create_customer(db, sales, data)
    assert customers.search_customers(db, "Wrong Types") == []


@pytest.mark.parametrize("value", [float("inf"), float("nan"), [3], True, "1e400", 10**30])
def test_wrong_quantities_in_an_order_line_are_refused_with_a_message(db, sales, customer, value):
    from jewelryorders.services.errors import ValidationError
    from jewelryorders.services.orders import intake as orders

    from .conftest import order_input

    data = order_input(customer.id)
    data.lines[0].quantity = value
    with pytest.raises(ValidationError):
        orders.create_order(db, sales, data)
