"""The pick list the store keeper takes to the shelves: each item's material, lot and quantity, a tick box."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..i18n import normalize_language, tr
from .pdf_base import (PaperHeader, Spacer, build_pdf, content_width, fmt_date, grid_table, kv_table, mm, p,
                       signature_block, styles)


@dataclass(frozen=True)
class PickLinePaper:
    item_no: int
    material_code: str
    material_name: str
    lot_no: str
    quantity: str      # with its unit
    pieces: int
    picked: bool


@dataclass(frozen=True)
class PickListPaper:
    factory_name: str
    pick_no: str
    order_no: str
    customer_name: str
    status: str        # translated
    created_at: dt.datetime
    lines: tuple[PickLinePaper, ...]


def write_pick_list(data: PickListPaper, path: str | Path, *, lang: str = "zh_TW", printed_by: str = "",
                    printed_at: dt.datetime | None = None) -> Path:
    lang = normalize_language(lang)
    st = styles()
    width = content_width()
    title = tr("Pick list", lang)
    story = [p(title, st["title"]), Spacer(1, 2 * mm),
             kv_table([(tr("Pick list no.", lang), data.pick_no), (tr("Status", lang), data.status),
                       (tr("Order no.", lang), data.order_no), (tr("Customer", lang), data.customer_name),
                       (tr("Date written", lang), fmt_date(data.created_at, lang))], width),
             Spacer(1, 4 * mm)]
    rows = [(line.item_no, line.material_code, line.material_name, line.lot_no, line.quantity, line.pieces or "",
             "☑" if line.picked else "☐") for line in data.lines]
    widths = [12 * mm, 28 * mm, 0, 32 * mm, 28 * mm, 16 * mm, 16 * mm]
    widths[2] = width - sum(widths)
    story.append(grid_table([tr("No.", lang), tr("Material", lang), tr("Item name", lang), tr("Lot no.", lang),
                             tr("Quantity", lang), tr("Stones", lang), tr("Picked", lang)], rows, widths,
                            numeric_cols=(4, 5)))
    story += [Spacer(1, 3 * mm),
              p(tr("Check the lot number on each bag against the list before taking it; weigh metal on issue.",
                   lang), st["small"]),
              Spacer(1, 8 * mm),
              signature_block([tr("Picked by", lang), tr("Received by (workshop)", lang)], width, lang)]
    header = PaperHeader(factory_name=data.factory_name, title=title, document_no=data.pick_no, lang=lang,
                         printed_at=printed_at, printed_by=printed_by)
    return build_pdf(path, story, header)
