"""Inspections: incoming material (IQC, by lot), first article (FAI, per task sheet), in-process (IPQC, at a
control point) and final (FQC, the order's whole quantity or an AQL sample). The inspector enters a value for
every characteristic of the standard in force; pass/fail follows from the standard, and a failure opens an NCR."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ... import clock
from ...db import Database
from ...i18n import LazyText, _
from ...models.materials import Lot
from ...models.orders import Order
from ...models.planning import PlanStep, TaskSheet
from ...models.quality import (
    INSPECTION_KINDS,
    INSPECTION_RESULTS,
    SAMPLING,
    Inspection,
    InspectionResult,
    Ncr,
    QualityCharacteristic,
    QualityStandard,
)
from ...models.users import DEPARTMENTS, User
from .. import audit, stages
from ..context import Actor, read_session, unit_of_work
from ..errors import GateError, NotFound, ValidationError
from ..permissions import require
from ..sequences import next_number
from ..validation import LONG_TEXT, Problems, positive_int, text
from .common import judge, known_id, read_measurement, shown_id
from .master import control_point_of_plan_step, in_force, usable_instrument

KIND_PERMISSION = {"iqc": "quality.inspect_iqc", "fai": "quality.inspect_fai", "ipqc": "quality.inspect",
                   "fqc": "quality.inspect"}
FQC_STAGES = ("in_production", "final_qc")


@dataclass
class Measurement:
    characteristic_id: int
    value: str | Decimal | bool | None
    instrument_id: int | None = None
    note: str = ""


@dataclass
class InspectionInput:
    kind: str
    standard_id: int
    measurements: list[Measurement]
    order_id: int | None = None
    lot_id: int | None = None
    task_sheet_id: int | None = None
    reinspects_ncr_id: int | None = None
    sampling: str = "full"
    aql: str = ""
    quantity: int | str | None = None        # pieces the decision covers (FQC: of the order; IQC: 1 lot)
    sample_size: int | str | None = None     # pieces looked at (AQL); the whole quantity otherwise
    quantity_failed: int | str | None = None  # pieces found bad when it fails (default: all looked at)
    note: str = ""
    found_where: str = ""
    responsible_department: str = ""
    responsible_person_id: int | None = None


@dataclass(frozen=True)
class ResultView:
    characteristic_id: int
    seq: int
    kind: str
    name: str
    nominal: Decimal | None
    tol_minus: Decimal | None
    tol_plus: Decimal | None
    unit: str
    criterion: str
    method: str
    measured: Decimal | None
    passed: bool
    instrument_code: str
    instrument_name: str
    note: str


@dataclass(frozen=True)
class InspectionView:
    id: int
    inspection_no: str
    kind: str
    standard_id: int
    standard_code: str
    standard_version: int
    standard_title: str
    order_id: int | None
    order_no: str
    lot_no: str
    sheet_no: str
    step_name: str
    reinspects_ncr_no: str
    sampling: str
    aql: str
    quantity: int
    sample_size: int
    quantity_passed: int
    quantity_failed: int
    result: str
    inspected_at: dt.datetime
    inspector: str
    note: str
    ncr_no: str
    results: tuple[ResultView, ...] = field(default=())


def _user_name(s: Session, user_id: int | None) -> str:
    if not user_id:
        return ""
    user = s.get(User, user_id)
    return user.display_name if user else ""


def inspection_view(s: Session, ins: Inspection) -> InspectionView:
    from ...models.quality import Instrument

    st = ins.standard
    order = s.get(Order, ins.order_id) if ins.order_id else None
    lot = s.get(Lot, ins.lot_id) if ins.lot_id else None
    sheet = s.get(TaskSheet, ins.task_sheet_id) if ins.task_sheet_id else None
    reinspected = s.get(Ncr, ins.reinspects_ncr_id) if ins.reinspects_ncr_id else None
    ncr_no = s.scalar(select(Ncr.ncr_no).where(Ncr.inspection_id == ins.id)) or ""
    results = []
    for r in ins.results:
        c = r.characteristic
        inst = s.get(Instrument, r.instrument_id) if r.instrument_id else None
        results.append(ResultView(c.id, c.seq, c.kind, c.name, c.nominal, c.tol_minus, c.tol_plus, c.unit,
                                  c.criterion, c.method, r.measured, r.passed, inst.code if inst else "",
                                  inst.name if inst else "", r.note))
    results.sort(key=lambda r: r.seq)
    return InspectionView(ins.id, ins.inspection_no, ins.kind, st.id, st.code, st.version_no, st.title, ins.order_id,
                          order.order_no if order else "", lot.lot_no if lot else "",
                          sheet.sheet_no if sheet else "", sheet.step.name if sheet else "",
                          reinspected.ncr_no if reinspected else "", ins.sampling, ins.aql, ins.quantity,
                          ins.sample_size, ins.quantity_passed, ins.quantity_failed, ins.result, ins.inspected_at,
                          _user_name(s, ins.inspector_id), ins.note, ncr_no, tuple(results))


def fqc_passed_quantity(s: Session, order_id: int) -> int:
    """Pieces of the order released by final inspection: passed FQC (re-inspections included) and pieces
    accepted by concession on a final-inspection NCR."""
    passed = s.scalar(select(func.coalesce(func.sum(Inspection.quantity_passed), 0))
                      .where(Inspection.order_id == order_id, Inspection.kind == "fqc")) or 0
    conceded = s.scalar(select(func.coalesce(func.sum(Ncr.quantity), 0))
                        .join(Inspection, Inspection.id == Ncr.inspection_id)
                        .where(Ncr.order_id == order_id, Inspection.kind == "fqc",
                               Ncr.disposition == "concession")) or 0
    return int(passed) + int(conceded)


def open_ncrs(s: Session, order_id: int) -> list[str]:
    return list(s.scalars(select(Ncr.ncr_no).where(Ncr.order_id == order_id, Ncr.status != "closed")
                          .order_by(Ncr.ncr_no)))


def release_if_done(s: Session, actor: Actor, order: Order) -> bool:
    """Final inspection passed for the whole quantity and no NCR open: the order is ready to ship."""
    if order.stage not in FQC_STAGES:
        return False
    if fqc_passed_quantity(s, order.id) < order.total_quantity or open_ncrs(s, order.id):
        return False
    if order.stage == "in_production":
        stages.move(s, actor, order, "final_qc", LazyText("production finished; final inspection done"))
    stages.move(s, actor, order, "ready_to_ship",
                LazyText("final inspection passed for all {qty} pieces", qty=order.total_quantity))
    return True


def _standard_for_inspection(s: Session, standard_id: int, day: dt.date) -> QualityStandard:
    st = s.get(QualityStandard, standard_id)
    if st is None:
        raise NotFound(_("Quality standard {id} does not exist.", id=standard_id))
    current = in_force(s, st.code, day)
    if current is None or current.id != st.id:
        if st.effective_from > day:
            raise ValidationError(_("Version {n} of standard {code} takes effect on {date}; inspect against the "
                                    "version in force today.", n=st.version_no, code=st.code,
                                    date=st.effective_from.isoformat()), "standard")
        raise ValidationError(_("Version {n} of standard {code} was superseded by version {m} on {date}; inspect "
                                "against the version in force.", n=st.version_no, code=st.code,
                                m=current.version_no, date=current.effective_from.isoformat()), "standard")
    return st


def _default_responsible(kind: str, sheet: TaskSheet | None) -> tuple[str, int | None]:
    if kind == "iqc":
        return "purchasing", None
    if sheet is not None:
        return "production", sheet.step.responsible_id
    return "production", None


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _zero(value: object) -> bool:
    """0 as typed or given (an int, float, Decimal or "0"); a signalling NaN is not compared, it is not zero."""
    if isinstance(value, bool):
        return False
    if isinstance(value, Decimal):
        return value.is_zero()
    if isinstance(value, (int, float)):
        return value == 0
    return isinstance(value, str) and value.strip() == "0"


def _check_keys(data: InspectionInput) -> None:
    """Every record the inspection names is given by its id: anything else (a text, a list, a number beyond the
    database's integers) is not found, before any lookup."""
    for value, message in (
            (data.standard_id, lambda v: _("Quality standard {id} does not exist.", id=v)),
            (data.reinspects_ncr_id, lambda v: _("NCR {id} does not exist.", id=v)),
            (data.lot_id, lambda v: _("Lot {id} does not exist.", id=v)),
            (data.task_sheet_id, lambda v: _("Task sheet {id} does not exist.", id=v)),
            (data.order_id, lambda v: _("Order {id} does not exist.", id=v)),
            (data.responsible_person_id, lambda v: _("User {id} does not exist.", id=v))):
        if value is not None and not known_id(value):
            raise NotFound(message(shown_id(value)))


def record_inspection(db: Database, actor: Actor, data: InspectionInput) -> InspectionView:
    """Record an inspection with every characteristic's value; a failure opens an NCR in the same transaction;
    IQC releases or rejects the lot; FQC of the whole quantity (no NCR open) makes the order ready to ship."""
    if not isinstance(data.kind, str) or data.kind not in INSPECTION_KINDS:
        raise ValidationError(_("Unknown inspection kind {kind}.", kind=str(data.kind)[:40]), "kind")
    require(actor, KIND_PERMISSION[data.kind])
    _check_keys(data)
    p = Problems()
    note = text(p, "note", _("Note"), data.note, max_len=LONG_TEXT)
    where = text(p, "found_where", _("Where found"), data.found_where)
    if not isinstance(data.sampling, str) or data.sampling not in SAMPLING:
        p.add("sampling", _("Unknown sampling {sampling}.", sampling=data.sampling))
    aql = text(p, "aql", _("AQL"), data.aql, max_len=8)
    if not isinstance(data.responsible_department, str) or (data.responsible_department
                                                            and data.responsible_department not in DEPARTMENTS):
        p.add("responsible_department", _("Unknown department {department}.",
                                          department=str(data.responsible_department)[:40]))
    if data.sampling == "aql" and not aql:
        p.add("aql", _("An AQL sample needs its acceptance quality limit (e.g. 1.0)."))
    p.raise_if_any()
    now = clock.now()
    today = clock.today()
    with unit_of_work(db) as s:
        st = _standard_for_inspection(s, data.standard_id, today)
        order = lot = sheet = ncr = None
        control_point = None
        if data.reinspects_ncr_id is not None:
            ncr = s.get(Ncr, data.reinspects_ncr_id, with_for_update={"of": Ncr})
            if ncr is None:
                raise NotFound(_("NCR {id} does not exist.", id=data.reinspects_ncr_id))
            if ncr.status == "closed" or ncr.disposition not in ("rework", "repair"):
                raise GateError(_("{ncr_no} is not waiting for a re-inspection: only an open NCR dispositioned to "
                                  "rework or repair is re-inspected.", ncr_no=ncr.ncr_no))
            if ncr.inspection.kind != data.kind:
                raise ValidationError(_("{ncr_no} came from a {kind}; re-inspect it the same way.",
                                        ncr_no=ncr.ncr_no, kind=_(INSPECTION_KINDS[ncr.inspection.kind])), "kind")
            data.order_id = data.order_id or ncr.order_id
            data.lot_id = data.lot_id or ncr.lot_id
            data.task_sheet_id = data.task_sheet_id or ncr.task_sheet_id
        if data.kind == "iqc":
            if data.lot_id is None:
                raise ValidationError(_("Incoming inspection is of a lot: choose the lot."), "lot")
            lot = s.get(Lot, data.lot_id, with_for_update={"of": Lot})
            if lot is None:
                raise NotFound(_("Lot {id} does not exist.", id=data.lot_id))
            if ncr is None and lot.status != "quarantined":
                raise GateError(_("Lot {lot_no} is no longer in quarantine; incoming inspection decides a lot "
                                  "once.", lot_no=lot.lot_no))
            if st.scope != "material":
                raise ValidationError(_("Standard {code} is for products; incoming material is inspected against "
                                        "a material standard.", code=st.code), "standard")
        elif data.kind in ("fai", "ipqc"):
            if data.task_sheet_id is None:
                raise ValidationError(_("This inspection is of a step's batch: choose its task sheet."),
                                      "task_sheet")
            sheet = s.get(TaskSheet, data.task_sheet_id)
            if sheet is None:
                raise NotFound(_("Task sheet {id} does not exist.", id=data.task_sheet_id))
            if sheet.status == "void":
                raise GateError(_("Task sheet {sheet_no} is void.", sheet_no=sheet.sheet_no))
            data.order_id = sheet.order_id
            control_point = control_point_of_plan_step(s, sheet.step)
            if data.kind == "ipqc" and (control_point is None or not control_point.ipqc):
                raise GateError(_("Step {step} is not an in-process control point; quality sets control points "
                                  "in the Quality tab.", step=sheet.step.name))
        if data.kind != "iqc":
            if st.scope != "product":
                raise ValidationError(_("Standard {code} is for incoming material; products are inspected against "
                                        "a product standard.", code=st.code), "standard")
            if data.order_id is None:
                raise ValidationError(_("Choose the order inspected."), "order")
            order = s.get(Order, data.order_id, with_for_update={"of": Order})
            if order is None:
                raise NotFound(_("Order {id} does not exist.", id=data.order_id))
            if data.kind == "fqc" and order.stage not in FQC_STAGES:
                raise GateError(_("Order {order_no} is {stage}; final inspection is of an order in production or "
                                  "in final QC.", order_no=order.order_no, stage=stages.stage_label(order.stage)))
        # Quantities.
        default_qty = 1 if data.kind == "iqc" else (ncr.quantity if ncr else
                                                    (order.total_quantity if data.kind == "fqc" else None))
        qty = positive_int(p, "quantity", _("Quantity"), default_qty if _blank(data.quantity) else data.quantity,
                           maximum=10_000_000)
        if data.kind == "fqc" and qty and ncr is None:
            remaining = order.total_quantity - fqc_passed_quantity(s, order.id)
            if qty > remaining:
                p.add("quantity", _("Order {order_no} has {remaining} pieces left to pass final inspection; {qty} "
                                    "cannot be inspected.", order_no=order.order_no, remaining=remaining, qty=qty))
        if ncr is not None and qty and qty > ncr.quantity:
            p.add("quantity", _("{ncr_no} concerns {n} pieces; re-inspect at most those.", ncr_no=ncr.ncr_no,
                                n=ncr.quantity))
        sample = qty
        if data.sampling == "aql":
            sample = positive_int(p, "sample_size", _("Sample size"), data.sample_size, maximum=10_000_000)
            if sample and qty and sample > qty:
                p.add("sample_size", _("The sample ({sample}) cannot be larger than the quantity ({qty}).",
                                       sample=sample, qty=qty))
        # Values.
        chars = {c.id: c for c in st.characteristics}
        measurements = (data.measurements if isinstance(data.measurements, (list, tuple)) else
                        [] if data.measurements is None else [data.measurements])
        given = {m.characteristic_id: m for m in measurements
                 if isinstance(m, Measurement) and known_id(m.characteristic_id)}
        stray = [cid for cid in given if cid not in chars] + [m for m in measurements if not (
            isinstance(m, Measurement) and known_id(m.characteristic_id))]
        if stray:
            p.add("measurements", _("A value was given for a characteristic that is not in standard {code} version "
                                    "{n}.", code=st.code, n=st.version_no))
        results: list[InspectionResult] = []
        for c in sorted(chars.values(), key=lambda c: c.seq):
            m = given.get(c.id)
            fld = f"measurements[{c.seq}]"
            if m is None:
                p.add(fld, _("{field}: enter the value measured.", field=c.name))
                continue
            measured, verdict = read_measurement(p, fld, c, m.value)
            instrument_id = m.instrument_id
            if c.unit and instrument_id is None:
                p.add(fld + ".instrument", _("{field}: choose the instrument it was measured with.", field=c.name))
            if instrument_id is not None:
                usable_instrument(s, instrument_id, today)
            if measured is None and verdict is None:
                continue
            results.append(InspectionResult(characteristic_id=c.id, measured=measured,
                                            passed=judge(c, measured, verdict), instrument_id=instrument_id,
                                            note=text(p, fld + ".note", c.name, m.note, max_len=LONG_TEXT)))
        p.raise_if_any()
        if data.responsible_person_id is not None and s.get(User, data.responsible_person_id) is None:
            raise NotFound(_("User {id} does not exist.", id=data.responsible_person_id))
        passed = all(r.passed for r in results)
        failed_count = 0
        if not passed:
            if _blank(data.quantity_failed):
                failed_count = sample
            else:
                failed_count = positive_int(p, "quantity_failed", _("Pieces failed"), data.quantity_failed,
                                            maximum=10_000_000) or 0
                if failed_count > sample:
                    p.add("quantity_failed", _("{n} pieces cannot fail out of {sample} inspected.", n=failed_count,
                                               sample=sample))
        elif not _blank(data.quantity_failed) and not _zero(data.quantity_failed):
            p.add("quantity_failed", _("Every characteristic passed; no piece can be counted as failed."))
        p.raise_if_any()
        if passed:
            quantity_passed = qty
        elif data.sampling == "aql":
            quantity_passed, failed_count = 0, qty  # a failed sample rejects the whole quantity
        else:
            quantity_passed = qty - failed_count
        number = next_number(s, "inspection", today.year)
        ins = Inspection(inspection_no=number, kind=data.kind, standard_id=st.id, order_id=order.id if order else None,
                         lot_id=lot.id if lot else None, task_sheet_id=sheet.id if sheet else None,
                         control_point_id=control_point.id if control_point else None,
                         reinspects_ncr_id=ncr.id if ncr else None, sampling=data.sampling, aql=aql, quantity=qty,
                         sample_size=sample, quantity_passed=quantity_passed,
                         quantity_failed=failed_count if not passed else 0,
                         result="passed" if passed else "failed", inspected_at=now, inspector_id=actor.user_id,
                         note=note, results=results)
        s.add(ins)
        s.flush()
        audit.record(s, actor, "inspect", "inspection", ins.id,
                     LazyText("{kind} {number} against {code} v{n}: {result}", kind=LazyText(INSPECTION_KINDS[data.kind]),
                              number=number, code=st.code, n=st.version_no,
                              result=LazyText(INSPECTION_RESULTS[ins.result])),
                     None, {"result": ins.result, "quantity": qty, "passed": quantity_passed},
                     order_id=order.id if order else None)
        if not passed:
            from .ncr import open_ncr_in

            dept, person = _default_responsible(data.kind, sheet)
            failing = [r for r in results if not r.passed]
            open_ncr_in(s, actor, ins, quantity=ins.quantity_failed, where=where or (sheet.step.name if sheet else ""),
                        department=data.responsible_department or dept,
                        person_id=data.responsible_person_id or person,
                        defect_kind=chars[failing[0].characteristic_id].kind if failing else "",
                        description=_("Failed: {names}", names=", ".join(chars[r.characteristic_id].name
                                                                         for r in failing)) +
                        (f" — {note}" if note else ""), batch=(sheet.sheet_no if sheet else lot.lot_no if lot else
                                                              order.order_no if order else ""))
        if lot is not None:
            from ..materials.stock import decide_lot_in

            if ncr is None:
                decide_lot_in(s, actor, lot, release=passed,
                              reason=_("incoming inspection {number}", number=number))
            elif passed and lot.status == "rejected":
                decide_lot_in(s, actor, lot, release=True, reason=_("re-inspection {number} passed", number=number),
                              from_statuses=("rejected",))
        if order is not None and data.kind == "fqc":
            release_if_done(s, actor, order)
        return inspection_view(s, ins)


def get_inspection(db: Database, inspection_no: str) -> InspectionView:
    with read_session(db) as s:
        ins = s.scalar(select(Inspection).where(Inspection.inspection_no == inspection_no.strip().upper()))
        if ins is None:
            raise NotFound(_("There is no inspection {number}.", number=inspection_no))
        return inspection_view(s, ins)


@dataclass(frozen=True)
class InspectionRow:
    id: int
    inspection_no: str
    kind: str
    subject: str
    standard: str
    quantity: int
    quantity_passed: int
    result: str
    inspected_at: dt.datetime
    inspector: str


def list_inspections(db: Database, *, kind: str | None = None, order_id: int | None = None,
                     date_from: dt.date | None = None, date_to: dt.date | None = None,
                     limit: int = 500) -> list[InspectionRow]:
    with read_session(db) as s:
        stmt = (select(Inspection, QualityStandard.code, QualityStandard.version_no, Order.order_no, Lot.lot_no,
                       TaskSheet.sheet_no, User.display_name)
                .join(QualityStandard, QualityStandard.id == Inspection.standard_id)
                .outerjoin(Order, Order.id == Inspection.order_id)
                .outerjoin(Lot, Lot.id == Inspection.lot_id)
                .outerjoin(TaskSheet, TaskSheet.id == Inspection.task_sheet_id)
                .outerjoin(User, User.id == Inspection.inspector_id)
                .order_by(Inspection.inspected_at.desc(), Inspection.id.desc()).limit(limit))
        if kind:
            stmt = stmt.where(Inspection.kind == kind)
        if order_id:
            stmt = stmt.where(Inspection.order_id == order_id)
        if date_from:
            stmt = stmt.where(Inspection.inspected_at >= _start(date_from))
        if date_to:
            stmt = stmt.where(Inspection.inspected_at < _start(date_to + dt.timedelta(days=1)))
        return [InspectionRow(i.id, i.inspection_no, i.kind,
                              " / ".join(x for x in (order_no, sheet_no, lot_no) if x), f"{code} v{n}", i.quantity,
                              i.quantity_passed, i.result, i.inspected_at, inspector or "")
                for i, code, n, order_no, lot_no, sheet_no, inspector in s.execute(stmt)]


def _start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0)).astimezone(dt.timezone.utc)


def fai_passed(s: Session, sheet_id: int) -> bool:
    return bool(s.scalar(select(Inspection.id).where(Inspection.task_sheet_id == sheet_id, Inspection.kind == "fai",
                                                     Inspection.result == "passed").limit(1)))


def sheet_of_step(s: Session, step: PlanStep) -> TaskSheet | None:
    return s.scalars(select(TaskSheet).where(TaskSheet.plan_step_id == step.id)
                     .order_by(TaskSheet.status == "void", TaskSheet.id.desc())).first()


@dataclass(frozen=True)
class InspectableSheet:
    sheet_id: int
    sheet_no: str
    order_id: int
    order_no: str
    step_name: str
    fai_required: bool
    fai_passed: bool
    ipqc: bool


def sheets_to_inspect(db: Database, limit: int = 300) -> list[InspectableSheet]:
    """Issued task sheets of orders in production, with what their step's control point asks for."""
    with read_session(db) as s:
        rows = s.execute(select(TaskSheet, Order.order_no).join(Order, Order.id == TaskSheet.order_id)
                         .where(TaskSheet.status == "issued", Order.stage.in_(("planned", "in_production")))
                         .order_by(Order.order_no, TaskSheet.seq).limit(limit)).all()
        out = []
        for sheet, order_no in rows:
            cp = control_point_of_plan_step(s, sheet.step)
            out.append(InspectableSheet(sheet.id, sheet.sheet_no, sheet.order_id, order_no, sheet.step.name,
                                        bool(cp and cp.fai_required), fai_passed(s, sheet.id), bool(cp and cp.ipqc)))
        return out


def characteristic(s: Session, cid: int) -> QualityCharacteristic | None:
    return s.get(QualityCharacteristic, cid)


@dataclass(frozen=True)
class Subject:
    order_id: int | None = None
    lot_id: int | None = None
    task_sheet_id: int | None = None
    label: str = ""


def resolve_subject(db: Database, kind: str, number: str) -> Subject:
    """The lot (IQC), task sheet (FAI, IPQC) or order (FQC) a number typed or scanned names."""
    number = (number or "").strip().upper()
    if not number:
        raise ValidationError(_("Type or scan the number of what is inspected."), "subject")
    with read_session(db) as s:
        if kind == "iqc":
            lot = s.scalar(select(Lot).where(Lot.lot_no == number))
            if lot is None:
                raise NotFound(_("There is no lot {lot_no}.", lot_no=number))
            return Subject(lot_id=lot.id, label=lot.lot_no)
        if kind in ("fai", "ipqc"):
            sheet = s.scalar(select(TaskSheet).where(TaskSheet.sheet_no == number))
            if sheet is None:
                raise NotFound(_("No task sheet has the number {sheet_no}. Check the barcode or type the number "
                                 "printed under it.", sheet_no=number))
            return Subject(order_id=sheet.order_id, task_sheet_id=sheet.id, label=f"{sheet.sheet_no} {sheet.step.name}")
        order = s.scalar(select(Order).where(Order.order_no == number))
        if order is None:
            raise NotFound(_("There is no order {order_no}.", order_no=number))
        return Subject(order_id=order.id, label=order.order_no)
