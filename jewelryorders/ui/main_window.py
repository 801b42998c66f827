"""The main window: a tab per part of the procedure, the menus, and a status bar saying who works on which database."""

from __future__ import annotations

import html
from functools import partial
from typing import TYPE_CHECKING

from PySide6 import __version__ as PYSIDE_VERSION
from PySide6.QtCore import QByteArray, QSettings, Signal
from PySide6.QtGui import QAction, QActionGroup, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QDialog, QLabel, QMainWindow, QMenu, QMessageBox, QTabWidget, QVBoxLayout, QWidget

from .. import __version__
from ..i18n import LANGUAGES, _, current_language
from ..models.users import DEPARTMENTS, ROLES
from ..services import permissions
from .context import UiContext
from .login.language import apply_language
from .tabs import TABS, TabSpec, create_tab

if TYPE_CHECKING:  # windows and dialogs opened from the menus are imported when first opened
    from .customers.window import CustomersWindow

ACTION_CHANGE_DATABASE = "file.change_database"
ACTION_CHANGE_PASSWORD = "file.change_password"
ACTION_LOGOUT = "file.logout"
ACTION_QUIT = "file.quit"
ACTION_CUSTOMERS = "data.customers"
ACTION_STYLES = "data.styles"
ACTION_USERS = "admin.users"
ACTION_FACTORY_SETTINGS = "admin.factory_settings"
ACTION_LANGUAGE_PREFIX = "view.language."
ACTION_TAB_PREFIX = "view.tab."
ACTION_ABOUT = "help.about"

MENU_FILE, MENU_DATA, MENU_ADMIN, MENU_VIEW, MENU_LANGUAGE, MENU_HELP = (
    "menu.file", "menu.data", "menu.admin", "menu.view", "menu.view.language", "menu.help")

SETTINGS_GEOMETRY = "main_window/geometry"
SETTINGS_STATE = "main_window/state"
SETTINGS_LAST_TAB = "main_window/last_tab"

STATUS_MESSAGE_MS = 10_000
DATABASE_LABEL_CHARS = 60


class MainWindow(QMainWindow):
    """Built for one logged-in user on one database; logging out or changing the database builds a new one."""

    sig_logout_requested = Signal()
    sig_change_database_requested = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("main_window")
        self.actions: dict[str, QAction] = {}
        self.menus: dict[str, QMenu] = {}
        # The page of every tab is in the tab bar from the start; the tab's own widget is built into its page when
        # the tab is first shown, so starting costs one tab, not eight (and not their libraries).
        self.tab_pages: dict[str, QWidget] = {}
        self.tab_widgets: dict[str, QWidget] = {}  # the tabs built so far
        self._badges: dict[str, str] = {}
        self._customers_window: CustomersWindow | None = None

        self.tabs = QTabWidget()
        self.tabs.setObjectName("main_tabs")
        self.tabs.setDocumentMode(True)
        self.tabs.setUsesScrollButtons(True)
        self.setCentralWidget(self.tabs)
        for spec in TABS:
            self._add_tab(spec)

        self._create_actions()
        self._create_menus()
        self._create_status_bar()

        self.tabs.currentChanged.connect(self._tab_changed)
        ctx.bus.sig_status_message.connect(self.show_status_message)
        self.retranslate_ui()
        self.restore_settings()
        self.tab_widget(self.current_tab_key())

    # -- construction ------------------------------------------------------------------------------------------
    def _add_tab(self, spec: TabSpec) -> None:
        page = QWidget()
        page.setObjectName(f"tab_page_{spec.key}")
        page.setProperty("tab_key", spec.key)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        self.tab_pages[spec.key] = page
        self.tabs.addTab(page, "")

    def tab_widget(self, key: str) -> QWidget | None:
        """The tab's widget, built into its page the first time it is asked for (normally: first shown)."""
        widget = self.tab_widgets.get(key)
        if widget is not None or key not in self.tab_pages:
            return widget
        spec = next(s for s in TABS if s.key == key)
        page = self.tab_pages[key]
        widget = create_tab(spec, self.ctx, page)
        widget.setProperty("tab_key", key)
        self.tab_widgets[key] = widget
        page.layout().addWidget(widget)
        badge = getattr(widget, "sig_badge", None)
        if badge is not None and hasattr(badge, "connect"):
            badge.connect(partial(self.set_badge, key))
        return widget

    def _action(self, action_id: str, shortcut: QKeySequence | str | None = None, slot=None,
                role: QAction.MenuRole | None = None) -> QAction:
        action = QAction(self)
        action.setObjectName(action_id)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        if role is not None:
            action.setMenuRole(role)
        if slot is not None:
            action.triggered.connect(lambda _checked=False: slot())
        self.actions[action_id] = action
        return action

    def _create_actions(self) -> None:
        self._action(ACTION_CHANGE_DATABASE, None, self.sig_change_database_requested.emit)
        self._action(ACTION_CHANGE_PASSWORD, None, self.change_password)
        self._action(ACTION_LOGOUT, None, self.sig_logout_requested.emit)
        self._action(ACTION_QUIT, "Ctrl+Q", self.close, QAction.MenuRole.QuitRole)
        self._action(ACTION_CUSTOMERS, "Ctrl+Shift+C", self.open_customers)
        self._action(ACTION_STYLES, None, self.open_styles)
        self._action(ACTION_USERS, None, self.open_users)
        self._action(ACTION_FACTORY_SETTINGS, None, self.open_factory_settings)
        self._action(ACTION_ABOUT, None, self.show_about, QAction.MenuRole.AboutRole)
        is_admin = permissions.allowed(self.ctx.actor, "users.manage")
        self.actions[ACTION_USERS].setEnabled(is_admin)
        self.actions[ACTION_FACTORY_SETTINGS].setEnabled(permissions.allowed(self.ctx.actor, "settings.edit"))
        self.language_group = QActionGroup(self)
        self.language_group.setExclusive(True)
        for code, name in LANGUAGES.items():
            action = self._action(ACTION_LANGUAGE_PREFIX + code, None, partial(self.set_language, code))
            action.setCheckable(True)
            action.setText(name)  # each language is named in its own script, whatever the current language is
            self.language_group.addAction(action)
        for number, spec in enumerate(TABS, start=1):
            self._action(ACTION_TAB_PREFIX + spec.key, f"Ctrl+{number}", partial(self.show_tab, spec.key))

    def _create_menus(self) -> None:
        bar = self.menuBar()

        def menu(menu_id: str, parent=None) -> QMenu:
            m = (parent or bar).addMenu("")
            m.setObjectName(menu_id)
            self.menus[menu_id] = m
            return m

        file_menu = menu(MENU_FILE)
        file_menu.addAction(self.actions[ACTION_CHANGE_DATABASE])
        file_menu.addSeparator()
        file_menu.addAction(self.actions[ACTION_CHANGE_PASSWORD])
        file_menu.addAction(self.actions[ACTION_LOGOUT])
        file_menu.addSeparator()
        file_menu.addAction(self.actions[ACTION_QUIT])
        data_menu = menu(MENU_DATA)
        data_menu.addAction(self.actions[ACTION_CUSTOMERS])
        data_menu.addAction(self.actions[ACTION_STYLES])
        admin_menu = menu(MENU_ADMIN)
        admin_menu.addAction(self.actions[ACTION_USERS])
        admin_menu.addAction(self.actions[ACTION_FACTORY_SETTINGS])
        view_menu = menu(MENU_VIEW)
        for spec in TABS:
            view_menu.addAction(self.actions[ACTION_TAB_PREFIX + spec.key])
        view_menu.addSeparator()
        language_menu = menu(MENU_LANGUAGE, view_menu)
        for code in LANGUAGES:
            language_menu.addAction(self.actions[ACTION_LANGUAGE_PREFIX + code])
        help_menu = menu(MENU_HELP)
        help_menu.addAction(self.actions[ACTION_ABOUT])

    def _create_status_bar(self) -> None:
        bar = self.statusBar()
        bar.setObjectName("main_status_bar")
        bar.setSizeGripEnabled(True)
        self.status_user = QLabel()
        self.status_department = QLabel()
        self.status_role = QLabel()
        self.status_database = QLabel()
        for name, label in (("status_user", self.status_user), ("status_department", self.status_department),
                            ("status_role", self.status_role), ("status_database", self.status_database)):
            label.setObjectName(name)
            label.setContentsMargins(8, 0, 8, 0)
            bar.addPermanentWidget(label)

    # -- language ----------------------------------------------------------------------------------------------
    def set_language(self, code: str) -> None:
        """Switch everything shown to `code`, remember it for the next start, and tell every other window."""
        code = apply_language(code)
        self.retranslate_ui()
        self.ctx.bus.sig_language_changed.emit(code)

    def retranslate_ui(self) -> None:
        self._update_title()
        self.menus[MENU_FILE].setTitle(_("&File"))
        self.menus[MENU_DATA].setTitle(_("&Data"))
        self.menus[MENU_ADMIN].setTitle(_("&Admin"))
        self.menus[MENU_VIEW].setTitle(_("&View"))
        self.menus[MENU_LANGUAGE].setTitle(_("&Language"))
        self.menus[MENU_HELP].setTitle(_("&Help"))
        self.actions[ACTION_CHANGE_DATABASE].setText(_("Change &database…"))
        self.actions[ACTION_CHANGE_DATABASE].setStatusTip(_("Open another database file; you log in to it again."))
        self.actions[ACTION_CHANGE_PASSWORD].setText(_("Change my &password…"))
        self.actions[ACTION_LOGOUT].setText(_("&Log out / switch user…"))
        self.actions[ACTION_QUIT].setText(_("&Quit"))
        self.actions[ACTION_CUSTOMERS].setText(_("&Customers…"))
        self.actions[ACTION_STYLES].setText(_("&Styles…"))
        self.actions[ACTION_USERS].setText(_("&Users…"))
        self.actions[ACTION_FACTORY_SETTINGS].setText(_("&Factory settings…"))
        if not self.actions[ACTION_USERS].isEnabled():
            self.actions[ACTION_USERS].setStatusTip(_("Only an administrator manages users."))
            self.actions[ACTION_FACTORY_SETTINGS].setStatusTip(_("Only an administrator changes the factory "
                                                                 "settings."))
        self.actions[ACTION_ABOUT].setText(_("&About jewelryorders"))
        for spec in TABS:
            self.actions[ACTION_TAB_PREFIX + spec.key].setText(_(spec.title_msgid).replace("&", "&&"))
        current = self.actions.get(ACTION_LANGUAGE_PREFIX + current_language())
        if current is not None:
            current.setChecked(True)
        for index, spec in enumerate(TABS):
            self._update_tab_title(index, spec)
            widget = self.tab_widgets.get(spec.key)  # a tab built later is built in the language of that moment
            if widget is not None and hasattr(widget, "retranslate_ui"):
                widget.retranslate_ui()
        self._update_status_labels()

    def _update_title(self) -> None:
        name = self.ctx.factory_name.strip()
        self.setWindowTitle(f"{name} — jewelryorders" if name else "jewelryorders")

    def _update_tab_title(self, index: int, spec: TabSpec) -> None:
        badge = self._badges.get(spec.key, "")
        title = _(spec.title_msgid).replace("&", "&&")  # "Delivery & After-sales" is not a mnemonic
        self.tabs.setTabText(index, f"{title} ({badge})" if badge else title)

    def set_badge(self, key: str, badge: str) -> None:
        """A tab's count in its title, e.g. 'Review (3)'; an empty text removes it."""
        self._badges[key] = str(badge or "")
        for index, spec in enumerate(TABS):
            if spec.key == key:
                self._update_tab_title(index, spec)

    # -- status bar --------------------------------------------------------------------------------------------
    def _update_status_labels(self) -> None:
        actor = self.ctx.actor
        self.status_user.setText(_("User: {name}", name=actor.display_name or actor.username))
        self.status_user.setToolTip(actor.username)
        self.status_department.setText(_("Department: {department}",
                                         department=_(DEPARTMENTS.get(actor.department, actor.department))))
        self.status_role.setText(_("Role: {role}", role=_(ROLES.get(actor.role, actor.role))))
        where = self.ctx.db.display_name
        shown = where if len(where) <= DATABASE_LABEL_CHARS else "…" + where[-(DATABASE_LABEL_CHARS - 1):]
        self.status_database.setText(_("Database: {path}", path=shown))
        self.status_database.setToolTip(where)

    def show_status_message(self, message: str) -> None:
        self.statusBar().showMessage(message, STATUS_MESSAGE_MS)

    # -- tabs --------------------------------------------------------------------------------------------------
    def current_tab_key(self) -> str:
        widget = self.tabs.currentWidget()
        return widget.property("tab_key") if widget is not None else ""

    def tab_keys(self) -> list[str]:
        return [self.tabs.widget(i).property("tab_key") for i in range(self.tabs.count())]

    def show_tab(self, key: str) -> None:
        page = self.tab_pages.get(key)
        if page is not None:
            self.tabs.setCurrentWidget(page)

    def _tab_changed(self, _index: int) -> None:
        key = self.current_tab_key()
        self.tab_widget(key)
        QSettings().setValue(SETTINGS_LAST_TAB, key)

    # -- windows and dialogs -----------------------------------------------------------------------------------
    def open_styles(self):
        from .styles.window import open_styles_window

        return open_styles_window(self.ctx, self)

    def open_customers(self) -> "CustomersWindow":
        from .customers.window import CustomersWindow

        if self._customers_window is None:
            self._customers_window = CustomersWindow(self.ctx, self)
        self._customers_window.show()
        self._customers_window.raise_()
        self._customers_window.activateWindow()
        return self._customers_window

    def open_users(self) -> None:
        from .admin.users_dialog import users_dialog_for

        dialog = users_dialog_for(self.ctx, self)
        if dialog is not None:
            dialog.exec()

    def open_factory_settings(self) -> None:
        from .admin.settings_dialog import settings_dialog_for

        dialog = settings_dialog_for(self.ctx, self)
        if dialog is not None and dialog.exec() == QDialog.DialogCode.Accepted:
            self._update_title()

    def change_password(self) -> None:
        from .login.password_dialog import ChangePasswordDialog

        ChangePasswordDialog(self.ctx, self).exec()

    def about_text(self) -> str:
        from ..db import schema_revision

        revision = schema_revision(self.ctx.db) or "—"
        lines = [
            _("Version {version}", version=__version__),
            _("Database: {path}", path=self.ctx.db.display_name),
            _("Schema revision: {revision}", revision=revision),
            _("Qt for Python {version}", version=PYSIDE_VERSION),
        ]
        return "<p><b>jewelryorders</b></p><p>{}</p><p>{}</p>".format(
            _("The order procedure of a jewelry factory, from the first enquiry to after-sales and the archive."),
            "<br>".join(html.escape(line) for line in lines))

    def show_about(self) -> None:
        QMessageBox.about(self, _("About jewelryorders"), self.about_text())

    # -- remembered layout -------------------------------------------------------------------------------------
    def restore_settings(self) -> None:
        settings = QSettings()
        geometry = settings.value(SETTINGS_GEOMETRY)
        restored = isinstance(geometry, QByteArray) and not geometry.isEmpty() and self.restoreGeometry(geometry)
        if not restored:
            screen = QGuiApplication.primaryScreen()
            available = screen.availableGeometry() if screen else None
            if available is not None and available.width() > 0:
                width = min(1360, int(available.width() * 0.9))
                height = min(860, int(available.height() * 0.9))
                self.resize(width, height)
                self.move(available.center().x() - width // 2, available.center().y() - height // 2)
            else:
                self.resize(1280, 800)
        state = settings.value(SETTINGS_STATE)
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        last = settings.value(SETTINGS_LAST_TAB)
        if isinstance(last, str) and last in self.tab_pages:
            self.tabs.blockSignals(True)
            self.tabs.setCurrentWidget(self.tab_pages[last])
            self.tabs.blockSignals(False)

    def save_settings(self) -> None:
        settings = QSettings()
        settings.setValue(SETTINGS_GEOMETRY, self.saveGeometry())
        settings.setValue(SETTINGS_STATE, self.saveState())
        settings.setValue(SETTINGS_LAST_TAB, self.current_tab_key())
        settings.sync()

    def closeEvent(self, event) -> None:
        self.save_settings()
        if self._customers_window is not None:
            self._customers_window.close()
        super().closeEvent(event)
