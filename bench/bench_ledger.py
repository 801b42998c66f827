"""Ledger bench: the ledger view (count, first page, totals) and its filters, and the Excel export, over N entries.

Prints, for a database of N ledger entries (default 1,000,000) over 2,000 orders, 8 workshops and 40 workers:
the time to open the view (count + first page + totals, as the Ledger tab does), to filter it (order, workshop,
worker, date range, loss over the allowance), and to export every entry to Excel through the service (write-only,
progress callback) next to a bare openpyxl write-only loop over the same rows (the plain baseline; ratio printed),
each run in a forked child with its peak resident memory above the parent's (ru_maxrss).

    .venv/bin/python bench/bench_ledger.py [--entries 1000000] [--db /tmp/ledger-bench.db] [--no-export]

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


def build(path: Path, n: int, seed: int = 11) -> None:
    if path.exists():
        path.unlink()
    db = open_database(f"sqlite:///{path}")
    users.setup_factory(db, "Bench Factory", "admin", "admin-pass", "en")
    rng = random.Random(seed)
    start = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
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
        batch = []
        for i in range(1, n + 1):
            sid = rng.randrange(1, ORDERS * STEPS + 1)
            issued = rng.randrange(1_000, 500_000)
            loss = rng.randrange(0, issued // 40)
            allowance = issued * 15 // 1000
            batch.append({"id": i, "entry_no": f"LE-2024-{i:07d}", "kind": "finish", "order_id": (sid - 1) // STEPS + 1,
                          "task_sheet_id": sid, "plan_step_id": sid, "workshop_id": (sid - 1) % STEPS + 1,
                          "seq": (sid - 1) % STEPS + 1, "recorded_at": start + dt.timedelta(minutes=i),
                          "entered_at": start + dt.timedelta(minutes=i), "worker": f"師傅 {rng.randrange(WORKERS)}",
                          "qty_done": 100, "issued_mg": issued, "returned_mg": issued - loss - issued // 2,
                          "in_piece_mg": issued // 2, "loss_mg": loss, "allowance_mg": allowance,
                          "over_allowance": loss > allowance, "loss_reason": "over" if loss > allowance else ""})
            if len(batch) == 50_000:
                c.execute(insert(LedgerEntry), batch)
                batch = []
        if batch:
            c.execute(insert(LedgerEntry), batch)
    db.close()


def timed(label: str, fn):
    t = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - t
    print(f"{label:<52} {seconds:8.3f} s")
    return result, seconds


def with_memory(fn):
    """Run fn in a forked child: its wall time and its peak resident memory (MB) above the parent's at the fork."""
    import multiprocessing
    import resource

    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()

    def child():
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
    parser.add_argument("--no-export", action="store_true")
    args = parser.parse_args()
    _r, build_s = timed(f"build {args.entries:,} entries (bulk insert)", lambda: build(args.db, args.entries))
    db = open_database(f"sqlite:///{args.db}")

    def view(f):
        return (ledger.count_entries(db, f), ledger.query_entries(db, f, 0, 200), ledger.totals(db, f))

    timed("open the view: count + first page + totals", lambda: view(ledger.LedgerFilter()))
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
    timed("scroll: page at offset 500,000 (or the middle)",
          lambda: ledger.query_entries(db, ledger.LedgerFilter(), min(500_000, args.entries // 2), 200))
    if not args.no_export:
        from jewelryorders.services.ledger.exports import export_ledger

        out = Path(tempfile.gettempdir())
        _n, service_s, service_mb = with_memory(lambda: export_ledger(
            db, out / "ledger-bench.xlsx", ledger.LedgerFilter(), lang="zh_TW", factory_name="Bench",
            progress=lambda done, total: True))
        _n, bare_s, bare_mb = with_memory(lambda: bare_export(db, out / "ledger-bare.xlsx"))
        print(f"{'export (service, formats, progress)':<52} {service_s:8.3f} s  peak {service_mb:7.1f} MB")
        print(f"{'bare openpyxl write-only loop, same rows':<52} {bare_s:8.3f} s  peak {bare_mb:7.1f} MB")
        print(f"{'ratio service / bare':<52} {service_s / bare_s:8.2f}")
    db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
