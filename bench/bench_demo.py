"""Demo bench: how long `jewelryorders demo --orders N` takes, phase by phase, and orders a second.

For each N (default 1,000 and 10,000) builds a demo into a new SQLite file in a temporary folder and prints the
wall time, each phase's seconds and the stage spread. A demo of up to `--lived` orders (default the demo's
LIVED_CORE) is lived through the services order by order; above that the lived core stays that size and the rest is
replicated history, so the figure to compare is the replication's rate against the lived orders' (the plain
baseline: what every order would cost lived through the services).

    .venv/bin/python bench/bench_demo.py [--orders 1000 10000] [--lived 1000] [--keep DIR]
    .venv/bin/python bench/bench_demo.py --replicate-from demo.db [--copies 2000]

The second form measures the replication alone: it copies a finished demo's file (a small one, all lived) and adds
`--copies` replicated orders to the copy, printing copies a second.

Figures, not tests: they depend on the machine and on what else it is doing.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jewelryorders.db import open_database  # noqa: E402
from jewelryorders.demo import LIVED_CORE, build_demo  # noqa: E402

# Measured once with `jewelryorders --db /tmp/demo100k.db demo --orders 100000` (see bench/RESULTS.md).
MEASURED_100K = ("832 s wall (600 lived in 215 s, 99,400 replicated at 163 a second), 5.3 GB; 2026-12-06, shared "
                 "2-core machine (2,050 s before: 1,000 lived, copies through SQLAlchemy's bulk insert)")

LIVED_PHASES = ("Orders", "Review and contracts", "Cancelled orders", "Plans and production")


def run(n: int, lived: int, folder: Path) -> None:
    path = folder / f"demo-{n}.db"
    db = open_database("sqlite:///" + str(path))
    started = time.monotonic()
    result = build_demo(db, n_orders=n, seed=1, lived_core=lived)
    wall = time.monotonic() - started
    db.close()
    print(f"\nN = {n:,}: {wall:,.0f} s wall ({n / wall:,.1f} orders a second), {path.stat().st_size / 1e6:,.0f} MB")
    for phase, seconds in result.phase_seconds.items():
        print(f"  {phase:<45} {seconds:8.1f} s")
    lived_n = min(n, lived)
    lived_s = sum(s for p, s in result.phase_seconds.items() if p in LIVED_PHASES)
    copied = result.phase_seconds.get("Replicated history")
    if lived_s:
        print(f"  lived through the services: {lived_n:,} orders in {lived_s:,.0f} s = {lived_n / lived_s:,.2f} a second")
    if copied:
        rate = (n - lived_n) / copied
        print(f"  replicated: {n - lived_n:,} orders in {copied:,.0f} s = {rate:,.1f} a second "
              f"({rate / (lived_n / lived_s):,.0f}x the lived rate)" if lived_s else "")
    print("  stages: " + ", ".join(f"{k} {v:,}" for k, v in sorted(result.stages.items(), key=lambda kv: -kv[1])))


def replicate_only(source: Path, copies: int, folder: Path) -> None:
    import datetime as dt

    from jewelryorders import clock
    from jewelryorders.demo import replicate
    from jewelryorders.demo.history import HISTORY_DAYS, OLD_AGE_DAYS

    path = folder / "replicated.db"
    shutil.copyfile(source, path)
    db = open_database("sqlite:///" + str(path))
    today = clock.today()
    started = time.monotonic()
    made = replicate.replicate_history(db, random.Random(1), copies, today, HISTORY_DAYS, OLD_AGE_DAYS)
    seconds = time.monotonic() - started
    db.close()
    print(f"replicated {made:,} orders from {source.name} in {seconds:,.1f} s = {made / seconds:,.1f} a second "
          f"(batch {replicate.BATCH}; {dt.date.today()})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--lived", type=int, default=LIVED_CORE)
    parser.add_argument("--keep", type=Path, help="keep the demo files in this folder")
    parser.add_argument("--replicate-from", type=Path, help="measure only the replication, from this demo file")
    parser.add_argument("--copies", type=int, default=2_000)
    args = parser.parse_args()
    from jewelryorders.i18n import set_language

    set_language("en")
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        if args.replicate_from:
            replicate_only(args.replicate_from, args.copies, folder)
            return
        for n in args.orders:
            run(n, args.lived, folder)
    print(f"\nN = 100,000: {MEASURED_100K}")


if __name__ == "__main__":
    main()
