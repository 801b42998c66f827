"""Exceptions (procedure 4.3): material shortage, equipment failure, staff change; impact, who was informed, the
customer told before a delivery date moves, the remedy and the closure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from ... import clock
from ...db import Database
from ...i18n import LazyText, _
from ...models.ledger import EXCEPTION_KINDS, NOTIFY_METHODS, SEVERITIES, CustomerNotification, ProductionException
from ...models.orders import Order
from ...models.planning import Workshop
from .. import audit, sequences
from ..context import Actor, read_session, unit_of_work
from ..errors import ConcurrentEditError, GateError, NotFound, ValidationError
from ..permissions import require
from ..validation import LONG_TEXT, Problems, parse_date, text
from . import common  # noqa: F401  (registers the permissions)


@dataclass
class ExceptionInput:
    kind: str
    description: str
    order_no: str = ""
    workshop_id: int | None = None
    severity: str = "medium"
    reported_by: str = ""
    reported_at: dt.datetime | None = None
    impact_days: int = 0
    actions: str = ""
    informed_production: bool = False
    informed_manager: bool = False
    affected_steps: str = ""       # "3,4"


@dataclass(frozen=True)
class NotificationView:
    notified_at: dt.datetime
    method: str
    notified_by: str
    customer_response: str


@dataclass(frozen=True)
class ExceptionView:
    id: int
    exception_no: str
    order_id: int | None
    order_no: str
    workshop: str
    kind: str
    severity: str
    reported_by: str
    reported_at: dt.datetime
    description: str
    impact_days: int
    actions: str
    informed_production: bool
    informed_manager: bool
    affected_steps: tuple[int, ...]
    old_delivery_date: dt.date | None
    new_delivery_date: dt.date | None
    remedy: str
    closed_at: dt.datetime | None
    notifications: tuple[NotificationView, ...]
    version: int

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


def _view(session, e: ProductionException) -> ExceptionView:
    order_no = session.scalar(select(Order.order_no).where(Order.id == e.order_id)) if e.order_id else ""
    workshop = session.scalar(select(Workshop.name).where(Workshop.id == e.workshop_id)) if e.workshop_id else ""
    steps = tuple(int(x) for x in e.affected_steps.split(",") if x.strip().isdigit())
    return ExceptionView(e.id, e.exception_no, e.order_id, order_no or "", workshop or "", e.kind, e.severity,
                         e.reported_by, e.reported_at, e.description, e.impact_days, e.actions,
                         e.informed_production, e.informed_manager, steps, e.old_delivery_date, e.new_delivery_date,
                         e.remedy, e.closed_at, tuple(NotificationView(n.notified_at, n.method, n.notified_by,
                                                                       n.customer_response)
                                                      for n in e.notifications), e.version)


def _load(session, number: str, lock: bool = False) -> ProductionException:
    stmt = select(ProductionException).where(ProductionException.exception_no == (number or "").strip().upper())
    if lock:
        stmt = stmt.with_for_update(of=ProductionException)
    e = session.scalar(stmt)
    if e is None:
        raise NotFound(_("No exception has the number {number}.", number=number))
    return e


def record_exception(db: Database, actor: Actor, data: ExceptionInput) -> ExceptionView:
    require(actor, "ledger.exceptions")
    problems = Problems()
    if not isinstance(data.kind, str) or data.kind not in EXCEPTION_KINDS:
        problems.add("kind", _("Choose the kind of exception."))
    if not isinstance(data.severity, str) or data.severity not in SEVERITIES:
        problems.add("severity", _("Choose the severity."))
    description = text(problems, "description", _("Description"), data.description, required=True,
                       max_len=LONG_TEXT)
    actions = text(problems, "actions", _("Actions"), data.actions, max_len=LONG_TEXT)
    reported_by = text(problems, "reported_by", _("Reported by"), data.reported_by, max_len=100)
    steps = text(problems, "affected_steps", _("Affected steps"), data.affected_steps, max_len=100)
    if steps and not all(x.strip().isdigit() for x in steps.split(",")):
        problems.add("affected_steps", _("Affected steps are step numbers separated by commas, e.g. 3,4."))
    try:
        impact = int(data.impact_days)
        if impact < 0 or impact > 365:
            raise ValueError
    except (TypeError, ValueError):
        problems.add("impact_days", _("Impact in days is a whole number from 0 to 365."))
        impact = 0
    order_no = str(data.order_no or "").strip()   # a wrong type is refused as an unknown order, not a crash
    if not order_no and not data.workshop_id:
        problems.add("order_no", _("Name the order or the workshop the exception is about."))
    problems.raise_if_any()
    with unit_of_work(db) as s:
        order_id = None
        if order_no:
            order_id = s.scalar(select(Order.id).where(Order.order_no == order_no.upper()))
            if order_id is None:
                raise NotFound(_("Order {order_no} does not exist.", order_no=order_no))
        if data.workshop_id and s.get(Workshop, data.workshop_id) is None:
            raise NotFound(_("Workshop {id} does not exist.", id=data.workshop_id))
        e = ProductionException(
            exception_no=sequences.next_number(s, "production_exception", clock.today().year), order_id=order_id,
            workshop_id=data.workshop_id, kind=data.kind, severity=data.severity,
            reported_by=reported_by or actor.display_name, reported_at=data.reported_at or clock.now(),
            description=description, impact_days=impact, actions=actions,
            informed_production=data.informed_production, informed_manager=data.informed_manager,
            affected_steps=",".join(x.strip() for x in steps.split(",") if x.strip()), created_by_id=actor.user_id)
        s.add(e)
        s.flush()
        audit.record(s, actor, "record", "production_exception", e.id,
                     LazyText("Exception {number} recorded: {kind}", number=e.exception_no,
                              kind=LazyText(EXCEPTION_KINDS[e.kind])),
                     None, {"kind": e.kind, "impact_days": impact, "description": description}, order_id=order_id)
        return _view(s, e)


def add_notification(db: Database, actor: Actor, exception_no: str, *, method: str, notified_by: str,
                     customer_response: str = "", notified_at: dt.datetime | None = None) -> ExceptionView:
    """The customer was told that the delivery may slip."""
    require(actor, "ledger.notify")
    problems = Problems()
    if not isinstance(method, str) or method not in NOTIFY_METHODS:
        problems.add("method", _("Choose how the customer was told."))
    by = text(problems, "notified_by", _("Told by"), notified_by, required=True, max_len=100)
    response = text(problems, "customer_response", _("Customer's response"), customer_response, max_len=LONG_TEXT)
    problems.raise_if_any()
    with unit_of_work(db) as s:
        e = _load(s, exception_no, lock=True)
        if e.order_id is None:
            raise GateError(_("Exception {number} is about a workshop, not an order; there is no customer to tell.",
                              number=e.exception_no))
        n = CustomerNotification(exception_id=e.id, notified_at=notified_at or clock.now(), method=method,
                                 notified_by=by, customer_response=response, recorded_by_id=actor.user_id)
        s.add(n)
        s.flush()
        audit.record(s, actor, "notify_customer", "production_exception", e.id,
                     LazyText("Customer told about exception {number} ({method})", number=e.exception_no,
                              method=LazyText(NOTIFY_METHODS[method])),
                     None, {"method": method, "by": by, "response": response}, order_id=e.order_id)
        s.refresh(e)
        return _view(s, e)


def move_delivery_date(db: Database, actor: Actor, exception_no: str, new_date: object) -> ExceptionView:
    """The exception moves its order's delivery date: refused until the customer's notification is recorded."""
    require(actor, "ledger.exceptions")
    problems = Problems()
    day = parse_date(problems, "new_delivery_date", _("New delivery date"), new_date, required=True)
    problems.raise_if_any()
    with unit_of_work(db) as s:
        e = _load(s, exception_no, lock=True)
        if e.order_id is None:
            raise GateError(_("Exception {number} is about a workshop, not an order; it moves no delivery date.",
                              number=e.exception_no))
        if not e.notifications:
            raise GateError(_("The delivery date of the order cannot move until the customer has been told: record "
                              "the customer notification of exception {number} first (when, how, by whom, the "
                              "customer's response).", number=e.exception_no))
        order = s.get(Order, e.order_id, with_for_update={"of": Order})
        old = order.delivery_date
        if day == old:
            raise ValidationError(_("The order is already due on {date}.", date=day.isoformat()),
                                  "new_delivery_date")
        order.delivery_date = day
        e.old_delivery_date, e.new_delivery_date = e.old_delivery_date or old, day
        audit.record(s, actor, "move_delivery", "order", order.id,
                     LazyText("Delivery date moved from {old} to {new} by exception {number}",
                              old=old.isoformat() if old else "—", new=day.isoformat(), number=e.exception_no),
                     {"delivery_date": old}, {"delivery_date": day}, order_id=order.id)
        return _view(s, e)


def close_exception(db: Database, actor: Actor, exception_no: str, remedy: str,
                    expected_version: int | None = None) -> ExceptionView:
    require(actor, "ledger.exceptions")
    problems = Problems()
    remedy = text(problems, "remedy", _("Remedy"), remedy, required=True, max_len=LONG_TEXT)
    problems.raise_if_any()
    with unit_of_work(db) as s:
        e = _load(s, exception_no, lock=True)
        if expected_version is not None and e.version != expected_version:
            raise ConcurrentEditError(_("Exception {number} was changed by someone else; open it again.",
                                        number=e.exception_no))
        if e.closed_at is not None:
            raise GateError(_("Exception {number} is already closed.", number=e.exception_no))
        e.remedy, e.closed_at, e.closed_by_id = remedy, clock.now(), actor.user_id
        audit.record(s, actor, "close", "production_exception", e.id,
                     LazyText("Exception {number} closed", number=e.exception_no), None, {"remedy": remedy},
                     order_id=e.order_id)
        s.flush()
        return _view(s, e)


def list_exceptions(db: Database, *, open_only: bool = False, order_id: int | None = None,
                    limit: int = 500) -> list[ExceptionView]:
    with read_session(db) as s:
        stmt = select(ProductionException).order_by(ProductionException.reported_at.desc()).limit(limit)
        if open_only:
            stmt = stmt.where(ProductionException.closed_at.is_(None))
        if order_id is not None:
            stmt = stmt.where(ProductionException.order_id == order_id)
        return [_view(s, e) for e in s.scalars(stmt)]


def get_exception(db: Database, exception_no: str) -> ExceptionView:
    with read_session(db) as s:
        return _view(s, _load(s, exception_no))


def affected_steps(db: Database, order_ids=None) -> dict[tuple[int, int], list[str]]:
    """{(order id, step seq): [exception numbers]} of open exceptions naming steps (the Gantt marks them)."""
    with read_session(db) as s:
        stmt = select(ProductionException.order_id, ProductionException.affected_steps,
                      ProductionException.exception_no).where(ProductionException.closed_at.is_(None),
                                                              ProductionException.order_id.is_not(None),
                                                              ProductionException.affected_steps != "")
        if order_ids is not None:
            stmt = stmt.where(ProductionException.order_id.in_(list(order_ids)))
        out: dict[tuple[int, int], list[str]] = {}
        for order_id, steps, number in s.execute(stmt):
            for x in steps.split(","):
                if x.strip().isdigit():
                    out.setdefault((order_id, int(x)), []).append(number)
        return out
