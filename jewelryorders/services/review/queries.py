"""Read side of the order review: an order's whole review history and the paged lists of the Review tab."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import selectinload

from ...db import Database
from ...i18n import N_, tr
from ...models.customers import Customer
from ...models.orders import Order
from ...models.reviews import (
    FEASIBILITY, LEVELS, REVIEW_DEPARTMENTS, Contract, NegotiationEntry, PreliminaryReview, ReviewDecision,
    ReviewClearance, ReviewOpinion, ReviewRound,
)
from ...models.users import ROLES, User
from ..context import read_session
from .procedure import PRELIMINARY_STAGES, _load_order, _now


def _name(user: User | None) -> str:
    return (user.display_name or user.username) if user is not None else ""


# ---- one order's history --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OpinionView:
    id: int
    round_no: int
    department: str
    requested_at: dt.datetime
    due_at: dt.datetime
    answered_at: dt.datetime | None
    answered_by: str
    verdict: str | None
    conditions: str
    comments: str
    difficulty: str | None
    cycle_days: int | None
    capacity_load_pct: int | None
    craft_feasibility: str | None
    proposed_solution: str
    materials_list: str
    purchase_lead_days: int | None
    supplier_risk: str | None
    # production's capacity measures: (kind, workshop, first day, last day, minutes a day)
    capacity_measures: tuple[tuple[str, str, dt.date, dt.date, int], ...] = ()

    def overdue(self, now: dt.datetime | None = None) -> bool:
        """Answered after its due time, or still unanswered past it."""
        return (self.answered_at or _now(now)) > self.due_at


@dataclass(frozen=True)
class RoundView:
    id: int
    round_no: int
    opened_at: dt.datetime
    opened_by: str
    closed_at: dt.datetime | None
    closed_by: str
    result: str | None  # passed / failed / withdrawn; None while open
    opinions: tuple[OpinionView, ...]

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def missing(self) -> list[str]:
        return [o.department for o in self.opinions if o.answered_at is None]


@dataclass(frozen=True)
class PreliminaryView:
    id: int
    reviewed_at: dt.datetime
    reviewed_by: str
    outcome: str
    currency: str
    credit_open_value: Decimal
    credit_order_value: Decimal
    credit_limit: Decimal
    credit_ok: bool
    lead_required_days: int
    lead_available_days: int | None
    lead_ok: bool
    craft_ok: bool | None
    craft_note: str
    price_ok: bool
    price_note: str
    note: str
    credit_rating: str | None = None
    credit_paid: Decimal | None = None
    price_figures: str = "[]"
    cleared_by: str = "{}"


@dataclass(frozen=True)
class ClearanceView:
    """A payment, a raised credit limit or a technical confirmation recorded against a failed check."""

    id: int
    check_key: str
    kind: str
    amount: Decimal | None
    previous_amount: Decimal | None
    currency: str
    note: str
    recorded_at: dt.datetime
    recorded_by: str


@dataclass(frozen=True)
class NegotiationView:
    id: int
    talked_on: dt.date
    with_whom: str
    agreed: str
    changes: str
    recorded_at: dt.datetime
    recorded_by: str


@dataclass(frozen=True)
class DecisionView:
    id: int
    decided_at: dt.datetime
    decided_by: str
    decided_by_role: str  # role key of the manager
    decision: str
    reason: str
    from_stage: str


@dataclass(frozen=True)
class ContractView:
    contract_no: str
    signed_date: dt.date
    copies_to: tuple[str, ...]  # department keys
    recorded_at: dt.datetime
    recorded_by: str
    round_no: int


@dataclass(frozen=True)
class ReviewHistory:
    order_id: int
    order_no: str
    stage: str
    preliminary: tuple[PreliminaryView, ...]
    negotiations: tuple[NegotiationView, ...]
    decisions: tuple[DecisionView, ...]
    rounds: tuple[RoundView, ...]
    contract: ContractView | None
    clearances: tuple[ClearanceView, ...] = ()

    @property
    def latest_round(self) -> RoundView | None:
        return self.rounds[-1] if self.rounds else None

    @property
    def awaiting_decision(self) -> bool:
        """Escalated, and no manager has decided since the latest escalation."""
        if self.stage != "escalated":
            return False
        escalations = [p.reviewed_at for p in self.preliminary if p.outcome == "escalate"]
        since = max(escalations) if escalations else None
        return not any(since is None or d.decided_at >= since for d in self.decisions)

    @property
    def manager_accepted(self) -> bool:
        """Escalated and a manager accepted it since: sales may send it to the departments."""
        if self.stage != "escalated" or self.awaiting_decision:
            return False
        return bool(self.decisions) and self.decisions[-1].decision == "accept"


def _opinion_view(o: ReviewOpinion, round_no: int, measures=()) -> OpinionView:
    return OpinionView(o.id, round_no, o.department, o.requested_at, o.due_at, o.answered_at, _name(o.answered_by),
                       o.verdict, o.conditions, o.comments, o.difficulty, o.cycle_days, o.capacity_load_pct,
                       o.craft_feasibility, o.proposed_solution, o.materials_list, o.purchase_lead_days,
                       o.supplier_risk, tuple(measures))


def _measures_by_opinion(s, order_id: int) -> dict[int, list[tuple[str, str, dt.date, dt.date, int]]]:
    from ...models.planning import CapacityMeasure

    out: dict[int, list] = {}
    for m in s.scalars(select(CapacityMeasure).where(CapacityMeasure.order_id == order_id)
                       .order_by(CapacityMeasure.id)):
        if m.opinion_id is not None:
            out.setdefault(m.opinion_id, []).append((m.kind, m.workshop.name, m.first_day, m.last_day,
                                                     m.minutes_per_day))
    return out


def _department_order(department: str) -> int:
    keys = list(REVIEW_DEPARTMENTS)
    return keys.index(department) if department in keys else len(keys)


def review_history(db: Database, order_id: int) -> ReviewHistory:
    """Everything recorded in an order's review, oldest first; every round is kept."""
    with read_session(db) as s:
        order = _load_order(s, order_id)
        prelim = s.scalars(select(PreliminaryReview).where(PreliminaryReview.order_id == order_id)
                           .order_by(PreliminaryReview.reviewed_at, PreliminaryReview.id)).all()
        talks = s.scalars(select(NegotiationEntry).where(NegotiationEntry.order_id == order_id)
                          .order_by(NegotiationEntry.recorded_at, NegotiationEntry.id)).all()
        decisions = s.scalars(select(ReviewDecision).where(ReviewDecision.order_id == order_id)
                              .order_by(ReviewDecision.decided_at, ReviewDecision.id)).all()
        rounds = s.scalars(select(ReviewRound).where(ReviewRound.order_id == order_id)
                           .order_by(ReviewRound.round_no)
                           .options(selectinload(ReviewRound.opinions))).all()
        contract = s.scalar(select(Contract).where(Contract.order_id == order_id)
                            .options(selectinload(Contract.copies)))
        clearances = s.scalars(select(ReviewClearance).where(ReviewClearance.order_id == order_id)
                               .order_by(ReviewClearance.recorded_at, ReviewClearance.id)).all()
        round_no_of = {r.id: r.round_no for r in rounds}
        measures = _measures_by_opinion(s, order_id)
        return ReviewHistory(
            order_id=order.id, order_no=order.order_no, stage=order.stage,
            preliminary=tuple(PreliminaryView(
                p.id, p.reviewed_at, _name(p.reviewed_by), p.outcome, p.currency, Decimal(p.credit_open_value),
                Decimal(p.credit_order_value), Decimal(p.credit_limit), p.credit_ok, p.lead_required_days,
                p.lead_available_days, p.lead_ok, p.craft_ok, p.craft_note, p.price_ok, p.price_note, p.note,
                p.credit_rating, None if p.credit_paid is None else Decimal(p.credit_paid), p.price_figures,
                p.cleared_by) for p in prelim),
            clearances=tuple(ClearanceView(c.id, c.check_key, c.kind, c.amount, c.previous_amount, c.currency, c.note,
                                           c.recorded_at, _name(c.recorded_by)) for c in clearances),
            negotiations=tuple(NegotiationView(n.id, n.talked_on, n.with_whom, n.agreed, n.changes, n.recorded_at,
                                               _name(n.recorded_by)) for n in talks),
            decisions=tuple(DecisionView(d.id, d.decided_at, _name(d.decided_by),
                                         d.decided_by.role if d.decided_by else "", d.decision, d.reason,
                                         d.from_stage) for d in decisions),
            rounds=tuple(RoundView(
                r.id, r.round_no, r.opened_at, _name(r.opened_by), r.closed_at, _name(r.closed_by), r.result,
                tuple(sorted((_opinion_view(o, r.round_no, measures.get(o.id, ())) for o in r.opinions),
                             key=lambda o: _department_order(o.department)))) for r in rounds),
            contract=None if contract is None else ContractView(
                contract.contract_no, contract.signed_date,
                tuple(sorted((c.department for c in contract.copies), key=_department_order)),
                contract.recorded_at, _name(contract.recorded_by), round_no_of.get(contract.round_id, 0)),
        )


def opinion_fields(opinion: OpinionView, lang: str | None = None) -> list[tuple[str, str]]:
    """The department's own answers as (label, value) pairs in `lang`; empty while unanswered."""
    if opinion.answered_at is None:
        return []

    def level(value: str | None) -> str:
        return tr(LEVELS[value], lang) if value in LEVELS else ""

    if opinion.department == "production":
        fields = [(tr("Difficulty", lang), level(opinion.difficulty)),
                  (tr("Cycle days", lang), "" if opinion.cycle_days is None else str(opinion.cycle_days)),
                  (tr("Capacity load %", lang),
                   "" if opinion.capacity_load_pct is None else f"{opinion.capacity_load_pct} %")]
        if opinion.capacity_measures:
            from ...models.planning import CAPACITY_MEASURE_KINDS

            fields.append((tr("Capacity measures", lang), "; ".join(
                tr("{kind} in {workshop}, {first} to {last}, {hours} h a day", lang,
                   kind=tr(CAPACITY_MEASURE_KINDS.get(kind, kind), lang), workshop=workshop,
                   first=first.isoformat(), last=last.isoformat(), hours=f"{minutes / 60:g}")
                for kind, workshop, first, last, minutes in opinion.capacity_measures)))
        return fields
    if opinion.department == "technical":
        feasibility = opinion.craft_feasibility
        return [(tr("Craft feasibility", lang), tr(FEASIBILITY[feasibility], lang) if feasibility in FEASIBILITY
                 else ""),
                (tr("Proposed solution", lang), opinion.proposed_solution)]
    return [(tr("Materials list", lang), opinion.materials_list),
            (tr("Purchasing lead time (days)", lang),
             "" if opinion.purchase_lead_days is None else str(opinion.purchase_lead_days)),
            (tr("Supplier risk", lang), level(opinion.supplier_risk))]


# ---- the Review tab's lists -----------------------------------------------------------------------------------

def _latest_round_col(column):
    return (select(column).where(ReviewRound.order_id == Order.id).order_by(ReviewRound.round_no.desc()).limit(1)
            .correlate(Order).scalar_subquery())


def _latest_escalation():
    return (select(func.max(PreliminaryReview.reviewed_at))
            .where(PreliminaryReview.order_id == Order.id, PreliminaryReview.outcome == "escalate")
            .correlate(Order).scalar_subquery())


def _latest_decision_col(column):
    return (select(column).where(ReviewDecision.order_id == Order.id)
            .order_by(ReviewDecision.decided_at.desc(), ReviewDecision.id.desc()).limit(1)
            .correlate(Order).scalar_subquery())


STATUS_NEW = "new"                      # waiting for the preliminary review
STATUS_NEGOTIATING = "negotiating"
STATUS_ROUND_FAILED = "round_failed"    # negotiating after a failed round
STATUS_AWAITING_MANAGER = "awaiting_manager"
STATUS_MANAGER_ACCEPTED = "manager_accepted"
STATUS_MANAGER_RENEGOTIATE = "manager_renegotiate"

STATUS_LABELS = {
    STATUS_NEW: N_("Awaiting preliminary review"),
    STATUS_NEGOTIATING: N_("Negotiating"),
    STATUS_ROUND_FAILED: N_("Review round failed: negotiate again"),
    STATUS_AWAITING_MANAGER: N_("Escalated: awaiting a manager"),
    STATUS_MANAGER_ACCEPTED: N_("Accepted by a manager: send to the departments"),
    STATUS_MANAGER_RENEGOTIATE: N_("A manager asked to renegotiate"),
}


@dataclass(frozen=True)
class PreliminaryRow:
    order_id: int
    order_no: str
    customer_name: str
    delivery_date: dt.date | None
    total_amount: Decimal
    currency: str
    stage: str
    submitted_at: dt.datetime | None
    rounds: int
    status: str  # one of the STATUS_* keys


def _status(stage: str, last_round_result: str | None, decision: str | None, decided_at, escalated_at,
            round_closed_at) -> str:
    if stage == "escalated":
        if decided_at is not None and (escalated_at is None or decided_at >= escalated_at) and decision == "accept":
            return STATUS_MANAGER_ACCEPTED
        return STATUS_AWAITING_MANAGER
    if stage == "negotiating":
        if decision == "renegotiate" and (round_closed_at is None or decided_at >= round_closed_at):
            return STATUS_MANAGER_RENEGOTIATE
        return STATUS_ROUND_FAILED if last_round_result == "failed" else STATUS_NEGOTIATING
    return STATUS_NEW


def _aware(value):
    """Scalar subqueries come back as raw values; make timestamps comparable like the mapped columns."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value


PRELIMINARY_SORT = {
    "order_no": Order.order_no, "customer": Customer.name, "delivery_date": Order.delivery_date,
    "amount": Order.total_amount, "stage": Order.stage, "submitted": Order.submitted_at,
}


def preliminary_rows(db: Database, offset: int = 0, limit: int = 200, sort_key: str = "submitted",
                     descending: bool = False) -> list[PreliminaryRow]:
    """Orders waiting for sales in the preliminary review: new, negotiating, escalated."""
    sort = PRELIMINARY_SORT.get(sort_key, Order.submitted_at)
    round_count = (select(func.count(ReviewRound.id)).where(ReviewRound.order_id == Order.id)
                   .correlate(Order).scalar_subquery())
    stmt = (select(Order.id, Order.order_no, Customer.name, Order.delivery_date, Order.total_amount, Order.currency,
                   Order.stage, Order.submitted_at, round_count, _latest_round_col(ReviewRound.result),
                   _latest_decision_col(ReviewDecision.decision), _latest_decision_col(ReviewDecision.decided_at),
                   _latest_escalation(), _latest_round_col(ReviewRound.closed_at))
            .join(Customer, Customer.id == Order.customer_id)
            .where(Order.stage.in_(PRELIMINARY_STAGES))
            .order_by(sort.desc() if descending else sort.asc(), Order.id.desc() if descending else Order.id)
            .offset(offset).limit(limit))
    with read_session(db) as s:
        rows = []
        for r in s.execute(stmt):
            status = _status(r[6], r[9], r[10], _aware(r[11]), _aware(r[12]), _aware(r[13]))
            rows.append(PreliminaryRow(r[0], r[1], r[2], r[3], Decimal(r[4]), r[5], r[6], r[7], r[8] or 0, status))
        return rows


def count_preliminary(db: Database) -> int:
    with read_session(db) as s:
        return s.scalar(select(func.count(Order.id)).where(Order.stage.in_(PRELIMINARY_STAGES)))


@dataclass(frozen=True)
class InboxRow:
    opinion_id: int
    order_id: int
    order_no: str
    customer_name: str
    round_no: int
    department: str
    requested_at: dt.datetime
    due_at: dt.datetime
    delivery_date: dt.date | None
    style_summary: str
    total_quantity: int

    def overdue(self, now: dt.datetime | None = None) -> bool:
        return _now(now) > self.due_at


def _open_requests(department: str | None):
    cond = [ReviewOpinion.answered_at.is_(None), ReviewRound.closed_at.is_(None)]
    if department:
        cond.append(ReviewOpinion.department == department)
    return cond


INBOX_SORT = {"due": ReviewOpinion.due_at, "order_no": Order.order_no, "customer": Customer.name,
              "delivery_date": Order.delivery_date, "requested": ReviewOpinion.requested_at}


def inbox_rows(db: Database, department: str, offset: int = 0, limit: int = 200, sort_key: str = "due",
               descending: bool = False, *, now: dt.datetime | None = None) -> list[InboxRow]:
    """A department's open review requests, overdue ones first, then in the chosen order."""
    moment = _now(now)
    sort = INBOX_SORT.get(sort_key, ReviewOpinion.due_at)
    overdue_first = case((ReviewOpinion.due_at < moment, 0), else_=1)
    stmt = (select(ReviewOpinion.id, Order.id, Order.order_no, Customer.name, ReviewRound.round_no,
                   ReviewOpinion.department, ReviewOpinion.requested_at, ReviewOpinion.due_at, Order.delivery_date,
                   Order.style_summary, Order.total_quantity)
            .join(ReviewRound, ReviewRound.id == ReviewOpinion.round_id)
            .join(Order, Order.id == ReviewOpinion.order_id)
            .join(Customer, Customer.id == Order.customer_id)
            .where(*_open_requests(department))
            .order_by(overdue_first, sort.desc() if descending else sort.asc(), ReviewOpinion.id)
            .offset(offset).limit(limit))
    with read_session(db) as s:
        return [InboxRow(*r) for r in s.execute(stmt)]


def count_inbox(db: Database, department: str) -> int:
    stmt = (select(func.count(ReviewOpinion.id)).join(ReviewRound, ReviewRound.id == ReviewOpinion.round_id)
            .where(*_open_requests(department)))
    with read_session(db) as s:
        return s.scalar(stmt)


def overdue_count(db: Database, department: str | None = None, *, now: dt.datetime | None = None) -> int:
    """Open review requests past their due time, of one department or of all."""
    stmt = (select(func.count(ReviewOpinion.id)).join(ReviewRound, ReviewRound.id == ReviewOpinion.round_id)
            .where(*_open_requests(department), ReviewOpinion.due_at < _now(now)))
    with read_session(db) as s:
        return s.scalar(stmt)


@dataclass(frozen=True)
class RoundRow:
    order_id: int
    order_no: str
    customer_name: str
    round_no: int
    opened_at: dt.datetime
    answered: int
    requested: int
    overdue: int
    next_due: dt.datetime | None
    delivery_date: dt.date | None
    result: str | None

    @property
    def ready_to_close(self) -> bool:
        return self.result is None and self.answered == self.requested

    @property
    def awaiting_contract(self) -> bool:
        return self.result == "passed"


ROUND_SORT = {"order_no": Order.order_no, "customer": Customer.name, "delivery_date": Order.delivery_date,
              "opened": ReviewRound.opened_at}


def round_rows(db: Database, offset: int = 0, limit: int = 200, sort_key: str = "opened", descending: bool = False,
               *, now: dt.datetime | None = None) -> list[RoundRow]:
    """Orders in detailed review with their latest round: answers so far, overdue requests, result."""
    moment = _now(now)
    latest = (select(func.max(ReviewRound.round_no)).where(ReviewRound.order_id == Order.id)
              .correlate(Order).scalar_subquery())
    answered = (select(func.count(ReviewOpinion.id)).where(ReviewOpinion.round_id == ReviewRound.id,
                                                           ReviewOpinion.answered_at.is_not(None))
                .correlate(ReviewRound).scalar_subquery())
    requested = (select(func.count(ReviewOpinion.id)).where(ReviewOpinion.round_id == ReviewRound.id)
                 .correlate(ReviewRound).scalar_subquery())
    late = (select(func.count(ReviewOpinion.id)).where(ReviewOpinion.round_id == ReviewRound.id,
                                                       ReviewOpinion.answered_at.is_(None),
                                                       ReviewOpinion.due_at < moment)
            .correlate(ReviewRound).scalar_subquery())
    next_due = (select(func.min(ReviewOpinion.due_at)).where(ReviewOpinion.round_id == ReviewRound.id,
                                                             ReviewOpinion.answered_at.is_(None))
                .correlate(ReviewRound).scalar_subquery())
    sort = ROUND_SORT.get(sort_key, ReviewRound.opened_at)
    stmt = (select(Order.id, Order.order_no, Customer.name, ReviewRound.round_no, ReviewRound.opened_at, answered,
                   requested, late, next_due, Order.delivery_date, ReviewRound.result)
            .join(Customer, Customer.id == Order.customer_id)
            .join(ReviewRound, and_(ReviewRound.order_id == Order.id, ReviewRound.round_no == latest))
            .where(Order.stage == "detailed_review")
            .order_by(sort.desc() if descending else sort.asc(), Order.id)
            .offset(offset).limit(limit))
    with read_session(db) as s:
        return [RoundRow(r[0], r[1], r[2], r[3], r[4], r[5] or 0, r[6] or 0, r[7] or 0, _aware(r[8]), r[9], r[10])
                for r in s.execute(stmt)]


def count_round_rows(db: Database) -> int:
    with read_session(db) as s:
        return s.scalar(select(func.count(Order.id)).where(Order.stage == "detailed_review"))


@dataclass(frozen=True)
class EscalationRow:
    order_id: int
    order_no: str
    customer_name: str
    stage: str
    since: dt.datetime | None  # escalated at, or the failed round's closing time
    total_amount: Decimal
    currency: str
    last_round_result: str | None

    @property
    def kind(self) -> str:
        return "escalated" if self.stage == "escalated" else "failed_review"


def _escalation_filter():
    escalated_at = _latest_escalation()
    undecided = ~exists().where(ReviewDecision.order_id == Order.id, ReviewDecision.decided_at >= escalated_at)
    round_closed = _latest_round_col(ReviewRound.closed_at)
    undecided_since_round = ~exists().where(ReviewDecision.order_id == Order.id,
                                            ReviewDecision.decided_at >= round_closed)
    return or_(
        and_(Order.stage == "escalated", or_(escalated_at.is_(None), undecided)),
        and_(Order.stage == "negotiating", _latest_round_col(ReviewRound.result) == "failed", undecided_since_round),
    )


ESCALATION_SORT = {"order_no": Order.order_no, "customer": Customer.name, "amount": Order.total_amount,
                   "stage": Order.stage}


def escalation_rows(db: Database, offset: int = 0, limit: int = 200, sort_key: str = "order_no",
                    descending: bool = False) -> list[EscalationRow]:
    """What waits for a manager: escalated orders not yet decided, and orders whose latest review round failed."""
    sort = ESCALATION_SORT.get(sort_key, Order.order_no)
    stmt = (select(Order.id, Order.order_no, Customer.name, Order.stage, _latest_escalation(),
                   _latest_round_col(ReviewRound.closed_at), Order.total_amount, Order.currency,
                   _latest_round_col(ReviewRound.result))
            .join(Customer, Customer.id == Order.customer_id)
            .where(Order.stage.in_(("escalated", "negotiating")), _escalation_filter())
            .order_by(sort.desc() if descending else sort.asc(), Order.id)
            .offset(offset).limit(limit))
    with read_session(db) as s:
        return [EscalationRow(r[0], r[1], r[2], r[3], _aware(r[4] if r[3] == "escalated" else r[5]), Decimal(r[6]),
                              r[7], r[8]) for r in s.execute(stmt)]


def count_escalations(db: Database) -> int:
    stmt = (select(func.count(Order.id)).where(Order.stage.in_(("escalated", "negotiating")),
                                               _escalation_filter()))
    with read_session(db) as s:
        return s.scalar(stmt)


def role_label(role: str, lang: str | None = None) -> str:
    return tr(ROLES.get(role, role), lang) if role else ""
