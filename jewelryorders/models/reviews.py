"""Order review (parts 2a-2c): preliminary checks, negotiation log, managers' decisions, review rounds, opinions, contracts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..i18n import N_
from .base import Base, UTCDateTime, utcnow
from .users import DEPARTMENTS

# The departments that give an opinion in the detailed review, in the order the report lists them.
REVIEW_DEPARTMENTS: dict[str, str] = {
    "production": DEPARTMENTS["production"],
    "technical": DEPARTMENTS["technical"],
    "purchasing": DEPARTMENTS["purchasing"],
}

PRELIMINARY_OUTCOMES: dict[str, str] = {
    "accept": N_("Accept"),
    "negotiate": N_("Negotiate"),
    "escalate": N_("Escalate"),
}

# What a manager decides on an escalated order or on an order whose review failed.
DECISIONS: dict[str, str] = {
    "accept": N_("Accept"),
    "renegotiate": N_("Renegotiate"),
    "abandon": N_("Abandon"),
}

VERDICTS: dict[str, str] = {
    "pass": N_("Pass"),
    "pass_with_conditions": N_("Pass with conditions"),
    "reject": N_("Reject"),
}

# "withdrawn": the round was still open when a manager abandoned the order.
ROUND_RESULTS: dict[str, str] = {
    "passed": N_("Passed"),
    "failed": N_("Failed"),
    "withdrawn": N_("Withdrawn"),
}

# The four checks of the preliminary review (procedure 2.3), in the procedure's order.
PRELIMINARY_CHECKS: dict[str, str] = {
    "credit": N_("Customer credit standing"),
    "lead_time": N_("Delivery lead time"),
    "craft": N_("Style and craft requirements"),
    "price": N_("Price terms (meet company policy)"),
}

# What answers a failed check, recorded as its own fact (a talk with the customer alone clears nothing).
CLEARANCE_KINDS: dict[str, str] = {
    "payment": N_("Payment received"),
    "credit_limit": N_("Credit limit raised"),
    "technical": N_("Technical confirmation"),
}

LEVELS: dict[str, str] = {
    "low": N_("Low"),
    "medium": N_("Medium"),
    "high": N_("High"),
}

FEASIBILITY: dict[str, str] = {
    "feasible": N_("Feasible as ordered"),
    "feasible_with_changes": N_("Feasible with changes"),
    "not_feasible": N_("Not feasible"),
}


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class PreliminaryReview(Base):
    """One outcome sales recorded in the preliminary review, with the checks as they stood at that moment."""

    __tablename__ = "preliminary_reviews"
    __table_args__ = (
        CheckConstraint(_in("outcome", PRELIMINARY_OUTCOMES), name="outcome_known"),
        CheckConstraint("credit_limit >= 0", name="credit_limit_not_negative"),
        CheckConstraint("lead_required_days > 0", name="lead_required_positive"),
        Index("ix_preliminary_reviews_order_id", "order_id", "reviewed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), nullable=False)
    reviewed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str] = mapped_column(String(12), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    credit_open_value: Mapped[Decimal] = mapped_column(Numeric(16, 2), nullable=False)
    credit_order_value: Mapped[Decimal] = mapped_column(Numeric(16, 2), nullable=False)
    credit_limit: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    credit_ok: Mapped[bool] = mapped_column(Boolean, nullable=False)
    lead_required_days: Mapped[int] = mapped_column(Integer, nullable=False)
    lead_available_days: Mapped[int | None] = mapped_column(Integer)  # None: the order has no delivery date
    lead_ok: Mapped[bool] = mapped_column(Boolean, nullable=False)
    credit_rating: Mapped[str | None] = mapped_column(String(1))
    credit_paid: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))  # payments recorded for this order
    craft_ok: Mapped[bool | None] = mapped_column(Boolean)  # None: the reviewer has not judged the craft yet
    craft_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    price_ok: Mapped[bool] = mapped_column(Boolean, nullable=False)
    price_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # JSON: the company policy's figures per line at this moment (so the report shows what the reviewer saw).
    price_figures: Mapped[str] = mapped_column(Text, nullable=False, default="[]")
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # JSON {check: what cleared it} at this moment: "passed", "new_delivery_date", "new_price", "payment",
    # "credit_limit", "technical", "decision" (see services/review/procedure.py).
    cleared_by: Mapped[str] = mapped_column(Text, nullable=False, default="{}")

    reviewed_by = relationship("User", lazy="joined")


class ReviewClearance(Base):
    """A fact that answers a failed preliminary check: a payment, a raised credit limit, a technical confirmation."""

    __tablename__ = "review_clearances"
    __table_args__ = (
        CheckConstraint(_in("check_key", PRELIMINARY_CHECKS), name="check_known"),
        CheckConstraint(_in("kind", CLEARANCE_KINDS), name="kind_known"),
        CheckConstraint("amount IS NULL OR amount > 0", name="amount_positive"),
        CheckConstraint("length(note) > 0", name="note_not_empty"),
        Index("ix_review_clearances_order_id", "order_id", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), nullable=False)
    check_key: Mapped[str] = mapped_column(String(12), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))  # the payment, or the new credit limit
    previous_amount: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))  # the limit before it was raised
    currency: Mapped[str] = mapped_column(String(3), nullable=False, default="")
    note: Mapped[str] = mapped_column(Text, nullable=False)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    recorded_by = relationship("User", lazy="joined")


class NegotiationEntry(Base):
    """One conversation with the customer: when, with whom, what was agreed, what changed in the order."""

    __tablename__ = "negotiation_entries"
    __table_args__ = (
        CheckConstraint("length(with_whom) > 0", name="with_whom_not_empty"),
        CheckConstraint("length(agreed) > 0", name="agreed_not_empty"),
        Index("ix_negotiation_entries_order_id", "order_id", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), nullable=False)
    talked_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    with_whom: Mapped[str] = mapped_column(String(200), nullable=False)
    agreed: Mapped[str] = mapped_column(Text, nullable=False)
    changes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    recorded_by = relationship("User", lazy="joined")


class ReviewDecision(Base):
    """A manager's decision, with the reason, on an escalated order or an order whose review failed."""

    __tablename__ = "review_decisions"
    __table_args__ = (
        CheckConstraint(_in("decision", DECISIONS), name="decision_known"),
        CheckConstraint("length(reason) > 0", name="reason_not_empty"),
        Index("ix_review_decisions_order_id", "order_id", "decided_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), nullable=False)
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[str] = mapped_column(String(12), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    from_stage: Mapped[str] = mapped_column(String(24), nullable=False)

    decided_by = relationship("User", lazy="joined")


class ReviewRound(Base):
    """One round of the detailed review; every round is kept, failed ones too."""

    __tablename__ = "review_rounds"
    __table_args__ = (
        UniqueConstraint("order_id", "round_no", name="uq_review_rounds_order_round"),
        CheckConstraint("round_no > 0", name="round_no_positive"),
        CheckConstraint(f"result IS NULL OR {_in('result', ROUND_RESULTS)}", name="result_known"),
        CheckConstraint("(closed_at IS NULL AND result IS NULL) OR (closed_at IS NOT NULL AND result IS NOT NULL)",
                        name="closed_has_result"),
        Index("ix_review_rounds_closed_at", "closed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), nullable=False)
    round_no: Mapped[int] = mapped_column(Integer, nullable=False)
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    result: Mapped[str | None] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    opinions: Mapped[list["ReviewOpinion"]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="ReviewOpinion.id")
    opened_by = relationship("User", foreign_keys=[opened_by_id], lazy="joined")
    closed_by = relationship("User", foreign_keys=[closed_by_id], lazy="joined")

    __mapper_args__ = {"version_id_col": version}


class ReviewOpinion(Base):
    """A department's request and answer in one round: due time, the department's own figures, verdict."""

    __tablename__ = "review_opinions"
    __table_args__ = (
        UniqueConstraint("round_id", "department", name="uq_review_opinions_round_department"),
        CheckConstraint(_in("department", REVIEW_DEPARTMENTS), name="department_known"),
        CheckConstraint(f"verdict IS NULL OR {_in('verdict', VERDICTS)}", name="verdict_known"),
        CheckConstraint("(answered_at IS NULL AND verdict IS NULL) OR (answered_at IS NOT NULL AND verdict IS NOT NULL)",
                        name="answer_has_verdict"),
        CheckConstraint(f"difficulty IS NULL OR {_in('difficulty', LEVELS)}", name="difficulty_known"),
        CheckConstraint(f"supplier_risk IS NULL OR {_in('supplier_risk', LEVELS)}", name="supplier_risk_known"),
        CheckConstraint(f"craft_feasibility IS NULL OR {_in('craft_feasibility', FEASIBILITY)}",
                        name="feasibility_known"),
        CheckConstraint("cycle_days IS NULL OR cycle_days > 0", name="cycle_days_positive"),
        CheckConstraint("capacity_load_pct IS NULL OR capacity_load_pct >= 0", name="capacity_load_not_negative"),
        CheckConstraint("purchase_lead_days IS NULL OR purchase_lead_days >= 0", name="purchase_lead_not_negative"),
        # The inbox: a department's open requests, soonest due first.
        Index("ix_review_opinions_inbox", "department", "answered_at", "due_at"),
        Index("ix_review_opinions_due_at", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("review_rounds.id", ondelete="CASCADE"), nullable=False)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True)
    department: Mapped[str] = mapped_column(String(20), nullable=False)
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verdict: Mapped[str | None] = mapped_column(String(24))
    conditions: Mapped[str] = mapped_column(Text, nullable=False, default="")
    comments: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # production
    difficulty: Mapped[str | None] = mapped_column(String(8))
    cycle_days: Mapped[int | None] = mapped_column(Integer)
    capacity_load_pct: Mapped[int | None] = mapped_column(Integer)
    # technical
    craft_feasibility: Mapped[str | None] = mapped_column(String(24))
    proposed_solution: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # purchasing
    materials_list: Mapped[str] = mapped_column(Text, nullable=False, default="")
    purchase_lead_days: Mapped[int | None] = mapped_column(Integer)
    supplier_risk: Mapped[str | None] = mapped_column(String(8))
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    round: Mapped[ReviewRound] = relationship(back_populates="opinions")
    answered_by = relationship("User", lazy="joined")

    __mapper_args__ = {"version_id_col": version}


class Contract(Base):
    """The signed contract that ends the review; an order has at most one, and its number is unique."""

    __tablename__ = "contracts"
    __table_args__ = (
        CheckConstraint("length(contract_no) > 0", name="contract_no_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, unique=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("review_rounds.id"), nullable=False)
    contract_no: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    signed_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    copies: Mapped[list["ContractCopy"]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="ContractCopy.id")
    recorded_by = relationship("User", lazy="joined")


class ContractCopy(Base):
    """A department that received a copy of the contract."""

    __tablename__ = "contract_copies"
    __table_args__ = (
        UniqueConstraint("contract_id", "department", name="uq_contract_copies_contract_department"),
        CheckConstraint(_in("department", DEPARTMENTS), name="department_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), nullable=False)
    department: Mapped[str] = mapped_column(String(20), nullable=False)

    contract: Mapped[Contract] = relationship(back_populates="copies")
