"""Do the application's workbooks open in LibreOffice with the same values?

Builds a small demo factory (through the services, at a fixed moment), exports every Excel workbook the application
writes (orders, ledger, weekly summary, meeting pack, quality register, stock, after-sales register, archive access
log, dashboard figures), converts each with LibreOffice (`soffice --headless --convert-to csv`, every sheet) and
compares every cell of the CSV with what openpyxl reads from the file:

- a number must show as the same number (to the decimals its format shows), a date/time as the same date/time;
- a text cell that looks like a number or a date is reported too (a number or date written as text);
- each sheet should have its header frozen and filtered (the application's convention), reported when not.

Optionally (--pdf NAME ...) converts some workbooks to PDF through LibreOffice and renders the first page to PNG
(pdftoppm) to look at the Chinese headers.

    .venv/bin/python bench/check_workbooks.py [--orders 40] [--out /tmp/workbooks] [--lang zh_TW] [--pdf ledger stock]

Needs LibreOffice (`apt-get install -y --no-install-recommends libreoffice-calc-nogui`; not part of bootstrap.sh).
Exit status 0 when every workbook converts and no value is lost, 1 otherwise.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MOMENT = dt.datetime(2026, 11, 16, 10, 0)
# Every sheet, "as shown" (token 9 true), UTF-8 (76), comma, double quote; token 12 = -1: one CSV per sheet.
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"


# ---- the workbooks ---------------------------------------------------------------------------------------------------

def build_demo(path: Path, n_orders: int):
    from jewelryorders import clock
    from jewelryorders.db import open_database
    from jewelryorders.demo import build_demo as demo, data
    from jewelryorders.services import users

    if path.exists():
        path.unlink()
    db = open_database(f"sqlite:///{path}")
    saved = users.SCRYPT_N
    users.SCRYPT_N = 2**10
    try:
        with clock.frozen(MOMENT):
            demo(db, n_orders=n_orders, seed=7)
            admin = users.authenticate(db, "admin", data.ADMIN_PASSWORD)
    finally:
        users.SCRYPT_N = saved
    return db, admin


def export_all(db, admin, out: Path, lang: str) -> dict[str, Path]:
    """Every workbook the application exports, written into `out`; name -> file (or an exception's text)."""
    from jewelryorders import clock
    from jewelryorders.services.archive.papers import export_access_log
    from jewelryorders.services.dashboard.papers import export_dashboard
    from jewelryorders.services.dashboard.registry import Period
    from jewelryorders.services.delivery.aftersales_papers import export_after_sales
    from jewelryorders.services.ledger.entries import LedgerFilter
    from jewelryorders.services.ledger.exports import export_ledger, export_summary, week_of
    from jewelryorders.services.ledger.meetings import list_meetings
    from jewelryorders.services.ledger.papers import export_pack
    from jewelryorders.services.materials.papers import export_stock
    from jewelryorders.services.orders.exporting import export_orders
    from jewelryorders.services.orders.intake import OrderFilter
    from jewelryorders.services.quality.papers import export_register

    today = MOMENT.date()
    year_ago = today - dt.timedelta(days=365)
    meetings = list_meetings(db)
    jobs = {
        "orders": lambda p: export_orders(db, OrderFilter(), p, lang=lang, exported_by="admin"),
        "ledger": lambda p: export_ledger(db, p, LedgerFilter(), lang=lang),
        "ledger_filtered": lambda p: export_ledger(db, p, LedgerFilter(date_from=year_ago, date_to=today,
                                                                       flagged_only=True), lang=lang),
        "weekly_summary": lambda p: export_summary(db, p, week_of(today - dt.timedelta(days=7)), lang=lang),
        "meeting_pack": lambda p: export_pack(db, admin, meetings[0].meeting_no, p, lang=lang,
                                              factory_name="Demo"),
        "quality_register": lambda p: export_register(db, admin, p, year_ago, today, lang=lang),
        "stock": lambda p: export_stock(db, p, lang),
        "after_sales": lambda p: export_after_sales(db, admin, year_ago, today, p, lang),
        "access_log": lambda p: export_access_log(db, admin, p, lang, year_ago, today),
        "dashboard": lambda p: export_dashboard(db, Period(year_ago, today), p, lang, admin),
    }
    if not meetings:
        jobs.pop("meeting_pack")
    files: dict[str, Path] = {}
    with clock.frozen(MOMENT):
        for name, job in jobs.items():
            path = out / f"{name}.xlsx"
            try:
                job(path)
                files[name] = path
            except Exception as exc:  # noqa: BLE001 - a failing export is a finding, not the end of the check
                print(f"  {name}: export failed: {type(exc).__name__}: {exc}")
    return files


# ---- LibreOffice -----------------------------------------------------------------------------------------------------

def soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        raise SystemExit("LibreOffice is not installed: apt-get install -y --no-install-recommends "
                         "libreoffice-calc-nogui")
    return exe


def convert(files: list[Path], target: str, outdir: Path, profile: Path) -> float:
    outdir.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    subprocess.run([soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--convert-to", target, "--outdir", str(outdir), *map(str, files)],
                   check=True, capture_output=True, timeout=900)
    return time.perf_counter() - t


# ---- comparing -------------------------------------------------------------------------------------------------------

NUMBER_TEXT = re.compile(r"^[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?%?$")
DATE_TEXT = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


@dataclass
class SheetReport:
    name: str
    rows: int = 0
    numbers: int = 0
    dates: int = 0
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _decimals(fmt: str) -> int | None:
    """How many decimals a number format shows (None: General, all of them)."""
    if not fmt or fmt == "General":
        return None
    section = fmt.split(";")[0]
    m = re.search(r"0\.(0+)", section)
    return len(m.group(1)) if m else 0


def _parse_number(text: str) -> float | None:
    s = text.strip().replace("\u00a0", " ")
    negative = s.startswith("(") and s.endswith(")")
    s = s.strip("()")
    percent = s.endswith("%")
    s = re.sub(r"[^\d.\-+eE]", "", s.replace(",", ""))
    try:
        value = float(s)
    except ValueError:
        return None
    value = -value if negative else value
    return value / 100 if percent else value


def _same_number(value: float, text: str, fmt: str) -> bool:
    shown = _parse_number(text)
    if shown is None:
        return False
    places = _decimals(fmt)
    if fmt.rstrip().endswith("%"):
        places = None if places is None else places + 2
    tolerance = 1e-9 * max(1.0, abs(value)) if places is None else 0.5 * 10 ** -places + 1e-9
    if places is None:  # General: LibreOffice shows up to ~10 significant digits
        return math.isclose(value, shown, rel_tol=1e-9, abs_tol=1e-9) or abs(value - shown) <= 10 ** -(
            10 - max(0, int(math.log10(abs(value) or 1))))
    return abs(value - shown) <= tolerance


def _same_moment(value: dt.date | dt.datetime | dt.time, text: str) -> bool:
    m = DATE_TEXT.match(text.strip())
    if isinstance(value, dt.time):
        t = re.match(r"^(\d{1,2}):(\d{2})", text.strip())
        return bool(t) and (int(t.group(1)), int(t.group(2))) == (value.hour, value.minute)
    if not m:
        return False
    day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if isinstance(value, dt.datetime):
        if day != value.date():
            return False
        if m.group(4) is not None:
            return (int(m.group(4)), int(m.group(5))) == (value.hour, value.minute)
        return True
    return day == value


def compare_sheet(ws, csv_rows: list[list[str]], name: str) -> SheetReport:
    report = SheetReport(name)
    grid = [list(r) for r in ws.iter_rows()]
    while grid and all(c.value is None for c in grid[-1]):
        grid.pop()
    while csv_rows and not any(x.strip() for x in csv_rows[-1]):
        csv_rows.pop()
    report.rows = len(grid)
    if len(csv_rows) != len(grid):
        report.problems.append(f"{len(grid)} rows in the workbook, {len(csv_rows)} in LibreOffice's CSV")
    for r, row in enumerate(grid):
        shown = csv_rows[r] if r < len(csv_rows) else []
        for c, cell in enumerate(row):
            value = cell.value
            if value is None:
                continue
            text = shown[c] if c < len(shown) else ""
            where = f"{cell.coordinate}"
            fmt = cell.number_format or "General"
            if isinstance(value, bool):
                if text.strip().upper() not in ("TRUE", "FALSE", "1", "0"):
                    report.problems.append(f"{where}: boolean {value} shows as {text!r}")
            elif isinstance(value, (int, float)):
                report.numbers += 1
                if not _same_number(float(value), text, fmt):
                    report.problems.append(f"{where}: number {value!r} (format {fmt!r}) shows as {text!r}")
            elif isinstance(value, (dt.datetime, dt.date, dt.time)):
                report.dates += 1
                if not _same_moment(value, text):
                    report.problems.append(f"{where}: date {value!r} (format {fmt!r}) shows as {text!r}")
            else:
                s = str(value)
                if s.strip() != text.strip() and s.replace("\r", "").strip() != text.replace("\r", "").strip():
                    report.problems.append(f"{where}: text {s[:40]!r} shows as {text[:40]!r}")
                if r >= 3 and (NUMBER_TEXT.match(s.strip()) or DATE_TEXT.match(s.strip())):
                    report.warnings.append(f"{where}: text {s[:30]!r} looks like a number or a date")
    if not ws.freeze_panes:
        report.warnings.append("no frozen header")
    if not ws.auto_filter.ref:
        report.warnings.append("no filter on the header")
    return report


def check(files: dict[str, Path], csv_dir: Path) -> dict[str, list[SheetReport]]:
    from openpyxl import load_workbook

    out: dict[str, list[SheetReport]] = {}
    for name, path in files.items():
        wb = load_workbook(path, data_only=True)
        reports = []
        for ws in wb.worksheets:
            candidates = [csv_dir / f"{path.stem}-{ws.title}.csv"]
            if len(wb.worksheets) == 1:
                candidates.append(csv_dir / f"{path.stem}.csv")
            found = next((p for p in candidates if p.exists()), None)
            if found is None:
                rep = SheetReport(ws.title)
                rep.problems.append("LibreOffice wrote no CSV for this sheet (did it open the file?)")
                reports.append(rep)
                continue
            with open(found, newline="", encoding="utf-8-sig") as fh:
                rows = list(csv.reader(fh))
            reports.append(compare_sheet(ws, rows, ws.title))
        out[name] = reports
        wb.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=40, help="demo size (orders)")
    parser.add_argument("--out", type=Path, default=Path("/tmp/workbooks"))
    parser.add_argument("--lang", default="zh_TW")
    parser.add_argument("--pdf", nargs="*", default=["ledger", "weekly_summary"],
                        help="workbooks to convert to PDF and render to PNG (first page)")
    parser.add_argument("--verbose", action="store_true", help="print every problem, not the first five per sheet")
    args = parser.parse_args()
    soffice()
    out = args.out
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    t = time.perf_counter()
    db, admin = build_demo(out / "demo.db", args.orders)
    print(f"demo of {args.orders} orders built in {time.perf_counter() - t:.1f} s")
    files = export_all(db, admin, out, args.lang)
    db.close()
    seconds = convert(list(files.values()), CSV_FILTER, out / "csv", out / "lo-profile")
    print(f"{len(files)} workbooks converted to CSV by LibreOffice in {seconds:.1f} s")
    failed = 0
    for name, reports in check(files, out / "csv").items():
        bad = sum(len(r.problems) for r in reports)
        failed += bool(bad)
        print(f"{'FAIL' if bad else 'ok  '} {name:<18} " + "; ".join(
            f"{r.name}: {r.rows} rows, {r.numbers} numbers, {r.dates} dates" for r in reports))
        for r in reports:
            for p in r.problems[: None if args.verbose else 5]:
                print(f"       {r.name}: {p}")
            if len(r.problems) > 5 and not args.verbose:
                print(f"       {r.name}: ... {len(r.problems) - 5} more")
            for w in r.warnings[: None if args.verbose else 3]:
                print(f"       {r.name}: warning: {w}")
            if len(r.warnings) > 3 and not args.verbose:
                print(f"       {r.name}: ... {len(r.warnings) - 3} more warnings")
    pdfs = [files[n] for n in args.pdf if n in files]
    if pdfs:
        convert(pdfs, "pdf", out / "pdf", out / "lo-profile")
        for p in pdfs:
            pdf = out / "pdf" / f"{p.stem}.pdf"
            if not pdf.exists():
                print(f"FAIL {p.stem}: LibreOffice wrote no PDF")
                failed += 1
                continue
            if shutil.which("pdftoppm"):
                subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf),
                                str(out / "pdf" / p.stem)], check=True)
            print(f"pdf  {p.stem}: {pdf} (first page as PNG beside it)")
    print(f"{len(files) - failed} of {len(files)} workbooks open in LibreOffice with the same values"
          if not failed else f"{failed} workbook(s) differ in LibreOffice")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
