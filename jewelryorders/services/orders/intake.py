"""Order intake (part 1): create and edit drafts, attach files, submit for review; the order list's queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from ... import clock
from ...db import Database
from ...i18n import LazyText, _
from ...models.customers import Customer
from ...models.documents import Document
from ...models.orders import CHANNELS, METALS, STONE_TYPES, LineStone, Order, OrderLine
from ...models.users import User
from .. import audit, stages
from ..context import Actor, read_session, unit_of_work
from ..documents import guess_category, read_file_for_store, store_bytes
from ..errors import ConcurrentEditError, GateError, NotFound, ValidationError
from ..permissions import require
from ..sequences import next_number
from ..validation import (LONG_TEXT, MAX_LINE_AMOUNT, MAX_LINE_QUANTITY, MAX_ORDER_AMOUNT, MAX_ORDER_QUANTITY,
                          MAX_UNIT_PRICE, Problems, currency, decimal_value, grams_to_mg, parse_date, positive_int,
                          text)

MAX_LINES = 500
MAX_STONES_PER_LINE = 20


@dataclass
class StoneInput:
    stone_type: str
    count: int | str
    carat: Decimal | str  # total carats of this stone line, 3 decimals


@dataclass
class LineInput:
    style_code: str
    metal: str
    quantity: int | str
    description: str = ""
    size: str = ""
    target_weight_g: Decimal | str | None = None  # grams, at most 3 decimals
    unit_price: Decimal | str | None = None
    stones: list[StoneInput] = field(default_factory=list)


@dataclass
class OrderInput:
    customer_id: int | None
    channel: str
    order_date: dt.date | str | None
    delivery_date: dt.date | str | None = None
    delivery_place: str = ""
    special_requirements: str = ""
    currency: str = ""
    priority: int = 3
    lines: list[LineInput] = field(default_factory=list)
    order_no: str | None = None  # only for importing an existing number; normally generated


@dataclass(frozen=True)
class StoneView:
    stone_type: str
    count: int
    carat: Decimal


@dataclass(frozen=True)
class LineView:
    line_no: int
    style_code: str
    description: str
    metal: str
    size: str
    quantity: int
    target_weight_mg: int | None
    unit_price: Decimal
    stones: tuple[StoneView, ...]

    @property
    def amount(self) -> Decimal:
        return (self.unit_price or Decimal(0)) * self.quantity


@dataclass(frozen=True)
class OrderView:
    id: int
    order_no: str
    customer_id: int
    customer_code: str
    customer_name: str
    channel: str
    order_date: dt.date
    delivery_date: dt.date | None
    delivery_place: str
    special_requirements: str
    currency: str
    stage: str
    priority: int
    owner: str
    total_quantity: int
    total_amount: Decimal
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    version: int
    lines: tuple[LineView, ...]

    @property
    def editable(self) -> bool:
        return self.stage in stages.EDITABLE_STAGES


# ---- validation -----------------------------------------------------------------------------------------------

def _clean(session: Session, data: OrderInput) -> tuple[dict, list[dict], Problems]:
    """Check every field a draft may hold; returns clean values and the problems (all at once)."""
    p = Problems()
    header: dict = {}
    customer = session.get(Customer, data.customer_id) if data.customer_id else None
    if data.customer_id is None:
        p.add("customer", _("{field} is required.", field=_("Customer")))
    elif customer is None:
        p.add("customer", _("Customer {id} does not exist; choose a customer from the list.", id=data.customer_id))
    elif not customer.active:
        p.add("customer", _("Customer {name} is inactive; reactivate it or choose another.", name=customer.name))
    header["customer_id"] = data.customer_id
    if data.channel not in CHANNELS:
        p.add("channel", _("Choose how the order came in (channel)."))
    header["channel"] = data.channel
    header["order_date"] = parse_date(p, "order_date", _("Order date"), data.order_date, required=True)
    header["delivery_date"] = parse_date(p, "delivery_date", _("Delivery date"), data.delivery_date)
    if header["order_date"] and header["delivery_date"] and header["delivery_date"] < header["order_date"]:
        p.add("delivery_date", _("The delivery date {delivery} is before the order date {order}.",
                                 delivery=header["delivery_date"].isoformat(), order=header["order_date"].isoformat()))
    header["delivery_place"] = text(p, "delivery_place", _("Delivery place"), data.delivery_place, max_len=300)
    header["special_requirements"] = text(p, "special_requirements", _("Special requirements"),
                                          data.special_requirements, max_len=LONG_TEXT)
    header["currency"] = currency(p, "currency", _("Currency"), data.currency or (customer.currency if customer
                                                                                 else "CNY"))
    try:
        priority = int(data.priority)
    except (TypeError, ValueError):
        priority = 0
    if not 1 <= priority <= 5:
        p.add("priority", _("Priority must be between 1 (low) and 5 (urgent)."))
    header["priority"] = priority
    if len(data.lines) > MAX_LINES:
        p.add("lines", _("An order can have at most {n} lines.", n=MAX_LINES))
    lines: list[dict] = []
    for i, line in enumerate(data.lines[:MAX_LINES], start=1):
        f = f"lines[{i}]"
        label = _("Line {n}", n=i)
        row = {
            "line_no": i,
            "style_code": text(p, f + ".style_code", _("{line}: style", line=label), line.style_code, required=True,
                               max_len=40),
            "description": text(p, f + ".description", _("{line}: description", line=label), line.description,
                                max_len=500),
            "size": text(p, f + ".size", _("{line}: size", line=label), line.size, max_len=40),
            "quantity": positive_int(p, f + ".quantity", _("{line}: quantity", line=label), line.quantity,
                                     maximum=MAX_LINE_QUANTITY),
            "target_weight_mg": grams_to_mg(p, f + ".target_weight", _("{line}: target weight (g)", line=label),
                                            line.target_weight_g, required=False),
            "unit_price": decimal_value(p, f + ".unit_price", _("{line}: unit price", line=label), line.unit_price,
                                        places=2, required=False, allow_zero=True, maximum=MAX_UNIT_PRICE),
        }
        if row["quantity"] and row["unit_price"] and row["quantity"] * row["unit_price"] > MAX_LINE_AMOUNT:
            p.add(f + ".amount", _("{line}: the amount {amount} (quantity × unit price) is above the most one line may "
                                   "hold, {max}; split the line or check the figures.", line=label,
                                   amount=f"{row['quantity'] * row['unit_price']:,.2f}", max=f"{MAX_LINE_AMOUNT:,.2f}"))
        if line.metal not in METALS:
            p.add(f + ".metal", _("{line}: choose the metal and fineness (e.g. Au750, Pt950, Ag925).", line=label))
        row["metal"] = line.metal
        stones = []
        if len(line.stones) > MAX_STONES_PER_LINE:
            p.add(f + ".stones", _("{line}: at most {n} kinds of stone per line.", line=label, n=MAX_STONES_PER_LINE))
        for j, st in enumerate(line.stones[:MAX_STONES_PER_LINE], start=1):
            sf = f"{f}.stones[{j}]"
            if st.stone_type not in STONE_TYPES:
                p.add(sf + ".type", _("{line}, stone {n}: choose the stone type.", line=label, n=j))
            count = positive_int(p, sf + ".count", _("{line}, stone {n}: count", line=label, n=j), st.count,
                                 maximum=100_000)
            carat = decimal_value(p, sf + ".carat", _("{line}, stone {n}: carats", line=label, n=j), st.carat,
                                  places=3, maximum=Decimal("100000"))
            stones.append({"stone_type": st.stone_type, "stone_count": count, "carat": carat})
        row["stones"] = stones
        lines.append(row)
    total_quantity = sum(r["quantity"] or 0 for r in lines)
    total_amount = sum(((r["unit_price"] or Decimal(0)) * (r["quantity"] or 0) for r in lines), Decimal(0))
    if total_quantity > MAX_ORDER_QUANTITY:
        p.add("total_quantity", _("The order's total quantity {quantity:,} is above the most one order may hold, "
                                  "{max:,}; split the order.", quantity=total_quantity, max=MAX_ORDER_QUANTITY))
    if total_amount > MAX_ORDER_AMOUNT:
        p.add("total_amount", _("The order's total amount {amount} is above the most one order may hold, {max}; "
                                "split the order or check the figures.", amount=f"{total_amount:,.2f}",
                                max=f"{MAX_ORDER_AMOUNT:,.2f}"))
    if data.order_no is not None:
        header["order_no"] = text(p, "order_no", _("Order no."), data.order_no, required=True, max_len=20)
    return header, lines, p


def missing_for_submission(view: OrderView | Order) -> list[str]:
    """The fields the procedure names that this order still lacks, as the clerk should read them."""
    missing: list[str] = []
    if not view.delivery_date:
        missing.append(_("delivery date"))
    if not view.delivery_place:
        missing.append(_("delivery place"))
    if not view.lines:
        missing.append(_("at least one order line"))
    for line in view.lines:
        label = _("Line {n}", n=line.line_no)
        if not line.description:
            missing.append(_("{line}: description", line=label))
        if line.target_weight_mg is None:
            missing.append(_("{line}: target weight (g)", line=label))
        if not line.unit_price:
            missing.append(_("{line}: unit price", line=label))
    return missing


# ---- writes ---------------------------------------------------------------------------------------------------

def _apply(session: Session, order: Order, header: dict, lines: list[dict]) -> None:
    for key, value in header.items():
        setattr(order, key, value)
    if order.lines:
        order.lines.clear()
        # Delete the old lines before inserting the new ones, or their (order, line no.) would collide.
        session.flush()
    for row in lines:
        line = OrderLine(**{k: v for k, v in row.items() if k != "stones"})
        if line.unit_price is None:
            line.unit_price = Decimal("0")  # a draft may not be priced yet; submission insists on a price
        line.stones = [LineStone(**stone) for stone in row["stones"]]
        order.lines.append(line)
    order.total_quantity = sum(r["quantity"] or 0 for r in lines)
    order.total_amount = sum(((r["unit_price"] or Decimal(0)) * (r["quantity"] or 0) for r in lines), Decimal(0))
    codes = []
    for r in lines:
        if r["style_code"] not in codes:
            codes.append(r["style_code"])
    summary = ", ".join(codes)
    order.style_summary = summary if len(summary) <= 200 else summary[:197] + "..."


def _order_snapshot(order: Order) -> dict:
    snap = audit.snapshot(order, exclude=("created_at", "updated_at", "style_summary", "submitted_at"))
    snap["lines"] = [
        {**audit.snapshot(l, exclude=("id", "order_id")),
         "stones": [audit.snapshot(s, exclude=("id", "line_id")) for s in l.stones]}
        for l in order.lines
    ]
    return snap


def create_order(db: Database, actor: Actor, data: OrderInput, attachments: Sequence[str | Path] = ()) -> OrderView:
    """Save a new draft with a generated order number (or an imported one, checked for uniqueness)."""
    require(actor, "orders.edit")
    files = [read_file_for_store(a) for a in attachments]
    with unit_of_work(db) as s:
        order = create_order_in(s, actor, data)
        for name, content in files:
            store_bytes(s, actor, file_name=name, content=content, category=guess_category(name), order_id=order.id)
        return _view(order)


def create_order_in(s: Session, actor: Actor, data: OrderInput) -> Order:
    """The rule of creating an order inside a caller's transaction (bulk import and demo data use it directly)."""
    require(actor, "orders.edit")
    header, lines, problems = _clean(s, data)
    problems.raise_if_any()
    order_no = header.pop("order_no", None)
    if order_no:
        if s.scalar(select(Order.id).where(Order.order_no == order_no)):
            raise ValidationError(_("Order number {order_no} already exists; numbers are never reused.",
                                    order_no=order_no), "order_no")
    else:
        order_no = next_number(s, "order", header["order_date"].year)
    order = Order(order_no=order_no, stage="draft", owner_id=actor.user_id)
    _apply(s, order, header, lines)
    s.add(order)
    s.flush()
    audit.record(s, actor, "create", "order", order.id, LazyText("Order {order_no} created", order_no=order.order_no),
                 None, _order_snapshot(order), order_id=order.id)
    return order


def update_order(db: Database, actor: Actor, order_id: int, expected_version: int, data: OrderInput) -> OrderView:
    require(actor, "orders.edit")
    with unit_of_work(db) as s:
        order = _load(s, order_id)
        if order.version != expected_version:
            raise ConcurrentEditError(_("Order {order_no} was changed by someone else since you opened it. Reopen it "
                                        "to see their changes, then make yours again.", order_no=order.order_no))
        if order.stage not in stages.EDITABLE_STAGES:
            raise GateError(_("Order {order_no} is {stage}; it can no longer be edited.", order_no=order.order_no,
                              stage=stages.stage_label(order.stage)))
        header, lines, problems = _clean(s, data)
        header.pop("order_no", None)
        problems.raise_if_any()
        before = _order_snapshot(order)
        _apply(s, order, header, lines)
        s.flush()
        b, a = audit.diff(before, _order_snapshot(order))
        if a:
            audit.record(s, actor, "update", "order", order.id, LazyText("Order {order_no} changed", order_no=order.order_no),
                         b, a, order_id=order.id)
        return _view(order)


def submit_for_review(db: Database, actor: Actor, order_id: int, expected_version: int | None = None) -> OrderView:
    """Leave intake: refused with the list of missing fields while any field the procedure names is empty."""
    with unit_of_work(db) as s:
        order = _load(s, order_id)
        submit_in(s, actor, order, expected_version)
        return _view(order)


def submit_in(s: Session, actor: Actor, order: Order, expected_version: int | None = None) -> None:
    require(actor, "orders.submit")
    if expected_version is not None and order.version != expected_version:
        raise ConcurrentEditError(_("Order {order_no} was changed by someone else since you opened it. Reopen it "
                                    "and check it before submitting.", order_no=order.order_no))
    if order.stage != "draft":
        raise GateError(_("Order {order_no} is {stage}, not a draft; it has been submitted already.",
                          order_no=order.order_no, stage=stages.stage_label(order.stage)))
    missing = missing_for_submission(order)
    if missing:
        raise ValidationError(_("Order {order_no} cannot be submitted for review; missing: {fields}.",
                                order_no=order.order_no, fields="; ".join(missing)), "submit")
    order.submitted_at = clock.now()
    stages.move(s, actor, order, "preliminary_review", LazyText("submitted for review"))


def cancel_order(db: Database, actor: Actor, order_id: int, reason: str) -> OrderView:
    require(actor, "orders.cancel")
    p = Problems()
    reason = text(p, "reason", _("Reason"), reason, required=True, max_len=1000)
    p.raise_if_any()
    with unit_of_work(db) as s:
        order = _load(s, order_id)
        stages.move(s, actor, order, "cancelled", reason)
        s.flush()
        return _view(order)


def add_attachments(db: Database, actor: Actor, order_id: int, paths: Sequence[str | Path],
                    category: str | None = None) -> None:
    require(actor, "orders.edit")
    files = [read_file_for_store(a) for a in paths]
    with unit_of_work(db) as s:
        order = _load(s, order_id)
        for name, content in files:
            store_bytes(s, actor, file_name=name, content=content, category=category or guess_category(name),
                        order_id=order.id)


def remove_attachment(db: Database, actor: Actor, document_id: int) -> None:
    """Attachments are hidden, never deleted: the file stays in the store for the archive."""
    require(actor, "orders.edit")
    with unit_of_work(db) as s:
        doc = s.get(Document, document_id)
        if doc is None:
            raise NotFound(_("Document {id} does not exist.", id=document_id))
        doc.removed = True
        audit.record(s, actor, "remove_document", "document", doc.id, LazyText("Attachment {file} removed",
                                                                          file=doc.file_name),
                     {"removed": False}, {"removed": True}, order_id=doc.order_id)


# ---- reads ----------------------------------------------------------------------------------------------------

def _load(s: Session, order_id: int) -> Order:
    order = s.get(Order, order_id, options=[selectinload(Order.lines).selectinload(OrderLine.stones)])
    if order is None:
        raise NotFound(_("Order {id} does not exist.", id=order_id))
    return order


def _view(o: Order) -> OrderView:
    return OrderView(
        id=o.id, order_no=o.order_no, customer_id=o.customer_id, customer_code=o.customer.code if o.customer else "",
        customer_name=o.customer.name if o.customer else "", channel=o.channel, order_date=o.order_date,
        delivery_date=o.delivery_date, delivery_place=o.delivery_place, special_requirements=o.special_requirements,
        currency=o.currency, stage=o.stage, priority=o.priority,
        owner=(o.owner.display_name if o.owner else ""), total_quantity=o.total_quantity,
        total_amount=Decimal(o.total_amount), created_at=o.created_at, submitted_at=o.submitted_at,
        version=o.version,
        lines=tuple(LineView(l.line_no, l.style_code, l.description, l.metal, l.size, l.quantity, l.target_weight_mg,
                             Decimal(l.unit_price),
                             tuple(StoneView(st.stone_type, st.stone_count, Decimal(st.carat)) for st in l.stones))
                    for l in o.lines))


def get_order(db: Database, order_id: int) -> OrderView:
    with read_session(db) as s:
        return _view(_load(s, order_id))


def get_order_by_no(db: Database, order_no: str) -> OrderView:
    with read_session(db) as s:
        oid = s.scalar(select(Order.id).where(Order.order_no == order_no.strip()))
        if oid is None:
            raise NotFound(_("Order {order_no} does not exist.", order_no=order_no))
        return _view(_load(s, oid))


@dataclass
class OrderFilter:
    """What the order list shows: text search plus filters; all applied in SQL so 100,000 orders stay fast."""

    search: str = ""
    stages: Sequence[str] = ()
    channels: Sequence[str] = ()
    customer_id: int | None = None
    date_field: str = "order_date"  # or "delivery_date"
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: str = "order_no"
    descending: bool = True


@dataclass(frozen=True)
class OrderRow:
    id: int
    order_no: str
    customer_name: str
    style_summary: str
    total_quantity: int
    order_date: dt.date
    delivery_date: dt.date | None
    stage: str
    owner: str
    channel: str
    total_amount: Decimal
    currency: str
    priority: int


SORT_COLUMNS = {
    "order_no": Order.order_no,
    "customer": Customer.name,
    "style": Order.style_summary,
    "quantity": Order.total_quantity,
    "order_date": Order.order_date,
    "delivery_date": Order.delivery_date,
    "stage": Order.stage,
    "owner": User.display_name,
    "channel": Order.channel,
    "amount": Order.total_amount,
    "priority": Order.priority,
}


def _where(stmt, f: OrderFilter):
    q = (f.search or "").strip()
    if q:
        like = f"%{q}%"
        # Order numbers are searched by prefix too, so "JO-2026-001" uses the unique index.
        stmt = stmt.where(or_(Order.order_no.ilike(like), Customer.name.ilike(like), Customer.name_en.ilike(like),
                              Customer.code.ilike(like), Order.style_summary.ilike(like)))
    if f.stages:
        stmt = stmt.where(Order.stage.in_(list(f.stages)))
    if f.channels:
        stmt = stmt.where(Order.channel.in_(list(f.channels)))
    if f.customer_id:
        stmt = stmt.where(Order.customer_id == f.customer_id)
    column = Order.delivery_date if f.date_field == "delivery_date" else Order.order_date
    if f.date_from:
        stmt = stmt.where(column >= f.date_from)
    if f.date_to:
        stmt = stmt.where(column <= f.date_to)
    return stmt


def query_orders(db: Database, f: OrderFilter, offset: int = 0, limit: int = 200) -> list[OrderRow]:
    """One page of the order list, filtered and sorted in SQL."""
    sort_col = SORT_COLUMNS.get(f.sort, Order.order_no)
    order_by = [sort_col.desc() if f.descending else sort_col.asc(), Order.id.desc() if f.descending else Order.id]
    stmt = (select(Order.id, Order.order_no, Customer.name, Order.style_summary, Order.total_quantity,
                   Order.order_date, Order.delivery_date, Order.stage, User.display_name, Order.channel,
                   Order.total_amount, Order.currency, Order.priority)
            .join(Customer, Customer.id == Order.customer_id)
            .outerjoin(User, User.id == Order.owner_id))
    stmt = _where(stmt, f).order_by(*order_by).offset(offset).limit(limit)
    with read_session(db) as s:
        return [OrderRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8] or "", r[9], Decimal(r[10]), r[11],
                         r[12]) for r in s.execute(stmt)]


def count_orders(db: Database, f: OrderFilter) -> int:
    stmt = select(func.count(Order.id)).select_from(Order).join(Customer, Customer.id == Order.customer_id)
    with read_session(db) as s:
        return s.scalar(_where(stmt, f))


def open_order_value(session: Session, customer_id: int, exclude_order_id: int | None = None) -> Decimal:
    """The value of a customer's orders that are neither finished nor abandoned, for the credit check."""
    stmt = select(func.coalesce(func.sum(Order.total_amount), 0)).where(
        Order.customer_id == customer_id, Order.stage.notin_(["draft", "closed", "abandoned", "cancelled", "delivered"]))
    if exclude_order_id:
        stmt = stmt.where(Order.id != exclude_order_id)
    return Decimal(session.scalar(stmt))
