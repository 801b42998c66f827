"""Field checks shared by every form: required text, lengths, dates, quantities, grams to the milligram, money."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from ..i18n import _
from .errors import FieldProblem

# Generous limits that still stop a pasted 100,000-character text from reaching a paper or a list.
SHORT_TEXT = 200
LONG_TEXT = 10_000


class Problems:
    """Collects every problem of a form at once, so the user fixes them all in one go."""

    def __init__(self) -> None:
        self.items: list[FieldProblem] = []

    def add(self, field: str, message: str) -> None:
        self.items.append(FieldProblem(field, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        from .errors import ValidationError

        if self.items:
            raise ValidationError(list(self.items))


def text(problems: Problems, field: str, label: str, value: object, *, required: bool = False,
         max_len: int = SHORT_TEXT) -> str:
    s = "" if value is None else str(value).strip()
    if required and not s:
        problems.add(field, _("{field} is required.", field=label))
    if len(s) > max_len:
        problems.add(field, _("{field} is too long: {length:,} characters; at most {max:,} are allowed.",
                              field=label, length=len(s), max=max_len))
        s = s[:max_len]
    return s


def parse_date(problems: Problems, field: str, label: str, value: object, *, required: bool = False) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.add(field, _("{field} is required.", field=label))
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    s = str(value).strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    problems.add(field, _("{field}: '{value}' is not a date; write it as YYYY-MM-DD, e.g. 2026-12-31.",
                          field=label, value=s[:40]))
    return None


def positive_int(problems: Problems, field: str, label: str, value: object, *, required: bool = True,
                 maximum: int = 10_000_000) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.add(field, _("{field} is required.", field=label))
        return None
    try:
        if isinstance(value, float) and not value.is_integer():
            raise ValueError
        d = Decimal(str(value).strip())
        if d != d.to_integral_value():
            raise ValueError
        n = int(d)
    except (ValueError, InvalidOperation):
        problems.add(field, _("{field}: '{value}' is not a whole number.", field=label, value=str(value)[:40]))
        return None
    if n <= 0:
        problems.add(field, _("{field} must be greater than zero (got {value}).", field=label, value=n))
        return None
    if n > maximum:
        problems.add(field, _("{field} is too large (at most {max:,}).", field=label, max=maximum))
        return None
    return n


def decimal_value(problems: Problems, field: str, label: str, value: object, *, places: int, required: bool = True,
                  positive: bool = True, allow_zero: bool = False, maximum: Decimal | None = None) -> Decimal | None:
    """Exact decimal with at most `places` decimals; never goes through float."""
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
        problems.add(field, _("{field}: '{value}' is not a number.", field=label, value=str(value)[:40]))
        return None
    exponent = d.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        problems.add(field, _("{field}: {value} has more than {places} decimals.", field=label, value=raw[:40],
                              places=places))
        return None
    if positive and (d < 0 or (d == 0 and not allow_zero)):
        if allow_zero:
            problems.add(field, _("{field} cannot be negative (got {value}).", field=label, value=raw))
        else:
            problems.add(field, _("{field} must be greater than zero (got {value}).", field=label, value=raw))
        return None
    if maximum is not None and d > maximum:
        problems.add(field, _("{field} is too large (at most {max}).", field=label, max=maximum))
        return None
    return d.quantize(Decimal(1).scaleb(-places))


def grams_to_mg(problems: Problems, field: str, label: str, value: object, *, required: bool = True) -> int | None:
    """A metal weight typed in grams (at most 3 decimals) stored exactly as integer milligrams."""
    d = decimal_value(problems, field, label, value, places=3, required=required, maximum=Decimal("100000"))
    return None if d is None else int(d * 1000)


def mg_to_grams_text(mg: int | None) -> str:
    if mg is None:
        return ""
    sign = "-" if mg < 0 else ""
    mg = abs(mg)
    return f"{sign}{mg // 1000}.{mg % 1000:03d}"
