"""The archive's sources of "my to-do" on the dashboard: access requests to decide (heads of department,
management) or to grant (the archive), borrowed papers to chase (the archive) or to return (the borrower).
Registered through services/dashboard/registry.py (FIGURE_MODULES)."""

from __future__ import annotations

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from ...i18n import N_
from ...models.archive import AccessRequest, Loan
from ...models.users import User
from ..context import Actor
from ..dashboard.registry import FigureContext, Link
from ..dashboard.todo import TodoItem, register_todo
from ..permissions import allowed

REQUESTS_LINK = Link("archive", "requests")
LOANS_LINK = Link("archive", "loans")


def _requests_to_decide(s: Session, actor: Actor, ctx: FigureContext) -> list[TodoItem]:
    """Pending requests the user decides (the archive part's rule, requests.requests_to_approve): their own
    department's as its head; department heads' requests as management."""
    if actor.role not in ("department_head", "manager") or actor.user_id is None:
        return []
    mine = AccessRequest.requester_department == actor.department
    if actor.department == "management":
        mine = or_(mine, and_(User.role == "department_head", AccessRequest.requester_department != "management"))
    n, first = s.execute(select(func.count(AccessRequest.id), func.min(AccessRequest.requested_at))
                         .join(User, User.id == AccessRequest.requester_id)
                         .where(AccessRequest.status == "pending", AccessRequest.requester_id != actor.user_id,
                                mine)).one()
    if not n:
        return []
    return [TodoItem("access_requests", N_("Archive access requests awaiting your decision: {count}"), int(n),
                     REQUESTS_LINK, first_due=first)]


def _keeper(actor: Actor) -> bool:
    return actor.department == "archive" and allowed(actor, "archive.keep")


def _requests_to_grant(s: Session, actor: Actor, ctx: FigureContext) -> list[TodoItem]:
    """The archive: requests approved by the requester's head, waiting to be granted."""
    if not _keeper(actor):
        return []
    n = s.scalar(select(func.count(AccessRequest.id)).where(AccessRequest.status == "approved"))
    if not n:
        return []
    return [TodoItem("access_grants", N_("Approved access requests to grant: {count}"), int(n), REQUESTS_LINK)]


def _loans_to_chase(s: Session, actor: Actor, ctx: FigureContext) -> list[TodoItem]:
    """The archive: borrowed papers not returned by their due date."""
    if not _keeper(actor):
        return []
    n, first = s.execute(select(func.count(Loan.id), func.min(Loan.due_date))
                         .where(Loan.returned_at.is_(None), Loan.due_date < ctx.today)).one()
    if not n:
        return []
    return [TodoItem("loans_to_chase", N_("Borrowed papers to chase, past their due date: {count}"), int(n),
                     LOANS_LINK, int(n), first)]


def _my_loans(s: Session, actor: Actor, ctx: FigureContext) -> list[TodoItem]:
    """Papers the user borrowed and has not returned."""
    n, late, first = s.execute(
        select(func.count(Loan.id), func.coalesce(func.sum(case((Loan.due_date < ctx.today, 1), else_=0)), 0),
               func.min(Loan.due_date))
        .where(Loan.borrower_id == actor.user_id, Loan.returned_at.is_(None))).one()
    if not n:
        return []
    return [TodoItem("my_loans", N_("Papers you borrowed, to return: {count} ({overdue} overdue)"), int(n),
                     LOANS_LINK, int(late or 0), first)]


register_todo("archive_requests_to_decide", _requests_to_decide)
register_todo("archive_requests_to_grant", _requests_to_grant)
register_todo("archive_loans_to_chase", _loans_to_chase)
register_todo("archive_my_loans", _my_loans)
