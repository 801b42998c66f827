"""What every delivery and after-sales service shares: permissions and number kinds."""

from __future__ import annotations

from ...i18n import N_
from ..context import Actor
from ..permissions import register
from ..sequences import register_kind


def _logistics(a: Actor) -> bool:
    return a.department == "logistics" or a.role in ("manager", "administrator")


def _tracking(a: Actor) -> bool:
    return a.department in ("logistics", "sales") or a.role in ("manager", "administrator")


def _after_sales(a: Actor) -> bool:
    return a.department in ("sales", "technical", "quality") or a.role in ("manager", "administrator")


register("delivery.ship", _logistics, N_("ship orders and issue quality certificates"))
register("delivery.track", _tracking, N_("record shipment tracking and updates given to the customer"))
register("delivery.papers", _tracking, N_("print and file delivery papers"))
register("aftersales.edit", _after_sales, N_("record and carry after-sales cases"))
register("aftersales.export", lambda a: _after_sales(a) or a.department == "management",
         N_("export the after-sales analysis"))

register_kind("shipment", "SH", 5)
register_kind("certificate", "QC", 6)
register_kind("after_sales_case", "AS", 5)
