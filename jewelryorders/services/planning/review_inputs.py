"""What the detailed review hands to planning (procedure 2.4): capacity measures production committed, the day
purchasing expects the materials, and the conditions the departments agreed.

Read by every scheduler run over an order (proposal, Re-plan all, manual changes) and by the task sheets."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models.planning import CapacityMeasure, ChecklistItem, PlanReviewInput
from ...models.reviews import Contract
from ...scheduling.model import Job, Load, Operation, WorkshopCalendar

MATERIALS_NEED = "materials"


@dataclass(frozen=True)
class Condition:
    """A condition agreed in the review, as the plan keeps it and the task sheets print it."""

    department: str
    text: str


@dataclass(frozen=True)
class MeasureSpan:
    """A capacity measure as the scheduler needs it (stored or only proposed)."""

    workshop_id: int
    first_day: dt.date
    last_day: dt.date
    minutes_per_day: int


def extra_capacity(measures: Iterable[MeasureSpan | CapacityMeasure], cals: dict[int, WorkshopCalendar]) -> Load:
    """Capacity measures as extra minutes per workshop on each of its working days in their spans."""
    load: Load = {}
    for m in measures:
        cal = cals.get(m.workshop_id)
        if cal is None:
            continue
        by_day = load.setdefault(m.workshop_id, {})
        day = m.first_day
        while day <= m.last_day:
            if cal.is_working_day(day):
                by_day[day] = by_day.get(day, 0) + m.minutes_per_day
            day += dt.timedelta(days=1)
    return load


def contracted_measures(session: Session, order_ids: Iterable[int] | None = None) -> list[CapacityMeasure]:
    """The measures of the round each order's contract was signed on (a failed round's measures count for nothing)."""
    stmt = (select(CapacityMeasure).join(Contract, (Contract.order_id == CapacityMeasure.order_id)
                                         & (Contract.round_id == CapacityMeasure.round_id)))
    if order_ids is not None:
        stmt = stmt.where(CapacityMeasure.order_id.in_(list(order_ids)))
    return list(session.scalars(stmt.order_by(CapacityMeasure.first_day, CapacityMeasure.id)))


def capacity_from_measures(session: Session, cals: dict[int, WorkshopCalendar], today: dt.date,
                           order_ids: Iterable[int] | None = None) -> Load:
    """Extra capacity of the contracted orders' measures from today on (every open order's, unless named)."""
    from .common import CAPACITY_STAGES
    from ...models.orders import Order

    measures = [m for m in contracted_measures(session, order_ids) if m.last_day >= today]
    if order_ids is None and measures:
        open_ids = set(session.scalars(select(Order.id).where(Order.id.in_({m.order_id for m in measures}),
                                                             Order.stage.in_(CAPACITY_STAGES))))
        measures = [m for m in measures if m.order_id in open_ids]
    return extra_capacity(measures, cals)


def materials_days(session: Session, order_ids: Iterable[int] | None = None) -> dict[int, dt.date]:
    """The day each order's materials are expected, for orders whose materials are not yet confirmed on the
    checklist (once picked and inspected, nothing holds the steps back any more)."""
    stmt = select(PlanReviewInput.order_id, PlanReviewInput.materials_expected).where(
        PlanReviewInput.materials_expected.is_not(None))
    if order_ids is not None:
        stmt = stmt.where(PlanReviewInput.order_id.in_(list(order_ids)))
    days = {row.order_id: row.materials_expected for row in session.execute(stmt)}
    if days:
        confirmed = set(session.scalars(select(ChecklistItem.order_id).where(
            ChecklistItem.order_id.in_(list(days)), ChecklistItem.key == MATERIALS_NEED, ChecklistItem.done)))
        for order_id in confirmed:
            days.pop(order_id, None)
    return days


def with_materials_day(operations: Sequence[Operation], needs: Sequence[str | Iterable[str]],
                       materials_day: dt.date | None) -> list[Operation]:
    """The operations with `materials_day` as the earliest start of every open step that needs materials."""
    if materials_day is None:
        return list(operations)
    out = []
    for op, need in zip(operations, needs):
        keys = need.split(",") if isinstance(need, str) else list(need)
        if MATERIALS_NEED in keys and not op.is_fixed:
            op = replace(op, earliest_start=max(materials_day, op.earliest_start or materials_day))
        out.append(op)
    return out


def job_with_materials(job: Job, needs: Sequence[str | Iterable[str]], materials_day: dt.date | None) -> Job:
    return Job(job.order_id, job.order_no, job.due, job.priority, job.release,
               with_materials_day(job.operations, needs, materials_day))


def conditions_of(session: Session, order_id: int) -> list[Condition]:
    """The conditions the review agreed for an order, as carried into its plan at the contract."""
    raw = session.scalar(select(PlanReviewInput.conditions).where(PlanReviewInput.order_id == order_id))
    return parse_conditions(raw)


def parse_conditions(raw: str | None) -> list[Condition]:
    try:
        rows = json.loads(raw or "[]")
    except ValueError:
        return []
    return [Condition(str(r.get("department", "")), str(r.get("text", ""))) for r in rows
            if isinstance(r, dict) and str(r.get("text", "")).strip()]


def conditions_json(conditions: Iterable[Condition]) -> str:
    return json.dumps([{"department": c.department, "text": c.text} for c in conditions], ensure_ascii=False)
