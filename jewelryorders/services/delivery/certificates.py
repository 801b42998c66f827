"""Product quality certificates (procedure 6.1): per piece or per lot, naming the final inspection (FQC) that
released the goods; never for more pieces than final inspection passed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ... import clock
from ...db import Database
from ...i18n import LazyText, _
from ...models.delivery import Certificate, Shipment
from ...models.orders import Order
from .. import audit, gates
from ..context import Actor, read_session, unit_of_work
from ..errors import GateError, NotFound, ValidationError
from ..permissions import require
from ..sequences import next_number
from . import common  # noqa: F401
from .shipments import ShipmentView, _load, _load_order, _view, fineness_of


def stones_text(line) -> tuple[str, Decimal]:
    """The line's stones per piece as 'type:count:carat;...' (translated when printed) and the carats per piece."""
    parts, carats = [], Decimal("0")
    for st in line.stones:
        parts.append(f"{st.stone_type}:{st.stone_count}:{Decimal(st.carat):.3f}")
        carats += Decimal(st.carat)
    return ";".join(parts), carats


def issue_in(s: Session, actor: Actor, order: Order, sh: Shipment, per: str) -> list[Certificate]:
    """Certificates for every piece of the shipment (inside the caller's transaction)."""
    if per not in ("piece", "lot"):
        raise ValidationError(_("Certificates are issued per piece or per lot."), "certificates")
    released = gates.ask(s, "quality.released", [], order=order) or []
    if s.scalar(select(func.count(Certificate.id)).where(Certificate.shipment_id == sh.id)):
        raise GateError(_("Shipment {no} has its certificates already.", no=sh.shipment_no))
    certified: dict[str, int] = dict(s.execute(select(Certificate.fqc_no, func.sum(Certificate.quantity))
                                               .where(Certificate.order_id == order.id)
                                               .group_by(Certificate.fqc_no)).all())
    pool = []  # [fqc no., pieces still without a certificate, inspected at]
    for fqc_no, passed, at in released:
        pool.append([str(fqc_no), max(0, int(passed) - int(certified.get(str(fqc_no), 0) or 0)), at])
    needed = sum(line.quantity for line in sh.lines)
    available = sum(entry[1] for entry in pool)
    if needed > available:
        passed_total = sum(int(r[1]) for r in released)
        raise GateError(_("Certificates for {needed} pieces of order {order_no} were asked, but final inspection "
                          "(FQC) passed {passed} pieces and {certified} of them have certificates already: a "
                          "certificate for a piece that failed or was not inspected cannot be issued.",
                          needed=needed, order_no=order.order_no, passed=passed_total,
                          certified=sum(int(v or 0) for v in certified.values())))
    made: list[Certificate] = []
    year = clock.today().year

    def take(qty: int):
        """Split qty over the FQC inspections in their order: [(fqc no., pieces, at)]."""
        parts = []
        for entry in pool:
            if qty == 0:
                break
            n = min(qty, entry[1])
            if n:
                entry[1] -= n
                qty -= n
                parts.append((entry[0], n, entry[2]))
        return parts

    for sl in sorted(sh.lines, key=lambda x: x.order_line.line_no):
        line = sl.order_line
        stones, carat_per_piece = stones_text(line)
        chunks = [(fqc, n, at) for fqc, n, at in take(sl.quantity)]
        for fqc, n, at in chunks:
            sizes = [1] * n if per == "piece" else [n]
            for size in sizes:
                cert = Certificate(
                    certificate_no=next_number(s, "certificate", year), kind=per, shipment_id=sh.id,
                    order_id=order.id, order_line_id=line.id, quantity=size, style_code=line.style_code,
                    description=line.description, metal=line.metal, fineness_permille=fineness_of(line.metal),
                    net_metal_weight_mg=(line.target_weight_mg * size) if line.target_weight_mg else None,
                    stones=stones, total_carat=carat_per_piece * size, fqc_no=fqc,
                    fqc_at=at if isinstance(at, dt.datetime) else None)
                s.add(cert)
                made.append(cert)
    s.flush()
    audit.record(s, actor, "certify", "shipment", sh.id,
                 LazyText("{count} quality certificates issued for shipment {no}", count=len(made),
                          no=sh.shipment_no),
                 None, {"certificates": [c.certificate_no for c in made]}, order_id=order.id)
    return made


def issue_certificates(db: Database, actor: Actor, shipment_id: int, per: str = "lot") -> ShipmentView:
    """Certificates for a shipment made without them."""
    require(actor, "delivery.ship")
    with unit_of_work(db) as s:
        sh = _load(s, shipment_id, lock=True)
        order = _load_order(s, sh.order_id, lock=True)
        issue_in(s, actor, order, sh, per)
        return _view(s, sh)


def find_certificate(db: Database, certificate_no: str) -> tuple[int, str, int, str]:
    """(certificate id, shipment no., order id, order no.) of a certificate number."""
    with read_session(db) as s:
        row = s.execute(select(Certificate.id, Shipment.shipment_no, Order.id, Order.order_no)
                        .join(Shipment, Shipment.id == Certificate.shipment_id)
                        .join(Order, Order.id == Certificate.order_id)
                        .where(Certificate.certificate_no == certificate_no.strip())).first()
    if row is None:
        raise NotFound(_("There is no certificate {no}.", no=certificate_no.strip()[:40]))
    return tuple(row)
