"""Inspection entry (IQC, FAI, IPQC, FQC) against the standard in force, with the list of inspections."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...i18n import N_, _, current_language
from ...models.quality import CHARACTERISTIC_KINDS, INSPECTION_KINDS, INSPECTION_RESULTS, SAMPLING
from ...services.quality import inspections, master, ncr, papers
from ...services.quality.common import number_text, tolerance_text, unit_label
from .. import operations
from ..context import UiContext
from ..materials.rows_model import RowColumn, RowsModel, _selected, _table
from . import common
from .common import _when


class InspectionView(QWidget):
    """Enter an inspection: what is inspected, the standard in force, a value and instrument per characteristic."""

    sig_changed = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.kind = QComboBox()
        self.kind.setObjectName("inspection_kind")
        for key in INSPECTION_KINDS:
            self.kind.addItem("", key)
        self.subject = QLineEdit()
        self.subject.setObjectName("inspection_subject")
        self.standard = QComboBox()
        self.standard.setObjectName("inspection_standard")
        self.standard.currentIndexChanged.connect(self._fill_characteristics)
        self.sampling = QComboBox()
        self.sampling.setObjectName("inspection_sampling")
        for key in SAMPLING:
            self.sampling.addItem("", key)
        self.quantity, self.sample_size, self.failed = QLineEdit(), QLineEdit(), QLineEdit()
        self.aql, self.reinspects, self.note = QLineEdit(), QLineEdit(), QLineEdit()
        for name, w in (("inspection_quantity", self.quantity), ("inspection_sample", self.sample_size),
                        ("inspection_failed", self.failed), ("inspection_aql", self.aql),
                        ("inspection_reinspects", self.reinspects), ("inspection_note", self.note)):
            w.setObjectName(name)
        self.values = QTableWidget(0, 5)
        self.values.setObjectName("inspection_values")
        self.values.verticalHeader().setVisible(False)
        header = self.values.horizontalHeader()
        for column, mode in enumerate((QHeaderView.ResizeMode.Stretch, QHeaderView.ResizeMode.ResizeToContents,
                                       QHeaderView.ResizeMode.Interactive, QHeaderView.ResizeMode.Interactive,
                                       QHeaderView.ResizeMode.ResizeToContents)):
            header.setSectionResizeMode(column, mode)
        header.resizeSection(2, 110)
        header.resizeSection(3, 80)
        self._filled_key: tuple = ()
        self.save_button = QPushButton()
        self.save_button.setObjectName("save_inspection")
        self.save_button.clicked.connect(self.save)
        self.list_model = RowsModel([
            RowColumn(N_("Inspection no."), lambda r: r.inspection_no),
            RowColumn(N_("Kind"), lambda r: r.kind.upper()),
            RowColumn(N_("Inspected"), lambda r: r.subject),
            RowColumn(N_("Standard"), lambda r: r.standard),
            RowColumn(N_("Quantity"), lambda r: str(r.quantity), True),
            RowColumn(N_("Pieces passed"), lambda r: str(r.quantity_passed), True),
            RowColumn(N_("Result"), lambda r: _(INSPECTION_RESULTS[r.result])),
            RowColumn(N_("Inspected at"), lambda r: _when(r.inspected_at)),
            RowColumn(N_("Inspector"), lambda r: r.inspector),
        ])
        self.list_table = _table(self.list_model, "inspections_table", stretch_column=2)
        self.print_button = QPushButton()
        self.print_button.setObjectName("print_inspection")
        self.print_button.clicked.connect(self.print_report)

        form = QFormLayout()
        self.labels = [QLabel() for _i in range(9)]
        for label, w in zip(self.labels, (self.kind, self.subject, self.standard, self.sampling, self.quantity,
                                          self.sample_size, self.aql, self.failed, self.reinspects)):
            form.addRow(label, w)
        self.note_label = QLabel()
        form.addRow(self.note_label, self.note)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(form)
        left_layout.addWidget(self.values, 1)
        left_layout.addWidget(self.save_button)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.list_table, 1)
        right_layout.addWidget(self.print_button)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        layout = QVBoxLayout(self)
        layout.addWidget(split)
        self._instruments: list = []
        self._standard_views: list = []

    def retranslate_ui(self) -> None:
        for i, key in enumerate(INSPECTION_KINDS):
            self.kind.setItemText(i, _(INSPECTION_KINDS[key]))
        for i, key in enumerate(SAMPLING):
            self.sampling.setItemText(i, _(SAMPLING[key]))
        for label, text in zip(self.labels, (_("Kind"), _("Lot, task sheet or order no."), _("Standard"),
                                             _("Sampling"), _("Quantity"), _("Sample size"), _("AQL"),
                                             _("Pieces failed"), _("Re-inspection of NCR"))):
            label.setText(text)
        self.note_label.setText(_("Note"))
        self.values.setHorizontalHeaderLabels([_("Characteristic"), _("Nominal"), _("Tolerance"), _("Measured"),
                                               _("Instrument")])
        self.save_button.setText(_("Save inspection"))
        self._filled_key = ()
        self._fill_characteristics()
        self.print_button.setText(_("Print inspection report…"))
        self.list_model.retranslate()

    def refresh(self) -> None:
        current = self.standard.currentData()
        self._standard_views = [v for v in master.list_standards(self.ctx.db) if v.state == "in_force"]
        self._instruments = [i for i in master.list_instruments(self.ctx.db)]
        self.standard.blockSignals(True)
        self.standard.clear()
        for v in self._standard_views:
            self.standard.addItem(f"{v.code} v{v.version_no} — {v.title}", v.id)
        index = self.standard.findData(current)
        self.standard.setCurrentIndex(max(0, index))
        self.standard.blockSignals(False)
        self._fill_characteristics()
        self.list_model.set_rows(inspections.list_inspections(self.ctx.db, limit=300))

    def _fill_characteristics(self) -> None:
        view = next((v for v in self._standard_views if v.id == self.standard.currentData()), None)
        key = (view.id if view else None, tuple((i.id, i.status()) for i in self._instruments))
        if key == self._filled_key:
            return  # the same standard and instruments: keep the rows (and their widgets) as they are
        self._filled_key = key
        chars = view.characteristics if view else ()
        self.values.setRowCount(0)
        self.values.setRowCount(len(chars))
        for row, c in enumerate(chars):
            name = QTableWidgetItem(f"{_(CHARACTERISTIC_KINDS[c.kind])}: {c.name}")
            name.setData(Qt.ItemDataRole.UserRole, c.id)
            nominal = QTableWidgetItem(number_text(c.nominal) + (f" {unit_label(c.unit)}" if c.unit else ""))
            tol = QTableWidgetItem(tolerance_text(c))
            for item in (name, nominal, tol):
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.values.setItem(row, 0, name)
            self.values.setItem(row, 1, nominal)
            self.values.setItem(row, 2, tol)
            self.values.setItem(row, 3, QTableWidgetItem(""))
            combo = QComboBox()
            combo.addItem("—", None)
            for inst in self._instruments:
                if not c.instrument_kind or inst.kind == c.instrument_kind or not c.unit:
                    mark = " ⚠" if inst.status() != "ok" else ""
                    combo.addItem(f"{inst.code} {inst.name}{mark}", inst.id)
            if c.unit and combo.count() > 1:
                combo.setCurrentIndex(1)
            self.values.setCellWidget(row, 4, combo)

    def set_value(self, row: int, text: str, instrument_id: int | None = None) -> None:
        """Type a value into a row (the tests use it as the inspector does)."""
        self.values.item(row, 3).setText(text)
        if instrument_id is not None:
            combo = self.values.cellWidget(row, 4)
            combo.setCurrentIndex(combo.findData(instrument_id))

    def characteristic_rows(self) -> dict[str, int]:
        return {self.values.item(r, 0).text().split(": ", 1)[-1]: r for r in range(self.values.rowCount())}

    def save(self):
        kind = self.kind.currentData()
        measurements = []
        for row in range(self.values.rowCount()):
            cid = self.values.item(row, 0).data(Qt.ItemDataRole.UserRole)
            measurements.append(inspections.Measurement(cid, self.values.item(row, 3).text(),
                                                        self.values.cellWidget(row, 4).currentData()))
        reinspects = self.reinspects.text().strip()

        def call():
            ncr_id = ncr.get_ncr(self.ctx.db, reinspects).id if reinspects else None
            subject = (inspections.resolve_subject(self.ctx.db, kind, self.subject.text())
                       if self.subject.text().strip() or not ncr_id else inspections.Subject())
            return inspections.record_inspection(self.ctx.db, self.ctx.actor, inspections.InspectionInput(
                kind, self.standard.currentData(), measurements, order_id=subject.order_id, lot_id=subject.lot_id,
                task_sheet_id=subject.task_sheet_id, reinspects_ncr_id=ncr_id, sampling=self.sampling.currentData(),
                aql=self.aql.text(), quantity=self.quantity.text() or None, sample_size=self.sample_size.text(),
                quantity_failed=self.failed.text() or None, note=self.note.text()))

        done = operations.run(self.ctx, self, call, success=_("Inspection saved."))
        if done is not None:
            for row in range(self.values.rowCount()):
                self.values.item(row, 3).setText("")
            for w in (self.failed, self.reinspects, self.note, self.quantity):
                w.clear()
            self.sig_changed.emit()
        return done

    def print_report(self) -> None:
        row = _selected(self.list_table, self.list_model)
        if row is None:
            return
        out = Path(tempfile.mkdtemp(prefix="jo-quality-")) / f"{row.inspection_no}.pdf"
        done = operations.run(self.ctx, self, lambda: papers.print_inspection_report(
            self.ctx.db, self.ctx.actor, row.inspection_no, out, current_language()))
        if done is not None:
            common.open_file(done)
