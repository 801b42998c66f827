"""The Quality tab: inspection entry (IQC, FAI, IPQC, FQC) against the standard in force, the NCR workflow
(disposition, corrective action, rectification, verification, closing), standards, instruments with their
calibration warnings, and repeat offences with a Pareto chart. Every change goes through the quality services."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import QRectF, Qt, QUrl, Signal
from PySide6.QtGui import QColor, QDesktopServices, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHeaderView,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...i18n import N_, _, current_language
from ...models.quality import (
    CHARACTERISTIC_KINDS,
    DISPOSITIONS,
    FREQUENCIES,
    INSPECTION_KINDS,
    INSPECTION_RESULTS,
    INSTRUMENT_KINDS,
    NCR_STATUSES,
    SAMPLING,
)
from ...models.users import DEPARTMENTS
from ...services.permissions import allowed
from ...services.quality import inspections, master, ncr, papers
from ...services.quality.common import number_text, tolerance_text, unit_label
from .. import operations
from ..context import UiContext
from ..materials.rows_model import RowColumn, RowsModel, _selected, _table


def ask_text(parent: QWidget, title: str, label: str) -> str | None:
    """A line typed by the user (None when cancelled); tests replace this function."""
    text, ok = QInputDialog.getText(parent, title, label)
    return text if ok else None


def ask_choice(parent: QWidget, title: str, label: str, items: list[str]) -> int | None:
    """The index of the item chosen (None when cancelled); tests replace this function."""
    item, ok = QInputDialog.getItem(parent, title, label, items, 0, False)
    return items.index(item) if ok else None


def ask_photo_paths(parent: QWidget) -> list[str]:
    """Photo files chosen by the user (empty when cancelled); tests replace this function."""
    paths, _filter = QFileDialog.getOpenFileNames(parent, _("Photos"), "",
                                                  _("Images (*.jpg *.jpeg *.png *.tif *.tiff);;All files (*)"))
    return paths


def open_file(path: Path) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def _when(value) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else ""


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
            open_file(done)


class NcrView(QWidget):
    """Nonconformance reports and their workflow, each step by whoever the procedure names."""

    sig_changed = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.filter = QComboBox()
        self.filter.setObjectName("ncr_filter")
        for key in ("not_closed", "", "closed"):
            self.filter.addItem("", key)
        self.filter.currentIndexChanged.connect(self.refresh)
        self.model = RowsModel([
            RowColumn(N_("NCR no."), lambda r: r.ncr_no),
            RowColumn(N_("Status"), lambda r: _(NCR_STATUSES[r.status]) + (" ⚠" if r.overdue else "")),
            RowColumn(N_("What was found"), lambda r: r.description),
            RowColumn(N_("Quantity affected"), lambda r: str(r.quantity), True),
            RowColumn(N_("Responsible department"), lambda r: _(DEPARTMENTS.get(r.responsible_department, "—"))),
            RowColumn(N_("Disposition"), lambda r: _(DISPOSITIONS[r.disposition]) if r.disposition else ""),
            RowColumn(N_("Found at"), lambda r: _when(r.found_at)),
        ])
        self.table = _table(self.model, "ncr_table", stretch_column=2)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self.show_detail())
        self.detail = QPlainTextEdit()
        self.detail.setObjectName("ncr_detail")
        self.detail.setReadOnly(True)
        self.buttons = {}
        for key, handler, perm in (("disposition", self.disposition, "quality.disposition"),
                                   ("action", self.corrective_action, "quality.corrective"),
                                   ("rectify", self.rectify, "quality.corrective"),
                                   ("verify", self.verify, "quality.verify"),
                                   ("close", self.close_ncr, "quality.verify"),
                                   ("photos", self.attach_photos, "quality.inspect_fai"),
                                   ("print", self.print_ncr, "quality.print")):
            b = QPushButton()
            b.setObjectName(f"ncr_{key}")
            b.setEnabled(allowed(ctx.actor, perm))
            b.clicked.connect(handler)
            self.buttons[key] = b
        head = QHBoxLayout()
        head.addWidget(self.filter)
        head.addStretch(1)
        row = QHBoxLayout()
        for b in self.buttons.values():
            row.addWidget(b)
        row.addStretch(1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(split, 1)
        layout.addLayout(row)

    def retranslate_ui(self) -> None:
        for i, text in enumerate((_("Not closed"), _("All"), _("ncr|Closed"))):
            self.filter.setItemText(i, text)
        for key, text in (("disposition", _("Disposition…")), ("action", _("Corrective action…")),
                          ("rectify", _("Rectification report…")), ("verify", _("Verify…")),
                          ("close", _("Close NCR")), ("photos", _("Attach photos…")),
                          ("print", _("Print NCR…"))):
            self.buttons[key].setText(text)
        self.model.retranslate()
        self.show_detail()

    def refresh(self) -> None:
        selected = self.current()
        self.model.set_rows(ncr.list_ncrs(self.ctx.db, status=self.filter.currentData() or None, limit=500))
        if selected is not None:
            self.select(selected.ncr_no)

    def select(self, ncr_no: str) -> None:
        for i, r in enumerate(self.model.rows):
            if r.ncr_no == ncr_no:
                self.table.selectRow(i)
                return

    def current(self):
        return _selected(self.table, self.model)

    def show_detail(self) -> None:
        n = self.current()
        if n is None:
            self.detail.setPlainText("")
            return
        lines = [f"{n.ncr_no} — {_(NCR_STATUSES[n.status])}",
                 f"{_('Found by inspection')}: {n.inspection_no}  {n.order_no} {n.sheet_no} {n.lot_no}",
                 f"{_('What was found')}: {n.description}",
                 f"{_('Disposition')}: {_(DISPOSITIONS[n.disposition]) if n.disposition else '—'} {n.disposition_note}",
                 f"{_('Root cause')}: {n.root_cause or '—'}",
                 f"{_('Corrective action')}: {n.action or '—'} ({n.action_owner} {n.action_due or ''})",
                 f"{_('Rectification report')}: {n.rectification or '—'}",
                 f"{_('Re-inspections')}: " + ("; ".join(f"{a} {_(INSPECTION_RESULTS[b])} ({c})"
                                                          for a, b, c in n.reinspections) or "—")]
        if n.close_blockers:
            lines.append(_("Before it closes: {reasons}", reasons="; ".join(n.close_blockers)))
        self.detail.setPlainText("\n".join(lines))

    def _act(self, call, success: str):
        done = operations.run(self.ctx, self, call, success=success)
        if done is not None:
            self.sig_changed.emit()
        return done

    def disposition(self):
        n = self.current()
        if n is None:
            return None
        keys = list(DISPOSITIONS)
        choice = ask_choice(self, _("Disposition"), _("Disposition"), [_(DISPOSITIONS[k]) for k in keys])
        if choice is None:
            return None
        key = keys[choice]
        note = ask_text(self, _("Disposition"), _("Reason"))
        if note is None:
            return None
        approval = metal = ""
        if key == "concession":
            approval = ask_text(self, _("Disposition"), _("Customer's approval (who, when, how)")) or ""
        if key == "scrap":
            metal = ask_text(self, _("Disposition"), _("Metal recovered (g)")) or ""
        return self._act(lambda: ncr.decide_disposition(self.ctx.db, self.ctx.actor, n.id, key, note=note,
                                                        customer_approval=approval, metal_recovered_g=metal,
                                                        expected_version=n.version),
                         _("Disposition recorded."))

    def corrective_action(self):
        n = self.current()
        if n is None:
            return None
        whys = []
        for i in range(5):
            why = ask_text(self, _("Root cause (5-why)"), _("Why {n}?", n=i + 1))
            if why is None:
                return None
            if not why.strip():
                break
            whys.append(why)
        action = ask_text(self, _("Corrective action"), _("Corrective action"))
        due = ask_text(self, _("Corrective action"), _("Due date (YYYY-MM-DD)"))
        if action is None or due is None:
            return None
        return self._act(lambda: ncr.record_corrective_action(
            self.ctx.db, self.ctx.actor, n.id, method="five_why", root_cause=whys, action=action,
            owner_id=self.ctx.actor.user_id, due=due, expected_version=n.version), _("Corrective action recorded."))

    def rectify(self):
        n = self.current()
        report = ask_text(self, _("Rectification report"), _("What the department did")) if n else None
        if report is None:
            return None
        return self._act(lambda: ncr.submit_rectification(self.ctx.db, self.ctx.actor, n.id, report,
                                                          expected_version=n.version),
                         _("Rectification report submitted."))

    def verify(self):
        n = self.current()
        if n is None:
            return None
        choice = ask_choice(self, _("Verify"), _("Was the corrective action effective?"),
                            [_("effective"), _("not effective")])
        note = ask_text(self, _("Verify"), _("What was re-checked")) if choice is not None else None
        if note is None:
            return None
        return self._act(lambda: ncr.verify(self.ctx.db, self.ctx.actor, n.id, effective=choice == 0, note=note,
                                            expected_version=n.version), _("Verification recorded."))

    def close_ncr(self):
        n = self.current()
        if n is None:
            return None
        return self._act(lambda: ncr.close_ncr(self.ctx.db, self.ctx.actor, n.id, expected_version=n.version),
                         _("NCR closed."))

    def attach_photos(self):
        n = self.current()
        paths = ask_photo_paths(self) if n else []
        if not paths:
            return None
        return self._act(lambda: ncr.attach_photos(self.ctx.db, self.ctx.actor, paths=paths, ncr_id=n.id),
                         _("Photos attached."))

    def print_ncr(self) -> None:
        n = self.current()
        if n is None:
            return
        out = Path(tempfile.mkdtemp(prefix="jo-quality-")) / f"{n.ncr_no}.pdf"
        done = operations.run(self.ctx, self, lambda: papers.print_ncr(self.ctx.db, self.ctx.actor, n.ncr_no, out,
                                                                       current_language()))
        if done is not None:
            open_file(done)


class StandardsView(QWidget):
    """Standards (every version, which is in force) and the measuring instruments with their calibration."""

    sig_changed = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        states = {"in_force": N_("In force"), "superseded": N_("Superseded"), "not_yet": N_("Not yet in force")}
        self.standards_model = RowsModel([
            RowColumn(N_("Code"), lambda r: r.code),
            RowColumn(N_("Title"), lambda r: r.title),
            RowColumn(N_("Version"), lambda r: str(r.version_no), True),
            RowColumn(N_("Effective from"), lambda r: r.effective_from.isoformat()),
            RowColumn(N_("Status"), lambda r: _(states[r.state])),
        ])
        self.instruments_model = RowsModel([
            RowColumn(N_("Code"), lambda r: r.code),
            RowColumn(N_("Name"), lambda r: r.name),
            RowColumn(N_("Kind"), lambda r: _(INSTRUMENT_KINDS[r.kind])),
            RowColumn(N_("Calibration due"), lambda r: r.calibration_due.isoformat()),
            RowColumn(N_("Status"), lambda r: {"ok": _("OK"), "due_soon": _("Due soon"),
                                               "overdue": _("Past due — do not use")}[r.status()]),
        ])
        self.points_model = RowsModel([
            RowColumn(N_("Routing"), lambda r: r.product_type),
            RowColumn(N_("Step"), lambda r: f"{r.step_seq}. {r.step_name}"),
            RowColumn(N_("First article required"), lambda r: "✓" if r.fai_required else ""),
            RowColumn(N_("In-process control point"), lambda r: "✓" if r.ipqc else ""),
            RowColumn(N_("Frequency"), lambda r: _(FREQUENCIES[r.frequency]) if r.ipqc else ""),
            RowColumn(N_("Sample size"), lambda r: str(r.sample_size) if r.ipqc else "", True),
        ])
        self.points_table = _table(self.points_model, "control_points_table")
        self.point_button = QPushButton()
        self.point_button.setObjectName("set_control_point")
        self.point_button.setEnabled(allowed(ctx.actor, "quality.control_points"))
        self.point_button.clicked.connect(self.set_point)
        self.standards_table = _table(self.standards_model, "standards_table")
        self.instruments_table = _table(self.instruments_model, "instruments_table")
        self.warning = QLabel()
        self.warning.setObjectName("calibration_warning")
        self.warning.setStyleSheet("color: #b71c1c;")
        self.warning.setWordWrap(True)
        self.print_button = QPushButton()
        self.print_button.setObjectName("print_standard")
        self.print_button.clicked.connect(self.print_standard)
        self.new_standard_button, self.new_version_button = QPushButton(), QPushButton()
        for b, name, base in ((self.new_standard_button, "new_standard", False),
                              (self.new_version_button, "new_standard_version", True)):
            b.setObjectName(name)
            b.setEnabled(allowed(ctx.actor, "quality.standards"))
            b.clicked.connect(lambda _c=False, base=base: self.write_standard(base))
        self.calibrate_button = QPushButton()
        self.calibrate_button.setObjectName("calibrate_instrument")
        self.calibrate_button.setEnabled(allowed(ctx.actor, "quality.instruments"))
        self.calibrate_button.clicked.connect(self.calibrate)
        self.new_instrument_button = QPushButton()
        self.new_instrument_button.setObjectName("new_instrument")
        self.new_instrument_button.setEnabled(allowed(ctx.actor, "quality.instruments"))
        self.new_instrument_button.clicked.connect(self.new_instrument)
        self.standards_label, self.instruments_label, self.points_label = QLabel(), QLabel(), QLabel()
        left = QWidget()
        layout = QVBoxLayout(left)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.standards_label)
        layout.addWidget(self.standards_table, 1)
        standard_buttons = QHBoxLayout()
        for b in (self.print_button, self.new_standard_button, self.new_version_button):
            standard_buttons.addWidget(b)
        standard_buttons.addStretch(1)
        layout.addLayout(standard_buttons)
        layout.addWidget(self.instruments_label)
        layout.addWidget(self.warning)
        layout.addWidget(self.instruments_table, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.calibrate_button)
        buttons.addWidget(self.new_instrument_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.points_label)
        right_layout.addWidget(self.points_table, 1)
        right_layout.addWidget(self.point_button, 0, Qt.AlignmentFlag.AlignLeft)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        outer = QVBoxLayout(self)
        outer.addWidget(split)

    def retranslate_ui(self) -> None:
        self.standards_label.setText(_("Quality standards"))
        self.instruments_label.setText(_("Measuring instruments"))
        self.print_button.setText(_("Print standard…"))
        self.new_standard_button.setText(_("New standard…"))
        self.new_version_button.setText(_("New version…"))
        self.calibrate_button.setText(_("Record calibration…"))
        self.new_instrument_button.setText(_("New instrument…"))
        self.points_label.setText(_("Control points of the routings"))
        self.point_button.setText(_("Set control point…"))
        self.points_model.retranslate()
        self.standards_model.retranslate()
        self.instruments_model.retranslate()
        self._warn()

    def refresh(self) -> None:
        self.standards_model.set_rows(master.list_standards(self.ctx.db))
        self.instruments_model.set_rows(master.list_instruments(self.ctx.db))
        self.points_model.set_rows(master.list_control_points(self.ctx.db))
        self._warn()

    def _warn(self) -> None:
        rows = [r for r in self.instruments_model.rows if r.status() != "ok"]
        self.warning.setText(_("Calibration due or past due: {codes}", codes=", ".join(
            f"{r.code} ({r.calibration_due.isoformat()})" for r in rows)) if rows else "")

    def write_standard(self, new_version: bool) -> None:
        from .standard_dialog import open_standard_dialog
        row = _selected(self.standards_table, self.standards_model) if new_version else None
        if new_version and row is None:
            return
        if open_standard_dialog(self.ctx, self, row.id if row else None):
            self.refresh()
            self.sig_changed.emit()

    def print_standard(self) -> None:
        row = _selected(self.standards_table, self.standards_model)
        if row is None:
            return
        out = Path(tempfile.mkdtemp(prefix="jo-quality-")) / f"{row.code}-v{row.version_no}.pdf"
        done = operations.run(self.ctx, self, lambda: papers.print_standard(self.ctx.db, self.ctx.actor, row.id, out,
                                                                            current_language()))
        if done is not None:
            open_file(done)

    def new_instrument(self):
        title = _("New instrument…")
        kinds = list(INSTRUMENT_KINDS)
        code = ask_text(self, title, _("Code"))
        name = ask_text(self, title, _("Name")) if code is not None else None
        kind = ask_choice(self, title, _("Kind"), [_(INSTRUMENT_KINDS[k]) for k in kinds]) if name is not None \
            else None
        calibrated = ask_text(self, title, _("Calibrated on (YYYY-MM-DD)")) if kind is not None else None
        interval = ask_text(self, title, _("Calibration interval (days)")) if calibrated is not None else None
        if interval is None:
            return None
        done = operations.run(self.ctx, self, lambda: master.create_instrument(
            self.ctx.db, self.ctx.actor, master.InstrumentInput(code, name, kinds[kind], calibrated, interval)),
            success=_("Instrument registered."))
        if done is not None:
            self.sig_changed.emit()
        return done

    def set_point(self):
        row = _selected(self.points_table, self.points_model)
        if row is None:
            return None
        options = [_("No control point"), _("First article required"), _("In-process control point"),
                   _("First article and in-process")]
        choice = ask_choice(self, _("Set control point…"), row.step_name, options)
        if choice is None:
            return None
        fai, ipqc = choice in (1, 3), choice in (2, 3)
        frequency, size = "each_batch", "0"
        if ipqc:
            keys = list(FREQUENCIES)
            f = ask_choice(self, _("Set control point…"), _("Frequency"), [_(FREQUENCIES[k]) for k in keys])
            size = ask_text(self, _("Set control point…"), _("Sample size"))
            if f is None or size is None:
                return None
            frequency = keys[f]
        done = operations.run(self.ctx, self, lambda: master.set_control_point(
            self.ctx.db, self.ctx.actor, row.routing_step_id, fai_required=fai, ipqc=ipqc, frequency=frequency,
            sample_size=size), success=_("Control point saved."))
        if done is not None:
            self.sig_changed.emit()
        return done

    def calibrate(self):
        row = _selected(self.instruments_table, self.instruments_model)
        day = ask_text(self, _("Record calibration…"), _("Calibrated on (YYYY-MM-DD)")) if row else None
        if day is None:
            return None
        done = operations.run(self.ctx, self, lambda: master.record_calibration(
            self.ctx.db, self.ctx.actor, row.id, day, expected_version=row.version), success=_("Calibration recorded."))
        if done is not None:
            self.sig_changed.emit()
        return done


class ParetoChart(QWidget):
    """Bars of the counts, most first, with the cumulative percentage as a line; over-threshold bars in red."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.rows: list = []
        self.setMinimumHeight(160)

    def set_rows(self, rows) -> None:
        self.rows = list(rows)[:12]
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if not self.rows:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        left, bottom, top = 30, 36, 10
        top_count = max(r.count for r in self.rows)
        slot = (w - left - 10) / len(self.rows)
        points = []
        for i, r in enumerate(self.rows):
            bar_h = (h - bottom - top) * r.count / top_count
            x = left + i * slot + slot * 0.15
            painter.fillRect(QRectF(x, h - bottom - bar_h, slot * 0.7, bar_h),
                             QColor("#c62828") if r.over_threshold else QColor("#7b5e24"))
            painter.setPen(QColor("#333333"))
            painter.drawText(QRectF(left + i * slot, h - bottom + 2, slot, bottom - 2),
                             Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap, f"{r.label}\n{r.count}")
            points.append((left + i * slot + slot / 2, h - bottom - (h - bottom - top) * r.cumulative_percent / 100))
        painter.setPen(QColor("#1565c0"))
        for (x1, y1), (x2, y2) in zip(points, points[1:]):
            painter.drawLine(int(x1), int(y1), int(x2), int(y2))
        painter.end()


class OffencesView(QWidget):
    """NCRs counted per department, person, defect kind or month (a Pareto), over-threshold rows marked."""

    sig_changed = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.group = QComboBox()
        self.group.setObjectName("offence_group")
        for key in ncr.OFFENCE_GROUPS:
            self.group.addItem("", key)
        self.group.currentIndexChanged.connect(self.refresh)
        self.model = RowsModel([
            RowColumn(N_("Counted by"), lambda r: r.label + ("  ⚠" if r.over_threshold else "")),
            RowColumn(N_("NCRs"), lambda r: str(r.count), True),
            RowColumn(N_("Cumulative %"), lambda r: f"{r.cumulative_percent:.1f}", True),
        ])
        self.table = _table(self.model, "offences_table", stretch_column=0)
        self.chart = ParetoChart()
        self.chart.setObjectName("pareto_chart")
        self.threshold_label = QLabel()
        self.overdue_label = QLabel()
        self.overdue_label.setObjectName("overdue_actions")
        self.overdue_label.setWordWrap(True)
        head = QHBoxLayout()
        head.addWidget(self.group)
        head.addWidget(self.threshold_label, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(self.chart)
        layout.addWidget(split, 1)
        layout.addWidget(self.overdue_label)

    def retranslate_ui(self) -> None:
        for i, text in enumerate((_("per department"), _("per person"), _("per defect kind"), _("per month"))):
            self.group.setItemText(i, text)
        self.model.retranslate()

    def refresh(self) -> None:
        rows = ncr.repeat_offences(self.ctx.db, self.group.currentData() or "department")
        self.model.set_rows(rows)
        self.chart.set_rows(rows)
        self.threshold_label.setText(_("Marked ⚠: at or over the factory's threshold of {n} NCRs.",
                                       n=ncr.repeat_threshold(self.ctx.db)))
        overdue = ncr.overdue_actions(self.ctx.db)
        self.overdue_label.setText(_("Corrective actions overdue: {list}", list=", ".join(
            f"{n.ncr_no} ({n.action_due.isoformat()})" for n in overdue)) if overdue else "")


class QualityTab(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.inspection = InspectionView(ctx)
        self.ncrs = NcrView(ctx)
        self.standards = StandardsView(ctx)
        self.offences = OffencesView(ctx)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("quality_views")
        for view in (self.inspection, self.ncrs, self.standards, self.offences):
            self.tabs.addTab(view, "")
            view.sig_changed.connect(self.refresh)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        ctx.bus.sig_language_changed.connect(lambda _lang: self.retranslate_ui())
        self.retranslate_ui()
        self.refresh()

    def retranslate_ui(self) -> None:
        for i, text in enumerate((_("Inspections"), _("Nonconformance reports"), _("Standards and instruments"),
                                  _("Repeat offences"))):
            self.tabs.setTabText(i, text)
        for view in (self.inspection, self.ncrs, self.standards, self.offences):
            view.retranslate_ui()

    def refresh(self) -> None:
        for view in (self.inspection, self.ncrs, self.standards, self.offences):
            view.refresh()
