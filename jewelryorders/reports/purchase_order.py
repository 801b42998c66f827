"""The purchase order the factory sends to a supplier: lines of material, quantity, price, due date, signatures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ..i18n import normalize_language, tr
from .pdf_base import (
    PaperHeader,
    Spacer,
    build_pdf,
    content_width,
    fmt_date,
    fmt_money,
    grid_table,
    kv_table,
    mm,
    p,
    signature_block,
    styles,
)


@dataclass(frozen=True)
class PurchaseLinePaper:
    line_no: int
    material_code: str
    material_name: str
    quantity: str          # already written in the material's unit, e.g. "500.000 g"
    pieces: int
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class PurchaseOrderPaper:
    factory_name: str
    factory_address: str
    po_no: str
    status: str            # already translated
    supplier_code: str
    supplier_name: str
    supplier_contact: str
    supplier_address: str
    order_no: str          # the customer order it was made for, if any
    currency: str
    due_date: dt.date
    written_at: dt.datetime
    note: str
    lines: tuple[PurchaseLinePaper, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))


def write_purchase_order(data: PurchaseOrderPaper, path: str | Path, *, lang: str = "zh_TW", printed_by: str = "",
                         printed_at: dt.datetime | None = None) -> Path:
    lang = normalize_language(lang)
    st = styles()
    width = content_width()
    story = [p(tr("Purchase order", lang), st["title"]), Spacer(1, 2 * mm)]
    story.append(kv_table([
        (tr("Purchase order no.", lang), data.po_no),
        (tr("Status", lang), data.status),
        (tr("Supplier", lang), f"{data.supplier_code} {data.supplier_name}"),
        (tr("Contact person", lang), data.supplier_contact),
        (tr("Supplier address", lang), data.supplier_address),
        (tr("Delivery to", lang), f"{data.factory_name}\n{data.factory_address}".strip()),
        (tr("Date written", lang), fmt_date(data.written_at, lang)),
        (tr("Due date", lang), fmt_date(data.due_date, lang)),
        (tr("For customer order", lang), data.order_no or "—"),
        (tr("Currency", lang), data.currency),
    ], width))
    story.append(Spacer(1, 4 * mm))
    header = [tr("No.", lang), tr("Material", lang), tr("Item name", lang), tr("Quantity", lang),
              tr("Stones", lang), tr("Unit price", lang), tr("Amount", lang)]
    rows = [(line.line_no, line.material_code, line.material_name, line.quantity, line.pieces or "",
             fmt_money(line.unit_price, "", lang), fmt_money(line.amount, "", lang)) for line in data.lines]
    rows.append(("", "", tr("Total", lang), "", "", "", fmt_money(data.total, data.currency, lang)))
    widths = [12 * mm, 28 * mm, width - 12 * mm - 28 * mm - 30 * mm - 16 * mm - 26 * mm - 30 * mm, 30 * mm,
              16 * mm, 26 * mm, 30 * mm]
    story.append(grid_table(header, rows, widths, numeric_cols=(3, 4, 5, 6)))
    if data.note:
        story += [Spacer(1, 3 * mm), p(tr("Note", lang) + ": " + data.note, st["base"])]
    story += [Spacer(1, 4 * mm),
              p(tr("Please deliver with the assay or certificate of each lot; goods are inspected on receipt and "
                   "held in quarantine until released.", lang), st["small"]),
              Spacer(1, 8 * mm),
              signature_block([tr("Written by (purchasing)", lang), tr("Approved by", lang),
                               tr("Confirmed by the supplier", lang)], width, lang)]
    header_info = PaperHeader(factory_name=data.factory_name, title=tr("Purchase order", lang),
                              document_no=data.po_no, lang=lang, printed_at=printed_at, printed_by=printed_by)
    return build_pdf(path, story, header_info)
