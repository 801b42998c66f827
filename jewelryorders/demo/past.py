"""The old orders' last days, through the services: an order whose production ended weeks ago passed its final
inspection the next working morning, was shipped that afternoon and delivered a day or so later — so a factory that
has run for years has most of its orders behind it (delivered), as its history left them. Orders finished in the last
RECENT_DAYS stay in final inspection, and so do those the quality demo inspected (its stories, some with NCRs)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from .. import clock
from ..db import Database
from ..models.orders import Order
from ..models.planning import PlanStep, ProductionPlan
from ..models.quality import Inspection
from ..services.context import Actor
from ..services.delivery import shipments
from ..services.errors import DomainError
from ..services.quality import master
from ..services.quality.inspections import InspectionInput, Measurement, record_inspection

RECENT_DAYS = 21  # production ended within these days: still in final inspection (or left to the other demos)
CARRIERS = [("順豐速運 SF Express", "express", "SF"), ("DHL Express", "express", "DHL"),
            ("嘉里物流 Kerry Logistics", "armoured", "KRY"), ("專人送貨 Factory courier", "hand_carry", "FC")]
RECEIVERS = ["陳小姐", "Mr. Wong", "李先生", "Ms. Tan", "黃經理"]


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0)).astimezone()


def _workday(day: dt.date) -> dt.date:
    while day.weekday() == 6:
        day += dt.timedelta(days=1)
    return day


def _general_standard(db: Database, technical: Actor, since: dt.date):
    """The finished-goods standard of the factory's early years (the quality demo's product standards came later)."""
    C = master.CharacteristicInput
    with clock.frozen(_at(since, 9)):
        return master.create_standard_version(db, technical, master.StandardInput(
            "QS-FINAL", "成品通用檢驗標準 Finished goods, general", since, [
                C("appearance", "外觀 Appearance", criterion="無砂孔、無刮痕 no porosity or scratches",
                  method="10× 放大鏡 loupe"),
                C("setting", "鑲石牢固 Stones secure", criterion="搖動無鬆動 no stone moves", method="搖動測試")]))


def deliver_old_orders(db: Database, rng: random.Random, actors: Mapping[str, Actor], today: dt.date,
                       since: dt.date, progress: Callable[[int, int], None] | None = None) -> int:
    """Final inspection, shipment and delivery of the orders whose production ended more than RECENT_DAYS ago."""
    report = progress or (lambda *_a: None)
    with db.read_session() as s:
        other = aliased(PlanStep)
        open_steps = select(other.id).where(other.plan_id == ProductionPlan.id, other.state != "done") \
            .correlate(ProductionPlan)
        inspected = select(Inspection.id).where(Inspection.order_id == Order.id, Inspection.kind == "fqc") \
            .correlate(Order)
        rows = list(s.execute(
            select(Order.id, Order.total_quantity, Order.total_amount, func.max(PlanStep.actual_end_at))
            .join(ProductionPlan, ProductionPlan.order_id == Order.id)
            .join(PlanStep, PlanStep.plan_id == ProductionPlan.id)
            .where(Order.stage == "final_qc", ProductionPlan.status == "released", ~open_steps.exists(),
                   ~inspected.exists())
            .group_by(Order.id, Order.total_quantity, Order.total_amount)
            .order_by(func.max(PlanStep.actual_end_at))))
    cutoff = _at(today - dt.timedelta(days=RECENT_DAYS), 0)
    old = [row for row in rows if row[3] is not None and row[3] < cutoff]
    if not old:
        return 0
    standard = _general_standard(db, actors["technical.head"], since)
    qc, logistics = actors["quality"], actors["logistics"]
    head = actors.get("logistics.head", logistics)
    delivered = 0
    report(0, len(old))
    for n, (order_id, qty, amount, ended) in enumerate(old, start=1):
        # The plan ends production SHIPPING_BUFFER_DAYS before the delivery date, so that the goods are inspected
        # the next morning, shipped that afternoon and arrive in time — mostly.
        day = _workday(ended.astimezone().date() + dt.timedelta(days=1))
        try:
            with clock.frozen(_at(day, 8) + dt.timedelta(minutes=30)):
                record_inspection(db, qc, InspectionInput(
                    "fqc", standard.id, [Measurement(c.id, "pass") for c in standard.characteristics],
                    order_id=order_id, sampling="aql", aql="1.0", sample_size=min(qty, 13)))
            shipped = day if rng.random() < 0.9 else _workday(day + dt.timedelta(days=1))
            with clock.frozen(_at(shipped, 13)):
                lines = shipments.open_lines(db, order_id)
                carrier, service, prefix = rng.choice(CARRIERS)
                sh = shipments.create_shipment(db, logistics, shipments.ShipmentInput(
                    order_id, {line.line_id: line.open for line in lines if line.open},
                    [shipments.PackageInput(f"{qty} 件，每件獨立盒裝 {qty} pieces, boxed",
                                            f"{rng.randint(300, 2400)}.{rng.randint(0, 999):03d}",
                                            f"SEAL-{rng.randint(100000, 999999)}")],
                    carrier, service, f"{prefix}{rng.randint(10**9, 10**10 - 1)}",
                    str(int(amount or 0)), shipped, certificates="lot"))
            transit = shipped
            with clock.frozen(_at(transit, 14)):
                shipments.record_in_transit(db, logistics, sh.id, transit)
            # Express and couriers deliver the next day as a rule; customs or a missed receiver delay a few.
            arrived = transit + dt.timedelta(days=rng.choices((0, 1, 2, 3), weights=(20, 72, 6, 2))[0])
            with clock.frozen(_at(arrived, 15)):
                shipments.record_delivery(db, head, sh.id, arrived, rng.choice(RECEIVERS))
            delivered += 1
        except DomainError:
            continue
        if n % 50 == 0:
            report(n, len(old))
    report(len(old), len(old))
    return delivered
