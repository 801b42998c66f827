"""The Dashboard tab: every registered figure as a card (chart or table, headline, definition in the tooltip), a
period selector, the management report and the workbook; a click on a bar or a line opens the tab that does it."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QColor, QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ... import clock
from ...i18n import _, current_language, tr
from ...i18n import formats
from ...services.dashboard.figures import PERIOD_LABELS
from ...services.dashboard.registry import (
    PERIOD_PRESETS,
    Computed,
    FigureContext,
    Link,
    Period,
    Presentation,
    compute,
    figures,
    preset_period,
)
from ...services.errors import DomainError
from ...services.permissions import allowed
from .. import operations
from ..context import UiContext
from .charts import WARNING, FigureChartView

REFRESH_DELAY_MS = 500
TABLE_ROWS_SHOWN = 8
CARD_MIN_WIDTH = 440


def cell_text(value, fmt: str) -> str:
    """A table value as the tab shows it (the workbook keeps the real value)."""
    if value is None or value == "":
        return "—"
    if fmt == "percent":
        return formats.percent(value, 0)
    if fmt == "date" and isinstance(value, dt.date):
        return formats.date(value, None, "short")
    if fmt == "int" and isinstance(value, (int, Decimal)):
        return formats.number(value)
    if fmt in ("0.0", "hours") and isinstance(value, (int, float, Decimal)):
        return formats.number(Decimal(str(value)), 1)
    return str(value)


class FigureCard(QFrame):
    """One figure: title (its definition as tooltip), headline, and its chart or its table."""

    sig_link = Signal(object)  # Link

    def __init__(self, key: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.key = key
        self.setObjectName(f"dashboard_card_{key}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumWidth(CARD_MIN_WIDTH)
        self.title = QLabel()
        self.title.setObjectName(f"dashboard_title_{key}")
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.title.setFont(font)
        self.headline = QLabel()
        self.headline.setObjectName(f"dashboard_headline_{key}")
        self.headline.setWordWrap(True)
        self.chart = FigureChartView()
        self.chart.setObjectName(f"dashboard_chart_{key}")
        self.chart.sig_category_clicked.connect(self._category_clicked)
        self.table = QTableWidget()
        self.table.setObjectName(f"dashboard_table_{key}")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.cellClicked.connect(self._row_clicked)
        self.empty = QLabel()
        self.empty.setObjectName(f"dashboard_empty_{key}")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color: #5f6368;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(self.title)
        layout.addWidget(self.headline)
        layout.addWidget(self.chart, 1)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty, 1)
        self.presentation: Presentation | None = None
        self.table_links: tuple[Link | None, ...] = ()

    def show_figure(self, computed: Computed, lang: str | None) -> None:
        fig = computed.figure
        tip = tr(fig.definition, lang)
        self.title.setText(tr(fig.title, lang) + "  ⓘ")
        for w in (self, self.title, self.headline):
            w.setToolTip(tip)
        if computed.error:
            self.headline.setText(computed.error)
            self.chart.hide()
            self.table.hide()
            self.empty.hide()
            return
        shown = fig.present(computed.result, lang)
        self.presentation = shown
        self.headline.setText(shown.headline)
        self.headline.setVisible(bool(shown.headline))
        use_table = fig.table_on_tab or shown.chart is None
        has_data = bool(shown.table.rows) if use_table else bool(shown.chart and shown.chart.categories)
        self.empty.setText(shown.empty)
        self.empty.setVisible(not has_data)
        self.chart.setVisible(has_data and not use_table)
        self.table.setVisible(has_data and use_table)
        if not has_data:
            return
        if use_table:
            self._fill_table(shown)
        else:
            self.chart.show_chart(shown.chart)

    def _fill_table(self, shown: Presentation) -> None:
        t = shown.table
        rows = t.rows
        self.table.clear()
        self.table.setColumnCount(len(t.headers))
        self.table.setHorizontalHeaderLabels(list(t.headers))
        self.table.setRowCount(len(rows))
        self.table_links = t.links
        for r, row in enumerate(rows):
            warn = r < len(t.marked) and t.marked[r]
            for c, value in enumerate(row):
                fmt = t.formats[c] if c < len(t.formats) else ""
                item = QTableWidgetItem(cell_text(value, fmt))
                if fmt in ("int", "0.0", "percent", "hours"):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if warn:
                    item.setForeground(QColor(WARNING))
                self.table.setItem(r, c, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        if t.headers:
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch if len(t.headers) <= 2
                                        else QHeaderView.ResizeMode.ResizeToContents)
        shown_rows = max(1, min(TABLE_ROWS_SHOWN, len(rows)))
        height = self.table.horizontalHeader().sizeHint().height() + shown_rows * self.table.verticalHeader()\
            .defaultSectionSize() + 4
        self.table.setMinimumHeight(height)
        self.table.setMaximumHeight(max(height, 60) if len(rows) <= TABLE_ROWS_SHOWN else 16777215)
        self.table.setCursor(Qt.CursorShape.PointingHandCursor if any(t.links) else Qt.CursorShape.ArrowCursor)

    def _category_clicked(self, index: int) -> None:
        data = self.chart.chart_data
        if data is not None and 0 <= index < len(data.links) and data.links[index] is not None:
            self.sig_link.emit(data.links[index])

    def _row_clicked(self, row: int, _column: int) -> None:
        if 0 <= row < len(self.table_links) and self.table_links[row] is not None:
            self.sig_link.emit(self.table_links[row])


class DashboardTab(QWidget):
    """The first thing a manager sees: the figures of the factory, for the chosen period."""

    sig_link_activated = Signal(object)   # the Link a click followed (tests listen)
    sig_loaded = Signal(float)            # seconds the last load took

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("dashboard_tab")
        self.cards: dict[str, FigureCard] = {}
        self.last_load_seconds = 0.0
        self.data = None
        self._stale = True

        self.heading = QLabel()
        self.heading.setObjectName("dashboard_heading")
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.heading.setFont(font)
        self.period_label = QLabel()
        self.period_combo = QComboBox()
        self.period_combo.setObjectName("dashboard_period")
        for key in PERIOD_PRESETS:
            self.period_combo.addItem("", key)
        self.period_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.period_text = QLabel()
        self.period_text.setObjectName("dashboard_period_text")
        self.refresh_button = QPushButton()
        self.refresh_button.setObjectName("dashboard_refresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.export_button = QPushButton()
        self.export_button.setObjectName("dashboard_export")
        self.export_button.clicked.connect(self.export_workbook)
        self.report_button = QPushButton()
        self.report_button.setObjectName("dashboard_report")
        self.report_button.clicked.connect(self.print_report)
        self.report_button.setEnabled(allowed(ctx.actor, "dashboard.report"))
        self.status = QLabel()
        self.status.setObjectName("dashboard_status")
        self.status.setStyleSheet("color: #5f6368;")

        bar = QHBoxLayout()
        bar.addWidget(self.heading)
        bar.addSpacing(16)
        bar.addWidget(self.period_label)
        bar.addWidget(self.period_combo)
        bar.addWidget(self.period_text)
        bar.addStretch(1)
        bar.addWidget(self.status)
        bar.addWidget(self.refresh_button)
        bar.addWidget(self.export_button)
        bar.addWidget(self.report_button)

        self.body = QWidget()
        self.body.setObjectName("dashboard_body")
        self.grid = QGridLayout(self.body)
        self.grid.setContentsMargins(4, 4, 4, 4)
        self.grid.setSpacing(10)
        row, col = 0, 0
        for fig in figures():
            if fig.per_user and ctx.actor is None:
                continue
            card = FigureCard(fig.key)
            card.sig_link.connect(self.open_link)
            self.cards[fig.key] = card
            if fig.wide:
                if col:
                    row, col = row + 1, 0
                self.grid.addWidget(card, row, 0, 1, 2)
                row += 1
                continue
            self.grid.addWidget(card, row, col)
            row, col = (row, 1) if col == 0 else (row + 1, 0)
        self.grid.setColumnStretch(0, 1)
        self.grid.setColumnStretch(1, 1)
        self.grid.setRowStretch(row + 1, 1)
        self.scroll = QScrollArea()
        self.scroll.setObjectName("dashboard_scroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(self.body)
        self.scroll.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.addLayout(bar)
        layout.addWidget(self.scroll, 1)

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self._refresh_if_visible)
        for signal in (ctx.bus.sig_orders_changed, ctx.bus.sig_planning_changed):
            signal.connect(self._something_changed)
        for signal in (ctx.bus.sig_order_changed, ctx.bus.sig_review_changed):
            signal.connect(self._something_changed)
        self.retranslate_ui()
        self.refresh()

    # -- language -------------------------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.heading.setText(_("Dashboard"))
        self.period_label.setText(_("Period:"))
        for i in range(self.period_combo.count()):
            self.period_combo.setItemText(i, _(PERIOD_LABELS[self.period_combo.itemData(i)]))
        self.refresh_button.setText(_("Refresh"))
        self.export_button.setText(_("Export to Excel…"))
        self.export_button.setToolTip(_("A workbook with the figures behind every chart, one sheet per figure."))
        self.report_button.setText(_("Management report (PDF)…"))
        self.report_button.setToolTip(_("Every chart and figure on one A4 page; the printed copy is filed with the "
                                        "documents.") if self.report_button.isEnabled() else
                                      _("Managers and department heads print the management report."))
        self._show_period()
        if self.data is not None:
            self._show(self.data)

    # -- loading --------------------------------------------------------------------------------------------------
    def period(self) -> Period:
        return preset_period(self.period_combo.currentData() or PERIOD_PRESETS[0], clock.today())

    def set_period_preset(self, key: str) -> None:
        self.period_combo.setCurrentIndex(max(0, self.period_combo.findData(key)))

    def _show_period(self) -> None:
        p = self.period()
        self.period_text.setText(f"{formats.date(p.first, None, 'short')} – {formats.date(p.last, None, 'short')}")

    def refresh(self) -> None:
        """Compute every figure again (a few aggregate queries) and draw them."""
        self._refresh_timer.stop()
        self._show_period()
        started = time.perf_counter()
        try:
            data = compute(self.ctx.db, FigureContext.make(self.period(), self.ctx.actor))
        except DomainError as exc:
            self.status.setText(str(exc).splitlines()[0])
            return
        self.data = data
        self._show(data)
        self._stale = False
        self.last_load_seconds = time.perf_counter() - started
        self.status.setText(_("Updated {time} in {seconds} s", time=clock.local_now().strftime("%H:%M"),
                              seconds=f"{self.last_load_seconds:.2f}"))
        self.status.setToolTip("\n".join(f"{_(c.figure.title)}: {c.seconds * 1000:.0f} ms" for c in data.computed))
        self.sig_loaded.emit(self.last_load_seconds)

    def _show(self, data) -> None:
        lang = current_language()
        for computed in data.computed:
            card = self.cards.get(computed.figure.key)
            if card is not None:
                card.show_figure(computed, lang)

    def _something_changed(self, *_args) -> None:
        self._stale = True
        self._refresh_timer.start()

    def _refresh_if_visible(self) -> None:
        if self.isVisible():
            self.refresh()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale and self.data is not None:
            QTimer.singleShot(0, self.refresh)

    # -- following a click ----------------------------------------------------------------------------------------
    def open_link(self, link: Link) -> None:
        """Switch to the link's target (tab, view id): the Orders tab filtered by the bar's stages, a sub-view of a
        tab made of sub-views (Review, Materials, Delivery, Ledger, Archive: their `show_view`), or an order's own
        window."""
        self.sig_link_activated.emit(link)
        window = self.window()
        if not hasattr(window, "show_tab") or not hasattr(window, "tab_widget"):
            return
        widget = window.tab_widget(link.tab)
        window.show_tab(link.tab)
        if widget is None:
            return
        if link.stages and hasattr(widget, "set_stage_filter"):
            if hasattr(widget, "clear_filters"):
                widget.clear_filters()
            widget.set_stage_filter("chosen", set(link.stages))
        views = getattr(widget, "views", None)
        if link.view and isinstance(views, dict) and link.view in views:
            if hasattr(widget, "show_view"):
                widget.show_view(link.view)
            elif hasattr(widget, "tabs"):
                widget.tabs.setCurrentWidget(views[link.view])
        if link.order_id is not None and hasattr(widget, "open_order"):
            widget.open_order(link.order_id)

    # -- papers ---------------------------------------------------------------------------------------------------
    def export_workbook(self) -> None:
        from ...services.dashboard.papers import export_dashboard

        period = self.period()
        suggested = f"dashboard-{period.first:%Y%m%d}-{period.last:%Y%m%d}.xlsx"
        path, _filter = QFileDialog.getSaveFileName(self, _("Save as"), suggested, _("Excel workbook (*.xlsx)"))
        if not path:
            return
        written = operations.run(self.ctx, self, lambda: export_dashboard(self.ctx.db, period, path,
                                                                          current_language(), self.ctx.actor),
                                 success=_("Dashboard figures written to {file}", file=path))
        if written is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(written).resolve())))

    def print_report(self) -> None:
        from ...services.dashboard.papers import print_management_report, report_file_name

        period = self.period()
        path, _filter = QFileDialog.getSaveFileName(self, _("Save as"), report_file_name(period),
                                                    _("PDF (*.pdf)"))
        if not path:
            return
        printed = operations.run(self.ctx, self, lambda: print_management_report(
            self.ctx.db, self.ctx.actor, period, path, current_language()),
            success=_("Management report written to {file}", file=path))
        if printed is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(printed.path.resolve())))
