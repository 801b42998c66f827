"""Shipments (procedure 6.1): the goods final inspection released, whole or in parts, in sealed packages with
labels, a carrier and tracking number; certificates per piece or per lot; shipped, in-transit and delivered dates;
each update given to the customer. The order's stage follows: ready to ship → partly shipped → shipped → delivered.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ... import clock
from ...db import Database
from ...i18n import LazyText, _
from ...models.delivery import (SHIPMENT_STATUSES, SHIPPING_SERVICES, UPDATE_CHANNELS, Certificate, CustomerUpdate,
                                Package, Shipment, ShipmentLine)
from ...models.orders import Order, OrderLine
from .. import audit, gates, stages
from ..context import Actor, read_session, unit_of_work
from ..errors import GateError, NotFound
from ..permissions import require
from ..sequences import next_number
from ..validation import LONG_TEXT, Problems, decimal_value, grams_to_mg, parse_date, positive_int, text
from . import common  # noqa: F401  (registers permissions and number kinds)

SHIPPABLE_STAGES = ("ready_to_ship", "partly_shipped")
MAX_INSURED = Decimal("9999999999.99")


@dataclass
class PackageInput:
    contents: str
    gross_weight_g: str
    seal_no: str


@dataclass
class ShipmentInput:
    order_id: int
    quantities: dict[int, int | str]          # order line id -> pieces in this shipment
    packages: list[PackageInput]
    carrier: str
    service: str = "express"
    tracking_no: str = ""
    insured_value: str = "0"
    shipped_on: dt.date | str | None = None   # default today
    ship_to: str = ""                          # default the order's delivery place
    note: str = ""
    certificates: str = "lot"                  # "piece", "lot" or "" (issued later)


@dataclass(frozen=True)
class OpenLine:
    line_id: int
    line_no: int
    style_code: str
    description: str
    metal: str
    ordered: int
    shipped: int

    @property
    def open(self) -> int:
        return max(0, self.ordered - self.shipped)


@dataclass(frozen=True)
class ShipmentLineView:
    line_id: int
    line_no: int
    style_code: str
    description: str
    metal: str
    quantity: int


@dataclass(frozen=True)
class PackageView:
    package_no: int
    contents: str
    gross_weight_mg: int
    seal_no: str
    label: str


@dataclass(frozen=True)
class CertificateView:
    id: int
    certificate_no: str
    kind: str
    line_no: int
    quantity: int
    style_code: str
    description: str
    metal: str
    fineness_permille: int | None
    net_metal_weight_mg: int | None
    stones: str
    total_carat: Decimal
    fqc_no: str
    fqc_at: dt.datetime | None
    issued_at: dt.datetime


@dataclass(frozen=True)
class UpdateView:
    told_at: dt.datetime
    channel: str
    status: str
    note: str
    by: str


@dataclass(frozen=True)
class ShipmentView:
    id: int
    shipment_no: str
    order_id: int
    order_no: str
    customer_name: str
    status: str
    carrier: str
    service: str
    tracking_no: str
    insured_value: Decimal
    currency: str
    ship_to: str
    note: str
    shipped_on: dt.date
    in_transit_on: dt.date | None
    delivered_on: dt.date | None
    received_by: str
    lines: tuple[ShipmentLineView, ...]
    packages: tuple[PackageView, ...]
    certificates: tuple[CertificateView, ...]
    updates: tuple[UpdateView, ...]
    version: int

    @property
    def quantity(self) -> int:
        return sum(line.quantity for line in self.lines)


def fineness_of(metal: str) -> int | None:
    m = re.search(r"(\d{3,4})$", metal or "")
    if not m:
        return None
    value = int(m.group(1))
    return value if 1 <= value <= 1000 else None


def _load_order(s: Session, order_id: int, lock: bool = False) -> Order:
    stmt = select(Order).where(Order.id == order_id)
    if lock:
        stmt = stmt.with_for_update(of=Order)
    order = s.execute(stmt).unique().scalar_one_or_none()
    if order is None:
        raise NotFound(_("Order {id} does not exist.", id=order_id))
    return order


def _load(s: Session, shipment_id: int, lock: bool = False) -> Shipment:
    stmt = select(Shipment).where(Shipment.id == shipment_id)
    if lock:
        stmt = stmt.with_for_update(of=Shipment)
    sh = s.execute(stmt).unique().scalar_one_or_none()
    if sh is None:
        raise NotFound(_("Shipment {id} does not exist.", id=shipment_id))
    return sh


def _shipped_by_line(s: Session, order_id: int) -> dict[int, int]:
    rows = s.execute(select(ShipmentLine.order_line_id, func.sum(ShipmentLine.quantity))
                     .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
                     .where(Shipment.order_id == order_id).group_by(ShipmentLine.order_line_id))
    return {line_id: int(q or 0) for line_id, q in rows}


def _open_lines(s: Session, order: Order) -> list[OpenLine]:
    shipped = _shipped_by_line(s, order.id)
    return [OpenLine(line.id, line.line_no, line.style_code, line.description, line.metal, line.quantity,
                     shipped.get(line.id, 0)) for line in order.lines]


def open_lines(db: Database, order_id: int) -> list[OpenLine]:
    """Each line of the order with what was ordered, what has shipped and what is still open."""
    with read_session(db) as s:
        return _open_lines(s, _load_order(s, order_id))


def _view(s: Session, sh: Shipment) -> ShipmentView:
    from ...models.users import User

    certs = s.scalars(select(Certificate).where(Certificate.shipment_id == sh.id).order_by(Certificate.id)).all()
    line_nos = {line.order_line_id: line.order_line.line_no for line in sh.lines}
    names = dict(s.execute(select(User.id, User.display_name).where(
        User.id.in_({u.by_id for u in sh.updates if u.by_id}))).all()) if sh.updates else {}
    return ShipmentView(
        sh.id, sh.shipment_no, sh.order_id, sh.order.order_no, sh.order.customer.name, sh.status, sh.carrier,
        sh.service, sh.tracking_no, sh.insured_value, sh.currency, sh.ship_to, sh.note, sh.shipped_on,
        sh.in_transit_on, sh.delivered_on, sh.received_by,
        tuple(ShipmentLineView(line.order_line_id, line.order_line.line_no, line.order_line.style_code,
                               line.order_line.description, line.order_line.metal, line.quantity)
              for line in sorted(sh.lines, key=lambda x: x.order_line.line_no)),
        tuple(PackageView(p.package_no, p.contents, p.gross_weight_mg, p.seal_no, p.label) for p in sh.packages),
        tuple(CertificateView(c.id, c.certificate_no, c.kind, line_nos.get(c.order_line_id, 0), c.quantity,
                              c.style_code, c.description, c.metal, c.fineness_permille, c.net_metal_weight_mg,
                              c.stones, c.total_carat, c.fqc_no, c.fqc_at, c.created_at) for c in certs),
        tuple(UpdateView(u.told_at, u.channel, u.status, u.note, names.get(u.by_id, "")) for u in sh.updates),
        sh.version)


def get_shipment(db: Database, shipment_id: int) -> ShipmentView:
    with read_session(db) as s:
        return _view(s, _load(s, shipment_id))


def get_shipment_by_no(db: Database, shipment_no: str) -> ShipmentView:
    with read_session(db) as s:
        sh_id = s.scalar(select(Shipment.id).where(Shipment.shipment_no == shipment_no.strip()))
        if sh_id is None:
            raise NotFound(_("There is no shipment {no}.", no=shipment_no.strip()[:40]))
        return _view(s, _load(s, sh_id))


def shipments_of_order(db: Database, order_id: int) -> list[ShipmentView]:
    with read_session(db) as s:
        return [_view(s, sh) for sh in s.scalars(select(Shipment).where(Shipment.order_id == order_id)
                                                   .order_by(Shipment.id)).unique()]


@dataclass(frozen=True)
class ShipmentRow:
    id: int
    shipment_no: str
    order_no: str
    customer_name: str
    status: str
    carrier: str
    tracking_no: str
    quantity: int
    shipped_on: dt.date
    delivered_on: dt.date | None


def list_shipments(db: Database, *, search: str = "", status: str | None = None, limit: int = 500) -> list[ShipmentRow]:
    from ...models.customers import Customer

    qty = (select(ShipmentLine.shipment_id, func.sum(ShipmentLine.quantity).label("q"))
           .group_by(ShipmentLine.shipment_id).subquery())
    stmt = (select(Shipment.id, Shipment.shipment_no, Order.order_no, Customer.name, Shipment.status,
                   Shipment.carrier, Shipment.tracking_no, qty.c.q, Shipment.shipped_on, Shipment.delivered_on)
            .join(Order, Order.id == Shipment.order_id).join(Customer, Customer.id == Order.customer_id)
            .outerjoin(qty, qty.c.shipment_id == Shipment.id))
    if status:
        stmt = stmt.where(Shipment.status == status)
    if search.strip():
        like = f"%{search.strip()}%"
        stmt = stmt.where(Shipment.shipment_no.ilike(like) | Order.order_no.ilike(like)
                          | Shipment.tracking_no.ilike(like) | Customer.name.ilike(like))
    stmt = stmt.order_by(Shipment.id.desc()).limit(limit)
    with read_session(db) as s:
        return [ShipmentRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], int(r[7] or 0), r[8], r[9])
                for r in s.execute(stmt)]


@dataclass(frozen=True)
class OrderToShip:
    id: int
    order_no: str
    customer_name: str
    stage: str
    delivery_date: dt.date | None
    ordered: int
    shipped: int

    @property
    def open(self) -> int:
        return max(0, self.ordered - self.shipped)


def orders_to_ship(db: Database, *, search: str = "", limit: int = 500) -> list[OrderToShip]:
    """Orders ready to ship or partly shipped, with the quantity still open."""
    from ...models.customers import Customer

    shipped = (select(Shipment.order_id, func.sum(ShipmentLine.quantity).label("q"))
               .join(ShipmentLine, ShipmentLine.shipment_id == Shipment.id).group_by(Shipment.order_id).subquery())
    stmt = (select(Order.id, Order.order_no, Customer.name, Order.stage, Order.delivery_date, Order.total_quantity,
                   shipped.c.q).join(Customer, Customer.id == Order.customer_id)
            .outerjoin(shipped, shipped.c.order_id == Order.id).where(Order.stage.in_(SHIPPABLE_STAGES)))
    if search.strip():
        like = f"%{search.strip()}%"
        stmt = stmt.where(Order.order_no.ilike(like) | Customer.name.ilike(like))
    stmt = stmt.order_by(Order.delivery_date, Order.id).limit(limit)
    with read_session(db) as s:
        return [OrderToShip(r[0], r[1], r[2], r[3], r[4], int(r[5] or 0), int(r[6] or 0)) for r in s.execute(stmt)]


def _released(s: Session, order: Order, default):
    return gates.ask(s, "quality.released", default, order=order)


def create_shipment(db: Database, actor: Actor, data: ShipmentInput) -> ShipmentView:
    """Ship pieces of an order whose final inspection has passed; the whole quantity or a part of it."""
    require(actor, "delivery.ship")
    with unit_of_work(db) as s:
        order = _load_order(s, data.order_id, lock=True)
        if order.stage not in SHIPPABLE_STAGES:
            raise GateError(_("Order {order_no} is {stage}: only an order whose final inspection (FQC) has passed "
                              "and that is ready to ship or partly shipped can ship.", order_no=order.order_no,
                              stage=stages.stage_label(order.stage)))
        p = Problems()
        carrier = text(p, "carrier", _("Carrier"), data.carrier, required=True, max_len=120)
        if not isinstance(data.service, str) or data.service not in SHIPPING_SERVICES:
            p.add("service", _("Choose a shipping service from the list."))
        tracking = text(p, "tracking_no", _("Tracking no."), data.tracking_no, max_len=60)
        insured = decimal_value(p, "insured_value", _("Insured value"), data.insured_value or "0", places=2,
                                allow_zero=True, maximum=MAX_INSURED)
        shipped_on = parse_date(p, "shipped_on", _("Shipped on"), data.shipped_on or clock.today())
        if shipped_on is not None and shipped_on > clock.today():
            p.add("shipped_on", _("The shipping date {date} is in the future.", date=shipped_on.isoformat()))
        if shipped_on is not None and shipped_on < order.order_date:
            p.add("shipped_on", _("The shipping date {date} is before the order date {order_date}.",
                                  date=shipped_on.isoformat(), order_date=order.order_date.isoformat()))
        ship_to = text(p, "ship_to", _("Ship to"), data.ship_to or order.delivery_place, max_len=300)
        note = text(p, "note", _("Note"), data.note, max_len=LONG_TEXT)
        if data.certificates not in ("piece", "lot", ""):
            p.add("certificates", _("Certificates are issued per piece or per lot."))
        lines = {line.id: line for line in order.lines}
        opened = {o.line_id: o for o in _open_lines(s, order)}
        wanted: list[tuple[OrderLine, int]] = []
        for line_id, raw in data.quantities.items():
            if raw in (None, "", 0, "0"):
                continue
            line = lines.get(line_id)
            if line is None:
                p.add("quantities", _("Line {line} is not a line of order {order_no}.", line=line_id,
                                      order_no=order.order_no))
                continue
            qty = positive_int(p, f"quantity_{line.line_no}", _("Quantity of line {line}", line=line.line_no), raw)
            if qty is None:
                continue
            o = opened[line_id]
            if qty > o.open:
                p.add(f"quantity_{line.line_no}",
                      _("Line {line} ({style}): {qty} pieces is more than the {open} still to ship ({ordered} "
                        "ordered, {shipped} shipped).", line=line.line_no, style=line.style_code, qty=qty,
                        open=o.open, ordered=o.ordered, shipped=o.shipped))
                continue
            wanted.append((line, qty))
        total = sum(q for _line, q in wanted)
        if not wanted and not p:
            p.add("quantities", _("Enter how many pieces of at least one line this shipment carries."))
        if not data.packages:
            p.add("packages", _("A shipment needs at least one package."))
        packages = []
        for i, pk in enumerate(data.packages or [], start=1):
            contents = text(p, f"package_{i}_contents", _("Contents of package {n}", n=i), pk.contents,
                            required=True, max_len=2000)
            weight = grams_to_mg(p, f"package_{i}_weight", _("Gross weight of package {n} (g)", n=i),
                                 pk.gross_weight_g)
            seal = text(p, f"package_{i}_seal", _("Seal no. of package {n}", n=i), pk.seal_no, required=True,
                        max_len=60)
            packages.append((contents, weight, seal))
        p.raise_if_any()
        released = _released(s, order, None)
        if released is not None:
            passed = sum(int(r[1]) for r in released)
            already = sum(o.shipped for o in opened.values())
            if already + total > passed:
                raise GateError(_("Final inspection released {passed} pieces of order {order_no}; {already} have "
                                  "shipped, so {qty} more cannot ship.", passed=passed, order_no=order.order_no,
                                  already=already, qty=total))
        gates.check(s, gates.DELIVERY_SHIP, order=order, quantity=total)
        sh = Shipment(shipment_no=next_number(s, "shipment", clock.today().year), order_id=order.id,
                      status="shipped", carrier=carrier, service=data.service, tracking_no=tracking,
                      insured_value=insured, currency=order.currency, ship_to=ship_to, note=note,
                      shipped_on=shipped_on, created_by_id=actor.user_id)
        for line, qty in wanted:
            sh.lines.append(ShipmentLine(order_line_id=line.id, quantity=qty))
        n = len(packages)
        for i, (contents, weight, seal) in enumerate(packages, start=1):
            sh.packages.append(Package(package_no=i, contents=contents, gross_weight_mg=weight, seal_no=seal,
                                       label=f"{sh.shipment_no}-{i}/{n}"))
        s.add(sh)
        s.flush()
        complete = all(opened[line.id].open == q for line, q in wanted) and all(
            o.open == 0 for lid, o in opened.items() if lid not in {line.id for line, _q in wanted})
        new_stage = "shipped" if complete else "partly_shipped"
        stages.move(s, actor, order, new_stage, LazyText("shipment {no}", no=sh.shipment_no))
        audit.record(s, actor, "ship", "shipment", sh.id,
                     LazyText("Shipment {no} of order {order_no}: {qty} pieces in {packages} packages by {carrier}",
                              no=sh.shipment_no, order_no=order.order_no, qty=total, packages=n, carrier=carrier),
                     None, {"lines": {line.line_no: q for line, q in wanted}, "tracking_no": tracking,
                            "shipped_on": shipped_on.isoformat()}, order_id=order.id)
        if data.certificates:
            from .certificates import issue_in

            issue_in(s, actor, order, sh, data.certificates)
        s.flush()
        return _view(s, sh)


def _not_future(p: Problems, field: str, label: str, value) -> dt.date | None:
    d = parse_date(p, field, label, value or clock.today(), required=True)
    if d is not None and d > clock.today():
        p.add(field, _("{field}: {date} is in the future.", field=label, date=d.isoformat()))
    return d


def record_in_transit(db: Database, actor: Actor, shipment_id: int, on: dt.date | str | None = None) -> ShipmentView:
    require(actor, "delivery.track")
    with unit_of_work(db) as s:
        sh = _load(s, shipment_id, lock=True)
        p = Problems()
        day = _not_future(p, "in_transit_on", _("In transit since"), on)
        if day is not None and day < sh.shipped_on:
            p.add("in_transit_on", _("The goods cannot be in transit on {date}, before they shipped on {shipped}.",
                                     date=day.isoformat(), shipped=sh.shipped_on.isoformat()))
        if sh.status == "delivered":
            p.add("status", _("Shipment {no} has been delivered already.", no=sh.shipment_no))
        p.raise_if_any()
        sh.in_transit_on, sh.status = day, "in_transit"
        audit.record(s, actor, "in_transit", "shipment", sh.id,
                     LazyText("Shipment {no} in transit since {date}", no=sh.shipment_no, date=day.isoformat()),
                     None, {"in_transit_on": day.isoformat()}, order_id=sh.order_id)
        s.flush()
        return _view(s, sh)


def record_delivery(db: Database, actor: Actor, shipment_id: int, on: dt.date | str | None = None,
                    received_by: str = "") -> ShipmentView:
    """The customer received the shipment; when every shipment of a fully shipped order is delivered, the order
    is delivered (its delivery date is the last shipment's)."""
    require(actor, "delivery.track")
    with unit_of_work(db) as s:
        sh = _load(s, shipment_id, lock=True)
        p = Problems()
        day = _not_future(p, "delivered_on", _("Delivered on"), on)
        who = text(p, "received_by", _("Received by"), received_by, max_len=120)
        if day is not None and day < sh.shipped_on:
            p.add("delivered_on", _("The delivered date {date} is before the shipped date {shipped}.",
                                    date=day.isoformat(), shipped=sh.shipped_on.isoformat()))
        elif day is not None and sh.in_transit_on and day < sh.in_transit_on:
            p.add("delivered_on", _("The delivered date {date} is before the goods were in transit ({transit}).",
                                    date=day.isoformat(), transit=sh.in_transit_on.isoformat()))
        if sh.status == "delivered":
            p.add("status", _("Shipment {no} has been delivered already.", no=sh.shipment_no))
        p.raise_if_any()
        sh.delivered_on, sh.status, sh.received_by = day, "delivered", who
        audit.record(s, actor, "deliver", "shipment", sh.id,
                     LazyText("Shipment {no} delivered on {date}", no=sh.shipment_no, date=day.isoformat()),
                     None, {"delivered_on": day.isoformat(), "received_by": who}, order_id=sh.order_id)
        s.flush()
        order = _load_order(s, sh.order_id, lock=True)
        pending = s.scalar(select(func.count(Shipment.id)).where(Shipment.order_id == order.id,
                                                                 Shipment.status != "delivered"))
        if order.stage == "shipped" and not pending:
            stages.move(s, actor, order, "delivered", LazyText("every shipment delivered"))
        return _view(s, sh)


def record_customer_update(db: Database, actor: Actor, shipment_id: int, channel: str, note: str = "",
                           told_at: dt.datetime | None = None) -> ShipmentView:
    """A status update given to the customer: when and how (the shipment's state at that moment is kept)."""
    require(actor, "delivery.track")
    with unit_of_work(db) as s:
        sh = _load(s, shipment_id, lock=True)
        p = Problems()
        if not isinstance(channel, str) or channel not in UPDATE_CHANNELS:
            p.add("channel", _("Choose how the customer was told from the list."))
        said = text(p, "note", _("What the customer was told"), note, max_len=LONG_TEXT)
        when = told_at or clock.now()
        if when.tzinfo is None:
            p.add("told_at", _("The time the customer was told needs a time zone."))
        elif when > clock.now() + dt.timedelta(minutes=5):
            p.add("told_at", _("The customer cannot have been told in the future."))
        elif when.date() < sh.shipped_on - dt.timedelta(days=1):
            p.add("told_at", _("The update is dated before the shipment shipped."))
        p.raise_if_any()
        sh.updates.append(CustomerUpdate(told_at=when, channel=channel, status=sh.status, note=said,
                                         by_id=actor.user_id))
        audit.record(s, actor, "tell_customer", "shipment", sh.id,
                     LazyText("Customer told about shipment {no} ({status}) by {via}", no=sh.shipment_no,
                              status=LazyText(SHIPMENT_STATUSES[sh.status]), via=LazyText(UPDATE_CHANNELS[channel])),
                     None, {"channel": channel, "status": sh.status}, order_id=sh.order_id)
        s.flush()
        return _view(s, sh)


# ---- on-time delivery -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OnTime:
    delivered: int
    on_time: int

    @property
    def rate(self) -> Decimal | None:
        """On-time share as a fraction 0..1 (None when nothing was delivered in the period)."""
        if not self.delivered:
            return None
        return (Decimal(self.on_time) / Decimal(self.delivered)).quantize(Decimal("0.0001"))


def order_delivered_on(session: Session, order_id: int) -> dt.date | None:
    """The day a delivered order reached the customer: its last shipment's delivered date."""
    return session.scalar(select(func.max(Shipment.delivered_on)).where(Shipment.order_id == order_id))


def delivered_orders(session: Session, date_from: dt.date, date_to: dt.date):
    """(order id, order no., promised date, delivered date) of orders delivered within the period."""
    last = (select(Shipment.order_id, func.max(Shipment.delivered_on).label("delivered_on"))
            .group_by(Shipment.order_id).subquery())
    stmt = (select(Order.id, Order.order_no, Order.delivery_date, last.c.delivered_on)
            .join(last, last.c.order_id == Order.id)
            .where(Order.stage.in_(("delivered", "closed")), last.c.delivered_on >= date_from,
                   last.c.delivered_on <= date_to).order_by(last.c.delivered_on))
    return session.execute(stmt).all()


def on_time_rate(db: Database, date_from: dt.date, date_to: dt.date) -> OnTime:
    """Orders delivered in [date_from, date_to] and how many of them on or before the promised delivery date."""
    with read_session(db) as s:
        rows = delivered_orders(s, date_from, date_to)
    on_time = sum(1 for r in rows if r.delivery_date is None or r.delivered_on <= r.delivery_date)
    return OnTime(len(rows), on_time)


__all__ = ["PackageInput", "ShipmentInput", "ShipmentView", "create_shipment", "record_in_transit",
           "record_delivery", "record_customer_update", "on_time_rate", "open_lines", "orders_to_ship",
           "list_shipments", "get_shipment", "get_shipment_by_no", "shipments_of_order", "OnTime"]
