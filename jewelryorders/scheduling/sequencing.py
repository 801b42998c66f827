"""Sequencing jobs on one machine: iterated local search over job orders for the total weighted lateness.

A machine here is a workshop that works on one step at a time (see `optimise`): the jobs run back to back in the
order of a sequence, so a job's finish is the sum of the durations up to it, and its cost is
weight × days late. This is the single-machine total weighted tardiness problem, and the method is the one that
solves it best in the literature: iterated local search, i.e. a steepest descent over the insertion and swap
neighbourhoods, kicked out of each local optimum by a few random swaps and restarted from the best sequence
found.

Every neighbourhood is evaluated at once with numpy: moving the job at position i to position j shifts the jobs
in between by its duration, so the cost change of all n² moves is a handful of array operations over the current
finish times (a cumulative sum along each row), not n² re-evaluations.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

NO_MOVE = np.iinfo(np.int64).max // 4
# Beyond this many jobs the descent works on windows of the sequence (its n × n arrays would get large).
WINDOW = 200
# The swap neighbourhood needs one row per distinct difference of two durations; skip it when that gets large.
MAX_SWAP_CELLS = 2_000_000


@dataclass
class MachineJobs:
    """Jobs of one machine: durations in time units (working days), weights, and due offsets.

    `finish_offset[c]` is the calendar offset (from today) of the day on which a job finishes when `c` time units
    of the machine have been used up by it and the jobs before it; a job is late by
    max(0, finish_offset[c] − due). For the textbook problem finish_offset[c] = c.
    """

    durations: np.ndarray
    weights: np.ndarray
    dues: np.ndarray
    finish_offset: np.ndarray

    @classmethod
    def of(
        cls,
        durations: Sequence[int],
        weights: Sequence[int],
        dues: Sequence[int],
        finish_offset: Sequence[int] | None = None,
    ) -> MachineJobs:
        p = np.asarray(durations, dtype=np.int64)
        total = int(p.sum())
        if finish_offset is None:
            finish = np.arange(total + 1, dtype=np.int64)
        else:
            finish = np.asarray(finish_offset, dtype=np.int64)
            if len(finish) < total + 1:
                raise ValueError("finish_offset must cover the total duration")
        return cls(p, np.asarray(weights, dtype=np.int64), np.asarray(dues, dtype=np.int64), finish)

    def __len__(self) -> int:
        return len(self.durations)

    def cost(self, sequence: Sequence[int]) -> int:
        s = np.asarray(sequence, dtype=np.int64)
        finish = np.cumsum(self.durations[s])
        return int((self.weights[s] * np.maximum(0, self.finish_offset[finish] - self.dues[s])).sum())


def _late_cost(jobs: MachineJobs, w: np.ndarray, due: np.ndarray, units: np.ndarray) -> np.ndarray:
    units = np.clip(units, 0, len(jobs.finish_offset) - 1)
    return w * np.maximum(0, jobs.finish_offset[units] - due)


def best_move(jobs: MachineJobs, segment: np.ndarray, offset: int) -> tuple[int, str, int, int]:
    """The best insertion or swap inside `segment` (jobs run from `offset` time units on): (gain, kind, i, j),
    gain ≤ 0 meaning no move improves."""
    n = len(segment)
    if n < 2:
        return 0, "", 0, 0
    p = jobs.durations[segment]
    w = jobs.weights[segment]
    due = jobs.dues[segment]
    finish = offset + np.cumsum(p)
    base = _late_cost(jobs, w, due, finish)
    after = np.triu(np.ones((n, n), dtype=bool), 1)  # [i, k]: k after i
    before = after.T  # [i, k]: k before i

    # Job i inserted after position j > i: the jobs i+1 … j finish p_i earlier, job i when job j finished.
    shifted = np.where(after, _late_cost(jobs, w[None, :], due[None, :], finish[None, :] - p[:, None]) - base, 0)
    forward = np.cumsum(shifted, axis=1) + _late_cost(jobs, w[:, None], due[:, None], finish[None, :]) - base[:, None]
    forward = np.where(after, forward, NO_MOVE)
    # Job i inserted before position j < i: the jobs j … i−1 finish p_i later, job i where job j started plus p_i.
    shifted = np.where(before, _late_cost(jobs, w[None, :], due[None, :], finish[None, :] + p[:, None]) - base, 0)
    backward = np.cumsum(shifted[:, ::-1], axis=1)[:, ::-1]
    starts = finish - p
    backward = backward + _late_cost(jobs, w[:, None], due[:, None], starts[None, :] + p[:, None]) - base[:, None]
    backward = np.where(before, backward, NO_MOVE)

    candidates = [(int(forward.min()), "insert", int(forward.argmin())), (int(backward.min()), "insert", int(backward.argmin()))]
    # Swap of positions i < j: the jobs in between shift by p_j − p_i, a shift shared by many pairs, so the
    # in-between sums come from one cumulative row per distinct shift.
    shift = p[None, :] - p[:, None]
    distinct, which = np.unique(shift, return_inverse=True)
    which = which.reshape(n, n)
    if len(distinct) * n <= MAX_SWAP_CELLS:
        moved = _late_cost(jobs, w[None, :], due[None, :], finish[None, :] + distinct[:, None]) - base[None, :]
        running = np.concatenate([np.zeros((len(distinct), 1), dtype=np.int64), np.cumsum(moved, axis=1)], axis=1)
        ii, jj = np.nonzero(after)
        rows = which[ii, jj]
        middle = running[rows, jj] - running[rows, ii + 1]
        gain = (
            middle
            + _late_cost(jobs, w[jj], due[jj], starts[ii] + p[jj])
            - base[jj]
            + _late_cost(jobs, w[ii], due[ii], finish[jj])
            - base[ii]
        )
        k = int(gain.argmin())
        candidates.append((int(gain[k]), "swap", int(ii[k]) * n + int(jj[k])))
    delta, kind, flat = min(candidates, key=lambda c: c[0])
    i, j = divmod(flat, n)
    return -delta, kind, i, j


def apply_move(segment: np.ndarray, kind: str, i: int, j: int) -> np.ndarray:
    if kind == "swap":
        out = segment.copy()
        out[i], out[j] = out[j], out[i]
        return out
    job = segment[i]
    rest = np.delete(segment, i)
    return np.insert(rest, j, job)


def descend(
    jobs: MachineJobs,
    sequence: np.ndarray,
    rng: random.Random | None = None,
    stop: Callable[[], bool] = lambda: False,
) -> np.ndarray:
    """Steepest descent to a local optimum of the insertion and swap neighbourhoods (on windows of WINDOW jobs
    when there are more); `stop()` ends it early with the sequence reached so far."""
    s = np.asarray(sequence, dtype=np.int64)
    n = len(s)
    if n <= WINDOW:
        while not stop():
            gain, kind, i, j = best_move(jobs, s, 0)
            if gain <= 0:
                return s
            s = apply_move(s, kind, i, j)
        return s
    rng = rng or random.Random(0)
    stale = 0
    starts = list(range(0, n - WINDOW + 1, WINDOW // 2)) + [n - WINDOW]
    while stale < len(starts) and not stop():
        a = starts[rng.randrange(len(starts))]
        offset = int(jobs.durations[s[:a]].sum())
        segment = s[a : a + WINDOW]
        improved = False
        while not stop():
            gain, kind, i, j = best_move(jobs, segment, offset)
            if gain <= 0:
                break
            segment = apply_move(segment, kind, i, j)
            improved = True
        if improved:
            s = np.concatenate([s[:a], segment, s[a + WINDOW :]])
            stale = 0
        else:
            stale += 1
    return s


def kick(sequence: np.ndarray, rng: random.Random) -> np.ndarray:
    """A few random swaps of nearby jobs: enough to leave a local optimum, little enough to keep what it had."""
    s = sequence.copy()
    n = len(s)
    if n < 2:
        return s
    for _ in range(rng.randint(2, 6)):
        i = rng.randrange(n - 1)
        j = min(n - 1, i + rng.randint(1, 8))
        s[i], s[j] = s[j], s[i]
    return s


def iterated_local_search(
    jobs: MachineJobs,
    start: Sequence[int],
    deadline: float,
    rng: random.Random,
    stop: Callable[[], bool] = lambda: False,
    on_better: Callable[[list[int], int], None] | None = None,
    lower_bound: int = 0,
) -> tuple[list[int], int]:
    """The best sequence found from `start` before `deadline` (time.monotonic()) or `stop()`; `on_better` hears
    of every improvement. Stops early when it reaches `lower_bound`."""
    best = descend(jobs, np.asarray(start, dtype=np.int64), rng, stop)
    best_cost = jobs.cost(best)
    if on_better is not None and best_cost < jobs.cost(start):
        on_better(best.tolist(), best_cost)
    while best_cost > lower_bound and time.monotonic() < deadline and not stop():
        candidate = descend(jobs, kick(best, rng), rng, stop)
        cost = jobs.cost(candidate)
        if cost <= best_cost:
            # Equal sequences are taken too, so the search drifts across plateaus instead of stalling on them.
            improved = cost < best_cost
            best, best_cost = candidate, cost
            if improved and on_better is not None:
                on_better(best.tolist(), best_cost)
    return best.tolist(), best_cost


def apparent_tardiness_cost_order(jobs: MachineJobs, k: float = 2.0) -> list[int]:
    """The apparent tardiness cost rule on one machine: next the job with the largest
    w/p × exp(−max(0, slack)/(k × mean p)), its slack being how long it could still wait and be on time."""
    p = jobs.durations.astype(float)
    w = jobs.weights.astype(float)
    mean = max(p.mean(), 1e-9) if len(p) else 1.0
    left = np.ones(len(p), dtype=bool)
    used = 0
    order = []
    for _ in range(len(p)):
        finish = jobs.finish_offset[np.minimum(used + jobs.durations, len(jobs.finish_offset) - 1)]
        slack = np.maximum(0, jobs.dues - finish)
        index = np.where(left, w / p * np.exp(-slack / (k * mean)), -1.0)
        j = int(index.argmax())
        order.append(j)
        left[j] = False
        used += int(jobs.durations[j])
    return order
