"""The order form: create or edit a draft with every field, its lines, stones and attachments; submit it for review."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFileIconProvider,
    QGridLayout,
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
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ... import clock
from ...i18n import _, ngettext
from ...i18n import formats
from ...models.orders import CHANNELS
from ...services import customers, documents, stages, styles, users
from ...services.customers import CURRENCIES, CustomerInfo
from ...services.documents import DocumentInfo
from ...services.errors import ConcurrentEditError, DomainError, FieldProblem, ValidationError
from ...services.orders import intake as orders
from ...services.orders.intake import OrderInput, OrderView
from ...services.validation import mg_to_grams_text
from .. import operations
from ..context import UiContext
from .customer_choice import CustomerField
from .line_editors import (COLUMN_OF, LINE_COLUMNS, LineDraft, LinesModel, MetalDelegate, StoneDraft, StonesDialog,
                           exact_decimal)
from .style import TABLE_STYLE, stage_badge_css

# Shown inline under the form; more than this many problems are summarised so the buttons stay on screen.
SHOWN_PROBLEMS = 12
FORM_STYLE = """
QGroupBox { font-weight: bold; border: 1px solid #c8c8c8; border-radius: 4px; margin-top: 12px; padding-top: 6px; }
QGroupBox::title { subcontrol-origin: margin; left: 10px; padding: 0 4px; }
QLineEdit[problem="true"], QComboBox[problem="true"], QDateEdit[problem="true"], QPlainTextEdit[problem="true"],
QTableView[problem="true"], QListWidget[problem="true"] { border: 2px solid #d32f2f; border-radius: 3px; }
"""
# Typing into a selected cell starts editing it, as in a spreadsheet.
LINE_EDIT_TRIGGERS = (QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
                      | QAbstractItemView.EditTrigger.AnyKeyPressed | QAbstractItemView.EditTrigger.SelectedClicked)
HEADER_FIELDS = ("customer", "channel", "order_date", "delivery_date", "delivery_place", "currency", "priority",
                 "special_requirements", "lines", "attachments", "order_no")


def ask_reload(parent: QWidget | None, exc: ConcurrentEditError) -> bool:
    """Explain that someone else saved first and offer to load their version (tests replace this function)."""
    box = QMessageBox(QMessageBox.Icon.Warning, operations.error_title(exc),
                      str(exc) + "\n\n" + _("Reload the order now? What you typed in this form will be replaced by "
                                             "the saved order; note your changes first if you need them."),
                      QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName("concurrent_edit_box")
    reload_button = box.addButton(_("Reload the order"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(_("Keep my input"), QMessageBox.ButtonRole.RejectRole)
    box.exec()
    return box.clickedButton() is reload_button


def confirm_discard(parent: QWidget | None) -> bool:
    """Closing a form with unsaved input asks first (tests replace this function)."""
    answer = QMessageBox.question(parent, _("Unsaved changes"),
                                  _("Close the form and discard what you typed?"),
                                  QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                                  QMessageBox.StandardButton.Cancel)
    return answer == QMessageBox.StandardButton.Discard


def missing_field_keys(view: OrderView) -> list[str]:
    """Where the fields named by orders.missing_for_submission sit in this form, to mark them."""
    keys = []
    if not view.delivery_date:
        keys.append("delivery_date")
    if not view.delivery_place:
        keys.append("delivery_place")
    if not view.lines:
        keys.append("lines")
    for line in view.lines:
        if not line.description:
            keys.append(f"lines[{line.line_no}].description")
        if line.target_weight_mg is None:
            keys.append(f"lines[{line.line_no}].target_weight")
        if not line.unit_price:
            keys.append(f"lines[{line.line_no}].unit_price")
    return keys


def _date(d: dt.date) -> QDate:
    return QDate(d.year, d.month, d.day)


class OrderForm(QDialog):
    """A new order (order_id None) or an existing one; saving keeps the form's input when the service refuses it."""

    sig_saved = Signal(int)          # order id, after every successful save
    sig_submitted = Signal(int)

    def __init__(self, ctx: UiContext, order_id: int | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("order_form")
        self.ctx = ctx
        self.order_id = order_id
        self.version: int | None = None
        self.saved_view: OrderView | None = None
        self.stage = "draft"
        self._documents: list[DocumentInfo] = []
        self._pending_files: list[Path] = []
        self._removed_document_ids: list[int] = []
        self._clean_state: tuple | None = None
        self._currency_touched = False
        self._build()
        self.ctx.bus.sig_language_changed.connect(self._language_changed)
        if order_id is None:
            self._start_new()
        else:
            self.load(order_id)

    # -- layout -----------------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.setStyleSheet(FORM_STYLE)
        self.labels: dict[str, QLabel] = {}
        self.order_no_value = QLabel()
        self.order_no_value.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.order_no_value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.stage_value = QLabel()
        self.customer_field = CustomerField(self.ctx)
        self.channel_combo = QComboBox()
        self.order_date_edit = QDateEdit()
        self.delivery_date_check = QCheckBox()
        self.delivery_date_edit = QDateEdit()
        for edit in (self.order_date_edit, self.delivery_date_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setMinimumDate(QDate(2000, 1, 1))
            edit.setMinimumWidth(130)
        self.delivery_place_edit = QLineEdit()
        # A pasted over-long text must reach the service and be refused by name, not be cut silently here.
        self.delivery_place_edit.setMaxLength(1_000_000)
        self.currency_combo = QComboBox()
        self.currency_combo.setEditable(True)
        self.currency_combo.addItems(list(CURRENCIES))
        self.currency_combo.lineEdit().setMaxLength(10)
        self.priority_combo = QComboBox()
        self.special_edit = QPlainTextEdit()
        self.special_edit.setTabChangesFocus(True)
        self.special_edit.setMinimumHeight(48)
        self.special_edit.setMaximumHeight(72)

        header = QGroupBox()
        self.header_box = header
        grid = QGridLayout(header)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(8)

        def put(row: int, col: int, key: str, widget: QWidget, span: int = 1) -> None:
            label = QLabel()
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.labels[key] = label
            grid.addWidget(label, row, col * 2)
            grid.addWidget(widget, row, col * 2 + 1, 1, span)

        delivery = QWidget()
        delivery_row = QHBoxLayout(delivery)
        delivery_row.setContentsMargins(0, 0, 0, 0)
        delivery_row.addWidget(self.delivery_date_check)
        delivery_row.addWidget(self.delivery_date_edit, 1)
        currency_priority = QWidget()
        cp_row = QHBoxLayout(currency_priority)
        cp_row.setContentsMargins(0, 0, 0, 0)
        cp_row.addWidget(self.currency_combo)
        self.priority_label = QLabel()
        cp_row.addSpacing(12)
        cp_row.addWidget(self.priority_label)
        cp_row.addWidget(self.priority_combo, 1)
        order_no_row = QWidget()
        on_row = QHBoxLayout(order_no_row)
        on_row.setContentsMargins(0, 0, 0, 0)
        on_row.addWidget(self.order_no_value)
        on_row.addSpacing(16)
        on_row.addWidget(self.stage_value)
        on_row.addStretch(1)

        put(0, 0, "order_no", order_no_row, 3)
        put(1, 0, "customer", self.customer_field)
        put(1, 1, "channel", self.channel_combo)
        put(2, 0, "order_date", self.order_date_edit)
        put(2, 1, "delivery_date", delivery)
        put(3, 0, "delivery_place", self.delivery_place_edit)
        put(3, 1, "currency", currency_priority)
        put(4, 0, "special_requirements", self.special_edit, 3)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(3, 2)

        # Lines
        self.lines_model = LinesModel(self)
        self.lines_model.style_lookup = self.line_of_style
        self.lines_view = QTableView()
        self.lines_view.setModel(self.lines_model)
        self.lines_view.setItemDelegateForColumn(COLUMN_OF["metal"], MetalDelegate(self.lines_view))
        self.lines_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.lines_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.lines_view.setEditTriggers(LINE_EDIT_TRIGGERS)
        self.lines_view.verticalHeader().setVisible(False)
        # Rows grow with their stones (one per text line); an order has at most 500 lines, so measuring is cheap.
        self.lines_view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.lines_view.verticalHeader().setMinimumSectionSize(28)
        self.lines_view.setWordWrap(True)
        self.lines_view.setStyleSheet(TABLE_STYLE)
        hh = self.lines_view.horizontalHeader()
        widths = {"line_no": 36, "style_code": 110, "metal": 150, "size": 60, "quantity": 70, "target_weight": 110,
                  "unit_price": 90, "stones": 200, "amount": 100}
        for key, width in widths.items():
            self.lines_view.setColumnWidth(COLUMN_OF[key], width)
        hh.setSectionResizeMode(COLUMN_OF["description"], QHeaderView.ResizeMode.Stretch)
        self.lines_view.setMinimumHeight(150)
        self.lines_view.doubleClicked.connect(self._cell_double_clicked)
        self.add_line_button = QPushButton()
        self.copy_line_button = QPushButton()
        self.remove_line_button = QPushButton()
        self.stones_button = QPushButton()
        self.totals_label = QLabel()
        self.totals_label.setStyleSheet("font-weight: bold;")
        line_buttons = QHBoxLayout()
        for b in (self.add_line_button, self.copy_line_button, self.remove_line_button, self.stones_button):
            line_buttons.addWidget(b)
        line_buttons.addStretch(1)
        line_buttons.addWidget(self.totals_label)
        self.lines_box = QGroupBox()
        lines_layout = QVBoxLayout(self.lines_box)
        lines_layout.addLayout(line_buttons)
        lines_layout.addWidget(self.lines_view, 1)

        # Attachments
        self.attachments_list = QListWidget()
        self.attachments_list.setMaximumHeight(96)
        self.attachments_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.add_files_button = QPushButton()
        self.remove_file_button = QPushButton()
        self.attachments_box = QGroupBox()
        att_layout = QHBoxLayout(self.attachments_box)
        att_layout.addWidget(self.attachments_list, 1)
        att_buttons = QVBoxLayout()
        att_buttons.addWidget(self.add_files_button)
        att_buttons.addWidget(self.remove_file_button)
        att_buttons.addStretch(1)
        att_layout.addLayout(att_buttons)

        self.problems_label = QLabel()
        self.problems_label.setObjectName("order_form_problems")
        self.problems_label.setTextFormat(Qt.TextFormat.PlainText)
        self.problems_label.setWordWrap(True)
        self.problems_label.setStyleSheet("color: #b71c1c; background: #fdecea; padding: 6px; border-radius: 3px;")
        self.problems_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.problems_label.hide()
        self.readonly_note = QLabel()
        self.readonly_note.setWordWrap(True)
        self.readonly_note.setStyleSheet("color: #8a5300; background: #fff3d6; padding: 6px;")
        self.readonly_note.hide()

        self.save_button = QPushButton()
        self.submit_button = QPushButton()
        self.close_button = QPushButton()
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.submit_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.readonly_note)
        layout.addWidget(header)
        layout.addWidget(self.lines_box, 1)
        layout.addWidget(self.attachments_box)
        layout.addWidget(self.problems_label)
        layout.addLayout(buttons)

        self.add_line_button.clicked.connect(self.add_line)
        self.copy_line_button.clicked.connect(self.copy_line)
        self.remove_line_button.clicked.connect(self.remove_line)
        self.stones_button.clicked.connect(lambda: self.edit_stones(self._current_line()))
        self.add_files_button.clicked.connect(self._choose_files)
        self.remove_file_button.clicked.connect(self.remove_selected_attachments)
        self.save_button.clicked.connect(lambda: self.save(submit=False))
        self.submit_button.clicked.connect(lambda: self.save(submit=True))
        self.close_button.clicked.connect(self.reject)
        self.lines_model.sig_changed.connect(self._update_totals)
        self.customer_field.sig_customer_changed.connect(self._customer_chosen)
        self.currency_combo.lineEdit().textEdited.connect(lambda _t: setattr(self, "_currency_touched", True))
        self.currency_combo.activated.connect(lambda _i: setattr(self, "_currency_touched", True))
        self.delivery_date_check.toggled.connect(self._delivery_toggled)
        self.order_date_edit.dateChanged.connect(self._order_date_changed)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=lambda: self.save(submit=False))
        self.resize(1180, 820)
        self.retranslate_ui()

    def _language_changed(self, _language: str) -> None:
        self.retranslate_ui()

    def line_of_style(self, code: str) -> LineDraft | None:
        """What a line of this style starts with; its price only when the style is priced in the order's currency."""
        try:
            style = styles.find_style(self.ctx.db, code)
        except DomainError:
            return None
        if style is None:
            return None
        same_currency = style.currency == self.currency_combo.currentText().strip().upper()
        price = f"{style.unit_price:.2f}" if style.unit_price is not None and same_currency else ""
        return LineDraft(style.code, style.name, style.default_metal, "", "", mg_to_grams_text(style.target_weight_mg),
                         price, [StoneDraft(st.stone_type, str(st.count), f"{st.carat:.3f}") for st in style.stones])

    def retranslate_ui(self) -> None:
        texts = {
            "order_no": _("Order no."), "customer": _("Customer"), "channel": _("Channel"),
            "order_date": _("Order date"), "delivery_date": _("Delivery date"), "delivery_place": _("Delivery place"),
            "currency": _("Currency"), "special_requirements": _("Special requirements"),
        }
        for key, text in texts.items():
            self.labels[key].setText(text)
        self.priority_label.setText(_("Priority"))
        self.customer_field.retranslate_ui()
        current_channel = self.channel_combo.currentData()
        self.channel_combo.clear()
        for key, msgid in CHANNELS.items():
            self.channel_combo.addItem(_(msgid), key)
        self.channel_combo.setPlaceholderText(_("How did the order come in?"))
        self.channel_combo.setCurrentIndex(self.channel_combo.findData(current_channel))
        current_priority = self.priority_combo.currentData() or 3
        self.priority_combo.clear()
        priority_names = {1: _("1 — low"), 2: "2", 3: _("3 — normal"), 4: "4", 5: _("5 — urgent")}
        for level, name in priority_names.items():
            self.priority_combo.addItem(name, level)
        self.priority_combo.setCurrentIndex(self.priority_combo.findData(current_priority))
        self.delivery_date_check.setText(_("agreed"))
        self.delivery_date_check.setToolTip(_("Untick while the delivery date is not agreed yet; a draft may be "
                                              "saved without it, but it is needed to submit for review."))
        self.delivery_place_edit.setPlaceholderText(_("Address or place the goods are delivered to"))
        self.special_edit.setPlaceholderText(_("Engraving, packing, hallmark, stone-setting or other instructions"))
        self.header_box.setTitle(_("Order"))
        self.lines_box.setTitle(_("Order lines"))
        self.attachments_box.setTitle(_("Attachments (design images, CAD files)"))
        self.add_line_button.setText(_("Add line"))
        self.copy_line_button.setText(_("Copy line"))
        self.remove_line_button.setText(_("Remove line"))
        self.stones_button.setText(_("Stones…"))
        self.add_files_button.setText(_("Add files…"))
        self.remove_file_button.setText(_("Remove"))
        self.save_button.setText(_("Save draft") if self.stage == "draft" else _("Save"))
        self.submit_button.setText(_("Save and submit for review"))
        self.close_button.setText(_("Close"))
        self.lines_model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(LINE_COLUMNS) - 1)
        self._update_title()
        self._update_totals()
        self._fill_attachments()

    def _update_title(self) -> None:
        if self.order_id is None:
            self.setWindowTitle(_("New order"))
            self.order_no_value.setText(_("(number assigned when saved)"))
            self.stage_value.setText(stages.stage_label("draft"))
            self.stage_value.setStyleSheet(stage_badge_css("draft"))
        else:
            number = self.saved_view.order_no if self.saved_view else ""
            self.setWindowTitle(_("Order {order_no}", order_no=number))
            self.order_no_value.setText(number)
            self.stage_value.setText(stages.stage_label(self.stage))
            self.stage_value.setStyleSheet(stage_badge_css(self.stage))

    # -- loading ----------------------------------------------------------------------------------------------
    def _start_new(self) -> None:
        today = clock.today()
        self.order_date_edit.setDate(_date(today))
        self.delivery_date_edit.setDate(_date(today + dt.timedelta(days=self._default_lead_days())))
        self.delivery_date_check.setChecked(False)
        self._delivery_toggled(False)
        currency = self._setting("default_currency") or "CNY"
        self.currency_combo.setCurrentText(currency)
        self.lines_model.set_lines([LineDraft()])
        self._apply_editability()
        self._remember_clean_state()

    def _setting(self, key: str) -> str:
        try:
            return users.get_setting(self.ctx.db, key)
        except DomainError:
            return ""

    def _default_lead_days(self) -> int:
        try:
            return max(1, int(self._setting("default_lead_days") or 30))
        except ValueError:
            return 30

    def load(self, order_id: int) -> bool:
        """Fill the form from the saved order (also after "Reload" when someone else saved first)."""
        def read():
            return orders.get_order(self.ctx.db, order_id), documents.list_documents(self.ctx.db, order_id)

        loaded = operations.run(self.ctx, self, read)
        if loaded is None:
            return False
        view, docs = loaded
        self.order_id = view.id
        self._show_view(view)
        self._documents = docs
        self._pending_files = []
        self._removed_document_ids = []
        self._fill_attachments()
        self._clear_problems()
        self._remember_clean_state()
        return True

    def _show_view(self, view: OrderView) -> None:
        self.saved_view = view
        self.version = view.version
        self.stage = view.stage
        try:
            customer = customers.get_customer(self.ctx.db, view.customer_id)
        except DomainError:
            customer = None
        self.customer_field.set_customer(customer)
        self.channel_combo.setCurrentIndex(self.channel_combo.findData(view.channel))
        self.order_date_edit.setDate(_date(view.order_date))
        if view.delivery_date:
            self.delivery_date_edit.setDate(_date(view.delivery_date))
        self.delivery_date_check.setChecked(view.delivery_date is not None)
        self._delivery_toggled(view.delivery_date is not None)
        self.delivery_place_edit.setText(view.delivery_place)
        self.currency_combo.setCurrentText(view.currency)
        self._currency_touched = True
        self.priority_combo.setCurrentIndex(self.priority_combo.findData(view.priority))
        self.special_edit.setPlainText(view.special_requirements)
        self.lines_model.set_lines([LineDraft.from_view(line) for line in view.lines])
        self._apply_editability()
        self.retranslate_ui()

    def _apply_editability(self) -> None:
        editable = self.stage in stages.EDITABLE_STAGES
        for w in (self.customer_field, self.channel_combo, self.order_date_edit, self.delivery_date_check,
                  self.delivery_place_edit, self.currency_combo, self.priority_combo, self.add_line_button,
                  self.copy_line_button, self.remove_line_button, self.stones_button, self.add_files_button,
                  self.remove_file_button, self.save_button):
            w.setEnabled(editable)
        self.delivery_date_edit.setEnabled(editable and self.delivery_date_check.isChecked())
        self.special_edit.setReadOnly(not editable)
        self.lines_view.setEditTriggers(LINE_EDIT_TRIGGERS if editable
                                        else QAbstractItemView.EditTrigger.NoEditTriggers)
        self.submit_button.setVisible(self.stage == "draft")
        self.submit_button.setEnabled(editable)
        if editable:
            self.readonly_note.hide()
        else:
            self.readonly_note.setText(_("This order is {stage}; it can no longer be edited.",
                                         stage=stages.stage_label(self.stage)))
            self.readonly_note.show()

    # -- reading the widgets ----------------------------------------------------------------------------------
    def collect(self) -> OrderInput:
        customer = self.customer_field.customer
        return OrderInput(
            customer_id=customer.id if customer else None,
            channel=self.channel_combo.currentData() or "",
            order_date=self.order_date_edit.date().toPython(),
            delivery_date=self.delivery_date_edit.date().toPython() if self.delivery_date_check.isChecked() else None,
            delivery_place=self.delivery_place_edit.text(),
            special_requirements=self.special_edit.toPlainText(),
            currency=self.currency_combo.currentText(),
            priority=int(self.priority_combo.currentData() or 3),
            lines=[line.to_input() for line in self.lines_model.lines],
        )

    def _state(self) -> tuple:
        return self.collect(), tuple(self._pending_files), tuple(self._removed_document_ids)

    def _remember_clean_state(self) -> None:
        self._clean_state = self._state()

    def is_dirty(self) -> bool:
        return self._clean_state is not None and self._state() != self._clean_state

    # -- lines ------------------------------------------------------------------------------------------------
    def _current_line(self) -> int:
        index = self.lines_view.currentIndex()
        return index.row() if index.isValid() else len(self.lines_model.lines) - 1

    def add_line(self) -> None:
        row = self.lines_model.add_line()
        self.lines_view.setCurrentIndex(self.lines_model.index(row, COLUMN_OF["style_code"]))
        self.lines_view.setFocus()

    def copy_line(self) -> None:
        row = self._current_line()
        if row < 0:
            return
        new_row = self.lines_model.add_line(self.lines_model.lines[row].copy(), row + 1)
        self.lines_view.setCurrentIndex(self.lines_model.index(new_row, COLUMN_OF["style_code"]))

    def remove_line(self) -> None:
        row = self._current_line()
        if row >= 0:
            self.lines_model.remove_line(row)

    def _cell_double_clicked(self, index) -> None:
        if LINE_COLUMNS[index.column()].key == "stones" and self.stage in stages.EDITABLE_STAGES:
            self.edit_stones(index.row())

    def edit_stones(self, row: int) -> None:
        if not 0 <= row < len(self.lines_model.lines):
            return
        dialog = StonesDialog(self.lines_model.lines[row].stones, _("Line {n}", n=row + 1),
                              self.lines_model.problems.get((row, "stones")), self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.lines_model.set_stones(row, dialog.stones())

    def _update_totals(self) -> None:
        lines = self.lines_model.lines
        quantity = sum((exact_decimal(line.quantity) or Decimal(0)) for line in lines)
        amount = sum((self.lines_model.amount_of(line) or Decimal(0)) for line in lines)
        count = ngettext("{n} line", "{n} lines", len(lines))
        self.totals_label.setText(_("{lines} · {quantity} pcs · {currency} {amount}", lines=count,
                                    quantity=f"{quantity:,}", currency=self.currency_combo.currentText(),
                                    amount=formats.amount(amount, self.currency_combo.currentText())))

    # -- attachments ------------------------------------------------------------------------------------------
    def _choose_files(self) -> None:
        paths, _filter = QFileDialog.getOpenFileNames(
            self, _("Attach design images, CAD files or documents"), "",
            _("Design images and CAD files (*.png *.jpg *.jpeg *.bmp *.gif *.webp *.tif *.tiff *.3dm *.stl *.obj "
              "*.step *.stp *.iges *.igs *.dxf *.dwg *.jcd *.mgx);;All files (*)"))
        self.add_files(paths)

    def add_files(self, paths) -> None:
        for p in paths:
            path = Path(p)
            if path not in self._pending_files:
                self._pending_files.append(path)
        self._fill_attachments()

    def remove_selected_attachments(self) -> None:
        for item in self.attachments_list.selectedItems():
            kind, value = item.data(Qt.ItemDataRole.UserRole)
            if kind == "pending" and value in self._pending_files:
                self._pending_files.remove(value)
            elif kind == "stored" and value not in self._removed_document_ids:
                self._removed_document_ids.append(value)
        self._fill_attachments()

    def _fill_attachments(self) -> None:
        if not hasattr(self, "attachments_list"):
            return
        self.attachments_list.clear()
        icons = QFileIconProvider()
        for doc in self._documents:
            if doc.id in self._removed_document_ids:
                continue
            item = QListWidgetItem(icons.icon(QFileIconProvider.IconType.File), doc.file_name)
            item.setToolTip(_("SHA-256 {sha}", sha=doc.sha256))
            item.setData(Qt.ItemDataRole.UserRole, ("stored", doc.id))
            self.attachments_list.addItem(item)
        for path in self._pending_files:
            item = QListWidgetItem(icons.icon(QFileIconProvider.IconType.File),
                                   _("{file} (added when saved)", file=path.name))
            item.setToolTip(str(path))
            item.setData(Qt.ItemDataRole.UserRole, ("pending", path))
            self.attachments_list.addItem(item)
        if self._removed_document_ids:
            self.attachments_box.setToolTip(_("{n} attachments will be removed when saved.",
                                              n=len(self._removed_document_ids)))
        else:
            self.attachments_box.setToolTip("")

    # -- problems ---------------------------------------------------------------------------------------------
    def _field_widget(self, key: str) -> QWidget | None:
        return {
            "customer": self.customer_field.edit, "channel": self.channel_combo, "order_date": self.order_date_edit,
            "delivery_date": self.delivery_date_edit, "delivery_place": self.delivery_place_edit,
            "currency": self.currency_combo, "priority": self.priority_combo,
            "special_requirements": self.special_edit, "lines": self.lines_view,
            "attachments": self.attachments_list,
        }.get(key)

    @staticmethod
    def _mark(widget: QWidget, message: str | None) -> None:
        widget.setProperty("problem", bool(message))
        widget.setToolTip(message or "")
        widget.style().unpolish(widget)
        widget.style().polish(widget)

    def _clear_problems(self) -> None:
        for key in HEADER_FIELDS:
            widget = self._field_widget(key)
            if widget is not None and widget.property("problem"):
                self._mark(widget, None)
        self.lines_model.set_problems({})
        self.problems_label.hide()
        self.problems_label.clear()

    def show_problems(self, problems: list[FieldProblem]) -> None:
        """Mark every field the service named and list the messages under the form; the input stays as typed."""
        header: dict[str, list[str]] = {}
        cells: dict[tuple[int, str], list[str]] = {}
        for problem in problems:
            cell = LinesModel.cell_of(problem.field)
            if cell is not None and 0 <= cell[0] < len(self.lines_model.lines):
                cells.setdefault(cell, []).append(problem.message)
            else:
                header.setdefault(problem.field if self._field_widget(problem.field) else "", []).append(
                    problem.message)
        for key, messages in header.items():
            widget = self._field_widget(key)
            if widget is not None:
                self._mark(widget, "\n".join(messages))
        self.lines_model.set_problems(cells)
        if cells:
            first = min(cells)
            self.lines_view.scrollTo(self.lines_model.index(first[0], COLUMN_OF[first[1]]))
        messages = [p.message for p in problems]
        shown = messages[:SHOWN_PROBLEMS]
        text = "\n".join("• " + m for m in shown)
        if len(messages) > len(shown):
            text += "\n" + _("… and {n} more problems.", n=len(messages) - len(shown))
        self.problems_label.setText(text)
        self.problems_label.setVisible(bool(messages))

    # -- saving -----------------------------------------------------------------------------------------------
    def _commit_open_editor(self) -> None:
        # A cell still being typed in is committed when it loses focus; saving must include it.
        focused = QApplication.focusWidget()
        if focused is not None and self.lines_view.isAncestorOf(focused):
            self.lines_view.setFocus()

    def _customer_problem(self) -> FieldProblem | None:
        typed = self.customer_field.typed_text
        if self.customer_field.customer is None and typed:
            return FieldProblem("customer", _("Customer: no customer matches \"{text}\". Choose one from the list "
                                              "(press … next to the field).", text=typed[:60]))
        return None

    def _call(self, call):
        """Run a service call; on refusal show it the way this form needs and return None."""
        failure: dict[str, DomainError] = {}

        def guarded():
            try:
                return call()
            except DomainError as exc:
                failure["error"] = exc
                raise

        result = operations.run(self.ctx, self, guarded, quiet_errors=True)
        exc = failure.get("error")
        if exc is None:
            return result
        if isinstance(exc, ValidationError):
            problems = list(exc.problems)
            unknown = self._customer_problem()
            if unknown is not None:
                problems = [p for p in problems if p.field != "customer"] + [unknown]
                exc = ValidationError(problems)
            self.show_problems(problems)
            operations.show_error(self, exc)
        elif isinstance(exc, ConcurrentEditError):
            if ask_reload(self, exc) and self.order_id is not None:
                self.load(self.order_id)
        else:
            operations.show_error(self, exc)
        return None

    def save(self, submit: bool = False) -> OrderView | None:
        """Save the draft (new or changed); with submit, then submit it for review. Returns the saved order."""
        self._commit_open_editor()
        self.customer_field.resolve_typed()
        self._clear_problems()
        data = self.collect()
        db, actor = self.ctx.db, self.ctx.actor
        pending = list(self._pending_files)
        if self.order_id is None:
            view = self._call(lambda: orders.create_order(db, actor, data, attachments=pending))
            if view is None:
                return None
            self._pending_files = []
        else:
            order_id, version = self.order_id, self.version

            def update():
                missing = [p for p in pending if not p.is_file()]
                if missing:
                    raise ValidationError([FieldProblem("attachments", _("The file {file} does not exist or is not "
                                                                         "a file.", file=str(p))) for p in missing])
                return orders.update_order(db, actor, order_id, version, data)

            view = self._call(update)
            if view is None:
                return None
        self.order_id = view.id
        self._show_view(view)
        self._remember_clean_state()
        self.sig_saved.emit(view.id)
        self.ctx.bus.sig_order_changed.emit(view.id)
        self.ctx.bus.sig_status_message.emit(_("Order {order_no} saved.", order_no=view.order_no))
        if not self._save_attachments(view.id):
            return view
        if submit:
            submitted = self._submit(view)
            if submitted is None:
                return view
            view = submitted
        self.accept_saved()
        return view

    def _save_attachments(self, order_id: int) -> bool:
        pending, removed = list(self._pending_files), list(self._removed_document_ids)
        if not pending and not removed:
            self._refresh_documents(order_id)
            return True
        db, actor = self.ctx.db, self.ctx.actor

        def store():
            if pending:
                orders.add_attachments(db, actor, order_id, pending)
            for document_id in removed:
                orders.remove_attachment(db, actor, document_id)
            return True

        ok = self._call(store)
        if ok:
            self._pending_files, self._removed_document_ids = [], []
            self.ctx.bus.sig_order_changed.emit(order_id)
        self._refresh_documents(order_id)
        self._remember_clean_state()
        return bool(ok)

    def _refresh_documents(self, order_id: int) -> None:
        try:
            self._documents = documents.list_documents(self.ctx.db, order_id)
        except DomainError:
            pass
        self._fill_attachments()

    def _submit(self, view: OrderView) -> OrderView | None:
        db, actor = self.ctx.db, self.ctx.actor
        submitted = self._call(lambda: orders.submit_for_review(db, actor, view.id, view.version))
        if submitted is None:
            keys = missing_field_keys(view)
            if keys:
                self._mark_missing(keys)
            return None
        self._show_view(submitted)
        self._remember_clean_state()
        self.sig_submitted.emit(submitted.id)
        self.ctx.bus.sig_order_changed.emit(submitted.id)
        self.ctx.bus.sig_status_message.emit(_("Order {order_no} submitted for review.",
                                               order_no=submitted.order_no))
        return submitted

    def _mark_missing(self, keys: list[str]) -> None:
        message = _("Needed before the order can be submitted for review.")
        self.show_problems([FieldProblem(k, message) for k in keys])
        # The service's message already lists what is missing; the inline list would only repeat it per field.
        self.problems_label.setText(message)

    def accept_saved(self) -> None:
        self._clean_state = None
        self.accept()

    def _customer_chosen(self, info: CustomerInfo | None) -> None:
        if info is not None and not self._currency_touched and self.order_id is None:
            self.currency_combo.setCurrentText(info.currency)
        self._update_totals()

    def _delivery_toggled(self, on: bool) -> None:
        self.delivery_date_edit.setEnabled(on and self.stage in stages.EDITABLE_STAGES)

    def _order_date_changed(self, date: QDate) -> None:
        if not self.delivery_date_check.isChecked():
            self.delivery_date_edit.setDate(date.addDays(self._default_lead_days()))

    # -- keys and closing -------------------------------------------------------------------------------------
    def keyPressEvent(self, event) -> None:
        # Enter moves to the next field as clerks expect from paper-like forms; saving is a deliberate click
        # (or Ctrl+S), never the side effect of confirming a customer code.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            self.focusNextChild()
            return
        super().keyPressEvent(event)

    def reject(self) -> None:
        if self.is_dirty() and not confirm_discard(self):
            return
        self._clean_state = None
        super().reject()
