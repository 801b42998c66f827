"""The stock workbook: on hand per material and state, reserved, available, on order; and every lot."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Sequence

from ..i18n import normalize_language, tr


@dataclass(frozen=True)
class StockSheetRow:
    code: str
    name: str
    kind: str          # translated
    unit: str          # translated
    released: Decimal
    quarantined: Decimal
    rejected: Decimal
    reserved: Decimal
    available: Decimal
    on_order: Decimal


@dataclass(frozen=True)
class LotSheetRow:
    lot_no: str
    code: str
    name: str
    unit: str
    status: str        # translated
    owner: str         # supplier or "customer: name"
    received: dt.datetime
    on_hand: Decimal
    pieces: int
    expiry: dt.date | None


def write_stock_xlsx(path: str | Path, materials: Sequence[StockSheetRow], lots: Sequence[LotSheetRow], *,
                     factory_name: str, lang: str = "zh_TW", as_of: dt.datetime) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    lang = normalize_language(lang)
    wb = Workbook()
    ws = wb.active
    ws.title = tr("Stock", lang)[:31]
    qty_format = "#,##0.000"
    header = [tr("Code", lang), tr("Material", lang), tr("Kind", lang), tr("Unit", lang), tr("lot|Released", lang),
              tr("lot|Quarantined", lang), tr("lot|Rejected", lang), tr("Reserved", lang), tr("Available", lang),
              tr("On order", lang)]
    ws.append([f"{factory_name} — {tr('Stock', lang)}"])
    ws.append([tr("As of {when}", lang, when=as_of.astimezone().strftime("%Y-%m-%d %H:%M"))])
    ws.append(header)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for r in materials:
        ws.append([r.code, r.name, r.kind, r.unit, r.released, r.quarantined, r.rejected, r.reserved, r.available,
                   r.on_order])
        for col in range(5, 11):
            ws.cell(ws.max_row, col).number_format = qty_format
    ws.freeze_panes = "A4"
    ws.auto_filter.ref = f"A3:{get_column_letter(len(header))}{max(3, ws.max_row)}"
    _fit(ws, header, first_row=3)

    lots_ws = wb.create_sheet(tr("Lots", lang)[:31])
    lot_header = [tr("Lot no.", lang), tr("Code", lang), tr("Material", lang), tr("Unit", lang), tr("Status", lang),
                  tr("Supplier or owner", lang), tr("Received", lang), tr("On hand", lang), tr("Pieces", lang),
                  tr("Expiry date", lang)]
    lots_ws.append(lot_header)
    for cell in lots_ws[1]:
        cell.font = Font(bold=True)
    for r in lots:
        lots_ws.append([r.lot_no, r.code, r.name, r.unit, r.status, r.owner,
                        r.received.astimezone().replace(tzinfo=None), r.on_hand, r.pieces, r.expiry])
        lots_ws.cell(lots_ws.max_row, 7).number_format = "yyyy-mm-dd hh:mm"
        lots_ws.cell(lots_ws.max_row, 8).number_format = qty_format
        lots_ws.cell(lots_ws.max_row, 10).number_format = "yyyy-mm-dd"
    lots_ws.freeze_panes = "A2"
    lots_ws.auto_filter.ref = f"A1:{get_column_letter(len(lot_header))}{max(1, lots_ws.max_row)}"
    _fit(lots_ws, lot_header, first_row=1)
    path = Path(path)
    wb.save(path)
    return path


def _fit(ws, header: Sequence[str], first_row: int) -> None:
    """Column widths that fit the header and the values (Chinese characters count double)."""
    from openpyxl.utils import get_column_letter

    widths = [0] * len(header)
    for row in ws.iter_rows(min_row=first_row, max_row=min(ws.max_row, 2000), values_only=True):
        for i, value in enumerate(row[:len(header)]):
            text = value.strftime("%Y-%m-%d %H:%M") if hasattr(value, "strftime") else str(value or "")
            widths[i] = max(widths[i], sum(2 if ord(ch) > 0x2e80 else 1 for ch in text))
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(60, max(8, w + 2))
