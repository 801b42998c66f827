"""Planning rules shared by every planning service: permissions, numbers, and DB rows turned into scheduling data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from ...i18n import N_, _
from ...models.orders import Order
from ...models.planning import CHECKLIST_KEYS, FactoryHoliday, PlanStep, ProductionPlan, Workshop
from ...models.users import User
from ...scheduling.calendar import spread_evenly, step_shape, working_days_between
from ...scheduling.model import Job, Load, Operation, ScheduledOperation, WorkshopCalendar
from .. import permissions, sequences
from ..context import Actor
from ..errors import FieldProblem, NotFound, ValidationError

# Stages in which an order has (or may get) a plan the planner works with.
PLANNING_STAGES = ("contracted", "planned", "in_production")
# Stages whose plans still take workshop capacity (final QC still books the QC step).
CAPACITY_STAGES = ("contracted", "planned", "in_production", "final_qc")
CURRENT_STATUSES = ("draft", "released")

# Calendar days kept between the last production step and the delivery date for packing and shipping.
SHIPPING_BUFFER_DAYS = 2

sequences.register_kind("task_sheet", "TS", 6)
sequences.register_kind("production_plan", "PP", 5)


# ---- who may do what --------------------------------------------------------------------------------------------

def is_planner(a: Actor) -> bool:
    """Production department heads and managers plan; factory managers and administrators may too."""
    return (a.department == "production" and a.role in ("department_head", "manager")) or a.role in (
        "manager", "administrator")


def is_production(a: Actor) -> bool:
    return a.department == "production" or a.role in ("manager", "administrator")


# Which departments confirm which checklist item (besides managers and administrators).
CHECKLIST_DEPARTMENTS: dict[str, tuple[str, ...]] = {
    "equipment": ("production",),
    "tooling": ("production", "technical"),
    "materials": ("purchasing", "quality"),
    "training": ("technical", "production"),
}


def may_confirm(a: Actor, key: str) -> bool:
    return a.department in CHECKLIST_DEPARTMENTS.get(key, ()) or a.role in ("manager", "administrator")


permissions.register("planning.master_data", is_planner, N_("edit workshops, the factory calendar or routings"))
permissions.register("planning.plan", is_planner, N_("propose, change or release production plans"))
permissions.register("planning.run_steps", is_production, N_("start or finish production steps"))
permissions.register("planning.print", is_production, N_("print task sheets"))
permissions.register("planning.checklist.equipment", lambda a: may_confirm(a, "equipment"),
                     N_("confirm that equipment is commissioned"))
permissions.register("planning.checklist.tooling", lambda a: may_confirm(a, "tooling"),
                     N_("confirm that tooling and moulds are ready"))
permissions.register("planning.checklist.materials", lambda a: may_confirm(a, "materials"),
                     N_("confirm that materials are picked and inspected"))
permissions.register("planning.checklist.training", lambda a: may_confirm(a, "training"),
                     N_("confirm that training is done"))


# ---- small helpers ----------------------------------------------------------------------------------------------

def step_key(order_id: int, seq: int) -> str:
    """The key of a step on the chart and in the scheduler: stable across plan versions."""
    return f"{order_id}-{seq}"


def parse_step_key(key: str) -> tuple[int, int]:
    try:
        order_part, seq_part = str(key).split("-", 1)
        return int(order_part), int(seq_part)
    except ValueError:
        raise NotFound(_("Step {key} is not on any plan.", key=key)) from None


def problems_error(messages: Sequence[str], field: str = "") -> ValidationError:
    """Several messages (e.g. every problem a scheduler found) as one error listing them all."""
    return ValidationError([FieldProblem(field, m) for m in messages])


def local_date(moment: dt.datetime | None) -> dt.date | None:
    return None if moment is None else moment.astimezone().date()


def needs_of(text: str) -> list[str]:
    """Checklist keys stored as 'tooling,materials', in checklist order."""
    wanted = {k.strip() for k in (text or "").split(",") if k.strip()}
    return [k for k in CHECKLIST_KEYS if k in wanted]


def needs_text(keys: Iterable[str]) -> str:
    wanted = set(keys)
    return ",".join(k for k in CHECKLIST_KEYS if k in wanted)


def weekdays_of(text: str) -> frozenset[int]:
    return frozenset(int(ch) for ch in (text or "") if ch.isdigit() and int(ch) < 7)


def weekdays_text(days: Iterable[int]) -> str:
    return "".join(str(d) for d in sorted(set(days)) if 0 <= d < 7)


def hours_text(minutes: int) -> str:
    """Minutes shown as hours with up to two decimals, e.g. 90 → '1.5'."""
    hours = minutes / 60
    text = f"{hours:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def user_name(user: User | None) -> str:
    return "" if user is None else (user.display_name or user.username)


def load_order(session: Session, order_id: int, lock: bool = False) -> Order:
    # Only the order row is locked: PostgreSQL refuses FOR UPDATE on the outer-joined owner.
    order = session.get(Order, order_id, with_for_update={"of": Order} if lock else None)
    if order is None:
        raise NotFound(_("Order {id} does not exist.", id=order_id))
    return order


# ---- calendars --------------------------------------------------------------------------------------------------

def factory_holidays(session: Session) -> frozenset[dt.date]:
    return frozenset(session.scalars(select(FactoryHoliday.day)))


def calendar_of(workshop: Workshop, holidays: frozenset[dt.date]) -> WorkshopCalendar:
    return WorkshopCalendar(workshop.id, workshop.name, workshop.minutes_per_day, workshop.benches,
                            weekdays_of(workshop.working_weekdays), holidays)


def calendars(session: Session) -> dict[int, WorkshopCalendar]:
    """Every workshop's calendar (inactive ones too: old plans may still use them)."""
    holidays = factory_holidays(session)
    return {w.id: calendar_of(w, holidays) for w in session.scalars(select(Workshop))}


# ---- plans ------------------------------------------------------------------------------------------------------

def current_plan(session: Session, order_id: int, lock: bool = False) -> ProductionPlan | None:
    """The order's draft or released plan (an order has at most one that is not superseded)."""
    stmt = (select(ProductionPlan).where(ProductionPlan.order_id == order_id,
                                         ProductionPlan.status.in_(CURRENT_STATUSES))
            .options(selectinload(ProductionPlan.steps)))
    if lock:
        stmt = stmt.with_for_update(of=ProductionPlan)
    return session.scalars(stmt).first()


def current_plans(session: Session, *, statuses: Sequence[str] = CURRENT_STATUSES,
                  stages: Sequence[str] = CAPACITY_STAGES, order_ids: Iterable[int] | None = None,
                  exclude_order_ids: Iterable[int] = ()) -> list[ProductionPlan]:
    stmt = (select(ProductionPlan).join(Order, Order.id == ProductionPlan.order_id)
            .where(ProductionPlan.status.in_(list(statuses)), Order.stage.in_(list(stages)))
            .options(selectinload(ProductionPlan.steps)))
    if order_ids is not None:
        stmt = stmt.where(ProductionPlan.order_id.in_(list(order_ids)))
    excluded = list(exclude_order_ids)
    if excluded:
        stmt = stmt.where(ProductionPlan.order_id.not_in(excluded))
    return list(session.scalars(stmt.order_by(ProductionPlan.order_id)))


def current_step_rows(session: Session, *, stages: Sequence[str] = CAPACITY_STAGES,
                      order_ids: Iterable[int] | None = None) -> list:
    """Every step of the current plans (draft or released) of orders in `stages`, as plain rows with the plan,
    order, customer, workshop, responsible person and issued task sheet — one query, no entities, so thousands of
    steps load quickly. Rows are ordered by order id and step seq; they work wherever a PlanStep is read for its
    dates (`step_display_dates`, `minutes_by_day`, `operation_of`)."""
    from ...models.customers import Customer
    from ...models.planning import TaskSheet

    stmt = (select(ProductionPlan.order_id, ProductionPlan.id.label("plan_id"), ProductionPlan.plan_no,
                   ProductionPlan.version_no, ProductionPlan.version.label("plan_version"),
                   ProductionPlan.status.label("plan_status"), Order.order_no, Order.delivery_date, Order.priority,
                   Order.total_quantity, Customer.name.label("customer"), PlanStep.seq, PlanStep.name,
                   PlanStep.workshop_id, Workshop.name.label("workshop"),
                   User.display_name.label("responsible"), PlanStep.state, PlanStep.planned_start,
                   PlanStep.planned_end, PlanStep.work_minutes, PlanStep.actual_start_at, PlanStep.actual_end_at,
                   TaskSheet.sheet_no, PlanStep.checklist_needs)
            .join(PlanStep, PlanStep.plan_id == ProductionPlan.id)
            .join(Order, Order.id == ProductionPlan.order_id)
            .join(Customer, Customer.id == Order.customer_id)
            .join(Workshop, Workshop.id == PlanStep.workshop_id)
            .outerjoin(User, User.id == PlanStep.responsible_id)
            .outerjoin(TaskSheet, and_(TaskSheet.plan_step_id == PlanStep.id, TaskSheet.status == "issued"))
            .where(ProductionPlan.status.in_(CURRENT_STATUSES), Order.stage.in_(list(stages))))
    if order_ids is not None:
        stmt = stmt.where(ProductionPlan.order_id.in_(list(order_ids)))
    return list(session.execute(stmt.order_by(ProductionPlan.order_id, PlanStep.seq)))


def step_display_dates(step: PlanStep, today: dt.date) -> tuple[dt.date, dt.date]:
    """Where a step stands on the chart: finished steps at their actual days, started steps from their actual
    start, a started step whose planned end has passed through today (it is still being worked on)."""
    if step.state == "done":
        start = local_date(step.actual_start_at) or step.planned_start
        end = local_date(step.actual_end_at) or step.planned_end
        return start, max(start, end)
    if step.state == "in_progress":
        start = local_date(step.actual_start_at) or step.planned_start
        return start, max(start, step.planned_end, today)
    return step.planned_start, step.planned_end


def operation_of(order_id: int, step: PlanStep, today: dt.date) -> Operation:
    """A plan step as the scheduler sees it: finished and started steps are fixed at their actual dates."""
    key = step_key(order_id, step.seq)
    if step.state == "done":
        start, end = step_display_dates(step, today)
        return Operation(key, step.seq, step.workshop_id, step.work_minutes, start, end, step.work_minutes, step.name)
    if step.state == "in_progress":
        start = local_date(step.actual_start_at) or step.planned_start
        # The planned finish is kept while it is still ahead; once past, the work continues from today.
        end = step.planned_end if step.planned_end >= max(today, start) else None
        return Operation(key, step.seq, step.workshop_id, step.work_minutes, start, end, 0, step.name)
    return Operation(key, step.seq, step.workshop_id, step.work_minutes, name=step.name)


def minutes_by_day(step, cal: WorkshopCalendar, today: dt.date | None) -> dict[dt.date, int]:
    """The work a step (a PlanStep, or a row with its date and state columns) books on each day: spread evenly
    over its working days (from `today` on when given).

    Finished steps book nothing. A started step past its planned finish keeps going from today at one bench's
    pace, as the scheduler assumes.
    """
    if step.state == "done":
        return {}
    start, end = step.planned_start, step.planned_end
    if step.state == "in_progress":
        start = local_date(step.actual_start_at) or start
        if today is not None and end < today:
            count, _rate = step_shape(step.work_minutes, cal)
            days: list[dt.date] = []
            day = today
            while len(days) < count:
                if cal.is_working_day(day):
                    days.append(day)
                day += dt.timedelta(days=1)
            return spread_evenly(step.work_minutes, days)
    first = start if today is None else max(start, today)
    if first > end:
        return {}
    days = working_days_between(cal, first, end)
    if not days:
        # Planned onto days off only (the checks refuse this, but old data may hold it): count it where it is.
        days = [first + dt.timedelta(days=i) for i in range((end - first).days + 1)]
    return spread_evenly(step.work_minutes, days)


def scheduled_of(order_id: int, step: PlanStep, cal: WorkshopCalendar, today: dt.date) -> ScheduledOperation:
    start, end = step_display_dates(step, today)
    if step.state == "in_progress":
        end = max(end, max(minutes_by_day(step, cal, today), default=end))
    return ScheduledOperation(step_key(order_id, step.seq), order_id, step.workshop_id, start, end,
                              minutes_by_day(step, cal, today))


def release_day(session: Session, order: Order, today: dt.date) -> dt.date:
    """The first day an order's work may start: its contract's signing day (or today, whichever is later)."""
    from ...models.reviews import Contract

    signed = session.scalar(select(Contract.signed_date).where(Contract.order_id == order.id))
    return max(today, signed) if signed else today


def due_of(order: Order, today: dt.date) -> dt.date:
    return order.delivery_date or today


def job_of(order: Order, steps: Sequence[PlanStep], today: dt.date, release: dt.date | None = None,
           session: Session | None = None) -> Job:
    """The order's plan as a scheduler job; with a session, the steps that need materials start no earlier than
    the day purchasing expects them (see review_inputs)."""
    ordered = sorted(steps, key=lambda s: s.seq)
    job = Job(order.id, order.order_no, due_of(order, today), max(1, order.priority), release or today,
              [operation_of(order.id, s, today) for s in ordered])
    if session is None:
        return job
    from .review_inputs import job_with_materials, materials_days

    return job_with_materials(job, [s.checklist_needs for s in ordered], materials_days(session, [order.id]).get(order.id))


def load_of_steps(steps: Iterable[tuple[int, PlanStep]], cals: dict[int, WorkshopCalendar],
                  today: dt.date | None) -> Load:
    load: Load = {}
    for _order_id, step in steps:
        cal = cals.get(step.workshop_id)
        if cal is None:
            continue
        by_day = load.setdefault(step.workshop_id, {})
        for day, minutes in minutes_by_day(step, cal, today).items():
            by_day[day] = by_day.get(day, 0) + minutes
    return load


def released_load(session: Session, cals: dict[int, WorkshopCalendar], today: dt.date, *,
                  exclude_order_ids: Iterable[int] = (), workshop_ids: Iterable[int] | None = None,
                  first: dt.date | None = None, last: dt.date | None = None,
                  statuses: Sequence[str] = ("released",)) -> Load:
    """Minutes per workshop per day booked by released plans from today on (other orders' work).

    Reads only the columns the load needs (no entities), so it stays quick with thousands of open steps.
    """
    stmt = (select(ProductionPlan.order_id, PlanStep.workshop_id, PlanStep.state, PlanStep.planned_start,
                   PlanStep.planned_end, PlanStep.work_minutes, PlanStep.actual_start_at)
            .join(PlanStep, PlanStep.plan_id == ProductionPlan.id)
            .join(Order, Order.id == ProductionPlan.order_id)
            .where(ProductionPlan.status.in_(list(statuses)), Order.stage.in_(CAPACITY_STAGES),
                   PlanStep.state != "done",
                   or_(PlanStep.planned_end >= today, PlanStep.state == "in_progress")))
    excluded = list(exclude_order_ids)
    if excluded:
        stmt = stmt.where(ProductionPlan.order_id.not_in(excluded))
    if workshop_ids is not None:
        stmt = stmt.where(PlanStep.workshop_id.in_(list(workshop_ids)))
    if last is not None:
        stmt = stmt.where(PlanStep.planned_start <= last)
    load = load_of_steps(((row.order_id, row) for row in session.execute(stmt)), cals, today)
    if first is not None:
        load = {wid: {d: m for d, m in by_day.items() if d >= first} for wid, by_day in load.items()}
    return load
