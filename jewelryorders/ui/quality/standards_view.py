"""Quality standards with their versions, measuring instruments with calibration warnings, control points."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from ...i18n import N_, _, current_language
from ...models.quality import FREQUENCIES, INSTRUMENT_KINDS
from ...services.permissions import allowed
from ...services.quality import master, papers
from .. import operations
from ..context import UiContext
from ..materials.rows_model import RowColumn, RowsModel, _selected, _table
from . import common


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
            common.open_file(done)

    def new_instrument(self):
        title = _("New instrument…")
        kinds = list(INSTRUMENT_KINDS)
        code = common.ask_text(self, title, _("Code"))
        name = common.ask_text(self, title, _("Name")) if code is not None else None
        kind = common.ask_choice(self, title, _("Kind"), [_(INSTRUMENT_KINDS[k]) for k in kinds]) if name is not None \
            else None
        calibrated = common.ask_text(self, title, _("Calibrated on (YYYY-MM-DD)")) if kind is not None else None
        interval = common.ask_text(self, title, _("Calibration interval (days)")) if calibrated is not None else None
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
        choice = common.ask_choice(self, _("Set control point…"), row.step_name, options)
        if choice is None:
            return None
        fai, ipqc = choice in (1, 3), choice in (2, 3)
        frequency, size = "each_batch", "0"
        if ipqc:
            keys = list(FREQUENCIES)
            f = common.ask_choice(self, _("Set control point…"), _("Frequency"), [_(FREQUENCIES[k]) for k in keys])
            size = common.ask_text(self, _("Set control point…"), _("Sample size"))
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
        day = common.ask_text(self, _("Record calibration…"), _("Calibrated on (YYYY-MM-DD)")) if row else None
        if day is None:
            return None
        done = operations.run(self.ctx, self, lambda: master.record_calibration(
            self.ctx.db, self.ctx.actor, row.id, day, expected_version=row.version), success=_("Calibration recorded."))
        if done is not None:
            self.sig_changed.emit()
        return done
