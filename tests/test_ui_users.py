"""The administrator's users window, password resets, and changing one's own password."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from jewelryorders.services import users
from jewelryorders.services.errors import AuthenticationError
from jewelryorders.ui.admin.settings_dialog import FactorySettingsDialog, settings_dialog_for
from jewelryorders.ui.admin.users_dialog import ResetPasswordDialog, UserEditDialog, UsersDialog, users_dialog_for
from jewelryorders.ui.context import UiContext
from jewelryorders.ui.login.password_dialog import ChangePasswordDialog
from jewelryorders.ui.main_window import ACTION_USERS, MainWindow

from .test_ui_shell import errors, isolated_settings  # noqa: F401  (shared fixtures)


@pytest.fixture
def admin_ctx(db, admin):
    return UiContext(db, admin, "金福珠寶廠")


def fill_new_user(dialog: UserEditDialog, username: str, *, department="quality", role="department_head",
                  password="quality-1", again=None):
    dialog.username.setText(username)
    dialog.display_name.setText("質量部 林主管")
    dialog.department.setCurrentIndex(dialog.department.findData(department))
    dialog.role.setCurrentIndex(dialog.role.findData(role))
    dialog.password.setText(password)
    dialog.password_again.setText(password if again is None else again)


def test_users_dialog_creates_a_user_who_can_then_log_in(qtbot, admin_ctx, monkeypatch, errors):
    dialog = users_dialog_for(admin_ctx)
    assert isinstance(dialog, UsersDialog)
    qtbot.addWidget(dialog)

    def exec_filled(self):
        fill_new_user(self, "lin.qc")
        self.accept()
        return self.result()

    monkeypatch.setattr(UserEditDialog, "exec", exec_filled)
    with qtbot.waitSignal(admin_ctx.bus.sig_users_changed):
        dialog.new_user()
    assert errors == []
    assert "lin.qc" in [u.username for u in dialog.model.rows]
    assert dialog.selected_user().username == "lin.qc"
    row = dialog.proxy.mapFromSource(dialog.model.index(dialog.model.row_of(dialog.selected_user().id), 2))
    assert dialog.proxy.data(row) == "Quality"
    actor = users.authenticate(admin_ctx.db, "lin.qc", "quality-1")
    assert (actor.department, actor.role) == ("quality", "department_head")


def test_a_clerk_cannot_open_the_users_window(qtbot, db, make_user, errors):
    clerk_ctx = UiContext(db, make_user("sales", "clerk"), "F")
    assert users_dialog_for(clerk_ctx) is None
    assert len(errors) == 1 and "may not manage users" in errors[0]
    assert settings_dialog_for(clerk_ctx) is None
    window = MainWindow(clerk_ctx)
    qtbot.addWidget(window)
    assert not window.actions[ACTION_USERS].isEnabled()


def test_a_taken_user_name_is_marked_and_nothing_is_created(qtbot, admin_ctx, errors):
    dialog = UserEditDialog(admin_ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    fill_new_user(dialog, "ADMIN")
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert errors and "is taken" in errors[0]
    assert dialog.username.property("invalid") is True
    assert [u.username for u in users.list_users(admin_ctx.db)] == ["admin"]


def test_differing_passwords_are_caught_before_anything_is_saved(qtbot, admin_ctx, errors):
    dialog = UserEditDialog(admin_ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    fill_new_user(dialog, "chen", again="something-else")
    dialog.accept()
    assert dialog.error.isVisible() and "not the same" in dialog.error.text()
    assert dialog.password_again.property("invalid") is True
    assert len(users.list_users(admin_ctx.db)) == 1


def test_editing_changes_role_and_deactivates(qtbot, admin_ctx, make_user, errors):
    make_user("production", "clerk", "zhou")
    zhou = next(u for u in users.list_users(admin_ctx.db) if u.username == "zhou")
    dialog = UserEditDialog(admin_ctx, user=zhou)
    qtbot.addWidget(dialog)
    assert dialog.username.isReadOnly()
    dialog.role.setCurrentIndex(dialog.role.findData("department_head"))
    dialog.active.setChecked(False)
    dialog.accept()
    assert errors == []
    changed = users.get_user(admin_ctx.db, zhou.id)
    assert changed.role == "department_head" and not changed.active
    with pytest.raises(AuthenticationError):
        users.authenticate(admin_ctx.db, "zhou", "password1")


def test_the_last_administrator_cannot_demote_themselves(qtbot, admin_ctx, errors):
    me = users.list_users(admin_ctx.db)[0]
    dialog = UserEditDialog(admin_ctx, user=me)
    qtbot.addWidget(dialog)
    dialog.role.setCurrentIndex(dialog.role.findData("clerk"))
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert errors and "last active administrator" in errors[0]
    assert users.get_user(admin_ctx.db, me.id).role == "administrator"


def test_deactivated_users_can_be_hidden_and_searched(qtbot, admin_ctx, make_user):
    make_user("logistics", "clerk", "ma.wuliu")
    gone = next(u for u in users.list_users(admin_ctx.db) if u.username == "ma.wuliu")
    users.update_user(admin_ctx.db, admin_ctx.actor, gone.id, gone.version, display_name="Ma", department="logistics",
                      role="clerk", active=False)
    dialog = UsersDialog(admin_ctx)
    qtbot.addWidget(dialog)
    assert dialog.proxy.rowCount() == 2
    dialog.show_inactive.setChecked(False)
    assert dialog.proxy.rowCount() == 1
    dialog.show_inactive.setChecked(True)
    dialog.search.setText("logist")
    assert dialog.proxy.rowCount() == 1
    assert dialog.proxy.data(dialog.proxy.index(0, 0)) == "ma.wuliu"
    assert dialog.proxy.data(dialog.proxy.index(0, 4)) == "Deactivated"
    assert dialog.proxy.data(dialog.proxy.index(0, 0), Qt.ItemDataRole.ForegroundRole) is not None


def test_reset_password_lets_the_user_log_in_with_the_new_one(qtbot, admin_ctx, make_user, errors):
    make_user("archive", "clerk", "he.dang")
    target = next(u for u in users.list_users(admin_ctx.db) if u.username == "he.dang")
    dialog = ResetPasswordDialog(admin_ctx, target)
    qtbot.addWidget(dialog)
    dialog.password.setText("123")
    dialog.password_again.setText("123")
    dialog.accept()
    assert errors and "at least 6" in errors[0]
    assert dialog.password.property("invalid") is True
    dialog.password.setText("new-secret")
    dialog.password_again.setText("new-secret")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert users.authenticate(admin_ctx.db, "he.dang", "new-secret").username == "he.dang"


def test_change_own_password_checks_the_current_one(qtbot, db, make_user, errors):
    clerk = make_user("sales", "clerk", "amy")
    ctx = UiContext(db, clerk, "F")
    dialog = ChangePasswordDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.current.setText("not-my-password")
    dialog.new.setText("brand-new-1")
    dialog.new_again.setText("brand-new-1")
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert errors == ["The current password is wrong."]
    assert dialog.current.property("invalid") is True
    dialog.current.setText("password1")
    with qtbot.waitSignal(ctx.bus.sig_status_message) as status:
        dialog.accept()
    assert status.args == ["Your password was changed."]
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert users.authenticate(db, "amy", "brand-new-1").username == "amy"


def test_factory_settings_rename_the_factory_in_the_window_title(qtbot, admin_ctx, monkeypatch, errors):
    window = MainWindow(admin_ctx)
    qtbot.addWidget(window)
    dialog = settings_dialog_for(admin_ctx, window)
    dialog.factory_name.setText("")
    dialog.accept()
    assert errors and dialog.factory_name.property("invalid") is True
    assert users.get_setting(admin_ctx.db, "factory_name") == "金福珠寶廠 Golden Luck Jewelry"

    def exec_filled(self):
        self.factory_name.setText("金福珠寶首飾廠")
        self.default_lead_days.setValue(45)
        self.accept()
        return self.result()

    monkeypatch.setattr(FactorySettingsDialog, "exec", exec_filled)
    window.open_factory_settings()
    assert users.get_setting(admin_ctx.db, "factory_name") == "金福珠寶首飾廠"
    assert users.get_setting(admin_ctx.db, "default_lead_days") == "45"
    assert window.windowTitle() == "金福珠寶首飾廠 — jewelryorders"
