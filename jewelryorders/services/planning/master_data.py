"""Planning master data: workshops with their capacity, the factory calendar, and routing templates per product type."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from ...db import Database
from ...i18n import LazyText, _
from ...models.orders import PRODUCT_TYPES
from ...models.planning import CHECKLIST_KEYS, FactoryHoliday, RoutingStep, RoutingTemplate, Workshop
from ...models.quality import QualityStandard
from ...models.users import User
from .. import audit
from ..context import Actor, read_session, unit_of_work
from ..errors import ConcurrentEditError, NotFound, ValidationError
from ..permissions import require
from .common import hours_text, needs_of, needs_text, user_name, weekdays_of, weekdays_text
from ..validation import LONG_TEXT, Problems, decimal_value, parse_date, positive_int, text

MAX_BENCHES = 1000
MAX_STEPS = 40
REORDER_OFFSET = 1000  # steps being reordered park their sequence numbers above any real one


def hours_to_minutes(hours: Decimal) -> int:
    return int((hours * 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def minutes_to_hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def hours_to_seconds(hours: Decimal) -> int:
    return int((hours * 3600).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def seconds_to_hours(seconds: int) -> Decimal:
    return (Decimal(seconds) / 3600).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def piece_minutes(seconds_per_piece: int, quantity: int) -> int:
    """Whole minutes for `quantity` pieces, rounded up once for the batch rather than per piece."""
    return -(-seconds_per_piece * quantity // 60)


# ---- workshops --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class WorkshopInfo:
    id: int
    name: str
    department: str
    minutes_per_day: int
    benches: int
    working_weekdays: frozenset[int]
    supervisor_id: int | None
    supervisor_name: str
    sort_order: int
    active: bool
    version: int

    @property
    def hours_per_day(self) -> Decimal:
        return minutes_to_hours(self.minutes_per_day)

    @property
    def hours_text(self) -> str:
        return hours_text(self.minutes_per_day)

    @property
    def daily_capacity_minutes(self) -> int:
        return self.minutes_per_day * self.benches


@dataclass
class WorkshopInput:
    name: str
    department: str = ""
    hours_per_day: Decimal | str | int = Decimal("8")
    benches: int | str = 1
    working_weekdays: Sequence[int] = (0, 1, 2, 3, 4)
    supervisor_id: int | None = None
    sort_order: int = 0
    active: bool = True


def _workshop_info(w: Workshop) -> WorkshopInfo:
    return WorkshopInfo(w.id, w.name, w.department, w.minutes_per_day, w.benches, weekdays_of(w.working_weekdays),
                        w.supervisor_id, user_name(w.supervisor), w.sort_order, w.active, w.version)


def _weekday_numbers(values) -> set[int]:
    """Weekday numbers 0 (Monday) to 6 from what the form or a script gave; anything else is left out (and an
    empty result is refused with the 'tick at least one working day' message)."""
    out: set[int] = set()
    for value in values or ():
        try:
            number = int(str(value).strip())
        except (TypeError, ValueError):
            continue
        if 0 <= number < 7:
            out.add(number)
    return out


def _clean_workshop(s: Session, data: WorkshopInput, workshop_id: int | None) -> dict:
    p = Problems()
    name = text(p, "name", _("Workshop name"), data.name, required=True, max_len=100)
    department = text(p, "department", _("Department"), data.department, max_len=100)
    hours = decimal_value(p, "hours_per_day", _("Hours per day"), data.hours_per_day, places=2,
                          allow_zero=True, maximum=Decimal("24"))
    benches = positive_int(p, "benches", _("Benches"), data.benches, maximum=MAX_BENCHES)
    label = name or _("this workshop")
    if hours is not None and hours_to_minutes(hours) <= 0:
        p.add("hours_per_day", _("Workshop {workshop} has no capacity: its hours per day are zero.", workshop=label))
    days = sorted(_weekday_numbers(data.working_weekdays))
    if not days:
        p.add("working_weekdays", _("Workshop {workshop} has no capacity: tick at least one working day.",
                                    workshop=label))
    if data.supervisor_id is not None and s.get(User, data.supervisor_id) is None:
        p.add("supervisor_id", _("User {id} does not exist; choose the supervisor from the list.",
                                 id=data.supervisor_id))
    if name:
        clash = s.scalar(select(Workshop.id).where(Workshop.name == name))
        if clash is not None and clash != workshop_id:
            p.add("name", _("A workshop named {name} already exists.", name=name))
    if workshop_id is not None and not data.active:
        used = s.scalar(select(RoutingTemplate.name).join(RoutingStep).where(RoutingStep.workshop_id == workshop_id)
                        .limit(1))
        if used is not None:
            p.add("active", _("Workshop {workshop} is used by routing {routing}; move those steps to another "
                              "workshop before closing it.", workshop=label, routing=used))
    p.raise_if_any()
    return {"name": name, "department": department, "minutes_per_day": hours_to_minutes(hours),
            "benches": benches, "working_weekdays": weekdays_text(days), "supervisor_id": data.supervisor_id,
            "sort_order": int(data.sort_order or 0), "active": bool(data.active)}


def list_workshops(db: Database, include_inactive: bool = False) -> list[WorkshopInfo]:
    with read_session(db) as s:
        stmt = select(Workshop)
        if not include_inactive:
            stmt = stmt.where(Workshop.active.is_(True))
        return [_workshop_info(w) for w in s.scalars(stmt.order_by(Workshop.sort_order, Workshop.name))]


def get_workshop(db: Database, workshop_id: int) -> WorkshopInfo:
    with read_session(db) as s:
        w = s.get(Workshop, workshop_id)
        if w is None:
            raise NotFound(_("Workshop {id} does not exist.", id=workshop_id))
        return _workshop_info(w)


def create_workshop_in(s: Session, actor: Actor, data: WorkshopInput) -> Workshop:
    require(actor, "planning.master_data")
    values = _clean_workshop(s, data, None)
    workshop = Workshop(**values)
    s.add(workshop)
    s.flush()
    audit.record(s, actor, "create", "workshop", workshop.id, LazyText("Workshop {name} created", name=workshop.name),
                 None, audit.snapshot(workshop))
    return workshop


def create_workshop(db: Database, actor: Actor, data: WorkshopInput) -> WorkshopInfo:
    with unit_of_work(db) as s:
        return _workshop_info(create_workshop_in(s, actor, data))


def update_workshop(db: Database, actor: Actor, workshop_id: int, expected_version: int,
                    data: WorkshopInput) -> WorkshopInfo:
    require(actor, "planning.master_data")
    with unit_of_work(db) as s:
        workshop = s.get(Workshop, workshop_id)
        if workshop is None:
            raise NotFound(_("Workshop {id} does not exist.", id=workshop_id))
        if workshop.version != expected_version:
            raise ConcurrentEditError(_("Someone else changed workshop {name} while you were editing it. Reopen it "
                                        "to see their changes, then make yours again.", name=workshop.name))
        values = _clean_workshop(s, data, workshop_id)
        before = audit.snapshot(workshop)
        for key, value in values.items():
            setattr(workshop, key, value)
        s.flush()
        old, new = audit.diff(before, audit.snapshot(workshop))
        audit.record(s, actor, "update", "workshop", workshop.id, LazyText("Workshop {name} changed", name=workshop.name),
                     old, new)
        return _workshop_info(workshop)


# ---- factory calendar -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class HolidayInfo:
    id: int
    day: dt.date
    name: str


def list_holidays(db: Database, first: dt.date | None = None, last: dt.date | None = None) -> list[HolidayInfo]:
    with read_session(db) as s:
        stmt = select(FactoryHoliday)
        if first is not None:
            stmt = stmt.where(FactoryHoliday.day >= first)
        if last is not None:
            stmt = stmt.where(FactoryHoliday.day <= last)
        return [HolidayInfo(h.id, h.day, h.name) for h in s.scalars(stmt.order_by(FactoryHoliday.day))]


def add_holiday_in(s: Session, actor: Actor, day: dt.date | str, name: str) -> FactoryHoliday:
    require(actor, "planning.master_data")
    p = Problems()
    when = parse_date(p, "day", _("Holiday"), day, required=True)
    label = text(p, "name", _("Holiday name"), name, max_len=100)
    p.raise_if_any()
    if s.scalar(select(FactoryHoliday.id).where(FactoryHoliday.day == when)) is not None:
        raise ValidationError(_("{day} is already a holiday of the factory calendar.", day=when.isoformat()), "day")
    holiday = FactoryHoliday(day=when, name=label)
    s.add(holiday)
    s.flush()
    audit.record(s, actor, "create", "factory_holiday", holiday.id,
                 LazyText("Holiday {day} {name} added to the factory calendar", day=when.isoformat(), name=label),
                 None, audit.snapshot(holiday))
    return holiday


def add_holiday(db: Database, actor: Actor, day: dt.date | str, name: str = "") -> HolidayInfo:
    """Close the whole factory on `day`. Plans already on that day are not moved: re-plan to move them."""
    with unit_of_work(db) as s:
        h = add_holiday_in(s, actor, day, name)
        return HolidayInfo(h.id, h.day, h.name)


def remove_holiday(db: Database, actor: Actor, holiday_id: int) -> None:
    require(actor, "planning.master_data")
    with unit_of_work(db) as s:
        holiday = s.get(FactoryHoliday, holiday_id)
        if holiday is None:
            raise NotFound(_("Holiday {id} does not exist.", id=holiday_id))
        before = audit.snapshot(holiday)
        s.delete(holiday)
        audit.record(s, actor, "delete", "factory_holiday", holiday_id,
                     LazyText("Holiday {day} removed from the factory calendar", day=before["day"]), before, None)


# ---- routings ---------------------------------------------------------------------------------------------------

@dataclass
class RoutingStepInput:
    name: str
    workshop_id: int | None
    hours_per_piece: Decimal | str | int = Decimal("0")
    hours_per_batch: Decimal | str | int = Decimal("0")
    loss_allowance_pct: Decimal | str | int = Decimal("0")
    checklist_needs: Sequence[str] = ()
    process_requirements: str = ""
    # The code of the quality standard (written by the technical department) that applies to the step, or "".
    standard_code: str = ""
    # The routing step being edited (None for a new step): an edited step keeps its id, so the plan steps made
    # from it and quality's control point at it stay linked through a rename or a move.
    id: int | None = None


@dataclass
class RoutingInput:
    product_type: str
    name: str
    steps: list[RoutingStepInput] = field(default_factory=list)
    note: str = ""


@dataclass(frozen=True)
class RoutingStepInfo:
    seq: int
    name: str
    workshop_id: int
    workshop_name: str
    seconds_per_piece: int
    minutes_per_batch: int
    loss_allowance_pct: Decimal
    checklist_needs: tuple[str, ...]
    process_requirements: str
    standard_code: str
    id: int | None = None

    @property
    def hours_per_piece(self) -> Decimal:
        return seconds_to_hours(self.seconds_per_piece)

    @property
    def hours_per_batch(self) -> Decimal:
        return minutes_to_hours(self.minutes_per_batch)

    def work_minutes(self, quantity: int) -> int:
        return piece_minutes(self.seconds_per_piece, quantity) + self.minutes_per_batch


@dataclass(frozen=True)
class RoutingInfo:
    id: int
    product_type: str
    name: str
    note: str
    version: int
    steps: tuple[RoutingStepInfo, ...]


def _routing_info(r: RoutingTemplate) -> RoutingInfo:
    return RoutingInfo(r.id, r.product_type, r.name, r.note, r.version, tuple(
        RoutingStepInfo(st.seq, st.name, st.workshop_id, st.workshop.name, st.seconds_per_piece, st.minutes_per_batch,
                        st.loss_allowance_pct, tuple(needs_of(st.checklist_needs)), st.process_requirements,
                        st.standard_code, st.id) for st in r.steps))


def standard_choices(db: Database) -> list[tuple[str, str]]:
    """(code, title of its latest version) of every quality standard, for a routing step to refer to."""
    with read_session(db) as s:
        latest: dict[str, str] = {}
        for code, title in s.execute(select(QualityStandard.code, QualityStandard.title)
                                     .where(QualityStandard.scope == "product")
                                     .order_by(QualityStandard.code, QualityStandard.version_no)):
            latest[code] = title
        return sorted(latest.items())


def _standard_code(p: Problems, fld: str, shown: str, value: object, known: set[str]) -> str:
    """A step's quality standard is chosen among the standards the technical department wrote (by code)."""
    code = text(p, fld, _("Step {step}: quality standard", step=shown), value, max_len=40).upper()
    if code and code not in known:
        p.add(fld, _("Step {step}: there is no quality standard {code}; the technical department writes the "
                     "standards (Quality tab), then choose one of them.", step=shown, code=code))
    return code


def _clean_routing(s: Session, data: RoutingInput, routing_id: int | None) -> tuple[dict, list[dict]]:
    p = Problems()
    if data.product_type not in PRODUCT_TYPES:
        p.add("product_type", _("Choose a product type."))
    else:
        clash = s.scalar(select(RoutingTemplate).where(RoutingTemplate.product_type == data.product_type))
        if clash is not None and clash.id != routing_id:
            p.add("product_type", _("{product_type} already has routing {routing}; edit that one.",
                                    product_type=_(PRODUCT_TYPES[data.product_type]), routing=clash.name))
    name = text(p, "name", _("Routing name"), data.name, required=True, max_len=100)
    note = text(p, "note", _("Note"), data.note, max_len=LONG_TEXT)
    if not data.steps:
        p.add("steps", _("Routing {routing} has no steps; add at least one step.", routing=name or "?"))
    if len(data.steps) > MAX_STEPS:
        p.add("steps", _("A routing can have at most {n} steps.", n=MAX_STEPS))
    workshops = {w.id: w for w in s.scalars(select(Workshop))}
    standard_codes = set(s.scalars(select(QualityStandard.code).where(QualityStandard.scope == "product")
                                   .distinct()))
    own_ids = set(s.scalars(select(RoutingStep.id).where(RoutingStep.routing_id == routing_id))) \
        if routing_id is not None else set()
    seen_ids: set[int | None] = set()
    steps = []
    for seq, step in enumerate(data.steps[:MAX_STEPS], start=1):
        f = f"steps[{seq}]"
        label = _("Step {n}", n=seq)
        step_name = text(p, f + ".name", _("{step}: name", step=label), step.name, required=True, max_len=100)
        shown = f"{seq} {step_name}".strip()
        workshop = workshops.get(step.workshop_id) if step.workshop_id is not None else None
        if workshop is None:
            p.add(f + ".workshop", _("Step {step}: choose its workshop.", step=shown))
        elif not workshop.active:
            p.add(f + ".workshop", _("Step {step}: workshop {workshop} is closed; choose another.", step=shown,
                                     workshop=workshop.name))
        per_piece = decimal_value(p, f + ".hours_per_piece", _("Step {step}: hours per piece", step=shown),
                                  step.hours_per_piece or "0", places=3, allow_zero=True, maximum=Decimal("1000"))
        per_batch = decimal_value(p, f + ".hours_per_batch", _("Step {step}: hours per batch", step=shown),
                                  step.hours_per_batch or "0", places=2, allow_zero=True, maximum=Decimal("10000"))
        loss = decimal_value(p, f + ".loss_allowance_pct", _("Step {step}: metal-loss allowance %", step=shown),
                             step.loss_allowance_pct or "0", places=2, allow_zero=True, maximum=Decimal("100"))
        unknown = [k for k in step.checklist_needs if k not in CHECKLIST_KEYS]
        if unknown:
            p.add(f + ".checklist_needs", _("Step {step}: unknown checklist item {item}.", step=shown,
                                            item=", ".join(unknown)))
        seconds_piece = hours_to_seconds(per_piece) if per_piece is not None else None
        minutes_batch = hours_to_minutes(per_batch) if per_batch is not None else None
        if seconds_piece is not None and minutes_batch is not None and seconds_piece + minutes_batch <= 0:
            p.add(f + ".hours_per_piece", _("Step {step} has zero hours per piece and per batch; a step needs some "
                                            "work.", step=shown))
        steps.append({
            "seq": seq, "name": step_name, "workshop_id": step.workshop_id, "seconds_per_piece": seconds_piece,
            "minutes_per_batch": minutes_batch, "loss_allowance_pct": loss,
            "checklist_needs": needs_text(step.checklist_needs),
            "process_requirements": text(p, f + ".process_requirements", _("Step {step}: process requirements",
                                                                           step=shown),
                                         step.process_requirements, max_len=LONG_TEXT),
            "standard_code": _standard_code(p, f + ".standard_code", shown, step.standard_code, standard_codes),
            "id": step.id if step.id in own_ids and step.id not in seen_ids else None,
        })
        seen_ids.add(step.id)
    p.raise_if_any()
    return {"product_type": data.product_type, "name": name, "note": note}, steps


def _routing_snapshot(r: RoutingTemplate) -> dict:
    return {**audit.snapshot(r), "steps": [audit.snapshot(st, exclude=("id", "routing_id")) for st in r.steps]}


def list_routings(db: Database) -> list[RoutingInfo]:
    with read_session(db) as s:
        return [_routing_info(r) for r in s.scalars(select(RoutingTemplate).order_by(RoutingTemplate.product_type))]


def get_routing(db: Database, routing_id: int) -> RoutingInfo:
    with read_session(db) as s:
        r = s.get(RoutingTemplate, routing_id)
        if r is None:
            raise NotFound(_("Routing {id} does not exist.", id=routing_id))
        return _routing_info(r)


def create_routing_in(s: Session, actor: Actor, data: RoutingInput) -> RoutingTemplate:
    require(actor, "planning.master_data")
    header, steps = _clean_routing(s, data, None)
    routing = RoutingTemplate(**header, steps=[RoutingStep(**{k: v for k, v in st.items() if k != "id"})
                                               for st in steps])
    s.add(routing)
    s.flush()
    audit.record(s, actor, "create", "routing", routing.id, LazyText("Routing {name} created", name=routing.name),
                 None, _routing_snapshot(routing))
    return routing


def create_routing(db: Database, actor: Actor, data: RoutingInput) -> RoutingInfo:
    with unit_of_work(db) as s:
        return _routing_info(create_routing_in(s, actor, data))


def update_routing(db: Database, actor: Actor, routing_id: int, expected_version: int,
                   data: RoutingInput) -> RoutingInfo:
    """Replace a routing's header and steps. Plans already made keep the steps they were made from."""
    require(actor, "planning.master_data")
    with unit_of_work(db) as s:
        routing = s.get(RoutingTemplate, routing_id)
        if routing is None:
            raise NotFound(_("Routing {id} does not exist.", id=routing_id))
        if routing.version != expected_version:
            raise ConcurrentEditError(_("Someone else changed routing {name} while you were editing it. Reopen it "
                                        "to see their changes, then make yours again.", name=routing.name))
        header, steps = _clean_routing(s, data, routing_id)
        before = _routing_snapshot(routing)
        for key, value in header.items():
            setattr(routing, key, value)
        # Edited steps are updated in place (their id is what plan steps and control points refer to); removed
        # steps go, new ones come. Sequence numbers are moved out of the way first so a reorder never collides.
        kept = {st["id"] for st in steps if st["id"] is not None}
        by_id = {}
        for old in list(routing.steps):
            if old.id in kept:
                by_id[old.id] = old
                old.seq += REORDER_OFFSET
            else:
                routing.steps.remove(old)
        s.flush()
        for st in steps:
            values = {k: v for k, v in st.items() if k != "id"}
            row = by_id.get(st["id"]) if st["id"] is not None else None
            if row is None:
                routing.steps.append(RoutingStep(**values))
            else:
                for key, value in values.items():
                    setattr(row, key, value)
        routing.steps.sort(key=lambda row: row.seq)
        flag_modified(routing, "name")  # a change of steps alone is a new version of the routing too
        s.flush()
        s.refresh(routing)
        audit.record(s, actor, "update", "routing", routing.id, LazyText("Routing {name} changed", name=routing.name),
                     before, _routing_snapshot(routing))
        return _routing_info(routing)


def delete_routing(db: Database, actor: Actor, routing_id: int) -> None:
    """Remove a routing template; plans made from it keep their own copy of the steps."""
    require(actor, "planning.master_data")
    with unit_of_work(db) as s:
        routing = s.get(RoutingTemplate, routing_id)
        if routing is None:
            raise NotFound(_("Routing {id} does not exist.", id=routing_id))
        before = _routing_snapshot(routing)
        s.delete(routing)
        audit.record(s, actor, "delete", "routing", routing_id, LazyText("Routing {name} deleted", name=before["name"]),
                     before, None)


def routings_by_product_type(s: Session) -> dict[str, RoutingTemplate]:
    return {r.product_type: r for r in s.scalars(select(RoutingTemplate))}
