"""Bench of the check a database gets each time it is opened: SQLite's quick_check, read-only, before anything may
write to the file (issue 9: a damaged database is reported, never overwritten), next to the whole open.

Run:  .venv/bin/python bench/bench_open_check.py --db demo.db [--db big.db ...] [--runs 5] [--full]
For each file: its size and orders; the open-time check alone (db.diagnose_sqlite, PRAGMA quick_check); the
whole open_database (the file's header, the check, the schema version, the engine, no migration); and, as the
baseline, a plain sqlite3 connect + `SELECT count(*) FROM orders`. `--full` adds PRAGMA integrity_check (what
`jewelryorders check` runs) for comparison. Medians of --runs; the file system cache is warm (as on a second start).
Make a big file with `bench/bench_order_list.py --orders 100000` (it keeps the file under the temp dir).
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _median(fn, runs: int) -> float:
    times = []
    for _i in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _plain(path: Path) -> None:
    con = sqlite3.connect(path)
    try:
        con.execute("SELECT count(*) FROM orders").fetchone()
    finally:
        con.close()


def _counts(path: Path) -> tuple[int, int]:
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        orders = con.execute("SELECT count(*) FROM orders").fetchone()[0]
        try:
            events = con.execute("SELECT count(*) FROM audit_events").fetchone()[0]
        except sqlite3.Error:
            events = 0
        return orders, events
    finally:
        con.close()


def bench(path: Path, runs: int, full: bool) -> None:
    from jewelryorders.db import diagnose_sqlite, open_database

    orders, events = _counts(path)
    print(f"{path} ({path.stat().st_size / 1e6:,.1f} MB, {orders:,} orders, {events:,} audit events)")
    assert diagnose_sqlite(path) == [], "the file is damaged"
    _plain(path)  # warm the cache
    plain = _median(lambda: _plain(path), runs)
    check = _median(lambda: diagnose_sqlite(path), runs)
    whole = _median(lambda: open_database("sqlite:///" + str(path), migrate=False).close(), runs)
    print(f"  plain sqlite3 connect + count(orders)     {plain * 1000:8.1f} ms   (baseline)")
    print(f"  open-time check (PRAGMA quick_check)      {check * 1000:8.1f} ms   {check / plain:6.1f}× the baseline")
    print(f"  whole open_database (check included)      {whole * 1000:8.1f} ms   the check ≈ {check / whole:.0%} "
          f"of it")
    if full:
        integrity = _median(lambda: diagnose_sqlite(path, full=True), max(1, runs // 2))
        print(f"  PRAGMA integrity_check (`check` command)  {integrity * 1000:8.1f} ms   "
              f"{integrity / check:5.1f}× the quick check")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, action="append", required=True, help="a jewelryorders SQLite file")
    parser.add_argument("--runs", type=int, default=5, help="runs of each; the median is shown (default 5)")
    parser.add_argument("--full", action="store_true", help="also time PRAGMA integrity_check")
    args = parser.parse_args(argv)
    for path in args.db:
        if not path.exists():
            print(f"No database {path}", file=sys.stderr)
            return 2
        bench(path.expanduser().resolve(), args.runs, args.full)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
