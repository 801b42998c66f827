"""Ready to ship: an order's released goods shipped whole or in parts, with packages and certificates."""

from __future__ import annotations


from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...i18n import N_, _
from ...models.delivery import SHIPPING_SERVICES
from ...models.orders import STAGES
from ...services.delivery import shipments
from .. import operations
from ..context import UiContext
from ..materials.rows_model import RowColumn, RowsModel, _selected, _table
from .common import _combo, _date, _date_edit, _retranslate_combo


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
