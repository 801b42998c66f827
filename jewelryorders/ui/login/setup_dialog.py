"""First start on a new database: name the factory, create the first administrator, choose the language."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFrame, QLabel, QLineEdit, QVBoxLayout, QWidget

from ...i18n import _, current_language
from ...services.errors import DomainError, ValidationError
from .forms import FORM_STYLE, ErrorLabel, FieldMarks, add_row, form_layout, hint_label, ok_cancel_buttons, set_invalid
from .language import apply_language, language_names

if TYPE_CHECKING:  # the database layer loads after the first dialog is shown (a fast start)
    from ...db import Database
    from ...services.context import Actor


def language_combo() -> QComboBox:
    combo = QComboBox()
    for code, name in language_names():
        combo.addItem(name, code)
    index = combo.findData(current_language())
    combo.setCurrentIndex(max(index, 0))
    return combo


def heading_label() -> QLabel:
    label = QLabel()
    label.setObjectName("dialog_heading")
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.3)
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)
    return label


def separator() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line


class SetupDialog(QDialog):
    """Before anyone can log in there are no users: this dialog creates the administrator and names the factory.
    Errors are shown inside the dialog, since nobody is logged in yet to receive the usual message boxes."""

    sig_language_chosen = Signal(str)

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.actor: Actor | None = None
        self.setObjectName("setup_dialog")
        self.setStyleSheet(FORM_STYLE)
        self.setMinimumWidth(520)

        self.heading = heading_label()
        self.intro = hint_label()
        self.language = language_combo()
        self.factory_name = QLineEdit()
        self.factory_name.setMaxLength(200)
        self.admin_username = QLineEdit("admin")
        self.admin_username.setMaxLength(64)
        self.admin_display_name = QLineEdit()
        self.admin_display_name.setMaxLength(120)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_again = QLineEdit()
        self.password_again.setEchoMode(QLineEdit.EchoMode.Password)
        self.database_hint = hint_label()
        self.error = ErrorLabel()

        form = form_layout()
        self.language_label = add_row(form, self.language, "language")
        self.factory_label = add_row(form, self.factory_name, "factory_name")
        self.username_label = add_row(form, self.admin_username, "admin_username")
        self.display_name_label = add_row(form, self.admin_display_name, "admin_display_name")
        self.password_label = add_row(form, self.password, "password")
        self.password_again_label = add_row(form, self.password_again, "password_again")

        self.buttons = ok_cancel_buttons()
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 18)
        layout.setSpacing(10)
        layout.addWidget(self.heading)
        layout.addWidget(self.intro)
        layout.addSpacing(4)
        layout.addWidget(separator())
        layout.addSpacing(4)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addSpacing(6)
        layout.addWidget(self.database_hint)
        layout.addWidget(self.buttons)

        self.marks = FieldMarks({"factory_name": self.factory_name, "username": self.admin_username,
                                 "display_name": self.admin_display_name, "password": self.password,
                                 "password_again": self.password_again, "language": self.language})
        self.language.currentIndexChanged.connect(self._language_changed)
        self.retranslate_ui()
        self.factory_name.setFocus()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Set up jewelryorders"))
        self.heading.setText(_("Welcome to jewelryorders"))
        self.intro.setText(_("This database is new. Give the factory's name and create the first administrator; "
                             "the administrator then adds everyone else under Admin ▸ Users."))
        self.language_label.setText(_("&Language:"))
        self.factory_label.setText(_("&Factory name:"))
        self.username_label.setText(_("Administrator's &user name:"))
        self.display_name_label.setText(_("&Display name:"))
        self.password_label.setText(_("&Password:"))
        self.password_again_label.setText(_("&Repeat password:"))
        self.factory_name.setPlaceholderText(_("e.g. Golden Luck Jewelry Factory"))
        self.admin_display_name.setPlaceholderText(_("optional, e.g. Chan Tai Man"))
        from ...services.users import MIN_PASSWORD_LENGTH

        self.password.setPlaceholderText(_("at least {n} characters", n=MIN_PASSWORD_LENGTH))
        self.database_hint.setText(_("Database: {path}", path=self.db.display_name))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Set &up"))

    def _language_changed(self) -> None:
        code = self.language.currentData()
        apply_language(code, remember=False)
        self.retranslate_ui()
        self.sig_language_chosen.emit(code)

    def accept(self) -> None:
        self.marks.clear()
        self.error.clear_message()
        if self.password.text() != self.password_again.text():
            message = _("The two passwords are not the same; type the password again.")
            set_invalid(self.password_again, message)
            self.error.show_message(message)
            self.password_again.selectAll()
            self.password_again.setFocus()
            return
        from ...services import users

        language = self.language.currentData()
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            users.setup_factory(self.db, self.factory_name.text(), self.admin_username.text(), self.password.text(),
                                language, self.admin_display_name.text())
            self.actor = users.authenticate(self.db, self.admin_username.text(), self.password.text())
        except ValidationError as exc:
            self.marks.apply(exc)
            self.error.show_message(str(exc))
            return
        except DomainError as exc:
            self.error.show_message(str(exc))
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        apply_language(language)
        super().accept()
