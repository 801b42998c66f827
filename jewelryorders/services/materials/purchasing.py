"""Purchase orders: to an approved supplier, by hand or from an order's shortage; draft, sent, received, cancelled."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ... import clock
from ...db import Database
from ...i18n import LazyText, _
from ...models.materials import PO_STATUSES, Material, PurchaseOrder, PurchaseOrderLine, Supplier, SupplierMaterial
from ...models.orders import Order
from .. import audit
from ..context import Actor, read_session, unit_of_work
from ..errors import ConcurrentEditError, GateError, NotFound
from ..permissions import require
from ..sequences import next_number
from ..validation import LONG_TEXT, Problems, decimal_value, parse_date, text
from .common import pieces, qty_text, quantity

CURRENCIES = ("HKD", "CNY", "USD", "EUR", "JPY", "TWD", "SGD", "GBP", "CHF", "AUD", "MOP", "THB", "AED")


@dataclass
class PurchaseLineInput:
    material_id: int
    qty: str
    unit_price: str = "0"
    pieces: int | str = 0


@dataclass
class PurchaseOrderInput:
    supplier_id: int
    due_date: dt.date | str | None
    lines: list[PurchaseLineInput]
    currency: str = "HKD"
    note: str = ""
    order_id: int | None = None


@dataclass(frozen=True)
class PurchaseLineView:
    id: int
    line_no: int
    material_id: int
    material_code: str
    material_name: str
    unit: str
    qty: int
    pieces: int
    unit_price: Decimal
    received_qty: int

    @property
    def open_qty(self) -> int:
        return max(0, self.qty - self.received_qty)

    @property
    def amount(self) -> Decimal:
        return (self.unit_price * Decimal(self.qty) / 1000).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class PurchaseOrderView:
    id: int
    po_no: str
    supplier_id: int
    supplier_code: str
    supplier_name: str
    supplier_contact: str
    supplier_address: str
    order_id: int | None
    order_no: str
    status: str
    currency: str
    due_date: dt.date
    note: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
    lines: tuple[PurchaseLineView, ...]
    version: int

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))


def _view(s: Session, po: PurchaseOrder) -> PurchaseOrderView:
    order_no = s.scalar(select(Order.order_no).where(Order.id == po.order_id)) if po.order_id else ""
    sup = po.supplier
    return PurchaseOrderView(
        po.id, po.po_no, sup.id, sup.code, sup.name, sup.contact_person, sup.address, po.order_id, order_no or "",
        po.status, po.currency, po.due_date, po.note, po.created_at, po.sent_at,
        tuple(PurchaseLineView(line.id, line.line_no, line.material_id, line.material.code, line.material.name,
                               line.material.unit, line.qty, line.pieces, line.unit_price, line.received_qty)
              for line in po.lines), po.version)


def _load(s: Session, po_id: int, lock: bool = False) -> PurchaseOrder:
    stmt = select(PurchaseOrder).where(PurchaseOrder.id == po_id)
    if lock:
        stmt = stmt.with_for_update()
    po = s.execute(stmt).scalar_one_or_none()
    if po is None:
        raise NotFound(_("Purchase order {id} does not exist.", id=po_id))
    return po


def create_purchase_order(db: Database, actor: Actor, data: PurchaseOrderInput) -> PurchaseOrderView:
    """A draft purchase order; each material must be one the supplier is approved for."""
    require(actor, "purchasing.orders")
    with unit_of_work(db) as s:
        return _view(s, create_in(s, actor, data))


def create_in(s: Session, actor: Actor, data: PurchaseOrderInput) -> PurchaseOrder:
    p = Problems()
    due = parse_date(p, "due_date", _("Due date"), data.due_date, required=True)
    if due is not None and due < clock.today():
        p.add("due_date", _("The due date {date} is in the past.", date=due.isoformat()))
    note = text(p, "note", _("Note"), data.note, max_len=LONG_TEXT)
    if data.currency not in CURRENCIES:
        p.add("currency", _("Choose a currency from the list ({currencies}).", currencies=", ".join(CURRENCIES)))
    supplier = s.get(Supplier, data.supplier_id)
    if supplier is None or not supplier.active:
        p.add("supplier", _("Choose an active supplier."))
    if not data.lines:
        p.add("lines", _("A purchase order needs at least one line."))
    approved = set(s.scalars(select(SupplierMaterial.material_id).where(
        SupplierMaterial.supplier_id == data.supplier_id)))
    materials = {m.id: m for m in s.scalars(select(Material).where(
        Material.id.in_([line.material_id for line in data.lines])))} if data.lines else {}
    lines = []
    for i, line in enumerate(data.lines, start=1):
        m = materials.get(line.material_id)
        if m is None:
            p.add(f"lines[{i}].material", _("Line {n}: choose a material.", n=i))
            continue
        if supplier is not None and m.id not in approved:
            p.add(f"lines[{i}].material", _("Line {n}: {supplier} is not approved to supply {material}. Approve the "
                                            "supplier for it first, or choose another supplier.", n=i,
                                            supplier=supplier.name, material=f"{m.code} {m.name}"))
        qty = quantity(p, f"lines[{i}].qty", _("Line {n}: quantity", n=i), line.qty, m.unit)
        price = decimal_value(p, f"lines[{i}].price", _("Line {n}: unit price", n=i), line.unit_price, places=4,
                              allow_zero=True, maximum=Decimal("100000000"))
        count = pieces(p, f"lines[{i}].pieces", _("Line {n}: pieces", n=i), line.pieces)
        if qty is not None and price is not None:
            lines.append(PurchaseOrderLine(line_no=i, material_id=m.id, qty=qty, pieces=count, unit_price=price))
    if data.order_id is not None and s.get(Order, data.order_id) is None:
        p.add("order_id", _("Order {id} does not exist.", id=data.order_id))
    p.raise_if_any()
    po = PurchaseOrder(po_no=next_number(s, "purchase_order", clock.today().year), supplier_id=supplier.id,
                       order_id=data.order_id, status="draft", currency=data.currency, due_date=due, note=note,
                       created_by_id=actor.user_id, lines=lines)
    s.add(po)
    s.flush()
    audit.record(s, actor, "create", "purchase_order", po.id,
                 LazyText("Purchase order {po_no} to {supplier} written ({n} lines)", po_no=po.po_no,
                          supplier=supplier.name, n=len(lines)),
                 None, {**audit.snapshot(po), "lines": [audit.snapshot(line) for line in lines]},
                 order_id=data.order_id)
    return po


def send_purchase_order(db: Database, actor: Actor, po_id: int, expected_version: int | None = None
                        ) -> PurchaseOrderView:
    require(actor, "purchasing.orders")
    with unit_of_work(db) as s:
        po = _load(s, po_id, lock=True)
        if expected_version is not None and po.version != expected_version:
            raise ConcurrentEditError(_("Someone else changed purchase order {po_no}. Look at it again.",
                                        po_no=po.po_no))
        if po.status != "draft":
            raise GateError(_("Purchase order {po_no} is {status}; only a draft is sent.", po_no=po.po_no,
                              status=_(PO_STATUSES[po.status])))
        po.status, po.sent_at = "sent", clock.now()
        s.flush()
        audit.record(s, actor, "send", "purchase_order", po.id, LazyText("Purchase order {po_no} sent", po_no=po.po_no),
                     {"status": "draft"}, {"status": "sent"}, order_id=po.order_id)
        return _view(s, po)


def cancel_purchase_order(db: Database, actor: Actor, po_id: int, reason: str) -> PurchaseOrderView:
    require(actor, "purchasing.orders")
    p = Problems()
    reason = text(p, "reason", _("Reason"), reason, required=True, max_len=LONG_TEXT)
    p.raise_if_any()
    with unit_of_work(db) as s:
        po = _load(s, po_id, lock=True)
        if po.status not in ("draft", "sent"):
            raise GateError(_("Purchase order {po_no} is {status}; goods were received against it, so it cannot be "
                              "cancelled.", po_no=po.po_no, status=_(PO_STATUSES[po.status])))
        old = po.status
        po.status = "cancelled"
        s.flush()
        audit.record(s, actor, "cancel", "purchase_order", po.id,
                     LazyText("Purchase order {po_no} cancelled: {reason}", po_no=po.po_no, reason=reason),
                     {"status": old}, {"status": "cancelled"}, order_id=po.order_id)
        return _view(s, po)


def get_purchase_order(db: Database, po_id: int) -> PurchaseOrderView:
    with read_session(db) as s:
        return _view(s, _load(s, po_id))


def get_purchase_order_by_no(db: Database, po_no: str) -> PurchaseOrderView:
    with read_session(db) as s:
        po = s.scalar(select(PurchaseOrder).where(PurchaseOrder.po_no == po_no.strip()))
        if po is None:
            raise NotFound(_("There is no purchase order {po_no}.", po_no=po_no))
        return _view(s, po)


def list_purchase_orders(db: Database, *, status: str | None = None, offset: int = 0, limit: int = 200
                         ) -> list[PurchaseOrderView]:
    stmt = (select(PurchaseOrder).options(selectinload(PurchaseOrder.lines).selectinload(PurchaseOrderLine.material),
                                          selectinload(PurchaseOrder.supplier))
            .order_by(PurchaseOrder.id.desc()).offset(offset).limit(limit))
    if status:
        stmt = stmt.where(PurchaseOrder.status == status)
    with read_session(db) as s:
        return [_view(s, po) for po in s.scalars(stmt)]


def purchase_orders_for_shortage(db: Database, actor: Actor, order_id: int, due_date: dt.date | None = None
                                 ) -> list[PurchaseOrderView]:
    """Draft purchase orders for an order's shortage: each short material to the approved supplier with the
    shortest lead time, one purchase order per supplier."""
    from .requirements import order_requirement

    require(actor, "purchasing.orders")
    rows = [r for r in order_requirement(db, order_id) if r.shortage > 0]
    if not rows:
        raise GateError(_("The order's materials are in stock or on order; there is no shortage to order."))
    with unit_of_work(db) as s:
        order = s.get(Order, order_id)
        by_supplier: dict[int, list[PurchaseLineInput]] = defaultdict(list)
        lead: dict[int, int] = {}
        missing = []
        for r in rows:
            choice = s.execute(select(Supplier.id, func.coalesce(SupplierMaterial.lead_days, Supplier.lead_days))
                               .join(SupplierMaterial, SupplierMaterial.supplier_id == Supplier.id)
                               .where(SupplierMaterial.material_id == r.material_id, Supplier.active.is_(True))
                               .order_by(func.coalesce(SupplierMaterial.lead_days, Supplier.lead_days), Supplier.id)
                               .limit(1)).first()
            if choice is None:
                missing.append(r.material_code)
                continue
            by_supplier[choice[0]].append(PurchaseLineInput(r.material_id, qty_text(r.shortage, r.unit)))
            lead[choice[0]] = int(choice[1])
        if missing:
            raise GateError(_("No approved supplier for {materials}; approve a supplier for them first.",
                              materials=", ".join(missing)))
        out = []
        for supplier_id, lines in by_supplier.items():
            due = due_date or clock.today() + dt.timedelta(days=lead[supplier_id])
            po = create_in(s, actor, PurchaseOrderInput(supplier_id, due, lines, currency=order.currency
                                                        if order.currency in CURRENCIES else "HKD",
                                                        order_id=order_id,
                                                        note=_("For the shortage of order {order_no}",
                                                               order_no=order.order_no)))
            out.append(_view(s, po))
        return out

