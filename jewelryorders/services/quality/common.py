"""What every quality service shares: permissions, number kinds, measured values read exactly and checked."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from ...i18n import N_, _, tr
from ...models.quality import MEASURE_UNITS, QualityCharacteristic
from ..context import Actor
from ..permissions import register
from ..sequences import register_kind
from ..validation import Problems


def _manager(a: Actor) -> bool:
    return a.role in ("manager", "administrator") or (a.department == "management" and a.role == "department_head")


def _quality(a: Actor) -> bool:
    return a.department == "quality" or _manager(a)


def _quality_head(a: Actor) -> bool:
    return (a.department == "quality" and a.role == "department_head") or _manager(a)


register("quality.standards", lambda a: a.department == "technical" or _manager(a),
         N_("write and issue quality standards"))
register("quality.instruments", _quality, N_("keep the measuring instruments and their calibration"))
register("quality.control_points", lambda a: a.department in ("quality", "technical") or _manager(a),
         N_("set the control points of the routings"))
register("quality.inspect_iqc", lambda a: a.department in ("quality", "purchasing") or _manager(a),
         N_("inspect incoming material"))
register("quality.inspect_fai", lambda a: a.department in ("quality", "production") or _manager(a),
         N_("record first-article inspections"))
register("quality.inspect", _quality, N_("record in-process and final inspections"))
register("quality.disposition", _quality_head, N_("decide the disposition of a nonconformance"))
register("quality.corrective", lambda a: a.department == "quality" or a.role != "clerk",
         N_("record corrective actions and rectification reports"))
register("quality.verify", _quality_head, N_("verify corrective actions and close nonconformance reports"))
register("quality.settings", _quality_head, N_("set the repeat-offence threshold"))
register("quality.print", lambda a: a.department != "sales" or a.role != "clerk",
         N_("print quality papers and the quality register"))

register_kind("inspection", "QI", 5)
register_kind("ncr", "NCR", 4)

CALIBRATION_WARNING_DAYS = 30
REPEAT_THRESHOLD_SETTING = "quality.repeat_threshold"
DEFAULT_REPEAT_THRESHOLD = 3

# Beyond these a value is a typing slip or a wrong unit, not a measurement of a piece of jewellery.
PLAUSIBLE_MAX: dict[str, Decimal] = {
    "mm": Decimal(500), "g": Decimal(5000), "ct": Decimal(500), "permille": Decimal(1000), "um": Decimal(1000),
    "N": Decimal(10000),
}
_UNIT_SPELLINGS = {
    "mm": "mm", "毫米": "mm", "g": "g", "克": "g", "ct": "ct", "克拉": "ct", "‰": "permille", "permille": "permille",
    "um": "um", "µm": "um", "μm": "um", "微米": "um", "n": "N", "牛": "N",
}
_VALUE = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?)\s*([^\d\s.+-]*)\s*$")
PASS_WORDS = {"pass", "passed", "ok", "yes", "y", "合格", "通過", "通过", "1", "true"}
FAIL_WORDS = {"fail", "failed", "ng", "no", "n", "不合格", "0", "false"}


MAX_ID = 2**63 - 1  # the largest key a database row can have


def known_id(value: object) -> int | None:
    """A record's id as a form or a caller hands it; None for what cannot be one (text, a list, True, a number
    beyond the database's integers), which the caller reports as not found instead of crashing the lookup."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID:
        return value
    return None


def shown_id(value: object) -> str:
    """An id as the refusal names it: short, whatever was given."""
    return str(value)[:40]


def unit_label(unit: str, lang: str | None = None) -> str:
    return tr(MEASURE_UNITS.get(unit, unit), lang)


def number_text(value: Decimal | None) -> str:
    if value is None:
        return ""
    d = value.normalize()
    text = format(d, "f")
    return text


def limits(c: QualityCharacteristic) -> tuple[Decimal | None, Decimal | None]:
    if c.nominal is None:
        return None, None
    low = c.nominal - c.tol_minus if c.tol_minus is not None else None
    high = c.nominal + c.tol_plus if c.tol_plus is not None else None
    return low, high


def tolerance_text(c, lang: str | None = None) -> str:
    """'+0.05 / −0.05 mm', '≥ 750 ‰' or the pass/fail criterion."""
    if c.nominal is None:
        return c.criterion
    unit = unit_label(c.unit, lang)
    if c.tol_minus is not None and c.tol_plus is not None:
        if c.tol_minus == c.tol_plus:
            return f"±{number_text(c.tol_plus)} {unit}"
        return f"+{number_text(c.tol_plus)} / −{number_text(c.tol_minus)} {unit}"
    low, high = limits(c)
    if low is not None:
        return f"≥ {number_text(low)} {unit}"
    if high is not None:
        return f"≤ {number_text(high)} {unit}"
    return tr("recorded only", lang)


def judge(c: QualityCharacteristic, measured: Decimal | None, verdict: bool | None) -> bool:
    if c.nominal is None:
        return bool(verdict)
    low, high = limits(c)
    return (low is None or measured >= low) and (high is None or measured <= high)


def read_measurement(problems: Problems, field: str, c: QualityCharacteristic, value: object
                     ) -> tuple[Decimal | None, bool | None]:
    """(number, None) for a measured characteristic, (None, passed) for a pass/fail one; a problem noted when the
    value is missing, not a number, in another unit than the standard's, or outside any plausible range."""
    label = c.name
    if value is None or (isinstance(value, str) and not value.strip()):
        problems.add(field, _("{field}: enter the value measured.", field=label))
        return None, None
    if c.nominal is None:
        if isinstance(value, bool):
            return None, value
        word = str(value).strip().lower()
        if word in PASS_WORDS:
            return None, True
        if word in FAIL_WORDS:
            return None, False
        problems.add(field, _("{field}: '{value}' is neither pass nor fail.", field=label, value=str(value)[:40]))
        return None, None
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        number, unit = Decimal(value), ""
    else:
        match = _VALUE.match(str(value).replace(",", ""))
        if not match:
            problems.add(field, _("{field}: '{value}' is not a number.", field=label, value=str(value)[:40]))
            return None, None
        try:
            number = Decimal(match.group(1))
        except InvalidOperation:
            problems.add(field, _("{field}: '{value}' is not a number.", field=label, value=str(value)[:40]))
            return None, None
        written = match.group(2)
        unit = _UNIT_SPELLINGS.get(written.lower(), _UNIT_SPELLINGS.get(written, written)) if written else ""
        if written and unit != c.unit:
            problems.add(field, _("{field}: the value is in {written}, but the standard measures it in {unit}; "
                                  "convert it.", field=label, written=written, unit=unit_label(c.unit)))
            return None, None
    if not number.is_finite():
        problems.add(field, _("{field}: '{value}' is not a number.", field=label, value=str(value)[:40]))
        return None, None
    top = PLAUSIBLE_MAX.get(c.unit, Decimal(10**6))
    if number < 0 or number > top or (c.nominal and c.nominal > 0 and number > c.nominal * 10):
        problems.add(field, _("{field}: {value} {unit} is outside any plausible range; check the value and its "
                              "unit.", field=label, value=number_text(number), unit=unit_label(c.unit)))
        return None, None
    if -number.as_tuple().exponent > 4 if isinstance(number.as_tuple().exponent, int) else False:
        problems.add(field, _("{field}: {value} has more than {places} decimals.", field=label,
                              value=number_text(number), places=4))
        return None, None
    return number, None
