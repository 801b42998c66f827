"""Finite-capacity list scheduling: a proposed plan for one order, and 'Re-plan all' for every open order."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from .calendar import CapacityLedger, calendar_map, spread_evenly, step_shape, working_days_between
from .checks import ensure_valid_inputs
from .model import (
    Job,
    Load,
    Operation,
    ReplanResult,
    Schedule,
    ScheduledOperation,
    StepState,
    WorkshopCalendar,
    step_state,
)

ONE_DAY = timedelta(days=1)

Calendars = Mapping[int, WorkshopCalendar] | Iterable[WorkshopCalendar]


def priority_key(job: Job) -> tuple:
    """Earliest delivery first; on the same day the higher priority first; then by order no. so ties are stable."""
    return (job.due, -job.priority, job.order_no)


def place_fixed_step(job: Job, op: Operation, ledger: CapacityLedger, today: date) -> ScheduledOperation | None:
    """Put a finished, pinned or started step where it is (see `Operation`) and book its remaining work.

    A finished step without recorded dates is left out: it takes no capacity and holds nothing back.
    """
    state = step_state(op, today)
    cal = ledger.calendars[op.workshop_id]
    if state is StepState.FINISHED:
        start = op.fixed_start or op.fixed_end
        end = op.fixed_end or op.fixed_start
        if start is None or end is None:
            return None
        return ScheduledOperation(op.key, job.order_id, op.workshop_id, start, max(start, end), {})
    assert op.fixed_start is not None
    if state is StepState.PINNED:
        assert op.fixed_end is not None
        first = max(op.fixed_start, today)
        days = working_days_between(cal, first, op.fixed_end)
        if not days:
            # The planner pinned it onto days off; keep the pin and let the load chart and checks show it.
            days = [first + timedelta(days=i) for i in range((op.fixed_end - first).days + 1)]
        minutes = spread_evenly(op.remaining_minutes, days)
        ledger.book(op.workshop_id, minutes)
        return ScheduledOperation(op.key, job.order_id, op.workshop_id, op.fixed_start, op.fixed_end, minutes)
    # Started: the bench keeps going from today whatever else is planned, so it is booked even into an overload.
    count, _rate = step_shape(op.remaining_minutes, cal)
    wd = ledger.working_days(op.workshop_id)
    first_index = wd.index_on_or_after(max(op.fixed_start, today))
    days = wd.days(first_index, count)
    minutes = spread_evenly(op.remaining_minutes, days)
    ledger.book(op.workshop_id, minutes)
    return ScheduledOperation(op.key, job.order_id, op.workshop_id, op.fixed_start, days[-1], minutes)


def place_fixed_steps(
    job: Job, ledger: CapacityLedger, today: date
) -> tuple[list[ScheduledOperation], list[Operation], date]:
    """Book the fixed steps of an order; return them, its open steps, and the first day its open steps may start."""
    placed: list[ScheduledOperation] = []
    open_steps: list[Operation] = []
    earliest = max(today, job.release)
    for op in job.operations:
        if op.is_fixed:
            scheduled = place_fixed_step(job, op, ledger, today)
            if scheduled is not None:
                placed.append(scheduled)
                earliest = max(earliest, scheduled.end + ONE_DAY)
        else:
            open_steps.append(op)
    return placed, open_steps, earliest


def forward_steps(
    job: Job,
    steps: list[Operation],
    ledger: CapacityLedger,
    earliest: date,
    not_before: Mapping[str, date] | None = None,
) -> list[ScheduledOperation]:
    """Put each step at the first run of working days with room, after the step before it has finished.

    A step reserves its daily pace on each of its days (the odd minutes of an uneven spread included), the same
    reservation the optimiser's model makes, so a re-planned schedule is always a starting point the optimiser
    can take over unchanged.

    Precedence is day by day: a step starts at the earliest on the day after its predecessor's last day, because
    work moves between workshops as a batch with its ticket.
    """
    placed = []
    for op in steps:
        if not_before is not None and op.key in not_before:
            earliest = max(earliest, not_before[op.key])
        count, rate = step_shape(op.remaining_minutes, ledger.calendars[op.workshop_id])
        index = ledger.find_forward(op.workshop_id, earliest, count, rate)
        days = ledger.working_days(op.workshop_id).days(index, count)
        ledger.book(op.workshop_id, dict.fromkeys(days, rate))
        minutes = spread_evenly(op.remaining_minutes, days)
        placed.append(ScheduledOperation(op.key, job.order_id, op.workshop_id, days[0], days[-1], minutes))
        earliest = days[-1] + ONE_DAY
    return placed


def backward_steps(
    job: Job, steps: list[Operation], ledger: CapacityLedger, earliest: date, latest_end: date
) -> list[ScheduledOperation] | None:
    """Just in time: put the last step as late as it can finish by `latest_end`, then each earlier step as late as
    it can finish before the next one starts; None (and nothing booked) when the first step would start before
    `earliest`."""
    earliest_starts = []
    day = earliest
    for op in steps:
        wd = ledger.working_days(op.workshop_id)
        count, _rate = step_shape(op.remaining_minutes, ledger.calendars[op.workshop_id])
        index = wd.index_on_or_after(day)
        earliest_starts.append(wd[index])
        day = wd[index + count - 1] + ONE_DAY
    if day - ONE_DAY > latest_end:
        return None
    placed: list[ScheduledOperation] = []
    booked: list[tuple[int, dict[date, int]]] = []
    latest = latest_end
    for op, earliest_start in zip(reversed(steps), reversed(earliest_starts)):
        count, rate = step_shape(op.remaining_minutes, ledger.calendars[op.workshop_id])
        index = ledger.find_backward(op.workshop_id, latest, earliest_start, count, rate)
        if index is None:
            for workshop_id, reservation in booked:
                ledger.unbook(workshop_id, reservation)
            return None
        days = ledger.working_days(op.workshop_id).days(index, count)
        reservation = dict.fromkeys(days, rate)
        ledger.book(op.workshop_id, reservation)
        booked.append((op.workshop_id, reservation))
        minutes = spread_evenly(op.remaining_minutes, days)
        placed.append(ScheduledOperation(op.key, job.order_id, op.workshop_id, days[0], days[-1], minutes))
        latest = days[0] - ONE_DAY
    placed.reverse()
    return placed


def propose_plan(
    job: Job,
    calendars: Calendars,
    existing_load: Load | None,
    today: date,
    buffer_days: int = 0,
) -> Schedule:
    """A plan for one contracted order on top of the load of the other released plans.

    Backwards from the delivery date (less `buffer_days` kept for packing and shipping) when the whole routing
    fits between today (or the order's release, if later) and that day, so work starts as late as the date allows
    and capacity stays free for orders that come later; otherwise forwards from today, as early as capacity allows.
    """
    cals = calendar_map(calendars)
    ensure_valid_inputs([job], cals)
    ledger = CapacityLedger(cals, today, existing_load)
    placed, open_steps, earliest = place_fixed_steps(job, ledger, today)
    if open_steps:
        planned = backward_steps(job, open_steps, ledger, earliest, job.due - timedelta(days=buffer_days))
        if planned is None:
            planned = forward_steps(job, open_steps, ledger, earliest)
        placed.extend(planned)
    return Schedule.of(placed)


def replan_all(
    jobs: Iterable[Job],
    calendars: Calendars,
    today: date,
    existing_load: Load | None = None,
) -> ReplanResult:
    """Re-plan every open order against the capacity, forwards from today.

    Fixed steps stay where they are and are booked first; then the orders take capacity one after another, the
    earliest delivery date first and, on the same date, the highest priority first. `existing_load` is work in the
    workshops that is not part of these orders.
    """
    jobs = list(jobs)
    cals = calendar_map(calendars)
    ensure_valid_inputs(jobs, cals)
    ledger = CapacityLedger(cals, today, existing_load)
    placed: list[ScheduledOperation] = []
    pending: list[tuple[Job, list[Operation], date]] = []
    for job in jobs:
        fixed, open_steps, earliest = place_fixed_steps(job, ledger, today)
        placed.extend(fixed)
        pending.append((job, open_steps, earliest))
    pending.sort(key=lambda item: priority_key(item[0]))
    for job, open_steps, earliest in pending:
        placed.extend(forward_steps(job, open_steps, ledger, earliest))
    schedule = Schedule.of(placed)
    return ReplanResult(schedule, schedule.late_orders(jobs), schedule.total_weighted_lateness(jobs))
