"""Checks of scheduling input, of whole plans, and of a planner's manual change to one step."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from ..i18n import _
from .calendar import add_loads, calendar_map, load_of, spread_evenly, working_days_between
from .model import (
    ChangeCheck,
    Job,
    Load,
    Operation,
    Schedule,
    ScheduledOperation,
    SchedulingError,
    StepState,
    WorkshopCalendar,
    lateness_days,
    step_state,
)

Calendars = Mapping[int, WorkshopCalendar] | Iterable[WorkshopCalendar]

MINUTES_IN_A_DAY = 24 * 60


def calendar_problems(cal: WorkshopCalendar) -> list[str]:
    problems = []
    if cal.minutes_per_day <= 0:
        problems.append(
            _(
                "Workshop {workshop} works {minutes} minutes a day; set its hours per day above zero.",
                workshop=cal.name,
                minutes=cal.minutes_per_day,
            )
        )
    elif cal.minutes_per_day > MINUTES_IN_A_DAY:
        problems.append(
            _(
                "Workshop {workshop} works {minutes} minutes a day, more than a day has.",
                workshop=cal.name,
                minutes=cal.minutes_per_day,
            )
        )
    if cal.benches <= 0:
        problems.append(
            _("Workshop {workshop} has no capacity: it has {benches} benches.", workshop=cal.name, benches=cal.benches)
        )
    if not cal.working_weekdays or not set(cal.working_weekdays) <= set(range(7)):
        problems.append(_("Workshop {workshop} has no capacity: it has no working weekday.", workshop=cal.name))
    return problems


def input_problems(jobs: Iterable[Job], calendars: Calendars) -> list[str]:
    """Every reason the orders and calendars cannot be scheduled, as messages a planner can act on."""
    cals = calendar_map(calendars)
    problems: list[str] = []
    used_workshops: set[int] = set()
    seen_keys: set[str] = set()
    for job in jobs:
        if job.priority < 1:
            problems.append(
                _(
                    "Order {order} has priority {priority}; priorities start at 1.",
                    order=job.order_no,
                    priority=job.priority,
                )
            )
        if not job.operations:
            problems.append(_("Order {order} has a routing with no steps.", order=job.order_no))
            continue
        previous: Operation | None = None
        for op in job.operations:
            problems.extend(_step_problems(job, op, previous, cals, seen_keys))
            used_workshops.add(op.workshop_id)
            previous = op
    for wid in sorted(used_workshops):
        if wid in cals:
            problems.extend(calendar_problems(cals[wid]))
    return problems


def _step_problems(
    job: Job, op: Operation, previous: Operation | None, cals: Mapping[int, WorkshopCalendar], seen_keys: set[str]
) -> list[str]:
    problems = []
    where = {"order": job.order_no, "step": op.label}
    if op.key in seen_keys:
        problems.append(_("Order {order}, step {step}: the step key {key} is used twice.", key=op.key, **where))
    seen_keys.add(op.key)
    if op.workshop_id not in cals:
        problems.append(
            _("Order {order}, step {step}: workshop {workshop} has no calendar.", workshop=op.workshop_id, **where)
        )
    if op.work_minutes <= 0:
        problems.append(
            _(
                "Order {order}, step {step} has {minutes} minutes of work; a step needs more than zero.",
                minutes=op.work_minutes,
                **where,
            )
        )
    if op.done_minutes < 0:
        problems.append(
            _(
                "Order {order}, step {step} reports {minutes} minutes done; that cannot be negative.",
                minutes=op.done_minutes,
                **where,
            )
        )
    if op.fixed_end is not None and op.fixed_start is None and not op.is_finished:
        problems.append(_("Order {order}, step {step} has a finish date but no start date.", **where))
    if op.fixed_start is not None and op.fixed_end is not None and op.fixed_end < op.fixed_start:
        problems.append(
            _(
                "Order {order}, step {step} finishes on {end}, before it starts on {start}.",
                end=op.fixed_end.isoformat(),
                start=op.fixed_start.isoformat(),
                **where,
            )
        )
    if previous is not None:
        if op.seq <= previous.seq:
            problems.append(
                _(
                    "Order {order}: step {step} is listed after step {previous}; steps must be in routing order.",
                    previous=previous.label,
                    **where,
                )
            )
        if op.is_fixed and not previous.is_fixed:
            problems.append(
                _(
                    "Order {order}: step {step} is started or pinned but the step before it, {previous}, is not.",
                    previous=previous.label,
                    **where,
                )
            )
    return problems


def ensure_valid_inputs(jobs: Iterable[Job], calendars: Calendars) -> None:
    """Raise SchedulingError naming the first problem (all of them in `.problems`)."""
    problems = input_problems(jobs, calendars)
    if problems:
        raise SchedulingError(problems[0], problems)


def _day_off_reason(cal: WorkshopCalendar, day: date) -> str:
    if day in cal.holidays:
        return _("it is a holiday in workshop {workshop}", workshop=cal.name)
    return _("workshop {workshop} does not work on that weekday", workshop=cal.name)


def validate_schedule(
    schedule: Schedule,
    jobs: Iterable[Job],
    calendars: Calendars,
    today: date,
    other_load: Load | None = None,
) -> list[str]:
    """Everything that makes a plan impossible to follow; empty when the plan is valid.

    Fixed steps are taken as given (their dates are facts or the planner's pins). For every other step: it is
    planned, starts no earlier than today and the order's release and after the step before it, works only on its
    workshop's working days and no more than one bench-day a day, carries exactly its remaining work, and no day
    it works on is loaded beyond the workshop's capacity.
    """
    cals = calendar_map(calendars)
    errors: list[str] = []
    free_days: set[tuple[int, date]] = set()
    for job in jobs:
        previous: ScheduledOperation | None = None
        for op in job.operations:
            planned = schedule.ops.get(op.key)
            state = step_state(op, today)
            where = {"order": job.order_no, "step": op.label}
            if planned is None:
                if state is not StepState.FINISHED:
                    errors.append(_("Order {order}, step {step} is not planned.", **where))
                continue
            if state is StepState.OPEN:
                errors.extend(_open_step_errors(job, op, planned, previous, cals[op.workshop_id], today))
                free_days.update((op.workshop_id, day) for day in planned.minutes_by_day)
            elif op.fixed_start is not None and planned.start != op.fixed_start:
                errors.append(
                    _(
                        "Order {order}, step {step} has moved away from its fixed start {start}.",
                        start=op.fixed_start.isoformat(),
                        **where,
                    )
                )
            previous = planned
    if free_days:
        total = add_loads(load_of(schedule), other_load)
        for wid, day in sorted(free_days, key=lambda item: (item[1], item[0])):
            used = total.get(wid, {}).get(day, 0)
            capacity = cals[wid].capacity_on(day)
            if used > capacity:
                errors.append(
                    _(
                        "Workshop {workshop} is overloaded on {day}: {used} of {capacity} minutes.",
                        workshop=cals[wid].name,
                        day=day.isoformat(),
                        used=used,
                        capacity=capacity,
                    )
                )
    return errors


def _open_step_errors(
    job: Job,
    op: Operation,
    planned: ScheduledOperation,
    previous: ScheduledOperation | None,
    cal: WorkshopCalendar,
    today: date,
) -> list[str]:
    errors = []
    where = {"order": job.order_no, "step": op.label}
    if planned.end < planned.start:
        errors.append(
            _(
                "Order {order}, step {step} finishes on {end}, before it starts on {start}.",
                end=planned.end.isoformat(),
                start=planned.start.isoformat(),
                **where,
            )
        )
    if planned.start < max(today, job.release):
        errors.append(
            _(
                "Order {order}, step {step} starts on {start}, before the order may start ({earliest}).",
                start=planned.start.isoformat(),
                earliest=max(today, job.release).isoformat(),
                **where,
            )
        )
    if op.earliest_start is not None and planned.start < op.earliest_start:
        errors.append(
            _(
                "Order {order}, step {step} starts on {start}, before its materials are expected ({earliest}).",
                start=planned.start.isoformat(),
                earliest=op.earliest_start.isoformat(),
                **where,
            )
        )
    if previous is not None and planned.start <= previous.end:
        errors.append(
            _(
                "Order {order}, step {step} starts on {start}, before the step before it finishes on {end}.",
                start=planned.start.isoformat(),
                end=previous.end.isoformat(),
                **where,
            )
        )
    for day, minutes in sorted(planned.minutes_by_day.items()):
        if not cal.is_working_day(day):
            errors.append(
                _(
                    "Order {order}, step {step} has work on {day}: {reason}.",
                    day=day.isoformat(),
                    reason=_day_off_reason(cal, day),
                    **where,
                )
            )
        if not planned.start <= day <= planned.end:
            errors.append(
                _("Order {order}, step {step} has work on {day}, outside its dates.", day=day.isoformat(), **where)
            )
        if minutes > cal.minutes_per_day:
            errors.append(
                _(
                    "Order {order}, step {step} has {minutes} minutes on {day}; one bench works {limit} minutes a day.",
                    minutes=minutes,
                    day=day.isoformat(),
                    limit=cal.minutes_per_day,
                    **where,
                )
            )
    if planned.minutes != op.remaining_minutes:
        errors.append(
            _(
                "Order {order}, step {step} is planned with {planned} minutes of work but has {remaining} left.",
                planned=planned.minutes,
                remaining=op.remaining_minutes,
                **where,
            )
        )
    for day in sorted({planned.start, planned.end}):
        if not cal.is_working_day(day):
            errors.append(
                _(
                    "Order {order}, step {step} starts or ends on {day}: {reason}.",
                    day=day.isoformat(),
                    reason=_day_off_reason(cal, day),
                    **where,
                )
            )
    return errors


def check_change(
    schedule: Schedule,
    key: str,
    new_start: date,
    new_end: date,
    jobs: Iterable[Job],
    calendars: Calendars,
    other_load: Load | None = None,
    today: date | None = None,
) -> ChangeCheck:
    """Judge moving step `key` to run from `new_start` to `new_end` (inclusive) in `schedule`.

    Errors: the finish before the start; a start or finish on a holiday or a day the workshop does not work; a
    start on or before the day the previous step finishes; a finish on or after the day the next step starts; a
    start before today (when `today` is given) for a step not yet started. Warnings: more work than one bench
    can do in those days; a workshop day loaded beyond capacity; the order finishing after its delivery date.
    The step's remaining work is spread evenly over the working days of its new dates.
    """
    cals = calendar_map(calendars)
    current = schedule.ops.get(key)
    job, op = _find_step(jobs, key)
    if current is None or job is None or op is None:
        return ChangeCheck([_("Step {key} is not in this plan.", key=key)], [], [], 0)
    cal = cals[op.workshop_id]
    where = {"order": job.order_no, "step": op.label}
    errors: list[str] = []
    warnings: list[str] = []

    if new_end < new_start:
        errors.append(
            _(
                "Order {order}, step {step} would finish on {end}, before it starts on {start}.",
                end=new_end.isoformat(),
                start=new_start.isoformat(),
                **where,
            )
        )
    if not cal.is_working_day(new_start):
        errors.append(
            _(
                "Order {order}, step {step} cannot start on {day}: {reason}.",
                day=new_start.isoformat(),
                reason=_day_off_reason(cal, new_start),
                **where,
            )
        )
    if new_end != new_start and not cal.is_working_day(new_end):
        errors.append(
            _(
                "Order {order}, step {step} cannot finish on {day}: {reason}.",
                day=new_end.isoformat(),
                reason=_day_off_reason(cal, new_end),
                **where,
            )
        )
    if today is not None and op.fixed_start is None and new_start < today:
        errors.append(
            _(
                "Order {order}, step {step} has not started and cannot be planned to start in the past ({start}).",
                start=new_start.isoformat(),
                **where,
            )
        )

    index = job.operations.index(op)
    before = _planned_neighbour(schedule, job.operations[:index][::-1])
    after = _planned_neighbour(schedule, job.operations[index + 1 :])
    if before is not None and new_start <= before[1].end:
        errors.append(
            _(
                "Order {order}, step {step} cannot start on {start}: the step before it, {previous}, finishes on {end}.",
                start=new_start.isoformat(),
                previous=before[0].label,
                end=before[1].end.isoformat(),
                **where,
            )
        )
    if after is not None and new_end >= after[1].start:
        errors.append(
            _(
                "Order {order}, step {step} cannot finish on {end}: the next step, {following}, starts on {start}.",
                end=new_end.isoformat(),
                following=after[0].label,
                start=after[1].start.isoformat(),
                **where,
            )
        )

    work_from = new_start if today is None else max(new_start, today)
    days = working_days_between(cal, work_from, new_end) if new_end >= new_start else []
    minutes = spread_evenly(op.remaining_minutes, days)
    moved = ScheduledOperation(key, job.order_id, op.workshop_id, new_start, max(new_start, new_end), minutes)

    if days and op.remaining_minutes > len(days) * cal.minutes_per_day:
        warnings.append(
            _(
                "Order {order}, step {step} needs {minutes} minutes, but {days} working days on one bench give {available}.",
                minutes=op.remaining_minutes,
                days=len(days),
                available=len(days) * cal.minutes_per_day,
                **where,
            )
        )

    overloads = _overloads_of(schedule, moved, cal, other_load)
    if overloads:
        first = overloads[0]
        warnings.append(
            _(
                "Workshop {workshop} would be overloaded on {count} days, first on {day}: {used} of {capacity} minutes.",
                workshop=cal.name,
                count=len(overloads),
                day=first[1].isoformat(),
                used=first[2],
                capacity=first[3],
            )
        )

    finish = max([moved.end] + [s.end for s in schedule.ops.values() if s.order_id == job.order_id and s.key != key])
    late = lateness_days(finish, job.due)
    if late > 0:
        warnings.append(
            _(
                "Order {order} would be {days} days late (delivery date {due}).",
                order=job.order_no,
                days=late,
                due=job.due.isoformat(),
            )
        )
    return ChangeCheck(errors, warnings, overloads, late, moved)


def _find_step(jobs: Iterable[Job], key: str) -> tuple[Job | None, Operation | None]:
    for job in jobs:
        for op in job.operations:
            if op.key == key:
                return job, op
    return None, None


def _planned_neighbour(
    schedule: Schedule, candidates: list[Operation]
) -> tuple[Operation, ScheduledOperation] | None:
    for op in candidates:
        planned = schedule.ops.get(op.key)
        if planned is not None:
            return op, planned
    return None


def _overloads_of(
    schedule: Schedule, moved: ScheduledOperation, cal: WorkshopCalendar, other_load: Load | None
) -> list[tuple[int, date, int, int]]:
    """Overloaded days of the moved step's workshop among the days it works on."""
    wid = moved.workshop_id
    used = {day: minutes for day, minutes in moved.minutes_by_day.items()}
    for day in used:
        used[day] += (other_load or {}).get(wid, {}).get(day, 0)
    first, last = moved.start, moved.end
    for other in schedule.ops.values():
        if other.workshop_id != wid or other.key == moved.key or other.end < first or other.start > last:
            continue
        for day, minutes in other.minutes_by_day.items():
            if day in used:
                used[day] += minutes
    rows = []
    for day in sorted(used):
        capacity = cal.capacity_on(day)
        if used[day] > capacity:
            rows.append((wid, day, used[day], capacity))
    return rows
