"""The order list as an Excel workbook, streamed row by row: styled frozen header, filter, real dates and numbers."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from ..i18n import N_, normalize_language, tr

DATE_FORMAT = "yyyy-mm-dd"
MONEY_FORMAT = "#,##0.00"
GRAMS_FORMAT = "#,##0.000"
COUNT_FORMAT = "#,##0"
DAYS_FORMAT = "0"
HEADER_FILL = "1F4E79"
HEADER_TEXT = "FFFFFF"
SHEET_TITLE_LIMIT = 31  # Excel refuses longer sheet names


@dataclass(frozen=True)
class OrderExportRow:
    """One order as the exported list shows it; labels already in the workbook's language."""

    order_no: str
    customer: str
    styles: str
    quantity: int
    order_date: dt.date
    delivery_date: dt.date | None
    stage: str  # translated
    channel: str  # translated
    amount: Decimal
    currency: str
    owner: str
    days_to_delivery: int | None  # None: no delivery date, or the order no longer counts days
    target_weight_mg: int | None  # metal of all pieces (quantity × target weight); None when a line has none


@dataclass(frozen=True)
class _Column:
    title_msgid: str
    width: float
    kind: str  # text, count, date, money, grams, days


COLUMNS: tuple[_Column, ...] = (
    _Column(N_("Order no."), 17, "text"),
    _Column(N_("Customer"), 28, "text"),
    _Column(N_("Styles"), 30, "text"),
    _Column(N_("Quantity"), 10, "count"),
    _Column(N_("Order date"), 12, "date"),
    _Column(N_("Delivery date"), 12, "date"),
    _Column(N_("Stage"), 16, "text"),
    _Column(N_("Channel"), 16, "text"),
    _Column(N_("Amount"), 15, "money"),
    _Column(N_("Currency"), 9, "text"),
    _Column(N_("Owner"), 14, "text"),
    _Column(N_("Days to delivery"), 11, "days"),
    _Column(N_("Target metal weight (g)"), 15, "grams"),
)

_FORMATS = {"count": COUNT_FORMAT, "date": DATE_FORMAT, "money": MONEY_FORMAT, "grams": GRAMS_FORMAT,
            "days": DAYS_FORMAT}


def _grams(mg: int | None) -> Decimal | None:
    """Milligrams as exact grams (3 places); Decimal reaches the file as written, never through a float."""
    return None if mg is None else Decimal(mg).scaleb(-3).quantize(Decimal("0.001"))


def printable(value):
    """Text as a workbook may hold it: control characters (which old records may contain, and which openpyxl
    refuses for the whole file) become U+FFFD, so one damaged record does not stop the export of all the others."""
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value) if isinstance(value, str) else value


def _values(row: OrderExportRow) -> tuple:
    return tuple(printable(v) for v in (
        row.order_no, row.customer, row.styles, row.quantity, row.order_date, row.delivery_date, row.stage,
        row.channel, row.amount, row.currency, row.owner, row.days_to_delivery, _grams(row.target_weight_mg)))


def write_orders_xlsx(rows: Iterable[OrderExportRow], path: str | Path, *, lang: str,
                      about: Sequence[tuple[str, str]] = (), on_row: Callable[[int], None] | None = None) -> int:
    """Write the rows (any number: they are streamed, never held) to an .xlsx; return how many were written.

    `about` lines (label, value) go to a second sheet saying what was exported, when and by whom. The file appears
    only when complete: an error or a cancel while rows are produced leaves no half-written workbook behind."""
    lang = normalize_language(lang)
    target = Path(path)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(tr("Orders", lang)[:SHEET_TITLE_LIMIT])
    for index, column in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = "A2"
    header_font = Font(bold=True, color=HEADER_TEXT)
    header_fill = PatternFill("solid", fgColor=HEADER_FILL)
    header_align = Alignment(horizontal="center", vertical="center", wrap_text=True)
    header_border = Border(bottom=Side(style="thin", color="000000"))
    header = []
    for column in COLUMNS:
        cell = WriteOnlyCell(ws, tr(column.title_msgid, lang))
        cell.font, cell.fill, cell.alignment, cell.border = header_font, header_fill, header_align, header_border
        header.append(cell)
    ws.append(header)

    kinds = [c.kind for c in COLUMNS]
    count = 0
    fd, tmp_name = tempfile.mkstemp(suffix=".xlsx", prefix=".orders-", dir=str(target.parent) or None)
    os.close(fd)
    try:
        for row in rows:
            out = []
            for kind, value in zip(kinds, _values(row)):
                if value is None or kind == "text":
                    out.append(value)
                else:
                    cell = WriteOnlyCell(ws, value)
                    cell.number_format = _FORMATS[kind]
                    out.append(cell)
            ws.append(out)
            count += 1
            if on_row is not None:
                on_row(count)
        ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{count + 1}"
        if about:
            info = wb.create_sheet(tr("About this export", lang)[:SHEET_TITLE_LIMIT])
            info.column_dimensions["A"].width = 22
            info.column_dimensions["B"].width = 60
            for label, value in about:
                label_cell = WriteOnlyCell(info, printable(label))
                label_cell.font = Font(bold=True)
                info.append([label_cell, printable(value)])
        wb.save(tmp_name)
        os.replace(tmp_name, target)
    except BaseException:
        _discard(ws)
        try:
            os.unlink(tmp_name)
        except OSError:
            pass
        raise
    return count


def _discard(ws) -> None:
    """Finish a half-written streamed sheet now and delete its temporary file.

    Left to the garbage collector, openpyxl closes the sheet's file before its row writer and reports an error
    on the way out; its temporary file would also stay behind in the temp folder."""
    try:
        ws.close()
    except Exception:  # the sheet is being thrown away; only the clean-up below matters
        pass
    leftover = getattr(getattr(ws, "_writer", None), "out", None)
    if isinstance(leftover, str) and os.path.exists(leftover):
        os.unlink(leftover)


__all__ = ["OrderExportRow", "COLUMNS", "write_orders_xlsx", "DATE_FORMAT", "MONEY_FORMAT", "GRAMS_FORMAT"]
