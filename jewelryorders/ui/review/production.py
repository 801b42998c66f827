"""Production's opinion in the detailed review (procedure 2.4): what the application already knows.

The plan the scheduler would propose for the order on top of today's load (read-only), its projected finish
against the delivery date, each workshop's load in that window, and — when it finishes late — the capacity
measures (overtime, extra shift, outsourcing: workshop and days) a pass needs, tried on the proposal at once."""

from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ... import clock
from ...i18n import N_, _, ngettext
from ...models.planning import CAPACITY_MEASURE_KINDS
from ...services.planning.preview import ProposalPreview, preview_plan
from ...services.planning.review_inputs import MeasureSpan
from ...services.review import procedure as review_service
from .. import operations
from ..context import UiContext

LOAD_COLUMNS = (N_("Workshop"), N_("Steps"), N_("Capacity (h)"), N_("Other orders (h)"), N_("This order (h)"),
                N_("Load"))
MEASURE_COLUMNS = (N_("Measure"), N_("Workshop"), N_("First day"), N_("Last day"), N_("Hours a day"))
# Hours a day a measure adds by default: overtime two hours a bench, a shift or outsourcing a whole bench-day.
DEFAULT_HOURS = {"overtime": 2.0, "extra_shift": 8.0, "outsourcing": 8.0}
LATE_COLOUR = "#b42318"
ON_TIME_COLOUR = "#1a7f37"


def _hours(minutes: int) -> str:
    return f"{minutes / 60:.1f}"


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


class ProductionProposalPanel(QGroupBox):
    """The read-only proposal and the capacity measures production adds when it finishes late."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("production_proposal")
        self.order_id: int | None = None
        self.preview: ProposalPreview | None = None
        self.summary = QLabel()
        self.summary.setObjectName("proposal_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.loads = QTableWidget(0, len(LOAD_COLUMNS))
        self.loads.setObjectName("proposal_loads")
        self.loads.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.loads.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.loads.verticalHeader().setVisible(False)
        self.loads.verticalHeader().setDefaultSectionSize(22)
        self.loads.setMinimumHeight(120)
        self.loads.setMaximumHeight(150)
        header = self.loads.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)

        self.measures_box = QWidget()
        self.measures_box.setObjectName("capacity_measures")
        self.measures_hint = QLabel()
        self.measures_hint.setWordWrap(True)
        self.measures = QTableWidget(0, len(MEASURE_COLUMNS))
        self.measures.setObjectName("capacity_measure_rows")
        self.measures.verticalHeader().setVisible(False)
        self.measures.setMinimumHeight(80)
        self.measures.setMaximumHeight(110)
        self.measures.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.add_button = QPushButton()
        self.add_button.setObjectName("add_measure")
        self.add_button.clicked.connect(lambda: self.add_measure())
        self.remove_button = QPushButton()
        self.remove_button.setObjectName("remove_measure")
        self.remove_button.clicked.connect(self.remove_measure)
        self.try_button = QPushButton()
        self.try_button.setObjectName("try_measures")
        self.try_button.clicked.connect(self.refresh)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        buttons.addWidget(self.try_button)
        box = QVBoxLayout(self.measures_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.measures_hint)
        box.addWidget(self.measures)
        box.addLayout(buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.loads)
        layout.addWidget(self.measures_box)
        self.measures_box.setVisible(False)
        self.retranslate_ui()

    # -- the proposal ---------------------------------------------------------------------------------------------

    def set_order(self, order_id: int | None) -> None:
        if order_id != self.order_id:
            self.measures.setRowCount(0)
        self.order_id = order_id
        self.refresh()

    def spans(self) -> list[MeasureSpan]:
        out = []
        for m in self.measure_inputs():
            if m.workshop_id and m.first_day <= m.last_day and float(m.hours_per_day) > 0:
                out.append(MeasureSpan(m.workshop_id, m.first_day, m.last_day, int(float(m.hours_per_day) * 60)))
        return out

    def refresh(self) -> None:
        if self.order_id is None:
            self.preview = None
            self.show_preview()
            return
        order_id, spans = self.order_id, self.spans()
        self.preview = operations.run(self.ctx, self, lambda: preview_plan(self.ctx.db, order_id, measures=spans),
                                      quiet_errors=True)
        self.show_preview()

    def show_preview(self) -> None:
        p = self.preview
        self.loads.setRowCount(0)
        if p is None:
            self.summary.setText(_("Choose a request in the list."))
            self.measures_box.setVisible(False)
            return
        if p.problems:
            self.summary.setText(html.escape(_("The scheduler cannot propose a plan for this order yet: {problem}",
                                               problem=p.problems[0])))
            self.measures_box.setVisible(False)
            return
        due = p.delivery_date.isoformat() if p.delivery_date else "—"
        if p.late:
            verdict = (f"<span style='color:{LATE_COLOUR}'><b>"
                       + html.escape(ngettext("{n} day after the delivery date {due}", "{n} days after the delivery date {due}",
                                            p.days_late, due=due))
                       + "</b></span>")
        else:
            verdict = (f"<span style='color:{ON_TIME_COLOUR}'><b>"
                       + html.escape(_("on time for the delivery date {due}", due=due)) + "</b></span>")
        text = html.escape(_("Proposed plan on top of today's load: {first} to {finish}, {days} calendar days —",
                             first=min(st.start for st in p.steps).isoformat(), finish=p.finish.isoformat(),
                             days=p.cycle_days)) + " " + verdict
        if p.materials_day is not None:
            text += "<br>" + html.escape(_("Steps that need materials start on or after {day} (purchasing's lead "
                                           "time).", day=p.materials_day.isoformat()))
        self.summary.setText(text)
        steps_by_workshop: dict[int, list[str]] = {}
        for st in p.steps:
            span = st.start.strftime("%m-%d") if st.start == st.end else (
                f"{st.start.strftime('%m-%d')}–{st.end.strftime('%m-%d')}")
            steps_by_workshop.setdefault(st.workshop_id, []).append(f"{st.seq} {st.name} {span}")
        self.loads.setRowCount(len(p.loads))
        for row, load in enumerate(p.loads):
            capacity = _hours(load.capacity_minutes)
            if load.extra_minutes:
                capacity += " " + _("(+{hours} measures)", hours=_hours(load.extra_minutes))
            values = (load.workshop, "; ".join(steps_by_workshop.get(load.workshop_id, [])), capacity,
                      _hours(load.other_minutes), _hours(load.order_minutes), f"{load.percent} %")
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column >= 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if column == 5 and load.percent > 100:
                    item.setForeground(Qt.GlobalColor.red)
                self.loads.setItem(row, column, item)
        needs_measures = p.late or self.measures.rowCount() > 0
        self.measures_box.setVisible(needs_measures)
        if p.late and self.measures.rowCount() == 0:
            busiest = max(p.loads, key=lambda load: load.percent)
            self.add_measure(busiest.workshop_id, min(st.start for st in p.steps), p.finish)

    # -- capacity measures ----------------------------------------------------------------------------------------

    def _workshops(self) -> list[tuple[int, str]]:
        from ...services.planning.master_data import list_workshops

        rows = operations.run(self.ctx, self, lambda: list_workshops(self.ctx.db), quiet_errors=True) or []
        return [(w.id, w.name) for w in rows if getattr(w, "active", True)]

    def add_measure(self, workshop_id: int | None = None, first: dt.date | None = None,
                    last: dt.date | None = None) -> None:
        row = self.measures.rowCount()
        self.measures.insertRow(row)
        kind = QComboBox()
        kind.setObjectName(f"measure_kind_{row}")
        for key, label in CAPACITY_MEASURE_KINDS.items():
            kind.addItem(_(label), key)
        workshop = QComboBox()
        workshop.setObjectName(f"measure_workshop_{row}")
        for wid, name in self._workshops():
            workshop.addItem(name, wid)
        if workshop_id is not None and workshop.findData(workshop_id) >= 0:
            workshop.setCurrentIndex(workshop.findData(workshop_id))
        today = clock.today()
        first_edit, last_edit = QDateEdit(), QDateEdit()
        for edit, day in ((first_edit, max(first or today, today)), (last_edit, max(last or today, today))):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDate(_qdate(day))
        hours = QDoubleSpinBox()
        hours.setObjectName(f"measure_hours_{row}")
        hours.setRange(0, 240)
        hours.setDecimals(1)
        hours.setValue(DEFAULT_HOURS["overtime"])
        kind.currentIndexChanged.connect(lambda _i, k=kind, h=hours: h.setValue(DEFAULT_HOURS[k.currentData()]))
        for column, widget in enumerate((kind, workshop, first_edit, last_edit, hours)):
            self.measures.setCellWidget(row, column, widget)
        self.measures_box.setVisible(True)

    def remove_measure(self) -> None:
        row = self.measures.currentRow()
        if row < 0:
            row = self.measures.rowCount() - 1
        if row >= 0:
            self.measures.removeRow(row)
            self.refresh()

    def measure_inputs(self) -> list[review_service.CapacityMeasureInput]:
        out = []
        for row in range(self.measures.rowCount()):
            kind, workshop, first, last, hours = (self.measures.cellWidget(row, c) for c in range(5))
            out.append(review_service.CapacityMeasureInput(
                kind.currentData(), workshop.currentData(), _pydate(first.date()), _pydate(last.date()),
                f"{hours.value():.1f}"))
        return out

    def retranslate_ui(self) -> None:
        self.setTitle(_("What production knows: the proposed plan"))
        self.loads.setHorizontalHeaderLabels([_(h) for h in LOAD_COLUMNS])
        self.measures.setHorizontalHeaderLabels([_(h) for h in MEASURE_COLUMNS])
        self.measures_hint.setText(_("The proposal finishes after the delivery date: a pass needs capacity "
                                     "measures that bring it in; otherwise reject, and the round goes back to "
                                     "sales to move the date or add capacity."))
        self.add_button.setText(_("Add measure"))
        self.remove_button.setText(_("Remove measure"))
        self.try_button.setText(_("Try on the proposal"))
        for row in range(self.measures.rowCount()):
            kind = self.measures.cellWidget(row, 0)
            for i in range(kind.count()):
                kind.setItemText(i, _(CAPACITY_MEASURE_KINDS[kind.itemData(i)]))
        self.show_preview()
