"""QtCharts views of the dashboard's generic charts (services/dashboard/registry.Chart): bars, horizontal bars and
lines, a capacity line, overloaded bars in the warning colour, and a click on a bar that says which category."""

from __future__ import annotations

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QWidget

from ...reports.axis_scale import value_axis_scale
from ...services.dashboard.registry import CHART_HBAR, CHART_LINE, Chart

WARNING = "#d93025"
PALETTE = ("#1a73e8", "#f29900", "#188038", "#9334e6", "#12b5cb", "#e8710a")
MAX_CATEGORIES = 15
CHART_HEIGHT = 250


class FigureChartView(QChartView):
    """One figure's chart; `sig_category_clicked(index)` when a bar (or a line's point) is clicked."""

    sig_category_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(CHART_HEIGHT)
        self.chart_data: Chart | None = None
        self.bar_sets: list[QBarSet] = []
        self.reversed = False
        chart = QChart()
        chart.setMargins(QMargins(2, 2, 2, 2))
        chart.setBackgroundRoundness(0)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignTop)
        self.setChart(chart)

    def _bar_clicked(self, index: int) -> None:
        count = min(MAX_CATEGORIES, len(self.chart_data.categories)) if self.chart_data else 0
        self.sig_category_clicked.emit(count - 1 - index if self.reversed else index)

    def show_chart(self, data: Chart) -> None:
        """Draw `data` afresh (the old series and axes are removed)."""
        self.chart_data = data
        chart = self.chart()
        chart.removeAllSeries()
        for axis in list(chart.axes()):
            chart.removeAxis(axis)
        self.bar_sets = []
        count = min(MAX_CATEGORIES, len(data.categories))
        scale = 100.0 if data.percent else 1.0
        marked = list(data.marked[:count]) + [False] * (count - len(data.marked[:count]))
        names = [c + (" ⚠" if marked[i] else "") for i, c in enumerate(data.categories[:count])]
        limit = [v * scale for v in data.limit.values[:count]] if data.limit is not None else []
        values = [[v * scale for v in s.values[:count]] for s in data.series]
        # Qt stacks horizontal bars from the bottom up: give it the categories in reverse so the first is on top.
        self.reversed = data.kind == CHART_HBAR
        if self.reversed:
            marked, names, limit = marked[::-1], names[::-1], limit[::-1]
            values = [vs[::-1] for vs in values]
        plotted = [v for vs in values for v in vs] + limit
        whole = not data.percent and all(float(v).is_integer() for v in plotted)
        top, ticks = value_axis_scale(plotted, whole=whole, percent=data.percent)
        category_axis = QBarCategoryAxis()
        category_axis.append(names)
        category_axis.setTruncateLabels(False)
        font = category_axis.labelsFont()
        font.setPointSizeF(max(7.0, font.pointSizeF() - 1))
        category_axis.setLabelsFont(font)
        value_axis = QValueAxis()
        value_axis.setRange(0, top)
        value_axis.setLabelFormat("%d%%" if data.percent else ("%d" if whole or top >= 4 else "%.1f"))
        value_axis.setTickCount(ticks)
        if data.unit:
            value_axis.setTitleText(data.unit)
        if data.kind == CHART_LINE:
            chart.addAxis(category_axis, Qt.AlignmentFlag.AlignBottom)
            chart.addAxis(value_axis, Qt.AlignmentFlag.AlignLeft)
            category_axis.setLabelsAngle(-45 if count > 6 else 0)  # twelve months side by side overlap
            for i, (s, vs) in enumerate(zip(data.series, values)):
                line = QLineSeries()
                line.setName(s.name)
                line.setPen(QPen(QColor(s.color or PALETTE[i % len(PALETTE)]), 2))
                line.setPointsVisible(True)
                for j, v in enumerate(vs):
                    line.append(j, v)
                chart.addSeries(line)
                line.attachAxis(category_axis)
                line.attachAxis(value_axis)
                line.clicked.connect(lambda point: self.sig_category_clicked.emit(int(round(point.x()))))
        else:
            series = QHorizontalBarSeries() if data.kind == CHART_HBAR else QBarSeries()
            for i, (s, vs) in enumerate(zip(data.series, values)):
                bar_set = QBarSet(s.name)
                bar_set.setColor(QColor(s.color or PALETTE[i % len(PALETTE)]))
                bar_set.setBorderColor(QColor(s.color or PALETTE[i % len(PALETTE)]))
                bar_set.append(vs)
                bar_set.setSelectedColor(QColor(WARNING))
                for j, v in enumerate(vs):
                    over_limit = bool(limit) and v > limit[j] + 1e-9
                    if over_limit or (not limit and marked[j] and len(values) == 1):
                        bar_set.selectBar(j)
                bar_set.clicked.connect(self._bar_clicked)
                series.append(bar_set)
                self.bar_sets.append(bar_set)
            chart.addSeries(series)
            if data.kind == CHART_HBAR:
                chart.addAxis(category_axis, Qt.AlignmentFlag.AlignLeft)
                chart.addAxis(value_axis, Qt.AlignmentFlag.AlignBottom)
            else:
                chart.addAxis(category_axis, Qt.AlignmentFlag.AlignBottom)
                chart.addAxis(value_axis, Qt.AlignmentFlag.AlignLeft)
                category_axis.setLabelsAngle(-45 if count > 6 else 0)
            series.attachAxis(category_axis)
            series.attachAxis(value_axis)
            if limit:
                line = QLineSeries()
                line.setName(data.limit.name)
                line.setPen(QPen(QColor(WARNING), 1.5, Qt.PenStyle.DashLine))
                if all(abs(v - limit[0]) < 1e-9 for v in limit):
                    points = [(-0.5, limit[0]), (count - 0.5, limit[-1])]  # one limit for all: a straight line
                else:  # each category its own limit (an allowance): a step across each bar at its own value
                    points = [(i + edge, v) for i, v in enumerate(limit) for edge in (-0.5, 0.5)]
                for index, value in points:
                    if data.kind == CHART_HBAR:
                        line.append(value, index)
                    else:
                        line.append(index, value)
                chart.addSeries(line)
                line.attachAxis(category_axis)
                line.attachAxis(value_axis)
        bars = count * max(1, len(values))
        self.setMinimumHeight(max(CHART_HEIGHT, 90 + bars * 9) if data.kind == CHART_HBAR else CHART_HEIGHT)
        chart.legend().setVisible(len(data.series) > 1 or data.limit is not None)
        self.setCursor(Qt.CursorShape.PointingHandCursor if any(data.links) else Qt.CursorShape.ArrowCursor)
