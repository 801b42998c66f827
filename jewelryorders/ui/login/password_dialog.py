"""Changing one's own password: the current one, then the new one twice."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit, QVBoxLayout, QWidget

from ...i18n import _
from ...services import users
from ...services.errors import AuthenticationError, ValidationError
from .. import operations
from ..context import UiContext
from .forms import FORM_STYLE, ErrorLabel, FieldMarks, add_row, form_layout, hint_label, ok_cancel_buttons, set_invalid


def password_field() -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setMaxLength(256)
    return field


class ChangePasswordDialog(QDialog):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("change_password_dialog")
        self.setStyleSheet(FORM_STYLE)
        self.setMinimumWidth(420)
        self.intro = hint_label()
        self.current = password_field()
        self.new = password_field()
        self.new_again = password_field()
        self.error = ErrorLabel()
        form = form_layout()
        self.current_label = add_row(form, self.current, "current_password")
        self.new_label = add_row(form, self.new, "new_password")
        self.new_again_label = add_row(form, self.new_again, "new_password_again")
        self.buttons = ok_cancel_buttons()
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 16)
        layout.setSpacing(10)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.marks = FieldMarks({"current_password": self.current, "new_password": self.new,
                                 "new_password_again": self.new_again})
        self.retranslate_ui()
        self.current.setFocus()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Change my password"))
        self.intro.setText(_("Changing the password of {user}. The new password needs at least {n} characters.",
                             user=self.ctx.actor.display_name or self.ctx.actor.username,
                             n=users.MIN_PASSWORD_LENGTH))
        self.current_label.setText(_("&Current password:"))
        self.new_label.setText(_("&New password:"))
        self.new_again_label.setText(_("&Repeat new password:"))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("&Change password"))

    def accept(self) -> None:
        self.marks.clear()
        self.error.clear_message()
        if self.new.text() != self.new_again.text():
            message = _("The two passwords are not the same; type the password again.")
            set_invalid(self.new_again, message)
            self.error.show_message(message)
            self.new_again.setFocus()
            return

        def change() -> bool:
            try:
                users.change_own_password(self.ctx.db, self.ctx.actor, self.current.text(), self.new.text())
                return True
            except ValidationError as exc:
                self.marks.apply(exc)
                raise
            except AuthenticationError:
                set_invalid(self.current, _("The current password is wrong."))
                self.current.selectAll()
                self.current.setFocus()
                raise

        if operations.run(self.ctx, self, change, success=_("Your password was changed.")):
            super().accept()
