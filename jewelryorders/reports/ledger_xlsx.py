"""Ledger workbooks: every entry of a filter (write-only, flat memory, with progress and cancel) and the periodic
summary per workshop and week. Plain rows in, a file out; dates and numbers are real cells with formats."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from ..i18n import N_, normalize_language, tr

GRAMS = "#,##0.000"
CARATS = "#,##0.000"
WHOLE = "#,##0"
MOMENT = "yyyy-mm-dd hh:mm"


class ExportCancelled(Exception):
    """The user pressed Cancel; the partly written file has been removed."""


# (header msgid, width) of the ledger sheet, in column order.
LEDGER_COLUMNS = [
    (N_("Entry no."), 16), (N_("Time"), 17), (N_("Entry"), 14), (N_("Order no."), 14), (N_("Task sheet"), 16),
    (N_("Step"), 6), (N_("Step name"), 16), (N_("Workshop"), 16), (N_("Worker"), 12), (N_("Done"), 8),
    (N_("Rejected"), 9), (N_("Rework"), 8), (N_("Issued (g)"), 12), (N_("Returned (g)"), 12),
    (N_("In piece (g)"), 12), (N_("Loss (g)"), 11), (N_("Allowance (g)"), 12), (N_("Stones (ct)"), 10),
    (N_("Over allowance"), 10), (N_("Reason for the loss"), 24), (N_("Inspection"), 12),
    (N_("Nonconformance no."), 16), (N_("Reverses"), 16), (N_("Note"), 24),
]


def _letter(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)


def _print_setup(ws) -> None:
    """Printed (or turned into a PDF, as LibreOffice does): landscape, every column on the page's width, the header
    row on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "3:3"


def _local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone().replace(tzinfo=None)


def write_ledger_xlsx(path: str | Path, rows: Iterable[Any], total: int, *, factory_name: str, filter_text: str,
                      kind_label: Callable[[str], str], inspection_label: Callable[[str], str], yes: str,
                      lang: str = "zh_TW", exported_at: dt.datetime,
                      progress: Callable[[int, int], bool] | None = None) -> int:
    """Write ledger rows (LedgerRow-like objects) in write-only mode. `progress(done, total)` is called every few
    thousand rows and returns False to cancel (the file is then removed and ExportCancelled raised)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    lang = normalize_language(lang)
    path = Path(path)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(tr("Progress ledger", lang)[:31])
    for i, (_h, width) in enumerate(LEDGER_COLUMNS, 1):
        ws.column_dimensions[_letter(i)].width = width
    ws.freeze_panes = "A4"
    last_row = 3 + max(total, 1)
    ws.auto_filter.ref = f"A3:{_letter(len(LEDGER_COLUMNS))}{last_row}"
    _print_setup(ws)
    bold = Font(bold=True)
    title = WriteOnlyCell(ws, f"{factory_name} — {tr('Progress ledger', lang)}")
    title.font = Font(bold=True, size=13)
    ws.append([title])
    ws.append([tr("Filter: {filter}; exported {when}", lang, filter=filter_text,
                  when=exported_at.astimezone().strftime("%Y-%m-%d %H:%M"))])
    header = []
    for h, _w in LEDGER_COLUMNS:
        cell = WriteOnlyCell(ws, tr(h, lang))
        cell.font = bold
        header.append(cell)
    ws.append(header)

    # One styled cell per number column, reused on every row: a write-only sheet writes each appended row at once,
    # so the same cells can carry the next row's values (no cell object and no style lookup per value).
    moment, issued, returned, in_piece, loss, allowance, stones = (
        WriteOnlyCell(ws) for _i in range(7))
    moment.number_format = MOMENT
    for cell in (issued, returned, in_piece, loss, allowance):
        cell.number_format = GRAMS
    stones.number_format = CARATS
    kinds: dict[str, str] = {}
    states: dict[str, str] = {}

    def label(cache: dict[str, str], fn: Callable[[str], str], key: str) -> str | None:
        text = cache.get(key)
        if text is None:
            text = cache[key] = fn(key)
        return text or None

    written = 0
    try:
        for r in rows:
            moment.value = _local(r.recorded_at)
            issued.value = r.issued_mg / 1000
            returned.value = r.returned_mg / 1000
            in_piece.value = r.in_piece_mg / 1000
            loss.value = r.loss_mg / 1000
            allowance.value = r.allowance_mg / 1000
            stones.value = r.stones_mct / 1000
            # Empty texts are left out (None): no empty cell is written for them.
            ws.append([r.entry_no, moment, label(kinds, kind_label, r.kind), r.order_no, r.sheet_no,
                       r.seq, r.step or None, r.workshop, r.worker or None, r.qty_done, r.qty_rejected, r.qty_rework,
                       issued, returned, in_piece, loss, allowance, stones,
                       yes if r.over_allowance else None, r.loss_reason or None,
                       label(states, inspection_label, r.inspection_state), r.ncr_no or None, r.reverses_no or None,
                       r.note or None])
            written += 1
            if progress is not None and written % 2000 == 0 and progress(written, total) is False:
                raise ExportCancelled()
        wb.save(path)
    except ExportCancelled:
        ws.close()  # ends the sheet's temporary file; nothing was written to `path`
        path.unlink(missing_ok=True)
        raise
    if progress is not None:
        progress(written, total)
    return written


@dataclass(frozen=True)
class SummaryRow:
    workshop: str
    planned_steps: int
    planned_qty: int
    finished_steps: int
    done_qty: int
    rejected_qty: int
    late_steps: int
    issued_mg: int
    loss_mg: int
    allowance_mg: int


SUMMARY_COLUMNS = [
    (N_("Workshop"), 20), (N_("Steps planned"), 12), (N_("Pieces planned"), 12), (N_("Steps finished"), 12),
    (N_("Pieces done"), 12), (N_("Rejected"), 10), (N_("Late steps"), 10), (N_("Issued (g)"), 13),
    (N_("Loss (g)"), 12), (N_("Allowance (g)"), 13), (N_("Loss vs allowance"), 14),
]


def write_summary_xlsx(path: str | Path, rows: Sequence[SummaryRow], *, factory_name: str, week: str,
                       first_day: dt.date, last_day: dt.date, lang: str = "zh_TW", exported_at: dt.datetime) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    lang = normalize_language(lang)
    wb = Workbook()
    ws = wb.active
    ws.title = tr("Weekly summary", lang)[:31]
    ws.append([f"{factory_name} — {tr('Weekly summary', lang)} {week}"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([tr("Week {week}: {first} to {last}; exported {when}", lang, week=week, first=first_day.isoformat(),
                  last=last_day.isoformat(), when=exported_at.astimezone().strftime("%Y-%m-%d %H:%M"))])
    ws.append([tr(h, lang) for h, _w in SUMMARY_COLUMNS])
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for r in rows:
        ratio = (r.loss_mg / r.allowance_mg) if r.allowance_mg else None
        ws.append([r.workshop, r.planned_steps, r.planned_qty, r.finished_steps, r.done_qty, r.rejected_qty,
                   r.late_steps, r.issued_mg / 1000, r.loss_mg / 1000, r.allowance_mg / 1000, ratio])
        row = ws.max_row
        for col in (8, 9, 10):
            ws.cell(row, col).number_format = GRAMS
        ws.cell(row, 11).number_format = "0.0%"
        for col in range(2, 8):
            ws.cell(row, col).number_format = WHOLE
    for i, (_h, width) in enumerate(SUMMARY_COLUMNS, 1):
        ws.column_dimensions[_letter(i)].width = width
    ws.freeze_panes = "A4"
    ws.auto_filter.ref = f"A3:{_letter(len(SUMMARY_COLUMNS))}{max(3, ws.max_row)}"
    _print_setup(ws)
    path = Path(path)
    wb.save(path)
    return path
