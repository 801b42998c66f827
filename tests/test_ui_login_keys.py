"""The login and switch-user dialogs: Enter logs in from every field and button; it never cancels (which quits)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QSettings, Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from jewelryorders.ui.login.language import apply_language
from jewelryorders.ui.login.login_dialog import LoginDialog


@pytest.fixture(autouse=True)
def isolated_settings(qapp, tmp_path):
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    QCoreApplication.setOrganizationName("jewelryorders-tests")
    QCoreApplication.setApplicationName("jewelryorders-tests")
    QSettings().clear()
    yield
    apply_language("en", remember=False)


def _field(dialog: LoginDialog, name: str):
    if name in ("username", "password", "language"):
        return getattr(dialog, name)
    button = {"ok": QDialogButtonBox.StandardButton.Ok, "cancel": QDialogButtonBox.StandardButton.Cancel}[name]
    return dialog.buttons.button(button)


@pytest.mark.parametrize("switching_user", [False, True], ids=["login", "switch-user"])
@pytest.mark.parametrize("focus", ["username", "password", "language", "ok", "cancel"])
@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Enter])
def test_enter_logs_in_wherever_the_focus_is(qtbot, db, admin, focus, key, switching_user):
    dialog = LoginDialog(db, "金福珠寶廠", username="" if switching_user else "admin")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.username.setText("admin")
    dialog.password.setText("admin-pass")
    widget = _field(dialog, focus)
    widget.setFocus()
    qtbot.keyClick(widget, key)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.actor is not None and dialog.actor.username == "admin"


@pytest.mark.parametrize("focus", ["username", "password", "language", "cancel"])
def test_enter_with_a_wrong_password_keeps_the_dialog_open_and_never_cancels(qtbot, db, admin, focus):
    dialog = LoginDialog(db, "", username="")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.username.setText("admin")
    dialog.password.setText("wrong-password")
    widget = _field(dialog, focus)
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert dialog.error.isVisible() and dialog.actor is None
