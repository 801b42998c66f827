"""Write a quality standard (procedure 5.1), or a new version of one that takes effect on a later date: per product
type or style (or incoming material kind), characteristics of six kinds, each with its nominal value and tolerance
or a pass/fail criterion, unit, method and instrument. Saving goes through the quality service."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ... import clock
from ...i18n import N_, _
from ...models.quality import CHARACTERISTIC_KINDS, INSTRUMENT_KINDS, MEASURE_UNITS, STANDARD_SCOPES
from ...services.quality import master
from .. import operations
from ..context import UiContext

# Columns of the characteristics table: (key, header).
COLUMNS = [
    ("kind", N_("Kind")),
    ("name", N_("Characteristic")),
    ("nominal", N_("Nominal")),
    ("tol_minus", N_("Tolerance −")),
    ("tol_plus", N_("Tolerance +")),
    ("unit", N_("Unit")),
    ("criterion", N_("Pass/fail criterion")),
    ("method", N_("Method")),
    ("instrument_kind", N_("Instrument")),
]
COMBO_COLUMNS = {"kind": CHARACTERISTIC_KINDS, "unit": MEASURE_UNITS,
                 "instrument_kind": {"": N_("instrument|(none)"), **INSTRUMENT_KINDS}}


def _text(value) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return "" if value is None else str(value)


class StandardDialog(QDialog):
    """A new standard, or (given `base`, the version in force) the next version of it, pre-filled."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None, base: master.StandardView | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.base = base
        self.saved: master.StandardView | None = None
        self.setObjectName("standard_dialog")
        self.code = QLineEdit()
        self.code.setObjectName("standard_code")
        self.code.setMaxLength(40)
        self.title_edit = QLineEdit()
        self.title_edit.setObjectName("standard_title")
        self.scope = QComboBox()
        self.scope.setObjectName("standard_scope")
        for key, label in STANDARD_SCOPES.items():
            self.scope.addItem(_(label), key)
        self.product_type = QLineEdit()
        self.product_type.setObjectName("standard_product_type")
        self.product_type.setMaxLength(20)
        self.style_code = QLineEdit()
        self.style_code.setObjectName("standard_style")
        self.material_kind = QLineEdit()
        self.material_kind.setObjectName("standard_material_kind")
        self.material_kind.setMaxLength(12)
        self.effective = QDateEdit()
        self.effective.setObjectName("standard_effective_from")
        self.effective.setCalendarPopup(True)
        self.effective.setDisplayFormat("yyyy-MM-dd")
        self.change_note = QLineEdit()
        self.change_note.setObjectName("standard_change_note")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("characteristics_table")
        self.table.setHorizontalHeaderLabels([_(h) for _k, h in COLUMNS])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in enumerate((170, 150, 70, 85, 85, 105, 180, 120, 110)):
            self.table.setColumnWidth(col, width)
        header.setStretchLastSection(True)
        self.add_button = QPushButton(_("Add characteristic"))
        self.add_button.setObjectName("add_characteristic")
        self.add_button.clicked.connect(lambda: self.add_row())
        self.remove_button = QPushButton(_("Remove characteristic"))
        self.remove_button.setObjectName("remove_characteristic")
        self.remove_button.clicked.connect(self.remove_row)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(_("Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow(_("Code"), self.code)
        form.addRow(_("Title"), self.title_edit)
        form.addRow(_("Applies to"), self.scope)
        form.addRow(_("Product type"), self.product_type)
        form.addRow(_("Style no."), self.style_code)
        form.addRow(_("Material kind"), self.material_kind)
        form.addRow(_("Effective from"), self.effective)
        form.addRow(_("Change note"), self.change_note)
        rows = QHBoxLayout()
        rows.addWidget(self.add_button)
        rows.addWidget(self.remove_button)
        rows.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel(_("Characteristics (a nominal value with its tolerance and unit, or a pass/fail "
                                  "criterion)")))
        layout.addWidget(self.table, 1)
        layout.addLayout(rows)
        layout.addWidget(self.buttons)
        self.scope.currentIndexChanged.connect(self._scope_changed)

        if base is None:
            self.setWindowTitle(_("New quality standard"))
            self.effective.setDate(QDate(clock.today()))
            self.add_row()
        else:
            self.setWindowTitle(_("New version of quality standard {code}", code=base.code))
            self.code.setText(base.code)
            self.code.setReadOnly(True)
            self.title_edit.setText(base.title)
            self.scope.setCurrentIndex(max(0, self.scope.findData(base.scope)))
            self.product_type.setText(base.product_type)
            self.style_code.setText(base.style_code)
            self.material_kind.setText(base.material_kind)
            later = max(clock.today(), base.effective_from) + dt.timedelta(days=1)
            self.effective.setDate(QDate(later))
            for c in base.characteristics:
                self.add_row(master.CharacteristicInput(
                    c.kind, c.name, _text(c.nominal), _text(c.tol_minus), _text(c.tol_plus), c.unit, c.criterion,
                    c.method, c.instrument_kind))
        self._scope_changed()
        self.resize(1180, 640)

    # -- rows ------------------------------------------------------------------------------------------------
    def add_row(self, c: master.CharacteristicInput | None = None) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for col, (key, _h) in enumerate(COLUMNS):
            value = getattr(c, key) if c is not None else ""
            if key in COMBO_COLUMNS:
                combo = QComboBox()
                for k, label in COMBO_COLUMNS[key].items():
                    combo.addItem(_(label), k)
                combo.setCurrentIndex(max(0, combo.findData(value or "")))
                self.table.setCellWidget(row, col, combo)
            else:
                self.table.setItem(row, col, QTableWidgetItem(_text(value)))
        return row

    def remove_row(self) -> None:
        row = self.table.currentRow()
        if row < 0:
            row = self.table.rowCount() - 1
        if row >= 0:
            self.table.removeRow(row)

    def set_cell(self, row: int, key: str, value: str) -> None:
        col = [k for k, _h in COLUMNS].index(key)
        if key in COMBO_COLUMNS:
            combo = self.table.cellWidget(row, col)
            combo.setCurrentIndex(combo.findData(value))
        else:
            self.table.item(row, col).setText(value)

    def _cell(self, row: int, key: str) -> str:
        col = [k for k, _h in COLUMNS].index(key)
        if key in COMBO_COLUMNS:
            return self.table.cellWidget(row, col).currentData() or ""
        item = self.table.item(row, col)
        return item.text().strip() if item is not None else ""

    def characteristics(self) -> list[master.CharacteristicInput]:
        out = []
        for row in range(self.table.rowCount()):
            values = {key: self._cell(row, key) for key, _h in COLUMNS}
            if not any(values[k] for k in ("name", "nominal", "tol_minus", "tol_plus", "criterion", "method")):
                continue  # an empty row left over is not a characteristic
            out.append(master.CharacteristicInput(
                values["kind"], values["name"], values["nominal"] or None, values["tol_minus"] or None,
                values["tol_plus"] or None, values["unit"], values["criterion"], values["method"],
                values["instrument_kind"]))
        return out

    def _scope_changed(self) -> None:
        product = self.scope.currentData() == "product"
        self.product_type.setEnabled(product)
        self.style_code.setEnabled(product)
        self.material_kind.setEnabled(not product)

    # -- saving ----------------------------------------------------------------------------------------------
    def data(self) -> master.StandardInput:
        product = self.scope.currentData() == "product"
        return master.StandardInput(
            self.code.text(), self.title_edit.text(), self.effective.date().toPython(), self.characteristics(),
            scope=self.scope.currentData(), product_type=self.product_type.text() if product else "",
            style_code=self.style_code.text() if product else "",
            material_kind=self.material_kind.text() if not product else "", change_note=self.change_note.text())

    def save(self) -> None:
        data = self.data()
        done = operations.run(self.ctx, self, lambda: master.create_standard_version(self.ctx.db, self.ctx.actor, data),
                              success=_("Quality standard {code} saved.", code=data.code.strip().upper()))
        if done is not None:
            self.saved = done
            self.accept()


def run_dialog(dialog: StandardDialog) -> bool:
    """Show the dialog modally; tests replace this to fill it in and save."""
    return dialog.exec() == QDialog.DialogCode.Accepted


def open_standard_dialog(ctx: UiContext, parent: QWidget | None, base_id: int | None = None) -> bool:
    """A new standard, or (base_id: any version of it) a new version pre-filled from the version in force."""
    base = None
    if base_id is not None:
        chosen = master.get_standard(ctx.db, base_id)
        base = operations.run(ctx, parent, lambda: master.standard_in_force(ctx.db, chosen.code)) or chosen
    return run_dialog(StandardDialog(ctx, parent, base))
