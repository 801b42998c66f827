"""Planning commands: print task sheets (by order, by workshop and day), print the Gantt, optimise, scan."""

from __future__ import annotations

import datetime as dt
import re
import subprocess

import pytest

from jewelryorders.cli.main import main
from jewelryorders.services.planning import plans as planning
from jewelryorders.services.planning import replan
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


@pytest.fixture
def crowded(db, factory, contracted):
    """Three large, patient orders released first, then an urgent one that their load makes late: re-planning by
    due date and priority has something to gain. Returns the order ids in the order they were released."""
    ids = []
    for quantity, delivery, priority in ((800, dt.date(2027, 3, 20), 1), (800, dt.date(2027, 3, 20), 1),
                                         (800, dt.date(2027, 3, 20), 1), (100, dt.date(2026, 12, 18), 5)):
        order_id = contracted(quantity=quantity, delivery=delivery, priority=priority)
        plan = planning.propose_plan(db, factory.planner, order_id)
        planning.release_plan(db, factory.planner, plan.id)
        ids.append(order_id)
    return ids


def _figures(out: str) -> dict[str, int]:
    """The figures of a re-plan or optimise report, read back from its sentences."""
    found = {}
    m = re.search(r"Weighted lateness \(priority × days late\): before (\d+), after (\d+)\.", out)
    found["lateness_before"], found["lateness_after"] = int(m.group(1)), int(m.group(2))
    m = re.search(r"Orders late before: (\d+); after: (\d+)\.", out)
    found["late_before"], found["late_after"] = int(m.group(1)), int(m.group(2))
    m = re.search(r"(\d+) orders \((\d+) steps\) would change\.", out)
    found["orders"], found["steps"] = int(m.group(1)), int(m.group(2))
    m = re.search(r"Applied: (\d+) orders, (\d+) steps changed, (\d+) new plan versions\.", out)
    if m:
        found["applied_orders"], found["applied_steps"], found["versions"] = map(int, m.groups())
    return found


def _versions(db, order_ids) -> list[int]:
    return [planning.get_plan(db, order_id).version_no for order_id in order_ids]


def test_plan_replan_reports_the_figures_of_the_re_plan_and_changes_nothing_without_apply(db, cli, crowded, capsys):
    expected = replan.replan_preview(db)
    assert expected.lateness_after < expected.lateness_before and expected.changed_orders  # the scene has a gain
    assert cli("plan", "replan") == 0
    out = capsys.readouterr().out
    assert _figures(out) == {"lateness_before": expected.lateness_before, "lateness_after": expected.lateness_after,
                             "late_before": len(expected.late_before), "late_after": len(expected.late_after),
                             "orders": len(expected.changed_orders), "steps": expected.changed_steps}
    assert "add --apply to accept" in out
    assert _versions(db, crowded) == [1, 1, 1, 1]


def test_plan_replan_apply_needs_a_user_and_writes_a_version_per_re_planned_order(db, cli, crowded, capsys,
                                                                                   monkeypatch):
    expected = replan.replan_preview(db)
    monkeypatch.delenv("JEWELRYORDERS_USER", raising=False)
    assert cli("plan", "replan", "--apply") == 1
    assert "--user" in capsys.readouterr().err
    assert _versions(db, crowded) == [1, 1, 1, 1]  # refused: nothing written
    assert cli("--user", "planner", "plan", "replan", "--apply", "--reason", "Casting furnace repaired") == 0
    figures = _figures(capsys.readouterr().out)
    assert figures["applied_orders"] == figures["versions"] == len(expected.changed_orders)
    assert figures["applied_steps"] == expected.changed_steps
    assert _versions(db, crowded) == [2 if order_id in expected.changed_orders else 1 for order_id in crowded]
    newest = planning.plan_history(db, expected.changed_orders[0])[0]
    assert newest.version_no == 2 and "Casting furnace repaired" in (newest.change_reason or "")
    # The plans now hold the re-planned dates: their lateness is what the re-plan promised.
    assert replan.replan_preview(db).lateness_before == expected.lateness_after


def test_plan_optimise_reports_before_and_after_and_changes_nothing_without_apply(db, cli, crowded, capsys):
    before = replan.replan_preview(db).lateness_before
    assert cli("plan", "optimise", "--seconds", "2") == 0
    figures = _figures(capsys.readouterr().out)
    assert figures["lateness_before"] == before > 0
    assert figures["lateness_after"] <= before and figures["late_after"] <= figures["late_before"] == 1
    assert _versions(db, crowded) == [1, 1, 1, 1]
    assert cli("plan", "optimise", "--seconds", "0") == 2


def test_plan_scan_starts_then_finishes_the_step_in_the_database(db, cli, released, capsys):
    assert cli("--user", "worker", "plan", "scan", "TS-2026-424242") == 1
    assert "No task sheet has the number TS-2026-424242" in capsys.readouterr().err
    first = released.step(1)
    assert planning.get_plan(db, released.order_id).step(1).state == "planned"
    assert cli("--user", "worker", "plan", "scan", first.sheet_no) == 0
    assert "started" in capsys.readouterr().out
    step = planning.get_plan(db, released.order_id).step(1)
    assert step.state == "in_progress" and step.actual_start_at is not None and step.actual_end_at is None
    assert cli("--user", "worker", "plan", "scan", first.sheet_no) == 0
    step = planning.get_plan(db, released.order_id).step(1)
    assert step.state == "done" and step.actual_end_at is not None
    assert planning.get_plan(db, released.order_id).step(2).state == "planned"  # only the scanned step moved


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


def test_a_gantt_printed_by_a_named_user_is_filed_with_the_documents(cli, db, released, tmp_path):
    from sqlalchemy import func, select

    from jewelryorders.models.documents import Document

    def filed() -> list[tuple[str, int]]:
        with db.read_session() as s:
            return list(s.execute(select(Document.category, func.count()).where(Document.category == "gantt_chart")
                                  .group_by(Document.category)).all())

    out = tmp_path / "gantt.pdf"
    assert cli("print", "gantt", "--from", "2026-12-01", "--to", "2027-01-31", "--out", str(out)) == 0
    assert filed() == []  # nobody named: nothing to file it under
    assert cli("--user", "planner", "print", "gantt", "--from", "2026-12-01", "--to", "2027-01-31",
               "--out", str(out)) == 0
    assert cli("--user", "planner", "print", "gantt", "--from", "2026-12-01", "--to", "2027-01-31",
               "--out", str(out)) == 0
    assert filed() == [("gantt_chart", 2)]  # the reprint is a second version
