"""Permission matrix cases of the dashboard: printing the management report (it files the printed copy)."""

from __future__ import annotations

from jewelryorders.services.dashboard import papers
from jewelryorders.services.dashboard.registry import parse_month

CALLS = {
    "dashboard.report": lambda a, w: papers.print_management_report(w.db, a, parse_month("2026-11"),
                                                                     w.out("management-report.pdf"), "en"),
}


def prepare(world) -> None:
    """The report needs nothing beyond the common world."""
