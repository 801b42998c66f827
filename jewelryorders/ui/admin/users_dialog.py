"""The administrator's users window: who may log in, their department and role, new users and password resets."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QObject, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...i18n import N_, _
from ...models.users import DEPARTMENTS, ROLES
from ...services import permissions, users
from ...services.errors import PermissionDenied, ValidationError
from ...services.users import UserInfo
from .. import operations
from ..context import UiContext
from ..login.forms import (
    FORM_STYLE,
    ErrorLabel,
    FieldMarks,
    add_row,
    form_layout,
    hint_label,
    ok_cancel_buttons,
    set_invalid,
    set_tab_order,
)
from ..login.password_dialog import password_field

USER_COLUMNS: list[tuple[str, str]] = [
    ("username", N_("User name")),
    ("display_name", N_("Display name")),
    ("department", N_("Department")),
    ("role", N_("Role")),
    ("active", N_("Status")),
]
INACTIVE_COLOR = QColor("#8a8a8a")


def department_label(key: str) -> str:
    return _(DEPARTMENTS[key]) if key in DEPARTMENTS else key


def role_label(key: str) -> str:
    return _(ROLES[key]) if key in ROLES else key


class UsersTableModel(QAbstractTableModel):
    """The factory's users; a few dozen rows, so the whole list is held and filtered by a proxy."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[UserInfo] = []

    def set_rows(self, rows: list[UserInfo]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(USER_COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _(USER_COLUMNS[section][1])
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        user = self.rows[index.row()]
        key = USER_COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            if key == "department":
                return department_label(user.department)
            if key == "role":
                return role_label(user.role)
            if key == "active":
                return _("Active") if user.active else _("Deactivated")
            return getattr(user, key)
        if role == Qt.ItemDataRole.ForegroundRole and not user.active:
            return QBrush(INACTIVE_COLOR)
        if role == Qt.ItemDataRole.UserRole:
            return user
        return None

    def row_of(self, user_id: int) -> int:
        return next((i for i, u in enumerate(self.rows) if u.id == user_id), -1)


class _UserFilter(QSortFilterProxyModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.show_inactive = True
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(-1)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def set_show_inactive(self, show: bool) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt 6.9 and later
            self.beginFilterChange()
            self.show_inactive = show
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.show_inactive = show
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row, source_parent) -> bool:
        user = self.sourceModel().rows[source_row]
        if not self.show_inactive and not user.active:
            return False
        return super().filterAcceptsRow(source_row, source_parent)


def _combo(items: dict[str, str]) -> QComboBox:
    combo = QComboBox()
    for key in items:
        combo.addItem("", key)
    return combo


def _retranslate_combo(combo: QComboBox, items: dict[str, str]) -> None:
    for i in range(combo.count()):
        combo.setItemText(i, _(items[combo.itemData(i)]))


class UserEditDialog(QDialog):
    """New user (with a first password) or changes to one (display name, department, role, active)."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None, user: UserInfo | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.user = user
        self.result_user: UserInfo | None = None
        self.setObjectName("user_edit_dialog")
        self.setStyleSheet(FORM_STYLE)
        self.setMinimumWidth(460)

        self.username = QLineEdit(user.username if user else "")
        self.username.setMaxLength(64)
        self.username.setReadOnly(user is not None)
        self.display_name = QLineEdit(user.display_name if user else "")
        self.display_name.setMaxLength(120)
        self.department = _combo(DEPARTMENTS)
        self.role = _combo(ROLES)
        self.active = QCheckBox()
        self.active.setChecked(user.active if user else True)
        self.password = password_field()
        self.password_again = password_field()
        self.error = ErrorLabel()
        if user:
            self.department.setCurrentIndex(max(self.department.findData(user.department), 0))
            self.role.setCurrentIndex(max(self.role.findData(user.role), 0))
        else:
            self.department.setCurrentIndex(self.department.findData("sales"))
            self.role.setCurrentIndex(self.role.findData("clerk"))

        form = form_layout()
        self.username_label = add_row(form, self.username, "username")
        self.display_name_label = add_row(form, self.display_name, "display_name")
        self.department_label = add_row(form, self.department, "department")
        self.role_label = add_row(form, self.role, "role")
        self.active_label = add_row(form, self.active, "active")
        self.password_label = self.password_again_label = None
        if user is None:
            self.password_label = add_row(form, self.password, "password")
            self.password_again_label = add_row(form, self.password_again, "password_again")
        self.role_hint = hint_label()

        self.buttons = ok_cancel_buttons()
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 16)
        layout.setSpacing(10)
        layout.addLayout(form)
        layout.addWidget(self.role_hint)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.marks = FieldMarks({"username": self.username, "display_name": self.display_name,
                                 "department": self.department, "role": self.role, "active": self.active,
                                 "password": self.password, "password_again": self.password_again})
        set_tab_order([None if user else self.username, self.display_name, self.department, self.role, self.active,
                       None if user else self.password, None if user else self.password_again])
        self.role.currentIndexChanged.connect(self._update_role_hint)
        self.retranslate_ui()
        (self.display_name if user else self.username).setFocus()

    def retranslate_ui(self) -> None:
        if self.user:
            self.setWindowTitle(_("Edit user {user}", user=self.user.username))
        else:
            self.setWindowTitle(_("New user"))
        self.username_label.setText(_("&User name:"))
        self.display_name_label.setText(_("&Display name:"))
        self.department_label.setText(_("De&partment:"))
        self.role_label.setText(_("&Role:"))
        self.active_label.setText(_("Status:"))
        self.active.setText(_("&Active (may log in)"))
        if self.password_label is not None:
            self.password_label.setText(_("&Password:"))
            self.password_again_label.setText(_("Re&peat password:"))
            self.password.setPlaceholderText(_("at least {n} characters", n=users.MIN_PASSWORD_LENGTH))
        self.username.setPlaceholderText(_("for logging in, no spaces, e.g. wang.li"))
        self.display_name.setPlaceholderText(_("as shown on screens and papers"))
        _retranslate_combo(self.department, DEPARTMENTS)
        _retranslate_combo(self.role, ROLES)
        self._update_role_hint()

    def _update_role_hint(self) -> None:
        hints = {
            "clerk": _("A clerk works on the orders of the department."),
            "department_head": _("A department head also approves the department's opinions and archive requests."),
            "manager": _("A manager also decides escalated orders and abandons orders."),
            "administrator": _("An administrator also manages users and the factory settings."),
        }
        self.role_hint.setText(hints.get(self.role.currentData(), ""))

    def accept(self) -> None:
        self.marks.clear()
        self.error.clear_message()
        if self.user is None and self.password.text() != self.password_again.text():
            message = _("The two passwords are not the same; type the password again.")
            set_invalid(self.password_again, message)
            self.error.show_message(message)
            self.password_again.setFocus()
            return
        department, role, active = self.department.currentData(), self.role.currentData(), self.active.isChecked()

        def save() -> UserInfo:
            try:
                if self.user is None:
                    return users.create_user(self.ctx.db, self.ctx.actor, self.username.text(),
                                             self.display_name.text(), department, role, self.password.text(),
                                             active=active)
                return users.update_user(self.ctx.db, self.ctx.actor, self.user.id, self.user.version,
                                         display_name=self.display_name.text(), department=department, role=role,
                                         active=active, language=self.user.language)
            except ValidationError as exc:
                self.marks.apply(exc)
                raise

        saved = operations.run(self.ctx, self, save, success=_("User {user} saved.", user=self.username.text()))
        if saved is not None:
            self.result_user = saved
            super().accept()


class ResetPasswordDialog(QDialog):
    """The administrator sets a new password for a user who forgot theirs."""

    def __init__(self, ctx: UiContext, user: UserInfo, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.user = user
        self.setObjectName("reset_password_dialog")
        self.setStyleSheet(FORM_STYLE)
        self.setMinimumWidth(420)
        self.intro = hint_label()
        self.password = password_field()
        self.password_again = password_field()
        self.error = ErrorLabel()
        form = form_layout()
        self.password_label = add_row(form, self.password, "password")
        self.password_again_label = add_row(form, self.password_again, "password_again")
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
        self.marks = FieldMarks({"password": self.password, "password_again": self.password_again})
        self.retranslate_ui()
        self.password.setFocus()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Reset password of {user}", user=self.user.username))
        self.intro.setText(_("Set a new password for {name} ({user}) and tell it to them in person; they can "
                             "change it under File ▸ Change my password.", name=self.user.display_name,
                             user=self.user.username))
        self.password_label.setText(_("&New password:"))
        self.password_again_label.setText(_("Re&peat password:"))
        self.password.setPlaceholderText(_("at least {n} characters", n=users.MIN_PASSWORD_LENGTH))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("&Reset password"))

    def accept(self) -> None:
        self.marks.clear()
        self.error.clear_message()
        if self.password.text() != self.password_again.text():
            message = _("The two passwords are not the same; type the password again.")
            set_invalid(self.password_again, message)
            self.error.show_message(message)
            self.password_again.setFocus()
            return

        def reset() -> bool:
            try:
                users.reset_password(self.ctx.db, self.ctx.actor, self.user.id, self.password.text())
                return True
            except ValidationError as exc:
                self.marks.apply(exc)
                raise

        if operations.run(self.ctx, self, reset,
                          success=_("The password of {user} was reset.", user=self.user.username)):
            super().accept()


class UsersDialog(QDialog):
    """Only administrators get here; open it with users_dialog_for(), which refuses everyone else."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("users_dialog")
        self.resize(820, 480)
        self.model = UsersTableModel(self)
        self.proxy = _UserFilter(self)
        self.proxy.setSourceModel(self.model)

        self.search = QLineEdit()
        self.search.setObjectName("users_search")
        self.search.setClearButtonEnabled(True)
        self.show_inactive = QCheckBox()
        self.show_inactive.setChecked(True)
        self.table = QTableView()
        self.table.setObjectName("users_table")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setHighlightSections(False)

        self.new_button = QPushButton()
        self.edit_button = QPushButton()
        self.reset_button = QPushButton()
        for button in (self.new_button, self.edit_button, self.reset_button):
            button.setAutoDefault(False)
        self.close_buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.close_buttons.rejected.connect(self.reject)

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.show_inactive)
        side = QVBoxLayout()
        side.addWidget(self.new_button)
        side.addWidget(self.edit_button)
        side.addWidget(self.reset_button)
        side.addStretch(1)
        middle = QHBoxLayout()
        middle.addWidget(self.table, 1)
        middle.addLayout(side)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.setSpacing(10)
        layout.addLayout(top)
        layout.addLayout(middle, 1)
        layout.addWidget(self.close_buttons)

        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.show_inactive.toggled.connect(self.proxy.set_show_inactive)
        self.new_button.clicked.connect(self.new_user)
        self.edit_button.clicked.connect(self.edit_user)
        self.reset_button.clicked.connect(self.reset_password)
        self.table.doubleClicked.connect(lambda _index: self.edit_user())
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        self.table.installEventFilter(self)
        self.ctx.bus.sig_language_changed.connect(self._language_changed)
        self.retranslate_ui()
        self.refresh()
        self.search.setFocus()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Users"))
        self.search.setPlaceholderText(_("Search by user name, name, department or role…"))
        self.show_inactive.setText(_("Show &deactivated users"))
        self.new_button.setText(_("&New user…"))
        self.edit_button.setText(_("&Edit…"))
        self.reset_button.setText(_("&Reset password…"))
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(USER_COLUMNS) - 1)
        if self.model.rows:
            self.model.dataChanged.emit(self.model.index(0, 0),
                                        self.model.index(len(self.model.rows) - 1, len(USER_COLUMNS) - 1))

    def _language_changed(self, _code: str) -> None:
        self.retranslate_ui()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Enter on a user opens it, as a double-click does, instead of closing the dialog.
        if watched is self.table and event.type() == QEvent.Type.KeyPress and \
                event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.edit_user()
            return True
        return super().eventFilter(watched, event)

    def refresh(self, select_id: int | None = None) -> None:
        rows = operations.run(self.ctx, self, lambda: users.list_users(self.ctx.db))
        if rows is None:
            return
        current = select_id if select_id is not None else (self.selected_user().id if self.selected_user() else None)
        self.model.set_rows(rows)
        self.table.resizeColumnsToContents()
        if current is not None:
            self.select_user(current)
        self._update_buttons()

    def selected_user(self) -> UserInfo | None:
        indexes = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not indexes:
            return None
        return self.proxy.data(indexes[0], Qt.ItemDataRole.UserRole)

    def select_user(self, user_id: int) -> None:
        row = self.model.row_of(user_id)
        if row < 0:
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if index.isValid():
            self.table.selectRow(index.row())
            self.table.scrollTo(index)

    def _update_buttons(self) -> None:
        has = self.selected_user() is not None
        self.edit_button.setEnabled(has)
        self.reset_button.setEnabled(has)

    def _saved(self, user: UserInfo) -> None:
        self.ctx.bus.sig_users_changed.emit()
        self.refresh(select_id=user.id)

    def new_user(self) -> None:
        dialog = UserEditDialog(self.ctx, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.result_user:
            self._saved(dialog.result_user)

    def edit_user(self) -> None:
        user = self.selected_user()
        if user is None:
            return
        dialog = UserEditDialog(self.ctx, self, user)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.result_user:
            self._saved(dialog.result_user)

    def reset_password(self) -> None:
        user = self.selected_user()
        if user is None:
            return
        ResetPasswordDialog(self.ctx, user, self).exec()


def users_dialog_for(ctx: UiContext, parent: QWidget | None = None) -> UsersDialog | None:
    """The users window for an administrator; anyone else gets the service's refusal and None."""
    try:
        permissions.require(ctx.actor, "users.manage")
    except PermissionDenied as exc:
        operations.show_error(parent, exc)
        return None
    return UsersDialog(ctx, parent)
