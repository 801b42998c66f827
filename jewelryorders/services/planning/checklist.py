"""The pre-production checklist of an order, and what keeps a step from starting, said in words."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ... import clock
from ...db import Database
from ...i18n import LazyText, _
from ...models.orders import Order, Style
from ...models.planning import CHECKLIST_KEYS, ChecklistItem, PlanStep, ProductionPlan
from .. import audit
from ..context import Actor, read_session, unit_of_work
from ..errors import ConcurrentEditError, GateError, NotFound
from ..permissions import require
from ..validation import LONG_TEXT, Problems, text
from .common import current_plan, load_order, needs_of, user_name


@dataclass(frozen=True)
class ChecklistItemView:
    id: int
    order_id: int
    key: str
    required: bool
    done: bool
    done_at: dt.datetime | None
    done_by: str
    note: str
    version: int
    needed_by: tuple[str, ...]  # labels of the steps that wait for this item

    @property
    def label(self) -> str:
        return _(CHECKLIST_KEYS[self.key])

    @property
    def blocking(self) -> bool:
        return self.required and not self.done


def new_style_in_order(session: Session, order: Order) -> bool:
    """Training is required when the order makes a style the factory has not made before."""
    codes = {line.style_code for line in order.lines}
    if not codes:
        return False
    return bool(session.scalar(select(Style.id).where(Style.code.in_(codes), Style.is_new_style.is_(True)).limit(1)))


def ensure_checklist(session: Session, order: Order) -> list[ChecklistItem]:
    """Create the order's four checklist items once; training is required only for a new style."""
    items = {i.key: i for i in session.scalars(select(ChecklistItem).where(ChecklistItem.order_id == order.id))}
    if len(items) < len(CHECKLIST_KEYS):
        training_required = new_style_in_order(session, order)
        for key in CHECKLIST_KEYS:
            if key not in items:
                item = ChecklistItem(order_id=order.id, key=key, required=key != "training" or training_required)
                session.add(item)
                items[key] = item
        session.flush()
    return [items[k] for k in CHECKLIST_KEYS]


def step_label(step: PlanStep) -> str:
    return f"{step.seq} {step.name}"


def step_blockers(session: Session, plan: ProductionPlan | None, step: PlanStep,
                  items: dict[str, ChecklistItem] | None = None) -> list[str]:
    """Everything that keeps `step` from starting now, each as a phrase the planner can act on."""
    reasons: list[str] = []
    if step.state != "planned":
        return reasons
    if plan is None or plan.status != "released":
        reasons.append(_("the plan is not released yet"))
    previous = [s for s in (plan.steps if plan is not None else []) if s.seq < step.seq]
    if previous:
        before = max(previous, key=lambda s: s.seq)
        if before.state != "done":
            reasons.append(_("the step before it, {step}, is not finished", step=step_label(before)))
    if items is None and plan is not None:
        items = {i.key: i for i in session.scalars(select(ChecklistItem)
                                                    .where(ChecklistItem.order_id == plan.order_id))}
    missing = []
    for key in needs_of(step.checklist_needs):
        item = (items or {}).get(key)
        if item is None or (item.required and not item.done):
            missing.append(_(CHECKLIST_KEYS[key]))
    if missing:
        reasons.append(_("the checklist is not complete: {items}", items=", ".join(missing)))
    return reasons


def _view(item: ChecklistItem, plan: ProductionPlan | None) -> ChecklistItemView:
    needed_by = tuple(step_label(s) for s in (plan.steps if plan is not None else [])
                      if item.key in needs_of(s.checklist_needs) and s.state == "planned")
    return ChecklistItemView(item.id, item.order_id, item.key, item.required, item.done, item.done_at,
                             user_name(item.done_by), item.note, item.version, needed_by)


def get_checklist(db: Database, order_id: int) -> list[ChecklistItemView]:
    """The order's checklist (empty before its first plan is proposed)."""
    with read_session(db) as s:
        plan = current_plan(s, order_id)
        items = {i.key: i for i in s.scalars(select(ChecklistItem).where(ChecklistItem.order_id == order_id))}
        return [_view(items[k], plan) for k in CHECKLIST_KEYS if k in items]


def set_checklist_item(db: Database, actor: Actor, order_id: int, key: str, *, done: bool, note: str = "",
                       expected_version: int | None = None, now: dt.datetime | None = None) -> ChecklistItemView:
    """Tick (or untick) one item. Each item is confirmed by its own departments (see CHECKLIST_DEPARTMENTS)."""
    if key not in CHECKLIST_KEYS:
        raise NotFound(_("Unknown checklist item {item}.", item=key))
    require(actor, f"planning.checklist.{key}")
    p = Problems()
    note = text(p, "note", _("Note"), note, max_len=LONG_TEXT)
    p.raise_if_any()
    with unit_of_work(db) as s:
        order = load_order(s, order_id, lock=True)
        items = {i.key: i for i in ensure_checklist(s, order)}
        item = items[key]
        if expected_version is not None and item.version != expected_version:
            raise ConcurrentEditError(_("Someone else changed the checklist item {item} of order {order_no}. "
                                        "Look at it again, then make your change.", item=_(CHECKLIST_KEYS[key]),
                                        order_no=order.order_no))
        plan = current_plan(s, order_id)
        if not done and item.done and plan is not None:
            started = [step_label(st) for st in plan.steps
                       if st.state != "planned" and key in needs_of(st.checklist_needs)]
            if started:
                raise GateError(_("{item} cannot be unticked: steps that needed it have started ({steps}).",
                                  item=_(CHECKLIST_KEYS[key]), steps=", ".join(started)))
        before = audit.snapshot(item)
        item.done = done
        item.done_at = (now or clock.now()) if done else None
        item.done_by_id = actor.user_id if done else None
        item.note = note
        s.flush()
        old, new = audit.diff(before, audit.snapshot(item))
        summary = (LazyText("Checklist of {order_no}: {item} done", order_no=order.order_no,
                            item=LazyText(CHECKLIST_KEYS[key]))
                   if done else LazyText("Checklist of {order_no}: {item} not done", order_no=order.order_no,
                                         item=LazyText(CHECKLIST_KEYS[key])))
        audit.record(s, actor, "checklist", "checklist_item", item.id, summary, old, new, order_id=order.id)
        s.refresh(item)
        return _view(item, plan)


def set_checklist_required(db: Database, actor: Actor, order_id: int, key: str, required: bool) -> ChecklistItemView:
    """The planner decides that an item is (or is not) needed, e.g. training for a new process on an old style."""
    if key not in CHECKLIST_KEYS:
        raise NotFound(_("Unknown checklist item {item}.", item=key))
    require(actor, "planning.plan")
    with unit_of_work(db) as s:
        order = load_order(s, order_id, lock=True)
        item = {i.key: i for i in ensure_checklist(s, order)}[key]
        if item.required != required:
            item.required = required
            s.flush()
            audit.record(s, actor, "checklist", "checklist_item", item.id,
                         LazyText("Checklist of {order_no}: {item} required", order_no=order.order_no,
                           item=LazyText(CHECKLIST_KEYS[key])) if required else
                         LazyText("Checklist of {order_no}: {item} not required", order_no=order.order_no,
                           item=LazyText(CHECKLIST_KEYS[key])),
                         {"required": not required}, {"required": required}, order_id=order.id)
        return _view(item, current_plan(s, order_id))
