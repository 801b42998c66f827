"""Quality standards (versioned, each version in force from its date), measuring instruments with their
calibration, and the routing's control points (first article, in-process samples)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ... import clock
from ...db import Database
from ...i18n import LazyText, _
from ...models.orders import Style
from ...models.planning import RoutingStep, RoutingTemplate
from ...models.quality import (
    CHARACTERISTIC_KINDS,
    FREQUENCIES,
    INSTRUMENT_KINDS,
    MEASURE_UNITS,
    STANDARD_SCOPES,
    ControlPoint,
    Instrument,
    QualityCharacteristic,
    QualityStandard,
)
from .. import audit
from ..context import Actor, read_session, unit_of_work
from ..errors import ConcurrentEditError, GateError, NotFound, ValidationError
from ..permissions import require
from ..validation import LONG_TEXT, Problems, parse_date, positive_int, text
from .common import CALIBRATION_WARNING_DAYS, known_id, shown_id

# ---- standards ---------------------------------------------------------------------------------------------------


@dataclass
class CharacteristicInput:
    kind: str
    name: str
    nominal: str | None = None          # None or "": a pass/fail criterion
    tol_minus: str | None = None        # None: no lower limit
    tol_plus: str | None = None         # None: no upper limit
    unit: str = ""
    criterion: str = ""
    method: str = ""
    instrument_kind: str = ""


@dataclass
class StandardInput:
    code: str
    title: str
    effective_from: dt.date | str
    characteristics: list[CharacteristicInput]
    scope: str = "product"
    product_type: str = ""
    style_code: str = ""
    material_kind: str = ""
    change_note: str = ""


@dataclass(frozen=True)
class CharacteristicView:
    id: int
    seq: int
    kind: str
    name: str
    nominal: Decimal | None
    tol_minus: Decimal | None
    tol_plus: Decimal | None
    unit: str
    criterion: str
    method: str
    instrument_kind: str


@dataclass(frozen=True)
class StandardView:
    id: int
    code: str
    version_no: int
    title: str
    scope: str
    product_type: str
    style_code: str
    material_kind: str
    effective_from: dt.date
    change_note: str
    state: str                      # "in_force", "superseded", "not_yet"
    characteristics: tuple[CharacteristicView, ...] = field(default=())


STANDARD_STATES = {"in_force": "In force", "superseded": "Superseded", "not_yet": "Not yet in force"}


def _decimal(p: Problems, fld: str, label: str, value: object) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        d = Decimal(str(value).strip())
        if not d.is_finite() or d < 0 or d > Decimal("9999999999"):
            raise InvalidOperation
    except InvalidOperation:
        p.add(fld, _("{field}: '{value}' is not a number of zero or more.", field=label, value=str(value)[:40]))
        return None
    return d


def in_force(s: Session, code: str, day: dt.date) -> QualityStandard | None:
    return s.scalars(select(QualityStandard).where(QualityStandard.code == code,
                                                   QualityStandard.effective_from <= day)
                     .order_by(QualityStandard.effective_from.desc(), QualityStandard.version_no.desc())).first()


def state_of(s: Session, st: QualityStandard, day: dt.date) -> str:
    if st.effective_from > day:
        return "not_yet"
    current = in_force(s, st.code, day)
    return "in_force" if current is not None and current.id == st.id else "superseded"


def _view(s: Session, st: QualityStandard, day: dt.date | None = None) -> StandardView:
    style = s.get(Style, st.style_id) if st.style_id else None
    chars = tuple(CharacteristicView(c.id, c.seq, c.kind, c.name, c.nominal, c.tol_minus, c.tol_plus, c.unit,
                                     c.criterion, c.method, c.instrument_kind) for c in st.characteristics)
    return StandardView(st.id, st.code, st.version_no, st.title, st.scope, st.product_type,
                        style.code if style else "", st.material_kind, st.effective_from, st.change_note,
                        state_of(s, st, day or clock.today()), chars)


def create_standard_version(db: Database, actor: Actor, data: StandardInput) -> StandardView:
    """Write a standard, or the next version of one (same code); it takes effect on its date."""
    require(actor, "quality.standards")
    p = Problems()
    code = text(p, "code", _("Code"), data.code, required=True, max_len=40).upper()
    title = text(p, "title", _("Title"), data.title, required=True)
    note = text(p, "change_note", _("Change note"), data.change_note, max_len=LONG_TEXT)
    effective = parse_date(p, "effective_from", _("Effective from"), data.effective_from, required=True)
    if not isinstance(data.scope, str) or data.scope not in STANDARD_SCOPES:
        p.add("scope", _("Unknown scope {scope}.", scope=data.scope))
    product_type = text(p, "product_type", _("Product type"), data.product_type, max_len=20)
    material_kind = text(p, "material_kind", _("Material kind"), data.material_kind, max_len=12)
    if not data.characteristics:
        p.add("characteristics", _("A standard needs at least one characteristic."))
    chars: list[dict] = []
    for i, c in enumerate(data.characteristics or []):
        f = f"characteristics[{i}]"
        name = text(p, f + ".name", _("Characteristic {n}", n=i + 1), c.name, required=True)
        label = name or _("Characteristic {n}", n=i + 1)
        if not isinstance(c.kind, str) or c.kind not in CHARACTERISTIC_KINDS:
            p.add(f + ".kind", _("{field}: unknown kind {kind}.", field=label, kind=c.kind))
        nominal = _decimal(p, f + ".nominal", label, c.nominal)
        minus = _decimal(p, f + ".tol_minus", label, c.tol_minus)
        plus = _decimal(p, f + ".tol_plus", label, c.tol_plus)
        unit = str(c.unit or "").strip()
        if unit not in MEASURE_UNITS:
            p.add(f + ".unit", _("{field}: unknown unit {unit}.", field=label, unit=unit))
        criterion = text(p, f + ".criterion", label, c.criterion, max_len=LONG_TEXT)
        if nominal is None:
            if unit or minus is not None or plus is not None:
                p.add(f + ".nominal", _("{field}: a tolerance or unit needs a nominal value.", field=label))
            if not criterion:
                p.add(f + ".criterion", _("{field}: give a nominal value with its tolerance, or a pass/fail "
                                          "criterion.", field=label))
        elif not unit:
            p.add(f + ".unit", _("{field}: a nominal value needs its unit.", field=label))
        if c.instrument_kind and (not isinstance(c.instrument_kind, str)
                                  or c.instrument_kind not in INSTRUMENT_KINDS):
            p.add(f + ".instrument_kind", _("{field}: unknown instrument kind {kind}.", field=label,
                                            kind=c.instrument_kind))
        chars.append(dict(seq=i + 1, kind=c.kind, name=name, nominal=nominal, tol_minus=minus, tol_plus=plus,
                          unit=unit if nominal is not None else "", criterion=criterion,
                          method=text(p, f + ".method", label, c.method, max_len=LONG_TEXT),
                          instrument_kind=c.instrument_kind or ""))
    p.raise_if_any()
    with unit_of_work(db) as s:
        style_id = None
        if data.style_code.strip():
            style = s.scalar(select(Style).where(Style.code == data.style_code.strip()))
            if style is None:
                raise ValidationError(_("There is no style {code}.", code=data.style_code), "style_code")
            style_id = style.id
        last = s.scalars(select(QualityStandard).where(QualityStandard.code == code)
                         .order_by(QualityStandard.version_no.desc())).first()
        if last is not None and effective <= last.effective_from:
            raise ValidationError(_("Version {n} of {code} takes effect on {date}; a new version must take effect "
                                    "after it.", n=last.version_no, code=code, date=last.effective_from.isoformat()),
                                  "effective_from")
        st = QualityStandard(code=code, version_no=(last.version_no + 1) if last else 1, title=title,
                             scope=data.scope, product_type=product_type, style_id=style_id,
                             material_kind=material_kind, effective_from=effective, change_note=note,
                             written_by_id=actor.user_id,
                             characteristics=[QualityCharacteristic(**c) for c in chars])
        s.add(st)
        s.flush()
        audit.record(s, actor, "create", "quality_standard", st.id,
                     LazyText("Quality standard {code} version {n} written, in force from {date}", code=code,
                              n=st.version_no, date=effective.isoformat()), None, audit.snapshot(st))
        return _view(s, st)


def get_standard(db: Database, standard_id: int) -> StandardView:
    with read_session(db) as s:
        st = s.get(QualityStandard, standard_id)
        if st is None:
            raise NotFound(_("Quality standard {id} does not exist.", id=standard_id))
        return _view(s, st)


def standard_in_force(db: Database, code: str, day: dt.date | None = None) -> StandardView:
    with read_session(db) as s:
        st = in_force(s, code.strip().upper(), day or clock.today())
        if st is None:
            raise NotFound(_("No version of quality standard {code} is in force.", code=code))
        return _view(s, st)


def list_standards(db: Database, include_superseded: bool = True) -> list[StandardView]:
    with read_session(db) as s:
        rows = s.scalars(select(QualityStandard).order_by(QualityStandard.code, QualityStandard.version_no.desc()))
        views = [_view(s, st) for st in rows]
    return [v for v in views if include_superseded or v.state != "superseded"]


def standard_for(s: Session, *, scope: str, style_id: int | None = None, product_type: str = "",
                 material_kind: str = "", day: dt.date | None = None) -> QualityStandard | None:
    """The version in force that applies: a style's own standard first, then its product type's, or for
    material its kind's."""
    day = day or clock.today()
    codes = s.execute(select(QualityStandard.code, QualityStandard.style_id, QualityStandard.product_type,
                             QualityStandard.material_kind).where(QualityStandard.scope == scope)
                      .distinct()).all()
    ranked = []
    for code, sid, ptype, mkind in codes:
        if scope == "material" and mkind in (material_kind, ""):
            ranked.append((0 if mkind == material_kind else 1, code))
        elif scope == "product":
            if style_id and sid == style_id:
                ranked.append((0, code))
            elif not sid and ptype and ptype == product_type:
                ranked.append((1, code))
            elif not sid and not ptype:
                ranked.append((2, code))
    for _rank, code in sorted(set(ranked)):
        st = in_force(s, code, day)
        if st is not None:
            return st
    return None


# ---- instruments -------------------------------------------------------------------------------------------------


@dataclass
class InstrumentInput:
    code: str
    name: str
    kind: str
    last_calibrated: dt.date | str
    interval_days: int | str = 365
    serial_no: str = ""
    location: str = ""
    certificate_no: str = ""


@dataclass(frozen=True)
class InstrumentView:
    id: int
    code: str
    name: str
    kind: str
    serial_no: str
    location: str
    interval_days: int
    last_calibrated: dt.date | None
    calibration_due: dt.date
    certificate_no: str
    active: bool
    version: int

    def status(self, today: dt.date | None = None) -> str:
        """'overdue', 'due_soon' (within the warning days) or 'ok'."""
        today = today or clock.today()
        if self.calibration_due < today:
            return "overdue"
        if (self.calibration_due - today).days <= CALIBRATION_WARNING_DAYS:
            return "due_soon"
        return "ok"


def _instrument_view(i: Instrument) -> InstrumentView:
    return InstrumentView(i.id, i.code, i.name, i.kind, i.serial_no, i.location, i.interval_days, i.last_calibrated,
                          i.calibration_due, i.certificate_no, i.active, i.version)


def create_instrument(db: Database, actor: Actor, data: InstrumentInput) -> InstrumentView:
    require(actor, "quality.instruments")
    p = Problems()
    code = text(p, "code", _("Code"), data.code, required=True, max_len=40).upper()
    name = text(p, "name", _("Name"), data.name, required=True)
    if not isinstance(data.kind, str) or data.kind not in INSTRUMENT_KINDS:
        p.add("kind", _("Unknown instrument kind {kind}.", kind=data.kind))
    calibrated = parse_date(p, "last_calibrated", _("Last calibrated"), data.last_calibrated, required=True)
    interval = positive_int(p, "interval_days", _("Calibration interval (days)"), data.interval_days, maximum=3650)
    serial = text(p, "serial_no", _("Serial no."), data.serial_no, max_len=60)
    location = text(p, "location", _("Location"), data.location, max_len=100)
    cert = text(p, "certificate_no", _("Calibration certificate"), data.certificate_no, max_len=60)
    if calibrated and calibrated > clock.today():
        p.add("last_calibrated", _("Last calibrated: {date} is in the future.", date=calibrated.isoformat()))
    p.raise_if_any()
    with unit_of_work(db) as s:
        if s.scalar(select(Instrument.id).where(Instrument.code == code)):
            raise ValidationError(_("An instrument {code} exists already.", code=code), "code")
        inst = Instrument(code=code, name=name, kind=data.kind, serial_no=serial, location=location,
                          interval_days=interval, last_calibrated=calibrated,
                          calibration_due=calibrated + dt.timedelta(days=interval), certificate_no=cert)
        s.add(inst)
        s.flush()
        audit.record(s, actor, "create", "instrument", inst.id,
                     LazyText("Instrument {code} registered, calibration due {date}", code=code,
                              date=inst.calibration_due.isoformat()), None, audit.snapshot(inst))
        return _instrument_view(inst)


def record_calibration(db: Database, actor: Actor, instrument_id: int, calibrated_on: dt.date | str,
                       certificate_no: str = "", expected_version: int | None = None) -> InstrumentView:
    require(actor, "quality.instruments")
    p = Problems()
    day = parse_date(p, "calibrated_on", _("Calibrated on"), calibrated_on, required=True)
    cert = text(p, "certificate_no", _("Calibration certificate"), certificate_no, max_len=60)
    if day and day > clock.today():
        p.add("calibrated_on", _("Calibrated on: {date} is in the future.", date=day.isoformat()))
    p.raise_if_any()
    with unit_of_work(db) as s:
        inst = s.get(Instrument, instrument_id)
        if inst is None:
            raise NotFound(_("Instrument {id} does not exist.", id=instrument_id))
        if expected_version is not None and inst.version != expected_version:
            raise ConcurrentEditError(_("Someone else changed instrument {code}. Look at it again.", code=inst.code))
        before = {"last_calibrated": inst.last_calibrated, "calibration_due": inst.calibration_due}
        inst.last_calibrated, inst.certificate_no = day, cert or inst.certificate_no
        inst.calibration_due = day + dt.timedelta(days=inst.interval_days)
        audit.record(s, actor, "calibrate", "instrument", inst.id,
                     LazyText("Instrument {code} calibrated on {day}, next due {date}", code=inst.code,
                              day=day.isoformat(), date=inst.calibration_due.isoformat()), before,
                     {"last_calibrated": day, "calibration_due": inst.calibration_due})
        s.flush()
        return _instrument_view(inst)


def list_instruments(db: Database, active_only: bool = True) -> list[InstrumentView]:
    with read_session(db) as s:
        stmt = select(Instrument).order_by(Instrument.calibration_due, Instrument.code)
        if active_only:
            stmt = stmt.where(Instrument.active.is_(True))
        return [_instrument_view(i) for i in s.scalars(stmt)]


def instruments_needing_attention(db: Database) -> list[InstrumentView]:
    return [i for i in list_instruments(db) if i.status() != "ok"]


def usable_instrument(s: Session, instrument_id: int, day: dt.date) -> Instrument:
    inst = s.get(Instrument, known_id(instrument_id)) if known_id(instrument_id) else None
    if inst is None:
        raise NotFound(_("Instrument {id} does not exist.", id=shown_id(instrument_id)))
    if not inst.active:
        raise GateError(_("Instrument {code} is out of use.", code=inst.code))
    if inst.calibration_due < day:
        raise GateError(_("Instrument {code} was due for calibration on {date}; it cannot be used for an "
                          "inspection until it is calibrated again.", code=inst.code,
                          date=inst.calibration_due.isoformat()))
    return inst


# ---- control points ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ControlPointView:
    routing_step_id: int
    product_type: str
    step_seq: int
    step_name: str
    fai_required: bool
    ipqc: bool
    frequency: str
    sample_size: int
    standard_code: str


def set_control_point(db: Database, actor: Actor, routing_step_id: int, *, fai_required: bool, ipqc: bool,
                      frequency: str = "each_batch", sample_size: int | str = 0,
                      standard_code: str = "") -> ControlPointView:
    """What quality checks at one routing step (kept by quality, beside the routing, not in it)."""
    require(actor, "quality.control_points")
    p = Problems()
    if not isinstance(frequency, str) or frequency not in FREQUENCIES:
        p.add("frequency", _("Unknown frequency {frequency}.", frequency=frequency))
    size = 0 if str(sample_size).strip() in ("", "0", "None") else (
        positive_int(p, "sample_size", _("Sample size"), sample_size, required=False, maximum=10000) or 0)
    if ipqc and size <= 0:
        p.add("sample_size", _("An in-process control point needs a sample size of at least one piece."))
    code = text(p, "standard_code", _("Standard"), standard_code, max_len=40).upper()
    p.raise_if_any()
    with unit_of_work(db) as s:
        step = s.get(RoutingStep, routing_step_id)
        if step is None:
            raise NotFound(_("Routing step {id} does not exist.", id=routing_step_id))
        point = s.scalar(select(ControlPoint).where(ControlPoint.routing_step_id == step.id))
        before = audit.snapshot(point) if point else None
        if point is None:
            point = ControlPoint(routing_step_id=step.id)
            s.add(point)
        point.fai_required, point.ipqc, point.frequency = bool(fai_required), bool(ipqc), frequency
        point.sample_size, point.standard_code = size, code
        s.flush()
        routing = s.get(RoutingTemplate, step.routing_id)
        audit.record(s, actor, "control_point", "routing_step", step.id,
                     LazyText("Control point at step {step} of {routing}: first article {fai}, in-process {ipqc}",
                              step=step.name, routing=routing.name, fai="yes" if fai_required else "no",
                              ipqc="yes" if ipqc else "no"), before, audit.snapshot(point))
        return ControlPointView(step.id, routing.product_type, step.seq, step.name, point.fai_required, point.ipqc,
                                point.frequency, point.sample_size, point.standard_code)


def list_control_points(db: Database) -> list[ControlPointView]:
    """Every routing step, with its control point where quality set one."""
    with read_session(db) as s:
        rows = s.execute(select(RoutingStep, RoutingTemplate.product_type, ControlPoint)
                         .join(RoutingTemplate, RoutingTemplate.id == RoutingStep.routing_id)
                         .outerjoin(ControlPoint, ControlPoint.routing_step_id == RoutingStep.id)
                         .order_by(RoutingTemplate.product_type, RoutingStep.seq)).all()
        return [ControlPointView(step.id, ptype, step.seq, step.name, bool(cp and cp.fai_required),
                                 bool(cp and cp.ipqc), cp.frequency if cp else "each_batch",
                                 cp.sample_size if cp else 0, cp.standard_code if cp else "")
                for step, ptype, cp in rows]


def control_point_of_plan_step(s: Session, plan_step) -> ControlPoint | None:
    """The control point of a plan step: the one at the routing step it was made from. A step planned before plan
    steps kept their routing step (or whose routing step could not be told apart) falls back to the routing step
    with the same name and workshop."""
    if plan_step.routing_step_id is not None:
        return s.scalar(select(ControlPoint).where(ControlPoint.routing_step_id == plan_step.routing_step_id))
    return s.scalar(select(ControlPoint).join(RoutingStep, RoutingStep.id == ControlPoint.routing_step_id)
                    .where(RoutingStep.name == plan_step.name, RoutingStep.workshop_id == plan_step.workshop_id)
                    .order_by(ControlPoint.fai_required.desc()).limit(1))


def count_standards(db: Database) -> int:
    with read_session(db) as s:
        return int(s.scalar(select(func.count(QualityStandard.id))) or 0)
