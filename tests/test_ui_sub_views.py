"""Tabs made of sub-views (ui/common/sub_views.py): views by id, titles that follow the language, a view's change
shown by the others, and the dashboard's links opening the right sub-view of the Materials, Delivery, Ledger and
Archive tabs."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QSettings, Signal
from PySide6.QtWidgets import QWidget

from jewelryorders.i18n import N_
from jewelryorders.services.dashboard.registry import Link
from jewelryorders.services.ledger import meetings
from jewelryorders.ui import operations
from jewelryorders.ui.common.sub_views import SubViewsTab
from jewelryorders.ui.context import EventBus, UiContext
from jewelryorders.ui.login.language import apply_language


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
def errors(monkeypatch):
    found: list[str] = []
    monkeypatch.setattr(operations, "show_error", lambda parent, exc: found.append(str(exc)))
    return found


class _View(QWidget):
    sig_changed = Signal()

    def __init__(self, ctx):
        super().__init__()
        self.refreshed = 0
        self.retranslated = 0

    def refresh(self) -> None:
        self.refreshed += 1

    def retranslate_ui(self) -> None:
        self.retranslated += 1


class _Tab(SubViewsTab):
    VIEWS = (("one", N_("Orders"), _View), ("two", N_("Customers"), _View), ("three", N_("Settings"), _View))
    tabs_name = "test_views"

    def __init__(self, ctx):
        super().__init__(ctx)
        self.finish_setup()


def test_a_sub_views_tab_titles_refreshes_and_shows_its_views(qtbot, db, admin):
    ctx = UiContext(db, admin, "F", EventBus())
    tab = _Tab(ctx)
    qtbot.addWidget(tab)
    one, two, three = (tab.views[k] for k in ("one", "two", "three"))
    assert [tab.tabs.tabText(i) for i in range(3)] == ["Orders", "Customers", "Settings"]
    assert tab.tabs.objectName() == "test_views"
    assert (one.refreshed, two.refreshed, three.refreshed) == (1, 1, 1)  # REFRESH_ON_OPEN
    two.sig_changed.emit()
    assert (one.refreshed, two.refreshed, three.refreshed) == (2, 1, 2)  # the others show the change
    assert tab.show_view("three") is three and tab.tabs.currentWidget() is three
    assert tab.current_view_id() == "three"
    apply_language("zh_TW", remember=False)
    ctx.bus.sig_language_changed.emit("zh_TW")
    assert tab.tabs.tabText(0) == "訂單" and one.retranslated >= 2


def _window(qtbot, db, actor):
    from jewelryorders.ui.main_window import MainWindow

    window = MainWindow(UiContext(db, actor, "金福珠寶廠"))
    qtbot.addWidget(window)
    window.resize(1366, 700)
    window.show_tab("dashboard")
    return window, window.tab_widget("dashboard")


@pytest.mark.parametrize("tab_key, other, view", [
    ("ledger", "ledger", "meetings"), ("ledger", "meetings", "exceptions"),
    ("archive", "documents", "requests"), ("archive", "documents", "loans"),
    ("delivery", "ship", "cases"), ("materials", "stock", "purchasing"),
    ("quality", "inspections", "ncrs"), ("quality", "ncrs", "offences"),
])
def test_a_dashboard_link_opens_the_sub_view_it_names(qtbot, db, admin, errors, tab_key, other, view):
    window, dashboard = _window(qtbot, db, admin)
    target = window.tab_widget(tab_key)
    target.show_view(other)
    dashboard.open_link(Link(tab_key, view))
    assert window.current_tab_key() == tab_key
    assert target.tabs.currentWidget() is target.views[view]
    assert errors == []


def test_a_to_do_line_of_meeting_actions_opens_the_meetings_view(qtbot, db, admin, errors):
    meetings.hold_meeting(db, admin, meetings.MeetingInput(
        "2026-11-09", actions=[meetings.ActionInput("check the casting machine", admin.user_id, "2026-11-12")]))
    window, dashboard = _window(qtbot, db, admin)
    ledger = window.tab_widget("ledger")
    assert ledger.tabs.currentWidget() is ledger.views["ledger"]
    todo = dashboard.cards["my_todo"]
    rows = [todo.table.item(r, 0).text() for r in range(todo.table.rowCount())]
    row = next(i for i, text in enumerate(rows) if text.startswith("Your action items from the meetings"))
    todo.table.cellClicked.emit(row, 0)
    assert window.current_tab_key() == "ledger"
    assert ledger.tabs.currentWidget() is ledger.views["meetings"] is ledger.meetings_view
    assert errors == []


def test_every_quality_figure_links_to_a_view_the_quality_tab_has(qapp):
    from jewelryorders.services.quality import dashboard as quality_dashboard
    from jewelryorders.ui.quality.tab import QualityTab

    views = {view_id for view_id, _title, _factory in QualityTab.VIEWS}
    links = [v for v in vars(quality_dashboard).values() if isinstance(v, Link)]
    assert len(links) == 3 and all(link.tab == "quality" and link.view in views for link in links)
