"""Form helpers the shell's dialogs share: aligned forms with buddy labels, invalid-field marks, inline errors."""

from __future__ import annotations

from typing import Iterable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from ...services.errors import ValidationError

INVALID_PROPERTY = "invalid"
ERROR_COLOR = "#b3261e"

# One style for every shell dialog: a marked field gets a red frame and a faint red ground, nothing louder.
FORM_STYLE = f"""
QLineEdit[invalid="true"], QPlainTextEdit[invalid="true"], QComboBox[invalid="true"], QSpinBox[invalid="true"] {{
    border: 1px solid {ERROR_COLOR};
    background-color: #fdf1f0;
    border-radius: 3px;
    padding: 2px 3px;
}}
QLineEdit[readOnly="true"], QPlainTextEdit[readOnly="true"] {{ background-color: palette(window); }}
QLabel#form_error {{ color: {ERROR_COLOR}; }}
QLabel#form_hint {{ color: #5f6368; }}
"""


def form_layout() -> QFormLayout:
    form = QFormLayout()
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
    form.setHorizontalSpacing(12)
    form.setVerticalSpacing(9)
    return form


def add_row(form: QFormLayout, field: QWidget, name: str = "") -> QLabel:
    """Add a row whose label is the field's buddy (Alt+letter jumps to it); the text is set by retranslate_ui."""
    label = QLabel()
    label.setBuddy(field)
    if name:
        label.setObjectName(f"label_{name}")
        field.setObjectName(name)
    form.addRow(label, field)
    return label


def hint_label() -> QLabel:
    label = QLabel()
    label.setObjectName("form_hint")
    label.setWordWrap(True)
    return label


class ErrorLabel(QLabel):
    """An inline message under a form, hidden while there is nothing to say."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("form_error")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setVisible(False)

    def show_message(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))

    def clear_message(self) -> None:
        self.show_message("")


def set_invalid(widget: QWidget, message: str | None) -> None:
    widget.setProperty(INVALID_PROPERTY, bool(message))
    widget.setToolTip(message or "")
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()


def is_invalid(widget: QWidget) -> bool:
    return bool(widget.property(INVALID_PROPERTY))


def _changed_signal(widget: QWidget):
    if isinstance(widget, QLineEdit):
        return widget.textEdited
    if isinstance(widget, QPlainTextEdit):
        return widget.textChanged
    if isinstance(widget, QComboBox):
        return widget.currentIndexChanged
    if isinstance(widget, QSpinBox):
        return widget.valueChanged
    if isinstance(widget, QAbstractButton):
        return widget.toggled
    return None


class FieldMarks:
    """Maps a service's field keys to the form's widgets: marks every field a ValidationError names, focuses the
    first, and clears a mark as soon as the user edits that field."""

    def __init__(self, fields: dict[str, QWidget]):
        self.fields = dict(fields)
        for widget in self.fields.values():
            signal = _changed_signal(widget)
            if signal is not None:
                signal.connect(lambda *_args, w=widget: set_invalid(w, None) if is_invalid(w) else None)

    def clear(self) -> None:
        for widget in self.fields.values():
            set_invalid(widget, None)

    def apply(self, exc: ValidationError) -> QWidget | None:
        self.clear()
        messages: dict[QWidget, list[str]] = {}
        for problem in exc.problems:
            widget = self.fields.get(problem.field)
            if widget is not None:
                messages.setdefault(widget, []).append(problem.message)
        for widget, texts in messages.items():
            set_invalid(widget, "\n".join(texts))
        first = next((w for w in self.fields.values() if w in messages), None)
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)
        return first

    def marked(self) -> list[str]:
        return [key for key, widget in self.fields.items() if is_invalid(widget)]


def ok_cancel_buttons(ok_text: str = "") -> QDialogButtonBox:
    """OK is the default button (Enter), Cancel answers Esc as QDialog does."""
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    ok = box.button(QDialogButtonBox.StandardButton.Ok)
    ok.setDefault(True)
    ok.setAutoDefault(True)
    if ok_text:
        ok.setText(ok_text)
    return box


def set_tab_order(widgets: Iterable[QWidget]) -> None:
    items = [w for w in widgets if w is not None]
    for first, second in zip(items, items[1:]):
        QWidget.setTabOrder(first, second)
