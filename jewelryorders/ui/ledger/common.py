"""What the Ledger tab's views share: the questions they ask (tests replace the ask_* functions here), the exception and
meeting dialogs, and small helpers."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QTableView,
    QWidget,
)

from ... import clock
from ...i18n import _, formats
from ...models.ledger import EXCEPTION_KINDS, MEETING_KINDS, SEVERITIES
from ...services.ledger import exceptions as exc_service
from ...services.ledger import meetings as meeting_service
from ..common.column_sizing import fit_columns
from ..context import UiContext


def ask_text(parent: QWidget, title: str, label: str) -> str | None:
    """Text typed by the user (None when cancelled); tests replace this function."""
    value, ok = QInputDialog.getText(parent, title, label)
    return value if ok else None


def ask_save_path(parent: QWidget, suggested: str, pattern: str) -> str | None:
    path, _filter = QFileDialog.getSaveFileName(parent, _("Save as"), suggested, pattern)
    return path or None


def _table(model) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    fit_columns(view, stretch=model.columnCount() - 1)
    return view


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None


# ---- the ledger ---------------------------------------------------------------------------------------------------

def _g(mg: int) -> str:
    return formats.grams(mg)


# ---- exceptions ---------------------------------------------------------------------------------------------------

class ExceptionDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("New exception"))
        self.setMinimumWidth(560)
        self.kind = QComboBox()
        for key, msgid in EXCEPTION_KINDS.items():
            self.kind.addItem(_(msgid), key)
        self.severity = QComboBox()
        for key, msgid in SEVERITIES.items():
            self.severity.addItem(_(msgid), key)
        self.severity.setCurrentIndex(1)
        self.order_no = QLineEdit()
        self.description = QPlainTextEdit()
        self.impact = QSpinBox()
        self.impact.setRange(0, 365)
        self.actions = QLineEdit()
        self.steps = QLineEdit()
        self.steps.setPlaceholderText("3,4")
        self.informed_production = QCheckBox(_("Production department"))
        self.informed_manager = QCheckBox(_("Responsible manager"))
        form = QFormLayout(self)
        form.addRow(_("Kind"), self.kind)
        form.addRow(_("Severity"), self.severity)
        form.addRow(_("Order no."), self.order_no)
        form.addRow(_("What happened"), self.description)
        form.addRow(_("Impact (days)"), self.impact)
        form.addRow(_("Actions"), self.actions)
        form.addRow(_("Affected steps"), self.steps)
        informed = QHBoxLayout()
        informed.addWidget(self.informed_production)
        informed.addWidget(self.informed_manager)
        form.addRow(_("Informed"), informed)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def value(self) -> exc_service.ExceptionInput:
        return exc_service.ExceptionInput(
            self.kind.currentData(), self.description.toPlainText(), order_no=self.order_no.text(),
            severity=self.severity.currentData(), impact_days=self.impact.value(), actions=self.actions.text(),
            informed_production=self.informed_production.isChecked(),
            informed_manager=self.informed_manager.isChecked(), affected_steps=self.steps.text())


def ask_exception(parent: QWidget) -> exc_service.ExceptionInput | None:
    dialog = ExceptionDialog(parent)
    return dialog.value() if dialog.exec() == QDialog.DialogCode.Accepted else None


# ---- meetings and the to-do list ---------------------------------------------------------------------------------

REPORT_DEPARTMENTS = ("production", "sales", "technical", "purchasing", "quality")


class MeetingDialog(QDialog):
    """Today's meeting: its kind, who attended, each department's report, notes and up to three actions agreed
    (the agenda itself is generated from the data when the meeting is saved)."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        from ...models.users import DEPARTMENTS
        from ...services.users import list_users

        self.setWindowTitle(_("Hold meeting"))
        self.setMinimumWidth(640)
        self.kind = QComboBox()
        for key, msgid in MEETING_KINDS.items():
            self.kind.addItem(_(msgid), key)
        self.day = QLineEdit(clock.today().isoformat())
        self.attendees = QLineEdit(ctx.actor.display_name)
        self.reports = {d: QLineEdit() for d in REPORT_DEPARTMENTS}
        self.notes = QPlainTextEdit()
        self.notes.setMaximumHeight(60)
        people = [(u.id, u.display_name) for u in list_users(ctx.db) if u.active]
        self.actions = []
        form = QFormLayout(self)
        form.addRow(_("Meeting date"), self.day)
        form.addRow(_("Kind"), self.kind)
        form.addRow(_("Attendees"), self.attendees)
        for d, edit in self.reports.items():
            form.addRow(_(DEPARTMENTS[d]), edit)
        form.addRow(_("Notes"), self.notes)
        for _i in range(3):
            text, owner, due = QLineEdit(), QComboBox(), QLineEdit()
            due.setPlaceholderText("YYYY-MM-DD")
            due.setMaximumWidth(110)
            for uid, name in people:
                owner.addItem(name, uid)
            row = QHBoxLayout()
            row.addWidget(text, 1)
            row.addWidget(owner)
            row.addWidget(due)
            form.addRow(_("Action"), row)
            self.actions.append((text, owner, due))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def value(self) -> meeting_service.MeetingInput:
        names = [n.strip() for n in self.attendees.text().replace("，", ",").split(",") if n.strip()]
        return meeting_service.MeetingInput(
            self.day.text(), kind=self.kind.currentData(), attendees={"production": names},
            reports={d: e.text() for d, e in self.reports.items() if e.text().strip()},
            notes=self.notes.toPlainText(),
            actions=[meeting_service.ActionInput(t.text(), o.currentData(), d.text())
                     for t, o, d in self.actions if t.text().strip()])


def ask_meeting(parent: QWidget, ctx: UiContext) -> meeting_service.MeetingInput | None:
    dialog = MeetingDialog(ctx, parent)
    return dialog.value() if dialog.exec() == QDialog.DialogCode.Accepted else None
