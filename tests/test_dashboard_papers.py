"""The management report (one A4 landscape page, filed with the documents), the dashboard workbook, and their
commands."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from sqlalchemy import select

from jewelryorders.cli.main import main
from jewelryorders.models.documents import Document
from jewelryorders.services.dashboard import papers
from jewelryorders.services.dashboard.registry import parse_month
from jewelryorders.services.errors import PermissionDenied
from jewelryorders.services.planning import forecast as planning_forecast
from jewelryorders.services.planning import plans as planning

from .conftest import TEST_TODAY
from .planning_support import contracted, factory  # noqa: F401  (fixtures)


def _text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def _pages(path) -> list[str]:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return [line for line in info.splitlines() if line.startswith(("Pages:", "Page size:"))]


@pytest.fixture
def planned(db, factory, contracted):
    order_id = contracted(quantity=200, delivery=dt.date(2026, 11, 27))
    plan = planning.propose_plan(db, factory.planner, order_id, today=TEST_TODAY)
    planning.release_plan(db, factory.planner, plan.id, today=TEST_TODAY)
    planning_forecast.refresh_forecast(db, TEST_TODAY)
    return order_id


@pytest.mark.parametrize("lang, words", [
    ("en", ["Management report", "Orders by stage", "Workshop load", "Review speed", "2026-11"]),
    ("zh_TW", ["管理報告", "各階段訂單", "車間負荷", "評審"]),
])
def test_the_report_is_one_landscape_page_with_every_figure_and_is_filed(db, admin, planned, tmp_path, lang, words):
    out = tmp_path / "report.pdf"
    printed = papers.print_management_report(db, admin, parse_month("2026-11"), out, lang)
    assert printed.path == out and printed.version == 1
    pages = _pages(out)
    assert pages[0].split() == ["Pages:", "1"]
    assert "841.89 x 595.276" in pages[1]  # A4 landscape, in points
    text = _text(out)
    for word in words:
        assert word in text, (word, text[:600])
    assert "My to-do" not in text and "我的待辦" not in text
    with db.read_session() as s:
        doc = s.scalars(select(Document).where(Document.category == "management_report")).one()
        assert doc.file_name == "management-report-2026-11.pdf" and doc.order_id is None
        assert doc.size == out.stat().st_size
    again = papers.print_management_report(db, admin, parse_month("2026-11"), tmp_path / "again.pdf", lang)
    assert again.version == 2


def test_only_managers_and_heads_print_the_report(db, make_user, tmp_path):
    clerk = make_user("sales", "clerk", "clerk1")
    with pytest.raises(PermissionDenied):
        papers.print_management_report(db, clerk, parse_month("2026-11"), tmp_path / "r.pdf", "en")
    assert not (tmp_path / "r.pdf").exists()
    head = make_user("production", "department_head", "head1")
    assert papers.print_management_report(db, head, parse_month("2026-11"), tmp_path / "r.pdf", "en").version == 1


def test_the_workbook_has_a_sheet_per_figure_with_real_numbers(db, admin, planned, tmp_path):
    from openpyxl import load_workbook

    out = papers.export_dashboard(db, parse_month("2026-11"), tmp_path / "dash.xlsx", "zh_TW", actor=admin)
    wb = load_workbook(out)
    assert wb.sheetnames[:2] == ["我的待辦", "各階段訂單"]
    stage = wb["各階段訂單"]
    assert stage.freeze_panes == "A7" and stage.auto_filter.ref.startswith("A6:")
    header = [c.value for c in stage[6]]
    assert header == ["當前階段", "訂單"]
    planned_row = [r for r in stage.iter_rows(min_row=7, values_only=True) if r[0] == "已排產"]
    assert planned_row == [("已排產", 1)]
    load = wb[[n for n in wb.sheetnames if "車間負荷" in n][0]]
    first = next(load.iter_rows(min_row=7, values_only=True))
    assert isinstance(first[1], dt.datetime) and isinstance(first[4], float)
    late = wb[[n for n in wb.sheetnames if "延誤" in n][0]]
    assert late.max_row >= 7  # the planned order is projected late


@pytest.fixture
def cli(db, monkeypatch):
    monkeypatch.setenv("JEWELRYORDERS_PASSWORD", "admin-pass")

    def run(*args: str) -> int:
        return main(["--database-url", db.url, "--lang", "en", *args])

    return run


def test_print_management_report_command(db, admin, cli, tmp_path, capsys):
    out = tmp_path / "m.pdf"
    assert cli("--user", "admin", "print", "management-report", "--month", "2026-11", "--out", str(out)) == 0
    assert "written to" in capsys.readouterr().out and out.exists()
    with pytest.raises(SystemExit) as bad:
        cli("--user", "admin", "print", "management-report", "--month", "2026-13", "--out", str(out))
    assert "YYYY-MM" in str(bad.value)
    xlsx = tmp_path / "d.xlsx"
    assert cli("export", "dashboard", "--month", "2026-11", "--out", str(xlsx)) == 0 and xlsx.exists()


def test_a_figure_a_later_part_registers_reaches_the_report_and_the_workbook(db, admin, tmp_path):
    """How the delivery part will add 'on-time delivery rate per month': register a Figure; nothing else changes."""
    from openpyxl import load_workbook

    from jewelryorders.services.dashboard import registry
    from jewelryorders.services.dashboard.registry import CHART_LINE, Chart, Figure, Presentation, Series, Table

    def query(db, ctx):
        return [("2026-10", 0.9), ("2026-11", 0.75)]

    def present(result, lang):
        months = tuple(m for m, _v in result)
        chart = Chart(CHART_LINE, months, (Series("On time", tuple(v for _m, v in result)),), percent=True)
        return Presentation("75 % on time in November", Table(("Month", "On time"), tuple(result),
                                                              formats=("", "percent")), chart)

    registry.register_figure(Figure("test_on_time", "On-time delivery rate (test)", "Delivered on or before the "
                                    "promised date, per month; a test figure registered like a later part would.",
                                    query, present, part="delivery", order=60))
    try:
        assert "test_on_time" in registry.FIGURES.keys()
        out = tmp_path / "r.pdf"
        papers.print_management_report(db, admin, parse_month("2026-11"), out, "en")
        text = _text(out)
        assert "On-time delivery rate (test)" in text and "75 % on time in November" in text
        wb = load_workbook(papers.export_dashboard(db, parse_month("2026-11"), tmp_path / "d.xlsx", "en"))
        sheet = wb["On-time delivery rate (test)"]
        assert [c.value for c in sheet[7]] == ["2026-10", 0.9] and sheet.cell(7, 2).number_format == "0.0%"
    finally:
        registry._figures.pop("test_on_time", None)


def test_the_report_and_the_tab_scale_a_rate_to_100_percent_and_counts_to_whole_ticks():
    from jewelryorders.reports.axis_scale import value_axis_scale

    assert value_axis_scale([96.0, 100.0], whole=False, percent=True) == (100.0, 5)
    assert value_axis_scale([2.0, 1.0], whole=True) == (3.0, 4)
    assert value_axis_scale([0.35, 1.2], whole=False) == (2.0, 3)
