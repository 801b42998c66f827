"""The dashboard workbook: one sheet per figure with the numbers behind its chart, its definition and the period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from ..i18n import normalize_language, tr

# Column formats of a figure's table (see services/dashboard/registry.Table.formats) -> Excel number formats.
NUMBER_FORMATS = {"int": "#,##0", "0.0": "#,##0.0", "percent": "0.0%", "date": "yyyy-mm-dd", "hours": "#,##0.0"}


@dataclass(frozen=True)
class FigureSheet:
    title: str                       # translated
    definition: str                  # translated
    headline: str                    # translated
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]    # real numbers and dates
    formats: Sequence[str] = ()


def _sheet_name(title: str, used: set[str]) -> str:
    name = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "Sheet"
    base, n = name, 2
    while name in used:
        suffix = f" ({n})"
        name = base[:31 - len(suffix)] + suffix
        n += 1
    used.add(name)
    return name


def write_dashboard_xlsx(path: str | Path, sheets: Sequence[FigureSheet], *, factory_name: str, period_text: str,
                         lang: str = "zh_TW", as_of: dt.datetime) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    lang = normalize_language(lang)
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for sheet in sheets:
        ws = wb.create_sheet(_sheet_name(sheet.title, used))
        ws.append([f"{factory_name} — {sheet.title}" if factory_name else sheet.title])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append([tr("Period: {period}", lang, period=period_text) + "  ·  "
                   + tr("As of {when}", lang, when=as_of.astimezone().strftime("%Y-%m-%d %H:%M"))])
        ws.append([sheet.headline])
        ws.append([tr("Definition: {text}", lang, text=sheet.definition)])
        ws["A4"].alignment = Alignment(wrap_text=False)
        header_row = 6
        ws.append([])
        ws.append(list(sheet.headers))
        for cell in ws[header_row]:
            cell.font = Font(bold=True)
        for row in sheet.rows:
            ws.append([_cell_value(v) for v in row])
            for col, fmt in enumerate(sheet.formats, start=1):
                if fmt in NUMBER_FORMATS:
                    ws.cell(ws.max_row, col).number_format = NUMBER_FORMATS[fmt]
        ws.freeze_panes = f"A{header_row + 1}"
        ws.auto_filter.ref = f"A{header_row}:{get_column_letter(max(1, len(sheet.headers)))}{max(header_row, ws.max_row)}"
        _fit(ws, len(sheet.headers), header_row)
    path = Path(path)
    wb.save(path)
    return path


def _cell_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone().replace(tzinfo=None) if value.tzinfo else value
    return value


def _fit(ws, columns: int, first_row: int) -> None:
    """Column widths that fit the header and the values (Chinese characters count double)."""
    from openpyxl.utils import get_column_letter

    widths = [0] * columns
    for row in ws.iter_rows(min_row=first_row, max_row=min(ws.max_row, 2000), values_only=True):
        for i, value in enumerate(row[:columns]):
            text = value.strftime("%Y-%m-%d") if hasattr(value, "strftime") else str("" if value is None else value)
            widths[i] = max(widths[i], sum(2 if ord(ch) > 0x2e80 else 1 for ch in text))
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(60, max(8, w + 2))
