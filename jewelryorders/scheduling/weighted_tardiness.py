"""Single-machine total weighted tardiness: the textbook yardstick for 'Re-plan all' and 'Optimise'.

Instances are generated the standard way (Potts and Van Wassenhove; the OR-Library sets): n jobs, processing
times uniform on 1…100, weights uniform on 1…10, due dates uniform on [P(1 − TF − RDD/2), P(1 − TF + RDD/2)] with
P the total processing time, for tardiness factors TF and ranges of due dates RDD in {0.2, 0.4, 0.6, 0.8, 1.0}.
A due date below zero is taken as zero (it changes only a constant: such a job is late whatever its place).

`solve_exact` proves the optimum, independently of the optimiser it judges:

1. An upper bound: a sequence (from the caller, or iterated local search).
2. A lower bound: the time-indexed Lagrangian relaxation. Drop "each job exactly once", price job j at μ_j, and
   the cheapest way to fill the time 0…P is a shortest path over time (a dynamic programme, O(n·P)); the
   subgradient method raises the bound over μ. The stronger path keeps the last job in its state, so a path
   never repeats a job twice in a row or as j, i, j, and never runs two adjacent jobs that swapping would make
   cheaper (no optimal schedule does either).
3. Elimination: with the forward paths and the backward paths (the same programme on the mirrored instance),
   a job j can finish at time t in a schedule cheaper than the upper bound only if the cheapest path through
   "j finishes at t" costs less than it. What is left is a small set of finish times per job.
4. Proof: CP-SAT on that model (intervals on one machine, finish times restricted to what is left, the classic
   dominance "shorter, heavier and due no later goes first", cost below the upper bound). Infeasible means the
   upper bound is optimal; a solution is optimal when CP-SAT proves it. When CP-SAT runs out of time, the best
   lower bound is kept and the instance is reported as not proven.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import permutations

import numpy as np
from ortools.sat.python import cp_model

from .model import Job, Operation, WorkshopCalendar
from .sequencing import MachineJobs, apparent_tardiness_cost_order, iterated_local_search

TARDINESS_FACTORS = (0.2, 0.4, 0.6, 0.8, 1.0)
DUE_DATE_RANGES = (0.2, 0.4, 0.6, 0.8, 1.0)
INF = np.inf


@dataclass(frozen=True)
class Instance:
    """One generated instance: processing times, weights and due dates of its jobs."""

    n: int
    tf: float
    rdd: float
    index: int
    p: tuple[int, ...]
    w: tuple[int, ...]
    d: tuple[int, ...]

    @property
    def name(self) -> str:
        return f"n{self.n}-tf{self.tf:.1f}-rdd{self.rdd:.1f}-{self.index}"

    @property
    def seed(self) -> int:
        return instance_seed(self.n, self.tf, self.rdd, self.index)


def instance_seed(n: int, tf: float, rdd: float, index: int) -> int:
    return n * 100_000 + round(tf * 10) * 1_000 + round(rdd * 10) * 100 + index


def generate_instance(n: int, tf: float, rdd: float, index: int = 0) -> Instance:
    """The instance with these parameters: the same on every machine and Python version."""
    rng = random.Random(instance_seed(n, tf, rdd, index))
    p = [rng.randint(1, 100) for _ in range(n)]
    w = [rng.randint(1, 10) for _ in range(n)]
    total = sum(p)
    low, high = total * (1 - tf - rdd / 2), total * (1 - tf + rdd / 2)
    d = [max(0, math.floor(rng.uniform(low, high) + 0.5)) for _ in range(n)]
    return Instance(n, tf, rdd, index, tuple(p), tuple(w), tuple(d))


def weighted_tardiness(sequence: Sequence[int], p: Sequence[int], w: Sequence[int], d: Sequence[int]) -> int:
    finish = 0
    total = 0
    for j in sequence:
        finish += p[j]
        total += w[j] * max(0, finish - d[j])
    return total


def brute_force(p: Sequence[int], w: Sequence[int], d: Sequence[int]) -> tuple[int, list[int]]:
    """The optimum by trying every order (for a handful of jobs)."""
    best = min(permutations(range(len(p))), key=lambda s: weighted_tardiness(s, p, w, d))
    return weighted_tardiness(best, p, w, d), list(best)


# --- the application's own model -----------------------------------------------------------------------------

EVERY_DAY = frozenset(range(7))
BENCH_MINUTES = 480


def as_factory(instance: Instance, today: date) -> tuple[list[Job], list[WorkshopCalendar]]:
    """The instance as the planner would enter it: one workshop with one bench working every day, every job an
    order of one step released today, one day of work per time unit, its weight as its priority.

    A job finishing after t time units finishes on day today + t − 1, so its delivery date is today + d − 1 and
    its days late are exactly its tardiness.
    """
    calendar = WorkshopCalendar(1, "Machine", BENCH_MINUTES, 1, EVERY_DAY, frozenset())
    jobs = []
    for j, (p, w, d) in enumerate(zip(instance.p, instance.w, instance.d)):
        key = f"J{j + 1:03d}"
        operation = Operation(f"{key}/1", 1, 1, p * BENCH_MINUTES, name="work")
        jobs.append(Job(j + 1, key, today + timedelta(days=d - 1), w, today, [operation]))
    return jobs, [calendar]


# --- exact method --------------------------------------------------------------------------------------------


@dataclass
class ExactResult:
    value: int  # the best total weighted tardiness found (optimal when `proven`)
    lower_bound: int
    proven: bool
    sequence: list[int]
    seconds: float
    stages: dict = field(default_factory=dict)  # what each stage gave, for the record


def _cost_table(p: np.ndarray, w: np.ndarray, d: np.ndarray) -> np.ndarray:
    times = np.arange(int(p.sum()) + 1)
    return (w[:, None] * np.maximum(0, times[None, :] - d[:, None])).astype(np.float64)


def _relaxed_paths(p: np.ndarray, c: np.ndarray) -> tuple[float, np.ndarray]:
    """Cheapest way to fill 0…P with jobs that may repeat: (cost, how often each job is used)."""
    n, size = c.shape
    best = np.full(size, INF)
    best[0] = 0.0
    last = np.full(size, -1)
    for t in range(1, size):
        prev = t - p
        vals = np.where(prev >= 0, best[np.maximum(prev, 0)] + c[:, t], INF)
        j = int(vals.argmin())
        best[t], last[t] = vals[j], j
    counts = np.zeros(n, dtype=np.int64)
    t = size - 1
    while t > 0:
        j = last[t]
        counts[j] += 1
        t -= p[j]
    return float(best[-1]), counts


def _swap_forbidden(p: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """[t, j, i]: job i followed by job j finishing at t costs strictly more than j followed by i."""
    n, size = cost.shape
    last = size - 1
    forbidden = np.zeros((size, n, n), dtype=bool)
    rows_i = np.broadcast_to(np.arange(n)[None, :], (n, n))
    rows_j = np.broadcast_to(np.arange(n)[:, None], (n, n))
    for t in range(1, size):
        i_first = np.clip(t - p[:, None], 0, last)  # i finishes when j starts
        j_first = np.clip(t - p[None, :], 0, last)  # j finishes when i starts
        keep = cost[rows_i, i_first] + cost[rows_j, t]
        swap = cost[rows_j, j_first] + cost[rows_i, t]
        forbidden[t] = swap < keep
    return forbidden


def _constrained_paths(p: np.ndarray, c: np.ndarray, forbidden: np.ndarray):
    """Cheapest paths over time with the last job in the state: no job twice in a row, no j, i, j, no adjacent
    pair a swap would make cheaper. Returns best/second-best values and predecessors per (time, last job)."""
    n, size = c.shape
    best1 = np.full((size, n), INF)
    best2 = np.full((size, n), INF)
    pred1 = np.full((size, n), -2, dtype=np.int64)
    pred2 = np.full((size, n), -2, dtype=np.int64)
    jobs = np.arange(n)
    same = np.eye(n, dtype=bool)
    for t in range(1, size):
        start = t - p
        inside = start > 0
        s = np.where(inside, start, 0)
        # Coming from job i at time s: its best path, unless that path came from j itself (j, i, j).
        values = np.where(pred1[s] == jobs[:, None], best2[s], best1[s])
        values = np.where(same | forbidden[t] | ~inside[:, None], INF, values) + c[:, t][:, None]
        a1 = values.argmin(axis=1)
        v1 = values[jobs, a1]
        values[jobs, a1] = INF
        a2 = values.argmin(axis=1)
        v2 = values[jobs, a2]
        first = start == 0
        best1[t] = np.where(first, c[:, t], v1)
        pred1[t] = np.where(first, -1, a1)
        best2[t] = np.where(first, INF, v2)
        pred2[t] = a2
    return best1, best2, pred1, pred2


def _path_counts(p: np.ndarray, best1, best2, pred1, pred2) -> np.ndarray:
    t = best1.shape[0] - 1
    j = int(best1[t].argmin())
    counts = np.zeros(len(p), dtype=np.int64)
    after = -3
    while True:
        counts[j] += 1
        previous = pred1[t, j] if pred1[t, j] != after else pred2[t, j]
        if previous < 0:
            return counts
        t, after, j = t - p[j], j, int(previous)


def _subgradient(bound_of, n: int, upper: int, mu: np.ndarray, deadline: float, max_iterations: int):
    """Raise the Lagrangian bound over the prices μ (Polyak steps towards the upper bound)."""
    best, best_mu = -INF, mu.copy()
    scale, stall = 0.5, 0
    for _ in range(max_iterations):
        value, counts = bound_of(mu)
        bound = value + mu.sum()
        if bound > best + 1e-9:
            best, best_mu, stall = bound, mu.copy(), 0
        else:
            stall += 1
            if stall >= 5:
                scale, stall = scale / 2, 0
        direction = 1 - counts
        if not direction.any() or best > upper - 1 + 1e-6 or scale < 1e-4 or time.monotonic() > deadline:
            break
        mu = mu + scale * max(upper - bound, 1e-3) / float(direction @ direction) * direction
    return best, best_mu


def _finish_domains(p: np.ndarray, cost: np.ndarray, mu: np.ndarray, forbidden: np.ndarray, upper: int):
    """For each job, the finish times at which a schedule cheaper than `upper` may finish it."""
    n, size = cost.shape
    total = size - 1
    c = cost - mu[:, None]
    forward = _constrained_paths(p, c, forbidden)[0]
    times = np.arange(size)
    # The mirrored instance: job j finishing at t' there runs where it would finish at P − t' + p_j here.
    mirror = np.clip(total - times[None, :] + p[:, None], 0, total)
    backward = _constrained_paths(
        p, np.take_along_axis(c, mirror, axis=1), _swap_forbidden(p, np.take_along_axis(cost, mirror, axis=1))
    )[0]
    order = np.sort(backward, axis=1)
    cheapest = backward.argmin(axis=1)
    domains = []
    for j in range(n):
        t = np.arange(p[j], size)
        rest = np.where(t == total, 0.0, np.where(cheapest[total - t] == j, order[total - t, 1], order[total - t, 0]))
        through = forward[t, j] + rest + mu.sum()
        domains.append(t[through < upper - 1 + 1e-6])
    return domains


def _dominates(i: int, j: int, p, w, d) -> bool:
    """Job i goes before job j in some optimal schedule: it is no longer, no lighter and due no later (ties
    between identical jobs by number)."""
    if p[i] > p[j] or w[i] < w[j] or d[i] > d[j]:
        return False
    return (p[i], w[i], d[i]) != (p[j], w[j], d[j]) or i < j


def _prove(p, w, d, domains, upper: int, seconds: float, workers: int):
    """CP-SAT over what elimination left: a schedule cheaper than `upper`, or proof there is none."""
    n = len(p)
    model = cp_model.CpModel()
    ends, intervals, late = [], [], []
    for j in range(n):
        end = model.new_int_var_from_domain(cp_model.Domain.from_values([int(t) for t in domains[j]]), f"end{j}")
        intervals.append(model.new_interval_var(end - int(p[j]), int(p[j]), end, f"job{j}"))
        tardy = model.new_int_var(0, max(0, int(sum(p)) - int(d[j])), f"late{j}")
        model.add(tardy >= end - int(d[j]))
        ends.append(end)
        late.append(tardy)
    model.add_no_overlap(intervals)
    for i in range(n):
        for j in range(n):
            if i != j and _dominates(i, j, p, w, d):
                model.add(ends[j] - int(p[j]) >= ends[i])
    objective = sum(int(w[j]) * late[j] for j in range(n))
    model.add(objective <= upper - 1)
    model.minimize(objective)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    status = solver.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        sequence = sorted(range(n), key=lambda j: solver.value(ends[j]))
        return status, sequence, solver.best_objective_bound
    return status, None, solver.best_objective_bound


def solve_exact(
    p: Sequence[int],
    w: Sequence[int],
    d: Sequence[int],
    seconds: float = 600.0,
    upper_sequence: Sequence[int] | None = None,
    heuristic_seconds: float = 5.0,
    workers: int = 2,
    seed: int = 0,
) -> ExactResult:
    """The optimum of one instance and the proof, within about `seconds` (see the module docstring)."""
    started = time.monotonic()
    deadline = started + seconds
    pa, wa, da = (np.asarray(x, dtype=np.int64) for x in (p, w, d))
    n = len(pa)
    stages: dict = {}
    machine = MachineJobs.of(pa, wa, da)
    if upper_sequence is None:
        upper_sequence, _ = iterated_local_search(
            machine, apparent_tardiness_cost_order(machine), started + heuristic_seconds, random.Random(seed)
        )
    sequence = list(upper_sequence)
    upper = weighted_tardiness(sequence, pa, wa, da)
    stages["upper"] = upper

    def result(lower: int, proven: bool) -> ExactResult:
        return ExactResult(upper, min(upper, lower), proven, sequence, round(time.monotonic() - started, 2), stages)

    if upper == 0:
        return result(0, True)
    cost = _cost_table(pa, wa, da)
    # Starting prices: what each job costs where it runs in the upper-bound schedule.
    finish = np.cumsum(pa[sequence])
    mu = np.zeros(n)
    mu[sequence] = cost[sequence, finish]
    simple = lambda m: _relaxed_paths(pa, cost - m[:, None])  # noqa: E731
    lower1, mu = _subgradient(simple, n, upper, mu, started + 0.25 * seconds, 300)
    stages["relaxation"] = round(lower1, 2)
    lower = math.ceil(lower1 - 1e-6)
    if lower >= upper:
        return result(upper, True)
    forbidden = _swap_forbidden(pa, cost)

    def constrained(m):
        paths = _constrained_paths(pa, cost - m[:, None], forbidden)
        return float(paths[0][-1].min()), _path_counts(pa, *paths)

    lower2, mu2 = _subgradient(constrained, n, upper, mu, started + 0.6 * seconds, 80)
    stages["constrained_relaxation"] = round(lower2, 2)
    if lower2 < lower1:
        lower2, mu2 = lower1, mu
    lower = max(lower, math.ceil(lower2 - 1e-6))
    if lower >= upper:
        return result(upper, True)
    domains = _finish_domains(pa, cost, mu2, forbidden, upper)
    stages["finish_times_left"] = int(sum(len(x) for x in domains))
    if any(len(x) == 0 for x in domains):
        return result(upper, True)
    status, better, bound = _prove(pa, wa, da, domains, upper, max(1.0, deadline - time.monotonic()), workers)
    stages["cp_sat"] = status.name
    if status == cp_model.INFEASIBLE:
        return result(upper, True)
    if better is not None:
        sequence = better
        upper = weighted_tardiness(sequence, pa, wa, da)
    if status == cp_model.OPTIMAL:
        return result(upper, True)
    return result(max(lower, math.ceil(bound - 1e-6)), False)
