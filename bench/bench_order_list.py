"""Bench of the order list: model refresh (count + first page) per filter, next to the same query in raw sqlite3.

Run:  QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_order_list.py --orders 100000
Each filter is timed three ways: the list model (services/order_reads.py), the order service's own
orders.count_orders + orders.query_orders, and the naive hand-written SQL in sqlite3 (the baseline).
The database is built once per size (with `jewelryorders demo --orders N` for small sizes, else straight through
the ORM) and reused by later runs. `--try-indexes` also measures with candidate indexes added, to show
which index a slow filter needs; they are dropped again afterwards so the file keeps the schema's own indexes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QGuiApplication  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from jewelryorders.db import open_database  # noqa: E402
from jewelryorders.models.customers import Customer  # noqa: E402
from jewelryorders.models.orders import LineStone, Order, OrderLine  # noqa: E402
from jewelryorders.models.sequences import NumberSequence  # noqa: E402
from jewelryorders.models.users import User  # noqa: E402
from jewelryorders.services.orders import intake as orders_service  # noqa: E402
from jewelryorders.services import users  # noqa: E402
from jewelryorders.services.orders.intake import OrderFilter  # noqa: E402
from jewelryorders.services.stages import OPEN_STAGES  # noqa: E402
from jewelryorders.ui.orders.list_model import OrderListModel  # noqa: E402

CUSTOMER_NAMES = ["周大福珠寶", "六福珠寶", "謝瑞麟", "周生生", "老鳳祥銀樓", "金至尊", "潮宏基", "周六福", "萃華金店",
                  "明牌珠寶", "中國黃金", "TTF高級珠寶", "Pandora HK", "Aurora Jewels GmbH", "Kimura Trading",
                  "Golden Lotus Jewellery Ltd."]
STYLES = [("R-18K", "18K 金鑽石戒指", "Au750"), ("PD-PT", "鉑金吊墜", "Pt950"), ("ER-AG", "925 銀耳環", "Ag925"),
          ("BG-24K", "足金手鐲", "Au999"), ("NK-18K", "18K 白金項鏈", "Au750")]
# Roughly how a factory's orders spread over the procedure once it has run for some years.
STAGE_WEIGHTS = {"draft": 2, "preliminary_review": 2, "negotiating": 1, "escalated": 0.3, "detailed_review": 2,
                 "contracted": 2, "planned": 3, "in_production": 8, "final_qc": 2, "ready_to_ship": 1,
                 "partly_shipped": 1, "shipped": 5, "delivered": 10, "closed": 55, "abandoned": 3, "cancelled": 2.7}
CHANNELS = ["online", "trade_fair", "phone", "email", "referral", "industry_event", "other"]
PAGE = OrderListModel.PAGE_SIZE
# `jewelryorders demo` walks every order through the real services (about 10 orders a second when measured), so
# "auto" uses it up to this size and inserts bigger databases straight through the ORM.
DEMO_AUTO_LIMIT = 10_000

# Candidates for a filter that the schema's indexes leave slow (measured with --try-indexes).
CANDIDATE_INDEXES = [
    "CREATE INDEX IF NOT EXISTS bench_ix_orders_customer_order_no ON orders (customer_id, order_no)",
    "CREATE INDEX IF NOT EXISTS bench_ix_orders_stage_order_no ON orders (stage, order_no)",
    "CREATE INDEX IF NOT EXISTS bench_ix_orders_order_date_order_no ON orders (order_date, order_no)",
]


# ---- building the database ----------------------------------------------------------------------------------

def count_orders_in(path: Path) -> int:
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(path) as conn:
            return conn.execute("SELECT count(*) FROM orders").fetchone()[0]
    except sqlite3.Error:
        return 0


def build_with_demo(path: Path, n: int) -> bool:
    """The lead's demo factory, when the command exists and runs to the end."""
    probe = subprocess.run([sys.executable, "-m", "jewelryorders", "demo", "--help"], capture_output=True, text=True)
    if probe.returncode != 0:
        return False
    print(f"building {path} with `jewelryorders demo --orders {n}` ...", file=sys.stderr, flush=True)
    done = subprocess.run([sys.executable, "-m", "jewelryorders", "--db", str(path), "--lang", "en", "demo",
                           "--orders", str(n)], stdout=subprocess.DEVNULL)
    if done.returncode != 0 or count_orders_in(path) < n:
        print(f"  the demo command failed (exit code {done.returncode}); building through the ORM instead",
              file=sys.stderr)
        return False
    return True


def build_with_orm(path: Path, n: int, seed: int = 7) -> None:
    """Customers, users and N orders with 1-3 lines and stones, inserted in batches in one transaction each."""
    rng = random.Random(seed)
    db = open_database("sqlite:///" + str(path), backup=False)
    users.setup_factory(db, "金福珠寶廠 Golden Luck Jewelry", "admin", "admin-pass", "en", "Administrator")
    admin = users.authenticate(db, "admin", "admin-pass")
    for i in range(6):
        users.create_user(db, admin, f"sales{i}", ["陳美玲", "李家豪", "黃志明", "張慧敏", "梁振華", "吳嘉欣"][i],
                          "sales", "clerk", "password1")
    with db.unit_of_work() as s:
        owners = list(s.scalars(select(User.id).where(User.department == "sales")))
        s.execute(insert(Customer), [dict(code=f"C{i + 1:05d}", name=f"{CUSTOMER_NAMES[i % len(CUSTOMER_NAMES)]}"
                                                                    f"{'' if i < len(CUSTOMER_NAMES) else f' {i}'}",
                                          name_en="", currency=["HKD", "CNY", "USD"][i % 3],
                                          credit_limit=Decimal("5000000"), credit_rating="B", active=True, version=1)
                                     for i in range(300)])
        customer_ids = list(s.scalars(select(Customer.id)))
    stages, weights = list(STAGE_WEIGHTS), list(STAGE_WEIGHTS.values())
    first_day = dt.date.today() - dt.timedelta(days=6 * 365)
    per_year: dict[int, int] = {}
    batch = 5000
    for start in range(0, n, batch):
        orders, lines_of = [], []
        for k in range(start, min(n, start + batch)):
            order_date = first_day + dt.timedelta(days=int(k * 6 * 365 / n))
            per_year[order_date.year] = per_year.get(order_date.year, 0) + 1
            stage = rng.choices(stages, weights)[0]
            lines = []
            for line_no in range(1, rng.choice((1, 1, 2, 3)) + 1):
                prefix, description, metal = rng.choice(STYLES)
                lines.append(dict(line_no=line_no, style_code=f"{prefix}-{rng.randrange(1, 900):04d}",
                                  description=description, metal=metal, size="#12", quantity=rng.randrange(5, 300),
                                  target_weight_mg=rng.randrange(800, 30000),
                                  unit_price=Decimal(rng.randrange(150, 9000))))
            codes = list(dict.fromkeys(line["style_code"] for line in lines))
            orders.append(dict(
                order_no=f"JO-{order_date.year}-{per_year[order_date.year]:05d}", customer_id=rng.choice(customer_ids),
                channel=rng.choice(CHANNELS), order_date=order_date,
                delivery_date=(order_date + dt.timedelta(days=rng.randrange(20, 120))
                               if stage != "draft" or k % 2 else None),
                delivery_place="香港九龍彌敦道 88 號", special_requirements="", currency="HKD", stage=stage,
                priority=rng.randrange(1, 6), owner_id=rng.choice(owners), style_summary=", ".join(codes),
                total_quantity=sum(line["quantity"] for line in lines),
                total_amount=sum((line["unit_price"] * line["quantity"] for line in lines), Decimal(0)), version=1))
            lines_of.append(lines)
        with db.unit_of_work() as s:
            s.execute(insert(Order), orders)
            ids = dict(s.execute(select(Order.order_no, Order.id).where(
                Order.order_no.in_([o["order_no"] for o in orders]))).all())
            line_rows = [dict(order_id=ids[o["order_no"]], **line)
                         for o, lines in zip(orders, lines_of) for line in lines]
            s.execute(insert(OrderLine), line_rows)
            line_ids = s.execute(select(OrderLine.id).where(OrderLine.order_id.in_(list(ids.values())))).scalars().all()
            s.execute(insert(LineStone), [dict(line_id=i, stone_type="diamond", stone_count=12, carat=Decimal("0.360"))
                                          for i in line_ids[::2]])
        print(f"  {min(n, start + batch):,} / {n:,} orders", file=sys.stderr, flush=True)
    with db.unit_of_work() as s:
        for year, last in per_year.items():
            s.add(NumberSequence(kind="order", year=year, last_value=last))
    db.close()


def ensure_database(path: Path, n: int, builder: str) -> None:
    have = count_orders_in(path)
    if have >= n:
        print(f"reusing {path} ({have:,} orders)", file=sys.stderr)
        return
    if path.exists():
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    use_demo = builder == "demo" or (builder == "auto" and n <= DEMO_AUTO_LIMIT)
    if builder == "auto" and not use_demo:
        print(f"{n:,} orders: inserting through the ORM (the demo command would take hours; --builder demo forces it)",
              file=sys.stderr)
    if use_demo and build_with_demo(path, n):
        return
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if leftover.exists():
            leftover.unlink()
    print(f"building {path} through the ORM ...", file=sys.stderr, flush=True)
    build_with_orm(path, n)


# ---- the filters and their raw SQL --------------------------------------------------------------------------

@dataclass
class Case:
    name: str
    order_filter: OrderFilter
    where: str              # raw SQL condition over o (orders) and c (customers)
    params: tuple
    order_by: str
    offset: int = 0


def cases(conn: sqlite3.Connection) -> list[Case]:
    open_list = "(" + ",".join("?" * len(OPEN_STAGES)) + ")"
    open_params = tuple(OPEN_STAGES)
    busy_customer = conn.execute("SELECT customer_id FROM orders GROUP BY customer_id ORDER BY count(*) DESC "
                                 "LIMIT 1").fetchone()[0]
    some_no = conn.execute("SELECT order_no FROM orders ORDER BY id LIMIT 1 OFFSET (SELECT count(*) / 2 FROM orders)"
                           ).fetchone()[0]
    month_start = conn.execute("SELECT max(order_date) FROM orders").fetchone()[0]
    d_to = dt.date.fromisoformat(month_start)
    d_from = d_to - dt.timedelta(days=30)
    today = dt.date.today()
    total = conn.execute("SELECT count(*) FROM orders").fetchone()[0]
    base = OrderFilter(sort="order_no", descending=True)
    return [
        Case("all orders, newest first", base, "1", (), "o.order_no DESC, o.id DESC"),
        Case("all open orders (the default)", replace(base, stages=tuple(OPEN_STAGES)),
             f"o.stage IN {open_list}", open_params, "o.order_no DESC, o.id DESC"),
        Case("stage = in production", replace(base, stages=("in_production",)), "o.stage = ?", ("in_production",),
             "o.order_no DESC, o.id DESC"),
        Case("search text: style 'R-18K-04'", replace(base, search="R-18K-04"),
             "(o.order_no LIKE ? OR c.name LIKE ? OR c.name_en LIKE ? OR c.code LIKE ? OR o.style_summary LIKE ?)",
             ("%R-18K-04%",) * 5, "o.order_no DESC, o.id DESC"),
        Case("search text: customer '六福'", replace(base, search="六福"),
             "(o.order_no LIKE ? OR c.name LIKE ? OR c.name_en LIKE ? OR c.code LIKE ? OR o.style_summary LIKE ?)",
             ("%六福%",) * 5, "o.order_no DESC, o.id DESC"),
        Case(f"search text: order no. '{some_no}'", replace(base, search=some_no),
             "(o.order_no LIKE ? OR c.name LIKE ? OR c.name_en LIKE ? OR c.code LIKE ? OR o.style_summary LIKE ?)",
             (f"%{some_no}%",) * 5, "o.order_no DESC, o.id DESC"),
        Case("one customer (the busiest)", replace(base, customer_id=busy_customer), "o.customer_id = ?",
             (busy_customer,), "o.order_no DESC, o.id DESC"),
        Case("order date within the last month", replace(base, date_field="order_date", date_from=d_from, date_to=d_to),
             "o.order_date >= ? AND o.order_date <= ?", (d_from.isoformat(), d_to.isoformat()),
             "o.order_no DESC, o.id DESC"),
        Case("open, delivery in the next 30 days, by delivery date",
             replace(base, stages=tuple(OPEN_STAGES), date_field="delivery_date", date_from=today,
                     date_to=today + dt.timedelta(days=30), sort="delivery_date", descending=False),
             f"o.stage IN {open_list} AND o.delivery_date >= ? AND o.delivery_date <= ?",
             open_params + (today.isoformat(), (today + dt.timedelta(days=30)).isoformat()),
             "o.delivery_date ASC, o.id ASC"),
        Case("open orders sorted by delivery date", replace(base, stages=tuple(OPEN_STAGES), sort="delivery_date",
                                                            descending=False),
             f"o.stage IN {open_list}", open_params, "o.delivery_date ASC, o.id ASC"),
        Case("all orders sorted by customer", replace(base, sort="customer", descending=False), "1", (),
             "c.name ASC, o.id ASC"),
        Case("all orders, scrolled to the last page", base, "1", (), "o.order_no DESC, o.id DESC",
             offset=max(0, (total - 1) // PAGE * PAGE)),
    ]


def raw_sql(conn: sqlite3.Connection, case: Case) -> int:
    """The baseline: what the same list costs written by hand in sqlite3 (count, then one page of rows)."""
    joins = "FROM orders o JOIN customers c ON c.id = o.customer_id LEFT OUTER JOIN users u ON u.id = o.owner_id"
    count = conn.execute(f"SELECT count(o.id) FROM orders o JOIN customers c ON c.id = o.customer_id "
                         f"WHERE {case.where}", case.params).fetchone()[0]
    conn.execute(f"SELECT o.id, o.order_no, c.name, o.style_summary, o.total_quantity, o.order_date, o.delivery_date, "
                 f"o.stage, u.display_name, o.channel, o.total_amount, o.currency, o.priority {joins} "
                 f"WHERE {case.where} ORDER BY {case.order_by} LIMIT ? OFFSET ?",
                 case.params + (PAGE, case.offset)).fetchall()
    return count


def service_refresh(db, case: Case) -> int:
    """The same through orders.count_orders / orders.query_orders, the order service's own list queries."""
    f = case.order_filter
    count = orders_service.count_orders(db, f)
    orders_service.query_orders(db, f, case.offset, PAGE)
    return count


def model_refresh(model: OrderListModel, case: Case) -> int:
    """What the tab does on a filter change: count, then the page the view shows."""
    model.set_filter(case.order_filter)
    model.row_object(min(case.offset, max(0, model.rowCount() - 1)))
    return model.rowCount()


def median_ms(fn, repeats: int) -> float:
    fn()  # warm the page cache and the statement cache, as a clerk's second look would
    samples = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


def measure(db, path: Path, repeats: int) -> list[tuple[str, int, float, float, float]]:
    conn = sqlite3.connect(path)
    model = OrderListModel(db)
    rows = []
    for case in cases(conn):
        n_model = model_refresh(model, case)
        n_service = service_refresh(db, case)
        n_raw = raw_sql(conn, case)
        if not n_model == n_service == n_raw:
            raise SystemExit(f"{case.name}: the model counts {n_model}, the service {n_service}, raw SQL {n_raw}; "
                             "they are not the same filter")
        ms_model = median_ms(lambda: model_refresh(model, case), repeats)
        ms_service = median_ms(lambda: service_refresh(db, case), repeats)
        ms_raw = median_ms(lambda: raw_sql(conn, case), repeats)
        rows.append((case.name, n_model, ms_model, ms_service, ms_raw))
    conn.close()
    return rows


def print_table(title: str, rows, before=None) -> None:
    print(f"\n{title}")
    head = (f"{'filter':<54} {'matching':>9} {'list model':>10} {'orders.py':>10} {'raw sql':>8} "
            f"{'model/raw':>9}")
    if before:
        head += f" {'model before':>12} {'gain':>6}"
    print(head)
    print(" " * 65 + "(ms, median: count + the page on screen)")
    print("-" * len(head))
    for i, (name, n, ms_model, ms_service, ms_raw) in enumerate(rows):
        line = (f"{name[:54]:<54} {n:>9,} {ms_model:>10.1f} {ms_service:>10.1f} {ms_raw:>8.1f} "
                f"{ms_model / max(ms_raw, 0.001):>9.2f}")
        if before:
            line += f" {before[i][2]:>12.1f} {before[i][2] / max(ms_model, 0.001):>5.1f}x"
        print(line)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="database file (default: a reused file per size under the temp dir)")
    parser.add_argument("--builder", choices=["auto", "demo", "orm"], default="auto",
                        help=f"how to build a missing database: auto = the demo command up to {DEMO_AUTO_LIMIT:,} "
                             "orders (falling back to the ORM if it fails), the ORM beyond")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--try-indexes", action="store_true", help="also measure with the candidate indexes")
    args = parser.parse_args()
    path = args.db or Path(os.environ.get("TMPDIR", "/tmp")) / "jewelryorders-bench" / f"orders-{args.orders}.db"
    ensure_database(path, args.orders, args.builder)
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv)
    db = open_database("sqlite:///" + str(path), backup=False)
    with db.read_session() as s:
        total = s.scalar(select(func.count(Order.id)))
    print(f"database {path}: {total:,} orders; page size {PAGE}; median of {args.repeats} runs after one warm-up")
    rows = measure(db, path, args.repeats)
    print_table("list model (services/order_reads.py) vs orders.query_orders/count_orders vs hand-written sqlite3",
                rows)
    if args.try_indexes:
        with sqlite3.connect(path) as conn:
            for statement in CANDIDATE_INDEXES:
                conn.execute(statement)
        try:
            with_indexes = measure(db, path, args.repeats)
            print_table("with the candidate indexes:\n  " + "\n  ".join(CANDIDATE_INDEXES), with_indexes, rows)
        finally:
            with sqlite3.connect(path) as conn:
                for statement in CANDIDATE_INDEXES:
                    name = statement.split(" ON ")[0].split()[-1]
                    conn.execute(f"DROP INDEX IF EXISTS {name}")
    db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
