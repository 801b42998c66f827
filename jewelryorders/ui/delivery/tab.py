"""The Delivery & After-sales tab: ship an order's released goods (whole or in parts) with packages and
certificates, follow each shipment to delivery and tell the customer, print the papers; carry after-sales cases
(repairs, complaints ...) to closure; see the analysis. Every change goes through the delivery services."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from PySide6.QtCore import QDate, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ... import clock
from ...i18n import N_, _, current_language
from ...models.delivery import (CASE_KINDS, CASE_STATUSES, CAUSES, COST_BEARERS, SATISFACTION, SHIPMENT_STATUSES,
                                SHIPPING_SERVICES, UPDATE_CHANNELS)
from ...models.orders import STAGES
from ...models.users import DEPARTMENTS
from ...services.delivery import aftersales, papers, shipments
from .. import operations
from ..context import UiContext
from ..materials.rows_model import RowColumn, RowsModel, _selected, _table

VIEW_SHIP, VIEW_SHIPMENTS, VIEW_CASES, VIEW_ANALYSIS = "ship", "shipments", "cases", "analysis"


def open_file(path: Path) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def ask_open_paths(parent: QWidget) -> list[str]:
    paths, _filter = QFileDialog.getOpenFileNames(parent, _("Photos"), "", _("Images (*.jpg *.jpeg *.png);;All files (*)"))
    return paths


def ask_save_path(parent: QWidget, suggested: str, pattern: str) -> str | None:
    path, _filter = QFileDialog.getSaveFileName(parent, _("Save as"), suggested, pattern)
    return path or None


def _date(edit: QDateEdit) -> dt.date:
    q = edit.date()
    return dt.date(q.year(), q.month(), q.day())


def _date_edit(name: str) -> QDateEdit:
    edit = QDateEdit()
    edit.setObjectName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    today = clock.today()
    edit.setDate(QDate(today.year, today.month, today.day))
    return edit


def _combo(name: str, choices: dict[str, str]) -> QComboBox:
    box = QComboBox()
    box.setObjectName(name)
    for key, msgid in choices.items():
        box.addItem(_(msgid), key)
    return box


def _retranslate_combo(box: QComboBox, choices: dict[str, str]) -> None:
    for i in range(box.count()):
        box.setItemText(i, _(choices[box.itemData(i)]))


def _show_paper(name: str, content: bytes) -> None:
    path = Path(tempfile.mkdtemp()) / name
    path.write_bytes(content)
    open_file(path)


class ShipView(QWidget):
    """Orders ready to ship or partly shipped; the selected order's open quantity shipped in packages."""

    sig_changed = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.orders_model = RowsModel([
            RowColumn(N_("Order no."), lambda r: r.order_no),
            RowColumn(N_("Customer"), lambda r: r.customer_name),
            RowColumn(N_("Stage"), lambda r: _(STAGES[r.stage])),
            RowColumn(N_("Delivery date"), lambda r: r.delivery_date.isoformat() if r.delivery_date else ""),
            RowColumn(N_("Ordered"), lambda r: str(r.ordered), True),
            RowColumn(N_("Shipped"), lambda r: str(r.shipped), True),
            RowColumn(N_("Still open"), lambda r: str(r.open), True),
        ])
        self.orders_view = _table(self.orders_model, "orders_to_ship")
        self.orders_view.selectionModel().selectionChanged.connect(lambda *_a: self.show_order())
        self.lines_table = QTableWidget(0, 4)
        self.lines_table.setObjectName("ship_lines")
        self.packages_table = QTableWidget(1, 3)
        self.packages_table.setObjectName("packages")
        self.add_package_button = QPushButton()
        self.add_package_button.clicked.connect(lambda: self.packages_table.insertRow(self.packages_table.rowCount()))
        self.carrier_edit = QLineEdit()
        self.carrier_edit.setObjectName("carrier")
        self.service_box = _combo("service", SHIPPING_SERVICES)
        self.tracking_edit = QLineEdit()
        self.tracking_edit.setObjectName("tracking_no")
        self.insured_edit = QLineEdit("0")
        self.insured_edit.setObjectName("insured_value")
        self.shipped_on = _date_edit("shipped_on")
        self.certs_box = QComboBox()
        self.certs_box.setObjectName("certificates")
        for key in ("lot", "piece", ""):
            self.certs_box.addItem("", key)
        self.ship_button = QPushButton()
        self.ship_button.setObjectName("ship")
        self.ship_button.clicked.connect(self.ship)
        self.form = QFormLayout()
        self.form_labels = [QLabel() for _i in range(6)]
        for label, widget in zip(self.form_labels, (self.carrier_edit, self.service_box, self.tracking_edit,
                                                    self.insured_edit, self.shipped_on, self.certs_box)):
            self.form.addRow(label, widget)
        right = QWidget()
        rl = QVBoxLayout(right)
        self.lines_label, self.packages_label = QLabel(), QLabel()
        rl.addWidget(self.lines_label)
        rl.addWidget(self.lines_table)
        rl.addWidget(self.packages_label)
        rl.addWidget(self.packages_table)
        rl.addWidget(self.add_package_button)
        rl.addLayout(self.form)
        rl.addWidget(self.ship_button)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(right)
        splitter = QSplitter()
        splitter.addWidget(self.orders_view)
        splitter.addWidget(scroll)
        splitter.setSizes([600, 700])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.open_lines: list[shipments.OpenLine] = []

    def retranslate_ui(self) -> None:
        self.orders_model.retranslate()
        self.lines_table.setHorizontalHeaderLabels([_("Line"), _("Style"), _("Still open"), _("This shipment")])
        self.packages_table.setHorizontalHeaderLabels([_("Contents"), _("Gross weight (g)"), _("Seal no.")])
        self.lines_label.setText(_("Pieces in this shipment"))
        self.packages_label.setText(_("Packages"))
        self.add_package_button.setText(_("Add a package"))
        for label, text in zip(self.form_labels, (_("Carrier"), _("Service"), _("Tracking no."), _("Insured value"),
                                                  _("Shipped on"), _("Certificates"))):
            label.setText(text)
        _retranslate_combo(self.service_box, SHIPPING_SERVICES)
        for i, text in enumerate((_("certificate|Per lot"), _("certificate|Per piece"), _("Issue later"))):
            self.certs_box.setItemText(i, text)
        self.ship_button.setText(_("Ship"))

    def refresh(self) -> None:
        rows = operations.run(self.ctx, self, lambda: shipments.orders_to_ship(self.ctx.db), quiet_errors=True)
        self.orders_model.set_rows(rows or [])
        self.show_order()

    def select_order(self, order_no: str) -> None:
        for i, row in enumerate(self.orders_model.rows):
            if row.order_no == order_no:
                self.orders_view.selectRow(i)
                return

    def show_order(self) -> None:
        row = _selected(self.orders_view, self.orders_model)
        self.open_lines = shipments.open_lines(self.ctx.db, row.id) if row else []
        self.lines_table.setRowCount(len(self.open_lines))
        for i, line in enumerate(self.open_lines):
            for col, value in enumerate((str(line.line_no), line.style_code, str(line.open))):
                item = QTableWidgetItem(value)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.lines_table.setItem(i, col, item)
            spin = QSpinBox()
            spin.setRange(0, line.open)
            spin.setValue(line.open)
            self.lines_table.setCellWidget(i, 3, spin)

    def set_quantity(self, row: int, qty: int) -> None:
        self.lines_table.cellWidget(row, 3).setValue(qty)

    def set_package(self, row: int, contents: str, grams: str, seal: str) -> None:
        while self.packages_table.rowCount() <= row:
            self.packages_table.insertRow(self.packages_table.rowCount())
        for col, value in enumerate((contents, grams, seal)):
            self.packages_table.setItem(row, col, QTableWidgetItem(value))

    def ship(self) -> None:
        row = _selected(self.orders_view, self.orders_model)
        if row is None:
            self.ctx.bus.sig_status_message.emit(_("Choose an order first."))
            return
        quantities = {line.line_id: self.lines_table.cellWidget(i, 3).value() for i, line in enumerate(self.open_lines)}
        packages = []
        for r in range(self.packages_table.rowCount()):
            cells = [(self.packages_table.item(r, c).text() if self.packages_table.item(r, c) else "")
                     for c in range(3)]
            if any(cell.strip() for cell in cells):
                packages.append(shipments.PackageInput(*cells))
        data = shipments.ShipmentInput(row.id, quantities, packages, self.carrier_edit.text(),
                                       self.service_box.currentData(), self.tracking_edit.text(),
                                       self.insured_edit.text(), _date(self.shipped_on),
                                       certificates=self.certs_box.currentData())
        done = operations.run(self.ctx, self, lambda: shipments.create_shipment(self.ctx.db, self.ctx.actor, data))
        if done is not None:
            self.ctx.bus.sig_status_message.emit(_("Shipment {no} recorded: {qty} pieces.", no=done.shipment_no,
                                                   qty=done.quantity))
            self.packages_table.setRowCount(1)
            for c in range(3):
                self.packages_table.setItem(0, c, QTableWidgetItem(""))
            self.sig_changed.emit()


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
                _show_paper(*done)


class CasesView(QWidget):
    """After-sales cases: opened against a delivered order or a piece by certificate no., carried to closure."""

    sig_changed = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = RowsModel([
            RowColumn(N_("Case no."), lambda r: r.case_no),
            RowColumn(N_("Kind"), lambda r: _(CASE_KINDS[r.kind])),
            RowColumn(N_("Status"), lambda r: _(CASE_STATUSES[r.status])),
            RowColumn(N_("Order no."), lambda r: r.order_no),
            RowColumn(N_("Certificate no."), lambda r: r.certificate_no),
            RowColumn(N_("Customer"), lambda r: r.customer_name),
            RowColumn(N_("Owner"), lambda r: r.owner_name),
            RowColumn(N_("Due date"), lambda r: r.due_on.isoformat()),
        ])
        self.view = _table(self.model, "cases", stretch_column=5)
        self.view.selectionModel().selectionChanged.connect(lambda *_a: self.show_case())
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("case_search")
        self.search_edit.returnPressed.connect(self.refresh)
        self.history_button = QPushButton()
        self.history_button.setObjectName("piece_history")
        self.history_button.clicked.connect(self.show_history)
        top = QHBoxLayout()
        top.addWidget(self.search_edit, 1)
        top.addWidget(self.history_button)
        # Opening a case.
        self.open_box = QGroupBox()
        self.kind_box = _combo("case_kind", CASE_KINDS)
        self.via_box = _combo("received_via", UPDATE_CHANNELS)
        self.order_edit = QLineEdit()
        self.order_edit.setObjectName("case_order_no")
        self.cert_edit = QLineEdit()
        self.cert_edit.setObjectName("case_certificate_no")
        self.words_edit = QLineEdit()
        self.words_edit.setObjectName("customer_words")
        self.due_edit = _date_edit("case_due")
        self.due_edit.setDate(self.due_edit.date().addDays(14))
        self.open_button = QPushButton()
        self.open_button.setObjectName("open_case")
        self.open_button.clicked.connect(self.open_case)
        of = QFormLayout(self.open_box)
        self.open_labels = [QLabel() for _i in range(6)]
        for label, widget in zip(self.open_labels, (self.kind_box, self.via_box, self.order_edit, self.cert_edit,
                                                    self.words_edit, self.due_edit)):
            of.addRow(label, widget)
        of.addRow(self.open_button)
        # Carrying the selected case.
        self.work_box = QGroupBox()
        self.work_edit = QLineEdit()
        self.work_edit.setObjectName("work_done")
        self.done_by_edit = QLineEdit()
        self.done_by_edit.setObjectName("done_by")
        self.materials_edit = QLineEdit()
        self.materials_edit.setObjectName("materials_used")
        self.metal_edit = QLineEdit("0")
        self.metal_edit.setObjectName("metal_used")
        self.cost_edit = QLineEdit("0")
        self.cost_edit.setObjectName("repair_cost")
        self.bearer_box = _combo("cost_borne_by", {k: v for k, v in COST_BEARERS.items() if k})
        self.returned_edit = _date_edit("returned_on")
        self.repair_button = QPushButton()
        self.repair_button.setObjectName("record_repair")
        self.repair_button.clicked.connect(self.record_repair)
        self.record_button = QPushButton()
        self.record_button.setObjectName("print_repair_record")
        self.record_button.clicked.connect(self.print_record)
        self.photo_button = QPushButton()
        self.photo_button.setObjectName("add_photos")
        self.photo_button.clicked.connect(self.add_photos)
        wf = QFormLayout(self.work_box)
        self.work_labels = [QLabel() for _i in range(7)]
        for label, widget in zip(self.work_labels, (self.work_edit, self.done_by_edit, self.materials_edit,
                                                    self.metal_edit, self.cost_edit, self.bearer_box,
                                                    self.returned_edit)):
            wf.addRow(label, widget)
        buttons = QHBoxLayout()
        for b in (self.repair_button, self.record_button, self.photo_button):
            buttons.addWidget(b)
        wf.addRow(buttons)
        self.finding_box = QGroupBox()
        self.cause_box = _combo("cause", {k: v for k, v in CAUSES.items() if k})
        self.cause_edit = QLineEdit()
        self.cause_edit.setObjectName("cause_detail")
        self.departments_edit = QLineEdit()
        self.departments_edit.setObjectName("departments")
        self.actions_edit = QLineEdit()
        self.actions_edit.setObjectName("actions")
        self.answer_edit = QLineEdit()
        self.answer_edit.setObjectName("answer")
        self.finding_button = QPushButton()
        self.finding_button.setObjectName("record_finding")
        self.finding_button.clicked.connect(self.record_finding)
        self.satisfaction_box = _combo("satisfaction", SATISFACTION)
        self.decision_edit = QLineEdit()
        self.decision_edit.setObjectName("escalation_decision")
        self.lesson_edit = QLineEdit()
        self.lesson_edit.setObjectName("lesson")
        self.close_button = QPushButton()
        self.close_button.setObjectName("close_case")
        self.close_button.clicked.connect(self.close_case)
        ff = QFormLayout(self.finding_box)
        self.finding_labels = [QLabel() for _i in range(8)]
        for label, widget in zip(self.finding_labels, (self.cause_box, self.cause_edit, self.departments_edit,
                                                       self.actions_edit, self.answer_edit, self.satisfaction_box,
                                                       self.decision_edit, self.lesson_edit)):
            ff.addRow(label, widget)
        fb = QHBoxLayout()
        fb.addWidget(self.finding_button)
        fb.addWidget(self.close_button)
        ff.addRow(fb)
        self.detail = QPlainTextEdit()
        self.detail.setObjectName("case_detail")
        self.detail.setReadOnly(True)
        forms = QWidget()
        fl = QVBoxLayout(forms)
        fl.addWidget(self.open_box)
        fl.addWidget(self.work_box)
        fl.addWidget(self.finding_box)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(forms)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addLayout(top)
        ll.addWidget(self.view, 2)
        ll.addWidget(self.detail, 1)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(scroll)
        splitter.setSizes([700, 600])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    def retranslate_ui(self) -> None:
        self.model.retranslate()
        self.search_edit.setPlaceholderText(_("Search case, order, certificate no. or style"))
        self.history_button.setText(_("Piece history"))
        self.open_box.setTitle(_("New case"))
        for label, text in zip(self.open_labels, (_("Kind"), _("Received via"), _("Order no."), _("Certificate no."),
                                                  _("What the customer says"), _("Due date"))):
            label.setText(text)
        _retranslate_combo(self.kind_box, CASE_KINDS)
        _retranslate_combo(self.via_box, UPDATE_CHANNELS)
        self.open_button.setText(_("Open the case"))
        self.work_box.setTitle(_("Repair or maintenance"))
        for label, text in zip(self.work_labels, (_("Work done"), _("Done by"), _("Materials used"),
                                                  _("Metal used (g)"), _("Cost"), _("Cost borne by"),
                                                  _("Returned on"))):
            label.setText(text)
        _retranslate_combo(self.bearer_box, COST_BEARERS)
        self.repair_button.setText(_("Record the repair"))
        self.record_button.setText(_("Print repair record"))
        self.photo_button.setText(_("Add photos"))
        self.finding_box.setTitle(_("Cause, actions, answer and closing"))
        for label, text in zip(self.finding_labels, (_("Cause"), _("Cause in detail"), _("Departments involved"),
                                                     _("Actions"), _("Answer given to the customer"),
                                                     _("Customer's answer"), _("Management's decision"),
                                                     _("Lesson learned"))):
            label.setText(text)
        self.departments_edit.setPlaceholderText(_("e.g. production, quality"))
        _retranslate_combo(self.cause_box, CAUSES)
        _retranslate_combo(self.satisfaction_box, SATISFACTION)
        self.finding_button.setText(_("Record the finding"))
        self.close_button.setText(_("Close the case"))

    def refresh(self) -> None:
        rows = operations.run(self.ctx, self, lambda: aftersales.list_cases(self.ctx.db,
                                                                           search=self.search_edit.text()),
                              quiet_errors=True)
        self.model.set_rows(rows or [])
        self.show_case()

    def selected(self):
        return _selected(self.view, self.model)

    def select(self, case_no: str) -> None:
        for i, row in enumerate(self.model.rows):
            if row.case_no == case_no:
                self.view.selectRow(i)
                return

    def show_case(self) -> None:
        c = self.selected()
        if c is None:
            self.detail.setPlainText("")
            return
        lines = [f"{c.case_no} · {_(CASE_KINDS[c.kind])} · {_(CASE_STATUSES[c.status])}",
                 _("Received {date} via {via}", date=c.received_on.isoformat(), via=_(UPDATE_CHANNELS[c.received_via])),
                 c.customer_words]
        if c.work_done:
            lines.append(_("Work done") + ": " + c.work_done + f" ({c.done_by})")
        if c.cause:
            lines.append(_("Cause") + ": " + _(CAUSES[c.cause]) + " " + c.cause_detail)
        if c.answer:
            lines.append(_("Answer given to the customer") + ": " + c.answer)
        if c.lesson:
            lines.append(_("Lesson learned") + ": " + c.lesson)
        self.detail.setPlainText("\n".join(lines))

    def _changed(self, view) -> None:
        self.sig_changed.emit()
        self.select(view.case_no)

    def open_case(self) -> None:
        order_id = None
        order_no = self.order_edit.text().strip()
        if order_no:
            from ...services.orders.intake import get_order_by_no

            order = operations.run(self.ctx, self, lambda: get_order_by_no(self.ctx.db, order_no))
            if order is None:
                return
            order_id = order.id
        data = aftersales.CaseInput(self.kind_box.currentData(), self.via_box.currentData(), self.words_edit.text(),
                                    self.ctx.actor.user_id, _date(self.due_edit), clock.today(), order_id,
                                    self.cert_edit.text())
        operations.run(self.ctx, self, lambda: aftersales.open_case(self.ctx.db, self.ctx.actor, data),
                       success=_("After-sales case opened."), on_success=self._changed)

    def record_repair(self) -> None:
        c = self.selected()
        if c is None:
            return
        data = aftersales.RepairInput(self.work_edit.text(), self.done_by_edit.text(), self.materials_edit.text(),
                                      self.metal_edit.text(), self.cost_edit.text(), self.bearer_box.currentData(),
                                      _date(self.returned_edit))
        operations.run(self.ctx, self, lambda: aftersales.record_repair(self.ctx.db, self.ctx.actor, c.id, data,
                                                                        c.version),
                       success=_("Repair recorded."), on_success=self._changed)

    def record_finding(self) -> None:
        c = self.selected()
        if c is None:
            return
        departments = tuple(d.strip() for d in self.departments_edit.text().replace("，", ",").split(",") if d.strip())
        by_name = {_(msgid).lower(): key for key, msgid in DEPARTMENTS.items()}
        departments = tuple(by_name.get(d.lower(), d) for d in departments)
        data = aftersales.FindingInput(self.cause_box.currentData(), self.cause_edit.text(), departments,
                                       self.actions_edit.text(), self.answer_edit.text())
        operations.run(self.ctx, self, lambda: aftersales.record_finding(self.ctx.db, self.ctx.actor, c.id, data,
                                                                         c.version),
                       success=_("Finding recorded."), on_success=self._changed)

    def close_case(self) -> None:
        c = self.selected()
        if c is None:
            return
        data = aftersales.ClosingInput(self.satisfaction_box.currentData(), self.decision_edit.text(),
                                       self.lesson_edit.text())
        operations.run(self.ctx, self, lambda: aftersales.close_case(self.ctx.db, self.ctx.actor, c.id, data,
                                                                     c.version),
                       success=_("Case closed."), on_success=self._changed)

    def add_photos(self) -> None:
        c = self.selected()
        if c is None:
            return
        for path in ask_open_paths(self):
            p = Path(path)
            operations.run(self.ctx, self, lambda p=p: aftersales.add_photo(self.ctx.db, self.ctx.actor, c.id,
                                                                            p.name, p.read_bytes()))
        self.sig_changed.emit()

    def print_record(self) -> None:
        c = self.selected()
        if c is None:
            return
        from ...services.delivery.aftersales_papers import file_repair_record

        done = operations.run(self.ctx, self, lambda: file_repair_record(self.ctx.db, self.ctx.actor, c.case_no,
                                                                        current_language()))
        if done is not None:
            _show_paper(*done)

    def show_history(self) -> None:
        """A piece's history: every case of the certificate no. typed in the search box (or the selected case's)."""
        c = self.selected()
        cert = self.search_edit.text().strip() or (c.certificate_no if c else "")
        if not cert:
            return
        cases = operations.run(self.ctx, self, lambda: aftersales.piece_history(self.ctx.db, cert))
        if cases is not None:
            self.model.set_rows(cases)
            self.detail.setPlainText(_("History of certificate {no}: {count} cases.", no=cert, count=len(cases)))


class AnalysisView(QWidget):
    """Cases per month by kind (chart), per style, per cause, time to close, repeat customers; Excel export."""

    sig_changed = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.from_edit = _date_edit("analysis_from")
        self.from_edit.setDate(self.from_edit.date().addYears(-1))
        self.to_edit = _date_edit("analysis_to")
        self.show_button, self.export_button = QPushButton(), QPushButton()
        self.show_button.setObjectName("analyse")
        self.export_button.setObjectName("export_after_sales")
        self.show_button.clicked.connect(self.refresh)
        self.export_button.clicked.connect(self.export)
        top = QHBoxLayout()
        for w in (self.from_edit, self.to_edit, self.show_button, self.export_button):
            top.addWidget(w)
        top.addStretch(1)
        from PySide6.QtCharts import QChart, QChartView

        self.chart = QChart()
        self.chart_view = QChartView(self.chart)
        self.chart_view.setObjectName("cases_chart")
        self.cause_chart = QChart()
        self.cause_view = QChartView(self.cause_chart)
        self.cause_view.setObjectName("cause_chart")
        charts = QHBoxLayout()
        charts.addWidget(self.chart_view, 3)
        charts.addWidget(self.cause_view, 2)
        self.summary = QLabel()
        self.summary.setObjectName("analysis_summary")
        self.summary.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(charts, 1)
        layout.addWidget(self.summary)
        self.analysis = None

    def retranslate_ui(self) -> None:
        self.show_button.setText(_("Show"))
        self.export_button.setText(_("Export to Excel"))
        self.refresh()

    def refresh(self) -> None:
        from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QValueAxis

        a = operations.run(self.ctx, self, lambda: aftersales.analyse(self.ctx.db, _date(self.from_edit),
                                                                     _date(self.to_edit)), quiet_errors=True)
        if a is None:
            return
        self.analysis = a
        from PySide6.QtCharts import QChart

        # A new chart each time: axes removed from a chart that stays shown leave their ghosts behind.
        old_charts = (self.chart, self.cause_chart)
        self.chart, self.cause_chart = QChart(), QChart()
        self.chart_view.setChart(self.chart)
        self.cause_view.setChart(self.cause_chart)
        for chart in old_charts:
            chart.deleteLater()
        months = list(a.by_month_kind)
        series = QBarSeries()
        top = 1
        for kind, msgid in CASE_KINDS.items():
            bar = QBarSet(_(msgid))
            for m in months:
                bar.append(a.by_month_kind[m][kind])
                top = max(top, a.by_month_kind[m][kind])
            series.append(bar)
        self.chart.addSeries(series)
        self.chart.setTitle(_("Cases per month by kind"))
        x = QBarCategoryAxis()
        x.append(months)
        y = QValueAxis()
        y.setRange(0, top)
        y.setTickCount(min(top, 10) + 1)
        y.setLabelFormat("%d")
        self.chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x)
        series.attachAxis(y)
        causes = QBarSeries()
        bar = QBarSet(_("Cases"))
        for _cause, n in a.by_cause:
            bar.append(n)
        causes.append(bar)
        self.cause_chart.addSeries(causes)
        self.cause_chart.setTitle(_("Cases per cause"))
        self.cause_chart.legend().setVisible(False)
        cx = QBarCategoryAxis()
        cx.append([_(CAUSES[c]) for c, _n in a.by_cause])
        cy = QValueAxis()
        cause_top = max([n for _c, n in a.by_cause] + [1])
        cy.setRange(0, cause_top)
        cy.setTickCount(min(cause_top, 10) + 1)
        cy.setLabelFormat("%d")
        self.cause_chart.addAxis(cx, Qt.AlignmentFlag.AlignBottom)
        self.cause_chart.addAxis(cy, Qt.AlignmentFlag.AlignLeft)
        causes.attachAxis(cx)
        causes.attachAxis(cy)
        days = ", ".join(f"{_(CASE_KINDS[k])} {v}" for k, v in a.days_to_close.items()) or "—"
        repeat = ", ".join(f"{name} ({n})" for name, n in a.repeat_customers[:10]) or "—"
        styles = ", ".join(f"{s} ({n})" for s, n in a.by_style[:10]) or "—"
        self.summary.setText(_("{count} cases. Days to close: {days}. Styles: {styles}. Repeat customers: {repeat}.",
                               count=a.cases, days=days, styles=styles, repeat=repeat))

    def export(self) -> None:
        path = ask_save_path(self, "after-sales.xlsx", _("Excel workbook (*.xlsx)"))
        if not path:
            return
        from ...services.delivery.aftersales_papers import export_after_sales

        operations.run(self.ctx, self, lambda: export_after_sales(self.ctx.db, self.ctx.actor, _date(self.from_edit),
                                                                  _date(self.to_edit), path, current_language()),
                       success=_("After-sales analysis written to {file}", file=path))


class DeliveryTab(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.views = {VIEW_SHIP: ShipView(ctx), VIEW_SHIPMENTS: ShipmentsView(ctx), VIEW_CASES: CasesView(ctx),
                      VIEW_ANALYSIS: AnalysisView(ctx)}
        self.tabs = QTabWidget()
        self.tabs.setObjectName("delivery_views")
        for view in self.views.values():
            self.tabs.addTab(view, "")
            view.sig_changed.connect(self.refresh)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        ctx.bus.sig_language_changed.connect(lambda _lang: self.retranslate_ui())
        self.retranslate_ui()
        self.refresh()

    def retranslate_ui(self) -> None:
        for i, text in enumerate((_("Ready to ship"), _("Shipments and tracking"), _("After-sales cases"),
                                  _("After-sales analysis"))):
            self.tabs.setTabText(i, text)
        for view in self.views.values():
            view.retranslate_ui()

    def refresh(self) -> None:
        for key in (VIEW_SHIP, VIEW_SHIPMENTS, VIEW_CASES):
            view = self.views[key]
            selected = None
            if key == VIEW_SHIPMENTS and view.selected():
                selected = view.selected().shipment_no
            if key == VIEW_CASES and view.selected():
                selected = view.selected().case_no
            view.refresh()
            if selected:
                view.select(selected)
