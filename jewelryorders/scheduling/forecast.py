"""Delay forecast: where each open order is heading, from the work it has left and the workshops' load."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from .calendar import CapacityLedger, calendar_map
from .checks import ensure_valid_inputs
from .greedy import forward_steps, place_fixed_steps, priority_key
from .model import ForecastResult, Job, Load, Schedule, ScheduledOperation, WorkshopCalendar, lateness_days

Calendars = Mapping[int, WorkshopCalendar] | Iterable[WorkshopCalendar]

AT_RISK_DAYS = 2


def forecast(
    jobs: Iterable[Job],
    calendars: Calendars,
    load: Load | None,
    today: date,
    plan: Schedule | None = None,
    risk_days: int = AT_RISK_DAYS,
) -> dict[int, ForecastResult]:
    """The projected finish of every open order.

    Finished steps are done; a started step keeps its bench and goes on from today at full pace with the
    minutes it has left (work minutes less the minutes reported done); pinned steps stay where they are. The steps not yet started then take the
    capacity left, after the step before them and never before today. With the current `plan`, they are taken in
    the order the plan starts them and no earlier than it says (work is issued as planned, not sooner); without
    one, earliest delivery and highest priority first. `load` is other work in the workshops, not part of
    these orders.

    An order is at risk when it is projected late or finishes less than `risk_days` calendar days before its
    delivery date.
    """
    jobs = list(jobs)
    cals = calendar_map(calendars)
    ensure_valid_inputs(jobs, cals)
    ledger = CapacityLedger(cals, today, load)
    placed: dict[int, list[ScheduledOperation]] = {}
    pending = []
    for job in jobs:
        fixed, open_steps, earliest = place_fixed_steps(job, ledger, today)
        placed[job.order_id] = fixed
        pending.append((job, open_steps, earliest))

    not_before: dict[str, date] | None = None
    if plan is not None:
        not_before = {key: op.start for key, op in plan.ops.items()}

        def planned_first_start(item: tuple) -> tuple:
            job, open_steps, _earliest = item
            starts = [plan.ops[op.key].start for op in open_steps if op.key in plan.ops]
            return (min(starts) if starts else date.max, *priority_key(job))

        pending.sort(key=planned_first_start)
    else:
        pending.sort(key=lambda item: priority_key(item[0]))
    for job, open_steps, earliest in pending:
        placed[job.order_id].extend(forward_steps(job, open_steps, ledger, earliest, not_before))

    results = {}
    for job in jobs:
        ends = [op.end for op in placed[job.order_id]]
        finish = max(ends) if ends else today
        late = lateness_days(finish, job.due)
        at_risk = late > 0 or (job.due - finish).days < risk_days
        results[job.order_id] = ForecastResult(job.order_id, job.order_no, finish, late, at_risk)
    return results
