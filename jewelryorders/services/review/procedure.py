"""Order review (parts 2a-2c): preliminary checks and outcome, negotiation, escalation, rounds of opinions, contract."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Mapping, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ... import clock
from ...db import Database
from ...i18n import LazyText, N_, _
from ...i18n import formats
from ...models.customers import CREDIT_RATINGS, Customer
from ...models.orders import Order, OrderLine, Style
from ...models.reviews import (
    DECISIONS,
    FEASIBILITY,
    LEVELS,
    PRELIMINARY_OUTCOMES,
    REVIEW_DEPARTMENTS,
    ROUND_RESULTS,
    VERDICTS,
    CLEARANCE_KINDS,
    PRELIMINARY_CHECKS,
    Contract,
    ContractCopy,
    NegotiationEntry,
    PreliminaryReview,
    ReviewClearance,
    ReviewDecision,
    ReviewOpinion,
    ReviewRound,
)
from ...models.planning import CAPACITY_MEASURE_KINDS, CapacityMeasure, PlanReviewInput, Workshop
from ...models.users import DEPARTMENTS, Setting, User
from .. import audit, permissions, stages
from ..context import Actor, read_session, unit_of_work
from ..errors import GateError, NotFound, PermissionDenied, ValidationError
from ..orders.intake import open_order_value
from ..permissions import require
from ..validation import LONG_TEXT, Problems, decimal_value, parse_date, positive_int, text
from .policy import PriceCheck, figures_json, line_price_text, price_check, price_summary_text

FALLBACK_LEAD_DAYS = 30
MAX_DUE_DAYS = 365
MAX_CYCLE_DAYS = 3650
MAX_LOAD_PCT = 1000


def is_sales_side(actor: Actor) -> bool:
    """Sales runs the review; managers and administrators may stand in for a clerk."""
    return actor.department in ("sales", "management") or actor.role in ("manager", "administrator")


def is_decision_maker(actor: Actor) -> bool:
    """Escalations and abandoning are a manager's call (a manager, or the head of management), not an admin's."""
    return actor.role == "manager" or (actor.department == "management" and actor.role == "department_head")


def answers_for(actor: Actor) -> str | None:
    """The review department this user answers for: their own department, whatever their role."""
    return actor.department if actor.department in REVIEW_DEPARTMENTS else None


permissions.register("review.preliminary", is_sales_side, N_("record the preliminary review of orders"))
permissions.register("review.negotiate", is_sales_side, N_("record negotiations with customers"))
permissions.register("review.send", is_sales_side, N_("send orders to the departments for detailed review"))
permissions.register("review.close_round", is_sales_side, N_("close review rounds"))
permissions.register("review.contract", is_sales_side, N_("record signed contracts"))
permissions.register("review.decide", is_decision_maker, N_("decide on escalated or failed reviews"))
permissions.register("review.answer", lambda a: answers_for(a) is not None,
                     N_("answer review requests for a department"))


def _now(now: dt.datetime | None) -> dt.datetime:
    if now is None:
        return clock.now()
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(dt.timezone.utc)


def _local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone().date()


def department_label(department: str) -> str:
    return _(DEPARTMENTS.get(department, department))


def _user_name(user: User | None) -> str:
    return (user.display_name or user.username) if user is not None else ""


# ---- the checks of the preliminary review ---------------------------------------------------------------------

RATING_BLOCKS = "D"  # the worst rating: no credit at all, only cash in advance
RATING_NEEDS_APPROVAL = "C"  # the next: management approves every order

CREDIT_OVER_LIMIT = "over_limit"
CREDIT_RATING_BLOCKED = "rating_blocked"
CREDIT_NEEDS_APPROVAL = "needs_approval"


@dataclass(frozen=True)
class CreditCheck:
    """Open order value plus this order, less what the customer paid for it, against the customer's limit; and the
    customer's credit rating (D: cash in advance only; C: management approves).

    All of a customer's orders are assumed to be in the customer's currency, the currency of the credit limit."""

    currency: str
    open_value: Decimal  # the customer's other open orders
    order_value: Decimal  # this order
    limit: Decimal
    rating: str = "A"
    paid: Decimal = Decimal(0)  # payments recorded for this order

    @property
    def exposure(self) -> Decimal:
        return self.open_value + self.order_value - self.paid

    @property
    def within_limit(self) -> bool:
        return self.exposure <= self.limit

    @property
    def paid_in_advance(self) -> bool:
        return self.paid >= self.order_value

    @property
    def problem(self) -> str | None:
        if self.rating == RATING_BLOCKS:
            return None if self.paid_in_advance else CREDIT_RATING_BLOCKED
        if not self.within_limit:
            return CREDIT_OVER_LIMIT
        if self.rating == RATING_NEEDS_APPROVAL:
            return CREDIT_NEEDS_APPROVAL
        return None

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def excess(self) -> Decimal:
        return max(self.exposure - self.limit, Decimal(0))


@dataclass(frozen=True)
class StyleLead:
    style_code: str
    lead_days: int
    in_master: bool  # False: not in the style master, the factory's default lead time was used


@dataclass(frozen=True)
class LeadTimeCheck:
    """The delivery date against the longest standard lead time of the order's styles."""

    as_of: dt.date
    delivery_date: dt.date | None
    required_days: int
    styles: tuple[StyleLead, ...]

    @property
    def available_days(self) -> int | None:
        return None if self.delivery_date is None else (self.delivery_date - self.as_of).days

    @property
    def ok(self) -> bool:
        return self.available_days is not None and self.available_days >= self.required_days

    @property
    def shortfall(self) -> int:
        available = self.available_days
        return self.required_days if available is None else max(self.required_days - available, 0)


@dataclass(frozen=True)
class CraftCheck:
    """The reviewer's judgement of the style and craft requirements: clear (True), too complex (False), or not
    judged yet (None); nothing is assumed."""

    judged: bool | None
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.judged is True


CHECK_CREDIT = "credit"
CHECK_LEAD_TIME = "lead_time"
CHECK_CRAFT = "craft"
CHECK_PRICE = "price"
CHECK_ORDER = (CHECK_CREDIT, CHECK_LEAD_TIME, CHECK_CRAFT, CHECK_PRICE)
CHECK_LABELS = PRELIMINARY_CHECKS

# What cleared a check (stored with the accepted outcome; the review report prints it).
CLEARED_PASSED = "passed"  # it never failed
CLEARED_NEW_DATE = "new_delivery_date"
CLEARED_NEW_PRICE = "new_price"
CLEARED_PAYMENT = "payment"
CLEARED_CREDIT_LIMIT = "credit_limit"
CLEARED_TECHNICAL = "technical"
CLEARED_DECISION = "decision"
CLEARED_LABELS: dict[str, str] = {
    CLEARED_PASSED: N_("Passed"),
    CLEARED_NEW_DATE: N_("Cleared by a new delivery date"),
    CLEARED_NEW_PRICE: N_("Cleared by a price that meets the policy"),
    CLEARED_PAYMENT: N_("Cleared by a payment"),
    CLEARED_CREDIT_LIMIT: N_("Cleared by a raised credit limit"),
    CLEARED_TECHNICAL: N_("Cleared by a technical confirmation"),
    CLEARED_DECISION: N_("Cleared by management's decision"),
}


@dataclass(frozen=True)
class ReviewChecks:
    order_id: int
    order_no: str
    stage: str
    credit: CreditCheck
    lead_time: LeadTimeCheck
    craft: CraftCheck
    price: PriceCheck
    # For each check: what cleared it (CLEARED_*), or None while it is failed and nothing has answered it.
    cleared: Mapping[str, str | None]

    def ok(self, check: str) -> bool:
        return {CHECK_CREDIT: self.credit.ok, CHECK_LEAD_TIME: self.lead_time.ok, CHECK_CRAFT: self.craft.ok,
                CHECK_PRICE: self.price.ok}[check]

    @property
    def failed(self) -> list[str]:
        return [k for k in CHECK_ORDER if not self.ok(k)]

    @property
    def blocking(self) -> list[str]:
        """Checks that failed and that nothing has answered yet (a talk with the customer alone answers nothing)."""
        return [k for k in CHECK_ORDER if self.cleared.get(k) is None]


def credit_text(c: CreditCheck, lang: str | None = None) -> str:
    from ...i18n import tr

    text_ = tr("Open orders {currency} {open} + this order {currency} {order} = {currency} {exposure} against a limit "
               "of {currency} {limit}", lang, currency=c.currency, open=formats.amount(c.open_value, c.currency, lang),
               order=formats.amount(c.order_value, c.currency, lang),
               exposure=formats.amount(c.open_value + c.order_value, c.currency, lang),
               limit=formats.amount(c.limit, c.currency, lang))
    if c.paid:
        text_ += tr("; paid for this order {currency} {paid}", lang, currency=c.currency,
                    paid=formats.amount(c.paid, c.currency, lang))
    return text_ + tr("; credit rating {rating}", lang, rating=tr(CREDIT_RATINGS.get(c.rating, c.rating), lang))


def credit_problem_text(c: CreditCheck, lang: str | None = None) -> str:
    from ...i18n import tr

    if c.problem == CREDIT_RATING_BLOCKED:
        return tr("Rating D: only cash in advance — record a payment of the full order value {currency} {value}",
                  lang, currency=c.currency, value=formats.amount(c.order_value, c.currency, lang))
    if c.problem == CREDIT_OVER_LIMIT:
        return tr("Over the limit by {currency} {excess}", lang, currency=c.currency,
                  excess=formats.amount(c.excess, c.currency, lang))
    if c.problem == CREDIT_NEEDS_APPROVAL:
        return tr("Rating C: management's approval is needed", lang)
    return tr("Within the limit", lang)


def lead_time_text(lead: LeadTimeCheck, lang: str | None = None) -> str:
    from ...i18n import tr

    if lead.delivery_date is None:
        return tr("No delivery date; the styles need {required} days", lang, required=lead.required_days)
    return tr("{available} days until delivery on {delivery}; the styles need {required} days", lang,
              available=lead.available_days, delivery=lead.delivery_date.isoformat(), required=lead.required_days)


def craft_text(craft: CraftCheck, lang: str | None = None) -> str:
    from ...i18n import tr

    if craft.judged is None:
        return tr("Not judged yet", lang)
    verdict = tr("Clear", lang) if craft.judged else tr("Too complex", lang)
    return f"{verdict} — {craft.note}" if craft.note else verdict


def _default_lead_days(session: Session) -> int:
    row = session.get(Setting, "default_lead_days")
    try:
        days = int(row.value) if row is not None else FALLBACK_LEAD_DAYS
    except ValueError:
        days = FALLBACK_LEAD_DAYS
    return days if days > 0 else FALLBACK_LEAD_DAYS


def _lead_time(session: Session, order: Order, as_of: dt.date) -> LeadTimeCheck:
    codes = list(dict.fromkeys(session.scalars(
        select(OrderLine.style_code).where(OrderLine.order_id == order.id).order_by(OrderLine.line_no))))
    master = dict(session.execute(select(Style.code, Style.standard_lead_days).where(Style.code.in_(codes))).all()) \
        if codes else {}
    default = _default_lead_days(session)
    styles = tuple(StyleLead(code, master.get(code, default), code in master) for code in codes)
    required = max((s.lead_days for s in styles), default=default)
    return LeadTimeCheck(as_of, order.delivery_date, required, styles)


def _payments(session: Session, order_id: int) -> Decimal:
    return Decimal(session.scalar(select(func.coalesce(func.sum(ReviewClearance.amount), 0)).where(
        ReviewClearance.order_id == order_id, ReviewClearance.kind == "payment")) or 0)


def _credit(session: Session, order: Order) -> CreditCheck:
    customer = session.get(Customer, order.customer_id)
    return CreditCheck(customer.currency, open_order_value(session, order.customer_id, exclude_order_id=order.id),
                       Decimal(order.total_amount), Decimal(customer.credit_limit), customer.credit_rating,
                       _payments(session, order.id))


def _recorded_craft(session: Session, order_id: int) -> CraftCheck:
    """The latest judgement of the craft recorded with a preliminary outcome (None: never judged)."""
    row = session.execute(select(PreliminaryReview.craft_ok, PreliminaryReview.craft_note).where(
        PreliminaryReview.order_id == order_id, PreliminaryReview.craft_ok.is_not(None))
        .order_by(PreliminaryReview.reviewed_at.desc(), PreliminaryReview.id.desc()).limit(1)).first()
    return CraftCheck(None) if row is None else CraftCheck(bool(row[0]), row[1] or "")


def _cleared(session: Session, order_id: int, credit: CreditCheck, lead: LeadTimeCheck, craft: CraftCheck,
             price: PriceCheck) -> dict[str, str | None]:
    """What clears each check. A passed check that failed in an earlier recorded outcome names what answered it
    (a new delivery date, a price that meets the policy, a payment, a raised limit); a failed one is cleared only by
    a technical confirmation (craft) or management's acceptance (not for rating D: only cash in advance)."""
    history = session.execute(select(PreliminaryReview.credit_ok, PreliminaryReview.lead_ok, PreliminaryReview.craft_ok,
                                     PreliminaryReview.price_ok).where(PreliminaryReview.order_id == order_id)).all()
    failed_before = {
        CHECK_CREDIT: any(not r[0] for r in history), CHECK_LEAD_TIME: any(not r[1] for r in history),
        CHECK_CRAFT: any(r[2] is False for r in history), CHECK_PRICE: any(not r[3] for r in history),
    }
    kinds = set(session.scalars(select(ReviewClearance.kind).where(ReviewClearance.order_id == order_id)))
    accepted = session.scalar(select(ReviewDecision.id).where(
        ReviewDecision.order_id == order_id, ReviewDecision.decision == "accept").limit(1)) is not None
    ok = {CHECK_CREDIT: credit.ok, CHECK_LEAD_TIME: lead.ok, CHECK_CRAFT: craft.ok, CHECK_PRICE: price.ok}
    cleared: dict[str, str | None] = {}
    for check in CHECK_ORDER:
        if ok[check]:
            by = CLEARED_PASSED
            if failed_before[check]:
                by = {CHECK_LEAD_TIME: CLEARED_NEW_DATE, CHECK_PRICE: CLEARED_NEW_PRICE,
                      CHECK_CRAFT: CLEARED_TECHNICAL if "technical" in kinds else CLEARED_PASSED,
                      CHECK_CREDIT: (CLEARED_PAYMENT if "payment" in kinds else
                                     CLEARED_CREDIT_LIMIT if "credit_limit" in kinds else CLEARED_PASSED)}[check]
            cleared[check] = by
        elif check == CHECK_CRAFT and craft.judged is False and "technical" in kinds:
            cleared[check] = CLEARED_TECHNICAL
        elif check == CHECK_CRAFT and craft.judged is None:
            cleared[check] = None  # nobody can decide on a craft nobody has judged
        elif check == CHECK_CREDIT and credit.problem == CREDIT_RATING_BLOCKED:
            cleared[check] = None  # the worst rating: only cash in advance, not even a manager's acceptance
        else:
            cleared[check] = CLEARED_DECISION if accepted else None
    return cleared


def _checks(session: Session, order: Order, as_of: dt.date, craft: CraftCheck | None = None) -> ReviewChecks:
    credit = _credit(session, order)
    lead = _lead_time(session, order, as_of)
    craft = craft if craft is not None else _recorded_craft(session, order.id)
    price = price_check(session, order)
    return ReviewChecks(order.id, order.order_no, order.stage, credit, lead, craft, price,
                        _cleared(session, order.id, credit, lead, craft, price))


def _craft_of(session: Session, order_id: int, prelim: PreliminaryInput) -> CraftCheck:
    """The judgement given now, or else the latest one recorded for the order."""
    if prelim.craft_ok is None:
        return _recorded_craft(session, order_id)
    return CraftCheck(prelim.craft_ok, prelim.craft_note)


def compute_checks(db: Database, order_id: int, *, today: dt.date | None = None,
                   craft: CraftCheck | None = None) -> ReviewChecks:
    """The four checks of an order as they stand now, and what cleared each (None while a failed one is open).

    `craft`: the reviewer's judgement on screen; without it, the latest recorded judgement."""
    with read_session(db) as s:
        order = _load_order(s, order_id)
        return _checks(s, order, today or clock.today(), craft)


# ---- inputs ---------------------------------------------------------------------------------------------------

@dataclass
class PreliminaryInput:
    """What the reviewer judges: the style and craft requirements (clear / too complex, nothing assumed), with a
    note; the price terms are checked against the company's policy, the note only explains them."""

    craft_ok: bool | None = None
    craft_note: str = ""
    price_note: str = ""


@dataclass
class NegotiationInput:
    talked_on: dt.date | str | None
    with_whom: str
    agreed: str
    changes: str = ""


@dataclass
class CapacityMeasureInput:
    """Capacity production commits so that a late proposal finishes on time: overtime, an extra shift or
    outsourcing, in one workshop, on each working day from `first_day` to `last_day`, `hours_per_day` more."""

    kind: str
    workshop_id: int | None
    first_day: dt.date | str | None
    last_day: dt.date | str | None
    hours_per_day: Decimal | str | int | None
    note: str = ""


@dataclass
class OpinionAnswer:
    """A department's answer; only the fields of the answering department are read.

    Production's pass on an order whose proposed plan finishes after the delivery date needs
    `capacity_measures` that make it finish on time (see `answer_opinion`)."""

    verdict: str
    comments: str = ""
    conditions: str = ""
    # production
    difficulty: str | None = None
    cycle_days: int | str | None = None
    capacity_load_pct: int | str | None = None
    # technical
    craft_feasibility: str | None = None
    proposed_solution: str = ""
    # purchasing
    materials_list: str = ""
    purchase_lead_days: int | str | None = None
    supplier_risk: str | None = None
    capacity_measures: Sequence[CapacityMeasureInput] = field(default_factory=list)


@dataclass
class ContractInput:
    contract_no: str
    signed_date: dt.date | str | None
    copies_to: Sequence[str] = field(default_factory=list)


# ---- helpers --------------------------------------------------------------------------------------------------

def _load_order(s: Session, order_id: int, lock: bool = False) -> Order:
    # The order row is locked alone: PostgreSQL refuses FOR UPDATE on the outer-joined customer and owner.
    order = s.get(Order, order_id, with_for_update={"of": Order} if lock else None)
    if order is None:
        raise NotFound(_("Order {id} does not exist.", id=order_id))
    return order


def _require_stage(order: Order, allowed: Sequence[str], doing: str) -> None:
    if order.stage not in allowed:
        raise GateError(_("Order {order_no} is {stage}; it cannot {doing} now.", order_no=order.order_no,
                          stage=stages.stage_label(order.stage), doing=doing))


def _clean_preliminary(p: Problems, data: PreliminaryInput | None) -> PreliminaryInput:
    data = data or PreliminaryInput()
    craft_ok = None if data.craft_ok is None else bool(data.craft_ok)
    craft_note = text(p, "craft_note", _("Craft note"), data.craft_note, max_len=2000)
    if craft_ok is False and not craft_note:
        p.add("craft_note", _("Say in the craft note what makes the style or craft too complex."))
    return PreliminaryInput(
        craft_ok=craft_ok, craft_note=craft_note,
        price_note=text(p, "price_note", _("Price terms note"), data.price_note, max_len=2000))


def _clean_negotiation(p: Problems, data: NegotiationInput, today: dt.date) -> dict:
    talked_on = parse_date(p, "talked_on", _("Date of the talk"), data.talked_on, required=True)
    if talked_on and talked_on > today:
        p.add("talked_on", _("The date of the talk {date} is in the future.", date=talked_on.isoformat()))
    return {
        "talked_on": talked_on,
        "with_whom": text(p, "with_whom", _("With whom"), data.with_whom, required=True, max_len=200),
        "agreed": text(p, "agreed", _("What was agreed"), data.agreed, required=True, max_len=LONG_TEXT),
        "changes": text(p, "changes", _("Changes made to the order"), data.changes, max_len=LONG_TEXT),
    }


def _record_preliminary(s: Session, actor: Actor, order: Order, outcome: str, checks: ReviewChecks,
                        prelim: PreliminaryInput, note: str, at: dt.datetime) -> PreliminaryReview:
    record = PreliminaryReview(
        order_id=order.id, reviewed_at=at, reviewed_by_id=actor.user_id, outcome=outcome,
        currency=checks.credit.currency, credit_open_value=checks.credit.open_value,
        credit_order_value=checks.credit.order_value, credit_limit=checks.credit.limit, credit_ok=checks.credit.ok,
        credit_rating=checks.credit.rating, credit_paid=checks.credit.paid,
        lead_required_days=checks.lead_time.required_days, lead_available_days=checks.lead_time.available_days,
        lead_ok=checks.lead_time.ok, craft_ok=checks.craft.judged, craft_note=checks.craft.note,
        price_ok=checks.price.ok, price_note=prelim.price_note, price_figures=figures_json(checks.price), note=note,
        cleared_by=json.dumps({k: v for k, v in checks.cleared.items()}))
    s.add(record)
    s.flush()
    audit.record(s, actor, "preliminary_review", "preliminary_review", record.id,
                 LazyText("Preliminary review of {order_no}: {outcome}", order_no=order.order_no, outcome=LazyText(PRELIMINARY_OUTCOMES[outcome])),
                 None, audit.snapshot(record), order_id=order.id)
    return record


def _add_negotiation(s: Session, actor: Actor, order: Order, clean: dict, at: dt.datetime) -> NegotiationEntry:
    entry = NegotiationEntry(order_id=order.id, recorded_at=at, recorded_by_id=actor.user_id, **clean)
    s.add(entry)
    s.flush()
    audit.record(s, actor, "negotiation", "negotiation_entry", entry.id,
                 LazyText("Negotiation with {who} on {order_no} logged", who=entry.with_whom, order_no=order.order_no),
                 None, audit.snapshot(entry), order_id=order.id)
    return entry


def _blocking_message(order: Order, checks: ReviewChecks) -> str:
    """Each open check with its figures and what would answer it."""
    reasons = []
    for check in checks.blocking:
        if check == CHECK_CREDIT:
            c = checks.credit
            if c.problem == CREDIT_RATING_BLOCKED:
                reasons.append(_("the customer's credit rating is D: only cash in advance — a payment of the full "
                                 "order value must be recorded ({figures})", figures=credit_text(c)))
            elif c.problem == CREDIT_NEEDS_APPROVAL:
                reasons.append(_("the customer's credit rating is C: management's approval is needed (escalate the "
                                 "order)"))
            else:
                reasons.append(_("the credit check failed ({figures}; over by {currency} {excess}): a payment or a "
                                 "raised credit limit must be recorded, or management must decide",
                                 figures=credit_text(c), currency=c.currency,
                                 excess=formats.amount(c.excess, c.currency)))
        elif check == CHECK_LEAD_TIME:
            reasons.append(_("the lead time is too short ({figures}; short by {days} days): agree a new delivery "
                             "date with the customer and change the order, or let management decide",
                             figures=lead_time_text(checks.lead_time), days=checks.lead_time.shortfall))
        elif check == CHECK_CRAFT:
            if checks.craft.judged is None:
                reasons.append(_("the style and craft requirements have not been judged"))
            else:
                reasons.append(_("the craft was judged too complex ({note}): technical must confirm it can be made, "
                                 "or management must decide", note=checks.craft.note))
        else:
            figures = "; ".join(line_price_text(line, checks.price.currency) for line in checks.price.failing[:5])
            reasons.append(_("the price terms do not meet the company's policy ({summary} {figures}): agree a price "
                             "that meets it and change the order, or let management decide",
                             summary=price_summary_text(checks.price), figures=figures))
    return _("Order {order_no} cannot be accepted: {reasons}. A talk with the customer alone clears no check.",
             order_no=order.order_no, reasons="; ".join(reasons))


def _latest_round(s: Session, order_id: int) -> ReviewRound | None:
    return s.scalar(select(ReviewRound).where(ReviewRound.order_id == order_id)
                    .order_by(ReviewRound.round_no.desc()).limit(1)
                    .options(selectinload(ReviewRound.opinions)))


def _latest_escalation_at(s: Session, order_id: int) -> dt.datetime | None:
    return s.scalar(select(func.max(PreliminaryReview.reviewed_at)).where(
        PreliminaryReview.order_id == order_id, PreliminaryReview.outcome == "escalate"))


def _decision_since(s: Session, order_id: int, since: dt.datetime | None) -> ReviewDecision | None:
    stmt = select(ReviewDecision).where(ReviewDecision.order_id == order_id)
    if since is not None:
        stmt = stmt.where(ReviewDecision.decided_at >= since)
    return s.scalar(stmt.order_by(ReviewDecision.decided_at.desc(), ReviewDecision.id.desc()).limit(1))


# ---- preliminary review (2a) ----------------------------------------------------------------------------------

PRELIMINARY_STAGES = ("preliminary_review", "negotiating", "escalated")


def accept_and_send(db: Database, actor: Actor, order_id: int, due_at: Mapping[str, dt.datetime],
                    prelim: PreliminaryInput | None = None, note: str = "", *,
                    now: dt.datetime | None = None) -> int:
    """Accept the order and send it to production, technical and purchasing with a due time each (one step).

    Refused while any of the four checks is failed and unanswered (a talk with the customer alone answers none),
    or while the craft has not been judged. Opens the next review round; returns its round number."""
    require(actor, "review.send")
    moment = _now(now)
    p = Problems()
    prelim = _clean_preliminary(p, prelim)
    note = text(p, "note", _("Note"), note, max_len=LONG_TEXT)
    dues: dict[str, dt.datetime] = {}
    for department in REVIEW_DEPARTMENTS:
        due = due_at.get(department)
        label = department_label(department)
        if due is None:
            p.add(f"due.{department}", _("Give {department} a due time for its opinion.", department=label))
        elif due.tzinfo is None:
            raise ValueError("due times must be timezone-aware")
        elif due <= moment:
            p.add(f"due.{department}", _("The due time for {department} ({due}) is already past; give a time in "
                                         "the future.", department=label,
                                         due=due.astimezone().strftime("%Y-%m-%d %H:%M")))
        elif due > moment + dt.timedelta(days=MAX_DUE_DAYS):
            p.add(f"due.{department}", _("The due time for {department} is more than a year away.",
                                         department=label))
        else:
            dues[department] = due.astimezone(dt.timezone.utc)
    unknown = set(due_at) - set(REVIEW_DEPARTMENTS)
    if unknown:
        p.add("due", _("Only production, technical and purchasing give opinions (not {departments}).",
                       departments=", ".join(sorted(unknown))))
    p.raise_if_any()
    with unit_of_work(db) as s:
        order = _load_order(s, order_id, lock=True)
        _require_stage(order, PRELIMINARY_STAGES, _("be sent to the departments"))
        if order.stage == "escalated":
            decision = _decision_since(s, order.id, _latest_escalation_at(s, order.id))
            if decision is None or decision.decision != "accept":
                raise GateError(_("Order {order_no} is escalated and waits for a manager's decision; it can be sent "
                                  "to the departments once a manager accepts it.", order_no=order.order_no))
        checks = _checks(s, order, _local_date(moment), _craft_of(s, order.id, prelim))
        if checks.blocking:
            raise GateError(_blocking_message(order, checks))
        _record_preliminary(s, actor, order, "accept", checks, prelim, note, moment)
        latest = _latest_round(s, order.id)
        round_no = (latest.round_no + 1) if latest else 1
        review_round = ReviewRound(order_id=order.id, round_no=round_no, opened_at=moment,
                                   opened_by_id=actor.user_id, note=note)
        for department, due in dues.items():
            review_round.opinions.append(ReviewOpinion(order_id=order.id, department=department,
                                                       requested_at=moment, due_at=due))
        s.add(review_round)
        s.flush()
        audit.record(s, actor, "open_round", "review_round", review_round.id,
                     LazyText("Review round {round} of {order_no} sent to production, technical and purchasing",
                       round=round_no, order_no=order.order_no),
                     None, {"round_no": round_no, "due": {d: v.isoformat() for d, v in dues.items()}},
                     order_id=order.id)
        stages.move(s, actor, order, "detailed_review", LazyText("review round {round} opened", round=round_no))
        return round_no


def negotiate(db: Database, actor: Actor, order_id: int, entry: NegotiationInput,
              prelim: PreliminaryInput | None = None, *, now: dt.datetime | None = None) -> None:
    """Outcome "negotiate": the checks as they stand are recorded with the first talk with the customer."""
    require(actor, "review.negotiate")
    moment = _now(now)
    p = Problems()
    prelim = _clean_preliminary(p, prelim)
    clean = _clean_negotiation(p, entry, _local_date(moment))
    p.raise_if_any()
    with unit_of_work(db) as s:
        order = _load_order(s, order_id, lock=True)
        _require_stage(order, ("preliminary_review", "negotiating"), _("go into negotiation"))
        checks = _checks(s, order, _local_date(moment), _craft_of(s, order.id, prelim))
        _record_preliminary(s, actor, order, "negotiate", checks, prelim, clean["agreed"], moment)
        _add_negotiation(s, actor, order, clean, moment)
        if order.stage != "negotiating":
            stages.move(s, actor, order, "negotiating", LazyText("negotiating with the customer"))


def log_negotiation(db: Database, actor: Actor, order_id: int, entry: NegotiationInput, *,
                    now: dt.datetime | None = None) -> None:
    """Add one talk with the customer to the order's negotiation log (the stage does not change)."""
    require(actor, "review.negotiate")
    moment = _now(now)
    p = Problems()
    clean = _clean_negotiation(p, entry, _local_date(moment))
    p.raise_if_any()
    with unit_of_work(db) as s:
        order = _load_order(s, order_id)
        _require_stage(order, PRELIMINARY_STAGES, _("have negotiations logged"))
        _add_negotiation(s, actor, order, clean, moment)


# ---- what answers a failed check ------------------------------------------------------------------------------

def may_record_credit(actor: Actor) -> bool:
    """Payments and credit limits are management's (a manager, or the management department), not a sales clerk's."""
    return actor.role == "manager" or actor.department == "management"


def may_confirm_craft(actor: Actor) -> bool:
    """Only technical confirms that a style judged too complex can be made."""
    return actor.department == "technical"


permissions.register("review.credit", may_record_credit,
                     N_("record customers' payments and raise credit limits in the review"))
permissions.register("review.technical_confirm", may_confirm_craft,
                     N_("confirm technically that a complex style can be made"))

MAX_MONEY = Decimal("99999999999999.99")


def _add_clearance(s: Session, actor: Actor, order: Order, check: str, kind: str, note: str, at: dt.datetime,
                   *, amount: Decimal | None = None, previous: Decimal | None = None,
                   currency: str = "") -> ReviewClearance:
    record = ReviewClearance(order_id=order.id, check_key=check, kind=kind, amount=amount, previous_amount=previous,
                             currency=currency, note=note, recorded_at=at, recorded_by_id=actor.user_id)
    s.add(record)
    s.flush()
    audit.record(s, actor, "clearance", "review_clearance", record.id,
                 LazyText("{kind} recorded for {order_no}", kind=LazyText(CLEARANCE_KINDS[kind]),
                          order_no=order.order_no), None, audit.snapshot(record), order_id=order.id)
    return record


def record_payment(db: Database, actor: Actor, order_id: int, amount: Decimal | str, note: str, *,
                   now: dt.datetime | None = None) -> None:
    """A payment the customer made for this order (a deposit, cash in advance): it lowers the credit exposure."""
    require(actor, "review.credit")
    moment = _now(now)
    p = Problems()
    value = decimal_value(p, "amount", _("Amount paid"), amount, places=2, maximum=MAX_MONEY)
    note = text(p, "note", _("Note"), note, required=True, max_len=LONG_TEXT)
    p.raise_if_any()
    with unit_of_work(db) as s:
        order = _load_order(s, order_id, lock=True)
        _require_stage(order, PRELIMINARY_STAGES, _("have a payment recorded in the review"))
        customer = s.get(Customer, order.customer_id)
        _add_clearance(s, actor, order, CHECK_CREDIT, "payment", note, moment, amount=value,
                       currency=customer.currency)


def raise_credit_limit(db: Database, actor: Actor, order_id: int, new_limit: Decimal | str, note: str, *,
                       now: dt.datetime | None = None) -> None:
    """Raise the credit limit of the order's customer, with the reason; recorded against this order's check."""
    require(actor, "review.credit")
    moment = _now(now)
    p = Problems()
    value = decimal_value(p, "new_limit", _("New credit limit"), new_limit, places=2, maximum=Decimal("999999999999.99"))
    note = text(p, "note", _("Reason"), note, required=True, max_len=LONG_TEXT)
    p.raise_if_any()
    with unit_of_work(db) as s:
        order = _load_order(s, order_id, lock=True)
        _require_stage(order, PRELIMINARY_STAGES, _("have its customer's credit limit raised in the review"))
        customer = s.get(Customer, order.customer_id, with_for_update={"of": Customer})
        old = Decimal(customer.credit_limit)
        if value <= old:
            raise ValidationError(_("The new credit limit {currency} {new} is not above the current limit {currency} "
                                    "{old}.", currency=customer.currency,
                                    new=formats.amount(value, customer.currency),
                                    old=formats.amount(old, customer.currency)), "new_limit")
        customer.credit_limit = value
        s.flush()
        audit.record(s, actor, "credit_limit", "customer", customer.id,
                     LazyText("Credit limit of {customer} raised from {old} to {new}", customer=customer.name,
                              old=formats.amount(old, customer.currency), new=formats.amount(value, customer.currency)),
                     {"credit_limit": str(old)}, {"credit_limit": str(value)}, order_id=order.id)
        _add_clearance(s, actor, order, CHECK_CREDIT, "credit_limit", note, moment, amount=value, previous=old,
                       currency=customer.currency)


def confirm_craft(db: Database, actor: Actor, order_id: int, note: str, *, now: dt.datetime | None = None) -> None:
    """Technical confirms that a style judged too complex can be made, and how."""
    require(actor, "review.technical_confirm")
    moment = _now(now)
    p = Problems()
    note = text(p, "note", _("How it can be made"), note, required=True, max_len=LONG_TEXT)
    p.raise_if_any()
    with unit_of_work(db) as s:
        order = _load_order(s, order_id, lock=True)
        _require_stage(order, PRELIMINARY_STAGES, _("have the craft confirmed"))
        _add_clearance(s, actor, order, CHECK_CRAFT, "technical", note, moment)


def escalate(db: Database, actor: Actor, order_id: int, reason: str, prelim: PreliminaryInput | None = None, *,
             now: dt.datetime | None = None) -> None:
    """Outcome "escalate": a manager decides whether the factory takes the order."""
    require(actor, "review.preliminary")
    moment = _now(now)
    p = Problems()
    prelim = _clean_preliminary(p, prelim)
    reason = text(p, "reason", _("Reason"), reason, required=True, max_len=LONG_TEXT)
    p.raise_if_any()
    with unit_of_work(db) as s:
        order = _load_order(s, order_id, lock=True)
        _require_stage(order, ("preliminary_review", "negotiating"), _("be escalated"))
        checks = _checks(s, order, _local_date(moment), _craft_of(s, order.id, prelim))
        _record_preliminary(s, actor, order, "escalate", checks, prelim, reason, moment)
        stages.move(s, actor, order, "escalated", reason)


def decide(db: Database, actor: Actor, order_id: int, decision: str, reason: str, *,
           now: dt.datetime | None = None) -> None:
    """A manager's decision with its reason.

    On an escalated order: accept (sales may then send it to the departments), renegotiate, or abandon.
    On an order in negotiation (e.g. after a failed round): accept or abandon. During a detailed review: abandon
    (the open round is withdrawn)."""
    require(actor, "review.decide")
    moment = _now(now)
    p = Problems()
    if decision not in DECISIONS:
        p.add("decision", _("Choose accept, renegotiate or abandon."))
    reason = text(p, "reason", _("Reason"), reason, required=True, max_len=LONG_TEXT)
    p.raise_if_any()
    allowed_by_stage = {
        "escalated": ("accept", "renegotiate", "abandon"),
        "negotiating": ("accept", "abandon"),
        "detailed_review": ("abandon",),
    }
    with unit_of_work(db) as s:
        order = _load_order(s, order_id, lock=True)
        allowed = allowed_by_stage.get(order.stage, ())
        if decision not in allowed:
            raise GateError(_("Order {order_no} is {stage}; a manager cannot {decision} it now.",
                              order_no=order.order_no, stage=stages.stage_label(order.stage),
                              decision=_(DECISIONS[decision]).lower()))
        if order.stage == "escalated" and decision == "accept":
            earlier = _decision_since(s, order.id, _latest_escalation_at(s, order.id))
            if earlier is not None and earlier.decision == "accept":
                raise GateError(_("Order {order_no} was already accepted by {user}; sales can send it to the "
                                  "departments.", order_no=order.order_no, user=_user_name(earlier.decided_by)))
        record = ReviewDecision(order_id=order.id, decided_at=moment, decided_by_id=actor.user_id,
                                decision=decision, reason=reason, from_stage=order.stage)
        s.add(record)
        s.flush()
        audit.record(s, actor, "decision", "review_decision", record.id,
                     LazyText("Manager's decision on {order_no}: {decision}", order_no=order.order_no,
                       decision=LazyText(DECISIONS[decision])), None, audit.snapshot(record), order_id=order.id)
        if decision == "abandon":
            latest = _latest_round(s, order.id)
            if latest is not None and latest.closed_at is None:
                latest.closed_at, latest.closed_by_id, latest.result = moment, actor.user_id, "withdrawn"
                audit.record(s, actor, "close_round", "review_round", latest.id,
                             LazyText("Review round {round} of {order_no} withdrawn", round=latest.round_no,
                               order_no=order.order_no), {"result": None}, {"result": "withdrawn"},
                             order_id=order.id)
            stages.move(s, actor, order, "abandoned", reason)
        elif decision == "renegotiate":
            stages.move(s, actor, order, "negotiating", reason)


# ---- detailed review (2b) -------------------------------------------------------------------------------------

def _choice(p: Problems, field_name: str, label: str, value: str | None, choices: Mapping[str, str]) -> str | None:
    if not value:
        p.add(field_name, _("{field} is required.", field=label))
        return None
    if value not in choices:
        p.add(field_name, _("{field}: choose one of the listed values.", field=label))
        return None
    return value


def _whole(p: Problems, field_name: str, label: str, value, *, minimum: int, maximum: int) -> int | None:
    if isinstance(value, str):
        value = value.strip()
    if value is None or value == "":
        p.add(field_name, _("{field} is required.", field=label))
        return None
    if minimum > 0:
        return positive_int(p, field_name, label, value, maximum=maximum)
    try:
        number = int(str(value))
    except ValueError:
        p.add(field_name, _("{field}: '{value}' is not a whole number.", field=label, value=str(value)[:40]))
        return None
    if not minimum <= number <= maximum:
        p.add(field_name, _("{field} must be between {low} and {high}.", field=label, low=minimum, high=maximum))
        return None
    return number


def _clean_answer(department: str, answer: OpinionAnswer) -> dict:
    p = Problems()
    clean: dict = {"verdict": _choice(p, "verdict", _("Verdict"), answer.verdict, VERDICTS)}
    clean["comments"] = text(p, "comments", _("Comments"), answer.comments, max_len=LONG_TEXT)
    if answer.verdict == "reject" and not clean["comments"]:
        p.add("comments", _("Say in the comments why the department rejects the order."))
    clean["conditions"] = text(p, "conditions", _("Conditions"), answer.conditions, max_len=LONG_TEXT)
    if answer.verdict == "pass_with_conditions" and not clean["conditions"]:
        p.add("conditions", _("A pass with conditions needs the conditions written down."))
    if department == "production":
        clean["difficulty"] = _choice(p, "difficulty", _("Difficulty"), answer.difficulty, LEVELS)
        clean["cycle_days"] = _whole(p, "cycle_days", _("Cycle days"), answer.cycle_days, minimum=1,
                                     maximum=MAX_CYCLE_DAYS)
        clean["capacity_load_pct"] = _whole(p, "capacity_load_pct", _("Capacity load %"),
                                            answer.capacity_load_pct, minimum=0, maximum=MAX_LOAD_PCT)
    elif department == "technical":
        clean["craft_feasibility"] = _choice(p, "craft_feasibility", _("Craft feasibility"),
                                             answer.craft_feasibility, FEASIBILITY)
        clean["proposed_solution"] = text(p, "proposed_solution", _("Proposed solution"), answer.proposed_solution,
                                          max_len=LONG_TEXT,
                                          required=answer.craft_feasibility in ("feasible_with_changes",
                                                                                "not_feasible"))
    else:
        clean["materials_list"] = text(p, "materials_list", _("Materials list"), answer.materials_list,
                                       required=True, max_len=LONG_TEXT)
        clean["purchase_lead_days"] = _whole(p, "purchase_lead_days", _("Purchasing lead time (days)"),
                                             answer.purchase_lead_days, minimum=0, maximum=MAX_CYCLE_DAYS)
        clean["supplier_risk"] = _choice(p, "supplier_risk", _("Supplier risk"), answer.supplier_risk, LEVELS)
    p.raise_if_any()
    return clean


def answer_opinion(db: Database, actor: Actor, opinion_id: int, answer: OpinionAnswer, *,
                   now: dt.datetime | None = None) -> None:
    """A department answers its request: its own figures and a verdict. Only that department's users may."""
    moment = _now(now)
    with unit_of_work(db) as s:
        opinion = s.get(ReviewOpinion, opinion_id)
        if opinion is None:
            raise NotFound(_("Review request {id} does not exist.", id=opinion_id))
        order = _load_order(s, opinion.order_id)
        review_round = opinion.round
        if actor.department != opinion.department:
            raise PermissionDenied(_("{user} ({department}) cannot answer for {asked}: only users of {asked} answer "
                                     "its review requests.", user=actor.display_name or actor.username,
                                     department=department_label(actor.department),
                                     asked=department_label(opinion.department)))
        if review_round.closed_at is not None:
            raise GateError(_("Round {round} of {order_no} is closed; its opinions can no longer be given.",
                              round=review_round.round_no, order_no=order.order_no))
        if opinion.answered_at is not None:
            raise GateError(_("{department} already answered round {round} of {order_no} ({user}, {when}).",
                              department=department_label(opinion.department), round=review_round.round_no,
                              order_no=order.order_no, user=_user_name(opinion.answered_by),
                              when=opinion.answered_at.astimezone().strftime("%Y-%m-%d %H:%M")))
        clean = _clean_answer(opinion.department, answer)
        measures: list[dict] = []
        if opinion.department == "production":
            measures = _clean_measures(s, answer.capacity_measures, _local_date(moment))
            if clean["verdict"] != "reject":
                _require_capacity_for_late_plan(s, order, review_round, measures, _local_date(moment))
            else:
                measures = []
        for key, value in clean.items():
            setattr(opinion, key, value)
        opinion.answered_at = moment
        opinion.answered_by_id = actor.user_id
        s.flush()
        for m in measures:
            s.add(CapacityMeasure(order_id=order.id, round_id=review_round.id, opinion_id=opinion.id,
                                  workshop_id=m["workshop_id"], kind=m["kind"], first_day=m["first_day"],
                                  last_day=m["last_day"], minutes_per_day=m["minutes_per_day"], note=m["note"],
                                  recorded_at=moment, recorded_by_id=actor.user_id))
        if measures:
            s.flush()
        audit.record(s, actor, "answer", "review_opinion", opinion.id,
                     LazyText("{department} answered round {round} of {order_no}: {verdict}",
                              department=LazyText(DEPARTMENTS.get(opinion.department, opinion.department)),
                              round=review_round.round_no,
                       order_no=order.order_no, verdict=LazyText(VERDICTS[clean["verdict"]])),
                     None, {**audit.snapshot(opinion),
                            "capacity_measures": [{**m, "first_day": m["first_day"].isoformat(),
                                                   "last_day": m["last_day"].isoformat()} for m in measures]},
                     order_id=order.id)


MAX_MEASURE_DAYS = 366


def _clean_measures(s: Session, items: Sequence[CapacityMeasureInput], today: dt.date) -> list[dict]:
    """Production's capacity measures checked: a known kind, an open workshop, a span from today on, hours a day
    the workshop's benches can work."""
    p = Problems()
    out = []
    for number, item in enumerate(items, start=1):
        where = f"capacity_measures:{number}"
        kind = _choice(p, where, _("Capacity measure {number}: kind", number=number), item.kind,
                       CAPACITY_MEASURE_KINDS)
        workshop = s.get(Workshop, item.workshop_id) if item.workshop_id else None
        if workshop is None or not workshop.active:
            p.add(where, _("Capacity measure {number}: choose an open workshop.", number=number))
        first = parse_date(p, where, _("Capacity measure {number}: first day", number=number), item.first_day,
                           required=True)
        last = parse_date(p, where, _("Capacity measure {number}: last day", number=number), item.last_day,
                          required=True)
        if first and last:
            if last < first:
                p.add(where, _("Capacity measure {number}: the last day {last} is before the first day {first}.",
                               number=number, last=last.isoformat(), first=first.isoformat()))
            elif first < today:
                p.add(where, _("Capacity measure {number}: the first day {first} is in the past.", number=number,
                               first=first.isoformat()))
            elif (last - first).days >= MAX_MEASURE_DAYS:
                p.add(where, _("Capacity measure {number}: a measure spans at most {days} days.", number=number,
                               days=MAX_MEASURE_DAYS))
        hours = decimal_value(p, where, _("Capacity measure {number}: hours a day", number=number),
                              item.hours_per_day, places=2, required=True)
        minutes = None
        if hours is not None:
            minutes = int(hours * 60)
            most = 24 * 60 * (workshop.benches if workshop is not None else 1)
            if not 0 < minutes <= most:
                p.add(where, _("Capacity measure {number}: the hours a day must be more than 0 and at most {most}.",
                               number=number, most=most // 60))
        note = text(p, where, _("Capacity measure {number}: note", number=number), item.note, max_len=LONG_TEXT)
        out.append({"kind": kind, "workshop_id": workshop.id if workshop else None, "first_day": first,
                    "last_day": last, "minutes_per_day": minutes, "note": note})
    p.raise_if_any()
    return out


def with_suggested_measures(db: Database, order_id: int, answer: OpinionAnswer, *,
                            today: dt.date | None = None) -> OpinionAnswer:
    """For callers that answer without a screen (the demo, scripts): production's pass on an order whose proposal
    is late gets the extra shifts `preview.suggested_measures` proposes. Any other answer is returned as it is."""
    if answer.verdict == "reject" or answer.capacity_measures:
        return answer
    from ..planning.common import calendars
    from ..planning.preview import proposal_for, suggested_measures

    with read_session(db) as s:
        order = _load_order(s, order_id)
        review_round = _latest_round(s, order_id)
        lead = answered_lead_days(review_round) if review_round is not None else None
        preview = proposal_for(s, order, today or clock.today(), purchase_lead_days=lead)
        cals = calendars(s)
    if not preview.late:
        return answer
    measures = [CapacityMeasureInput(kind, wid, first, last, f"{minutes / 60:.2f}")
                for kind, wid, first, last, minutes in suggested_measures(preview, cals)]
    return dataclasses.replace(answer, capacity_measures=measures)


def answered_lead_days(review_round: ReviewRound) -> int | None:
    """Purchasing's lead time in this round, once it has answered."""
    for o in review_round.opinions:
        if o.department == "purchasing" and o.answered_at is not None:
            return o.purchase_lead_days
    return None


def _require_capacity_for_late_plan(s: Session, order: Order, review_round: ReviewRound, measures: list[dict],
                                    today: dt.date) -> None:
    """Procedure 2.4: production passes an order whose proposed plan finishes after the delivery date only with
    capacity measures the plan can use (a workshop the order works in, days in the proposal's window); the plan
    then uses them. Otherwise production rejects, and the round goes back to sales to move the date or add
    capacity. (The screen shows the finish with the measures before production sends its pass.)"""
    from ..planning.preview import proposal_for

    lead = answered_lead_days(review_round)
    plain = proposal_for(s, order, today, purchase_lead_days=lead)
    if plain.problems or not plain.late:
        return
    if not measures:
        raise ValidationError(_(
            "The proposed plan finishes on {finish}, {days} days after the delivery date {due}. A pass needs a "
            "capacity measure (overtime, extra shift or outsourcing: workshop and days) that the plan will use; "
            "otherwise reject, so the round goes back to sales to move the date or add capacity.",
            finish=plain.finish.isoformat(), days=plain.days_late, due=order.delivery_date.isoformat()),
            "capacity_measures")
    # The plan must be able to use each measure: a workshop the order works in, on days of the proposal's window.
    window: dict[int, tuple[dt.date, dt.date]] = {}
    for st in plain.steps:
        first, last = window.get(st.workshop_id, (st.start, st.end))
        window[st.workshop_id] = (min(first, st.start), max(last, st.end))
    start, finish = min(st.start for st in plain.steps), plain.finish
    for number, m in enumerate(measures, start=1):
        if m["workshop_id"] not in window:
            raise ValidationError(_("Capacity measure {number}: order {order_no} has no step in that workshop, so "
                                    "its plan cannot use the measure.", number=number, order_no=order.order_no),
                                  "capacity_measures")
        if m["last_day"] < start or m["first_day"] > finish:
            raise ValidationError(_("Capacity measure {number}: its days lie outside the proposed plan ({first} to "
                                    "{last}), so the plan cannot use it.", number=number, first=start.isoformat(),
                                    last=finish.isoformat()), "capacity_measures")


def close_round(db: Database, actor: Actor, order_id: int, *, now: dt.datetime | None = None) -> str:
    """Sales closes the open round once every department has answered: passed when none rejects.

    A failed round sends the order back to negotiation. Returns "passed" or "failed"."""
    require(actor, "review.close_round")
    moment = _now(now)
    with unit_of_work(db) as s:
        order = _load_order(s, order_id, lock=True)
        latest = _latest_round(s, order.id)
        if latest is None or latest.closed_at is not None or order.stage != "detailed_review":
            raise GateError(_("Order {order_no} has no open review round to close.", order_no=order.order_no))
        missing = [o for o in latest.opinions if o.answered_at is None]
        if missing:
            raise GateError(_("Round {round} of {order_no} cannot be closed yet: still waiting for {departments}.",
                              round=latest.round_no, order_no=order.order_no,
                              departments=", ".join(
                                  _("{department} (due {due})", department=department_label(o.department),
                                    due=o.due_at.astimezone().strftime("%Y-%m-%d %H:%M")) for o in missing)))
        rejected = [o for o in latest.opinions if o.verdict == "reject"]
        result = "failed" if rejected else "passed"
        latest.closed_at, latest.closed_by_id, latest.result = moment, actor.user_id, result
        s.flush()
        audit.record(s, actor, "close_round", "review_round", latest.id,
                     LazyText("Review round {round} of {order_no} closed: {result}", round=latest.round_no,
                       order_no=order.order_no, result=LazyText(ROUND_RESULTS[result])), {"result": None}, {"result": result},
                     order_id=order.id)
        if rejected:
            stages.move(s, actor, order, "negotiating",
                        LazyText("round {round} failed: rejected by {departments}", round=latest.round_no,
                                 departments=[LazyText(DEPARTMENTS.get(o.department, o.department))
                                              for o in rejected]))
        return result


# ---- contract (2c) --------------------------------------------------------------------------------------------

def record_contract(db: Database, actor: Actor, order_id: int, data: ContractInput, *,
                    now: dt.datetime | None = None) -> None:
    """Record the signed contract of an order whose latest review round passed; the order becomes contracted."""
    require(actor, "review.contract")
    moment = _now(now)
    p = Problems()
    contract_no = text(p, "contract_no", _("Contract no."), data.contract_no, required=True, max_len=40)
    signed = parse_date(p, "signed_date", _("Signed date"), data.signed_date, required=True)
    if signed and signed > _local_date(moment):
        p.add("signed_date", _("The signed date {date} is in the future.", date=signed.isoformat()))
    copies = list(dict.fromkeys(data.copies_to))
    if not copies:
        p.add("copies_to", _("Tick the departments that received a copy of the contract."))
    for department in copies:
        if department not in DEPARTMENTS:
            p.add("copies_to", _("Unknown department {department}.", department=department))
    p.raise_if_any()
    with unit_of_work(db) as s:
        order = _load_order(s, order_id, lock=True)
        existing = s.scalar(select(Contract).where(Contract.order_id == order.id))
        if existing is not None:
            raise GateError(_("Order {order_no} already has contract {contract_no}.", order_no=order.order_no,
                              contract_no=existing.contract_no))
        latest = _latest_round(s, order.id)
        if order.stage != "detailed_review" or latest is None or latest.result != "passed":
            if latest is None:
                why = _("no review round has been held")
            elif latest.closed_at is None:
                why = _("round {round} is still open", round=latest.round_no)
            else:
                why = _("round {round} did not pass", round=latest.round_no)
            raise GateError(_("A contract cannot be recorded for order {order_no}: its review has not passed "
                              "({why}).", order_no=order.order_no, why=why))
        if signed < order.order_date:
            raise ValidationError(_("The signed date {date} is before the order date {order_date}.",
                                    date=signed.isoformat(), order_date=order.order_date.isoformat()), "signed_date")
        taken = s.execute(select(Order.order_no).join(Contract, Contract.order_id == Order.id)
                          .where(func.lower(Contract.contract_no) == contract_no.lower())).scalar()
        if taken is not None:
            raise ValidationError(_("Contract no. {contract_no} is already recorded for order {order_no}; check the "
                                    "number on the signed contract.", contract_no=contract_no, order_no=taken),
                                  "contract_no")
        contract = Contract(order_id=order.id, round_id=latest.id, contract_no=contract_no, signed_date=signed,
                            recorded_at=moment, recorded_by_id=actor.user_id,
                            copies=[ContractCopy(department=d) for d in copies])
        s.add(contract)
        s.flush()
        _carry_into_plan(s, order, latest, signed, moment)
        audit.record(s, actor, "contract", "contract", contract.id,
                     LazyText("Contract {contract_no} of {order_no} recorded", contract_no=contract_no,
                       order_no=order.order_no), None,
                     {**audit.snapshot(contract), "copies_to": copies}, order_id=order.id)
        stages.move(s, actor, order, "contracted", LazyText("contract {contract_no} signed", contract_no=contract_no))


def _carry_into_plan(s: Session, order: Order, review_round: ReviewRound, signed: dt.date,
                     moment: dt.datetime) -> None:
    """What the passed round hands to planning: the day purchasing expects the materials (its lead time from the
    signing day) and the conditions the departments agreed, which the task sheets print."""
    from ..planning.review_inputs import Condition, conditions_json

    lead = answered_lead_days(review_round)
    conditions = [Condition(o.department, o.conditions.strip()) for o in review_round.opinions
                  if o.conditions and o.conditions.strip()]
    row = s.get(PlanReviewInput, order.id) or PlanReviewInput(order_id=order.id)
    row.round_id = review_round.id
    row.purchase_lead_days = lead
    row.materials_expected = None if lead is None else signed + dt.timedelta(days=lead)
    row.conditions = conditions_json(conditions)
    row.recorded_at = moment
    s.add(row)
    s.flush()


def has_signed_contract(session: Session, order_id: int) -> bool:
    """For later parts of the procedure: no production plan before a signed contract."""
    return session.scalar(select(Contract.id).where(Contract.order_id == order_id)) is not None
