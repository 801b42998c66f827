"""The main window and every tab fit a 1366×768 screen in 繁體中文, 简体中文 and English."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QSettings

from jewelryorders.services import users
from jewelryorders.ui.context import UiContext
from jewelryorders.ui.login.language import apply_language
from jewelryorders.ui.tabs import TABS, create_tab

SCREEN_WIDTH, SCREEN_HEIGHT = 1366, 768
# A title bar and a taskbar take about 70 px of the screen's height; the window's menu bar, tab bar and status bar
# take about 80 px more of what is left to a tab.
WINDOW_FRAME = 70
WINDOW_CHROME = 80
LANGUAGES = ["zh_TW", "zh_CN", "en"]


@pytest.fixture(autouse=True)
def isolated_settings(qapp, tmp_path):
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    QCoreApplication.setOrganizationName("jewelryorders-tests")
    QCoreApplication.setApplicationName("jewelryorders-tests")
    QSettings().clear()
    yield
    apply_language("en", remember=False)


@pytest.fixture
def admin_ctx(sqlite_db):
    users.setup_factory(sqlite_db, "金福珠寶廠 Golden Luck Jewelry", "admin", "admin-pass", "en", "Administrator")
    admin = users.authenticate(sqlite_db, "admin", "admin-pass")
    return UiContext(sqlite_db, admin, users.get_setting(sqlite_db, "factory_name"))


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("spec", TABS, ids=[spec.key for spec in TABS])
def test_every_tab_fits_a_1366_by_768_screen(qtbot, admin_ctx, lang, spec):
    apply_language(lang, remember=False)
    tab = create_tab(spec, admin_ctx)
    qtbot.addWidget(tab)
    hint = tab.minimumSizeHint()
    assert hint.width() <= SCREEN_WIDTH, f"{spec.key} in {lang}: minimum width {hint.width()} px"
    assert hint.height() <= SCREEN_HEIGHT - WINDOW_FRAME - WINDOW_CHROME, \
        f"{spec.key} in {lang}: minimum height {hint.height()} px"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_main_window_fits_a_1366_by_768_screen(qtbot, admin_ctx, lang):
    from jewelryorders.ui.main_window import MainWindow

    apply_language(lang, remember=False)
    window = MainWindow(admin_ctx)
    qtbot.addWidget(window)
    hint = window.minimumSizeHint().expandedTo(window.minimumSize())
    assert hint.width() <= SCREEN_WIDTH, f"{lang}: minimum width {hint.width()} px"
    assert hint.height() <= SCREEN_HEIGHT - WINDOW_FRAME, f"{lang}: minimum height {hint.height()} px"
