"""Command line: `import orders` (dry run, per-row errors, mapping), `export orders`, `print order-confirmation`."""

from __future__ import annotations

import datetime as dt
import json
import subprocess

import pytest

from tests.review_support import set_stage
from openpyxl import load_workbook

from jewelryorders.cli.main import main
from jewelryorders.services import documents
from jewelryorders.services.orders import intake as orders

from .test_order_import import HEADERS_EN, HEADERS_ZH, good_rows, write_sheet


@pytest.fixture
def cli(db, sales, monkeypatch, capsys):
    """Run `jewelryorders --database-url … --user sales1 ARGS` in-process; returns (exit code, stdout, stderr)."""
    monkeypatch.setenv("JEWELRYORDERS_PASSWORD", "password1")

    def run(*args: str, user: bool = True):
        argv = ["--database-url", db.url] + (["--user", "sales1"] if user else []) + list(args)
        code = main(argv)
        out, err = capsys.readouterr()
        return code, out, err

    return run


def count(db) -> int:
    return orders.count_orders(db, orders.OrderFilter())


def test_dry_run_prints_every_row_problem_with_row_and_column_and_imports_nothing(cli, db, customer, tmp_path):
    rows = good_rows(customer.code)
    rows[1][9] = "twenty"
    rows[3][2] = "5/11/2026"
    path = write_sheet(tmp_path / "po.xlsx", HEADERS_ZH, rows)
    code, out, err = cli("import", "orders", str(path), "--dry-run")
    assert code == 1
    assert "Row 3, column J (數量): Line 2: quantity: 'twenty' is not a whole number." in out
    assert "Row 5, column C (訂單日期): Order date: '5/11/2026' is not a date, or its day and month" in out
    assert "2 problems in 4 rows; nothing was imported." in err
    assert "Style code ← 款號" in out  # the columns the guess chose are shown
    assert count(db) == 0


def test_dry_run_of_a_valid_sheet_passes_and_changes_nothing(cli, db, customer, tmp_path):
    path = write_sheet(tmp_path / "po.xlsx", HEADERS_ZH, good_rows(customer.code))
    code, out, _err = cli("import", "orders", str(path), "--dry-run")
    assert code == 0
    assert "Check passed: 4 rows make 2 orders with 4 lines. Nothing was imported (dry run)." in out
    assert count(db) == 0


def test_import_creates_the_orders(cli, db, customer, tmp_path):
    path = write_sheet(tmp_path / "po.xlsx", HEADERS_ZH, good_rows(customer.code))
    code, out, _err = cli("import", "orders", str(path))
    assert code == 0, out
    assert "Imported 2 orders with 4 lines from 4 rows: JO-2026-00001 … JO-2026-00002." in out
    assert count(db) == 2
    assert [l.target_weight_mg for l in orders.get_order_by_no(db, "JO-2026-00001").lines] == [3125, 2500, 1204]


def test_a_mapping_file_names_columns_the_guess_cannot(cli, db, customer, tmp_path):
    headers = ["Kunde", "Bestellung", "Artikel", "Legierung", "Menge", "Gewicht"]
    rows = [[customer.code, "PO-DE-1", "R-1", "Au750", 4, 2.5], [customer.code, "PO-DE-1", "R-2", "Pt950", 1, 7]]
    path = write_sheet(tmp_path / "de.xlsx", headers, rows)
    code, out, _err = cli("import", "orders", str(path), "--dry-run")
    assert code == 1 and "no column for: Customer (code or name), Style code, Metal, Quantity" in out + _err
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"customer": "Kunde", "customer_po": "Bestellung", "style_code": "Artikel",
                                   "metal": "Legierung", "quantity": "Menge", "target_weight_g": "F"}),
                       encoding="utf-8")
    code, out, _err = cli("import", "orders", str(path), "--mapping", str(mapping))
    assert code == 0, out + _err
    view = orders.get_order_by_no(db, "JO-2026-00001")
    assert [(l.style_code, l.quantity, l.target_weight_mg) for l in view.lines] == [("R-1", 4, 2500), ("R-2", 1, 7000)]


def test_inline_mapping_and_a_customer_for_the_whole_sheet(cli, db, customer, tmp_path):
    path = write_sheet(tmp_path / "en.xlsx", ["Item", "Karat", "Pieces", "PO No."],
                       [["R-1", "18K", 3, "A-1"], ["R-2", "14K", 2, "A-1"]])
    code, out, err = cli("import", "orders", str(path), "--customer", customer.code, "--channel", "phone",
                         "--order-date", "2026-10-05", "--mapping", '{"metal": "Karat", "quantity": "Pieces"}')
    assert code == 0, out + err
    view = orders.get_order_by_no(db, "JO-2026-00001")
    assert view.customer_id == customer.id and view.channel == "phone" and view.order_date == dt.date(2026, 10, 5)
    assert [l.metal for l in view.lines] == ["Au750", "Au585"]


@pytest.mark.parametrize("content,message", [
    (b"%PDF-1.4\n1 0 obj\n", "is a PDF document, not an Excel workbook"),
    ("客戶,款號\nC00001,R-1\n".encode(), "is a text file (for example CSV)"),
])
def test_a_file_that_is_not_a_workbook_is_refused_clearly(cli, db, tmp_path, content, message):
    path = tmp_path / "orders.xlsx"
    path.write_bytes(content)
    code, _out, err = cli("import", "orders", str(path))
    assert code == 1 and message in err and err.startswith("Error: ")
    assert count(db) == 0


def test_chinese_messages_on_the_command_line(cli, db, customer, tmp_path):
    rows = good_rows(customer.code)
    rows[0][9] = "abc"
    path = write_sheet(tmp_path / "po.xlsx", HEADERS_EN, rows)
    code, out, _err = cli("--lang", "zh_TW", "import", "orders", str(path), "--dry-run")
    assert code == 1
    assert "表格第 2 行，J 欄（Qty）" in out and "不是整數" in out


def test_export_writes_the_filtered_list(cli, db, order_factory, sales, tmp_path):
    made = [order_factory() for _ in range(3)]
    orders.submit_for_review(db, sales, made[0].id)
    out_path = tmp_path / "drafts.xlsx"
    code, out, _err = cli("export", "orders", "--out", str(out_path), "--stage", "draft", user=False)
    assert code == 0 and "Exported 2 orders" in out
    ws = load_workbook(out_path).worksheets[0]
    assert ws["A1"].value == "Order no." and ws.max_row == 3
    assert {ws["A2"].value, ws["A3"].value} == {made[1].order_no, made[2].order_no}
    assert isinstance(ws["E2"].value, dt.datetime) and isinstance(ws["I2"].value, (int, float))


def test_print_order_confirmation_writes_the_pdf_and_files_it(cli, db, order_factory, tmp_path):
    order = order_factory(lines=2)
    set_stage(db, order.id, "contracted")
    pdf = tmp_path / f"{order.order_no}-confirmation.pdf"
    code, out, err = cli("--lang", "zh_TW", "print", "order-confirmation", order.order_no, "--out", str(pdf))
    assert code == 0, err
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert order.order_no in text and "周大福珠寶" in text and "訂單確認書" in text.replace(" ", "")
    filed = [d for d in documents.list_documents(db, order.id) if d.category == "order_confirmation"]
    assert [(d.file_name, d.doc_version) for d in filed] == [(pdf.name, 1)]
    assert documents.document_content(db, filed[0].id)[1] == pdf.read_bytes()
    code, _out, _err = cli("print", "order-confirmation", order.order_no, "--out", str(tmp_path / "again.pdf"),
                           "--lang", "en")
    assert code == 0
    assert sorted(d.doc_version for d in documents.list_documents(db, order.id)
                  if d.category == "order_confirmation") == [1, 2]


def test_printing_needs_a_user_and_an_existing_order(cli, db, order_factory, tmp_path):
    order = order_factory()
    code, _out, err = cli("print", "order-confirmation", order.order_no, "--out", str(tmp_path / "c.pdf"),
                          user=False)
    assert code == 1 and "--user" in err and not (tmp_path / "c.pdf").exists()
    code, _out, err = cli("print", "order-confirmation", "JO-2026-99999", "--out", str(tmp_path / "c.pdf"))
    assert code == 1 and "JO-2026-99999 does not exist" in err


def test_a_draft_order_gets_no_confirmation_and_the_command_says_why(cli, db, order_factory, tmp_path):
    order = order_factory()
    code, _out, err = cli("--lang", "en", "print", "order-confirmation", order.order_no, "--out",
                          str(tmp_path / "c.pdf"))
    assert code == 1 and "only once the contract is signed" in err and "Draft" in err
    assert not (tmp_path / "c.pdf").exists()
    assert not [d for d in documents.list_documents(db, order.id) if d.category == "order_confirmation"]


def test_a_reprinted_confirmation_lists_the_customers_files_not_the_earlier_confirmation(cli, db, sales,
                                                                                         order_factory, tmp_path):
    order = order_factory()
    set_stage(db, order.id, "contracted")
    design = tmp_path / "ring-design.png"
    design.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    orders.add_attachments(db, sales, order.id, [design])
    for name in ("first.pdf", "second.pdf"):
        code, _out, err = cli("print", "order-confirmation", order.order_no, "--out", str(tmp_path / name))
        assert code == 0, err
    text = subprocess.run(["pdftotext", str(tmp_path / "second.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "ring-design.png" in text and "-confirmation.pdf" not in text


def test_dry_run_needs_no_user_and_says_what_it_skipped_and_found_above_the_header(cli, db, customer, tmp_path,
                                                                                    monkeypatch):
    from .test_order_import_sheets import customer_sheet

    monkeypatch.delenv("JEWELRYORDERS_PASSWORD")
    monkeypatch.delenv("JEWELRYORDERS_USER", raising=False)
    path = customer_sheet(tmp_path / "po.xlsx", customer.code)
    code, out, err = cli("import", "orders", str(path), "--dry-run", user=False)
    assert code == 0, out + err
    assert "header in row 6" in out
    assert "Customer PO / reference ← 4500123 (row 2)" in out and "Order date ← 2026年11月16日 (row 2)" in out
    assert "Row 8 skipped: blank." in out and "Row 14 skipped: a total row (合計)." in out
    assert "Check passed: 5 rows make 1 orders with 5 lines" in out
    assert count(db) == 0
    code, out, err = cli("import", "orders", str(path), user=False)  # importing does need a user
    assert code != 0 and count(db) == 0


def test_the_header_row_is_chosen_on_the_command_line(cli, db, customer, tmp_path):
    from .test_order_import_sheets import customer_sheet

    path = customer_sheet(tmp_path / "po.xlsx", customer.code)
    code, out, err = cli("import", "orders", str(path), "--dry-run", "--header-row", "5")
    assert code != 0 and "header in row 5" in out and "no column for" in err
    code, out, err = cli("import", "orders", str(path), "--header-row", "6")
    assert code == 0, out + err
    assert "Imported 1 orders with 5 lines from 5 rows" in out and count(db) == 1


def test_an_order_date_given_on_the_command_line_wins_over_the_one_above_the_header(cli, db, customer, tmp_path):
    from .test_order_import_sheets import customer_sheet

    path = customer_sheet(tmp_path / "po.xlsx", customer.code)
    code, out, err = cli("import", "orders", str(path), "--order-date", "2026-11-10")
    assert code == 0, out + err
    assert "Order date ←" not in out and "Customer PO / reference ← 4500123 (row 2)" in out
    imported = orders.query_orders(db, orders.OrderFilter())
    assert [o.order_date for o in imported] == [dt.date(2026, 11, 10)]
