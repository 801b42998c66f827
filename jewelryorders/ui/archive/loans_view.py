"""Documents handed out: reading and borrowing, returns, overdue loans."""

from __future__ import annotations


from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ...i18n import N_, _, current_language
from ...services.archive import loans, papers
from ...services.permissions import allowed
from .. import operations
from ..context import UiContext
from ..materials.rows_model import RowColumn, RowsModel, _selected, _table
from . import common
from .common import _when


class LoansView(QWidget):
    sig_changed = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = RowsModel([
            RowColumn(N_("Document"), lambda r: r.document_title),
            RowColumn(N_("Order no."), lambda r: r.order_no),
            RowColumn(N_("Borrower"), lambda r: r.borrower),
            RowColumn(N_("Handed out"), lambda r: _when(r.handed_out_at)),
            RowColumn(N_("Due date"), lambda r: r.due_date.isoformat()),
            RowColumn(N_("Returned"), lambda r: _when(r.returned_at) if r.returned_at else
                      (_("overdue by {n} days", n=r.days_overdue) if r.overdue else "")),
            RowColumn(N_("Paper kept at"), lambda r: r.location),
        ])
        self.only_open = QComboBox()
        self.only_open.setObjectName("loan_scope")
        self.only_open.currentIndexChanged.connect(lambda _i: self.refresh())
        self.table = _table(self.model, "archive_loans", 0)
        self.return_button = QPushButton()
        self.return_button.setObjectName("loan_return")
        self.return_button.clicked.connect(self.return_selected)
        self.print_button = QPushButton()
        self.print_button.setObjectName("loan_print")
        self.print_button.clicked.connect(self.print_form)
        row = QHBoxLayout()
        for w in (self.only_open, self.return_button, self.print_button):
            row.addWidget(w)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        current = self.only_open.currentIndex()
        self.only_open.blockSignals(True)
        self.only_open.clear()
        self.only_open.addItems([_("On loan"), _("Overdue"), _("Every loan")])
        self.only_open.setCurrentIndex(max(0, current))
        self.only_open.blockSignals(False)
        self.return_button.setText(_("&Record the return"))
        self.return_button.setVisible(allowed(self.ctx.actor, "archive.keep"))
        self.print_button.setText(_("&Print the borrowing form…"))
        self.model.retranslate()
        self.refresh()

    def refresh(self) -> None:
        i = self.only_open.currentIndex()
        borrower = None if allowed(self.ctx.actor, "archive.keep") or self.ctx.actor.is_manager else \
            self.ctx.actor.user_id
        rows = loans.list_loans(self.ctx.db, open_only=i == 0, overdue_only=i == 1, borrower_id=borrower)
        self.model.set_rows(rows)

    def selected(self):
        return _selected(self.table, self.model)

    def return_selected(self) -> None:
        r = self.selected()
        if r is None:
            return
        operations.run(self.ctx, self, lambda: loans.return_document(self.ctx.db, self.ctx.actor, r.document_id),
                       success=_("Return of {document} recorded.", document=r.document_title),
                       on_success=lambda _r: (self.refresh(), self.sig_changed.emit()))

    def print_form(self) -> None:
        r = self.selected()
        if r is None:
            return
        path = common.ask_save_path(self, f"loan-{r.id}.pdf", _("PDF (*.pdf)"))
        if path:
            operations.run(self.ctx, self, lambda: papers.print_loan_form(self.ctx.db, self.ctx.actor, r.id, path,
                                                                          lang=current_language()),
                           success=_("Form written to {file}", file=path))
