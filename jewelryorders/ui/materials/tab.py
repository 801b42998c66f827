"""The Materials tab: stock by state with the lots in quarantine, purchase orders with their receipts, and an
order's requirement, shortage and picking. Every change goes through the materials services."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ... import clock
from ...i18n import N_, _, current_language, formats
from ...models.materials import MATERIAL_KINDS, PO_STATUSES
from ...services.errors import DomainError
from ...services.materials import picking, purchasing, requirements, stock
from ...services.materials.common import qty_text, unit_label
from ...services.orders.intake import get_order_by_no
from ...services.permissions import allowed
from .. import operations
from ..common.sub_views import SubViewsTab
from ..context import UiContext
from .master_data import MasterDataView
from .rows_model import RowColumn, RowsModel, _selected, _table

VIEW_STOCK, VIEW_PURCHASING, VIEW_ORDER, VIEW_MASTER = "stock", "purchasing", "order", "master"


def ask_reason(parent: QWidget, title: str, label: str) -> str | None:
    """A reason typed by the user (None when cancelled); tests replace this function."""
    text, ok = QInputDialog.getText(parent, title, label)
    return text if ok else None


def ask_save_path(parent: QWidget, suggested: str, pattern: str) -> str | None:
    path, _filter = QFileDialog.getSaveFileName(parent, _("Save as"), suggested, pattern)
    return path or None


def ask_open_paths(parent: QWidget) -> list[str]:
    paths, _filter = QFileDialog.getOpenFileNames(parent, _("Certificates or assay reports"), "",
                                                  _("Documents (*.pdf *.jpg *.jpeg *.png *.tif *.tiff);;All files (*)"))
    return paths


def open_file(path: Path) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def _q(milli: int, unit: str) -> str:
    return f"{qty_text(milli, unit)} {unit_label(unit)}"


class StockView(QWidget):
    """The factory's own stock per material by state, and the lots waiting in quarantine for their decision."""

    sig_changed = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.stock_model = RowsModel([
            RowColumn(N_("Code"), lambda r: r.code),
            RowColumn(N_("Material"), lambda r: r.name),
            RowColumn(N_("Kind"), lambda r: _(MATERIAL_KINDS[r.kind])),
            RowColumn(N_("lot|Released"), lambda r: _q(r.released, r.unit), True),
            RowColumn(N_("lot|Quarantined"), lambda r: _q(r.quarantined, r.unit), True),
            RowColumn(N_("Reserved"), lambda r: _q(r.reserved, r.unit), True),
            RowColumn(N_("Available"), lambda r: _q(r.available, r.unit), True),
            RowColumn(N_("On order"), lambda r: _q(r.on_order, r.unit), True),
        ])
        self.lots_model = RowsModel([
            RowColumn(N_("Lot no."), lambda r: r.lot_no),
            RowColumn(N_("Material"), lambda r: f"{r.material_code} {r.material_name}"),
            RowColumn(N_("Supplier or owner"), lambda r: r.supplier_name or r.customer_name),
            RowColumn(N_("On hand"), lambda r: _q(r.on_hand_qty, r.unit), True),
            RowColumn(N_("Received"), lambda r: r.received_at.astimezone().strftime("%Y-%m-%d %H:%M")),
        ])
        self.stock_table = _table(self.stock_model, "stock_table")
        self.lots_table = _table(self.lots_model, "quarantine_table")
        self.stock_label, self.lots_label = QLabel(), QLabel()
        self.export_button = QPushButton()
        self.export_button.setObjectName("export_stock")
        self.release_button, self.reject_button = QPushButton(), QPushButton()
        self.attach_button = QPushButton()
        self.attach_button.setObjectName("attach_certificate")
        self.attach_button.setEnabled(allowed(ctx.actor, "stock.receive"))
        self.attach_button.clicked.connect(self.attach)
        self.release_button.setObjectName("release_lot")
        self.reject_button.setObjectName("reject_lot")
        may_decide = allowed(ctx.actor, "lots.decide")
        self.release_button.setEnabled(may_decide)
        self.reject_button.setEnabled(may_decide)
        self.export_button.clicked.connect(self.export)
        self.release_button.clicked.connect(lambda: self.decide(True))
        self.reject_button.clicked.connect(lambda: self.decide(False))

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(self.stock_label, 1)
        head.addWidget(self.export_button)
        top_layout.addLayout(head)
        top_layout.addWidget(self.stock_table)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        buttons.addWidget(self.lots_label, 1)
        buttons.addWidget(self.attach_button)
        buttons.addWidget(self.release_button)
        buttons.addWidget(self.reject_button)
        bottom_layout.addLayout(buttons)
        bottom_layout.addWidget(self.lots_table)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.stock_label.setText(_("The factory's stock (customers' own material is kept apart)"))
        self.lots_label.setText(_("Lots in quarantine, waiting for incoming inspection"))
        self.export_button.setText(_("Export to Excel…"))
        self.release_button.setText(_("Release…"))
        self.attach_button.setText(_("File a certificate…"))
        self.reject_button.setText(_("Reject…"))
        if not self.release_button.isEnabled():
            self.release_button.setToolTip(_("Only the head of purchasing (or quality) releases a lot."))
        self.stock_model.retranslate()
        self.lots_model.retranslate()

    def refresh(self) -> None:
        try:
            self.stock_model.set_rows(stock.stock_overview(self.ctx.db))
            self.lots_model.set_rows(stock.quarantined_lots(self.ctx.db))
        except DomainError as exc:
            self.ctx.bus.sig_status_message.emit(str(exc))

    def decide(self, release: bool) -> None:
        lot = _selected(self.lots_table, self.lots_model)
        if lot is None:
            self.ctx.bus.sig_status_message.emit(_("Choose a lot first."))
            return
        title = _("Release lot {lot_no}", lot_no=lot.lot_no) if release else _("Reject lot {lot_no}",
                                                                               lot_no=lot.lot_no)
        reason = ask_reason(self, title, _("What the inspection found (weight, assay, certificate):"))
        if reason is None:
            return
        done = operations.run(self.ctx, self, lambda: stock.decide_lot(self.ctx.db, self.ctx.actor, lot.id,
                                                                       release=release, reason=reason,
                                                                       expected_version=lot.version),
                              success=(_("Lot {lot_no} released", lot_no=lot.lot_no) if release
                                       else _("Lot {lot_no} rejected", lot_no=lot.lot_no)))
        if done is not None:
            self.refresh()
            self.sig_changed.emit()

    def attach(self) -> None:
        lot = _selected(self.lots_table, self.lots_model)
        if lot is None:
            self.ctx.bus.sig_status_message.emit(_("Choose a lot first."))
            return
        paths = ask_open_paths(self)
        if paths:
            operations.run(self.ctx, self, lambda: stock.attach_lot_documents(self.ctx.db, self.ctx.actor, lot.id,
                                                                              paths),
                           success=_("Certificates filed with lot {lot_no}", lot_no=lot.lot_no))

    def export(self) -> None:
        from ...services.materials.papers import export_stock

        path = ask_save_path(self, f"stock-{clock.today().isoformat()}.xlsx", _("Excel workbook (*.xlsx)"))
        if not path:
            return
        written = operations.run(self.ctx, self, lambda: export_stock(self.ctx.db, path, current_language()),
                                 success=_("Stock written to {file}", file=path))
        if written is not None:
            open_file(Path(written))


class ReceiveDialog(QDialog):
    """What arrived against a purchase order: a quantity per open line (the rest stays open), certificates, and the
    reason when more than ordered came."""

    def __init__(self, po: purchasing.PurchaseOrderView, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("receive_dialog")
        self.po = po
        self.setWindowTitle(_("Receive against {po_no}", po_no=po.po_no))
        form = QFormLayout(self)
        self.quantities: dict[int, QLineEdit] = {}
        self.certificates: dict[int, QLineEdit] = {}
        for line in po.lines:
            if line.open_qty <= 0:
                continue
            qty = QLineEdit(qty_text(line.open_qty, line.unit).replace(",", ""))
            qty.setObjectName(f"qty_{line.id}")
            cert = QLineEdit()
            cert.setPlaceholderText(_("Certificate no."))
            row = QHBoxLayout()
            row.addWidget(qty)
            row.addWidget(QLabel(unit_label(line.unit)))
            row.addWidget(cert)
            form.addRow(f"{line.line_no}. {line.material_code} {line.material_name}", row)
            self.quantities[line.id] = qty
            self.certificates[line.id] = cert
        self.reason = QLineEdit()
        self.reason.setObjectName("over_receipt_reason")
        form.addRow(_("Reason if more than ordered"), self.reason)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def receipt_lines(self) -> list[stock.ReceiptLine]:
        return [stock.ReceiptLine(line_id, edit.text(), certificate_no=self.certificates[line_id].text())
                for line_id, edit in self.quantities.items() if edit.text().strip() not in ("", "0")]


def run_receive_dialog(dialog: ReceiveDialog) -> bool:
    """Shown modally; tests replace this function to fill the dialog and accept it."""
    return dialog.exec() == QDialog.DialogCode.Accepted


class PurchasingView(QWidget):
    """Purchase orders, newest first: send a draft, receive goods, print, cancel."""

    sig_changed = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = RowsModel([
            RowColumn(N_("PO no."), lambda po: po.po_no),
            RowColumn(N_("Supplier"), lambda po: po.supplier_name),
            RowColumn(N_("Status"), lambda po: _(PO_STATUSES[po.status])),
            RowColumn(N_("Due date"), lambda po: po.due_date.isoformat()),
            RowColumn(N_("For customer order"), lambda po: po.order_no),
            RowColumn(N_("Total"), lambda po: formats.money(po.total, po.currency), True),
        ])
        self.table = _table(self.model, "purchase_orders_table", stretch_column=1)
        self.buttons = {key: QPushButton() for key in ("send", "receive", "print", "cancel")}
        bar = QHBoxLayout()
        for key, button in self.buttons.items():
            button.setObjectName(f"po_{key}")
            bar.addWidget(button)
        bar.addStretch(1)
        self.buttons["send"].setEnabled(allowed(ctx.actor, "purchasing.orders"))
        self.buttons["cancel"].setEnabled(allowed(ctx.actor, "purchasing.orders"))
        self.buttons["receive"].setEnabled(allowed(ctx.actor, "stock.receive"))
        self.buttons["send"].clicked.connect(self.send)
        self.buttons["receive"].clicked.connect(self.receive)
        self.buttons["print"].clicked.connect(self.print_po)
        self.buttons["cancel"].clicked.connect(self.cancel)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        for key, text in (("send", _("Send")), ("receive", _("Receive goods…")), ("print", _("Print…")),
                          ("cancel", _("Cancel order…"))):
            self.buttons[key].setText(text)
        self.model.retranslate()

    def refresh(self) -> None:
        try:
            self.model.set_rows(purchasing.list_purchase_orders(self.ctx.db))
        except DomainError as exc:
            self.ctx.bus.sig_status_message.emit(str(exc))

    def _current(self):
        po = _selected(self.table, self.model)
        if po is None:
            self.ctx.bus.sig_status_message.emit(_("Choose a purchase order first."))
        return po

    def _done(self, result) -> None:
        if result is not None:
            self.refresh()
            self.sig_changed.emit()

    def send(self) -> None:
        po = self._current()
        if po is not None:
            self._done(operations.run(self.ctx, self, lambda: purchasing.send_purchase_order(
                self.ctx.db, self.ctx.actor, po.id, po.version), success=_("Purchase order {po_no} sent",
                                                                           po_no=po.po_no)))

    def receive(self) -> None:
        po = self._current()
        if po is None:
            return
        dialog = ReceiveDialog(po, self)
        if not run_receive_dialog(dialog):
            return
        self._done(operations.run(self.ctx, self, lambda: stock.receive(
            self.ctx.db, self.ctx.actor, po.id, dialog.receipt_lines(), over_receipt_reason=dialog.reason.text()),
            success=_("Goods received against {po_no}; the lots wait in quarantine", po_no=po.po_no)))

    def cancel(self) -> None:
        po = self._current()
        if po is None:
            return
        reason = ask_reason(self, _("Cancel {po_no}", po_no=po.po_no), _("Reason:"))
        if reason is not None:
            self._done(operations.run(self.ctx, self, lambda: purchasing.cancel_purchase_order(
                self.ctx.db, self.ctx.actor, po.id, reason)))

    def print_po(self) -> None:
        from ...reports.purchase_order import write_purchase_order
        from ...services.documents import file_printed_paper
        from ...services.materials.papers import purchase_order_paper

        po = self._current()
        if po is None:
            return
        lang = current_language()

        def write() -> Path:
            folder = Path(tempfile.mkdtemp(prefix="jewelryorders-"))
            written = write_purchase_order(purchase_order_paper(self.ctx.db, po.po_no, lang),
                                           folder / f"{po.po_no}.pdf", lang=lang,
                                           printed_by=self.ctx.actor.display_name, printed_at=clock.now())
            file_printed_paper(self.ctx.db, self.ctx.actor, written, category="purchase_order", order_id=None)
            return written

        path = operations.run(self.ctx, self, write, success=_("Purchase order written"))
        if path is not None:
            open_file(path)


class OrderMaterialsView(QWidget):
    """One order: what it needs, what is in stock and on order, the shortage to buy, and its pick list."""

    sig_changed = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.order_id: int | None = None
        self.order_edit = QLineEdit()
        self.order_edit.setObjectName("order_no")
        self.show_button = QPushButton()
        self.show_button.setObjectName("show_order")
        self.order_label = QLabel()
        self.requirement_model = RowsModel([
            RowColumn(N_("Material"), lambda r: f"{r.material_code} {r.material_name}"),
            RowColumn(N_("Required"), lambda r: _q(r.required, r.unit), True),
            RowColumn(N_("Issued"), lambda r: _q(r.issued, r.unit), True),
            RowColumn(N_("Available"), lambda r: _q(r.in_stock, r.unit), True),
            RowColumn(N_("On order"), lambda r: _q(r.on_order, r.unit), True),
            RowColumn(N_("Shortage"), lambda r: _q(r.shortage, r.unit) if r.shortage else "—", True),
        ])
        self.pick_model = RowsModel([
            RowColumn(N_("No."), lambda i: str(i.item_no)),
            RowColumn(N_("Material"), lambda i: f"{i.material_code} {i.material_name}"),
            RowColumn(N_("Lot no."), lambda i: i.lot_no),
            RowColumn(N_("Quantity"), lambda i: _q(i.qty, i.unit), True),
            RowColumn(N_("Picked"), lambda i: "✓" if i.picked else ""),
        ])
        self.requirement_table = _table(self.requirement_model, "requirement_table", stretch_column=0)
        self.pick_table = _table(self.pick_model, "pick_table")
        self.buy_button, self.pick_list_button = QPushButton(), QPushButton()
        self.buy_button.setObjectName("order_shortage")
        self.pick_list_button.setObjectName("make_pick_list")
        self.buy_button.setEnabled(allowed(ctx.actor, "purchasing.orders"))
        self.pick_list_button.setEnabled(allowed(ctx.actor, "stock.pick"))
        self.lot_check = QLineEdit()
        self.lot_check.setObjectName("lot_check")
        self.pick_button = QPushButton()
        self.pick_button.setObjectName("pick_item")
        self.print_pick_button = QPushButton()
        self.print_pick_button.setObjectName("print_pick_list")
        self.print_pick_button.clicked.connect(self.print_pick_list)
        self.pick_button.setEnabled(allowed(ctx.actor, "stock.pick"))
        self.pick_label = QLabel()
        self.current_pick: picking.PickListView | None = None

        self.order_edit.returnPressed.connect(self.show_order)
        self.show_button.clicked.connect(self.show_order)
        self.buy_button.clicked.connect(self.order_shortage)
        self.pick_list_button.clicked.connect(self.make_pick_list)
        self.lot_check.returnPressed.connect(self.pick_selected)
        self.pick_button.clicked.connect(self.pick_selected)

        row = QHBoxLayout()
        self.order_caption = QLabel()
        row.addWidget(self.order_caption)
        row.addWidget(self.order_edit)
        row.addWidget(self.show_button)
        row.addWidget(self.order_label, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.buy_button)
        actions.addWidget(self.pick_list_button)
        actions.addWidget(self.print_pick_button)
        actions.addStretch(1)
        pick_row = QHBoxLayout()
        pick_row.addWidget(self.pick_label, 1)
        self.lot_caption = QLabel()
        pick_row.addWidget(self.lot_caption)
        pick_row.addWidget(self.lot_check)
        pick_row.addWidget(self.pick_button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.requirement_table, 3)
        layout.addLayout(actions)
        layout.addLayout(pick_row)
        layout.addWidget(self.pick_table, 2)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.order_caption.setText(_("Order no."))
        self.show_button.setText(_("Show"))
        self.buy_button.setText(_("Order the shortage"))
        self.pick_list_button.setText(_("Make the pick list"))
        self.lot_caption.setText(_("Lot no. on the bag"))
        self.lot_check.setPlaceholderText(_("type or scan, then Enter"))
        self.pick_button.setText(_("Pick"))
        self.print_pick_button.setText(_("Print the pick list…"))
        self.requirement_model.retranslate()
        self.pick_model.retranslate()
        self._show_pick_label()

    def refresh(self) -> None:
        if self.order_id is not None:
            self._load(self.order_id)

    def show_order(self) -> None:
        order = operations.run(self.ctx, self, lambda: get_order_by_no(self.ctx.db, self.order_edit.text().strip()))
        if order is not None:
            self.order_label.setText(f"{order.customer_name} · {order.delivery_date or ''}")
            self._load(order.id)

    def _load(self, order_id: int) -> None:
        self.order_id = order_id
        try:
            self.requirement_model.set_rows(requirements.order_requirement(self.ctx.db, order_id))
            open_lists = picking.open_pick_lists(self.ctx.db, order_id)
        except DomainError as exc:
            self.ctx.bus.sig_status_message.emit(str(exc))
            return
        self.current_pick = open_lists[0] if open_lists else None
        self.pick_model.set_rows(self.current_pick.items if self.current_pick else [])
        self._show_pick_label()

    def _show_pick_label(self) -> None:
        if self.current_pick is None:
            self.pick_label.setText(_("No open pick list."))
        else:
            self.pick_label.setText(_("Pick list {pick_no}: check each bag's lot number against the list.",
                                      pick_no=self.current_pick.pick_no))

    def _after(self, result) -> None:
        if result is not None:
            self.refresh()
            self.sig_changed.emit()

    def order_shortage(self) -> None:
        if self.order_id is None:
            return
        order_id = self.order_id
        self._after(operations.run(self.ctx, self, lambda: purchasing.purchase_orders_for_shortage(
            self.ctx.db, self.ctx.actor, order_id), success=_("Draft purchase orders written for the shortage")))

    def make_pick_list(self) -> None:
        if self.order_id is None:
            return
        order_id = self.order_id
        self._after(operations.run(self.ctx, self, lambda: picking.create_pick_list(self.ctx.db, self.ctx.actor,
                                                                                   order_id)))

    def print_pick_list(self) -> None:
        from ...reports.pick_list import write_pick_list
        from ...services.documents import file_printed_paper
        from ...services.materials.papers import pick_list_paper

        if self.current_pick is None:
            self.ctx.bus.sig_status_message.emit(_("No open pick list."))
            return
        pick, lang = self.current_pick, current_language()

        def write() -> Path:
            folder = Path(tempfile.mkdtemp(prefix="jewelryorders-"))
            written = write_pick_list(pick_list_paper(self.ctx.db, pick.id, lang), folder / f"{pick.pick_no}.pdf",
                                      lang=lang, printed_by=self.ctx.actor.display_name, printed_at=clock.now())
            file_printed_paper(self.ctx.db, self.ctx.actor, written, category="pick_list", order_id=pick.order_id)
            return written

        path = operations.run(self.ctx, self, write, success=_("Pick list written"))
        if path is not None:
            open_file(path)

    def pick_selected(self) -> None:
        if self.current_pick is None:
            return
        item = _selected(self.pick_table, self.pick_model)
        if item is None:
            # A scanned lot number picks the first unpicked item of that lot.
            typed = self.lot_check.text().strip()
            item = next((i for i in self.current_pick.items if not i.picked and i.lot_no == typed), None)
            if item is None:
                item = next((i for i in self.current_pick.items if not i.picked), None)
        if item is None:
            return
        pick = self.current_pick
        result = operations.run(self.ctx, self, lambda: picking.pick_item(self.ctx.db, self.ctx.actor, pick.id,
                                                                          item.item_no, self.lot_check.text(),
                                                                          pick.version))
        self.lot_check.clear()
        if result is not None and result.status == "picked":
            self.ctx.bus.sig_status_message.emit(_("Pick list {pick_no} complete; the checklist item 'materials "
                                                   "picked and inspected' is ticked.", pick_no=result.pick_no))
        self._after(result)


class MaterialsTab(SubViewsTab):
    VIEWS = ((VIEW_STOCK, N_("Stock and quarantine"), StockView),
             (VIEW_PURCHASING, N_("Purchase orders"), PurchasingView),
             (VIEW_ORDER, N_("An order's materials"), OrderMaterialsView),
             (VIEW_MASTER, N_("Materials, suppliers, bills of materials"), MasterDataView))
    tabs_name = "materials_views"

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.finish_setup()

