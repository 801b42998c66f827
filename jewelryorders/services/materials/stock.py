"""Lots and the stock ledger: receipts into quarantine, release or rejection, issues, returns, scrap recovery and
stock counts; every movement is a ledger row and the lot's kept balance moves with it, never below zero."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ... import clock
from ...db import Database
from ...i18n import LazyText, _
from ...models.customers import Customer
from ...models.materials import (
    LOT_STATUSES,
    MOVEMENT_KINDS,
    QUANTITY_KINDS,
    Lot,
    Material,
    PickItem,
    PickList,
    PurchaseOrder,
    PurchaseOrderLine,
    StockMovement,
    Supplier,
)
from ...models.orders import Order
from .. import audit, gates
from ..context import Actor, read_session, unit_of_work
from ..errors import ConcurrentEditError, GateError, NotFound, ValidationError
from ..permissions import require
from ..sequences import next_number
from ..validation import LONG_TEXT, Problems, parse_date, text
from .common import pieces, qty_with_unit, quantity


def load_lot(s: Session, lot_id: int, lock: bool = False) -> Lot:
    stmt = select(Lot).where(Lot.id == lot_id)
    if lock:
        stmt = stmt.with_for_update()
    lot = s.execute(stmt).scalar_one_or_none()
    if lot is None:
        raise NotFound(_("Lot {id} does not exist.", id=lot_id))
    return lot


def lot_by_no(db: Database, lot_no: str) -> "LotInfo":
    with read_session(db) as s:
        lot = s.scalar(select(Lot).where(Lot.lot_no == lot_no.strip()))
        if lot is None:
            raise NotFound(_("There is no lot {lot_no}.", lot_no=lot_no))
        return _lot_info(s, lot)


def move(s: Session, actor: Actor, lot: Lot, kind: str, qty: int, count: int = 0, *, order_id: int | None = None,
         task_sheet_id: int | None = None, reason: str = "", at: dt.datetime | None = None) -> StockMovement:
    """Write one ledger row and move the lot's balance with it, inside the caller's transaction."""
    if kind not in MOVEMENT_KINDS:
        raise ValueError(kind)
    if kind in QUANTITY_KINDS:
        if lot.on_hand_qty + qty < 0 or lot.on_hand_pieces + count < 0:
            unit = lot.material.unit
            raise GateError(_("Lot {lot_no} holds {on_hand}; {wanted} cannot be taken from it.", lot_no=lot.lot_no,
                              on_hand=qty_with_unit(lot.on_hand_qty, unit), wanted=qty_with_unit(-qty, unit)))
        lot.on_hand_qty += qty
        lot.on_hand_pieces += count
    movement = StockMovement(at=at or clock.now(), kind=kind, lot_id=lot.id, material_id=lot.material_id, qty=qty,
                             pieces=count, order_id=order_id, task_sheet_id=task_sheet_id, reason=reason,
                             user_id=actor.user_id)
    s.add(movement)
    s.flush()
    return movement


@dataclass(frozen=True)
class LotInfo:
    id: int
    lot_no: str
    material_id: int
    material_code: str
    material_name: str
    unit: str
    status: str
    supplier_name: str
    customer_name: str
    received_at: dt.datetime
    received_qty: int
    on_hand_qty: int
    on_hand_pieces: int
    expiry_date: dt.date | None
    certificate_no: str
    decision_reason: str
    version: int


def _lot_info(s: Session, lot: Lot) -> LotInfo:
    supplier = lot.supplier_id and s.get(Supplier, lot.supplier_id)
    customer = lot.customer_id and s.get(Customer, lot.customer_id)
    return LotInfo(lot.id, lot.lot_no, lot.material_id, lot.material.code, lot.material.name, lot.material.unit,
                   lot.status, supplier.name if supplier else "", customer.name if customer else "", lot.received_at,
                   lot.received_qty, lot.on_hand_qty, lot.on_hand_pieces, lot.expiry_date, lot.certificate_no,
                   lot.decision_reason, lot.version)


# ---- receipts ----------------------------------------------------------------------------------------------------

OVER_RECEIPT_SETTING = "materials.over_receipt_tolerance_percent"  # set in the factory settings
DEFAULT_OVER_RECEIPT_PERCENT = 5


@dataclass
class ReceiptLine:
    purchase_order_line_id: int
    qty: str                       # in the material's unit
    pieces: int | str = 0
    certificate_no: str = ""
    expiry_date: dt.date | str | None = None


def _tolerance_percent(s: Session) -> int:
    from ...models.users import Setting

    row = s.get(Setting, OVER_RECEIPT_SETTING)
    try:
        return int(row.value) if row is not None else DEFAULT_OVER_RECEIPT_PERCENT
    except ValueError:
        return DEFAULT_OVER_RECEIPT_PERCENT


def receive(db: Database, actor: Actor, purchase_order_id: int, lines: list[ReceiptLine], *,
            over_receipt_reason: str = "") -> list[LotInfo]:
    """Goods received against a purchase order: each line makes a lot in quarantine until it is released.
    More than ordered is accepted only within the factory's tolerance and with a reason."""
    require(actor, "stock.receive")
    if not lines:
        raise ValidationError(_("Enter at least one line received."), "lines")
    checked = Problems()
    reason = text(checked, "reason", _("Reason"), over_receipt_reason, max_len=LONG_TEXT)
    checked.raise_if_any()
    with unit_of_work(db) as s:
        po = s.execute(select(PurchaseOrder).where(PurchaseOrder.id == purchase_order_id).with_for_update()
                       ).scalar_one_or_none()
        if po is None:
            raise NotFound(_("Purchase order {id} does not exist.", id=purchase_order_id))
        if po.status not in ("sent", "partly_received"):
            raise GateError(_("Purchase order {po_no} is {status}; goods are received only against a purchase order "
                              "that was sent.", po_no=po.po_no, status=_(po_status_label(po.status))))
        po_lines = {line.id: line for line in po.lines}
        tolerance = _tolerance_percent(s)
        p = Problems()
        lots: list[Lot] = []
        for i, line in enumerate(lines, start=1):
            pol = po_lines.get(line.purchase_order_line_id)
            if pol is None:
                p.add(f"lines[{i}]", _("Line {n} is not a line of purchase order {po_no}.", n=i, po_no=po.po_no))
                continue
            unit = pol.material.unit
            qty = quantity(p, f"lines[{i}].qty", _("Line {n}: quantity received", n=i), line.qty, unit)
            count = pieces(p, f"lines[{i}].pieces", _("Line {n}: pieces", n=i), line.pieces)
            expiry = parse_date(p, f"lines[{i}].expiry", _("Line {n}: expiry date", n=i), line.expiry_date)
            cert = text(p, f"lines[{i}].certificate", _("Line {n}: certificate no.", n=i), line.certificate_no,
                        max_len=60)
            if qty is None:
                continue
            total = pol.received_qty + qty
            if total > pol.qty:
                over = total - pol.qty
                allowed = pol.qty * tolerance // 100
                if over > allowed:
                    p.add(f"lines[{i}].qty", _("Line {n}: {received} would be received against {ordered} ordered; "
                                               "more than the tolerance of {percent} %.", n=i,
                                               received=qty_with_unit(total, unit),
                                               ordered=qty_with_unit(pol.qty, unit), percent=tolerance))
                    continue
                if not reason:
                    p.add("reason", _("Line {n}: more than ordered is received ({over} over); give the reason.", n=i,
                                      over=qty_with_unit(over, unit)))
                    continue
            pol.received_qty = total
            pol.received_pieces += count
            lot = Lot(lot_no=next_number(s, "lot", clock.today().year), material_id=pol.material_id,
                      supplier_id=po.supplier_id, purchase_order_line_id=pol.id, received_at=clock.now(),
                      received_by_id=actor.user_id, received_qty=qty, received_pieces=count, expiry_date=expiry,
                      certificate_no=cert, status="quarantined")
            s.add(lot)
            s.flush()
            move(s, actor, lot, "receipt", qty, count, order_id=po.order_id, reason=reason)
            lots.append(lot)
        p.raise_if_any()
        before_status = po.status
        po.status = "received" if all(line.received_qty >= line.qty for line in po.lines) else "partly_received"
        s.flush()
        audit.record(s, actor, "receive", "purchase_order", po.id,
                     LazyText("Goods received against {po_no}: lots {lots}", po_no=po.po_no,
                              lots=[lot.lot_no for lot in lots]),
                     {"status": before_status}, {"status": po.status, "lots": [lot.lot_no for lot in lots]},
                     order_id=po.order_id)
        return [_lot_info(s, lot) for lot in lots]


def receive_customer_material(db: Database, actor: Actor, customer_id: int, material_id: int, qty: str,
                              count: int | str = 0, *, order_id: int | None = None, certificate_no: str = "",
                              note: str = "") -> LotInfo:
    """Metal or stones the customer supplies (ISO 9001 8.5.3): a lot owned by the customer, kept apart, in
    quarantine until it is checked like any other lot."""
    require(actor, "stock.receive")
    p = Problems()
    note = text(p, "note", _("Note"), note, max_len=LONG_TEXT)
    cert = text(p, "certificate_no", _("Certificate no."), certificate_no, max_len=60)
    with unit_of_work(db) as s:
        customer = s.get(Customer, customer_id)
        material = s.get(Material, material_id)
        if customer is None:
            raise NotFound(_("Customer {id} does not exist.", id=customer_id))
        if material is None:
            raise NotFound(_("Material {id} does not exist.", id=material_id))
        amount = quantity(p, "qty", _("Quantity"), qty, material.unit)
        n = pieces(p, "pieces", _("Pieces"), count)
        if order_id is not None:
            order = s.get(Order, order_id)
            if order is None or order.customer_id != customer_id:
                p.add("order_id", _("The order is not an order of {customer}.", customer=customer.name))
        p.raise_if_any()
        lot = Lot(lot_no=next_number(s, "lot", clock.today().year), material_id=material.id, customer_id=customer.id,
                  received_at=clock.now(), received_by_id=actor.user_id, received_qty=amount, received_pieces=n,
                  certificate_no=cert, status="quarantined", decision_reason="")
        s.add(lot)
        s.flush()
        move(s, actor, lot, "receipt", amount, n, order_id=order_id, reason=note)
        audit.record(s, actor, "receive", "lot", lot.id,
                     LazyText("{customer}'s own {material} received as lot {lot_no}: {qty}", customer=customer.name,
                              material=material.name, lot_no=lot.lot_no, qty=qty_with_unit(amount, material.unit)),
                     None, audit.snapshot(lot), order_id=order_id)
        return _lot_info(s, lot)


def po_status_label(status: str) -> str:
    from ...models.materials import PO_STATUSES

    return PO_STATUSES.get(status, status)


def attach_lot_documents(db: Database, actor: Actor, lot_id: int, paths: list[str | Path]) -> list[str]:
    """File the certificates or assay reports that came with a lot (each stored once, by its SHA-256)."""
    from ...models.materials import LotDocument
    from ..documents import read_file_for_store, store_bytes

    require(actor, "stock.receive")
    files = [read_file_for_store(path) for path in paths]  # a missing or oversized file is refused before saving
    if not files:
        raise ValidationError(_("Choose at least one file."), "files")
    with unit_of_work(db) as s:
        lot = load_lot(s, lot_id, lock=True)
        names = []
        for name, content in files:
            doc = store_bytes(s, actor, file_name=name, content=content, category="lot_certificate", order_id=None)
            s.add(LotDocument(lot_id=lot.id, document_id=doc.id))
            names.append(name)
        s.flush()
        audit.record(s, actor, "attach", "lot", lot.id,
                     LazyText("Certificates filed with lot {lot_no}: {files}", lot_no=lot.lot_no, files=names),
                     None, {"files": names})
        return names


def lot_documents(db: Database, lot_id: int) -> list[tuple[int, str, int]]:
    """(document id, file name, size) of what was filed with a lot."""
    from ...models.documents import Document
    from ...models.materials import LotDocument

    with read_session(db) as s:
        return [(d.id, d.file_name, d.size) for d in s.scalars(
            select(Document).join(LotDocument, LotDocument.document_id == Document.id)
            .where(LotDocument.lot_id == lot_id).order_by(Document.id))]


# ---- decisions on lots -------------------------------------------------------------------------------------------

def decide_lot(db: Database, actor: Actor, lot_id: int, *, release: bool, reason: str,
               expected_version: int | None = None) -> LotInfo:
    """Release a lot in quarantine into usable stock, or reject it; always with the reason recorded."""
    require(actor, "lots.decide")
    p = Problems()
    reason = text(p, "reason", _("Reason"), reason, required=True, max_len=LONG_TEXT)
    p.raise_if_any()
    with unit_of_work(db) as s:
        lot = load_lot(s, lot_id, lock=True)
        if expected_version is not None and lot.version != expected_version:
            raise ConcurrentEditError(_("Someone else changed lot {lot_no}. Look at it again.", lot_no=lot.lot_no))
        decide_lot_in(s, actor, lot, release=release, reason=reason)
        return _lot_info(s, lot)


def decide_lot_in(s: Session, actor: Actor, lot: Lot, *, release: bool, reason: str,
                  from_statuses: tuple[str, ...] = ("quarantined",)) -> None:
    """Release or reject a lot inside the caller's transaction: the head of purchasing's decision above, or
    incoming inspection's (release on a pass, reject on a fail; a rejected lot released after a passed
    re-inspection or a concession)."""
    if lot.status not in from_statuses:
        raise GateError(_("Lot {lot_no} is {status} already; only a lot in quarantine is released or rejected.",
                          lot_no=lot.lot_no, status=_(LOT_STATUSES[lot.status])))
    old = lot.status
    lot.status = "released" if release else "rejected"
    lot.decided_by_id, lot.decided_at, lot.decision_reason = actor.user_id, clock.now(), reason
    move(s, actor, lot, "release" if release else "reject", 0, reason=reason)
    audit.record(s, actor, "release" if release else "reject", "lot", lot.id,
                 LazyText("Lot {lot_no} released: {reason}", lot_no=lot.lot_no, reason=reason) if release else
                 LazyText("Lot {lot_no} rejected: {reason}", lot_no=lot.lot_no, reason=reason),
                 {"status": old}, {"status": lot.status})


# ---- issues, returns, scrap, counts ------------------------------------------------------------------------------

def _order(s: Session, order_id: int) -> Order:
    order = s.get(Order, order_id)
    if order is None:
        raise NotFound(_("Order {id} does not exist.", id=order_id))
    return order


def issue_in(s: Session, actor: Actor, lot: Lot, qty: int, count: int, order: Order,
             task_sheet_id: int | None = None, reason: str = "") -> StockMovement:
    """Take material out of a lot for an order, refusing what the procedure forbids."""
    gates.check(s, gates.MATERIALS_ISSUE, lot=lot, order=order)
    if lot.status != "released":
        raise GateError(_("Lot {lot_no} is {status}: only a released lot is issued. Incoming inspection must release "
                          "it first.", lot_no=lot.lot_no, status=_(LOT_STATUSES[lot.status])))
    if lot.customer_id is not None and lot.customer_id != order.customer_id:
        raise GateError(_("Lot {lot_no} belongs to another customer; a customer's own material goes only into that "
                          "customer's orders.", lot_no=lot.lot_no))
    return move(s, actor, lot, "issue", -qty, -count, order_id=order.id, task_sheet_id=task_sheet_id, reason=reason)


def issue(db: Database, actor: Actor, lot_id: int, qty: str, count: int | str = 0, *, order_id: int,
          task_sheet_id: int | None = None, reason: str = "") -> LotInfo:
    require(actor, "stock.move")
    p = Problems()
    reason = text(p, "reason", _("Reason"), reason, max_len=LONG_TEXT)
    with unit_of_work(db) as s:
        lot = load_lot(s, lot_id, lock=True)
        amount = quantity(p, "qty", _("Quantity"), qty, lot.material.unit)
        n = pieces(p, "pieces", _("Pieces"), count)
        p.raise_if_any()
        order = _order(s, order_id)
        issue_in(s, actor, lot, amount, n, order, task_sheet_id, reason)
        audit.record(s, actor, "issue", "lot", lot.id,
                     LazyText("{qty} issued from lot {lot_no} to {order_no}", qty=qty_with_unit(amount, lot.material.unit),
                              lot_no=lot.lot_no, order_no=order.order_no),
                     None, {"qty": amount, "pieces": n}, order_id=order.id)
        return _lot_info(s, lot)


def return_to_stock(db: Database, actor: Actor, lot_id: int, qty: str, count: int | str = 0, *, order_id: int,
                    reason: str = "") -> LotInfo:
    """Material the workshop brings back unused: never more than was issued to the order from that lot."""
    require(actor, "stock.move")
    p = Problems()
    reason = text(p, "reason", _("Reason"), reason, max_len=LONG_TEXT)
    with unit_of_work(db) as s:
        lot = load_lot(s, lot_id, lock=True)
        amount = quantity(p, "qty", _("Quantity"), qty, lot.material.unit)
        n = pieces(p, "pieces", _("Pieces"), count)
        p.raise_if_any()
        order = _order(s, order_id)
        out = -int(s.scalar(select(func.coalesce(func.sum(StockMovement.qty), 0)).where(
            StockMovement.lot_id == lot.id, StockMovement.order_id == order.id,
            StockMovement.kind.in_(("issue", "return")))) or 0)
        if amount > out:
            raise GateError(_("Only {out} of lot {lot_no} is out with order {order_no}; {qty} cannot come back.",
                              out=qty_with_unit(out, lot.material.unit), lot_no=lot.lot_no, order_no=order.order_no,
                              qty=qty_with_unit(amount, lot.material.unit)))
        move(s, actor, lot, "return", amount, n, order_id=order.id, reason=reason)
        audit.record(s, actor, "return", "lot", lot.id,
                     LazyText("{qty} returned to lot {lot_no} from {order_no}", qty=qty_with_unit(amount, lot.material.unit),
                              lot_no=lot.lot_no, order_no=order.order_no),
                     None, {"qty": amount, "pieces": n}, order_id=order.id)
        return _lot_info(s, lot)


def recover_scrap(db: Database, actor: Actor, material_id: int, qty: str, *, order_id: int | None = None,
                  reason: str) -> LotInfo:
    """Metal recovered from filings, sweepings or a scrapped piece: a new lot, in quarantine until it is assayed."""
    require(actor, "stock.move")
    p = Problems()
    reason = text(p, "reason", _("Reason"), reason, required=True, max_len=LONG_TEXT)
    with unit_of_work(db) as s:
        material = s.get(Material, material_id)
        if material is None:
            raise NotFound(_("Material {id} does not exist.", id=material_id))
        if material.kind != "metal":
            raise ValidationError(_("Scrap is recovered as metal; {code} is not a metal.", code=material.code),
                                  "material")
        amount = quantity(p, "qty", _("Quantity"), qty, material.unit)
        p.raise_if_any()
        lot = Lot(lot_no=next_number(s, "lot", clock.today().year), material_id=material.id, received_at=clock.now(),
                  received_by_id=actor.user_id, received_qty=amount, status="quarantined")
        s.add(lot)
        s.flush()
        move(s, actor, lot, "scrap_recovery", amount, order_id=order_id, reason=reason)
        audit.record(s, actor, "scrap_recovery", "lot", lot.id,
                     LazyText("{qty} of {material} recovered from scrap as lot {lot_no}",
                              qty=qty_with_unit(amount, material.unit), material=material.name, lot_no=lot.lot_no),
                     None, audit.snapshot(lot), order_id=order_id)
        return _lot_info(s, lot)


def count_lot(db: Database, actor: Actor, lot_id: int, counted_qty: str, counted_pieces: int | str = 0, *,
              reason: str) -> LotInfo:
    """A stock count: the difference to the ledger becomes an adjustment row, with the reason."""
    require(actor, "stock.adjust")
    p = Problems()
    reason = text(p, "reason", _("Reason"), reason, required=True, max_len=LONG_TEXT)
    with unit_of_work(db) as s:
        lot = load_lot(s, lot_id, lock=True)
        if str(counted_qty).strip().startswith("-"):
            p.add("qty", _("A count cannot be negative; stock never goes below zero."))
        counted = quantity(p, "qty", _("Counted quantity"), counted_qty, lot.material.unit, allow_zero=True)
        n = pieces(p, "pieces", _("Pieces"), counted_pieces)
        p.raise_if_any()
        delta, delta_pieces = counted - lot.on_hand_qty, n - lot.on_hand_pieces
        if delta == 0 and delta_pieces == 0:
            raise ValidationError(_("The count equals the stock of lot {lot_no}; nothing to adjust.",
                                    lot_no=lot.lot_no), "qty")
        before = lot.on_hand_qty
        move(s, actor, lot, "adjustment", delta, delta_pieces, reason=reason)
        audit.record(s, actor, "adjust", "lot", lot.id,
                     LazyText("Lot {lot_no} counted: {before} → {after} ({reason})", lot_no=lot.lot_no,
                              before=qty_with_unit(before, lot.material.unit),
                              after=qty_with_unit(counted, lot.material.unit), reason=reason),
                     {"on_hand_qty": before}, {"on_hand_qty": counted})
        return _lot_info(s, lot)


# ---- what is in stock --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StockRow:
    material_id: int
    code: str
    name: str
    kind: str
    unit: str
    released: int
    quarantined: int
    rejected: int
    reserved: int
    on_order: int

    @property
    def available(self) -> int:
        return self.released - self.reserved


def _reserved_subquery():
    return (select(PickItem.material_id.label("material_id"), func.sum(PickItem.qty).label("reserved"))
            .join(PickList, PickList.id == PickItem.pick_list_id)
            .where(PickList.status == "open", PickItem.picked.is_(False))
            .group_by(PickItem.material_id).subquery())


def _on_order_subquery():
    return (select(PurchaseOrderLine.material_id.label("material_id"),
                   func.sum(PurchaseOrderLine.qty - PurchaseOrderLine.received_qty).label("on_order"))
            .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
            .where(PurchaseOrder.status.in_(("draft", "sent", "partly_received")),
                   PurchaseOrderLine.received_qty < PurchaseOrderLine.qty)
            .group_by(PurchaseOrderLine.material_id).subquery())


def stock_overview(db: Database, *, kind: str | None = None, material_ids: list[int] | None = None,
                   company_only: bool = True) -> list[StockRow]:
    """On hand per material by state, reserved for orders, on order: one query over the kept lot balances.
    Customers' own material is left out of the company's stock unless `company_only` is False."""
    lot_filter = [Lot.customer_id.is_(None)] if company_only else []
    if material_ids is not None:
        lot_filter.append(Lot.material_id.in_(material_ids))
    def state_sum(state):
        return func.coalesce(func.sum(case((Lot.status == state, Lot.on_hand_qty), else_=0)), 0)
    lots = (select(Lot.material_id.label("material_id"), state_sum("released").label("released"),
                   state_sum("quarantined").label("quarantined"), state_sum("rejected").label("rejected"))
            .where(*lot_filter).group_by(Lot.material_id).subquery())
    reserved, on_order = _reserved_subquery(), _on_order_subquery()
    stmt = (select(Material.id, Material.code, Material.name, Material.kind, Material.unit,
                   func.coalesce(lots.c.released, 0), func.coalesce(lots.c.quarantined, 0),
                   func.coalesce(lots.c.rejected, 0), func.coalesce(reserved.c.reserved, 0),
                   func.coalesce(on_order.c.on_order, 0))
            .outerjoin(lots, lots.c.material_id == Material.id)
            .outerjoin(reserved, reserved.c.material_id == Material.id)
            .outerjoin(on_order, on_order.c.material_id == Material.id)
            .order_by(Material.kind, Material.code))
    if kind:
        stmt = stmt.where(Material.kind == kind)
    if material_ids is not None:
        stmt = stmt.where(Material.id.in_(material_ids))
    with read_session(db) as s:
        return [StockRow(*(int(v) if i >= 5 else v for i, v in enumerate(row))) for row in s.execute(stmt)]


def lots_of_material(db: Database, material_id: int, *, statuses: tuple[str, ...] = ("released", "quarantined"),
                     with_stock_only: bool = True) -> list[LotInfo]:
    stmt = select(Lot).where(Lot.material_id == material_id, Lot.status.in_(statuses)).order_by(Lot.received_at)
    if with_stock_only:
        stmt = stmt.where(Lot.on_hand_qty > 0)
    with read_session(db) as s:
        return [_lot_info(s, lot) for lot in s.scalars(stmt)]


def quarantined_lots(db: Database) -> list[LotInfo]:
    with read_session(db) as s:
        return [_lot_info(s, lot) for lot in s.scalars(select(Lot).where(Lot.status == "quarantined")
                                                        .order_by(Lot.received_at))]


@dataclass(frozen=True)
class Mismatch:
    lot_no: str
    kept: int
    ledger: int


def reconcile(db: Database) -> list[Mismatch]:
    """Lots whose kept balance differs from the sum of their ledger rows (should be none)."""
    sums = (select(StockMovement.lot_id.label("lot_id"), func.sum(StockMovement.qty).label("total"))
            .where(StockMovement.kind.in_(QUANTITY_KINDS)).group_by(StockMovement.lot_id).subquery())
    stmt = (select(Lot.lot_no, Lot.on_hand_qty, func.coalesce(sums.c.total, 0))
            .outerjoin(sums, sums.c.lot_id == Lot.id)
            .where(Lot.on_hand_qty != func.coalesce(sums.c.total, 0)))
    with read_session(db) as s:
        return [Mismatch(no, int(kept), int(total)) for no, kept, total in s.execute(stmt)]


@dataclass(frozen=True)
class StatementRow:
    at: dt.datetime
    lot_no: str
    material: str
    unit: str
    kind: str
    qty: int
    order_no: str
    reason: str
    balance: int


def customer_statement(db: Database, customer_id: int) -> list[StatementRow]:
    """Every movement of the customer's own material, with the running balance per material: what the factory
    holds for the customer, and where it went."""
    stmt = (select(StockMovement.at, Lot.lot_no, Material.name, Material.unit, StockMovement.kind, StockMovement.qty,
                   Order.order_no, StockMovement.reason, Material.id)
            .join(Lot, Lot.id == StockMovement.lot_id).join(Material, Material.id == StockMovement.material_id)
            .outerjoin(Order, Order.id == StockMovement.order_id)
            .where(Lot.customer_id == customer_id, StockMovement.kind.in_(QUANTITY_KINDS))
            .order_by(StockMovement.at, StockMovement.id))
    out, balances = [], {}
    with read_session(db) as s:
        if s.get(Customer, customer_id) is None:
            raise NotFound(_("Customer {id} does not exist.", id=customer_id))
        for at, lot_no, material, unit, kind, qty, order_no, reason, material_id in s.execute(stmt):
            balances[material_id] = balances.get(material_id, 0) + int(qty)
            out.append(StatementRow(at, lot_no, material, unit, kind, int(qty), order_no or "", reason,
                                    balances[material_id]))
    return out
