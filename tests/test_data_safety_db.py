"""Damaged, truncated, zero-byte and newer-version databases: refused in plain words, never changed, no traceback."""

from __future__ import annotations

import hashlib
import os
import sqlite3

import pytest

from jewelryorders.cli.main import main
from jewelryorders.db import DatabaseOpenError, open_database
from jewelryorders.services import customers, users


@pytest.fixture(scope="module")
def sound_file(tmp_path_factory):
    """A factory whose customers table spans many pages, checkpointed into one file (no write-ahead log)."""
    path = tmp_path_factory.mktemp("sound") / "f.db"
    os.environ["JEWELRYORDERS_DATA_DIR"] = str(path.parent / "data")
    try:
        db = open_database(f"sqlite:///{path}")
        users.setup_factory(db, "Factory", "admin", "admin-pass", "en")
        admin = users.authenticate(db, "admin", "admin-pass")
        for i in range(120):
            customers.create_customer(db, admin, customers.CustomerInput(name=f"Customer {i:03d} " + "珠寶" * 40))
        db.close()
    finally:
        del os.environ["JEWELRYORDERS_DATA_DIR"]
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.execute("PRAGMA journal_mode=DELETE")
    con.close()
    return path


def _pages_of(path, name: str) -> list[int]:
    con = sqlite3.connect(path)
    try:
        return [r[0] for r in con.execute("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' "
                                          "ORDER BY pageno", (name,))]
    finally:
        con.close()


def _copy(sound_file, tmp_path):
    target = tmp_path / "damaged.db"
    target.write_bytes(sound_file.read_bytes())
    return target


def _damage_page(path, page: int) -> None:
    with open(path, "r+b") as fh:
        fh.seek((page - 1) * 4096 + 8)
        fh.write(b"\x07" * 600)


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _refused(path) -> str:
    before = _digest(path)
    with pytest.raises(DatabaseOpenError) as caught:
        open_database(f"sqlite:///{path}")
    assert _digest(path) == before, "a refused database must not be changed"
    assert not path.with_name(path.name + "-wal").exists() or path.with_name(path.name + "-wal").stat().st_size == 0
    return str(caught.value)


def _check_says(path, capsys) -> tuple[int, str]:
    code = main(["--db", str(path), "check"])
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert "Traceback" not in text
    return code, text


def test_a_damaged_table_page_is_named_with_what_to_do(sound_file, tmp_path, capsys):
    path = _copy(sound_file, tmp_path)
    _damage_page(path, _pages_of(path, "customers")[3])
    message = _refused(path)
    assert "damaged" in message and "the table customers" in message and "backup" in message
    code, text = _check_says(path, capsys)
    assert code != 0 and "the table customers" in text and "Restore the newest backup" in text


def test_a_damaged_index_page_is_named(sound_file, tmp_path, capsys):
    path = _copy(sound_file, tmp_path)
    _damage_page(path, _pages_of(path, "ix_customers_name")[1])
    message = _refused(path)
    assert "the index ix_customers_name of the table customers" in message
    code, text = _check_says(path, capsys)
    assert code != 0 and "ix_customers_name" in text


def test_a_truncated_file_is_refused_and_left_as_it_is(sound_file, tmp_path, capsys):
    path = _copy(sound_file, tmp_path)
    os.truncate(path, path.stat().st_size // 2)
    message = _refused(path)
    assert "cut off" in message and "backup" in message
    os.truncate(path, path.stat().st_size - 100)  # not even whole pages
    assert "whole number" in _refused(path)
    code, text = _check_says(path, capsys)
    assert code != 0 and "cut off" in text


def test_a_zero_byte_file_is_refused_not_turned_into_a_new_database(tmp_path, capsys):
    path = tmp_path / "empty.db"
    path.write_bytes(b"")
    message = _refused(path)
    assert "empty (0 bytes)" in message and "backup" in message
    assert path.stat().st_size == 0
    code, text = _check_says(path, capsys)
    assert code != 0 and "empty (0 bytes)" in text


def test_a_newer_version_is_refused_with_its_schema_named(sound_file, tmp_path, capsys):
    path = _copy(sound_file, tmp_path)
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    message = _refused(path)
    assert "newer version" in message and "9999" in message
    code, text = _check_says(path, capsys)
    assert code != 0 and "newer version" in text


def test_a_damaged_schema_page_is_named(sound_file, tmp_path):
    path = _copy(sound_file, tmp_path)
    _damage_page(path, 1 + 20)  # past the first page the schema continues on overflow pages
    schema_pages = _pages_of(sound_file, "sqlite_schema")
    path.write_bytes(sound_file.read_bytes())
    _damage_page(path, schema_pages[-1])
    message = _refused(path)
    assert "damaged" in message and "backup" in message


def test_the_window_start_explains_a_damaged_database_and_leaves_it(sound_file, tmp_path, monkeypatch, qtbot):
    from jewelryorders.ui import app

    path = _copy(sound_file, tmp_path)
    _damage_page(path, _pages_of(path, "customers")[2])
    before = _digest(path)
    shown = []
    monkeypatch.setattr(app, "explain_open_error", lambda parent, text: shown.append(text) or app.CHOICE_QUIT)
    assert app.open_or_explain(f"sqlite:///{path}") is None
    assert shown and "the table customers" in shown[0] and "Restore the newest backup" in shown[0]
    assert _digest(path) == before
