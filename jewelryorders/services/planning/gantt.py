"""The Gantt chart's data read from the plans, the check of a dragged bar, and the A3 wall-chart PDF."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select

from ... import clock
from ...db import Database
from ...gantt.data import DayLoad, GanttBar, GanttData, MoveCheck
from ...i18n import _, tr
from ...models.planning import PLAN_STATUSES, FactoryHoliday, Workshop
from ...reports.gantt_pdf import write_gantt_pdf
from ...scheduling.checks import check_change
from ...scheduling.model import Schedule
from ..context import Actor, read_session
from ..permissions import allowed
from ..stages import stage_label
from ..users import get_setting
from .common import (
    CAPACITY_STAGES,
    PLANNING_STAGES,
    calendars,
    current_plan,
    current_step_rows,
    job_of,
    minutes_by_day,
    parse_step_key,
    released_load,
    scheduled_of,
    step_display_dates,
    step_key,
    weekdays_of,
)

ONE_DAY = dt.timedelta(days=1)


def _bar_state(step, start: dt.date, end: dt.date, due: dt.date | None, today: dt.date) -> str:
    if step.state == "done":
        return "done"
    if step.state == "in_progress":
        return "late" if step.planned_end < today or (due is not None and end > due) else "in_progress"
    if start < today or (due is not None and end > due):
        return "late"
    return "planned"


def gantt_data(db: Database, *, first: dt.date | None = None, last: dt.date | None = None,
               today: dt.date | None = None, order_ids: list[int] | None = None, lang: str | None = None) -> GanttData:
    """Bars of every current plan (drafts and released) of orders still in production, with each workshop's
    daily load against its capacity and the factory holidays, for the window [first, last] (all when None)."""
    today = today or clock.today()
    with read_session(db) as s:
        cals = calendars(s)
        workshops = {w.id: w for w in s.scalars(select(Workshop))}
        rows = current_step_rows(s, stages=CAPACITY_STAGES, order_ids=order_ids)
        bars: list[GanttBar] = []
        used: dict[int, dict[dt.date, int]] = {}
        labels: dict[tuple[str, int, str], str] = {}
        for st in rows:
            start, end = step_display_dates(st, today)
            cal = cals.get(st.workshop_id)
            if cal is not None:
                by_day = used.setdefault(st.workshop_id, {})
                for day, minutes in minutes_by_day(st, cal, None).items():
                    by_day[day] = by_day.get(day, 0) + minutes
            if (first is not None and end < first) or (last is not None and start > last):
                continue
            plan_key = (st.plan_no, st.version_no, st.plan_status)
            if plan_key not in labels:
                labels[plan_key] = tr("Plan {plan_no} v{version} ({status})", lang, plan_no=st.plan_no,
                                      version=st.version_no, status=tr(PLAN_STATUSES[st.plan_status], lang))
            details = [labels[plan_key], tr("{hours} h of work", lang, hours=f"{st.work_minutes / 60:.1f}")]
            if st.sheet_no:
                details.append(tr("Task sheet {sheet_no}", lang, sheet_no=st.sheet_no))
            if st.delivery_date:
                details.append(tr("Delivery {date}", lang, date=st.delivery_date.isoformat()))
            bars.append(GanttBar(
                key=step_key(st.order_id, st.seq), order_id=st.order_id, order_no=st.order_no,
                customer=st.customer, workshop_id=st.workshop_id, workshop=st.workshop, step=st.name, seq=st.seq,
                start=start, end=end, state=_bar_state(st, start, end, st.delivery_date, today),
                responsible=st.responsible or "", quantity=st.total_quantity, details=" · ".join(details)))
        holidays_stmt = select(FactoryHoliday.day)
        span_first = first or min([b.start for b in bars] + [today]) - dt.timedelta(days=7)
        span_last = last or max([b.end for b in bars] + [today]) + dt.timedelta(days=7)
        holidays = frozenset(s.scalars(holidays_stmt.where(FactoryHoliday.day >= span_first,
                                                           FactoryHoliday.day <= span_last)))
        loads: list[DayLoad] = []
        shown = sorted((w for w in workshops.values() if w.active or w.id in used),
                       key=lambda w: (w.sort_order, w.name))
        # Capacity measures agreed in reviews (overtime, extra shifts, outsourcing) count as the workshop's capacity.
        from .review_inputs import capacity_from_measures

        extra = capacity_from_measures(s, cals, span_first)
        for workshop in shown:
            cal = cals[workshop.id]
            by_day = used.get(workshop.id, {})
            added = extra.get(workshop.id, {})
            day = span_first
            while day <= span_last:
                capacity = cal.capacity_on(day)
                loads.append(DayLoad(workshop.id, workshop.name, day, by_day.get(day, 0),
                                     capacity + added.get(day, 0) if capacity else capacity))
                day += ONE_DAY
        working = set()
        for workshop in workshops.values():
            if workshop.active:
                working |= weekdays_of(workshop.working_weekdays)
    weekend = frozenset(d for d in range(7) if d not in working) if working else frozenset({5, 6})
    return GanttData(bars, loads, holidays, today, "", weekend)


def check_move(db: Database, key: str, start: dt.date, end: dt.date, *, actor: Actor | None = None,
               today: dt.date | None = None) -> MoveCheck:
    """Judge a drag before it is saved, with the rules of scheduling.check_change: errors refuse the move
    (before the step before it, after the next one, on a day off, in the past), warnings let it stand
    (an overloaded workshop, a late order)."""
    today = today or clock.today()
    if actor is not None and not allowed(actor, "planning.plan"):
        return MoveCheck([_("Only planners change plans.")], [])
    try:
        order_id, seq = parse_step_key(key)
    except Exception:
        return MoveCheck([_("Step {key} is not on any plan.", key=key)], [])
    with read_session(db) as s:
        plan = current_plan(s, order_id)
        step = next((st for st in plan.steps if st.seq == seq), None) if plan is not None else None
        if step is None:
            return MoveCheck([_("Step {key} is not on any plan.", key=key)], [])
        order = plan.order
        if order.stage not in PLANNING_STAGES:
            return MoveCheck([_("Order {order_no} is {stage}; its plan can no longer change.",
                                order_no=order.order_no, stage=stage_label(order.stage))], [])
        shown_start, _shown_end = step_display_dates(step, today)
        if step.state == "done":
            return MoveCheck([_("Order {order_no}, step {step} is finished; its dates are history.",
                                order_no=order.order_no, step=f"{step.seq} {step.name}")], [])
        if step.state == "in_progress" and start != shown_start:
            return MoveCheck([_("Order {order_no}, step {step} started on {start}; only its finish can change.",
                                order_no=order.order_no, step=f"{step.seq} {step.name}",
                                start=shown_start.isoformat())], [])
        cals = calendars(s)
        job = job_of(order, plan.steps, today, session=s)
        schedule = Schedule.of(scheduled_of(order.id, st, cals[st.workshop_id], today) for st in plan.steps)
        other = released_load(s, cals, today, exclude_order_ids=[order.id], workshop_ids=[step.workshop_id],
                              first=start, last=end)
        result = check_change(schedule, key, start, end, [job], cals, other, today)
        return MoveCheck(list(result.errors), list(result.warnings))


def export_gantt_pdf(db: Database, path: str | Path, *, first: dt.date | None = None, last: dt.date | None = None,
                     lang: str = "zh_TW", grouping: str = "order", printed_by: str = "",
                     factory_name: str | None = None, today: dt.date | None = None) -> Path:
    """The A3 landscape wall chart of the plans between `first` and `last`."""
    data = gantt_data(db, first=first, last=last, today=today, lang=lang)
    factory = factory_name if factory_name is not None else get_setting(db, "factory_name")
    return write_gantt_pdf(data, path, factory_name=factory, lang=lang, grouping=grouping, date_from=first,
                           date_to=last, printed_by=printed_by)
