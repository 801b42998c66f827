"""Working days, daily capacity and the load of workshops, counted in minutes per working day."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from ..i18n import _
from .model import Load, Schedule, SchedulingError, WorkshopCalendar

ONE_DAY = timedelta(days=1)


def calendar_map(calendars: Mapping[int, WorkshopCalendar] | Iterable[WorkshopCalendar]) -> dict[int, WorkshopCalendar]:
    """Accept calendars as a list or as a mapping by workshop id."""
    if isinstance(calendars, Mapping):
        return dict(calendars)
    return {cal.workshop_id: cal for cal in calendars}


def step_shape(minutes: int, calendar: WorkshopCalendar) -> tuple[int, int]:
    """(working days, most minutes on one day) for `minutes` of work on one bench of this workshop.

    A step runs on one bench, so it takes ceil(minutes / minutes_per_day) consecutive working days of its
    workshop, with the work spread evenly: no day carries more than ceil(minutes / days).
    """
    days = max(1, -(-minutes // calendar.minutes_per_day))
    return days, -(-minutes // days)


def spread_evenly(minutes: int, days: list[date]) -> dict[date, int]:
    """Share `minutes` over `days` as evenly as whole minutes allow (earlier days take the odd minutes)."""
    if not days or minutes <= 0:
        return {}
    base, extra = divmod(minutes, len(days))
    out = {}
    for i, day in enumerate(days):
        share = base + (1 if i < extra else 0)
        if share:
            out[day] = share
    return out


def working_days_between(calendar: WorkshopCalendar, first: date, last: date) -> list[date]:
    days = []
    day = first
    while day <= last:
        if calendar.is_working_day(day):
            days.append(day)
        day += ONE_DAY
    return days


class WorkingDays:
    """The working days of one calendar from an origin on, numbered 0, 1, 2 … and extended as far as asked."""

    __slots__ = ("calendar", "origin", "_ordinals", "_next")

    def __init__(self, calendar: WorkshopCalendar, origin: date) -> None:
        if not calendar.working_weekdays or not set(calendar.working_weekdays) <= set(range(7)):
            raise SchedulingError(
                _("Workshop {workshop} has no capacity: it has no working weekday.", workshop=calendar.name)
            )
        self.calendar = calendar
        self.origin = origin
        self._ordinals: list[int] = []
        self._next = origin.toordinal()

    def _grow(self, count: int | None = None, through_ordinal: int | None = None) -> None:
        cal = self.calendar
        while (count is not None and len(self._ordinals) < count) or (
            through_ordinal is not None and self._next <= through_ordinal
        ):
            day = date.fromordinal(self._next)
            if cal.is_working_day(day):
                self._ordinals.append(self._next)
            self._next += 1

    def ensure(self, count: int) -> None:
        if len(self._ordinals) < count:
            self._grow(count=count)

    def __getitem__(self, index: int) -> date:
        return date.fromordinal(self.ordinal(index))

    def ordinal(self, index: int) -> int:
        if index >= len(self._ordinals):
            self._grow(count=index + 1)
        return self._ordinals[index]

    def days(self, first_index: int, count: int) -> list[date]:
        self.ensure(first_index + count)
        return [date.fromordinal(o) for o in self._ordinals[first_index : first_index + count]]

    def index_on_or_after(self, day: date) -> int:
        """The first working day on or after `day` (the origin if `day` is earlier)."""
        target = day.toordinal()
        while not self._ordinals or self._ordinals[-1] < target:
            self._grow(count=len(self._ordinals) + 32)
        return bisect_left(self._ordinals, target)

    def index_on_or_before(self, day: date) -> int:
        """The last working day on or before `day`; -1 when there is none since the origin."""
        target = day.toordinal()
        self._grow(through_ordinal=target)
        return bisect_right(self._ordinals, target) - 1

    def count_through(self, day: date) -> int:
        """How many working days lie between the origin and `day` inclusive."""
        return self.index_on_or_before(day) + 1


class CapacityLedger:
    """Minutes booked and left per workshop per working day, from `origin` (today) on.

    Seeded with the load of plans that are not being scheduled (other released plans), then booked step by step.
    Bookings on days a workshop does not work, or before the origin, are kept apart so they can be reported but
    never make room on a working day.

    `extra` is capacity added on top of the calendar (minutes per workshop per day): the overtime, extra shifts
    or outsourcing agreed as capacity measures in the detailed review. It counts on the workshop's working days
    from the origin on; one step still runs on one bench, so it does not make a step faster, but it lets more
    steps share the workshop's days.
    """

    def __init__(
        self,
        calendars: Mapping[int, WorkshopCalendar] | Iterable[WorkshopCalendar],
        origin: date,
        load: Load | None = None,
        extra: Load | None = None,
    ) -> None:
        self.calendars = calendar_map(calendars)
        self.origin = origin
        self._days = {wid: WorkingDays(cal, origin) for wid, cal in self.calendars.items()}
        self._used: dict[int, list[int]] = {wid: [] for wid in self.calendars}
        self._extra: dict[int, dict[int, int]] = {}
        self.off_calendar: Load = {}
        for wid, by_day in (extra or {}).items():
            cal = self.calendars.get(wid)
            if cal is None:
                continue
            for day, minutes in by_day.items():
                if minutes > 0 and day >= origin and cal.is_working_day(day):
                    index = self._days[wid].index_on_or_after(day)
                    per_index = self._extra.setdefault(wid, {})
                    per_index[index] = per_index.get(index, 0) + minutes
        if load:
            for wid, by_day in load.items():
                if wid in self.calendars:
                    self.book(wid, by_day)

    def working_days(self, workshop_id: int) -> WorkingDays:
        return self._days[workshop_id]

    def _used_list(self, workshop_id: int, upto: int) -> list[int]:
        used = self._used[workshop_id]
        if len(used) < upto:
            used.extend([0] * (upto - len(used)))
        return used

    def used_on(self, workshop_id: int, day: date) -> int:
        wd = self._days[workshop_id]
        if day >= self.origin and self.calendars[workshop_id].is_working_day(day):
            index = wd.index_on_or_after(day)
            used = self._used[workshop_id]
            return used[index] if index < len(used) else 0
        return self.off_calendar.get(workshop_id, {}).get(day, 0)

    def booked_minutes(self, workshop_id: int) -> int:
        """Minutes booked on the workshop's working days from the origin on."""
        return sum(self._used[workshop_id])

    def capacity_at(self, workshop_id: int, index: int) -> int:
        """Minutes the workshop offers on its working day number `index`, capacity measures included."""
        extra = self._extra.get(workshop_id)
        base = self.calendars[workshop_id].daily_capacity
        return base + extra.get(index, 0) if extra else base

    def capacity_on(self, workshop_id: int, day: date) -> int:
        cal = self.calendars[workshop_id]
        if day >= self.origin and cal.is_working_day(day):
            return self.capacity_at(workshop_id, self._days[workshop_id].index_on_or_after(day))
        return cal.capacity_on(day)

    def remaining(self, workshop_id: int, day: date) -> int:
        return self.capacity_on(workshop_id, day) - self.used_on(workshop_id, day)

    def book(self, workshop_id: int, minutes_by_day: Mapping[date, int], sign: int = 1) -> None:
        cal = self.calendars[workshop_id]
        wd = self._days[workshop_id]
        for day, minutes in minutes_by_day.items():
            if day >= self.origin and cal.is_working_day(day):
                index = wd.index_on_or_after(day)
                self._used_list(workshop_id, index + 1)[index] += sign * minutes
            else:
                by_day = self.off_calendar.setdefault(workshop_id, {})
                by_day[day] = by_day.get(day, 0) + sign * minutes

    def unbook(self, workshop_id: int, minutes_by_day: Mapping[date, int]) -> None:
        self.book(workshop_id, minutes_by_day, sign=-1)

    def find_forward(self, workshop_id: int, earliest: date, days: int, rate: int) -> int:
        """Index of the first run of `days` consecutive working days from `earliest` each with `rate` minutes free.

        Always succeeds: past every booking the workshop is empty, and a rate never exceeds one bench-day.
        """
        capacity = self.capacity_at
        start = self._days[workshop_id].index_on_or_after(max(earliest, self.origin))
        used = self._used[workshop_id]
        while True:
            end = start + days
            blocked = -1
            for index in range(end - 1, start - 1, -1):
                if index < len(used) and capacity(workshop_id, index) - used[index] < rate:
                    blocked = index
                    break
            if blocked < 0:
                return start
            start = blocked + 1

    def find_backward(
        self, workshop_id: int, latest_end: date, earliest_start: date, days: int, rate: int
    ) -> int | None:
        """Index of the latest run of `days` working days ending by `latest_end` and starting on or after
        `earliest_start`, each with `rate` minutes free; None when there is no such run."""
        capacity = self.capacity_at
        wd = self._days[workshop_id]
        floor = wd.index_on_or_after(max(earliest_start, self.origin))
        start = wd.index_on_or_before(latest_end) - days + 1
        used = self._used_list(workshop_id, max(0, start + days))
        while start >= floor:
            blocked = -1
            for index in range(start, start + days):
                if capacity(workshop_id, index) - used[index] < rate:
                    blocked = index
            if blocked < 0:
                return start
            start = blocked - days
        return None


def load_of(schedule: Schedule, exclude: Iterable[str] = ()) -> Load:
    """Minutes per workshop per day of a plan (leaving out the steps in `exclude`)."""
    skip = set(exclude)
    load: Load = {}
    for op in schedule.ops.values():
        if op.key in skip or not op.minutes_by_day:
            continue
        by_day = load.setdefault(op.workshop_id, {})
        for day, minutes in op.minutes_by_day.items():
            by_day[day] = by_day.get(day, 0) + minutes
    return load


def add_loads(*loads: Load | None) -> Load:
    total: Load = {}
    for load in loads:
        for wid, by_day in (load or {}).items():
            target = total.setdefault(wid, {})
            for day, minutes in by_day.items():
                target[day] = target.get(day, 0) + minutes
    return total


@dataclass(frozen=True, slots=True)
class DayLoad:
    """One bar of a workshop's load chart: minutes planned and minutes the workshop has that day."""

    day: date
    used: int
    capacity: int

    @property
    def overloaded(self) -> bool:
        return self.used > self.capacity

    @property
    def percent(self) -> int:
        """Load in whole percent of capacity (a day without capacity but with work shows as 999)."""
        if self.capacity <= 0:
            return 999 if self.used > 0 else 0
        return round(100 * self.used / self.capacity)


def workshop_load(
    schedule: Schedule,
    calendars: Mapping[int, WorkshopCalendar] | Iterable[WorkshopCalendar],
    start: date,
    end: date,
    other_load: Load | None = None,
    extra: Load | None = None,
) -> dict[int, list[DayLoad]]:
    """Per workshop, every calendar day from `start` to `end`: used minutes against capacity, for the load chart.

    `extra` is capacity added by capacity measures (minutes per workshop per day, on working days)."""
    cals = calendar_map(calendars)
    total = add_loads(load_of(schedule), other_load)
    out: dict[int, list[DayLoad]] = {}
    for wid, cal in sorted(cals.items()):
        by_day = total.get(wid, {})
        added = (extra or {}).get(wid, {})
        rows = []
        day = start
        while day <= end:
            capacity = cal.capacity_on(day)
            if capacity:
                capacity += max(0, added.get(day, 0))
            rows.append(DayLoad(day, by_day.get(day, 0), capacity))
            day += ONE_DAY
        out[wid] = rows
    return out


def overloaded_days(
    schedule: Schedule,
    calendars: Mapping[int, WorkshopCalendar] | Iterable[WorkshopCalendar],
    other_load: Load | None = None,
    extra: Load | None = None,
) -> list[tuple[int, date, int, int]]:
    """(workshop_id, day, used, capacity) of every day on which a workshop has more work than minutes
    (capacity measures in `extra` included)."""
    cals = calendar_map(calendars)
    rows = []
    for wid, by_day in add_loads(load_of(schedule), other_load).items():
        cal = cals.get(wid)
        if cal is None:
            continue
        added = (extra or {}).get(wid, {})
        for day, used in by_day.items():
            capacity = cal.capacity_on(day)
            if capacity:
                capacity += max(0, added.get(day, 0))
            if used > capacity:
                rows.append((wid, day, used, capacity))
    rows.sort(key=lambda row: (row[1], row[0]))
    return rows
