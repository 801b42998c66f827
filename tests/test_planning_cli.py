"""Planning commands: print task sheets (by order, by workshop and day), print the Gantt, optimise, scan."""

from __future__ import annotations

import subprocess

import pytest

from jewelryorders.cli.main import main
from jewelryorders.services.planning import plans as planning
from jewelryorders.services.planning import sheets as planning_sheets

from .planning_support import MONDAY, contracted, factory  # noqa: F401  (fixtures)


@pytest.fixture
def cli(db, monkeypatch):
    """cli("print", "task-sheets", ...) -> exit code, with the test database and the planner's password."""
    monkeypatch.setenv("JEWELRYORDERS_PASSWORD", "password1")

    def run(*args: str) -> int:
        return main(["--database-url", db.url, "--lang", "en", *args])

    return run


@pytest.fixture
def released(db, factory, contracted):
    order_id = contracted()
    plan = planning.propose_plan(db, factory.planner, order_id, today=MONDAY)
    return planning.release_plan(db, factory.planner, plan.id, today=MONDAY)


def _text(path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_print_task_sheets_of_an_order(cli, released, tmp_path, capsys):
    out = tmp_path / "sheets.pdf"
    assert cli("--user", "planner", "print", "task-sheets", released.order_no, "--out", str(out)) == 0
    text = _text(out)
    assert all(step.sheet_no in text for step in released.steps)
    assert f"{len(released.steps)} task sheets written" in capsys.readouterr().out
    assert cli("--user", "planner", "print", "task-sheets", released.order_no, "--out", str(out)) == 0
    assert "REPRINT #1" in _text(out)
    assert f"({len(released.steps)} of them reprints)" in capsys.readouterr().out


def test_print_task_sheets_of_a_workshop_for_a_day(cli, released, tmp_path, capsys):
    filing = released.step(4)
    out = tmp_path / "filing.pdf"
    assert cli("--user", "planner", "print", "task-sheets", "--workshop", "Filing shop", "--date",
               filing.start.isoformat(), "--out", str(out)) == 0
    text = _text(out)
    assert filing.sheet_no in text and released.step(3).sheet_no not in text


def test_print_task_sheets_refuses_unclear_or_unknown_selections(cli, released, tmp_path, capsys):
    out = tmp_path / "x.pdf"
    assert cli("--user", "planner", "print", "task-sheets", "--workshop", "Filing shop", "--out", str(out)) == 2
    assert "--workshop needs --date" in capsys.readouterr().err
    assert cli("--user", "planner", "print", "task-sheets", "JO-1999-99999", "--out", str(out)) == 1
    assert "There is no order JO-1999-99999" in capsys.readouterr().err
    assert cli("--user", "planner", "print", "task-sheets", "--sheet", "TS-1999-000001", "--out", str(out)) == 1
    assert "No task sheet has the number TS-1999-000001" in capsys.readouterr().err
    assert not out.exists()


def test_print_gantt_for_a_date_range(cli, released, tmp_path):
    out = tmp_path / "gantt.pdf"
    assert cli("print", "gantt", "--from", "2026-12-01", "--to", "2027-01-31", "--out", str(out)) == 0
    assert released.order_no in _text(out)
    assert cli("print", "gantt", "--from", "2027-01-31", "--to", "2026-12-01", "--out", str(out)) == 2


def test_plan_optimise_reports_before_and_after_and_changes_nothing_without_apply(db, cli, released, capsys):
    assert cli("plan", "optimise", "--seconds", "2") == 0
    out = capsys.readouterr().out
    assert "Weighted lateness (priority × days late): before" in out and "after" in out
    assert "add --apply to accept" in out
    assert planning.plan_history(db, released.order_id)[0].version_no == 1
    assert cli("plan", "optimise", "--seconds", "0") == 2


def test_plan_replan_apply_needs_a_user_and_writes_versions(db, cli, released, capsys, monkeypatch):
    monkeypatch.delenv("JEWELRYORDERS_USER", raising=False)
    assert cli("plan", "replan", "--apply") == 1
    assert "--user" in capsys.readouterr().err
    assert cli("--user", "planner", "plan", "replan", "--apply", "--reason", "Casting furnace repaired") == 0
    out = capsys.readouterr().out
    assert "Applied:" in out


def test_plan_scan_unknown_sheet_and_known_sheet(cli, released, capsys):
    assert cli("--user", "worker", "plan", "scan", "TS-2026-424242") == 1
    assert "No task sheet has the number TS-2026-424242" in capsys.readouterr().err
    assert cli("--user", "worker", "plan", "scan", released.step(1).sheet_no) == 0
    assert "started" in capsys.readouterr().out


def test_plan_forecast_lists_open_orders(cli, released, capsys):
    assert cli("plan", "forecast", "--format", "csv") == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "order_no,customer,delivery_date,projected_finish,days_late"
    assert released.order_no in out


def test_the_printed_sheets_are_counted_once_per_print(db, cli, released, tmp_path):
    out = tmp_path / "one.pdf"
    sheet = released.step(2).sheet_no
    assert cli("--user", "planner", "print", "task-sheets", "--sheet", sheet, "--out", str(out)) == 0
    counts = {s.sheet_no: s.print_count for s in planning_sheets.list_task_sheets(db, released.order_id)}
    assert counts[sheet] == 1 and sum(counts.values()) == 1
