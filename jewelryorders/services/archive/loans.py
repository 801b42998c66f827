"""Borrowing paper originals: handed out by the archive keeper on a granted borrowing request, due, returned."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import aliased

from ... import clock
from ...db import Database
from ...i18n import LazyText, _
from ...models.archive import AccessRequest, Loan
from ...models.documents import Document
from ...models.orders import Order
from ...models.users import User
from .. import audit
from ..context import Actor, read_session, unit_of_work
from ..errors import GateError, NotFound, ValidationError
from ..permissions import require
from ..validation import Problems, parse_date, text
from .requests import log_access


@dataclass(frozen=True)
class LoanRow:
    id: int
    request_id: int
    document_id: int
    document_title: str
    order_no: str
    location: str
    borrower: str
    borrower_username: str
    handed_out_by: str
    handed_out_at: dt.datetime
    due_date: dt.date
    returned_at: dt.datetime | None
    return_note: str
    purpose: str

    @property
    def overdue(self) -> bool:
        return self.returned_at is None and self.due_date < clock.today()

    @property
    def days_overdue(self) -> int:
        return max(0, (clock.today() - self.due_date).days) if self.returned_at is None else 0


def hand_out(db: Database, actor: Actor, request_id: int, due_date: object = None) -> int:
    """The keeper hands the paper original out on a granted borrowing request; due by default on the request's day."""
    require(actor, "archive.keep")
    problems = Problems()
    due = parse_date(problems, "due_date", _("Due date"), due_date) if due_date not in (None, "") else None
    if due is not None and due < clock.today():
        problems.add("due_date", _("Due date: {day} is in the past.", day=due.isoformat()))
    problems.raise_if_any()
    with unit_of_work(db) as s:
        req = s.get(AccessRequest, request_id)
        if req is None:
            raise NotFound(_("Access request {id} does not exist.", id=request_id))
        if req.kind != "borrow":
            raise GateError(_("Request AR-{id:05d} asks to read, not to borrow; a paper is handed out only on a "
                              "borrowing request.", id=req.id))
        if req.status != "granted":
            raise GateError(_("Request AR-{id:05d} is not granted yet: it needs the approval of the head of the "
                              "requester's department and the archive's grant.", id=req.id))
        if s.scalar(select(Loan.id).where(Loan.request_id == req.id)):
            raise GateError(_("The paper of request AR-{id:05d} was already handed out.", id=req.id))
        doc = s.get(Document, req.document_id)
        out = s.scalar(select(Loan.id).where(Loan.document_id == doc.id, Loan.returned_at.is_(None)))
        if out:
            raise GateError(_("The paper original of {file} is on loan now; it can be handed out once it is "
                              "returned.", file=doc.title or doc.file_name))
        due = due or req.until
        if due < clock.today():
            due = clock.today()
        loan = Loan(request_id=req.id, document_id=doc.id, borrower_id=req.requester_id,
                    handed_out_by_id=actor.user_id or req.requester_id, handed_out_at=clock.now(), due_date=due)
        s.add(loan)
        s.flush()
        borrower = s.get(User, req.requester_id)
        log_access(s, borrower_actor(borrower), doc.id, "borrow", req.purpose, req.id)
        audit.record(s, actor, "lend_document", "loan", loan.id,
                     LazyText("paper of {file} handed out to {user}, due {day}", file=doc.title or doc.file_name,
                              user=borrower.display_name, day=due.isoformat()),
                     None, {"request_id": req.id, "due_date": due}, order_id=doc.order_id)
        return loan.id


def borrower_actor(user: User) -> Actor:
    return Actor(user.id, user.username, user.display_name, user.department, user.role)


def return_document(db: Database, actor: Actor, document_id: int, note: str = "") -> None:
    """The keeper takes the paper back; refused plainly when it is not on loan."""
    require(actor, "archive.keep")
    problems = Problems()
    note = text(problems, "note", _("Note"), note, max_len=1000)
    problems.raise_if_any()
    with unit_of_work(db) as s:
        doc = s.get(Document, document_id)
        if doc is None:
            raise NotFound(_("Document {id} does not exist.", id=document_id))
        loan = s.scalar(select(Loan).where(Loan.document_id == doc.id, Loan.returned_at.is_(None)))
        if loan is None:
            raise ValidationError(_("The paper of {file} is not on loan; there is nothing to return.",
                                    file=doc.title or doc.file_name), "document")
        loan.returned_at, loan.returned_to_id, loan.return_note = clock.now(), actor.user_id, note
        req = s.get(AccessRequest, loan.request_id)
        req.status = "closed"
        borrower = s.get(User, loan.borrower_id)
        log_access(s, borrower_actor(borrower), doc.id, "return", note, req.id)
        audit.record(s, actor, "return_document", "loan", loan.id,
                     LazyText("paper of {file} returned by {user}", file=doc.title or doc.file_name,
                              user=borrower.display_name), {"returned_at": None}, {"returned_at": loan.returned_at},
                     order_id=doc.order_id)


def list_loans(db: Database, *, open_only: bool = False, overdue_only: bool = False, borrower_id: int | None = None,
               limit: int = 1000) -> list[LoanRow]:
    borrower, keeper = aliased(User), aliased(User)
    stmt = (select(Loan, Document, Order.order_no, borrower.display_name, borrower.username, keeper.display_name,
                   AccessRequest.purpose)
            .join(Document, Document.id == Loan.document_id).outerjoin(Order, Order.id == Document.order_id)
            .join(borrower, borrower.id == Loan.borrower_id).join(keeper, keeper.id == Loan.handed_out_by_id)
            .join(AccessRequest, AccessRequest.id == Loan.request_id)
            .order_by(Loan.due_date, Loan.id).limit(limit))
    if open_only or overdue_only:
        stmt = stmt.where(Loan.returned_at.is_(None))
    if overdue_only:
        stmt = stmt.where(Loan.due_date < clock.today())
    if borrower_id is not None:
        stmt = stmt.where(Loan.borrower_id == borrower_id)
    with read_session(db) as s:
        return [LoanRow(loan.id, loan.request_id, d.id, d.title or d.file_name, order_no or "",
                        " / ".join(p for p in (d.cabinet, d.shelf, d.box) if p), b_name, b_user, k_name,
                        loan.handed_out_at, loan.due_date, loan.returned_at, loan.return_note, purpose)
                for loan, d, order_no, b_name, b_user, k_name, purpose in s.execute(stmt)]


def overdue_loans(db: Database) -> list[LoanRow]:
    """Papers not returned by their due date: listed, and shown at start-up to the archive keeper."""
    return list_loans(db, overdue_only=True)
