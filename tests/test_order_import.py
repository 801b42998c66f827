"""Importing orders from a customer's Excel order sheet: mapping, per-row problems, all-or-nothing import."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from jewelryorders.services import audit, customers, users

from jewelryorders.services.orders import importing as order_import

from jewelryorders.services.orders import intake as orders
from jewelryorders.services.errors import PermissionDenied, ValidationError
from jewelryorders.services.orders.importing import ImportOptions, WorkbookError

HEADERS_ZH = ["客戶", "客戶訂單號", "訂單日期", "交期", "交貨地點", "款號", "品名", "成色", "手寸", "數量", "重量(g)",
              "石類", "石數", "石重", "單價", "備註"]
HEADERS_EN = ["Customer", "PO No.", "Order Date", "Delivery Date", "Ship To", "Style No.", "Description", "Metal",
              "Size", "Qty", "Weight (g)", "Stone", "Stone Qty", "Carat", "Unit Price", "Remarks"]


def good_rows(code: str) -> list[list]:
    """Two POs: PO-A with three lines (customer written by code and by name), PO-B with one line."""
    return [
        [code, "PO-A", dt.date(2026, 11, 2), dt.date(2027, 1, 15), "香港九龍彌敦道 88 號", "R-18K-001", "18K 金鑽石戒指",
         "18K", "#12", 50, 3.125, "鑽石", 12, 0.36, 2380, "內圈刻字 LOVE"],
        ["周大福珠寶", "PO-A", dt.date(2026, 11, 2), "2027/01/15", "香港九龍彌敦道 88 號", "P-PT-002", "鉑金吊墜", "PT950",
         "", 20, "2.5", None, None, None, "1999.50", None],
        [code, "PO-A", None, None, None, "E-925-003", "925 銀耳環", "S925", "", 100, 1.204, "CZ", 2, 0.1, 120, None],
        [code, "PO-B", "2026年11月5日", "2026.12.31", "澳門", "B-999-004", "足金手鐲", "足金", "58mm", 5, 20.001, None,
         None, None, 8800, "急單"],
    ]


def write_sheet(path: Path, headers: list, rows: list[list], *, title_row: str | None = None,
                sheet: str = "訂貨單") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    if title_row:
        ws.append([title_row])
    ws.append(headers)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def mapping_for(path: Path) -> dict[str, str]:
    return order_import.guess_mapping(order_import.inspect_workbook(path).headers)


def order_count(db) -> int:
    return orders.count_orders(db, orders.OrderFilter())


def messages(result) -> list[str]:
    return [f"{p.row}|{p.column}|{p.message}" for p in result.problems]


# ---- mapping --------------------------------------------------------------------------------------------------

def test_columns_are_guessed_from_chinese_and_english_headers():
    zh = order_import.guess_mapping(HEADERS_ZH)
    assert zh["style_code"] == "款號" and zh["quantity"] == "數量" and zh["metal"] == "成色"
    assert zh["delivery_date"] == "交期" and zh["unit_price"] == "單價" and zh["customer"] == "客戶"
    assert zh["target_weight_g"] == "重量(g)" and zh["customer_po"] == "客戶訂單號"
    assert zh["order_date"] == "訂單日期"  # not taken by delivery date although both contain 日期
    simplified = order_import.guess_mapping(["客户", "款号", "数量", "单价", "交货日期", "成色"])
    assert simplified == {"customer": "客户", "delivery_date": "交货日期", "style_code": "款号", "metal": "成色",
                          "quantity": "数量", "unit_price": "单价"}
    en = order_import.guess_mapping(HEADERS_EN)
    assert en["customer_po"] == "PO No." and en["quantity"] == "Qty" and en["stone_carat"] == "Carat"
    assert en["delivery_place"] == "Ship To" and en["special_requirements"] == "Remarks"
    assert en["stone_count"] == "Stone Qty" and en["stone_type"] == "Stone"


def test_a_given_mapping_wins_and_the_rest_is_guessed():
    headers = ["Item", "Pieces", "Karat", "Note"]
    merged = order_import.complete_mapping(headers, {"metal": "Karat", "quantity": "Pieces"})
    assert merged["metal"] == "Karat" and merged["quantity"] == "Pieces" and merged["style_code"] == "Item"
    with pytest.raises(ValidationError, match="no column headed 'Colour'"):
        order_import.resolve_mapping(headers, {"metal": "Colour"})
    with pytest.raises(ValidationError, match="Unknown field 'colour'"):
        order_import.resolve_mapping(headers, {"colour": "Note"})
    assert order_import.resolve_mapping(headers, {"quantity": "B"}) == {"quantity": 1}


def test_the_header_signature_ignores_spacing_and_case():
    assert order_import.header_signature(["Style No.", "Qty"]) == order_import.header_signature(["style no", " QTY "])
    assert order_import.header_signature(["Style", "Qty"]) != order_import.header_signature(["Qty", "Style"])


# ---- a valid sheet ----------------------------------------------------------------------------------------------

def test_a_valid_sheet_imports_every_order_with_its_lines_and_weights_in_mg(db, sales, customer, tmp_path):
    path = write_sheet(tmp_path / "order.xlsx", HEADERS_ZH, good_rows(customer.code), title_row="周大福 訂貨單")
    before = order_count(db)
    result = order_import.run_import(db, sales, path, mapping_for(path), today=dt.date(2026, 11, 20))
    assert result.ok and result.imported, messages(result)
    assert result.header_row == 2 and result.rows == 4
    assert [(o.reference, o.lines) for o in result.orders] == [("PO-A", 3), ("PO-B", 1)]
    assert order_count(db) == before + 2
    a = orders.get_order_by_no(db, result.orders[0].order_no)
    assert a.order_no.startswith("JO-2026-")
    assert a.customer_id == customer.id and a.stage == "draft"
    assert a.delivery_date == dt.date(2027, 1, 15) and a.delivery_place == "香港九龍彌敦道 88 號"
    # The PO is noted in the factory's language (English in these tests), then the customer's own remarks.
    assert a.special_requirements.splitlines() == ["Customer PO: PO-A", "內圈刻字 LOVE"]
    assert [(l.style_code, l.metal, l.quantity, l.target_weight_mg) for l in a.lines] == [
        ("R-18K-001", "Au750", 50, 3125), ("P-PT-002", "Pt950", 20, 2500), ("E-925-003", "Ag925", 100, 1204)]
    assert a.lines[0].stones[0].stone_type == "diamond" and a.lines[0].stones[0].count == 12
    assert a.lines[0].stones[0].carat == Decimal("0.360")
    assert a.lines[2].stones[0].stone_type == "cz"
    assert a.lines[1].unit_price == Decimal("1999.50") and a.lines[1].stones == ()
    assert a.currency == "HKD"  # the customer's currency, as the order form would default it
    b = orders.get_order_by_no(db, result.orders[1].order_no)
    assert b.order_date == dt.date(2026, 11, 5) and b.delivery_date == dt.date(2026, 12, 31)
    assert b.lines[0].metal == "Au999" and b.lines[0].target_weight_mg == 20001 and b.lines[0].size == "58mm"
    assert audit.verify_chain(db).ok


def test_missing_order_date_takes_the_chosen_date_and_channel(db, sales, customer, tmp_path):
    rows = [["PO-9", "R-1", "Au750", 3]]
    path = write_sheet(tmp_path / "o.xlsx", ["PO", "Style", "Metal", "Qty"], rows)
    result = order_import.run_import(db, sales, path, mapping_for(path),
                                     ImportOptions(customer_id=customer.id, channel="trade_fair",
                                                   order_date=dt.date(2026, 10, 1)))
    assert result.imported, messages(result)
    view = orders.get_order_by_no(db, result.orders[0].order_no)
    assert view.order_date == dt.date(2026, 10, 1) and view.channel == "trade_fair" and view.customer_id == customer.id


def test_dry_run_checks_everything_and_changes_nothing(db, sales, customer, tmp_path):
    path = write_sheet(tmp_path / "order.xlsx", HEADERS_ZH, good_rows(customer.code))
    before_orders, before_events = order_count(db), audit.verify_chain(db).events_checked
    result = order_import.run_import(db, sales, path, mapping_for(path), dry_run=True)
    assert result.ok and not result.imported and len(result.orders) == 2
    assert all(o.order_no == "" for o in result.orders)
    assert order_count(db) == before_orders
    assert audit.verify_chain(db).events_checked == before_events
    # The numbers the dry run used were rolled back: the real import starts where the sequence stood.
    real = order_import.run_import(db, sales, path, mapping_for(path))
    assert real.orders[0].order_no.endswith("00001")


def test_the_same_customer_po_cannot_be_imported_twice(db, admin, sales, customer, tmp_path):
    path = write_sheet(tmp_path / "order.xlsx", HEADERS_ZH, good_rows(customer.code))
    first = order_import.run_import(db, sales, path, mapping_for(path))
    assert first.imported
    # Recognised even after the factory switched the language its notes are written in.
    users.update_settings(db, admin, {"language": "zh_TW"})
    again = order_import.run_import(db, sales, path, mapping_for(path))
    assert not again.imported and order_count(db) == 2
    assert any(p.row == 2 and p.column == "B" and "PO-A" in p.message and first.orders[0].order_no in p.message
               for p in again.problems), messages(again)


def test_a_clerk_without_the_right_cannot_import(db, make_user, customer, tmp_path):
    path = write_sheet(tmp_path / "order.xlsx", HEADERS_ZH, good_rows(customer.code))
    with pytest.raises(PermissionDenied):
        order_import.run_import(db, make_user("quality", "clerk"), path, mapping_for(path))


# ---- per-row problems --------------------------------------------------------------------------------------------

def test_every_row_problem_names_row_and_column_and_nothing_is_imported(db, sales, customer, tmp_path):
    rows = good_rows(customer.code)
    rows[0][9] = "abc"            # J2 quantity not a number
    rows[1][10] = "2.1234"        # K3 weight with 4 decimals
    rows[2][7] = "Gold-ish"       # H4 unknown metal
    rows[3][3] = "05/11/2026"     # D5 text date whose day and month cannot be told apart
    rows.append(["無名客戶", "PO-C", dt.date(2026, 11, 2), None, "", "R-5", "", "18K", "", 1, None, None, None, None,
                 None, None])     # A6 unknown customer
    rows.append([customer.code, "PO-D", dt.date(2026, 11, 9), dt.date(2026, 11, 1), "", "R-6", "", "18K", "", 2, None,
                 "鑽石", None, 0.2, None, None])  # D7 delivery before order date, M7 stone count missing
    path = write_sheet(tmp_path / "bad.xlsx", HEADERS_ZH, rows)
    before = order_count(db)
    result = order_import.run_import(db, sales, path, mapping_for(path))
    assert not result.imported and order_count(db) == before
    found = {(p.row, p.column): p.message for p in result.problems}
    assert "'abc' is not a whole number" in found[(2, "J")]
    assert "more than 3 decimals" in found[(3, "K")]
    assert "'Gold-ish' is not known" in found[(4, "H")]
    assert "'05/11/2026' is not a date" in found[(5, "D")] and "2026年12月31日" in found[(5, "D")]
    assert "No customer has the code or name '無名客戶'" in found[(6, "A")]
    assert "is before the order date" in found[(7, "D")]
    assert "count is required" in found[(7, "M")]
    assert result.problem_count == len(result.problems) == 7
    assert [p.row for p in result.problems] == sorted(p.row for p in result.problems)
    loc = next(p for p in result.problems if p.row == 2).location()
    assert loc == "Row 2, column J (數量)"


def test_rows_of_one_po_must_agree_on_the_order_fields(db, sales, customer, tmp_path):
    rows = good_rows(customer.code)
    rows[1][3] = "2027-02-01"  # second row of PO-A names another delivery date
    path = write_sheet(tmp_path / "o.xlsx", HEADERS_ZH, rows)
    result = order_import.run_import(db, sales, path, mapping_for(path))
    assert not result.imported
    assert [(p.row, p.column) for p in result.problems] == [(3, "D")]
    assert "differs from '2027-01-15' in row 2" in result.problems[0].message


def test_empty_rows_are_skipped(db, sales, customer, tmp_path):
    rows = good_rows(customer.code)
    rows.insert(1, [None] * 16)
    rows.insert(3, ["", "  ", None])
    path = write_sheet(tmp_path / "o.xlsx", HEADERS_ZH, rows + [[None] * 16, [None] * 16])
    result = order_import.run_import(db, sales, path, mapping_for(path))
    assert result.imported, messages(result)
    # The blank rows between orders are skipped and said so; blank rows after the last order are no rows at all.
    assert result.rows == 4 and result.empty_rows == 2
    assert [(r.row, r.reason) for r in result.skipped] == [(3, "blank"), (5, "blank")]
    assert result.skipped[0].describe() == "Row 3 skipped: blank."
    assert [o.lines for o in result.orders] == [3, 1]


def test_text_dates_written_year_first_are_accepted():
    assert order_import.parse_sheet_date("2026/12/31") == dt.date(2026, 12, 31)
    assert order_import.parse_sheet_date("2026-1-5") == dt.date(2026, 1, 5)
    assert order_import.parse_sheet_date("2026.12.31") == dt.date(2026, 12, 31)
    assert order_import.parse_sheet_date("2026年12月31日") == dt.date(2026, 12, 31)
    assert order_import.parse_sheet_date("20261231") == dt.date(2026, 12, 31)
    assert order_import.parse_sheet_date(20261231) == dt.date(2026, 12, 31)
    assert order_import.parse_sheet_date("2026-12-31 00:00:00") == dt.date(2026, 12, 31)
    assert order_import.parse_sheet_date(dt.datetime(2026, 12, 31, 8, 30)) == dt.date(2026, 12, 31)
    for ambiguous in ("05/11/2026", "31.02.2026", "next week", 46387):
        assert order_import.parse_sheet_date(ambiguous) is None


# ---- bad workbooks ----------------------------------------------------------------------------------------------

def test_missing_required_columns_are_named_in_one_message(db, sales, customer, tmp_path):
    path = write_sheet(tmp_path / "o.xlsx", ["客戶", "品名", "單價"], [[customer.code, "戒指", 100]])
    before = order_count(db)
    with pytest.raises(ValidationError) as err:
        order_import.run_import(db, sales, path, mapping_for(path))
    assert "no column for: Style code, Metal, Quantity" in str(err.value)
    assert "客戶, 品名, 單價" in str(err.value)
    assert order_count(db) == before
    assert order_import.missing_required({"style_code": "x", "metal": "y", "quantity": "z"}, False) == \
        ["Customer (code or name)"]


def test_merged_header_cells_are_refused_naming_the_range(db, sales, customer, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["客戶", "款號", "成色", "數量", "石", None])
    ws.append([None, None, None, None, "石數", "石重"])
    ws.append([customer.code, "R-1", "18K", 1, 2, 0.1])
    ws.merge_cells("E1:F1")
    path = tmp_path / "merged.xlsx"
    wb.save(path)
    with pytest.raises(WorkbookError, match=r"header cells E1:F1 are merged"):
        order_import.inspect_workbook(path)
    before = order_count(db)
    with pytest.raises(WorkbookError, match="E1:F1"):
        order_import.run_import(db, sales, path, {"customer": "客戶", "style_code": "款號", "metal": "成色",
                                                  "quantity": "數量"})
    assert order_count(db) == before


def test_merged_data_cells_are_a_row_problem(db, sales, customer, tmp_path):
    rows = good_rows(customer.code)
    path = tmp_path / "m.xlsx"
    write_sheet(path, HEADERS_ZH, rows)
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb.active.merge_cells("A2:A4")
    wb.save(path)
    result = order_import.run_import(db, sales, path, mapping_for(path))
    assert not result.imported and order_count(db) == 0
    assert any(p.row == 2 and p.column == "A" and "A2:A4 are merged" in p.message for p in result.problems)


def _cache_formula_value(path: Path, formula: str, value: str) -> None:
    """Give a formula the calculated value Excel would have saved with it (openpyxl saves none)."""
    with zipfile.ZipFile(path) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    old = f"<f>{formula}</f><v />".encode()
    assert old in parts[sheet]
    parts[sheet] = parts[sheet].replace(old, f"<f>{formula}</f><v>{value}</v>".encode())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def test_formulas_use_their_saved_value_and_one_without_a_value_is_named(db, sales, customer, tmp_path):
    rows = good_rows(customer.code)
    rows[0][9] = "=5*10"    # J2, calculated by Excel: 50
    rows[1][9] = "=4*5"     # J3, never calculated
    path = write_sheet(tmp_path / "f.xlsx", HEADERS_ZH, rows)
    _cache_formula_value(path, "5*10", "50")
    result = order_import.run_import(db, sales, path, mapping_for(path))
    assert not result.imported and order_count(db) == 0
    assert [(p.row, p.column) for p in result.problems] == [(3, "J")]
    assert "Cell J3 holds a formula that has no calculated value" in result.problems[0].message
    _cache_formula_value(path, "4*5", "20")
    fixed = order_import.run_import(db, sales, path, mapping_for(path))
    assert fixed.imported, messages(fixed)
    lines = orders.get_order_by_no(db, fixed.orders[0].order_no).lines
    assert [l.quantity for l in lines[:2]] == [50, 20]


def test_error_values_in_cells_are_problems(db, sales, customer, tmp_path):
    rows = good_rows(customer.code)
    rows[0][14] = "#DIV/0!"
    path = write_sheet(tmp_path / "e.xlsx", HEADERS_ZH, rows)
    result = order_import.run_import(db, sales, path, mapping_for(path))
    assert not result.imported
    assert any(p.row == 2 and p.column == "O" and "#DIV/0!" in p.message for p in result.problems)


@pytest.mark.parametrize("content,expected", [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "is a PDF document, not an Excel workbook"),
    ("客戶,款號,數量\nC00001,R-1,5\n".encode("utf-8"), "is a text file (for example CSV)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old Excel file (.xls) or a password-protected"),
    (b"", "is empty (0 bytes)"),
    (b"\x00\x01\x02\xff\xfe" * 50, "is not an Excel workbook (.xlsx)"),
])
def test_a_file_that_is_not_a_workbook_gets_a_clear_message(db, sales, tmp_path, content, expected):
    path = tmp_path / "order.xlsx"
    path.write_bytes(content)
    with pytest.raises(WorkbookError, match=expected.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        order_import.inspect_workbook(path)
    with pytest.raises(WorkbookError):
        order_import.run_import(db, sales, path, {"style_code": "A", "metal": "B", "quantity": "C"})
    assert order_count(db) == 0


def test_a_zip_that_is_not_a_workbook_gets_a_clear_message(tmp_path):
    path = tmp_path / "letter.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(WorkbookError, match="not an Excel workbook that can be read"):
        order_import.inspect_workbook(path)


def test_a_sheet_without_a_header_row_or_rows_is_explained(db, sales, customer, tmp_path):
    wb = Workbook()
    wb.active.append(["only a title"])
    wb.save(tmp_path / "t.xlsx")
    with pytest.raises(WorkbookError, match="has no header row"):
        order_import.inspect_workbook(tmp_path / "t.xlsx")
    path = write_sheet(tmp_path / "h.xlsx", HEADERS_ZH, [])
    with pytest.raises(WorkbookError, match="has no order rows below its header"):
        order_import.run_import(db, sales, path, mapping_for(path))


def test_the_order_sheet_after_an_instructions_sheet_is_found(db, sales, customer, tmp_path):
    wb = Workbook()
    wb.active.title = "說明"
    wb.active.append(["請填寫第二頁"])
    ws = wb.create_sheet("訂單")
    ws.append(["款號", "成色", "數量", "客戶訂單號"])
    ws.append(["R-1", "18K", 2, "PO-S"])
    path = tmp_path / "two.xlsx"
    wb.save(path)
    info = order_import.inspect_workbook(path)  # the instructions sheet has no header row: the order sheet is found
    assert info.sheet_name == "訂單" and info.sheet_names == ("說明", "訂單")
    assert info.headers == ("款號", "成色", "數量", "客戶訂單號")
    with pytest.raises(WorkbookError, match="'說明' has no header row"):
        order_import.inspect_workbook(path, "說明")
    with pytest.raises(WorkbookError, match="no sheet named 'Orders'"):
        order_import.inspect_workbook(path, "Orders")
    result = order_import.run_import(db, sales, path, order_import.guess_mapping(info.headers),
                                     ImportOptions(customer_id=customer.id))
    assert result.imported, messages(result)


def test_the_mapping_json_of_the_command_line_resolves_letters_and_headers(tmp_path):
    headers = ["A款", "B數", "C色"]
    mapping = json.loads('{"style_code": "A款", "quantity": "B", "metal": "C色"}')
    assert order_import.resolve_mapping(headers, mapping) == {"style_code": 0, "quantity": 1, "metal": 2}


def test_customers_with_the_same_name_must_be_written_by_code(db, sales, customer, tmp_path):
    customers.create_customer(db, sales, customers.CustomerInput(name="周大福珠寶", currency="CNY"))
    rows = [["周大福珠寶", "PO-X", "R-1", "18K", 1]]
    path = write_sheet(tmp_path / "o.xlsx", ["客戶", "PO", "款號", "成色", "數量"], rows)
    result = order_import.run_import(db, sales, path, mapping_for(path))
    assert not result.imported
    assert "Several customers are called '周大福珠寶'" in result.problems[0].message
