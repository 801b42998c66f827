"""What the archive adds to starting the application: the offer to restore the newest good backup when the database
is damaged or missing, automatic backups (on start after a migration, daily, on exit), and the notices shown after
login (overdue loans to the archive keeper, decisions on a user's requests)."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from ...db import Database, newest_good_backup
from ...i18n import _
from ...services.archive import backups, loans, requests
from ...services.permissions import allowed
from ..context import UiContext

log = logging.getLogger(__name__)
_HOURLY_MS = 60 * 60 * 1000


def ask_restore(parent: QWidget | None, message: str, backup: Path) -> bool:
    """Offer the newest good backup; tests replace this function."""
    box = QMessageBox(QMessageBox.Icon.Warning, _("Restore from a backup?"), message,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
    box.setObjectName("restore_offer_box")
    box.setInformativeText(_("The newest good backup is {file}. Restore it? The damaged file is kept aside, never "
                             "overwritten.", file=str(backup)))
    return box.exec() == QMessageBox.StandardButton.Yes


def offer_restore(parent: QWidget | None, path: Path | None, message: str) -> bool:
    """When the database file is damaged or missing and a good automatic backup exists beside it, offer it; True
    when it was restored (the caller opens the database again)."""
    if path is None:
        return False
    backup = newest_good_backup(path)
    if backup is None or not ask_restore(parent, message, backup):
        return False
    try:
        backups.restore(backup, path, username="", password="") if not backups.target_has_users(path) and not \
            backups._administrators(backup) else _restore_with_admin(parent, backup, path)
    except Exception as exc:  # noqa: BLE001 - shown to the user, the start continues with the usual choices
        QMessageBox.warning(parent, _("Restore from a backup?"), str(exc))
        return False
    return True


def _restore_with_admin(parent, backup: Path, path: Path):
    from PySide6.QtWidgets import QInputDialog, QLineEdit

    user, ok = QInputDialog.getText(parent, _("Restore from a backup?"), _("Administrator's user name"))
    if not ok:
        raise RuntimeError(_("Nothing was restored."))
    password, ok = QInputDialog.getText(parent, _("Restore from a backup?"), _("Password for {user}: ", user=user),
                                        QLineEdit.EchoMode.Password)
    if not ok:
        raise RuntimeError(_("Nothing was restored."))
    return backups.restore(backup, path, username=user, password=password)


def missing_with_backups(url: str) -> Path | None:
    """The SQLite file of `url` when it does not exist but automatic backups of it do."""
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001
        return None
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    path = Path(parsed.database)
    if path.exists():
        return None
    return path if newest_good_backup(path) is not None else None


def start_backups(db: Database) -> None:
    """After opening: a backup when the schema was just migrated or none was taken today; one every day the
    application stays open; one on exit."""
    if db.path is None:
        return
    if db.backup_path is not None:
        backups.auto_backup(db, "migrated")
    elif backups.backup_due(db):
        backups.auto_backup(db, "daily")
    app = QApplication.instance()
    if app is None:
        return
    timer = QTimer(app)
    timer.setInterval(_HOURLY_MS)
    timer.timeout.connect(lambda: backups.backup_due(db) and backups.auto_backup(db, "daily"))
    timer.start()

    def on_exit() -> None:
        timer.stop()
        try:
            backups.auto_backup(db, "exit")
        except Exception:  # noqa: BLE001 - the database may already be closed when another one was opened
            log.warning("No backup on exit of %s", db.display_name)

    app.aboutToQuit.connect(on_exit)


def start_notices(ctx: UiContext) -> list[str]:
    """Notices for the user who just logged in: overdue loans (archive keeper), decisions on their requests, requests
    waiting for their approval."""
    notes: list[str] = []
    try:
        if allowed(ctx.actor, "archive.keep"):
            overdue = loans.overdue_loans(ctx.db)
            if overdue:
                notes.append(_("{n} borrowed papers are overdue: {list}", n=len(overdue), list="; ".join(
                    f"{r.document_title} ({r.borrower}, {r.due_date.isoformat()})" for r in overdue[:5])))
            waiting = requests.list_requests(ctx.db, status="approved")
            if waiting:
                notes.append(_("{n} approved access requests wait for the archive's grant.", n=len(waiting)))
        decided = requests.notifications(ctx.db, ctx.actor)
        if decided:
            notes.append(_("Decisions on your access requests: {list}", list="; ".join(
                f"{r.number} {r.document_title}: {_(requests.REQUEST_STATUS_LABELS[r.status])}" for r in decided[:5])))
        to_approve = requests.requests_to_approve(ctx.db, ctx.actor)
        if to_approve:
            notes.append(_("{n} access requests of your department wait for your decision.", n=len(to_approve)))
    except Exception:  # noqa: BLE001 - a notice must never stop the start
        log.exception("Archive notices")
    return notes


def show_start_notices(window) -> None:
    """After login: show the notices in the status bar, and the overdue loans to the archive keeper in a box."""
    ctx = window.ctx
    notes = start_notices(ctx)
    if not notes:
        return
    window.show_status_message(notes[0])
    if allowed(ctx.actor, "archive.keep") or requests.notifications(ctx.db, ctx.actor):
        box = QMessageBox(QMessageBox.Icon.Information, _("Archive"), "\n\n".join(notes),
                          QMessageBox.StandardButton.Ok, window)
        box.setObjectName("archive_start_notice")
        box.setModal(False)
        box.show()


def open_database_safely(url: str, parent: QWidget | None = None) -> Database:
    """open_database, with the offer to restore the newest good backup when the file is missing or damaged, and
    the automatic backups started once it is open. A DatabaseOpenError still reaches the caller's usual choices."""
    from ...db import DatabaseOpenError, open_database

    missing = missing_with_backups(url)
    if missing is not None:
        offer_restore(parent, missing, _("The database {file} is missing (deleted or moved). Nothing was created "
                                         "yet.", file=str(missing)))
    try:
        db = open_database(url)
    except DatabaseOpenError as exc:
        path = _sqlite_path(url)
        if path is None or not path.exists() or not offer_restore(parent, path, str(exc)):
            raise
        db = open_database(url)
    start_backups(db)
    return db


def _sqlite_path(url: str) -> Path | None:
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001
        return None
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)
