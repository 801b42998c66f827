"""Finite-capacity list scheduling: a proposed plan for one order, and 'Re-plan all' for every open order."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date, timedelta

import numpy as np

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
        if op.earliest_start is not None:
            earliest = max(earliest, op.earliest_start)
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
        if op.earliest_start is not None:
            day = max(day, op.earliest_start)
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
    extra_capacity: Load | None = None,
) -> Schedule:
    """A plan for one order on top of the load of the other released plans.

    Backwards from the delivery date (less `buffer_days` kept for packing and shipping) when the whole routing
    fits between today (or the order's release, if later) and that day, so work starts as late as the date allows
    and capacity stays free for orders that come later; otherwise forwards from today, as early as capacity allows.
    No step starts before its own earliest start (materials expected). `extra_capacity` is capacity added by
    capacity measures (see `CapacityLedger`).

    Pure: it reads its arguments and returns a schedule, so the review uses it for a read-only proposal.
    """
    cals = calendar_map(calendars)
    ensure_valid_inputs([job], cals)
    ledger = CapacityLedger(cals, today, existing_load, extra_capacity)
    placed, open_steps, earliest = place_fixed_steps(job, ledger, today)
    if open_steps:
        planned = backward_steps(job, open_steps, ledger, earliest, job.due - timedelta(days=buffer_days))
        if planned is None:
            planned = forward_steps(job, open_steps, ledger, earliest)
        placed.extend(planned)
    return Schedule.of(placed)


DEFAULT_LOOKAHEADS = (0.5, 1.0, 2.0, 3.0, 5.0)


def replan_all(
    jobs: Iterable[Job],
    calendars: Calendars,
    today: date,
    existing_load: Load | None = None,
    lookaheads: Iterable[float] = DEFAULT_LOOKAHEADS,
    extra_capacity: Load | None = None,
) -> ReplanResult:
    """Re-plan every open order against the capacity, forwards from today.

    Fixed steps stay where they are and are booked first; then the orders take capacity one after another in the
    order of the apparent tardiness cost rule (see `atc_order`), which weighs each order's priority, the work it
    has left and its slack. The rule's look-ahead decides how far ahead of its delivery date an order starts to
    count as urgent; the plan is made with each of `lookaheads` and the one with the least weighted lateness is
    kept (the first on a tie). `existing_load` is work in the workshops that is not part of these orders;
    `extra_capacity` is capacity added by capacity measures.
    """
    jobs = list(jobs)
    cals = calendar_map(calendars)
    ensure_valid_inputs(jobs, cals)
    best: ReplanResult | None = None
    for lookahead in lookaheads:
        result = _replan_once(jobs, cals, today, existing_load, lookahead, extra_capacity)
        if best is None or result.total_weighted_lateness < best.total_weighted_lateness:
            best = result
    if best is None:
        raise ValueError("replan_all needs at least one look-ahead")
    return best


def _replan_once(
    jobs: list[Job],
    cals: dict[int, WorkshopCalendar],
    today: date,
    existing_load: Load | None,
    lookahead: float,
    extra_capacity: Load | None = None,
) -> ReplanResult:
    ledger = CapacityLedger(cals, today, existing_load, extra_capacity)
    placed: list[ScheduledOperation] = []
    pending: list[tuple[Job, list[Operation], date]] = []
    for job in jobs:
        fixed, open_steps, earliest = place_fixed_steps(job, ledger, today)
        placed.extend(fixed)
        if open_steps:
            pending.append((job, open_steps, earliest))
    for job, open_steps, earliest in _dispatch(pending, ledger, today, lookahead):
        placed.extend(forward_steps(job, open_steps, ledger, earliest))
    schedule = Schedule.of(placed)
    return ReplanResult(schedule, schedule.late_orders(jobs), schedule.total_weighted_lateness(jobs))


def plan_in_order(
    jobs: Iterable[Job],
    calendars: Calendars,
    today: date,
    order_ids: Iterable[int],
    existing_load: Load | None = None,
    extra_capacity: Load | None = None,
) -> Schedule:
    """'Re-plan all' with the orders taking capacity in the order given (orders not named come last, in the
    order of `jobs`): fixed steps first, then each order's open steps forwards from its earliest day."""
    jobs = list(jobs)
    cals = calendar_map(calendars)
    ledger = CapacityLedger(cals, today, existing_load, extra_capacity)
    placed: list[ScheduledOperation] = []
    pending: dict[int, tuple[Job, list[Operation], date]] = {}
    for job in jobs:
        fixed, open_steps, earliest = place_fixed_steps(job, ledger, today)
        placed.extend(fixed)
        if open_steps:
            pending[job.order_id] = (job, open_steps, earliest)
    for order_id in [*order_ids, *pending]:
        item = pending.pop(order_id, None)
        if item is not None:
            job, open_steps, earliest = item
            placed.extend(forward_steps(job, open_steps, ledger, earliest))
    return Schedule.of(placed)


def _dispatch(
    pending: list[tuple[Job, list[Operation], date]], ledger: CapacityLedger, today: date, lookahead: float
) -> Iterator[tuple[Job, list[Operation], date]]:
    """Yield the pending orders in apparent tardiness cost order, each chosen when the orders before it have
    booked their capacity (the caller books it between two picks).

    The rule (Vepsalainen and Morton) takes next the order with the largest

        priority / work × exp(−max(0, slack) / (lookahead × mean work))

    where work is the order's remaining working days, and slack the calendar days it could still wait if it
    started when it can: at its earliest day, or when its first workshop has worked off what is booked there,
    whichever is later, then ran its steps back to back. Orders with little slack, much weight and little work go
    first; an order far from its delivery date counts for little until its slack runs out.
    """
    if not pending:
        return
    cals = ledger.calendars
    workshops = sorted(cals)
    column = {wid: i for i, wid in enumerate(workshops)}
    count = len(pending)
    earliest = np.empty(count)
    lead = np.empty(count)
    work = np.empty(count)
    due = np.empty(count)
    weight = np.empty(count)
    first_workshop = np.empty(count, dtype=np.int64)
    for index, (job, steps, start) in enumerate(pending):
        day = start
        finish = start
        days_of_work = 0
        for op in steps:
            if op.earliest_start is not None:
                day = max(day, op.earliest_start)
            days, _rate = step_shape(op.remaining_minutes, cals[op.workshop_id])
            axis = ledger.working_days(op.workshop_id)
            first = axis.index_on_or_after(day)
            finish = axis[first + days - 1]
            day = finish + ONE_DAY
            days_of_work += days
        earliest[index] = (start - today).days
        lead[index] = (finish - start).days + 1
        work[index] = days_of_work
        due[index] = (job.due - today).days
        weight[index] = job.priority
        first_workshop[index] = column[steps[0].workshop_id]
    booked = np.array([ledger.booked_minutes(wid) for wid in workshops], dtype=float)
    frontier = np.array([_frontier(ledger, wid, booked[column[wid]], today) for wid in workshops], dtype=float)
    ties = sorted(range(count), key=lambda i: priority_key(pending[i][0]))
    rank = np.empty(count)
    rank[ties] = np.arange(count)
    left = np.ones(count, dtype=bool)
    for _ in range(count):
        start = np.maximum(earliest, frontier[first_workshop])
        slack = np.maximum(0.0, due - (start + lead - 1))
        mean_work = max(1.0, float(work[left].mean()))
        index = weight / work * np.exp(-slack / (lookahead * mean_work))
        # The largest index first; exactly equal ones by delivery date, priority and order no.
        chosen = int(np.lexsort((rank, -index, ~left))[0])
        left[chosen] = False
        job, steps, start_day = pending[chosen]
        yield job, steps, start_day
        # forward_steps reserves each step's daily pace on each of its days.
        for op in steps:
            days, rate = step_shape(op.remaining_minutes, cals[op.workshop_id])
            booked[column[op.workshop_id]] += days * rate
        for wid in {op.workshop_id for op in steps}:
            frontier[column[wid]] = _frontier(ledger, wid, booked[column[wid]], today)


def _frontier(ledger: CapacityLedger, workshop_id: int, booked_minutes: float, today: date) -> float:
    """Calendar days from today until the workshop has worked off `booked_minutes` at full capacity."""
    full_days = int(booked_minutes // ledger.calendars[workshop_id].daily_capacity)
    return float((ledger.working_days(workshop_id)[full_days] - today).days)
