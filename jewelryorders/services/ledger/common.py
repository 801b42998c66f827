"""What every ledger service shares: permissions, number kinds, grams and carats."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from ...i18n import N_
from ..context import Actor
from ..permissions import register
from ..sequences import register_kind


def _production(a: Actor) -> bool:
    return a.department == "production" or a.role in ("manager", "administrator")


def _production_head(a: Actor) -> bool:
    return (a.department == "production" and a.role in ("department_head", "manager")) or a.role in (
        "manager", "administrator")


def _any_head(a: Actor) -> bool:
    return a.role in ("department_head", "manager", "administrator")


register("ledger.record", _production, N_("record started, finished and returned-for-rework steps in the ledger"))
register("ledger.correct", _production_head, N_("correct a ledger entry by reversing it"))
register("ledger.exceptions", lambda a: _production(a) or _any_head(a),
         N_("record production exceptions, customer notifications and their closure"))
register("ledger.notify", lambda a: _production(a) or a.department == "sales" or _any_head(a),
         N_("record that a customer was told about an exception"))
register("ledger.meetings", _production_head, N_("hold coordination meetings and assign action items"))

register_kind("ledger_entry", "LE", 7)
register_kind("production_exception", "EX", 4)
register_kind("meeting", "MT", 3)


def grams(mg: int | None) -> str:
    """Milligrams as grams with three decimals (plain, for stored text and CSV)."""
    if mg is None:
        return ""
    sign = "-" if mg < 0 else ""
    mg = abs(mg)
    return f"{sign}{mg // 1000}.{mg % 1000:03d}"


def allowance_mg(issued_mg: int, pct: Decimal) -> int:
    return int((Decimal(issued_mg) * Decimal(pct) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
