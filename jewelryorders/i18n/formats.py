"""Money, numbers, weights and dates written as each language writes them, from Babel's locale data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from . import current_language

# English here is the English of a factory office in Hong Kong or mainland China: day before month.
BABEL_LOCALES = {"zh_TW": "zh_Hant_TW", "zh_CN": "zh_Hans_CN", "en": "en_GB"}


def babel_locale(lang: str | None = None) -> str:
    return BABEL_LOCALES.get(lang or current_language(), "en_GB")


def currency_digits(currency: str) -> int:
    """How many decimals the currency has (JPY 0, HKD 2, KWD 3)."""
    from babel.numbers import get_currency_precision

    try:
        return get_currency_precision(currency)
    except Exception:  # an unknown code: two decimals, the common case
        return 2


def money(amount: Decimal | int | None, currency: str = "", lang: str | None = None) -> str:
    """"HKD 119,000.00", "JPY 119,000": the ISO code (clear when a clerk deals in several) and its own decimals."""
    if amount is None:
        return ""
    from babel.numbers import format_currency, format_decimal

    if not currency:
        return format_decimal(Decimal(amount), format="#,##0.00", locale=babel_locale(lang))
    return format_currency(Decimal(amount), currency, format="¤¤ #,##0.00", locale=babel_locale(lang),
                           currency_digits=True)


def amount(value: Decimal | int | None, currency: str = "", lang: str | None = None) -> str:
    """The number alone, with the currency's decimals (for a column whose heading names the currency)."""
    if value is None:
        return ""
    from babel.numbers import format_decimal

    digits = currency_digits(currency) if currency else 2
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(Decimal(value), format=pattern, locale=babel_locale(lang))


def number(value: int | Decimal | None, decimals: int = 0, lang: str | None = None) -> str:
    if value is None:
        return ""
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(Decimal(value), format=pattern, locale=babel_locale(lang))


def grams(mg: int | None, lang: str | None = None) -> str:
    """Milligrams shown as grams with three decimals, exactly: 3125 -> "3.125"."""
    if mg is None:
        return ""
    return number(Decimal(mg) / 1000, 3, lang)


def percent(value: Decimal | float | None, decimals: int = 1, lang: str | None = None) -> str:
    """0.125 -> "12.5%"."""
    if value is None:
        return ""
    from babel.numbers import format_percent

    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + "%"
    return format_percent(Decimal(str(value)), format=pattern, locale=babel_locale(lang))


def date(value: dt.date | None, lang: str | None = None, length: str = "medium") -> str:
    """2026年11月16日 / 16 Nov 2026 ("medium"), 2026/11/16 / 16/11/2026 ("short")."""
    if value is None:
        return ""
    from babel.dates import format_date

    return format_date(value, length, locale=babel_locale(lang))


def datetime(value: dt.datetime | None, lang: str | None = None, length: str = "short") -> str:
    """A moment in the workstation's time zone."""
    if value is None:
        return ""
    from babel.dates import format_datetime

    local = value.astimezone() if value.tzinfo else value
    return format_datetime(local, length, locale=babel_locale(lang))
