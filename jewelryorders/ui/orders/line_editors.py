"""Editing an order's lines: the lines table model (text as typed, checked by the service), metal and stone editors."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QHBoxLayout, QHeaderView,
                               QLabel, QPushButton, QStyledItemDelegate, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

from ...i18n import N_, _
from ...models.orders import METALS, STONE_TYPES
from ...services.orders.intake import LineInput, LineView, StoneInput
from ...services.validation import mg_to_grams_text

PROBLEM_BACKGROUND = QColor("#fdecea")
PROBLEM_TEXT = QColor("#b71c1c")
READ_ONLY_BACKGROUND = QColor("#f3f3f3")
LINE_FIELD = re.compile(r"^lines\[(\d+)\]\.(\w+)")


@dataclass
class StoneDraft:
    stone_type: str = ""
    count: str = ""
    carat: str = ""


@dataclass
class LineDraft:
    """One line exactly as the clerk typed it; numbers stay text so the service checks them without float."""

    style_code: str = ""
    description: str = ""
    metal: str = ""
    size: str = ""
    quantity: str = ""
    target_weight: str = ""
    unit_price: str = ""
    stones: list[StoneDraft] = field(default_factory=list)

    @classmethod
    def from_view(cls, line: LineView) -> "LineDraft":
        return cls(line.style_code, line.description, line.metal, line.size, str(line.quantity),
                   mg_to_grams_text(line.target_weight_mg), f"{line.unit_price:.2f}" if line.unit_price else "",
                   [StoneDraft(s.stone_type, str(s.count), f"{s.carat:.3f}") for s in line.stones])

    def to_input(self) -> LineInput:
        return LineInput(style_code=self.style_code, metal=self.metal, quantity=self.quantity,
                         description=self.description, size=self.size,
                         target_weight_g=self.target_weight.strip() or None,
                         unit_price=self.unit_price.strip() or None,
                         stones=[StoneInput(s.stone_type, s.count, s.carat) for s in self.stones])

    def copy(self) -> "LineDraft":
        return LineDraft(self.style_code, self.description, self.metal, self.size, self.quantity, self.target_weight,
                         self.unit_price, [StoneDraft(s.stone_type, s.count, s.carat) for s in self.stones])


def exact_decimal(value: str) -> Decimal | None:
    try:
        d = Decimal(value.strip().replace(",", ""))
    except (InvalidOperation, AttributeError):
        return None
    return d if d.is_finite() else None


def stones_summary(stones: list[StoneDraft]) -> str:
    parts = []
    for s in stones:
        kind = _(STONE_TYPES[s.stone_type]) if s.stone_type in STONE_TYPES else s.stone_type
        parts.append(_("{stone} × {count} / {carat} ct", stone=kind, count=s.count, carat=s.carat))
    return "\n".join(parts)


def metal_text(code: str) -> str:
    return f"{code} {_(METALS[code])}" if code in METALS else code


@dataclass(frozen=True)
class LineColumn:
    key: str               # the field name the service uses in "lines[n].<key>"
    title_msgid: str
    editable: bool = True
    numeric: bool = False


LINE_COLUMNS = (
    LineColumn("line_no", N_("No."), editable=False, numeric=True),
    LineColumn("style_code", N_("Style code")),
    LineColumn("description", N_("Description")),
    LineColumn("metal", N_("Metal")),
    LineColumn("size", N_("Size")),
    LineColumn("quantity", N_("Quantity"), numeric=True),
    LineColumn("target_weight", N_("Target weight (g)"), numeric=True),
    LineColumn("unit_price", N_("Unit price"), numeric=True),
    LineColumn("stones", N_("Stones"), editable=False),
    LineColumn("amount", N_("Amount"), editable=False, numeric=True),
)
COLUMN_OF = {c.key: i for i, c in enumerate(LINE_COLUMNS)}


class LinesModel(QAbstractTableModel):
    """The lines being edited, with the problems the service found marked on their cells."""

    sig_changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.lines: list[LineDraft] = []
        self.problems: dict[tuple[int, str], list[str]] = {}
        # code -> the line a style starts with (None when no style has that code); set by the form
        self.style_lookup: Callable[[str], LineDraft | None] | None = None

    # -- contents ---------------------------------------------------------------------------------------------
    def set_lines(self, lines: list[LineDraft]) -> None:
        self.beginResetModel()
        self.lines = lines
        self.problems = {}
        self.endResetModel()
        self.sig_changed.emit()

    def add_line(self, line: LineDraft | None = None, at: int | None = None) -> int:
        row = len(self.lines) if at is None else at
        if line is None:
            previous = self.lines[row - 1] if row > 0 and self.lines else None
            line = LineDraft(metal=previous.metal if previous else "")
        self.beginInsertRows(QModelIndex(), row, row)
        self.lines.insert(row, line)
        self.endInsertRows()
        self._shift_problems()
        self.sig_changed.emit()
        return row

    def remove_line(self, row: int) -> None:
        if not 0 <= row < len(self.lines):
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self.lines[row]
        self.endRemoveRows()
        self._shift_problems()
        self.sig_changed.emit()

    def set_stones(self, row: int, stones: list[StoneDraft]) -> None:
        self.lines[row].stones = stones
        self.problems.pop((row, "stones"), None)
        index = self.index(row, COLUMN_OF["stones"])
        self.dataChanged.emit(index, index)
        self.sig_changed.emit()

    def _shift_problems(self) -> None:
        # Line numbers change when a line is inserted or removed; old marks would point at the wrong line.
        if self.problems:
            self.problems = {}
            self.layoutChanged.emit()

    # -- problems ---------------------------------------------------------------------------------------------
    def set_problems(self, problems: dict[tuple[int, str], list[str]]) -> None:
        self.problems = problems
        if self.lines:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.lines) - 1, len(LINE_COLUMNS) - 1))

    @staticmethod
    def cell_of(field_key: str) -> tuple[int, str] | None:
        """'lines[3].quantity' -> (row 2, 'quantity'); a stone's problem marks the line's stones cell."""
        m = LINE_FIELD.match(field_key)
        if not m:
            return None
        key = m.group(2)
        if key not in COLUMN_OF:
            key = "line_no"
        if field_key[m.end():].startswith("[") or key == "stones":
            key = "stones"
        return int(m.group(1)) - 1, key

    # -- Qt model API -----------------------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(LINE_COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and section < len(LINE_COLUMNS):
            return _(LINE_COLUMNS[section].title_msgid)
        return None

    def amount_of(self, line: LineDraft) -> Decimal | None:
        quantity, price = exact_decimal(line.quantity), exact_decimal(line.unit_price)
        if quantity is None or price is None:
            return None
        return quantity * price

    def _text(self, row: int, key: str) -> str:
        line = self.lines[row]
        if key == "line_no":
            return str(row + 1)
        if key == "stones":
            return stones_summary(line.stones)
        if key == "amount":
            amount = self.amount_of(line)
            return "" if amount is None else f"{amount:,.2f}"
        return getattr(line, key)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.lines):
            return None
        column = LINE_COLUMNS[index.column()]
        row, key = index.row(), column.key
        messages = self.problems.get((row, key))
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._text(row, key)
        if role == Qt.ItemDataRole.TextAlignmentRole and column.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            if messages:
                return QBrush(PROBLEM_BACKGROUND)
            if not column.editable and key != "stones":
                return QBrush(READ_ONLY_BACKGROUND)
        if role == Qt.ItemDataRole.ForegroundRole and messages:
            return QBrush(PROBLEM_TEXT)
        if role == Qt.ItemDataRole.ToolTipRole:
            if messages:
                return "\n".join(messages)
            if key == "metal":
                return metal_text(self.lines[row].metal)
            if key == "stones":
                return _("Double-click to enter the stones of this line.")
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole):
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        key = LINE_COLUMNS[index.column()].key
        if not LINE_COLUMNS[index.column()].editable:
            return False
        line = self.lines[index.row()]
        previous = line.style_code
        setattr(line, key, "" if value is None else str(value))
        self.problems.pop((index.row(), key), None)
        if key == "style_code" and line.style_code.strip() != previous.strip():
            self._fill_from_style(index.row(), previous)
        last = self.index(index.row(), len(LINE_COLUMNS) - 1)
        self.dataChanged.emit(index, last)
        self.sig_changed.emit()
        return True

    STYLE_FIELDS = ("description", "metal", "target_weight", "unit_price")

    def _fill_from_style(self, row: int, previous_code: str) -> None:
        """A typed style code fills the line's description, metal, target weight, price and stones from the style.
        What the clerk typed stays: only fields that are empty, or that still hold what the previous code's style
        put there, take the new style's values."""
        if self.style_lookup is None:
            return
        style = self.style_lookup(self.lines[row].style_code.strip())
        if style is None:
            return
        old = self.style_lookup(previous_code.strip()) if previous_code.strip() else None
        line = self.lines[row]
        for key in self.STYLE_FIELDS:
            new_value = getattr(style, key)
            current = getattr(line, key)
            added_default = key == "metal" and row > 0 and current == self.lines[row - 1].metal
            if new_value and (not current or (old is not None and current == getattr(old, key)) or added_default):
                setattr(line, key, new_value)
                self.problems.pop((row, key), None)
        if style.stones and (not line.stones or (old is not None and line.stones == old.stones)):
            line.stones = [StoneDraft(s.stone_type, s.count, s.carat) for s in style.stones]
            self.problems.pop((row, "stones"), None)

    def flags(self, index):
        base = super().flags(index)
        if index.isValid() and LINE_COLUMNS[index.column()].editable:
            return base | Qt.ItemFlag.ItemIsEditable
        return base


class MetalDelegate(QStyledItemDelegate):
    """The metal cell offers the factory's metals and finenesses instead of free text."""

    def createEditor(self, parent, option, index):
        combo = QComboBox(parent)
        for code, msgid in METALS.items():
            combo.addItem(f"{code}  {_(msgid)}", code)
        return combo

    def setEditorData(self, editor, index):
        i = editor.findData(index.data(Qt.ItemDataRole.EditRole))
        editor.setCurrentIndex(max(i, 0))

    def setModelData(self, editor, model, index):
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


class StonesDialog(QDialog):
    """The stones of one line: type, count and total carats per kind of stone."""

    def __init__(self, stones: list[StoneDraft], line_label: str, problems: list[str] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.table = QTableWidget(0, 3)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.problem_label = QLabel("\n".join(problems or []))
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet("color: #b71c1c;")
        self.problem_label.setVisible(bool(problems))
        self.add_button = QPushButton()
        self.remove_button = QPushButton()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        self.title = QLabel(line_label)
        self.title.setStyleSheet("font-weight: bold;")
        layout.addWidget(self.title)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.problem_label)
        layout.addLayout(row)
        layout.addWidget(self.buttons)
        self.add_button.clicked.connect(lambda: self.add_stone(StoneDraft()))
        self.remove_button.clicked.connect(self.remove_current)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        for stone in stones:
            self.add_stone(stone)
        self.resize(520, 320)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Stones"))
        self.table.setHorizontalHeaderLabels([_("Stone type"), _("Count"), _("Carats (total)")])
        self.add_button.setText(_("Add stone"))
        self.remove_button.setText(_("Remove stone"))

    def add_stone(self, stone: StoneDraft) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        combo = QComboBox()
        combo.setPlaceholderText(_("Choose…"))
        for key, msgid in STONE_TYPES.items():
            combo.addItem(_(msgid), key)
        combo.setCurrentIndex(combo.findData(stone.stone_type))
        self.table.setCellWidget(row, 0, combo)
        for column, text in ((1, stone.count), (2, stone.carat)):
            item = QTableWidgetItem(text)
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, column, item)

    def remove_current(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)

    def stones(self) -> list[StoneDraft]:
        out = []
        for row in range(self.table.rowCount()):
            combo = self.table.cellWidget(row, 0)
            count = self.table.item(row, 1)
            carat = self.table.item(row, 2)
            draft = StoneDraft(combo.currentData() or "", count.text().strip() if count else "",
                               carat.text().strip() if carat else "")
            if draft.stone_type or draft.count or draft.carat:
                out.append(draft)
        return out
