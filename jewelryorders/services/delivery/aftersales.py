"""After-sales cases (procedure 6.2): feedback on a delivered order or a piece by certificate no. — quality
problems, wearing problems, repairs, maintenance, complaints — carried to closure. A complaint closes only with the
customer's satisfaction recorded (satisfied, or escalated to management with a decision) and a lesson learned."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ... import clock
from ...db import Database
from ...i18n import LazyText, _
from ...models.delivery import (CASE_KINDS, CAUSES, COST_BEARERS, SATISFACTION, UPDATE_CHANNELS, AfterSalesCase,
                                CasePhoto, Certificate)
from ...models.orders import Order
from ...models.users import DEPARTMENTS, User
from .. import audit
from ..context import Actor, read_session, unit_of_work
from ..documents import store_bytes
from ..errors import ConcurrentEditError, GateError, NotFound
from ..permissions import require
from ..sequences import next_number
from ..validation import LONG_TEXT, Problems, decimal_value, grams_to_mg, parse_date, text
from . import common  # noqa: F401

AFTER_DELIVERY_STAGES = ("delivered", "closed")
REPAIR_KINDS = ("repair", "maintenance")


@dataclass
class CaseInput:
    kind: str
    received_via: str
    customer_words: str
    owner_id: int
    due_on: dt.date | str | None
    received_on: dt.date | str | None = None
    order_id: int | None = None
    certificate_no: str = ""


@dataclass
class RepairInput:
    work_done: str
    done_by: str
    materials_used: str = ""
    metal_used_g: str = "0"
    cost: str = "0"
    cost_borne_by: str = "factory"
    returned_on: dt.date | str | None = None


@dataclass
class FindingInput:
    cause: str
    cause_detail: str = ""
    departments: tuple[str, ...] = ()
    actions: str = ""
    answer: str = ""


@dataclass
class ClosingInput:
    satisfaction: str = ""          # complaints: "satisfied" or "escalated"
    escalation_decision: str = ""
    lesson: str = ""


@dataclass(frozen=True)
class CaseView:
    id: int
    case_no: str
    order_id: int
    order_no: str
    customer_name: str
    certificate_no: str
    style_code: str
    kind: str
    status: str
    received_on: dt.date
    received_via: str
    customer_words: str
    owner_id: int
    owner_name: str
    due_on: dt.date
    work_done: str
    done_by: str
    materials_used: str
    metal_used_mg: int
    repair_cost: Decimal
    cost_borne_by: str
    returned_on: dt.date | None
    cause: str
    cause_detail: str
    departments: tuple[str, ...]
    actions: str
    answer: str
    satisfaction: str
    escalation_decision: str
    lesson: str
    closed_on: dt.date | None
    photo_document_ids: tuple[int, ...]
    version: int

    @property
    def overdue(self) -> bool:
        return self.status == "open" and self.due_on < clock.today()


def _view(c: AfterSalesCase) -> CaseView:
    return CaseView(
        c.id, c.case_no, c.order_id, c.order.order_no, c.order.customer.name,
        c.certificate.certificate_no if c.certificate else "", c.style_code, c.kind, c.status, c.received_on,
        c.received_via, c.customer_words, c.owner_id, c.owner.display_name, c.due_on, c.work_done, c.done_by,
        c.materials_used, c.metal_used_mg, c.repair_cost, c.cost_borne_by, c.returned_on, c.cause, c.cause_detail,
        tuple(filter(None, c.departments.split(","))), c.actions, c.answer, c.satisfaction, c.escalation_decision,
        c.lesson, c.closed_on, tuple(ph.document_id for ph in c.photos), c.version)


def _load(s: Session, case_id: int, version: int | None = None) -> AfterSalesCase:
    c = s.execute(select(AfterSalesCase).where(AfterSalesCase.id == case_id).with_for_update(of=AfterSalesCase)).unique() \
        .scalar_one_or_none()
    if c is None:
        raise NotFound(_("After-sales case {id} does not exist.", id=case_id))
    if version is not None and c.version != version:
        raise ConcurrentEditError(_("Someone else changed case {no} while you were editing it. Reopen it to see "
                                    "their changes, then make yours again.", no=c.case_no))
    return c


def _open(c: AfterSalesCase) -> None:
    if c.status != "open":
        raise GateError(_("Case {no} is closed.", no=c.case_no))


def get_case(db: Database, case_id: int) -> CaseView:
    with read_session(db) as s:
        c = s.get(AfterSalesCase, case_id)
        if c is None:
            raise NotFound(_("After-sales case {id} does not exist.", id=case_id))
        return _view(c)


def get_case_by_no(db: Database, case_no: str) -> CaseView:
    with read_session(db) as s:
        c = s.scalars(select(AfterSalesCase).where(AfterSalesCase.case_no == case_no.strip())).unique().first()
        if c is None:
            raise NotFound(_("There is no after-sales case {no}.", no=case_no.strip()[:40]))
        return _view(c)


def list_cases(db: Database, *, search: str = "", status: str | None = None, kind: str | None = None,
               limit: int = 500) -> list[CaseView]:
    stmt = select(AfterSalesCase).join(Order, Order.id == AfterSalesCase.order_id)
    if status:
        stmt = stmt.where(AfterSalesCase.status == status)
    if kind:
        stmt = stmt.where(AfterSalesCase.kind == kind)
    if search.strip():
        like = f"%{search.strip()}%"
        stmt = stmt.outerjoin(Certificate, Certificate.id == AfterSalesCase.certificate_id).where(
            AfterSalesCase.case_no.ilike(like) | Order.order_no.ilike(like) | Certificate.certificate_no.ilike(like)
            | AfterSalesCase.style_code.ilike(like))
    with read_session(db) as s:
        return [_view(c) for c in s.scalars(stmt.order_by(AfterSalesCase.id.desc()).limit(limit)).unique()]


def piece_history(db: Database, certificate_no: str) -> list[CaseView]:
    """Every case of the piece (or lot) a certificate covers, oldest first."""
    with read_session(db) as s:
        cert_id = s.scalar(select(Certificate.id).where(Certificate.certificate_no == certificate_no.strip()))
        if cert_id is None:
            raise NotFound(_("There is no certificate {no}.", no=certificate_no.strip()[:40]))
        return [_view(c) for c in s.scalars(select(AfterSalesCase).where(AfterSalesCase.certificate_id == cert_id)
                                            .order_by(AfterSalesCase.received_on, AfterSalesCase.id)).unique()]


def open_case(db: Database, actor: Actor, data: CaseInput) -> CaseView:
    require(actor, "aftersales.edit")
    with unit_of_work(db) as s:
        p = Problems()
        if not isinstance(data.kind, str) or data.kind not in CASE_KINDS:
            p.add("kind", _("Choose the kind of case from the list."))
        if not isinstance(data.received_via, str) or data.received_via not in UPDATE_CHANNELS:
            p.add("received_via", _("Choose how the case was received from the list."))
        words = text(p, "customer_words", _("What the customer says"), data.customer_words, required=True,
                     max_len=LONG_TEXT)
        received = parse_date(p, "received_on", _("Received on"), data.received_on or clock.today(), required=True)
        if received is not None and received > clock.today():
            p.add("received_on", _("{field}: {date} is in the future.", field=_("Received on"),
                                   date=received.isoformat()))
        due = parse_date(p, "due_on", _("Due date"), data.due_on, required=True)
        if due is not None and received is not None and due < received:
            p.add("due_on", _("The due date {due} is before the case was received ({received}).",
                              due=due.isoformat(), received=received.isoformat()))
        owner = s.get(User, data.owner_id)
        if owner is None or not owner.active:
            p.add("owner", _("Choose an active user as the case's owner."))
        cert = None
        if (data.certificate_no or "").strip():
            cert = s.scalar(select(Certificate).where(Certificate.certificate_no == data.certificate_no.strip()))
            if cert is None:
                p.add("certificate_no", _("There is no certificate {no}.", no=data.certificate_no.strip()[:40]))
        order_id = cert.order_id if cert is not None else data.order_id
        order = s.get(Order, order_id) if order_id else None
        if order is None and not p:
            p.add("order", _("Name the delivered order, or the piece by its certificate no."))
        elif order is not None and cert is not None and data.order_id and data.order_id != cert.order_id:
            p.add("certificate_no", _("Certificate {no} belongs to another order.", no=cert.certificate_no))
        p.raise_if_any()
        if order.stage not in AFTER_DELIVERY_STAGES:
            raise GateError(_("Order {order_no} has not been delivered; after-sales cases open against delivered "
                              "orders.", order_no=order.order_no))
        style = cert.style_code if cert is not None else (order.lines[0].style_code if order.lines else "")
        c = AfterSalesCase(case_no=next_number(s, "after_sales_case", clock.today().year), order_id=order.id,
                           customer_id=order.customer_id, certificate_id=cert.id if cert else None,
                           style_code=style, kind=data.kind, received_on=received, received_via=data.received_via,
                           customer_words=words, owner_id=owner.id, due_on=due)
        s.add(c)
        s.flush()
        audit.record(s, actor, "open_case", "after_sales_case", c.id,
                     LazyText("After-sales case {no} ({kind}) opened for order {order_no}", no=c.case_no,
                              kind=LazyText(CASE_KINDS[c.kind]), order_no=order.order_no),
                     None, {"kind": c.kind, "due_on": due.isoformat(), "owner_id": owner.id}, order_id=order.id)
        s.flush()
        s.refresh(c)
        return _view(c)


def add_photo(db: Database, actor: Actor, case_id: int, file_name: str, content: bytes) -> CaseView:
    """A photo the customer sent (or taken on receipt), filed as an after-sales record of the order."""
    require(actor, "aftersales.edit")
    with unit_of_work(db) as s:
        c = _load(s, case_id)
        p = Problems()
        name = text(p, "file_name", _("File name"), file_name, required=True, max_len=200)
        if not content:
            p.add("file", _("The photo is empty."))
        elif len(content) > 20 * 1024 * 1024:
            p.add("file", _("The photo is larger than 20 MB."))
        p.raise_if_any()
        doc = store_bytes(s, actor, file_name=f"{c.case_no}-{name}", content=content,
                          category="after_sales_record", order_id=c.order_id)
        c.photos.append(CasePhoto(document_id=doc.id))
        audit.record(s, actor, "case_photo", "after_sales_case", c.id,
                     LazyText("Photo {file} added to case {no}", file=name, no=c.case_no), None,
                     {"document_id": doc.id}, order_id=c.order_id)
        s.flush()
        return _view(c)


def record_repair(db: Database, actor: Actor, case_id: int, data: RepairInput, version: int | None = None) -> CaseView:
    """Repair or maintenance: the work done, by whom, materials and metal used, cost and who bears it, returned."""
    require(actor, "aftersales.edit")
    with unit_of_work(db) as s:
        c = _load(s, case_id, version)
        _open(c)
        p = Problems()
        work = text(p, "work_done", _("Work done"), data.work_done, required=True, max_len=LONG_TEXT)
        by = text(p, "done_by", _("Done by"), data.done_by, required=True, max_len=120)
        materials = text(p, "materials_used", _("Materials used"), data.materials_used, max_len=LONG_TEXT)
        metal = grams_to_mg(p, "metal_used", _("Metal used (g)"), data.metal_used_g or "0", required=False)
        if metal is None and str(data.metal_used_g or "0").strip() in ("0", "0.0", "0.000", ""):
            metal = 0
        cost = decimal_value(p, "cost", _("Cost"), data.cost or "0", places=2, allow_zero=True,
                             maximum=Decimal("99999999.99"))
        if data.cost_borne_by not in COST_BEARERS or not data.cost_borne_by:
            p.add("cost_borne_by", _("Say who bears the cost."))
        returned = parse_date(p, "returned_on", _("Returned on"), data.returned_on)
        if returned is not None and returned < c.received_on:
            p.add("returned_on", _("The piece cannot be returned on {date}, before the case was received ({received}).",
                                   date=returned.isoformat(), received=c.received_on.isoformat()))
        if returned is not None and returned > clock.today():
            p.add("returned_on", _("{field}: {date} is in the future.", field=_("Returned on"),
                                   date=returned.isoformat()))
        p.raise_if_any()
        before = audit.snapshot(c)
        c.work_done, c.done_by, c.materials_used = work, by, materials
        c.metal_used_mg, c.repair_cost, c.cost_borne_by, c.returned_on = metal or 0, cost, data.cost_borne_by, returned
        b, a = audit.diff(before, audit.snapshot(c))
        audit.record(s, actor, "repair", "after_sales_case", c.id,
                     LazyText("Repair work recorded on case {no}", no=c.case_no), b, a, order_id=c.order_id)
        s.flush()
        return _view(c)


def record_finding(db: Database, actor: Actor, case_id: int, data: FindingInput, version: int | None = None) -> CaseView:
    """The cause found, the departments involved, the actions taken and the answer given to the customer."""
    require(actor, "aftersales.edit")
    with unit_of_work(db) as s:
        c = _load(s, case_id, version)
        _open(c)
        p = Problems()
        if data.cause not in CAUSES or not data.cause:
            p.add("cause", _("Choose the cause found from the list."))
        detail = text(p, "cause_detail", _("Cause in detail"), data.cause_detail, max_len=LONG_TEXT)
        unknown = [d for d in data.departments if d not in DEPARTMENTS]
        if unknown:
            p.add("departments", _("Unknown department {dept}.", dept=unknown[0][:20]))
        actions = text(p, "actions", _("Actions"), data.actions, max_len=LONG_TEXT)
        answer = text(p, "answer", _("Answer given to the customer"), data.answer, max_len=LONG_TEXT)
        p.raise_if_any()
        before = audit.snapshot(c)
        c.cause, c.cause_detail, c.actions, c.answer = data.cause, detail, actions, answer
        c.departments = ",".join(dict.fromkeys(data.departments))
        b, a = audit.diff(before, audit.snapshot(c))
        audit.record(s, actor, "finding", "after_sales_case", c.id,
                     LazyText("Cause and actions recorded on case {no}", no=c.case_no), b, a, order_id=c.order_id)
        s.flush()
        return _view(c)


def close_case(db: Database, actor: Actor, case_id: int, data: ClosingInput, version: int | None = None) -> CaseView:
    """Close a case. A complaint needs the customer's answer (satisfied, or escalated with management's decision),
    the answer given, and the lesson learned; a repair or maintenance needs its work and the return date."""
    require(actor, "aftersales.edit")
    with unit_of_work(db) as s:
        c = _load(s, case_id, version)
        _open(c)
        p = Problems()
        lesson = text(p, "lesson", _("Lesson learned"), data.lesson, max_len=LONG_TEXT)
        decision = text(p, "escalation_decision", _("Management's decision"), data.escalation_decision,
                        max_len=LONG_TEXT)
        if not isinstance(data.satisfaction, str) or data.satisfaction not in SATISFACTION:
            p.add("satisfaction", _("Choose the customer's answer from the list."))
        if c.kind == "complaint":
            if not data.satisfaction:
                p.add("satisfaction", _("A complaint closes only when the customer's answer is recorded: satisfied, "
                                        "or escalated to management with a decision."))
            elif data.satisfaction == "escalated" and not decision:
                p.add("escalation_decision", _("An escalated complaint closes only with management's decision."))
            if not c.answer:
                p.add("answer", _("Record the answer given to the customer before closing the complaint."))
            if not c.cause:
                p.add("cause", _("Record the cause found before closing the complaint."))
            if not lesson:
                p.add("lesson", _("A closed complaint records the lesson learned."))
        if c.kind in REPAIR_KINDS and (not c.work_done or c.returned_on is None):
            p.add("work_done", _("Record the work done and when the piece was returned before closing the case."))
        if c.kind not in REPAIR_KINDS and c.kind != "complaint" and not (c.answer or c.work_done):
            p.add("answer", _("Record the answer given to the customer before closing the case."))
        p.raise_if_any()
        before = audit.snapshot(c)
        c.satisfaction, c.escalation_decision, c.lesson = data.satisfaction, decision, lesson
        c.status, c.closed_on = "closed", clock.today()
        b, a = audit.diff(before, audit.snapshot(c))
        audit.record(s, actor, "close_case", "after_sales_case", c.id,
                     LazyText("After-sales case {no} closed", no=c.case_no), b, a, order_id=c.order_id)
        s.flush()
        return _view(c)


# ---- analysis ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Analysis:
    by_month_kind: dict[str, dict[str, int]]        # "2026-11" -> kind -> cases
    by_style: list[tuple[str, int]]
    by_cause: list[tuple[str, int]]
    days_to_close: dict[str, Decimal]               # kind -> average days from received to closed
    repeat_customers: list[tuple[str, int]]         # customers with more than one case
    cases: int


def analyse(db: Database, date_from: dt.date, date_to: dt.date) -> Analysis:
    with read_session(db) as s:
        rows = s.execute(select(AfterSalesCase.received_on, AfterSalesCase.kind, AfterSalesCase.style_code,
                                AfterSalesCase.cause, AfterSalesCase.closed_on, AfterSalesCase.customer_id)
                         .where(AfterSalesCase.received_on >= date_from, AfterSalesCase.received_on <= date_to)).all()
        from ...models.customers import Customer

        names = dict(s.execute(select(Customer.id, Customer.name).where(
            Customer.id.in_({r.customer_id for r in rows}))).all()) if rows else {}
    months: dict[str, dict[str, int]] = {}
    styles: dict[str, int] = {}
    causes: dict[str, int] = {}
    close: dict[str, list[int]] = {}
    customers: dict[int, int] = {}
    for r in rows:
        month = months.setdefault(r.received_on.strftime("%Y-%m"), {k: 0 for k in CASE_KINDS})
        month[r.kind] += 1
        styles[r.style_code or "—"] = styles.get(r.style_code or "—", 0) + 1
        if r.cause:
            causes[r.cause] = causes.get(r.cause, 0) + 1
        if r.closed_on:
            close.setdefault(r.kind, []).append((r.closed_on - r.received_on).days)
        customers[r.customer_id] = customers.get(r.customer_id, 0) + 1
    return Analysis(
        dict(sorted(months.items())), sorted(styles.items(), key=lambda x: (-x[1], x[0])),
        sorted(causes.items(), key=lambda x: (-x[1], x[0])),
        {k: (Decimal(sum(v)) / len(v)).quantize(Decimal("0.1")) for k, v in close.items()},
        sorted(((names.get(cid, str(cid)), n) for cid, n in customers.items() if n > 1), key=lambda x: (-x[1], x[0])),
        len(rows))


def count_open(db: Database) -> int:
    with read_session(db) as s:
        return s.scalar(select(func.count(AfterSalesCase.id)).where(AfterSalesCase.status == "open")) or 0
