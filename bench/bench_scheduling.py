"""Scheduling bench: greedy 'Re-plan all' and 'Optimise' against the best plan known, on generated factories.

Prints, per factory size (open orders × 8 steps × 8 workshops, generated with a fixed seed): the total weighted
lateness and run time of the greedy scheduler and of the optimiser, the best plan known for the same factory
(bench/reference/scheduling_<n>.json, a long optimiser run started from the greedy plan, re-checked and
re-scored on load), the lower bound proven, and greedy/best and optimiser/best.

    .venv/bin/python bench/bench_scheduling.py [--sizes 50 200 1000] [--seconds 10]
    .venv/bin/python bench/bench_scheduling.py --sizes 1000 --make-reference 10   # minutes per size

Figures, not tests: run times depend on the machine and on what else it is doing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jewelryorders.scheduling import Schedule, replan_all, validate_schedule  # noqa: E402
from jewelryorders.scheduling.generate import generate_factory  # noqa: E402
from jewelryorders.scheduling.optimise import optimise  # noqa: E402

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
SEED = 2026
STEPS = 8
WORKSHOPS = 8
# Bump when generate_factory changes, so stale reference plans are recognised instead of mis-scored.
GENERATOR = "generate_factory/1"


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
    schedule = Schedule.from_dict(data["schedule"])
    problems = validate_schedule(schedule, jobs, cals, today)
    if problems:
        return None, None, f"reference plan invalid: {problems[0]}"
    lateness = schedule.total_weighted_lateness(jobs)
    note = f"{data.get('minutes')} min run of {data.get('made_on')}"
    if lateness != data.get("lateness"):
        note += f" (stored {data.get('lateness')}, re-scored {lateness})"
    return lateness, data.get("lower_bound"), note


def make_reference(n: int, minutes: float, workers: int) -> None:
    """The best plan a long run finds, started from the greedy plan: four fifths of the time improving it a
    neighbourhood at a time, the last fifth on the whole factory as one CP-SAT model started from that plan, so
    CP-SAT also proves a lower bound over all orders at once."""
    jobs, cals, today = generate_factory(n, STEPS, WORKSHOPS, seed=SEED)
    greedy = replan_all(jobs, cals, today)
    last_report = [0.0]

    def progress(best, bound, elapsed):
        if elapsed - last_report[0] >= 30:
            last_report[0] = elapsed
            print(f"  {n} orders: {elapsed:6.0f} s  best {best}  bound {bound}", flush=True)

    seconds = minutes * 60
    started, cpu_started = time.perf_counter(), time.process_time()
    searched = optimise(
        jobs, cals, today, time_limit_s=0.8 * seconds, hint=greedy.schedule, on_progress=progress,
        workers=workers, method="neighbourhoods",
    )
    print(f"  {n} orders: neighbourhoods {searched.lateness_after}, now the whole model", flush=True)
    last_report[0] = 0.0
    result = optimise(
        jobs, cals, today, time_limit_s=0.2 * seconds, hint=searched.schedule, on_progress=progress,
        workers=workers, method="whole",
    )
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    old_lateness, _old_bound, _note = load_reference(n, jobs, cals, today)
    if old_lateness is not None and old_lateness <= result.lateness_after:
        print(f"{n} orders: kept the stored reference ({old_lateness} ≤ {result.lateness_after})")
        return
    REFERENCE_DIR.mkdir(parents=True, exist_ok=True)
    payload = {
        "orders": n,
        "steps": STEPS,
        "workshops": WORKSHOPS,
        "seed": SEED,
        "generator": GENERATOR,
        "made_on": dt.date.today().isoformat(),
        "minutes": minutes,
        "seconds_run": round(elapsed, 1),
        # The bench machine is shared: the processor time the run actually got says more than the wall clock.
        "cpu_seconds": round(cpu, 1),
        "workers": workers,
        "started_from": "greedy",
        "greedy_lateness": greedy.total_weighted_lateness,
        "neighbourhood_lateness": searched.lateness_after,
        "lateness": result.lateness_after,
        "lower_bound": result.lower_bound,
        "status": result.status,
        "schedule": result.schedule.to_dict(),
    }
    reference_path(n).write_text(json.dumps(payload, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{n} orders: reference {result.lateness_after} (greedy {greedy.total_weighted_lateness}, "
          f"bound {result.lower_bound}) written")


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
    assert not validate_schedule(result.schedule, jobs, cals, today)
    reference, reference_bound, note = load_reference(n, jobs, cals, today)
    known = [v for v in (reference, result.lateness_after, greedy.total_weighted_lateness) if v is not None]
    best = min(known)
    bounds = [b for b in (result.lower_bound, reference_bound) if b is not None]
    bound = max(bounds) if bounds else None
    open_steps = sum(1 for job in jobs for op in job.operations if not op.is_fixed)
    late_greedy = len(greedy.late)
    late_optimised = len(result.schedule.late_orders(jobs))

    print(f"\n{n} open orders × {STEPS} steps × {WORKSHOPS} workshops ({open_steps} steps to plan, seed {SEED})")
    print(f"  {'':28} {'weighted lateness':>18} {'late orders':>12} {'time':>9} {'÷ best':>7}")
    print(f"  {'greedy (Re-plan all)':28} {greedy.total_weighted_lateness:>18} {late_greedy:>12} "
          f"{greedy_time:>8.2f}s {ratio(greedy.total_weighted_lateness, best):>7}")
    print(f"  {f'optimiser ({seconds:g} s)':28} {result.lateness_after:>18} {late_optimised:>12} "
          f"{result.elapsed:>8.2f}s {ratio(result.lateness_after, best):>7}")
    print(f"  {'best known':28} {best:>18} {'':>12} {'':>9} {'1.00':>7}   reference: "
          + (f"{reference} ({note})" if reference is not None else note))
    print(f"  {'lower bound':28} {bound if bound is not None else '—':>18}")


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
    for n in args.sizes:
        bench(n, args.seconds, args.workers)


if __name__ == "__main__":
    main()
