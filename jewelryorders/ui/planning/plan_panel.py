"""The side panel of the Planning tab: the selected order's plan steps, what blocks a start, and its checklist."""

from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...i18n import N_, _
from ...models.planning import CHECKLIST_KEYS
from ...services.planning import plans as plan_service
from ...services.planning import checklist as checklist_service
from ...services.permissions import allowed
from ...services.planning.common import hours_text
from ...services.stages import stage_label
from .. import operations
from ..context import UiContext

STEP_COLUMNS = (N_("#"), N_("Step"), N_("Workshop"), N_("Start"), N_("Finish"), N_("Hours"), N_("State"),
                N_("Task sheet"))
BLOCKED_BACKGROUND = QColor("#fff4d6")
DONE_BACKGROUND = QColor("#e3f2e8")
RUNNING_BACKGROUND = QColor("#fdebc8")
MAX_COLUMN_WIDTH = 120
WARNING_STYLE = "color: #6b4700; background: #fff4d6; border: 1px solid #e3a21a; padding: 4px;"


def _local(moment: dt.datetime | None) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else ""


class ChecklistRow:
    """One checklist item: the tick (for the departments that confirm it), whether it is required, who did it."""

    def __init__(self, key: str):
        self.key = key
        self.done = QCheckBox()
        self.done.setObjectName(f"checklist_{key}")
        self.required = QCheckBox()
        self.required.setObjectName(f"checklist_required_{key}")
        self.detail = QLabel()
        self.detail.setObjectName(f"checklist_detail_{key}")
        self.detail.setStyleSheet("color: #616e7c;")
        self.detail.setWordWrap(True)


class PlanPanel(QWidget):
    sig_changed = Signal(int)        # order id whose plan, steps or checklist changed
    sig_step_selected = Signal(str)  # step key, to show the bar on the chart
    sig_edit_requested = Signal()
    sig_print_requested = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.order_id: int | None = None
        self.plan: plan_service.PlanView | None = None
        self.checklist: list[checklist_service.ChecklistItemView] = []

        self.header = QLabel()
        self.header.setObjectName("plan_header")
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.warnings = QLabel()
        self.warnings.setObjectName("plan_warnings")
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet(WARNING_STYLE)
        self.warnings.setVisible(False)

        self.steps = QTableWidget(0, len(STEP_COLUMNS))
        self.steps.setObjectName("plan_steps")
        self.steps.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.steps.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.steps.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.steps.verticalHeader().setVisible(False)
        self.steps.setWordWrap(False)
        self.steps.horizontalHeader().setStretchLastSection(True)
        self.steps.itemSelectionChanged.connect(self._on_step_selected)
        self.steps.doubleClicked.connect(lambda _index: self.sig_edit_requested.emit())

        self.edit_button = QPushButton()
        self.edit_button.setObjectName("step_edit")
        self.start_button = QPushButton()
        self.start_button.setObjectName("step_start_button")
        self.finish_button = QPushButton()
        self.finish_button.setObjectName("step_finish_button")
        self.print_button = QPushButton()
        self.print_button.setObjectName("step_print")
        self.start_button.clicked.connect(self.start_selected)
        self.finish_button.clicked.connect(self.finish_selected)
        self.edit_button.clicked.connect(lambda: self.sig_edit_requested.emit())
        self.print_button.clicked.connect(lambda: self.sig_print_requested.emit())
        buttons = QHBoxLayout()
        for button in (self.edit_button, self.start_button, self.finish_button, self.print_button):
            buttons.addWidget(button)
        buttons.addStretch(1)

        self.step_detail = QLabel()
        self.step_detail.setObjectName("step_detail")
        self.step_detail.setWordWrap(True)
        self.step_detail.setStyleSheet("color: #3e4c59;")
        self.blockers = QLabel()
        self.blockers.setObjectName("step_blockers")
        self.blockers.setWordWrap(True)
        self.blockers.setTextFormat(Qt.TextFormat.RichText)

        self.checklist_box = QGroupBox()
        grid = QGridLayout(self.checklist_box)
        grid.setColumnStretch(2, 1)
        self.rows: dict[str, ChecklistRow] = {}
        for line, key in enumerate(CHECKLIST_KEYS):
            row = ChecklistRow(key)
            row.done.clicked.connect(lambda checked, k=key: self._tick(k, checked))
            row.required.clicked.connect(lambda checked, k=key: self._require(k, checked))
            grid.addWidget(row.done, line, 0)
            grid.addWidget(row.required, line, 1)
            grid.addWidget(row.detail, line, 2)
            self.rows[key] = row

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.header)
        layout.addWidget(self.warnings)
        layout.addWidget(self.steps, 1)
        layout.addWidget(self.step_detail)
        layout.addLayout(buttons)
        layout.addWidget(self.blockers)
        layout.addWidget(self.checklist_box)
        self.retranslate_ui()
        self.set_order(None)

    # -- content --------------------------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.steps.setHorizontalHeaderLabels([_(c) for c in STEP_COLUMNS])
        self.edit_button.setText(_("Edit step…"))
        self.start_button.setText(_("Start step"))
        self.finish_button.setText(_("Finish step"))
        self.print_button.setText(_("Print this sheet"))
        self.checklist_box.setTitle(_("Pre-production checklist"))
        for key, row in self.rows.items():
            row.done.setText(_(CHECKLIST_KEYS[key]))
            row.required.setText(_("required"))
        self.refresh()

    def set_order(self, order_id: int | None) -> None:
        self.order_id = order_id
        self.refresh()

    def refresh(self) -> None:
        order_id = self.order_id
        self.plan = None
        self.checklist = []
        if order_id is not None:
            self.plan = operations.run(self.ctx, self, lambda: plan_service.get_plan(self.ctx.db, order_id),
                                       quiet_errors=True)
            self.checklist = operations.run(self.ctx, self,
                                            lambda: checklist_service.get_checklist(self.ctx.db, order_id),
                                            quiet_errors=True) or []
        self._show_header()
        self._show_steps()
        self._show_checklist()
        self._on_step_selected()

    def _show_header(self) -> None:
        plan = self.plan
        if self.order_id is None:
            self.header.setText(_("Choose an order on the left to see its plan."))
            self.warnings.setVisible(False)
            return
        if plan is None:
            self.header.setText(_("This order has no plan yet. Propose one with “Propose plan”."))
            self.warnings.setVisible(False)
            return
        due = plan.delivery_date.isoformat() if plan.delivery_date else "—"
        lines = [
            f"<b>{html.escape(plan.order_no)}</b> · {html.escape(plan.customer)} · "
            + html.escape(_("delivery {date}", date=due)) + " · " + html.escape(stage_label(plan.stage)),
            html.escape(_("Plan {plan_no} v{version} — {status}", plan_no=plan.plan_no, version=plan.version_no,
                          status=plan.status_label)),
        ]
        if plan.released_at:
            lines[-1] += html.escape(" · " + _("released by {user} on {when}", user=plan.released_by,
                                                 when=_local(plan.released_at)))
        if plan.change_reason:
            lines.append(html.escape(_("Reason for this version: {reason}", reason=plan.change_reason)))
        if plan.finish:
            if plan.days_late:
                late = _("Finishes {date}, {days} days late", date=plan.finish.isoformat(), days=plan.days_late)
                text = f"<span style='color:#b42318; font-weight:bold'>{html.escape(late)}</span>"
            else:
                text = html.escape(_("Finishes {date}", date=plan.finish.isoformat()))
            lines.append(text)
        if plan.materials_expected:
            lines.append(html.escape(_("Materials expected {date}: steps that need them start no earlier.",
                                       date=plan.materials_expected.isoformat())))
        if plan.review_conditions:
            lines.append("<span style='color:#b42318; font-weight:bold'>"
                         + html.escape(_("Conditions agreed in the review")) + ":</span> "
                         + "; ".join(html.escape(c) for c in plan.review_conditions))
        self.header.setText("<br>".join(lines))
        self.warnings.setText("\n".join(plan.warnings))
        self.warnings.setVisible(bool(plan.warnings))

    def _show_steps(self) -> None:
        steps = self.plan.steps if self.plan else ()
        selected = self.selected_step()
        self.steps.blockSignals(True)
        self.steps.setRowCount(len(steps))
        for row, st in enumerate(steps):
            values = (str(st.seq), st.name, st.workshop, st.start.isoformat(), st.end.isoformat(),
                      hours_text(st.work_minutes), st.state_label, st.sheet_no or "—")
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if st.state == "done":
                    item.setBackground(DONE_BACKGROUND)
                elif st.state == "in_progress":
                    item.setBackground(RUNNING_BACKGROUND)
                elif st.blockers and self.plan.released:
                    item.setBackground(BLOCKED_BACKGROUND)
                if column in (0, 5):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                tip = [f"{st.seq} {st.name} · {st.workshop}",
                       _("{hours} h of work", hours=hours_text(st.work_minutes))]
                if st.responsible:
                    tip.append(_("Responsible: {name}", name=st.responsible))
                if st.blockers:
                    tip.append(_("Cannot start yet: {reasons}", reasons="; ".join(st.blockers)))
                item.setToolTip("\n".join(tip))
                self.steps.setItem(row, column, item)
        self.steps.resizeColumnsToContents()
        for column in range(self.steps.columnCount()):
            # Long bilingual workshop names would push the sheet numbers out of sight; the tooltip has them all.
            self.steps.setColumnWidth(column, min(self.steps.columnWidth(column), MAX_COLUMN_WIDTH))
        self.steps.blockSignals(False)
        if selected is not None:
            self.select_step(selected.seq)

    def _show_checklist(self) -> None:
        items = {i.key: i for i in self.checklist}
        is_planner = allowed(self.ctx.actor, "planning.plan")
        self.checklist_box.setEnabled(bool(items))
        for key, row in self.rows.items():
            item = items.get(key)
            row.done.setChecked(bool(item and item.done))
            row.done.setEnabled(item is not None and allowed(self.ctx.actor, f"planning.checklist.{key}"))
            row.required.setChecked(bool(item and item.required))
            row.required.setEnabled(item is not None and is_planner)
            if item is None:
                row.detail.setText("")
            elif item.done:
                row.detail.setText(_("done by {user}, {when}", user=item.done_by, when=_local(item.done_at))
                                   + (f" — {item.note}" if item.note else ""))
            elif not item.required:
                row.detail.setText(_("not needed for this order"))
            elif item.needed_by:
                row.detail.setText(_("missing — needed by {steps}", steps=", ".join(item.needed_by)))
            else:
                row.detail.setText(_("missing"))
            row.detail.setStyleSheet("color: #b42318;" if item is not None and item.blocking and item.needed_by
                                     else "color: #616e7c;")

    # -- steps ----------------------------------------------------------------------------------------------------
    def selected_step(self) -> plan_service.PlanStepView | None:
        if self.plan is None:
            return None
        row = self.steps.currentRow()
        if not 0 <= row < len(self.plan.steps):
            return None
        return self.plan.steps[row]

    def select_step(self, seq: int) -> None:
        if self.plan is None:
            return
        for row, st in enumerate(self.plan.steps):
            if st.seq == seq:
                self.steps.setCurrentCell(row, 1)
                return

    def _on_step_selected(self) -> None:
        step = self.selected_step()
        released = self.plan is not None and self.plan.released
        may_run = allowed(self.ctx.actor, "planning.run_steps")
        self.edit_button.setEnabled(step is not None and allowed(self.ctx.actor, "planning.plan"))
        self.start_button.setEnabled(step is not None and released and may_run and step.can_start)
        self.finish_button.setEnabled(step is not None and released and may_run and step.state == "in_progress")
        self.print_button.setEnabled(step is not None and bool(step.sheet_no)
                                     and allowed(self.ctx.actor, "planning.print"))
        self.blockers.setText(self.blockers_text())
        self.step_detail.setText(self.step_detail_text(step))
        if step is not None:
            self.sig_step_selected.emit(step.key)

    @staticmethod
    def step_detail_text(step: plan_service.PlanStepView | None) -> str:
        """The selected step's people and paper: who is responsible, the work, its task sheet and prints."""
        if step is None:
            return ""
        parts = [f"{step.seq} {step.name} · {step.workshop}",
                 _("Responsible: {name}", name=step.responsible or _("(nobody)")),
                 _("{hours} h of work", hours=hours_text(step.work_minutes))]
        if step.sheet_no:
            parts.append(_("Task sheet {sheet_no}, printed {count} times", sheet_no=step.sheet_no,
                           count=step.print_count))
        if step.actual_start_at:
            parts.append(_("started {when}", when=_local(step.actual_start_at)))
        if step.actual_end_at:
            parts.append(_("finished {when}", when=_local(step.actual_end_at)))
        return " · ".join(parts)

    def blockers_text(self) -> str:
        """What keeps the selected step (or, without a selection, the next step) from starting, in words."""
        if self.plan is None:
            return ""
        step = self.selected_step() or next((s for s in self.plan.steps if s.state == "planned"), None)
        if step is None:
            return html.escape(_("Every step has started."))
        label = f"{step.seq} {step.name}"
        if step.state != "planned":
            return html.escape(_("Step {step} is {state}.", step=label, state=step.state_label))
        if not step.blockers:
            return ("<span style='color:#2f7a4a'>"
                    + html.escape(_("Step {step} can start now.", step=label)) + "</span>")
        return ("<b>" + html.escape(_("What blocks step {step}:", step=label)) + "</b><ul style='margin-left:-20px'>"
                + "".join(f"<li>{html.escape(reason)}</li>" for reason in step.blockers) + "</ul>")

    def start_selected(self) -> None:
        step = self.selected_step()
        if step is None or self.plan is None:
            return
        order_id, seq = self.plan.order_id, step.seq
        message = operations.run(self.ctx, self, lambda: plan_service.start_step(self.ctx.db, self.ctx.actor,
                                                                                 order_id, seq))
        if message is not None:
            self.ctx.bus.sig_status_message.emit(message)
            self.sig_changed.emit(order_id)

    def finish_selected(self) -> None:
        step = self.selected_step()
        if step is None or self.plan is None:
            return
        order_id, seq = self.plan.order_id, step.seq
        message = operations.run(self.ctx, self, lambda: plan_service.finish_step(self.ctx.db, self.ctx.actor,
                                                                                  order_id, seq))
        if message is not None:
            self.ctx.bus.sig_status_message.emit(message)
            self.sig_changed.emit(order_id)

    # -- checklist ------------------------------------------------------------------------------------------------
    def _item(self, key: str) -> checklist_service.ChecklistItemView | None:
        return next((i for i in self.checklist if i.key == key), None)

    def _tick(self, key: str, checked: bool) -> None:
        item = self._item(key)
        if item is None or self.order_id is None:
            return
        order_id = self.order_id
        done = operations.run(self.ctx, self, lambda: checklist_service.set_checklist_item(
            self.ctx.db, self.ctx.actor, order_id, key, done=checked, note=item.note,
            expected_version=item.version), success=_("Checklist saved"))
        if done is None:
            self._show_checklist()
            return
        self.sig_changed.emit(order_id)

    def _require(self, key: str, checked: bool) -> None:
        if self.order_id is None:
            return
        order_id = self.order_id
        done = operations.run(self.ctx, self, lambda: checklist_service.set_checklist_required(
            self.ctx.db, self.ctx.actor, order_id, key, checked), success=_("Checklist saved"))
        if done is None:
            self._show_checklist()
            return
        self.sig_changed.emit(order_id)
