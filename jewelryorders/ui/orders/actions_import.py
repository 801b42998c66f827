"""The import wizard: choose a customer's order sheet, map its columns, preview every row's problems, import all."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Callable, Sequence, TypeVar

from PySide6.QtCore import QAbstractTableModel, QDate, QEventLoop, QModelIndex, QSettings, Qt, QThread, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QDateEdit, QDialog, QFileDialog, QGridLayout,
                               QGroupBox, QHBoxLayout, QHeaderView, QLabel, QMessageBox, QProgressDialog,
                               QPushButton, QSpinBox, QSplitter, QStackedWidget, QTableView, QVBoxLayout, QWidget)

from ... import clock
from ...i18n import N_, _
from ...models.orders import CHANNELS
from ...services import customers as customer_service
from ...services.orders import importing as order_import
from ...services.errors import DomainError
from ...services.orders.exporting import ExportCancelled
from ...services.orders.importing import IMPORT_FIELDS, ImportCancelled, ImportOptions, ImportResult, SheetInfo
from .. import operations
from ..context import UiContext
from .customer_choice import CustomerField

T = TypeVar("T")

SETTINGS_PREFIX = "order_import/mapping/"
SETTINGS_LAST_FOLDER = "order_import/last_folder"
NOT_MAPPED = ""
MISSING_TEXT = QColor("#b71c1c")
OK_TEXT = QColor("#1b5e20")
PAGE_MAPPING, PAGE_PREVIEW = 0, 1
ABOVE_HEADER_TEXT = QColor("#757575")
HEADER_BACKGROUND = QColor("#e3f2fd")
SKIPPED_SHOWN = 8  # skipped rows named in the preview's summary; the rest are counted


# ---- long work off the GUI thread ------------------------------------------------------------------------------

class _Worker(QThread):
    """Runs one service call in its own thread; progress and the result come back as signals."""

    sig_progress = Signal(str, int, int)

    def __init__(self, work: Callable[[Callable[[str, int, int], None], Callable[[], bool]], Any], parent=None):
        super().__init__(parent)
        self._work = work
        self._stop = False
        self.result: Any = None
        self.error: BaseException | None = None

    def request_stop(self) -> None:
        self._stop = True

    def run(self) -> None:
        try:
            self.result = self._work(lambda stage, done, total: self.sig_progress.emit(stage, done, total),
                                     lambda: self._stop)
        except BaseException as exc:  # handed to the GUI thread, which shows or re-raises it
            self.error = exc


def run_in_background(parent: QWidget | None, title: str,
                      work: Callable[[Callable[[str, int, int], None], Callable[[], bool]], T]) -> T:
    """Run `work(progress, should_stop)` off the GUI thread behind a progress dialog with a Cancel button; the
    window stays responsive. Returns its result or raises its exception here, in the GUI thread."""
    dialog = QProgressDialog(title, _("Cancel"), 0, 0, parent)
    dialog.setObjectName("order_io_progress")
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(400)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setMinimumWidth(420)
    worker = _Worker(work)
    loop = QEventLoop()

    def show_progress(stage: str, done: int, total: int) -> None:
        dialog.setLabelText(stage)
        if total > 0:
            dialog.setMaximum(total)
            dialog.setValue(min(done, total))
        else:
            dialog.setMaximum(0)
            dialog.setValue(0)

    def cancel() -> None:
        worker.request_stop()
        dialog.setLabelText(_("Stopping…"))

    worker.sig_progress.connect(show_progress)
    dialog.canceled.connect(cancel)
    worker.finished.connect(loop.quit)
    worker.start()
    dialog.setValue(0)
    if worker.isRunning():
        loop.exec()
    worker.wait()
    dialog.close()
    dialog.deleteLater()
    worker.deleteLater()
    if worker.error is not None:
        raise worker.error
    return worker.result


def show_failure(ctx: UiContext, parent: QWidget | None, exc: DomainError) -> None:
    """A refusal is shown in a message box; a Cancel the clerk pressed only goes to the status bar."""
    if not isinstance(exc, (ImportCancelled, ExportCancelled)):
        operations.show_error(parent, exc)
    ctx.bus.sig_status_message.emit(str(exc).splitlines()[0])


# ---- small table models ------------------------------------------------------------------------------------------

class _ListModel(QAbstractTableModel):
    """A read-only table over a list of rows (at most a few thousand: problems, or the orders of one sheet)."""

    def __init__(self, columns: Sequence[tuple[str, Callable[[Any], Any]]], parent=None):
        super().__init__(parent)
        self._columns = list(columns)
        self.rows: list[Any] = []

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            value = self._columns[index.column()][1](row)
            return "" if value is None else str(value)
        return None

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return _(self._columns[section][0])
        return None

    def refresh_headers(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, max(0, len(self._columns) - 1))


class _TopRowsModel(QAbstractTableModel):
    """The sheet's first rows as Excel shows them (numbered rows, lettered columns), the header row marked."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: tuple[tuple[str, ...], ...] = ()
        self.header_row = 1
        self.width = 0

    def set_rows(self, rows: Sequence[Sequence[str]], header_row: int) -> None:
        self.beginResetModel()
        last = max((i for i, r in enumerate(rows, 1) if any(r)), default=header_row)
        self.rows = tuple(tuple(r) for r in rows[:max(last, header_row)])
        self.header_row = header_row
        self.width = max((len(r) for r in self.rows), default=0)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else self.width

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row_no = index.row() + 1
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            cells = self.rows[index.row()]
            text = cells[index.column()] if index.column() < len(cells) else ""
            return text[:40] if role == Qt.ItemDataRole.DisplayRole else text
        if role == Qt.ItemDataRole.BackgroundRole and row_no == self.header_row:
            return HEADER_BACKGROUND
        if role == Qt.ItemDataRole.ForegroundRole and row_no < self.header_row:
            return ABOVE_HEADER_TEXT
        if role == Qt.ItemDataRole.FontRole and row_no == self.header_row:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return order_import.column_letter(section)
        return str(section + 1)


def _problem_model(parent=None) -> _ListModel:
    return _ListModel([
        (N_("Row"), lambda p: p.row),
        (N_("Column"), lambda p: f"{p.column} {p.header}".strip() if p.column else "—"),
        (N_("Problem"), lambda p: p.message),
    ], parent)


def _orders_model(parent=None) -> _ListModel:
    return _ListModel([
        (N_("Row"), lambda o: o.first_row),
        (N_("Customer"), lambda o: o.customer),
        (N_("Customer PO"), lambda o: o.reference),
        (N_("Lines"), lambda o: f"{o.lines:,}"),
        (N_("Quantity"), lambda o: f"{o.quantity:,}"),
        (N_("Delivery date"), lambda o: o.delivery_date.isoformat() if o.delivery_date else ""),
    ], parent)


# ---- remembering the mapping ------------------------------------------------------------------------------------

def remembered_choices(signature: str) -> dict:
    raw = QSettings().value(SETTINGS_PREFIX + signature)
    if not isinstance(raw, str):
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def remember_choices(signature: str, mapping: dict[str, str], customer_id: int | None, channel: str) -> None:
    QSettings().setValue(SETTINGS_PREFIX + signature, json.dumps(
        {"mapping": mapping, "customer_id": customer_id, "channel": channel}, ensure_ascii=False))


# ---- the wizard ---------------------------------------------------------------------------------------------------

class ImportWizard(QDialog):
    """Page 1 maps each field to a column of the sheet; page 2 shows the check of every row. Import stays disabled
    while any row has a problem; 'Check again' re-reads the workbook after it was corrected in Excel."""

    sig_imported = Signal(object)  # ImportResult

    def __init__(self, ctx: UiContext, info: SheetInfo, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("order_import_wizard")
        self.ctx = ctx
        self.info = info
        self.last_check: ImportResult | None = None  # the latest check or import run
        self.imported: ImportResult | None = None

        self.pages = QStackedWidget()
        self.pages.addWidget(self._build_mapping_page())
        self.pages.addWidget(self._build_preview_page())

        self.back_button = QPushButton()
        self.next_button = QPushButton()
        self.check_again_button = QPushButton()
        self.import_button = QPushButton()
        self.close_button = QPushButton()
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.check_again_button)
        buttons.addWidget(self.next_button)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addLayout(buttons)

        self.back_button.clicked.connect(self.go_back)
        self.next_button.clicked.connect(self.check)
        self.check_again_button.clicked.connect(self.check)
        self.import_button.clicked.connect(self.run_import)
        self.close_button.clicked.connect(self.reject)
        self.customer_field.sig_customer_changed.connect(lambda _customer: self._update_mapping_message())
        self.sheet_values_check.toggled.connect(lambda _on: self._update_mapping_message())
        self.resize(1260, 640)
        self._load_sheet(info)
        self.retranslate_ui()
        self._show_page(PAGE_MAPPING)

    # -- building ----------------------------------------------------------------------------------------------
    def _build_mapping_page(self) -> QWidget:
        page = QWidget()
        self.file_label = QLabel()
        self.file_label.setWordWrap(True)
        self.sheet_label = QLabel()
        self.sheet_combo = QComboBox()
        self.sheet_combo.currentIndexChanged.connect(self._sheet_chosen)
        self.mapping_intro = QLabel()
        self.mapping_intro.setWordWrap(True)
        self.columns_box = QGroupBox()
        self.columns_grid = QGridLayout(self.columns_box)
        self.columns_grid.setColumnStretch(1, 1)
        self.columns_grid.setColumnStretch(2, 1)
        self.columns_grid.setVerticalSpacing(2)  # eighteen fields and the sheet's top rows fit a 768-pixel screen
        self.field_labels: dict[str, QLabel] = {}
        self.field_combos: dict[str, QComboBox] = {}
        self.example_labels: dict[str, QLabel] = {}
        self.head_field, self.head_column, self.head_example = QLabel(), QLabel(), QLabel()
        for i, w in enumerate((self.head_field, self.head_column, self.head_example)):
            w.setStyleSheet("font-weight: bold;")
            self.columns_grid.addWidget(w, 0, i)
        for row, f in enumerate(IMPORT_FIELDS, start=1):
            label = QLabel()
            combo = QComboBox()
            combo.setObjectName(f"column_{f.key}")
            combo.currentIndexChanged.connect(lambda _i, key=f.key: self._column_chosen(key))
            example = QLabel()
            example.setStyleSheet("color: #555;")
            example.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.field_labels[f.key], self.field_combos[f.key], self.example_labels[f.key] = label, combo, example
            self.columns_grid.addWidget(label, row, 0)
            self.columns_grid.addWidget(combo, row, 1)
            self.columns_grid.addWidget(example, row, 2)
        self.defaults_box = QGroupBox()
        self.customer_label = QLabel()
        self.customer_field = CustomerField(self.ctx)
        self.channel_label = QLabel()
        self.channel_combo = QComboBox()
        self.order_date_label = QLabel()
        self.order_date_edit = QDateEdit(QDate(clock.today()))
        self.order_date_edit.setCalendarPopup(True)
        self.order_date_edit.setDisplayFormat("yyyy-MM-dd")
        defaults = QGridLayout(self.defaults_box)
        defaults.addWidget(self.customer_label, 0, 0)
        defaults.addWidget(self.customer_field, 0, 1)
        defaults.addWidget(self.channel_label, 1, 0)
        defaults.addWidget(self.channel_combo, 1, 1)
        defaults.addWidget(self.order_date_label, 2, 0)
        defaults.addWidget(self.order_date_edit, 2, 1)
        defaults.setColumnStretch(1, 1)
        self.mapping_message = QLabel()
        self.mapping_message.setWordWrap(True)
        self.mapping_message.setStyleSheet(f"color: {MISSING_TEXT.name()};")
        self.header_row_label = QLabel()
        self.header_row_spin = QSpinBox()
        self.header_row_spin.setObjectName("header_row")
        self.header_row_spin.setRange(1, order_import.HEADER_SEARCH_ROWS)
        self.header_row_spin.setKeyboardTracking(False)
        self.header_row_spin.valueChanged.connect(self._header_row_chosen)
        self.sheet_box = QGroupBox()
        self.top_rows_model = _TopRowsModel(self)
        self.top_rows_view = QTableView()
        self.top_rows_view.setObjectName("sheet_top_rows")
        self.top_rows_view.setModel(self.top_rows_model)
        self.top_rows_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.top_rows_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.top_rows_view.setWordWrap(False)
        self.top_rows_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.top_rows_view.horizontalHeader().setMaximumSectionSize(180)
        self.top_rows_view.verticalHeader().setDefaultSectionSize(22)
        self.top_rows_view.doubleClicked.connect(lambda index: self.header_row_spin.setValue(index.row() + 1))
        self.top_rows_hint = QLabel()
        self.top_rows_hint.setWordWrap(True)
        self.top_rows_hint.setStyleSheet("color: #555;")
        self.sheet_values_label = QLabel()
        self.sheet_values_label.setObjectName("sheet_values")
        self.sheet_values_label.setWordWrap(True)
        self.sheet_values_check = QCheckBox()
        self.sheet_values_check.setObjectName("use_sheet_values")
        self.sheet_values_check.setChecked(True)
        sheet_layout = QVBoxLayout(self.sheet_box)
        sheet_layout.addWidget(self.top_rows_view, 1)
        sheet_layout.addWidget(self.top_rows_hint)
        sheet_layout.addWidget(self.sheet_values_label)
        sheet_layout.addWidget(self.sheet_values_check)
        top = QHBoxLayout()
        top.addWidget(self.file_label, 1)
        top.addWidget(self.header_row_label)
        top.addWidget(self.header_row_spin)
        top.addWidget(self.sheet_label)
        top.addWidget(self.sheet_combo)
        right = QVBoxLayout()
        right.addWidget(self.sheet_box, 1)
        right.addWidget(self.defaults_box)
        middle = QHBoxLayout()
        middle.addWidget(self.columns_box, 5)
        middle.addLayout(right, 6)
        layout = QVBoxLayout(page)
        layout.addLayout(top)
        layout.addWidget(self.mapping_intro)
        layout.addLayout(middle, 1)
        layout.addWidget(self.mapping_message)
        return page

    def _build_preview_page(self) -> QWidget:
        page = QWidget()
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_label.setObjectName("import_summary")
        self.problems_title = QLabel()
        self.problems_title.setStyleSheet("font-weight: bold;")
        self.problems_model = _problem_model(self)
        self.problems_view = self._table(self.problems_model)
        self.problems_view.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.orders_title = QLabel()
        self.orders_title.setStyleSheet("font-weight: bold;")
        self.orders_model = _orders_model(self)
        self.orders_view = self._table(self.orders_model)
        self.orders_view.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        problems_part, orders_part = QWidget(), QWidget()
        pl = QVBoxLayout(problems_part)
        pl.setContentsMargins(0, 0, 0, 0)
        pl.addWidget(self.problems_title)
        pl.addWidget(self.problems_view)
        ol = QVBoxLayout(orders_part)
        ol.setContentsMargins(0, 0, 0, 0)
        ol.addWidget(self.orders_title)
        ol.addWidget(self.orders_view)
        self.preview_splitter = QSplitter(Qt.Orientation.Vertical)
        self.preview_splitter.addWidget(problems_part)
        self.preview_splitter.addWidget(orders_part)
        self.preview_splitter.setStretchFactor(0, 3)
        self.preview_splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(page)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.preview_splitter, 1)
        return page

    @staticmethod
    def _table(model: QAbstractTableModel) -> QTableView:
        view = QTableView()
        view.setModel(model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setAlternatingRowColors(True)
        view.setWordWrap(False)
        view.verticalHeader().setVisible(False)
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        return view

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Import orders from Excel"))
        self.file_label.setText(_("Workbook: {file}", file=self.info.path.name))
        self.sheet_label.setText(_("Sheet:"))
        self.mapping_intro.setText(_(
            "Header row {row}. Choose the column that holds each field; fields marked * are needed. Rows with the "
            "same customer PO become one order, one line per row. The choice is remembered for sheets with the "
            "same headers.", row=self.info.header_row))
        self.header_row_label.setText(_("Header row:"))
        self.header_row_spin.setToolTip(_("The row that names the columns; found as the row matching the most known "
                                          "column names"))
        self.sheet_box.setTitle(_("Top of the sheet"))
        self.top_rows_hint.setText(_("The header row is marked. If another row names the columns, choose its number "
                                     "above or double-click it."))
        self.sheet_values_check.setText(_("Use these values for every row that does not say"))
        self._update_sheet_values_text()
        self.columns_box.setTitle(_("Columns"))
        self.head_field.setText(_("Field"))
        self.head_column.setText(_("Column in the sheet"))
        self.head_example.setText(_("Example (first row)"))
        required = set(order_import.REQUIRED_FIELDS)
        for f in IMPORT_FIELDS:
            self.field_labels[f.key].setText(f.label + (" *" if f.key in required else ""))
            combo = self.field_combos[f.key]
            combo.setItemText(0, _("— not in the sheet —"))
        self.defaults_box.setTitle(_("For rows that do not say"))
        self.customer_label.setText(_("Customer:"))
        self.customer_field.retranslate_ui()
        self.channel_label.setText(_("Channel:"))
        current = self.channel_combo.currentData() or "email"
        self.channel_combo.blockSignals(True)
        self.channel_combo.clear()
        for key, msgid in CHANNELS.items():
            self.channel_combo.addItem(_(msgid), key)
        self.channel_combo.setCurrentIndex(max(0, self.channel_combo.findData(current)))
        self.channel_combo.blockSignals(False)
        self.order_date_label.setText(_("Order date:"))
        self.back_button.setText(_("Back"))
        self.next_button.setText(_("Check the rows"))
        self.check_again_button.setText(_("Check again"))
        self.check_again_button.setToolTip(_("Read the workbook again after correcting it in Excel"))
        self.import_button.setText(_("Import"))
        self.close_button.setText(_("Close"))
        self.problems_model.refresh_headers()
        self.orders_model.refresh_headers()
        self._update_preview_texts()
        self._update_mapping_message()

    # -- the mapping page ----------------------------------------------------------------------------------------
    def _load_sheet(self, info: SheetInfo) -> None:
        self.info = info
        self.header_row_spin.blockSignals(True)
        self.header_row_spin.setValue(info.header_row)
        self.header_row_spin.blockSignals(False)
        self.top_rows_model.set_rows(info.top_rows, info.header_row)
        self.top_rows_view.resizeColumnsToContents()
        if info.header_row <= len(info.top_rows):
            self.top_rows_view.scrollTo(self.top_rows_model.index(info.header_row - 1, 0),
                                        QAbstractItemView.ScrollHint.PositionAtCenter)
        self._update_sheet_values_text()
        self.sheet_combo.blockSignals(True)
        self.sheet_combo.clear()
        self.sheet_combo.addItems(list(info.sheet_names))
        self.sheet_combo.setCurrentText(info.sheet_name)
        self.sheet_combo.setEnabled(len(info.sheet_names) > 1)
        self.sheet_combo.blockSignals(False)
        remembered = remembered_choices(info.signature)
        mapping = remembered.get("mapping") if isinstance(remembered.get("mapping"), dict) else None
        if mapping is None:
            mapping = order_import.guess_mapping(info.headers)
        present = {h for h in info.headers if h}
        for f in IMPORT_FIELDS:
            combo = self.field_combos[f.key]
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(_("— not in the sheet —"), NOT_MAPPED)
            for index, header in enumerate(info.headers):
                if header:
                    combo.addItem(f"{order_import.column_letter(index)}: {header}", header)
            chosen = mapping.get(f.key)
            combo.setCurrentIndex(max(0, combo.findData(chosen)) if chosen in present else 0)
            combo.blockSignals(False)
            self._column_chosen(f.key)
        customer_id = remembered.get("customer_id")
        if isinstance(customer_id, int):
            try:
                self.customer_field.set_customer(customer_service.get_customer(self.ctx.db, customer_id))
            except DomainError:
                self.customer_field.set_customer(None)
        channel = remembered.get("channel")
        if channel in CHANNELS:
            self.channel_combo.setCurrentIndex(max(0, self.channel_combo.findData(channel)))
        self._update_mapping_message()

    def _sheet_chosen(self, _index: int) -> None:
        name = self.sheet_combo.currentText()
        if not name or name == self.info.sheet_name:
            return
        self._reopen(name, None)

    def _header_row_chosen(self, row: int) -> None:
        if row != self.info.header_row:
            self._reopen(self.info.sheet_name, row)

    def set_header_row(self, row: int) -> None:
        """Choose the row that names the columns (as the clerk does with the spin box)."""
        self.header_row_spin.setValue(row)

    def _reopen(self, sheet: str, header_row: int | None) -> None:
        """Read the sheet again with another sheet or header row; on a refusal the previous choice stays."""
        path = self.info.path
        try:
            info = run_in_background(self, _("Opening {file}", file=path.name),
                                     lambda _progress, _stop: order_import.inspect_workbook(path, sheet, header_row))
        except DomainError as exc:
            show_failure(self.ctx, self, exc)
            info = None
        if info is None:
            self.sheet_combo.blockSignals(True)
            self.sheet_combo.setCurrentText(self.info.sheet_name)
            self.sheet_combo.blockSignals(False)
            self.header_row_spin.blockSignals(True)
            self.header_row_spin.setValue(self.info.header_row)
            self.header_row_spin.blockSignals(False)
            return
        self._load_sheet(info)
        self.retranslate_ui()

    def _update_sheet_values_text(self) -> None:
        values = self.info.sheet_values
        self.sheet_values_check.setVisible(bool(values))
        if not values:
            self.sheet_values_label.setText(_("Nothing is written above the header for the whole order."))
            return
        found = "; ".join(_("{field}: {value} (row {row})", field=order_import.FIELD_BY_KEY[key].label, value=text,
                            row=row) for key, text, row in values)
        self.sheet_values_label.setText(_("Written above the header: {values}", values=found))

    def _column_chosen(self, key: str) -> None:
        header = self.field_combos[key].currentData()
        example = ""
        if header:
            index = self.info.headers.index(header)
            for sample in self.info.samples:
                if index < len(sample) and sample[index]:
                    example = sample[index]
                    break
        self.example_labels[key].setText(example[:60])
        self._update_mapping_message()

    def mapping(self) -> dict[str, str]:
        return {key: combo.currentData() for key, combo in self.field_combos.items() if combo.currentData()}

    def set_column(self, key: str, header: str | None) -> None:
        """Choose the column of a field by its header text (None: the field is not in the sheet)."""
        combo = self.field_combos[key]
        combo.setCurrentIndex(max(0, combo.findData(header or NOT_MAPPED)))

    def options(self) -> ImportOptions:
        customer = self.customer_field.customer
        date = self.order_date_edit.date()
        return ImportOptions(customer_id=customer.id if customer else None,
                             channel=self.channel_combo.currentData() or "email",
                             order_date=dt.date(date.year(), date.month(), date.day()),
                             sheet_name=self.info.sheet_name, header_row=self.info.header_row,
                             sheet_values=None if self.sheet_values_check.isChecked() else {})

    def _sheet_names_customer(self) -> bool:
        return self.sheet_values_check.isChecked() and any(k == "customer" for k, _t, _r in self.info.sheet_values)

    def missing_fields(self) -> list[str]:
        return order_import.missing_required(self.mapping(), self.customer_field.customer is not None
                                             or self._sheet_names_customer())

    def _update_mapping_message(self) -> None:
        missing = self.missing_fields()
        if missing:
            self.mapping_message.setText(_("Still needed: {fields}. Choose their columns (or, for the customer, "
                                           "a customer for the whole sheet).", fields=", ".join(missing)))
        else:
            self.mapping_message.setText("")
        self.next_button.setEnabled(not missing)

    # -- checking and importing ------------------------------------------------------------------------------------
    def _run(self, dry_run: bool) -> ImportResult | None:
        mapping, options, path = self.mapping(), self.options(), self.info.path
        db, actor = self.ctx.db, self.ctx.actor
        title = _("Checking {file}", file=path.name) if dry_run else _("Importing {file}", file=path.name)
        try:
            return run_in_background(self, title, lambda progress, stop: order_import.run_import(
                db, actor, path, mapping, options, dry_run=dry_run, progress=progress, should_stop=stop))
        except DomainError as exc:
            show_failure(self.ctx, self, exc)
            return None

    def check(self) -> ImportResult | None:
        """Check every row without importing (a rolled-back run of the real import) and show the preview."""
        self.customer_field.resolve_typed()
        self._update_mapping_message()
        if self.missing_fields():
            return None
        # Each check reads the workbook again, so corrections saved in Excel meanwhile are seen.
        result = self._run(dry_run=True)
        if result is None:
            return None
        remember_choices(self.info.signature, self.mapping(), self.options().customer_id, self.options().channel)
        self.last_check = result
        self.problems_model.set_rows(result.problems)
        self.orders_model.set_rows(result.orders)
        self._show_page(PAGE_PREVIEW)
        return result

    def run_import(self) -> ImportResult | None:
        """Import every order in one transaction; refused while the last check found problems."""
        if self.last_check is None or not self.last_check.ok:
            return None
        result = self._run(dry_run=False)
        if result is None:
            return None
        self.last_check = result
        self.problems_model.set_rows(result.problems)
        self.orders_model.set_rows(result.orders)
        self._update_preview_texts()
        if not result.imported:
            # Someone changed the database between the check and the import (e.g. imported the same PO).
            self._show_page(PAGE_PREVIEW)
            return None
        self.imported = result
        message = _("Imported {orders:,} orders with {lines:,} lines: {first} … {last}.", orders=len(result.orders),
                    lines=result.line_count, first=result.orders[0].order_no, last=result.orders[-1].order_no)
        self.ctx.bus.sig_status_message.emit(message)
        self.ctx.bus.sig_orders_changed.emit()
        self.sig_imported.emit(result)
        announce(self, _("Import finished"), message)
        self.accept()
        return result

    # -- pages and texts ---------------------------------------------------------------------------------------
    def go_back(self) -> None:
        self._show_page(PAGE_MAPPING)

    def _show_page(self, page: int) -> None:
        self.pages.setCurrentIndex(page)
        on_preview = page == PAGE_PREVIEW
        self.back_button.setVisible(on_preview)
        self.check_again_button.setVisible(on_preview)
        self.import_button.setVisible(on_preview)
        self.next_button.setVisible(not on_preview)
        self._update_preview_texts()
        self._update_mapping_message()

    def _update_preview_texts(self) -> None:
        r = self.last_check
        ok = r is not None and r.ok and not r.imported
        self.import_button.setEnabled(ok)
        if r is None:
            self.summary_label.setText("")
            self.import_button.setToolTip("")
            return
        counts = _("{rows:,} rows make {orders:,} orders with {lines:,} lines.", rows=r.rows, orders=len(r.orders),
                   lines=r.line_count)
        if r.empty_rows or r.total_rows:
            counts += " " + _("Skipped: {blank:,} blank rows, {total:,} total rows.", blank=r.empty_rows,
                              total=r.total_rows)
            named = [skipped.describe() for skipped in r.skipped[:SKIPPED_SHOWN]]
            more = r.empty_rows + r.total_rows - len(named)
            if more > 0:
                named.append(_("… and {n:,} more rows skipped.", n=more))
            counts += "\n" + " ".join(named)
        if r.sheet_values:
            counts += "\n" + _("For the whole sheet (written above the header): {values}", values="; ".join(
                f"{order_import.FIELD_BY_KEY[k].label}: {v}" for k, v in r.sheet_values.items()))
        if r.ok:
            verdict = _("Every row is valid; press Import to create the orders in one go.")
            colour = OK_TEXT
            self.import_button.setToolTip("")
        else:
            verdict = _("{n:,} problems: correct them in the workbook, save it, and press Check again. Nothing "
                        "is imported while any row has a problem.", n=r.problem_count)
            colour = MISSING_TEXT
            self.import_button.setToolTip(_("Import is possible once every row is valid."))
        self.summary_label.setText(f"{counts}\n{verdict}")
        self.summary_label.setStyleSheet(f"color: {colour.name()}; font-weight: bold;")
        shown = len(r.problems)
        if r.problem_count > shown:
            self.problems_title.setText(_("Problems (first {shown:,} of {n:,})", shown=shown, n=r.problem_count))
        else:
            self.problems_title.setText(_("Problems ({n:,})", n=r.problem_count))
        self.orders_title.setText(_("Orders in the sheet ({n:,})", n=len(r.orders)))


def announce(parent: QWidget | None, title: str, text: str) -> None:
    """A short confirmation after the work is done (tests replace this function)."""
    QMessageBox.information(parent, title, text)


def choose_workbook(parent: QWidget | None) -> str | None:
    """Ask for the order sheet (tests replace this function)."""
    settings = QSettings()
    folder = settings.value(SETTINGS_LAST_FOLDER)
    path, _filter = QFileDialog.getOpenFileName(
        parent, _("Choose the customer's order sheet"), folder if isinstance(folder, str) else "",
        _("Excel workbooks (*.xlsx *.xlsm);;All files (*)"))
    if path:
        settings.setValue(SETTINGS_LAST_FOLDER, str(Path(path).parent))
    return path or None


def import_orders(ctx: UiContext, parent: QWidget | None = None) -> ImportResult | None:
    """The Orders tab's Import action: returns the result once orders were imported, else None."""
    path = choose_workbook(parent)
    if not path:
        return None
    try:
        info = run_in_background(parent, _("Opening {file}", file=Path(path).name),
                                 lambda _progress, _stop: order_import.inspect_workbook(path))
    except DomainError as exc:
        show_failure(ctx, parent, exc)
        return None
    wizard = ImportWizard(ctx, info, parent)
    wizard.exec()
    return wizard.imported


__all__ = ["import_orders", "ImportWizard", "run_in_background", "show_failure", "choose_workbook", "announce"]
