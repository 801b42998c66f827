"""Tampering by someone who can edit the database file: `check` detects each kind and names what it found."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest

from jewelryorders.cli.main import main
from jewelryorders.db import backup_sqlite, open_database
from jewelryorders.services import audit, customers, users
from jewelryorders.services.orders import intake as orders

from .conftest import order_input


@pytest.fixture
def factory(tmp_path):
    """A factory database with users, customers and two orders, written through the services."""
    path = tmp_path / "f.db"
    db = open_database(f"sqlite:///{path}")
    users.setup_factory(db, "Factory", "admin", "admin-pass", "en")
    admin = users.authenticate(db, "admin", "admin-pass")
    users.create_user(db, admin, "sales1", "Sales One", "sales", "clerk", "password1")
    sales = users.authenticate(db, "sales1", "password1")
    customer = customers.create_customer(db, sales, customers.CustomerInput(name="A Ltd", currency="HKD"))
    for _ in range(2):
        orders.create_order(db, sales, order_input(customer.id))
    db.close()
    return path


def _check(path, capsys, *extra) -> tuple[int, str]:
    code = main(["--db", str(path), "check", *extra])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out + captured.err


def _rehash_from(con: sqlite3.Connection, first_id: int) -> None:
    """What a careful forger does: recompute every hash from an edited event on, and the head to match."""
    import datetime as dt

    cols = ("id, at, user_id, username, action, entity, entity_id, order_id, summary, before_json, after_json, "
            "hash_format, message_id, message_params, prev_hash")
    rows = con.execute(f"SELECT {cols} FROM audit_events ORDER BY id").fetchall()
    prev = audit.GENESIS_HASH
    for row in rows:
        (ev_id, at, user_id, username, action, entity, entity_id, order_id, summary, before, after, fmt, mid,
         params, prev_hash) = row
        if ev_id >= first_id:
            at_dt = dt.datetime.fromisoformat(at).replace(tzinfo=dt.timezone.utc)
            new_hash = audit._event_hash(prev, at_dt, user_id, username, action, entity, entity_id, order_id,
                                         summary, before, after, fmt, mid, params)
            con.execute("UPDATE audit_events SET prev_hash = ?, hash = ? WHERE id = ?", (prev, new_hash, ev_id))
            prev = new_hash
        else:
            prev = con.execute("SELECT hash FROM audit_events WHERE id = ?", (ev_id,)).fetchone()[0]
    count = con.execute("SELECT count(*) FROM audit_events").fetchone()[0]
    con.execute("UPDATE audit_head SET last_hash = ?, event_count = ?", (prev, count))


def test_untouched_database_passes_and_says_where_the_head_is_anchored(factory, capsys):
    code, out = _check(factory, capsys)
    assert code == 0, out
    assert "chain intact" in out and "f.db.anchor" in out and "match their last audit event" in out


def test_all_events_and_the_head_row_deleted_is_detected(factory, capsys):
    con = sqlite3.connect(factory)
    total = con.execute("SELECT count(*) FROM audit_events").fetchone()[0]
    con.execute("DELETE FROM audit_events")
    con.execute("DELETE FROM audit_head")
    con.commit()
    con.close()
    code, out = _check(factory, capsys)
    assert code == 1
    assert f"recorded {total} audit events" in out and "holds 0" in out


def test_end_truncated_with_a_matching_head_is_detected(factory, capsys):
    con = sqlite3.connect(factory)
    last_two = [r[0] for r in con.execute("SELECT id FROM audit_events ORDER BY id DESC LIMIT 2")]
    con.execute("DELETE FROM audit_events WHERE id IN (?, ?)", last_two)
    _rehash_from(con, 10**9)  # the head made to match the shortened chain
    con.commit()
    con.close()
    code, out = _check(factory, capsys)
    assert code == 1
    assert "events were deleted (the head row made to match)" in out


def test_an_event_rewritten_with_every_later_hash_recomputed_is_detected(factory, capsys):
    con = sqlite3.connect(factory)
    con.execute("UPDATE audit_events SET summary = 'Customer Z Ltd created' WHERE id = 4")
    _rehash_from(con, 4)
    con.commit()
    con.close()
    code, out = _check(factory, capsys)
    assert code == 1
    assert "not the event anchored outside the database" in out and "rewritten" in out


def test_an_order_row_edited_directly_is_named(factory, capsys):
    con = sqlite3.connect(factory)
    order_no = con.execute("SELECT order_no FROM orders ORDER BY id LIMIT 1").fetchone()[0]
    con.execute("UPDATE orders SET delivery_date = '2027-06-30', special_requirements = 'none' WHERE order_no = ?",
                (order_no,))
    con.execute("UPDATE customers SET credit_limit = 99999999")
    con.execute("UPDATE users SET role = 'administrator' WHERE username = 'sales1'")
    con.commit()
    con.close()
    code, out = _check(factory, capsys)
    assert code == 1
    assert f"order {order_no}" in out and "delivery_date, special_requirements" in out
    assert "customer" in out and "credit_limit" in out
    assert "user sales1" in out and "role" in out
    assert "chain intact" in out  # the trail itself is untouched: it is the records that changed


def test_a_row_deleted_directly_is_named(factory, capsys):
    con = sqlite3.connect(factory)
    con.execute("PRAGMA foreign_keys=OFF")
    order_id = con.execute("SELECT max(id) FROM orders").fetchone()[0]
    con.execute("DELETE FROM line_stones WHERE line_id IN (SELECT id FROM order_lines WHERE order_id = ?)", (order_id,))
    con.execute("DELETE FROM order_lines WHERE order_id = ?", (order_id,))
    con.execute("DELETE FROM orders WHERE id = ?", (order_id,))
    con.commit()
    con.close()
    code, out = _check(factory, capsys)
    assert code == 1
    assert f"order with id {order_id} is missing" in out


def test_an_edited_anchor_file_is_detected(factory, capsys):
    anchor_file = factory.with_name(factory.name + ".anchor")
    data = json.loads(anchor_file.read_text())
    for entry in data["anchors"].values():
        entry["event_count"] -= 1
    anchor_file.write_text(json.dumps(data))
    code, out = _check(factory, capsys)
    assert code == 1
    assert "seal does not match" in out


def test_a_database_copied_to_another_pc_says_so(factory, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("JEWELRYORDERS_DATA_DIR", str(tmp_path / "other-pc"))
    code, out = _check(factory, capsys)
    assert code == 0
    assert "anchored by another installation" in out and "copied here" in out


def test_no_anchor_anywhere_is_reported_clearly(factory, tmp_path, capsys, monkeypatch):
    factory.with_name(factory.name + ".anchor").unlink()
    monkeypatch.setenv("JEWELRYORDERS_DATA_DIR", str(tmp_path / "other-pc"))
    code, out = _check(factory, capsys)
    assert code == 1
    assert "No anchor of the audit trail was found" in out and "--anchor-now" in out


def test_a_backup_carries_the_anchor_and_a_restore_is_accepted_by_an_administrator(factory, capsys, monkeypatch):
    backup = backup_sqlite(factory, "manual")
    assert backup.with_name(backup.name + ".anchor").exists()
    db = open_database(f"sqlite:///{factory}")
    admin = users.authenticate(db, "admin", "admin-pass")  # one more event after the backup
    db.close()
    assert _check(backup, capsys)[0] == 0  # the backup checks against the anchor it carries
    shutil.copyfile(backup, factory)  # restoring the older copy loses the later events: check says so
    code, out = _check(factory, capsys)
    assert code == 1 and "replaced by an older copy" in out
    monkeypatch.setenv("JEWELRYORDERS_PASSWORD", "admin-pass")
    code = main(["--db", str(factory), "--user", "admin", "check", "--anchor-now"])
    out = capsys.readouterr().out
    assert code == 0 and "is the reference outside the database from now on" in out
    # Accepting the restore needs an administrator; the acceptance is itself in the trail.
    code, out = _check(factory, capsys)
    assert code == 0, out
    db = open_database(f"sqlite:///{factory}")
    from jewelryorders.models.audit import AuditEvent
    from sqlalchemy import select

    with db.read_session() as s:
        assert s.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(1)) == "accept_anchor"
    db.close()
    assert admin.username == "admin"


def test_anchor_now_is_refused_for_a_clerk(factory, capsys, monkeypatch):
    monkeypatch.setenv("JEWELRYORDERS_PASSWORD", "password1")
    code = main(["--db", str(factory), "--user", "sales1", "check", "--anchor-now"])
    err = capsys.readouterr().err
    assert code == 1 and "may not" in err
