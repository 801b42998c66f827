"""The Dashboard tab: every figure as a card with its definition as tooltip; a stage bar opens the Orders tab
filtered by its stages; a to-do line opens the tab that does it; the period, the workbook and the report."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QSettings

from jewelryorders.services import dashboard
from jewelryorders.services.orders import intake as orders
from jewelryorders.services.planning import plans as planning
from jewelryorders.ui import operations
from jewelryorders.ui.context import EventBus, UiContext
from jewelryorders.ui.dashboard import tab as dashboard_tab
from jewelryorders.ui.dashboard.tab import DashboardTab
from jewelryorders.ui.login.language import apply_language

from .conftest import TEST_TODAY, order_input
from .planning_support import contracted, factory  # noqa: F401  (fixtures)


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


@pytest.fixture
def factory_data(db, factory, contracted, sales, customer):
    """Two drafts, one order in review, one planned (released) order."""
    for _ in range(2):
        orders.create_order(db, sales, order_input(customer.id))
    orders.submit_for_review(db, sales, orders.create_order(db, sales, order_input(customer.id)).id)
    order_id = contracted()
    plan = planning.propose_plan(db, factory.planner, order_id, today=TEST_TODAY)
    planning.release_plan(db, factory.planner, plan.id, today=TEST_TODAY)
    return order_id


def _window(qtbot, db, actor):
    from jewelryorders.ui.main_window import MainWindow

    window = MainWindow(UiContext(db, actor, "金福珠寶廠"))
    qtbot.addWidget(window)
    window.resize(1366, 700)
    window.show_tab("dashboard")
    return window, window.tab_widget("dashboard")


def test_every_figure_is_a_card_with_its_definition_as_tooltip(qtbot, db, admin, factory_data):
    tab = DashboardTab(UiContext(db, admin, "F", EventBus()))
    qtbot.addWidget(tab)
    assert list(tab.cards) == dashboard.FIGURES.keys()
    stage = tab.cards["orders_by_stage"]
    assert stage.title.toolTip().startswith("Orders now in each stage")
    assert stage.headline.text() == "4 orders in progress"
    assert tab.cards["workshop_load"].headline.text().startswith(("No workshop", "1 workshop", "2 workshops"))
    assert tab.last_load_seconds > 0
    # The stage chart: one bar set, one bar per group of stages.
    [bar_set] = stage.chart.bar_sets
    assert [bar_set.at(i) for i in range(bar_set.count())][:4] == [2.0, 1.0, 0.0, 1.0]
    # The period changes what "answered in the period" counts, and the shown dates.
    tab.set_period_preset("last_12_months")
    assert tab.period().first.isoformat() == "2025-12-01"
    assert "2025" in tab.period_text.text()


def test_a_stage_bar_opens_the_orders_tab_filtered_by_its_stages(qtbot, db, admin, factory_data):
    window, tab = _window(qtbot, db, admin)
    followed = []
    tab.sig_link_activated.connect(followed.append)
    stage = tab.cards["orders_by_stage"]
    stage.chart.bar_sets[0].clicked.emit(1)  # the "Review" bar
    assert followed[-1].tab == "orders"
    assert window.current_tab_key() == "orders"
    orders_tab = window.tab_widget("orders")
    assert set(orders_tab.current_filter().stages) == {"preliminary_review", "negotiating", "escalated",
                                                       "detailed_review"}
    assert orders_tab.model.rowCount() == 1


def test_a_to_do_line_opens_the_tab_that_does_it(qtbot, db, sales, factory_data):
    window, tab = _window(qtbot, db, sales)
    todo = tab.cards["my_todo"]
    assert todo.table.isVisibleTo(tab) and todo.table.rowCount() == 1
    assert todo.table.item(0, 0).text() == "Orders waiting for the preliminary review: 1"
    todo.table.cellClicked.emit(0, 0)
    assert window.current_tab_key() == "review"
    review = window.tab_widget("review")
    assert review.tabs.currentWidget() is review.views["preliminary"]


def test_the_tab_reads_in_chinese(qtbot, db, admin, factory_data):
    apply_language("zh_TW", remember=False)
    tab = DashboardTab(UiContext(db, admin, "F", EventBus()))
    qtbot.addWidget(tab)
    assert tab.cards["orders_by_stage"].title.text().startswith("各階段訂單")
    assert tab.cards["orders_by_stage"].headline.text() == "進行中的訂單 4 張"
    assert tab.period_combo.currentText() == "本月"
    tab.resize(1366, 690)
    hint = tab.minimumSizeHint()
    assert hint.width() <= 1366 and hint.height() <= 768 - 150


def test_export_and_report_buttons(qtbot, db, admin, make_user, factory_data, tmp_path, monkeypatch, errors):
    opened = []
    monkeypatch.setattr(dashboard_tab.QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()))
    tab = DashboardTab(UiContext(db, admin, "F", EventBus()))
    qtbot.addWidget(tab)
    target = tmp_path / "d.xlsx"
    monkeypatch.setattr(dashboard_tab.QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    tab.export_button.click()
    assert target.exists() and opened[-1] == str(target)
    pdf = tmp_path / "m.pdf"
    monkeypatch.setattr(dashboard_tab.QFileDialog, "getSaveFileName", lambda *a, **k: (str(pdf), ""))
    tab.report_button.click()
    assert pdf.exists() and errors == []
    clerk_tab = DashboardTab(UiContext(db, make_user("sales", "clerk", "c2"), "F", EventBus()))
    qtbot.addWidget(clerk_tab)
    assert not clerk_tab.report_button.isEnabled()


def test_horizontal_bars_list_the_first_category_on_top_and_clicks_name_the_right_one(qtbot):
    from jewelryorders.services.dashboard.registry import CHART_HBAR, Chart, Series
    from jewelryorders.ui.dashboard.charts import FigureChartView

    view = FigureChartView()
    qtbot.addWidget(view)
    view.show_chart(Chart(CHART_HBAR, ("A", "B", "C"), (Series("n", (1.0, 2.0, 3.0)),), marked=(False, True, False)))
    axis = next(a for a in view.chart().axes() if hasattr(a, "categories"))
    assert axis.categories() == ["C", "B ⚠", "A"]  # Qt draws the first of its list at the bottom
    clicked = []
    view.sig_category_clicked.connect(clicked.append)
    view.bar_sets[0].clicked.emit(0)  # the bottom bar: C
    assert clicked == [2]
    assert view.bar_sets[0].isBarSelected(1)  # B is marked


@pytest.mark.parametrize("counts, top, ticks", [((1, 0, 1), 2, 3), ((2, 1), 3, 4), ((3, 1), 5, 6), ((7, 2), 10, 6),
                                                ((22, 3), 25, 6)])
def test_a_count_axis_ticks_only_whole_numbers(qtbot, counts, top, ticks):
    from jewelryorders.services.dashboard.registry import CHART_BAR, Chart, Series
    from jewelryorders.ui.dashboard.charts import FigureChartView

    view = FigureChartView()
    qtbot.addWidget(view)
    view.show_chart(Chart(CHART_BAR, tuple("ABC"[:len(counts)]), (Series("n", tuple(float(c) for c in counts)),)))
    axis = next(a for a in view.chart().axes() if hasattr(a, "tickCount"))
    assert (axis.max(), axis.tickCount()) == (top, ticks)
    step = axis.max() / (axis.tickCount() - 1)
    assert step == int(step), "a count axis labels 0.5 orders"
    assert axis.labelFormat() == "%d"


def test_a_weight_axis_keeps_its_fractions(qtbot):
    from jewelryorders.services.dashboard.registry import CHART_BAR, Chart, Series
    from jewelryorders.ui.dashboard.charts import FigureChartView

    view = FigureChartView()
    qtbot.addWidget(view)
    view.show_chart(Chart(CHART_BAR, ("A", "B"), (Series("g", (0.35, 1.2)),), unit="g"))
    axis = next(a for a in view.chart().axes() if hasattr(a, "tickCount"))
    assert axis.max() == 2.0 and axis.labelFormat() == "%.1f"


def test_a_rate_axis_ends_at_100_percent(qtbot):
    from jewelryorders.services.dashboard.registry import CHART_LINE, Chart, Series
    from jewelryorders.ui.dashboard.charts import FigureChartView

    view = FigureChartView()
    qtbot.addWidget(view)
    view.show_chart(Chart(CHART_LINE, ("Oct", "Nov"), (Series("on time", (0.96, 1.0)),), percent=True))
    axis = next(a for a in view.chart().axes() if hasattr(a, "tickCount"))
    assert (axis.max(), axis.tickCount(), axis.labelFormat()) == (100.0, 5, "%d%%")


def test_an_allowance_per_category_is_drawn_at_each_bar_not_as_a_slope(qtbot):
    from PySide6.QtCharts import QLineSeries

    from jewelryorders.services.dashboard.registry import CHART_HBAR, Chart, Series
    from jewelryorders.ui.dashboard.charts import FigureChartView

    view = FigureChartView()
    qtbot.addWidget(view)
    view.show_chart(Chart(CHART_HBAR, ("Filing", "Casting"), (Series("loss", (78.0, 62.5)),),
                          limit=Series("allowance", (167.0, 93.0))))
    [line] = [s for s in view.chart().series() if isinstance(s, QLineSeries)]
    points = [(p.x(), p.y()) for p in line.points()]
    # Horizontal bars: values along x, categories along y (the first category drawn on top, i.e. last in Qt's order).
    assert points == [(93.0, -0.5), (93.0, 0.5), (167.0, 0.5), (167.0, 1.5)]
    view.show_chart(Chart(CHART_HBAR, ("A", "B", "C"), (Series("load", (0.5, 1.2, 0.9)),),
                          limit=Series("capacity", (1.0, 1.0, 1.0)), percent=True))
    [line] = [s for s in view.chart().series() if isinstance(s, QLineSeries)]
    assert [(p.x(), p.y()) for p in line.points()] == [(100.0, -0.5), (100.0, 2.5)]
