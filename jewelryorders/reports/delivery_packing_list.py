"""The delivery note / packing list that travels with a shipment: what was ordered, what this shipment carries and
what stays open, each package with its contents, gross weight, seal and label, and the certificates enclosed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..i18n import normalize_language, tr
from .delivery_common import ShipmentPaper
from .pdf_base import (PaperHeader, Spacer, build_pdf, content_width, fmt_date, grid_table, kv_table, mm, p,
                       signature_block, styles)


def write_packing_list(data: ShipmentPaper, path: str | Path, *, lang: str = "zh_TW", printed_by: str = "",
                       printed_at: dt.datetime | None = None) -> Path:
    lang = normalize_language(lang)
    st = styles()
    width = content_width()
    title = tr("Delivery note / packing list", lang)
    story = [p(title, st["title"]), Spacer(1, 2 * mm),
             kv_table([(tr("Shipment no.", lang), data.shipment_no), (tr("Order no.", lang), data.order_no),
                       (tr("Customer", lang), data.customer_name), (tr("Ship to", lang), data.ship_to),
                       (tr("Carrier", lang), data.carrier), (tr("Service", lang), data.service),
                       (tr("Tracking no.", lang), data.tracking_no), (tr("Insured value", lang), data.insured_value),
                       (tr("Shipped on", lang), fmt_date(data.shipped_on, lang)), (tr("Status", lang), data.status)],
                      width),
             Spacer(1, 4 * mm), p(tr("Goods", lang), st["h2"])]
    widths = [12 * mm, 28 * mm, 0, 18 * mm, 18 * mm, 20 * mm, 20 * mm, 18 * mm]
    widths[2] = width - sum(widths)
    rows = [(line.line_no, line.style_code, line.description, line.metal, line.ordered, line.this_shipment,
             line.shipped_before, line.open_after) for line in data.lines]
    story.append(grid_table([tr("Line", lang), tr("Style", lang), tr("Description", lang), tr("Metal", lang),
                             tr("Ordered", lang), tr("This shipment", lang), tr("Shipped before", lang),
                             tr("Still open", lang)], rows, widths, numeric_cols=(4, 5, 6, 7)))
    story += [Spacer(1, 4 * mm), p(tr("Packages", lang), st["h2"])]
    widths = [12 * mm, 0, 24 * mm, 30 * mm, 38 * mm]
    widths[1] = width - sum(widths)
    story.append(grid_table([tr("No.", lang), tr("Contents", lang), tr("Gross weight (g)", lang),
                             tr("Seal no.", lang), tr("Label", lang)],
                            [(pk.package_no, pk.contents, pk.gross_weight, pk.seal_no, pk.label)
                             for pk in data.packages], widths, numeric_cols=(2,)))
    if data.certificates:
        story += [Spacer(1, 4 * mm), p(tr("Quality certificates enclosed", lang), st["h2"]),
                  p(", ".join(c.certificate_no for c in data.certificates), st["small"])]
    if data.note:
        story += [Spacer(1, 3 * mm), p(tr("Note", lang) + ": " + data.note, st["small"])]
    story += [Spacer(1, 3 * mm),
              p(tr("Check that every package arrives with its seal intact before signing.", lang), st["small"]),
              Spacer(1, 8 * mm),
              signature_block([tr("Packed by", lang), tr("Checked by (logistics)", lang),
                               tr("Received by (customer)", lang)], width, lang)]
    header = PaperHeader(factory_name=data.factory_name, title=title, document_no=data.shipment_no, lang=lang,
                         printed_at=printed_at, printed_by=printed_by)
    return build_pdf(path, story, header)
