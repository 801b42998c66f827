"""Progress ledger (part 4): entries per task sheet, exceptions with customer notification, coordination meetings.

Metal weights are integer milligrams, stones thousandths of a carat. Nothing in the ledger is edited in place: a
correction is a new entry that reverses an old one (its numbers negated), so every total is a plain SUM.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..i18n import N_
from .base import Base, UTCDateTime, utcnow

ENTRY_KINDS: dict[str, str] = {
    "start": N_("ledger|Started"),
    "finish": N_("ledger|Finished"),
    "rework": N_("ledger|Returned for rework"),
}

INSPECTION_STATES: dict[str, str] = {
    "": N_("inspection|Not inspected"),
    "passed": N_("inspection|Passed"),
    "failed": N_("inspection|Failed"),
}

EXCEPTION_KINDS: dict[str, str] = {
    "material_shortage": N_("Material shortage"),
    "equipment_failure": N_("Equipment failure"),
    "staff_change": N_("Staff change"),
    "other": N_("exception|Other"),
}

SEVERITIES: dict[str, str] = {
    "low": N_("severity|Low"),
    "medium": N_("severity|Medium"),
    "high": N_("severity|High"),
}

NOTIFY_METHODS: dict[str, str] = {
    "phone": N_("notify|Phone"),
    "email": N_("notify|Email"),
    "visit": N_("notify|Visit"),
    "message": N_("notify|Message"),
    "other": N_("notify|Other"),
}

MEETING_KINDS: dict[str, str] = {
    "weekly": N_("Weekly"),
    "biweekly": N_("Biweekly"),
}

ACTION_STATES: dict[str, str] = {
    "open": N_("action|Open"),
    "done": N_("action|Done"),
    "cancelled": N_("action|Cancelled"),
}


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class LedgerEntry(Base):
    """One line of the progress ledger; a reversal carries `reverses_id` and the negated numbers of the original."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint(_in("kind", ENTRY_KINDS), name="kind_known"),
        CheckConstraint(_in("inspection_state", INSPECTION_STATES), name="inspection_known"),
        Index("ix_ledger_entries_at", "recorded_at"),
        Index("ix_ledger_entries_order_at", "order_id", "recorded_at"),
        Index("ix_ledger_entries_workshop_at", "workshop_id", "recorded_at"),
        Index("ix_ledger_entries_worker_at", "worker", "recorded_at"),
        Index("ix_ledger_entries_flagged_at", "over_allowance", "recorded_at"),
        Index("ix_ledger_entries_sheet", "task_sheet_id", "id"),
        Index("uq_ledger_entries_reverses", "reverses_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_no: Mapped[str] = mapped_column(String(24), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(8), nullable=False)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), nullable=False)
    task_sheet_id: Mapped[int] = mapped_column(ForeignKey("task_sheets.id"), nullable=False)
    plan_step_id: Mapped[int] = mapped_column(ForeignKey("plan_steps.id"), nullable=False)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)
    entered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    worker: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    qty_done: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    qty_rejected: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    qty_rework: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    issued_mg: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    returned_mg: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    in_piece_mg: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    loss_mg: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    allowance_mg: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    stones_mct: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    over_allowance: Mapped[bool] = mapped_column(nullable=False, default=False)
    loss_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    inspection_state: Mapped[str] = mapped_column(String(8), nullable=False, default="")
    ncr_no: Mapped[str] = mapped_column(String(30), nullable=False, default="")
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"))


class ProductionException(Base):
    """An exception against an order or a workshop: what happened, its impact, who was told, remedy and closure."""

    __tablename__ = "production_exceptions"
    __table_args__ = (
        CheckConstraint(_in("kind", EXCEPTION_KINDS), name="kind_known"),
        CheckConstraint(_in("severity", SEVERITIES), name="severity_known"),
        CheckConstraint("impact_days >= 0", name="impact_not_negative"),
        CheckConstraint("order_id IS NOT NULL OR workshop_id IS NOT NULL", name="has_subject"),
        Index("ix_production_exceptions_open", "closed_at", "reported_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exception_no: Mapped[str] = mapped_column(String(24), unique=True, nullable=False)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    workshop_id: Mapped[int | None] = mapped_column(ForeignKey("workshops.id"))
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    severity: Mapped[str] = mapped_column(String(8), nullable=False, default="medium")
    reported_by: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    reported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    impact_days: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    actions: Mapped[str] = mapped_column(Text, nullable=False, default="")
    informed_production: Mapped[bool] = mapped_column(nullable=False, default=False)
    informed_manager: Mapped[bool] = mapped_column(nullable=False, default=False)
    affected_steps: Mapped[str] = mapped_column(String(100), nullable=False, default="")  # step numbers "3,4"
    old_delivery_date: Mapped[dt.date | None] = mapped_column(Date)
    new_delivery_date: Mapped[dt.date | None] = mapped_column(Date)
    remedy: Mapped[str] = mapped_column(Text, nullable=False, default="")
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    notifications: Mapped[list["CustomerNotification"]] = relationship(
        back_populates="exception", cascade="all, delete-orphan", order_by="CustomerNotification.id")

    __mapper_args__ = {"version_id_col": version}


class CustomerNotification(Base):
    """The customer was told that delivery may slip: when, how, by whom, and what the customer answered."""

    __tablename__ = "customer_notifications"
    __table_args__ = (CheckConstraint(_in("method", NOTIFY_METHODS), name="method_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exception_id: Mapped[int] = mapped_column(ForeignKey("production_exceptions.id", ondelete="CASCADE"),
                                              nullable=False, index=True)
    notified_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)
    method: Mapped[str] = mapped_column(String(10), nullable=False)
    notified_by: Mapped[str] = mapped_column(String(100), nullable=False)
    customer_response: Mapped[str] = mapped_column(Text, nullable=False, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    exception: Mapped[ProductionException] = relationship(back_populates="notifications")


class Meeting(Base):
    """A progress coordination meeting: date, chair, attendees, the agenda generated from the data, its minutes."""

    __tablename__ = "meetings"
    __table_args__ = (CheckConstraint(_in("kind", MEETING_KINDS), name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_no: Mapped[str] = mapped_column(String(24), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False, default="weekly")
    held_on: Mapped[dt.date] = mapped_column(Date, nullable=False, index=True)
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    attendees: Mapped[str] = mapped_column(Text, nullable=False, default="")  # one "department: name" a line
    agenda: Mapped[str] = mapped_column(Text, nullable=False, default="")     # JSON snapshot of the generated agenda
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    chair = relationship("User", foreign_keys=[chair_id], lazy="joined")
    reports: Mapped[list["DepartmentReport"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="DepartmentReport.id")


class DepartmentReport(Base):
    """One department's report at a meeting."""

    __tablename__ = "meeting_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), nullable=False,
                                            index=True)
    department: Mapped[str] = mapped_column(String(20), nullable=False)
    report: Mapped[str] = mapped_column(Text, nullable=False)

    meeting: Mapped[Meeting] = relationship(back_populates="reports")


class ActionItem(Base):
    """An action agreed at a meeting: owner, due date, state; open ones stay on the owner's to-do list."""

    __tablename__ = "action_items"
    __table_args__ = (
        CheckConstraint(_in("state", ACTION_STATES), name="state_known"),
        Index("ix_action_items_owner_state", "owner_id", "state", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), nullable=False,
                                            index=True)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    due_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    state: Mapped[str] = mapped_column(String(10), nullable=False, default="open")
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    closing_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    owner = relationship("User", foreign_keys=[owner_id], lazy="joined")

    __mapper_args__ = {"version_id_col": version}
