"""The statement of a customer's own material (ISO 9001 8.5.3): what the factory received, used and holds for them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..i18n import normalize_language, tr
from .pdf_base import (
    PaperHeader,
    Spacer,
    build_pdf,
    content_width,
    fmt_date,
    grid_table,
    kv_table,
    mm,
    p,
    signature_block,
    styles,
)


@dataclass(frozen=True)
class StatementLine:
    at: dt.datetime
    lot_no: str
    material: str
    movement: str          # already translated
    quantity: str          # signed, with its unit
    order_no: str
    note: str
    balance: str           # with its unit


@dataclass(frozen=True)
class CustomerStatementPaper:
    factory_name: str
    customer_code: str
    customer_name: str
    as_of: dt.datetime
    lines: tuple[StatementLine, ...]
    holdings: tuple[tuple[str, str], ...]   # (material, balance with unit)


def write_customer_statement(data: CustomerStatementPaper, path: str | Path, *, lang: str = "zh_TW",
                             printed_by: str = "", printed_at: dt.datetime | None = None) -> Path:
    lang = normalize_language(lang)
    st = styles()
    width = content_width()
    title = tr("Statement of customer-supplied material", lang)
    story = [p(title, st["title"]), Spacer(1, 2 * mm),
             kv_table([(tr("Customer", lang), f"{data.customer_code} {data.customer_name}"),
                       (tr("As of", lang), fmt_date(data.as_of, lang))], width), Spacer(1, 4 * mm),
             p(tr("Held for the customer", lang), st["h2"])]
    holdings = data.holdings or ((tr("nothing", lang), ""),)
    story.append(grid_table([tr("Material", lang), tr("Balance", lang)], holdings, [width * 0.7, width * 0.3],
                            numeric_cols=(1,)))
    story += [Spacer(1, 4 * mm), p(tr("Movements", lang), st["h2"])]
    rows = [(fmt_date(line.at.astimezone().date(), lang), line.lot_no, line.material, line.movement, line.quantity, line.order_no,
             line.note, line.balance) for line in data.lines]
    widths = [21 * mm, 27 * mm, 0, 23 * mm, 22 * mm, 24 * mm, 18 * mm, 22 * mm]
    widths[2] = width - sum(widths)
    story.append(grid_table([tr("Date", lang), tr("Lot no.", lang), tr("Material", lang), tr("Movement", lang),
                             tr("Quantity", lang), tr("Order no.", lang), tr("Note", lang), tr("Balance", lang)],
                            rows, widths, numeric_cols=(4, 7)))
    story += [Spacer(1, 8 * mm), signature_block([tr("Prepared by", lang), tr("Confirmed by the customer", lang)],
                                                 width, lang)]
    header = PaperHeader(factory_name=data.factory_name, title=title, document_no=data.customer_code, lang=lang,
                         printed_at=printed_at, printed_by=printed_by)
    return build_pdf(path, story, header)
