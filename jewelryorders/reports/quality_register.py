"""The quality register workbook: every inspection and every NCR of a period, for the auditor."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from ..i18n import normalize_language, tr


@dataclass(frozen=True)
class InspectionRegisterRow:
    inspection_no: str
    kind: str
    inspected_at: dt.datetime
    subject: str
    standard: str
    quantity: int
    sample_size: int
    passed: int
    failed: int
    result: str
    inspector: str
    ncr_no: str


@dataclass(frozen=True)
class NcrRegisterRow:
    ncr_no: str
    status: str
    found_at: dt.datetime
    inspection_no: str
    subject: str
    defect_kind: str
    quantity: int
    department: str
    person: str
    disposition: str
    action_due: dt.date | None
    verified: str
    closed_at: dt.datetime | None


def _sheet(wb, title, header, rows, heading, date_cols, first=False):
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws = wb.active if first else wb.create_sheet()
    ws.title = title[:31]
    ws.append([heading[0]])
    ws.append([heading[1]])
    ws.append(header)
    ws["A1"].font = Font(bold=True, size=13)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    widths = [sum(2 if ord(ch) > 0x2e80 else 1 for ch in h) + 2 for h in header]
    for row in rows:
        values = [v.astimezone().replace(tzinfo=None) if isinstance(v, dt.datetime) else v for v in row]
        ws.append(values)
        for col in date_cols:
            cell = ws.cell(ws.max_row, col)
            cell.number_format = "yyyy-mm-dd hh:mm" if isinstance(row[col - 1], dt.datetime) else "yyyy-mm-dd"
        for i, v in enumerate(values):
            text = v.strftime("%Y-%m-%d %H:%M") if hasattr(v, "strftime") else str(v if v is not None else "")
            widths[i] = max(widths[i], min(50, sum(2 if ord(ch) > 0x2e80 else 1 for ch in text) + 2))
    ws.freeze_panes = "A4"
    ws.auto_filter.ref = f"A3:{get_column_letter(len(header))}{max(3, ws.max_row)}"
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    return ws


def write_quality_register(path: str | Path, inspections: Sequence[InspectionRegisterRow],
                           ncrs: Sequence[NcrRegisterRow], *, factory_name: str, date_from: dt.date,
                           date_to: dt.date, lang: str = "zh_TW") -> Path:
    from openpyxl import Workbook

    lang = normalize_language(lang)
    wb = Workbook()
    period = tr("Period {first} – {last}", lang, first=date_from.isoformat(), last=date_to.isoformat())
    _sheet(wb, tr("Inspections", lang), [
        tr("Inspection no.", lang), tr("Kind", lang), tr("Inspected at", lang), tr("Inspected", lang),
        tr("Standard", lang), tr("Quantity", lang), tr("Sample size", lang), tr("Pieces passed", lang),
        tr("Pieces failed", lang), tr("Result", lang), tr("Inspector", lang), tr("NCR", lang)],
        [(r.inspection_no, r.kind, r.inspected_at, r.subject, r.standard, r.quantity, r.sample_size, r.passed,
          r.failed, r.result, r.inspector, r.ncr_no) for r in inspections],
        (f"{factory_name} — {tr('Quality register', lang)}", period), date_cols=(3,), first=True)
    _sheet(wb, tr("Nonconformance reports", lang), [
        tr("NCR no.", lang), tr("Status", lang), tr("Found at", lang), tr("Found by inspection", lang),
        tr("Inspected", lang), tr("Defect kind", lang), tr("Quantity affected", lang),
        tr("Responsible department", lang), tr("Responsible person", lang), tr("Disposition", lang),
        tr("Due date", lang), tr("Verification", lang), tr("Closed at", lang)],
        [(r.ncr_no, r.status, r.found_at, r.inspection_no, r.subject, r.defect_kind, r.quantity, r.department,
          r.person, r.disposition, r.action_due, r.verified, r.closed_at) for r in ncrs],
        (f"{factory_name} — {tr('Quality register', lang)}", period), date_cols=(3, 11, 13))
    path = Path(path)
    wb.save(path)
    return path
