"""'Re-plan all' and 'Optimise': every open order's plan rescheduled against the capacity, shown, then applied.

Both work in two steps so the planner decides: a preview (a `ScheduleProposal` with the lateness before and after
and the orders that would be late) and `apply_proposal`, which writes the new dates — a new version with the
planner's reason for every released plan that changes, the draft itself for drafts. A proposal remembers the
version of every plan it was made from; if any of them changed meanwhile, applying it is refused.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import groupby

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from ... import clock
from ...db import Database
from ...i18n import LazyText, _
from ...models.orders import Order
from ...models.planning import ProductionPlan
from ...scheduling.checks import input_problems
from ...scheduling.greedy import replan_all
from ...scheduling.model import Job, Load, Schedule, WorkshopCalendar
from .. import audit
from ..context import Actor, read_session, unit_of_work
from ..errors import ConcurrentEditError
from ..permissions import require
from ..validation import LONG_TEXT, Problems, text
from .common import (
    PLANNING_STAGES,
    calendars,
    current_plans,
    current_step_rows,
    load_order,
    operation_of,
    released_load,
    scheduled_of,
    step_key,
)
from .plans import new_version
from .review_inputs import capacity_from_measures, materials_days, with_materials_day

DEFAULT_OPTIMISE_SECONDS = 10.0
MAX_OPTIMISE_SECONDS = 3600.0


@dataclass(frozen=True)
class LateOrder:
    order_id: int
    order_no: str
    due: dt.date
    finish: dt.date
    days_late: int
    priority: int


@dataclass
class OpenOrders:
    """Every open order's current plan as scheduling data, and the version of each plan it was read from."""

    jobs: list[Job]
    calendars: dict[int, WorkshopCalendar]
    current: Schedule
    other_load: Load
    stamps: dict[int, tuple[int, int]]
    excluded: list[str]
    extra: Load = field(default_factory=dict)  # capacity measures agreed in the orders' reviews


@dataclass
class ScheduleProposal:
    kind: str  # "replan" or "optimise"
    today: dt.date
    schedule: Schedule
    stamps: dict[int, tuple[int, int]]
    lateness_before: int
    lateness_after: int
    late_before: list[LateOrder]
    late_after: list[LateOrder]
    changed_orders: list[int]
    changed_steps: int
    excluded: list[str] = field(default_factory=list)
    status: str = ""
    status_text: str = ""
    lower_bound: int | None = None
    elapsed: float = 0.0
    cancelled: bool = False

    @property
    def improves(self) -> bool:
        return self.lateness_after < self.lateness_before

    @property
    def newly_late(self) -> list[LateOrder]:
        """Orders late after the change that were on time before it."""
        before = {o.order_id for o in self.late_before}
        return [o for o in self.late_after if o.order_id not in before]


def open_orders(session: Session, today: dt.date) -> OpenOrders:
    """Read the current plans of every contracted, planned or in-production order that has work left.

    Orders whose data a scheduler cannot use are left out and named in `excluded`; their work still takes
    capacity as it stands, like every released plan of an order past production.
    """
    cals = calendars(session)
    jobs: list[Job] = []
    ops = []
    stamps: dict[int, tuple[int, int]] = {}
    excluded: list[str] = []
    materials = materials_days(session)
    for order_id, group in groupby(current_step_rows(session, stages=PLANNING_STAGES), key=lambda r: r.order_id):
        steps = list(group)
        if all(st.state == "done" for st in steps):
            continue
        first = steps[0]
        job = Job(order_id, first.order_no, first.delivery_date or today, max(1, first.priority), today,
                  with_materials_day([operation_of(order_id, st, today) for st in steps],
                                     [st.checklist_needs for st in steps], materials.get(order_id)))
        problems = input_problems([job], cals)
        if problems:
            excluded.extend(problems)
            continue
        jobs.append(job)
        stamps[order_id] = (first.plan_id, first.plan_version)
        ops.extend(scheduled_of(order_id, st, cals[st.workshop_id], today) for st in steps)
    other = released_load(session, cals, today, exclude_order_ids=list(stamps))
    extra = capacity_from_measures(session, cals, today)
    return OpenOrders(jobs, cals, Schedule.of(ops), other, stamps, excluded, extra)


def _late(schedule: Schedule, jobs: list[Job]) -> list[LateOrder]:
    finish = schedule.finish_by_order()
    rows = []
    for job in jobs:
        end = finish.get(job.order_id)
        if end is not None and end > job.due:
            rows.append(LateOrder(job.order_id, job.order_no, job.due, end, (end - job.due).days, job.priority))
    rows.sort(key=lambda r: (-r.days_late, r.order_no))
    return rows


def _changes(before: Schedule, after: Schedule) -> tuple[list[int], int]:
    orders: set[int] = set()
    steps = 0
    for key, op in after.ops.items():
        old = before.ops.get(key)
        if old is None or (old.start, old.end) != (op.start, op.end):
            orders.add(op.order_id)
            steps += 1
    return sorted(orders), steps


def _proposal(kind: str, today: dt.date, data: OpenOrders, schedule: Schedule, **extra) -> ScheduleProposal:
    changed_orders, changed_steps = _changes(data.current, schedule)
    return ScheduleProposal(
        kind, today, schedule, data.stamps,
        extra.pop("lateness_before", data.current.total_weighted_lateness(data.jobs)),
        extra.pop("lateness_after", schedule.total_weighted_lateness(data.jobs)),
        _late(data.current, data.jobs), _late(schedule, data.jobs), changed_orders, changed_steps,
        list(data.excluded), **extra)


def replan_preview(db: Database, today: dt.date | None = None) -> ScheduleProposal:
    """'Re-plan all': every open order forwards from today, the earliest delivery date and then the highest
    priority first; started and finished steps stay where they are."""
    today = today or clock.today()
    with read_session(db) as s:
        data = open_orders(s, today)
    result = replan_all(data.jobs, data.calendars, today, data.other_load, extra_capacity=data.extra)
    return _proposal("replan", today, data, result.schedule)


def optimise_preview(db: Database, seconds: float = DEFAULT_OPTIMISE_SECONDS, *, today: dt.date | None = None,
                     on_progress: Callable[[int | None, float | None, float], None] | None = None,
                     cancel: threading.Event | None = None, workers: int = 2) -> ScheduleProposal:
    """'Optimise': OR-Tools CP-SAT minimises Σ priority × days late within `seconds`, starting from the current
    plans. `on_progress(best, bound, elapsed)` reports each better plan; `cancel` stops early with the best so
    far. Never proposes more lateness than the current plans have."""
    p = Problems()
    try:
        limit = float(seconds)
    except (TypeError, ValueError):
        limit = -1.0
    if not 0 < limit <= MAX_OPTIMISE_SECONDS:
        p.add("seconds", _("The time limit must be between 1 and {max} seconds.", max=int(MAX_OPTIMISE_SECONDS)))
    p.raise_if_any()
    today = today or clock.today()
    with read_session(db) as s:
        data = open_orders(s, today)
    if not data.jobs:
        return _proposal("optimise", today, data, data.current, status="unchanged",
                         status_text=_("No open orders to optimise."))
    from ...scheduling.optimise import optimise  # OR-Tools (and pandas) load only when someone optimises

    result = optimise(data.jobs, data.calendars, today, time_limit_s=limit, hint=data.current,
                      on_progress=on_progress, cancel=cancel, workers=workers, existing_load=data.other_load)
    return _proposal("optimise", today, data, result.schedule, lateness_before=result.lateness_before,
                     lateness_after=result.lateness_after, status=result.status, status_text=result.status_text(),
                     lower_bound=result.lower_bound, elapsed=result.elapsed, cancelled=result.cancelled)


@dataclass(frozen=True)
class ApplyResult:
    orders_changed: int
    versions_created: int
    steps_changed: int


def apply_proposal(db: Database, actor: Actor, proposal: ScheduleProposal, reason: str) -> ApplyResult:
    """Write the proposal's dates into the plans (all or nothing)."""
    require(actor, "planning.plan")
    p = Problems()
    clean = text(p, "reason", _("Reason for the change"), reason, required=True, max_len=LONG_TEXT)
    p.raise_if_any()
    versions = steps_changed = orders_changed = 0
    with unit_of_work(db) as s:
        plans = {plan.order_id: plan for plan in current_plans(s, stages=PLANNING_STAGES,
                                                               order_ids=proposal.changed_orders)}
        stale = []
        for order_id in proposal.changed_orders:
            plan = plans.get(order_id)
            if plan is None or (plan.id, plan.version) != proposal.stamps.get(order_id):
                stale.append(order_id)
        if stale:
            numbers = [load_order(s, oid).order_no for oid in stale[:10]]
            raise ConcurrentEditError(_("Plans changed since this proposal was made ({orders}); run it again.",
                                        orders=", ".join(numbers)))
        for order_id in proposal.changed_orders:
            plan = plans[order_id]
            order: Order = plan.order
            wanted = {}
            for st in plan.steps:
                op = proposal.schedule.ops.get(step_key(order_id, st.seq))
                if op is None or st.state == "done":
                    continue
                start = st.planned_start if st.state == "in_progress" else op.start
                if (start, op.end) != (st.planned_start, st.planned_end):
                    wanted[st.seq] = (start, op.end)
            if not wanted:
                continue
            before = {seq: (st.planned_start.isoformat(), st.planned_end.isoformat())
                      for st in plan.steps for seq in [st.seq] if seq in wanted}
            target: ProductionPlan = plan
            if plan.status == "released":
                target = new_version(s, actor, order, plan, clean)
                versions += 1
            for st in target.steps:
                if st.seq in wanted:
                    st.planned_start, st.planned_end = wanted[st.seq]
                    steps_changed += 1
            if target is plan:
                flag_modified(plan, "change_reason")
            s.flush()
            orders_changed += 1
            label = LazyText("Re-plan all") if proposal.kind == "replan" else LazyText("Optimise")
            audit.record(s, actor, "replan", "production_plan", target.id,
                         LazyText("{what}: plan {plan_no} of {order_no} rescheduled (v{version}): {reason}", what=label,
                           plan_no=target.plan_no, order_no=order.order_no, version=target.version_no,
                           reason=clean),
                         {"steps": before},
                         {"steps": {seq: (a.isoformat(), b.isoformat()) for seq, (a, b) in wanted.items()}},
                         order_id=order.id)
    return ApplyResult(orders_changed, versions, steps_changed)
