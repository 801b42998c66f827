"""Product quality certificates (產品質量證明文件): one page each, per piece or per lot, with metal and fineness, net
metal weight, stones with carats, the final inspection (FQC) that released the goods, and a QR code of the
certificate number."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..i18n import normalize_language, tr
from .delivery_common import ShipmentPaper, qr_drawing
from .pdf_base import (PaperHeader, Spacer, Table, TableStyle, build_pdf, content_width, fmt_date, kv_table, mm, p,
                       signature_block, styles)


def write_certificates(data: ShipmentPaper, path: str | Path, *, lang: str = "zh_TW", printed_by: str = "",
                       printed_at: dt.datetime | None = None) -> Path:
    from reportlab.platypus import PageBreak

    lang = normalize_language(lang)
    st = styles()
    width = content_width()
    title = tr("Product quality certificate", lang)
    story: list = []
    for i, cert in enumerate(data.certificates):
        if i:
            story.append(PageBreak())
        head = Table([[[p(title, st["title"]), p(tr("Certificate no.", lang) + "  " + cert.certificate_no,
                                                    st["center"])], qr_drawing(cert.certificate_no, 32 * mm)]],
                     colWidths=[width - 36 * mm, 36 * mm])
        head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
        story += [head, Spacer(1, 4 * mm),
                  kv_table([(tr("Certificate no.", lang), cert.certificate_no), (tr("Certificate for", lang),
                                                                                  cert.kind),
                            (tr("Style", lang), cert.style_code), (tr("Quantity", lang), cert.quantity),
                            (tr("Description", lang), cert.description), (tr("Customer", lang), data.customer_name),
                            (tr("Order no.", lang), data.order_no), (tr("Shipment no.", lang), data.shipment_no),
                            (tr("Metal", lang), cert.metal), (tr("Fineness", lang), cert.fineness),
                            (tr("Net metal weight (g)", lang), cert.net_metal_weight),
                            (tr("Total carats", lang), f"{cert.total_carat:.3f} ct"),
                            (tr("Stones", lang), cert.stones or "—"), ("", ""),
                            (tr("Final inspection (FQC)", lang), cert.fqc_no),
                            (tr("Inspected on", lang), fmt_date(cert.fqc_at, lang) if cert.fqc_at else "—"),
                            (tr("Issued on", lang), fmt_date(data.issued_on, lang)), ("", "")], width),
                  Spacer(1, 6 * mm),
                  p(tr("This piece passed the factory's final inspection against its quality standard (appearance, "
                       "size, weight, metal composition, stone-setting security, precision). Scan the code or quote "
                       "the certificate number for its history and after-sales service.", lang), st["small"]),
                  Spacer(1, 10 * mm),
                  signature_block([tr("Inspector (quality)", lang), tr("Approved by", lang)], width, lang)]
    header = PaperHeader(factory_name=data.factory_name, title=title, document_no=data.shipment_no, lang=lang,
                         printed_at=printed_at, printed_by=printed_by)
    return build_pdf(path, story, header)
