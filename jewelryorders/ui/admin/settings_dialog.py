"""The factory's settings: its name and address on every paper, default currency, standard lead time, language."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QLineEdit, QPlainTextEdit, QSpinBox, QVBoxLayout, QWidget

from ...i18n import LANGUAGES, _
from ...services import permissions, users
from ...services.customers import CURRENCIES
from ...services.errors import PermissionDenied, ValidationError
from .. import operations
from ..context import UiContext
from ..login.forms import FORM_STYLE, ErrorLabel, FieldMarks, add_row, form_layout, hint_label, ok_cancel_buttons

MAX_LEAD_DAYS = 730


class FactorySettingsDialog(QDialog):
    def __init__(self, ctx: UiContext, settings: dict[str, str], parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.saved = False
        self.setObjectName("factory_settings_dialog")
        self.setStyleSheet(FORM_STYLE)
        self.setMinimumWidth(520)

        self.factory_name = QLineEdit(settings.get("factory_name", ""))
        self.factory_name.setMaxLength(200)
        self.factory_address = QPlainTextEdit(settings.get("factory_address", ""))
        self.factory_address.setTabChangesFocus(True)
        self.factory_address.setFixedHeight(self.factory_address.fontMetrics().lineSpacing() * 3 + 14)
        self.default_currency = QComboBox()
        self.default_currency.addItems(list(CURRENCIES))
        self.default_currency.setCurrentIndex(max(self.default_currency.findText(settings.get("default_currency",
                                                                                          "CNY")), 0))
        self.default_lead_days = QSpinBox()
        self.default_lead_days.setRange(1, MAX_LEAD_DAYS)
        try:
            self.default_lead_days.setValue(int(settings.get("default_lead_days", "30")))
        except ValueError:
            self.default_lead_days.setValue(30)
        self.language = QComboBox()
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(self.language.findData(settings.get("language", "zh_TW")), 0))
        self.spins: dict[str, QSpinBox] = {}
        for key, low, high, default in (("login_max_failures", 1, 100, 5), ("login_lockout_minutes", 1, 24 * 60, 15),
                                        ("materials.over_receipt_tolerance_percent", 0, 50, 5)):
            spin = QSpinBox()
            spin.setObjectName(key)
            spin.setRange(low, high)
            try:
                spin.setValue(int(settings.get(key, default)))
            except ValueError:
                spin.setValue(default)
            self.spins[key] = spin
        self.hint = hint_label()
        self.error = ErrorLabel()

        form = form_layout()
        self.factory_name_label = add_row(form, self.factory_name, "factory_name")
        self.factory_address_label = add_row(form, self.factory_address, "factory_address")
        self.default_currency_label = add_row(form, self.default_currency, "default_currency")
        self.default_lead_days_label = add_row(form, self.default_lead_days, "default_lead_days")
        self.language_label = add_row(form, self.language, "language")
        self.spin_labels = {key: add_row(form, spin, key) for key, spin in self.spins.items()}
        self.buttons = ok_cancel_buttons()
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 16)
        layout.setSpacing(10)
        layout.addLayout(form)
        layout.addWidget(self.hint)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.marks = FieldMarks({"factory_name": self.factory_name, "factory_address": self.factory_address,
                                 "default_currency": self.default_currency,
                                 "default_lead_days": self.default_lead_days, "language": self.language,
                                 **self.spins})
        self.retranslate_ui()
        self.factory_name.setFocus()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Factory settings"))
        self.factory_name_label.setText(_("&Factory name:"))
        self.factory_address_label.setText(_("&Address:"))
        self.default_currency_label.setText(_("Default &currency:"))
        self.default_lead_days_label.setText(_("Standard &lead time:"))
        self.default_lead_days.setSuffix(_(" days"))
        self.language_label.setText(_("Default &language:"))
        self.spin_labels["login_max_failures"].setText(_("Wrong passwords before a lockout:"))
        self.spin_labels["login_lockout_minutes"].setText(_("Lockout:"))
        self.spins["login_lockout_minutes"].setSuffix(_(" minutes"))
        self.spin_labels["materials.over_receipt_tolerance_percent"].setText(_("Receipts over the order up to:"))
        self.spins["materials.over_receipt_tolerance_percent"].setSuffix(" %")
        self.hint.setText(_("The name and address head every printed paper. The default language is used on "
                            "workstations where nobody has chosen one yet."))

    def values(self) -> dict[str, str]:
        return {
            "factory_name": self.factory_name.text(),
            "factory_address": self.factory_address.toPlainText(),
            "default_currency": self.default_currency.currentText(),
            "default_lead_days": str(self.default_lead_days.value()),
            "language": self.language.currentData(),
            **{key: str(spin.value()) for key, spin in self.spins.items()},
        }

    def accept(self) -> None:
        self.marks.clear()
        values = self.values()

        def save() -> bool:
            try:
                users.update_settings(self.ctx.db, self.ctx.actor, values)
                return True
            except ValidationError as exc:
                self.marks.apply(exc)
                raise

        if operations.run(self.ctx, self, save, success=_("Factory settings saved.")):
            self.saved = True
            self.ctx.factory_name = values["factory_name"].strip()
            super().accept()


def settings_dialog_for(ctx: UiContext, parent: QWidget | None = None) -> FactorySettingsDialog | None:
    """The settings window for an administrator; anyone else gets the service's refusal and None."""
    try:
        permissions.require(ctx.actor, "settings.edit")
    except PermissionDenied as exc:
        operations.show_error(parent, exc)
        return None
    settings = operations.run(ctx, parent, lambda: users.get_settings(ctx.db))
    if settings is None:
        return None
    return FactorySettingsDialog(ctx, settings, parent)
