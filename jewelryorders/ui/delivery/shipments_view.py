"""Shipments and tracking: follow each shipment to delivery, tell the customer, print the papers."""

from __future__ import annotations


from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from ...i18n import N_, _, current_language
from ...models.delivery import SHIPMENT_STATUSES, UPDATE_CHANNELS
from ...services.delivery import papers, shipments
from .. import operations
from ..context import UiContext
from ..materials.rows_model import RowColumn, RowsModel, _selected, _table
from . import common
from .common import _combo, _date, _date_edit, _retranslate_combo


class ShipmentsView(QWidget):
    """Shipments with their state; in transit, delivered, the customer told; papers printed and filed."""

    sig_changed = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = RowsModel([
            RowColumn(N_("Shipment no."), lambda r: r.shipment_no),
            RowColumn(N_("Order no."), lambda r: r.order_no),
            RowColumn(N_("Customer"), lambda r: r.customer_name),
            RowColumn(N_("Status"), lambda r: _(SHIPMENT_STATUSES[r.status])),
            RowColumn(N_("Pieces"), lambda r: str(r.quantity), True),
            RowColumn(N_("Carrier"), lambda r: r.carrier),
            RowColumn(N_("Tracking no."), lambda r: r.tracking_no),
            RowColumn(N_("Shipped on"), lambda r: r.shipped_on.isoformat()),
            RowColumn(N_("Delivered on"), lambda r: r.delivered_on.isoformat() if r.delivered_on else ""),
        ])
        self.view = _table(self.model, "shipments", stretch_column=2)
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("shipment_search")
        self.search_edit.returnPressed.connect(self.refresh)
        self.on_date = _date_edit("event_date")
        self.received_by = QLineEdit()
        self.received_by.setObjectName("received_by")
        self.transit_button, self.delivered_button = QPushButton(), QPushButton()
        self.transit_button.setObjectName("in_transit")
        self.delivered_button.setObjectName("delivered")
        self.transit_button.clicked.connect(self.in_transit)
        self.delivered_button.clicked.connect(self.delivered)
        self.channel_box = _combo("update_channel", UPDATE_CHANNELS)
        self.update_note = QLineEdit()
        self.update_note.setObjectName("update_note")
        self.tell_button = QPushButton()
        self.tell_button.setObjectName("tell_customer")
        self.tell_button.clicked.connect(self.tell)
        self.paper_buttons = {}
        papers_row = QHBoxLayout()
        for kind in papers.PAPERS:
            b = QPushButton()
            b.setObjectName(f"print_{kind}")
            b.clicked.connect(lambda _c=False, k=kind: self.print_paper(k))
            self.paper_buttons[kind] = b
            papers_row.addWidget(b)
        papers_row.addStretch(1)
        row1 = QHBoxLayout()
        self.date_label, self.received_label = QLabel(), QLabel()
        for w in (self.date_label, self.on_date, self.received_label, self.received_by, self.transit_button,
                  self.delivered_button):
            row1.addWidget(w)
        row1.addStretch(1)
        row2 = QHBoxLayout()
        for w in (self.channel_box, self.update_note, self.tell_button):
            row2.addWidget(w)
        self.detail = QLabel()
        self.detail.setObjectName("shipment_detail")
        self.detail.setWordWrap(True)
        self.view.selectionModel().selectionChanged.connect(lambda *_a: self.show_detail())
        layout = QVBoxLayout(self)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.detail)
        layout.addLayout(row1)
        layout.addLayout(row2)
        layout.addLayout(papers_row)

    def retranslate_ui(self) -> None:
        self.model.retranslate()
        self.search_edit.setPlaceholderText(_("Search shipment, order, tracking no. or customer"))
        self.date_label.setText(_("Date"))
        self.received_label.setText(_("Received by"))
        self.transit_button.setText(_("In transit"))
        self.delivered_button.setText(_("Delivered"))
        _retranslate_combo(self.channel_box, UPDATE_CHANNELS)
        self.update_note.setPlaceholderText(_("What the customer was told"))
        self.tell_button.setText(_("Customer told"))
        for kind, text in zip(papers.PAPERS, (_("Print packing list"), _("Print certificates"),
                                              _("Print labels"))):
            self.paper_buttons[kind].setText(text)
        self.show_detail()

    def refresh(self) -> None:
        rows = operations.run(self.ctx, self, lambda: shipments.list_shipments(self.ctx.db,
                                                                              search=self.search_edit.text()),
                              quiet_errors=True)
        self.model.set_rows(rows or [])
        self.show_detail()

    def selected(self):
        return _selected(self.view, self.model)

    def select(self, shipment_no: str) -> None:
        for i, row in enumerate(self.model.rows):
            if row.shipment_no == shipment_no:
                self.view.selectRow(i)
                return

    def show_detail(self) -> None:
        row = self.selected()
        if row is None:
            self.detail.setText("")
            return
        sh = shipments.get_shipment(self.ctx.db, row.id)
        certs = ", ".join(c.certificate_no for c in sh.certificates) or "—"
        told = "; ".join(f"{u.told_at.astimezone().strftime('%Y-%m-%d %H:%M')} {_(UPDATE_CHANNELS[u.channel])}"
                         for u in sh.updates) or "—"
        self.detail.setText(_("Packages: {packages} · Certificates: {certs} · Customer told: {told}",
                              packages=len(sh.packages), certs=certs, told=told))

    def _after(self, _result=None) -> None:
        self.sig_changed.emit()

    def in_transit(self) -> None:
        row = self.selected()
        if row:
            operations.run(self.ctx, self, lambda: shipments.record_in_transit(self.ctx.db, self.ctx.actor, row.id,
                                                                               _date(self.on_date)),
                           success=_("Shipment {no} is in transit.", no=row.shipment_no), on_success=self._after)

    def delivered(self) -> None:
        row = self.selected()
        if row:
            operations.run(self.ctx, self, lambda: shipments.record_delivery(
                self.ctx.db, self.ctx.actor, row.id, _date(self.on_date), self.received_by.text()),
                success=_("Shipment {no} delivered.", no=row.shipment_no), on_success=self._after)

    def tell(self) -> None:
        row = self.selected()
        if row:
            operations.run(self.ctx, self, lambda: shipments.record_customer_update(
                self.ctx.db, self.ctx.actor, row.id, self.channel_box.currentData(), self.update_note.text()),
                success=_("Update given to the customer recorded."), on_success=self._after)

    def print_paper(self, kind: str) -> None:
        row = self.selected()
        if row:
            done = operations.run(self.ctx, self, lambda: papers.file_paper(self.ctx.db, self.ctx.actor, kind,
                                                                           row.shipment_no, current_language()))
            if done is not None:
                common._show_paper(*done)
