"""Engine, sessions and migrations: opens SQLite (WAL, foreign keys, busy timeout) or any SQLAlchemy URL safely."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Iterator

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
# Schemas written before the audit trail's head was anchored outside the database (revision 0005).
PRE_ANCHOR_REVISIONS = {"0001", "0002", "0003", "0004"}


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


def alembic_config():
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


_REVISION_LINE = re.compile(r"""^(revision|down_revision)\s*=\s*["']([^"']*)["']""", re.M)
_revision_graph: dict[str, str | None] | None = None


def revision_graph() -> dict[str, str | None]:
    """revision -> down_revision of every migration shipped, read from the files' own lines. Opening a database
    that is already current then needs neither Alembic nor the migration modules (a second off every start)."""
    global _revision_graph
    if _revision_graph is None:
        graph: dict[str, str | None] = {}
        for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
            found = dict(_REVISION_LINE.findall(path.read_text(encoding="utf-8")))
            if "revision" in found:
                graph[found["revision"]] = found.get("down_revision") or None
        _revision_graph = graph
    return _revision_graph


def head_revision() -> str:
    graph = revision_graph()
    heads = set(graph) - {down for down in graph.values() if down}
    if len(heads) != 1:
        raise RuntimeError(f"the migrations must form one line; heads: {sorted(heads)}")
    return heads.pop()


def known_revisions() -> set[str]:
    return set(revision_graph())


def _current_revision(conn) -> str | None:
    """The schema revision a database is at (what Alembic's MigrationContext reads), without importing Alembic."""
    if "alembic_version" not in inspect(conn).get_table_names():
        return None
    return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


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
        # info tags write sessions with their database, so the audit trail can anchor its head after each commit.
        self._write = sessionmaker(bind=engine.execution_options(jo_write=True), expire_on_commit=False,
                                   info={"jo_database": self})
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
    size = path.stat().st_size
    if size == 0:
        # A database is never empty (SQLite writes its header first): a failed copy or disk; never overwrite it.
        raise DatabaseOpenError(_("The file {file} is empty (0 bytes), so it holds no database: perhaps a copy or "
                                  "the disk failed. Nothing was changed. Restore the database from a backup; to "
                                  "start a new database instead, choose a new file name.", file=str(path)))
    with path.open("rb") as fh:
        header = fh.read(100)
    if header[:16] != SQLITE_HEADER:
        raise DatabaseOpenError(_("{file} is not a jewelryorders database (it is not an SQLite file). "
                                  "Choose another file, or start with a new file name.", file=str(path)))
    problem = _header_problem(path, header, size)
    if problem:
        raise DatabaseOpenError(damage_message(str(path), [problem]))


def _readonly_uri(path: Path) -> str:
    """SQLite's URI for reading a file without any chance of writing it (names with '?' or '#' quoted)."""
    return path.resolve().as_uri() + "?mode=ro"


def _header_problem(path: Path, header: bytes, size: int) -> str | None:
    """A cut-off file shows in its header: SQLite records the page size and, when valid, the page count."""
    if len(header) < 100:
        return _("the file ends inside its header ({size} bytes): it was cut off", size=size)
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return _("its header is damaged (page size {n})", n=page_size)
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return None  # pages still in the write-ahead log belong to the file; SQLite settles them itself
    if size % page_size:
        return _("the file was cut off ({size} bytes is not a whole number of {page}-byte pages)", size=size,
                 page=page_size)
    change_counter, pages, valid_for = (int.from_bytes(header[i:i + 4], "big") for i in (24, 28, 92))
    if pages and change_counter == valid_for and pages * page_size > size:
        return _("the file was cut off: it should hold {pages} pages ({expected} bytes) but has {size} bytes",
                 pages=pages, expected=pages * page_size, size=size)
    return None


def damage_message(where: str, damaged: list[str]) -> str:
    """What a clerk reads about a damaged database: what is damaged, that nothing was changed, what to do."""
    return _("The database {file} is damaged: {damage}. Nothing was changed and nothing was overwritten. Restore "
             "the newest backup (copies named '...backup-...' beside the file, or your own backups); if there is "
             "none, ask your IT support to recover the file (sqlite3 '.recover') before using it again.",
             file=where, damage="; ".join(damaged))


def _object_label(kind: str, name: str, table: str) -> str:
    if name == "sqlite_master":
        return _("the database's list of tables (its schema)")
    if kind == "index":
        return _("the index {index} of the table {table}", index=name, table=table)
    return _("the table {table}", table=name)


def diagnose_sqlite(path: Path, full: bool = False) -> list[str]:
    """Which tables and indexes of an SQLite file are damaged, in plain words; [] when it is sound.

    Reads only (the file is opened read-only): runs SQLite's own check, and when the damage stops the check itself
    ("disk image is malformed"), reads each table and index in turn to name the ones that cannot be read."""
    pragma = "integrity_check" if full else "quick_check"
    try:
        con = sqlite3.connect(_readonly_uri(path), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        return [_("it cannot be opened ({error})", error=str(exc))]
    try:
        try:
            rows = [r[0] for r in con.execute(f"PRAGMA {pragma}")]
            if rows == ["ok"]:
                return []
        except sqlite3.Error:
            rows = []
        try:
            objects = con.execute("SELECT type, name, tbl_name, rootpage FROM sqlite_master "
                                  "WHERE type IN ('table', 'index') AND rootpage > 0 ORDER BY rootpage").fetchall()
        except sqlite3.Error:
            return [_object_label("table", "sqlite_master", "")]
        by_root = {root: (kind, name, table) for kind, name, table, root in objects}
        found: list[str] = []

        def add(kind: str, name: str, table: str) -> None:
            label = _object_label(kind, name, table)
            if label not in found:
                found.append(label)

        by_name = {name: (kind, name, table) for kind, name, table, _root in objects}

        def name_from_findings(lines: list[str]) -> None:
            # The check's findings name an index, a b-tree's root page, or a page (dbstat says whose it is).
            for line in lines:
                for m in re.finditer(r"index (\w+)", line):
                    if m.group(1) in by_name:
                        add(*by_name[m.group(1)])
                for m in re.finditer(r"Tree (\d+) page", line):
                    if int(m.group(1)) in by_root:
                        add(*by_root[int(m.group(1))])
                for m in re.finditer(r"of page (\d+)", line):
                    try:
                        owner = con.execute("SELECT name FROM dbstat WHERE pageno = ?", (int(m.group(1)),)).fetchone()
                    except sqlite3.Error:
                        owner = None
                    if owner and owner[0] in by_name:
                        add(*by_name[owner[0]])

        name_from_findings(rows)
        if rows and not found and not full:
            try:
                name_from_findings([r[0] for r in con.execute("PRAGMA integrity_check")])
            except sqlite3.Error:
                pass
        for kind, name, table, _root in objects:
            quoted_table = '"' + table.replace('"', '""') + '"'
            try:
                if kind == "table":
                    for _row in con.execute(f"SELECT * FROM {quoted_table}"):
                        pass
                else:
                    quoted_index = '"' + name.replace('"', '""') + '"'
                    con.execute(f"SELECT count(*) FROM {quoted_table} INDEXED BY {quoted_index}").fetchone()
            except sqlite3.Error:
                add(kind, name, table)
        if not found:
            found.append(_("SQLite's check reports: {lines}", lines=" / ".join(rows[:5]) or "malformed"))
        return found
    finally:
        con.close()


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
    # The audit trail's anchor travels with the backup, so a restored copy can still be checked against it.
    anchor = path.with_name(path.name + ".anchor")
    if anchor.exists():
        shutil.copyfile(anchor, target.with_name(target.name + ".anchor"))
    return target


class BackupError(Exception):
    """A backup or restore cannot be made; the message says why and that nothing was lost or overwritten."""


BACKUP_MARKER_TABLES = {"alembic_version", "users", "orders", "audit_events", "documents", "document_blobs"}


def _disk_message(exc: OSError | sqlite3.Error, where: Path) -> str:
    text = str(exc).lower()
    errno_ = getattr(exc, "errno", None)
    if errno_ == 28 or "full" in text or "no space" in text:
        return _("The disk of {file} is full: the backup was not written. Nothing was changed; free some space or "
                 "choose another disk.", file=str(where))
    if errno_ in (13, 30) or "read-only" in text or "readonly" in text or "permission" in text \
            or "unable to open" in text:
        return _("{file} cannot be written (a read-only disk or no permission): the backup was not written. "
                 "Nothing was changed; choose another place.", file=str(where))
    return _("The backup {file} could not be written: {error}. Nothing was changed.", file=str(where),
             error=str(exc))


def backup_problems(path: Path) -> list[str]:
    """Why `path` is not a sound backup of this application ([] when it is one): SQLite file, integrity check,
    this application's tables and a schema revision this version knows."""
    if not path.is_file():
        return [_("{file} does not exist.", file=str(path))]
    with path.open("rb") as fh:
        header = fh.read(100)
    if header[:16] != SQLITE_HEADER:
        return [_("{file} is not a jewelryorders backup (it is not an SQLite database).", file=str(path))]
    damaged = diagnose_sqlite(path, full=True)
    if damaged:
        return [_("{file} is damaged: {damage}", file=str(path), damage="; ".join(damaged))]
    try:
        con = sqlite3.connect(_readonly_uri(path), uri=True)
        try:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            revision = None
            if "alembic_version" in tables:
                row = con.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = str(row[0]) if row else None
        finally:
            con.close()
    except sqlite3.Error as exc:
        return [_("{file} cannot be read: {error}", file=str(path), error=str(exc))]
    if not BACKUP_MARKER_TABLES <= tables:
        return [_("{file} is an SQLite database of another program, not a backup of jewelryorders.", file=str(path))]
    if revision not in known_revisions():
        return [_newer_version_message(str(path), revision or "?")]
    return []


def backup_sqlite_to(source: Path, target: Path, *, overwrite: bool = False) -> Path:
    """A consistent copy of a live SQLite file by the online backup API (never a file copy), written beside the
    target under a temporary name, verified by an integrity check, then moved into place; the audit anchor goes
    with it. A full or read-only disk raises BackupError and leaves nothing half-written."""
    target = Path(target)
    if target.exists() and not overwrite:
        raise BackupError(_("{file} exists already; choose another name (a backup never overwrites a file).",
                            file=str(target)))
    if not target.parent.is_dir():
        raise BackupError(_("The folder {folder} does not exist.", folder=str(target.parent)))
    tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        src = sqlite3.connect(_readonly_uri(source), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            dst = sqlite3.connect(str(tmp))
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode=DELETE")
            finally:
                dst.close()
        finally:
            src.close()
        problems = diagnose_sqlite(tmp, full=True)
        if problems:
            raise BackupError(_("The backup {file} failed its integrity check ({damage}); it was not kept.",
                                file=str(target), damage="; ".join(problems)))
        os.replace(tmp, target)
        anchor = source.with_name(source.name + ".anchor")
        if anchor.exists():
            shutil.copyfile(anchor, target.with_name(target.name + ".anchor"))
    except (OSError, sqlite3.Error) as exc:
        raise BackupError(_disk_message(exc, target)) from exc
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + "-journal")):
            try:
                leftover.unlink()
            except OSError:
                pass
    return target


def automatic_backups(path: Path) -> list[Path]:
    """The automatic backups beside a database file, newest first."""
    found = [p for p in path.parent.glob(f"{path.stem}.backup-*{path.suffix or '.db'}") if p.is_file()]
    return sorted(found, key=lambda p: (p.stat().st_mtime, p.name), reverse=True)


def prune_backups(path: Path, keep: int) -> list[Path]:
    """Keep the newest `keep` automatic backups (at least one); returns those removed."""
    removed = []
    for old in automatic_backups(path)[max(1, keep):]:
        try:
            old.unlink()
            anchor = old.with_name(old.name + ".anchor")
            if anchor.exists():
                anchor.unlink()
            removed.append(old)
        except OSError:
            pass
    return removed


def newest_good_backup(path: Path) -> Path | None:
    """The newest automatic backup beside `path` that passes the check, or None."""
    for candidate in automatic_backups(path):
        if not backup_problems(candidate):
            return candidate
    return None


def restore_sqlite(backup: Path, target: Path) -> Path | None:
    """Restore a verified backup into `target` by the backup API. A sound target is backed up first (that copy is
    returned); a damaged one is never overwritten: it is moved aside as '<name>.damaged-<time>' and kept."""
    problems = backup_problems(Path(backup))
    if problems:
        raise BackupError(" ".join(problems) + " " + _("Nothing was restored."))
    target = Path(target)
    before = None
    if target.exists():
        if target.stat().st_size and not diagnose_sqlite(target, full=True):
            before = backup_sqlite(target, "before-restore")
        else:
            stamp = clock.local_now().strftime("%Y%m%d-%H%M%S")
            for suffix in ("", "-wal", "-shm"):
                part = target.with_name(target.name + suffix)
                if part.exists():
                    os.replace(part, target.with_name(f"{target.name}.damaged-{stamp}{suffix}"))
    try:
        src = sqlite3.connect(_readonly_uri(Path(backup)), uri=True)
        try:
            dst = sqlite3.connect(str(target), timeout=BUSY_TIMEOUT_MS / 1000)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except (OSError, sqlite3.Error) as exc:
        raise BackupError(_disk_message(exc, target)) from exc
    damaged = diagnose_sqlite(target, full=True)
    if damaged:
        raise BackupError(damage_message(str(target), damaged))
    anchor = Path(backup).with_name(Path(backup).name + ".anchor")
    if anchor.exists():
        shutil.copyfile(anchor, target.with_name(target.name + ".anchor"))
    return before


def _newer_version_message(where: str, revision: str) -> str:
    return _("The database {file} was written by a newer version of jewelryorders (schema {revision}). Install the "
             "newer version to open it; this version has not changed it.", file=where, revision=revision)


def _sqlite_revision_readonly(path: Path) -> str | None:
    try:
        con = sqlite3.connect(_readonly_uri(path), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error:
        return None
    try:
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        return str(row[0]) if row else None
    except sqlite3.Error:
        return None  # no such table (another program's file) or locked: the engine's checks below say which
    finally:
        con.close()


def open_database(url: str, *, migrate: bool = True, backup: bool = True) -> Database:
    """Open (creating if new) and migrate to the newest schema, after a backup when an existing file changes."""
    parsed = make_url(url)
    is_sqlite = parsed.get_backend_name() == "sqlite"
    where = str(parsed.database) if is_sqlite else parsed.render_as_string(hide_password=True)
    path = Path(parsed.database) if is_sqlite and parsed.database and parsed.database != ":memory:" else None
    if path:
        _check_sqlite_file(path)
        if path.exists():
            damaged = diagnose_sqlite(path)
            if damaged:  # refuse before anything (a migration, a first write) could touch the damaged file
                raise DatabaseOpenError(damage_message(where, damaged))
            revision = _sqlite_revision_readonly(path)
            if revision is not None and revision not in known_revisions():
                # Asked read-only: even switching the journal mode on connect would change a newer version's file.
                raise DatabaseOpenError(_newer_version_message(where, revision))
    try:
        engine = _sqlite_engine(url) if is_sqlite else create_engine(url, pool_pre_ping=True)
    except Exception as exc:  # e.g. a missing driver for the URL
        raise DatabaseOpenError(_("Cannot use the database address {url}: {error}", url=where, error=str(exc))) from exc
    db = Database(engine, url)
    try:
        with engine.connect() as conn:
            current = _current_revision(conn)
            tables = set(inspect(conn).get_table_names())
        if current is not None and current not in known_revisions():
            raise DatabaseOpenError(_newer_version_message(where, current))
        if current is None and tables - {"alembic_version"}:
            raise DatabaseOpenError(_("{file} is an SQLite database of another program, not a jewelryorders "
                                      "database. Choose another file.", file=where))
        if migrate and current != head_revision():
            if backup and path and current is not None:
                db.backup_path = backup_sqlite(path, f"schema-{current}")
            from alembic import command

            cfg = alembic_config()
            with engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
            if current in PRE_ANCHOR_REVISIONS:
                # Written before the audit head was anchored outside the file: anchor it as it is on this upgrade.
                from .services.audit import anchor_current_head

                anchor_current_head(db)
    except DatabaseOpenError:
        engine.dispose()
        raise
    except (OperationalError, SADatabaseError, sqlite3.DatabaseError) as exc:
        engine.dispose()
        if path and path.exists() and ("malformed" in str(exc) or "not a database" in str(exc)):
            raise DatabaseOpenError(damage_message(where, diagnose_sqlite(path) or [str(exc)])) from exc
        raise DatabaseOpenError(friendly_database_error(exc, where)) from exc
    except Exception as exc:  # anything else still reaches the user as words, never as a traceback
        engine.dispose()
        raise DatabaseOpenError(_("Database error on {file}: {detail}", file=where, detail=str(exc))) from exc
    return db


def schema_revision(db: Database) -> str | None:
    with db.engine.connect() as conn:
        return _current_revision(conn)
