"""Demo delivery and after-sales, through the services: of the orders final inspection released, some shipped whole
and delivered (on time or late), some shipped in two parts, some still in transit or just shipped; customers told;
after-sales cases of every kind against delivered orders, some closed (complaints with the customer's answer and a
lesson learned), some open. Orders reach "ready to ship" only through the quality part; without it this adds
nothing and says so."""

from __future__ import annotations

import datetime as dt
import random
from typing import Mapping

from ..i18n import _
from ..services.context import Actor
from ..services.delivery import aftersales, shipments
from ..services.errors import DomainError

CARRIERS = [("順豐速運 SF Express", "express", "SF"), ("DHL Express", "express", "DHL"),
            ("嘉里物流 Kerry Logistics", "armoured", "KRY"), ("專人送貨 Factory courier", "hand_carry", "FC")]
WORDS = {
    "quality_problem": ["鍍層三個月就褪色 plating faded after three months", "主石有刮痕 scratch on the main stone"],
    "wearing_problem": ["戒圈太緊，想改大一號 ring too tight, wants one size up", "耳針戴久了耳朵痛 posts hurt"],
    "repair": ["爪鬆了，主石會晃 prong loose, stone moves", "鏈扣壞了 clasp broken"],
    "maintenance": ["清洗拋光 cleaning and polishing", "重新電鍍白金 re-plating rhodium"],
    "complaint": ["交貨遲了一星期 delivered a week late", "包裝破損，盒子壓扁 box crushed in transit"],
}


def advance_demo(db, rng: random.Random, actors: Mapping[str, Actor], today: dt.date, limit: int = 60) -> str:
    logistics, head = actors["logistics"], actors.get("logistics.head", actors["logistics"])
    sales = actors["sales"]
    technical = actors.get("technical", sales)
    ready = shipments.orders_to_ship(db, limit=limit)
    made = delivered = partial = 0
    delivered_orders: list[int] = []
    for n, row in enumerate(ready):
        lines = shipments.open_lines(db, row.id)
        if not lines:
            continue
        carrier, service, prefix = rng.choice(CARRIERS)
        state = n % 5   # 0,1: delivered whole; 2: two parts, first delivered; 3: in transit; 4: just shipped
        two_parts = state == 2 and sum(line.open for line in lines) > 1
        first = {line.line_id: (max(1, line.open // 2) if two_parts else line.open) for line in lines if line.open}
        shipped_on = today - dt.timedelta(days=rng.randint(3, 12))
        try:
            sh = shipments.create_shipment(db, logistics, shipments.ShipmentInput(
                row.id, first, [shipments.PackageInput(
                    _("{n} pieces, each in its own box", n=sum(first.values())),
                    f"{rng.randint(300, 2400)}.{rng.randint(0, 999):03d}", f"SEAL-{rng.randint(100000, 999999)}")],
                carrier, service, f"{prefix}{rng.randint(10**9, 10**10 - 1)}", str(rng.randint(5, 400) * 1000),
                shipped_on, certificates=rng.choice(["lot", "piece"]) if sum(first.values()) <= 20 else "lot"))
        except DomainError:
            continue
        made += 1
        shipments.record_customer_update(db, sales, sh.id, rng.choice(["phone", "email", "message"]),
                                         _("Tracking number sent to the customer."))
        if state == 4:
            continue
        transit = min(today, shipped_on + dt.timedelta(days=1))
        shipments.record_in_transit(db, logistics, sh.id, transit)
        if state == 3:
            continue
        arrived = min(today, transit + dt.timedelta(days=rng.randint(1, 4)))
        shipments.record_delivery(db, head, sh.id, arrived, rng.choice(["陳小姐", "Mr. Wong", "李先生"]))
        if two_parts:
            partial += 1
            continue
        delivered += 1
        delivered_orders.append(row.id)
    cases = closed = 0
    # Every kind of case at least once, spread over the delivered orders (some customers come back).
    for i in range(max(len(delivered_orders), len(WORDS)) if delivered_orders else 0):
        order_id = delivered_orders[i % len(delivered_orders)]
        kind = list(WORDS)[i % len(WORDS)]
        certs = [c for s in shipments.shipments_of_order(db, order_id) for c in s.certificates]
        try:
            received = today - dt.timedelta(days=rng.randint(0, 6))
            case = aftersales.open_case(db, sales, aftersales.CaseInput(
                kind, rng.choice(["phone", "email", "visit", "courier"]), rng.choice(WORDS[kind]), sales.user_id,
                received + dt.timedelta(days=14), received, order_id,
                certs[0].certificate_no if certs and kind in ("repair", "maintenance", "quality_problem") else ""))
            cases += 1
            if i % 3 == 2:
                continue  # still open
            if kind in ("repair", "maintenance"):
                aftersales.record_repair(db, technical, case.id, aftersales.RepairInput(
                    "重新鑲爪、清洗拋光 re-tipped prongs, cleaned and polished", "技術部 王師傅",
                    "18K 金線 gold wire", "0.080", "0" if kind == "repair" else "120",
                    "factory" if kind == "repair" else "customer", today))
            else:
                aftersales.record_finding(db, sales, case.id, aftersales.FindingInput(
                    rng.choice(["craft", "transport", "stone_setting", "wear"]), "",
                    ("production", "quality") if kind != "complaint" else ("logistics", "sales"),
                    "返工並加強檢驗 reworked, inspection tightened", "已致歉並免費處理 apologised, fixed free of charge"))
            aftersales.close_case(db, sales, case.id, aftersales.ClosingInput(
                "satisfied" if kind != "complaint" or i % 2 else "escalated",
                "" if kind != "complaint" or i % 2 else "免運費並下次九折 free shipping and 10% off next order",
                "貴重貨品加固包裝 stronger packing for valuables" if kind == "complaint" else ""))
            closed += 1
        except DomainError:
            continue
    if not ready:
        return _("Delivery: no order was ready to ship (final inspection releases them), so nothing was shipped.")
    return _("Delivery: {shipments} shipments ({partial} orders in two parts, {delivered} orders delivered); "
             "{cases} after-sales cases, {closed} closed.", shipments=made, partial=partial, delivered=delivered,
             cases=cases, closed=closed)
