"""What the delivery papers share: the plain data of a shipment and a QR code drawing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class ShipLinePaper:
    line_no: int
    style_code: str
    description: str
    metal: str
    ordered: int
    this_shipment: int
    shipped_before: int

    @property
    def open_after(self) -> int:
        return max(0, self.ordered - self.shipped_before - self.this_shipment)


@dataclass(frozen=True)
class PackagePaper:
    package_no: int
    contents: str
    gross_weight: str   # grams, as printed
    seal_no: str
    label: str


@dataclass(frozen=True)
class CertificatePaper:
    certificate_no: str
    kind: str           # translated
    style_code: str
    description: str
    quantity: int
    metal: str          # translated name with its code
    fineness: str       # e.g. "750‰"
    net_metal_weight: str
    stones: str         # translated, one line per stone type
    total_carat: Decimal
    fqc_no: str
    fqc_at: dt.datetime | None


@dataclass(frozen=True)
class ShipmentPaper:
    factory_name: str
    factory_address: str
    shipment_no: str
    order_no: str
    customer_name: str
    ship_to: str
    carrier: str
    service: str        # translated
    tracking_no: str
    insured_value: str  # with currency
    shipped_on: dt.date
    status: str         # translated
    note: str
    lines: tuple[ShipLinePaper, ...]
    packages: tuple[PackagePaper, ...]
    certificates: tuple[CertificatePaper, ...]
    issued_on: dt.date


def qr_drawing(value: str, size: float):
    """A QR code of `value` as a ReportLab drawing `size` points square (error correction M)."""
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing

    widget = QrCodeWidget(value, barLevel="M")
    x1, y1, x2, y2 = widget.getBounds()
    w, h = x2 - x1, y2 - y1
    drawing = Drawing(size, size, transform=[size / w, 0, 0, size / h, 0, 0])
    drawing.add(widget)
    return drawing
