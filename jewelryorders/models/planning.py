"""Production planning (part 3): workshops, factory calendar, routings, plan versions, task sheets, checklists."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..i18n import N_
from .base import Base, TimestampMixin, UTCDateTime, utcnow

PLAN_STATUSES: dict[str, str] = {
    "draft": N_("Draft"),
    "released": N_("Released"),
    "superseded": N_("Superseded"),
}

STEP_STATES: dict[str, str] = {
    "planned": N_("Not started"),
    "in_progress": N_("Started"),
    "done": N_("Finished"),
}

SHEET_STATUSES: dict[str, str] = {
    "issued": N_("Issued"),
    "void": N_("Void"),
}

# The pre-production checklist of the procedure, in the order the paper lists it.
CHECKLIST_KEYS: dict[str, str] = {
    "equipment": N_("Equipment commissioned"),
    "tooling": N_("Tooling and moulds ready"),
    "materials": N_("Materials picked and inspected"),
    "training": N_("Training done"),
}

MINUTES_IN_A_DAY = 24 * 60


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Workshop(Base, TimestampMixin):
    """A workshop: its daily hours on each bench, how many benches, and the weekdays it works."""

    __tablename__ = "workshops"
    __table_args__ = (
        CheckConstraint(f"minutes_per_day > 0 AND minutes_per_day <= {MINUTES_IN_A_DAY}", name="minutes_per_day_range"),
        CheckConstraint("benches > 0", name="benches_positive"),
        CheckConstraint("length(working_weekdays) > 0", name="works_some_weekday"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True, nullable=False)
    department: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    minutes_per_day: Mapped[int] = mapped_column(Integer, nullable=False)
    benches: Mapped[int] = mapped_column(Integer, nullable=False)
    # Weekday digits, 0 = Monday … 6 = Sunday, e.g. "012345" for Monday to Saturday.
    working_weekdays: Mapped[str] = mapped_column(String(7), nullable=False, default="01234")
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    active: Mapped[bool] = mapped_column(nullable=False, default=True)
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    supervisor = relationship("User", lazy="joined")

    __mapper_args__ = {"version_id_col": version}


class FactoryHoliday(Base):
    """A day the whole factory is closed (the factory calendar every workshop shares)."""

    __tablename__ = "factory_holidays"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False, default="")


class RoutingTemplate(Base, TimestampMixin):
    """The ordered production steps of one product type."""

    __tablename__ = "routing_templates"
    __table_args__ = (CheckConstraint("length(name) > 0", name="name_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_type: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    steps: Mapped[list["RoutingStep"]] = relationship(
        back_populates="routing", cascade="all, delete-orphan", order_by="RoutingStep.seq")

    __mapper_args__ = {"version_id_col": version}


class RoutingStep(Base):
    """One step of a routing: where it is done, standard time per piece and per batch, metal loss allowed."""

    __tablename__ = "routing_steps"
    __table_args__ = (
        UniqueConstraint("routing_id", "seq", name="uq_routing_steps_routing_seq"),
        CheckConstraint("seq > 0", name="seq_positive"),
        CheckConstraint("seconds_per_piece >= 0 AND minutes_per_batch >= 0", name="times_not_negative"),
        CheckConstraint("seconds_per_piece + minutes_per_batch > 0", name="some_work"),
        CheckConstraint("loss_allowance_pct >= 0 AND loss_allowance_pct <= 100", name="loss_allowance_range"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    routing_id: Mapped[int] = mapped_column(ForeignKey("routing_templates.id", ondelete="CASCADE"), nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), nullable=False, index=True)
    # Seconds, not minutes: a quick step (0.04 h = 2.4 min a piece) must not be rounded by a sixth over 100 pieces.
    seconds_per_piece: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    minutes_per_batch: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    loss_allowance_pct: Mapped[Decimal] = mapped_column(Numeric(5, 2), nullable=False, default=Decimal("0"))
    # Checklist keys (comma-separated, see CHECKLIST_KEYS) that must be complete before this step may start.
    checklist_needs: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    process_requirements: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # The quality standard of the step, by its code (the standard's family): the version in force on the day a
    # plan step is planned or its task sheet printed is the one that applies. Written by the technical department.
    standard_code: Mapped[str] = mapped_column(String(40), nullable=False, default="")

    routing: Mapped[RoutingTemplate] = relationship(back_populates="steps")
    workshop: Mapped[Workshop] = relationship(lazy="joined")


class ProductionPlan(Base):
    """One version of an order's plan: a draft until released; a change after release makes a new version."""

    __tablename__ = "production_plans"
    __table_args__ = (
        UniqueConstraint("order_id", "version_no", name="uq_production_plans_order_version"),
        CheckConstraint(_in("status", PLAN_STATUSES), name="status_known"),
        CheckConstraint("version_no > 0", name="version_no_positive"),
        Index("ix_production_plans_status_order", "status", "order_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), nullable=False)
    plan_no: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    version_no: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="draft")
    change_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    released_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    superseded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    order = relationship("Order", lazy="joined")
    steps: Mapped[list["PlanStep"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanStep.seq")
    created_by = relationship("User", foreign_keys=[created_by_id], lazy="joined")
    released_by = relationship("User", foreign_keys=[released_by_id], lazy="joined")

    __mapper_args__ = {"version_id_col": version}


class PlanStep(Base):
    """One step of a plan version: workshop, responsible person, planned days, work, and what actually happened."""

    __tablename__ = "plan_steps"
    __table_args__ = (
        UniqueConstraint("plan_id", "seq", name="uq_plan_steps_plan_seq"),
        CheckConstraint("seq > 0", name="seq_positive"),
        CheckConstraint("planned_end >= planned_start", name="end_not_before_start"),
        CheckConstraint("work_minutes > 0", name="work_positive"),
        CheckConstraint(_in("state", STEP_STATES), name="state_known"),
        CheckConstraint("loss_allowance_pct >= 0 AND loss_allowance_pct <= 100", name="loss_allowance_range"),
        CheckConstraint("state = 'planned' OR actual_start_at IS NOT NULL", name="started_has_start"),
        CheckConstraint("state != 'done' OR actual_end_at IS NOT NULL", name="done_has_end"),
        Index("ix_plan_steps_workshop_dates", "workshop_id", "planned_start", "planned_end"),
        Index("ix_plan_steps_dates", "planned_start", "planned_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("production_plans.id", ondelete="CASCADE"), nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), nullable=False)
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    planned_start: Mapped[dt.date] = mapped_column(Date, nullable=False)
    planned_end: Mapped[dt.date] = mapped_column(Date, nullable=False)
    work_minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    loss_allowance_pct: Mapped[Decimal] = mapped_column(Numeric(5, 2), nullable=False, default=Decimal("0"))
    checklist_needs: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    process_requirements: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # The routing step the plan step was made from (None once that routing step is removed, or for steps planned
    # before the link was kept and not matched uniquely): quality's control points hang on routing steps.
    routing_step_id: Mapped[int | None] = mapped_column(ForeignKey("routing_steps.id", ondelete="SET NULL"),
                                                        index=True)
    # The standard's code, and the version in force for this step (the link an auditor follows).
    standard_code: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    standard_id: Mapped[int | None] = mapped_column(ForeignKey("quality_standards.id"))
    state: Mapped[str] = mapped_column(String(12), nullable=False, default="planned")
    actual_start_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    actual_end_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    finished_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    plan: Mapped[ProductionPlan] = relationship(back_populates="steps")
    workshop: Mapped[Workshop] = relationship(lazy="joined")
    responsible = relationship("User", foreign_keys=[responsible_id], lazy="joined")


class TaskSheet(Base):
    """The work ticket of one step, issued on release; it follows its step into later plan versions."""

    __tablename__ = "task_sheets"
    __table_args__ = (
        CheckConstraint(_in("status", SHEET_STATUSES), name="status_known"),
        CheckConstraint("print_count >= 0", name="print_count_not_negative"),
        Index("ix_task_sheets_order_seq", "order_id", "seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_no: Mapped[str] = mapped_column(String(24), unique=True, nullable=False)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    plan_step_id: Mapped[int] = mapped_column(ForeignKey("plan_steps.id"), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(8), nullable=False, default="issued")
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    print_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_printed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_printed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The plan version the sheet was last printed from: a later version means the paper at the bench is stale.
    printed_plan_version: Mapped[int | None] = mapped_column(Integer)

    step: Mapped[PlanStep] = relationship(lazy="joined")


class ChecklistItem(Base):
    """One item of an order's pre-production checklist; steps that need it cannot start until it is done."""

    __tablename__ = "checklist_items"
    __table_args__ = (
        UniqueConstraint("order_id", "key", name="uq_checklist_items_order_key"),
        CheckConstraint(_in("key", CHECKLIST_KEYS), name="key_known"),
        CheckConstraint("done = false OR done_at IS NOT NULL", name="done_has_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), nullable=False)
    key: Mapped[str] = mapped_column(String(12), nullable=False)
    required: Mapped[bool] = mapped_column(nullable=False, default=True)
    done: Mapped[bool] = mapped_column(nullable=False, default=False)
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    done_by = relationship("User", lazy="joined")

    __mapper_args__ = {"version_id_col": version}


class OrderForecast(Base):
    """The latest delay forecast of an open order, so the order list can flag 'at risk' without re-planning."""

    __tablename__ = "order_forecasts"
    __table_args__ = (
        CheckConstraint("days_late >= 0", name="days_late_not_negative"),
        Index("ix_order_forecasts_days_late", "days_late"),
    )

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True)
    projected_finish: Mapped[dt.date] = mapped_column(Date, nullable=False)
    days_late: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    at_risk: Mapped[bool] = mapped_column(nullable=False, default=False)
    computed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


# What production may add to a workshop when the proposal for an order under review finishes after its delivery
# date (procedure 2.4): the review passes only with a measure the plan then uses.
CAPACITY_MEASURE_KINDS: dict[str, str] = {
    "overtime": N_("Overtime"),
    "extra_shift": N_("Extra shift"),
    "outsourcing": N_("Outsourcing"),
}


class CapacityMeasure(Base):
    """Capacity production commits in a review round: extra minutes in a workshop on each working day of a span.

    The scheduler adds it to the workshop's capacity when the contracted order is planned (and in Re-plan all,
    while the order is open)."""

    __tablename__ = "capacity_measures"
    __table_args__ = (
        CheckConstraint(_in("kind", CAPACITY_MEASURE_KINDS), name="kind_known"),
        CheckConstraint("last_day >= first_day", name="last_not_before_first"),
        CheckConstraint(f"minutes_per_day > 0 AND minutes_per_day <= {MINUTES_IN_A_DAY * 100}",
                        name="minutes_per_day_range"),
        Index("ix_capacity_measures_order_round", "order_id", "round_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), nullable=False)
    round_id: Mapped[int] = mapped_column(ForeignKey("review_rounds.id", ondelete="CASCADE"), nullable=False)
    opinion_id: Mapped[int | None] = mapped_column(ForeignKey("review_opinions.id", ondelete="CASCADE"))
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    first_day: Mapped[dt.date] = mapped_column(Date, nullable=False)
    last_day: Mapped[dt.date] = mapped_column(Date, nullable=False)
    minutes_per_day: Mapped[int] = mapped_column(Integer, nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    workshop: Mapped[Workshop] = relationship(lazy="joined")


class PlanReviewInput(Base):
    """What the passed review hands to planning when the contract is signed: the day purchasing expects the
    materials (its lead time from the signing day), and the conditions the departments agreed (JSON list of
    {"department", "text"}), which the plan keeps and the task sheets print."""

    __tablename__ = "plan_review_inputs"
    __table_args__ = (CheckConstraint("purchase_lead_days IS NULL OR purchase_lead_days >= 0",
                                      name="purchase_lead_not_negative"),)

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("review_rounds.id", ondelete="CASCADE"), nullable=False)
    purchase_lead_days: Mapped[int | None] = mapped_column(Integer)
    materials_expected: Mapped[dt.date | None] = mapped_column(Date)
    conditions: Mapped[str] = mapped_column(Text, nullable=False, default="[]")
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
