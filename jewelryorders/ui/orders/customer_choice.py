"""Choosing a customer for an order or a filter: the shell's picker when installed, else a search-as-you-type list."""

from __future__ import annotations

import importlib

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QToolButton, QVBoxLayout, QWidget)

from ...i18n import _
from ...services import customers
from ...services.customers import CustomerInfo
from ...services.errors import DomainError
from ..context import UiContext
from ..operations import run

SEARCH_DELAY_MS = 250
SHOWN_MATCHES = 200


def _as_customer(ctx: UiContext, chosen) -> CustomerInfo | None:
    """The shell's picker may hand back the customer, its id, or nothing when the clerk cancels."""
    if chosen is None:
        return None
    if isinstance(chosen, CustomerInfo):
        return chosen
    customer_id = chosen if isinstance(chosen, int) else getattr(chosen, "id", None)
    if customer_id is None:
        return None
    return run(ctx, None, lambda: customers.get_customer(ctx.db, customer_id))


def choose_customer(ctx: UiContext, parent: QWidget | None, initial_text: str = "") -> CustomerInfo | None:
    try:
        picker = importlib.import_module("jewelryorders.ui.customers.picker")
    except ModuleNotFoundError:
        picker = None
    if picker is not None and hasattr(picker, "pick_customer"):
        return _as_customer(ctx, picker.pick_customer(ctx, parent, initial_text))
    dialog = CustomerSearchDialog(ctx, parent, initial_text)
    if dialog.exec() == QDialog.DialogCode.Accepted:
        return dialog.chosen
    return None


class CustomerSearchDialog(QDialog):
    """Type part of a code, name, contact or phone; pick from the active customers that match."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None, initial_text: str = ""):
        super().__init__(parent)
        self.ctx = ctx
        self.chosen: CustomerInfo | None = None
        self.search = QLineEdit(initial_text)
        self.search.setClearButtonEnabled(True)
        self.matches = QListWidget()
        self.hint = QLabel()
        self.hint.setStyleSheet("color: #666;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.matches, 1)
        layout.addWidget(self.hint)
        layout.addWidget(self.buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.reload)
        self.search.textEdited.connect(lambda _text: self._timer.start())
        self.search.returnPressed.connect(self._accept_first)
        self.matches.itemDoubleClicked.connect(lambda _item: self.accept())
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.resize(520, 460)
        self.retranslate_ui()
        self.reload()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Choose a customer"))
        self.search.setPlaceholderText(_("Search code, name, contact or phone"))

    def reload(self) -> None:
        query = self.search.text()
        try:
            found = customers.search_customers(self.ctx.db, query, limit=SHOWN_MATCHES)
            total = customers.count_customers(self.ctx.db, query)
        except DomainError as exc:
            self.hint.setText(str(exc))
            return
        self.matches.clear()
        for info in found:
            item = QListWidgetItem(info.label)
            item.setData(Qt.ItemDataRole.UserRole, info)
            self.matches.addItem(item)
        if found:
            self.matches.setCurrentRow(0)
        if total > len(found):
            self.hint.setText(_("Showing {shown} of {total} customers; type more to narrow the list.",
                                shown=len(found), total=f"{total:,}"))
        else:
            self.hint.setText(_("{count} customers", count=f"{total:,}"))

    def _accept_first(self) -> None:
        self._timer.stop()
        self.reload()
        if self.matches.count():
            self.accept()

    def accept(self) -> None:
        item = self.matches.currentItem()
        if item is None:
            return
        self.chosen = item.data(Qt.ItemDataRole.UserRole)
        super().accept()


class CustomerField(QWidget):
    """A customer box for the order form: type a code or exact name, or press the button to search."""

    sig_customer_changed = Signal(object)  # CustomerInfo or None

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._customer: CustomerInfo | None = None
        self.edit = QLineEdit()
        self.edit.setMaxLength(1_000)
        self.button = QToolButton()
        self.button.setText("…")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.button)
        self.button.clicked.connect(self.pick)
        self.edit.editingFinished.connect(self.resolve_typed)
        self.edit.textEdited.connect(self._typed)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.edit.setPlaceholderText(_("Customer code or name — press … to search"))
        self.button.setToolTip(_("Search customers"))

    @property
    def customer(self) -> CustomerInfo | None:
        return self._customer

    @property
    def typed_text(self) -> str:
        return self.edit.text().strip()

    def set_customer(self, info: CustomerInfo | None) -> None:
        changed = (info.id if info else None) != (self._customer.id if self._customer else None)
        self._customer = info
        self.edit.setText(info.label if info else "")
        self.edit.setCursorPosition(0)
        if changed:
            self.sig_customer_changed.emit(info)

    def pick(self) -> None:
        chosen = choose_customer(self.ctx, self, "" if self._customer else self.typed_text)
        if chosen is not None:
            self.set_customer(chosen)

    def _typed(self, _text: str) -> None:
        if self._customer is not None:
            self._customer = None
            self.sig_customer_changed.emit(None)

    def resolve_typed(self) -> None:
        """A typed customer code or exact name is taken at once; anything else stays as typed until chosen."""
        text = self.typed_text
        if self._customer is not None or not text:
            return
        try:
            found = customers.find_customer_by_code_or_name(self.ctx.db, text)
        except DomainError:
            return
        if found is not None and found.active:
            self.set_customer(found)
