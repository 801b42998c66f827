"""Plain data of production scheduling: workshop calendars, orders' steps, schedules, and the results planners see."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from ..i18n import N_, tr

# Minutes booked per workshop per day: {workshop_id: {day: minutes}}.
Load = dict[int, dict[date, int]]

MONDAY_TO_FRIDAY: frozenset[int] = frozenset(range(5))
MONDAY_TO_SATURDAY: frozenset[int] = frozenset(range(6))


class SchedulingError(ValueError):
    """Input a scheduler cannot work with; the message is already translated and names the order, step or workshop.

    `problems` lists every problem found (the message shows the first), so a service can exclude the bad orders
    and tell the planner about all of them at once.
    """

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems: list[str] = problems if problems is not None else [message]


@dataclass(frozen=True, slots=True)
class WorkshopCalendar:
    """When a workshop works and how much.

    Capacity is counted in minutes per working day: `minutes_per_day` (the workshop's hours a day × 60) on each of
    `benches` benches, on a weekday listed in `working_weekdays` (0 = Monday … 6 = Sunday) that is not a holiday.
    One step of one order is worked on one bench at a time, so it gets at most `minutes_per_day` a day however empty
    the workshop is; several steps share a workshop day as long as the benches have minutes left.
    """

    workshop_id: int
    name: str
    minutes_per_day: int
    benches: int
    working_weekdays: frozenset[int] = MONDAY_TO_FRIDAY
    holidays: frozenset[date] = frozenset()

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.working_weekdays and day not in self.holidays

    @property
    def daily_capacity(self) -> int:
        """Minutes the whole workshop offers on one working day."""
        return self.minutes_per_day * self.benches

    def capacity_on(self, day: date) -> int:
        return self.daily_capacity if self.is_working_day(day) else 0

    @property
    def calendar_key(self) -> tuple[frozenset[int], frozenset[date]]:
        """Workshops with equal keys have the same working days (the optimiser shares their day index)."""
        return (self.working_weekdays, self.holidays)


@dataclass(frozen=True, slots=True)
class Operation:
    """One step of an order's routing in one workshop.

    `work_minutes` = standard minutes per piece × quantity + minutes per batch (computed by the caller).
    `done_minutes` is the work already reported in the progress ledger; a step whose done minutes reach its work
    minutes is finished. `fixed_start` / `fixed_end` are actual dates (started, finished) or dates the planner
    pinned; schedulers never move them:

    - finished (done ≥ work): kept at its dates, no work left;
    - start and finish both set, finish today or later: kept exactly, its remaining work spread over those days;
    - only a start set, or a finish already past while work remains: started — it keeps its start, and its
      remaining work continues at full pace from today (or from the start, if that is later).

    Fixed steps must come first in the routing: a step can only be pinned once the steps before it are.

    `earliest_start` is the first day the step itself may start (e.g. the day its materials are expected, from
    purchasing's lead time in the review); None when only the order's release and the step before it hold it back.
    """

    key: str
    seq: int
    workshop_id: int
    work_minutes: int
    fixed_start: date | None = None
    fixed_end: date | None = None
    done_minutes: int = 0
    name: str = ""
    earliest_start: date | None = None

    @property
    def remaining_minutes(self) -> int:
        return max(0, self.work_minutes - self.done_minutes)

    @property
    def is_finished(self) -> bool:
        return self.done_minutes >= self.work_minutes

    @property
    def is_fixed(self) -> bool:
        return self.fixed_start is not None or self.is_finished

    @property
    def label(self) -> str:
        """How messages name the step: its sequence number and name."""
        return f"{self.seq} {self.name}".strip()


@dataclass(slots=True)
class Job:
    """An order to schedule: its steps in routing order, its delivery date and its weight (priority ≥ 1).

    `release` is the first day its work may start (contract signed, materials expected).
    """

    order_id: int
    order_no: str
    due: date
    priority: int
    release: date
    operations: list[Operation]


class StepState(enum.Enum):
    """How a scheduler treats a step on a given day (see `Operation`)."""

    FINISHED = "finished"
    PINNED = "pinned"
    STARTED = "started"
    OPEN = "open"


def step_state(op: Operation, today: date) -> StepState:
    if op.is_finished:
        return StepState.FINISHED
    if op.fixed_start is None:
        return StepState.OPEN
    if op.fixed_end is not None and op.fixed_end >= today:
        return StepState.PINNED
    return StepState.STARTED


@dataclass(frozen=True, slots=True)
class ScheduledOperation:
    """Where a step is planned: its workshop, first and last day (inclusive) and the minutes of work on each day.

    `minutes_by_day` holds only work still to do, from today on; a finished step keeps its dates with no minutes,
    and a started step's minutes begin today.
    """

    key: str
    order_id: int
    workshop_id: int
    start: date
    end: date
    minutes_by_day: dict[date, int] = field(default_factory=dict)

    @property
    def minutes(self) -> int:
        return sum(self.minutes_by_day.values())


@dataclass(slots=True)
class Schedule:
    """A plan: every scheduled step by its key."""

    ops: dict[str, ScheduledOperation] = field(default_factory=dict)

    @classmethod
    def of(cls, operations: Iterable[ScheduledOperation]) -> Schedule:
        return cls({op.key: op for op in operations})

    def __len__(self) -> int:
        return len(self.ops)

    def merged(self, other: Schedule) -> Schedule:
        return Schedule({**self.ops, **other.ops})

    def finish_by_order(self) -> dict[int, date]:
        """The last planned day of each order."""
        finish: dict[int, date] = {}
        for op in self.ops.values():
            current = finish.get(op.order_id)
            if current is None or op.end > current:
                finish[op.order_id] = op.end
        return finish

    def lateness_by_order(self, jobs: Iterable[Job]) -> dict[int, int]:
        """Calendar days each order finishes after its delivery date (0 when on time).

        Calendar days, not working days: the customer counts the days on the calendar, and a late order is as late
        on a Sunday as on a Monday.
        """
        finish = self.finish_by_order()
        return {
            job.order_id: lateness_days(finish[job.order_id], job.due)
            for job in jobs
            if job.order_id in finish
        }

    def total_weighted_lateness(self, jobs: Iterable[Job]) -> int:
        """Σ priority × days late over all orders: the number 'Optimise' makes small."""
        jobs = list(jobs)
        late = self.lateness_by_order(jobs)
        return sum(job.priority * late.get(job.order_id, 0) for job in jobs)

    def late_orders(self, jobs: Iterable[Job]) -> list[tuple[str, int]]:
        """(order no., days late) of every late order, the latest first."""
        jobs = list(jobs)
        late = self.lateness_by_order(jobs)
        rows = [(job.order_no, late[job.order_id]) for job in jobs if late.get(job.order_id, 0) > 0]
        rows.sort(key=lambda row: (-row[1], row[0]))
        return rows

    def to_dict(self) -> dict:
        """A compact JSON-ready form (days as ISO dates, minutes as offsets from the step's start)."""
        out = {}
        for key, op in sorted(self.ops.items()):
            out[key] = {
                "order_id": op.order_id,
                "workshop_id": op.workshop_id,
                "start": op.start.isoformat(),
                "end": op.end.isoformat(),
                "minutes": [[(day - op.start).days, minutes] for day, minutes in sorted(op.minutes_by_day.items())],
            }
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Mapping]) -> Schedule:
        ops = []
        for key, row in data.items():
            start = date.fromisoformat(row["start"])
            ops.append(
                ScheduledOperation(
                    key=key,
                    order_id=int(row["order_id"]),
                    workshop_id=int(row["workshop_id"]),
                    start=start,
                    end=date.fromisoformat(row["end"]),
                    minutes_by_day={start + timedelta(days=int(offset)): int(m) for offset, m in row["minutes"]},
                )
            )
        return cls.of(ops)


def lateness_days(finish: date, due: date) -> int:
    return max(0, (finish - due).days)


@dataclass(slots=True)
class ReplanResult:
    """What 'Re-plan all' shows: the new plan, the orders now late (order no., days), and the weighted total."""

    schedule: Schedule
    late: list[tuple[str, int]]
    total_weighted_lateness: int


OPTIMISE_STATUS: dict[str, str] = {
    "optimal": N_("Best possible plan found"),
    "improved": N_("Better plan found"),
    "unchanged": N_("No better plan found; the current plan is kept"),
    "replanned": N_("The current plan cannot be followed; a feasible plan is proposed"),
}


@dataclass(slots=True)
class OptimiseResult:
    """What 'Optimise' shows before the planner accepts or discards: weighted lateness before and after.

    `lower_bound` is the solver's proof that no plan can do better than this (None when it proved nothing);
    `status` is a key of OPTIMISE_STATUS; `cancelled` tells that the planner stopped the search early.
    """

    schedule: Schedule
    lateness_before: int
    lateness_after: int
    lower_bound: int | None
    status: str
    elapsed: float
    cancelled: bool = False

    def status_text(self, lang: str | None = None) -> str:
        return tr(OPTIMISE_STATUS[self.status], lang)


@dataclass(frozen=True, slots=True)
class ForecastResult:
    """Where an open order is heading: its projected finish from the work left and the workshops' load."""

    order_id: int
    order_no: str
    projected_finish: date
    days_late: int
    at_risk: bool


@dataclass(slots=True)
class ChangeCheck:
    """The verdict on a planner's manual change of one step's dates.

    Errors forbid the change; warnings (overload, a late order) let the planner decide. `overloads` lists
    (workshop_id, day, used minutes, capacity minutes) for each overloaded day the step works on. `operation` is the
    step as it would be planned, with its minutes spread over its new working days.
    """

    errors: list[str]
    warnings: list[str]
    overloads: list[tuple[int, date, int, int]]
    new_lateness_days: int
    operation: ScheduledOperation | None = None

    @property
    def ok(self) -> bool:
        return not self.errors
