"""Ledger workbooks: the filtered ledger (write-only, with progress and cancel) and the weekly summary."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from jewelryorders.reports.ledger_xlsx import ExportCancelled
from jewelryorders.services.errors import ValidationError
from jewelryorders.services.ledger import entries as ledger
from jewelryorders.services.ledger import exports

from .planning_support import contracted, factory  # noqa: F401,F811  (fixtures)
from .test_ledger import release


@pytest.fixture
def recorded(db, factory, contracted):
    order_id = contracted(quantity=50)
    plan = release(db, factory, order_id)
    for step in plan.steps[:3]:
        ledger.record_start(db, factory.worker, step.sheet_no, worker="李師傅")
        ledger.record_finish(db, factory.worker, step.sheet_no, ledger.FinishInput(
            50, 1, "120.500", "118.000", "1.800", stones_ct="0.350", worker="李師傅"))
    return plan


def test_the_ledger_workbook_has_real_numbers_a_frozen_filtered_header_and_the_filter(db, factory, recorded,
                                                                                      tmp_path):
    out = tmp_path / "ledger.xlsx"
    seen = []
    written = exports.export_ledger(db, out, ledger.LedgerFilter(kind="finish"), lang="zh_TW", actor=factory.planner,
                                    progress=lambda done, total: seen.append((done, total)) or True,
                                    factory_name="金福")
    assert written == 3 and seen[-1] == (3, 3)
    ws = load_workbook(out).active
    assert "金福" in ws["A1"].value and ws.freeze_panes == "A4" and ws.auto_filter.ref.startswith("A3:")
    header = [c.value for c in ws[3]]
    assert header[0] == "記錄編號" and "發出金屬（克）" in header
    row = [c.value for c in ws[4]]
    issued = header.index("發出金屬（克）")
    assert row[issued] == pytest.approx(120.5) and ws.cell(4, issued + 1).number_format == "#,##0.000"
    assert row[header.index("損耗（克）")] == pytest.approx(0.7)
    assert hasattr(row[1], "year")  # a real date-time


def test_cancel_removes_the_partly_written_file(db, recorded, tmp_path, monkeypatch):
    from jewelryorders.reports import ledger_xlsx

    out = tmp_path / "ledger.xlsx"
    rows = list(ledger.iter_entries(db, ledger.LedgerFilter())) * 1000
    with pytest.raises(ExportCancelled):
        ledger_xlsx.write_ledger_xlsx(out, rows, len(rows), factory_name="F", filter_text="all",
                                      kind_label=str, inspection_label=str, yes="yes", lang="en",
                                      exported_at=__import__("jewelryorders").clock.now(),
                                      progress=lambda done, total: done < 4000)
    assert not out.exists()


def test_the_weekly_summary_per_workshop(db, recorded, tmp_path):
    with pytest.raises(ValidationError, match="not an ISO week"):
        exports.parse_week("2026-47")
    out = exports.export_summary(db, tmp_path / "week.xlsx", "2026-W47", lang="en", factory_name="F")
    ws = load_workbook(out).active
    assert ws.freeze_panes == "A4" and ws["A3"].value == "Workshop"
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=4)]
    assert sum(r[3] for r in rows) == 3 and sum(r[4] for r in rows) == 150
    assert all(isinstance(r[7], float) for r in rows)


def test_the_command_line_scans_exports_and_prints_minutes(db, factory, contracted, monkeypatch, tmp_path, capsys,
                                                            make_user):
    import subprocess

    from jewelryorders.cli.main import main
    from jewelryorders.services.ledger import meetings

    monkeypatch.setenv("JEWELRYORDERS_PASSWORD", "password1")
    order_id = contracted(quantity=20)
    plan = release(db, factory, order_id)
    sheet = plan.step(1).sheet_no

    def cli(*args):
        return main(["--database-url", db.url, "--lang", "en", *args])

    assert cli("--user", "worker", "scan", sheet, "--start") == 0
    assert cli("--user", "worker", "scan", sheet, "--finish", "--issued", "20", "--returned", "20.5") != 0
    assert "more than was issued" in capsys.readouterr().err
    assert cli("--user", "worker", "scan", sheet, "--finish", "--issued", "20", "--returned", "19.9") == 0
    assert "finished" in capsys.readouterr().out
    assert cli("--user", "worker", "scan", sheet, "--start") != 0
    assert cli("export", "ledger", "--out", str(tmp_path / "l.xlsx"), "--from", "2026-11-01") == 0
    assert load_workbook(tmp_path / "l.xlsx").active.max_row == 5
    assert cli("export", "summary", "--week", "2026-W47", "--out", str(tmp_path / "s.xlsx")) == 0
    head = make_user("production", "department_head", "meet.head")
    m = meetings.hold_meeting(db, head, meetings.MeetingInput("2026-11-16", attendees={"production": ["Head"]}))
    assert cli("print", "minutes", m.meeting_no, "--out", str(tmp_path / "m.pdf"), "--lang", "zh_TW") == 0
    text = subprocess.run(["pdftotext", str(tmp_path / "m.pdf"), "-"], capture_output=True, text=True).stdout
    assert m.meeting_no in text
