"""Nonconformance reports: opened by a failed inspection; disposition (rework, repair, scrap, concession with the
customer's approval) by the quality head; corrective action, the responsible department's rectification report,
quality's verification of effectiveness, and only then closing. Repeat offences counted for management."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ... import clock
from ...db import Database
from ...i18n import LazyText, _
from ...models.materials import Lot
from ...models.orders import Order
from ...models.planning import TaskSheet
from ...models.quality import (
    CHARACTERISTIC_KINDS,
    DISPOSITIONS,
    ROOT_CAUSE_METHODS,
    Inspection,
    Ncr,
    QualityPhoto,
)
from ...models.users import DEPARTMENTS, Setting, User
from .. import audit, gates
from ..context import Actor, read_session, unit_of_work
from ..errors import ConcurrentEditError, GateError, NotFound, PermissionDenied, ValidationError
from ..permissions import require
from ..sequences import next_number
from ..validation import LONG_TEXT, Problems, parse_date, positive_int, text
from .common import DEFAULT_REPEAT_THRESHOLD, REPEAT_THRESHOLD_SETTING, known_id, shown_id


def open_ncr_in(s: Session, actor: Actor, ins: Inspection, *, quantity: int, where: str, department: str,
                person_id: int | None, defect_kind: str, description: str, batch: str) -> Ncr:
    """Open an NCR for a failed inspection inside its transaction."""
    if not isinstance(department, str) or department not in DEPARTMENTS:
        raise ValidationError(_("Unknown department {department}.", department=department), "responsible_department")
    ncr = Ncr(ncr_no=next_number(s, "ncr", clock.today().year), inspection_id=ins.id, order_id=ins.order_id,
              lot_id=ins.lot_id, task_sheet_id=ins.task_sheet_id, status="open", description=description[:LONG_TEXT],
              defect_kind=defect_kind, found_at=ins.inspected_at, found_where=where[:200], batch=batch[:60],
              quantity=max(quantity, 1), responsible_department=department, responsible_person_id=person_id)
    s.add(ncr)
    s.flush()
    audit.record(s, actor, "open", "ncr", ncr.id,
                 LazyText("{ncr_no} opened by failed inspection {number}: {qty} pieces", ncr_no=ncr.ncr_no,
                          number=ins.inspection_no, qty=ncr.quantity), None, audit.snapshot(ncr),
                 order_id=ins.order_id)
    return ncr


def _load(s: Session, ncr_id: int, expected_version: int | None) -> Ncr:
    ncr = s.get(Ncr, ncr_id, with_for_update={"of": Ncr}) if known_id(ncr_id) else None
    if ncr is None:
        raise NotFound(_("NCR {id} does not exist.", id=shown_id(ncr_id)))
    if expected_version is not None and ncr.version != expected_version:
        raise ConcurrentEditError(_("Someone else changed {ncr_no}. Look at it again.", ncr_no=ncr.ncr_no))
    if ncr.status == "closed":
        raise GateError(_("{ncr_no} is closed.", ncr_no=ncr.ncr_no))
    return ncr


def _order(s: Session, ncr: Ncr) -> Order | None:
    return s.get(Order, ncr.order_id) if ncr.order_id else None


# ---- disposition -------------------------------------------------------------------------------------------------

def decide_disposition(db: Database, actor: Actor, ncr_id: int, disposition: str, *, note: str = "",
                       customer_approval: str = "", metal_recovered_g: str | None = None,
                       sheet_id: int | None = None, expected_version: int | None = None) -> "NcrView":
    """Rework, repair, scrap or use as is by concession. Rework and repair put a step into the progress ledger;
    a concession needs the customer's approval written down; scrap records the metal recovered."""
    require(actor, "quality.disposition")
    p = Problems()
    if not isinstance(disposition, str) or disposition not in DISPOSITIONS:
        p.add("disposition", _("Choose rework, repair, scrap or concession."))
    note = text(p, "note", _("Reason"), note, required=True, max_len=LONG_TEXT)
    approval = text(p, "customer_approval", _("Customer's approval"), customer_approval, max_len=LONG_TEXT)
    if disposition == "concession" and not approval:
        p.add("customer_approval", _("A concession needs the customer's approval: write who approved it, when and "
                                     "how (letter, e-mail)."))
    if sheet_id is not None and not known_id(sheet_id):
        p.add("sheet", _("Task sheet {id} does not exist.", id=shown_id(sheet_id)))
    metal_mg = None
    if disposition == "scrap":
        from ..materials.common import quantity as read_quantity

        metal_mg = read_quantity(p, "metal_recovered", _("Metal recovered (g)"), metal_recovered_g, "g",
                                 allow_zero=True)
    p.raise_if_any()
    with unit_of_work(db) as s:
        ncr = _load(s, ncr_id, expected_version)
        if ncr.status != "open":
            raise GateError(_("{ncr_no} already has its disposition ({disposition}).", ncr_no=ncr.ncr_no,
                              disposition=_(DISPOSITIONS[ncr.disposition])))
        order = _order(s, ncr)
        if disposition in ("rework", "repair"):
            if order is None:
                raise GateError(_("{ncr_no} is about incoming material; material is scrapped (returned) or used by "
                                  "concession, not reworked.", ncr_no=ncr.ncr_no))
            sheet = sheet_id or ncr.task_sheet_id or s.scalar(
                select(TaskSheet.id).where(TaskSheet.order_id == order.id, TaskSheet.status == "issued")
                .order_by(TaskSheet.seq.desc()).limit(1))
            entry = gates.ask(s, "ledger.rework", None, actor=actor, order=order, sheet_id=sheet,
                              quantity=ncr.quantity,
                              reason=LazyText("{what} of {ncr_no}", what=LazyText(DISPOSITIONS[disposition]),
                                              ncr_no=ncr.ncr_no), ncr_no=ncr.ncr_no)
            if entry is None:
                raise GateError(_("The progress ledger is not available, so the {what} step cannot be recorded; "
                                  "nothing was saved.", what=_(DISPOSITIONS[disposition])))
            ncr.ledger_entry_no = str(entry)[:40]
        before = {"status": ncr.status, "disposition": None}
        ncr.status, ncr.disposition, ncr.disposition_note = "dispositioned", disposition, note
        ncr.decided_by_id, ncr.decided_at = actor.user_id, clock.now()
        ncr.customer_approval = approval if disposition == "concession" else ""
        ncr.metal_recovered_mg = metal_mg
        if disposition == "concession" and ncr.lot_id:
            lot = s.get(Lot, ncr.lot_id, with_for_update={"of": Lot})
            if lot is not None and lot.status == "rejected":
                from ..materials.stock import decide_lot_in

                decide_lot_in(s, actor, lot, release=True, reason=_("concession {ncr_no}", ncr_no=ncr.ncr_no),
                              from_statuses=("rejected",))
        s.flush()
        audit.record(s, actor, "disposition", "ncr", ncr.id,
                     LazyText("{ncr_no}: {disposition} decided — {reason}", ncr_no=ncr.ncr_no,
                              disposition=LazyText(DISPOSITIONS[disposition]), reason=note), before,
                     {"status": ncr.status, "disposition": disposition, "ledger_entry_no": ncr.ledger_entry_no,
                      "metal_recovered_mg": metal_mg}, order_id=ncr.order_id)
        return ncr_view(s, ncr)


# ---- corrective action -------------------------------------------------------------------------------------------

def record_corrective_action(db: Database, actor: Actor, ncr_id: int, *, method: str, root_cause: str | list[str],
                             action: str, owner_id: int | None, due: dt.date | str,
                             expected_version: int | None = None) -> "NcrView":
    require(actor, "quality.corrective")
    p = Problems()
    if not isinstance(method, str) or method not in ROOT_CAUSE_METHODS:
        p.add("method", _("Choose 5-why or free text."))
    if isinstance(root_cause, (list, tuple)):
        whys = [text(p, f"why[{i}]", _("Why {n}", n=i + 1), w, max_len=LONG_TEXT) for i, w in enumerate(root_cause)]
        whys = [w for w in whys if w]
        if method == "five_why" and not whys:
            p.add("root_cause", _("Answer at least the first why."))
        cause = "\n".join(f"{i + 1}. {w}" for i, w in enumerate(whys))
    else:
        cause = text(p, "root_cause", _("Root cause"), root_cause, required=True, max_len=LONG_TEXT)
    act = text(p, "action", _("Corrective action"), action, required=True, max_len=LONG_TEXT)
    due_date = parse_date(p, "due", _("Due date"), due, required=True)
    if owner_id is None:
        p.add("owner", _("Name the person who owns the action."))
    p.raise_if_any()
    with unit_of_work(db) as s:
        ncr = _load(s, ncr_id, expected_version)
        _may_act_for(actor, ncr)
        if owner_id is not None and (not known_id(owner_id) or s.get(User, owner_id) is None):
            raise NotFound(_("User {id} does not exist.", id=shown_id(owner_id)))
        before = {"root_cause": ncr.root_cause, "action": ncr.action}
        ncr.root_cause_method, ncr.root_cause, ncr.action = method, cause, act
        ncr.action_owner_id, ncr.action_due = owner_id, due_date
        s.flush()
        audit.record(s, actor, "corrective_action", "ncr", ncr.id,
                     LazyText("{ncr_no}: corrective action set, due {date}", ncr_no=ncr.ncr_no,
                              date=due_date.isoformat()), before, {"root_cause": cause, "action": act},
                     order_id=ncr.order_id)
        return ncr_view(s, ncr)


def _may_act_for(actor: Actor, ncr: Ncr) -> None:
    if actor.department in ("quality", ncr.responsible_department) or actor.role in ("manager", "administrator") \
            or actor.department == "management":
        return
    raise PermissionDenied(_("{user} is not in the department responsible for {ncr_no} ({department}).",
                             user=actor.display_name or actor.username, ncr_no=ncr.ncr_no,
                             department=_(DEPARTMENTS.get(ncr.responsible_department, ncr.responsible_department))))


def submit_rectification(db: Database, actor: Actor, ncr_id: int, report: str,
                         expected_version: int | None = None) -> "NcrView":
    """The responsible department reports what it did."""
    require(actor, "quality.corrective")
    p = Problems()
    report = text(p, "rectification", _("Rectification report"), report, required=True, max_len=LONG_TEXT)
    p.raise_if_any()
    with unit_of_work(db) as s:
        ncr = _load(s, ncr_id, expected_version)
        _may_act_for(actor, ncr)
        if not ncr.action:
            raise GateError(_("{ncr_no} has no corrective action yet; record the root cause and action first.",
                              ncr_no=ncr.ncr_no))
        ncr.rectification, ncr.rectified_by_id, ncr.rectified_at = report, actor.user_id, clock.now()
        ncr.verified_effective = None
        s.flush()
        audit.record(s, actor, "rectification", "ncr", ncr.id,
                     LazyText("{ncr_no}: rectification report submitted", ncr_no=ncr.ncr_no), None,
                     {"rectification": report}, order_id=ncr.order_id)
        return ncr_view(s, ncr)


def verify(db: Database, actor: Actor, ncr_id: int, *, effective: bool, note: str,
           expected_version: int | None = None) -> "NcrView":
    """Quality re-checks: effective lets the NCR close; not effective sends it back for a new rectification."""
    require(actor, "quality.verify")
    p = Problems()
    note = text(p, "verification_note", _("Verification"), note, required=True, max_len=LONG_TEXT)
    if not isinstance(effective, bool):  # "no", 0 or a list would read as a yes
        p.add("effective", _("Say whether the corrective action was effective: yes or no."))
    p.raise_if_any()
    with unit_of_work(db) as s:
        ncr = _load(s, ncr_id, expected_version)
        if ncr.rectified_at is None:
            raise GateError(_("{ncr_no} has no rectification report to verify; the responsible department submits "
                              "it first.", ncr_no=ncr.ncr_no))
        ncr.verified_effective, ncr.verification_note = bool(effective), note
        ncr.verified_by_id, ncr.verified_at = actor.user_id, clock.now()
        if not effective:
            ncr.rectified_at = None  # the department acts again and reports again
        s.flush()
        audit.record(s, actor, "verify", "ncr", ncr.id,
                     LazyText("{ncr_no}: corrective action verified effective", ncr_no=ncr.ncr_no) if effective else
                     LazyText("{ncr_no}: corrective action not effective — {note}", ncr_no=ncr.ncr_no, note=note),
                     None, {"verified_effective": bool(effective)}, order_id=ncr.order_id)
        return ncr_view(s, ncr)


def reinspection_passed(s: Session, ncr: Ncr) -> int:
    return int(s.scalar(select(func.coalesce(func.sum(Inspection.quantity_passed), 0))
                        .where(Inspection.reinspects_ncr_id == ncr.id, Inspection.result == "passed")) or 0)


def close_blockers(s: Session, ncr: Ncr) -> list[str]:
    out = []
    if ncr.disposition is None:
        out.append(_("no disposition decided"))
    elif ncr.disposition in ("rework", "repair") and reinspection_passed(s, ncr) < ncr.quantity:
        out.append(_("the reworked pieces have not passed re-inspection"))
    if not ncr.action:
        out.append(_("no corrective action"))
    elif ncr.rectified_at is None:
        out.append(_("no rectification report"))
    elif not ncr.verified_effective:
        out.append(_("the corrective action has not been verified effective"))
    return out


def close_ncr(db: Database, actor: Actor, ncr_id: int, expected_version: int | None = None) -> "NcrView":
    require(actor, "quality.verify")
    with unit_of_work(db) as s:
        ncr = _load(s, ncr_id, expected_version)
        blockers = close_blockers(s, ncr)
        if blockers:
            raise ValidationError(_("{ncr_no} cannot close: {reasons}.", ncr_no=ncr.ncr_no,
                                    reasons="; ".join(blockers)), "status")
        ncr.status, ncr.closed_at = "closed", clock.now()
        s.flush()
        audit.record(s, actor, "close", "ncr", ncr.id, LazyText("{ncr_no} closed", ncr_no=ncr.ncr_no),
                     {"status": "dispositioned"}, {"status": "closed"}, order_id=ncr.order_id)
        order = _order(s, ncr)
        if order is not None:
            from .inspections import release_if_done

            release_if_done(s, actor, order)
        return ncr_view(s, ncr)


def attach_photos(db: Database, actor: Actor, *, paths: list[str], ncr_id: int | None = None,
                  inspection_id: int | None = None) -> int:
    """Photos of what was found, kept in the document store."""
    from ..documents import read_file_for_store, store_bytes

    require(actor, "quality.inspect_fai")
    if (ncr_id is None) == (inspection_id is None):
        raise ValidationError(_("A photo belongs to one inspection or one NCR."), "photos")
    files = [read_file_for_store(p) for p in paths]
    with unit_of_work(db) as s:
        order_id = None
        if ncr_id is not None:
            ncr = s.get(Ncr, ncr_id)
            if ncr is None:
                raise NotFound(_("NCR {id} does not exist.", id=ncr_id))
            order_id = ncr.order_id
        else:
            ins = s.get(Inspection, inspection_id)
            if ins is None:
                raise NotFound(_("Inspection {id} does not exist.", id=inspection_id))
            order_id = ins.order_id
        for name, content in files:
            doc = store_bytes(s, actor, file_name=name, content=content, category="attachment", order_id=order_id)
            s.add(QualityPhoto(ncr_id=ncr_id, inspection_id=inspection_id, document_id=doc.id))
        s.flush()
        audit.record(s, actor, "photos", "ncr" if ncr_id else "inspection", ncr_id or inspection_id,
                     LazyText("{n} photos attached", n=len(files)), None, None, order_id=order_id)
        return len(files)


# ---- reading -----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class NcrView:
    id: int
    ncr_no: str
    status: str
    inspection_no: str
    inspection_kind: str
    order_id: int | None
    order_no: str
    lot_no: str
    sheet_no: str
    description: str
    defect_kind: str
    found_at: dt.datetime
    found_where: str
    batch: str
    quantity: int
    responsible_department: str
    responsible_person: str
    disposition: str | None
    disposition_note: str
    decided_by: str
    decided_at: dt.datetime | None
    customer_approval: str
    ledger_entry_no: str
    metal_recovered_mg: int | None
    root_cause_method: str
    root_cause: str
    action: str
    action_owner: str
    action_due: dt.date | None
    rectification: str
    rectified_by: str
    rectified_at: dt.datetime | None
    verified_effective: bool | None
    verification_note: str
    verified_by: str
    verified_at: dt.datetime | None
    closed_at: dt.datetime | None
    reinspections: tuple[tuple[str, str, int], ...]
    close_blockers: tuple[str, ...]
    version: int
    photo_count: int = 0
    reinspection_due: bool = field(default=False)

    @property
    def overdue(self) -> bool:
        return (self.status != "closed" and self.action_due is not None and self.rectified_at is None
                and self.action_due < clock.today())


def _name(s: Session, user_id: int | None) -> str:
    u = s.get(User, user_id) if user_id else None
    return u.display_name if u else ""


def ncr_view(s: Session, ncr: Ncr) -> NcrView:
    order = _order(s, ncr)
    lot = s.get(Lot, ncr.lot_id) if ncr.lot_id else None
    sheet = s.get(TaskSheet, ncr.task_sheet_id) if ncr.task_sheet_id else None
    re = tuple(s.execute(select(Inspection.inspection_no, Inspection.result, Inspection.quantity_passed)
                         .where(Inspection.reinspects_ncr_id == ncr.id).order_by(Inspection.id)).all())
    n_photos = s.scalar(select(func.count(QualityPhoto.id)).where(QualityPhoto.ncr_id == ncr.id)) or 0
    blockers = tuple(close_blockers(s, ncr)) if ncr.status != "closed" else ()
    return NcrView(ncr.id, ncr.ncr_no, ncr.status, ncr.inspection.inspection_no, ncr.inspection.kind, ncr.order_id,
                   order.order_no if order else "", lot.lot_no if lot else "", sheet.sheet_no if sheet else "",
                   ncr.description, ncr.defect_kind, ncr.found_at, ncr.found_where, ncr.batch, ncr.quantity,
                   ncr.responsible_department, _name(s, ncr.responsible_person_id), ncr.disposition,
                   ncr.disposition_note, _name(s, ncr.decided_by_id), ncr.decided_at, ncr.customer_approval,
                   ncr.ledger_entry_no, ncr.metal_recovered_mg, ncr.root_cause_method, ncr.root_cause, ncr.action,
                   _name(s, ncr.action_owner_id), ncr.action_due, ncr.rectification, _name(s, ncr.rectified_by_id),
                   ncr.rectified_at, ncr.verified_effective, ncr.verification_note, _name(s, ncr.verified_by_id),
                   ncr.verified_at, ncr.closed_at, tuple(tuple(r) for r in re), blockers, ncr.version,
                   int(n_photos),
                   ncr.disposition in ("rework", "repair") and ncr.status != "closed"
                   and reinspection_passed(s, ncr) < ncr.quantity)


def get_ncr(db: Database, ncr_no: str) -> NcrView:
    with read_session(db) as s:
        ncr = s.scalar(select(Ncr).where(Ncr.ncr_no == ncr_no.strip().upper()))
        if ncr is None:
            raise NotFound(_("There is no NCR {ncr_no}.", ncr_no=ncr_no))
        return ncr_view(s, ncr)


def get_ncr_by_id(db: Database, ncr_id: int) -> NcrView:
    with read_session(db) as s:
        ncr = s.get(Ncr, ncr_id) if known_id(ncr_id) else None
        if ncr is None:
            raise NotFound(_("NCR {id} does not exist.", id=shown_id(ncr_id)))
        return ncr_view(s, ncr)


def list_ncrs(db: Database, *, status: str | None = None, order_id: int | None = None,
              date_from: dt.date | None = None, date_to: dt.date | None = None, limit: int = 500) -> list[NcrView]:
    with read_session(db) as s:
        stmt = select(Ncr).order_by(Ncr.found_at.desc(), Ncr.id.desc()).limit(limit)
        if status == "not_closed":
            stmt = stmt.where(Ncr.status != "closed")
        elif status:
            stmt = stmt.where(Ncr.status == status)
        if order_id:
            stmt = stmt.where(Ncr.order_id == order_id)
        if date_from:
            stmt = stmt.where(Ncr.found_at >= dt.datetime.combine(date_from, dt.time(0)).astimezone(dt.timezone.utc))
        if date_to:
            stmt = stmt.where(Ncr.found_at < dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(0))
                              .astimezone(dt.timezone.utc))
        return [ncr_view(s, n) for n in s.scalars(stmt)]


# ---- repeat offences ---------------------------------------------------------------------------------------------

def repeat_threshold(db: Database) -> int:
    with read_session(db) as s:
        value = s.scalar(select(Setting.value).where(Setting.key == REPEAT_THRESHOLD_SETTING))
    try:
        return max(1, int(value)) if value is not None else DEFAULT_REPEAT_THRESHOLD
    except ValueError:
        return DEFAULT_REPEAT_THRESHOLD


def set_repeat_threshold(db: Database, actor: Actor, value: int | str) -> int:
    require(actor, "quality.settings")
    p = Problems()
    n = positive_int(p, "threshold", _("Repeat-offence threshold"), value, maximum=1000)
    p.raise_if_any()
    with unit_of_work(db) as s:
        row = s.get(Setting, REPEAT_THRESHOLD_SETTING)
        before = row.value if row else None
        if row is None:
            s.add(Setting(key=REPEAT_THRESHOLD_SETTING, value=str(n)))
        else:
            row.value = str(n)
        audit.record(s, actor, "setting", "setting", None,
                     LazyText("Repeat-offence threshold set to {n}", n=n), {"value": before}, {"value": n})
    return n


OFFENCE_GROUPS = ("department", "person", "defect", "month")


@dataclass(frozen=True)
class OffenceRow:
    key: str
    label: str
    count: int
    cumulative_percent: float
    over_threshold: bool


def repeat_offences(db: Database, by: str, *, date_from: dt.date | None = None,
                    date_to: dt.date | None = None) -> list[OffenceRow]:
    """NCRs counted per department, person, defect kind or month, most first (a Pareto table); the departments
    and persons at or over the factory's threshold are flagged."""
    if not isinstance(by, str) or by not in OFFENCE_GROUPS:
        raise ValidationError(_("Count by department, person, defect or month."), "by")
    threshold = repeat_threshold(db)
    with read_session(db) as s:
        stmt = select(Ncr.responsible_department, Ncr.responsible_person_id, Ncr.defect_kind, Ncr.found_at)
        if date_from:
            stmt = stmt.where(Ncr.found_at >= dt.datetime.combine(date_from, dt.time(0)).astimezone(dt.timezone.utc))
        if date_to:
            stmt = stmt.where(Ncr.found_at < dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(0))
                              .astimezone(dt.timezone.utc))
        counts: dict[str, int] = {}
        for dept, person, defect, found in s.execute(stmt):
            key = {"department": dept, "person": str(person or ""), "defect": defect or "",
                   "month": found.astimezone().strftime("%Y-%m")}[by]
            counts[key] = counts.get(key, 0) + 1
        names = {str(u.id): u.display_name for u in s.scalars(select(User))} if by == "person" else {}
    total = sum(counts.values()) or 1
    rows, running = [], 0
    for key, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        running += count
        if by == "department":
            label = _(DEPARTMENTS.get(key, key)) if key else _("not named")
        elif by == "person":
            label = names.get(key, "") or _("not named")
        elif by == "defect":
            label = _(CHARACTERISTIC_KINDS.get(key, key)) if key else _("not named")
        else:
            label = key
        rows.append(OffenceRow(key, label, count, round(100.0 * running / total, 1),
                               by in ("department", "person") and bool(key) and count >= threshold))
    return rows


def overdue_actions(db: Database) -> list[NcrView]:
    return [n for n in list_ncrs(db, status="not_closed") if n.overdue]
