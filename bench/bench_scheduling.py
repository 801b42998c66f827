"""Scheduling bench: 'Re-plan all' and 'Optimise' against the best plan known, on generated factories.

Prints, per factory size (open orders × 8 steps × 8 workshops, generated with a fixed seed): the total weighted
lateness and run time of 'Re-plan all' (apparent tardiness cost dispatching) and of the optimiser, the reference
plan (bench/reference/scheduling_<n>.json: a long local search over the order in which the list scheduler takes
the orders — a different method from the optimiser's CP-SAT — re-checked with validate_schedule and re-scored on
load), greedy/reference, optimiser/reference and the best lower bound known.

    .venv/bin/python bench/bench_scheduling.py [--sizes 50 200 1000] [--seconds 10]
    nice .venv/bin/python bench/bench_scheduling.py --sizes 1000 --make-reference 10   # minutes per size

Figures, not tests: run times depend on the machine and on what else it is doing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jewelryorders.scheduling import Schedule, replan_all, validate_schedule  # noqa: E402
from jewelryorders.scheduling.generate import generate_factory  # noqa: E402
from jewelryorders.scheduling.greedy import plan_in_order  # noqa: E402
from jewelryorders.scheduling.optimise import earliest_finish_bound, optimise  # noqa: E402

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
SEED = 2026
STEPS = 8
WORKSHOPS = 8
# Bump when generate_factory changes, so stale reference plans are recognised instead of mis-scored.
GENERATOR = "generate_factory/1"
# Reference plans made by another method than the optimiser's are recognised by this name; older ones are not.
METHOD = "sequence_search/1"


def reference_path(n: int) -> Path:
    return REFERENCE_DIR / f"scheduling_{n}.json"


def load_reference(n: int, jobs, cals, today) -> tuple[int | None, int | None, str]:
    """(lateness, bound, note) of the stored best plan, after checking it is a valid plan of this factory."""
    path = reference_path(n)
    if not path.exists():
        return None, None, "no reference file"
    data = json.loads(path.read_text(encoding="utf-8"))
    if (data.get("orders"), data.get("seed"), data.get("generator")) != (n, SEED, GENERATOR):
        return None, None, "reference made for another factory"
    if data.get("method") != METHOD:
        return None, None, "reference made by the optimiser itself"
    schedule = Schedule.from_dict(data["schedule"])
    problems = validate_schedule(schedule, jobs, cals, today)
    if problems:
        return None, None, f"reference plan invalid: {problems[0]}"
    lateness = schedule.total_weighted_lateness(jobs)
    note = f"{data.get('method')}, {data.get('minutes')} min run of {data.get('made_on')}"
    if lateness != data.get("lateness"):
        note += f" (stored {data.get('lateness')}, re-scored {lateness})"
    return lateness, data.get("lower_bound"), note


def dispatch_order(schedule: Schedule, jobs) -> list[int]:
    """The orders in the order their open work starts in a plan (the order a list scheduler took them)."""
    first: dict[int, dt.date] = {}
    for op in schedule.ops.values():
        if op.minutes_by_day:
            day = min(op.minutes_by_day)
            if op.order_id not in first or day < first[op.order_id]:
                first[op.order_id] = day
    return sorted((job.order_id for job in jobs), key=lambda o: (first.get(o, dt.date.max), o))


def sequence_search(jobs, cals, today, start: list[int], seconds: float, seed: int, report) -> tuple[Schedule, int]:
    """Local search over the order in which the list scheduler of 'Re-plan all' takes the orders — a different
    method from the optimiser's CP-SAT neighbourhoods. A move takes a late order (the later and the weightier,
    the likelier) and puts it a random distance earlier, or swaps two nearby orders; the new order is planned in
    full and kept when its weighted lateness is no worse than the one a fixed number of moves ago (late
    acceptance hill climbing, so the search crosses plateaus and small ridges)."""
    rng = random.Random(seed)
    sequence = list(start)
    plan = plan_in_order(jobs, cals, today, sequence)
    cost = plan.total_weighted_lateness(jobs)
    best_plan, best_cost, best_sequence = plan, cost, list(sequence)
    weight = {job.order_id: job.priority for job in jobs}
    history = [cost] * 50
    deadline = time.monotonic() + seconds
    moves = 0
    while time.monotonic() < deadline and best_cost > 0:
        moves += 1
        late = plan.lateness_by_order(jobs)
        candidate = list(sequence)
        late_ids = [o for o in candidate if late.get(o, 0) > 0]
        if late_ids and rng.random() < 0.7:
            chosen = rng.choices(late_ids, [weight[o] * late[o] for o in late_ids])[0]
            i = candidate.index(chosen)
            j = max(0, i - rng.randint(1, max(1, min(i, len(candidate) // 4))))
            candidate.insert(j, candidate.pop(i))
        else:
            i = rng.randrange(len(candidate))
            j = min(len(candidate) - 1, i + rng.randint(1, 10))
            candidate[i], candidate[j] = candidate[j], candidate[i]
        new_plan = plan_in_order(jobs, cals, today, candidate)
        new_cost = new_plan.total_weighted_lateness(jobs)
        slot = moves % len(history)
        if new_cost <= cost or new_cost <= history[slot]:
            sequence, plan, cost = candidate, new_plan, new_cost
            if cost < best_cost:
                best_plan, best_cost, best_sequence = plan, cost, list(sequence)
                report(best_cost, moves)
        history[slot] = cost
    return best_plan, best_cost


def make_reference(n: int, minutes: float, workers: int) -> None:
    """The best plan a long sequence search finds (see `sequence_search`), started from 'Re-plan all'; the
    optimiser's CP-SAT plays no part in it, so the bench measures the optimiser against an outside yardstick."""
    jobs, cals, today = generate_factory(n, STEPS, WORKSHOPS, seed=SEED)
    greedy = replan_all(jobs, cals, today)
    last = [time.monotonic()]

    def report(best, moves):
        if time.monotonic() - last[0] >= 30:
            last[0] = time.monotonic()
            print(f"  {n} orders: best {best} after {moves} moves", flush=True)

    started, cpu_started = time.perf_counter(), time.process_time()
    plan, lateness = sequence_search(
        jobs, cals, today, dispatch_order(greedy.schedule, jobs), minutes * 60, SEED, report
    )
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    problems = validate_schedule(plan, jobs, cals, today)
    if problems:
        raise SystemExit(f"{n} orders: the sequence search made an invalid plan: {problems[0]}")
    old_lateness, _old_bound, _note = load_reference(n, jobs, cals, today)
    if old_lateness is not None and old_lateness <= lateness:
        print(f"{n} orders: kept the stored reference ({old_lateness} ≤ {lateness})")
        return
    REFERENCE_DIR.mkdir(parents=True, exist_ok=True)
    payload = {
        "orders": n,
        "steps": STEPS,
        "workshops": WORKSHOPS,
        "seed": SEED,
        "generator": GENERATOR,
        "method": METHOD,
        "made_on": dt.date.today().isoformat(),
        "minutes": minutes,
        "seconds_run": round(elapsed, 1),
        # The bench machine is shared: the processor time the run actually got says more than the wall clock.
        "cpu_seconds": round(cpu, 1),
        "started_from": "greedy",
        "greedy_lateness": greedy.total_weighted_lateness,
        "lateness": lateness,
        "lower_bound": earliest_finish_bound(jobs, cals, today),
        "schedule": plan.to_dict(),
    }
    reference_path(n).write_text(json.dumps(payload, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{n} orders: reference {lateness} (greedy {greedy.total_weighted_lateness}) written")


def ratio(value: int | None, best: int | None) -> str:
    if value is None or best is None:
        return "—"
    if best == 0:
        return "1.00" if value == 0 else "∞"
    return f"{value / best:.2f}"


def bench(n: int, seconds: float, workers: int) -> None:
    jobs, cals, today = generate_factory(n, STEPS, WORKSHOPS, seed=SEED)
    started = time.perf_counter()
    greedy = replan_all(jobs, cals, today)
    greedy_time = time.perf_counter() - started
    result = optimise(jobs, cals, today, time_limit_s=seconds, hint=greedy.schedule, workers=workers)
    problems = validate_schedule(result.schedule, jobs, cals, today)
    if problems:
        raise SystemExit(f"{n} orders: the optimiser returned an invalid plan: {problems[0]}")
    reference, reference_bound, note = load_reference(n, jobs, cals, today)
    bounds = [b for b in (result.lower_bound, reference_bound) if b is not None]
    bound = max(bounds) if bounds else None
    open_steps = sum(1 for job in jobs for op in job.operations if not op.is_fixed)
    print(f"{n:>6} {open_steps:>6} {greedy.total_weighted_lateness:>8} {greedy_time:>7.2f} "
          f"{result.lateness_after:>9} {result.elapsed:>7.2f} {reference if reference is not None else '—':>9} "
          f"{ratio(greedy.total_weighted_lateness, reference):>9} {ratio(result.lateness_after, reference):>9} "
          f"{bound if bound is not None else '—':>6}   {note}", flush=True)


def header(seconds: float, workers: int) -> None:
    print(f"Factory benches: open orders × {STEPS} steps × {WORKSHOPS} workshops, seed {SEED}; "
          f"optimiser {seconds:g} s, {workers} workers")
    print(f"{machine()}, {dt.date.today().isoformat()}")
    print(f"{'orders':>6} {'steps':>6} {'greedy':>8} {'s':>7} {'optimiser':>9} {'s':>7} {'reference':>9} "
          f"{'greedy/ref':>9} {'optim/ref':>9} {'bound':>6}   reference made by")


def machine() -> str:
    cpu = platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200, 1000])
    parser.add_argument("--seconds", type=float, default=10.0, help="optimiser time limit (default 10 s)")
    parser.add_argument("--workers", type=int, default=2, help="solver threads (the bench machine has 2 cores)")
    parser.add_argument("--make-reference", type=float, metavar="MINUTES",
                        help="make the reference plans with a run of this many minutes per size")
    args = parser.parse_args(argv)
    if args.make_reference:
        for n in args.sizes:
            make_reference(n, args.make_reference, args.workers)
        return
    header(args.seconds, args.workers)
    for n in args.sizes:
        bench(n, args.seconds, args.workers)


if __name__ == "__main__":
    main()
