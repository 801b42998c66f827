"""The ledger view: the scan field for the shop floor, every entry with filters and totals, corrections and the
workbooks."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ... import clock
from ...i18n import N_, _, current_language, formats
from ...models.ledger import ENTRY_KINDS, INSPECTION_STATES
from ...models.planning import STEP_STATES
from ...services.errors import DomainError
from ...services.ledger import entries as ledger
from ...services.permissions import allowed
from .. import operations
from ..common.paged_model import Column, PagedTableModel
from ..context import UiContext
from . import common
from .common import _date, _g, _table


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
        qty = common.ask_text(self, _("Returned for rework"), _("How many pieces go back for rework?"))
        if qty is None:
            return
        reason = common.ask_text(self, _("Returned for rework"), _("Why?"))
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
        reason = common.ask_text(self, _("Reverse entry"), _("Why is entry {entry_no} wrong?", entry_no=row.entry_no))
        if reason is None:
            return
        if operations.run(self.ctx, self, lambda: ledger.reverse_entry(self.ctx.db, self.ctx.actor, row.entry_no,
                                                                        reason),
                          success=_("Entry {entry_no} reversed.", entry_no=row.entry_no)) is not None:
            self.refresh()

    def export_summary(self) -> None:
        from ...services.ledger.exports import export_summary, week_of

        week = common.ask_text(self, _("Weekly summary"), _("ISO week (e.g. {week})", week=week_of(clock.today())))
        if not week:
            return
        path = common.ask_save_path(self, f"summary-{week.strip()}.xlsx", _("Excel workbook (*.xlsx)"))
        if path:
            operations.run(self.ctx, self, lambda: export_summary(self.ctx.db, path, week, lang=current_language(),
                                                                  factory_name=self.ctx.factory_name),
                           success=_("Weekly summary {week} written to {file}", week=week, file=Path(path).name))

    def export(self) -> None:
        from ...services.ledger.exports import export_ledger
        from ...reports.ledger_xlsx import ExportCancelled

        path = common.ask_save_path(self, f"ledger-{clock.today().isoformat()}.xlsx", _("Excel workbook (*.xlsx)"))
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
