"""Picking for an order: a pick list from its requirement (the customer's own material first, then lots that expire
first, then the oldest), each item checked against its lot as it is taken; a full pick ticks the checklist."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ... import clock
from ...db import Database
from ...i18n import LazyText, _
from ...models.materials import Lot, Material, PickItem, PickList
from ...models.orders import Order
from .. import audit
from ..context import Actor, read_session, unit_of_work
from ..errors import ConcurrentEditError, GateError, NotFound, ValidationError
from ..permissions import require
from ..sequences import next_number
from .common import qty_with_unit
from .requirements import order_requirement
from .stock import issue_in


@dataclass(frozen=True)
class PickItemView:
    item_no: int
    material_code: str
    material_name: str
    unit: str
    lot_id: int
    lot_no: str
    qty: int
    pieces: int
    picked: bool


@dataclass(frozen=True)
class PickListView:
    id: int
    pick_no: str
    order_id: int
    order_no: str
    customer_name: str
    status: str
    created_at: dt.datetime
    picked_at: dt.datetime | None
    items: tuple[PickItemView, ...]
    version: int


def _view(s: Session, pick: PickList) -> PickListView:
    order = s.get(Order, pick.order_id)
    items = []
    for item in pick.items:
        lot = s.get(Lot, item.lot_id)
        m = s.get(Material, item.material_id)
        items.append(PickItemView(item.item_no, m.code, m.name, m.unit, lot.id, lot.lot_no, item.qty, item.pieces,
                                  item.picked))
    return PickListView(pick.id, pick.pick_no, order.id, order.order_no, order.customer.name, pick.status,
                        pick.created_at, pick.picked_at, tuple(items), pick.version)


def _reserved_on_lots(s: Session) -> dict[int, int]:
    rows = s.execute(select(PickItem.lot_id, func.sum(PickItem.qty)).join(PickList)
                     .where(PickList.status == "open", PickItem.picked.is_(False)).group_by(PickItem.lot_id))
    return {lot_id: int(total) for lot_id, total in rows}


def create_pick_list(db: Database, actor: Actor, order_id: int) -> PickListView:
    require(actor, "stock.pick")
    requirement = order_requirement(db, order_id)
    if not requirement:
        raise GateError(_("The order has no material requirement: its styles have no bill of materials and its "
                          "lines no target weight."))
    with unit_of_work(db) as s:
        order = s.execute(select(Order).where(Order.id == order_id).with_for_update(of=Order)).scalar_one()
        if order.stage not in ("contracted", "planned", "in_production"):
            raise GateError(_("Order {order_no} is not contracted; materials are picked for contracted orders.",
                              order_no=order.order_no))
        if s.scalar(select(PickList.id).where(PickList.order_id == order_id, PickList.status == "open")):
            raise GateError(_("Order {order_no} has an open pick list already; finish or cancel it first.",
                              order_no=order.order_no))
        reserved = _reserved_on_lots(s)
        items, short = [], []
        for row in requirement:
            wanted = row.still_needed
            if wanted <= 0:
                continue
            lots = s.scalars(select(Lot).where(
                Lot.material_id == row.material_id, Lot.status == "released", Lot.on_hand_qty > 0,
                (Lot.customer_id.is_(None)) | (Lot.customer_id == order.customer_id))).all()
            # The customer's own material goes into its order first; then first to expire, then first in.
            lots.sort(key=lambda lot: (lot.customer_id is None, lot.expiry_date or dt.date.max, lot.received_at,
                                       lot.id))
            for lot in lots:
                free = lot.on_hand_qty - reserved.get(lot.id, 0)
                if free <= 0 or wanted <= 0:
                    continue
                take = min(free, wanted)
                share = row.pieces * take // row.required if row.required and row.pieces else 0
                items.append(PickItem(item_no=len(items) + 1, material_id=row.material_id, lot_id=lot.id, qty=take,
                                      pieces=min(share, lot.on_hand_pieces)))
                reserved[lot.id] = reserved.get(lot.id, 0) + take
                wanted -= take
            if wanted > 0:
                short.append(f"{row.material_code} {qty_with_unit(wanted, row.unit)}")
        if short:
            raise GateError(_("Not enough released stock to pick order {order_no}; short: {short}. Order it, or wait "
                              "for lots in quarantine to be released.", order_no=order.order_no,
                              short="; ".join(short)))
        if not items:
            raise GateError(_("Everything order {order_no} needs has been issued to it already.",
                              order_no=order.order_no))
        pick = PickList(pick_no=next_number(s, "pick_list", clock.today().year), order_id=order.id, status="open",
                        created_by_id=actor.user_id, items=items)
        s.add(pick)
        s.flush()
        audit.record(s, actor, "create", "pick_list", pick.id,
                     LazyText("Pick list {pick_no} for {order_no} ({n} items)", pick_no=pick.pick_no,
                              order_no=order.order_no, n=len(items)),
                     None, {"items": [(i.material_id, i.lot_id, i.qty) for i in items]}, order_id=order.id)
        return _view(s, pick)


def pick_item(db: Database, actor: Actor, pick_list_id: int, item_no: int, lot_no_checked: str,
              expected_version: int | None = None) -> PickListView:
    """The picker takes one item and checks it against the list by the lot number on the bag (typed or scanned);
    the material is issued to the order. The last item closes the list and ticks 'materials picked and
    inspected' on the order's pre-production checklist."""
    require(actor, "stock.pick")
    with unit_of_work(db) as s:
        pick = s.execute(select(PickList).where(PickList.id == pick_list_id).with_for_update()).scalar_one_or_none()
        if pick is None:
            raise NotFound(_("Pick list {id} does not exist.", id=pick_list_id))
        if expected_version is not None and pick.version != expected_version:
            raise ConcurrentEditError(_("Someone else changed pick list {pick_no}. Look at it again.",
                                        pick_no=pick.pick_no))
        if pick.status != "open":
            raise GateError(_("Pick list {pick_no} is closed.", pick_no=pick.pick_no))
        item = next((i for i in pick.items if i.item_no == item_no), None)
        if item is None:
            raise NotFound(_("Pick list {pick_no} has no item {n}.", pick_no=pick.pick_no, n=item_no))
        if item.picked:
            raise GateError(_("Item {n} of pick list {pick_no} was picked already.", n=item_no, pick_no=pick.pick_no))
        lot = s.execute(select(Lot).where(Lot.id == item.lot_id).with_for_update()).scalar_one()
        if lot_no_checked.strip() != lot.lot_no:
            raise ValidationError(_("The list says lot {expected} for item {n}, not {given}. Take the right lot.",
                                    expected=lot.lot_no, n=item_no, given=lot_no_checked.strip() or "—"), "lot_no")
        order = s.get(Order, pick.order_id)
        movement = issue_in(s, actor, lot, item.qty, item.pieces, order,
                            reason=_("pick list {pick_no}", pick_no=pick.pick_no))
        item.picked, item.movement_id = True, movement.id
        if all(i.picked for i in pick.items):
            pick.status, pick.picked_at, pick.picked_by_id = "picked", clock.now(), actor.user_id
            _tick_checklist(s, actor, order, pick.pick_no)
        s.flush()
        audit.record(s, actor, "pick", "pick_list", pick.id,
                     LazyText("Item {n} of {pick_no} picked: {qty} from lot {lot_no}", n=item_no, pick_no=pick.pick_no,
                              qty=qty_with_unit(item.qty, lot.material.unit), lot_no=lot.lot_no),
                     {"picked": False}, {"picked": True}, order_id=order.id)
        return _view(s, pick)


def _tick_checklist(s: Session, actor: Actor, order: Order, pick_no: str) -> None:
    from ..planning.checklist import ensure_checklist

    items = {i.key: i for i in ensure_checklist(s, order)}
    item = items.get("materials")
    if item is None or item.done:
        return
    before = audit.snapshot(item)
    item.done, item.done_at, item.done_by_id = True, clock.now(), actor.user_id
    item.note = _("picked with {pick_no}", pick_no=pick_no)
    s.flush()
    old, new = audit.diff(before, audit.snapshot(item))
    audit.record(s, actor, "checklist", "checklist_item", item.id,
                 LazyText("Checklist of {order_no}: {item} done", order_no=order.order_no,
                          item=LazyText("Materials picked and inspected")), old, new, order_id=order.id)


def open_pick_lists(db: Database, order_id: int | None = None) -> list[PickListView]:
    stmt = select(PickList).where(PickList.status == "open").order_by(PickList.id)
    if order_id is not None:
        stmt = stmt.where(PickList.order_id == order_id)
    with read_session(db) as s:
        return [_view(s, p) for p in s.scalars(stmt)]


def get_pick_list(db: Database, pick_list_id: int) -> PickListView:
    with read_session(db) as s:
        pick = s.get(PickList, pick_list_id)
        if pick is None:
            raise NotFound(_("Pick list {id} does not exist.", id=pick_list_id))
        return _view(s, pick)
