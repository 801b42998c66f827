"""Bench of start-up: time to the painted login dialog and to the dialog ready to log in (database opened), and to the
painted main window, on a database, next to a bare PySide6 window that opens the same database and shows its first
page of orders; peak memory (RSS) of each; and the time of `jewelryorders --help`.

Run:  QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_startup.py --db /path/to/demo.db [--runs 3]
Make a database with e.g. `.venv/bin/python -m jewelryorders --db /tmp/demo100k.db demo --orders 100000`.
Each measurement runs in a fresh interpreter (imports are part of start-up), from the interpreter's start to the
first page of orders painted. The login dialog is started as a user starts the application (`jewelryorders --db
FILE`): "login window" is the end of its first paint, "ready" the moment its Log in button is enabled (the database
layer imported, the database opened and checked). For "main window" the login dialog is left out: the main window is
built for the database's administrator as the login dialog would after a correct password. The goal (issue 7) is the
first window (the login dialog) within 2× the bare window.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Both children print "<seconds to painted> <peak RSS in MB>"; the clock starts when the interpreter does.
_PEAK = """
import resource, sys, time
def _report(started):
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    print(f"{time.perf_counter() - started:.3f} {rss:.1f}")
"""

MAIN_WINDOW = _PEAK + """
started = time.perf_counter()
from jewelryorders.ui.app import create_application, context_for  # as `jewelryorders` itself imports it
from PySide6.QtCore import QCoreApplication
app = create_application()
QCoreApplication.setOrganizationName("jewelryorders-bench")  # leave the user's remembered layout alone
from jewelryorders.db import open_database
from jewelryorders.services import users
from jewelryorders.services.context import Actor
from jewelryorders.ui.main_window import MainWindow
db = open_database(sys.argv[1])
admin = next(u for u in users.list_users(db) if u.role == "administrator")
actor = Actor(admin.id, admin.username, admin.display_name, admin.department, admin.role)
window = MainWindow(context_for(db, actor))
window.show_tab("orders")
window.show()
app.processEvents()
window.grab()  # paints the window, its table and the first page of rows
_report(started)
"""

LOGIN_WINDOW = _PEAK + """
started = time.perf_counter()
from PySide6.QtCore import QCoreApplication
from jewelryorders.ui import app as app_module
from jewelryorders.ui.login.login_dialog import LoginDialog
marks = {}
paint, set_database, create = LoginDialog.paintEvent, LoginDialog.set_database, app_module.create_application
def first_paint(self, event):
    paint(self, event)
    marks.setdefault("login", time.perf_counter() - started)
def ready(self, db, factory_name=""):
    set_database(self, db, factory_name)
    marks["ready"] = time.perf_counter() - started
    self.reject()
def create_application(argv=None):
    application = create(argv)
    QCoreApplication.setOrganizationName("jewelryorders-bench")  # leave the user's remembered settings alone
    return application
LoginDialog.paintEvent, LoginDialog.set_database, app_module.create_application = first_paint, ready, create_application
from jewelryorders.cli.main import main
main(["--db", sys.argv[1].removeprefix("sqlite:///"), "--lang", "en"])
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{marks['login']:.3f} {marks['ready']:.3f} {rss:.1f}")
"""

BARE_WINDOW = _PEAK + """
started = time.perf_counter()
import sqlite3
from PySide6.QtWidgets import QApplication, QMainWindow, QTableWidget, QTableWidgetItem
app = QApplication(sys.argv[:1])
con = sqlite3.connect(sys.argv[1].removeprefix("sqlite:///"))
rows = con.execute("SELECT o.order_no, c.name, o.stage, o.order_date, o.delivery_date, o.total_amount, o.currency "
                   "FROM orders o JOIN customers c ON c.id = o.customer_id ORDER BY o.order_date DESC, o.id DESC "
                   "LIMIT 200").fetchall()
count = con.execute("SELECT count(*) FROM orders").fetchone()[0]
window = QMainWindow()
table = QTableWidget(len(rows), 7)
for r, row in enumerate(rows):
    for c, value in enumerate(row):
        table.setItem(r, c, QTableWidgetItem("" if value is None else str(value)))
window.setCentralWidget(table)
window.setWindowTitle(f"{count} orders")
window.resize(1280, 800)
window.show()
app.processEvents()
window.grab()
_report(started)
"""


def _child(code: str, url: str) -> tuple[float, float]:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"), PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code, url], capture_output=True, text=True, cwd=ROOT, env=env,
                         check=True).stdout
    seconds, rss = out.strip().splitlines()[-1].split()
    return float(seconds), float(rss)


def _login_child(url: str) -> tuple[float, float, float]:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"), PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", LOGIN_WINDOW, url], capture_output=True, text=True, cwd=ROOT, env=env,
                         check=True).stdout
    login, ready, rss = out.strip().splitlines()[-1].split()
    return float(login), float(ready), float(rss)


def _help_seconds() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "jewelryorders", "--help"], capture_output=True, check=True, cwd=ROOT,
                   env=dict(os.environ, PYTHONPATH=str(ROOT)))
    return time.perf_counter() - started


def _count_orders(path: Path) -> int:
    import sqlite3

    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT count(*) FROM orders").fetchone()[0]
    finally:
        con.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="an existing jewelryorders SQLite database (e.g. a demo)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each; the median is shown (default 3)")
    args = parser.parse_args()
    path = Path(args.db).expanduser().resolve()
    if not path.exists():
        print(f"No database {path}; make one with `python -m jewelryorders --db {path} demo --orders 100000`.",
              file=sys.stderr)
        return 2
    url = "sqlite:///" + str(path)
    print(f"Database: {path} ({_count_orders(path):,} orders), {args.runs} runs each, median shown")
    _child(BARE_WINDOW, url)  # warm the file system cache for both
    results = {}
    for name, code in (("bare PySide6 window + first page (sqlite3)", BARE_WINDOW),
                       ("jewelryorders main window, orders tab", MAIN_WINDOW)):
        runs = [_child(code, url) for _i in range(args.runs)]
        results[name] = (statistics.median(r[0] for r in runs), max(r[1] for r in runs))
        print(f"  {name:45s} {results[name][0]:6.2f} s to painted   peak RSS {results[name][1]:6.0f} MB")
    (bare, _m1), (app, _m2) = results.values()
    logins = [_login_child(url) for _i in range(args.runs)]
    login = statistics.median(r[0] for r in logins)
    ready = statistics.median(r[1] for r in logins)
    rss = max(r[2] for r in logins)
    print(f"  {'jewelryorders login dialog (--db FILE)':45s} {login:6.2f} s to painted   peak RSS {rss:6.0f} MB")
    print(f"  {'  ... ready to log in (database open)':45s} {ready:6.2f} s")
    print(f"  ratio login window / bare window: {login / bare:.2f}× (goal ≤ 2×)")
    print(f"  ratio ready to log in / bare window: {ready / bare:.2f}×")
    print(f"  ratio main window / bare window: {app / bare:.2f}×")
    helps = [_help_seconds() for _i in range(args.runs)]
    print(f"  jewelryorders --help: {statistics.median(helps):.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
