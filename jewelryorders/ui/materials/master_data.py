"""Master data of the Materials tab: materials, suppliers with their approved materials and rating, and a style's
bill of materials; each edited in a dialog that calls the materials services."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...i18n import N_, _, formats
from ...models.materials import MATERIAL_KINDS, METAL_COLOURS
from ...models.orders import METALS, STONE_TYPES
from ...services.errors import DomainError
from ...services.materials import master
from ...services.materials.common import qty_text, unit_label
from ...services.permissions import allowed
from .. import operations
from ..context import UiContext
from .rows_model import RowColumn, RowsModel, _selected, _table


def run_dialog(dialog: QDialog) -> bool:
    """Shown modally; tests replace this function to fill the dialog and accept it."""
    return dialog.exec() == QDialog.DialogCode.Accepted


class MaterialDialog(QDialog):
    def __init__(self, material: master.MaterialInfo | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("material_dialog")
        self.material = material
        self.setWindowTitle(_("Material {code}", code=material.code) if material else _("New material"))
        form = QFormLayout(self)
        self.code, self.name = QLineEdit(), QLineEdit()
        self.kind = QComboBox()
        for key, msgid in MATERIAL_KINDS.items():
            self.kind.addItem(_(msgid), key)
        self.alloy = QComboBox()
        self.alloy.addItem("", "")
        for key, msgid in METALS.items():
            self.alloy.addItem(f"{key} {_(msgid)}", key)
        self.colour = QComboBox()
        for key, msgid in METAL_COLOURS.items():
            self.colour.addItem(_(msgid), key)
        self.stone_type = QComboBox()
        self.stone_type.addItem("", "")
        for key, msgid in STONE_TYPES.items():
            self.stone_type.addItem(_(msgid), key)
        self.shape, self.size, self.colour_grade, self.clarity, self.certificate = (QLineEdit() for _i in range(5))
        for label, widget in ((_("Code"), self.code), (_("Name"), self.name), (_("Kind"), self.kind),
                              (_("Metal"), self.alloy), (_("Colour"), self.colour), (_("Stone"), self.stone_type),
                              (_("Shape"), self.shape), (_("Size or sieve"), self.size),
                              (_("Colour grade"), self.colour_grade), (_("Clarity"), self.clarity),
                              (_("Certificate no."), self.certificate)):
            form.addRow(label, widget)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        if material is not None:
            self.code.setText(material.code)
            self.name.setText(material.name)
            self.kind.setCurrentIndex(max(0, self.kind.findData(material.kind)))
            self.alloy.setCurrentIndex(max(0, self.alloy.findData(material.alloy)))
            self.colour.setCurrentIndex(max(0, self.colour.findData(material.colour)))
            self.stone_type.setCurrentIndex(max(0, self.stone_type.findData(material.stone_type)))
            for edit, value in ((self.shape, material.shape), (self.size, material.size),
                                (self.colour_grade, material.colour_grade), (self.clarity, material.clarity),
                                (self.certificate, material.certificate_no)):
                edit.setText(value)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()

    def _kind_changed(self) -> None:
        kind = self.kind.currentData()
        for widget in (self.alloy, self.colour):
            widget.setEnabled(kind == "metal")
        for widget in (self.stone_type, self.shape, self.size, self.colour_grade, self.clarity, self.certificate):
            widget.setEnabled(kind == "stone")

    def value(self) -> master.MaterialInput:
        return master.MaterialInput(
            code=self.code.text(), kind=self.kind.currentData(), name=self.name.text(), alloy=self.alloy.currentData(),
            colour=self.colour.currentData(), stone_type=self.stone_type.currentData(), shape=self.shape.text(),
            size=self.size.text(), colour_grade=self.colour_grade.text(), clarity=self.clarity.text(),
            certificate_no=self.certificate.text())


class SupplierDialog(QDialog):
    def __init__(self, materials: list[master.MaterialInfo], supplier: master.SupplierInfo | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("supplier_dialog")
        self.setWindowTitle(_("Supplier {code}", code=supplier.code) if supplier else _("New supplier"))
        form = QFormLayout(self)
        self.name, self.contact, self.phone, self.email, self.address = (QLineEdit() for _i in range(5))
        self.lead_days = QSpinBox()
        self.lead_days.setRange(0, 365)
        self.lead_days.setValue(supplier.lead_days if supplier else 14)
        self.approved = QListWidget()
        self.approved.setObjectName("approved_materials")
        chosen = set(supplier.approved_material_ids) if supplier else set()
        for m in materials:
            item = QListWidgetItem(f"{m.code} {m.name}")
            item.setData(Qt.ItemDataRole.UserRole, m.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if m.id in chosen else Qt.CheckState.Unchecked)
            self.approved.addItem(item)
        for label, widget in ((_("Name"), self.name), (_("Contact person"), self.contact), (_("Phone"), self.phone),
                              (_("E-mail"), self.email), (_("Address"), self.address),
                              (_("Lead time (days)"), self.lead_days), (_("Approved to supply"), self.approved)):
            form.addRow(label, widget)
        if supplier is not None:
            for edit, value in ((self.name, supplier.name), (self.contact, supplier.contact_person),
                                (self.phone, supplier.phone), (self.email, supplier.email),
                                (self.address, supplier.address)):
                edit.setText(value)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def value(self) -> master.SupplierInput:
        ids = [self.approved.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.approved.count())
               if self.approved.item(i).checkState() == Qt.CheckState.Checked]
        return master.SupplierInput(self.name.text(), self.contact.text(), self.phone.text(), self.email.text(),
                                    self.address.text(), self.lead_days.value(), True, ids)


BOM_COLUMNS = (N_("Material"), N_("Quantity per piece"), N_("Stones per piece"), N_("Loss allowance %"))


class MasterDataView(QWidget):
    """Materials and suppliers (with their delivery and inspection record), and a style's bill of materials."""

    sig_changed = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.materials_model = RowsModel([
            RowColumn(N_("Code"), lambda m: m.code),
            RowColumn(N_("Name"), lambda m: m.name),
            RowColumn(N_("Kind"), lambda m: _(MATERIAL_KINDS[m.kind])),
            RowColumn(N_("Unit"), lambda m: unit_label(m.unit)),
            RowColumn(N_("Metal"), lambda m: m.alloy),
            RowColumn(N_("Fineness ‰"), lambda m: str(m.fineness_permille or ""), True),
        ])
        self.suppliers_model = RowsModel([
            RowColumn(N_("Code"), lambda s: s[0].code),
            RowColumn(N_("Name"), lambda s: s[0].name),
            RowColumn(N_("Lead time (days)"), lambda s: str(s[0].lead_days), True),
            RowColumn(N_("On time"), lambda s: formats.percent(s[1].on_time_share, 0) if s[1].lines_received else "—",
                      True),
            RowColumn(N_("Lots rejected"), lambda s: formats.percent(s[1].rejected_share, 0) if s[1].lots else "—",
                      True),
        ])
        self.materials_table = _table(self.materials_model, "materials_table")
        self.suppliers_table = _table(self.suppliers_model, "suppliers_table")
        may_edit = allowed(ctx.actor, "materials.master")
        self.buttons = {key: QPushButton() for key in ("new_material", "edit_material", "new_supplier",
                                                         "edit_supplier", "load_bom", "add_bom_line",
                                                         "remove_bom_line", "save_bom")}
        for key, button in self.buttons.items():
            button.setObjectName(key)
        for key in ("new_material", "edit_material", "new_supplier", "edit_supplier"):
            self.buttons[key].setEnabled(may_edit)
        may_bom = allowed(ctx.actor, "materials.bom")
        for key in ("add_bom_line", "remove_bom_line", "save_bom"):
            self.buttons[key].setEnabled(may_bom)
        self.buttons["new_material"].clicked.connect(lambda: self.edit_material(None))
        self.buttons["edit_material"].clicked.connect(lambda: self.edit_material(self._selected_material()))
        self.buttons["new_supplier"].clicked.connect(lambda: self.edit_supplier(None))
        self.buttons["edit_supplier"].clicked.connect(lambda: self.edit_supplier(self._selected_supplier()))
        self.buttons["load_bom"].clicked.connect(self.load_bom)
        self.buttons["add_bom_line"].clicked.connect(lambda: self._add_bom_row())
        self.buttons["remove_bom_line"].clicked.connect(self._remove_bom_row)
        self.buttons["save_bom"].clicked.connect(self.save_bom)
        self.style_code = QLineEdit()
        self.style_code.setObjectName("bom_style")
        self.style_code.returnPressed.connect(self.load_bom)
        self.bom = QTableWidget(0, len(BOM_COLUMNS))
        self.bom.setObjectName("bom_table")
        self.bom.horizontalHeader().setStretchLastSection(True)
        self.captions = {key: QLabel() for key in ("materials", "suppliers", "bom", "style")}

        def box(caption: str, buttons: list[str], table) -> QWidget:
            w = QWidget()
            v = QVBoxLayout(w)
            v.setContentsMargins(0, 0, 0, 0)
            row = QHBoxLayout()
            row.addWidget(self.captions[caption], 1)
            for key in buttons:
                row.addWidget(self.buttons[key])
            v.addLayout(row)
            v.addWidget(table)
            return w

        bom_box = QWidget()
        bom_layout = QVBoxLayout(bom_box)
        bom_layout.setContentsMargins(0, 0, 0, 0)
        bom_head = QHBoxLayout()
        bom_head.addWidget(self.captions["bom"], 1)
        bom_head.addWidget(self.captions["style"])
        bom_head.addWidget(self.style_code)
        bom_head.addWidget(self.buttons["load_bom"])
        bom_layout.addLayout(bom_head)
        bom_layout.addWidget(self.bom)
        bom_buttons = QHBoxLayout()
        bom_buttons.addStretch(1)
        for key in ("add_bom_line", "remove_bom_line", "save_bom"):
            bom_buttons.addWidget(self.buttons[key])
        bom_layout.addLayout(bom_buttons)
        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(box("materials", ["new_material", "edit_material"], self.materials_table))
        left.addWidget(box("suppliers", ["new_supplier", "edit_supplier"], self.suppliers_table))
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(bom_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        texts = {"new_material": _("New material…"), "edit_material": _("Edit…"), "new_supplier": _("New supplier…"),
                 "edit_supplier": _("Edit…"), "load_bom": _("Show"), "add_bom_line": _("Add line"),
                 "remove_bom_line": _("Remove line"), "save_bom": _("Save the bill of materials")}
        for key, text in texts.items():
            self.buttons[key].setText(text)
        self.captions["materials"].setText(_("Materials"))
        self.captions["suppliers"].setText(_("Suppliers: on time and rejected lots (ISO 9001 8.4)"))
        self.captions["bom"].setText(_("Bill of materials per piece"))
        self.captions["style"].setText(_("Style"))
        self.bom.setHorizontalHeaderLabels([_(c) for c in BOM_COLUMNS])
        self.materials_model.retranslate()
        self.suppliers_model.retranslate()

    def refresh(self) -> None:
        try:
            self.materials = master.list_materials(self.ctx.db)
            self.materials_model.set_rows(self.materials)
            self.suppliers_model.set_rows([(s, master.supplier_rating(self.ctx.db, s.id))
                                           for s in master.list_suppliers(self.ctx.db)])
        except DomainError as exc:
            self.ctx.bus.sig_status_message.emit(str(exc))

    def _selected_material(self):
        return _selected(self.materials_table, self.materials_model)

    def _selected_supplier(self):
        row = _selected(self.suppliers_table, self.suppliers_model)
        return row[0] if row else None

    def _after(self, result) -> None:
        if result is not None:
            self.refresh()
            self.sig_changed.emit()

    def edit_material(self, material) -> None:
        if material is None and self.sender() is self.buttons["edit_material"]:
            self.ctx.bus.sig_status_message.emit(_("Choose a material first."))
            return
        dialog = MaterialDialog(material, self)
        if not run_dialog(dialog):
            return
        data = dialog.value()
        if material is None:
            self._after(operations.run(self.ctx, self, lambda: master.create_material(self.ctx.db, self.ctx.actor,
                                                                                      data)))
        else:
            self._after(operations.run(self.ctx, self, lambda: master.update_material(
                self.ctx.db, self.ctx.actor, material.id, material.version, data)))

    def edit_supplier(self, supplier) -> None:
        if supplier is None and self.sender() is self.buttons["edit_supplier"]:
            self.ctx.bus.sig_status_message.emit(_("Choose a supplier first."))
            return
        dialog = SupplierDialog(getattr(self, "materials", []), supplier, self)
        if not run_dialog(dialog):
            return
        data = dialog.value()
        if supplier is None:
            self._after(operations.run(self.ctx, self, lambda: master.create_supplier(self.ctx.db, self.ctx.actor,
                                                                                      data)))
        else:
            self._after(operations.run(self.ctx, self, lambda: master.update_supplier(
                self.ctx.db, self.ctx.actor, supplier.id, supplier.version, data)))

    # -- bill of materials -------------------------------------------------------------------------------------
    def _material_combo(self, material_id: int | None = None) -> QComboBox:
        combo = QComboBox()
        for m in getattr(self, "materials", []):
            combo.addItem(f"{m.code} {m.name} ({unit_label(m.unit)})", m.id)
        if material_id is not None:
            combo.setCurrentIndex(max(0, combo.findData(material_id)))
        return combo

    def _add_bom_row(self, material_id: int | None = None, qty: str = "", stones: int = 0, loss: str = "0") -> None:
        row = self.bom.rowCount()
        self.bom.insertRow(row)
        self.bom.setCellWidget(row, 0, self._material_combo(material_id))
        self.bom.setItem(row, 1, QTableWidgetItem(qty))
        self.bom.setItem(row, 2, QTableWidgetItem(str(stones)))
        self.bom.setItem(row, 3, QTableWidgetItem(loss))

    def _remove_bom_row(self) -> None:
        row = self.bom.currentRow()
        if row >= 0:
            self.bom.removeRow(row)

    def load_bom(self) -> None:
        code = self.style_code.text().strip()
        lines = operations.run(self.ctx, self, lambda: master.get_bom(self.ctx.db, code))
        if lines is None:
            return
        self.bom.setRowCount(0)
        for line in lines:
            self._add_bom_row(line.material_id, qty_text(line.qty_per_piece, line.unit).replace(",", ""),
                              line.pieces_per_piece, f"{line.loss_permille / 10:g}")

    def bom_lines(self) -> list[master.BomLineInput]:
        out = []
        for row in range(self.bom.rowCount()):
            combo = self.bom.cellWidget(row, 0)
            cell = [self.bom.item(row, c).text() if self.bom.item(row, c) else "" for c in (1, 2, 3)]
            out.append(master.BomLineInput(combo.currentData(), cell[0], cell[1] or 0, cell[2] or "0"))
        return out

    def save_bom(self) -> None:
        code = self.style_code.text().strip()
        lines = self.bom_lines()
        self._after(operations.run(self.ctx, self, lambda: master.set_bom(self.ctx.db, self.ctx.actor, code, lines),
                                   success=_("Bill of materials of {code} saved", code=code)))
