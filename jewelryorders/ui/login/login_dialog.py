"""The login dialog of every later start: user name and password, with the language at hand.

At start the dialog is shown before the database layer is loaded (only Qt is needed to show it): it waits with
its Log in button disabled until the application hands it the opened database (`set_database`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent, QPaintEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit, QVBoxLayout, QWidget

from ...i18n import _
from ...services.errors import DomainError
from .forms import FORM_STYLE, ErrorLabel, add_row, form_layout, hint_label, ok_cancel_buttons, set_invalid
from .language import apply_language
from .setup_dialog import heading_label, language_combo, separator

if TYPE_CHECKING:  # loaded after the dialog is first shown
    from ...db import Database
    from ...services.context import Actor

SETTINGS_LAST_USER = "login/last_user"


def remembered_user() -> str:
    value = QSettings().value(SETTINGS_LAST_USER)
    return value if isinstance(value, str) else ""


class LoginDialog(QDialog):
    """A wrong password keeps the dialog open with the reason under the fields; success leaves `actor` set."""

    sig_language_chosen = Signal(str)
    sig_first_painted = Signal()  # the dialog is on the screen: the database may be opened now

    def __init__(self, db: Database | None, factory_name: str = "", parent: QWidget | None = None,
                 username: str | None = None, *, database_name: str = ""):
        super().__init__(parent)
        self.db = db
        self.factory_name = factory_name
        self.database_name = database_name  # shown while the database is being opened (db is None)
        self.actor: Actor | None = None
        self._painted = False
        self._login_pending = False  # Enter pressed before the database was ready: log in once it is
        self.setObjectName("login_dialog")
        self.setStyleSheet(FORM_STYLE)
        self.setMinimumWidth(440)

        self.heading = heading_label()
        self.subheading = hint_label()
        self.username = QLineEdit(remembered_user() if username is None else username)
        self.username.setMaxLength(64)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.language = language_combo()
        self.error = ErrorLabel()
        self.database_hint = hint_label()
        self.database_hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        form = form_layout()
        self.username_label = add_row(form, self.username, "username")
        self.password_label = add_row(form, self.password, "password")
        self.language_label = add_row(form, self.language, "language")

        self.buttons = ok_cancel_buttons()
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        # A focused push button would otherwise take Enter for itself: Enter on Cancel would end the application
        # when switching users. Only Esc and a click cancel.
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAutoDefault(False)
        cancel.setDefault(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 18)
        layout.setSpacing(10)
        layout.addWidget(self.heading)
        layout.addWidget(self.subheading)
        layout.addWidget(separator())
        layout.addSpacing(4)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addSpacing(6)
        layout.addWidget(self.database_hint)
        layout.addWidget(self.buttons)

        self.password.textEdited.connect(lambda _text: self._clear_error())
        self.username.textEdited.connect(lambda _text: self._clear_error())
        self.language.currentIndexChanged.connect(self._language_changed)
        self.retranslate_ui()
        self._update_ready()
        (self.password if self.username.text() else self.username).setFocus()

    @property
    def ready(self) -> bool:
        """The database is open: logging in is possible."""
        return self.db is not None

    def set_database(self, db: Database, factory_name: str = "") -> None:
        """The database is open (and up to date): show the factory's name and enable logging in."""
        self.db = db
        self.factory_name = factory_name
        self.retranslate_ui()
        self._update_ready()
        if self._login_pending:
            self._login_pending = False
            if self.username.text() and self.password.text():
                self.accept()

    def sync_language(self) -> None:
        """After the application switched the language (the database's own): the list and the texts follow."""
        from ...i18n import current_language

        index = self.language.findData(current_language())
        if index >= 0 and index != self.language.currentIndex():
            self.language.blockSignals(True)
            self.language.setCurrentIndex(index)
            self.language.blockSignals(False)
        self.retranslate_ui()

    def _update_ready(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(self.ready)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self.sig_first_painted.emit()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Log in — jewelryorders"))
        self.heading.setText(self.factory_name or "jewelryorders")
        self.subheading.setText(_("Log in with your user name and password."))
        self.username_label.setText(_("&User name:"))
        self.password_label.setText(_("&Password:"))
        self.language_label.setText(_("&Language:"))
        if self.db is None:
            self.database_hint.setText(_("Opening the database {path}…", path=self.database_name))
        else:
            self.database_hint.setText(_("Database: {path}", path=self.db.display_name))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("&Log in"))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        """Enter logs in wherever the focus is (a field, the language list, either button)."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            self.accept()
            return
        super().keyPressEvent(event)

    def _language_changed(self) -> None:
        code = self.language.currentData()
        apply_language(code, remember=False)
        self.retranslate_ui()
        if self.error.isVisible():
            self.error.clear_message()
        self.sig_language_chosen.emit(code)

    def _clear_error(self) -> None:
        if self.error.isVisible():
            self.error.clear_message()
            set_invalid(self.password, None)

    def accept(self) -> None:
        if self.db is None:  # still opening the database: log in as soon as it is ready
            self._login_pending = True
            return
        from ...services import users

        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.actor = users.authenticate(self.db, self.username.text(), self.password.text())
        except DomainError as exc:
            self.error.show_message(str(exc))
            set_invalid(self.password, str(exc))
            self.password.clear()
            self.password.setFocus()
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        settings = QSettings()
        settings.setValue(SETTINGS_LAST_USER, self.actor.username)
        apply_language(self.language.currentData())
        super().accept()
