"""The plan the scheduler would propose for an order on top of today's load, without saving anything.

The detailed review (procedure 2.4) shows it to production: the steps, the projected finish against the delivery
date and each workshop's load in that window; capacity measures and purchasing's lead time may be tried on it.
The order need not be contracted: this is a proposal, not a plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from ... import clock
from ...db import Database
from ...models.orders import Order
from ...scheduling.calendar import add_loads
from ...scheduling.greedy import propose_plan as greedy_propose
from ...scheduling.model import Job, Operation, SchedulingError
from ..context import read_session
from ..errors import ValidationError
from .common import SHIPPING_BUFFER_DAYS, calendars, due_of, load_order, release_day, released_load, step_key
from .review_inputs import (
    MATERIALS_NEED,
    MeasureSpan,
    capacity_from_measures,
    extra_capacity,
    materials_days,
    with_materials_day,
)


@dataclass(frozen=True)
class ProposedStep:
    seq: int
    name: str
    workshop_id: int
    workshop: str
    start: dt.date
    end: dt.date
    work_minutes: int
    needs_materials: bool


@dataclass(frozen=True)
class WindowLoad:
    """One workshop's load between the order's first and last planned day: minutes it has (capacity measures
    included), minutes other orders' plans take, and minutes this order would take."""

    workshop_id: int
    workshop: str
    first: dt.date
    last: dt.date
    capacity_minutes: int
    other_minutes: int
    order_minutes: int
    extra_minutes: int

    @property
    def percent(self) -> int:
        used = self.other_minutes + self.order_minutes
        if self.capacity_minutes <= 0:
            return 999 if used else 0
        return round(100 * used / self.capacity_minutes)


@dataclass(frozen=True)
class ProposalPreview:
    order_id: int
    order_no: str
    delivery_date: dt.date | None
    steps: tuple[ProposedStep, ...]
    finish: dt.date | None
    loads: tuple[WindowLoad, ...]
    materials_day: dt.date | None
    problems: tuple[str, ...] = ()

    @property
    def days_late(self) -> int:
        if self.finish is None or self.delivery_date is None:
            return 0
        return max(0, (self.finish - self.delivery_date).days)

    @property
    def late(self) -> bool:
        return self.days_late > 0

    @property
    def cycle_days(self) -> int | None:
        """Calendar days from the first planned day to the last, both counted."""
        if not self.steps or self.finish is None:
            return None
        return (self.finish - min(st.start for st in self.steps)).days + 1

    @property
    def peak_percent(self) -> int | None:
        return max((load.percent for load in self.loads), default=None)


def _answered_lead_days(session: Session, order_id: int) -> int | None:
    """Purchasing's lead time in the order's open review round, once it has answered."""
    from sqlalchemy import select

    from ...models.reviews import ReviewOpinion, ReviewRound

    return session.scalar(
        select(ReviewOpinion.purchase_lead_days).join(ReviewRound, ReviewRound.id == ReviewOpinion.round_id)
        .where(ReviewOpinion.order_id == order_id, ReviewOpinion.department == "purchasing",
               ReviewOpinion.answered_at.is_not(None), ReviewRound.closed_at.is_(None)))


def proposal_for(session: Session, order: Order, today: dt.date, *, measures: Sequence[MeasureSpan] = (),
                 purchase_lead_days: int | None = None) -> ProposalPreview:
    """The read-only proposal (see module doc). `measures` are capacity measures being considered (on top of the
    measures already committed to contracted orders); `purchase_lead_days` counts from the order's release
    (contract day, or today before one) to the day its materials are expected — by default purchasing's answer
    in the open round, else the day carried into the plan at the contract."""
    from .plans import _merged_steps  # plans imports nothing from here; the merge is the one a real plan uses

    try:
        merged = _merged_steps(session, order, {})
    except ValidationError as exc:
        return ProposalPreview(order.id, order.order_no, order.delivery_date, (), None, (), None,
                               tuple(p.message for p in exc.problems) or (str(exc),))
    cals = calendars(session)
    release = release_day(session, order, today)
    if purchase_lead_days is None:
        purchase_lead_days = _answered_lead_days(session, order.id)
    if purchase_lead_days is not None:
        materials_day = release + dt.timedelta(days=purchase_lead_days)
    else:
        materials_day = materials_days(session, [order.id]).get(order.id)
    ops = [Operation(step_key(order.id, seq), seq, st["workshop_id"], st["work_minutes"], name=st["name"])
           for seq, st in enumerate(merged, start=1)]
    needs = [sorted(st["needs"]) for st in merged]
    job = Job(order.id, order.order_no, due_of(order, today), max(1, order.priority), release,
              with_materials_day(ops, needs, materials_day))
    other = released_load(session, cals, today, exclude_order_ids=[order.id])
    committed = capacity_from_measures(session, cals, today)
    trying = extra_capacity(measures, cals)
    extra = add_loads(committed, trying)
    try:
        schedule = greedy_propose(job, cals, other, today, buffer_days=SHIPPING_BUFFER_DAYS, extra_capacity=extra)
    except SchedulingError as exc:
        return ProposalPreview(order.id, order.order_no, order.delivery_date, (), None, (), materials_day,
                               tuple(exc.problems))
    steps = []
    for op, st in zip(job.operations, merged):
        placed = schedule.ops[op.key]
        steps.append(ProposedStep(op.seq, st["name"], st["workshop_id"], cals[st["workshop_id"]].name, placed.start,
                                  placed.end, st["work_minutes"], MATERIALS_NEED in st["needs"]))
    first = min(st.start for st in steps)
    finish = max(st.end for st in steps)
    loads = []
    for wid in dict.fromkeys(st.workshop_id for st in steps):
        cal = cals[wid]
        capacity = other_minutes = order_minutes = added = 0
        day = max(first, today)
        while day <= finish:
            if cal.is_working_day(day):
                more = max(0, extra.get(wid, {}).get(day, 0))
                capacity += cal.daily_capacity + more
                added += max(0, trying.get(wid, {}).get(day, 0))
                other_minutes += other.get(wid, {}).get(day, 0)
            day += dt.timedelta(days=1)
        for op in schedule.ops.values():
            if op.workshop_id == wid:
                order_minutes += op.minutes
        loads.append(WindowLoad(wid, cal.name, first, finish, capacity, other_minutes, order_minutes, added))
    return ProposalPreview(order.id, order.order_no, order.delivery_date, tuple(steps), finish, tuple(loads),
                           materials_day)


def preview_plan(db: Database, order_id: int, *, today: dt.date | None = None,
                 measures: Sequence[MeasureSpan] = (), purchase_lead_days: int | None = None) -> ProposalPreview:
    """The proposal for an order as the review shows it; reads only, writes nothing."""
    with read_session(db) as s:
        order = load_order(s, order_id)
        return proposal_for(s, order, today or clock.today(), measures=measures,
                            purchase_lead_days=purchase_lead_days)


def suggested_measures(preview: ProposalPreview, cals=None) -> list[tuple[str, int, dt.date, dt.date, int]]:
    """Capacity measures that give a late proposal room: an extra shift (one more bench-day a day) in each
    workshop that is busy in the window (load 80 % or more; every workshop of the plan when none is), on the
    days its steps are planned. (kind, workshop id, first day, last day, minutes a day)."""
    if not preview.late or not preview.steps:
        return []
    busy = {load.workshop_id for load in preview.loads if load.percent >= 80} or {
        load.workshop_id for load in preview.loads}
    minutes = {load.workshop_id: max(1, load.capacity_minutes - load.extra_minutes) for load in preview.loads}
    out = []
    for wid in dict.fromkeys(st.workshop_id for st in preview.steps):
        if wid not in busy:
            continue
        steps = [st for st in preview.steps if st.workshop_id == wid]
        first, last = min(st.start for st in steps), max(st.end for st in steps)
        days = max(1, sum(1 for st in steps for _ in range((st.end - st.start).days + 1)))
        per_day = cals[wid].minutes_per_day if cals else min(480, minutes[wid] // days or 480)
        out.append(("extra_shift", wid, first, last, per_day))
    return out
