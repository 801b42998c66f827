"""Seeded, reproducible jewelry factories (orders, routings, workshop calendars) for the scheduling bench and tests."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta

from ..i18n import N_
from .calendar import WorkingDays, step_shape
from .model import MONDAY_TO_FRIDAY, MONDAY_TO_SATURDAY, Job, Operation, WorkshopCalendar

GENERATED_TODAY = date(2026, 3, 23)

# Factory holidays in the planning window (Qingming, Labour Day), so plans must step around them.
FACTORY_HOLIDAYS: frozenset[date] = frozenset(
    [date(2026, 4, 4), date(2026, 4, 5), date(2026, 4, 6)] + [date(2026, 5, d) for d in range(1, 6)]
)
# The casting furnaces are relined on two Saturdays, so casting keeps a calendar of its own.
FURNACE_MAINTENANCE: frozenset[date] = frozenset([date(2026, 4, 18), date(2026, 5, 16)])


@dataclass(frozen=True)
class RoutingStep:
    """One step of the generated routing: its workshop and how its work grows with the quantity."""

    name: str
    minutes_per_piece: tuple[int, int]
    minutes_per_batch: tuple[int, int]
    minutes_per_day: int
    weekdays: frozenset[int]
    extra_holidays: frozenset[date]
    utilisation: float


ROUTING: tuple[RoutingStep, ...] = (
    RoutingStep(N_("CAD design"), (0, 0), (240, 960), 480, MONDAY_TO_FRIDAY, frozenset(), 0.80),
    RoutingStep(N_("Wax and mould"), (1, 3), (60, 240), 540, MONDAY_TO_SATURDAY, frozenset(), 0.85),
    RoutingStep(N_("Casting"), (1, 2), (120, 300), 540, MONDAY_TO_SATURDAY, FURNACE_MAINTENANCE, 0.80),
    RoutingStep(N_("Filing"), (4, 12), (30, 90), 540, MONDAY_TO_SATURDAY, frozenset(), 0.95),
    RoutingStep(N_("Stone setting"), (6, 24), (30, 90), 540, MONDAY_TO_SATURDAY, frozenset(), 1.00),
    RoutingStep(N_("Polishing"), (3, 8), (30, 60), 540, MONDAY_TO_SATURDAY, frozenset(), 0.90),
    RoutingStep(N_("Plating"), (1, 1), (60, 150), 480, MONDAY_TO_SATURDAY, frozenset(), 0.70),
    RoutingStep(N_("Final QC"), (1, 3), (30, 90), 480, MONDAY_TO_FRIDAY, frozenset(), 0.85),
)

PRIORITY_WEIGHTS = (1,) * 12 + (2,) * 5 + (3,) * 2 + (5,)


def generate_factory(
    n_orders: int, n_steps: int = 8, n_workshops: int = 8, seed: int = 2026
) -> tuple[list[Job], list[WorkshopCalendar], date]:
    """A factory of `n_orders` open orders × `n_steps` steps over `n_workshops` workshops, the same for the same
    arguments on every machine.

    Orders were released over the last weeks or will be in the next ones; those already running carry their
    finished and started steps. Each workshop gets enough benches to be loaded to its utilisation target over the
    window of delivery dates, with stone setting and filing the bottlenecks, so first-come plans leave some
    orders late.
    """
    if n_orders < 1 or n_steps < 1 or not 1 <= n_workshops <= len(ROUTING):
        raise ValueError(f"n_orders and n_steps ≥ 1, 1 ≤ n_workshops ≤ {len(ROUTING)}")
    rng = random.Random(seed)
    today = GENERATED_TODAY
    step_defs = [ROUTING[i % len(ROUTING)] for i in range(n_steps)]
    workshop_of_step = [i % n_workshops + 1 for i in range(n_steps)]
    template = {}
    for step_index, wid in enumerate(workshop_of_step):
        template.setdefault(wid, step_defs[step_index])
    provisional = {
        wid: WorkshopCalendar(
            workshop_id=wid,
            name=step.name,
            minutes_per_day=step.minutes_per_day,
            benches=1,
            working_weekdays=step.weekdays,
            holidays=FACTORY_HOLIDAYS | step.extra_holidays,
        )
        for wid, step in template.items()
    }
    history_days = {wid: WorkingDays(cal, today - timedelta(days=60)) for wid, cal in provisional.items()}

    jobs: list[Job] = []
    remaining_by_workshop = {wid: 0 for wid in provisional}
    for number in range(1, n_orders + 1):
        order_no = f"JO-2026-{number:04d}"
        quantity = int(math.exp(rng.uniform(math.log(10), math.log(150))))
        release = today + timedelta(days=rng.randint(-25, 10))
        priority = rng.choice(PRIORITY_WEIGHTS)
        works = [
            rng.randint(*step.minutes_per_piece) * quantity + rng.randint(*step.minutes_per_batch) for step in step_defs
        ]
        # Sales quote the routing's cycle time with a margin, as the factory's lead-time table does.
        cycle_days = sum(step_shape(work, provisional[wid])[0] + 1 for work, wid in zip(works, workshop_of_step))
        due = release + timedelta(days=math.ceil(cycle_days * 7 / 6 * rng.uniform(1.3, 2.2)) + 3)
        started = release < today and rng.random() < 0.9
        operations = _with_history(
            order_no, works, step_defs, workshop_of_step, provisional, history_days, release, today, started, rng
        )
        for op in operations:
            remaining_by_workshop[op.workshop_id] += op.remaining_minutes
        jobs.append(Job(number, order_no, due, priority, release, operations))

    last_due = max(job.due for job in jobs)
    calendars = []
    for wid, cal in provisional.items():
        window = WorkingDays(cal, today).count_through(last_due)
        step = template[wid]
        benches = max(1, math.ceil(remaining_by_workshop[wid] / (cal.minutes_per_day * window * step.utilisation)))
        calendars.append(
            WorkshopCalendar(wid, cal.name, cal.minutes_per_day, benches, cal.working_weekdays, cal.holidays)
        )
    return jobs, calendars, today


def _with_history(
    order_no: str,
    works: list[int],
    step_defs: list[RoutingStep],
    workshop_of_step: list[int],
    calendars: dict[int, WorkshopCalendar],
    history_days: dict[int, WorkingDays],
    release: date,
    today: date,
    started: bool,
    rng: random.Random,
) -> list[Operation]:
    """The order's steps, with the ones it went through before today finished (or one in progress)."""
    operations = []
    day = release
    running = started
    for seq, (work, step, wid) in enumerate(zip(works, step_defs, workshop_of_step), start=1):
        key = f"{order_no}/{seq}"
        if running:
            wd = history_days[wid]
            count, _rate = step_shape(work, calendars[wid])
            first = wd.index_on_or_after(day) + rng.randint(0, 2)
            start, end = wd[first], wd[first + count - 1]
            if start >= today:
                running = False
            elif end < today:
                operations.append(Operation(key, seq, wid, work, start, end, work, step.name))
                day = end + timedelta(days=1)
                continue
            else:
                done_days = len([d for d in wd.days(first, count) if d < today])
                done = min(work - 1, work * done_days // count)
                operations.append(Operation(key, seq, wid, work, start, None, done, step.name))
                running = False
                continue
        operations.append(Operation(key, seq, wid, work, name=step.name))
    return operations
