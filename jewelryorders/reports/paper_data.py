"""Plain, frozen data the order confirmation and the review report are printed from (filled by the services)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Sequence

from ..i18n import N_

# Outcome labels the review report recognises. A service may pass one of these English msgids as a label: the
# paper translates it and gives it its colour (reject/fail red, conditional amber, pass green). Labels that are
# already translated into the paper's language are recognised too; any other text is printed as given, in ink.
VERDICT_PASS = N_("Pass")
VERDICT_PASS_WITH_CONDITIONS = N_("Pass with conditions")
VERDICT_REJECT = N_("Reject")
ROUND_PASSED = N_("Passed")
ROUND_FAILED = N_("Failed")
OUTCOME_ACCEPT = N_("Accept")
OUTCOME_NEGOTIATE = N_("Negotiate")
OUTCOME_ESCALATE = N_("Escalate")
DECISION_PROCEED = N_("Proceed to contract")
DECISION_RENEGOTIATE = N_("Back to negotiation")
DECISION_ABANDON = N_("Abandon order")
DECISION_PENDING = N_("Pending")
CHECK_PASSED = ROUND_PASSED
CHECK_FAILED = ROUND_FAILED
CHECK_WITHIN_LIMIT = N_("Within limit")
CHECK_OVER_LIMIT = N_("Over limit")
CHECK_LEAD_TIME_TOO_SHORT = N_("Lead time too short")
CHECK_TO_BE_CONFIRMED = N_("To be confirmed")

POSITIVE_OUTCOMES: frozenset[str] = frozenset({VERDICT_PASS, ROUND_PASSED, OUTCOME_ACCEPT, DECISION_PROCEED,
                                               CHECK_WITHIN_LIMIT})
CAUTION_OUTCOMES: frozenset[str] = frozenset({VERDICT_PASS_WITH_CONDITIONS, OUTCOME_NEGOTIATE, OUTCOME_ESCALATE,
                                              DECISION_RENEGOTIATE, DECISION_PENDING, CHECK_TO_BE_CONFIRMED})
NEGATIVE_OUTCOMES: frozenset[str] = frozenset({VERDICT_REJECT, ROUND_FAILED, DECISION_ABANDON, CHECK_OVER_LIMIT,
                                               CHECK_LEAD_TIME_TOO_SHORT})


@dataclass(frozen=True)
class StoneData:
    """One stone line of an order line, e.g. Diamond × 12 / 0.360 ct."""

    stone_type: str  # already translated, e.g. "Diamond" / "鑽石"
    count: int
    carat: Decimal  # total carat weight of all `count` stones of this line, 3 places


@dataclass(frozen=True)
class OrderLineData:
    """One line of an order as the customer confirms it."""

    line_no: int
    style_code: str
    description: str
    metal: str  # alloy and fineness as the factory writes it, e.g. "Au750", "Pt950", "Ag925"
    size: str  # ring size, chain length ... as text, e.g. "HK 14", "45 cm"; "" when it does not apply
    quantity: int  # pieces
    target_weight_mg: int | None  # target metal weight of ONE piece in milligrams; None when not specified
    stones: Sequence[StoneData]  # empty for plain metal pieces
    unit_price: Decimal  # price of one piece in OrderPaperData.currency
    amount: Decimal  # line amount in OrderPaperData.currency, as the order records it (not recomputed on paper)


@dataclass(frozen=True)
class OrderPaperData:
    """Everything the order confirmation prints, and the order summary of the review report.

    Labels (`channel_label`, `stage_label`, stone types) arrive already translated into the paper's language.
    """

    factory_name: str
    factory_address: str
    order_no: str
    customer_name: str
    customer_contact: str  # the person at the customer who placed the order
    customer_phone: str
    customer_email: str
    customer_address: str
    channel_label: str  # how the order came in, translated, e.g. "Trade fair" / "展會"
    order_date: dt.date
    delivery_date: dt.date
    delivery_place: str
    currency: str  # ISO code, e.g. "CNY", "HKD", "USD"
    lines: Sequence[OrderLineData]
    total_quantity: int
    total_amount: Decimal
    special_requirements: str  # free text, may span lines; "" when none
    attachments: Sequence[str]  # file names of design images, CAD files ...
    stage_label: str  # the order's stage, translated, e.g. "Detailed review" / "詳細評審"
    prepared_by: str  # the sales clerk who took the order
    contract_no: str | None = None
    contract_signed: dt.date | None = None


@dataclass(frozen=True)
class ReviewCheckData:
    """One check of the preliminary review (credit, lead time, craft, price terms), as sales recorded it."""

    check: str  # translated label of the check, e.g. "Credit" / "信用"
    result: str  # CHECK_PASSED, CHECK_OVER_LIMIT ... (coloured on paper) or other translated text
    note: str = ""  # the figures behind it, e.g. "Open orders CNY 820,000.00 + this order vs limit CNY 800,000.00"
    cleared_by: str = ""  # translated: what cleared a failed check ("A new delivery date", "Management's decision")


@dataclass(frozen=True)
class NegotiationEntryData:
    """One conversation with the customer recorded in the negotiation log."""

    when: dt.date
    with_whom: str
    agreed: str
    changes: str  # what changed in the order because of it; "" when nothing changed
    recorded_by: str


@dataclass(frozen=True)
class DecisionData:
    """A preliminary outcome or a manager's decision on an escalated or failed review."""

    when: dt.datetime  # UTC-aware; printed in local time
    by: str
    role: str  # translated, e.g. "Sales manager" / "銷售經理"
    decision_label: str  # e.g. OUTCOME_ESCALATE, DECISION_PROCEED, or already translated text
    reason: str


@dataclass(frozen=True)
class OpinionData:
    """One department's opinion in one review round.

    `fields` holds the department's own answers as (translated label, value) pairs: production — difficulty,
    cycle days, capacity load %; technical — craft feasibility, proposed solution; purchasing — materials list,
    lead time, supplier risk.
    """

    department_label: str  # translated, e.g. "Production" / "生產部"
    reviewer: str
    answered_at: dt.datetime | None  # UTC-aware; None while not answered
    due_at: dt.datetime  # UTC-aware
    # VERDICT_PASS / VERDICT_PASS_WITH_CONDITIONS / VERDICT_REJECT (or translated text); None = not answered yet
    verdict_label: str | None
    overdue: bool  # answered after due_at, or still unanswered past it
    fields: Sequence[tuple[str, str]]
    conditions: str = ""  # conditions attached to a pass; "" when none
    comments: str = ""


@dataclass(frozen=True)
class ReviewRoundData:
    """One round of the detailed review with every department's opinion."""

    round_no: int
    opened_at: dt.datetime  # UTC-aware
    closed_at: dt.datetime | None  # None while the round is open
    result_label: str | None  # ROUND_PASSED / ROUND_FAILED (or translated); None while open
    opinions: Sequence[OpinionData]


@dataclass(frozen=True)
class ContractData:
    """The signed contract and who received a copy of it."""

    contract_no: str
    signed_date: dt.date
    copies_to: Sequence[str]  # translated department labels that received a copy
    recorded_by: str


@dataclass(frozen=True)
class ReviewReportData:
    """Everything the review report prints: the order, the preliminary and detailed review, and the outcome."""

    order: OrderPaperData
    preliminary_checks: Sequence[ReviewCheckData]
    # OUTCOME_ACCEPT / OUTCOME_NEGOTIATE / OUTCOME_ESCALATE (or translated text); None = not decided yet
    preliminary_outcome: str | None
    negotiations: Sequence[NegotiationEntryData]
    decisions: Sequence[DecisionData]
    rounds: Sequence[ReviewRoundData]
    final_decision_label: str  # e.g. DECISION_PROCEED, DECISION_ABANDON, DECISION_PENDING, or translated text
    contract: ContractData | None = None


__all__ = [
    "StoneData", "OrderLineData", "OrderPaperData", "ReviewCheckData", "NegotiationEntryData", "DecisionData",
    "OpinionData", "ReviewRoundData", "ContractData", "ReviewReportData",
    "VERDICT_PASS", "VERDICT_PASS_WITH_CONDITIONS", "VERDICT_REJECT", "ROUND_PASSED", "ROUND_FAILED",
    "OUTCOME_ACCEPT", "OUTCOME_NEGOTIATE", "OUTCOME_ESCALATE", "DECISION_PROCEED", "DECISION_RENEGOTIATE",
    "DECISION_ABANDON", "DECISION_PENDING", "CHECK_PASSED", "CHECK_FAILED", "CHECK_WITHIN_LIMIT", "CHECK_OVER_LIMIT",
    "CHECK_LEAD_TIME_TOO_SHORT", "CHECK_TO_BE_CONFIRMED", "POSITIVE_OUTCOMES", "CAUTION_OUTCOMES", "NEGATIVE_OUTCOMES",
]
