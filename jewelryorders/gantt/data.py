"""Plain dataclasses of the Gantt chart and the pure layout helpers (rows, lanes, dates, overloads) both views use."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Iterable, Mapping, Sequence

from ..i18n import N_, tr

STATES: tuple[str, ...] = ("planned", "in_progress", "done", "late")
STATE_LABELS: dict[str, str] = {
    "planned": N_("Planned"),
    "in_progress": N_("Ongoing"),
    "done": N_("Done"),
    "late": N_("Late"),
}
# One palette for screen and paper, so the wall copy reads like the screen: blue-grey, amber, green, red.
STATE_COLORS: dict[str, str] = {
    "planned": "#6f8499",
    "in_progress": "#e3a21a",
    "done": "#3d9a5f",
    "late": "#d0433b",
}
GROUPINGS: tuple[str, ...] = ("order", "workshop")
GROUPING_LABELS: dict[str, str] = {"order": N_("By order"), "workshop": N_("By workshop")}
DEFAULT_WEEKEND: frozenset[int] = frozenset({5, 6})  # Saturday, Sunday (date.weekday())


@dataclass(frozen=True, slots=True)
class GanttBar:
    """One production step of one order on the chart; `end` is the last working day (inclusive)."""

    key: str
    order_id: int
    order_no: str
    customer: str
    workshop_id: int
    workshop: str
    step: str
    seq: int
    start: date
    end: date
    state: str
    responsible: str = ""
    quantity: int = 0
    details: str = ""

    def __post_init__(self) -> None:
        if self.state not in STATES:
            raise ValueError(f"GanttBar {self.key!r}: state {self.state!r} is not one of {', '.join(STATES)}")
        if self.end < self.start:
            raise ValueError(f"GanttBar {self.key!r}: ends {self.end} before it starts {self.start}")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def moved(self, start: date, end: date) -> "GanttBar":
        return replace(self, start=start, end=end)

    def overlaps(self, start: date, end: date) -> bool:
        return self.start <= end and start <= self.end


@dataclass(frozen=True, slots=True)
class DayLoad:
    """Minutes a workshop has booked on one day against the minutes it can work that day."""

    workshop_id: int
    workshop: str
    day: date
    used_minutes: int
    capacity_minutes: int

    @property
    def overloaded(self) -> bool:
        return self.used_minutes > self.capacity_minutes

    @property
    def percent(self) -> int | None:
        """Load in whole percent, or None on a day without capacity (nothing to divide by)."""
        if self.capacity_minutes <= 0:
            return None
        return (self.used_minutes * 100 + self.capacity_minutes // 2) // self.capacity_minutes


@dataclass(slots=True)
class GanttData:
    """Everything the chart shows: bars, daily loads, holidays, the day the today line marks."""

    bars: list[GanttBar]
    loads: list[DayLoad]
    holidays: frozenset[date]
    today: date
    title: str = ""
    weekend_days: frozenset[int] = DEFAULT_WEEKEND


@dataclass(slots=True)
class MoveCheck:
    """The verdict on a proposed move: errors refuse it, warnings let it stand but the user must hear them."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def merged(self, other: "MoveCheck") -> "MoveCheck":
        return MoveCheck(self.errors + other.errors, self.warnings + other.warnings)


@dataclass(slots=True)
class GanttRow:
    """One row of the chart: an order (its steps side by side) or a workshop (its steps stacked in lanes)."""

    key: str
    kind: str  # "order" or "workshop"
    label: str  # order no. or workshop name
    sublabel: str  # the order's customer; empty for a workshop
    lanes: int
    bar_keys: list[str]
    orders: int = 1  # how many orders the row shows


@dataclass(slots=True)
class GanttLayout:
    """Rows in display order and where each bar sits: (row index, lane within the row)."""

    grouping: str
    rows: list[GanttRow]
    placement: dict[str, tuple[int, int]]

    def total_lanes(self) -> int:
        return sum(r.lanes for r in self.rows)

    def replace_bar(self, bars: Mapping[str, GanttBar], key: str) -> bool:
        """Keep a moved bar in its row; if it now overlaps a neighbour in its lane, move it to the first free lane.

        Returns True when the row had to grow a lane (so the rows below move down). Other bars never move, so a
        drag does not reshuffle what the user is looking at.
        """
        row_index, lane = self.placement[key]
        row = self.rows[row_index]
        bar = bars[key]

        def lane_is_free(candidate: int) -> bool:
            for other_key in row.bar_keys:
                if other_key == key or self.placement[other_key][1] != candidate:
                    continue
                if bars[other_key].overlaps(bar.start, bar.end):
                    return False
            return True

        if lane_is_free(lane):
            return False
        for candidate in range(row.lanes):
            if candidate != lane and lane_is_free(candidate):
                self.placement[key] = (row_index, candidate)
                return False
        self.placement[key] = (row_index, row.lanes)
        row.lanes += 1
        return True


def pack_lanes(bars: Sequence[GanttBar]) -> tuple[dict[str, int], int]:
    """Stack overlapping bars into the fewest lanes (interval colouring), lowest free lane first so it is stable."""
    ordered = sorted(bars, key=lambda b: (b.start, b.seq, b.end, b.key))
    busy: list[tuple[date, int]] = []  # (last day, lane) of bars still running
    free: list[int] = []
    lanes: dict[str, int] = {}
    count = 0
    for bar in ordered:
        while busy and busy[0][0] < bar.start:
            heapq.heappush(free, heapq.heappop(busy)[1])
        if free:
            lane = heapq.heappop(free)
        else:
            lane = count
            count += 1
        lanes[bar.key] = lane
        heapq.heappush(busy, (bar.end, lane))
    return lanes, count


def layout_rows(bars: Iterable[GanttBar], grouping: str) -> GanttLayout:
    """Rows by order (earliest start first) or by workshop (in the order the work flows through them)."""
    if grouping not in GROUPINGS:
        raise ValueError(f"grouping must be one of {', '.join(GROUPINGS)}, not {grouping!r}")
    groups: dict[int, list[GanttBar]] = {}
    for bar in bars:
        groups.setdefault(bar.order_id if grouping == "order" else bar.workshop_id, []).append(bar)

    if grouping == "order":
        def sort_key(item: tuple[int, list[GanttBar]]):
            group_id, members = item
            return (min(b.start for b in members), members[0].order_no, group_id)
    else:
        def sort_key(item: tuple[int, list[GanttBar]]):
            group_id, members = item
            return (min(b.seq for b in members), members[0].workshop, group_id)

    rows: list[GanttRow] = []
    placement: dict[str, tuple[int, int]] = {}
    for row_index, (group_id, members) in enumerate(sorted(groups.items(), key=sort_key)):
        lanes, count = pack_lanes(members)
        first = members[0]
        if grouping == "order":
            row = GanttRow(f"order:{group_id}", "order", first.order_no, first.customer, max(count, 1), [])
        else:
            orders = len({b.order_id for b in members})
            row = GanttRow(f"workshop:{group_id}", "workshop", first.workshop, "", max(count, 1), [], orders)
        for bar in sorted(members, key=lambda b: (b.start, b.seq, b.key)):
            row.bar_keys.append(bar.key)
            placement[bar.key] = (row_index, lanes[bar.key])
        rows.append(row)
    return GanttLayout(grouping, rows, placement)


def date_span(bars: Iterable[GanttBar], today: date, margin_days: int = 7) -> tuple[date, date]:
    """First and last day the chart must show: every bar and today, with a margin, from a Monday to a Sunday."""
    first = last = today
    for bar in bars:
        if bar.start < first:
            first = bar.start
        if bar.end > last:
            last = bar.end
    first -= timedelta(days=margin_days)
    last += timedelta(days=margin_days)
    first -= timedelta(days=first.weekday())
    last += timedelta(days=6 - last.weekday())
    return first, last


def is_non_working(day: date, holidays: frozenset[date] | set[date], weekend_days: frozenset[int] = DEFAULT_WEEKEND) -> bool:
    return day.weekday() in weekend_days or day in holidays


def month_starts(first: date, last: date) -> list[date]:
    """The first day of every month that begins inside [first, last], plus `first` itself."""
    out = [first]
    cursor = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    while cursor <= last:
        out.append(cursor)
        cursor = date(cursor.year + (cursor.month == 12), cursor.month % 12 + 1, 1)
    return out


def week_starts(first: date, last: date) -> list[date]:
    """Every Monday inside [first, last]."""
    cursor = first + timedelta(days=(7 - first.weekday()) % 7)
    out = []
    while cursor <= last:
        out.append(cursor)
        cursor += timedelta(days=7)
    return out


def workshops_of(data: GanttData) -> list[tuple[int, str]]:
    """Every workshop that has a bar or a load figure, in the order work flows through them."""
    first_seq: dict[int, tuple[int, str]] = {}
    for bar in data.bars:
        known = first_seq.get(bar.workshop_id)
        if known is None or bar.seq < known[0]:
            first_seq[bar.workshop_id] = (bar.seq, bar.workshop)
    for load in data.loads:
        first_seq.setdefault(load.workshop_id, (1 << 30, load.workshop))
    return [(wid, name) for wid, (_seq, name) in sorted(first_seq.items(), key=lambda kv: (kv[1][0], kv[1][1], kv[0]))]


def loads_by_workshop(loads: Iterable[DayLoad]) -> dict[int, dict[date, DayLoad]]:
    out: dict[int, dict[date, DayLoad]] = {}
    for load in loads:
        out.setdefault(load.workshop_id, {})[load.day] = load
    return out


def compress_dates(days: Iterable[date]) -> list[tuple[date, date]]:
    """Consecutive days folded into (first, last) runs, so a list of dates prints as a few ranges."""
    runs: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if runs and (day - runs[-1][1]).days == 1:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


@dataclass(frozen=True, slots=True)
class WorkshopOverload:
    """A workshop's overloaded days in a date window and its worst day."""

    workshop_id: int
    workshop: str
    days: tuple[DayLoad, ...]
    peak: DayLoad

    @property
    def excess_minutes(self) -> int:
        return sum(d.used_minutes - d.capacity_minutes for d in self.days)


def overload_summary(loads: Iterable[DayLoad], date_from: date | None = None, date_to: date | None = None,
                     order: Sequence[int] = ()) -> list[WorkshopOverload]:
    """Per workshop, the days over capacity inside the window; workshops in `order` first, then by name."""
    per: dict[int, list[DayLoad]] = {}
    for load in loads:
        if not load.overloaded:
            continue
        if (date_from and load.day < date_from) or (date_to and load.day > date_to):
            continue
        per.setdefault(load.workshop_id, []).append(load)
    rank = {wid: i for i, wid in enumerate(order)}
    out = []
    for wid, days in per.items():
        days.sort(key=lambda d: d.day)
        peak = max(days, key=lambda d: (d.used_minutes - d.capacity_minutes, d.used_minutes))
        out.append(WorkshopOverload(wid, days[0].workshop, tuple(days), peak))
    out.sort(key=lambda w: (rank.get(w.workshop_id, len(rank)), w.workshop, w.workshop_id))
    return out


def drag_modes(bar: GanttBar) -> frozenset[str]:
    """What a drag may change: a finished step is history; a started step keeps its start but may end later or sooner."""
    if bar.state == "done":
        return frozenset()
    if bar.state == "in_progress":
        return frozenset({"resize"})
    return frozenset({"move", "resize"})


def check_step_order(bars: Iterable[GanttBar], key: str, new_start: date, new_end: date,
                     lang: str | None = None) -> MoveCheck:
    """Refuse a move that makes a step start before the previous step of its order ends, or end after the next starts.

    A handover on the same day is allowed: one step finishing in the morning and the next starting after lunch is
    how the benches work.
    """
    bars = list(bars)
    check = MoveCheck()
    moved = next((b for b in bars if b.key == key), None)
    if moved is None:
        check.errors.append(tr("The step {key} is no longer on the plan.", lang, key=key))
        return check
    if new_end < new_start:
        check.errors.append(tr("A step cannot end before it starts.", lang))
        return check
    before = [b for b in bars if b.order_id == moved.order_id and b.seq < moved.seq]
    after = [b for b in bars if b.order_id == moved.order_id and b.seq > moved.seq]
    if before:
        previous = max(before, key=lambda b: (b.end, b.seq))
        if new_start < previous.end:
            check.errors.append(tr(
                "{order_no}: {step} cannot start on {start} before {previous} ends on {previous_end}.", lang,
                order_no=moved.order_no, step=moved.step, start=new_start.isoformat(), previous=previous.step,
                previous_end=previous.end.isoformat()))
    if after:
        following = min(after, key=lambda b: (b.start, -b.seq))
        if new_end > following.start:
            check.errors.append(tr(
                "{order_no}: {step} cannot end on {end} after {next_step} starts on {next_start}.", lang,
                order_no=moved.order_no, step=moved.step, end=new_end.isoformat(), next_step=following.step,
                next_start=following.start.isoformat()))
    return check
