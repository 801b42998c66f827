"""The application shell: first-run setup, login, the main window's tabs, menus, status bar, language and settings."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import QCoreApplication, QSettings, Signal
from PySide6.QtWidgets import QAbstractItemView, QDialog, QLabel, QWidget

from jewelryorders.i18n import current_language, set_language, tr
from jewelryorders.services import users
from jewelryorders.ui import app as app_module
from jewelryorders.ui import main_window as main_window_module
from jewelryorders.ui.context import UiContext
from jewelryorders.ui.login.language import apply_language
from jewelryorders.ui.login.login_dialog import SETTINGS_LAST_USER, LoginDialog
from jewelryorders.ui.login.setup_dialog import SetupDialog
from jewelryorders.ui.main_window import (
    ACTION_USERS,
    MENU_ADMIN,
    MENU_FILE,
    MENU_VIEW,
    SETTINGS_LAST_TAB,
    MainWindow,
)
from jewelryorders.ui.tabs import TABS, ComingLaterPage, TabFailedPage, TabSpec, create_tab, load_tab_class

TAB_KEYS = ["orders", "review", "planning", "materials", "ledger", "quality", "delivery", "archive", "dashboard"]
ENGLISH_TITLES = ["Orders", "Review", "Planning", "Materials", "Ledger", "Quality", "Delivery & After-sales",
                  "Archive", "Dashboard"]


@pytest.fixture(autouse=True)
def isolated_settings(qapp, tmp_path):
    """QSettings go to a temporary INI file, never to the user's real settings; Qt's translations are reset."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    QCoreApplication.setOrganizationName("jewelryorders-tests")
    QCoreApplication.setApplicationName("jewelryorders-tests")
    QSettings().clear()
    yield
    apply_language("en", remember=False)


@pytest.fixture
def errors(monkeypatch):
    """Messages the widgets would have shown in a message box."""
    shown: list[str] = []
    monkeypatch.setattr("jewelryorders.ui.operations.show_error", lambda parent, exc: shown.append(str(exc)))
    return shown


@pytest.fixture
def admin_ctx(db, admin):
    return UiContext(db, admin, users.get_setting(db, "factory_name"))


class CountingTab(QWidget):
    """A tab as other parts of the procedure write them: retranslate_ui() and a badge signal."""

    sig_badge = Signal(str)
    instances: list["CountingTab"] = []

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.retranslations = 0
        self.label = QLabel(self)
        CountingTab.instances.append(self)

    def retranslate_ui(self):
        self.retranslations += 1


@pytest.fixture
def test_tabs(monkeypatch):
    """The real keys and titles, but tabs that do not depend on other features being finished."""
    CountingTab.instances.clear()
    specs = [TabSpec(s.key, s.title_msgid, __name__ if s.key == "review" else f"jewelryorders.ui.no_such_{s.key}.tab",
                     "CountingTab" if s.key == "review" else s.class_name, s.summary_msgid) for s in TABS]
    monkeypatch.setattr(main_window_module, "TABS", specs)
    return specs


def tab_titles(window: MainWindow) -> list[str]:
    return [window.tabs.tabText(i).replace("&&", "&") for i in range(window.tabs.count())]


# -- first start and login ------------------------------------------------------------------------------------------

def test_setup_dialog_rejects_a_short_password_visibly_then_creates_the_administrator(qtbot, sqlite_db):
    dialog = SetupDialog(sqlite_db)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.language.setCurrentIndex(dialog.language.findData("en"))
    dialog.factory_name.setText("金福珠寶廠")
    dialog.admin_username.setText("boss")
    dialog.admin_display_name.setText("陳大文")
    dialog.password.setText("abc")
    dialog.password_again.setText("abc")
    dialog.accept()
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.error.isVisible()
    assert "at least 6 characters" in dialog.error.text()
    assert dialog.password.property("invalid") is True
    assert users.needs_setup(sqlite_db)

    dialog.password.setText("secret-1")
    dialog.password_again.setText("secret-2")
    dialog.accept()
    assert "not the same" in dialog.error.text()
    assert users.needs_setup(sqlite_db)

    dialog.password_again.setText("secret-1")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.actor is not None and dialog.actor.username == "boss" and dialog.actor.role == "administrator"
    assert not users.needs_setup(sqlite_db)
    assert users.get_setting(sqlite_db, "factory_name") == "金福珠寶廠"
    assert users.get_setting(sqlite_db, "language") == "en"


def test_setup_dialog_speaks_the_language_chosen_in_it(qtbot, sqlite_db):
    dialog = SetupDialog(sqlite_db)
    qtbot.addWidget(dialog)
    dialog.language.setCurrentIndex(dialog.language.findData("zh_CN"))
    assert dialog.windowTitle() == tr("Set up jewelryorders", "zh_CN") != "Set up jewelryorders"
    assert dialog.factory_label.text() == "工厂名称(&F)："
    assert current_language() == "zh_CN"


def test_login_with_a_wrong_password_shows_why_and_stays_open(qtbot, db, admin):
    dialog = LoginDialog(db, "金福珠寶廠", username="admin")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.password.setText("wrong-password")
    dialog.accept()
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.error.isVisible() and dialog.error.text() == "Wrong user name or password."
    assert dialog.password.text() == "" and dialog.actor is None

    dialog.password.setText("admin-pass")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.actor.username == "admin"
    assert QSettings().value(SETTINGS_LAST_USER) == "admin"
    again = LoginDialog(db, "金福珠寶廠")
    qtbot.addWidget(again)
    assert again.username.text() == "admin"


# -- opening the database -------------------------------------------------------------------------------------------

def test_a_file_that_is_not_sqlite_gives_a_message_naming_the_file(tmp_path, monkeypatch):
    wrong = tmp_path / "orders 2026.xlsx"
    wrong.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    said: list[str] = []
    monkeypatch.setattr(app_module, "explain_open_error", lambda parent, message: said.append(message) or "quit")
    assert app_module.open_or_explain(app_module.sqlite_url(wrong)) is None
    assert len(said) == 1
    assert str(wrong) in said[0] and "not an SQLite file" in said[0]


def test_choosing_another_file_after_the_message_opens_that_one(tmp_path, monkeypatch):
    wrong = tmp_path / "notes.txt"
    wrong.write_text("just some notes, not a database", encoding="utf-8")
    good = tmp_path / "factory.db"
    monkeypatch.setattr(app_module, "explain_open_error", lambda parent, message: "choose")
    monkeypatch.setattr(app_module, "ask_database_file", lambda parent, start: str(good))
    db = app_module.open_or_explain(app_module.sqlite_url(wrong))
    try:
        assert db is not None and db.path == good.resolve()
    finally:
        db.close()


def test_a_database_from_a_newer_version_is_explained_and_left_alone(tmp_path, monkeypatch):
    path = tmp_path / "future.db"
    app_module.open_database(app_module.sqlite_url(path)).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    said: list[str] = []
    monkeypatch.setattr(app_module, "explain_open_error", lambda parent, message: said.append(message) or "quit")
    assert app_module.open_or_explain(app_module.sqlite_url(path)) is None
    assert str(path) in said[0] and "newer version" in said[0]
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "9999_from_the_future"


def test_the_language_comes_from_the_argument_then_this_workstation_then_the_database(sqlite_db):
    assert app_module.starting_language("zh-CN") == "zh_CN"
    assert app_module.starting_language(None) is None
    QSettings().setValue("language", "en")
    assert app_module.starting_language(None) == "en"
    users.setup_factory(sqlite_db, "F", "admin", "admin-pass", "zh_CN")
    assert app_module.database_language(sqlite_db) == "zh_CN"


# -- the main window ------------------------------------------------------------------------------------------------

def test_main_window_has_its_tabs_in_procedure_order(qtbot, admin_ctx):
    window = MainWindow(admin_ctx)
    qtbot.addWidget(window)
    assert window.tab_keys() == TAB_KEYS
    assert tab_titles(window) == ENGLISH_TITLES
    assert window.tabs.tabText(6) == "Delivery && After-sales"  # shown with its '&', not as a mnemonic
    assert [m.title() for m in window.menuBar().findChildren(type(window.menus[MENU_FILE]))
            if m.parent() is window.menuBar()] == ["&File", "&Data", "&Admin", "&View", "&Help"]


def test_status_bar_shows_user_department_role_and_database(qtbot, db, make_user):
    clerk = make_user("production", "clerk", "wang.li")
    window = MainWindow(UiContext(db, clerk, "金福珠寶廠"))
    qtbot.addWidget(window)
    assert window.status_user.text() == "User: Wang.Li"
    assert window.status_department.text() == "Department: Production"
    assert window.status_role.text() == "Role: Clerk"
    assert db.display_name in window.status_database.toolTip()
    admin_ctx_bus = window.ctx.bus
    admin_ctx_bus.sig_status_message.emit("Customer 周大福 saved.")
    assert window.statusBar().currentMessage() == "Customer 周大福 saved."
    assert window.windowTitle() == "金福珠寶廠 — jewelryorders"


def test_admin_menu_is_only_for_administrators(qtbot, db, admin, make_user):
    mine = MainWindow(UiContext(db, admin, "F"))
    qtbot.addWidget(mine)
    assert mine.actions[ACTION_USERS].isEnabled()
    clerk_window = MainWindow(UiContext(db, make_user("sales", "clerk"), "F"))
    qtbot.addWidget(clerk_window)
    assert not clerk_window.actions[ACTION_USERS].isEnabled()
    assert all(not a.isEnabled() for a in clerk_window.menus[MENU_ADMIN].actions() if not a.isSeparator())


def test_language_switch_retranslates_tabs_menus_and_tells_everyone(qtbot, admin_ctx, test_tabs):
    window = MainWindow(admin_ctx)
    qtbot.addWidget(window)
    window.show_tab("review")
    review = CountingTab.instances[-1]
    before = review.retranslations
    with qtbot.waitSignal(admin_ctx.bus.sig_language_changed) as signal:
        window.set_language("zh_TW")
    assert signal.args == ["zh_TW"]
    assert tab_titles(window)[:5] == [tr("Orders", "zh_TW"), tr("Review", "zh_TW"), tr("Planning", "zh_TW"),
                                      "物料", "生產台賬"]
    assert tab_titles(window)[6] == "交付與售後"
    assert window.menus[MENU_FILE].title() == "檔案(&F)"
    assert window.menus[MENU_VIEW].title() == "檢視(&V)"
    assert window.status_department.text().startswith("部門：")
    ledger = window.tab_widget("ledger")  # built now, in the language of now
    assert isinstance(ledger, ComingLaterPage) and "後續版本" in ledger.body_label.text()
    assert review.retranslations == before + 1
    assert QSettings().value("language") == "zh_TW"

    window.set_language("en")
    assert tab_titles(window) == ENGLISH_TITLES
    assert window.menus[MENU_FILE].title() == "&File"


def test_a_tab_badge_shows_in_its_title_in_every_language(qtbot, admin_ctx, test_tabs):
    window = MainWindow(admin_ctx)
    qtbot.addWidget(window)
    window.show_tab("review")
    CountingTab.instances[-1].sig_badge.emit("3")
    assert tab_titles(window)[1] == "Review (3)"
    window.set_language("zh_CN")
    assert tab_titles(window)[1] == f"{tr('Review', 'zh_CN')} (3)"
    CountingTab.instances[-1].sig_badge.emit("")
    assert tab_titles(window)[1] == tr("Review", "zh_CN")


def test_the_last_tab_and_the_window_size_are_remembered(qtbot, admin_ctx, test_tabs):
    first = MainWindow(admin_ctx)
    qtbot.addWidget(first)
    first.resize(700, 500)
    first.show_tab("quality")
    first.close()
    assert QSettings().value(SETTINGS_LAST_TAB) == "quality"

    second = MainWindow(admin_ctx)
    qtbot.addWidget(second)
    assert second.current_tab_key() == "quality"
    assert second.size().width() == 700 and second.size().height() == 500


def test_about_names_version_database_and_schema_revision(qtbot, admin_ctx):
    from jewelryorders import __version__
    from jewelryorders.db import head_revision

    window = MainWindow(admin_ctx)
    qtbot.addWidget(window)
    text = window.about_text()
    assert __version__ in text and admin_ctx.db.display_name in text and head_revision() in text


def test_unfinished_tabs_are_honest_empty_pages(qtbot, admin_ctx):
    spec = TabSpec("ledger", "Ledger", "jewelryorders.ui.no_such_package.tab", "LedgerTab", "Progress per step")
    assert load_tab_class(spec) is None
    page = create_tab(spec, admin_ctx)
    qtbot.addWidget(page)
    assert isinstance(page, ComingLaterPage)
    texts = [label.text() for label in page.findChildren(QLabel)]
    assert "This part of the procedure is coming in a later version of jewelryorders." in texts
    assert page.findChildren(QAbstractItemView) == []  # no table, no list: nothing that could show data


def test_a_tab_whose_module_is_broken_shows_the_error_instead_of_hiding_it(qtbot, admin_ctx):
    broken = TabSpec("ledger", "Ledger", __name__, "BrokenTab")
    page = create_tab(broken, admin_ctx)
    qtbot.addWidget(page)
    assert isinstance(page, TabFailedPage)
    assert "the printer driver is missing" in page.detail_label.text()


class BrokenTab(QWidget):
    def __init__(self, ctx, parent=None):
        raise RuntimeError("the printer driver is missing")


def test_every_registered_tab_title_is_translated():
    set_language("zh_TW")
    assert all(tr(spec.title_msgid, "zh_TW") != spec.title_msgid for spec in TABS)
    assert [spec.key for spec in TABS] == TAB_KEYS


def test_only_the_shown_tab_is_built_and_no_heavy_library_is_imported_at_start(qtbot, admin_ctx, order_factory):
    """Start-up builds the current tab only; the others, and OR-Tools, pandas, ReportLab, openpyxl, come when
    first used. Run in a fresh interpreter, since other tests in this process have imported them already."""
    import subprocess
    import sys
    from pathlib import Path

    order_factory()  # a list with a row, so that the orders tab shows (and its risk column reads) something
    root = Path(__file__).resolve().parents[1]
    code = f"""
import sys
from PySide6.QtCore import QCoreApplication, QSettings
from jewelryorders.ui.app import create_application
app = create_application()
QCoreApplication.setOrganizationName("jo-lazy-test"); QSettings().clear()
from jewelryorders.db import open_database
from jewelryorders.services import users
from jewelryorders.ui.context import UiContext
from jewelryorders.ui.main_window import MainWindow
db = open_database({admin_ctx.db.url!r})
actor = users.authenticate(db, "admin", "admin-pass")
window = MainWindow(UiContext(db, actor, "F"))
window.show()
app.processEvents()
window.tabs.currentWidget().grab()
print("BUILT", sorted(window.tab_widgets))
print("HEAVY", sorted(m for m in ("ortools", "pandas", "numpy", "reportlab", "openpyxl", "alembic", "jewelryorders.ui.planning.tab",
                                  "jewelryorders.ui.review.tab", "jewelryorders.cli.core") if m in sys.modules))
window.show_tab("planning")
print("AFTER", sorted(window.tab_widgets), "jewelryorders.ui.planning.tab" in sys.modules)
QSettings().clear()
"""
    env = dict(__import__("os").environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(root))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, env=env,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    lines = dict(line.split(" ", 1) for line in out.stdout.splitlines() if line.split(" ", 1)[0] in
                 ("BUILT", "HEAVY", "AFTER"))
    assert lines["BUILT"] == "['orders']"
    assert lines["HEAVY"] == "[]"
    assert lines["AFTER"] == "['orders', 'planning'] True"  # the planning tab is built when shown
