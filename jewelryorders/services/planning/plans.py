"""Production plans: propose from routings, change with versions, release with task sheets, start and finish steps.

The rules, in the procedure's words:
- a plan only for an order with a signed contract (stage `contracted` and a contract on record);
- a draft may be proposed again and changed freely; releasing it issues one task sheet per step and moves the
  order to `planned`; a change after release makes a new plan version that records why;
- a step starts only on a released plan, after the step before it has finished, and when the checklist items it
  needs are complete; the first start moves the order to `in_production`;
- scanning a task sheet's barcode starts its step, or finishes it when it has started.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from ... import clock
from ...db import Database
from ...i18n import LazyText, _
from ...models.customers import Customer
from ...models.orders import PRODUCT_TYPES, Order
from ...models.planning import (
    PLAN_STATUSES,
    STEP_STATES,
    ChecklistItem,
    OrderForecast,
    PlanStep,
    ProductionPlan,
    RoutingTemplate,
    TaskSheet,
    Workshop,
)
from ...models.users import DEPARTMENTS, User
from ...scheduling.calendar import overloaded_days
from ...scheduling.checks import check_change
from ...scheduling.greedy import propose_plan as greedy_propose
from ...scheduling.model import Job, Operation, Schedule, SchedulingError
from .. import audit, sequences, stages
from ..context import Actor, read_session, unit_of_work
from ..errors import ConcurrentEditError, GateError, NotFound, ValidationError
from ..permissions import require
from ..styles import styles_by_code
from ..validation import LONG_TEXT, Problems, text
from .checklist import ensure_checklist, step_blockers, step_label
from .common import (
    PLANNING_STAGES,
    SHIPPING_BUFFER_DAYS,
    calendars,
    current_plan,
    due_of,
    job_of,
    load_order,
    needs_of,
    needs_text,
    parse_step_key,
    problems_error,
    release_day,
    released_load,
    scheduled_of,
    step_display_dates,
    step_key,
    user_name,
)
from .master_data import piece_minutes, routings_by_product_type
from .review_inputs import capacity_from_measures, conditions_of, materials_days, with_materials_day
from .sheets import issue_sheets, standard_link

# ---- views ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanStepView:
    id: int
    key: str
    seq: int
    name: str
    workshop_id: int
    workshop: str
    responsible_id: int | None
    responsible: str
    planned_start: dt.date
    planned_end: dt.date
    start: dt.date  # where the step stands: actual start once started
    end: dt.date
    work_minutes: int
    loss_allowance_pct: Decimal
    checklist_needs: tuple[str, ...]
    process_requirements: str
    standard_code: str
    state: str
    actual_start_at: dt.datetime | None
    actual_end_at: dt.datetime | None
    sheet_no: str | None
    print_count: int
    blockers: tuple[str, ...]

    @property
    def state_label(self) -> str:
        return _(STEP_STATES[self.state])

    @property
    def can_start(self) -> bool:
        return self.state == "planned" and not self.blockers


@dataclass(frozen=True)
class PlanView:
    id: int
    order_id: int
    order_no: str
    customer: str
    stage: str
    delivery_date: dt.date | None
    priority: int
    plan_no: str
    version_no: int
    status: str
    change_reason: str
    created_at: dt.datetime
    created_by: str
    released_at: dt.datetime | None
    released_by: str
    version: int
    steps: tuple[PlanStepView, ...]
    finish: dt.date | None
    days_late: int
    warnings: tuple[str, ...] = ()
    # Carried from the passed review: the conditions agreed (department label: text) and the day purchasing
    # expects the materials (steps that need them start no earlier).
    review_conditions: tuple[str, ...] = ()
    materials_expected: dt.date | None = None

    @property
    def status_label(self) -> str:
        return _(PLAN_STATUSES[self.status])

    @property
    def released(self) -> bool:
        return self.status == "released"

    def step(self, seq: int) -> PlanStepView:
        for st in self.steps:
            if st.seq == seq:
                return st
        raise KeyError(seq)


@dataclass(frozen=True)
class PlanVersionInfo:
    id: int
    version_no: int
    status: str
    change_reason: str
    created_at: dt.datetime
    created_by: str
    released_at: dt.datetime | None


@dataclass(frozen=True)
class StepChange:
    """New values of one step; the caller passes every field (unchanged ones as they are)."""

    seq: int
    start: dt.date
    end: dt.date
    workshop_id: int
    responsible_id: int | None


@dataclass(frozen=True)
class ChangeOutcome:
    plan: PlanView
    warnings: tuple[str, ...]
    new_version: bool


@dataclass(frozen=True)
class StyleRouting:
    style_code: str
    product_type: str | None
    routing_id: int | None
    routing_name: str


@dataclass(frozen=True)
class ScanResult:
    sheet_no: str
    order_no: str
    step: str
    action: str  # "start" or "finish"
    message: str


def _overload_warnings(session: Session, plan: ProductionPlan, order: Order, today: dt.date,
                       cals=None) -> list[str]:
    """Days on which this plan's work pushes a workshop past its capacity (released plans of others included)."""
    cals = cals or calendars(session)
    open_steps = [st for st in plan.steps if st.state != "done" and st.workshop_id in cals]
    if not open_steps:
        return []
    schedule = Schedule.of(scheduled_of(order.id, st, cals[st.workshop_id], today) for st in open_steps)
    first = min(op.start for op in schedule.ops.values())
    last = max(op.end for op in schedule.ops.values())
    other = released_load(session, cals, today, exclude_order_ids=[order.id],
                          workshop_ids={st.workshop_id for st in open_steps}, first=first, last=last)
    mine = {(op.workshop_id, day) for op in schedule.ops.values() for day in op.minutes_by_day}
    warnings = []
    by_workshop: dict[int, list[tuple[dt.date, int, int]]] = {}
    extra = capacity_from_measures(session, cals, today)
    for wid, day, used, capacity in overloaded_days(schedule, cals, other, extra):
        if (wid, day) in mine:
            by_workshop.setdefault(wid, []).append((day, used, capacity))
    for wid, days in sorted(by_workshop.items(), key=lambda kv: kv[1][0][0]):
        day, used, capacity = days[0]
        warnings.append(_("Workshop {workshop} is overloaded on {count} days, first on {day}: {used} of "
                          "{capacity} hours.", workshop=cals[wid].name, count=len(days), day=day.isoformat(),
                          used=f"{used / 60:.1f}", capacity=f"{capacity / 60:.1f}"))
    return warnings


def plan_view(session: Session, plan: ProductionPlan, today: dt.date, with_warnings: bool = True) -> PlanView:
    order = plan.order
    sheets = {sh.seq: sh for sh in session.scalars(select(TaskSheet).where(TaskSheet.order_id == order.id,
                                                                           TaskSheet.status == "issued"))}
    items = {i.key: i for i in session.scalars(select(ChecklistItem).where(ChecklistItem.order_id == order.id))}
    is_current = plan.status in ("draft", "released")
    steps = []
    for st in plan.steps:
        start, end = step_display_dates(st, today)
        sheet = sheets.get(st.seq) if is_current else None
        blockers = tuple(step_blockers(session, plan, st, items)) if is_current else ()
        steps.append(PlanStepView(
            st.id, step_key(order.id, st.seq), st.seq, st.name, st.workshop_id, st.workshop.name, st.responsible_id,
            user_name(st.responsible), st.planned_start, st.planned_end, start, end, st.work_minutes,
            st.loss_allowance_pct, tuple(needs_of(st.checklist_needs)), st.process_requirements,
            st.standard_code, st.state, st.actual_start_at, st.actual_end_at,
            sheet.sheet_no if sheet else None, sheet.print_count if sheet else 0, blockers))
    finish = max((s.end for s in steps), default=None)
    days_late = max(0, (finish - order.delivery_date).days) if finish and order.delivery_date else 0
    warnings: list[str] = []
    if with_warnings and is_current:
        warnings = _overload_warnings(session, plan, order, today)
        if days_late:
            warnings.append(_("Order {order_no} finishes on {finish}, {days} days after its delivery date {due}.",
                              order_no=order.order_no, finish=finish.isoformat(), days=days_late,
                              due=order.delivery_date.isoformat()))
    return PlanView(plan.id, order.id, order.order_no, order.customer.name, order.stage, order.delivery_date,
                    order.priority, plan.plan_no, plan.version_no, plan.status, plan.change_reason, plan.created_at,
                    user_name(plan.created_by), plan.released_at, user_name(plan.released_by), plan.version,
                    tuple(steps), finish, days_late, tuple(warnings),
                    tuple(_(DEPARTMENTS[c.department]) + ": " + c.text if c.department in DEPARTMENTS else c.text
                          for c in conditions_of(session, order.id)),
                    materials_days(session, [order.id]).get(order.id))


def get_plan(db: Database, order_id: int, today: dt.date | None = None) -> PlanView | None:
    """The order's current plan (draft or released), or None before one is proposed."""
    with read_session(db) as s:
        plan = current_plan(s, order_id)
        return None if plan is None else plan_view(s, plan, today or clock.today())


def get_plan_version(db: Database, plan_id: int, today: dt.date | None = None) -> PlanView:
    with read_session(db) as s:
        plan = s.get(ProductionPlan, plan_id)
        if plan is None:
            raise NotFound(_("Plan {id} does not exist.", id=plan_id))
        return plan_view(s, plan, today or clock.today(), with_warnings=False)


def plan_history(db: Database, order_id: int) -> list[PlanVersionInfo]:
    with read_session(db) as s:
        plans = s.scalars(select(ProductionPlan).where(ProductionPlan.order_id == order_id)
                          .order_by(ProductionPlan.version_no.desc()))
        return [PlanVersionInfo(p.id, p.version_no, p.status, p.change_reason, p.created_at, user_name(p.created_by),
                                p.released_at) for p in plans]


# ---- the gate ---------------------------------------------------------------------------------------------------

def _contract_signed(session: Session, order_id: int) -> bool:
    from ...models.reviews import Contract

    return session.scalar(select(Contract.id).where(Contract.order_id == order_id)) is not None


def _require_plannable(session: Session, order: Order) -> None:
    if order.stage in ("planned", "in_production"):
        return
    if order.stage != "contracted":
        if order.stage in ("draft", "preliminary_review", "negotiating", "escalated", "detailed_review"):
            raise GateError(_("Order {order_no} cannot be planned: the contract is not signed yet (the order is "
                              "{stage}).", order_no=order.order_no, stage=stages.stage_label(order.stage)))
        raise GateError(_("Order {order_no} is {stage}; it cannot be planned.", order_no=order.order_no,
                          stage=stages.stage_label(order.stage)))
    if not _contract_signed(session, order.id):
        raise GateError(_("Order {order_no} cannot be planned: no signed contract is recorded for it.",
                          order_no=order.order_no))


# ---- proposing --------------------------------------------------------------------------------------------------

def routing_choices(db: Database, order_id: int) -> list[StyleRouting]:
    """The routing each style of the order would be planned with (None where the planner must choose one)."""
    with read_session(db) as s:
        order = load_order(s, order_id)
        codes = list(dict.fromkeys(line.style_code for line in order.lines))
        styles = styles_by_code(s, codes)
        by_type = routings_by_product_type(s)
        out = []
        for code in codes:
            style = styles.get(code)
            routing = by_type.get(style.product_type) if style is not None else None
            out.append(StyleRouting(code, style.product_type if style else None, routing.id if routing else None,
                                    routing.name if routing else ""))
        return out


def _merged_steps(session: Session, order: Order, routing_for_style: Mapping[str, int]) -> list[dict]:
    """One chain of steps for the whole order: the routings of its lines merged in routing order, the work of
    every line that passes a step added up (time per piece × quantity + time per batch for each line)."""
    codes = list(dict.fromkeys(line.style_code for line in order.lines))
    styles = styles_by_code(session, codes)
    by_type = routings_by_product_type(session)
    chosen: dict[str, RoutingTemplate] = {}
    p = Problems()
    for code in codes:
        routing = None
        if code in routing_for_style:
            routing = session.get(RoutingTemplate, routing_for_style[code])
            if routing is None:
                p.add(f"routing:{code}", _("Routing {id} does not exist.", id=routing_for_style[code]))
                continue
        else:
            style = styles.get(code)
            if style is None:
                p.add(f"routing:{code}", _("Style {style} of order {order_no} is not in the style list, so its "
                                           "routing is unknown; choose a routing for it.", style=code,
                                           order_no=order.order_no))
                continue
            routing = by_type.get(style.product_type)
            if routing is None:
                p.add(f"routing:{code}", _("{product_type} (style {style}) has no routing yet; add one under Master "
                                           "data ▸ Routings or choose a routing for it.",
                                           product_type=_(PRODUCT_TYPES.get(style.product_type, style.product_type)),
                                           style=code))
                continue
        if not routing.steps:
            p.add(f"routing:{code}", _("Routing {routing} has no steps; add at least one step.", routing=routing.name))
            continue
        chosen[code] = routing
    if not order.lines:
        p.add("lines", _("Order {order_no} has no lines to plan.", order_no=order.order_no))
    p.raise_if_any()

    order_keys: list[tuple[str, int]] = []
    merged: dict[tuple[str, int], dict] = {}
    for code in codes:
        position = -1
        for rstep in chosen[code].steps:
            key = (rstep.name, rstep.workshop_id)
            if key in order_keys:
                position = max(position, order_keys.index(key))
            else:
                position += 1
                order_keys.insert(position, key)
                merged[key] = {"name": rstep.name, "workshop_id": rstep.workshop_id, "work_minutes": 0,
                               "loss_allowance_pct": Decimal("0"), "needs": set(), "process": [], "quality": [],
                               "routing_step_ids": []}
            entry = merged[key]
            if rstep.id not in entry["routing_step_ids"]:
                entry["routing_step_ids"].append(rstep.id)
            entry["loss_allowance_pct"] = max(entry["loss_allowance_pct"], rstep.loss_allowance_pct)
            entry["needs"].update(needs_of(rstep.checklist_needs))
            for field_name, value in (("process", rstep.process_requirements), ("quality", rstep.standard_code)):
                if value.strip() and value not in entry[field_name]:
                    entry[field_name].append(value)
    for line in order.lines:
        for rstep in chosen[line.style_code].steps:
            merged[(rstep.name, rstep.workshop_id)]["work_minutes"] += (
                piece_minutes(rstep.seconds_per_piece, line.quantity) + rstep.minutes_per_batch)
    # A step merged from several routings keeps the routing step whose control point asks most (a first article
    # before an in-process check before none), so no check is lost; otherwise the first routing's step.
    from ...models.quality import ControlPoint

    all_ids = [i for entry in merged.values() for i in entry["routing_step_ids"]]
    points = {cp.routing_step_id: cp for cp in session.scalars(
        select(ControlPoint).where(ControlPoint.routing_step_id.in_(all_ids)))} if all_ids else {}
    for entry in merged.values():
        ids = entry.pop("routing_step_ids")
        entry["routing_step_id"] = min(ids, key=lambda i: (
            not (points.get(i) and points[i].fai_required), not (points.get(i) and points[i].ipqc), ids.index(i)))
    return [merged[key] for key in order_keys]


def propose_plan(db: Database, actor: Actor, order_id: int, *, routing_for_style: Mapping[str, int] | None = None,
                 today: dt.date | None = None) -> PlanView:
    """Propose (or propose again) the draft plan of a contracted order from its styles' routings.

    The finite-capacity scheduler places the steps after the load of every released plan: backwards from the
    delivery date (less SHIPPING_BUFFER_DAYS) where the routing fits, forwards from today where it does not. The
    review's outcome is taken into account: steps that need materials start no earlier than the day purchasing
    expects them, and the capacity measures committed in the passed round add to the workshops' capacity.
    """
    require(actor, "planning.plan")
    today = today or clock.today()
    with unit_of_work(db) as s:
        order = load_order(s, order_id, lock=True)
        _require_plannable(s, order)
        plan = current_plan(s, order.id, lock=True)
        if plan is not None and plan.status == "released":
            raise GateError(_("Plan {plan_no} v{version} of order {order_no} is already released; change its steps "
                              "(with a reason) or use Re-plan all.", plan_no=plan.plan_no, version=plan.version_no,
                              order_no=order.order_no))
        steps = _merged_steps(s, order, routing_for_style or {})
        cals = calendars(s)
        workshops = {w.id: w for w in s.scalars(select(Workshop))}
        keys = [step_key(order.id, seq) for seq in range(1, len(steps) + 1)]
        # The review's outcome: steps that need materials wait for the day purchasing expects them, and the
        # capacity measures production committed add to the workshops' capacity.
        job = Job(order.id, order.order_no, due_of(order, today), max(1, order.priority),
                  release_day(s, order, today),
                  with_materials_day([Operation(key, seq, st["workshop_id"], st["work_minutes"], name=st["name"])
                                      for seq, (key, st) in enumerate(zip(keys, steps), start=1)],
                                     [sorted(st["needs"]) for st in steps],
                                     materials_days(s, [order.id]).get(order.id)))
        other = released_load(s, cals, today, exclude_order_ids=[order.id])
        extra = capacity_from_measures(s, cals, today)
        try:
            schedule = greedy_propose(job, cals, other, today, buffer_days=SHIPPING_BUFFER_DAYS, extra_capacity=extra)
        except SchedulingError as exc:
            raise problems_error(exc.problems) from exc
        moment = clock.now()
        if plan is None:
            number = sequences.next_number(s, "production_plan", moment.astimezone().year)
            latest = s.scalar(select(func.max(ProductionPlan.version_no)).where(ProductionPlan.order_id == order.id))
            plan = ProductionPlan(order_id=order.id, plan_no=number, version_no=(latest or 0) + 1, status="draft",
                                  created_at=moment, created_by_id=actor.user_id)
            s.add(plan)
            action, summary = "create", LazyText("Plan {plan_no} proposed for {order_no}", plan_no=number,
                                          order_no=order.order_no)
        else:
            plan.steps.clear()
            # The old steps go first, or their (plan, seq) would collide with the new ones.
            s.flush()
            plan.created_at, plan.created_by_id = moment, actor.user_id
            action, summary = "update", LazyText("Plan {plan_no} proposed again for {order_no}", plan_no=plan.plan_no,
                                          order_no=order.order_no)
        for seq, (key, st) in enumerate(zip(keys, steps), start=1):
            placed = schedule.ops[key]
            plan.steps.append(PlanStep(
                seq=seq, name=st["name"], workshop_id=st["workshop_id"],
                responsible_id=workshops[st["workshop_id"]].supervisor_id, planned_start=placed.start,
                planned_end=placed.end, work_minutes=st["work_minutes"],
                loss_allowance_pct=st["loss_allowance_pct"], checklist_needs=needs_text(st["needs"]),
                process_requirements="\n".join(st["process"]), routing_step_id=st["routing_step_id"],
                **standard_link(s, st["quality"][0] if st["quality"] else "", placed.start)))
        s.flush()
        ensure_checklist(s, order)
        audit.record(s, actor, action, "production_plan", plan.id, summary, None, _plan_snapshot(plan),
                     order_id=order.id)
        s.refresh(plan)
        return plan_view(s, plan, today)


def _plan_snapshot(plan: ProductionPlan) -> dict:
    return {"plan_no": plan.plan_no, "version_no": plan.version_no, "status": plan.status,
            "change_reason": plan.change_reason,
            "steps": [{"seq": st.seq, "name": st.name, "workshop_id": st.workshop_id,
                       "responsible_id": st.responsible_id, "start": st.planned_start.isoformat(),
                       "end": st.planned_end.isoformat(), "minutes": st.work_minutes} for st in plan.steps]}


# ---- changing ---------------------------------------------------------------------------------------------------

def new_version(session: Session, actor: Actor, order: Order, plan: ProductionPlan, reason: str,
                now: dt.datetime | None = None) -> ProductionPlan:
    """Supersede a released plan by a copy (released, with the reason); its task sheets follow their steps."""
    moment = now or clock.now()
    copy = ProductionPlan(order_id=plan.order_id, plan_no=plan.plan_no, version_no=plan.version_no + 1,
                          status="released", change_reason=reason, created_at=moment, created_by_id=actor.user_id,
                          released_at=moment, released_by_id=actor.user_id)
    for st in plan.steps:
        copy.steps.append(PlanStep(
            seq=st.seq, name=st.name, workshop_id=st.workshop_id, responsible_id=st.responsible_id,
            planned_start=st.planned_start, planned_end=st.planned_end, work_minutes=st.work_minutes,
            loss_allowance_pct=st.loss_allowance_pct, checklist_needs=st.checklist_needs,
            process_requirements=st.process_requirements, routing_step_id=st.routing_step_id,
            standard_code=st.standard_code, standard_id=st.standard_id, state=st.state,
            actual_start_at=st.actual_start_at, actual_end_at=st.actual_end_at, started_by_id=st.started_by_id,
            finished_by_id=st.finished_by_id))
    plan.status = "superseded"
    plan.superseded_at = moment
    session.add(copy)
    session.flush()
    issue_sheets(session, actor, order, copy, moment)
    return copy


def _clean_reason(plan: ProductionPlan, order: Order, reason: str) -> str:
    p = Problems()
    clean = text(p, "reason", _("Reason for the change"), reason, max_len=LONG_TEXT)
    p.raise_if_any()
    if plan.status == "released" and not clean:
        raise ValidationError(_("Plan {plan_no} v{version} of order {order_no} is released: say why it changes (the "
                                "reason is kept with the new version).", plan_no=plan.plan_no,
                                version=plan.version_no, order_no=order.order_no), "reason")
    return clean


def _apply_changes(session: Session, order: Order, plan: ProductionPlan, changes: Sequence[StepChange],
                   today: dt.date) -> list[str]:
    """Check each change as the Gantt does (scheduling.check_change) and apply it; errors refuse all of them."""
    cals = calendars(session)
    by_seq = {st.seq: st for st in plan.steps}
    errors: list[str] = []
    warnings: list[str] = []
    users = {}
    for change in changes:
        step = by_seq.get(change.seq)
        if step is None:
            errors.append(_("Plan {plan_no} of order {order_no} has no step {seq}.", plan_no=plan.plan_no,
                            order_no=order.order_no, seq=change.seq))
            continue
        label = step_label(step)
        where = {"order_no": order.order_no, "step": label}
        shown_start, shown_end = step_display_dates(step, today)
        if step.state == "done":
            if (change.start, change.end, change.workshop_id) != (shown_start, shown_end, step.workshop_id):
                errors.append(_("Order {order_no}, step {step} is finished; its dates are history.", **where))
            continue
        if change.workshop_id != step.workshop_id:
            workshop = session.get(Workshop, change.workshop_id)
            if step.state != "planned":
                errors.append(_("Order {order_no}, step {step} has started in {workshop}; it cannot move to another "
                                "workshop.", workshop=step.workshop.name, **where))
                continue
            if workshop is None or not workshop.active:
                errors.append(_("Order {order_no}, step {step}: choose an open workshop.", **where))
                continue
            step.workshop_id = change.workshop_id
            session.flush()
            session.refresh(step, ["workshop"])
        if change.responsible_id != step.responsible_id:
            if change.responsible_id is not None:
                user = users.get(change.responsible_id) or session.get(User, change.responsible_id)
                if user is None or not user.active:
                    errors.append(_("Order {order_no}, step {step}: the responsible person must be an active user.",
                                    **where))
                    continue
            step.responsible_id = change.responsible_id
        start = shown_start if step.state == "in_progress" else change.start
        if step.state == "in_progress" and change.start != shown_start:
            errors.append(_("Order {order_no}, step {step} started on {start}; only its finish can change.",
                            start=shown_start.isoformat(), **where))
            continue
        if (start, change.end) == (shown_start, shown_end) and change.workshop_id == step.workshop_id:
            continue
        job = job_of(order, plan.steps, today, session=session)
        schedule = Schedule.of(scheduled_of(order.id, st, cals[st.workshop_id], today) for st in plan.steps)
        other = released_load(session, cals, today, exclude_order_ids=[order.id], workshop_ids=[step.workshop_id],
                              first=start, last=change.end)
        check = check_change(schedule, step_key(order.id, step.seq), start, change.end, [job], cals, other, today)
        if check.errors:
            errors.extend(check.errors)
            continue
        warnings.extend(check.warnings)
        if step.state == "planned":
            step.planned_start = start
        step.planned_end = change.end
        session.flush()
    if errors:
        raise problems_error(errors)
    return warnings


def _step_values(step: PlanStep, today: dt.date) -> tuple:
    start, end = step_display_dates(step, today)
    return start, end, step.workshop_id, step.responsible_id


def change_steps(db: Database, actor: Actor, plan_id: int, changes: Sequence[StepChange], *, reason: str = "",
                 expected_version: int | None = None, today: dt.date | None = None) -> ChangeOutcome:
    """Change steps of an order's current plan. A draft changes in place; a released plan gets a new version
    that records `reason` (required). Every change is checked like a drag on the Gantt: not before the step
    before it, not after the next one, not on a day off, not in the past; overloads are warnings."""
    require(actor, "planning.plan")
    today = today or clock.today()
    with unit_of_work(db) as s:
        plan = s.get(ProductionPlan, plan_id, with_for_update={"of": ProductionPlan})
        if plan is None:
            raise NotFound(_("Plan {id} does not exist.", id=plan_id))
        order = load_order(s, plan.order_id, lock=True)
        if plan.status == "superseded":
            raise ConcurrentEditError(_("Plan {plan_no} v{version} of order {order_no} has been replaced by a newer "
                                        "version; reopen the plan and change that one.", plan_no=plan.plan_no,
                                        version=plan.version_no, order_no=order.order_no))
        if expected_version is not None and plan.version != expected_version:
            raise ConcurrentEditError(_("Someone else changed plan {plan_no} of order {order_no} while you were "
                                        "editing it. Reopen it to see their changes, then make yours again.",
                                        plan_no=plan.plan_no, order_no=order.order_no))
        if order.stage not in PLANNING_STAGES:
            raise GateError(_("Order {order_no} is {stage}; its plan can no longer change.", order_no=order.order_no,
                              stage=stages.stage_label(order.stage)))
        by_seq = {st.seq: st for st in plan.steps}
        real = [c for c in changes if c.seq not in by_seq
                or (c.start, c.end, c.workshop_id, c.responsible_id) != _step_values(by_seq[c.seq], today)]
        if not real:
            return ChangeOutcome(plan_view(s, plan, today), (), False)
        clean_reason = _clean_reason(plan, order, reason)
        before = _plan_snapshot(plan)
        released = plan.status == "released"
        target = new_version(s, actor, order, plan, clean_reason) if released else plan
        warnings = _apply_changes(s, order, target, real, today)
        if released:
            # Sheets were linked before the change; they still point at the same steps, now with new dates.
            summary = LazyText("Plan {plan_no} of {order_no} changed to v{version}: {reason}", plan_no=target.plan_no,
                        order_no=order.order_no, version=target.version_no, reason=clean_reason)
        else:
            flag_modified(target, "change_reason")  # step changes alone make a new row version of the plan
            summary = LazyText("Draft plan {plan_no} of {order_no} changed", plan_no=target.plan_no, order_no=order.order_no)
        s.flush()
        audit.record(s, actor, "update", "production_plan", target.id, summary, before, _plan_snapshot(target),
                     order_id=order.id)
        s.refresh(target)
        return ChangeOutcome(plan_view(s, target, today), tuple(warnings), released)


def move_step(db: Database, actor: Actor, key: str, start: dt.date, end: dt.date, *, reason: str = "",
              today: dt.date | None = None) -> ChangeOutcome:
    """What a drag on the Gantt saves: step `key` (order id-seq) to run from `start` to `end` inclusive."""
    order_id, seq = parse_step_key(key)
    today = today or clock.today()
    with read_session(db) as s:
        plan = current_plan(s, order_id)
        if plan is None:
            raise NotFound(_("Step {key} is not on any plan.", key=key))
        step = next((st for st in plan.steps if st.seq == seq), None)
        if step is None:
            raise NotFound(_("Step {key} is not on any plan.", key=key))
        plan_id, version = plan.id, plan.version
        change = StepChange(seq, start, end, step.workshop_id, step.responsible_id)
    return change_steps(db, actor, plan_id, [change], reason=reason, expected_version=version, today=today)


def plan_status_of_step(db: Database, key: str) -> str | None:
    """'draft' or 'released' for the plan holding step `key` (the Gantt asks before a drag whether to want a
    reason)."""
    order_id, _seq = parse_step_key(key)
    with read_session(db) as s:
        return s.scalar(select(ProductionPlan.status).where(ProductionPlan.order_id == order_id,
                                                            ProductionPlan.status.in_(("draft", "released"))))


# ---- releasing --------------------------------------------------------------------------------------------------

def release_plan(db: Database, actor: Actor, plan_id: int, *, expected_version: int | None = None,
                 today: dt.date | None = None) -> PlanView:
    """Release a draft: every step is checked again, one task sheet per step is issued, the order is planned.

    Overloaded workshop days do not stop a release; the returned plan lists them in `warnings`.
    """
    require(actor, "planning.plan")
    today = today or clock.today()
    with unit_of_work(db) as s:
        plan = s.get(ProductionPlan, plan_id, with_for_update={"of": ProductionPlan})
        if plan is None:
            raise NotFound(_("Plan {id} does not exist.", id=plan_id))
        order = load_order(s, plan.order_id, lock=True)
        if expected_version is not None and plan.version != expected_version:
            raise ConcurrentEditError(_("Someone else changed plan {plan_no} of order {order_no} while you were "
                                        "editing it. Reopen it to see their changes, then make yours again.",
                                        plan_no=plan.plan_no, order_no=order.order_no))
        if plan.status != "draft":
            raise GateError(_("Plan {plan_no} v{version} of order {order_no} is {status}; only a draft is released.",
                              plan_no=plan.plan_no, version=plan.version_no, order_no=order.order_no,
                              status=_(PLAN_STATUSES[plan.status])))
        if order.stage != "contracted" or not _contract_signed(s, order.id):
            _require_plannable(s, order)
            raise GateError(_("Order {order_no} is {stage}; its plan cannot be released.", order_no=order.order_no,
                              stage=stages.stage_label(order.stage)))
        if not plan.steps:
            raise ValidationError(_("Plan {plan_no} of order {order_no} has no steps; propose it again.",
                                    plan_no=plan.plan_no, order_no=order.order_no))
        cals = calendars(s)
        job = job_of(order, plan.steps, today, session=s)
        schedule = Schedule.of(scheduled_of(order.id, st, cals[st.workshop_id], today) for st in plan.steps)
        errors: list[str] = []
        for st in plan.steps:
            check = check_change(schedule, step_key(order.id, st.seq), st.planned_start, st.planned_end, [job], cals,
                                 None, today)
            errors.extend(e for e in check.errors if e not in errors)
        if errors:
            raise problems_error(errors)
        moment = clock.now()
        plan.status = "released"
        plan.released_at, plan.released_by_id = moment, actor.user_id
        s.flush()
        sheets = issue_sheets(s, actor, order, plan, moment)
        ensure_checklist(s, order)
        audit.record(s, actor, "release", "production_plan", plan.id,
                     LazyText("Plan {plan_no} v{version} of {order_no} released; task sheets {first} – {last}",
                       plan_no=plan.plan_no, version=plan.version_no, order_no=order.order_no,
                       first=sheets[0].sheet_no, last=sheets[-1].sheet_no),
                     {"status": "draft"}, {"status": "released", "sheets": [sh.sheet_no for sh in sheets]},
                     order_id=order.id)
        stages.move(s, actor, order, "planned", LazyText("plan {plan_no} released", plan_no=plan.plan_no))
        s.refresh(plan)
        return plan_view(s, plan, today)


# ---- running steps ----------------------------------------------------------------------------------------------

def _running_plan(session: Session, order: Order) -> ProductionPlan:
    plan = current_plan(session, order.id, lock=True)
    if plan is None or plan.status != "released":
        raise GateError(_("Order {order_no} has no released plan; a step starts only on a released plan with its "
                          "task sheet.", order_no=order.order_no))
    return plan


def _start(session: Session, actor: Actor, order: Order, plan: ProductionPlan, step: PlanStep,
           moment: dt.datetime) -> str:
    if step.state != "planned":
        when = step.actual_start_at.astimezone().strftime("%Y-%m-%d %H:%M") if step.actual_start_at else ""
        raise GateError(_("Order {order_no}, step {step} has already started ({when}).", order_no=order.order_no,
                          step=step_label(step), when=when))
    blockers = step_blockers(session, plan, step)
    if blockers:
        raise GateError(_("Order {order_no}, step {step} cannot start yet: {reasons}.", order_no=order.order_no,
                          step=step_label(step), reasons="; ".join(blockers)))
    step.state = "in_progress"
    step.actual_start_at, step.started_by_id = moment, actor.user_id
    session.flush()
    audit.record(session, actor, "start", "plan_step", step.id,
                 LazyText("Step {step} of {order_no} started", step=step_label(step), order_no=order.order_no),
                 {"state": "planned"}, {"state": "in_progress", "at": moment}, order_id=order.id)
    if order.stage == "planned":
        stages.move(session, actor, order, "in_production", LazyText("step {step} started", step=step_label(step)))
    return _("Order {order_no}, step {step} started.", order_no=order.order_no, step=step_label(step))


def _finish(session: Session, actor: Actor, order: Order, step: PlanStep, moment: dt.datetime) -> str:
    if step.state == "done":
        raise GateError(_("Order {order_no}, step {step} is already finished.", order_no=order.order_no,
                          step=step_label(step)))
    if step.state != "in_progress":
        raise GateError(_("Order {order_no}, step {step} has not started; start it before finishing it.",
                          order_no=order.order_no, step=step_label(step)))
    step.state = "done"
    step.actual_end_at, step.finished_by_id = moment, actor.user_id
    session.flush()
    audit.record(session, actor, "finish", "plan_step", step.id,
                 LazyText("Step {step} of {order_no} finished", step=step_label(step), order_no=order.order_no),
                 {"state": "in_progress"}, {"state": "done", "at": moment}, order_id=order.id)
    return _("Order {order_no}, step {step} finished.", order_no=order.order_no, step=step_label(step))


def _step_of(plan: ProductionPlan, order: Order, seq: int) -> PlanStep:
    step = next((st for st in plan.steps if st.seq == seq), None)
    if step is None:
        raise NotFound(_("Plan {plan_no} of order {order_no} has no step {seq}.", plan_no=plan.plan_no,
                         order_no=order.order_no, seq=seq))
    return step


def start_step(db: Database, actor: Actor, order_id: int, seq: int, *, now: dt.datetime | None = None) -> str:
    """Record that step `seq` has started (refused, naming what is missing, while something blocks it); the start
    is written to the progress ledger on the step's task sheet."""
    from ..ledger import entries as ledger

    require(actor, "planning.run_steps")
    return ledger.record_start(db, actor, _sheet_no_of(db, order_id, seq), at=now).message


def finish_step(db: Database, actor: Actor, order_id: int, seq: int, *, now: dt.datetime | None = None) -> str:
    """Record that step `seq` has finished with its whole remaining quantity (the ledger's finish entry, without
    weights; the Ledger tab records weights); the last step finished sends the order to final inspection."""
    from ..ledger import entries as ledger

    require(actor, "planning.run_steps")
    number = _sheet_no_of(db, order_id, seq)
    info = ledger.open_sheet(db, number)
    return ledger.record_finish(db, actor, number, ledger.FinishInput(qty_done=info.remaining_qty, at=now)).message


def _sheet_no_of(db: Database, order_id: int, seq: int) -> str:
    with read_session(db) as s:
        order = load_order(s, order_id)
        plan = _running_plan(s, order)
        _step_of(plan, order, seq)
        number = s.scalar(select(TaskSheet.sheet_no).where(TaskSheet.order_id == order_id, TaskSheet.seq == seq,
                                                           TaskSheet.status == "issued"))
        if number is None:
            raise NotFound(_("Step {seq} of order {order_no} has no task sheet.", seq=seq, order_no=order.order_no))
        return number


SCAN_ACTIONS = ("auto", "start", "finish")


def scan_task_sheet(db: Database, actor: Actor, sheet_no: str, action: str = "auto", *,
                    now: dt.datetime | None = None) -> ScanResult:
    """A scanned task sheet number starts its step ('start'), finishes it ('finish'), or does whichever is next
    ('auto')."""
    if action not in SCAN_ACTIONS:
        raise ValidationError(_("Unknown scan action {action}; use start, finish or auto.", action=action), "action")
    require(actor, "planning.run_steps")
    number = (sheet_no or "").strip().upper()
    if not number:
        raise ValidationError(_("Scan a task sheet's barcode or type its number."), "sheet_no")
    from ..ledger import entries as ledger

    with read_session(db) as s:
        sheet = s.scalar(select(TaskSheet).where(TaskSheet.sheet_no == number))
        if sheet is None:
            raise NotFound(_("No task sheet has the number {sheet_no}. Check the barcode or type the number printed "
                             "under it.", sheet_no=number))
        order = load_order(s, sheet.order_id)
        if sheet.status == "void":
            raise GateError(_("Task sheet {sheet_no} is void: its step is no longer in the plan of order "
                              "{order_no}.", sheet_no=number, order_no=order.order_no))
        plan = _running_plan(s, order)
        step = _step_of(plan, order, sheet.seq)
        chosen = action if action != "auto" else ("start" if step.state == "planned" else "finish")
        order_no, label = order.order_no, step_label(step)
    # The scan is a ledger entry like any other: the quality gates run and the order's stage follows it.
    if chosen == "start":
        message = ledger.record_start(db, actor, number, at=now).message
    else:
        info = ledger.open_sheet(db, number)
        message = ledger.record_finish(db, actor, number, ledger.FinishInput(qty_done=info.remaining_qty,
                                                                           at=now)).message
    return ScanResult(number, order_no, label, chosen, message)


# ---- the list of orders to plan ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class PlanningOrderRow:
    order_id: int
    order_no: str
    customer: str
    delivery_date: dt.date | None
    priority: int
    stage: str
    plan_status: str | None
    plan_version: int | None
    projected_finish: dt.date | None
    days_late: int | None

    @property
    def at_risk(self) -> bool:
        return bool(self.days_late)


@dataclass
class PlanningOrderFilter:
    search: str = ""
    stages: Sequence[str] = PLANNING_STAGES
    only_late: bool = False
    sort: str = "delivery_date"
    descending: bool = False


_SORTS = {
    "order_no": Order.order_no,
    "customer": Customer.name,
    "delivery_date": Order.delivery_date,
    "priority": Order.priority,
    "stage": Order.stage,
    "plan": ProductionPlan.status,
    "days_late": OrderForecast.days_late,
}


def _planning_orders_stmt(columns, f: PlanningOrderFilter):
    stmt = (select(*columns).select_from(Order).join(Customer, Customer.id == Order.customer_id)
            .outerjoin(ProductionPlan, and_(ProductionPlan.order_id == Order.id,
                                            ProductionPlan.status.in_(("draft", "released"))))
            .outerjoin(OrderForecast, OrderForecast.order_id == Order.id)
            .where(Order.stage.in_(list(f.stages) or list(PLANNING_STAGES))))
    if f.search.strip():
        like = f"%{f.search.strip()}%"
        stmt = stmt.where(or_(Order.order_no.ilike(like), Customer.name.ilike(like), Order.style_summary.ilike(like)))
    if f.only_late:
        stmt = stmt.where(OrderForecast.days_late > 0)
    return stmt


def query_planning_orders(db: Database, f: PlanningOrderFilter, offset: int = 0,
                          limit: int = 200) -> list[PlanningOrderRow]:
    """Orders a planner works with (contracted, planned, in production), with their plan and forecast."""
    columns = (Order.id, Order.order_no, Customer.name, Order.delivery_date, Order.priority, Order.stage,
               ProductionPlan.status, ProductionPlan.version_no, OrderForecast.projected_finish,
               OrderForecast.days_late)
    key = _SORTS.get(f.sort, Order.delivery_date)
    order_by = key.desc() if f.descending else key.asc()
    stmt = _planning_orders_stmt(columns, f).order_by(order_by.nulls_last() if f.sort != "order_no" else order_by,
                                                      Order.order_no).offset(offset).limit(limit)
    with read_session(db) as s:
        return [PlanningOrderRow(*row) for row in s.execute(stmt)]


def count_planning_orders(db: Database, f: PlanningOrderFilter) -> int:
    with read_session(db) as s:
        return int(s.scalar(_planning_orders_stmt([func.count(Order.id)], f)) or 0)
