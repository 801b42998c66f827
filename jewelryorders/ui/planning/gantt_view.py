"""The planning Gantt widget: steps per order or per workshop, drag to reschedule with undo, daily workshop load below."""

from __future__ import annotations

import bisect
import html
import math
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Callable

import shiboken6
from PySide6.QtCore import QEvent, QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QKeySequence,
    QPainter,
    QPen,
    QPolygonF,
    QTransform,
    QUndoCommand,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QComboBox,
    QFrame,
    QGraphicsItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSplitter,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from ... import clock
from ...gantt.data import (
    GROUPING_LABELS,
    GROUPINGS,
    STATE_COLORS,
    STATE_LABELS,
    STATES,
    DayLoad,
    GanttBar,
    GanttData,
    GanttLayout,
    MoveCheck,
    check_step_order,
    date_span,
    drag_modes,
    layout_rows,
    loads_by_workshop,
    month_starts,
    workshops_of,
)
from ...i18n import N_, _, ngettext

MoveValidator = Callable[[str, date, date], MoveCheck]

# Pixels per day of the three zoom presets; Ctrl+wheel zooms continuously between MIN_PPD and MAX_PPD.
ZOOM_PRESETS: dict[str, float] = {"day": 34.0, "week": 12.0, "month": 3.0}
ZOOM_LABELS: dict[str, str] = {"day": N_("Days"), "week": N_("Weeks"), "month": N_("Months")}
MIN_PPD = 1.2
MAX_PPD = 90.0

LANE_H = 22.0
BAR_H = 16.0
ROW_PAD = 3.0
HEADER_H = 42
EDGE_GRIP = 6.0
WEEKEND_MIN_PPD = 5.0  # below this weekends are thinner than a stripe of noise; holidays are still shaded

MONTH_NAMES = (N_("Jan"), N_("Feb"), N_("Mar"), N_("Apr"), N_("May"), N_("Jun"),
               N_("Jul"), N_("Aug"), N_("Sep"), N_("Oct"), N_("Nov"), N_("Dec"))
HINT = N_("Drag a bar to move it, drag its right edge to change how long it takes; Ctrl+wheel zooms, Shift+wheel scrolls sideways, Ctrl+Z undoes a move.")
WEEKDAY_NAMES = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))

INK = QColor("#1f2933")
MUTED = QColor("#616e7c")
GRID_DAY = QColor("#e7ebef")
GRID_WEEK = QColor("#cfd6dd")
GRID_MONTH = QColor("#8d99a6")
STRIPE = QColor("#f6f8fa")
# Opaque (pre-blended over white): translucent full-height columns cost a blend per pixel on every scroll.
WEEKEND = QColor("#eceff2")
HOLIDAY = QColor("#fbe5e4")
TODAY = QColor("#d0433b")
HEADER_BG = QColor("#eef1f4")
LOAD_OK = QColor("#8ea6bf")
LOAD_OVER = QColor("#d0433b")
LOAD_OVER_LIGHT = QColor("#f0a29c")
CAPACITY = QColor("#3e4c59")


@dataclass(slots=True)
class _Axis:
    """Days to scene x: day 0 is `first`, each day `ppd` pixels wide."""

    first: date
    last: date
    ppd: float

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def width(self) -> float:
        return self.days * self.ppd

    def x(self, day: date) -> float:
        return (day - self.first).days * self.ppd

    def day_index(self, x: float) -> int:
        return math.floor(x / self.ppd)


@dataclass(slots=True)
class _Drag:
    item: "_BarItem"
    mode: str  # "move" or "resize"
    press_x: float
    start: date
    end: date
    new_start: date
    new_end: date


def _month_label(day: date) -> str:
    return _("{month_name} {year}", month_name=_(MONTH_NAMES[day.month - 1]), year=day.year)


def _hours(minutes: int) -> str:
    return _("{hours} h", hours=f"{minutes / 60:.1f}")


class _BarItem(QGraphicsItem):
    """One step as a rounded bar; paints itself from the owner's cached brushes so 5,000 of them stay cheap."""

    def __init__(self, owner: "GanttWidget", bar: GanttBar) -> None:
        super().__init__()
        self.owner = owner
        self.bar = bar
        self.width = 1.0
        self.hover_edge = False
        self.label_cache: tuple[float, str, str] = (-1.0, "", "")
        self.setAcceptHoverEvents(True)

    def boundingRect(self) -> QRectF:
        return QRectF(-1.5, -1.5, self.width + 3.0, BAR_H + 3.0)

    def set_width(self, width: float) -> None:
        if width != self.width:
            self.prepareGeometryChange()
            self.width = width

    def paint(self, painter: QPainter, option, widget=None) -> None:
        self.owner._paint_bar(self, painter)

    def hoverMoveEvent(self, event) -> None:
        self.owner._hover_bar(self, event.pos().x())

    def hoverLeaveEvent(self, event) -> None:
        self.hover_edge = False
        self.unsetCursor()
        self.update()

    def mousePressEvent(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            event.ignore()
            return
        self.owner._begin_drag(self, event.scenePos().x(), event.pos().x())
        event.accept()

    def mouseMoveEvent(self, event) -> None:
        self.owner._drag_to(event.scenePos().x())

    def mouseReleaseEvent(self, event) -> None:
        self.owner._end_drag(event.scenePos().x())

    def mouseDoubleClickEvent(self, event) -> None:
        self.owner.sig_bar_activated.emit(self.bar.key)
        event.accept()


class _GanttScene(QGraphicsScene):
    """Builds a bar's tooltip only when asked, so building the scene does not format 5,000 tooltips."""

    def __init__(self, owner: "GanttWidget") -> None:
        super().__init__(owner)
        self.owner = owner

    def helpEvent(self, event) -> None:
        item = self.itemAt(event.scenePos(), QTransform())
        if isinstance(item, _BarItem):
            QToolTip.showText(event.screenPos(), self.owner.tooltip_for(item.bar.key), event.widget())
            event.accept()
        else:
            QToolTip.hideText()
            event.ignore()


class _MarginStrip(QWidget):
    """A strip beside the chart's viewport (date header or row labels) painted by the owner."""

    def __init__(self, parent: QWidget, paint: Callable[[QPainter, QWidget], None]) -> None:
        super().__init__(parent)
        self._paint = paint
        self.on_click: Callable[[QPointF], None] | None = None
        self.on_tooltip: Callable[[QPointF], str] | None = None

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        self._paint(painter, self)
        painter.end()

    def mousePressEvent(self, event) -> None:
        if self.on_click is not None and event.button() == Qt.MouseButton.LeftButton:
            self.on_click(event.position())

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ToolTip and self.on_tooltip is not None:
            text = self.on_tooltip(QPointF(event.pos()))
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)


class _ChartView(QGraphicsView):
    """The scrolling chart: background bands and grid painted per exposed rect, bars as items, a frozen header."""

    def __init__(self, owner: "GanttWidget", scene: QGraphicsScene) -> None:
        super().__init__(scene, owner)
        self.owner = owner
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.MinimalViewportUpdate)
        self.setOptimizationFlags(QGraphicsView.OptimizationFlag.DontSavePainterState
                                  | QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing)
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.header = _MarginStrip(self, owner._paint_header)
        self.labels = _MarginStrip(self, owner._paint_row_labels)
        self.label_width = 180

    def set_label_width(self, width: int) -> None:
        self.label_width = width
        self.setViewportMargins(width, HEADER_H, 0, 0)
        self._place_margins()

    def _place_margins(self) -> None:
        frame = self.frameWidth()
        vp = self.viewport().geometry()
        self.header.setGeometry(frame, frame, vp.right() + 1 - frame, HEADER_H)
        self.labels.setGeometry(frame, vp.top(), self.label_width, vp.height())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place_margins()
        self.owner._follow_chart()

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        super().scrollContentsBy(dx, dy)
        if dx:
            self.header.update()
            self.owner._follow_chart()
        if dy:
            self.labels.update()

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        self.owner._paint_background(painter, rect)

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        self.owner._paint_foreground(painter, rect)

    def wheelEvent(self, event) -> None:
        if self.owner._wheel(event, event.position().x()):
            return
        super().wheelEvent(event)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape and self.owner._drag is not None:
            self.owner._cancel_drag()
            self.owner._show_hint()
            return
        super().keyPressEvent(event)


class _LoadChart(QAbstractScrollArea):
    """Daily booked minutes against capacity per workshop, sharing the chart's horizontal scroll and zoom."""

    def __init__(self, owner: "GanttWidget") -> None:
        super().__init__(owner)
        self.owner = owner
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.viewport().setMouseTracking(True)
        self.setMinimumHeight(70)

    def paintEvent(self, event) -> None:
        painter = QPainter(self.viewport())
        self.owner._paint_loads(painter, self.viewport().rect(), self.verticalScrollBar().value())
        painter.end()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.owner._update_load_scroll()

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        self.viewport().update()

    def viewportEvent(self, event) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            text = self.owner._load_tooltip(QPointF(event.pos()), self.verticalScrollBar().value())
            if text:
                QToolTip.showText(event.globalPos(), text, self.viewport())
            else:
                QToolTip.hideText()
            return True
        if event.type() == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
            self.owner._load_clicked(QPointF(event.position()), self.verticalScrollBar().value())
            return True
        return super().viewportEvent(event)

    def wheelEvent(self, event) -> None:
        if self.owner._wheel(event, event.position().x() - self.owner._label_width):
            return
        super().wheelEvent(event)


class _MoveBarCommand(QUndoCommand):
    """A bar's dates before and after a drag; undo puts the old dates back and tells the owner to persist them."""

    def __init__(self, owner: "GanttWidget", bar: GanttBar, start: date, end: date) -> None:
        super().__init__(_("Move {order_no} {step}", order_no=bar.order_no, step=bar.step))
        self.owner = owner
        self.key = bar.key
        self.old = (bar.start, bar.end)
        self.new = (start, end)
        self.first_redo = True

    def redo(self) -> None:
        applied = self.owner._apply_dates(self.key, *self.new)
        if self.first_redo:
            self.first_redo = False
        elif applied is not None:
            self.owner._tell(_("Redone: {order_no} {step} now {start} – {end}.", order_no=applied.order_no,
                               step=applied.step, start=applied.start.isoformat(), end=applied.end.isoformat()),
                             "info")

    def undo(self) -> None:
        applied = self.owner._apply_dates(self.key, *self.old)
        if applied is not None:
            self.owner._tell(_("Undone: {order_no} {step} back to {start} – {end}.", order_no=applied.order_no,
                               step=applied.step, start=applied.start.isoformat(), end=applied.end.isoformat()),
                             "info")


class GanttWidget(QWidget):
    """Gantt over plain `GanttData`; emits `sig_bar_moved` after an accepted move so the owner can persist it."""

    sig_bar_moved = Signal(str, object, object)  # key, new start (date), new end (date, inclusive)
    sig_bar_activated = Signal(str)
    sig_message = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        today = clock.today()
        self._data = GanttData([], [], frozenset(), today)
        self._bars: dict[str, GanttBar] = {}
        self._items: dict[str, _BarItem] = {}
        self._grouping = "order"
        first, last = date_span([], today)
        self._axis = _Axis(first, last, ZOOM_PRESETS["week"])
        self._layout: GanttLayout = layout_rows([], "order")
        self._row_tops: list[float] = [0.0]
        self._validator: MoveValidator | None = None
        self._drag: _Drag | None = None
        self._undo = QUndoStack(self)
        self._loads: dict[int, dict[date, DayLoad]] = {}
        self._load_peak: dict[int, int] = {}
        self._over_days: dict[int, int] = {}
        self._workshops: list[tuple[int, str]] = []
        self._load_workshop: int | None = None
        self._label_width = 180
        self._message_level = ""
        # {(order id, step seq): [exception numbers]}: open exceptions (progress ledger) naming these steps.
        self._exception_marks: dict[tuple[int, int], list[str]] = {}
        self._build_resources()
        self._build_ui()
        self.retranslate_ui()
        self._relayout()

    # ----------------------------------------------------------------------------------------------- public API

    def set_data(self, data: GanttData) -> None:
        """Show new data; the zoom, grouping, scroll position and undo history stay (undo works by bar key)."""
        self._cancel_drag()
        center = self._center_day()
        top = self._view.verticalScrollBar().value()
        # A copy, so moving bars here never changes the caller's object behind its back.
        data = replace(data, bars=list(data.bars), loads=list(data.loads))
        self._data = data
        self._bars = {b.key: b for b in data.bars}
        self._axis = _Axis(*date_span(data.bars, data.today), self._axis.ppd)
        self._scene.clear()
        self._items = {}
        self._ghost = self._make_ghost()
        for bar in data.bars:
            item = _BarItem(self, bar)
            self._items[bar.key] = item
            self._scene.addItem(item)
        self._set_loads(data.loads)
        self._layout = layout_rows(data.bars, self._grouping)
        self._load_exception_marks()
        self._relayout()
        if center is None:
            self.scroll_to_today()
        else:
            self._view.verticalScrollBar().setValue(top)
            self._scroll_to_day(center, 0.5)

    def set_loads(self, loads: list[DayLoad]) -> None:
        """Refresh only the load chart (after the owner recomputed capacity for a move) without rebuilding bars."""
        self._data.loads = list(loads)
        self._set_loads(self._data.loads)
        self._load_chart.viewport().update()

    def set_grouping(self, grouping: str) -> None:
        if grouping not in GROUPINGS:
            raise ValueError(f"grouping must be one of {', '.join(GROUPINGS)}, not {grouping!r}")
        self._cancel_drag()
        self._grouping = grouping
        index = GROUPINGS.index(grouping)
        if self._grouping_combo.currentIndex() != index:
            self._grouping_combo.blockSignals(True)
            self._grouping_combo.setCurrentIndex(index)
            self._grouping_combo.blockSignals(False)
        self._layout = layout_rows(self._bars.values(), grouping)
        self._relayout()
        self._view.verticalScrollBar().setValue(0)

    def grouping(self) -> str:
        return self._grouping

    def set_zoom(self, zoom: str | float) -> None:
        """'day', 'week' or 'month', or a number of pixels per day; keeps the date in the middle of the view."""
        if isinstance(zoom, str):
            if zoom not in ZOOM_PRESETS:
                raise ValueError(f"zoom must be one of {', '.join(ZOOM_PRESETS)} or pixels per day, not {zoom!r}")
            self._set_ppd(ZOOM_PRESETS[zoom], None)
        else:
            self._set_ppd(float(zoom), None)

    def zoom(self) -> float:
        """Pixels per day."""
        return self._axis.ppd

    def set_move_validator(self, validator: MoveValidator | None) -> None:
        """`validator(key, new_start, new_end) -> MoveCheck`; without one only the order of steps is checked."""
        self._validator = validator

    def undo_stack(self) -> QUndoStack:
        return self._undo

    def bar(self, key: str) -> GanttBar:
        return self._bars[key]

    def bars(self) -> list[GanttBar]:
        return list(self._bars.values())

    def rows(self) -> list[tuple[str, str]]:
        """(row key, label) of every row in display order, e.g. ('order:42', 'JO-2026-0042')."""
        return [(r.key, r.label) for r in self._layout.rows]

    def row_of(self, key: str) -> str:
        return self._layout.rows[self._layout.placement[key][0]].key

    def message(self) -> str:
        return self._status.text()

    def view(self) -> QGraphicsView:
        return self._view

    def bar_scene_rect(self, key: str) -> QRectF:
        """Where a bar is drawn, in scene coordinates (for scrolling to it, or for tests that drag it)."""
        item = self._items[key]
        return QRectF(item.x(), item.y(), item.width, BAR_H)

    def ensure_bar_visible(self, key: str) -> None:
        self._view.ensureVisible(self.bar_scene_rect(key), 60, 40)

    def set_load_workshop(self, workshop_id: int | None) -> None:
        """Show the load of one workshop (taller) or of all workshops (None), one strip each."""
        known = [wid for wid, _name in self._workshops]
        if workshop_id not in known:
            workshop_id = None
        self._load_workshop = workshop_id
        index = 0 if workshop_id is None else 1 + known.index(workshop_id)
        if self._load_combo.currentIndex() != index:
            self._load_combo.blockSignals(True)
            self._load_combo.setCurrentIndex(index)
            self._load_combo.blockSignals(False)
        self._update_load_scroll()
        self._load_chart.viewport().update()

    def move_bar(self, key: str, start: date, end: date) -> MoveCheck:
        """Propose new dates for a bar exactly as a drag does: validate, then apply (undoable) or refuse."""
        return self._propose(key, start, end)

    def scroll_to_today(self) -> None:
        """Today a quarter from the left; by order, also down to the first order still at work today."""
        self._scroll_to_day(self._data.today, 0.25)
        if self._grouping == "order":
            today = self._data.today
            first = next((i for i, row in enumerate(self._layout.rows)
                          if any(self._bars[k].end >= today for k in row.bar_keys)), 0)
            self._view.verticalScrollBar().setValue(int(self._row_tops[max(first - 1, 0)]))

    def set_exception_marks(self, marks: dict[tuple[int, int], list[str]]) -> None:
        """Mark the steps that open exceptions affect (a red corner, and the exceptions in the tooltip)."""
        self._exception_marks = dict(marks)
        self._scene.update()

    def _load_exception_marks(self) -> None:
        """Read the open exceptions of the shown orders, when the widget sits in a tab that has a database."""
        holder = self.parent()
        while holder is not None and getattr(holder, "ctx", None) is None:
            holder = holder.parent()
        if holder is None or not self._data.bars:
            return
        from ...services.errors import DomainError
        from ...services.ledger.exceptions import affected_steps

        try:
            self._exception_marks = affected_steps(holder.ctx.db, {b.order_id for b in self._data.bars})
        except DomainError:
            self._exception_marks = {}

    def tooltip_for(self, key: str) -> str:
        bar = self._bars[key]
        rows = [
            (_("Customer"), bar.customer),
            (_("Workshop"), bar.workshop),
            (_("Planned"), _("{start} – {end} ({days} days)", start=bar.start.isoformat(), end=bar.end.isoformat(),
                             days=bar.days)),
            (_("State"), _(STATE_LABELS[bar.state])),
        ]
        if bar.responsible:
            rows.append((_("Responsible"), bar.responsible))
        if bar.quantity:
            rows.append((_("Quantity"), _("{count} pcs", count=bar.quantity)))
        if bar.details:
            rows.append((_("Details"), bar.details))
        marks = self._exception_marks.get((bar.order_id, bar.seq))
        if marks:
            rows.append((_("Exceptions"), ", ".join(marks)))
        body = "".join(
            f"<tr><td style='color:#616e7c; padding-right:8px'>{html.escape(label)}</td>"
            f"<td>{html.escape(value)}</td></tr>" for label, value in rows)
        colour = STATE_COLORS[bar.state]
        return (f"<div style='white-space:nowrap'><span style='color:{colour}'>&#9632;</span> "
                f"<b>{html.escape(bar.order_no)} · {html.escape(bar.step)}</b></div><table>{body}</table>")

    def retranslate_ui(self) -> None:
        self._grouping_caption.setText(_("Rows:"))
        self._grouping_combo.blockSignals(True)
        self._grouping_combo.clear()
        for g in GROUPINGS:
            self._grouping_combo.addItem(_(GROUPING_LABELS[g]), g)
        self._grouping_combo.setCurrentIndex(GROUPINGS.index(self._grouping))
        self._grouping_combo.blockSignals(False)
        self._zoom_caption.setText(_("Zoom:"))
        for preset, button in self._zoom_buttons.items():
            button.setText(_(ZOOM_LABELS[preset]))
        self._zoom_out.setToolTip(_("Zoom out (Ctrl+wheel)"))
        self._zoom_in.setToolTip(_("Zoom in (Ctrl+wheel)"))
        self._today_button.setText(_("Today"))
        self._today_button.setToolTip(_("Scroll to today"))
        self._undo_action.setText(_("Undo"))
        self._redo_action.setText(_("Redo"))
        self._update_undo_tooltips()
        # Entries are joined by ordinary spaces (a line may break there), each entry held together by &nbsp;.
        entries = [f"<span style='color:{STATE_COLORS[s]}; font-size:15px'>&#9632;</span>&nbsp;"
                   f"{html.escape(_(STATE_LABELS[s])).replace(' ', '&nbsp;')}" for s in STATES]
        entries.append(f"<span style='color:{TODAY.name()}; font-weight:bold'>|</span>&nbsp;"
                       f"{html.escape(_('Today')).replace(' ', '&nbsp;')}")
        chips = " &nbsp; ".join(entries)
        self._legend.setText(chips)
        self._load_caption.setText(_("Workshop load:"))
        def whole(text: str) -> str:
            return html.escape(text).replace(" ", "&nbsp;")

        self._load_legend.setText(" &nbsp; ".join((
            f"<span style='color:{LOAD_OK.name()}; font-size:15px'>&#9632;</span>&nbsp;{whole(_('Booked'))}",
            f"<span style='color:{LOAD_OVER.name()}; font-size:15px'>&#9632;</span>&nbsp;{whole(_('Over capacity'))}",
            f"<span style='color:{CAPACITY.name()}'>&#9472;&#9472;</span>&nbsp;{whole(_('Capacity'))}")))
        self._fill_load_combo()
        if not self._message_level:
            self._show_hint()
        self._view.header.update()
        self._view.labels.update()
        self._view.viewport().update()
        self._load_chart.viewport().update()

    # ----------------------------------------------------------------------------------------------- building

    def _build_resources(self) -> None:
        self._state_brush = {s: QBrush(QColor(c)) for s, c in STATE_COLORS.items()}
        self._state_pen = {s: QPen(QColor(c).darker(140), 1.0) for s, c in STATE_COLORS.items()}
        self._state_text = {s: QPen(QColor("#3a2a00") if s == "in_progress" else QColor("#ffffff")) for s in STATES}
        self._progress_brush = QBrush(QColor(STATE_COLORS["in_progress"]).darker(122))
        self._select_pen = QPen(INK, 2.0)
        self._grip_pen = QPen(QColor(255, 255, 255, 210), 1.0)
        base = QFont(self.font())
        self._bar_font = QFont(base)
        self._bar_font.setPointSizeF(max(7.5, base.pointSizeF() - 1.0))
        self._bar_metrics = QFontMetricsF(self._bar_font)
        self._bold_font = QFont(base)
        self._bold_font.setBold(True)
        self._small_font = QFont(base)
        self._small_font.setPointSizeF(max(7.0, base.pointSizeF() - 1.5))
        self._base_metrics = QFontMetricsF(base)
        self._bold_metrics = QFontMetricsF(self._bold_font)
        self._small_metrics = QFontMetricsF(self._small_font)

    def _build_ui(self) -> None:
        self._scene = _GanttScene(self)
        # BSP from the start: switching NoIndex -> BSP after adding items leaves a tree that returns every item.
        self._scene.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        self._view = _ChartView(self, self._scene)
        self._ghost = self._make_ghost()

        toolbar = QHBoxLayout()
        toolbar.setContentsMargins(4, 2, 4, 2)
        self._grouping_caption = QLabel()
        self._grouping_combo = QComboBox()
        self._grouping_combo.currentIndexChanged.connect(
            lambda i: self.set_grouping(GROUPINGS[i]) if 0 <= i < len(GROUPINGS) else None)
        toolbar.addWidget(self._grouping_caption)
        toolbar.addWidget(self._grouping_combo)
        toolbar.addSpacing(12)
        self._zoom_caption = QLabel()
        toolbar.addWidget(self._zoom_caption)
        self._zoom_buttons: dict[str, QToolButton] = {}
        for preset in ZOOM_PRESETS:
            button = QToolButton()
            button.setCheckable(True)
            button.setAutoRaise(True)
            button.clicked.connect(lambda _checked=False, p=preset: self.set_zoom(p))
            self._zoom_buttons[preset] = button
            toolbar.addWidget(button)
        self._zoom_out = QToolButton(text="−")
        self._zoom_out.setAutoRaise(True)
        self._zoom_out.clicked.connect(lambda: self._set_ppd(self._axis.ppd / 1.4, None))
        self._zoom_in = QToolButton(text="+")
        self._zoom_in.setAutoRaise(True)
        self._zoom_in.clicked.connect(lambda: self._set_ppd(self._axis.ppd * 1.4, None))
        toolbar.addWidget(self._zoom_out)
        toolbar.addWidget(self._zoom_in)
        self._today_button = QToolButton()
        self._today_button.setAutoRaise(True)
        self._today_button.clicked.connect(self.scroll_to_today)
        toolbar.addWidget(self._today_button)
        toolbar.addSpacing(12)

        self._undo_action = QAction(self)
        self._undo_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
        self._undo_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._undo_action.triggered.connect(self._undo.undo)
        self._undo_action.setEnabled(False)
        self._redo_action = QAction(self)
        redo_keys = [QKeySequence("Ctrl+Shift+Z")]
        for key in QKeySequence.keyBindings(QKeySequence.StandardKey.Redo):
            if key not in redo_keys:
                redo_keys.append(key)
        self._redo_action.setShortcuts(redo_keys)
        self._redo_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._redo_action.triggered.connect(self._undo.redo)
        self._redo_action.setEnabled(False)
        self.addAction(self._undo_action)
        self.addAction(self._redo_action)
        self._undo.canUndoChanged.connect(self._undo_action.setEnabled)
        self._undo.canRedoChanged.connect(self._redo_action.setEnabled)
        self._undo.indexChanged.connect(lambda _i: self._update_undo_tooltips())
        for action in (self._undo_action, self._redo_action):
            button = QToolButton()
            button.setAutoRaise(True)
            button.setDefaultAction(action)
            toolbar.addWidget(button)
        toolbar.addStretch(1)
        # The legend has a line of its own and wraps between its entries, so it is always shown whole and never
        # makes the chart wider than a 1366-pixel screen allows.
        self._legend = QLabel()
        self._legend.setObjectName("gantt_legend")
        self._legend.setTextFormat(Qt.TextFormat.RichText)
        self._legend.setWordWrap(True)
        self._legend.setContentsMargins(6, 0, 6, 0)

        load_panel = QWidget()
        load_layout = QVBoxLayout(load_panel)
        load_layout.setContentsMargins(0, 0, 0, 0)
        load_layout.setSpacing(2)
        load_bar = QHBoxLayout()
        load_bar.setContentsMargins(4, 2, 4, 0)
        self._load_caption = QLabel()
        self._load_combo = QComboBox()
        self._load_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self._load_combo.currentIndexChanged.connect(self._load_combo_changed)
        self._load_legend = QLabel()
        self._load_legend.setTextFormat(Qt.TextFormat.RichText)
        self._load_legend.setWordWrap(True)
        self._load_legend.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._load_combo.setMinimumContentsLength(8)
        self._load_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        load_bar.addWidget(self._load_caption)
        load_bar.addWidget(self._load_combo)
        load_bar.addStretch(1)
        load_bar.addWidget(self._load_legend, 1)
        self._load_chart = _LoadChart(self)
        load_layout.addLayout(load_bar)
        load_layout.addWidget(self._load_chart, 1)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self._view)
        splitter.addWidget(load_panel)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([520, 200])
        self._splitter = splitter

        self._status = QLabel()
        self._status.setWordWrap(True)
        self._status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._status.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self._status.setFrameShape(QFrame.Shape.StyledPanel)
        self._status.setContentsMargins(6, 3, 6, 3)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(3)
        outer.addLayout(toolbar)
        outer.addWidget(self._legend)
        outer.addWidget(splitter, 1)
        outer.addWidget(self._status)

        self._view.labels.on_click = self._row_label_clicked
        self._view.labels.on_tooltip = self._row_label_tooltip
        self._view.header.on_tooltip = self._header_tooltip

    def _make_ghost(self) -> QGraphicsRectItem:
        ghost = QGraphicsRectItem()
        pen = QPen(INK, 1.0, Qt.PenStyle.DashLine)
        ghost.setPen(pen)
        ghost.setBrush(QBrush(QColor(31, 41, 51, 18)))
        ghost.setZValue(-1)
        ghost.setVisible(False)
        self._scene.addItem(ghost)
        return ghost

    def _set_loads(self, loads: list[DayLoad]) -> None:
        self._loads = loads_by_workshop(loads)
        self._load_peak = {}
        self._over_days = {}
        for wid, per_day in self._loads.items():
            self._load_peak[wid] = max((max(d.used_minutes, d.capacity_minutes) for d in per_day.values()), default=0)
            self._over_days[wid] = sum(1 for d in per_day.values() if d.overloaded)
        self._workshops = workshops_of(self._data)
        if self._load_workshop is not None and self._load_workshop not in {w for w, _n in self._workshops}:
            self._load_workshop = None
        self._fill_load_combo()
        self._update_load_scroll()

    def _fill_load_combo(self) -> None:
        self._load_combo.blockSignals(True)
        self._load_combo.clear()
        self._load_combo.addItem(_("All workshops"), None)
        for wid, name in self._workshops:
            self._load_combo.addItem(name, wid)
        index = 0
        for i, (wid, _name) in enumerate(self._workshops):
            if wid == self._load_workshop:
                index = i + 1
        self._load_combo.setCurrentIndex(index)
        self._load_combo.blockSignals(False)

    def _load_combo_changed(self, index: int) -> None:
        self.set_load_workshop(self._load_combo.itemData(index) if index > 0 else None)

    def _update_undo_tooltips(self) -> None:
        if not shiboken6.isValid(self._undo) or not shiboken6.isValid(self._undo_action):
            return  # QUndoStack clears itself, and signals, while the widget is being destroyed
        undo_text = self._undo.undoText()
        redo_text = self._undo.redoText()
        self._undo_action.setToolTip(_("Undo: {what} (Ctrl+Z)", what=undo_text) if undo_text else _("Undo (Ctrl+Z)"))
        self._redo_action.setToolTip(
            _("Redo: {what} (Ctrl+Shift+Z)", what=redo_text) if redo_text else _("Redo (Ctrl+Shift+Z)"))

    # ----------------------------------------------------------------------------------------------- geometry

    def _relayout(self) -> None:
        """Row tops from lane counts, every bar placed; cheap enough (5,000 setPos) to do on zoom and grouping."""
        tops = [0.0]
        for row in self._layout.rows:
            tops.append(tops[-1] + row.lanes * LANE_H + 2 * ROW_PAD)
        self._row_tops = tops
        self._label_width = self._measure_label_width()
        self._view.set_label_width(self._label_width)
        ax = self._axis
        height = max(tops[-1], 1.0)
        self._scene.setSceneRect(0.0, 0.0, ax.width, height)
        for item in self._items.values():
            self._place(item)
        self._view.resetCachedContent()
        self._view.viewport().update()
        self._view.header.update()
        self._view.labels.update()
        self._load_chart.viewport().update()
        self._sync_zoom_buttons()

    def _place(self, item: _BarItem) -> None:
        ax = self._axis
        bar = item.bar
        row_index, lane = self._layout.placement[bar.key]
        y = self._row_tops[row_index] + ROW_PAD + lane * LANE_H + (LANE_H - BAR_H) / 2
        inset = min(1.0, ax.ppd * 0.12)
        item.set_width(max(bar.days * ax.ppd - 2 * inset, 1.0))
        item.setPos(ax.x(bar.start) + inset, y)

    def _measure_label_width(self) -> int:
        widest = 0.0
        for row in self._layout.rows:
            w = self._bold_metrics.horizontalAdvance(row.label)
            if row.kind == "order":
                w += 10 + min(self._small_metrics.horizontalAdvance(row.sublabel), 90)
            if w > widest:
                widest = w
        caption = self._bold_metrics.horizontalAdvance(self._corner_caption()) + 8
        return int(min(max(widest, caption, 120.0) + 20, 300.0))

    def _corner_caption(self) -> str:
        return _("Order · Customer") if self._grouping == "order" else _("Workshop")

    def _center_day(self) -> date | None:
        if not self._items:
            return None
        center_x = self._view.mapToScene(self._view.viewport().rect().center()).x()
        return self._axis.first + timedelta(days=self._axis.day_index(center_x))

    def _scroll_to_day(self, day: date, fraction: float) -> None:
        """Scroll so `day` sits at `fraction` of the viewport's width."""
        x = self._axis.x(day) - self._view.viewport().width() * fraction
        self._view.horizontalScrollBar().setValue(int(round(x)))

    def _set_ppd(self, ppd: float, anchor_viewport_x: float | None) -> None:
        ppd = min(max(ppd, MIN_PPD), MAX_PPD)
        if abs(ppd - self._axis.ppd) < 1e-9:
            self._sync_zoom_buttons()
            return
        self._cancel_drag()
        viewport_w = self._view.viewport().width()
        if anchor_viewport_x is None:
            anchor_viewport_x = viewport_w / 2
        scene_left = self._view.mapToScene(0, 0).x()
        anchor_days = (scene_left + anchor_viewport_x) / self._axis.ppd
        self._axis.ppd = ppd
        self._relayout()
        self._view.horizontalScrollBar().setValue(int(round(anchor_days * ppd - anchor_viewport_x)))

    def _sync_zoom_buttons(self) -> None:
        for preset, button in self._zoom_buttons.items():
            button.setChecked(abs(ZOOM_PRESETS[preset] - self._axis.ppd) < 0.01)

    def _follow_chart(self) -> None:
        """The load chart shares the chart's horizontal scroll and width: repaint it when they change."""
        self._load_chart.viewport().update()

    def _wheel(self, event, viewport_x: float) -> bool:
        modifiers = event.modifiers()
        delta = event.angleDelta().y() or event.angleDelta().x()
        if modifiers & Qt.KeyboardModifier.ControlModifier:
            if delta:
                self._set_ppd(self._axis.ppd * (1.25 if delta > 0 else 0.8), max(viewport_x, 0.0))
            return True
        if modifiers & Qt.KeyboardModifier.ShiftModifier and delta:
            bar = self._view.horizontalScrollBar()
            bar.setValue(bar.value() - int(delta / 120 * 7 * self._axis.ppd))
            return True
        return False

    # ----------------------------------------------------------------------------------------------- painting

    def _visible_day_range(self, left: float, right: float) -> range:
        ax = self._axis
        first = max(0, ax.day_index(left))
        last = min(ax.days - 1, ax.day_index(right))
        return range(first, last + 1)

    def _paint_background(self, painter: QPainter, rect: QRectF) -> None:
        ax = self._axis
        painter.fillRect(rect, QColor("#ffffff"))
        top, bottom = rect.top(), rect.bottom()
        tops = self._row_tops
        first_row = max(0, bisect.bisect_right(tops, top) - 1)
        last_row = min(len(tops) - 1, bisect.bisect_right(tops, bottom))
        stripes = [QRectF(rect.left(), tops[i], rect.width(), tops[i + 1] - tops[i])
                   for i in range(first_row, last_row) if i % 2 == 1]

        days = self._visible_day_range(rect.left(), rect.right())
        holidays = self._data.holidays
        weekend = self._data.weekend_days
        day_lines: list[QLineF] = []
        week_lines: list[QLineF] = []
        month_lines: list[QLineF] = []
        holiday_cols: list[QRectF] = []
        weekend_cols: list[QRectF] = []
        for index in days:
            day = ax.first + timedelta(days=index)
            x = index * ax.ppd
            if day in holidays:
                holiday_cols.append(QRectF(x, top, ax.ppd, rect.height()))
            elif day.weekday() in weekend and ax.ppd >= WEEKEND_MIN_PPD:
                weekend_cols.append(QRectF(x, top, ax.ppd, rect.height()))
            if day.day == 1:
                month_lines.append(QLineF(x, top, x, bottom))
            elif day.weekday() == 0 and ax.ppd >= WEEKEND_MIN_PPD:
                week_lines.append(QLineF(x, top, x, bottom))
            elif ax.ppd >= 14:
                day_lines.append(QLineF(x, top, x, bottom))
        separators = [QLineF(rect.left(), tops[i], rect.right(), tops[i])
                      for i in range(first_row + 1, last_row + 1) if i < len(tops)]
        # One call per colour: a few hundred fillRect calls from Python cost more than the pixels.
        painter.setPen(Qt.PenStyle.NoPen)
        for rects, colour in ((stripes, STRIPE), (holiday_cols, HOLIDAY), (weekend_cols, WEEKEND)):
            if rects:
                painter.setBrush(colour)
                painter.drawRects(rects)
        for lines, colour in ((day_lines, GRID_DAY), (week_lines, GRID_WEEK), (separators, GRID_DAY),
                              (month_lines, GRID_MONTH)):
            if lines:
                painter.setPen(QPen(colour, 1.0))
                painter.drawLines(lines)

    def _paint_foreground(self, painter: QPainter, rect: QRectF) -> None:
        ax = self._axis
        if not self._items:
            painter.setPen(MUTED)
            painter.setFont(self.font())
            painter.drawText(self._view.mapToScene(self._view.viewport().rect()).boundingRect(),
                             Qt.AlignmentFlag.AlignCenter, _("No production steps to show."))
            return
        today_x = ax.x(self._data.today) + ax.ppd / 2
        if rect.left() - 2 <= today_x <= rect.right() + 2:
            painter.setPen(QPen(TODAY, 2.0))
            painter.drawLine(QLineF(today_x, rect.top(), today_x, rect.bottom()))

    def _bar_label(self, item: _BarItem) -> str:
        width = item.width - 8
        cached_width, cached_grouping, text = item.label_cache
        if cached_width == width and cached_grouping == self._grouping:
            return text
        bar = item.bar
        metrics = self._bar_metrics
        # Longest first; in a workshop row the serial part of the order no. ("0042") still tells the bars apart.
        if self._grouping == "order":
            candidates = (f"{bar.order_no} · {bar.step}", bar.step)
        else:
            candidates = (f"{bar.order_no} · {bar.step}", bar.order_no, bar.order_no.rsplit("-", 1)[-1])
        text = next((c for c in candidates if metrics.horizontalAdvance(c) <= width), "")
        item.label_cache = (width, self._grouping, text)
        return text

    def _paint_bar(self, item: _BarItem, painter: QPainter) -> None:
        bar = item.bar
        width = item.width
        state = bar.state
        dragging = self._drag is not None and self._drag.item is item
        painter.setPen(self._select_pen if dragging else self._state_pen[state])
        painter.setBrush(self._state_brush[state])
        if width >= 8 or dragging:
            painter.drawRoundedRect(QRectF(0.5, 0.5, width - 1.0, BAR_H - 1.0), 3.0, 3.0)
        else:
            # Narrow bars at month zoom: a plain block reads better than a rounded outline.
            painter.fillRect(QRectF(0.0, 0.0, width, BAR_H), self._state_brush[state])
        if state == "in_progress":
            done_days = (self._data.today - bar.start).days
            if 0 < done_days < bar.days:
                fraction = done_days / bar.days
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(self._progress_brush)
                painter.drawRect(QRectF(1.0, BAR_H - 4.0, (width - 2.0) * fraction, 3.0))
        if width >= 20:
            text = self._bar_label(item)
            if text:
                painter.setPen(self._state_text[state])
                painter.setFont(self._bar_font)
                painter.drawText(QRectF(4.0, 0.0, width - 7.0, BAR_H), Qt.AlignmentFlag.AlignVCenter, text)
        if (bar.order_id, bar.seq) in self._exception_marks:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#c62828"))
            corner = min(8.0, width)
            painter.drawPolygon([QPointF(width - corner, 0.0), QPointF(width, 0.0), QPointF(width, corner)])
        if item.hover_edge and width >= 10:
            painter.setPen(self._grip_pen)
            painter.drawLine(QLineF(width - 4.0, 4.0, width - 4.0, BAR_H - 4.0))
            painter.drawLine(QLineF(width - 6.5, 4.0, width - 6.5, BAR_H - 4.0))

    def _scene_left(self) -> float:
        return self._view.mapToScene(0, 0).x()

    def _paint_header(self, painter: QPainter, strip: QWidget) -> None:
        ax = self._axis
        width = strip.width()
        label_w = self._label_width
        painter.fillRect(0, 0, width, HEADER_H, HEADER_BG)
        painter.setPen(QPen(GRID_MONTH, 1.0))
        painter.drawLine(0, HEADER_H - 1, width, HEADER_H - 1)
        painter.drawLine(label_w, HEADER_H // 2, width, HEADER_H // 2)
        painter.setFont(self._bold_font)
        painter.setPen(INK)
        painter.drawText(QRectF(8, 0, label_w - 10, HEADER_H), Qt.AlignmentFlag.AlignVCenter, self._corner_caption())
        painter.setPen(QPen(GRID_MONTH, 1.0))
        painter.drawLine(label_w - 1, 0, label_w - 1, HEADER_H)
        painter.setClipRect(QRectF(label_w, 0, width - label_w, HEADER_H))
        offset = label_w - self._scene_left()
        left_day = ax.first + timedelta(days=max(0, ax.day_index(self._scene_left())))
        right_day = ax.first + timedelta(days=min(ax.days - 1, ax.day_index(self._scene_left() + width - label_w)))
        half = HEADER_H / 2

        def span_label(first: date, last: date, text: str, y: float, font: QFont, metrics: QFontMetricsF,
                       colour: QColor = INK) -> None:
            x0 = offset + ax.x(first)
            x1 = offset + ax.x(last) + ax.ppd
            painter.setPen(QPen(GRID_WEEK, 1.0))
            painter.drawLine(QLineF(x0, y, x0, y + half))
            visible_x0 = max(x0, float(label_w))
            if metrics.horizontalAdvance(text) + 8 <= x1 - visible_x0:
                painter.setPen(colour)
                painter.setFont(font)
                painter.drawText(QRectF(visible_x0 + 4, y, x1 - visible_x0 - 6, half), Qt.AlignmentFlag.AlignVCenter, text)

        # Upper tier: months (years when the months are the lower tier).
        if ax.ppd >= 4.0:
            starts = month_starts(left_day, right_day)
            for i, first in enumerate(starts):
                last = (starts[i + 1] - timedelta(days=1)) if i + 1 < len(starts) else right_day
                span_label(first, last, _month_label(first), 0, self._bold_font, self._bold_metrics)
        else:
            year = left_day.year
            while year <= right_day.year:
                first = max(date(year, 1, 1), left_day)
                last = min(date(year, 12, 31), right_day)
                span_label(first, last, str(year), 0, self._bold_font, self._bold_metrics)
                year += 1

        # Lower tier: days, weeks, or months depending on how much room a day has.
        holidays = self._data.holidays
        weekend = self._data.weekend_days
        today = self._data.today
        if ax.ppd >= 14.0:
            painter.setFont(self._small_font)
            with_weekday = self._small_metrics.horizontalAdvance(f"28 {_(WEEKDAY_NAMES[2])}") + 6 <= ax.ppd
            for index in self._visible_day_range(self._scene_left(), self._scene_left() + width - label_w):
                day = ax.first + timedelta(days=index)
                x0 = offset + index * ax.ppd
                cell = QRectF(x0, half, ax.ppd, half)
                if day == today:
                    painter.fillRect(cell.adjusted(1, 1, -1, -1), TODAY)
                    painter.setPen(QColor("#ffffff"))
                elif day in holidays:
                    painter.setPen(TODAY)
                elif day.weekday() in weekend:
                    painter.setPen(MUTED)
                else:
                    painter.setPen(INK)
                text = str(day.day)
                if with_weekday:
                    text = f"{day.day} {_(WEEKDAY_NAMES[day.weekday()])}"
                painter.drawText(cell, Qt.AlignmentFlag.AlignCenter, text)
                painter.setPen(QPen(GRID_DAY, 1.0))
                painter.drawLine(QLineF(x0, half, x0, HEADER_H))
        elif ax.ppd >= 4.0:
            monday = left_day - timedelta(days=left_day.weekday())
            while monday <= right_day:
                sunday = monday + timedelta(days=6)
                week = monday.isocalendar().week
                text = _("W{week}", week=week)
                if 7 * ax.ppd >= 64:
                    text = f"{text}  {monday.month}/{monday.day}"
                span_label(monday, sunday, text, half, self._small_font, self._small_metrics)
                monday += timedelta(days=7)
        else:
            starts = month_starts(left_day, right_day)
            for i, first in enumerate(starts):
                last = (starts[i + 1] - timedelta(days=1)) if i + 1 < len(starts) else right_day
                span_label(first, last, _(MONTH_NAMES[first.month - 1]), half, self._small_font, self._small_metrics)
        if ax.ppd < 14.0:
            today_x = offset + ax.x(today) + ax.ppd / 2
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(TODAY)
            painter.drawRect(QRectF(today_x - 1.0, half, 2.0, half))
            painter.drawPolygon(QPolygonF([QPointF(today_x - 5, HEADER_H - 1), QPointF(today_x + 5, HEADER_H - 1),
                                           QPointF(today_x, HEADER_H - 7)]))

    def _paint_row_labels(self, painter: QPainter, strip: QWidget) -> None:
        width = strip.width()
        height = strip.height()
        painter.fillRect(0, 0, width, height, QColor("#ffffff"))
        top = self._view.mapToScene(0, 0).y()
        tops = self._row_tops
        first_row = max(0, bisect.bisect_right(tops, top) - 1)
        rows = self._layout.rows
        selected_workshop = f"workshop:{self._load_workshop}" if self._load_workshop is not None else ""
        for i in range(first_row, len(rows)):
            y0 = tops[i] - top
            if y0 > height:
                break
            row_h = tops[i + 1] - tops[i]
            row = rows[i]
            if i % 2 == 1:
                painter.fillRect(QRectF(0, y0, width, row_h), STRIPE)
            if row.key == selected_workshop:
                painter.fillRect(QRectF(0, y0, 3, row_h), LOAD_OK)
            line_rect = QRectF(8, y0 + ROW_PAD, width - 14, LANE_H)
            painter.setFont(self._bold_font)
            painter.setPen(INK)
            label_w = self._bold_metrics.horizontalAdvance(row.label)
            painter.drawText(line_rect, Qt.AlignmentFlag.AlignVCenter,
                             self._bold_metrics.elidedText(row.label, Qt.TextElideMode.ElideRight, line_rect.width()))
            painter.setFont(self._small_font)
            painter.setPen(MUTED)
            if row.kind == "order":
                room = line_rect.width() - label_w - 10
                if room > 12:
                    text = self._small_metrics.elidedText(row.sublabel, Qt.TextElideMode.ElideRight, room)
                    painter.drawText(line_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, text)
            elif row_h >= 2 * LANE_H:
                painter.drawText(QRectF(8, y0 + ROW_PAD + LANE_H, width - 14, LANE_H), Qt.AlignmentFlag.AlignVCenter,
                                 _("{orders} orders · {steps} steps", orders=row.orders, steps=len(row.bar_keys)))
            painter.setPen(QPen(GRID_DAY, 1.0))
            painter.drawLine(QLineF(0, y0 + row_h, width, y0 + row_h))
        painter.setPen(QPen(GRID_MONTH, 1.0))
        painter.drawLine(width - 1, 0, width - 1, height)

    def _row_at(self, strip_y: float) -> int | None:
        y = strip_y + self._view.mapToScene(0, 0).y()
        index = bisect.bisect_right(self._row_tops, y) - 1
        return index if 0 <= index < len(self._layout.rows) else None

    def _row_label_clicked(self, pos: QPointF) -> None:
        index = self._row_at(pos.y())
        if index is None:
            return
        row = self._layout.rows[index]
        if row.kind == "workshop":
            self.set_load_workshop(int(row.key.split(":", 1)[1]))
            self._view.labels.update()

    def _row_label_tooltip(self, pos: QPointF) -> str:
        index = self._row_at(pos.y())
        if index is None:
            return ""
        row = self._layout.rows[index]
        if row.kind == "order":
            return html.escape(f"{row.label} · {row.sublabel}")
        return html.escape(_("{workshop}: {orders} orders · {steps} steps (click to show its load)",
                             workshop=row.label, orders=row.orders, steps=len(row.bar_keys)))

    def _header_tooltip(self, pos: QPointF) -> str:
        if pos.x() < self._label_width:
            return ""
        ax = self._axis
        index = ax.day_index(pos.x() - self._label_width + self._scene_left())
        if not 0 <= index < ax.days:
            return ""
        day = ax.first + timedelta(days=index)
        text = f"{day.isoformat()} {_(WEEKDAY_NAMES[day.weekday()])}"
        if day in self._data.holidays:
            text += " · " + _("Holiday")
        if day == self._data.today:
            text += " · " + _("Today")
        return html.escape(text)

    # ----------------------------------------------------------------------------------------------- load chart

    def _load_strips(self, viewport_height: int) -> list[tuple[int, str, float, float]]:
        """(workshop id, name, top, height) of each strip in the load chart's content coordinates."""
        if self._load_workshop is not None:
            name = next((n for w, n in self._workshops if w == self._load_workshop), "")
            return [(self._load_workshop, name, 0.0, float(max(viewport_height, 60)))]
        strips = []
        y = 0.0
        strip_h = 34.0
        for wid, name in self._workshops:
            strips.append((wid, name, y, strip_h))
            y += strip_h
        return strips

    def _update_load_scroll(self) -> None:
        if not hasattr(self, "_load_chart"):
            return
        height = self._load_chart.viewport().height()
        strips = self._load_strips(height)
        total = strips[-1][2] + strips[-1][3] if strips else 0
        bar = self._load_chart.verticalScrollBar()
        bar.setRange(0, max(0, int(total - height)))
        bar.setPageStep(height)
        bar.setSingleStep(34)

    def _paint_loads(self, painter: QPainter, rect, scroll_y: int) -> None:
        ax = self._axis
        painter.fillRect(rect, QColor("#ffffff"))
        label_w = self._label_width
        strips = self._load_strips(rect.height())
        if not strips or not self._loads:
            painter.setPen(MUTED)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, _("No workshop load figures."))
            return
        scene_left = self._scene_left()
        chart_w = rect.width() - label_w
        days = self._visible_day_range(scene_left, scene_left + chart_w)
        holidays = self._data.holidays
        weekend = self._data.weekend_days
        offset = label_w - scene_left
        painter.setClipRect(QRectF(label_w, 0, chart_w, rect.height()))
        holiday_cols: list[QRectF] = []
        weekend_cols: list[QRectF] = []
        for index in days:
            day = ax.first + timedelta(days=index)
            x = offset + index * ax.ppd
            if day in holidays:
                holiday_cols.append(QRectF(x, 0, ax.ppd, rect.height()))
            elif day.weekday() in weekend and ax.ppd >= WEEKEND_MIN_PPD:
                weekend_cols.append(QRectF(x, 0, ax.ppd, rect.height()))
        booked: list[QRectF] = []
        over_base: list[QRectF] = []
        over_excess: list[QRectF] = []
        capacity_lines: list[QLineF] = []
        strip_lines: list[QLineF] = []
        gap = 1.0 if ax.ppd >= 4 else 0.0
        for wid, _name, top, height in strips:
            y0 = top - scroll_y
            if y0 > rect.height() or y0 + height < 0:
                continue
            inner_top = y0 + 4
            inner_h = height - 8
            peak = self._load_peak.get(wid, 0)
            scale = inner_h / (peak * 1.08) if peak else 0.0
            base = inner_top + inner_h
            per_day = self._loads.get(wid, {})
            for index in days:
                load = per_day.get(ax.first + timedelta(days=index))
                if load is None:
                    continue
                x = offset + index * ax.ppd
                used_h = load.used_minutes * scale
                cap_h = load.capacity_minutes * scale
                if load.overloaded:
                    over_base.append(QRectF(x + gap, base - cap_h, ax.ppd - 2 * gap, cap_h))
                    over_excess.append(QRectF(x + gap, base - used_h, ax.ppd - 2 * gap, used_h - cap_h))
                elif used_h > 0:
                    booked.append(QRectF(x + gap, base - used_h, ax.ppd - 2 * gap, used_h))
                if load.capacity_minutes > 0:
                    capacity_lines.append(QLineF(x, base - cap_h, x + ax.ppd, base - cap_h))
            strip_lines.append(QLineF(label_w, y0 + height, rect.width(), y0 + height))
        painter.setPen(Qt.PenStyle.NoPen)
        for rects, colour in ((holiday_cols, HOLIDAY), (weekend_cols, WEEKEND), (booked, LOAD_OK),
                              (over_base, LOAD_OVER_LIGHT), (over_excess, LOAD_OVER)):
            if rects:
                painter.setBrush(colour)
                painter.drawRects(rects)
        for lines, pen in ((strip_lines, QPen(GRID_DAY, 1.0)), (capacity_lines, QPen(CAPACITY, 1.5))):
            if lines:
                painter.setPen(pen)
                painter.drawLines(lines)
        today_x = offset + ax.x(self._data.today) + ax.ppd / 2
        painter.setPen(QPen(TODAY, 2.0))
        painter.drawLine(QLineF(today_x, 0, today_x, rect.height()))
        painter.setClipping(False)

        painter.fillRect(QRectF(0, 0, label_w, rect.height()), QColor("#ffffff"))
        for wid, name, top, height in strips:
            y0 = top - scroll_y
            if y0 > rect.height() or y0 + height < 0:
                continue
            painter.setFont(self._bold_font)
            painter.setPen(INK)
            line_h = min(height / 2, 18.0)
            painter.drawText(QRectF(8, y0 + 1, label_w - 14, line_h), Qt.AlignmentFlag.AlignVCenter,
                             self._bold_metrics.elidedText(name, Qt.TextElideMode.ElideRight, label_w - 14))
            over = self._over_days.get(wid, 0)
            painter.setFont(self._small_font)
            painter.setPen(LOAD_OVER if over else MUTED)
            text = (ngettext("{count} day over capacity", "{count} days over capacity", over, count=over) if over
                    else _("within capacity"))
            painter.drawText(QRectF(8, y0 + line_h, label_w - 14, line_h), Qt.AlignmentFlag.AlignVCenter,
                             self._small_metrics.elidedText(text, Qt.TextElideMode.ElideRight, label_w - 14))
            painter.setPen(QPen(GRID_DAY, 1.0))
            painter.drawLine(QLineF(0, y0 + height, label_w, y0 + height))
        painter.setPen(QPen(GRID_MONTH, 1.0))
        painter.drawLine(QLineF(label_w - 1, 0, label_w - 1, rect.height()))

    def _load_at(self, pos: QPointF, scroll_y: int) -> tuple[int, str, date | None] | None:
        viewport_h = self._load_chart.viewport().height()
        for wid, name, top, height in self._load_strips(viewport_h):
            if top - scroll_y <= pos.y() < top - scroll_y + height:
                if pos.x() < self._label_width:
                    return wid, name, None
                index = self._axis.day_index(pos.x() - self._label_width + self._scene_left())
                return wid, name, self._axis.first + timedelta(days=index)
        return None

    def _load_tooltip(self, pos: QPointF, scroll_y: int) -> str:
        hit = self._load_at(pos, scroll_y)
        if hit is None:
            return ""
        wid, name, day = hit
        if day is None:
            return html.escape(_("{workshop}: click to show only this workshop's load", workshop=name))
        load = self._loads.get(wid, {}).get(day)
        if load is None:
            return html.escape(f"{name} · {day.isoformat()}")
        percent = load.percent
        text = _("{workshop} · {day}: {used} booked of {capacity}", workshop=name, day=day.isoformat(),
                 used=_hours(load.used_minutes), capacity=_hours(load.capacity_minutes))
        if percent is not None:
            text += f" ({percent}%)"
        body = html.escape(text)
        if load.overloaded:
            body += "<br><b style='color:#d0433b'>" + html.escape(
                _("Over capacity by {hours}", hours=_hours(load.used_minutes - load.capacity_minutes))) + "</b>"
        return body

    def _load_clicked(self, pos: QPointF, scroll_y: int) -> None:
        hit = self._load_at(pos, scroll_y)
        if hit is not None and hit[2] is None:
            self.set_load_workshop(None if self._load_workshop == hit[0] else hit[0])
            self._view.labels.update()

    # ----------------------------------------------------------------------------------------------- dragging

    def _hover_bar(self, item: _BarItem, local_x: float) -> None:
        modes = drag_modes(item.bar)
        grip = min(EDGE_GRIP, item.width / 3)
        edge = "resize" in modes and local_x >= item.width - grip
        if edge != item.hover_edge:
            item.hover_edge = edge
            item.update()
        if edge:
            item.setCursor(Qt.CursorShape.SizeHorCursor)
        elif "move" in modes:
            item.setCursor(Qt.CursorShape.OpenHandCursor)
        else:
            item.setCursor(Qt.CursorShape.ArrowCursor)

    def _begin_drag(self, item: _BarItem, scene_x: float, local_x: float) -> None:
        self._cancel_drag()
        bar = item.bar
        modes = drag_modes(bar)
        grip = min(EDGE_GRIP, item.width / 3)
        if "resize" in modes and local_x >= item.width - grip:
            mode = "resize"
        elif "move" in modes:
            mode = "move"
        elif "resize" in modes:
            self._tell(_("{order_no} {step} has started; drag its right edge to change when it ends.",
                         order_no=bar.order_no, step=bar.step), "info")
            return
        else:
            self._tell(_("{order_no} {step} is done; its dates are history and cannot be moved.",
                         order_no=bar.order_no, step=bar.step), "info")
            return
        self._drag = _Drag(item, mode, scene_x, bar.start, bar.end, bar.start, bar.end)
        self._ghost.setRect(QRectF(item.x(), item.y(), item.width, BAR_H))
        self._ghost.setVisible(True)
        item.setZValue(10)
        item.setCursor(Qt.CursorShape.SizeHorCursor if mode == "resize" else Qt.CursorShape.ClosedHandCursor)
        item.update()

    def _drag_to(self, scene_x: float) -> None:
        drag = self._drag
        if drag is None:
            return
        delta = round((scene_x - drag.press_x) / self._axis.ppd)
        if drag.mode == "move":
            new_start = drag.start + timedelta(days=delta)
            new_end = drag.end + timedelta(days=delta)
        else:
            new_start = drag.start
            new_end = max(drag.start, drag.end + timedelta(days=delta))
        if (new_start, new_end) == (drag.new_start, drag.new_end):
            return
        drag.new_start, drag.new_end = new_start, new_end
        ax = self._axis
        inset = min(1.0, ax.ppd * 0.12)
        days = (new_end - new_start).days + 1
        drag.item.set_width(max(days * ax.ppd - 2 * inset, 1.0))
        drag.item.setX(ax.x(new_start) + inset)
        bar = drag.item.bar
        self._tell(_("{order_no} {step}: {start} – {end} ({days} days)", order_no=bar.order_no, step=bar.step,
                     start=new_start.isoformat(), end=new_end.isoformat(), days=days), "info", announce=False)

    def _end_drag(self, scene_x: float) -> None:
        drag = self._drag
        if drag is None:
            return
        self._drag_to(scene_x)
        self._drag = None
        self._ghost.setVisible(False)
        drag.item.setZValue(0)
        drag.item.unsetCursor()
        if (drag.new_start, drag.new_end) == (drag.start, drag.end):
            self._place(drag.item)
            drag.item.update()
            self._show_hint()
            return
        self._propose(drag.item.bar.key, drag.new_start, drag.new_end)

    def _cancel_drag(self) -> None:
        drag = self._drag
        if drag is None:
            return
        self._drag = None
        self._ghost.setVisible(False)
        if drag.item.scene() is self._scene:
            drag.item.setZValue(0)
            drag.item.unsetCursor()
            self._place(drag.item)
            drag.item.update()

    def _propose(self, key: str, start: date, end: date) -> MoveCheck:
        bar = self._bars[key]
        if end < start:
            check = MoveCheck([_("A step cannot end before it starts.")], [])
        else:
            try:
                if self._validator is not None:
                    check = self._validator(key, start, end)
                else:
                    check = check_step_order(self._bars.values(), key, start, end)
            except Exception as exc:  # the owner's service refused with a domain error: that is a refusal too
                check = MoveCheck([str(exc) or exc.__class__.__name__], [])
        item = self._items.get(key)
        if not check.ok:
            if item is not None:
                self._place(item)
                item.update()
            self._tell(_("Not moved: {reason}", reason=" ".join(check.errors)), "error")
            return check
        self._undo.push(_MoveBarCommand(self, bar, start, end))
        if check.warnings:
            self._tell(" ".join(check.warnings) + " " + _("The move stands; Ctrl+Z undoes it."), "warning")
        else:
            self._tell(_("{order_no} {step} moved to {start} – {end}.", order_no=bar.order_no, step=bar.step,
                         start=start.isoformat(), end=end.isoformat()), "info")
        return check

    def _apply_dates(self, key: str, start: date, end: date) -> GanttBar | None:
        """Put a bar on new dates, keep the rows tidy, and tell the owner; None when the bar has left the plan."""
        old = self._bars.get(key)
        item = self._items.get(key)
        if old is None or item is None:
            return None
        self._cancel_drag()
        bar = old.moved(start, end)
        self._bars[key] = bar
        item.bar = bar
        item.label_cache = (-1.0, "", "")
        self._data.bars = list(self._bars.values())
        if start < self._axis.first or end > self._axis.last:
            center = self._center_day()
            first, last = date_span(self._bars.values(), self._data.today)
            self._axis = _Axis(min(first, self._axis.first), max(last, self._axis.last), self._axis.ppd)
            self._layout.replace_bar(self._bars, key)
            self._relayout()
            if center is not None:
                self._scroll_to_day(center, 0.5)
        elif self._layout.replace_bar(self._bars, key):
            self._relayout()
        else:
            self._place(item)
        item.update()
        self.sig_bar_moved.emit(key, start, end)
        return bar

    # ----------------------------------------------------------------------------------------------- messages

    def _show_hint(self) -> None:
        self._message_level = ""
        self._status.setStyleSheet("color: #616e7c;")
        self._status.setText(_(HINT))

    def _tell(self, text: str, level: str, announce: bool = True) -> None:
        """Show a message under the chart; `announce` also emits `sig_message` (not for live drag feedback)."""
        self._message_level = level
        styles = {
            "info": "color: #1f2933;",
            "warning": "color: #6b4700; background: #fff4d6; border: 1px solid #e3a21a;",
            "error": "color: #8a1c16; background: #fde8e6; border: 1px solid #d0433b;",
        }
        self._status.setStyleSheet(styles.get(level, ""))
        self._status.setText(text)
        if announce:
            self.sig_message.emit(text)

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


__all__ = ["GanttWidget", "MoveValidator", "ZOOM_PRESETS"]
