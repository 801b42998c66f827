"""Exporting the filtered order list to Excel: header, every row, real dates and numbers, streamed in pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from jewelryorders.i18n import set_language
from jewelryorders.reports.orders_xlsx import OrderExportRow, write_orders_xlsx
from jewelryorders.services.orders import exporting as order_export
from jewelryorders.services.orders import intake as orders
from jewelryorders.services.errors import ValidationError
from jewelryorders.services.orders.exporting import ExportCancelled
from jewelryorders.services.orders.intake import OrderFilter

TODAY = dt.date(2026, 11, 20)
HEADER_EN = ["Order no.", "Customer", "Styles", "Quantity", "Order date", "Delivery date", "Stage", "Channel",
             "Amount", "Currency", "Owner", "Days to delivery", "Target metal weight (g)"]


@pytest.fixture
def some_orders(db, sales, make_user, order_factory):
    """Five orders: two lines each at 3.125 g; one submitted, one cancelled, one draft without weights."""
    made = [order_factory(lines=2, quantity=10 + i) for i in range(4)]
    made.append(order_factory(complete=False))
    orders.submit_for_review(db, sales, made[1].id)
    head = make_user("sales", "department_head")
    orders.cancel_order(db, head, made[2].id, "客戶取消")
    return made


def test_the_export_has_the_list_columns_every_row_and_real_dates_and_numbers(db, some_orders, tmp_path):
    path = tmp_path / "orders.xlsx"
    f = OrderFilter(sort="order_no", descending=False)
    written = order_export.export_orders(db, f, path, lang="en", exported_by="Sales1", today=TODAY)
    assert written == 5 == orders.count_orders(db, f)
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    assert ws.title == "Orders"
    assert [c.value for c in ws[1]] == HEADER_EN
    assert ws[1][0].font.bold and ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:M6"
    assert ws.column_dimensions["B"].width >= 20
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 5
    assert [r[0] for r in rows] == [o.order_no for o in some_orders]
    first = rows[0]
    assert first[1] == "周大福珠寶" and first[2] == "R-18K-001, R-18K-002" and first[3] == 20
    assert first[4] == dt.datetime(2026, 11, 2) and first[5] == dt.datetime(2027, 1, 15)
    assert ws["E2"].number_format == "yyyy-mm-dd" and ws["E2"].is_date
    assert first[6] == "Draft" and first[7] == "Trade fair"
    assert first[8] == pytest.approx(2 * 10 * 2380) and ws["I2"].number_format == "#,##0.00"
    assert first[9] == "HKD" and first[10] == "Sales1"
    assert first[11] == (dt.date(2027, 1, 15) - TODAY).days
    # 2 lines × 10 pieces × 3.125 g, exact to the milligram and shown with 3 decimals
    assert Decimal(str(first[12])) == Decimal("62.5") and ws["M2"].number_format == "#,##0.000"
    assert rows[1][6] == "Preliminary review"
    assert rows[2][6] == "Cancelled" and rows[2][11] is None  # a cancelled order no longer counts days
    assert rows[4][5] is None and rows[4][12] is None  # the draft has no delivery date and no weights
    about = dict(wb.worksheets[1].iter_rows(values_only=True))
    assert about["Exported by"] == "Sales1" and about["Orders"] == "5" and about["Stages"] == "All stages"


def test_the_export_follows_the_filter_and_the_sort(db, some_orders, tmp_path):
    path = tmp_path / "open.xlsx"
    f = OrderFilter(stages=("draft",), sort="quantity", descending=True)
    assert order_export.export_orders(db, f, path, lang="en", today=TODAY) == 3
    rows = list(load_workbook(path).worksheets[0].iter_rows(min_row=2, values_only=True))
    assert [r[3] for r in rows] == sorted((r[3] for r in rows), reverse=True)
    assert {r[6] for r in rows} == {"Draft"}


def test_a_customer_filter_is_named_on_the_about_sheet(db, some_orders, customer, tmp_path):
    path = tmp_path / "one.xlsx"
    f = OrderFilter(customer_id=customer.id, search="R-18K", stages=("draft", "cancelled"))
    assert order_export.export_orders(db, f, path, lang="en", today=TODAY) == 4
    about = dict(load_workbook(path).worksheets[1].iter_rows(values_only=True))
    assert about["Customer"] == f"{customer.code} 周大福珠寶" and about["Search"] == "R-18K"
    assert about["Stages"] == "Draft, Cancelled" and about["Orders"] == "4"


def test_the_workbook_speaks_the_chosen_language(db, some_orders, tmp_path):
    path = tmp_path / "zh.xlsx"
    order_export.export_orders(db, OrderFilter(sort="order_no", descending=False), path, lang="zh_TW", today=TODAY)
    ws = load_workbook(path).worksheets[0]
    assert ws.title == "訂單"
    assert ws["A1"].value == "訂單號" and ws["D1"].value == "數量"
    assert ws["G2"].value == "草稿" and ws["H2"].value == "展會"


def test_rows_are_fetched_page_by_page(db, some_orders, monkeypatch):
    pages: list[tuple[int, int]] = []
    real = order_export.query_orders

    def spy(db_, f, offset=0, limit=200):
        pages.append((offset, limit))
        return real(db_, f, offset=offset, limit=limit)

    monkeypatch.setattr(order_export, "query_orders", spy)
    progress: list[tuple[int, int]] = []
    rows = order_export.export_rows(db, OrderFilter(sort="order_no", descending=False), lang="en", today=TODAY,
                                    page_size=2, progress=lambda done, total: progress.append((done, total)),
                                    total=5)
    first = next(rows)
    assert pages == [(0, 2)]  # nothing beyond the first page is read before it is needed
    assert [first.order_no] + [r.order_no for r in rows] == [o.order_no for o in some_orders]
    assert pages == [(0, 2), (2, 2), (4, 2)]
    assert progress == [(2, 5), (4, 5), (5, 5)]


def test_a_cancelled_export_leaves_no_file(db, some_orders, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    path = folder / "never.xlsx"
    with pytest.raises(ExportCancelled):
        order_export.export_orders(db, OrderFilter(), path, lang="en", should_stop=lambda: True)
    assert list(folder.iterdir()) == []


def test_an_existing_workbook_is_replaced_only_when_the_new_one_is_complete(tmp_path):
    path = tmp_path / "orders.xlsx"
    path.write_bytes(b"previous export")

    def rows():
        yield OrderExportRow("JO-2026-00001", "A", "R-1", 1, dt.date(2026, 1, 1), None, "Draft", "Phone",
                             Decimal("1.00"), "CNY", "", None, 1000)
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        write_orders_xlsx(rows(), path, lang="en")
    assert path.read_bytes() == b"previous export"
    assert [p.name for p in tmp_path.iterdir()] == ["orders.xlsx"]


def test_a_missing_folder_is_a_clear_message(db, tmp_path):
    set_language("en")
    with pytest.raises(ValidationError, match="does not exist"):
        order_export.export_orders(db, OrderFilter(), tmp_path / "no" / "such.xlsx", lang="en")
