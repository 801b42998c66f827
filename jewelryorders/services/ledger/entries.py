"""Ledger entries: a task sheet started, finished (quantities, metal weights, stones) or returned for rework, and
corrections that reverse an entry. The step's state and the order's stage follow the ledger."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from ... import clock
from ...db import Database
from ...i18n import LazyText, _
from ...models.orders import Order
from ...models.ledger import LedgerEntry
from ...models.planning import OrderForecast, PlanStep, ProductionPlan, TaskSheet, Workshop
from .. import audit, gates, sequences, stages
from ..context import Actor, read_session, unit_of_work
from ..errors import GateError, NotFound, ValidationError
from ..permissions import require
from ..planning import plans as planning_plans
from ..planning.checklist import step_label
from ..planning.common import current_plan, load_order
from ..validation import LONG_TEXT, Problems, decimal_value, text
from .common import allowance_mg

MAX_GRAMS = Decimal("100000")


# ---- opening a sheet --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SheetInfo:
    sheet_id: int
    sheet_no: str
    order_id: int
    order_no: str
    seq: int
    step: str
    workshop: str
    state: str                 # the step's state: planned, in_progress, done
    planned_qty: int
    done_qty: int              # net of rework
    rejected_qty: int
    loss_allowance_pct: Decimal
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    next_action: str           # what a scan would do next: start, finish, or "" when finished

    @property
    def remaining_qty(self) -> int:
        return max(self.planned_qty - self.done_qty, 0)


def _sheet_by_number(session: Session, sheet_no: str) -> TaskSheet:
    number = (sheet_no or "").strip().upper()
    if not number:
        raise ValidationError(_("Scan a task sheet's barcode or type its number."), "sheet_no")
    sheet = session.scalar(select(TaskSheet).where(TaskSheet.sheet_no == number))
    if sheet is None:
        raise NotFound(_("No task sheet has the number {sheet_no}. Check the barcode or type the number printed "
                         "under it.", sheet_no=number))
    return sheet


def _sums(session: Session, sheet_id: int) -> tuple[int, int, int]:
    done, rejected, rework = session.execute(
        select(func.coalesce(func.sum(LedgerEntry.qty_done), 0), func.coalesce(func.sum(LedgerEntry.qty_rejected), 0),
               func.coalesce(func.sum(LedgerEntry.qty_rework), 0)).where(LedgerEntry.task_sheet_id == sheet_id)).one()
    return int(done), int(rejected), int(rework)


def _info(session: Session, sheet: TaskSheet, order: Order, step: PlanStep) -> SheetInfo:
    done, rejected, rework = _sums(session, sheet.id)
    nxt = {"planned": "start", "in_progress": "finish"}.get(step.state, "")
    return SheetInfo(sheet.id, sheet.sheet_no, order.id, order.order_no, step.seq, step.name, step.workshop.name,
                     step.state, order.total_quantity, done - rework, rejected, Decimal(step.loss_allowance_pct),
                     step.actual_start_at, step.actual_end_at, nxt)


def _running(session: Session, sheet: TaskSheet, lock: bool) -> tuple[Order, ProductionPlan, PlanStep]:
    order = load_order(session, sheet.order_id, lock=lock)
    if sheet.status == "void":
        raise GateError(_("Task sheet {sheet_no} is void: its step is no longer in the plan of order {order_no}.",
                          sheet_no=sheet.sheet_no, order_no=order.order_no))
    plan = current_plan(session, order.id, lock=lock)
    if plan is None or plan.status != "released":
        raise GateError(_("Order {order_no} has no released plan; a step starts only on a released plan with its "
                          "task sheet.", order_no=order.order_no))
    step = next((st for st in plan.steps if st.seq == sheet.seq), None)
    if step is None:
        raise NotFound(_("Plan {plan_no} of order {order_no} has no step {seq}.", plan_no=plan.plan_no,
                         order_no=order.order_no, seq=sheet.seq))
    return order, plan, step


def open_sheet(db: Database, sheet_no: str) -> SheetInfo:
    """What a scanned sheet is and what it needs next (the scan field shows this)."""
    with read_session(db) as s:
        sheet = _sheet_by_number(s, sheet_no)
        order, _plan, step = _running(s, sheet, lock=False)
        return _info(s, sheet, order, step)


# ---- recording ---------------------------------------------------------------------------------------------------

@dataclass
class FinishInput:
    qty_done: object = 0
    qty_rejected: object = 0
    issued_g: object = ""      # grams, up to 3 decimals
    returned_g: object = ""
    in_piece_g: object = ""
    stones_ct: object = ""     # carats set at this step, up to 3 decimals
    worker: str = ""
    loss_reason: str = ""
    inspection_state: str = ""
    note: str = ""
    at: dt.datetime | None = None


@dataclass(frozen=True)
class Recorded:
    entry_no: str
    message: str
    order_stage: str
    over_allowance: bool = False


def _int(problems: Problems, field_name: str, label: str, value: object) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    try:
        number = int(str(value).strip())
    except ValueError:
        problems.add(field_name, _("{field}: '{value}' is not a whole number.", field=label, value=str(value)[:40]))
        return 0
    if number < 0:
        problems.add(field_name, _("{field} cannot be negative (got {value}).", field=label, value=number))
        return 0
    return number


def _milli(problems: Problems, field_name: str, label: str, value: object) -> int:
    d = decimal_value(problems, field_name, label, value, places=3, required=False, allow_zero=True,
                      maximum=MAX_GRAMS)
    return 0 if d is None else int(d * 1000)


def _new_entry(session: Session, actor: Actor, kind: str, sheet: TaskSheet, order: Order, step: PlanStep,
               moment: dt.datetime, worker: str, **values) -> LedgerEntry:
    entry = LedgerEntry(entry_no=sequences.next_number(session, "ledger_entry", clock.today().year), kind=kind,
                        order_id=order.id, task_sheet_id=sheet.id, plan_step_id=step.id,
                        workshop_id=step.workshop_id, seq=step.seq, recorded_at=moment, entered_at=clock.now(),
                        entered_by_id=actor.user_id, worker=worker or actor.display_name, **values)
    session.add(entry)
    session.flush()
    return entry


def _all_done(plan: ProductionPlan) -> bool:
    return all(st.state == "done" for st in plan.steps)


def _follow_stage(session: Session, actor: Actor, order: Order, plan: ProductionPlan, why: LazyText) -> None:
    """The order's stage follows its steps: every step done → final inspection; a step reopened → production."""
    if _all_done(plan):
        if order.stage == "in_production":
            stages.move(session, actor, order, "final_qc", why)
    elif order.stage == "final_qc":
        stages.move(session, actor, order, "in_production", why)


def _moment(problems: Problems, at: dt.datetime | None) -> dt.datetime:
    moment = at or clock.now()
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment


def _start_in(session: Session, actor: Actor, sheet: TaskSheet, *, worker: str = "", at: dt.datetime | None = None,
              note: str = "") -> Recorded:
    order, plan, step = _running(session, sheet, lock=True)
    problems = Problems()
    worker = text(problems, "worker", _("Worker"), worker, max_len=100)
    note = text(problems, "note", _("Note"), note, max_len=LONG_TEXT)
    moment = _moment(problems, at)
    problems.raise_if_any()
    if step.state == "done":
        raise GateError(_("Task sheet {sheet_no} (order {order_no}, step {step}) is already finished.",
                          sheet_no=sheet.sheet_no, order_no=order.order_no, step=step_label(step)))
    gates.check(session, gates.LEDGER_RECORD, order=order, step=step, sheet=sheet, kind="start",
                quantity=order.total_quantity)
    message = planning_plans._start(session, actor, order, plan, step, moment)
    entry = _new_entry(session, actor, "start", sheet, order, step, moment, worker, note=note)
    audit.record(session, actor, "ledger_start", "ledger_entry", entry.id,
                 LazyText("Ledger {entry_no}: task sheet {sheet_no} started", entry_no=entry.entry_no,
                          sheet_no=sheet.sheet_no), None, {"worker": entry.worker, "at": moment}, order_id=order.id)
    return Recorded(entry.entry_no, message, order.stage)


def record_start(db: Database, actor: Actor, sheet_no: str, *, worker: str = "", at: dt.datetime | None = None,
                 note: str = "") -> Recorded:
    """Record that a task sheet's step has started (the order goes into production with its first step)."""
    require(actor, "ledger.record")
    with unit_of_work(db) as s:
        return _start_in(s, actor, _sheet_by_number(s, sheet_no), worker=worker, at=at, note=note)


def _finish_in(session: Session, actor: Actor, sheet: TaskSheet, data: FinishInput) -> Recorded:
    order, plan, step = _running(session, sheet, lock=True)
    if step.state == "done":
        raise GateError(_("Task sheet {sheet_no} (order {order_no}, step {step}) is already finished.",
                          sheet_no=sheet.sheet_no, order_no=order.order_no, step=step_label(step)))
    if step.state != "in_progress":
        raise GateError(_("Task sheet {sheet_no} (order {order_no}, step {step}) has not started; start it before "
                          "finishing it.", sheet_no=sheet.sheet_no, order_no=order.order_no, step=step_label(step)))
    problems = Problems()
    done = _int(problems, "qty_done", _("Quantity done"), data.qty_done)
    rejected = _int(problems, "qty_rejected", _("Quantity rejected"), data.qty_rejected)
    issued = _milli(problems, "issued_g", _("Metal issued (g)"), data.issued_g)
    returned = _milli(problems, "returned_g", _("Metal returned (g)"), data.returned_g)
    in_piece = _milli(problems, "in_piece_g", _("Left in the piece (g)"), data.in_piece_g)
    stones = _milli(problems, "stones_ct", _("Stones set (ct)"), data.stones_ct)
    worker = text(problems, "worker", _("Worker"), data.worker, max_len=100)
    reason = text(problems, "loss_reason", _("Reason for the loss"), data.loss_reason, max_len=LONG_TEXT)
    note = text(problems, "note", _("Note"), data.note, max_len=LONG_TEXT)
    if data.inspection_state not in ("", "passed", "failed"):
        problems.add("inspection_state", _("Unknown inspection state {state}.", state=data.inspection_state))
    moment = _moment(problems, data.at)
    if step.actual_start_at is not None and moment < step.actual_start_at:
        problems.add("at", _("The finish ({end}) cannot be before the start ({start}).",
                             end=moment.astimezone().strftime("%Y-%m-%d %H:%M"),
                             start=step.actual_start_at.astimezone().strftime("%Y-%m-%d %H:%M")))
    if returned > issued:
        problems.add("returned_g", _("Metal returned ({returned} g) is more than was issued ({issued} g).",
                                     returned=_grams(returned), issued=_grams(issued)))
    elif returned + in_piece > issued:
        problems.add("in_piece_g", _("Metal returned plus metal left in the piece ({total} g) is more than was "
                                     "issued ({issued} g).", total=_grams(returned + in_piece), issued=_grams(issued)))
    net_done, net_rejected, rework = _sums(session, sheet.id)
    already = net_done - rework
    if already + done > order.total_quantity:
        problems.add("qty_done", _("Quantity done {qty} is more than the {planned} planned ({already} already "
                                   "done).", qty=done, planned=order.total_quantity, already=already))
    problems.raise_if_any()
    loss = issued - returned - in_piece
    allowance = allowance_mg(issued, Decimal(step.loss_allowance_pct))
    over = loss > allowance
    if over and not reason:
        raise ValidationError(_("The metal loss {loss} g is over the step's allowance of {allowance} g ({pct}%); "
                                "give the reason.", loss=_grams(loss), allowance=_grams(allowance),
                                pct=step.loss_allowance_pct), "loss_reason")
    gates.check(session, gates.LEDGER_RECORD, order=order, step=step, sheet=sheet, kind="finish", quantity=done)
    message = planning_plans._finish(session, actor, order, step, moment)
    entry = _new_entry(session, actor, "finish", sheet, order, step, moment, worker, qty_done=done,
                       qty_rejected=rejected, issued_mg=issued, returned_mg=returned, in_piece_mg=in_piece,
                       loss_mg=loss, allowance_mg=allowance, stones_mct=stones, over_allowance=over,
                       loss_reason=reason, inspection_state=data.inspection_state, note=note)
    audit.record(session, actor, "ledger_finish", "ledger_entry", entry.id,
                 LazyText("Ledger {entry_no}: task sheet {sheet_no} finished, {done} done, loss {loss} g",
                          entry_no=entry.entry_no, sheet_no=sheet.sheet_no, done=done, loss=_grams(loss)),
                 None, {"qty_done": done, "qty_rejected": rejected, "issued_mg": issued, "returned_mg": returned,
                        "in_piece_mg": in_piece, "loss_mg": loss, "over_allowance": over}, order_id=order.id)
    _follow_stage(session, actor, order, plan, LazyText("last step {step} finished", step=step_label(step)))
    return Recorded(entry.entry_no, message, order.stage, over)


def record_finish(db: Database, actor: Actor, sheet_no: str, data: FinishInput) -> Recorded:
    """Record a finished step with its quantities and weights; the last step finished sends the order to final
    inspection."""
    require(actor, "ledger.record")
    with unit_of_work(db) as s:
        return _finish_in(s, actor, _sheet_by_number(s, sheet_no), data)


def _rework_in(session: Session, actor: Actor, order: Order | None, sheet: TaskSheet, quantity: int, reason: str,
               ncr_no: str = "", worker: str = "", at: dt.datetime | None = None) -> LedgerEntry:
    order_, plan, step = _running(session, sheet, lock=True)
    order = order or order_
    problems = Problems()
    reason = text(problems, "reason", _("Reason"), reason, required=True, max_len=LONG_TEXT)
    ncr_no = text(problems, "ncr_no", _("Nonconformance no."), ncr_no, max_len=30)
    worker = text(problems, "worker", _("Worker"), worker, max_len=100)
    moment = _moment(problems, at)
    if not isinstance(quantity, int) or quantity <= 0:
        problems.add("quantity", _("The quantity returned for rework must be a whole number above zero."))
    problems.raise_if_any()
    if step.state == "planned":
        raise GateError(_("Task sheet {sheet_no} (order {order_no}, step {step}) has not started; nothing can be "
                          "returned for rework.", sheet_no=sheet.sheet_no, order_no=order.order_no,
                          step=step_label(step)))
    done, _rejected, rework = _sums(session, sheet.id)
    if quantity > done - rework:
        raise ValidationError(_("Only {qty} pieces of step {step} are recorded as done; {asked} cannot go back for "
                                "rework.", qty=done - rework, step=step_label(step), asked=quantity), "quantity")
    gates.check(session, gates.LEDGER_RECORD, order=order, step=step, sheet=sheet, kind="rework", quantity=quantity)
    if step.state == "done":
        before = {"state": "done", "at": step.actual_end_at}
        step.state, step.actual_end_at, step.finished_by_id = "in_progress", None, None
        audit.record(session, actor, "reopen", "plan_step", step.id,
                     LazyText("Step {step} of {order_no} reopened for rework", step=step_label(step),
                              order_no=order.order_no), before, {"state": "in_progress"}, order_id=order.id)
    entry = _new_entry(session, actor, "rework", sheet, order, step, moment, worker, qty_rework=quantity,
                       ncr_no=ncr_no, note=reason)
    audit.record(session, actor, "ledger_rework", "ledger_entry", entry.id,
                 LazyText("Ledger {entry_no}: {qty} of task sheet {sheet_no} returned for rework",
                          entry_no=entry.entry_no, qty=quantity, sheet_no=sheet.sheet_no),
                 None, {"qty_rework": quantity, "ncr_no": ncr_no, "reason": reason}, order_id=order.id)
    _follow_stage(session, actor, order, plan, LazyText("returned for rework at step {step}", step=step_label(step)))
    return entry


def record_rework(db: Database, actor: Actor, sheet_no: str, quantity: int, reason: str, *, ncr_no: str = "",
                  worker: str = "", at: dt.datetime | None = None) -> Recorded:
    """Pieces of a step go back for rework: the step is open again until they are finished again."""
    require(actor, "ledger.record")
    with unit_of_work(db) as s:
        sheet = _sheet_by_number(s, sheet_no)
        entry = _rework_in(s, actor, None, sheet, quantity, reason, ncr_no, worker, at)
        order = s.get(Order, entry.order_id)
        return Recorded(entry.entry_no, _("{qty} pieces of task sheet {sheet_no} returned for rework.", qty=quantity,
                                          sheet_no=sheet.sheet_no), order.stage)


def rework_answer(session: Session, *, actor: Actor, order: Order, sheet_id: int, quantity: int, reason: str,
                  ncr_no: str) -> str:
    """Quality's nonconformance disposition asks for rework (gates answer "ledger.rework"): inside the caller's
    transaction, record the rework entry and return its number."""
    sheet = session.get(TaskSheet, sheet_id)
    if sheet is None or sheet.order_id != order.id:
        raise NotFound(_("Order {order_no} has no task sheet {id}.", order_no=order.order_no, id=sheet_id))
    return _rework_in(session, actor, order, sheet, quantity, reason, ncr_no).entry_no


gates.register_answer("ledger.rework", rework_answer)


# ---- corrections ---------------------------------------------------------------------------------------------------

_NUMBERS = ("qty_done", "qty_rejected", "qty_rework", "issued_mg", "returned_mg", "in_piece_mg", "loss_mg",
            "allowance_mg", "stones_mct")


def reverse_entry(db: Database, actor: Actor, entry_no: str, reason: str) -> Recorded:
    """Correct an entry by a new one that reverses it (numbers negated); the step returns to where it was."""
    require(actor, "ledger.correct")
    problems = Problems()
    reason = text(problems, "reason", _("Reason"), reason, required=True, max_len=LONG_TEXT)
    problems.raise_if_any()
    number = (entry_no or "").strip().upper()
    with unit_of_work(db) as s:
        original = s.scalar(select(LedgerEntry).where(LedgerEntry.entry_no == number))
        if original is None:
            raise NotFound(_("No ledger entry has the number {entry_no}.", entry_no=number))
        if original.reverses_id is not None:
            raise GateError(_("Entry {entry_no} is itself a correction; a correction cannot be corrected. Record the "
                              "right entry anew.", entry_no=number))
        if s.scalar(select(LedgerEntry.entry_no).where(LedgerEntry.reverses_id == original.id)):
            raise GateError(_("Entry {entry_no} has already been reversed.", entry_no=number))
        sheet = s.get(TaskSheet, original.task_sheet_id)
        order, plan, step = _running(s, sheet, lock=True)
        rev = aliased(LedgerEntry)
        later = s.scalar(select(LedgerEntry.entry_no).where(
            LedgerEntry.task_sheet_id == sheet.id, LedgerEntry.id > original.id, LedgerEntry.reverses_id.is_(None),
            ~select(rev.id).where(rev.reverses_id == LedgerEntry.id).exists())
            .order_by(LedgerEntry.id.desc()).limit(1))
        if later:
            raise GateError(_("Entry {entry_no} has a later entry {later} on the same task sheet; reverse that one "
                              "first.", entry_no=number, later=later))
        if original.kind in ("start", "finish"):
            started_after = [st for st in plan.steps if st.seq > step.seq and st.state != "planned"]
            if started_after:
                raise GateError(_("Step {step} has been followed by step {next}, which has started; reverse the "
                                  "later step's entries first.", step=step_label(step),
                                  next=step_label(started_after[0])))
        before_state = step.state
        if original.kind == "start":
            step.state, step.actual_start_at, step.started_by_id = "planned", None, None
        elif original.kind == "finish":
            step.state, step.actual_end_at, step.finished_by_id = "in_progress", None, None
        else:  # rework reversed: the step is as finished as it was before
            last_finish = s.scalar(select(LedgerEntry.recorded_at).where(
                LedgerEntry.task_sheet_id == sheet.id, LedgerEntry.kind == "finish", LedgerEntry.id < original.id)
                .order_by(LedgerEntry.id.desc()).limit(1))
            if last_finish is not None:
                step.state, step.actual_end_at = "done", last_finish
        values = {name: -getattr(original, name) for name in _NUMBERS}
        entry = _new_entry(s, actor, original.kind, sheet, order, step, clock.now(), original.worker,
                           reverses_id=original.id, loss_reason="", inspection_state=original.inspection_state,
                           ncr_no=original.ncr_no, note=reason, **values)
        audit.record(s, actor, "ledger_reverse", "ledger_entry", entry.id,
                     LazyText("Ledger {entry_no} reverses {original}: {reason}", entry_no=entry.entry_no,
                              original=original.entry_no, reason=reason),
                     {"step_state": before_state}, {"step_state": step.state}, order_id=order.id)
        if not any(st.state != "planned" for st in plan.steps) and order.stage == "in_production":
            stages.move(s, actor, order, "planned", LazyText("start of step {step} reversed", step=step_label(step)))
        else:
            _follow_stage(s, actor, order, plan, LazyText("ledger entry {entry_no} reversed",
                                                          entry_no=original.entry_no))
        return Recorded(entry.entry_no, _("Entry {entry_no} reversed by {new}.", entry_no=number,
                                          new=entry.entry_no), order.stage)


def _grams(mg: int) -> str:
    from .common import grams

    return grams(mg)


# ---- the ledger view -------------------------------------------------------------------------------------------------

@dataclass
class LedgerFilter:
    order_no: str = ""
    workshop_id: int | None = None
    worker: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    flagged_only: bool = False
    kind: str = ""

    def describe(self) -> str:
        parts = []
        if self.order_no:
            parts.append(_("order {value}", value=self.order_no))
        if self.worker:
            parts.append(_("worker {value}", value=self.worker))
        if self.date_from:
            parts.append(_("from {date}", date=self.date_from.isoformat()))
        if self.date_to:
            parts.append(_("to {date}", date=self.date_to.isoformat()))
        if self.flagged_only:
            parts.append(_("loss over allowance only"))
        return ", ".join(parts) or _("all entries")


@dataclass(frozen=True)
class LedgerRow:
    id: int
    entry_no: str
    recorded_at: dt.datetime
    kind: str
    order_no: str
    sheet_no: str
    seq: int
    step: str
    workshop: str
    worker: str
    qty_done: int
    qty_rejected: int
    qty_rework: int
    issued_mg: int
    returned_mg: int
    in_piece_mg: int
    loss_mg: int
    allowance_mg: int
    stones_mct: int
    over_allowance: bool
    loss_reason: str
    inspection_state: str
    ncr_no: str
    note: str
    reverses_no: str


@dataclass(frozen=True)
class LedgerTotals:
    entries: int = 0
    qty_done: int = 0
    qty_rejected: int = 0
    qty_rework: int = 0
    issued_mg: int = 0
    returned_mg: int = 0
    in_piece_mg: int = 0
    loss_mg: int = 0
    allowance_mg: int = 0
    flagged: int = 0


def _bounds(day: dt.date, end: bool = False) -> dt.datetime:
    moment = dt.datetime.combine(day + dt.timedelta(days=1) if end else day, dt.time())
    return moment.astimezone(dt.timezone.utc)


def _where(stmt, f: LedgerFilter):
    if f.order_no.strip():
        stmt = stmt.where(LedgerEntry.order_id.in_(
            select(Order.id).where(Order.order_no.ilike(f"%{f.order_no.strip()}%"))))
    if f.workshop_id:
        stmt = stmt.where(LedgerEntry.workshop_id == f.workshop_id)
    if f.worker.strip():
        stmt = stmt.where(LedgerEntry.worker == f.worker.strip())
    if f.date_from:
        stmt = stmt.where(LedgerEntry.recorded_at >= _bounds(f.date_from))
    if f.date_to:
        stmt = stmt.where(LedgerEntry.recorded_at < _bounds(f.date_to, end=True))
    if f.kind:
        stmt = stmt.where(LedgerEntry.kind == f.kind)
    if f.flagged_only:
        rev = aliased(LedgerEntry)
        stmt = stmt.where(LedgerEntry.over_allowance.is_(True),
                          ~select(rev.id).where(rev.reverses_id == LedgerEntry.id).exists())
    return stmt


_ENTRY_FIELDS = ("id", "entry_no", "recorded_at", "kind")
_TAIL_FIELDS = ("worker", "qty_done", "qty_rejected", "qty_rework", "issued_mg", "returned_mg", "in_piece_mg", "loss_mg",
                "allowance_mg", "stones_mct", "over_allowance", "loss_reason", "inspection_state", "ncr_no", "note")


def _rows_stmt(f: LedgerFilter):
    """The view's rows as plain columns in LedgerRow's order (no ORM objects: a million rows stream through it)."""
    original = aliased(LedgerEntry)
    stmt = (select(*(getattr(LedgerEntry, c) for c in _ENTRY_FIELDS), Order.order_no, TaskSheet.sheet_no,
                   LedgerEntry.seq, PlanStep.name, Workshop.name, *(getattr(LedgerEntry, c) for c in _TAIL_FIELDS),
                   original.entry_no)
            .join(Order, Order.id == LedgerEntry.order_id)
            .join(TaskSheet, TaskSheet.id == LedgerEntry.task_sheet_id)
            .join(PlanStep, PlanStep.id == LedgerEntry.plan_step_id)
            .join(Workshop, Workshop.id == LedgerEntry.workshop_id)
            .outerjoin(original, original.id == LedgerEntry.reverses_id))
    return _where(stmt, f)


def _row(*values) -> LedgerRow:
    *fields, reverses_no = values
    return LedgerRow(*fields, reverses_no or "")


def query_entries(db: Database, f: LedgerFilter, offset: int = 0, limit: int = 200) -> list[LedgerRow]:
    """A page of entries, newest first. The page's ids are found first on the filter's index alone, then only those
    rows are joined to their order, sheet, step and workshop: OFFSET skips index entries, not joined rows (the last
    page of 1,000,000 entries took seconds the other way)."""
    newest = (LedgerEntry.recorded_at.desc(), LedgerEntry.id.desc())
    page = _where(select(LedgerEntry.id), f).order_by(*newest).offset(offset).limit(limit).subquery()
    stmt = _rows_stmt(LedgerFilter()).join(page, page.c.id == LedgerEntry.id).order_by(*newest)
    with read_session(db) as s:
        return [_row(*r) for r in s.execute(stmt)]


def iter_entries(db: Database, f: LedgerFilter, batch: int = 5000):
    """Every entry of the filter, oldest first, streamed by one query in batches of `batch` rows (flat memory; for
    exports). One query, not one per batch keyed on the last id: with a workshop or worker filter each such batch
    read every entry of the filter again (125,000 entries of one workshop: 23 s instead of 7)."""
    with read_session(db) as s:
        stmt = _rows_stmt(f).order_by(LedgerEntry.id).execution_options(yield_per=batch)
        for r in s.execute(stmt):
            yield _row(*r)


def count_entries(db: Database, f: LedgerFilter) -> int:
    with read_session(db) as s:
        return int(s.scalar(_where(select(func.count(LedgerEntry.id)), f)) or 0)


def totals(db: Database, f: LedgerFilter) -> LedgerTotals:
    cols = [func.count(LedgerEntry.id)] + [func.coalesce(func.sum(getattr(LedgerEntry, c)), 0) for c in (
        "qty_done", "qty_rejected", "qty_rework", "issued_mg", "returned_mg", "in_piece_mg", "loss_mg",
        "allowance_mg")]
    with read_session(db) as s:
        values = s.execute(_where(select(*cols), f)).one()
        flagged = s.scalar(_where(select(func.count(LedgerEntry.id)), LedgerFilter(**{**f.__dict__,
                                                                                      "flagged_only": True})))
    return LedgerTotals(*(int(v) for v in values), flagged=int(flagged or 0))


def entries_of_sheet(db: Database, sheet_no: str) -> list[LedgerRow]:
    with read_session(db) as s:
        sheet = _sheet_by_number(s, sheet_no)
        stmt = _rows_stmt(LedgerFilter()).where(LedgerEntry.task_sheet_id == sheet.id).order_by(LedgerEntry.id)
        return [_row(*r) for r in s.execute(stmt)]


def workers(db: Database) -> list[str]:
    with read_session(db) as s:
        return [w for w in s.scalars(select(LedgerEntry.worker).distinct().order_by(LedgerEntry.worker)) if w]


# ---- order progress ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OrderProgress:
    order_id: int
    order_no: str
    stage: str
    steps_done: int
    steps_total: int
    delivery_date: dt.date | None
    projected_finish: dt.date | None
    days_late: int | None
    loss_mg: int = 0
    allowance_mg: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.steps_done / self.steps_total) if self.steps_total else 0


def order_progress(db: Database, *, order_no: str = "", stages_: tuple[str, ...] = ("planned", "in_production",
                                                                                     "final_qc"),
                   limit: int = 500) -> list[OrderProgress]:
    """Each running order's steps done / total, percent and the planning forecast's projected finish."""
    stmt = (select(Order.id, Order.order_no, Order.stage, Order.delivery_date, func.count(PlanStep.id),
                   func.coalesce(func.sum(_done_int()), 0), OrderForecast.projected_finish, OrderForecast.days_late)
            .join(ProductionPlan, and_(ProductionPlan.order_id == Order.id, ProductionPlan.status == "released"))
            .join(PlanStep, PlanStep.plan_id == ProductionPlan.id)
            .outerjoin(OrderForecast, OrderForecast.order_id == Order.id)
            .where(Order.stage.in_(stages_))
            .group_by(Order.id, Order.order_no, Order.stage, Order.delivery_date, OrderForecast.projected_finish,
                      OrderForecast.days_late)
            .order_by(Order.delivery_date, Order.order_no).limit(limit))
    if order_no.strip():
        stmt = stmt.where(Order.order_no.ilike(f"%{order_no.strip()}%"))
    with read_session(db) as s:
        rows = list(s.execute(stmt))
        ids = [r[0] for r in rows]
        losses = dict()
        if ids:
            losses = {oid: (int(loss), int(allow)) for oid, loss, allow in s.execute(
                select(LedgerEntry.order_id, func.sum(LedgerEntry.loss_mg), func.sum(LedgerEntry.allowance_mg))
                .where(LedgerEntry.order_id.in_(ids)).group_by(LedgerEntry.order_id))}
    return [OrderProgress(oid, no, stage, int(done), int(total), due, proj, late, *losses.get(oid, (0, 0)))
            for oid, no, stage, due, total, done, proj, late in rows]


def _done_int():
    from sqlalchemy import case

    return case((PlanStep.state == "done", 1), else_=0)


@dataclass(frozen=True)
class LossLine:
    key: str
    issued_mg: int
    loss_mg: int
    allowance_mg: int

    @property
    def over(self) -> bool:
        return self.loss_mg > self.allowance_mg


def loss_by(db: Database, by: str, f: LedgerFilter | None = None) -> list[LossLine]:
    """Metal loss against the allowance per 'worker', 'workshop', 'order' or 'step'."""
    key = {"worker": LedgerEntry.worker, "workshop": Workshop.name, "order": Order.order_no,
           "step": PlanStep.name}[by]
    stmt = (select(key, func.sum(LedgerEntry.issued_mg), func.sum(LedgerEntry.loss_mg),
                   func.sum(LedgerEntry.allowance_mg))
            .join(Workshop, Workshop.id == LedgerEntry.workshop_id).join(Order, Order.id == LedgerEntry.order_id)
            .join(PlanStep, PlanStep.id == LedgerEntry.plan_step_id)
            .where(LedgerEntry.kind == "finish").group_by(key).order_by(key))
    stmt = _where(stmt, f or LedgerFilter())
    with read_session(db) as s:
        return [LossLine(str(k), int(i or 0), int(l or 0), int(a or 0)) for k, i, l, a in s.execute(stmt)]


__all__ = ["FinishInput", "LedgerFilter", "LedgerRow", "LedgerTotals", "OrderProgress", "Recorded", "SheetInfo",
           "count_entries", "entries_of_sheet", "iter_entries", "loss_by", "open_sheet", "order_progress",
           "query_entries", "record_finish", "record_rework", "record_start", "reverse_entry", "rework_answer",
           "totals", "workers"]
