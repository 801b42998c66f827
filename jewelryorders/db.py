"""Engine, sessions and migrations: opens SQLite (WAL, foreign keys, busy timeout) or any SQLAlchemy URL safely."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path
from typing import Iterator

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from . import clock
from .i18n import _

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000


class DatabaseOpenError(Exception):
    """The database cannot be opened; the message says which file and what to do."""


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("jewelryorders", "jewelryorders")) / "jewelryorders.db"


def resolve_url(db_path: str | os.PathLike | None = None, url: str | None = None) -> str:
    """--database-url wins, then --db, then $JEWELRYORDERS_DATABASE_URL, $JEWELRYORDERS_DB, then the default file."""
    if url:
        return url
    if db_path:
        return "sqlite:///" + str(Path(db_path).expanduser().resolve())
    if os.environ.get("JEWELRYORDERS_DATABASE_URL"):
        return os.environ["JEWELRYORDERS_DATABASE_URL"]
    if os.environ.get("JEWELRYORDERS_DB"):
        return "sqlite:///" + str(Path(os.environ["JEWELRYORDERS_DB"]).expanduser().resolve())
    return "sqlite:///" + str(default_db_path())


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def known_revisions() -> set[str]:
    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def friendly_database_error(exc: BaseException, where: str) -> str:
    """Translate low-level driver errors into a sentence a clerk can act on."""
    text = str(getattr(exc, "orig", exc)).lower()
    if "locked" in text or "busy" in text:
        return _("The database {file} is locked by another program or workstation. Wait a moment and try again; "
                 "if it stays locked, close the other program using it.", file=where)
    if "not a database" in text or "malformed" in text or "encrypted" in text:
        return _("The file {file} is damaged or is not a jewelryorders database. Restore it from a backup "
                 "or choose another file.", file=where)
    if "readonly" in text or "read-only" in text or "permission" in text:
        return _("The database {file} cannot be written (read-only or no permission). Check the file's "
                 "permissions or choose another location.", file=where)
    if "unable to open" in text:
        return _("The database {file} cannot be opened. Check that the folder exists and you may write to it.",
                 file=where)
    if "connection" in text or "could not connect" in text or "timeout" in text:
        return _("Cannot reach the database server {file}. Check the network and that the server is running.",
                 file=where)
    return _("Database error on {file}: {detail}", file=where, detail=str(getattr(exc, "orig", exc)))


class Database:
    """An open database: the engine plus the two ways to use it, a read session and a unit of work."""

    def __init__(self, engine: Engine, url: str):
        self.engine = engine
        self.url = url
        self.is_sqlite = engine.dialect.name == "sqlite"
        self._read = sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)
        # SQLite: writers take the write lock at BEGIN, so the audit chain's read-then-append never races.
        self._write = sessionmaker(bind=engine.execution_options(jo_write=True), expire_on_commit=False)
        self.backup_path: Path | None = None

    @property
    def path(self) -> Path | None:
        if not self.is_sqlite:
            return None
        db = make_url(self.url).database
        return Path(db) if db and db != ":memory:" else None

    @property
    def display_name(self) -> str:
        if self.path:
            return str(self.path)
        return make_url(self.url).render_as_string(hide_password=True)

    @contextlib.contextmanager
    def read_session(self) -> Iterator[Session]:
        session = self._read()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    @contextlib.contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One transaction: commits when the block ends normally, rolls everything back on any error."""
        session = self._write()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def close(self) -> None:
        self.engine.dispose()


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own transaction handling is off).
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        try:
            cur.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError:
            pass  # a read-only medium keeps its journal mode; opening still works
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("jo_write") else "BEGIN")

    return engine


def _check_sqlite_file(path: Path) -> None:
    if not path.exists():
        if not path.parent.exists():
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseOpenError(_("Cannot create the folder {folder}: {error}", folder=str(path.parent),
                                          error=str(exc))) from exc
        return
    if path.is_dir():
        raise DatabaseOpenError(_("{file} is a folder, not a database file. Choose a file name.", file=str(path)))
    if path.stat().st_size == 0:
        return
    with path.open("rb") as fh:
        header = fh.read(16)
    if header != SQLITE_HEADER:
        raise DatabaseOpenError(_("{file} is not a jewelryorders database (it is not an SQLite file). "
                                  "Choose another file, or start with a new file name.", file=str(path)))


def backup_sqlite(path: Path, label: str) -> Path:
    """Copy a live SQLite file consistently (the backup API, WAL included) next to the original."""
    stamp = clock.local_now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.backup-{stamp}-{label}{path.suffix or '.db'}")
    src = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        dst = sqlite3.connect(str(target))
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return target


def open_database(url: str, *, migrate: bool = True, backup: bool = True) -> Database:
    """Open (creating if new) and migrate to the newest schema, after a backup when an existing file changes."""
    parsed = make_url(url)
    is_sqlite = parsed.get_backend_name() == "sqlite"
    where = str(parsed.database) if is_sqlite else parsed.render_as_string(hide_password=True)
    path = Path(parsed.database) if is_sqlite and parsed.database and parsed.database != ":memory:" else None
    if path:
        _check_sqlite_file(path)
    try:
        engine = _sqlite_engine(url) if is_sqlite else create_engine(url, pool_pre_ping=True)
    except Exception as exc:  # e.g. a missing driver for the URL
        raise DatabaseOpenError(_("Cannot use the database address {url}: {error}", url=where, error=str(exc))) from exc
    db = Database(engine, url)
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
            tables = set(inspect(conn).get_table_names())
        if current is not None and current not in known_revisions():
            raise DatabaseOpenError(_("The database {file} was written by a newer version of jewelryorders "
                                      "(schema {revision}). Install the newer version to open it; this version "
                                      "has not changed it.", file=where, revision=current))
        if current is None and tables - {"alembic_version"}:
            raise DatabaseOpenError(_("{file} is an SQLite database of another program, not a jewelryorders "
                                      "database. Choose another file.", file=where))
        if migrate and current != head_revision():
            if backup and path and current is not None:
                db.backup_path = backup_sqlite(path, f"schema-{current}")
            cfg = alembic_config()
            with engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
    except DatabaseOpenError:
        engine.dispose()
        raise
    except (OperationalError, SADatabaseError, sqlite3.DatabaseError) as exc:
        engine.dispose()
        raise DatabaseOpenError(friendly_database_error(exc, where)) from exc
    return db


def schema_revision(db: Database) -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
