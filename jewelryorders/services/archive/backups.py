"""Data safety: backups by SQLite's online backup API (verified when taken, the last N kept), and restore."""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ... import clock
from ...db import (BackupError, Database, automatic_backups, backup_problems, backup_sqlite_to, newest_good_backup,
                   open_database, prune_backups, restore_sqlite)
from ...i18n import LazyText, _
from .. import audit
from ..context import SYSTEM_ACTOR, Actor, read_session, unit_of_work
from ..errors import AuthenticationError, PermissionDenied, StorageError, ValidationError
from ..permissions import require

log = logging.getLogger(__name__)

DEFAULT_KEEP = 10
KEEP_SETTING = "backup_keep"

__all__ = ["BackupError", "backup_now", "auto_backup", "backup_due", "restore", "newest_good_backup",
           "automatic_backups", "backup_problems"]


def keep_count(db: Database) -> int:
    from sqlalchemy import select

    from ...models.users import Setting

    try:
        with read_session(db) as s:
            value = s.scalar(select(Setting.value).where(Setting.key == KEEP_SETTING))
    except StorageError:
        return DEFAULT_KEEP
    try:
        return max(1, int(value)) if value is not None else DEFAULT_KEEP
    except ValueError:
        return DEFAULT_KEEP


def _sqlite_path(db: Database) -> Path:
    if db.path is None:
        raise ValidationError(_("This database is on a server; back it up with the server's own tools "
                                "(e.g. pg_dump)."))
    return db.path


def _automatic_name(path: Path, label: str) -> Path:
    stamp = clock.local_now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.backup-{stamp}-{label}{path.suffix or '.db'}")
    n = 2
    while target.exists():
        target = path.with_name(f"{path.stem}.backup-{stamp}-{label}-{n}{path.suffix or '.db'}")
        n += 1
    return target


def backup_to(db: Database, out: str | Path) -> Path:
    """A verified backup (database with its document store) to a file of the user's choice (command line)."""
    try:
        return backup_sqlite_to(_sqlite_path(db), Path(out).expanduser())
    except BackupError as exc:  # a full or read-only disk, an existing file: words, nothing written
        raise StorageError(str(exc)) from exc


def backup_now(db: Database, actor: Actor, out: str | Path | None = None) -> Path:
    """"Back up now": beside the database (kept with the automatic ones) or to a chosen file."""
    require(actor, "archive.backup")
    path = _sqlite_path(db)
    try:
        target = backup_sqlite_to(path, Path(out) if out else _automatic_name(path, "manual"))
    except BackupError as exc:
        raise StorageError(str(exc)) from exc
    if out is None:
        prune_backups(path, keep_count(db))
    return target


def auto_backup(db: Database, label: str) -> Path | None:
    """An automatic backup (on start after a migration, daily, on exit); a failure is logged, never raised, so the
    application keeps working (the status bar and `check` say so)."""
    if db.path is None:
        return None
    try:
        target = backup_sqlite_to(db.path, _automatic_name(db.path, label))
    except BackupError as exc:
        log.warning("Automatic backup failed: %s", exc)
        return None
    prune_backups(db.path, keep_count(db))
    return target


def backup_due(db: Database) -> bool:
    """No automatic backup of this database was taken today."""
    if db.path is None:
        return False
    today = clock.local_now().strftime("%Y%m%d")
    return not any(f".backup-{today}-" in p.name for p in automatic_backups(db.path))


@dataclass(frozen=True)
class RestoreResult:
    target: Path
    before: Path | None  # the copy of the target taken before it was replaced
    orders: int


def _administrators(path: Path) -> dict[str, str]:
    """Active administrators of an SQLite file -> password hash; read-only; {} when it has none or is unreadable."""
    try:
        con = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            return dict(con.execute("SELECT username, password_hash FROM users WHERE role = 'administrator' "
                                    "AND active"))
        finally:
            con.close()
    except sqlite3.Error:
        return {}


def target_has_users(target: Path) -> bool:
    if not target.exists():
        return False
    try:
        con = sqlite3.connect(target.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            return bool(con.execute("SELECT count(*) FROM users").fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error:
        return False


def restore(backup: str | Path, target: str | Path, *, username: str = "", password: str = "") -> RestoreResult:
    """Restore a backup into a new or damaged database file, or over a sound one (backed up first). Where the target
    has users, an administrator of the target must give their password; where it is new or damaged, an
    administrator of the backup. Refuses a file that is not a backup of this application."""
    from ..users import verify_password

    backup, target = Path(backup).expanduser(), Path(target).expanduser()
    problems = backup_problems(backup)
    if problems:
        raise ValidationError(" ".join(problems) + " " + _("Nothing was restored or overwritten."))
    if target.resolve() == backup.resolve():
        raise ValidationError(_("The backup and the database to restore into are the same file."))
    admins = _administrators(target) if target_has_users(target) else _administrators(backup)
    if admins:
        stored = admins.get(username)
        if not username or stored is None or not verify_password(password, stored):
            raise AuthenticationError(_("Restoring needs the user name and password of an administrator of the "
                                        "database; nothing was restored."))
    try:
        before = restore_sqlite(backup, target)
    except BackupError as exc:
        raise StorageError(str(exc)) from exc
    except (OSError, sqlite3.Error) as exc:  # e.g. the folder is read-only: the target is left as it was
        raise StorageError(_("The backup could not be restored into {file}: {error}. Nothing was overwritten.",
                             file=str(target), error=str(exc))) from exc
    db = open_database("sqlite:///" + str(target.resolve()), backup=False)
    try:
        from sqlalchemy import func, select

        from ...models.orders import Order

        with unit_of_work(db) as s:
            audit.record(s, SYSTEM_ACTOR, "restore_database", "database", None,
                         LazyText("database restored from the backup {file} by {user}", file=backup.name,
                                  user=username or "—"))
        audit.anchor_current_head(db, force=True)  # the restored trail is the reference from now on
        with read_session(db) as s:
            orders = int(s.scalar(select(func.count(Order.id))) or 0)
    finally:
        db.close()
    return RestoreResult(target, before, orders)


def check_restore_right(actor: Actor) -> None:
    """The GUI's "Restore…" is for administrators."""
    require(actor, "archive.restore")
    if actor.user_id is None:
        raise PermissionDenied(_("Only a user may restore."))


def set_keep_count(db: Database, actor: Actor, keep: object) -> int:
    """How many automatic backups are kept (the oldest beyond it are removed when a new one is taken)."""
    from ...models.users import Setting
    from ..validation import Problems, positive_int

    require(actor, "settings.edit")
    problems = Problems()
    n = positive_int(problems, "keep", _("Backups kept"), keep, maximum=1000)
    problems.raise_if_any()
    with unit_of_work(db) as s:
        row = s.get(Setting, KEEP_SETTING)
        before = row.value if row else None
        if row is None:
            s.add(Setting(key=KEEP_SETTING, value=str(n)))
        else:
            row.value = str(n)
        audit.record(s, actor, "set_backup_keep", "setting", None,
                     LazyText("the last {n} automatic backups are kept", n=n), {"keep": before}, {"keep": n})
    return n
