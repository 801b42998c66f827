"""Dialogs of the Review tab: due times, a talk with the customer, a reason, an amount, the price policy, a contract."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QDateTime, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ... import clock
from ...i18n import _, current_language
from ...models.reviews import REVIEW_DEPARTMENTS
from ...models.users import DEPARTMENTS
from ...models.orders import METALS
from ...services.review.policy import CurrencyPolicyInput, PricePolicy
from ...services.review.procedure import ContractInput, NegotiationInput
from ...services.review.report import department_paper_label

DEFAULT_DUE_DAYS = 2
DEFAULT_DUE_HOUR = 17


class _Buttons(QDialogButtonBox):
    """OK and Cancel with our own translated texts (Qt's standard texts follow Qt's translations, not ours)."""

    def __init__(self, dialog: QDialog):
        super().__init__(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.accepted.connect(dialog.accept)
        self.rejected.connect(dialog.reject)

    def set_texts(self, ok_text: str) -> None:
        self.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
        self.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))


def default_due(now: dt.datetime | None = None) -> QDateTime:
    """Two days ahead at five in the afternoon, local time: what a department is usually given."""
    local = (now or clock.local_now()).astimezone()
    day = local.date() + dt.timedelta(days=DEFAULT_DUE_DAYS)
    return QDateTime(QDate(day.year, day.month, day.day), QTime(DEFAULT_DUE_HOUR, 0))


def to_aware(value: QDateTime) -> dt.datetime:
    return value.toPython().astimezone()


class SendToDepartmentsDialog(QDialog):
    """Accept the order and send it to production, technical and purchasing, each with a due time."""

    def __init__(self, order_no: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("send_dialog")
        self.order_no = order_no
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.group = QGroupBox()
        form = QFormLayout(self.group)
        self.due_edits: dict[str, QDateTimeEdit] = {}
        self.due_labels: dict[str, QLabel] = {}
        for department in REVIEW_DEPARTMENTS:
            edit = QDateTimeEdit(default_due())
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd HH:mm")
            edit.setObjectName(f"due_{department}")
            label = QLabel()
            self.due_edits[department] = edit
            self.due_labels[department] = label
            form.addRow(label, edit)
        self.note_label = QLabel()
        self.note = QPlainTextEdit()
        self.note.setObjectName("send_note")
        self.note.setMaximumHeight(70)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.group)
        layout.addWidget(self.note_label)
        layout.addWidget(self.note)
        self.buttons = _Buttons(self)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Accept and send for detailed review"))
        self.intro.setText(_("Order {order_no} is accepted in the preliminary review and sent to production, "
                             "technical and purchasing. Each department answers by its due time.",
                             order_no=self.order_no))
        self.group.setTitle(_("Opinion due"))
        for department, label in self.due_labels.items():
            label.setText(_(DEPARTMENTS[department]))
        self.note_label.setText(_("Note to the departments"))
        self.buttons.set_texts(_("Accept and send"))

    def due_times(self) -> dict[str, dt.datetime]:
        return {d: to_aware(edit.dateTime()) for d, edit in self.due_edits.items()}


class NegotiationDialog(QDialog):
    """One talk with the customer: when, with whom, what was agreed, what changed in the order."""

    def __init__(self, order_no: str, first: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("negotiation_dialog")
        self.order_no, self.first = order_no, first
        self.talked_on = QDateEdit(QDate(clock.today()))
        self.talked_on.setCalendarPopup(True)
        self.talked_on.setDisplayFormat("yyyy-MM-dd")
        self.with_whom = QLineEdit()
        self.with_whom.setObjectName("with_whom")
        self.agreed = QPlainTextEdit()
        self.agreed.setObjectName("agreed")
        self.changes = QPlainTextEdit()
        self.changes.setObjectName("changes")
        for edit in (self.agreed, self.changes):
            edit.setMaximumHeight(80)
        self.labels = [QLabel() for _i in range(4)]
        form = QFormLayout()
        for label, field in zip(self.labels, (self.talked_on, self.with_whom, self.agreed, self.changes)):
            form.addRow(label, field)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        self.buttons = _Buttons(self)
        layout.addWidget(self.buttons)
        self.resize(540, 380)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Negotiate") if self.first else _("Log a negotiation"))
        self.intro.setText(
            _("Order {order_no} goes into negotiation with the customer. Record the first talk.",
              order_no=self.order_no) if self.first else
            _("Add a talk with the customer to the negotiation log of {order_no}. Change the order itself in the "
              "order window.", order_no=self.order_no))
        for label, text in zip(self.labels, (_("Date of the talk"), _("With whom"), _("What was agreed"),
                                             _("Changes made to the order"))):
            label.setText(text)
        self.buttons.set_texts(_("Save"))

    def value(self) -> NegotiationInput:
        return NegotiationInput(self.talked_on.date().toPython(), self.with_whom.text(), self.agreed.toPlainText(),
                                self.changes.toPlainText())


class ReasonDialog(QDialog):
    """Asks for the reason of an escalation (the reason is kept with the record)."""

    def __init__(self, title: str, prompt: str, ok_text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("reason_dialog")
        self.setWindowTitle(title)
        self.prompt = QLabel(prompt)
        self.prompt.setWordWrap(True)
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("reason")
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addWidget(self.reason)
        self.buttons = _Buttons(self)
        layout.addWidget(self.buttons)
        self.buttons.set_texts(ok_text)
        self.resize(460, 240)

    def value(self) -> str:
        return self.reason.toPlainText()


class ContractDialog(QDialog):
    """The signed contract: its number, the signing date, and which departments received a copy."""

    def __init__(self, order_no: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("contract_dialog")
        self.order_no = order_no
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.contract_no = QLineEdit()
        self.contract_no.setObjectName("contract_no")
        self.signed = QDateEdit(QDate(clock.today()))
        self.signed.setCalendarPopup(True)
        self.signed.setDisplayFormat("yyyy-MM-dd")
        self.signed.setObjectName("signed_date")
        self.no_label, self.signed_label = QLabel(), QLabel()
        form = QFormLayout()
        form.addRow(self.no_label, self.contract_no)
        form.addRow(self.signed_label, self.signed)
        self.copies_group = QGroupBox()
        grid = QGridLayout(self.copies_group)
        self.copies: dict[str, QCheckBox] = {}
        for i, department in enumerate(DEPARTMENTS):
            box = QCheckBox()
            box.setObjectName(f"copy_{department}")
            box.setChecked(department in REVIEW_DEPARTMENTS)
            self.copies[department] = box
            grid.addWidget(box, i // 2, i % 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.copies_group)
        self.buttons = _Buttons(self)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Record the signed contract"))
        self.intro.setText(_("The review of {order_no} passed. Record the contract the customer signed.",
                             order_no=self.order_no))
        self.no_label.setText(_("Contract no."))
        self.signed_label.setText(_("Signed date"))
        self.copies_group.setTitle(_("Copies received by"))
        for department, box in self.copies.items():
            box.setText(department_paper_label(department, current_language()))
        self.buttons.set_texts(_("Save"))

    def value(self) -> ContractInput:
        return ContractInput(self.contract_no.text(), self.signed.date().toPython(),
                             [d for d, box in self.copies.items() if box.isChecked()])


class AmountDialog(QDialog):
    """An amount with a note: a payment the customer made, or a new credit limit with its reason."""

    def __init__(self, title: str, prompt: str, amount_label: str, note_label: str, currency: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("amount_dialog")
        self.setWindowTitle(title)
        self.prompt = QLabel(prompt)
        self.prompt.setWordWrap(True)
        self.amount = QLineEdit()
        self.amount.setObjectName("amount")
        self.amount.setPlaceholderText(currency)
        self.note = QPlainTextEdit()
        self.note.setObjectName("note")
        form = QFormLayout()
        form.addRow(amount_label, self.amount)
        form.addRow(note_label, self.note)
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addLayout(form)
        self.buttons = _Buttons(self)
        layout.addWidget(self.buttons)
        self.buttons.set_texts(_("Save"))
        self.resize(460, 260)

    def value(self) -> tuple[str, str]:
        return self.amount.text(), self.note.toPlainText()


class PricePolicyDialog(QDialog):
    """The company's price policy for one currency: metal price per gram, labour per piece, minimum margin."""

    def __init__(self, policy: PricePolicy, currency: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("price_policy_dialog")
        self.policy = policy
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.currency = QLineEdit(currency)
        self.currency.setObjectName("currency")
        self.currency.setMaxLength(3)
        self.labour = QLineEdit()
        self.labour.setObjectName("labour")
        self.margin = QLineEdit()
        self.margin.setObjectName("margin")
        self.labels = {key: QLabel() for key in ("currency", "labour", "margin")}
        form = QFormLayout()
        form.addRow(self.labels["currency"], self.currency)
        form.addRow(self.labels["labour"], self.labour)
        form.addRow(self.labels["margin"], self.margin)
        self.metals_group = QGroupBox()
        grid = QGridLayout(self.metals_group)
        self.metal_prices: dict[str, QLineEdit] = {}
        self.metal_labels: dict[str, QLabel] = {}
        for i, metal in enumerate(METALS):
            label, edit = QLabel(), QLineEdit()
            edit.setObjectName(f"metal_{metal}")
            self.metal_labels[metal], self.metal_prices[metal] = label, edit
            grid.addWidget(label, i // 2, (i % 2) * 2)
            grid.addWidget(edit, i // 2, (i % 2) * 2 + 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.metals_group)
        self.buttons = _Buttons(self)
        layout.addWidget(self.buttons)
        self.currency.editingFinished.connect(lambda: self.show_currency(self.currency.text().strip().upper()))
        self.retranslate_ui()
        self.show_currency(currency)

    def show_currency(self, currency: str) -> None:
        current = self.policy.for_currency(currency)
        self.labour.setText(format(current.labour_per_piece.normalize(), "f") if current else "")
        self.margin.setText(format(current.min_margin_pct.normalize(), "f") if current else "")
        for metal, edit in self.metal_prices.items():
            price = current.metal_price_per_g.get(metal) if current else None
            edit.setText("" if price is None else format(price.normalize(), "f"))

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Company price policy"))
        self.intro.setText(_("Minimum price per piece = metal weight × metal price per gram + labour; the unit price "
                             "must be at least the minimum margin above it. One policy per currency."))
        self.labels["currency"].setText(_("Currency"))
        self.labels["labour"].setText(_("Labour charge per piece"))
        self.labels["margin"].setText(_("Minimum margin %"))
        self.metals_group.setTitle(_("Metal price per gram"))
        for metal, label in self.metal_labels.items():
            label.setText(_(METALS[metal]))
        self.buttons.set_texts(_("Save"))

    def value(self) -> CurrencyPolicyInput:
        return CurrencyPolicyInput(self.currency.text(), self.labour.text(), self.margin.text(),
                                   {m: e.text() for m, e in self.metal_prices.items() if e.text().strip()})
