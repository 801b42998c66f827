"""Opening databases: new files, wrong files, locked files, newer schemas, and migrating an older one safely."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text

from jewelryorders import db as dbmod
from jewelryorders.db import DatabaseOpenError, head_revision, open_database, schema_revision
from jewelryorders.models import Base
from jewelryorders.i18n import set_language
from jewelryorders.services import audit, customers, users
from jewelryorders.services.orders import intake as orders
from jewelryorders.services.orders import timeline
from jewelryorders.services.errors import StorageError

from .conftest import order_input

# Written by the previous version (schema 0003) with `demo --orders 40 --lang zh_TW`: the upgrade a factory makes.
OLD_DATABASE = Path(__file__).with_name("data") / "schema-0003.db"


def test_new_file_is_created_with_the_newest_schema_in_wal_mode(tmp_path):
    path = tmp_path / "sub" / "factory.db"
    database = open_database(f"sqlite:///{path}")
    assert path.exists()
    assert schema_revision(database) == head_revision()
    with database.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    database.close()


def test_migrated_schema_matches_the_models(db):
    with db.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diffs == []


def test_a_file_that_is_not_sqlite_is_refused_by_name_and_left_untouched(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"this is a spreadsheet, not a database" * 10)
    before = path.read_bytes()
    with pytest.raises(DatabaseOpenError) as err:
        open_database(f"sqlite:///{path}")
    assert "notes.db" in str(err.value) and "not an SQLite file" in str(err.value)
    assert path.read_bytes() == before


def test_another_programs_sqlite_database_is_refused(tmp_path):
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)")
    con.commit()
    con.close()
    with pytest.raises(DatabaseOpenError) as err:
        open_database(f"sqlite:///{path}")
    assert "another program" in str(err.value)


def test_a_database_from_a_newer_version_is_refused_and_not_changed(tmp_path):
    path = tmp_path / "newer.db"
    open_database(f"sqlite:///{path}").close()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '9999_future'")
    con.commit()
    con.close()
    with pytest.raises(DatabaseOpenError) as err:
        open_database(f"sqlite:///{path}")
    assert "newer version" in str(err.value) and "9999_future" in str(err.value)
    con = sqlite3.connect(path)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "9999_future"
    con.close()


def test_a_locked_database_gives_a_clear_message_and_loses_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_MS", 200)
    path = tmp_path / "locked.db"
    database = open_database(f"sqlite:///{path}")
    users.setup_factory(database, "Factory", "admin", "admin-pass", "en")
    admin = users.authenticate(database, "admin", "admin-pass")
    other = sqlite3.connect(path, timeout=0.1)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StorageError) as err:
            customers.create_customer(database, admin, customers.CustomerInput(name="Locked Ltd"))
        assert "locked" in str(err.value) and "locked.db" in str(err.value)
    finally:
        other.rollback()
        other.close()
    assert customers.count_customers(database) == 0
    created = customers.create_customer(database, admin, customers.CustomerInput(name="Unlocked Ltd"))
    assert created.code.startswith("C")
    database.close()


def test_an_older_database_is_backed_up_then_migrated_with_nothing_lost(tmp_path):
    """A file written by the previous version (schema 0003, a demo factory in 繁體中文) opens in this version: a
    backup is made, every row survives, the audit chain still verifies, and the history's old summaries were given
    their message ids, so an English reader reads them in English."""
    path = tmp_path / "old.db"
    shutil.copy(OLD_DATABASE, path)
    database = open_database(f"sqlite:///{path}")
    assert database.backup_path is not None and database.backup_path.exists()
    assert schema_revision(database) == head_revision()
    backup = sqlite3.connect(database.backup_path)
    assert backup.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0003"
    old_orders = backup.execute("SELECT order_no, total_amount FROM orders ORDER BY id").fetchall()
    submitted = backup.execute("SELECT order_id FROM audit_events WHERE action = 'stage' ORDER BY id").fetchone()[0]
    backup.close()
    again = orders.get_order_by_no(database, old_orders[-1][0])
    assert (again.order_no, again.total_amount) == (old_orders[-1][0], Decimal(str(old_orders[-1][1])))
    assert audit.verify_chain(database).ok
    set_language("en")
    texts = [entry.text for entry in timeline.order_timeline(database, submitted)]
    assert "Stage Draft → Preliminary review — submitted for review" in texts
    database.close()


def test_the_revisions_read_from_the_files_agree_with_alembic():
    """Opening a current database reads the schema's head from the migration files' own lines, not Alembic; both
    must name the same head and the same revisions."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(dbmod.alembic_config())
    assert dbmod.head_revision() == script.get_current_head()
    assert dbmod.known_revisions() == {rev.revision for rev in script.walk_revisions()}
    assert {rev.revision: rev.down_revision for rev in script.walk_revisions()} == dbmod.revision_graph()
