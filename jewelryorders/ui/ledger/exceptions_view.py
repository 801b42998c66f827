"""Production exceptions: record, notify the customer when the delivery date moves, remedy and close."""

from __future__ import annotations


from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ...i18n import N_, _, formats
from ...models.ledger import EXCEPTION_KINDS, NOTIFY_METHODS, SEVERITIES
from ...services.ledger import exceptions as exc_service
from ...services.permissions import allowed
from .. import operations
from ..context import UiContext
from ..materials.rows_model import RowColumn, RowsModel
from . import common
from .common import _table


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
        data = common.ask_exception(self)
        if data is not None and operations.run(self.ctx, self, lambda: exc_service.record_exception(
                self.ctx.db, self.ctx.actor, data), success=_("Exception recorded.")) is not None:
            self.refresh()

    def notify(self) -> None:
        row = self.selected()
        if row is None:
            return
        answer = common.ask_text(self, _("Customer told"), _("How (phone, email, visit, message, other), by whom, "
                                                             "and the customer's response — separated by /"))
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
        day = common.ask_text(self, _("Move delivery date"), _("New delivery date (YYYY-MM-DD)"))
        if day is not None and operations.run(self.ctx, self, lambda: exc_service.move_delivery_date(
                self.ctx.db, self.ctx.actor, row.exception_no, day), success=_("Delivery date moved.")) is not None:
            self.refresh()

    def close_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        remedy = common.ask_text(self, _("Close exception"), _("Remedy"))
        if remedy is not None and operations.run(self.ctx, self, lambda: exc_service.close_exception(
                self.ctx.db, self.ctx.actor, row.exception_no, remedy, row.version),
                success=_("Exception closed.")) is not None:
            self.refresh()
