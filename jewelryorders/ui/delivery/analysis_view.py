"""The after-sales analysis of a period and its workbook."""

from __future__ import annotations


from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ...i18n import _, current_language
from ...models.delivery import CASE_KINDS, CAUSES
from ...services.delivery import aftersales
from .. import operations
from ..context import UiContext
from . import common
from .common import _date, _date_edit


class AnalysisView(QWidget):
    """Cases per month by kind (chart), per style, per cause, time to close, repeat customers; Excel export."""

    sig_changed = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.from_edit = _date_edit("analysis_from")
        self.from_edit.setDate(self.from_edit.date().addYears(-1))
        self.to_edit = _date_edit("analysis_to")
        self.show_button, self.export_button = QPushButton(), QPushButton()
        self.show_button.setObjectName("analyse")
        self.export_button.setObjectName("export_after_sales")
        self.show_button.clicked.connect(self.refresh)
        self.export_button.clicked.connect(self.export)
        top = QHBoxLayout()
        for w in (self.from_edit, self.to_edit, self.show_button, self.export_button):
            top.addWidget(w)
        top.addStretch(1)
        from PySide6.QtCharts import QChart, QChartView

        self.chart = QChart()
        self.chart_view = QChartView(self.chart)
        self.chart_view.setObjectName("cases_chart")
        self.cause_chart = QChart()
        self.cause_view = QChartView(self.cause_chart)
        self.cause_view.setObjectName("cause_chart")
        charts = QHBoxLayout()
        charts.addWidget(self.chart_view, 3)
        charts.addWidget(self.cause_view, 2)
        self.summary = QLabel()
        self.summary.setObjectName("analysis_summary")
        self.summary.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(charts, 1)
        layout.addWidget(self.summary)
        self.analysis = None

    def retranslate_ui(self) -> None:
        self.show_button.setText(_("Show"))
        self.export_button.setText(_("Export to Excel"))
        self.refresh()

    def refresh(self) -> None:
        from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QValueAxis

        a = operations.run(self.ctx, self, lambda: aftersales.analyse(self.ctx.db, _date(self.from_edit),
                                                                     _date(self.to_edit)), quiet_errors=True)
        if a is None:
            return
        self.analysis = a
        from PySide6.QtCharts import QChart

        # A new chart each time: axes removed from a chart that stays shown leave their ghosts behind.
        old_charts = (self.chart, self.cause_chart)
        self.chart, self.cause_chart = QChart(), QChart()
        self.chart_view.setChart(self.chart)
        self.cause_view.setChart(self.cause_chart)
        for chart in old_charts:
            chart.deleteLater()
        months = list(a.by_month_kind)
        series = QBarSeries()
        top = 1
        for kind, msgid in CASE_KINDS.items():
            bar = QBarSet(_(msgid))
            for m in months:
                bar.append(a.by_month_kind[m][kind])
                top = max(top, a.by_month_kind[m][kind])
            series.append(bar)
        self.chart.addSeries(series)
        self.chart.setTitle(_("Cases per month by kind"))
        x = QBarCategoryAxis()
        x.append(months)
        y = QValueAxis()
        y.setRange(0, top)
        y.setTickCount(min(top, 10) + 1)
        y.setLabelFormat("%d")
        self.chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x)
        series.attachAxis(y)
        causes = QBarSeries()
        bar = QBarSet(_("Cases"))
        for _cause, n in a.by_cause:
            bar.append(n)
        causes.append(bar)
        self.cause_chart.addSeries(causes)
        self.cause_chart.setTitle(_("Cases per cause"))
        self.cause_chart.legend().setVisible(False)
        cx = QBarCategoryAxis()
        cx.append([_(CAUSES[c]) for c, _n in a.by_cause])
        cy = QValueAxis()
        cause_top = max([n for _c, n in a.by_cause] + [1])
        cy.setRange(0, cause_top)
        cy.setTickCount(min(cause_top, 10) + 1)
        cy.setLabelFormat("%d")
        self.cause_chart.addAxis(cx, Qt.AlignmentFlag.AlignBottom)
        self.cause_chart.addAxis(cy, Qt.AlignmentFlag.AlignLeft)
        causes.attachAxis(cx)
        causes.attachAxis(cy)
        days = ", ".join(f"{_(CASE_KINDS[k])} {v}" for k, v in a.days_to_close.items()) or "—"
        repeat = ", ".join(f"{name} ({n})" for name, n in a.repeat_customers[:10]) or "—"
        styles = ", ".join(f"{s} ({n})" for s, n in a.by_style[:10]) or "—"
        self.summary.setText(_("{count} cases. Days to close: {days}. Styles: {styles}. Repeat customers: {repeat}.",
                               count=a.cases, days=days, styles=styles, repeat=repeat))

    def export(self) -> None:
        path = common.ask_save_path(self, "after-sales.xlsx", _("Excel workbook (*.xlsx)"))
        if not path:
            return
        from ...services.delivery.aftersales_papers import export_after_sales

        operations.run(self.ctx, self, lambda: export_after_sales(self.ctx.db, self.ctx.actor, _date(self.from_edit),
                                                                  _date(self.to_edit), path, current_language()),
                       success=_("After-sales analysis written to {file}", file=path))
