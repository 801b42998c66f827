"""Permission matrix cases of delivery and after-sales (loaded by tests/test_permissions_matrix.py). Each service
checks the permission before it reads anything, so the calls need no shipment or case of their own."""

from __future__ import annotations

import datetime as dt

from jewelryorders.services.delivery import aftersales, aftersales_papers, papers, shipments


def prepare(world) -> None:
    world.delivery_order_id = world.released.id


CALLS = {
    "delivery.ship": lambda a, w: shipments.create_shipment(w.db, a, shipments.ShipmentInput(
        w.delivery_order_id, {}, [shipments.PackageInput("x", "1", "S")], "DHL")),
    "delivery.track": lambda a, w: shipments.record_delivery(w.db, a, 1, dt.date(2026, 11, 16)),
    "delivery.papers": lambda a, w: papers.file_paper(w.db, a, "packing-list", "SH-2026-00001", "en"),
    "aftersales.edit": lambda a, w: aftersales.open_case(w.db, a, aftersales.CaseInput(
        "repair", "phone", "x", a.user_id or 1, dt.date(2026, 11, 30), order_id=w.delivery_order_id)),
    "aftersales.export": lambda a, w: aftersales_papers.export_after_sales(
        w.db, a, dt.date(2026, 1, 1), dt.date(2026, 12, 31), w.out("after-sales.xlsx"), "en"),
}

