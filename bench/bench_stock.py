"""Stock bench: on hand per material and lot, and an order's shortage, over 1,000,000 stock movements.

Prints, for a database of N movements (default 1,000,000) over 200 materials and 20,000 lots: the time of the
stock view's service (kept lot balances, one query), of the same figures as one raw SQL sum over the ledger (the
plain baseline; ratio printed), of the reconciliation of every lot against the ledger, and of one order's
requirement and shortage.

    .venv/bin/python bench/bench_stock.py [--movements 1000000] [--db /tmp/stock-bench.db]

Figures, not tests: they depend on the machine and on what else it is doing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jewelryorders.db import open_database  # noqa: E402
from jewelryorders.services import customers, users  # noqa: E402
from jewelryorders.services.materials import master, requirements, stock  # noqa: E402
from jewelryorders.services.orders import intake as orders  # noqa: E402

MATERIALS = 200
LOTS = 20_000


def build(path: Path, movements: int, seed: int = 7) -> int:
    """A factory with materials, lots and `movements` ledger rows written in bulk; returns one order's id."""
    if path.exists():
        path.unlink()
    db = open_database(f"sqlite:///{path}")
    users.setup_factory(db, "Bench Factory", "admin", "admin-pass", "en")
    admin = users.authenticate(db, "admin", "admin-pass")
    customer = customers.create_customer(db, admin, customers.CustomerInput(name="Bench customer",
                                                                            credit_limit="100000000"))
    ids = []
    for i in range(MATERIALS):
        kind = ("metal", "stone", "finding")[i % 3]
        data = master.MaterialInput(f"M{i:04d}", kind, f"material {i}", alloy="Au750" if kind == "metal" else "",
                                    colour="yellow" if kind == "metal" else "",
                                    stone_type="diamond" if kind == "stone" else "")
        ids.append(master.create_material(db, admin, data).id)
    from jewelryorders.services.orders.intake import LineInput, OrderInput
    order = orders.create_order(db, admin, OrderInput(customer_id=customer.id, channel="phone",
                                                      order_date=dt.date(2026, 11, 2), lines=[
        LineInput(style_code="R-1", metal="Au750", quantity=100, description="ring", size="12",
                  target_weight_g="3.000", unit_price="100")], currency="HKD"))
    db.close()
    rng = random.Random(seed)
    con = sqlite3.connect(path)
    now = "2026-11-01 08:00:00.000000"
    lots = []
    for lot_id in range(1, LOTS + 1):
        material = rng.choice(ids)
        status = rng.choices(("released", "quarantined", "rejected"), (85, 10, 5))[0]
        lots.append((lot_id, f"LOT-B-{lot_id:06d}", material, now, 0, status, 0, 0, "", "", 1))
    con.executemany("INSERT INTO lots (id, lot_no, material_id, received_at, received_qty, status, on_hand_qty, "
                    "on_hand_pieces, certificate_no, decision_reason, version, received_pieces) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,0)", lots)
    balance = [0] * (LOTS + 1)
    material_of = {lot[0]: lot[2] for lot in lots}
    rows = []
    for i in range(movements):
        lot_id = rng.randint(1, LOTS)
        if balance[lot_id] < 5000 or rng.random() < 0.45:
            qty, kind = rng.randint(1000, 500_000), "receipt"
        else:
            qty, kind = -rng.randint(1, min(balance[lot_id], 200_000)), "issue"
        balance[lot_id] += qty
        rows.append((now, kind, lot_id, material_of[lot_id], qty, 0, "", ""))
        if len(rows) == 100_000:
            con.executemany("INSERT INTO stock_movements (at, kind, lot_id, material_id, qty, pieces, reason, "
                            "order_id) VALUES (?,?,?,?,?,?,?,NULLIF(?, ''))", rows)
            rows.clear()
    if rows:
        con.executemany("INSERT INTO stock_movements (at, kind, lot_id, material_id, qty, pieces, reason, order_id) "
                        "VALUES (?,?,?,?,?,?,?,NULLIF(?, ''))", rows)
    con.executemany("UPDATE lots SET on_hand_qty = ?, received_qty = ? WHERE id = ?",
                    [(balance[i], max(balance[i], 0), i) for i in range(1, LOTS + 1)])
    con.commit()
    con.execute("ANALYZE")
    con.close()
    return order.id


def timed(label: str, fn, repeat: int = 3):
    best, result = None, None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - t
        best = elapsed if best is None else min(best, elapsed)
    print(f"{label:58} {best * 1000:9.1f} ms")
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--movements", type=int, default=1_000_000)
    parser.add_argument("--db", default="/tmp/jewelryorders-stock-bench.db")
    args = parser.parse_args()
    path = Path(args.db)
    t = time.perf_counter()
    order_id = build(path, args.movements)
    print(f"built {args.movements:,} movements over {LOTS:,} lots and {MATERIALS} materials in "
          f"{time.perf_counter() - t:.1f} s")
    db = open_database(f"sqlite:///{path}")
    service, rows = timed("stock view (service: kept lot balances, one query)", lambda: stock.stock_overview(db))
    con = sqlite3.connect(path)
    raw_sql = ("SELECT l.material_id, SUM(CASE WHEN l.status='released' THEN m.qty ELSE 0 END), "
               "SUM(CASE WHEN l.status='quarantined' THEN m.qty ELSE 0 END), "
               "SUM(CASE WHEN l.status='rejected' THEN m.qty ELSE 0 END) FROM stock_movements m "
               "JOIN lots l ON l.id = m.lot_id GROUP BY l.material_id")
    raw, raw_rows = timed("same figures as one raw SQL sum over the ledger (baseline)",
                          lambda: con.execute(raw_sql).fetchall())
    by_material = {r.material_id: r.released for r in rows}
    assert all(by_material.get(m, 0) == (released or 0) for m, released, _q, _r in raw_rows), "figures differ"
    print(f"{'ratio service / raw ledger sum':58} {service / raw:9.3f}")
    timed("reconcile every lot against the ledger", lambda: stock.reconcile(db), repeat=1)
    timed("one order's requirement and shortage", lambda: requirements.order_requirement(db, order_id))
    timed("lots of one material with stock", lambda: stock.lots_of_material(db, rows[0].material_id))
    db.close()


if __name__ == "__main__":
    main()
