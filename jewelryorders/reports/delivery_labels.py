"""Package labels: a sheet of labels on A4 (two across, four down), one per package, each with the shipment,
order, customer, address, package n of N, seal no., gross weight, carrier and tracking no., and a QR code of the
label's number."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..i18n import normalize_language, tr
from .delivery_common import ShipmentPaper, qr_drawing

COLUMNS, ROWS = 2, 4


def write_labels(data: ShipmentPaper, path: str | Path, *, lang: str = "zh_TW", printed_by: str = "",
                 printed_at: dt.datetime | None = None) -> Path:
    from reportlab.graphics import renderPDF
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas as pdfcanvas

    from .fonts import FONT_NAME, FONT_NAME_BOLD, register_fonts
    from .pdf_base import ACCENT, INK, RULE

    register_fonts()
    lang = normalize_language(lang)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    width, height = A4
    margin = 8 * mm
    cell_w = (width - 2 * margin) / COLUMNS
    cell_h = (height - 2 * margin) / ROWS
    c = pdfcanvas.Canvas(str(path), pagesize=A4)
    c.setTitle(tr("Package labels", lang))
    c.setAuthor(data.factory_name)
    c.setSubject(data.shipment_no)
    total = len(data.packages)

    def fit(text: str, font: str, size: float, room: float) -> str:
        while text and c.stringWidth(text, font, size) > room:
            text = text[:-1]
        return text

    for index, pk in enumerate(data.packages):
        if index and index % (COLUMNS * ROWS) == 0:
            c.showPage()
        slot = index % (COLUMNS * ROWS)
        col, row = slot % COLUMNS, slot // COLUMNS
        x = margin + col * cell_w
        y = height - margin - (row + 1) * cell_h
        c.setStrokeColor(RULE)
        c.setDash(3, 3)
        c.rect(x, y, cell_w, cell_h)
        c.setDash()
        pad = 5 * mm
        qr = 30 * mm
        renderPDF.draw(qr_drawing(pk.label, qr), c, x + cell_w - pad - qr, y + cell_h - pad - qr)
        room = cell_w - 2 * pad - qr - 2 * mm
        ty = y + cell_h - pad - 4 * mm
        c.setFillColor(ACCENT)
        c.setFont(FONT_NAME_BOLD, 10)
        c.drawString(x + pad, ty, fit(data.factory_name, FONT_NAME_BOLD, 10, room))
        c.setFillColor(INK)
        ty -= 7 * mm
        c.setFont(FONT_NAME_BOLD, 16)
        c.drawString(x + pad, ty, tr("Package {n} of {total}", lang, n=pk.package_no, total=total))
        ty -= 6 * mm
        c.setFont(FONT_NAME, 9)
        for label, value in ((tr("Shipment no.", lang), data.shipment_no), (tr("Order no.", lang), data.order_no),
                             (tr("Seal no.", lang), pk.seal_no)):
            c.drawString(x + pad, ty, fit(f"{label}: {value}", FONT_NAME, 9, room))
            ty -= 4.6 * mm
        ty = min(ty, y + cell_h - pad - qr - 5 * mm)
        room = cell_w - 2 * pad
        for label, value in ((tr("Customer", lang), data.customer_name), (tr("Ship to", lang), data.ship_to),
                             (tr("Gross weight (g)", lang), pk.gross_weight),
                             (tr("Carrier", lang), f"{data.carrier} · {data.service}"),
                             (tr("Tracking no.", lang), data.tracking_no)):
            c.drawString(x + pad, ty, fit(f"{label}: {value}", FONT_NAME, 9, room))
            ty -= 4.6 * mm
        c.setFont(FONT_NAME_BOLD, 9)
        c.drawString(x + pad, y + pad, pk.label)
    c.showPage()
    c.save()
    return path
