"""The data of the delivery papers, read from the database and handed to reports/ as plain objects; printing a
paper from the application files it with the order's documents."""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy import select

from ... import clock
from ...db import Database
from ...i18n import formats, tr
from ...models.delivery import CERTIFICATE_KINDS, SHIPMENT_STATUSES, SHIPPING_SERVICES
from ...models.orders import METALS, STONE_TYPES
from ...reports.delivery_common import CertificatePaper, PackagePaper, ShipLinePaper, ShipmentPaper
from ..context import Actor, unit_of_work
from ..documents import store_bytes
from ..permissions import require
from ..users import get_setting
from . import common  # noqa: F401
from .shipments import get_shipment_by_no, open_lines


def grams(mg: int | None) -> str:
    if mg is None:
        return "—"
    return f"{mg // 1000:,}.{mg % 1000:03d}"


def stones_label(stones: str, lang: str) -> str:
    """'diamond:12:0.360;ruby:2:0.100' -> 'Diamond × 12, 0.360 ct' lines, per piece, translated."""
    out = []
    for part in filter(None, stones.split(";")):
        kind, count, carat = (part.split(":") + ["", "", ""])[:3]
        out.append(tr("{stone} × {count}, {carat} ct per piece", lang,
                      stone=tr(STONE_TYPES.get(kind, kind), lang), count=count, carat=carat))
    return "\n".join(out)


def shipment_paper(db: Database, shipment_no: str, lang: str) -> ShipmentPaper:
    sh = get_shipment_by_no(db, shipment_no)
    opened = {o.line_id: o for o in open_lines(db, sh.order_id)}
    # "shipped before" counts the shipments made before this one.
    from sqlalchemy import func

    from ...models.delivery import Shipment, ShipmentLine
    from ..context import read_session

    with read_session(db) as s:
        before = dict(s.execute(select(ShipmentLine.order_line_id, func.sum(ShipmentLine.quantity))
                                .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
                                .where(Shipment.order_id == sh.order_id, Shipment.id < sh.id)
                                .group_by(ShipmentLine.order_line_id)).all())
    lines = tuple(ShipLinePaper(line.line_no, line.style_code, line.description, line.metal,
                                opened[line.line_id].ordered, line.quantity, int(before.get(line.line_id, 0) or 0))
                  for line in sh.lines)
    packages = tuple(PackagePaper(pk.package_no, pk.contents, grams(pk.gross_weight_mg), pk.seal_no, pk.label)
                     for pk in sh.packages)
    certs = tuple(CertificatePaper(
        c.certificate_no, tr(CERTIFICATE_KINDS[c.kind], lang), c.style_code, c.description, c.quantity,
        f"{tr(METALS.get(c.metal, c.metal), lang)} ({c.metal})",
        f"{c.fineness_permille}‰" if c.fineness_permille else "—", grams(c.net_metal_weight_mg),
        stones_label(c.stones, lang), c.total_carat, c.fqc_no, c.fqc_at) for c in sh.certificates)
    return ShipmentPaper(
        factory_name=get_setting(db, "factory_name") or "", factory_address=get_setting(db, "factory_address") or "",
        shipment_no=sh.shipment_no, order_no=sh.order_no, customer_name=sh.customer_name, ship_to=sh.ship_to,
        carrier=sh.carrier, service=tr(SHIPPING_SERVICES[sh.service], lang), tracking_no=sh.tracking_no,
        insured_value=formats.money(sh.insured_value, sh.currency, lang), shipped_on=sh.shipped_on,
        status=tr(SHIPMENT_STATUSES[sh.status], lang), note=sh.note, lines=lines, packages=packages,
        certificates=certs, issued_on=sh.certificates[0].issued_at.date() if sh.certificates else clock.today())


# kind -> (writer module, function, document category, file name stem)
PAPERS = {
    "packing-list": ("delivery_packing_list", "write_packing_list", "packing_list", "packing-list"),
    "certificates": ("delivery_certificates", "write_certificates", "quality_certificate", "certificates"),
    "labels": ("delivery_labels", "write_labels", "package_labels", "labels"),
}


def writer(kind: str):
    import importlib

    module, function, _category, _stem = PAPERS[kind]
    return getattr(importlib.import_module(f"...reports.{module}", __package__), function)


def render(db: Database, kind: str, shipment_no: str, lang: str, printed_by: str = "") -> tuple[ShipmentPaper, bytes]:
    data = shipment_paper(db, shipment_no, lang)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "paper.pdf"
        writer(kind)(data, out, lang=lang, printed_by=printed_by, printed_at=clock.now())
        return data, out.read_bytes()


def file_paper(db: Database, actor: Actor, kind: str, shipment_no: str, lang: str) -> tuple[str, bytes]:
    """Print a shipment's paper and file it with the order's documents; returns (file name, PDF bytes)."""
    require(actor, "delivery.papers")
    data, content = render(db, kind, shipment_no, lang, actor.display_name)
    _m, _f, category, stem = PAPERS[kind]
    name = f"{data.shipment_no}-{stem}-{lang}.pdf"
    sh = get_shipment_by_no(db, shipment_no)
    with unit_of_work(db) as s:
        store_bytes(s, actor, file_name=name, content=content, category=category, order_id=sh.order_id)
    return name, content
