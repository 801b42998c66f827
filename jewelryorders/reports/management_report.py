"""The management report: one A4 landscape page with every dashboard figure's chart (drawn by ReportLab's own
charts), its headline figure and its definition.

Plain data in: a chart is any object with the attributes of services/dashboard/registry.Chart (kind, categories,
series with name/values/color, unit, limit, marked, percent), so this module queries and imports no service.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from ..i18n import normalize_language, tr
from .axis_scale import value_axis_scale

WARNING = "#d93025"
PALETTE = ("#1a73e8", "#f29900", "#188038", "#9334e6", "#12b5cb", "#e8710a")
COLUMNS = 3
MAX_BARS = 12          # categories drawn per chart (the workbook has them all)
LABEL_CHARS = 12       # category labels are cut to this many characters (Chinese count double)


@dataclass(frozen=True)
class ReportFigure:
    title: str            # translated
    headline: str
    definition: str
    chart: Any | None     # registry.Chart or None
    empty: str = ""


@dataclass(frozen=True)
class ManagementReport:
    factory_name: str
    period_text: str      # e.g. "2026-11 (1 Nov 2026 – 30 Nov 2026)"
    figures: Sequence[ReportFigure]
    as_of: dt.datetime


def _cut(text: str, limit: int = LABEL_CHARS) -> str:
    width, out = 0, ""
    for ch in text:
        width += 2 if ord(ch) > 0x2e80 else 1
        if width > limit:
            return out + "…"
        out += ch
    return out


def chart_drawing(chart: Any, width: float, height: float, lang: str):
    """A ReportLab Drawing of one chart: bars (vertical or horizontal) or lines, a limit line, marked bars in the
    warning colour, a legend when there is more than one series."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
    from reportlab.graphics.charts.linecharts import HorizontalLineChart
    from reportlab.graphics.shapes import Drawing, Line, Rect, String
    from reportlab.lib import colors

    from .fonts import FONT_NAME, register_fonts

    register_fonts()
    drawing = Drawing(width, height)
    count = min(MAX_BARS, len(chart.categories))
    scale = 100.0 if chart.percent else 1.0
    series = [[v * scale for v in s.values[:count]] for s in chart.series] or [[0.0] * count]
    names = [_cut(c, LABEL_CHARS + 4 if chart.kind == "hbar" else LABEL_CHARS) for c in chart.categories[:count]]
    limit = [v * scale for v in chart.limit.values[:count]] if chart.limit is not None else []
    plotted = [v for s in series for v in s] + limit
    whole = not chart.percent and all(float(v).is_integer() for v in plotted)
    top, ticks = value_axis_scale(plotted, whole=whole, percent=chart.percent)
    from reportlab.pdfbase.pdfmetrics import stringWidth

    entries = [(s.name, s.color or PALETTE[i % len(PALETTE)]) for i, s in enumerate(chart.series)]
    if chart.limit is not None:
        entries.append((chart.limit.name, WARNING))
    legend_lines: list[list[tuple[str, str, float]]] = [[]]
    x = 0.0
    for name, colour in entries if len(entries) > 1 else []:
        label = _cut(name, 18)
        w = 14 + stringWidth(label, FONT_NAME, 6)
        if legend_lines[-1] and x + w > width - 30:
            legend_lines.append([])
            x = 0.0
        legend_lines[-1].append((label, colour, x))
        x += w
    legend_h = 9 * len(legend_lines) + 1 if entries and len(entries) > 1 else 0
    if chart.kind == "hbar":
        plot = HorizontalBarChart()
        plot.x, plot.y = 66, 14
        plot.width, plot.height = width - plot.x - 8, height - plot.y - 6 - legend_h
        plot.categoryAxis.reverseDirection = 1
        plot.categoryAxis.labels.boxAnchor = "e"
        plot.categoryAxis.labels.dx = -2
    elif chart.kind == "line":
        plot = HorizontalLineChart()
        plot.x, plot.y = 28, 30 if count > 6 else 22
        plot.width, plot.height = width - plot.x - 6, height - plot.y - 6 - legend_h
        plot.joinedLines = 1
        if count > 6:
            plot.categoryAxis.labels.angle = 30
            plot.categoryAxis.labels.boxAnchor = "ne"
    else:
        plot = VerticalBarChart()
        plot.x, plot.y = 28, 30
        plot.width, plot.height = width - plot.x - 6, height - plot.y - 6 - legend_h
        plot.categoryAxis.labels.angle = 30
        plot.categoryAxis.labels.boxAnchor = "ne"
        plot.categoryAxis.labels.dy = -2
    plot.data = series
    plot.categoryAxis.categoryNames = names
    for labels in (plot.categoryAxis.labels, plot.valueAxis.labels):
        labels.fontName = FONT_NAME
        labels.fontSize = 6
    plot.valueAxis.valueMin = 0
    plot.valueAxis.valueMax = top
    plot.valueAxis.valueStep = top / (ticks - 1)
    plot.valueAxis.labelTextFormat = "%d%%" if chart.percent else ("%d" if whole or top >= 4 else "%.1f")
    plot.valueAxis.gridStrokeColor = colors.HexColor("#e4e8ec")
    plot.valueAxis.visibleGrid = 1
    colours = [colors.HexColor(colour) for _name, colour in entries[:len(chart.series)]]
    if chart.kind == "line":
        for i, colour in enumerate(colours):
            plot.lines[i].strokeColor = colour
            plot.lines[i].strokeWidth = 1.5
    else:
        plot.barSpacing = 0.3
        plot.groupSpacing = 3
        for i, colour in enumerate(colours):
            plot.bars[i].fillColor = colour
            plot.bars[i].strokeColor = None
        marked = list(chart.marked[:count])
        warn = colors.HexColor(WARNING)
        for i, values in enumerate(series):
            for j, value in enumerate(values):
                over_limit = limit and value > limit[j] + 1e-9
                if over_limit or (not limit and j < len(marked) and marked[j] and len(series) == 1):
                    plot.bars[(i, j)].fillColor = warn
    drawing.add(plot)
    if limit and len(set(limit)) == 1:
        pen = dict(strokeColor=colors.HexColor(WARNING), strokeWidth=0.8, strokeDashArray=[3, 2])
        if chart.kind == "hbar":
            x = plot.x + plot.width * limit[0] / top
            drawing.add(Line(x, plot.y, x, plot.y + plot.height, **pen))
        else:
            y = plot.y + plot.height * limit[0] / top
            drawing.add(Line(plot.x, y, plot.x + plot.width, y, **pen))
    for row, line in enumerate(legend_lines if legend_h else []):
        y = height - 8 - 9 * row
        for label, colour, offset in line:
            drawing.add(Rect(plot.x + offset, y, 6, 6, fillColor=colors.HexColor(colour), strokeColor=None))
            drawing.add(String(plot.x + offset + 8, y + 0.5, label, fontName=FONT_NAME, fontSize=6))
    return drawing


def _chart_flowable(chart: Any, width: float, height: float, lang: str):
    """The chart as a flowable that draws itself when laid out (a ReportLab chart cannot be deep-copied, and the
    page layout copies the story once to count the pages)."""
    from reportlab.graphics import renderPDF
    from reportlab.platypus import Flowable

    class ChartFlowable(Flowable):
        def __init__(self):
            super().__init__()
            self.width, self.height = width, height

        def __deepcopy__(self, memo):
            return _chart_flowable(chart, width, height, lang)

        def wrap(self, available_width, available_height):
            return self.width, self.height

        def draw(self):
            renderPDF.draw(chart_drawing(chart, width, height, lang), self.canv, 0, 0)

    return ChartFlowable()


def write_management_report(report: ManagementReport, path: str | Path, *, lang: str, printed_by: str = "",
                            printed_at: dt.datetime | None = None) -> Path:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepInFrame, Spacer, Table, TableStyle

    from .pdf_base import RULE, PaperHeader, build_pdf, content_width, p, styles

    lang = normalize_language(lang)
    page = landscape(A4)
    st = styles()
    from reportlab.lib.styles import ParagraphStyle

    small = ParagraphStyle("mr_small", parent=st["small"], fontSize=7.5, leading=9.5)
    tiny = ParagraphStyle("mr_tiny", parent=st["tiny"], fontSize=5.6, leading=6.8,
                          textColor=st["label"].textColor)
    title = tr("Management report", lang)
    width = content_width(page) - 12
    columns = COLUMNS if len(report.figures) <= 2 * COLUMNS else COLUMNS + 1
    cell_w = width / columns
    rows_needed = max(1, -(-len(report.figures) // columns))
    cell_h = (page[1] - 34 * mm - 26 * mm) / rows_needed
    chart_h = max(32 * mm, cell_h - 30 * mm)
    cells = []
    for fig in report.figures:
        parts = [p(fig.title, st["h3"]), p(fig.headline, small)]
        if fig.chart is not None and fig.chart.categories:
            parts.append(_chart_flowable(fig.chart, cell_w - 10, chart_h, lang))
        else:
            parts.append(Spacer(1, 4))
            parts.append(p(fig.empty or "—", small))
        parts.append(p(fig.definition, tiny))
        cells.append(KeepInFrame(cell_w - 6, cell_h - 4, parts, mode="shrink"))
    while len(cells) % columns:
        cells.append("")
    grid = Table([cells[i:i + columns] for i in range(0, len(cells), columns)], colWidths=[cell_w] * columns,
                 rowHeights=[cell_h] * rows_needed)
    grid.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOX", (0, 0), (-1, -1), 0.4, RULE),
                              ("INNERGRID", (0, 0), (-1, -1), 0.4, RULE),
                              ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]))
    story = [p(f"{title} · {report.period_text}", st["title"]), grid]
    header = PaperHeader(report.factory_name, title, report.period_text, lang, printed_at, printed_by)
    return build_pdf(path, story, header, pagesize=page)
