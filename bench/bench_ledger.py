"""Ledger bench: the ledger view (count, first page, totals) and its filters, and the Excel export, over N entries.

Prints, for a database of N ledger entries (default 1,000,000) over 2,000 orders, 8 workshops and 40 workers:
the time to open the view (count + first page + totals, as the Ledger tab does), to filter it (order, workshop,
worker, date range, loss over the allowance), and to export every entry to Excel through the service (write-only,
progress callback) next to a bare openpyxl write-only loop over the same rows (the plain baseline; ratio printed),
each run in a forked child with its peak resident memory above the parent's (ru_maxrss).

    .venv/bin/python bench/bench_ledger.py [--entries 1000000] [--db /tmp/ledger-bench.db] [--reuse] [--no-export]

Figures, not tests: they depend on the machine and on what else it is doing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from jewelryorders.db import open_database  # noqa: E402
from jewelryorders.models.customers import Customer  # noqa: E402
from jewelryorders.models.ledger import LedgerEntry  # noqa: E402
from jewelryorders.models.orders import Order  # noqa: E402
from jewelryorders.models.planning import PlanStep, ProductionPlan, TaskSheet, Workshop  # noqa: E402
from jewelryorders.services import users  # noqa: E402
from jewelryorders.services.ledger import entries as ledger  # noqa: E402

ORDERS, STEPS, WORKERS = 2_000, 8, 40


LEDGER_COLUMNS = ("id", "entry_no", "kind", "order_id", "task_sheet_id", "plan_step_id", "workshop_id", "seq",
                  "recorded_at", "entered_at", "worker", "qty_done", "qty_rejected", "qty_rework", "issued_mg",
                  "returned_mg", "in_piece_mg", "loss_mg", "allowance_mg", "stones_mct", "over_allowance",
                  "loss_reason", "inspection_state", "ncr_no", "note")
OVER_SHARE = 0.04  # entries whose loss is over the allowance ("a few", as in the demo)


def _entry_rows(n: int, seed: int):
    """n ledger rows as tuples in LEDGER_COLUMNS order, one a minute from 2024-01-01 (UTC, as SQLite stores it)."""
    rng = random.Random(seed)
    start = dt.datetime(2024, 1, 1)
    workers = [f"師傅 {w}" for w in range(WORKERS)]
    for i in range(1, n + 1):
        sid = rng.randrange(1, ORDERS * STEPS + 1)
        issued = rng.randrange(1_000, 500_000)
        allowance = issued * 15 // 1000
        over = rng.random() < OVER_SHARE
        loss = int(allowance * (rng.uniform(1.05, 1.6) if over else rng.uniform(0.1, 1.0)))
        in_piece = issued // 2
        moment = (start + dt.timedelta(minutes=i)).strftime("%Y-%m-%d %H:%M:%S.000000")
        yield (i, f"LE-2024-{i:07d}", "finish", (sid - 1) // STEPS + 1, sid, sid, (sid - 1) % STEPS + 1,
               (sid - 1) % STEPS + 1, moment, moment, workers[rng.randrange(WORKERS)], 100, rng.randrange(3), 0,
               issued, issued - loss - in_piece, in_piece, loss, allowance, rng.randrange(0, 3_000, 5) if sid % 3 == 0
               else 0, int(loss > allowance), "熔焊損耗偏高" if loss > allowance else "",
               "passed" if i % 7 == 0 else "", "", "")


def build(path: Path, n: int, seed: int = 11) -> None:
    """A factory with ORDERS released orders of STEPS steps each and n ledger entries. Orders, plans and sheets go in
    by Core bulk inserts; the entries through sqlite3's executemany with the table's own indexes dropped during the
    load and rebuilt after it (bench data, not demo data: the services are not involved)."""
    import sqlite3

    for suffix in ("", "-wal", "-shm", ".anchor"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    db = open_database(f"sqlite:///{path}")
    users.setup_factory(db, "Bench Factory", "admin", "admin-pass", "en")
    with db.engine.begin() as c:
        c.execute(insert(Customer), [{"code": "C00001", "name": "周大福珠寶"}])
        c.execute(insert(Workshop), [{"id": w, "name": f"車間 {w}", "minutes_per_day": 480, "benches": 4}
                                     for w in range(1, STEPS + 1)])
        c.execute(insert(Order), [{"id": o, "order_no": f"JO-2024-{o:05d}", "customer_id": 1, "channel": "phone",
                                   "order_date": dt.date(2024, 1, 1), "stage": "in_production",
                                   "total_quantity": 100} for o in range(1, ORDERS + 1)])
        c.execute(insert(ProductionPlan), [{"id": o, "order_id": o, "plan_no": f"PP-{o:05d}", "version_no": 1,
                                            "status": "released"} for o in range(1, ORDERS + 1)])
        steps = [{"id": (o - 1) * STEPS + k, "plan_id": o, "seq": k, "name": f"工序 {k}", "workshop_id": k,
                  "planned_start": dt.date(2024, 1, 1), "planned_end": dt.date(2024, 1, 2), "work_minutes": 60}
                 for o in range(1, ORDERS + 1) for k in range(1, STEPS + 1)]
        c.execute(insert(PlanStep), steps)
        c.execute(insert(TaskSheet), [{"id": s["id"], "sheet_no": f"TS-2024-{s['id']:06d}", "order_id": s["plan_id"],
                                       "seq": s["seq"], "plan_step_id": s["id"]} for s in steps])
    db.close()
    con = sqlite3.connect(str(path), isolation_level=None)
    try:
        con.execute("PRAGMA synchronous=OFF")
        indexes = [sql for (sql,) in con.execute(
            "SELECT sql FROM sqlite_master WHERE type='index' AND tbl_name='ledger_entries' AND sql IS NOT NULL")]
        con.execute("BEGIN")
        for sql in indexes:
            con.execute("DROP INDEX " + sql.split(" ON ")[0].split()[-1])
        con.executemany(f"INSERT INTO ledger_entries ({', '.join(LEDGER_COLUMNS)}) "
                        f"VALUES ({', '.join('?' * len(LEDGER_COLUMNS))})", _entry_rows(n, seed))
        for sql in indexes:
            con.execute(sql)
        con.execute("COMMIT")
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()


def entry_count(path: Path) -> int:
    import sqlite3

    if not path.exists():
        return -1
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute("SELECT count(*) FROM ledger_entries").fetchone()[0]
    except sqlite3.DatabaseError:
        return -1
    finally:
        con.close()


def timed(label: str, fn):
    t = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - t
    print(f"{label:<52} {seconds:8.3f} s", flush=True)
    return result, seconds


def with_memory(db, fn):
    """Run fn in a forked child: its wall time and its peak resident memory (MB) above the parent's at the fork."""
    import multiprocessing
    import resource

    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()

    def child():
        db.engine.dispose(close=False)  # the parent's pooled SQLite connections are not used across the fork
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - t
        queue.put((result, seconds, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024))

    proc = ctx.Process(target=child)
    proc.start()
    result = queue.get()
    proc.join()
    return result


def bare_export(db, path: Path) -> int:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("ledger")
    n = 0
    for r in ledger.iter_entries(db, ledger.LedgerFilter()):
        ws.append([r.entry_no, r.recorded_at.replace(tzinfo=None), r.kind, r.order_no, r.sheet_no, r.seq, r.step,
                   r.workshop, r.worker, r.qty_done, r.qty_rejected, r.qty_rework, r.issued_mg / 1000,
                   r.returned_mg / 1000, r.in_piece_mg / 1000, r.loss_mg / 1000, r.allowance_mg / 1000,
                   r.stones_mct / 1000, r.over_allowance, r.loss_reason, r.inspection_state, r.ncr_no,
                   r.reverses_no, r.note])
        n += 1
    wb.save(path)
    return n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "ledger-bench.db")
    parser.add_argument("--reuse", action="store_true", help="keep the database when it already has --entries rows")
    parser.add_argument("--no-export", action="store_true")
    args = parser.parse_args()
    if args.reuse and entry_count(args.db) == args.entries:
        print(f"reusing {args.db} ({args.entries:,} entries)")
    else:
        timed(f"build {args.entries:,} entries (bulk insert)", lambda: build(args.db, args.entries))
    db = open_database(f"sqlite:///{args.db}")
    everything = ledger.LedgerFilter()
    timed("open: count", lambda: ledger.count_entries(db, everything))
    timed("open: first page (200, newest first)", lambda: ledger.query_entries(db, everything, 0, 200))
    timed("open: totals (sums + flagged count)", lambda: ledger.totals(db, everything))

    def view(f):
        return (ledger.count_entries(db, f), ledger.query_entries(db, f, 0, 200), ledger.totals(db, f))

    timed("open the view: count + first page + totals", lambda: view(everything))
    filters = {
        "order": ledger.LedgerFilter(order_no="JO-2024-00042"),
        "workshop": ledger.LedgerFilter(workshop_id=3),
        "worker": ledger.LedgerFilter(worker="師傅 7"),
        "date range (one month)": ledger.LedgerFilter(date_from=dt.date(2024, 3, 1), date_to=dt.date(2024, 3, 31)),
        "loss over the allowance": ledger.LedgerFilter(flagged_only=True),
        "workshop + month + over allowance": ledger.LedgerFilter(workshop_id=2, date_from=dt.date(2024, 3, 1),
                                                                 date_to=dt.date(2024, 3, 31), flagged_only=True),
    }
    for name, f in filters.items():
        timed(f"filter: {name}", lambda f=f: view(f))
    middle = min(500_000, args.entries // 2)
    timed(f"scroll: page at offset {middle:,}", lambda: ledger.query_entries(db, everything, middle, 200))
    timed("scroll: last page", lambda: ledger.query_entries(db, everything, max(args.entries - 200, 0), 200))
    timed("export rows of one workshop (iter_entries, no writing)",
          lambda: sum(1 for _r in ledger.iter_entries(db, filters["workshop"])))
    if not args.no_export:
        from jewelryorders.services.ledger.exports import export_ledger

        out = Path(tempfile.gettempdir())
        n, service_s, service_mb = with_memory(db, lambda: export_ledger(
            db, out / "ledger-bench.xlsx", everything, lang="zh_TW", factory_name="Bench",
            progress=lambda done, total: True))
        print(f"{f'export {n:,} rows (service, formats, progress)':<52} {service_s:8.3f} s  peak {service_mb:7.1f} MB"
              f"  {(out / 'ledger-bench.xlsx').stat().st_size / 1e6:.0f} MB file", flush=True)
        n, bare_s, bare_mb = with_memory(db, lambda: bare_export(db, out / "ledger-bare.xlsx"))
        print(f"{f'bare openpyxl write-only loop, same {n:,} rows':<52} {bare_s:8.3f} s  peak {bare_mb:7.1f} MB",
              flush=True)
        print(f"{'ratio service / bare':<52} {service_s / bare_s:8.2f}")
    db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
