"""The after-sales workbook: every case of the period, and the analysis (per month by kind, per style, per cause,
time to close, repeat customers)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ..i18n import N_, normalize_language, tr


@dataclass(frozen=True)
class CaseRow:
    case_no: str
    kind: str
    status: str
    order_no: str
    customer: str
    certificate_no: str
    style_code: str
    received_on: dt.date
    due_on: dt.date
    closed_on: dt.date | None
    cause: str
    owner: str
    repair_cost: Decimal
    satisfaction: str
    lesson: str


def write_after_sales_xlsx(path: str | Path, cases: list[CaseRow], by_month: list[tuple[str, list[int]]],
                           kinds: list[str], by_style: list[tuple[str, int]], by_cause: list[tuple[str, int]],
                           days_to_close: list[tuple[str, Decimal]], repeat: list[tuple[str, int]], *,
                           factory_name: str, date_from: dt.date, date_to: dt.date, lang: str) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    lang = normalize_language(lang)
    wb = Workbook()
    ws = wb.active
    ws.title = tr("Cases", lang)[:31]
    ws.append([f"{factory_name} — {tr('After-sales cases', lang)}"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([tr("Received from {start} to {end}", lang, start=date_from.isoformat(), end=date_to.isoformat())])
    header = [tr("Case no.", lang), tr("Kind", lang), tr("Status", lang), tr("Order no.", lang), tr("Customer", lang),
              tr("Certificate no.", lang), tr("Style", lang), tr("Received on", lang), tr("Due date", lang),
              tr("Closed on", lang), tr("Cause", lang), tr("Owner", lang), tr("Cost", lang),
              tr("Customer's answer", lang), tr("Lesson learned", lang)]
    ws.append(header)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for c in cases:
        ws.append([c.case_no, c.kind, c.status, c.order_no, c.customer, c.certificate_no, c.style_code, c.received_on,
                   c.due_on, c.closed_on, c.cause, c.owner, float(c.repair_cost), c.satisfaction, c.lesson])
    for row in ws.iter_rows(min_row=4, min_col=8, max_col=10):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    for row in ws.iter_rows(min_row=4, min_col=13, max_col=13):
        for cell in row:
            cell.number_format = "#,##0.00"
    ws.freeze_panes = "A4"
    ws.auto_filter.ref = f"A3:O{max(3, ws.max_row)}"
    for col, w in zip("ABCDEFGHIJKLMNO", (16, 14, 10, 16, 24, 16, 14, 12, 12, 12, 18, 14, 12, 16, 40)):
        ws.column_dimensions[col].width = w

    def sheet(title: str, head: list[str], rows):
        s = wb.create_sheet(tr(title, lang)[:31])
        s.append(head)
        for cell in s[1]:
            cell.font = Font(bold=True)
        for r in rows:
            s.append(list(r))
        s.freeze_panes = "A2"
        s.auto_filter.ref = f"A1:{chr(64 + len(head))}{max(1, s.max_row)}"
        s.column_dimensions["A"].width = 24
        return s

    sheet(N_("Per month"), [tr("Month", lang)] + kinds, [[m] + counts for m, counts in by_month])
    sheet(N_("Per style"), [tr("Style", lang), tr("Cases", lang)], by_style)
    sheet(N_("Per cause"), [tr("Cause", lang), tr("Cases", lang)], by_cause)
    sheet(N_("Days to close"), [tr("Kind", lang), tr("Average days", lang)], [(k, float(v)) for k, v in days_to_close])
    sheet(N_("Repeat customers"), [tr("Customer", lang), tr("Cases", lang)], repeat)
    path = Path(path)
    wb.save(path)
    return path
