"""Customers' own order sheets: merged title, values above the header, blank and total rows, units, text dates,
metals in Chinese; the header row found by its known column names or chosen by the clerk."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import Workbook

from jewelryorders.services.orders import importing as order_import
from jewelryorders.services.orders import intake as orders
from jewelryorders.services.orders.importing import ImportOptions, WorkbookError

HEADER_ROW = 6
HEADERS = ["款號", "品名", "成色", "數量", "重量", "石類", "石數", "石重", "交期", "單價"]


def customer_sheet(path, code: str, *, lines: list[list] | None = None):
    """A sheet as customers send it: a merged title, order date and PO above the header, a note row of two
    cells, blank rows, and a total row at the end."""
    wb = Workbook()
    ws = wb.active
    ws.title = "訂貨單"
    ws["A1"] = "周大福珠寶 訂貨單 PURCHASE ORDER"
    ws.merge_cells("A1:J1")
    ws["A2"], ws["B2"] = "訂單日期：", "2026年11月16日"
    ws["E2"], ws["F2"] = "PO No.:", "4500123"
    ws["A3"] = f"客戶：{code}"
    ws["A5"], ws["B5"] = "備註", "請於交期前出貨"  # two filled cells: not the header all the same
    for col, header in enumerate(HEADERS, 1):
        ws.cell(HEADER_ROW, col, header)
    rows = lines if lines is not None else [
        ["R-001", "鑽石戒指", "18K白金", "50 pcs", "3.125g", "鑽石", "12粒", "0.36ct", "2027/01/15", 2380],
        None,
        ["P-002", "鉑金吊墜", "鉑金950", "20件", "2.5 克", None, None, None, "15-Jan-2027", "HK$ 1,999.50"],
        ["B-003", "足金手鐲", "千足金", 5, "20.001克", None, None, None, "15.01.2027", 8800],
        ["E-004", "925銀耳環", "925銀", "100 pcs", "1.204 g", "CZ", 2, 0.1, "2027年1月15日", 120],
        ["C-005", "14K項鏈", "14K", "10pcs", 4.5, None, None, None, dt.date(2027, 1, 15), "560.00"],
        None,
        ["合計", None, None, 185, None, None, None, None, None, None],
    ]
    for offset, values in enumerate(rows, HEADER_ROW + 1):
        for col, value in enumerate(values or [], 1):
            if value is not None:
                ws.cell(offset, col, value)
    wb.save(path)
    return path


def test_the_header_is_the_row_with_the_most_known_column_names_and_values_above_it_are_found(customer, tmp_path):
    path = customer_sheet(tmp_path / "po.xlsx", customer.code)
    info = order_import.inspect_workbook(path)
    # Rows 2 and 5 have two or more filled cells, but row 6 names the most known columns.
    assert info.header_row == HEADER_ROW and info.headers == tuple(HEADERS)
    assert info.header_matches == len(HEADERS)
    assert info.sheet_values == (("customer", customer.code, 3), ("customer_po", "4500123", 2),
                                 ("order_date", "2026年11月16日", 2))
    assert info.top_rows[0][0].startswith("周大福珠寶 訂貨單") and info.top_rows[HEADER_ROW - 1][0] == "款號"
    assert info.samples[0][:3] == ("R-001", "鑽石戒指", "18K白金")
    assert all(sample[0] != "合計" for sample in info.samples)  # the total row is no example


def test_a_customer_sheet_is_checked_without_a_user_and_skipped_rows_are_said(db, customer, tmp_path):
    path = customer_sheet(tmp_path / "po.xlsx", customer.code)
    mapping = order_import.guess_mapping(order_import.inspect_workbook(path).headers)
    result = order_import.run_import(db, None, path, mapping, dry_run=True)  # a dry run needs no user
    assert result.ok, [f"{p.row}|{p.column}|{p.message}" for p in result.problems]
    assert result.rows == 5 and len(result.orders) == 1 and result.orders[0].lines == 5
    assert result.orders[0].reference == "4500123" and result.orders[0].quantity == 185
    assert [(r.row, r.reason, r.text) for r in result.skipped] == [(8, "blank", ""), (13, "blank", ""),
                                                                    (14, "total", "合計")]
    assert result.empty_rows == 2 and result.total_rows == 1
    assert result.skipped[-1].describe() == "Row 14 skipped: a total row (合計)."
    assert result.sheet_values == {"customer": customer.code, "customer_po": "4500123", "order_date": "2026年11月16日"}
    assert orders.count_orders(db, orders.OrderFilter()) == 0


def test_units_dates_and_chinese_metals_are_imported_exactly(db, sales, customer, tmp_path):
    path = customer_sheet(tmp_path / "po.xlsx", customer.code)
    mapping = order_import.guess_mapping(order_import.inspect_workbook(path).headers)
    result = order_import.run_import(db, sales, path, mapping)
    assert result.imported, [f"{p.row}|{p.column}|{p.message}" for p in result.problems]
    order = orders.get_order_by_no(db, result.orders[0].order_no)
    assert order.order_date == dt.date(2026, 11, 16)  # from "訂單日期：2026年11月16日" above the header
    assert order.delivery_date == dt.date(2027, 1, 15)
    assert order.special_requirements.splitlines()[0].endswith("4500123")
    assert [line.metal for line in order.lines] == ["Au750", "Pt950", "Au999", "Ag925", "Au585"]
    assert [line.quantity for line in order.lines] == [50, 20, 5, 100, 10]
    assert [line.target_weight_mg for line in order.lines] == [3125, 2500, 20001, 1204, 4500]
    assert [line.unit_price for line in order.lines] == [Decimal("2380"), Decimal("1999.50"), Decimal("8800"),
                                                         Decimal("120"), Decimal("560")]
    assert order.lines[0].stones[0].count == 12 and order.lines[0].stones[0].carat == Decimal("0.36")
    assert "18K白金" in order.lines[0].description  # the colour the metal code cannot hold is kept


def test_the_clerk_chooses_the_header_row(db, customer, tmp_path):
    path = customer_sheet(tmp_path / "po.xlsx", customer.code)
    info = order_import.inspect_workbook(path, header_row=5)
    assert info.header_row == 5 and info.headers == ("備註", "請於交期前出貨")
    assert info.sheet_values[0][0] == "customer"  # only what lies above row 5
    with pytest.raises(WorkbookError, match="Row 4 .* does not name the columns"):
        order_import.inspect_workbook(path, header_row=4)
    with pytest.raises(WorkbookError, match="one of the first 30 rows"):
        order_import.inspect_workbook(path, header_row=31)


def test_values_above_the_header_can_be_left_unused(db, customer, tmp_path):
    path = customer_sheet(tmp_path / "po.xlsx", customer.code)
    mapping = order_import.guess_mapping(order_import.inspect_workbook(path).headers)
    result = order_import.run_import(db, None, path, mapping, ImportOptions(customer_id=customer.id, sheet_values={}),
                                     dry_run=True)
    # Without the sheet's PO every row is an order of its own.
    assert result.ok and len(result.orders) == 5 and result.sheet_values == {}


@pytest.mark.parametrize("text, expected", [
    ("50 pcs", "50"), ("50件", "50"), ("50PCS", "50"), ("1,200 pcs", "1200"), ("3.125g", "3.125"),
    ("3.125 克", "3.125"), ("0.36ct", "0.36"), ("HK$ 2,380.50", "2380.50"), ("５０件", "50"), ("fifty", "fifty"),
])
def test_units_are_stripped_and_the_number_kept_as_written(text, expected):
    kind = {"g": "grams", "克": "grams", "ct": "carats", "$": "money"}
    unit = next((v for k, v in kind.items() if k in text), "count")
    assert order_import.strip_unit(text, unit) == expected


@pytest.mark.parametrize("text, metal", [
    ("18K金", "Au750"), ("18K白金", "Au750"), ("18KW", "Au750"), ("足金", "Au999"), ("千足金", "Au999"),
    ("PT950", "Pt950"), ("鉑金950", "Pt950"), ("铂金950", "Pt950"), ("925銀", "Ag925"), ("S925", "Ag925"),
    ("14K", "Au585"), ("9K", "Au375"), ("Gold-ish", ""), ("白金", ""),
])
def test_metals_named_in_chinese_carry_their_fineness(text, metal):
    assert order_import.metal_from_text(text) == metal


@pytest.mark.parametrize("text, date", [
    ("2026/11/16", dt.date(2026, 11, 16)), ("16.11.2026", dt.date(2026, 11, 16)),
    ("2026年11月16日", dt.date(2026, 11, 16)), ("16-Nov-2026", dt.date(2026, 11, 16)),
    ("Nov 16, 2026", dt.date(2026, 11, 16)), ("16 November 2026", dt.date(2026, 11, 16)),
    ("16/11/2026", dt.date(2026, 11, 16)), ("11/16/2026", dt.date(2026, 11, 16)), ("05/11/2026", None),
    ("2026年11月16日(一)", dt.date(2026, 11, 16)), ("31.02.2026", None),
])
def test_dates_written_as_text_in_several_forms(text, date):
    assert order_import.parse_sheet_date(text) == date


def test_the_customer_the_clerk_chooses_wins_over_the_one_above_the_header(db, customer, sales, tmp_path):
    from jewelryorders.services import customers

    other = customers.create_customer(db, sales, customers.CustomerInput(name="謝瑞麟珠寶", currency="HKD"))
    path = customer_sheet(tmp_path / "po.xlsx", customer.code)
    mapping = order_import.guess_mapping(order_import.inspect_workbook(path).headers)
    result = order_import.run_import(db, None, path, mapping, ImportOptions(customer_id=other.id), dry_run=True)
    assert result.ok and [o.customer for o in result.orders] == ["謝瑞麟珠寶"]
    assert "customer" not in result.sheet_values and result.sheet_values["customer_po"] == "4500123"
