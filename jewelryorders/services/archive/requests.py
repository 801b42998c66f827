"""Access requests (procedure 7.3): the requester asks, the head of the requester's own department approves or
refuses with a reason, the archive grants and keeps the register; reading a document; the access log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import aliased

from ... import clock
from ...db import Database
from ...i18n import LazyText, _
from ...models.archive import REQUEST_KINDS, REQUEST_STATUSES, AccessLogEntry, AccessRequest
from ...models.documents import DOCUMENT_CATEGORIES, Document
from ...models.orders import Order
from ...models.users import DEPARTMENTS, User
from .. import audit
from ..context import Actor, read_session, unit_of_work
from ..documents import DocumentInfo, document_content
from ..errors import GateError, NotFound, PermissionDenied, ValidationError
from ..permissions import require
from ..validation import Problems, parse_date, text
from .common import owner_department, reads_freely

OPEN_STATUSES = ("pending", "approved", "granted")
REQUEST_STATUS_LABELS = REQUEST_STATUSES


@dataclass(frozen=True)
class RequestRow:
    id: int
    document_id: int
    document_title: str
    category: str
    order_no: str
    requester: str
    requester_username: str
    requester_department: str
    kind: str
    purpose: str
    until: dt.date
    status: str
    requested_at: dt.datetime
    decided_by: str
    decided_at: dt.datetime | None
    decision_reason: str
    granted_by: str
    granted_at: dt.datetime | None
    unseen: bool

    @property
    def number(self) -> str:
        return f"AR-{self.id:05d}"


def _request(s, request_id: int) -> AccessRequest:
    req = s.get(AccessRequest, request_id)
    if req is None:
        raise NotFound(_("Access request {id} does not exist.", id=request_id))
    return req


def _live_document(s, document_id: int) -> Document:
    doc = s.get(Document, document_id)
    if doc is None or doc.removed:
        raise NotFound(_("Document {id} does not exist.", id=document_id))
    return doc


def request_access(db: Database, actor: Actor, document_id: int, kind: str, purpose: str, until: object) -> int:
    """File an access request (read) or borrowing request (borrow); returns its id. Anyone may ask."""
    problems = Problems()
    if not isinstance(kind, str) or kind not in REQUEST_KINDS:
        problems.add("kind", _("Choose whether to read the document or borrow the paper original."))
    purpose = text(problems, "purpose", _("Purpose"), purpose, required=True, max_len=1000)
    day = parse_date(problems, "until", _("Until"), until, required=True)
    if day is not None and day < clock.today():
        problems.add("until", _("Until: {day} is in the past; give the last day you need the document.",
                                day=day.isoformat()))
    if day is not None and day > clock.today() + dt.timedelta(days=366):
        problems.add("until", _("Until: a request is for at most one year."))
    problems.raise_if_any()
    with unit_of_work(db) as s:
        doc = _live_document(s, document_id)
        if kind == "read" and reads_freely(actor, doc.category):
            raise ValidationError(_("{file} belongs to your department ({department}) or you are management: you "
                                    "may open it without a request.", file=doc.title or doc.file_name,
                                    department=_(DEPARTMENTS[owner_department(doc.category)])), "document")
        if actor.user_id is None:
            raise ValidationError(_("Only a user can file an access request."))
        same = s.scalar(select(AccessRequest.id).where(
            AccessRequest.document_id == doc.id, AccessRequest.requester_id == actor.user_id,
            AccessRequest.kind == kind, AccessRequest.status.in_(("pending", "approved"))))
        if same:
            raise ValidationError(_("You have already asked for this document (request AR-{id:05d}); wait for its "
                                    "decision.", id=same), "document")
        req = AccessRequest(document_id=doc.id, requester_id=actor.user_id, requester_department=actor.department,
                            kind=kind, purpose=purpose, until=day, status="pending")
        s.add(req)
        s.flush()
        audit.record(s, actor, "request_access", "access_request", req.id,
                     LazyText("access request ({kind}) for {file} until {day}: {purpose}", kind=LazyText(REQUEST_KINDS[kind]),
                              file=doc.title or doc.file_name, day=day.isoformat(), purpose=purpose),
                     None, {"document_id": doc.id, "kind": kind, "until": day}, order_id=doc.order_id)
        return req.id


def decide_request(db: Database, actor: Actor, request_id: int, approve: bool, reason: str = "") -> None:
    """The head of the requester's own department approves or refuses (a refusal needs its reason)."""
    require(actor, "archive.approve")
    problems = Problems()
    reason = text(problems, "reason", _("Reason"), reason, required=not approve, max_len=1000)
    problems.raise_if_any()
    with unit_of_work(db) as s:
        req = _request(s, request_id)
        requester = s.get(User, req.requester_id)
        if req.requester_id == actor.user_id:
            raise PermissionDenied(_("{user} may not decide their own request AR-{id:05d}; the head of the "
                                     "department or management decides it.", user=actor.display_name, id=req.id))
        head_of_requester = actor.department == req.requester_department
        # A department head's own request goes to management.
        management_for_head = (requester is not None and requester.role == "department_head"
                               and actor.department == "management")
        if not (head_of_requester or management_for_head):
            raise PermissionDenied(_("{user} is not the head of the requester's department ({department}); only "
                                     "that department's head approves or refuses request AR-{id:05d}.",
                                     user=actor.display_name, department=_(DEPARTMENTS[req.requester_department]),
                                     id=req.id))
        if req.status != "pending":
            raise GateError(_("Request AR-{id:05d} was already decided.", id=req.id))
        req.status = "approved" if approve else "refused"
        req.decided_by_id, req.decided_at, req.decision_reason = actor.user_id, clock.now(), reason
        req.unseen = True
        doc = s.get(Document, req.document_id)
        audit.record(s, actor, "approve_access" if approve else "refuse_access", "access_request", req.id,
                     LazyText("request AR-{id} approved", id=f"{req.id:05d}") if approve else
                     LazyText("request AR-{id} refused: {reason}", id=f"{req.id:05d}", reason=reason),
                     {"status": "pending"}, {"status": req.status, "reason": reason}, order_id=doc.order_id)


def grant_request(db: Database, actor: Actor, request_id: int, grant: bool = True, reason: str = "") -> None:
    """The archive grants an approved request (enters it in the register) or refuses it with a reason."""
    require(actor, "archive.keep")
    problems = Problems()
    reason = text(problems, "reason", _("Reason"), reason, required=not grant, max_len=1000)
    problems.raise_if_any()
    with unit_of_work(db) as s:
        req = _request(s, request_id)
        if req.status != "approved":
            raise GateError(_("Request AR-{id:05d} is not approved by the head of the requester's department; the "
                              "archive grants only approved requests.", id=req.id))
        req.status = "granted" if grant else "refused"
        req.granted_by_id, req.granted_at = actor.user_id, clock.now()
        if not grant:
            req.decision_reason = reason
        req.unseen = True
        doc = s.get(Document, req.document_id)
        audit.record(s, actor, "grant_access" if grant else "refuse_access", "access_request", req.id,
                     LazyText("request AR-{id} granted by the archive", id=f"{req.id:05d}") if grant else
                     LazyText("request AR-{id} refused: {reason}", id=f"{req.id:05d}", reason=reason),
                     {"status": "approved"}, {"status": req.status}, order_id=doc.order_id)


def mark_seen(db: Database, actor: Actor, request_ids: list[int]) -> None:
    """The requester has read the decisions (the notification is not shown again)."""
    if not request_ids or actor.user_id is None:
        return
    with unit_of_work(db) as s:
        reqs = s.scalars(select(AccessRequest).where(AccessRequest.id.in_(request_ids),
                                                     AccessRequest.requester_id == actor.user_id,
                                                     AccessRequest.unseen.is_(True))).all()
        for req in reqs:
            req.unseen = False
        if reqs:
            audit.record(s, actor, "see_access_decisions", "access_request", reqs[0].id,
                         LazyText("decisions on {n} access requests read", n=len(reqs)))


def _rows(s, stmt) -> list[RequestRow]:
    requester, decider, granter = aliased(User), aliased(User), aliased(User)
    stmt = (stmt.add_columns(Document.title, Document.file_name, Document.category, Order.order_no,
                             requester.display_name, requester.username, decider.display_name, granter.display_name)
            .join(Document, Document.id == AccessRequest.document_id)
            .outerjoin(Order, Order.id == Document.order_id)
            .join(requester, requester.id == AccessRequest.requester_id)
            .outerjoin(decider, decider.id == AccessRequest.decided_by_id)
            .outerjoin(granter, granter.id == AccessRequest.granted_by_id))
    out = []
    for r, title, file_name, category, order_no, req_name, req_user, dec_name, gr_name in s.execute(stmt):
        out.append(RequestRow(r.id, r.document_id, title or file_name, category, order_no or "", req_name, req_user,
                              r.requester_department, r.kind, r.purpose, r.until, r.status, r.requested_at,
                              dec_name or "", r.decided_at, r.decision_reason, gr_name or "", r.granted_at,
                              bool(r.unseen)))
    return out


def list_requests(db: Database, *, status: str | None = None, requester_id: int | None = None,
                  department: str | None = None, document_id: int | None = None, limit: int = 500) -> list[RequestRow]:
    stmt = select(AccessRequest).order_by(AccessRequest.id.desc()).limit(limit)
    if status:
        stmt = stmt.where(AccessRequest.status == status)
    if requester_id is not None:
        stmt = stmt.where(AccessRequest.requester_id == requester_id)
    if department:
        stmt = stmt.where(AccessRequest.requester_department == department)
    if document_id is not None:
        stmt = stmt.where(AccessRequest.document_id == document_id)
    with read_session(db) as s:
        return _rows(s, stmt)


def get_request(db: Database, request_id: int) -> RequestRow:
    with read_session(db) as s:
        rows = _rows(s, select(AccessRequest).where(AccessRequest.id == request_id))
    if not rows:
        raise NotFound(_("Access request {id} does not exist.", id=request_id))
    return rows[0]


def my_requests(db: Database, actor: Actor) -> list[RequestRow]:
    return list_requests(db, requester_id=actor.user_id) if actor.user_id is not None else []


def requests_to_approve(db: Database, actor: Actor) -> list[RequestRow]:
    """Pending requests this user decides: their department's (as its head), department heads' (as management)."""
    if actor.role not in ("department_head", "manager"):
        return []
    rows = [r for r in list_requests(db, status="pending", department=actor.department)
            if r.requester_username != actor.username]
    if actor.department == "management":
        with read_session(db) as s:
            heads = set(s.scalars(select(User.username).where(User.role == "department_head")))
        rows += [r for r in list_requests(db, status="pending") if r.requester_username in heads
                 and r.requester_department != "management" and r.requester_username != actor.username]
    return rows


def notifications(db: Database, actor: Actor) -> list[RequestRow]:
    """Decisions on the user's requests not yet seen (shown in the GUI)."""
    return [r for r in my_requests(db, actor) if r.unseen]


# ---- reading and the access log ------------------------------------------------------------------------------------

def _granted_read(s, actor: Actor, document_id: int) -> AccessRequest | None:
    if actor.user_id is None:
        return None
    return s.scalar(select(AccessRequest).where(
        AccessRequest.document_id == document_id, AccessRequest.requester_id == actor.user_id,
        AccessRequest.kind == "read", AccessRequest.status == "granted",
        AccessRequest.until >= clock.today()).order_by(AccessRequest.until.desc()).limit(1))


def may_read(db: Database, actor: Actor, document_id: int) -> bool:
    with read_session(db) as s:
        doc = _live_document(s, document_id)
        return reads_freely(actor, doc.category) or _granted_read(s, actor, document_id) is not None


def log_access(s, actor: Actor, document_id: int, action: str, purpose: str = "",
               request_id: int | None = None) -> None:
    """One line of the access log, inside the caller's transaction."""
    s.add(AccessLogEntry(at=clock.now(), user_id=actor.user_id, username=actor.username, document_id=document_id,
                         action=action, purpose=purpose[:1000], request_id=request_id))


def open_document(db: Database, actor: Actor, document_id: int, *, action: str = "open",
                  purpose: str = "") -> tuple[DocumentInfo, bytes]:
    """The document's bytes for opening, printing or exporting; the owning department and management freely, anyone
    else with a granted read request still in its period. Every access is written to the access log."""
    if action not in ("open", "print", "export"):
        raise ValidationError(_("Unknown access {action}.", action=action))
    with unit_of_work(db) as s:
        doc = _live_document(s, document_id)
        granted = None
        if not reads_freely(actor, doc.category):
            granted = _granted_read(s, actor, document_id)
            if granted is None:
                raise PermissionDenied(_("{user} may not read {file}: it belongs to the {department} department. File "
                                         "an access request; once the head of your department approves it and the "
                                         "archive grants it, the document opens for the approved period.",
                                         user=actor.display_name, file=doc.title or doc.file_name,
                                         department=_(DEPARTMENTS[owner_department(doc.category)])))
        log_access(s, actor, doc.id, action, purpose or (granted.purpose if granted else ""),
                   granted.id if granted else None)
        audit.record(s, actor, f"{action}_document", "document", doc.id,
                     LazyText("{file} read ({action})", file=doc.title or doc.file_name, action=action),
                     order_id=doc.order_id)
    return document_content(db, document_id)


def export_document_copy(db: Database, actor: Actor, document_id: int, folder: str | Path, purpose: str = "") -> Path:
    info, content = open_document(db, actor, document_id, action="export", purpose=purpose)
    target = Path(folder) / f"{info.sha256[:8]}-{info.file_name}"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    return target


@dataclass(frozen=True)
class LogRow:
    at: dt.datetime
    username: str
    display_name: str
    action: str
    document_id: int
    document_title: str
    category: str
    order_no: str
    purpose: str
    request_no: str


def access_log(db: Database, actor: Actor, date_from: dt.date | None = None, date_to: dt.date | None = None,
               *, document_id: int | None = None, limit: int = 1_000_000) -> list[LogRow]:
    """The access log (查閱登記記錄), oldest first, for the archive and management."""
    require(actor, "archive.log")
    stmt = (select(AccessLogEntry, User.display_name, Document.title, Document.file_name, Document.category,
                   Order.order_no)
            .join(Document, Document.id == AccessLogEntry.document_id)
            .outerjoin(User, User.id == AccessLogEntry.user_id).outerjoin(Order, Order.id == Document.order_id)
            .order_by(AccessLogEntry.at, AccessLogEntry.id).limit(limit))
    if date_from:
        stmt = stmt.where(AccessLogEntry.at >= dt.datetime.combine(date_from, dt.time()).astimezone(dt.timezone.utc))
    if date_to:
        stmt = stmt.where(AccessLogEntry.at < dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time())
                          .astimezone(dt.timezone.utc))
    if document_id is not None:
        stmt = stmt.where(AccessLogEntry.document_id == document_id)
    with read_session(db) as s:
        return [LogRow(e.at, e.username, name or e.username, e.action, e.document_id, title or file_name, category,
                       order_no or "", e.purpose, f"AR-{e.request_id:05d}" if e.request_id else "")
                for e, name, title, file_name, category, order_no in s.execute(stmt)]


def category_label(category: str) -> str:
    return _(DOCUMENT_CATEGORIES.get(category, category))
