"""Backups and restore: verified online backups, the last N kept, restore into a new, damaged or sound file."""

from __future__ import annotations

import os

import pytest

from jewelryorders.cli.main import main
from jewelryorders.db import BackupError, automatic_backups, backup_sqlite_to, open_database, prune_backups
from jewelryorders.services.archive import backups
from jewelryorders.services.errors import AuthenticationError, PermissionDenied, ValidationError
from jewelryorders.services.orders import reads


@pytest.fixture
def filled(sqlite_db, tmp_path):
    from jewelryorders.services import customers, users
    from jewelryorders.services.orders import intake

    from .conftest import order_input

    users.setup_factory(sqlite_db, "Factory", "admin", "admin-pass", "en")
    admin = users.authenticate(sqlite_db, "admin", "admin-pass")
    users.create_user(sqlite_db, admin, "sales1", "Sales", "sales", "clerk", "password1")
    sales = users.authenticate(sqlite_db, "sales1", "password1")
    c = customers.create_customer(sqlite_db, sales, customers.CustomerInput(name="周大福", currency="HKD"))
    nos = [intake.create_order(sqlite_db, sales, order_input(c.id)).order_no for _ in range(3)]
    return sqlite_db, admin, sales, nos


def _order_nos(path) -> list[str]:
    db = open_database("sqlite:///" + str(path))
    try:
        from jewelryorders.services.orders.intake import OrderFilter

        return sorted(r.order_no for r in reads.query_list_orders(db, OrderFilter(), offset=0, limit=100))
    finally:
        db.close()


def test_delete_the_database_restore_every_order_comes_back(filled, tmp_path, capsys):
    db, admin, _sales, nos = filled
    path = db.path
    out = tmp_path / "safe" / "copy.db"
    out.parent.mkdir()
    assert main(["--db", str(path), "backup", "--out", str(out)]) == 0
    assert "verified" in capsys.readouterr().out
    assert backups.backup_problems(out) == []
    db.close()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(str(path) + suffix):
            os.remove(str(path) + suffix)
    os.environ["JEWELRYORDERS_PASSWORD"] = "admin-pass"
    try:
        assert main(["--db", str(path), "--user", "admin", "restore", str(out)]) == 0
    finally:
        del os.environ["JEWELRYORDERS_PASSWORD"]
    assert "3 orders" in capsys.readouterr().out
    assert _order_nos(path) == sorted(nos)
    assert main(["--db", str(path), "check"]) == 0, capsys.readouterr().out


def test_a_backup_never_overwrites_and_a_full_or_read_only_disk_is_said_plainly(filled, tmp_path, monkeypatch):
    db, *_ = filled
    existing = tmp_path / "exists.db"
    existing.write_bytes(b"precious")
    with pytest.raises(BackupError, match="exists already"):
        backup_sqlite_to(db.path, existing)
    assert existing.read_bytes() == b"precious"
    with pytest.raises(BackupError, match="cannot be written|read-only"):
        backup_sqlite_to(db.path, __import__("pathlib").Path("/proc/jo-backup.db"))
    real_replace = os.replace

    def full(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    target = tmp_path / "full.db"
    with pytest.raises(BackupError, match="full"):
        backup_sqlite_to(db.path, target)
    monkeypatch.setattr(os, "replace", real_replace)
    assert not target.exists() and not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
    # The command line and the GUI's "Back up now" get the same words as a domain error (a message, no traceback).
    from jewelryorders.services.errors import StorageError

    with pytest.raises(StorageError, match="exists already"):
        backups.backup_to(db, existing)
    assert main(["--db", str(db.path), "backup", "--out", "/proc/jo.db"]) == 1


def test_restore_refuses_a_file_that_is_not_a_backup_and_changes_nothing(filled, tmp_path):
    db, *_ = filled
    import sqlite3

    text = tmp_path / "notes.db"
    text.write_text("not a database")
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    before = db.path.read_bytes()
    for bad in (text, other):
        with pytest.raises(ValidationError, match="not a jewelryorders backup|another program"):
            backups.restore(bad, db.path, username="admin", password="admin-pass")
    assert db.path.read_bytes() == before


def test_restore_needs_an_administrators_password_and_keeps_the_current_state(filled, tmp_path):
    db, admin, sales, nos = filled
    copy = backups.backup_to(db, tmp_path / "b.db")
    from jewelryorders.services.orders import intake

    from .conftest import order_input

    intake.create_order(db, sales, order_input(1))
    with pytest.raises(AuthenticationError):
        backups.restore(copy, db.path, username="sales1", password="password1")
    with pytest.raises(AuthenticationError):
        backups.restore(copy, db.path, username="admin", password="wrong")
    result = backups.restore(copy, db.path, username="admin", password="admin-pass")
    assert result.orders == 3 and result.before is not None
    assert len(_order_nos(result.before)) == 4  # the state before the restore is kept
    assert _order_nos(db.path) == sorted(nos)


def test_a_damaged_database_is_moved_aside_never_overwritten(filled, tmp_path):
    db, *_ = filled
    copy = backups.backup_to(db, tmp_path / "b.db")
    path = db.path
    db.close()
    data = bytearray(path.read_bytes())
    data[4096:8192] = b"\xff" * 4096
    path.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        if os.path.exists(str(path) + suffix):
            os.remove(str(path) + suffix)
    backups.restore(copy, path, username="admin", password="admin-pass")
    kept = [p for p in path.parent.iterdir() if ".damaged-" in p.name and not p.name.endswith(("-wal", "-shm"))]
    assert kept and kept[0].read_bytes() == bytes(data)
    assert len(_order_nos(path)) == 3


def test_automatic_backups_keep_the_last_n_and_the_newest_good_one_is_found(filled, tmp_path):
    db, admin, sales, _nos = filled
    from jewelryorders import clock
    import datetime as dt

    from jewelryorders.services import users

    backups.set_keep_count(db, admin, 2)
    assert backups.backup_due(db)
    made = []
    for i in range(3):
        clock.advance(dt.timedelta(seconds=2))
        made.append(backups.auto_backup(db, "daily"))
        os.utime(made[-1], (1_000_000 + i, 1_000_000 + i))
    assert not backups.backup_due(db)
    assert automatic_backups(db.path) == [made[2], made[1]]
    made[2].write_bytes(b"garbage")
    assert backups.newest_good_backup(db.path) == made[1]
    with pytest.raises(PermissionDenied):
        backups.backup_now(db, sales)
    assert backups.backup_now(db, admin).exists()
    prune_backups(db.path, 1)
    assert len(automatic_backups(db.path)) == 1


def test_check_reports_a_document_altered_on_disk(filled, capsys):
    db, admin, sales, nos = filled
    from jewelryorders.services.archive import filing

    doc = filing.file_document(db, sales, category="customer_letter", content=b"Dear factory", file_name="l.txt")
    assert main(["--db", str(db.path), "check"]) == 0
    assert "Documents: ok, 1" in capsys.readouterr().out
    import sqlite3

    con = sqlite3.connect(str(db.path))
    con.execute("UPDATE document_blobs SET content = ? WHERE sha256 = (SELECT sha256 FROM documents WHERE id = ?)",
                (b"Dear fools", doc))
    con.commit()
    con.close()
    assert main(["--db", str(db.path), "check"]) == 1
    out = capsys.readouterr().out
    assert "l.txt" in out and "altered" in out
