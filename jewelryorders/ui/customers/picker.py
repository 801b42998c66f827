"""Choosing a customer from other windows: a searchable picker dialog and a search box with suggestions."""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...i18n import _
from ...services import customers, permissions
from ...services.customers import CustomerInfo
from .. import operations
from ..context import UiContext
from .customer_list import SEARCH_DELAY_MS, CustomerList
from .edit_dialog import edit_customer

SUGGESTION_LIMIT = 15


class CustomerPickerDialog(QDialog):
    """Search, then double-click, Enter or Choose; sales may add a customer on the spot."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None, query: str = ""):
        super().__init__(parent)
        self.ctx = ctx
        self.chosen: CustomerInfo | None = None
        self.setObjectName("customer_picker")
        self.list = CustomerList(ctx, self, query)
        self.new_button = QPushButton()
        self.new_button.setObjectName("picker_new_customer")
        self.new_button.setAutoDefault(False)
        self.new_button.setVisible(permissions.allowed(ctx.actor, "customers.edit"))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        # Enter belongs to the search box and the table (which choose); a default button would steal it.
        for button in self.buttons.buttons():
            button.setAutoDefault(False)
            button.setDefault(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.new_button)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.setSpacing(10)
        layout.addWidget(self.list, 1)
        layout.addLayout(bottom)
        self.list.sig_activated.connect(self._choose)
        self.list.sig_selection_changed.connect(
            lambda c: self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(c is not None))
        self.new_button.clicked.connect(self._new_customer)
        self.retranslate_ui()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(self.list.selected_customer() is not None)
        self.resize(1160, 540)
        self.list.search.setFocus()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Choose a customer"))
        self.new_button.setText(_("&New customer…"))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("&Choose"))
        self.list.retranslate_ui()

    def _choose(self, customer: CustomerInfo) -> None:
        self.chosen = customer
        super().accept()

    def accept(self) -> None:
        customer = self.list.selected_customer()
        if customer is not None:
            self._choose(customer)

    def _new_customer(self) -> None:
        saved = edit_customer(self.ctx, self)
        if saved is not None:
            self._choose(saved)


def pick_customer(ctx: UiContext, parent: QWidget | None = None, query: str = "") -> CustomerInfo | None:
    """Let the user choose a customer (active ones; deactivated ones on request); None when cancelled."""
    dialog = CustomerPickerDialog(ctx, parent, query)
    if dialog.exec() == QDialog.DialogCode.Accepted:
        return dialog.chosen
    return None


class CustomerSearchBox(QWidget):
    """A one-line customer field for forms: typing suggests matching customers, '…' opens the picker.
    customer() is None until a customer has really been chosen, so a half-typed name is never taken for one."""

    sig_customer_changed = Signal(object)   # CustomerInfo or None

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._customer: CustomerInfo | None = None
        self._suggested: dict[str, CustomerInfo] = {}
        self.edit = QLineEdit()
        self.edit.setObjectName("customer_search_box")
        self.edit.setClearButtonEnabled(True)
        self.browse = QToolButton()
        self.browse.setObjectName("customer_browse")
        self.browse.setText("…")
        self.suggestions = QStringListModel(self)
        self.completer = QCompleter(self.suggestions, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.edit.setCompleter(self.completer)
        self.setFocusProxy(self.edit)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.browse)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._suggest)
        self.edit.textEdited.connect(self._typed)
        self.completer.activated.connect(self._suggestion_chosen)
        self.browse.clicked.connect(self.browse_customers)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.edit.setPlaceholderText(_("Type a customer's code or name…"))
        self.browse.setToolTip(_("Choose from the customer list"))

    def customer(self) -> CustomerInfo | None:
        return self._customer

    def set_customer(self, customer: CustomerInfo | None) -> None:
        changed = (customer.id if customer else None) != (self._customer.id if self._customer else None)
        self._customer = customer
        self.edit.setText(customer.label if customer else "")
        if changed:
            self.sig_customer_changed.emit(customer)

    def _typed(self, _text: str) -> None:
        if self._customer is not None:
            self._customer = None
            self.sig_customer_changed.emit(None)
        self._timer.start()

    def _suggest(self) -> None:
        query = self.edit.text().strip()
        if not query:
            self.suggestions.setStringList([])
            return
        found = operations.run(self.ctx, self, lambda: customers.search_customers(self.ctx.db, query,
                                                                                  limit=SUGGESTION_LIMIT),
                               quiet_errors=True) or []
        self._suggested = {c.label: c for c in found}
        self.suggestions.setStringList(list(self._suggested))
        if found and self.edit.hasFocus():
            self.completer.complete()

    def _suggestion_chosen(self, label: str) -> None:
        customer = self._suggested.get(label)
        if customer is not None:
            self.set_customer(customer)

    def browse_customers(self) -> None:
        query = "" if self._customer else self.edit.text().strip()
        chosen = pick_customer(self.ctx, self, query)
        if chosen is not None:
            self.set_customer(chosen)
