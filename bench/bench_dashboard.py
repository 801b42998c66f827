"""Dashboard bench: the time of each figure's query and of the whole dashboard, on a given database.

    .venv/bin/python bench/bench_dashboard.py --db /tmp/demo.db [--user manager] [--runs 5] [--gui]
    .venv/bin/python bench/bench_dashboard.py --db /tmp/demo.db --inflate 100000

Prints, per figure of the registry (services/dashboard): the median time of its query over --runs runs, and the
whole dashboard's load (every query); beside them a plain baseline, `SELECT count(*) FROM orders`, and the ratio.
--gui also times building the Dashboard tab offscreen (widgets, QtCharts, first load). --inflate N copies the
database to a temporary file and adds copies of its orders (new ids and numbers, same stages and dates) until it
holds N orders, so the order queries are timed at that size (plans, forecasts and review rows are not copied).
--user names whose to-do is computed (default: the first manager, or the administrator).

Figures, not tests: they depend on the machine and on what else it is doing.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, text  # noqa: E402

from jewelryorders.db import open_database  # noqa: E402
from jewelryorders.services.context import Actor  # noqa: E402
from jewelryorders.services.dashboard.registry import FigureContext, compute, figures, preset_period  # noqa: E402


def inflate(source: Path, orders: int) -> Path:
    """A copy of `source` holding `orders` orders (copies of its own, renumbered)."""
    target = Path(tempfile.mkdtemp(prefix="jo-dash-bench-")) / "inflated.db"
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)  # the WAL's pages too
    con = sqlite3.connect(target)
    columns = [row[1] for row in con.execute("PRAGMA table_info(orders)")]
    have = originals = con.execute("SELECT count(*) FROM orders").fetchone()[0]
    top = con.execute("SELECT max(id) FROM orders").fetchone()[0] or 0
    copy = 0
    while have < orders:
        copy += 1
        batch = min(originals, orders - have)
        chosen = ", ".join(
            f"id + {top * copy}" if c == "id" else f"order_no || '-{copy}'" if c == "order_no" else c
            for c in columns)
        con.execute(f"INSERT INTO orders ({', '.join(columns)}) SELECT {chosen} FROM orders "
                    f"WHERE id <= {top} ORDER BY id LIMIT {batch}")
        have += batch
    con.commit()
    con.execute("ANALYZE")
    con.close()
    return target


def pick_actor(db, username: str | None) -> Actor:
    from jewelryorders.models.users import User

    with db.read_session() as s:
        stmt = select(User)
        if username:
            stmt = stmt.where(User.username == username)
        else:
            stmt = stmt.order_by((User.role != "manager"), User.id)
        user = s.scalars(stmt.limit(1)).first()
        if user is None:
            raise SystemExit(f"no user {username!r}")
        return Actor(user.id, user.username, user.display_name, user.department, user.role)


def timed(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="an existing database file (e.g. the 300-order demo)")
    parser.add_argument("--user", help="whose to-do is computed")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--gui", action="store_true", help="also time building the tab offscreen")
    parser.add_argument("--inflate", type=int, default=0, metavar="N", help="time on a copy holding N orders")
    args = parser.parse_args()
    path = Path(args.db)
    if not path.is_file():
        raise SystemExit(f"{path} does not exist")
    if args.inflate:
        t0 = time.perf_counter()
        path = inflate(path, args.inflate)
        print(f"inflated copy: {path} ({time.perf_counter() - t0:.1f} s to build)")
    db = open_database(f"sqlite:///{path}")
    actor = pick_actor(db, args.user)
    ctx = FigureContext.make(preset_period("this_month"), actor)
    with db.read_session() as s:
        n_orders = s.scalar(text("SELECT count(*) FROM orders"))
    print(f"database: {path} — {n_orders:,} orders; user {actor.username} ({actor.department}, {actor.role}); "
          f"median of {args.runs} runs")

    def baseline():
        with db.read_session() as s:
            s.scalar(text("SELECT count(*) FROM orders"))

    compute(db, ctx)  # warm the caches (SQLAlchemy statements, SQLite pages)
    base = timed(baseline, args.runs)
    print(f"{'figure':<22} {'ms':>9} {'× baseline':>11}")
    total = 0.0
    for fig in figures():
        seconds = timed(lambda f=fig: f.query(db, ctx), args.runs)
        total += seconds
        print(f"{fig.key:<22} {seconds * 1000:9.1f} {seconds / base:11.1f}")
    whole = timed(lambda: compute(db, ctx), args.runs)
    print(f"{'baseline count(*)':<22} {base * 1000:9.1f} {1.0:11.1f}")
    print(f"{'dashboard load':<22} {whole * 1000:9.1f} {whole / base:11.1f}")
    if args.gui:
        import os

        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtWidgets import QApplication

        from jewelryorders.ui.context import UiContext
        from jewelryorders.ui.dashboard.tab import DashboardTab

        app = QApplication.instance() or QApplication([])
        t0 = time.perf_counter()
        tab = DashboardTab(UiContext(db, actor, "bench"))
        tab.resize(1366, 700)
        tab.show()
        app.processEvents()
        built = time.perf_counter() - t0
        t0 = time.perf_counter()
        tab.refresh()
        app.processEvents()
        again = time.perf_counter() - t0
        print(f"{'tab built + shown':<22} {built * 1000:9.1f}")
        print(f"{'tab refresh':<22} {again * 1000:9.1f}")
        tab.close()
    db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
