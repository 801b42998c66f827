"""Bench of the Excel order import: a 50,000-row customer order sheet checked (dry run) and imported in one go.

Run:  .venv/bin/python bench/bench_import.py [--rows 50000] [--lines-per-order 10 1] [--check-only]
(e.g. `--rows 2000 --lines-per-order 1` for the write lock of the 2,000-order import other workstations wait for)
`write_order_sheet` (a fast .xlsx writer with shared strings and date cells, as Excel saves them) is also what the
import tests build their 50,000-row sheet with.
"""

from __future__ import annotations

import argparse
import resource
import datetime as dt
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Iterable, Sequence
from xml.sax.saxutils import escape

HEADERS = ["客戶", "客戶訂單號", "訂單日期", "交期", "交貨地點", "款號", "品名", "成色", "手寸", "數量", "重量(g)",
           "石類", "石數", "石重", "單價", "備註"]
EXCEL_EPOCH = dt.date(1899, 12, 30)


def _column(index: int) -> str:
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def write_order_sheet(path: str | Path, headers: Sequence[str], rows: Iterable[Sequence[object]],
                      sheet_name: str = "訂貨單") -> Path:
    """Write an .xlsx the way Excel does (shared strings, dates as numbers with a date format), ~20x faster than
    openpyxl, so a test can afford 50,000 rows. Values: str, int, float, date or None."""
    strings: dict[str, int] = {}
    cols = [_column(i) for i in range(len(headers))]

    def cell(ref: str, value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, dt.date):
            return f'<c r="{ref}" s="1"><v>{(value - EXCEL_EPOCH).days}</v></c>'
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return f'<c r="{ref}"><v>{value!r}</v></c>'
        index = strings.setdefault(str(value), len(strings))
        return f'<c r="{ref}" t="s"><v>{index}</v></c>'

    path = Path(path)
    parts: list[str] = []
    count = 0
    for r, values in enumerate([headers, *rows], start=1):
        parts.append(f'<row r="{r}">' + "".join(cell(f"{cols[i]}{r}", v) for i, v in enumerate(values)) + "</row>")
        count = r
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f'<dimension ref="A1:{cols[-1]}{count}"/><sheetData>' + "".join(parts) + "</sheetData></worksheet>")
    sst = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{len(strings)}" '
           f'uniqueCount="{len(strings)}">' + "".join(f"<si><t>{escape(s)}</t></si>" for s in strings) + "</sst>")
    styles = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
              '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
              '<borders count="1"><border/></borders>'
              '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
              '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
              '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
              '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
              '</styleSheet>')
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            '</Types>'),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{main}" xmlns:r="{rel}">'
            f'<sheets><sheet name="{escape(sheet_name)}" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId3" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            '</Relationships>'),
        "xl/styles.xml": styles,
        "xl/sharedStrings.xml": sst,
        "xl/worksheets/sheet1.xml": sheet,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return path


def sample_rows(customer_code: str, n_rows: int, lines_per_order: int, start: int = 0):
    """Realistic rows: orders of `lines_per_order` lines, several styles, metals and stones."""
    metals = ["18K", "Au750", "PT950", "S925", "足金", "14K"]
    stones = [("鑽石", 12, 0.36), (None, None, None), ("CZ", 30, 1.5), ("紅寶石", 1, 0.5)]
    for i in range(start, start + n_rows):
        stone = stones[i % len(stones)]
        yield [customer_code, f"PO-{i // lines_per_order:06d}", dt.date(2026, 11, 2), dt.date(2027, 1, 15),
               "香港九龍彌敦道 88 號", f"R-{i % 97:03d}", "18K 金鑽石戒指", metals[i % len(metals)], str(10 + i % 8),
               1 + i % 60, round(1.5 + (i % 400) / 100, 3), stone[0], stone[1], stone[2], 380 + i % 2000,
               "內圈刻字" if i % 50 == 0 else None]


# The same run with the import of commit e892103 (Core multi-row INSERTs through SQLAlchemy, numbers and keys read
# back batch by batch), measured on this machine 2026-12-06 back to back with the current code (bench/RESULTS.md).
BEFORE = {(20_000, 1): "e892103: 3.81 s from BEGIN IMMEDIATE to COMMIT, 2.77 s CPU; the other workstation waited "
                       "3.83 s at most (12.2 s / 2.86 s CPU at load 8)"}


def _run(rows: int, lines_per_order: int, check_only: bool) -> None:
    from jewelryorders.db import open_database
    from jewelryorders.services import customers, users
    from jewelryorders.services.orders import importing as order_import
    from jewelryorders.services.orders import intake as orders

    folder = Path(tempfile.mkdtemp(prefix="bench-import-"))
    db = open_database("sqlite:///" + str(folder / "factory.db"))
    users.setup_factory(db, "金福珠寶廠", "admin", "admin-pass", "zh_TW", "Admin")
    admin = users.authenticate(db, "admin", "admin-pass")
    customer = customers.create_customer(db, admin, customers.CustomerInput(name="周大福珠寶", currency="HKD"))
    started = time.perf_counter()
    path = write_order_sheet(folder / "sheet.xlsx", HEADERS, sample_rows(customer.code, rows, lines_per_order))
    print(f"  sheet written: {time.perf_counter() - started:6.1f} s  ({path.stat().st_size / 1e6:.1f} MB)")
    mapping = order_import.guess_mapping(order_import.inspect_workbook(path).headers)
    # The SQLite write lock is held from BEGIN IMMEDIATE (a write session's begin) to its COMMIT.
    from sqlalchemy import event

    lock = {"began": None, "held": []}

    @event.listens_for(db.engine, "begin")
    def _began(conn):
        if conn.get_execution_options().get("jo_write"):
            lock["began"] = (time.perf_counter(), time.process_time())

    @event.listens_for(db.engine, "commit")
    def _committed(_conn):
        if lock["began"] is not None:
            lock["held"].append((time.perf_counter() - lock["began"][0], time.process_time() - lock["began"][1]))
            lock["began"] = None

    for dry_run in ([True] if check_only else [True, False]):
        marks: dict[str, float] = {}
        probe = None if dry_run else _start_probe(folder / "factory.db")
        started = time.perf_counter()
        result = order_import.run_import(db, admin, path, mapping, dry_run=dry_run,
                                         progress=lambda stage, _d, _t: marks.setdefault(stage, time.perf_counter()))
        seconds = time.perf_counter() - started
        phases = "  ".join(f"{stage}: from {at - started:5.1f} s" for stage, at in marks.items())
        print(f"    {phases}")
        if "Saving the orders" in marks:
            # The only part that holds the write lock; other workstations wait at most this long.
            wall, cpu = lock["held"][-1] if lock["held"] else (0.0, 0.0)
            print(f"    write transaction (lock held): {time.perf_counter() - marks['Saving the orders']:5.2f} s from "
                  f"'Saving' to the end of the import; {wall:5.2f} s from BEGIN IMMEDIATE to COMMIT, of which "
                  f"{cpu:5.2f} s this process's CPU (goal: 1–2 s at most)")
            before = BEFORE.get((rows, lines_per_order))
            if before:
                print(f"    before the staged insert ({before})")
        if probe is not None:
            waits = _stop_probe(probe)
            if waits:
                print(f"    another workstation saving every 50 ms meanwhile: {len(waits)} saves, the longest waited "
                      f"{max(waits):5.2f} s for the write lock (goal: 1–2 s at most)")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
        what = "check " if dry_run else "import"
        print(f"  {what}: {seconds:6.1f} s  {result.rows / seconds:7,.0f} rows/s  {len(result.orders):,} orders  "
              f"problems {result.problem_count}  imported {result.imported}  peak RSS so far {peak:.0f} MB")
    print(f"  orders in the database: {orders.count_orders(db, orders.OrderFilter()):,}")
    db.close()


# A second workstation: its own process and connection, taking the write lock (BEGIN IMMEDIATE ... COMMIT, what a
# save does) every 50 ms while the import runs; how long each waited is what a user elsewhere would feel.
_PROBE = """
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], timeout=120, isolation_level=None)
waits = []
print("ready", flush=True)
while not sys.stdin.closed:
    started = time.perf_counter()
    con.execute("BEGIN IMMEDIATE")
    con.execute("COMMIT")
    waits.append(time.perf_counter() - started)
    import select
    if select.select([sys.stdin], [], [], 0.05)[0]:
        break
print(" ".join(f"{w:.4f}" for w in waits), flush=True)
"""


def _start_probe(path: Path):
    import subprocess

    proc = subprocess.Popen([sys.executable, "-c", _PROBE, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)
    proc.stdout.readline()  # connected
    return proc


def _stop_probe(proc) -> list[float]:
    out, _err = proc.communicate("stop\n", timeout=300)
    return [float(w) for w in out.split()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--lines-per-order", type=int, nargs="+", default=[10, 1])
    parser.add_argument("--check-only", action="store_true")
    args = parser.parse_args(argv)
    for per in args.lines_per_order:
        print(f"{args.rows:,} rows, {per} lines per order:")
        _run(args.rows, per, args.check_only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
