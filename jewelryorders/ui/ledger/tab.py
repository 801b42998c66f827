"""The Ledger tab: the scan field for the shop floor, the ledger with filters and totals, each order's progress,
exceptions with the customer's notification, and coordination meetings with the user's to-do list."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ... import clock
from ...i18n import N_, _, current_language, formats
from ...models.ledger import (
    ACTION_STATES,
    ENTRY_KINDS,
    EXCEPTION_KINDS,
    INSPECTION_STATES,
    MEETING_KINDS,
    NOTIFY_METHODS,
    SEVERITIES,
)
from ...models.planning import STEP_STATES
from ...services.errors import DomainError
from ...services.ledger import entries as ledger
from ...services.ledger import exceptions as exc_service
from ...services.ledger import meetings as meeting_service
from ...services.permissions import allowed
from .. import operations
from ..common.column_sizing import fit_columns
from ..common.paged_model import Column, PagedTableModel
from ..context import UiContext
from ..materials.rows_model import RowColumn, RowsModel


def ask_text(parent: QWidget, title: str, label: str) -> str | None:
    """Text typed by the user (None when cancelled); tests replace this function."""
    value, ok = QInputDialog.getText(parent, title, label)
    return value if ok else None


def ask_save_path(parent: QWidget, suggested: str, pattern: str) -> str | None:
    path, _filter = QFileDialog.getSaveFileName(parent, _("Save as"), suggested, pattern)
    return path or None


def _table(model) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    fit_columns(view, stretch=model.columnCount() - 1)
    return view


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None


# ---- the scan panel -------------------------------------------------------------------------------------------------

class ScanPanel(QGroupBox):
    """A task sheet's barcode + Enter opens the sheet; F2 records 'started', Enter in a finish field (or F3) records
    'finished', F4 'returned for rework'."""

    sig_recorded = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.info: ledger.SheetInfo | None = None
        self.scan_edit = QLineEdit()
        self.scan_edit.setObjectName("ledger_scan")
        self.scan_edit.returnPressed.connect(self.open_scanned)
        self.sheet_label = QLabel()
        self.sheet_label.setWordWrap(True)
        self.worker_edit = QLineEdit()
        self.qty_done = QLineEdit()
        self.qty_rejected = QLineEdit()
        self.issued = QLineEdit()
        self.returned = QLineEdit()
        self.in_piece = QLineEdit()
        self.stones = QLineEdit()
        self.reason = QLineEdit()
        self.inspection = QComboBox()
        for key in INSPECTION_STATES:
            self.inspection.addItem("", key)
        for edit in (self.qty_done, self.qty_rejected, self.issued, self.returned, self.in_piece, self.stones,
                     self.reason):
            edit.returnPressed.connect(self.finish)
        self.start_button = QPushButton()
        self.start_button.clicked.connect(self.start)
        self.finish_button = QPushButton()
        self.finish_button.clicked.connect(self.finish)
        self.rework_button = QPushButton()
        self.rework_button.clicked.connect(self.rework)
        for key, slot in (("F2", self.start), ("F3", self.finish), ("F4", self.rework)):
            QShortcut(QKeySequence(key), self, activated=slot)
        self.labels = {name: QLabel() for name in ("scan", "worker", "done", "rejected", "issued", "returned",
                                                  "in_piece", "stones", "reason", "inspection")}
        grid = QGridLayout(self)
        grid.addWidget(self.labels["scan"], 0, 0)
        grid.addWidget(self.scan_edit, 0, 1, 1, 3)
        grid.addWidget(self.sheet_label, 0, 4, 1, 6)
        fields = [("worker", self.worker_edit), ("done", self.qty_done), ("rejected", self.qty_rejected),
                  ("issued", self.issued), ("returned", self.returned), ("in_piece", self.in_piece),
                  ("stones", self.stones), ("inspection", self.inspection), ("reason", self.reason)]
        for i, (name, widget) in enumerate(fields):
            row, col = 1 + i // 5, (i % 5) * 2
            grid.addWidget(self.labels[name], row, col)
            grid.addWidget(widget, row, col + 1)
        buttons = QHBoxLayout()
        for b in (self.start_button, self.finish_button, self.rework_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        grid.addLayout(buttons, 2, 8, 1, 2)
        self.may_record = allowed(ctx.actor, "ledger.record")
        self.retranslate_ui()
        self._show()

    def retranslate_ui(self) -> None:
        self.setTitle(_("Shop-floor entry"))
        texts = {"scan": _("Task sheet"), "worker": _("Worker"), "done": _("Done"), "rejected": _("Rejected"),
                 "issued": _("Issued (g)"), "returned": _("Returned (g)"), "in_piece": _("In piece (g)"),
                 "stones": _("Stones (ct)"), "reason": _("Reason for the loss"), "inspection": _("Inspection")}
        for name, label in self.labels.items():
            label.setText(texts[name])
        self.scan_edit.setPlaceholderText(_("Scan the barcode or type the number, then Enter"))
        self.start_button.setText(_("Started (F2)"))
        self.finish_button.setText(_("Finished (F3)"))
        self.rework_button.setText(_("Rework (F4)"))
        for i, key in enumerate(INSPECTION_STATES):
            self.inspection.setItemText(i, _(INSPECTION_STATES[key]))
        self._show()

    def _show(self) -> None:
        info = self.info
        if info is None:
            self.sheet_label.setText(_("No task sheet open."))
        else:
            self.sheet_label.setText(_("{sheet_no}: order {order_no}, step {seq} {step} ({workshop}) — {state}; "
                                       "{done} of {planned} done", sheet_no=info.sheet_no, order_no=info.order_no,
                                       seq=info.seq, step=info.step, workshop=info.workshop,
                                       state=_(STEP_STATES[info.state]), done=info.done_qty,
                                       planned=info.planned_qty))
        self.start_button.setEnabled(self.may_record and info is not None and info.next_action == "start")
        self.finish_button.setEnabled(self.may_record and info is not None and info.next_action == "finish")
        self.rework_button.setEnabled(self.may_record and info is not None and info.state != "planned")

    def open_scanned(self) -> None:
        number = self.scan_edit.text()
        info = operations.run(self.ctx, self, lambda: ledger.open_sheet(self.ctx.db, number))
        self.info = info
        self.scan_edit.selectAll()
        if info is not None:
            for edit in (self.qty_done, self.qty_rejected, self.issued, self.returned, self.in_piece, self.stones,
                         self.reason):
                edit.clear()
            if info.next_action == "finish":
                self.qty_done.setText(str(info.remaining_qty))
                self.issued.setFocus()
            elif info.next_action == "start":
                self.start_button.setFocus()
        self._show()

    def _reopen(self) -> None:
        if self.info is not None:
            try:
                self.info = ledger.open_sheet(self.ctx.db, self.info.sheet_no)
            except DomainError:
                self.info = None
        self._show()
        self.scan_edit.setFocus()
        self.scan_edit.selectAll()
        self.sig_recorded.emit()

    def start(self) -> None:
        if not self.start_button.isEnabled():
            return
        number, worker = self.info.sheet_no, self.worker_edit.text()
        if operations.run(self.ctx, self, lambda: ledger.record_start(self.ctx.db, self.ctx.actor, number,
                                                                      worker=worker),
                          success=_("Task sheet {sheet_no} started.", sheet_no=number)) is not None:
            self._reopen()

    def finish(self) -> None:
        if not self.finish_button.isEnabled():
            return
        number = self.info.sheet_no
        data = ledger.FinishInput(self.qty_done.text(), self.qty_rejected.text(), self.issued.text(),
                                  self.returned.text(), self.in_piece.text(), self.stones.text(),
                                  self.worker_edit.text(), self.reason.text(), self.inspection.currentData() or "")
        if operations.run(self.ctx, self, lambda: ledger.record_finish(self.ctx.db, self.ctx.actor, number, data),
                          success=_("Task sheet {sheet_no} finished.", sheet_no=number)) is not None:
            self._reopen()

    def rework(self) -> None:
        if not self.rework_button.isEnabled():
            return
        number = self.info.sheet_no
        qty = ask_text(self, _("Returned for rework"), _("How many pieces go back for rework?"))
        if qty is None:
            return
        reason = ask_text(self, _("Returned for rework"), _("Why?"))
        if reason is None:
            return
        try:
            quantity = int(qty.strip())
        except ValueError:
            quantity = -1
        if operations.run(self.ctx, self, lambda: ledger.record_rework(self.ctx.db, self.ctx.actor, number,
                                                                       quantity, reason,
                                                                       worker=self.worker_edit.text()),
                          success=_("Task sheet {sheet_no} returned for rework.", sheet_no=number)) is not None:
            self._reopen()


# ---- the ledger ---------------------------------------------------------------------------------------------------

def _g(mg: int) -> str:
    return formats.grams(mg)


LEDGER_COLUMNS = [
    Column("entry_no", N_("Entry no."), lambda r: r.entry_no, sortable=False),
    Column("at", N_("Time"), lambda r: formats.datetime(r.recorded_at), sortable=False),
    Column("kind", N_("Entry"), lambda r: _(ENTRY_KINDS[r.kind]) + (" ↺" if r.reverses_no else ""), sortable=False,
           tooltip=lambda r: _("Reverses {entry_no}", entry_no=r.reverses_no) if r.reverses_no else ""),
    Column("order", N_("Order no."), lambda r: r.order_no, sortable=False),
    Column("sheet", N_("Task sheet"), lambda r: r.sheet_no, sortable=False),
    Column("step", N_("Step"), lambda r: f"{r.seq} {r.step}", sortable=False),
    Column("workshop", N_("Workshop"), lambda r: r.workshop, sortable=False),
    Column("worker", N_("Worker"), lambda r: r.worker, sortable=False),
    Column("done", N_("Done"), lambda r: str(r.qty_done) if r.qty_done else "", True, sortable=False),
    Column("rejected", N_("Rejected"), lambda r: str(r.qty_rejected) if r.qty_rejected else "", True,
           sortable=False),
    Column("rework", N_("Rework"), lambda r: str(r.qty_rework) if r.qty_rework else "", True, sortable=False),
    Column("issued", N_("Issued (g)"), lambda r: _g(r.issued_mg) if r.issued_mg else "", True, sortable=False),
    Column("returned", N_("Returned (g)"), lambda r: _g(r.returned_mg) if r.issued_mg else "", True,
           sortable=False),
    Column("loss", N_("Loss (g)"), lambda r: _g(r.loss_mg) if r.issued_mg else "", True, sortable=False,
           foreground=lambda r: QColor("#b3261e") if r.over_allowance else None,
           tooltip=lambda r: r.loss_reason),
    Column("allowance", N_("Allowance (g)"), lambda r: _g(r.allowance_mg) if r.issued_mg else "", True,
           sortable=False),
    Column("note", N_("Note"), lambda r: r.loss_reason or r.note, sortable=False),
]


class LedgerView(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.scan = ScanPanel(ctx)
        self.order_edit = QLineEdit()
        self.worker_edit = QLineEdit()
        self.from_edit = QLineEdit()
        self.to_edit = QLineEdit()
        for e in (self.from_edit, self.to_edit):
            e.setPlaceholderText("YYYY-MM-DD")
            e.setMaximumWidth(110)
        self.workshop_combo = QComboBox()
        self.flagged_check = QCheckBox()
        self.apply_button = QPushButton()
        self.export_button = QPushButton()
        self.reverse_button = QPushButton()
        self.summary_button = QPushButton()
        self.summary_button.clicked.connect(self.export_summary)
        self.filter_labels = [QLabel() for _i in range(4)]
        for w in (self.order_edit, self.worker_edit, self.from_edit, self.to_edit):
            w.returnPressed.connect(self.refresh)
        self.apply_button.clicked.connect(self.refresh)
        self.flagged_check.toggled.connect(self.refresh)
        self.workshop_combo.currentIndexChanged.connect(self.refresh)
        self.export_button.clicked.connect(self.export)
        self.reverse_button.clicked.connect(self.reverse_selected)
        self.reverse_button.setEnabled(allowed(ctx.actor, "ledger.correct"))
        self.model = PagedTableModel(LEDGER_COLUMNS, self._fetch, self._count, self)
        self.table = _table(self.model)
        self.totals_label = QLabel()
        self.totals_label.setObjectName("ledger_totals")
        filters = QHBoxLayout()
        for label, widget in zip(self.filter_labels, (self.order_edit, self.workshop_combo, self.worker_edit,
                                                      self.from_edit)):
            filters.addWidget(label)
            filters.addWidget(widget)
        filters.addWidget(QLabel("–"))
        filters.addWidget(self.to_edit)
        filters.addWidget(self.flagged_check)
        filters.addWidget(self.apply_button)
        filters.addStretch(1)
        filters.addWidget(self.reverse_button)
        filters.addWidget(self.summary_button)
        filters.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scan)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.totals_label)
        self.scan.sig_recorded.connect(self.refresh)
        self._load_workshops()
        self.retranslate_ui()

    def _load_workshops(self) -> None:
        from ...services.planning.master_data import list_workshops

        self.workshop_combo.blockSignals(True)
        self.workshop_combo.clear()
        self.workshop_combo.addItem("", None)
        try:
            for w in list_workshops(self.ctx.db):
                self.workshop_combo.addItem(w.name, w.id)
        except DomainError:
            pass
        self.workshop_combo.blockSignals(False)

    def current_filter(self) -> ledger.LedgerFilter:
        return ledger.LedgerFilter(order_no=self.order_edit.text(), workshop_id=self.workshop_combo.currentData(),
                                   worker=self.worker_edit.text(), date_from=_date(self.from_edit.text()),
                                   date_to=_date(self.to_edit.text()), flagged_only=self.flagged_check.isChecked())

    def _fetch(self, offset, limit, _key, _desc):
        return ledger.query_entries(self.ctx.db, self.current_filter(), offset, limit)

    def _count(self):
        return ledger.count_entries(self.ctx.db, self.current_filter())

    def refresh(self) -> None:
        self.model.refresh()
        t = ledger.totals(self.ctx.db, self.current_filter())
        self.totals_label.setText(_(
            "{entries} entries — done {done}, rejected {rejected}, rework {rework}; issued {issued} g, returned "
            "{returned} g, loss {loss} g against an allowance of {allowance} g; {flagged} over the allowance",
            entries=formats.number(t.entries), done=formats.number(t.qty_done), rejected=t.qty_rejected,
            rework=t.qty_rework, issued=_g(t.issued_mg), returned=_g(t.returned_mg), loss=_g(t.loss_mg),
            allowance=_g(t.allowance_mg), flagged=t.flagged))

    def retranslate_ui(self) -> None:
        for label, text in zip(self.filter_labels, (_("Order"), _("Workshop"), _("Worker"), _("Dates"))):
            label.setText(text)
        self.flagged_check.setText(_("Over the allowance only"))
        self.apply_button.setText(_("Filter"))
        self.export_button.setText(_("Export to Excel…"))
        self.reverse_button.setText(_("Reverse entry…"))
        self.summary_button.setText(_("Weekly summary…"))
        self.workshop_combo.setItemText(0, _("All workshops"))
        self.scan.retranslate_ui()
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(LEDGER_COLUMNS) - 1)
        self.refresh()

    def selected_row(self):
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_object(rows[0].row()) if rows else None

    def reverse_selected(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        reason = ask_text(self, _("Reverse entry"), _("Why is entry {entry_no} wrong?", entry_no=row.entry_no))
        if reason is None:
            return
        if operations.run(self.ctx, self, lambda: ledger.reverse_entry(self.ctx.db, self.ctx.actor, row.entry_no,
                                                                        reason),
                          success=_("Entry {entry_no} reversed.", entry_no=row.entry_no)) is not None:
            self.refresh()

    def export_summary(self) -> None:
        from ...services.ledger.exports import export_summary, week_of

        week = ask_text(self, _("Weekly summary"), _("ISO week (e.g. {week})", week=week_of(clock.today())))
        if not week:
            return
        path = ask_save_path(self, f"summary-{week.strip()}.xlsx", _("Excel workbook (*.xlsx)"))
        if path:
            operations.run(self.ctx, self, lambda: export_summary(self.ctx.db, path, week, lang=current_language(),
                                                                  factory_name=self.ctx.factory_name),
                           success=_("Weekly summary {week} written to {file}", week=week, file=Path(path).name))

    def export(self) -> None:
        from ...services.ledger.exports import export_ledger
        from ...reports.ledger_xlsx import ExportCancelled

        path = ask_save_path(self, f"ledger-{clock.today().isoformat()}.xlsx", _("Excel workbook (*.xlsx)"))
        if not path:
            return
        f = self.current_filter()
        dialog = QProgressDialog(_("Exporting the ledger…"), _("Cancel"), 0, 100, self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)

        def progress(done: int, total: int) -> bool:
            dialog.setValue(int(100 * done / max(total, 1)))
            from PySide6.QtWidgets import QApplication

            QApplication.processEvents()
            return not dialog.wasCanceled()

        try:
            written = operations.run(self.ctx, self, lambda: export_ledger(
                self.ctx.db, path, f, lang=current_language(), actor=self.ctx.actor, progress=progress,
                factory_name=self.ctx.factory_name))
        except ExportCancelled:
            written = None
        dialog.close()
        if written is not None:
            self.window().statusBar().showMessage(_("{count} entries written to {file}", count=written,
                                                    file=Path(path).name)) if hasattr(self.window(), "statusBar") \
                else None


# ---- progress ------------------------------------------------------------------------------------------------------

class ProgressView(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = RowsModel([
            RowColumn(N_("Order no."), lambda r: r.order_no),
            RowColumn(N_("Stage"), lambda r: _(__import__("jewelryorders.models.orders", fromlist=["STAGES"])
                                                .STAGES.get(r.stage, r.stage))),
            RowColumn(N_("Steps done"), lambda r: f"{r.steps_done} / {r.steps_total}", True),
            RowColumn(N_("Percent"), lambda r: f"{r.percent}%", True),
            RowColumn(N_("Delivery date"), lambda r: formats.date(r.delivery_date)),
            RowColumn(N_("Projected finish"), lambda r: formats.date(r.projected_finish)),
            RowColumn(N_("Days late"), lambda r: str(r.days_late or ""), True),
            RowColumn(N_("Loss (g)"), lambda r: _g(r.loss_mg), True),
            RowColumn(N_("Allowance (g)"), lambda r: _g(r.allowance_mg), True),
        ])
        self.table = _table(self.model)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)

    def refresh(self) -> None:
        self.model.set_rows(ledger.order_progress(self.ctx.db))

    def retranslate_ui(self) -> None:
        self.model.retranslate()
        self.refresh()


# ---- exceptions ---------------------------------------------------------------------------------------------------

class ExceptionDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("New exception"))
        self.setMinimumWidth(560)
        self.kind = QComboBox()
        for key, msgid in EXCEPTION_KINDS.items():
            self.kind.addItem(_(msgid), key)
        self.severity = QComboBox()
        for key, msgid in SEVERITIES.items():
            self.severity.addItem(_(msgid), key)
        self.severity.setCurrentIndex(1)
        self.order_no = QLineEdit()
        self.description = QPlainTextEdit()
        self.impact = QSpinBox()
        self.impact.setRange(0, 365)
        self.actions = QLineEdit()
        self.steps = QLineEdit()
        self.steps.setPlaceholderText("3,4")
        self.informed_production = QCheckBox(_("Production department"))
        self.informed_manager = QCheckBox(_("Responsible manager"))
        form = QFormLayout(self)
        form.addRow(_("Kind"), self.kind)
        form.addRow(_("Severity"), self.severity)
        form.addRow(_("Order no."), self.order_no)
        form.addRow(_("What happened"), self.description)
        form.addRow(_("Impact (days)"), self.impact)
        form.addRow(_("Actions"), self.actions)
        form.addRow(_("Affected steps"), self.steps)
        informed = QHBoxLayout()
        informed.addWidget(self.informed_production)
        informed.addWidget(self.informed_manager)
        form.addRow(_("Informed"), informed)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def value(self) -> exc_service.ExceptionInput:
        return exc_service.ExceptionInput(
            self.kind.currentData(), self.description.toPlainText(), order_no=self.order_no.text(),
            severity=self.severity.currentData(), impact_days=self.impact.value(), actions=self.actions.text(),
            informed_production=self.informed_production.isChecked(),
            informed_manager=self.informed_manager.isChecked(), affected_steps=self.steps.text())


def ask_exception(parent: QWidget) -> exc_service.ExceptionInput | None:
    dialog = ExceptionDialog(parent)
    return dialog.value() if dialog.exec() == QDialog.DialogCode.Accepted else None


class ExceptionsView(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = RowsModel([
            RowColumn(N_("Exception no."), lambda r: r.exception_no),
            RowColumn(N_("Kind"), lambda r: _(EXCEPTION_KINDS[r.kind])),
            RowColumn(N_("Severity"), lambda r: _(SEVERITIES[r.severity])),
            RowColumn(N_("Order no."), lambda r: r.order_no or r.workshop),
            RowColumn(N_("Reported"), lambda r: formats.datetime(r.reported_at)),
            RowColumn(N_("Impact (days)"), lambda r: str(r.impact_days), True),
            RowColumn(N_("Customer told"), lambda r: ", ".join(f"{formats.date(n.notified_at.date())} "
                                                               f"{_(NOTIFY_METHODS[n.method])} {n.notified_by}"
                                                               for n in r.notifications)),
            RowColumn(N_("Delivery moved"), lambda r: formats.date(r.new_delivery_date) if r.new_delivery_date
                      else ""),
            RowColumn(N_("What happened"), lambda r: r.description),
            RowColumn(N_("Closed"), lambda r: formats.date(r.closed_at.date()) if r.closed_at else ""),
        ])
        self.table = _table(self.model)
        self.open_only = QCheckBox()
        self.open_only.setChecked(True)
        self.open_only.toggled.connect(self.refresh)
        self.new_button, self.notify_button, self.move_button, self.close_button = (QPushButton() for _i in range(4))
        self.new_button.clicked.connect(self.new_exception)
        self.notify_button.clicked.connect(self.notify)
        self.move_button.clicked.connect(self.move_date)
        self.close_button.clicked.connect(self.close_selected)
        may = allowed(ctx.actor, "ledger.exceptions")
        bar = QHBoxLayout()
        bar.addWidget(self.open_only)
        bar.addStretch(1)
        for b in (self.new_button, self.notify_button, self.move_button, self.close_button):
            b.setEnabled(may)
            bar.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table)

    def refresh(self) -> None:
        self.model.set_rows(exc_service.list_exceptions(self.ctx.db, open_only=self.open_only.isChecked()))

    def retranslate_ui(self) -> None:
        self.open_only.setText(_("Open only"))
        self.new_button.setText(_("New exception…"))
        self.notify_button.setText(_("Customer told…"))
        self.move_button.setText(_("Move delivery date…"))
        self.close_button.setText(_("Close with remedy…"))
        self.model.retranslate()
        self.refresh()

    def selected(self):
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def new_exception(self) -> None:
        data = ask_exception(self)
        if data is not None and operations.run(self.ctx, self, lambda: exc_service.record_exception(
                self.ctx.db, self.ctx.actor, data), success=_("Exception recorded.")) is not None:
            self.refresh()

    def notify(self) -> None:
        row = self.selected()
        if row is None:
            return
        answer = ask_text(self, _("Customer told"), _("How (phone, email, visit, message, other), by whom, and the "
                                                      "customer's response — separated by /"))
        if answer is None:
            return
        parts = [p.strip() for p in answer.split("/")] + ["", "", ""]
        method = parts[0].lower() if parts[0].lower() in NOTIFY_METHODS else "other"
        if operations.run(self.ctx, self, lambda: exc_service.add_notification(
                self.ctx.db, self.ctx.actor, row.exception_no, method=method, notified_by=parts[1],
                customer_response=parts[2]), success=_("Customer notification recorded.")) is not None:
            self.refresh()

    def move_date(self) -> None:
        row = self.selected()
        if row is None:
            return
        day = ask_text(self, _("Move delivery date"), _("New delivery date (YYYY-MM-DD)"))
        if day is not None and operations.run(self.ctx, self, lambda: exc_service.move_delivery_date(
                self.ctx.db, self.ctx.actor, row.exception_no, day), success=_("Delivery date moved.")) is not None:
            self.refresh()

    def close_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        remedy = ask_text(self, _("Close exception"), _("Remedy"))
        if remedy is not None and operations.run(self.ctx, self, lambda: exc_service.close_exception(
                self.ctx.db, self.ctx.actor, row.exception_no, remedy, row.version),
                success=_("Exception closed.")) is not None:
            self.refresh()


# ---- meetings and the to-do list ---------------------------------------------------------------------------------

REPORT_DEPARTMENTS = ("production", "sales", "technical", "purchasing", "quality")


class MeetingDialog(QDialog):
    """Today's meeting: its kind, who attended, each department's report, notes and up to three actions agreed
    (the agenda itself is generated from the data when the meeting is saved)."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        from ...models.users import DEPARTMENTS
        from ...services.users import list_users

        self.setWindowTitle(_("Hold meeting"))
        self.setMinimumWidth(640)
        self.kind = QComboBox()
        for key, msgid in MEETING_KINDS.items():
            self.kind.addItem(_(msgid), key)
        self.day = QLineEdit(clock.today().isoformat())
        self.attendees = QLineEdit(ctx.actor.display_name)
        self.reports = {d: QLineEdit() for d in REPORT_DEPARTMENTS}
        self.notes = QPlainTextEdit()
        self.notes.setMaximumHeight(60)
        people = [(u.id, u.display_name) for u in list_users(ctx.db) if u.active]
        self.actions = []
        form = QFormLayout(self)
        form.addRow(_("Meeting date"), self.day)
        form.addRow(_("Kind"), self.kind)
        form.addRow(_("Attendees"), self.attendees)
        for d, edit in self.reports.items():
            form.addRow(_(DEPARTMENTS[d]), edit)
        form.addRow(_("Notes"), self.notes)
        for _i in range(3):
            text, owner, due = QLineEdit(), QComboBox(), QLineEdit()
            due.setPlaceholderText("YYYY-MM-DD")
            due.setMaximumWidth(110)
            for uid, name in people:
                owner.addItem(name, uid)
            row = QHBoxLayout()
            row.addWidget(text, 1)
            row.addWidget(owner)
            row.addWidget(due)
            form.addRow(_("Action"), row)
            self.actions.append((text, owner, due))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def value(self) -> meeting_service.MeetingInput:
        names = [n.strip() for n in self.attendees.text().replace("，", ",").split(",") if n.strip()]
        return meeting_service.MeetingInput(
            self.day.text(), kind=self.kind.currentData(), attendees={"production": names},
            reports={d: e.text() for d, e in self.reports.items() if e.text().strip()},
            notes=self.notes.toPlainText(),
            actions=[meeting_service.ActionInput(t.text(), o.currentData(), d.text())
                     for t, o, d in self.actions if t.text().strip()])


def ask_meeting(parent: QWidget, ctx: UiContext) -> meeting_service.MeetingInput | None:
    dialog = MeetingDialog(ctx, parent)
    return dialog.value() if dialog.exec() == QDialog.DialogCode.Accepted else None


class MeetingsView(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.todo_model = RowsModel([
            RowColumn(N_("Due"), lambda r: formats.date(r.due_on)),
            RowColumn(N_("Action"), lambda r: r.description),
            RowColumn(N_("Order no."), lambda r: r.order_no),
            RowColumn(N_("Meeting"), lambda r: r.meeting_no),
            RowColumn(N_("State"), lambda r: _(ACTION_STATES[r.state]) + (
                " — " + _("overdue") if r.overdue(clock.today()) else "")),
        ])
        self.todo_table = _table(self.todo_model)
        self.meetings_model = RowsModel([
            RowColumn(N_("Meeting"), lambda r: r.meeting_no),
            RowColumn(N_("Date"), lambda r: formats.date(r.held_on)),
            RowColumn(N_("Chair"), lambda r: r.chair),
            RowColumn(N_("Agenda items"), lambda r: str(r.agenda.size), True),
            RowColumn(N_("Open actions"), lambda r: str(sum(a.state == "open" for a in r.actions)), True),
        ])
        self.meetings_table = _table(self.meetings_model)
        self.todo_title, self.meetings_title = QLabel(), QLabel()
        self.done_button, self.hold_button, self.minutes_button, self.pack_button = (QPushButton() for _i in range(4))
        self.done_button.clicked.connect(self.mark_done)
        self.hold_button.clicked.connect(self.hold)
        self.minutes_button.clicked.connect(self.print_minutes)
        self.pack_button.clicked.connect(self.export_pack)
        self.hold_button.setEnabled(allowed(ctx.actor, "ledger.meetings"))
        top = QHBoxLayout()
        top.addWidget(self.todo_title)
        top.addStretch(1)
        top.addWidget(self.done_button)
        mid = QHBoxLayout()
        mid.addWidget(self.meetings_title)
        mid.addStretch(1)
        for b in (self.hold_button, self.minutes_button, self.pack_button):
            mid.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.todo_table, 1)
        layout.addLayout(mid)
        layout.addWidget(self.meetings_table, 1)

    def refresh(self) -> None:
        self.todo_model.set_rows(meeting_service.my_actions(self.ctx.db, self.ctx.actor.user_id or 0))
        self.meetings_model.set_rows(meeting_service.list_meetings(self.ctx.db))

    def retranslate_ui(self) -> None:
        self.todo_title.setText(_("My action items"))
        self.meetings_title.setText(_("Coordination meetings"))
        self.done_button.setText(_("Mark done…"))
        self.hold_button.setText(_("Hold meeting…"))
        self.minutes_button.setText(_("Print minutes…"))
        self.pack_button.setText(_("Meeting pack…"))
        self.todo_model.retranslate()
        self.meetings_model.retranslate()
        self.refresh()

    def _selected(self, table, model):
        rows = table.selectionModel().selectedRows()
        return model.row_at(rows[0].row()) if rows else None

    def mark_done(self) -> None:
        item = self._selected(self.todo_table, self.todo_model)
        if item is None:
            return
        note = ask_text(self, _("Mark done"), _("What was done?"))
        if note is not None and operations.run(self.ctx, self, lambda: meeting_service.set_action_state(
                self.ctx.db, self.ctx.actor, item.id, "done", note, item.version),
                success=_("Action item closed.")) is not None:
            self.refresh()

    def hold(self) -> None:
        data = ask_meeting(self, self.ctx)
        if data is not None and operations.run(self.ctx, self, lambda: meeting_service.hold_meeting(
                self.ctx.db, self.ctx.actor, data), success=_("Meeting recorded.")) is not None:
            self.refresh()

    def print_minutes(self) -> None:
        m = self._selected(self.meetings_table, self.meetings_model)
        if m is None:
            return
        path = ask_save_path(self, f"{m.meeting_no}.pdf", _("PDF (*.pdf)"))
        if path:
            from ...services.ledger.papers import print_minutes

            operations.run(self.ctx, self, lambda: print_minutes(self.ctx.db, self.ctx.actor, m.meeting_no, path,
                                                                 lang=current_language(),
                                                                 factory_name=self.ctx.factory_name),
                           success=_("Minutes written to {file}", file=Path(path).name))

    def export_pack(self) -> None:
        m = self._selected(self.meetings_table, self.meetings_model)
        if m is None:
            return
        path = ask_save_path(self, f"{m.meeting_no}.xlsx", _("Excel workbook (*.xlsx)"))
        if path:
            from ...services.ledger.papers import export_pack

            operations.run(self.ctx, self, lambda: export_pack(self.ctx.db, self.ctx.actor, m.meeting_no, path,
                                                               lang=current_language(),
                                                               factory_name=self.ctx.factory_name),
                           success=_("Meeting pack written to {file}", file=Path(path).name))


# ---- the tab -------------------------------------------------------------------------------------------------------

class LedgerTab(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.tabs = QTabWidget()
        self.ledger_view = LedgerView(ctx)
        self.progress_view = ProgressView(ctx)
        self.exceptions_view = ExceptionsView(ctx)
        self.meetings_view = MeetingsView(ctx)
        for w in (self.ledger_view, self.progress_view, self.exceptions_view, self.meetings_view):
            self.tabs.addTab(w, "")
        self.tabs.currentChanged.connect(self._on_page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tabs)
        self.retranslate_ui()

    def _on_page(self, index: int) -> None:
        page = self.tabs.widget(index)
        if hasattr(page, "refresh"):
            page.refresh()

    def retranslate_ui(self) -> None:
        for i, title in enumerate((_("Ledger"), _("Order progress"), _("Exceptions"), _("Meetings and to-do"))):
            self.tabs.setTabText(i, title)
        for view in (self.ledger_view, self.progress_view, self.exceptions_view, self.meetings_view):
            view.retranslate_ui()


__all__ = ["LedgerTab"]
