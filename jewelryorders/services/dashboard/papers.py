"""The dashboard's papers: the management report (one PDF page, filed with the documents) and the workbook of the
figures behind every chart."""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ... import clock
from ...db import Database
from ...i18n import N_, _, normalize_language, tr
from ...i18n import formats
from .. import permissions
from ..context import Actor, unit_of_work
from ..documents import store_bytes
from ..errors import ValidationError
from ..users import get_setting
from .registry import FigureContext, Period, compute

REPORT_CATEGORY = "management_report"


def _may_print_report(a: Actor) -> bool:
    return a.role in ("manager", "department_head", "administrator")


permissions.register("dashboard.report", _may_print_report,
                     N_("print the management report (it is filed with the documents)"))


def period_text(period: Period, lang: str | None = None) -> str:
    span = f"{formats.date(period.first, lang)} – {formats.date(period.last, lang)}"
    whole_month = period.first.day == 1 and (period.last + dt.timedelta(days=1)).day == 1 \
        and period.first.month == period.last.month
    return f"{period.first:%Y-%m} ({span})" if whole_month else span


def report_file_name(period: Period) -> str:
    whole_month = period.first.day == 1 and (period.last + dt.timedelta(days=1)).day == 1 \
        and period.first.month == period.last.month
    label = f"{period.first:%Y-%m}" if whole_month else f"{period.first:%Y%m%d}-{period.last:%Y%m%d}"
    return f"management-report-{label}.pdf"


def management_report_data(db: Database, period: Period, lang: str):
    """Every figure of the report (not the per-user ones) in `lang`, computed now for `period`."""
    from ...reports.management_report import ManagementReport, ReportFigure

    lang = normalize_language(lang)
    data = compute(db, FigureContext.make(period), for_report=True)
    figures = []
    for c in data.computed:
        if c.error:
            figures.append(ReportFigure(tr(c.figure.title, lang), c.error, tr(c.figure.definition, lang), None))
            continue
        shown = c.figure.present(c.result, lang)
        figures.append(ReportFigure(tr(c.figure.title, lang), shown.headline, tr(c.figure.definition, lang),
                                    shown.chart, shown.empty))
    return ManagementReport(get_setting(db, "factory_name") or "", period_text(period, lang), figures, clock.now())


@dataclass(frozen=True)
class PrintedReport:
    path: Path
    document_id: int
    version: int


def _writable(target: Path, what: str) -> Path:
    target = Path(target).expanduser()
    if target.is_dir():
        raise ValidationError(_("{file} is a folder; choose a file name.", file=str(target)), "path")
    if not target.parent.exists():
        raise ValidationError(_("The folder {folder} does not exist.", folder=str(target.parent)), "path")
    return target


def print_management_report(db: Database, actor: Actor, period: Period, out_path: str | Path, lang: str, *,
                            printed_at: dt.datetime | None = None) -> PrintedReport:
    """Write the management report to `out_path` and file the printed copy (category management_report)."""
    from ...reports.management_report import write_management_report

    permissions.require(actor, "dashboard.report")
    lang = normalize_language(lang)
    target = _writable(out_path, "PDF")
    report = management_report_data(db, period, lang)
    name = report_file_name(period)
    with tempfile.TemporaryDirectory(prefix="jo-management-") as tmp:
        rendered = write_management_report(report, Path(tmp) / name, lang=lang,
                                           printed_by=actor.display_name or actor.username,
                                           printed_at=printed_at or clock.local_now())
        content = Path(rendered).read_bytes()
    try:
        target.write_bytes(content)
    except OSError as exc:
        raise ValidationError(_("The PDF {file} cannot be written: {error}. Close it if it is open, or choose "
                                "another folder.", file=str(target), error=exc.strerror or str(exc)),
                              "path") from exc
    with unit_of_work(db) as s:
        doc = store_bytes(s, actor, file_name=name, content=content, category=REPORT_CATEGORY, order_id=None)
        return PrintedReport(target, doc.id, doc.doc_version)


def export_dashboard(db: Database, period: Period, out_path: str | Path, lang: str,
                     actor: Actor | None = None) -> Path:
    """The workbook of every figure's numbers (and the user's to-do when `actor` is given)."""
    from ...reports.dashboard_xlsx import FigureSheet, write_dashboard_xlsx

    lang = normalize_language(lang)
    target = _writable(out_path, "workbook")
    data = compute(db, FigureContext.make(period, actor))
    sheets = []
    for c in data.computed:
        if c.error:
            continue
        shown = c.figure.present(c.result, lang)
        sheets.append(FigureSheet(tr(c.figure.title, lang), tr(c.figure.definition, lang), shown.headline,
                                  shown.table.headers, shown.table.rows, shown.table.formats))
    try:
        return write_dashboard_xlsx(target, sheets, factory_name=get_setting(db, "factory_name") or "",
                                    period_text=period_text(period, lang), lang=lang, as_of=clock.now())
    except OSError as exc:
        raise ValidationError(_("The workbook {file} cannot be written: {error}. Close it if it is open, or choose "
                                "another folder.", file=str(target), error=exc.strerror or str(exc)),
                              "path") from exc
