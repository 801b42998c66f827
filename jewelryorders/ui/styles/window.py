"""The style window: list, create and edit styles (code, description, product type, metal, target weight, price,
stones); read-only for those without the 'styles.edit' right."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...i18n import _
from ...models.orders import METALS, PRODUCT_TYPES
from ...services import permissions, styles
from ...services.customers import CURRENCIES
from ...services.errors import ValidationError
from ...services.styles import StyleDetail, StyleInput, StyleStoneInput
from ...services.validation import mg_to_grams_text
from .. import operations
from ..context import UiContext
from ..login.forms import FieldMarks
from ..orders.line_editors import StoneDraft, StonesDialog, stones_summary

LIST_COLUMNS = ("code", "description", "product_type", "metal", "target_weight", "unit_price", "stones")


def run_dialog(dialog: QDialog) -> int:
    """Show a modal dialog (tests replace this to answer it)."""
    return dialog.exec()


class StylesWindow(QDialog):
    """Styles on the left, the chosen one on the right; 'New style' empties the form, 'Save' creates or changes."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("styles_window")
        self.setModal(False)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.can_edit = permissions.allowed(ctx.actor, "styles.edit")
        self.current_id: int | None = None
        self.stones: list[StoneDraft] = []
        self.details: list[StyleDetail] = []

        self.search = QLineEdit()
        self.search.setObjectName("style_search")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _text: self.reload())
        self.table = QTableWidget(0, len(LIST_COLUMNS))
        self.table.setObjectName("style_table")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.currentCellChanged.connect(lambda row, *_a: self._show_row(row))

        self.code = QLineEdit()
        self.code.setMaxLength(40)
        self.description = QLineEdit()
        self.description.setMaxLength(200)
        self.product_type = QComboBox()
        self.metal = QComboBox()
        self.lead_days = QSpinBox()
        self.lead_days.setRange(1, 3650)
        self.lead_days.setValue(30)
        self.new_style = QCheckBox()
        self.target_weight = QLineEdit()
        self.target_weight.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.unit_price = QLineEdit()
        self.unit_price.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.currency = QComboBox()
        self.currency.addItems(list(CURRENCIES))
        price_row = QWidget()
        price_layout = QHBoxLayout(price_row)
        price_layout.setContentsMargins(0, 0, 0, 0)
        price_layout.addWidget(self.unit_price, 1)
        price_layout.addWidget(self.currency)
        self.stones_label = QLabel()
        self.stones_label.setWordWrap(True)
        self.stones_button = QPushButton()
        self.stones_button.setAutoDefault(False)
        self.stones_button.clicked.connect(self.edit_stones)
        stones_row = QWidget()
        stones_layout = QHBoxLayout(stones_row)
        stones_layout.setContentsMargins(0, 0, 0, 0)
        stones_layout.addWidget(self.stones_label, 1)
        stones_layout.addWidget(self.stones_button)

        self.form = QFormLayout()
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.labels: dict[str, QLabel] = {}
        for key, widget in (("code", self.code), ("description", self.description),
                            ("product_type", self.product_type), ("metal", self.metal),
                            ("standard_lead_days", self.lead_days), ("is_new_style", self.new_style),
                            ("target_weight", self.target_weight), ("unit_price", price_row),
                            ("stones", stones_row)):
            label = QLabel()
            label.setBuddy(widget)
            self.labels[key] = label
            self.form.addRow(label, widget)
        self.marks = FieldMarks({"code": self.code, "name": self.description, "product_type": self.product_type,
                                 "default_metal": self.metal, "standard_lead_days": self.lead_days,
                                 "target_weight": self.target_weight, "unit_price": self.unit_price,
                                 "currency": self.currency, "stones": self.stones_button})
        self.heading = QLabel()
        self.heading.setStyleSheet("font-weight: bold; font-size: 14px;")
        self.read_only_note = QLabel()
        self.read_only_note.setWordWrap(True)
        self.read_only_note.setStyleSheet("color: #8a5300;")
        self.read_only_note.setVisible(not self.can_edit)

        self.new_button = QPushButton()
        self.new_button.setObjectName("new_style")
        self.save_button = QPushButton()
        self.save_button.setObjectName("save_style")
        for button in (self.new_button, self.save_button):
            button.setAutoDefault(False)
            button.setEnabled(self.can_edit)
        self.new_button.clicked.connect(self.new)
        self.save_button.clicked.connect(self.save)
        self.close_buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.close_buttons.rejected.connect(self.close)
        self.close_buttons.button(QDialogButtonBox.StandardButton.Close).setAutoDefault(False)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.search)
        left_layout.addWidget(self.table, 1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(8, 0, 0, 0)
        right_layout.addWidget(self.heading)
        right_layout.addWidget(self.read_only_note)
        right_layout.addLayout(self.form)
        right_layout.addStretch(1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        bottom = QHBoxLayout()
        bottom.addWidget(self.new_button)
        bottom.addWidget(self.save_button)
        bottom.addStretch(1)
        bottom.addWidget(self.close_buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)

        for widget in (self.code, self.description, self.product_type, self.metal, self.lead_days, self.new_style,
                       self.target_weight, self.unit_price, self.currency):
            widget.setEnabled(self.can_edit)
        self.stones_button.setEnabled(True)  # those who only look may still see the stones
        ctx.bus.sig_language_changed.connect(lambda _code: self.retranslate_ui())
        self.retranslate_ui()
        self.resize(1100, 600)
        self.reload()
        if not self.details:
            self.new()

    # -- texts ------------------------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Styles"))
        self.search.setPlaceholderText(_("Search code or description"))
        self.table.setHorizontalHeaderLabels([
            _("Style code"), _("Description"), _("Product type"), _("Metal"), _("Target weight (g)"),
            _("Unit price"), _("Stones")])
        texts = {"code": _("Style &code:"), "description": _("&Description:"), "product_type": _("Product &type:"),
                 "metal": _("&Metal:"), "standard_lead_days": _("Standard &lead time (days):"),
                 "is_new_style": _("New style:"), "target_weight": _("Target &weight per piece (g):"),
                 "unit_price": _("Unit &price:"), "stones": _("Stones per piece:")}
        for key, text in texts.items():
            self.labels[key].setText(text)
        self.new_style.setText(_("needs training before production"))
        self.stones_button.setText(_("Stones…"))
        self.new_button.setText(_("&New style"))
        self.save_button.setText(_("&Save"))
        self.read_only_note.setText(_("You may look at the styles; changing them needs the right to edit styles."))
        for combo, choices in ((self.product_type, PRODUCT_TYPES), (self.metal, METALS)):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            for code, msgid in choices.items():
                combo.addItem(f"{code}  {_(msgid)}" if combo is self.metal else _(msgid), code)
            combo.setCurrentIndex(max(0, combo.findData(current)))
            combo.blockSignals(False)
        self._update_heading()
        self._fill_table()

    def _update_heading(self) -> None:
        self.heading.setText(_("New style") if self.current_id is None else self.code.text())
        self.stones_label.setText(stones_summary(self.stones) or _("No stones"))

    # -- the list ---------------------------------------------------------------------------------------------
    def reload(self, select_id: int | None = None) -> None:
        found = operations.run(self.ctx, self, lambda: styles.list_style_details(
            self.ctx.db, self.search.text(), include_inactive=True))
        self.details = found or []
        self._fill_table()
        if select_id is not None:
            for row, detail in enumerate(self.details):
                if detail.id == select_id:
                    self.table.setCurrentCell(row, 0)

    def _fill_table(self) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.details))
        for row, d in enumerate(self.details):
            values = (d.code, d.name, _(PRODUCT_TYPES.get(d.product_type, d.product_type)), d.default_metal,
                      mg_to_grams_text(d.target_weight_mg),
                      "" if d.unit_price is None else f"{d.currency} {d.unit_price:,.2f}",
                      stones_summary([StoneDraft(s.stone_type, str(s.count), f"{s.carat:.3f}") for s in d.stones])
                      .replace("\n", "; "))
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column in (4, 5):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        self.table.blockSignals(False)
        self.table.resizeColumnsToContents()

    def _show_row(self, row: int) -> None:
        if 0 <= row < len(self.details):
            self.show_style(self.details[row])

    # -- the form ---------------------------------------------------------------------------------------------
    def show_style(self, d: StyleDetail) -> None:
        self.marks.clear()
        self.current_id = d.id
        self.code.setText(d.code)
        self.description.setText(d.name)
        self.product_type.setCurrentIndex(max(0, self.product_type.findData(d.product_type)))
        self.metal.setCurrentIndex(max(0, self.metal.findData(d.default_metal)))
        self.lead_days.setValue(d.standard_lead_days)
        self.new_style.setChecked(d.is_new_style)
        self.target_weight.setText(mg_to_grams_text(d.target_weight_mg))
        self.unit_price.setText("" if d.unit_price is None else f"{d.unit_price:.2f}")
        self.currency.setCurrentText(d.currency)
        self.stones = [StoneDraft(s.stone_type, str(s.count), f"{s.carat:.3f}") for s in d.stones]
        self._update_heading()

    def new(self) -> None:
        self.marks.clear()
        self.table.clearSelection()
        self.current_id = None
        for field in (self.code, self.description, self.target_weight, self.unit_price):
            field.clear()
        self.lead_days.setValue(30)
        self.new_style.setChecked(False)
        self.stones = []
        self._update_heading()
        self.code.setFocus()

    def edit_stones(self) -> None:
        dialog = StonesDialog(self.stones, self.code.text(), parent=self)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(self.can_edit)
        if run_dialog(dialog) == QDialog.DialogCode.Accepted and self.can_edit:
            self.stones = dialog.stones()
            self._update_heading()

    def style_input(self) -> StyleInput:
        return StyleInput(
            code=self.code.text(), name=self.description.text(), product_type=self.product_type.currentData(),
            default_metal=self.metal.currentData(), standard_lead_days=self.lead_days.value(),
            is_new_style=self.new_style.isChecked(), target_weight_g=self.target_weight.text().strip() or None,
            unit_price=self.unit_price.text().strip() or None, currency=self.currency.currentText(),
            stones=[StyleStoneInput(s.stone_type, s.count, s.carat) for s in self.stones])

    def save(self) -> StyleDetail | None:
        data, style_id = self.style_input(), self.current_id

        def call() -> StyleDetail:
            try:
                return styles.save_style(self.ctx.db, self.ctx.actor, data, style_id)
            except ValidationError as exc:
                self.marks.apply(exc)
                raise

        saved = operations.run(self.ctx, self, call, success=_("Style {code} saved", code=data.code.strip()))
        if saved is not None:
            self.marks.clear()
            self.reload(select_id=saved.id)
            self.show_style(saved)
        return saved


def open_styles_window(ctx: UiContext, parent: QWidget | None = None) -> StylesWindow:
    window = StylesWindow(ctx, parent)
    window.show()
    window.raise_()
    return window
