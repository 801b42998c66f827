"""The foundation's command line: list orders for scripts, refuse a wrong file, build the demo factory."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from jewelryorders.cli.main import main
from jewelryorders.db import open_database
from jewelryorders.services import customers, users
from jewelryorders.services.orders import intake as orders

from .conftest import order_input

ROOT = Path(__file__).resolve().parents[1]


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
    assert main(["--db", str(path), "--lang", "en", "demo", "--orders", "30", "--seed", "7"]) == 0
    out = capsys.readouterr().out
    assert "30 orders" in out and "demo1234" in out
    db = open_database(f"sqlite:///{path}")
    assert {u.department for u in users.list_users(db)} == {"sales", "production", "technical", "purchasing",
                                                           "quality", "logistics", "archive", "management"}
    assert {u.role for u in users.list_users(db)} == {"clerk", "department_head", "manager", "administrator"}
    assert customers.count_customers(db) >= 40
    assert orders.count_orders(db, orders.OrderFilter()) == 30
    db.close()
    # Without --lang the messages are in the factory's language, which the demo sets to Traditional Chinese.
    assert main(["--db", str(path), "demo", "--orders", "5"]) == 1
    assert "已有資料" in capsys.readouterr().err
    assert main(["--db", str(path), "--lang", "en", "demo", "--orders", "5"]) == 1
    assert "already holds data" in capsys.readouterr().err
    assert main(["--db", str(path), "--lang", "en", "check"]) == 0


def test_a_database_file_that_does_not_exist_is_refused_and_not_created(tmp_path, capsys):
    missing = tmp_path / "typo.db"
    assert main(["--db", str(missing), "list", "orders"]) == 2
    err = capsys.readouterr().err
    assert "there is no database" in err and "typo.db" in err and "Traceback" not in err
    assert not missing.exists()
    # The demo is one of the two ways a database is made (the window's first-run setup is the other).
    assert main(["--db", str(missing), "--lang", "en", "demo", "--orders", "0"]) == 0
    assert missing.exists()


def test_the_window_still_creates_the_database_of_a_first_run(tmp_path, monkeypatch):
    import jewelryorders.ui.app as app

    seen = {}
    monkeypatch.setattr(app, "run_gui", lambda url, lang=None: seen.setdefault("url", url) and 0)
    new = tmp_path / "first.db"
    assert main(["--db", str(new)]) == 0
    assert seen["url"].endswith("first.db")  # the GUI gets the new file; its setup dialog creates it


@pytest.mark.parametrize("url", ["not a url", "postgresql+psycopg://user@host:notaport/db", "://"])
def test_a_malformed_database_url_gets_a_message_not_a_traceback(url, capsys):
    assert main(["--database-url", url, "list", "orders"]) == 2
    err = capsys.readouterr().err
    assert "is not a database address" in err and "Traceback" not in err


def test_messages_follow_the_factory_language_unless_lang_overrides_it(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("JEWELRYORDERS_LANG", raising=False)
    path = tmp_path / "f.db"
    _factory(path)
    db = open_database(f"sqlite:///{path}")
    admin = users.authenticate(db, "admin", "admin-pass")
    users.update_settings(db, admin, {"language": "zh_CN"})
    db.close()
    assert main(["--db", str(path), "list", "orders"]) == 0
    out = capsys.readouterr().out
    assert "订单号" in out and "Order no." not in out
    assert main(["--db", str(path), "list", "users"]) == 0
    assert "系统管理员" in capsys.readouterr().out
    assert main(["--db", str(path), "--lang", "en", "list", "orders"]) == 0
    assert "Order no." in capsys.readouterr().out


class _ClosedPipe(io.StringIO):
    """A stdout whose reader went away after the first lines, as with `| head -3`."""

    def __init__(self):
        super().__init__()
        self.writes = 0

    def write(self, s):
        self.writes += 1
        if self.writes > 3:
            raise BrokenPipeError(32, "Broken pipe")
        return super().write(s)


def test_output_cut_short_by_a_pipe_ends_quietly_in_process(tmp_path, capsys, monkeypatch):
    _factory(tmp_path / "f.db")
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    assert main(["--db", str(tmp_path / "f.db"), "--lang", "en", "list", "orders"]) == 141
    assert capsys.readouterr().err == ""


def test_output_cut_short_by_a_pipe_ends_quietly_in_a_real_pipe(tmp_path):
    path = tmp_path / "f.db"
    _factory(path)
    db = open_database(f"sqlite:///{path}")
    admin = users.authenticate(db, "admin", "admin-pass")
    cust = customers.search_customers(db, "")[0]
    for _i in range(300):
        orders.create_order(db, admin, order_input(cust.id, complete=False))
    db.close()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "jewelryorders", "--db", str(path), "--lang", "en", "list",
                             "orders"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=env)
    first = proc.stdout.readline()
    proc.stdout.close()  # the reader goes away, as `head -1` does
    err = proc.stderr.read().decode()
    code = proc.wait(timeout=60)
    assert first.startswith(b"Order no.")
    assert "Traceback" not in err and "BrokenPipe" not in err and err == ""
    assert code in (0, 141)


def _every_parser(parser, path=()):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _every_parser(sub, path + (name,))


def test_every_command_says_what_its_arguments_are_and_whether_it_needs_a_user():
    from jewelryorders.cli import registry
    from jewelryorders.cli.main import _load_feature_modules, build_parser

    _load_feature_modules()
    parser = build_parser()
    seen = set()
    for path, p in _every_parser(parser):
        for action in p._actions:
            if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
                continue
            assert action.help, f"{' '.join(path)} {action.option_strings or action.dest} has no help"
        if len(path) == 2 and path[0] in registry.FAMILIES or len(path) == 1 and ("command", path[0]) in registry.INDEX:
            seen.add(path)
            assert "--user" in p.description or "Needs no user" in p.description, path
    every_kind = {(f, k) for f, kinds in registry.FAMILIES.items() for k in kinds}
    every_kind |= {("command", k) for k in registry.COMMANDS}
    # Every registered command is in the index, so that the command line loads only the module it runs.
    assert every_kind == set(registry.INDEX)
    for (family, kind), entry in registry.INDEX.items():
        table = registry.COMMANDS if family == "command" else registry.FAMILIES[family]
        assert table[kind].run.__module__ == f"jewelryorders.cli.{entry.module}"


def test_help_imports_no_command_module_and_no_database_layer():
    code = ("import sys\nfrom jewelryorders.cli.main import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n"
            "    pass\nprint(sorted(m for m in sys.modules if m.startswith(('jewelryorders.cli.', 'sqlalchemy', "
            "'alembic', 'openpyxl', 'reportlab', 'ortools', 'jewelryorders.services'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert out.strip().splitlines()[-1] == "['jewelryorders.cli.main', 'jewelryorders.cli.registry']"
    code = code.replace("['--help']", "['list', 'orders', '--help']")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    loaded = eval(out.strip().splitlines()[-1])
    assert "jewelryorders.cli.core" in loaded
    assert not {"jewelryorders.cli.planning", "jewelryorders.cli.orders_io", "jewelryorders.cli.demo"} & set(loaded)
