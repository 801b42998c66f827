"""Starting the desktop application: Qt set-up, opening the database with clear advice, setup or login, main window.

A fast start (issue 7): the login dialog is shown with Qt alone; the database layer (SQLAlchemy, the models) is
imported and the database opened (and brought up to date) right after the dialog is painted, and its Log in button
is enabled once the database is ready. Nothing of the database layer is imported at this module's top.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox, QWidget

from .. import APP_NAME, ORG_NAME, __version__
from ..i18n import DEFAULT_LANGUAGE, LANGUAGES, _, normalize_language
from .login.language import apply_language, remembered_language
from .login.login_dialog import LoginDialog

if TYPE_CHECKING:  # loaded once the first dialog is on the screen
    from ..db import Database
    from ..services.context import Actor
    from .context import UiContext
    from .main_window import MainWindow

log = logging.getLogger(__name__)

ICON_DIR = Path(__file__).resolve().parents[2] / "resources" / "icons"
WINDOWS_APP_ID = "jewelryorders.desktop"

CHOICE_RETRY, CHOICE_CHOOSE, CHOICE_QUIT = "retry", "choose", "quit"
# The login dialog's result when the opened database turns out new (no users yet): the setup dialog follows.
NEEDS_SETUP = 2
# Should the dialog not be painted (a minimised start), the database is opened after this many milliseconds anyway.
OPEN_ANYWAY_MS = 500

_DATABASE_LAYER = ("Database", "DatabaseOpenError", "default_db_path", "open_database")


def __getattr__(name: str):
    """The database layer's names, as this module offered them before it loaded them late (PEP 562)."""
    if name in _DATABASE_LAYER:
        from .. import db

        return getattr(db, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def app_icon() -> QIcon:
    icon = QIcon()
    for name in ("app.svg", "app.png"):
        path = ICON_DIR / name
        if path.exists():
            icon.addFile(str(path))
    return icon


def create_application(argv: list[str] | None = None) -> QApplication:
    """The one QApplication, named so that a bare QSettings() finds this application's settings."""
    app = QApplication.instance()
    if app is None:
        if sys.platform == "win32":
            # Without its own id Windows groups the window under python.exe and shows Python's icon in the taskbar.
            import ctypes

            ctypes.windll.shell32.SetCurrentProcessExplicitAppUserModelID(WINDOWS_APP_ID)
        app = QApplication(list(argv) if argv is not None else sys.argv[:1])
    QCoreApplication.setOrganizationName(ORG_NAME)
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setApplicationVersion(__version__)
    app.setWindowIcon(app_icon())
    return app


def sqlite_url(path: str | Path) -> str:
    return "sqlite:///" + str(Path(path).expanduser().resolve())


def sqlite_file_of(url: str) -> str:
    """The file behind an SQLite URL ('' for a server database), where the file dialog starts."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return ""
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return ""
    return parsed.database


# -- opening the database ---------------------------------------------------------------------------------------

def explain_open_error(parent: QWidget | None, message: str) -> str:
    """Say why the database cannot be opened; the user tries again, chooses another file, or quits."""
    box = QMessageBox(QMessageBox.Icon.Critical, _("Cannot open the database"), message,
                      QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName("database_open_error_box")
    box.setInformativeText(_("Choose another database file, try again, or quit."))
    choose = box.addButton(_("&Choose another file…"), QMessageBox.ButtonRole.AcceptRole)
    retry = box.addButton(_("&Try again"), QMessageBox.ButtonRole.ActionRole)
    quit_button = box.addButton(_("&Quit"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(choose)
    box.setEscapeButton(quit_button)
    box.exec()
    clicked = box.clickedButton()
    if clicked is choose:
        return CHOICE_CHOOSE
    if clicked is retry:
        return CHOICE_RETRY
    return CHOICE_QUIT


def ask_database_file(parent: QWidget | None, start: str = "") -> str | None:
    """An existing database file, or a new file name to start a new database; None when cancelled."""
    from ..db import default_db_path

    path, _filter = QFileDialog.getSaveFileName(
        parent, _("Choose a database file (an existing one, or a new name for a new database)"),
        start or str(default_db_path()),
        _("jewelryorders databases (*.db *.sqlite *.sqlite3);;All files (*)"),
        options=QFileDialog.Option.DontConfirmOverwrite)
    return path or None


def open_or_explain(url: str, parent: QWidget | None = None) -> Database | None:
    """Open the database; when that fails, explain it (naming the file) until it opens or the user quits."""
    from ..db import DatabaseOpenError, open_database

    while True:
        try:
            # The archive offers the newest good backup for a missing or damaged file and starts automatic backups.
            from .archive.startup import open_database_safely, show_start_notices  # noqa: F401

            return open_database_safely(url, parent)
        except DatabaseOpenError as exc:
            log.warning("Cannot open %s: %s", url, exc)
            choice = explain_open_error(parent, str(exc))
        if choice == CHOICE_QUIT:
            return None
        if choice == CHOICE_CHOOSE:
            path = ask_database_file(parent, sqlite_file_of(url))
            if path:
                url = sqlite_url(path)


# -- who is working ---------------------------------------------------------------------------------------------

def sign_in(db: Database, parent: QWidget | None = None, username: str | None = None) -> Actor | None:
    """The setup dialog on a new database, else the login dialog; the logged-in user, or None when cancelled."""
    from ..services import users
    from ..services.errors import DomainError
    from . import operations
    from .login.setup_dialog import SetupDialog

    try:
        new_database = users.needs_setup(db)
        factory_name = "" if new_database else users.get_setting(db, "factory_name")
    except DomainError as exc:
        operations.show_error(parent, exc)
        return None
    dialog: SetupDialog | LoginDialog
    dialog = SetupDialog(db, parent) if new_database else LoginDialog(db, factory_name, parent, username)
    if dialog.exec() == QDialog.DialogCode.Accepted:
        return dialog.actor
    return None


def context_for(db: Database, actor: Actor) -> UiContext:
    from ..services import users
    from .context import UiContext

    return UiContext(db=db, actor=actor, factory_name=users.get_setting(db, "factory_name"))


class ShellController(QObject):
    """Owns the open database and the main window; logging out and changing the database replace both."""

    def __init__(self, app: QApplication, db: Database):
        super().__init__(app)
        self.app = app
        self.db = db
        self.window: MainWindow | None = None

    def start(self) -> bool:
        actor = sign_in(self.db)
        if actor is None:
            return False
        self.show_main_window(actor)
        return True

    def show_main_window(self, actor: Actor) -> MainWindow:
        from .main_window import MainWindow

        window = MainWindow(context_for(self.db, actor))
        window.sig_logout_requested.connect(self.log_out)
        window.sig_change_database_requested.connect(self.change_database)
        self.window = window
        window.show()
        from .archive.startup import show_start_notices  # overdue loans, decisions on the user's requests

        show_start_notices(window)
        if self.db.backup_path is not None:
            window.show_status_message(_("The database was brought up to date; the copy from before is kept as "
                                         "{path}.", path=str(self.db.backup_path)))
        return window

    def _retire_window(self) -> None:
        old, self.window = self.window, None
        if old is not None:
            old.close()
            old.deleteLater()

    def log_out(self) -> None:
        """Hide the window of the user who leaves; the next user logs in, or cancelling ends the application."""
        if self.window is None:
            return
        self.window.save_settings()
        self.window.hide()
        self.app.setQuitOnLastWindowClosed(False)
        try:
            actor = sign_in(self.db, None, username="")
            self._retire_window()
            if actor is None:
                self.app.quit()
            else:
                self.show_main_window(actor)
        finally:
            self.app.setQuitOnLastWindowClosed(True)

    def change_database(self) -> None:
        parent = self.window
        path = ask_database_file(parent, sqlite_file_of(self.db.url))
        if not path:
            return
        db = open_or_explain(sqlite_url(path), parent)
        if db is None:
            return
        actor = sign_in(db, parent)
        if actor is None:
            db.close()
            return
        self.app.setQuitOnLastWindowClosed(False)
        try:
            self._retire_window()
            self.db.close()
            self.db = db
            self.show_main_window(actor)
        finally:
            self.app.setQuitOnLastWindowClosed(True)

    def close(self) -> None:
        self.db.close()


def starting_language(lang: str | None) -> str | None:
    """The --lang argument, else the language last used on this workstation; None leaves it to the database."""
    if lang:
        return normalize_language(lang)
    return remembered_language()


def database_language(db: Database) -> str:
    from ..services import users
    from ..services.errors import DomainError

    try:
        code = users.get_setting(db, "language")
    except DomainError:
        return DEFAULT_LANGUAGE
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def _show_unexpected_error(exc_type, exc, tb) -> None:
    """Last resort for a programming error in a slot: say so plainly instead of failing silently."""
    log.error("Unexpected error", exc_info=(exc_type, exc, tb))
    if QApplication.instance() is None or issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    box = QMessageBox(QMessageBox.Icon.Critical, _("Unexpected error"),
                      _("Something went wrong inside jewelryorders; what you were doing may not have been saved. "
                        "Please tell the administrator and quote the details."))
    box.setDetailedText("".join(traceback.format_exception(exc_type, exc, tb)))
    box.exec()


# -- a fast start -----------------------------------------------------------------------------------------------

def database_display_name(url: str) -> str:
    """The database as the dialogs name it (the file, or the server address without its password), without the
    database layer: shown while the database is being opened."""
    if url.startswith("sqlite:///"):
        return url.removeprefix("sqlite:///").split("?", 1)[0]
    return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", url)


def window_database_url(db_path: str | os.PathLike | None) -> str | None:
    """The database the window opens, as `db.resolve_url(db_path)` gives it, for an SQLite file, without loading
    the database layer (tests/test_startup.py keeps the two equal); None for a server database named in
    $JEWELRYORDERS_DATABASE_URL, which the usual way resolves and checks."""
    if db_path:
        return sqlite_url(db_path)
    if os.environ.get("JEWELRYORDERS_DATABASE_URL"):
        return None
    if os.environ.get("JEWELRYORDERS_DB"):
        return sqlite_url(os.environ["JEWELRYORDERS_DB"])
    from platformdirs import user_data_dir

    return sqlite_url(Path(user_data_dir("jewelryorders", "jewelryorders")) / "jewelryorders.db")


def is_new_sqlite_file(url: str) -> bool:
    """An SQLite file that does not exist yet: the first-run setup follows, so there is no login dialog to show first."""
    if not url.startswith("sqlite:///"):
        return False
    path = url.removeprefix("sqlite:///").split("?", 1)[0]
    return bool(path) and path != ":memory:" and not os.path.exists(path)


def sign_in_at_start(db_url: str, follow_database_language: bool,
                     username: str | None = None) -> tuple[Database | None, Actor | None]:
    """The login dialog first, shown with Qt alone; once it is painted the database is opened (`open_or_explain`,
    its errors explained as ever) and the dialog's Log in button enabled. Returns (None, None) when the database was
    not opened (the user quit), (db, None) when the user cancelled, else (db, the logged-in user). A database
    without users yet gets the setup dialog instead."""
    dialog = LoginDialog(None, "", None, username, database_name=database_display_name(db_url))
    state: dict = {"started": False, "db": None, "language_chosen": False}
    dialog.sig_language_chosen.connect(lambda _code: state.update(language_chosen=True))

    def open_now() -> None:
        if state["started"] or not dialog.isVisible():
            return
        state["started"] = True
        db = open_or_explain(db_url, dialog)
        if db is None:
            dialog.reject()
            return
        state["db"] = db
        from ..services import users
        from ..services.errors import DomainError

        if follow_database_language and not state["language_chosen"]:
            apply_language(database_language(db), remember=False)
            dialog.sync_language()
        try:
            new_database = users.needs_setup(db)
            factory_name = "" if new_database else users.get_setting(db, "factory_name")
        except DomainError as exc:
            from . import operations

            operations.show_error(dialog, exc)
            dialog.reject()
            return
        if new_database:
            dialog.done(NEEDS_SETUP)
            return
        dialog.set_database(db, factory_name)

    dialog.sig_first_painted.connect(lambda: QTimer.singleShot(0, open_now))
    QTimer.singleShot(OPEN_ANYWAY_MS, open_now)
    result = dialog.exec()
    db = state["db"]
    if db is None:
        return None, None
    if result == NEEDS_SETUP:
        return db, sign_in(db)
    if result == QDialog.DialogCode.Accepted:
        return db, dialog.actor
    return db, None


def run_gui(db_url: str, lang: str | None = None) -> int:
    """The desktop application: returns the process exit code."""
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_application()
    chosen = starting_language(lang)
    # Messages about a database that does not open must already be in the user's language.
    apply_language(chosen or DEFAULT_LANGUAGE, remember=False)
    sys.excepthook = _show_unexpected_error
    if is_new_sqlite_file(db_url):  # the first run: the database is made, then the setup dialog
        db = open_or_explain(db_url)
        if db is None:
            return 1
        if chosen is None:
            apply_language(database_language(db), remember=False)
        controller = ShellController(app, db)
        try:
            if not controller.start():
                return 0
            return int(app.exec())
        finally:
            controller.close()
    db, actor = sign_in_at_start(db_url, chosen is None)
    if db is None:
        return 1
    controller = ShellController(app, db)
    try:
        if actor is None:
            return 0
        controller.show_main_window(actor)
        return int(app.exec())
    finally:
        controller.close()
