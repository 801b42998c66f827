"""Field checks shared by every form: required text, lengths, dates, quantities, grams to the milligram, money."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal, InvalidOperation

from ..i18n import _
from .errors import FieldProblem

# Generous limits that still stop a pasted 100,000-character text from reaching a paper or a list.
SHORT_TEXT = 200
LONG_TEXT = 10_000

# Dates outside these years are typing mistakes (0026 for 2026, 9999 as "no date"); papers and charts that span
# them would be thousands of pages wide.
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)

# The currencies the factory trades in (ISO 4217); amounts in any other are refused rather than guessed.
CURRENCIES = ("HKD", "CNY", "USD", "EUR", "JPY", "TWD", "SGD", "GBP", "AUD", "CHF", "MOP", "THB", "AED", "CAD",
              "MYR", "KRW")

# Money columns are Numeric(16, 2) (order totals) and Numeric(14, 2) (prices). Keeping every amount within 13
# significant digits also keeps it exact on SQLite, which stores NUMERIC as an 8-byte float (15 digits).
MAX_UNIT_PRICE = Decimal("99999999.99")        # a hundred million less a cent, per piece
MAX_LINE_QUANTITY = 1_000_000
MAX_LINE_AMOUNT = Decimal("9999999999.99")     # quantity × unit price of one line
MAX_ORDER_AMOUNT = Decimal("99999999999.99")   # the order's total, Numeric(16, 2) holds 14 whole digits
MAX_ORDER_QUANTITY = 10_000_000                # pieces in one order; the column is a 32-bit integer

# Text longer than this may hold lines (notes, requirements, descriptions, addresses); shorter text is one line
# (names, codes, numbers) unless the caller says otherwise.
MULTILINE_FROM = SHORT_TEXT + 1
_ALLOWED_IN_LINES = frozenset("\n\r\t")


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


def first_control_character(s: str, *, lines: bool) -> int | None:
    """Index of the first character no text field may hold (control characters such as NUL, lone surrogates);
    newlines, carriage returns and tabs are allowed where the text may have lines."""
    for index, ch in enumerate(s):
        if lines and ch in _ALLOWED_IN_LINES:
            continue
        if unicodedata.category(ch) in ("Cc", "Cs") or ch in ("\u2028", "\u2029", "\ufffe", "\uffff"):
            return index
    return None


def text(problems: Problems, field: str, label: str, value: object, *, required: bool = False,
         max_len: int = SHORT_TEXT, lines: bool | None = None) -> str:
    """Trimmed text; `lines` says whether it may hold line breaks (default: only text longer than SHORT_TEXT)."""
    s = "" if value is None else str(value).strip()
    if required and not s:
        problems.add(field, _("{field} is required.", field=label))
    if len(s) > max_len:
        problems.add(field, _("{field} is too long: {length:,} characters; at most {max:,} are allowed.",
                              field=label, length=len(s), max=max_len))
        s = s[:max_len]
    may_have_lines = max_len >= MULTILINE_FROM if lines is None else lines
    bad = first_control_character(s, lines=may_have_lines)
    if bad is not None:
        if s[bad] in _ALLOWED_IN_LINES:
            problems.add(field, _("{field} must be one line: remove the line break or tab at character {position}.",
                                  field=label, position=bad + 1))
        else:
            problems.add(field, _("{field} contains an invisible control character (U+{code:04X}) at character "
                                  "{position}; retype the text instead of pasting it.", field=label,
                                  code=ord(s[bad]), position=bad + 1))
    return s


def currency(problems: Problems, field: str, label: str, value: object) -> str:
    """A currency from the factory's list (ISO 4217 codes)."""
    code = ("" if value is None else str(value)).strip().upper()
    if code not in CURRENCIES:
        problems.add(field, _("{field}: {value} is not a currency the factory uses; choose one of {choices}.",
                              field=label, value=code[:10] or "—", choices=", ".join(CURRENCIES)))
    return code


def date_in_range(problems: Problems, field: str, label: str, value: dt.date | None) -> dt.date | None:
    """The date, or None with a problem when it lies outside the plausible years."""
    if value is None:
        return None
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        problems.add(field, _("{field}: {value} is outside {first} – {last}; check the year.", field=label,
                              value=value.isoformat(), first=EARLIEST_DATE.isoformat(), last=LATEST_DATE.isoformat()))
        return None
    return value


def parse_date(problems: Problems, field: str, label: str, value: object, *, required: bool = False) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.add(field, _("{field} is required.", field=label))
        return None
    if isinstance(value, dt.datetime):
        return date_in_range(problems, field, label, value.date())
    if isinstance(value, dt.date):
        return date_in_range(problems, field, label, value)
    s = str(value).strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d"):
        try:
            parsed = dt.datetime.strptime(s, fmt).date()
        except ValueError:
            continue
        return date_in_range(problems, field, label, parsed)
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
        if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
            raise ValueError  # a list, a date, True: not a number someone typed
        if isinstance(value, float) and not value.is_integer():
            raise ValueError
        d = Decimal(str(value).strip())
        if not d.is_finite() or d != d.to_integral_value():
            raise ValueError
        n = int(d)
    except (ValueError, InvalidOperation, OverflowError):
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
