"""The meeting pack: one workbook with the agenda's lists, the department reports and the action items."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..i18n import N_, normalize_language, tr


def write_meeting_pack(m, path: str | Path, *, factory_name: str, lang: str = "zh_TW", department_label=None,
                       state_label=None, exported_at: dt.datetime) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    lang = normalize_language(lang)
    dept = department_label or (lambda k: k)
    wb = Workbook()
    first = True

    def sheet(name, header, rows, widths, formats=None):
        nonlocal first
        ws = wb.active if first else wb.create_sheet()
        first = False
        ws.title = tr(name, lang)[:31]
        ws.append([f"{factory_name} — {tr('Progress coordination meeting', lang)} {m.meeting_no}"])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append([tr("{what}; meeting of {date}; exported {when}", lang, what=tr(name, lang),
                      date=m.held_on.isoformat(), when=exported_at.astimezone().strftime("%Y-%m-%d %H:%M"))])
        ws.append([tr(h, lang) for h in header])
        for cell in ws[3]:
            cell.font = Font(bold=True)
        for r in rows:
            ws.append(list(r))
            for col, fmt in (formats or {}).items():
                ws.cell(ws.max_row, col).number_format = fmt
        for i, w in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(i)].width = w
        ws.freeze_panes = "A4"
        ws.auto_filter.ref = f"A3:{get_column_letter(len(header))}{max(3, ws.max_row)}"

    def day(text):
        try:
            return dt.date.fromisoformat(text) if text else None
        except ValueError:
            return None

    a = m.agenda
    sheet(N_("Orders late or at risk"), [N_("Order no."), N_("Customer"), N_("Delivery date"), N_("Projected finish"), N_("Days late")],
          [(x["order_no"], x["customer"], day(x["delivery"]), day(x["projected"]), x["days_late"])
           for x in a.late_orders], [16, 28, 14, 14, 10], {3: "yyyy-mm-dd", 4: "yyyy-mm-dd"})
    sheet(N_("Open exceptions"), [N_("Exception no."), N_("Order no."), N_("Impact (days)"), N_("Since"), N_("What happened")],
          [(x["exception_no"], x["order_no"], x["impact_days"], day(x["since"]), x["description"])
           for x in a.open_exceptions], [16, 16, 12, 14, 50], {4: "yyyy-mm-dd"})
    sheet(N_("Overdue review opinions"), [N_("Order no."), N_("Department"), N_("Due")],
          [(x["order_no"], dept(x["department"]), day(x["due"])) for x in a.overdue_opinions], [16, 16, 14],
          {3: "yyyy-mm-dd"})
    sheet(N_("Department reports"), [N_("Department"), N_("Report")], [(dept(d), r) for d, r in m.reports.items()], [16, 80])
    sheet(N_("Actions agreed"), [N_("Action"), N_("Owner"), N_("Due"), N_("State")],
          [(x.description, x.owner, x.due_on, state_label(x.state) if state_label else x.state) for x in m.actions],
          [50, 16, 14, 12], {3: "yyyy-mm-dd"})
    path = Path(path)
    wb.save(path)
    return path
