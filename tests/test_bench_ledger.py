"""The ledger bench's builder still fits the schema, the view's pages (ids first, joins after) cover every entry once
in order, the streamed export reads each entry once, and the workbook check tells a lost number from a kept one.
No wall-clock figure is asserted."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

import pytest

from jewelryorders.db import open_database
from jewelryorders.services import users
from jewelryorders.services.ledger import entries as ledger

_ROOT = Path(__file__).resolve().parents[1] / "bench"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, _ROOT / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


bench_ledger = _load("bench_ledger")
check_workbooks = _load("check_workbooks")


@pytest.fixture(scope="module")
def bench_db(tmp_path_factory):
    saved = users.SCRYPT_N
    users.SCRYPT_N = 2**10
    path = tmp_path_factory.mktemp("bench") / "ledger.db"
    try:
        bench_ledger.build(path, 600)
    finally:
        users.SCRYPT_N = saved
    db = open_database(f"sqlite:///{path}")
    yield path, db
    db.close()


def test_the_bench_builds_its_entries_through_the_schema(bench_db):
    path, db = bench_db
    assert bench_ledger.entry_count(path) == 600
    everything = ledger.LedgerFilter()
    assert ledger.count_entries(db, everything) == 600
    totals = ledger.totals(db, everything)
    assert 0 < totals.flagged < 100  # "a few" over the allowance
    newest = ledger.query_entries(db, everything, 0, 1)[0]
    assert newest.entry_no == "LE-2024-0000600" and newest.workshop.startswith("車間")
    assert newest.recorded_at == dt.datetime(2024, 1, 1, 10, 0, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("f", [ledger.LedgerFilter(), ledger.LedgerFilter(workshop_id=3),
                               ledger.LedgerFilter(flagged_only=True), ledger.LedgerFilter(worker="師傅 7")])
def test_pages_cover_every_entry_once_newest_first_and_the_export_reads_each_once(bench_db, f):
    _path, db = bench_db
    total = ledger.count_entries(db, f)
    paged = [r for offset in range(0, total + 50, 50) for r in ledger.query_entries(db, f, offset, 50)]
    assert len(paged) == total and len({r.id for r in paged}) == total
    assert [(r.recorded_at, r.id) for r in paged] == sorted(((r.recorded_at, r.id) for r in paged), reverse=True)
    exported = list(ledger.iter_entries(db, f, batch=64))
    assert [r.id for r in exported] == sorted(r.id for r in paged)
    assert exported == sorted(paged, key=lambda r: r.id)


class _Cell:
    def __init__(self, coordinate, value, number_format="General"):
        self.coordinate, self.value, self.number_format = coordinate, value, number_format


class _Sheet:
    freeze_panes = "A2"

    class auto_filter:
        ref = "A1:C2"

    def __init__(self, rows):
        self.rows = rows

    def iter_rows(self):
        return iter(self.rows)


def test_the_workbook_check_tells_a_lost_number_or_date_from_a_kept_one():
    row = [_Cell("A1", 1234.5678, "#,##0.000"), _Cell("B1", dt.datetime(2026, 11, 16, 10, 30), "yyyy-mm-dd hh:mm"),
           _Cell("C1", 0.125, "0.0%")]
    kept = check_workbooks.compare_sheet(_Sheet([row]), [["1,234.568", "2026-11-16 10:30", "12.5%"]], "s")
    assert kept.problems == [] and (kept.numbers, kept.dates) == (2, 1)
    lost = check_workbooks.compare_sheet(_Sheet([row]), [["1,234", "2026-11-17 10:30", "12.5%"]], "s")
    assert len(lost.problems) == 2
    texts = [_Cell("A4", "12.5"), _Cell("B4", "2026-11-16"), _Cell("C4", "JO-2026-00001")]
    typed = check_workbooks.compare_sheet(_Sheet([[], [], [], texts]), [[], [], [], ["12.5", "2026-11-16",
                                                                                     "JO-2026-00001"]], "s")
    assert typed.problems == [] and len(typed.warnings) == 2
