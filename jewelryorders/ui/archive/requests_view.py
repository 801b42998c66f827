"""Access requests: the request, approval, grant cycle for the user, the department head and the archive."""

from __future__ import annotations


from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ...i18n import N_, _, current_language
from ...models.archive import REQUEST_KINDS, REQUEST_STATUSES
from ...services.archive import loans, papers, requests
from ...services.permissions import allowed
from .. import operations
from ..context import UiContext
from ..materials.rows_model import RowColumn, RowsModel, _selected, _table
from . import common


# ---- requests and loans ----------------------------------------------------------------------------------------

SCOPE_MINE, SCOPE_APPROVE, SCOPE_GRANT, SCOPE_ALL = "mine", "approve", "grant", "all"


class RequestsView(QWidget):
    sig_changed = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = RowsModel([
            RowColumn(N_("No."), lambda r: r.number),
            RowColumn(N_("Document"), lambda r: r.document_title),
            RowColumn(N_("Requester"), lambda r: r.requester),
            RowColumn(N_("Read or borrow"), lambda r: _(REQUEST_KINDS[r.kind])),
            RowColumn(N_("Purpose"), lambda r: r.purpose),
            RowColumn(N_("Until"), lambda r: r.until.isoformat()),
            RowColumn(N_("Status"), lambda r: _(REQUEST_STATUSES[r.status]) + (" ●" if r.unseen and
                                                                                r.requester_username ==
                                                                                ctx.actor.username else "")),
            RowColumn(N_("Reason"), lambda r: r.decision_reason),
        ])
        self.scope = QComboBox()
        self.scope.setObjectName("request_scope")
        self.scope.currentIndexChanged.connect(lambda _i: self.refresh())
        self.table = _table(self.model, "archive_requests", 1)
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        row.addWidget(self.scope)
        for key, slot in (("approve", self.approve), ("refuse", self.refuse), ("grant", self.grant),
                          ("hand_out", self.hand_out), ("print", self.print_form)):
            b = QPushButton()
            b.setObjectName(f"request_{key}")
            b.clicked.connect(slot)
            self.buttons[key] = b
            row.addWidget(b)
        row.addStretch(1)
        self.notice = QLabel()
        self.notice.setObjectName("request_notice")
        self.notice.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.notice)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        current = self.scope.currentData()
        self.scope.blockSignals(True)
        self.scope.clear()
        self.scope.addItem(_("My requests"), SCOPE_MINE)
        if self.ctx.actor.role in ("department_head", "manager"):
            self.scope.addItem(_("To approve (my department)"), SCOPE_APPROVE)
        if allowed(self.ctx.actor, "archive.keep"):
            self.scope.addItem(_("To grant (archive)"), SCOPE_GRANT)
            self.scope.addItem(_("Register: every request"), SCOPE_ALL)
        index = self.scope.findData(current)
        self.scope.setCurrentIndex(max(0, index))
        self.scope.blockSignals(False)
        texts = {"approve": _("A&pprove"), "refuse": _("&Refuse…"), "grant": _("&Grant"),
                 "hand_out": _("&Hand out the paper"), "print": _("&Print the form…")}
        for key, b in self.buttons.items():
            b.setText(texts[key])
        self.model.retranslate()
        self.refresh()

    def set_scope(self, scope: str) -> None:
        index = self.scope.findData(scope)
        if index >= 0:
            self.scope.setCurrentIndex(index)
            self.refresh()

    def refresh(self) -> None:
        db, actor = self.ctx.db, self.ctx.actor
        scope = self.scope.currentData() or SCOPE_MINE
        if scope == SCOPE_APPROVE:
            rows = requests.requests_to_approve(db, actor)
        elif scope == SCOPE_GRANT:
            rows = requests.list_requests(db, status="approved") + [
                r for r in requests.list_requests(db, status="granted", limit=200) if r.kind == "borrow"]
        elif scope == SCOPE_ALL:
            rows = requests.list_requests(db)
        else:
            rows = requests.my_requests(db, actor)
        self.model.set_rows(rows)
        self.buttons["approve"].setVisible(scope == SCOPE_APPROVE)
        self.buttons["refuse"].setVisible(scope in (SCOPE_APPROVE, SCOPE_GRANT))
        self.buttons["grant"].setVisible(scope == SCOPE_GRANT)
        self.buttons["hand_out"].setVisible(scope == SCOPE_GRANT)
        unseen = requests.notifications(db, actor)
        if unseen:
            self.notice.setText(" ".join(_("Your request {no} for {document}: {status}.", no=r.number,
                                           document=r.document_title, status=_(REQUEST_STATUSES[r.status]))
                                         for r in unseen))
        else:
            self.notice.setText("")

    def selected(self):
        return _selected(self.table, self.model)

    def select_request(self, request_id: int) -> None:
        for i, r in enumerate(self.model.rows):
            if r.id == request_id:
                self.table.selectRow(i)
                return

    def _after(self, _result=None) -> None:
        self.refresh()
        self.sig_changed.emit()

    def approve(self) -> None:
        r = self.selected()
        if r is not None:
            operations.run(self.ctx, self, lambda: requests.decide_request(self.ctx.db, self.ctx.actor, r.id, True),
                           success=_("Request {no} approved.", no=r.number), on_success=self._after)

    def refuse(self) -> None:
        r = self.selected()
        if r is None:
            return
        reason = common.ask_reason(self, _("Refuse the request"), _("Why is the request refused?"))
        if reason is None:
            return
        if self.scope.currentData() == SCOPE_GRANT:
            call = lambda: requests.grant_request(self.ctx.db, self.ctx.actor, r.id, False, reason)  # noqa: E731
        else:
            call = lambda: requests.decide_request(self.ctx.db, self.ctx.actor, r.id, False, reason)  # noqa: E731
        operations.run(self.ctx, self, call, success=_("Request {no} refused.", no=r.number), on_success=self._after)

    def grant(self) -> None:
        r = self.selected()
        if r is not None:
            operations.run(self.ctx, self, lambda: requests.grant_request(self.ctx.db, self.ctx.actor, r.id),
                           success=_("Request {no} granted.", no=r.number), on_success=self._after)

    def hand_out(self) -> None:
        r = self.selected()
        if r is not None:
            operations.run(self.ctx, self, lambda: loans.hand_out(self.ctx.db, self.ctx.actor, r.id),
                           success=_("Paper handed out to {user}.", user=r.requester), on_success=self._after)

    def print_form(self) -> None:
        r = self.selected()
        if r is None:
            return
        path = common.ask_save_path(self, f"{r.number}.pdf", _("PDF (*.pdf)"))
        if path:
            operations.run(self.ctx, self, lambda: papers.print_request_form(self.ctx.db, self.ctx.actor, r.id, path,
                                                                             lang=current_language()),
                           success=_("Form written to {file}", file=path))

    def mark_seen(self) -> None:
        unseen = [r.id for r in requests.notifications(self.ctx.db, self.ctx.actor)]
        if unseen:
            operations.run(self.ctx, self, lambda: requests.mark_seen(self.ctx.db, self.ctx.actor, unseen),
                           quiet_errors=True)
