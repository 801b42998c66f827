"""Small dialogs of the Planning tab: a change reason, a step's dates and people, routings to use, a workshop day."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ... import clock
from ...i18n import _
from ...services.planning.master_data import RoutingInfo, WorkshopInfo
from ...services.planning.plans import PlanStepView, PlanView, StepChange, StyleRouting
from ...services.users import UserInfo


def to_qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


def date_edit(day: dt.date | None = None) -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setDate(to_qdate(day or clock.today()))
    return edit


class ReasonDialog(QDialog):
    """Why a released plan changes: the text is kept with the new plan version; OK only with a reason."""

    def __init__(self, title: str, explanation: str, default: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("planning_reason_dialog")
        self.setWindowTitle(title)
        self.explanation = QLabel(explanation)
        self.explanation.setWordWrap(True)
        self.text = QPlainTextEdit(default)
        self.text.setObjectName("reason_text")
        self.text.setPlaceholderText(_("e.g. casting furnace under repair until Friday"))
        self.text.setMinimumSize(420, 90)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.text.textChanged.connect(self._update)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explanation)
        layout.addWidget(self.text)
        layout.addWidget(self.buttons)
        self._update()

    def _update(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.reason()))

    def reason(self) -> str:
        return self.text.toPlainText().strip()


class StepDialog(QDialog):
    """Change one step: its dates, workshop and responsible person (and why, when the plan is released)."""

    def __init__(self, plan: PlanView, step: PlanStepView, workshops: list[WorkshopInfo], people: list[UserInfo],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("planning_step_dialog")
        self.plan = plan
        self.step = step
        self.setWindowTitle(_("Step {step} of {order_no}", step=f"{step.seq} {step.name}", order_no=plan.order_no))
        self.start = date_edit(step.start)
        self.start.setObjectName("step_start")
        self.end = date_edit(step.end)
        self.end.setObjectName("step_end")
        self.workshop = QComboBox()
        self.workshop.setObjectName("step_workshop")
        for w in workshops:
            self.workshop.addItem(w.name, w.id)
        if self.workshop.findData(step.workshop_id) < 0:
            self.workshop.addItem(step.workshop, step.workshop_id)
        self.workshop.setCurrentIndex(self.workshop.findData(step.workshop_id))
        self.responsible = QComboBox()
        self.responsible.setObjectName("step_responsible")
        self.responsible.addItem(_("(nobody)"), None)
        for person in people:
            self.responsible.addItem(person.display_name or person.username, person.id)
        if step.responsible_id is not None and self.responsible.findData(step.responsible_id) < 0:
            self.responsible.addItem(step.responsible, step.responsible_id)
        self.responsible.setCurrentIndex(max(0, self.responsible.findData(step.responsible_id)))
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("step_reason")
        self.reason.setMaximumHeight(70)
        started = step.state != "planned"
        self.start.setEnabled(not started)
        self.workshop.setEnabled(not started)
        if step.state == "done":
            self.end.setEnabled(False)
            self.responsible.setEnabled(False)
        form = QFormLayout()
        form.addRow(_("Start"), self.start)
        form.addRow(_("Finish"), self.end)
        form.addRow(_("Workshop"), self.workshop)
        form.addRow(_("Responsible"), self.responsible)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #616e7c;")
        if plan.released:
            form.addRow(_("Reason for the change"), self.reason)
            self.note.setText(_("The plan is released: the change makes version {version} and keeps the reason.",
                                version=plan.version_no + 1))
        elif started:
            self.note.setText(_("The step has started: only its finish can change."))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(440)

    def change(self) -> StepChange:
        return StepChange(self.step.seq, from_qdate(self.start.date()), from_qdate(self.end.date()),
                          int(self.workshop.currentData()), self.responsible.currentData())

    def reason_text(self) -> str:
        return self.reason.toPlainText().strip()


class RoutingChoiceDialog(QDialog):
    """Which routing to plan each style with, for styles that have none (or to use another)."""

    def __init__(self, order_no: str, choices: list[StyleRouting], routings: list[RoutingInfo],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("planning_routing_choice")
        self.setWindowTitle(_("Routings for {order_no}", order_no=order_no))
        intro = QLabel(_("Choose the routing each style of the order is made with."))
        intro.setWordWrap(True)
        form = QFormLayout()
        self.combos: dict[str, QComboBox] = {}
        for choice in choices:
            combo = QComboBox()
            combo.addItem(_("(choose a routing)"), None)
            for routing in routings:
                combo.addItem(routing.name, routing.id)
            if choice.routing_id is not None:
                combo.setCurrentIndex(combo.findData(choice.routing_id))
            combo.currentIndexChanged.connect(self._update)
            self.combos[choice.style_code] = combo
            form.addRow(choice.style_code, combo)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self._update()

    def _update(self) -> None:
        ok = all(c.currentData() is not None for c in self.combos.values())
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def routing_for_style(self) -> dict[str, int]:
        return {code: int(combo.currentData()) for code, combo in self.combos.items()
                if combo.currentData() is not None}


class WorkshopDayDialog(QDialog):
    """Pick a workshop and a day to print that workshop's task sheets for the day."""

    def __init__(self, workshops: list[WorkshopInfo], day: dt.date, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("planning_workshop_day")
        self.setWindowTitle(_("Task sheets of a workshop for a day"))
        self.workshop = QComboBox()
        for w in workshops:
            self.workshop.addItem(w.name, w.id)
        self.day = date_edit(day)
        form = QFormLayout()
        form.addRow(_("Workshop"), self.workshop)
        form.addRow(_("Day"), self.day)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(self.workshop.count() > 0)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def selection(self) -> tuple[int, dt.date]:
        return int(self.workshop.currentData()), from_qdate(self.day.date())


class GanttRangeDialog(QDialog):
    """The date range and grouping of the A3 Gantt export."""

    def __init__(self, first: dt.date, last: dt.date, grouping: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("planning_gantt_range")
        self.setWindowTitle(_("Export Gantt PDF"))
        self.first = date_edit(first)
        self.last = date_edit(last)
        self.grouping = QComboBox()
        self.grouping.addItem(_("By order"), "order")
        self.grouping.addItem(_("By workshop"), "workshop")
        self.grouping.setCurrentIndex(max(0, self.grouping.findData(grouping)))
        form = QFormLayout()
        form.addRow(_("From"), self.first)
        form.addRow(_("To"), self.last)
        form.addRow(_("Rows:"), self.grouping)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.first.dateChanged.connect(self._update)
        self.last.dateChanged.connect(self._update)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

    def _update(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(self.last.date() >= self.first.date())

    def values(self) -> tuple[dt.date, dt.date, str]:
        return from_qdate(self.first.date()), from_qdate(self.last.date()), str(self.grouping.currentData())
