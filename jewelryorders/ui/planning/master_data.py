"""Master data dialogs: workshops with their hours, benches and working days; the factory calendar; routings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ... import clock
from ...i18n import N_, _
from ...models.orders import PRODUCT_TYPES
from ...models.planning import CHECKLIST_KEYS
from ...services.planning import master_data as master
from ...services.users import list_users
from .. import operations
from ..context import UiContext
from .dialogs import date_edit, from_qdate

WEEKDAY_LABELS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
NEED_SHORT_LABELS = {"equipment": N_("Equipment"), "tooling": N_("Tooling"), "materials": N_("Materials"),
                     "training": N_("Training")}


def _plain(value: Decimal) -> str:
    """A decimal without trailing zeros: 0.040 → 0.04, 6.00 → 6."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def confirm(parent: QWidget, title: str, text: str) -> bool:
    """Yes/No question (tests replace this)."""
    answer = QMessageBox.question(parent, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


# ---- workshops and the factory calendar -------------------------------------------------------------------------

class WorkshopsDialog(QDialog):
    """Workshops on the left; the selected one's hours per day, benches, working days and supervisor on the right;
    the factory's holidays (shared by every workshop) below."""

    sig_changed = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("planning_workshops_dialog")
        self.setWindowTitle(_("Workshops & calendar"))
        self.current: master.WorkshopInfo | None = None

        self.list = QListWidget()
        self.list.setObjectName("workshop_list")
        self.list.currentRowChanged.connect(self._show_selected)
        self.new_button = QPushButton(_("New workshop"))
        self.new_button.setObjectName("workshop_new")
        self.new_button.clicked.connect(self._new)
        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        left.addWidget(self.new_button)
        left_box = QWidget()
        left_box.setLayout(left)

        self.name = QLineEdit()
        self.name.setObjectName("workshop_name")
        self.department = QLineEdit()
        self.department.setObjectName("workshop_department")
        self.hours = QDoubleSpinBox()
        self.hours.setObjectName("workshop_hours")
        self.hours.setRange(0, 24)
        self.hours.setDecimals(2)
        self.hours.setSingleStep(0.5)
        self.benches = QSpinBox()
        self.benches.setObjectName("workshop_benches")
        self.benches.setRange(0, master.MAX_BENCHES)
        self.days = [QCheckBox() for _label in WEEKDAY_LABELS]
        days_row = QHBoxLayout()
        for box in self.days:
            days_row.addWidget(box)
        days_row.addStretch(1)
        self.supervisor = QComboBox()
        self.supervisor.setObjectName("workshop_supervisor")
        self.supervisor.addItem(_("(nobody)"), None)
        for user in list_users(ctx.db, include_inactive=False):
            self.supervisor.addItem(user.display_name or user.username, user.id)
        self.sort_order = QSpinBox()
        self.sort_order.setRange(0, 999)
        self.active = QCheckBox()
        self.capacity = QLabel()
        self.capacity.setObjectName("workshop_capacity")
        self.capacity.setStyleSheet("color: #616e7c;")
        self.hours.valueChanged.connect(self._update_capacity)
        self.benches.valueChanged.connect(self._update_capacity)
        self.save_button = QPushButton(_("Save workshop"))
        self.save_button.setObjectName("workshop_save")
        self.save_button.clicked.connect(self._save)
        self.form_box = QGroupBox(_("Workshop"))
        form = QFormLayout(self.form_box)
        form.addRow(_("Name"), self.name)
        form.addRow(_("Department"), self.department)
        form.addRow(_("Hours per day (each bench)"), self.hours)
        form.addRow(_("Benches"), self.benches)
        form.addRow(_("Working days"), days_row)
        form.addRow(_("Supervisor"), self.supervisor)
        form.addRow(_("Order in lists"), self.sort_order)
        form.addRow(_("In use"), self.active)
        form.addRow("", self.capacity)
        form.addRow("", self.save_button)
        self.day_captions = form

        self.holidays = QTableWidget(0, 2)
        self.holidays.setObjectName("holiday_table")
        self.holidays.verticalHeader().setVisible(False)
        self.holidays.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.holidays.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.holidays.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.holiday_day = date_edit()
        self.holiday_day.setObjectName("holiday_day")
        self.holiday_name = QLineEdit()
        self.holiday_name.setObjectName("holiday_name")
        self.holiday_name.setPlaceholderText(_("e.g. National Day"))
        self.add_holiday = QPushButton(_("Add holiday"))
        self.add_holiday.setObjectName("holiday_add")
        self.add_holiday.clicked.connect(self._add_holiday)
        self.remove_holiday = QPushButton(_("Remove"))
        self.remove_holiday.setObjectName("holiday_remove")
        self.remove_holiday.clicked.connect(self._remove_holiday)
        holiday_row = QHBoxLayout()
        holiday_row.addWidget(self.holiday_day)
        holiday_row.addWidget(self.holiday_name, 1)
        holiday_row.addWidget(self.add_holiday)
        holiday_row.addWidget(self.remove_holiday)
        self.holiday_box = QGroupBox(_("Factory calendar: holidays (every workshop is closed)"))
        holiday_layout = QVBoxLayout(self.holiday_box)
        holiday_layout.addWidget(self.holidays, 1)
        holiday_layout.addLayout(holiday_row)

        right = QVBoxLayout()
        right.addWidget(self.form_box)
        right.addWidget(self.holiday_box, 1)
        right_box = QWidget()
        right_box.setLayout(right)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left_box)
        splitter.addWidget(right_box)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([220, 560])
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(close)
        self.resize(860, 640)
        self.retranslate_ui()
        self.reload()

    def retranslate_ui(self) -> None:
        for box, label in zip(self.days, WEEKDAY_LABELS):
            box.setText(_(label))
        self.active.setText(_("taking work"))
        self.holidays.setHorizontalHeaderLabels([_("Day"), _("Holiday")])

    def reload(self, select_id: int | None = None) -> None:
        self.workshops = master.list_workshops(self.ctx.db, include_inactive=True)
        self.list.blockSignals(True)
        self.list.clear()
        for w in self.workshops:
            item = QListWidgetItem(w.name if w.active else _("{name} (closed)", name=w.name))
            item.setData(Qt.ItemDataRole.UserRole, w.id)
            self.list.addItem(item)
        self.list.blockSignals(False)
        index = next((i for i, w in enumerate(self.workshops) if w.id == select_id), 0 if self.workshops else -1)
        self.list.setCurrentRow(index)
        if index < 0:
            self._new()
        else:
            self._show_selected(index)
        self._reload_holidays()

    def _show_selected(self, row: int) -> None:
        if not 0 <= row < len(self.workshops):
            return
        w = self.workshops[row]
        self.current = w
        self.form_box.setTitle(_("Workshop {name}", name=w.name))
        self.name.setText(w.name)
        self.department.setText(w.department)
        self.hours.setValue(float(w.hours_per_day))
        self.benches.setValue(w.benches)
        for day, box in enumerate(self.days):
            box.setChecked(day in w.working_weekdays)
        self.supervisor.setCurrentIndex(max(0, self.supervisor.findData(w.supervisor_id)))
        self.sort_order.setValue(w.sort_order)
        self.active.setChecked(w.active)
        self._update_capacity()

    def _new(self) -> None:
        self.current = None
        self.list.clearSelection()
        self.form_box.setTitle(_("New workshop"))
        self.name.clear()
        self.department.clear()
        self.hours.setValue(8)
        self.benches.setValue(1)
        for day, box in enumerate(self.days):
            box.setChecked(day < 5)
        self.supervisor.setCurrentIndex(0)
        self.sort_order.setValue(len(self.workshops) if hasattr(self, "workshops") else 0)
        self.active.setChecked(True)
        self.name.setFocus()
        self._update_capacity()

    def _update_capacity(self) -> None:
        hours = Decimal(str(self.hours.value())).quantize(Decimal("0.01"))
        self.capacity.setText(_("Capacity: {hours} hours a working day ({benches} benches × {each} h)",
                                hours=f"{hours * self.benches.value():f}".rstrip("0").rstrip("."),
                                benches=self.benches.value(), each=f"{hours:f}".rstrip("0").rstrip(".")))

    def workshop_input(self) -> master.WorkshopInput:
        return master.WorkshopInput(
            name=self.name.text(), department=self.department.text(),
            hours_per_day=Decimal(str(self.hours.value())).quantize(Decimal("0.01")), benches=self.benches.value(),
            working_weekdays=[d for d, box in enumerate(self.days) if box.isChecked()],
            supervisor_id=self.supervisor.currentData(), sort_order=self.sort_order.value(),
            active=self.active.isChecked())

    def _save(self) -> None:
        data = self.workshop_input()
        if self.current is None:
            def call():
                return master.create_workshop(self.ctx.db, self.ctx.actor, data)
        else:
            current = self.current

            def call():
                return master.update_workshop(self.ctx.db, self.ctx.actor, current.id, current.version, data)
        saved = operations.run(self.ctx, self, call, success=_("Workshop saved"))
        if saved is not None:
            self.reload(saved.id)
            self.sig_changed.emit()

    def _reload_holidays(self) -> None:
        today = clock.today()
        self.holiday_rows = master.list_holidays(self.ctx.db, first=dt.date(today.year - 1, 1, 1))
        self.holidays.setRowCount(len(self.holiday_rows))
        for row, h in enumerate(self.holiday_rows):
            self.holidays.setItem(row, 0, QTableWidgetItem(h.day.isoformat()))
            self.holidays.setItem(row, 1, QTableWidgetItem(h.name))
        self.holidays.resizeColumnToContents(0)

    def _add_holiday(self) -> None:
        day = from_qdate(self.holiday_day.date())
        name = self.holiday_name.text()
        added = operations.run(self.ctx, self, lambda: master.add_holiday(self.ctx.db, self.ctx.actor, day, name),
                               success=_("Holiday added"))
        if added is not None:
            self.holiday_name.clear()
            self._reload_holidays()
            self.sig_changed.emit()

    def _remove_holiday(self) -> None:
        row = self.holidays.currentRow()
        if not 0 <= row < len(self.holiday_rows):
            return
        holiday = self.holiday_rows[row]
        operations.run(self.ctx, self, lambda: master.remove_holiday(self.ctx.db, self.ctx.actor, holiday.id),
                       success=_("Holiday removed"), on_success=lambda _r: self._holidays_changed())

    def _holidays_changed(self) -> None:
        self._reload_holidays()
        self.sig_changed.emit()


# ---- routings ---------------------------------------------------------------------------------------------------

STEP_COLUMNS = (N_("Step"), N_("Workshop"), N_("Hours per piece"), N_("Hours per batch"), N_("Loss allowance %"),
                N_("Checklist needed"), N_("Process requirements"), N_("Quality standard"))


class NeedsEditor(QWidget):
    """The checklist items a step needs before it may start, as four ticks."""

    def __init__(self, needs: tuple[str, ...] = (), parent: QWidget | None = None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        self.boxes: dict[str, QCheckBox] = {}
        for key in CHECKLIST_KEYS:
            box = QCheckBox(_(NEED_SHORT_LABELS[key]))
            box.setToolTip(_(CHECKLIST_KEYS[key]))
            box.setChecked(key in needs)
            self.boxes[key] = box
            layout.addWidget(box)

    def needs(self) -> tuple[str, ...]:
        return tuple(k for k, box in self.boxes.items() if box.isChecked())


class RoutingsDialog(QDialog):
    """Routing templates by product type: ordered steps with workshop, standard hours, loss allowance, needs."""

    sig_changed = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("planning_routings_dialog")
        self.setWindowTitle(_("Routings"))
        self.current: master.RoutingInfo | None = None
        self.workshops = master.list_workshops(ctx.db)

        self.list = QListWidget()
        self.list.setObjectName("routing_list")
        self.list.currentRowChanged.connect(self._show_selected)
        self.new_button = QPushButton(_("New routing"))
        self.new_button.setObjectName("routing_new")
        self.new_button.clicked.connect(self._new)
        self.delete_button = QPushButton(_("Delete routing"))
        self.delete_button.setObjectName("routing_delete")
        self.delete_button.clicked.connect(self._delete)
        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        left.addWidget(self.new_button)
        left.addWidget(self.delete_button)
        left_box = QWidget()
        left_box.setLayout(left)

        self.product_type = QComboBox()
        self.product_type.setObjectName("routing_product_type")
        for key, label in PRODUCT_TYPES.items():
            self.product_type.addItem(_(label), key)
        self.name = QLineEdit()
        self.name.setObjectName("routing_name")
        self.note = QPlainTextEdit()
        self.note.setMaximumHeight(48)
        header = QFormLayout()
        header.addRow(_("Product type"), self.product_type)
        header.addRow(_("Routing name"), self.name)
        header.addRow(_("Note"), self.note)

        self.steps = QTableWidget(0, len(STEP_COLUMNS))
        self.steps.setObjectName("routing_steps")
        self.steps.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.steps.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.steps.verticalHeader().setVisible(True)
        widths = [130, 160, 100, 100, 120, 330, 220, 220]
        for column, width in enumerate(widths):
            self.steps.setColumnWidth(column, width)
        self.add_step = QPushButton(_("Add step"))
        self.add_step.setObjectName("routing_add_step")
        self.add_step.clicked.connect(lambda: self._append_step(None))
        self.remove_step = QPushButton(_("Remove step"))
        self.remove_step.setObjectName("routing_remove_step")
        self.remove_step.clicked.connect(self._remove_step)
        self.up = QPushButton(_("Move up"))
        self.up.setObjectName("routing_up")
        self.up.clicked.connect(lambda: self._move(-1))
        self.down = QPushButton(_("Move down"))
        self.down.setObjectName("routing_down")
        self.down.clicked.connect(lambda: self._move(1))
        self.save_button = QPushButton(_("Save routing"))
        self.save_button.setObjectName("routing_save")
        self.save_button.clicked.connect(self._save)
        step_buttons = QHBoxLayout()
        for button in (self.add_step, self.remove_step, self.up, self.down):
            step_buttons.addWidget(button)
        step_buttons.addStretch(1)
        step_buttons.addWidget(self.save_button)
        self.hint = QLabel(_("Work of a step = hours per piece × quantity + hours per batch. A step waits for the "
                             "ticked checklist items before it may start."))
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #616e7c;")

        right = QVBoxLayout()
        right.addLayout(header)
        right.addWidget(self.steps, 1)
        right.addWidget(self.hint)
        right.addLayout(step_buttons)
        right_box = QWidget()
        right_box.setLayout(right)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left_box)
        splitter.addWidget(right_box)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([280, 1020])
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(close)
        self.resize(1320, 640)
        self.steps.setHorizontalHeaderLabels([_(c) for c in STEP_COLUMNS])
        self.reload()

    def reload(self, select_id: int | None = None) -> None:
        self.routings = master.list_routings(self.ctx.db)
        self.standards = master.standard_choices(self.ctx.db)
        self.list.blockSignals(True)
        self.list.clear()
        for r in self.routings:
            item = QListWidgetItem(f"{_(PRODUCT_TYPES.get(r.product_type, r.product_type))} — {r.name}")
            item.setData(Qt.ItemDataRole.UserRole, r.id)
            self.list.addItem(item)
        self.list.blockSignals(False)
        index = next((i for i, r in enumerate(self.routings) if r.id == select_id), 0 if self.routings else -1)
        self.list.setCurrentRow(index)
        if index < 0:
            self._new()
        else:
            self._show_selected(index)

    def _show_selected(self, row: int) -> None:
        if not 0 <= row < len(self.routings):
            return
        r = self.routings[row]
        self.current = r
        self.product_type.setCurrentIndex(max(0, self.product_type.findData(r.product_type)))
        self.name.setText(r.name)
        self.note.setPlainText(r.note)
        self.steps.setRowCount(0)
        for step in r.steps:
            self._append_step(step)

    def _new(self) -> None:
        self.current = None
        self.list.clearSelection()
        used = {r.product_type for r in getattr(self, "routings", [])}
        free = next((i for i, key in enumerate(PRODUCT_TYPES) if key not in used), 0)
        self.product_type.setCurrentIndex(free)
        self.name.clear()
        self.note.clear()
        self.steps.setRowCount(0)
        self.name.setFocus()

    def _workshop_combo(self, workshop_id: int | None) -> QComboBox:
        combo = QComboBox()
        combo.addItem(_("(choose)"), None)
        for w in self.workshops:
            combo.addItem(w.name, w.id)
        combo.setCurrentIndex(max(0, combo.findData(workshop_id)))
        return combo

    def _standard_combo(self, code: str) -> QComboBox:
        """The step's quality standard, chosen among those the technical department wrote (Quality tab)."""
        combo = QComboBox()
        combo.setObjectName("routing_standard")
        combo.addItem(_("(no standard)"), "")
        for standard_code, title in self.standards:
            combo.addItem(f"{standard_code} — {title}", standard_code)
        if code and combo.findData(code) < 0:
            combo.addItem(code, code)
        combo.setCurrentIndex(max(0, combo.findData(code)))
        combo.setToolTip(_("Quality standards are written by the technical department in the Quality tab."))
        return combo

    def _append_step(self, step: master.RoutingStepInfo | None) -> None:
        row = self.steps.rowCount()
        self.steps.insertRow(row)
        self._fill_row(row, step.name if step else "", step.workshop_id if step else None,
                       _plain(step.hours_per_piece) if step else "0", _plain(step.hours_per_batch) if step else "0",
                       _plain(step.loss_allowance_pct) if step else "0", step.checklist_needs if step else (),
                       step.process_requirements if step else "", step.standard_code if step else "",
                       step.id if step else None)
        self.steps.setRowHeight(row, 30)
        if step is None:
            self.steps.setCurrentCell(row, 0)
            self.steps.editItem(self.steps.item(row, 0))

    def _fill_row(self, row: int, name: str, workshop_id: int | None, per_piece: str, per_batch: str, loss: str,
                  needs: tuple[str, ...], process: str, standard_code: str, step_id: int | None = None) -> None:
        name_item = QTableWidgetItem(name)
        name_item.setData(Qt.ItemDataRole.UserRole, step_id)  # an edited step keeps its id (and what refers to it)
        self.steps.setItem(row, 0, name_item)
        self.steps.setCellWidget(row, 1, self._workshop_combo(workshop_id))
        for column, value in ((2, per_piece), (3, per_batch), (4, loss)):
            item = QTableWidgetItem(value)
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.steps.setItem(row, column, item)
        self.steps.setCellWidget(row, 5, NeedsEditor(needs))
        self.steps.setItem(row, 6, QTableWidgetItem(process))
        self.steps.setCellWidget(row, 7, self._standard_combo(standard_code))

    def _row_values(self, row: int) -> tuple:
        def cell(column: int) -> str:
            item = self.steps.item(row, column)
            return item.text().strip() if item is not None else ""

        combo = self.steps.cellWidget(row, 1)
        needs = self.steps.cellWidget(row, 5)
        standard = self.steps.cellWidget(row, 7)
        name_item = self.steps.item(row, 0)
        return (cell(0), combo.currentData() if combo else None, cell(2), cell(3), cell(4),
                needs.needs() if needs else (), cell(6), (standard.currentData() or "") if standard else "",
                name_item.data(Qt.ItemDataRole.UserRole) if name_item is not None else None)

    def _remove_step(self) -> None:
        row = self.steps.currentRow()
        if row >= 0:
            self.steps.removeRow(row)

    def _move(self, delta: int) -> None:
        row = self.steps.currentRow()
        other = row + delta
        if row < 0 or not 0 <= other < self.steps.rowCount():
            return
        a, b = self._row_values(row), self._row_values(other)
        self._fill_row(row, *b)
        self._fill_row(other, *a)
        self.steps.setCurrentCell(other, 0)

    def routing_input(self) -> master.RoutingInput:
        steps = []
        for row in range(self.steps.rowCount()):
            name, workshop_id, per_piece, per_batch, loss, needs, process, code, step_id = self._row_values(row)
            steps.append(master.RoutingStepInput(name, workshop_id, per_piece or "0", per_batch or "0", loss or "0",
                                                 needs, process, code, step_id if self.current is not None else None))
        return master.RoutingInput(str(self.product_type.currentData()), self.name.text(), steps,
                                   self.note.toPlainText())

    def _save(self) -> None:
        data = self.routing_input()
        if self.current is None:
            def call():
                return master.create_routing(self.ctx.db, self.ctx.actor, data)
        else:
            current = self.current

            def call():
                return master.update_routing(self.ctx.db, self.ctx.actor, current.id, current.version, data)
        saved = operations.run(self.ctx, self, call, success=_("Routing saved"))
        if saved is not None:
            self.reload(saved.id)
            self.sig_changed.emit()

    def _delete(self) -> None:
        if self.current is None:
            return
        current = self.current
        if not confirm(self, _("Delete routing"), _("Delete routing {name}? Plans made from it keep their steps.",
                                                    name=current.name)):
            return
        operations.run(self.ctx, self, lambda: master.delete_routing(self.ctx.db, self.ctx.actor, current.id),
                       success=_("Routing deleted"), on_success=lambda _r: self._deleted())

    def _deleted(self) -> None:
        self.reload()
        self.sig_changed.emit()
