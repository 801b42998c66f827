"""'Optimise': the least total weighted lateness of all open orders that a time limit allows.

Two methods, chosen by the shape of the work (and by measurement: bench/RESULTS.md):

- Orders whose open work is one step each, in workshops that work on one step at a time (one bench, or steps
  that each take more than half of a workshop day), make one single-machine sequencing problem per workshop.
  Iterated local search over the sequence (sequencing.py) solves it to within a fraction of a percent of the
  proven optimum in a second or two, where CP-SAT's model below stays far from it: its bound on weighted
  tardiness is weak and its search does not find the good sequences in that time. Each sequence found is
  planned by the list scheduler of 'Re-plan all', so the plan keeps its calendars, fixed steps and capacity.
- Everything else — routings of several steps across workshops sharing benches — goes to CP-SAT, as one model
  when small and a neighbourhood at a time when large.

The CP-SAT model, and why it scales to a thousand orders of eight steps:

- Each open step keeps the shape the list scheduler gives it (`step_shape`): a run of consecutive working days of
  its workshop at an even daily pace of at most one bench-day. Its decision is the calendar day it starts; its
  last day follows. No per-day variables: a time-expanded model (minutes of every step on every day) would need
  steps × days variables, about half a million for a large factory.
- Time is counted in calendar days from today, for every workshop alike, so precedence (`next start ≥ this end
  + 1`) and lateness (`last end − delivery date`) are linear and the LP relaxation sees the real objective.
- A workshop is one cumulative over calendar days: capacity = benches × minutes per day, each step demanding its
  daily pace over the interval from its first to its last day. A step may start and end only on working days
  of its workshop (holes in its domain). Its days off are not blocked: whatever spans a day off also worked on
  the working day just before it, so a day off is never fuller than that working day and needs no constraint.
- A step's length in calendar days is its working days plus the days off it spans. One-day steps have length 1.
  A two-day step's length only needs bounds: starting and ending on two different working days, it always
  covers two working days, and a longer span than needed merely wastes capacity. From three working days on,
  the length is read from a table by start day (an element constraint, for the few long steps only).
- Work that is not optimised (fixed steps, other plans) enters as fixed intervals taking its minutes.

So every solution gives a valid plan of that shape, finishing no later than the model says, and every such plan
is a solution with the same lateness: the bound CP-SAT proves holds for all plans of the shape within the
model's horizon.
"""

from __future__ import annotations

import math
import random
import threading
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from ortools.sat.python import cp_model

from .calendar import CapacityLedger, add_loads, calendar_map, spread_evenly, step_shape
from .checks import ensure_valid_inputs, validate_schedule
from .greedy import place_fixed_steps, plan_in_order, replan_all
from .model import Job, Load, Operation, OptimiseResult, Schedule, ScheduledOperation, WorkshopCalendar
from .sequencing import MachineJobs, apparent_tardiness_cost_order, iterated_local_search

ProgressCallback = Callable[[int | None, float | None, float], None]
Calendars = Mapping[int, WorkshopCalendar] | Iterable[WorkshopCalendar]

ONE_DAY = timedelta(days=1)
CANCEL_POLL_SECONDS = 0.05


@dataclass
class _Step:
    job: Job
    op: Operation
    days: int
    rate: int
    starts: list[int]
    start: cp_model.IntVar | None = None
    end: cp_model.LinearExprT | None = None
    size: cp_model.LinearExprT | None = None


class _Model:
    """The CP-SAT model of one factory, and the way back from its solution to a Schedule."""

    def __init__(
        self,
        jobs: list[Job],
        cals: dict[int, WorkshopCalendar],
        today: date,
        existing_load: Load | None,
        horizon_end: date,
    ) -> None:
        self.jobs = jobs
        self.cals = cals
        self.today = today
        self.horizon = (horizon_end - today).days
        self.model = cp_model.CpModel()
        self.ledger = CapacityLedger(cals, today, existing_load)
        self.fixed: list[ScheduledOperation] = []
        self.steps: dict[str, _Step] = {}
        self.constant_lateness = 0
        self.lateness: list[tuple[Job, cp_model.IntVar, _Step]] = []
        # Working days of each workshop as offsets from today, through the horizon.
        self.working = {
            wid: [i for i in range(self.horizon + 1) if cal.is_working_day(today + timedelta(days=i))]
            for wid, cal in cals.items()
        }
        self.position = {wid: {offset: i for i, offset in enumerate(days)} for wid, days in self.working.items()}

    def offset(self, day: date) -> int:
        return (day - self.today).days

    def build(self) -> None:
        chains = []
        for job in self.jobs:
            fixed, open_steps, earliest = place_fixed_steps(job, self.ledger, self.today)
            self.fixed.extend(fixed)
            if open_steps:
                chains.append((job, self._chain(job, open_steps, earliest)))
            else:
                finish = max((s.end for s in fixed), default=None)
                if finish is not None:
                    self.constant_lateness += job.priority * max(0, (finish - job.due).days)
        for job, chain in chains:
            for before, after in zip(chain, chain[1:]):
                self.model.add(after.start >= before.end + 1)
            last = chain[-1]
            due = self.offset(job.due)
            latest_lateness = max(0, self._end_of(last, last.starts[-1]) - due)
            if latest_lateness > 0:
                late = self.model.new_int_var(0, latest_lateness, f"late_{job.order_no}")
                self.model.add(late >= last.end - due)
                self.lateness.append((job, late, last))
        self._cumulatives()
        self.model.minimize(
            sum(job.priority * late for job, late, _last in self.lateness) + self.constant_lateness
        )

    def _end_of(self, step: _Step, start: int) -> int:
        """Offset of the last working day of a step starting on offset `start`."""
        days = self.working[step.op.workshop_id]
        return days[self.position[step.op.workshop_id][start] + step.days - 1]

    def _chain(self, job: Job, open_steps: list[Operation], earliest: date) -> list[_Step]:
        """The steps of one order, each with the start days left between what the steps before it need from
        `earliest` on and what the steps after it need before the horizon."""
        shapes = []
        day = max(0, self.offset(earliest))
        lows = []
        for op in open_steps:
            if op.earliest_start is not None:
                day = max(day, self.offset(op.earliest_start))
            days, rate = step_shape(op.remaining_minutes, self.cals[op.workshop_id])
            working = self.working[op.workshop_id]
            low = bisect_left(working, day)
            shapes.append((op, days, rate))
            lows.append(low)
            day = working[low + days - 1] + 1
        highs = [0] * len(open_steps)
        latest = self.horizon
        for i in range(len(open_steps) - 1, -1, -1):
            op, days, _rate = shapes[i]
            working = self.working[op.workshop_id]
            highs[i] = max(lows[i], bisect_right(working, latest) - days)
            latest = working[highs[i]] - 1
        chain = []
        for (op, days, rate), low, high in zip(shapes, lows, highs):
            working = self.working[op.workshop_id]
            step = _Step(job, op, days, rate, working[low : high + 1])
            step.start = self.model.new_int_var_from_domain(cp_model.Domain.from_values(step.starts), op.key)
            self._shape_variables(step)
            self.steps[op.key] = step
            chain.append(step)
        return chain

    def _shape_variables(self, step: _Step) -> None:
        """Set the step's end (and its length in calendar days, if that varies with the start day)."""
        if step.days == 1:
            step.end, step.size = step.start, 1
            return
        ends = [self._end_of(step, start) for start in step.starts]
        lengths = [end - start + 1 for start, end in zip(step.starts, ends)]
        if min(lengths) == max(lengths):
            step.end, step.size = step.start + (lengths[0] - 1), lengths[0]
            return
        name = step.op.key
        end = self.model.new_int_var_from_domain(cp_model.Domain.from_values(sorted(set(ends))), f"end_{name}")
        size = self.model.new_int_var(min(lengths), max(lengths), f"len_{name}")
        self.model.add(end == step.start + size - 1)
        if step.days == 2:
            # Start and end on two working days: two working days are covered whatever the length.
            self.model.add(size >= 2)
        else:
            first = step.starts[0]
            # Days off cannot be start days; their entries only fill the table.
            table = [lengths[bisect_left(step.starts, offset)] for offset in range(first, step.starts[-1] + 1)]
            self.model.add_element(step.start - first, table, size)
        step.end, step.size = end, size

    def _cumulatives(self) -> None:
        by_workshop: dict[int, list[_Step]] = {}
        for step in self.steps.values():
            by_workshop.setdefault(step.op.workshop_id, []).append(step)
        for wid, steps in sorted(by_workshop.items()):
            capacity = self.cals[wid].daily_capacity
            intervals = []
            demands = []
            for s in steps:
                if isinstance(s.size, int):
                    intervals.append(self.model.new_fixed_size_interval_var(s.start, s.size, f"i_{s.op.key}"))
                else:
                    intervals.append(self.model.new_interval_var(s.start, s.size, s.end + 1, f"i_{s.op.key}"))
                demands.append(s.rate)
            for start, count, minutes in self._fixed_runs(wid, capacity):
                intervals.append(self.model.new_fixed_size_interval_var(start, count, f"load_{wid}_{start}"))
                demands.append(minutes)
            self.model.add_cumulative(intervals, demands, capacity)

    def _fixed_runs(self, wid: int, capacity: int) -> list[tuple[int, int, int]]:
        """Runs of working days with the same minutes already taken (capped at capacity: an overload by fixed
        work leaves the day full, not impossible). A run may bridge days off, which carry no constraint."""
        runs: list[tuple[int, int, int]] = []
        for offset in self.working[wid]:
            taken = min(capacity, self.ledger.used_on(wid, self.today + timedelta(days=offset)))
            if taken <= 0:
                continue
            if runs and runs[-1][2] == taken and self._only_days_off_between(wid, runs[-1][0] + runs[-1][1], offset):
                start, _count, _minutes = runs[-1]
                runs[-1] = (start, offset - start + 1, taken)
            else:
                runs.append((offset, 1, taken))
        return runs

    def _only_days_off_between(self, wid: int, first: int, last: int) -> bool:
        """True when no working day of the workshop lies in [first, last)."""
        working = self.working[wid]
        return bisect_left(working, first) == bisect_left(working, last)

    def add_hint(self, schedule: Schedule) -> None:
        for key, step in self.steps.items():
            planned = schedule.ops.get(key)
            if planned is None:
                continue
            start = self.offset(planned.start)
            index = bisect_left(step.starts, start)
            if index == len(step.starts) or step.starts[index] != start:
                continue
            self.model.add_hint(step.start, start)
            if not isinstance(step.size, int):
                end = self._end_of(step, start)
                self.model.add_hint(step.end, end)
                self.model.add_hint(step.size, end - start + 1)
        for job, late, last in self.lateness:
            planned = schedule.ops.get(last.op.key)
            if planned is not None:
                self.model.add_hint(late, max(0, (planned.end - job.due).days))

    def schedule_from(self, solver: cp_model.CpSolver) -> Schedule:
        placed = list(self.fixed)
        for key, step in self.steps.items():
            start = solver.value(step.start)
            wid = step.op.workshop_id
            first = self.position[wid][start]
            days = [self.today + timedelta(days=offset) for offset in self.working[wid][first : first + step.days]]
            minutes = spread_evenly(step.op.remaining_minutes, days)
            placed.append(ScheduledOperation(key, step.job.order_id, wid, days[0], days[-1], minutes))
        return Schedule.of(placed)


def _horizon_end(jobs: list[Job], plans: Iterable[Schedule]) -> date:
    """Far enough that the starting plans fit, with room to move the last orders around."""
    last = max([job.due for job in jobs] + [op.end for plan in plans for op in plan.ops.values()])
    first = min(job.release for job in jobs)
    margin = max(14, (last - first).days // 7)
    return last + timedelta(days=margin)


def earliest_finish_bound(
    jobs: Iterable[Job], calendars: Calendars, today: date, existing_load: Load | None = None
) -> int:
    """A lateness no plan can beat: each order's steps back to back from its earliest day, as if every workshop
    were empty."""
    cals = calendar_map(calendars)
    ledger = CapacityLedger(cals, today, existing_load)
    total = 0
    for job in jobs:
        fixed, open_steps, earliest = place_fixed_steps(job, ledger, today)
        finish = max((s.end for s in fixed), default=None)
        day = earliest
        for op in open_steps:
            if op.earliest_start is not None:
                day = max(day, op.earliest_start)
            count, _rate = step_shape(op.remaining_minutes, cals[op.workshop_id])
            axis = ledger.working_days(op.workshop_id)
            finish = axis[axis.index_on_or_after(day) + count - 1]
            day = finish + ONE_DAY
        if finish is not None:
            total += job.priority * max(0, (finish - job.due).days)
    return total


def optimise(
    jobs: Iterable[Job],
    calendars: Calendars,
    today: date,
    time_limit_s: float = 10.0,
    hint: Schedule | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    workers: int = 2,
    existing_load: Load | None = None,
    random_seed: int = 0,
    method: str = "auto",
) -> OptimiseResult:
    """Minimise Σ priority × days late over all open orders, within `time_limit_s` seconds.

    Starts from `hint` (the current plan; 'Re-plan all' when None) and never returns a plan with more lateness
    than it: if the search finds nothing better, the hint comes back unchanged. A hint that cannot be followed
    (it fails `validate_schedule`: steps left in the past, overloaded days) is replaced by 'Re-plan all' as the
    starting point, and the status says so ("replanned") when the feasible plan is later than the hint promised.
    The returned plan always passes `validate_schedule`.

    A factory of up to FULL_MODEL_MAX_STEPS open steps is solved as one model, so CP-SAT can prove its plan
    optimal. A larger one is improved a neighbourhood at a time: CP-SAT re-plans a few dozen orders (a late order
    and the orders competing with it for the same workshops at the same time) while everything else holds its
    place, and each better neighbourhood is kept. One big model of a thousand orders spends most of ten seconds in
    presolve; small ones are solved to optimality in a fraction of a second each.

    When every open order has one open step left, in a workshop that works on one step at a time, the problem
    is single-machine sequencing, and iterated local search over each workshop's sequence replaces CP-SAT (see
    the module docstring).

    `method` forces one way: "whole" (one model; its bound is CP-SAT's proof over all orders at once),
    "neighbourhoods" or "sequence" (single machines only); "auto" chooses by the shape and size of the work.

    `on_progress(best_lateness, bound, elapsed_seconds)` is called from a solver thread as the search improves
    (best_lateness is None until the first plan). Setting `cancel` stops the search within a fraction of a second
    and returns the best plan found so far. `workers` is the number of solver threads.
    """
    started = time.monotonic()
    deadline = started + time_limit_s
    jobs = list(jobs)
    cals = calendar_map(calendars)
    ensure_valid_inputs(jobs, cals)
    greedy = replan_all(jobs, cals, today, existing_load).schedule
    current = hint if hint is not None else greedy
    lateness_before = current.total_weighted_lateness(jobs)
    current_valid = not validate_schedule(current, jobs, cals, today, existing_load)
    fallback = current if current_valid else greedy
    if greedy.total_weighted_lateness(jobs) < fallback.total_weighted_lateness(jobs):
        # 'Re-plan all' already does better than the current plan: start the search from it.
        fallback = greedy
    search = _Search(
        jobs, cals, today, existing_load, _horizon_end(jobs, [greedy, fallback]), fallback,
        workers, random_seed, on_progress, cancel, started, deadline,
    )
    if method not in ("auto", "whole", "neighbourhoods", "sequence"):
        raise ValueError(f"unknown optimise method {method!r}")
    if not search.cancelled():
        open_steps = sum(1 for job in jobs for op in job.operations if not op.is_fixed)
        machines = None
        if method == "sequence" or (method == "auto" and open_steps > SEQUENCE_MIN_STEPS):
            machines = single_machines(jobs, cals, today, existing_load)
        if method == "sequence" and machines is None:
            raise ValueError("the open work is not single-machine sequencing")
        if machines is not None:
            search.sequence_machines(machines)
        elif method == "whole" or (method == "auto" and open_steps <= FULL_MODEL_MAX_STEPS):
            search.solve_whole()
        else:
            search.improve_by_neighbourhoods()
    if search.error is not None:
        raise search.error

    best, best_lateness = fallback, search.fallback_lateness
    if search.best_lateness < best_lateness and not validate_schedule(
        search.best, jobs, cals, today, existing_load
    ):
        best, best_lateness = search.best, search.best_lateness
    proven = search.proven_optimal and best_lateness == search.best_lateness
    if proven:
        status = "optimal"
    elif best is current:
        status = "unchanged"
    else:
        status = "improved" if best_lateness <= lateness_before else "replanned"
    bound = None if search.bound is None else min(search.bound, best_lateness)
    return OptimiseResult(
        best, lateness_before, best_lateness, bound, status, time.monotonic() - started, search.cancelled()
    )


@dataclass
class _Machine:
    """One workshop working on one step at a time, and the orders whose only open step it holds."""

    workshop_id: int
    order_ids: list[int]
    jobs: MachineJobs


def single_machines(
    jobs: list[Job], cals: Mapping[int, WorkshopCalendar], today: date, existing_load: Load | None
) -> list[_Machine] | None:
    """The open work as single machines, or None when it is not: some order has more than one open step left,
    or some workshop can work on two open steps on the same day.

    A machine's time runs in its working days from the day its booked work (fixed steps, other plans) would be
    worked off at full capacity; its orders are taken as ready then. Where that is not so (an order released
    later, a pinned step in the middle), the list scheduler that turns the sequence into a plan still places
    each step where it fits, so the plan is valid; the sequence was merely chosen on a slightly simplified clock.
    """
    ledger = CapacityLedger(cals, today, existing_load)
    by_workshop: dict[int, list[tuple[Job, Operation]]] = {}
    for job in jobs:
        _fixed, open_steps, _earliest = place_fixed_steps(job, ledger, today)
        if len(open_steps) > 1:
            return None
        if open_steps:
            by_workshop.setdefault(open_steps[0].workshop_id, []).append((job, open_steps[0]))
    if not by_workshop:
        return None
    machines = []
    for wid, items in sorted(by_workshop.items()):
        cal = cals[wid]
        shapes = [step_shape(op.remaining_minutes, cal) for _job, op in items]
        if 2 * min(rate for _days, rate in shapes) <= cal.daily_capacity:
            return None
        durations = [days for days, _rate in shapes]
        axis = ledger.working_days(wid)
        first = ledger.booked_minutes(wid) // cal.daily_capacity
        total = sum(durations)
        axis.ensure(first + total)
        finish = [(axis[first] - today).days - 1] + [(axis[first + c - 1] - today).days for c in range(1, total + 1)]
        machine = MachineJobs.of(
            durations, [job.priority for job, _op in items], [(job.due - today).days for job, _op in items], finish
        )
        machines.append(_Machine(wid, [job.order_id for job, _op in items], machine))
    return machines


# A dozen orders or fewer CP-SAT proves optimal at once, which a local search cannot; beyond that it falls behind.
SEQUENCE_MIN_STEPS = 12
SEQUENCE_REPORT_SECONDS = 0.25  # how often the sequence search turns its best sequences into a plan and reports


FULL_MODEL_MAX_STEPS = 150
NEIGHBOURHOOD_ORDERS = (6, 15, 60)  # smallest, first, largest number of orders re-planned together
NEIGHBOURHOOD_SECONDS = 0.5
NEIGHBOURHOOD_MAX_SECONDS = 10.0
NEIGHBOURHOOD_PATIENCE = 25  # solves without gain before each solve gets more time
NEIGHBOURHOOD_MARGIN_DAYS = 5


class _Search:
    """The best plan found so far and the ways to improve it."""

    def __init__(
        self,
        jobs: list[Job],
        cals: dict[int, WorkshopCalendar],
        today: date,
        existing_load: Load | None,
        horizon_end: date,
        start: Schedule,
        workers: int,
        seed: int,
        on_progress: ProgressCallback | None,
        cancel: threading.Event | None,
        started: float,
        deadline: float,
    ) -> None:
        self.jobs = jobs
        self.cals = cals
        self.today = today
        self.existing_load = existing_load
        self.horizon_end = horizon_end
        self.workers = max(1, workers)
        self.seed = seed
        self.on_progress = on_progress
        self.cancel = cancel
        self.started = started
        self.deadline = deadline
        self.best = start
        self.fallback_lateness = start.total_weighted_lateness(jobs)
        self.best_lateness = self.fallback_lateness
        self.bound: int | None = earliest_finish_bound(jobs, cals, today, existing_load)
        self.proven_optimal = self.best_lateness == self.bound
        self.error: BaseException | None = None
        self._lock = threading.Lock()

    def cancelled(self) -> bool:
        return self.cancel is not None and self.cancel.is_set()

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def report(self, best: int | None, bound: float | None) -> None:
        if self.on_progress is None or self.error is not None:
            return
        with self._lock:
            try:
                self.on_progress(best, bound, time.monotonic() - self.started)
            except BaseException as exc:  # noqa: BLE001 — re-raised in the caller's thread after the solve
                self.error = exc

    def run(
        self,
        built: _Model,
        seconds: float,
        solution_callback: cp_model.CpSolverSolutionCallback | None = None,
        bound_callback: Callable[[float], None] | None = None,
        threads: int | None = None,
    ) -> tuple[cp_model.CpSolverStatus, cp_model.CpSolver]:
        """Solve one model, stopping early on cancel or on an error in the progress callback."""
        solver = cp_model.CpSolver()
        params = solver.parameters
        params.max_time_in_seconds = max(0.05, seconds)
        params.num_workers = threads or self.workers
        params.random_seed = self.seed
        # Probing is where presolve spends its time on these models, without helping the search much.
        params.cp_model_probing_level = 0
        if bound_callback is not None:
            solver.best_bound_callback = bound_callback
        done = threading.Event()
        watcher = threading.Thread(target=self._watch, args=(done, solver), daemon=True)
        watcher.start()
        try:
            status = solver.solve(built.model, solution_callback)
        finally:
            done.set()
            watcher.join()
        return status, solver

    def _watch(self, done: threading.Event, solver: cp_model.CpSolver) -> None:
        # stop_search() does nothing before solve() has started, so keep asking until the solve is over.
        while not done.wait(CANCEL_POLL_SECONDS):
            if self.cancelled() or self.error is not None:
                solver.stop_search()

    def solve_whole(self) -> None:
        built = _Model(self.jobs, self.cals, self.today, self.existing_load, self.horizon_end)
        built.build()
        built.add_hint(self.best)
        if self.on_progress is not None:
            reporter = _SolutionReporter(self)
            status, solver = self.run(built, self.remaining(), reporter, reporter.on_bound)
        else:
            status, solver = self.run(built, self.remaining())
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return
        self.bound = max(self.bound or 0, math.ceil(solver.best_objective_bound - 1e-6))
        found = built.schedule_from(solver)
        lateness = found.total_weighted_lateness(self.jobs)
        if lateness < self.best_lateness:
            self.best, self.best_lateness = found, lateness
        self.proven_optimal = status == cp_model.OPTIMAL or self.best_lateness <= self.bound

    def sequence_machines(self, machines: list[_Machine]) -> None:
        """Iterated local search on each machine's sequence (the larger machines get more of the time), starting
        from the better of the current plan's order and the apparent tardiness cost order. The sequences are
        planned by the list scheduler now and then to report progress, and at the end."""
        rng = random.Random(self.seed)
        sequences: list[list[int]] = []
        for machine in machines:
            position = {order_id: i for i, order_id in enumerate(machine.order_ids)}
            starts = {
                position[op.order_id]: op.start
                for op in self.best.ops.values()
                if op.order_id in position and op.minutes_by_day
            }
            current = sorted(range(len(position)), key=lambda i: (starts.get(i, date.max), i))
            atc = apparent_tardiness_cost_order(machine.jobs)
            sequences.append(min(current, atc, key=machine.jobs.cost))
        changed = [False]
        last_report = [time.monotonic()]

        def plan() -> None:
            order_ids = [machine.order_ids[i] for machine, seq in zip(machines, sequences) for i in seq]
            found = plan_in_order(self.jobs, self.cals, self.today, order_ids, self.existing_load)
            lateness = found.total_weighted_lateness(self.jobs)
            if lateness < self.best_lateness:
                self.best, self.best_lateness = found, lateness
                self.report(lateness, self.bound)

        def stop() -> bool:
            if changed[0] and time.monotonic() - last_report[0] >= SEQUENCE_REPORT_SECONDS:
                changed[0] = False
                last_report[0] = time.monotonic()
                plan()
            return self.cancelled() or self.error is not None

        weights = [len(machine.jobs) ** 2 for machine in machines]
        for index, machine in enumerate(machines):
            share = self.remaining() * weights[index] / max(1, sum(weights[index:]))

            def better(sequence: list[int], _cost: int, index: int = index) -> None:
                sequences[index] = sequence
                changed[0] = True

            sequences[index], _cost = iterated_local_search(
                machine.jobs, sequences[index], time.monotonic() + share, rng, stop, better
            )
            if stop():
                break
        plan()
        self.proven_optimal = self.best_lateness <= (self.bound or 0)

    def improve_by_neighbourhoods(self) -> None:
        """Improve the plan a neighbourhood at a time, `workers` neighbourhoods at once (one solver thread each,
        on disjoint orders); a better neighbourhood is kept if it still fits the capacity left by the others."""
        state = _NeighbourhoodState(self)
        self.report(self.best_lateness, self.bound)
        threads = [
            threading.Thread(target=self._neighbourhood_worker, args=(state, random.Random(self.seed + i)), daemon=True)
            for i in range(self.workers)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def _neighbourhood_worker(self, state: _NeighbourhoodState, rng: random.Random) -> None:
        try:
            self._improve_neighbourhoods(state, rng)
        except BaseException as exc:  # noqa: BLE001 — re-raised in the caller's thread
            with self._lock:
                self.error = self.error or exc

    def _improve_neighbourhoods(self, state: _NeighbourhoodState, rng: random.Random) -> None:
        """Neighbourhoods grow when they are solved to the end without gain (the answer lies wider) and shrink
        when the solver runs out of time on them; after a long run without gain each solve also gets more
        time, so a long search (the bench's reference runs) keeps finding what a short one cannot."""
        smallest, size, largest = NEIGHBOURHOOD_ORDERS
        seconds = NEIGHBOURHOOD_SECONDS
        longest = max(seconds, min(NEIGHBOURHOOD_MAX_SECONDS, (self.deadline - self.started) / 20))
        idle = 0
        while not self.cancelled() and self.error is None and self.remaining() > 0.1:
            with self._lock:
                if self.best_lateness <= (self.bound or 0):
                    self.proven_optimal = True
                    return
                chosen = state.pick(rng, round(size))
                if chosen is None:
                    return
                others = state.load_without(chosen)
                hint = self.best
            if not chosen:
                # Every late order is being worked on by another thread.
                time.sleep(CANCEL_POLL_SECONDS)
                continue
            try:
                sub_jobs = [state.jobs_by_id[order_id] for order_id in chosen]
                built = _Model(sub_jobs, self.cals, self.today, others, self.horizon_end)
                built.build()
                built.add_hint(hint)
                status, solver = self.run(built, min(seconds, self.remaining()), threads=1)
                found = built.schedule_from(solver) if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None
            finally:
                with self._lock:
                    state.busy.difference_update(chosen)
            gain = None
            if found is not None:
                with self._lock:
                    gain = state.accept(sub_jobs, found)
                    if gain is not None:
                        self.best = state.schedule
                        self.best_lateness -= gain
                    best, bound = self.best_lateness, self.bound
                if gain:
                    self.report(best, bound)
            if gain:
                idle = 0
                continue
            idle += 1
            if status == cp_model.OPTIMAL:
                size = min(largest, size * 1.2)
            else:
                size = max(smallest, size * 0.9)
            if idle >= NEIGHBOURHOOD_PATIENCE:
                idle = 0
                seconds = min(longest, seconds * 1.5)
                size = min(largest, size * 1.5)


class _NeighbourhoodState:
    """The plan being improved, its per-order lateness, and the minutes it holds per workshop day (an open step
    its daily pace on each of its days, as the model reserves it; a fixed step its actual minutes)."""

    def __init__(self, search: _Search) -> None:
        self.cals = search.cals
        self.jobs_by_id = {job.order_id: job for job in search.jobs}
        self.fixed_keys = {op.key for job in search.jobs for op in job.operations if op.is_fixed}
        self.open_orders = {job.order_id for job in search.jobs if any(not op.is_fixed for op in job.operations)}
        self.schedule = search.best
        self.late = self.schedule.lateness_by_order(search.jobs)
        self.busy: set[int] = set()
        self.ops_by_order: dict[int, list[ScheduledOperation]] = {}
        for op in self.schedule.ops.values():
            self.ops_by_order.setdefault(op.order_id, []).append(op)
        self.held: Load = add_loads(search.existing_load)
        for op in self.schedule.ops.values():
            self._hold(op, 1)

    def _holds(self, op: ScheduledOperation) -> Mapping[date, int]:
        if op.key in self.fixed_keys or not op.minutes_by_day:
            return op.minutes_by_day
        days, rate = step_shape(op.minutes, self.cals[op.workshop_id])
        return dict.fromkeys(op.minutes_by_day, rate) if days == len(op.minutes_by_day) else op.minutes_by_day

    def _hold(self, op: ScheduledOperation, sign: int) -> None:
        by_day = self.held.setdefault(op.workshop_id, {})
        for day, minutes in self._holds(op).items():
            by_day[day] = by_day.get(day, 0) + sign * minutes

    def load_without(self, orders: Iterable[int]) -> Load:
        load = {wid: dict(by_day) for wid, by_day in self.held.items()}
        for order_id in orders:
            for op in self.ops_by_order.get(order_id, []):
                by_day = load[op.workshop_id]
                for day, minutes in self._holds(op).items():
                    by_day[day] -= minutes
        return load

    def accept(self, sub_jobs: list[Job], found: Schedule) -> int | None:
        """Take the neighbourhood's new plan if it is no worse, different, and still fits; return the lateness
        it saves (None when it is not taken). Taking plans that are merely as good lets the search drift across
        plateaus instead of stalling on them."""
        found_late = found.lateness_by_order(sub_jobs)
        before = sum(job.priority * self.late.get(job.order_id, 0) for job in sub_jobs)
        after = sum(job.priority * found_late.get(job.order_id, 0) for job in sub_jobs)
        if after > before:
            return None
        if after == before and all(
            self.schedule.ops.get(key) is not None and self.schedule.ops[key].start == op.start
            for key, op in found.ops.items()
        ):
            return None
        old = [op for job in sub_jobs for op in self.ops_by_order.get(job.order_id, [])]
        for op in old:
            self._hold(op, -1)
        for op in found.ops.values():
            self._hold(op, 1)
        for op in found.ops.values():
            if op.key in self.fixed_keys:
                continue
            capacity = self.cals[op.workshop_id].daily_capacity
            by_day = self.held[op.workshop_id]
            if any(by_day[day] > capacity for day in op.minutes_by_day):
                # Another neighbourhood took these minutes meanwhile: put the old plan back.
                for undo in found.ops.values():
                    self._hold(undo, -1)
                for undo in old:
                    self._hold(undo, 1)
                return None
        self.schedule = self.schedule.merged(found)
        for job in sub_jobs:
            self.ops_by_order[job.order_id] = [op for op in found.ops.values() if op.order_id == job.order_id]
        self.late.update(found_late)
        return before - after

    def pick(self, rng: random.Random, size: int) -> list[int] | None:
        """A late order (the later and the weightier, the likelier) and orders whose open steps share its
        workshops around the same days: the ones that can make room for it. Orders another neighbourhood is
        working on are left out; the chosen ones are marked busy. None when no late order can be moved at all,
        an empty list when the ones that can are all busy."""
        movable = [order_id for order_id, days in self.late.items() if days > 0 and order_id in self.open_orders]
        if not movable:
            return None
        late_ids = sorted(order_id for order_id in movable if order_id not in self.busy)
        if not late_ids:
            return []
        weights = [self.jobs_by_id[order_id].priority * self.late[order_id] for order_id in late_ids]
        seed_id = rng.choices(late_ids, weights)[0]
        margin = timedelta(days=NEIGHBOURHOOD_MARGIN_DAYS)
        windows: dict[int, tuple[date, date]] = {}
        for op in self.ops_by_order.get(seed_id, []):
            if op.key in self.fixed_keys:
                continue
            first, last = windows.get(op.workshop_id, (op.start, op.end))
            windows[op.workshop_id] = (min(first, op.start - margin), max(last, op.end + margin))
        competitors = set()
        for order_id, ops in self.ops_by_order.items():
            if order_id == seed_id or order_id in self.busy:
                continue
            for op in ops:
                window = windows.get(op.workshop_id)
                if window and op.key not in self.fixed_keys and op.start <= window[1] and op.end >= window[0]:
                    competitors.add(order_id)
                    break
        chosen = [seed_id] + rng.sample(sorted(competitors), min(len(competitors), size - 1))
        self.busy.update(chosen)
        return chosen


class _SolutionReporter(cp_model.CpSolverSolutionCallback):
    """Passes each better plan of the whole model on to the planner's progress callback."""

    def __init__(self, search: _Search) -> None:
        super().__init__()
        self.search = search
        self.best: int | None = None

    def on_solution_callback(self) -> None:
        self.best = round(self.objective_value)
        self.search.report(self.best, max(self.best_objective_bound, self.search.bound or 0))

    def on_bound(self, bound: float) -> None:
        self.search.report(self.best, max(bound, self.search.bound or 0))
