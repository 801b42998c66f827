"""The foundation's command line: list orders for scripts, refuse a wrong file, build the demo factory."""

from __future__ import annotations

import csv
import io
import json

from jewelryorders.cli.main import main
from jewelryorders.db import open_database
from jewelryorders.services import customers, users
from jewelryorders.services.orders import intake as orders

from .conftest import order_input


def _factory(path):
    db = open_database(f"sqlite:///{path}")
    users.setup_factory(db, "Factory", "admin", "admin-pass", "en")
    admin = users.authenticate(db, "admin", "admin-pass")
    cust = customers.create_customer(db, admin, customers.CustomerInput(name="周大福珠寶", credit_limit="100"))
    first = orders.create_order(db, admin, order_input(cust.id))
    orders.create_order(db, admin, order_input(cust.id, complete=False))
    orders.submit_for_review(db, admin, first.id, first.version)
    db.close()
    return first.order_no


def test_list_orders_as_json_csv_and_table_with_a_stage_filter(tmp_path, capsys):
    submitted = _factory(tmp_path / "f.db")
    assert main(["--db", str(tmp_path / "f.db"), "list", "orders", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["stage"] for r in rows] == ["preliminary_review", "draft"]
    assert rows[0] == {"order_no": submitted, "customer": "周大福珠寶", "stage": "preliminary_review",
                       "order_date": "2026-11-02", "delivery_date": "2027-01-15"}
    assert main(["--db", str(tmp_path / "f.db"), "list", "orders", "--stage", "draft", "--format", "csv"]) == 0
    table = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert table[0] == ["order_no", "customer", "stage", "order_date", "delivery_date"] and len(table) == 2
    assert table[1][2] == "draft" and table[1][4] == ""
    assert main(["--db", str(tmp_path / "f.db"), "--lang", "zh_TW", "list", "orders"]) == 0
    out = capsys.readouterr().out
    assert "當前階段" in out and "初步評審" in out and "草稿" in out


def test_a_file_that_is_not_a_database_is_named_and_the_exit_code_says_so(tmp_path, capsys):
    bad = tmp_path / "ledger.xlsx"
    bad.write_bytes(b"PK\x03\x04 not a database")
    assert main(["--db", str(bad), "list", "orders"]) == 2
    err = capsys.readouterr().err
    assert "ledger.xlsx" in err and "not an SQLite file" in err


def test_demo_builds_a_factory_once_and_refuses_a_database_with_data(tmp_path, capsys):
    path = tmp_path / "demo.db"
    assert main(["--db", str(path), "demo", "--orders", "30", "--seed", "7"]) == 0
    out = capsys.readouterr().out
    assert "30 orders" in out and "demo1234" in out
    db = open_database(f"sqlite:///{path}")
    assert {u.department for u in users.list_users(db)} == {"sales", "production", "technical", "purchasing",
                                                           "quality", "logistics", "archive", "management"}
    assert {u.role for u in users.list_users(db)} == {"clerk", "department_head", "manager", "administrator"}
    assert customers.count_customers(db) >= 40
    assert orders.count_orders(db, orders.OrderFilter()) == 30
    db.close()
    assert main(["--db", str(path), "demo", "--orders", "5"]) == 1
    assert "already holds data" in capsys.readouterr().err
    assert main(["--db", str(path), "check"]) == 0
