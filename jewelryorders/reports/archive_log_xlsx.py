"""The access log workbook: who opened, printed, exported, borrowed or returned which document, when and why."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from ..i18n import normalize_language, tr


@dataclass(frozen=True)
class LogSheetRow:
    at: dt.datetime
    user: str
    username: str
    action: str        # translated
    document_id: int
    document: str
    category: str      # translated
    order_no: str
    purpose: str
    request_no: str


def write_access_log_xlsx(path: str | Path, rows: Iterable[LogSheetRow], *, factory_name: str, lang: str,
                          period: str) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    lang = normalize_language(lang)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(tr("Access log", lang)[:31])
    header = [tr("When", lang), tr("Who", lang), tr("User name", lang), tr("Action", lang), tr("Document no.", lang),
              tr("Document", lang), tr("Category", lang), tr("Order no.", lang), tr("Purpose", lang),
              tr("Request", lang)]
    widths = [18, 14, 12, 10, 10, 40, 18, 16, 40, 12]
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A4"
    title = WriteOnlyCell(ws, f"{factory_name} — {tr('Access log', lang)}")
    title.font = Font(bold=True, size=13)
    ws.append([title])
    ws.append([tr("Period: {period}", lang, period=period)])
    head = []
    for h in header:
        c = WriteOnlyCell(ws, h)
        c.font = Font(bold=True)
        head.append(c)
    ws.append(head)
    n = 0
    for r in rows:
        when = WriteOnlyCell(ws, r.at.astimezone().replace(tzinfo=None))
        when.number_format = "yyyy-mm-dd hh:mm:ss"
        ws.append([when, r.user, r.username, r.action, r.document_id, r.document, r.category, r.order_no, r.purpose,
                   r.request_no])
        n += 1
    ws.auto_filter.ref = f"A3:{get_column_letter(len(header))}{3 + n}"
    wb.save(Path(path))
    return n
