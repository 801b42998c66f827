"""What every materials service shares: exact quantities in thousandths of a unit, permissions, number kinds."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ...i18n import N_, _, tr
from ...models.materials import UNITS
from ..context import Actor
from ..permissions import register
from ..sequences import register_kind
from ..validation import Problems

MILLI = 1000  # quantities are stored in thousandths of the material's unit
MAX_QTY = 10**12  # a billion grams, carats or pieces: far above any factory's stock, far below 2**63


def _purchasing(a: Actor) -> bool:
    return a.department == "purchasing" or a.role in ("manager", "administrator")


def _purchasing_head(a: Actor) -> bool:
    return (a.department == "purchasing" and a.role == "department_head") or a.role in ("manager", "administrator")


def _store(a: Actor) -> bool:
    return a.department in ("purchasing", "production") or a.role in ("manager", "administrator")


register("materials.master", lambda a: _purchasing(a) or a.department == "technical",
         N_("edit the material master and suppliers"))
register("materials.bom", lambda a: a.department in ("technical", "purchasing") or a.role in ("manager",
                                                                                              "administrator"),
         N_("edit bills of materials"))
register("purchasing.orders", _purchasing, N_("write purchase orders"))
register("stock.receive", _purchasing, N_("receive goods into stock"))
# Until incoming inspection (the quality part) decides lots, the head of purchasing releases them, with a reason.
register("lots.decide", _purchasing_head, N_("release or reject a lot in quarantine"))
register("stock.move", _store, N_("issue materials to the workshops or take them back"))
register("stock.adjust", _purchasing_head, N_("correct stock after a count"))
register("stock.pick", _store, N_("pick materials for an order"))

register_kind("purchase_order", "PO", 5)
register_kind("lot", "LOT", 5)
register_kind("pick_list", "PK", 5)
register_kind("supplier", "S", 4)


def unit_label(unit: str, lang: str | None = None) -> str:
    return tr(UNITS.get(unit, unit), lang)


def quantity(problems: Problems, field: str, label: str, value: object, unit: str, *, required: bool = True,
             allow_zero: bool = False, signed: bool = False) -> int | None:
    """A quantity typed in the material's unit, stored exactly in thousandths: grams and carats take at most three
    decimals, pieces none. Returns None (with the problem noted) when it is wrong."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.add(field, _("{field} is required.", field=label))
        return None
    raw = str(value).strip().replace(",", "")
    try:
        d = Decimal(raw)
        if not d.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        problems.add(field, _("{field}: '{value}' is not a number.", field=label, value=raw[:40]))
        return None
    places = 0 if unit == "pcs" else 3
    exponent = d.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        if places:
            problems.add(field, _("{field}: {value} has more than {places} decimals.", field=label, value=raw[:40],
                                  places=places))
        else:
            problems.add(field, _("{field}: '{value}' is not a whole number.", field=label, value=raw[:40]))
        return None
    milli = int(d * MILLI)
    if not signed and (milli < 0 or (milli == 0 and not allow_zero)):
        problems.add(field, _("{field} must be greater than zero (got {value}).", field=label, value=raw[:40]))
        return None
    if signed and milli == 0 and not allow_zero:
        problems.add(field, _("{field} cannot be zero.", field=label))
        return None
    if abs(milli) > MAX_QTY:
        problems.add(field, _("{field} is too large.", field=label))
        return None
    return milli


def pieces(problems: Problems, field: str, label: str, value: object, *, signed: bool = False) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    try:
        d = Decimal(str(value).strip())
        if d != d.to_integral_value():
            raise InvalidOperation
        n = int(d)
    except (InvalidOperation, ValueError):
        problems.add(field, _("{field}: '{value}' is not a whole number.", field=label, value=str(value)[:40]))
        return 0
    if n < 0 and not signed:
        problems.add(field, _("{field} cannot be negative (got {value}).", field=label, value=n))
        return 0
    if abs(n) > 10_000_000:
        problems.add(field, _("{field} is too large.", field=label))
        return 0
    return n


def qty_text(milli: int | None, unit: str) -> str:
    """12345 in grams -> "12.345"; 5000 in pieces -> "5"."""
    if milli is None:
        return ""
    sign = "-" if milli < 0 else ""
    m = abs(milli)
    if unit == "pcs" and m % MILLI == 0:
        return f"{sign}{m // MILLI:,}"
    return f"{sign}{m // MILLI:,}.{m % MILLI:03d}"


def qty_with_unit(milli: int | None, unit: str, lang: str | None = None) -> str:
    return f"{qty_text(milli, unit)} {unit_label(unit, lang)}"
