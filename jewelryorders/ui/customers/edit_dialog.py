"""The customer form: contact details, credit rating and credit limit; the service checks every field."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ...i18n import _
from ...models.customers import CREDIT_RATINGS
from ...services import customers, permissions, users
from ...services.customers import CURRENCIES, CustomerInfo, CustomerInput
from ...services.errors import ValidationError
from .. import operations
from ..context import UiContext
from ..login.forms import FORM_STYLE, FieldMarks, add_row, form_layout, hint_label, ok_cancel_buttons, set_tab_order
from .customer_list import money_text, rating_label


def _text_box(lines: int) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setFixedHeight(box.fontMetrics().lineSpacing() * lines + 14)
    return box


class CustomerDialog(QDialog):
    """New customer when `customer` is None, else its changes; read-only for users who may not edit customers."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None, customer: CustomerInfo | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.customer = customer
        self.result_customer: CustomerInfo | None = None
        self.read_only = not permissions.allowed(ctx.actor, "customers.edit")
        self.setObjectName("customer_dialog")
        self.setStyleSheet(FORM_STYLE)
        self.setMinimumWidth(760)

        self.code = QLabel(customer.code if customer else "")
        self.code.setObjectName("code")
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.name = QLineEdit()
        self.name.setMaxLength(200)
        self.name_en = QLineEdit()
        self.name_en.setMaxLength(200)
        self.contact_person = QLineEdit()
        self.phone = QLineEdit()
        self.email = QLineEdit()
        self.address = _text_box(3)
        self.country = QLineEdit()
        self.credit_rating = QComboBox()
        for key in CREDIT_RATINGS:
            self.credit_rating.addItem("", key)
        self.credit_limit = QLineEdit()
        self.credit_limit.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.currency = QComboBox()
        self.currency.setObjectName("currency")
        self.currency.addItems(list(CURRENCIES))
        self.notes = _text_box(4)
        self.active = QCheckBox()
        self.credit_hint = hint_label()

        contact_box = QGroupBox()
        contact_form = form_layout()
        contact_box.setLayout(contact_form)
        self.code_label = add_row(contact_form, self.code)
        self.name_label = add_row(contact_form, self.name, "name")
        self.name_en_label = add_row(contact_form, self.name_en, "name_en")
        self.contact_person_label = add_row(contact_form, self.contact_person, "contact_person")
        self.phone_label = add_row(contact_form, self.phone, "phone")
        self.email_label = add_row(contact_form, self.email, "email")
        self.address_label = add_row(contact_form, self.address, "address")
        self.country_label = add_row(contact_form, self.country, "country")

        credit_box = QGroupBox()
        credit_form = form_layout()
        credit_box.setLayout(credit_form)
        limit_row = QWidget()
        limit_layout = QHBoxLayout(limit_row)
        limit_layout.setContentsMargins(0, 0, 0, 0)
        limit_layout.setSpacing(6)
        limit_layout.addWidget(self.credit_limit, 1)
        limit_layout.addWidget(self.currency)
        self.credit_rating_label = add_row(credit_form, self.credit_rating, "credit_rating")
        self.credit_limit_label = QLabel()
        self.credit_limit_label.setBuddy(self.credit_limit)
        self.credit_limit.setObjectName("credit_limit")
        credit_form.addRow(self.credit_limit_label, limit_row)
        credit_form.addRow(self.credit_hint)
        self.notes_label = add_row(credit_form, self.notes, "notes")
        self.active_label = add_row(credit_form, self.active, "active")

        self.contact_box, self.credit_box = contact_box, credit_box
        columns = QHBoxLayout()
        columns.setSpacing(14)
        columns.addWidget(contact_box, 3)
        right = QVBoxLayout()
        right.addWidget(credit_box)
        right.addStretch(1)
        columns.addLayout(right, 2)

        if self.read_only:
            self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
            self.buttons.rejected.connect(self.reject)
        else:
            self.buttons = ok_cancel_buttons()
            self.buttons.accepted.connect(self.accept)
            self.buttons.rejected.connect(self.reject)
        self.read_only_hint = hint_label()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.setSpacing(10)
        layout.addLayout(columns)
        layout.addWidget(self.read_only_hint)
        self.read_only_hint.setVisible(self.read_only)
        layout.addWidget(self.buttons)

        self.marks = FieldMarks({"name": self.name, "name_en": self.name_en, "contact_person": self.contact_person,
                                 "phone": self.phone, "email": self.email, "address": self.address,
                                 "country": self.country, "credit_rating": self.credit_rating,
                                 "credit_limit": self.credit_limit, "currency": self.currency, "notes": self.notes,
                                 "active": self.active})
        set_tab_order([self.name, self.name_en, self.contact_person, self.phone, self.email, self.address,
                       self.country, self.credit_rating, self.credit_limit, self.currency, self.notes, self.active])
        self._load(customer)
        if self.read_only:
            for field in (self.name, self.name_en, self.contact_person, self.phone, self.email, self.country,
                          self.credit_limit):
                field.setReadOnly(True)
            for box in (self.address, self.notes):
                box.setReadOnly(True)
            for widget in (self.credit_rating, self.currency, self.active):
                widget.setEnabled(False)
        self.retranslate_ui()
        self.name.setFocus()

    def _load(self, c: CustomerInfo | None) -> None:
        default_currency = operations.run(self.ctx, self, lambda: users.get_setting(self.ctx.db, "default_currency"),
                                          quiet_errors=True) or "CNY"
        self.name.setText(c.name if c else "")
        self.name_en.setText(c.name_en if c else "")
        self.contact_person.setText(c.contact_person if c else "")
        self.phone.setText(c.phone if c else "")
        self.email.setText(c.email if c else "")
        self.address.setPlainText(c.address if c else "")
        self.country.setText(c.country if c else "")
        self.credit_rating.setCurrentIndex(max(self.credit_rating.findData(c.credit_rating if c else "B"), 0))
        self.credit_limit.setText(money_text(c.credit_limit) if c else "0.00")
        self.currency.setCurrentIndex(max(self.currency.findText(c.currency if c else default_currency), 0))
        self.notes.setPlainText(c.notes if c else "")
        self.active.setChecked(c.active if c else True)

    def retranslate_ui(self) -> None:
        c = self.customer
        if c is None:
            self.setWindowTitle(_("New customer"))
        elif self.read_only:
            self.setWindowTitle(_("Customer {code} {name}", code=c.code, name=c.name))
        else:
            self.setWindowTitle(_("Edit customer {code} {name}", code=c.code, name=c.name))
        self.contact_box.setTitle(_("Customer and contact"))
        self.credit_box.setTitle(_("Credit"))
        self.code_label.setText(_("Code:"))
        if c is None:
            self.code.setText(_("assigned when saved"))
            self.code.setStyleSheet("color: #5f6368;")
        self.name_label.setText(_("&Name:"))
        self.name_en_label.setText(_("&English name:"))
        self.contact_person_label.setText(_("C&ontact person:"))
        self.phone_label.setText(_("&Phone:"))
        self.email_label.setText(_("E-&mail:"))
        self.address_label.setText(_("&Address:"))
        self.country_label.setText(_("Countr&y:"))
        self.credit_rating_label.setText(_("Credit &rating:"))
        self.credit_limit_label.setText(_("Credit &limit:"))
        self.notes_label.setText(_("No&tes:"))
        self.active_label.setText(_("Status:"))
        self.active.setText(_("Acti&ve (can place orders)"))
        self.name.setPlaceholderText(_("as on the contract, e.g. 周大福珠寶"))
        self.email.setPlaceholderText(_("e.g. orders@example.com"))
        self.credit_hint.setText(_("The preliminary review checks the value of the customer's open orders "
                                   "against this limit."))
        for i in range(self.credit_rating.count()):
            self.credit_rating.setItemText(i, rating_label(self.credit_rating.itemData(i)))
        self.read_only_hint.setText(_("You may look at this customer; changing customers is for sales and "
                                      "management."))
        if not self.read_only:
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("&Save"))

    def input_data(self) -> CustomerInput:
        return CustomerInput(name=self.name.text(), name_en=self.name_en.text(),
                             contact_person=self.contact_person.text(), phone=self.phone.text(),
                             email=self.email.text(), address=self.address.toPlainText(), country=self.country.text(),
                             credit_rating=self.credit_rating.currentData(), credit_limit=self.credit_limit.text(),
                             currency=self.currency.currentText(), notes=self.notes.toPlainText(),
                             active=self.active.isChecked())

    def accept(self) -> None:
        if self.read_only:
            self.reject()
            return
        self.marks.clear()
        data = self.input_data()

        def save() -> CustomerInfo:
            try:
                if self.customer is None:
                    return customers.create_customer(self.ctx.db, self.ctx.actor, data)
                return customers.update_customer(self.ctx.db, self.ctx.actor, self.customer.id, self.customer.version,
                                                 data)
            except ValidationError as exc:
                self.marks.apply(exc)
                raise

        saved = operations.run(self.ctx, self, save, success=_("Customer {name} saved.", name=data.name.strip()))
        if saved is not None:
            self.result_customer = saved
            self.ctx.bus.sig_customers_changed.emit()
            super().accept()


def edit_customer(ctx: UiContext, parent: QWidget | None = None,
                  customer: CustomerInfo | None = None) -> CustomerInfo | None:
    """Open the form (new when `customer` is None); returns the saved customer, or None when nothing was saved."""
    if customer is not None:
        fresh = operations.run(ctx, parent, lambda: customers.get_customer(ctx.db, customer.id))
        if fresh is None:
            return None
        customer = fresh
    dialog = CustomerDialog(ctx, parent, customer)
    if dialog.exec() == QDialog.DialogCode.Accepted:
        return dialog.result_customer
    return None
