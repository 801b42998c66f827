"""Starting the desktop application: Qt set-up, opening the database with clear advice, setup or login, main window."""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path

# The database layer and the models load before PySide6: once PySide6 is imported it inspects every later import
# (its __feature__ hook), which makes SQLAlchemy's many modules noticeably slower to load at start.
from sqlalchemy.engine import make_url  # isort: skip
from sqlalchemy.exc import ArgumentError  # isort: skip

from .. import APP_NAME, ORG_NAME, __version__  # isort: skip
from ..db import Database, DatabaseOpenError, default_db_path, open_database  # isort: skip
from ..i18n import DEFAULT_LANGUAGE, LANGUAGES, _, normalize_language  # isort: skip
from ..services import users  # isort: skip
from ..services.context import Actor  # isort: skip
from ..services.errors import DomainError  # isort: skip

from PySide6.QtCore import QCoreApplication, QObject  # noqa: E402
from PySide6.QtGui import QIcon  # noqa: E402
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox, QWidget  # noqa: E402

from . import operations  # noqa: E402
from .context import UiContext
from .login.language import apply_language, remembered_language
from .login.login_dialog import LoginDialog
from .login.setup_dialog import SetupDialog
from .main_window import MainWindow

log = logging.getLogger(__name__)

ICON_DIR = Path(__file__).resolve().parents[2] / "resources" / "icons"
WINDOWS_APP_ID = "jewelryorders.desktop"

CHOICE_RETRY, CHOICE_CHOOSE, CHOICE_QUIT = "retry", "choose", "quit"


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
    path, _filter = QFileDialog.getSaveFileName(
        parent, _("Choose a database file (an existing one, or a new name for a new database)"),
        start or str(default_db_path()),
        _("jewelryorders databases (*.db *.sqlite *.sqlite3);;All files (*)"),
        options=QFileDialog.Option.DontConfirmOverwrite)
    return path or None


def open_or_explain(url: str, parent: QWidget | None = None) -> Database | None:
    """Open the database; when that fails, explain it (naming the file) until it opens or the user quits."""
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


def run_gui(db_url: str, lang: str | None = None) -> int:
    """The desktop application: returns the process exit code."""
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_application()
    chosen = starting_language(lang)
    # Messages about a database that does not open must already be in the user's language.
    apply_language(chosen or DEFAULT_LANGUAGE, remember=False)
    sys.excepthook = _show_unexpected_error
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
