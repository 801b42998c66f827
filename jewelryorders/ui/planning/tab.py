"""The Planning tab: orders to plan, the Gantt chart of every plan, the selected plan's steps and checklist."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QLabel,
    QLineEdit,
    QFrame,
    QMenu,
    QScrollArea,
    QSplitter,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ... import clock
from ...gantt.data import MoveCheck, date_span
from ...i18n import _, current_language
from ...services.errors import DomainError
from ...services.permissions import allowed
from ...services.planning import forecast as planning_forecast
from ...services.planning import gantt as planning_gantt
from ...services.planning import master_data as planning_master
from ...services.planning import plans as plan_service
from ...services.planning import replan as planning_replan
from ...services.planning import sheets as planning_sheets
from ...services.users import list_users
from .. import operations
from ..context import UiContext
from .dialogs import GanttRangeDialog, ReasonDialog, RoutingChoiceDialog, StepDialog, WorkshopDayDialog
from .gantt_view import GanttWidget
from .master_data import RoutingsDialog, WorkshopsDialog
from .order_list import OrderList
from .plan_panel import PlanPanel
from .proposal import OptimiseDialog, ProposalDialog

ACTION_PROPOSE = "propose"
ACTION_RELEASE = "release"
ACTION_REPLAN = "replan"
ACTION_OPTIMISE = "optimise"
ACTION_FORECAST = "forecast"
ACTION_PRINT_ORDER = "print_order"
ACTION_PRINT_WORKSHOP = "print_workshop"
ACTION_EXPORT_GANTT = "export_gantt"
ACTION_WORKSHOPS = "workshops"
ACTION_ROUTINGS = "routings"


def open_file(path: Path) -> None:
    """Hand a written paper to the system's viewer (tests replace this)."""
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def choose_save_path(parent: QWidget, title: str, suggested: str) -> str:
    """Ask where to save a PDF (tests replace this)."""
    path, _filter = QFileDialog.getSaveFileName(parent, title, suggested, "PDF (*.pdf)")
    return path


def run_dialog(dialog: QDialog) -> int:
    """Show a modal dialog (tests replace this to answer it)."""
    return dialog.exec()


class PlanningTab(QWidget):
    """Propose, release, re-plan, optimise and drag plans; print task sheets; see what blocks a start."""

    sig_badge = Signal(str)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._today: dt.date | None = None
        self._pending_reasons: dict[str, tuple[dt.date, dt.date, str]] = {}
        self._reloading = False
        self._announcing = False
        self._sized = False

        self.toolbar = QToolBar()
        self.toolbar.setObjectName("planning_toolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.actions: dict[str, QAction] = {}
        for key in (ACTION_PROPOSE, ACTION_RELEASE, ACTION_REPLAN, ACTION_OPTIMISE, ACTION_FORECAST):
            action = QAction(self)
            action.setObjectName(f"planning_action_{key}")
            self.actions[key] = action
            self.toolbar.addAction(action)
        self.toolbar.addSeparator()
        self.print_menu = QMenu(self)
        for key in (ACTION_PRINT_ORDER, ACTION_PRINT_WORKSHOP):
            action = QAction(self)
            action.setObjectName(f"planning_action_{key}")
            self.actions[key] = action
            self.print_menu.addAction(action)
        self.print_button = QToolButton()
        self.print_button.setObjectName("planning_print_menu")
        self.print_button.setMenu(self.print_menu)
        self.print_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.toolbar.addWidget(self.print_button)
        self.actions[ACTION_EXPORT_GANTT] = QAction(self)
        self.actions[ACTION_EXPORT_GANTT].setObjectName(f"planning_action_{ACTION_EXPORT_GANTT}")
        self.toolbar.addAction(self.actions[ACTION_EXPORT_GANTT])
        self.master_menu = QMenu(self)
        for key in (ACTION_WORKSHOPS, ACTION_ROUTINGS):
            action = QAction(self)
            action.setObjectName(f"planning_action_{key}")
            self.actions[key] = action
            self.master_menu.addAction(action)
        self.master_button = QToolButton()
        self.master_button.setObjectName("planning_master_menu")
        self.master_button.setMenu(self.master_menu)
        self.master_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.toolbar.addWidget(self.master_button)
        self.toolbar.addSeparator()
        self.scan_label = QLabel()
        self.scan = QLineEdit()
        self.scan.setObjectName("planning_scan")
        self.scan.setMaximumWidth(200)
        self.scan.returnPressed.connect(self.scan_sheet)
        self.toolbar.addWidget(self.scan_label)
        self.toolbar.addWidget(self.scan)

        handlers = {
            ACTION_PROPOSE: self.propose, ACTION_RELEASE: self.release, ACTION_REPLAN: self.replan_all,
            ACTION_OPTIMISE: self.optimise, ACTION_FORECAST: self.forecast, ACTION_PRINT_ORDER: self.print_order,
            ACTION_PRINT_WORKSHOP: self.print_workshop_day, ACTION_EXPORT_GANTT: self.export_gantt,
            ACTION_WORKSHOPS: self.edit_workshops, ACTION_ROUTINGS: self.edit_routings,
        }
        for key, handler in handlers.items():
            self.actions[key].triggered.connect(lambda _checked=False, h=handler: h())

        self.orders = OrderList(ctx)
        self.orders.sig_selected.connect(self._order_selected)
        self.gantt = GanttWidget()
        self.gantt.setObjectName("planning_gantt")
        self.gantt.set_move_validator(self.validate_move)
        self.gantt.sig_bar_moved.connect(self.persist_move)
        self.gantt.sig_bar_activated.connect(self._bar_activated)
        self.gantt.sig_message.connect(lambda text: self.ctx.bus.sig_status_message.emit(text))
        self.panel = PlanPanel(ctx)
        self.panel.sig_changed.connect(self._plan_changed)
        self.panel.sig_step_selected.connect(self._step_selected)
        self.panel.sig_edit_requested.connect(self.edit_step)
        self.panel.sig_print_requested.connect(self.print_step)

        # The side panel scrolls when its pane is narrower than its content, and the order list may be dragged
        # shut, so the tab fits a 1366-pixel screen in every language while the panes keep useful widths.
        self.panel_scroll = QScrollArea()
        self.panel_scroll.setObjectName("planning_panel_scroll")
        self.panel_scroll.setWidget(self.panel)
        self.panel_scroll.setWidgetResizable(True)
        self.panel_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.panel_scroll.setMinimumWidth(280)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("planning_splitter")
        self.splitter.addWidget(self.orders)
        self.splitter.addWidget(self.gantt)
        self.splitter.addWidget(self.panel_scroll)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.splitter.setSizes([300, 600, 460])
        self.splitter.setChildrenCollapsible(True)
        self.splitter.setCollapsible(1, False)
        self.splitter.setCollapsible(2, False)
        self.orders.setMinimumWidth(220)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.splitter, 1)

        ctx.bus.sig_order_changed.connect(self._order_changed_elsewhere)
        ctx.bus.sig_orders_changed.connect(self.refresh)
        ctx.bus.sig_review_changed.connect(lambda _id: self.orders.refresh())
        ctx.bus.sig_language_changed.connect(lambda _lang: self.retranslate_ui())
        self.retranslate_ui()
        self._update_actions()
        QTimer.singleShot(0, self.reload_gantt)

    def showEvent(self, event) -> None:
        """Give the list and the side panel their working widths once the tab knows its own size."""
        super().showEvent(event)
        if not self._sized:
            self._sized = True
            QTimer.singleShot(0, self._size_panes)

    def _size_panes(self) -> None:
        width = self.splitter.width()
        side = min(720, width * 38 // 100)
        left = min(400, width * 21 // 100)
        self.splitter.setSizes([left, max(200, width - left - side), side])

    @property
    def today(self) -> dt.date:
        """The planning day: the calendar's today, unless fixed (tests plan on a known Monday)."""
        return self._today or clock.today()

    @today.setter
    def today(self, day: dt.date | None) -> None:
        self._today = day

    # ---- texts and state ------------------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        texts = {
            ACTION_PROPOSE: (_("Propose plan"), _("Propose a plan for the selected contracted order from its "
                                                  "styles' routings")),
            ACTION_RELEASE: (_("Release"), _("Release the draft plan: task sheets are issued and the order is "
                                             "planned")),
            ACTION_REPLAN: (_("Re-plan all"), _("Reschedule every open order: earliest due and highest priority "
                                                "first")),
            ACTION_OPTIMISE: (_("Optimise…"), _("Minimise the total weighted lateness with OR-Tools CP-SAT")),
            ACTION_FORECAST: (_("Forecast"), _("Project every open order's finish and flag those at risk")),
            ACTION_PRINT_ORDER: (_("This order"), _("Every task sheet of the selected order")),
            ACTION_PRINT_WORKSHOP: (_("Workshop and day…"), _("The task sheets of one workshop for one day")),
            ACTION_EXPORT_GANTT: (_("Export Gantt PDF…"), _("The Gantt chart on A3 landscape")),
            ACTION_WORKSHOPS: (_("Workshops & calendar…"), _("Workshops, their hours, benches, working days; "
                                                             "factory holidays")),
            ACTION_ROUTINGS: (_("Routings…"), _("Routing templates per product type")),
        }
        for key, (text, tip) in texts.items():
            self.actions[key].setText(text)
            self.actions[key].setToolTip(tip)
        self.print_button.setText(_("Print task sheets"))
        self.master_button.setText(_("Master data"))
        self.scan_label.setText(_("Scan task sheet:") + " ")
        self.scan.setPlaceholderText(_("sheet no. + Enter"))
        self.orders.retranslate_ui()
        self.panel.retranslate_ui()
        self.gantt.retranslate_ui()

    def _update_actions(self) -> None:
        actor = self.ctx.actor
        row = self.orders.selected_row()
        plans = allowed(actor, "planning.plan")
        self.actions[ACTION_PROPOSE].setEnabled(plans and row is not None and row.stage == "contracted"
                                                and row.plan_status != "released")
        self.actions[ACTION_RELEASE].setEnabled(plans and row is not None and row.plan_status == "draft")
        self.actions[ACTION_REPLAN].setEnabled(plans)
        self.actions[ACTION_OPTIMISE].setEnabled(plans)
        self.actions[ACTION_PRINT_ORDER].setEnabled(allowed(actor, "planning.print") and row is not None
                                                    and row.plan_status == "released")
        self.actions[ACTION_PRINT_WORKSHOP].setEnabled(allowed(actor, "planning.print"))
        self.actions[ACTION_WORKSHOPS].setEnabled(allowed(actor, "planning.master_data"))
        self.actions[ACTION_ROUTINGS].setEnabled(allowed(actor, "planning.master_data"))
        self.scan.setEnabled(allowed(actor, "planning.run_steps"))

    # ---- refreshing -----------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        self.orders.refresh()
        self.panel.refresh()
        self.reload_gantt()
        self._update_actions()

    def reload_gantt(self) -> None:
        data = operations.run(self.ctx, self, lambda: planning_gantt.gantt_data(self.ctx.db, today=self.today),
                              quiet_errors=True)
        if data is not None:
            self._reloading = True
            try:
                self.gantt.set_data(data)
            finally:
                self._reloading = False
        self._update_badge()

    def _update_badge(self) -> None:
        try:
            late = len(planning_forecast.list_forecast(self.ctx.db, only_at_risk=True))
        except DomainError:
            late = 0
        self.sig_badge.emit(str(late) if late else "")

    def _plan_changed(self, order_id: int) -> None:
        self.orders.refresh()
        self.panel.refresh()
        self.reload_gantt()
        self._update_actions()
        self.ctx.bus.sig_planning_changed.emit()
        self._announcing = True
        try:
            self.ctx.bus.sig_order_changed.emit(order_id)
        finally:
            self._announcing = False

    def _order_changed_elsewhere(self, _order_id: int) -> None:
        if not self._announcing:
            self.refresh()

    def _order_selected(self, order_id: int | None) -> None:
        self.panel.set_order(order_id)
        self._update_actions()
        if self.panel.plan is not None and self.panel.plan.steps:
            key = self.panel.plan.steps[0].key
            if any(b.key == key for b in self.gantt.bars()):
                self.gantt.ensure_bar_visible(key)

    def _bar_activated(self, key: str) -> None:
        order_id, seq = (int(part) for part in key.split("-", 1))
        if self.orders.selected_id() != order_id and not self.orders.select_order(order_id):
            self.panel.set_order(order_id)
        self.panel.select_step(seq)

    def _step_selected(self, key: str) -> None:
        if any(b.key == key for b in self.gantt.bars()):
            self.gantt.ensure_bar_visible(key)

    def selected_order_id(self) -> int | None:
        return self.orders.selected_id()

    # ---- dragging on the Gantt --------------------------------------------------------------------------------------
    def ask_reason(self, title: str, explanation: str, default: str = "") -> str | None:
        """The reason for changing a released plan; None when the planner cancels (tests replace this)."""
        dialog = ReasonDialog(title, explanation, default, self)
        if run_dialog(dialog) != QDialog.DialogCode.Accepted:
            return None
        return dialog.reason()

    def validate_move(self, key: str, start: dt.date, end: dt.date) -> MoveCheck:
        """The widget's validator: the scheduling rules, then (for a released plan) the reason for the change."""
        try:
            check = planning_gantt.check_move(self.ctx.db, key, start, end, actor=self.ctx.actor, today=self.today)
        except DomainError as exc:
            return MoveCheck([str(exc)], [])
        if not check.ok:
            return check
        if plan_service.plan_status_of_step(self.ctx.db, key) == "released":
            bar = self.gantt.bar(key)
            reason = self.ask_reason(
                _("Why does the plan change?"),
                _("{order_no} {step} moves to {start} – {end}. The plan is released: the change makes a new version "
                  "that keeps your reason.", order_no=bar.order_no, step=bar.step, start=start.isoformat(),
                  end=end.isoformat()))
            if not reason:
                return MoveCheck([_("a released plan changes only with a reason.")], [])
            self._pending_reasons[key] = (start, end, reason)
        return check

    def persist_move(self, key: str, start: dt.date, end: dt.date) -> None:
        """Save an accepted move (a drag, an undo or a redo) through the planning service."""
        if self._reloading:
            return
        pending = self._pending_reasons.pop(key, None)
        reason = pending[2] if pending and pending[:2] == (start, end) else ""
        if not reason and plan_service.plan_status_of_step(self.ctx.db, key) == "released":
            bar = self.gantt.bar(key)
            reason = self.ask_reason(_("Why does the plan change?"),
                                     _("{order_no} {step} goes back to {start} – {end}. The plan is released: the "
                                       "change makes a new version that keeps your reason.", order_no=bar.order_no,
                                       step=bar.step, start=start.isoformat(), end=end.isoformat())) or ""
        outcome = operations.run(self.ctx, self, lambda: plan_service.move_step(
            self.ctx.db, self.ctx.actor, key, start, end, reason=reason, today=self.today),
            success=_("Plan saved"))
        if outcome is None:
            # Refused by the service: show the plans as they are stored; the widget's history no longer matches.
            self.gantt.undo_stack().clear()
            self.reload_gantt()
            self.panel.refresh()
            return
        order_id = outcome.plan.order_id
        for warning in outcome.warnings:
            self.ctx.bus.sig_status_message.emit(warning)
        QTimer.singleShot(0, lambda: self._after_move(order_id))

    def _after_move(self, order_id: int) -> None:
        self.reload_gantt()
        if self.panel.order_id == order_id:
            self.panel.refresh()
        self.orders.refresh()
        self.ctx.bus.sig_planning_changed.emit()

    # ---- plans ------------------------------------------------------------------------------------------------------
    def propose(self) -> None:
        order_id = self.selected_order_id()
        if order_id is None:
            return
        choices = operations.run(self.ctx, self, lambda: plan_service.routing_choices(self.ctx.db, order_id))
        if choices is None:
            return
        routing_for_style: dict[str, int] = {}
        if any(c.routing_id is None for c in choices):
            routings = planning_master.list_routings(self.ctx.db)
            row = self.orders.selected_row()
            dialog = RoutingChoiceDialog(row.order_no if row else "", choices, routings, self)
            if run_dialog(dialog) != QDialog.DialogCode.Accepted:
                return
            routing_for_style = dialog.routing_for_style()
        plan = operations.run(self.ctx, self, lambda: plan_service.propose_plan(
            self.ctx.db, self.ctx.actor, order_id, routing_for_style=routing_for_style, today=self.today),
            success=_("Draft plan proposed"))
        if plan is not None:
            self._plan_changed(order_id)

    def release(self) -> None:
        plan = self.panel.plan
        if plan is None or plan.status != "draft":
            return
        released = operations.run(self.ctx, self, lambda: plan_service.release_plan(
            self.ctx.db, self.ctx.actor, plan.id, expected_version=plan.version, today=self.today),
            success=_("Plan released; task sheets issued"))
        if released is not None:
            operations.run(self.ctx, self, lambda: planning_forecast.refresh_forecast(self.ctx.db, self.today),
                           quiet_errors=True)
            for warning in released.warnings:
                self.ctx.bus.sig_status_message.emit(warning)
            self._plan_changed(plan.order_id)

    def edit_step(self) -> None:
        plan, step = self.panel.plan, self.panel.selected_step()
        if plan is None or step is None:
            return
        workshops = planning_master.list_workshops(self.ctx.db)
        people = [u for u in list_users(self.ctx.db, include_inactive=False)
                  if u.department in ("production", "technical", "quality")]
        dialog = StepDialog(plan, step, workshops, people, self)
        if run_dialog(dialog) != QDialog.DialogCode.Accepted:
            return
        change, reason = dialog.change(), dialog.reason_text()
        outcome = operations.run(self.ctx, self, lambda: plan_service.change_steps(
            self.ctx.db, self.ctx.actor, plan.id, [change], reason=reason, expected_version=plan.version,
            today=self.today), success=_("Plan saved"))
        if outcome is not None:
            for warning in outcome.warnings:
                self.ctx.bus.sig_status_message.emit(warning)
            self._plan_changed(plan.order_id)

    def _apply(self, proposal: planning_replan.ScheduleProposal, default_reason: str) -> None:
        reason = self.ask_reason(_("Why do the plans change?"),
                                 _("Every released plan that changes gets a new version that keeps this reason."),
                                 default_reason)
        if not reason:
            return
        result = operations.run(self.ctx, self, lambda: planning_replan.apply_proposal(
            self.ctx.db, self.ctx.actor, proposal, reason))
        if result is None:
            return
        operations.run(self.ctx, self, lambda: planning_forecast.refresh_forecast(self.ctx.db, self.today),
                       quiet_errors=True)
        self.ctx.bus.sig_status_message.emit(_("Applied: {orders} orders, {steps} steps changed, {versions} new plan "
                                               "versions.", orders=result.orders_changed, steps=result.steps_changed,
                                               versions=result.versions_created))
        self.gantt.undo_stack().clear()
        self.refresh()
        self.ctx.bus.sig_planning_changed.emit()
        self.ctx.bus.sig_orders_changed.emit()

    def replan_all(self) -> None:
        proposal = operations.run(self.ctx, self, lambda: planning_replan.replan_preview(self.ctx.db, self.today))
        if proposal is None:
            return
        dialog = ProposalDialog(_("Re-plan all"), proposal, self)
        if run_dialog(dialog) == QDialog.DialogCode.Accepted:
            self._apply(proposal, _("Re-plan all on {date}", date=self.today.isoformat()))

    def optimise(self) -> None:
        dialog = OptimiseDialog(self.ctx.db, self)
        if run_dialog(dialog) == QDialog.DialogCode.Accepted and dialog.proposal is not None:
            self._apply(dialog.proposal, _("Optimise on {date}", date=self.today.isoformat()))

    def forecast(self) -> None:
        rows = operations.run(self.ctx, self, lambda: planning_forecast.refresh_forecast(self.ctx.db, self.today))
        if rows is None:
            return
        late = [r for r in rows if r.at_risk]
        self.ctx.bus.sig_status_message.emit(_("Forecast: {late} of {total} open orders are projected late.",
                                               late=len(late), total=len(rows)))
        self.orders.refresh()
        self._update_badge()
        self.ctx.bus.sig_orders_changed.emit()

    # ---- papers -----------------------------------------------------------------------------------------------------
    def _print(self, **selection) -> None:
        lang = current_language()
        folder = Path(tempfile.mkdtemp(prefix="jewelryorders-"))
        name = "task-sheets.pdf"
        if selection.get("order") is not None:
            row = self.orders.selected_row()
            name = f"{row.order_no if row else 'order'}-task-sheets.pdf"
        result = operations.run(self.ctx, self, lambda: planning_sheets.print_task_sheets(
            self.ctx.db, self.ctx.actor, folder / name, lang=lang, factory_name=self.ctx.factory_name, **selection))
        if result is None:
            return
        self.ctx.bus.sig_status_message.emit(_("{count} task sheets printed ({reprints} reprints).",
                                               count=result.count, reprints=result.reprints))
        open_file(result.path)
        self.panel.refresh()

    def print_order(self) -> None:
        order_id = self.selected_order_id()
        if order_id is not None:
            self._print(order=order_id)

    def print_step(self) -> None:
        step = self.panel.selected_step()
        if step is not None and step.sheet_no:
            self._print(sheet_nos=[step.sheet_no])

    def print_workshop_day(self) -> None:
        dialog = WorkshopDayDialog(planning_master.list_workshops(self.ctx.db), self.today, self)
        if run_dialog(dialog) != QDialog.DialogCode.Accepted:
            return
        workshop_id, day = dialog.selection()
        self._print(workshop=workshop_id, day=day)

    def export_gantt(self) -> None:
        first, last = date_span(self.gantt.bars(), self.today, margin_days=2)
        dialog = GanttRangeDialog(max(first, self.today - dt.timedelta(days=7)), last, self.gantt.grouping(), self)
        if run_dialog(dialog) != QDialog.DialogCode.Accepted:
            return
        first, last, grouping = dialog.values()
        path = choose_save_path(self, _("Export Gantt PDF"), f"gantt-{first.isoformat()}-{last.isoformat()}.pdf")
        if not path:
            return
        def export() -> Path:
            from ...services.documents import file_printed_paper

            done = planning_gantt.export_gantt_pdf(
                self.ctx.db, path, first=first, last=last, lang=current_language(), grouping=grouping,
                printed_by=self.ctx.actor.display_name, factory_name=self.ctx.factory_name, today=self.today)
            file_printed_paper(self.ctx.db, self.ctx.actor, done, category="gantt_chart", order_id=None)
            return done

        written = operations.run(self.ctx, self, export, success=_("Gantt chart exported"))
        if written is not None:
            open_file(Path(written))

    # ---- scanning ---------------------------------------------------------------------------------------------------
    def scan_sheet(self) -> None:
        number = self.scan.text().strip()
        if not number:
            return
        result = operations.run(self.ctx, self, lambda: plan_service.scan_task_sheet(self.ctx.db, self.ctx.actor,
                                                                                     number))
        self.scan.clear()
        if result is None:
            return
        self.ctx.bus.sig_status_message.emit(result.message)
        self.refresh()

    # ---- master data ------------------------------------------------------------------------------------------------
    def edit_workshops(self) -> None:
        dialog = WorkshopsDialog(self.ctx, self)
        dialog.sig_changed.connect(self.reload_gantt)
        run_dialog(dialog)

    def edit_routings(self) -> None:
        dialog = RoutingsDialog(self.ctx, self)
        run_dialog(dialog)
