"""The production Gantt on A3 landscape for the meeting-room wall: bars, today line, workshop load, overloaded days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A3, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, PageBreak, Spacer

from ..gantt.data import (
    GROUPING_LABELS,
    STATE_COLORS,
    STATE_LABELS,
    STATES,
    GanttBar,
    GanttData,
    GanttRow,
    compress_dates,
    date_span,
    layout_rows,
    loads_by_workshop,
    month_starts,
    overload_summary,
    workshops_of,
)
from ..i18n import N_, ntr, tr
from .fonts import FONT_NAME, FONT_NAME_BOLD
from .pdf_base import INK, RULE, SHADE, PaperHeader, build_pdf, content_width, grid_table, p, styles

PAGE = landscape(A3)
FRAME_PADDING = 6  # ReportLab's Frame pads each side by 6 pt
FRAME_HEIGHT = PAGE[1] - 18 * mm - 16 * mm - 2 * FRAME_PADDING  # inside build_pdf's top and bottom margins
FRAME_WIDTH = content_width(PAGE) - 2 * FRAME_PADDING
LABEL_W = 64 * mm
TITLE_H = 15 * mm
HEADER_TIER = 5 * mm
LANE_H = 5.2 * mm
BAR_H = 3.7 * mm
ROW_PAD = 0.6 * mm
LOAD_ROW_H = 4.0 * mm
LOAD_TITLE_H = 6.0 * mm

MUTED = colors.HexColor("#616e7c")
STRIPE = colors.HexColor("#f6f8fa")
WEEKEND = colors.HexColor("#e9edf1")
HOLIDAY = colors.HexColor("#f9e0de")
TODAY = colors.HexColor("#d0433b")
MONTH_RULE = colors.HexColor("#7b8794")
WEEK_RULE = colors.HexColor("#c3cbd3")
DAY_RULE = colors.HexColor("#e4e8ec")
# Load heat scale: (upper bound in %, colour, msgid of its legend)
LOAD_BANDS: tuple[tuple[int, colors.Color, str], ...] = (
    (70, colors.HexColor("#dbe8de"), N_("up to 70 %")),
    (100, colors.HexColor("#93c1a0"), N_("70–100 %")),
    (120, colors.HexColor("#f0a29c"), N_("over 100 %")),
    (1 << 30, colors.HexColor("#c9362f"), N_("over 120 %")),
)

MONTH_NAMES = (N_("Jan"), N_("Feb"), N_("Mar"), N_("Apr"), N_("May"), N_("Jun"),
               N_("Jul"), N_("Aug"), N_("Sep"), N_("Oct"), N_("Nov"), N_("Dec"))


@dataclass(frozen=True)
class _Chunk:
    """The lanes [lane_from, lane_to) of one row that fit on one page; `continued` when the row began earlier."""

    row: GanttRow
    lane_from: int
    lane_to: int
    continued: bool

    @property
    def height(self) -> float:
        return (self.lane_to - self.lane_from) * LANE_H + 2 * ROW_PAD


def _fit(text: str, font: str, size: float, width: float) -> str:
    """Cut text to fit `width`, ending in an ellipsis, so a long customer name never runs into the chart."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…" if text else ""


def _paginate(rows: list[GanttRow], room: float) -> list[list[_Chunk]]:
    """Rows onto pages top to bottom; a row stays whole when it fits on a fresh page, else it is split by lanes."""
    pages: list[list[_Chunk]] = []
    current: list[_Chunk] = []
    used = 0.0
    max_lanes = max(int((room - 2 * ROW_PAD) // LANE_H), 1)
    for row in rows:
        start = 0
        while start < row.lanes:
            need = (row.lanes - start) * LANE_H + 2 * ROW_PAD
            if used + need <= room + 0.01:
                current.append(_Chunk(row, start, row.lanes, start > 0))
                used += need
                start = row.lanes
            elif current and row.lanes - start <= max_lanes:
                pages.append(current)
                current, used = [], 0.0
            else:
                take = max(int((room - used - 2 * ROW_PAD) // LANE_H), 0)
                if take == 0:
                    pages.append(current)
                    current, used = [], 0.0
                    continue
                current.append(_Chunk(row, start, start + take, start > 0))
                start += take
                pages.append(current)
                current, used = [], 0.0
    if current or not pages:
        pages.append(current)
    return pages


class _ChartPage(Flowable):
    """One page of the chart: title, legend, date header, rows with their labels, today line, load heat strip."""

    def __init__(self, chart: "_Chart", chunks: list[_Chunk], page_no: int, pages: int) -> None:
        super().__init__()
        self.chart = chart
        self.chunks = chunks
        self.page_no = page_no
        self.pages = pages

    def __deepcopy__(self, memo):  # the drawing is immutable; build_pdf's counting pass may share it
        return self

    def wrap(self, avail_width: float, avail_height: float):
        self.width = avail_width
        self.height = avail_height
        return avail_width, avail_height

    def draw(self) -> None:
        self.chart.draw_page(self.canv, self.width, self.height, self.chunks, self.page_no, self.pages)


class _Chart:
    """Geometry and drawing shared by every page of one export."""

    def __init__(self, data: GanttData, lang: str, grouping: str, date_from: date, date_to: date,
                 bars: list[GanttBar], title: str) -> None:
        self.data = data
        self.lang = lang
        self.grouping = grouping
        self.first = date_from
        self.last = date_to
        self.bars = {b.key: b for b in bars}
        self.layout = layout_rows(bars, grouping)
        self.title = title
        self.workshops = workshops_of(GanttData(bars, [l for l in data.loads if date_from <= l.day <= date_to],
                                                data.holidays, data.today))
        self.loads = loads_by_workshop(l for l in data.loads if date_from <= l.day <= date_to)
        self.load_workshops = [(wid, name) for wid, name in self.workshops if wid in self.loads]
        self.days = (date_to - date_from).days + 1
        self.chart_w = FRAME_WIDTH - LABEL_W
        self.day_w = self.chart_w / self.days

    def load_block_height(self) -> float:
        if not self.load_workshops:
            return 0.0
        return LOAD_TITLE_H + len(self.load_workshops) * LOAD_ROW_H + 2 * mm

    def rows_room(self) -> float:
        return FRAME_HEIGHT - TITLE_H - 2 * HEADER_TIER - self.load_block_height() - 3 * mm

    def x(self, day: date) -> float:
        return LABEL_W + (day - self.first).days * self.day_w

    # ------------------------------------------------------------------------------------------ page parts

    def draw_page(self, c, width: float, height: float, chunks: list[_Chunk], page_no: int, pages: int) -> None:
        c.saveState()
        header_top = height - TITLE_H
        rows_top = header_top - 2 * HEADER_TIER
        rows_bottom = rows_top - sum(ch.height for ch in chunks)
        load_top = rows_bottom - 3 * mm if chunks else rows_top - 3 * mm
        load_bottom = load_top - self.load_block_height()

        self._title(c, width, height, page_no, pages)
        self._day_bands(c, rows_top, load_bottom if self.load_workshops else rows_bottom)
        self._header(c, header_top)
        self._rows(c, width, rows_top, chunks)
        if self.load_workshops:
            self._load_block(c, width, load_top)
        self._today_line(c, header_top, load_bottom if self.load_workshops else rows_bottom)
        if not chunks:
            c.setFont(FONT_NAME, 11)
            c.setFillColor(MUTED)
            c.drawCentredString(LABEL_W + self.chart_w / 2, rows_top - 20 * mm,
                                tr("No production steps in this period.", self.lang))
        c.restoreState()

    def _title(self, c, width: float, height: float, page_no: int, pages: int) -> None:
        lang = self.lang
        c.setFillColor(INK)
        c.setFont(FONT_NAME_BOLD, 16)
        c.drawString(0, height - 6.5 * mm, self.title)
        c.setFont(FONT_NAME, 9)
        c.setFillColor(MUTED)
        subtitle = tr("{first} – {last} · {grouping} · today {today}", lang, first=self.first.isoformat(),
                      last=self.last.isoformat(), grouping=tr(GROUPING_LABELS[self.grouping], lang),
                      today=self.data.today.isoformat())
        if pages > 1:
            subtitle += " · " + tr("chart page {page} of {pages}", lang, page=page_no, pages=pages)
        c.drawString(0, height - 11.5 * mm, subtitle)

        # Legend, right-aligned: the four states, today, weekend, holiday.
        items: list[tuple[str, colors.Color, str]] = [
            ("box", colors.HexColor(STATE_COLORS[s]), tr(STATE_LABELS[s], lang)) for s in STATES]
        items += [("line", TODAY, tr("Today", lang)), ("box", WEEKEND, tr("Weekend", lang)),
                  ("box", HOLIDAY, tr("Holiday", lang))]
        c.setFont(FONT_NAME, 8.5)
        x = width
        y = height - 6.5 * mm
        for kind, colour, text in reversed(items):
            x -= stringWidth(text, FONT_NAME, 8.5)
            c.setFillColor(INK)
            c.drawString(x, y, text)
            x -= 5 * mm
            c.setFillColor(colour)
            if kind == "box":
                c.setStrokeColor(RULE if colour in (WEEKEND, HOLIDAY) else colour)
                c.setLineWidth(0.3)
                c.rect(x, y - 0.4 * mm, 3.6 * mm, 3.0 * mm, stroke=1, fill=1)
            else:
                c.setStrokeColor(colour)
                c.setLineWidth(1.4)
                c.line(x + 1.8 * mm, y - 0.8 * mm, x + 1.8 * mm, y + 3.0 * mm)
            x -= 4 * mm

    def _day_bands(self, c, top: float, bottom: float) -> None:
        holidays = self.data.holidays
        weekend = self.data.weekend_days
        for i in range(self.days):
            day = self.first + timedelta(days=i)
            colour = HOLIDAY if day in holidays else (WEEKEND if day.weekday() in weekend and self.day_w >= 1.2 else None)
            if colour is not None:
                c.setFillColor(colour)
                c.rect(self.x(day), bottom, self.day_w, top - bottom, stroke=0, fill=1)
        for i in range(self.days):
            day = self.first + timedelta(days=i)
            x = self.x(day)
            if day.day == 1:
                c.setStrokeColor(MONTH_RULE)
                c.setLineWidth(0.6)
            elif day.weekday() == 0:
                c.setStrokeColor(WEEK_RULE)
                c.setLineWidth(0.35)
            elif self.day_w >= 3 * mm:
                c.setStrokeColor(DAY_RULE)
                c.setLineWidth(0.25)
            else:
                continue
            c.line(x, bottom, x, top)

    def _header(self, c, top: float) -> None:
        lang = self.lang
        c.setFillColor(SHADE)
        c.rect(0, top - 2 * HEADER_TIER, LABEL_W + self.chart_w, 2 * HEADER_TIER, stroke=0, fill=1)
        c.setStrokeColor(MONTH_RULE)
        c.setLineWidth(0.6)
        c.line(0, top - 2 * HEADER_TIER, LABEL_W + self.chart_w, top - 2 * HEADER_TIER)
        c.setLineWidth(0.3)
        c.line(LABEL_W, top - HEADER_TIER, LABEL_W + self.chart_w, top - HEADER_TIER)
        c.setFillColor(INK)
        c.setFont(FONT_NAME_BOLD, 9)
        caption = tr("Order · Customer", lang) if self.grouping == "order" else tr("Workshop", lang)
        c.drawString(2 * mm, top - HEADER_TIER - 1.6 * mm, caption)

        def span(first: date, last: date, text: str, y: float, font: str, size: float) -> None:
            x0 = self.x(first)
            x1 = self.x(last) + self.day_w
            c.setStrokeColor(WEEK_RULE)
            c.setLineWidth(0.3)
            c.line(x0, y, x0, y + HEADER_TIER)
            if stringWidth(text, font, size) + 2 * mm <= x1 - x0:
                c.setFillColor(INK)
                c.setFont(font, size)
                c.drawString(x0 + 1 * mm, y + 1.5 * mm, text)

        months = month_starts(self.first, self.last)
        for i, first in enumerate(months):
            last = months[i + 1] - timedelta(days=1) if i + 1 < len(months) else self.last
            label = tr("{month_name} {year}", lang, month_name=tr(MONTH_NAMES[first.month - 1], lang), year=first.year)
            span(first, last, label, top - HEADER_TIER, FONT_NAME_BOLD, 8.5)

        lower = top - 2 * HEADER_TIER
        if self.day_w >= 3.2 * mm:
            for i in range(self.days):
                day = self.first + timedelta(days=i)
                x = self.x(day)
                if day == self.data.today:
                    c.setFillColor(TODAY)
                    c.rect(x + 0.2 * mm, lower + 0.2 * mm, self.day_w - 0.4 * mm, HEADER_TIER - 0.4 * mm, stroke=0, fill=1)
                    c.setFillColor(colors.white)
                elif day in self.data.holidays:
                    c.setFillColor(TODAY)
                elif day.weekday() in self.data.weekend_days:
                    c.setFillColor(MUTED)
                else:
                    c.setFillColor(INK)
                c.setFont(FONT_NAME, 6.5)
                c.drawCentredString(x + self.day_w / 2, lower + 1.6 * mm, str(day.day))
        elif self.day_w * 7 >= 7 * mm:
            monday = self.first - timedelta(days=self.first.weekday())
            while monday <= self.last:
                first = max(monday, self.first)
                last = min(monday + timedelta(days=6), self.last)
                text = f"{monday.month}/{monday.day}"
                if self.day_w * 7 >= 16 * mm:
                    text = tr("W{week}", lang, week=monday.isocalendar().week) + "  " + text
                span(first, last, text, lower, FONT_NAME, 6.5)
                monday += timedelta(days=7)

    def _rows(self, c, width: float, top: float, chunks: list[_Chunk]) -> None:
        lang = self.lang
        y = top
        chart_right = LABEL_W + self.chart_w
        for index, chunk in enumerate(chunks):
            row = chunk.row
            h = chunk.height
            y0 = y - h
            if index % 2 == 1:
                c.setFillColor(STRIPE)
                c.rect(0, y0, LABEL_W, h, stroke=0, fill=1)
            # Labels, repeated on every page the row reaches.
            c.setFillColor(INK)
            label = row.label + (" " + tr("(cont.)", lang) if chunk.continued else "")
            text_y = y - ROW_PAD - LANE_H / 2 - 1.1 * mm
            if row.kind == "order":
                c.setFont(FONT_NAME_BOLD, 7.8)
                c.drawString(2 * mm, text_y, label)
                used = stringWidth(label, FONT_NAME_BOLD, 7.8)
                c.setFont(FONT_NAME, 7)
                c.setFillColor(MUTED)
                customer = _fit(row.sublabel, FONT_NAME, 7, LABEL_W - used - 7 * mm)
                c.drawRightString(LABEL_W - 2 * mm, text_y, customer)
            else:
                c.setFont(FONT_NAME_BOLD, 9)
                c.drawString(2 * mm, text_y, _fit(label, FONT_NAME_BOLD, 9, LABEL_W - 4 * mm))
                if chunk.lane_to - chunk.lane_from >= 2:
                    c.setFont(FONT_NAME, 7)
                    c.setFillColor(MUTED)
                    c.drawString(2 * mm, text_y - LANE_H, tr("{orders} orders · {steps} steps", lang,
                                                           orders=row.orders, steps=len(row.bar_keys)))
            c.setStrokeColor(DAY_RULE if row.kind == "order" else WEEK_RULE)
            c.setLineWidth(0.3)
            c.line(0, y0, chart_right, y0)
            self._bars(c, chunk, y)
            y = y0
        c.setStrokeColor(MONTH_RULE)
        c.setLineWidth(0.6)
        c.line(LABEL_W, top, LABEL_W, y)

    def _bars(self, c, chunk: _Chunk, row_top: float) -> None:
        c.saveState()
        path = c.beginPath()
        path.rect(LABEL_W, row_top - chunk.height, self.chart_w, chunk.height)
        c.clipPath(path, stroke=0, fill=0)
        placement = self.layout.placement
        for key in chunk.row.bar_keys:
            lane = placement[key][1]
            if not chunk.lane_from <= lane < chunk.lane_to:
                continue
            bar = self.bars[key]
            x0 = max(self.x(bar.start), LABEL_W - 2)
            x1 = min(self.x(bar.end) + self.day_w, LABEL_W + self.chart_w + 2)
            inset = min(0.25 * mm, self.day_w * 0.1)
            x0 += inset
            w = max(x1 - inset - x0, 0.4)
            y = row_top - ROW_PAD - (lane - chunk.lane_from) * LANE_H - (LANE_H + BAR_H) / 2
            fill = colors.HexColor(STATE_COLORS[bar.state])
            c.setFillColor(fill)
            c.setStrokeColor(colors.Color(fill.red * 0.7, fill.green * 0.7, fill.blue * 0.7))
            c.setLineWidth(0.3)
            if w >= 2 * mm:
                c.roundRect(x0, y, w, BAR_H, 0.7 * mm, stroke=1, fill=1)
            else:
                c.rect(x0, y, w, BAR_H, stroke=0, fill=1)
            text = self._bar_text(bar, w - 1.6 * mm)
            if text:
                c.setFillColor(colors.HexColor("#3a2a00") if bar.state == "in_progress" else colors.white)
                c.setFont(FONT_NAME, 6)
                c.drawString(x0 + 0.8 * mm, y + 1.05 * mm, text)
        c.restoreState()

    def _bar_text(self, bar: GanttBar, room: float) -> str:
        if room < 3 * mm:
            return ""
        if self.grouping == "order":
            candidates = (f"{bar.order_no} · {bar.step}", bar.step)
        else:
            candidates = (f"{bar.order_no} · {bar.step}", bar.order_no, bar.order_no.rsplit("-", 1)[-1])
        return next((t for t in candidates if stringWidth(t, FONT_NAME, 6) <= room), "")

    def _load_block(self, c, width: float, top: float) -> None:
        lang = self.lang
        c.setFillColor(INK)
        c.setFont(FONT_NAME_BOLD, 9)
        c.drawString(2 * mm, top - 4.2 * mm, tr("Workshop load per day", lang))
        # Heat legend beside the caption.
        x = LABEL_W + 1 * mm
        c.setFont(FONT_NAME, 7)
        for _upper, colour, msgid in LOAD_BANDS:
            c.setFillColor(colour)
            c.rect(x, top - 4.4 * mm, 3.5 * mm, 2.8 * mm, stroke=0, fill=1)
            x += 4.5 * mm
            text = tr(msgid, lang)
            c.setFillColor(INK)
            c.drawString(x, top - 4.0 * mm, text)
            x += stringWidth(text, FONT_NAME, 7) + 5 * mm
        y = top - LOAD_TITLE_H
        show_numbers = self.day_w >= 5.5 * mm
        for wid, name in self.load_workshops:
            y0 = y - LOAD_ROW_H
            per_day = self.loads.get(wid, {})
            over = sum(1 for d in per_day.values() if d.overloaded)
            c.setFillColor(INK)
            c.setFont(FONT_NAME, 7.5)
            c.drawString(2 * mm, y0 + 1.2 * mm, _fit(name, FONT_NAME, 7.5, LABEL_W - 24 * mm))
            if over:
                c.setFillColor(TODAY)
                c.drawRightString(LABEL_W - 2 * mm, y0 + 1.2 * mm, ntr("{count} day over", "{count} days over", over, lang, count=over))
            for day, load in per_day.items():
                percent = load.percent
                if percent is None or load.used_minutes <= 0:
                    if load.used_minutes > 0:  # work booked on a day without capacity is an overload too
                        percent = 1 << 20
                    else:
                        continue
                colour = next(col for upper, col, _m in LOAD_BANDS if percent <= upper)
                c.setFillColor(colour)
                c.rect(self.x(day) + 0.1, y0 + 0.3 * mm, max(self.day_w - 0.2, 0.3), LOAD_ROW_H - 0.6 * mm,
                       stroke=0, fill=1)
                if show_numbers and load.overloaded and load.percent is not None:
                    c.setFillColor(colors.white if percent > 120 else INK)
                    c.setFont(FONT_NAME, 5.5)
                    c.drawCentredString(self.x(day) + self.day_w / 2, y0 + 1.3 * mm, str(load.percent))
            c.setStrokeColor(DAY_RULE)
            c.setLineWidth(0.3)
            c.line(0, y0, LABEL_W + self.chart_w, y0)
            y = y0
        c.setStrokeColor(MONTH_RULE)
        c.setLineWidth(0.6)
        c.line(LABEL_W, top - LOAD_TITLE_H, LABEL_W, y)
        c.line(0, top - LOAD_TITLE_H, LABEL_W + self.chart_w, top - LOAD_TITLE_H)

    def _today_line(self, c, top: float, bottom: float) -> None:
        today = self.data.today
        if not self.first <= today <= self.last:
            return
        x = self.x(today) + self.day_w / 2
        c.setStrokeColor(TODAY)
        c.setLineWidth(1.3)
        c.line(x, bottom, x, top - 2 * HEADER_TIER)
        if self.day_w < 3.2 * mm:
            label = tr("Today", self.lang)
            w = stringWidth(label, FONT_NAME_BOLD, 6.5) + 2 * mm
            c.setFillColor(TODAY)
            c.roundRect(x - w / 2, top - 2 * HEADER_TIER + 0.4 * mm, w, HEADER_TIER - 0.8 * mm, 0.8 * mm,
                        stroke=0, fill=1)
            c.setFillColor(colors.white)
            c.setFont(FONT_NAME_BOLD, 6.5)
            c.drawCentredString(x, top - 2 * HEADER_TIER + 1.6 * mm, label)


def _overload_story(chart: _Chart, lang: str) -> list:
    st = styles()
    story: list = [p(tr("Overloaded workshop days", lang), st["h2"])]
    summary = overload_summary(chart.data.loads, chart.first, chart.last, [w for w, _n in chart.workshops])
    if not summary:
        story.append(p(tr("No workshop is over capacity in this period.", lang), st["base"]))
        return story

    def hours(minutes: int) -> str:
        return tr("{hours} h", lang, hours=f"{minutes / 60:.1f}")

    def runs(days) -> str:
        parts = []
        for first, last in compress_dates(d.day for d in days):
            parts.append(f"{first.month}/{first.day}" if first == last
                         else f"{first.month}/{first.day}–{last.month}/{last.day}")
        return ", ".join(parts)

    header = [tr("Workshop", lang), tr("Days over", lang), tr("Worst day", lang), tr("Load that day", lang),
              tr("Hours over in total", lang), tr("Dates", lang)]
    rows = []
    for w in summary:
        peak = w.peak
        rows.append([
            w.workshop,
            str(len(w.days)),
            peak.day.isoformat(),
            tr("{used} of {capacity} ({percent} %)", lang, used=hours(peak.used_minutes),
               capacity=hours(peak.capacity_minutes), percent=peak.percent if peak.percent is not None else "—"),
            hours(w.excess_minutes),
            runs(w.days),
        ])
    width = FRAME_WIDTH
    col = [48 * mm, 20 * mm, 26 * mm, 52 * mm, 30 * mm]
    col.append(width - sum(col))
    story.append(grid_table(header, rows, col, numeric_cols=(1, 4)))
    return story


def write_gantt_pdf(data: GanttData, path: str | Path, *, factory_name: str, lang: str, grouping: str = "order",
                    date_from: date | None = None, date_to: date | None = None,
                    printed_at: dt.datetime | None = None, printed_by: str = "") -> Path:
    """Print the Gantt on A3 landscape, as many pages as the rows need, then the overloaded workshop days.

    Bars outside [date_from, date_to] are left out and bars crossing its edges are cut at them. Without
    `date_from` the wall shows from the Monday two weeks before today (what the meeting looks back on), or the
    whole plan when all of it is older; without `date_to`, to the end of the plan.
    """
    if grouping not in GROUPING_LABELS:
        raise ValueError(f"grouping must be one of {', '.join(GROUPING_LABELS)}, not {grouping!r}")
    span_first, span_last = date_span(data.bars, data.today, margin_days=2)
    if date_from is None:
        recent = data.today - timedelta(days=data.today.weekday() + 14)
        still_open = any(b.end >= recent for b in data.bars)
        date_from = max(span_first, recent) if still_open else span_first
    first = date_from
    last = date_to or span_last
    if last < first:
        raise ValueError(f"date_to {last} is before date_from {first}")
    bars = [b for b in data.bars if b.start <= last and b.end >= first]
    title = data.title or tr("Production schedule", lang)
    chart = _Chart(data, lang, grouping, first, last, bars, title)
    pages = _paginate(chart.layout.rows, chart.rows_room())
    story: list = []
    for number, chunks in enumerate(pages, start=1):
        story.append(_ChartPage(chart, chunks, number, len(pages)))
        story.append(PageBreak())
    story.append(Spacer(1, 2 * mm))
    story += _overload_story(chart, lang)
    header = PaperHeader(factory_name=factory_name, title=title,
                         document_no=f"{first.isoformat()} – {last.isoformat()}", lang=lang,
                         printed_at=printed_at, printed_by=printed_by)
    return build_pdf(path, story, header, pagesize=PAGE)


__all__ = ["write_gantt_pdf"]
