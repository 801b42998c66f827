"""Scheduling bench against proven optima: single-machine total weighted tardiness through the planner's model.

Each instance (jewelryorders/scheduling/weighted_tardiness.py: n jobs, p ~ U[1,100], w ~ U[1,10], due dates by
tardiness factor TF and range RDD, fixed seeds) is entered as the planner would (one workshop with one bench, one
step per order, released today, one day of work per time unit, weight as priority) and planned by the same
`replan_all` ('Re-plan all') and `optimise` ('Optimise') the planning tab calls. Their total weighted lateness is
compared with the optimum stored in bench/reference/weighted_tardiness.json, which `--make-reference` proves with
the exact method of that module (never with the optimiser); an instance it could not prove in its time limit is
stored with its best value and lower bound, and marked so.

    .venv/bin/python bench/bench_weighted_tardiness.py [--sizes 40 50 100] [--seconds 2]
    nice .venv/bin/python bench/bench_weighted_tardiness.py --make-reference --sizes 40 --limit 120

Prints one row per class (TF, RDD) and size, and the totals per size: greedy/optimum and optimiser/optimum as
the ratio of the summed lateness, instances at the optimum, and time. Figures, not tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jewelryorders.scheduling import replan_all, validate_schedule  # noqa: E402
from jewelryorders.scheduling.optimise import optimise  # noqa: E402
from jewelryorders.scheduling.weighted_tardiness import (  # noqa: E402
    DUE_DATE_RANGES,
    TARDINESS_FACTORS,
    as_factory,
    generate_instance,
    solve_exact,
    weighted_tardiness,
)

REFERENCE = Path(__file__).resolve().parent / "reference" / "weighted_tardiness.json"
GENERATOR = "weighted_tardiness/1"
TODAY = dt.date(2026, 3, 2)


def checksum(instance) -> int:
    """Catches a changed generator: the stored optimum would belong to other numbers."""
    return sum((i + 1) * (p + 3 * w + 7 * d) for i, (p, w, d) in enumerate(zip(instance.p, instance.w, instance.d)))


def load_reference() -> dict[str, dict]:
    if not REFERENCE.exists():
        return {}
    data = json.loads(REFERENCE.read_text(encoding="utf-8"))
    if data.get("generator") != GENERATOR:
        return {}
    return {row["name"]: row for row in data["instances"]}


def checked(row: dict, instance) -> tuple[int, int, bool] | None:
    """(best value, lower bound, proven) of a stored row, after re-scoring its sequence on this instance."""
    if row.get("checksum") != checksum(instance):
        return None
    sequence = row["sequence"]
    if sorted(sequence) != list(range(instance.n)):
        return None
    value = weighted_tardiness(sequence, instance.p, instance.w, instance.d)
    if value != row["value"] or row["lower_bound"] > value:
        return None
    return value, row["lower_bound"], row["proven"]


def instances(sizes: list[int], per_class: int):
    for n in sizes:
        for tf in TARDINESS_FACTORS:
            for rdd in DUE_DATE_RANGES:
                for index in range(per_class):
                    yield generate_instance(n, tf, rdd, index)


def make_reference(sizes: list[int], per_class: int, limit: float, workers: int) -> None:
    stored = load_reference()
    for instance in instances(sizes, per_class):
        old = stored.get(instance.name)
        if old is not None and old.get("proven") and checked(old, instance):
            continue
        result = solve_exact(instance.p, instance.w, instance.d, seconds=limit, workers=workers)
        row = {
            "name": instance.name,
            "n": instance.n,
            "tf": instance.tf,
            "rdd": instance.rdd,
            "index": instance.index,
            "checksum": checksum(instance),
            "value": int(result.value),
            "lower_bound": int(result.lower_bound),
            "proven": bool(result.proven),
            "seconds": float(result.seconds),
            "stages": {k: (v if isinstance(v, str) else float(v)) for k, v in result.stages.items()},
            "sequence": [int(j) for j in result.sequence],
        }
        if old is not None and checked(old, instance) and old["value"] < row["value"]:
            continue  # keep the better stored value
        stored[instance.name] = row
        print(f"{instance.name:24} {row['value']:>8} ≥ {row['lower_bound']:>8} "
              f"{'proven' if row['proven'] else 'NOT proven':>10} {row['seconds']:7.1f} s", flush=True)
        write(stored)


def write(stored: dict[str, dict]) -> None:
    REFERENCE.parent.mkdir(parents=True, exist_ok=True)
    rows = sorted(stored.values(), key=lambda r: (r["n"], r["tf"], r["rdd"], r["index"]))
    payload = {
        "generator": GENERATOR,
        "method": "time-indexed Lagrangian bound with 2-cycle and adjacent-swap elimination, finish-time "
                  "elimination, CP-SAT proof (jewelryorders/scheduling/weighted_tardiness.py: solve_exact)",
        "made_on": dt.date.today().isoformat(),
        "machine": machine(),
        "instances": rows,
    }
    text = "{\n" + ",\n".join(f' "{k}": {json.dumps(v)}' for k, v in payload.items() if k != "instances")
    text += ',\n "instances": [\n' + ",\n".join("  " + json.dumps(r, separators=(",", ":")) for r in rows) + "\n ]\n}\n"
    REFERENCE.write_text(text, encoding="utf-8")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def bench(sizes: list[int], per_class: int, seconds: float, workers: int) -> None:
    stored = load_reference()
    print(f"Single-machine total weighted tardiness through replan_all / optimise ({seconds:g} s, {workers} workers)")
    print(f"{machine()}, {dt.date.today().isoformat()}")
    header = (f"{'n':>4} {'TF':>4} {'RDD':>4} {'inst':>4} {'proven':>6} {'optimum Σ':>11} {'greedy/opt':>10} "
              f"{'optim/opt':>9} {'at opt':>6} {'greedy s':>8} {'optim s':>7}")
    totals: dict[int, list] = {}
    print(header)
    for n in sizes:
        for tf in TARDINESS_FACTORS:
            for rdd in DUE_DATE_RANGES:
                row = [0, 0, 0, 0, 0, 0, 0.0, 0.0, 0]  # count, proven, optimum, greedy, optimised, at opt, times, missing
                for index in range(per_class):
                    instance = generate_instance(n, tf, rdd, index)
                    reference = stored.get(instance.name)
                    ref = checked(reference, instance) if reference else None
                    if ref is None:
                        row[8] += 1
                        continue
                    best, _bound, proven = ref
                    jobs, cals = as_factory(instance, TODAY)
                    started = time.perf_counter()
                    greedy = replan_all(jobs, cals, TODAY)
                    greedy_time = time.perf_counter() - started
                    result = optimise(jobs, cals, TODAY, time_limit_s=seconds, hint=greedy.schedule, workers=workers)
                    problems = validate_schedule(result.schedule, jobs, cals, TODAY)
                    if problems:
                        raise SystemExit(f"{instance.name}: invalid plan: {problems[0]}")
                    best = min(best, result.lateness_after)  # a better plan than the stored one would be news
                    row[0] += 1
                    row[1] += proven
                    row[2] += best
                    row[3] += greedy.total_weighted_lateness
                    row[4] += result.lateness_after
                    row[5] += result.lateness_after == best
                    row[6] += greedy_time
                    row[7] += result.elapsed
                print_row(n, f"{tf:.1f}", f"{rdd:.1f}", row)
                total = totals.setdefault(n, [0, 0, 0, 0, 0, 0, 0.0, 0.0, 0])
                for i, value in enumerate(row):
                    total[i] += value
        print_row(n, "all", "", totals[n])
    print("ratios are Σ lateness ÷ Σ optimum over the instances of the row; times are means per instance")


def ratio(value: int, best: int) -> str:
    if best == 0:
        return "1.000" if value == 0 else "inf"
    return f"{value / best:.3f}"


def print_row(n: int, tf: str, rdd: str, row: list) -> None:
    count = max(row[0], 1)
    missing = f"  ({row[8]} without reference)" if row[8] else ""
    print(f"{n:>4} {tf:>4} {rdd:>4} {row[0]:>4} {row[1]:>6} {row[2]:>11} {ratio(row[3], row[2]):>10} "
          f"{ratio(row[4], row[2]):>9} {row[5]:>6} {row[6] / count:>8.2f} {row[7] / count:>7.2f}{missing}", flush=True)


def main(argv: list[str] | None = None) -> None:
    global REFERENCE
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[40, 50, 100])
    parser.add_argument("--per-class", type=int, default=1, help="instances per (TF, RDD) pair (default 1)")
    parser.add_argument("--seconds", type=float, default=2.0, help="optimiser time limit per instance")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--make-reference", action="store_true", help="prove the optima with the exact method")
    parser.add_argument("--limit", type=float, default=120.0, help="exact method's seconds per instance")
    parser.add_argument("--reference", type=Path, default=REFERENCE,
                        help="reference file (a separate one lets two runs work at once; merge them with --merge)")
    parser.add_argument("--merge", type=Path, nargs="+", help="merge these reference files into --reference")
    args = parser.parse_args(argv)
    REFERENCE = args.reference
    if args.merge:
        merged = load_reference()
        for path in args.merge:
            REFERENCE = path
            for name, row in load_reference().items():
                if name not in merged or (row["proven"], -row["value"]) > (merged[name]["proven"], -merged[name]["value"]):
                    merged[name] = row
        REFERENCE = args.reference
        write(merged)
    elif args.make_reference:
        make_reference(args.sizes, args.per_class, args.limit, args.workers)
    else:
        bench(args.sizes, args.per_class, args.seconds, args.workers)


if __name__ == "__main__":
    main()
