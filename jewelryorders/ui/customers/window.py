"""The customers window (Data ▸ Customers…): search, create and edit customers."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ...i18n import _
from ...services import permissions
from ...services.customers import CustomerInfo
from ..context import UiContext
from .customer_list import CustomerList
from .edit_dialog import edit_customer

SETTINGS_GEOMETRY = "customers_window/geometry"


class CustomersWindow(QDialog):
    """A modeless window beside the main window; double-click or Enter opens a customer."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("customers_window")
        self.setModal(False)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.setWindowFlag(Qt.WindowType.WindowMinimizeButtonHint, True)
        self.can_edit = permissions.allowed(ctx.actor, "customers.edit")

        self.list = CustomerList(ctx, self)
        self.new_button = QPushButton()
        self.new_button.setObjectName("new_customer")
        self.edit_button = QPushButton()
        self.edit_button.setObjectName("edit_customer")
        for button in (self.new_button, self.edit_button):
            button.setAutoDefault(False)
        self.new_button.setEnabled(self.can_edit)
        self.close_buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.close_buttons.rejected.connect(self.close)
        self.close_buttons.button(QDialogButtonBox.StandardButton.Close).setAutoDefault(False)

        bottom = QHBoxLayout()
        bottom.addWidget(self.new_button)
        bottom.addWidget(self.edit_button)
        bottom.addStretch(1)
        bottom.addWidget(self.close_buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.setSpacing(10)
        layout.addWidget(self.list, 1)
        layout.addLayout(bottom)

        self.new_button.clicked.connect(self.new_customer)
        self.edit_button.clicked.connect(self.edit_selected)
        self.list.sig_activated.connect(self.open_customer)
        self.list.sig_selection_changed.connect(self._selection_changed)
        ctx.bus.sig_language_changed.connect(self._language_changed)
        self.retranslate_ui()
        self._selection_changed(self.list.selected_customer())
        self.resize(1200, 620)
        geometry = QSettings().value(SETTINGS_GEOMETRY)
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        self.list.search.setFocus()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Customers"))
        self.new_button.setText(_("&New customer…"))
        self.edit_button.setText(_("&Edit…") if self.can_edit else _("&Open…"))
        self.list.retranslate_ui()

    def _language_changed(self, _code: str) -> None:
        self.retranslate_ui()

    def _selection_changed(self, customer: CustomerInfo | None) -> None:
        self.edit_button.setEnabled(customer is not None)

    def new_customer(self) -> None:
        saved = edit_customer(self.ctx, self)
        if saved is not None:
            self.list.select_id(saved.id)  # the list has already refreshed on sig_customers_changed

    def edit_selected(self) -> None:
        customer = self.list.selected_customer()
        if customer is not None:
            self.open_customer(customer)

    def open_customer(self, customer: CustomerInfo) -> None:
        saved = edit_customer(self.ctx, self, customer)
        if saved is not None:
            self.list.select_id(saved.id)

    def done(self, result: int) -> None:
        QSettings().setValue(SETTINGS_GEOMETRY, self.saveGeometry())
        super().done(result)

    def closeEvent(self, event) -> None:
        QSettings().setValue(SETTINGS_GEOMETRY, self.saveGeometry())
        super().closeEvent(event)
