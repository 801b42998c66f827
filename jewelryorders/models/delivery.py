"""Delivery and after-sales (part 6 of the procedure): shipments with their packages and quantities, quality
certificates per piece or per lot, the status updates given to the customer, and after-sales cases (feedback,
wearing problems, repairs, maintenance, complaints) with their photos.

Weights are integer milligrams, carats Numeric(10, 3), money Numeric(14, 2); dates are the day something
happened as the clerk states it (shipped, in transit, delivered, received, returned).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..i18n import N_
from .base import Base, TimestampMixin, UTCDateTime, utcnow

SHIPMENT_STATUSES: dict[str, str] = {
    "shipped": N_("shipment|Shipped"),
    "in_transit": N_("shipment|In transit"),
    "delivered": N_("shipment|Delivered"),
}

SHIPPING_SERVICES: dict[str, str] = {
    "express": N_("service|Express"),
    "standard": N_("service|Standard"),
    "armoured": N_("service|Armoured transport"),
    "hand_carry": N_("service|Hand carry"),
    "pickup": N_("service|Customer pick-up"),
}

UPDATE_CHANNELS: dict[str, str] = {
    "phone": N_("via|Phone"),
    "email": N_("via|E-mail"),
    "message": N_("via|Instant message"),
    "visit": N_("via|Visit"),
    "courier": N_("via|Courier"),
    "other": N_("via|Other"),
}

CERTIFICATE_KINDS: dict[str, str] = {
    "piece": N_("certificate|Per piece"),
    "lot": N_("certificate|Per lot"),
}

CASE_KINDS: dict[str, str] = {
    "quality_problem": N_("case|Quality problem"),
    "wearing_problem": N_("case|Wearing problem"),
    "repair": N_("case|Repair"),
    "maintenance": N_("case|Maintenance"),
    "complaint": N_("case|Complaint"),
}

CASE_STATUSES: dict[str, str] = {
    "open": N_("case|Open"),
    "closed": N_("case|Closed"),
}

CAUSES: dict[str, str] = {
    "": N_("cause|—"),
    "craft": N_("cause|Craft / workmanship"),
    "material": N_("cause|Material"),
    "design": N_("cause|Design"),
    "stone_setting": N_("cause|Stone setting"),
    "transport": N_("cause|Transport damage"),
    "wear": N_("cause|Wear and use"),
    "service": N_("cause|Service"),
    "other": N_("cause|Other"),
}

COST_BEARERS: dict[str, str] = {
    "": N_("bearer|—"),
    "factory": N_("bearer|Factory"),
    "customer": N_("bearer|Customer"),
    "shared": N_("bearer|Shared"),
    "carrier": N_("bearer|Carrier"),
}

SATISFACTION: dict[str, str] = {
    "": N_("satisfaction|Not recorded"),
    "satisfied": N_("satisfaction|Satisfied"),
    "escalated": N_("satisfaction|Escalated to management"),
}


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Shipment(Base, TimestampMixin):
    __tablename__ = "shipments"
    __table_args__ = (
        CheckConstraint(_in("status", SHIPMENT_STATUSES), name="status_known"),
        CheckConstraint(_in("service", SHIPPING_SERVICES), name="service_known"),
        CheckConstraint("insured_value >= 0", name="insured_not_negative"),
        CheckConstraint("in_transit_on IS NULL OR in_transit_on >= shipped_on", name="transit_after_shipped"),
        CheckConstraint("delivered_on IS NULL OR delivered_on >= shipped_on", name="delivered_after_shipped"),
        Index("ix_shipments_order_id", "order_id"),
        Index("ix_shipments_delivered_on", "delivered_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_no: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="shipped")
    carrier: Mapped[str] = mapped_column(String(120), nullable=False)
    service: Mapped[str] = mapped_column(String(12), nullable=False, default="express")
    tracking_no: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    insured_value: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False, default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3), nullable=False, default="HKD")
    ship_to: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    shipped_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    in_transit_on: Mapped[dt.date | None] = mapped_column(Date)
    delivered_on: Mapped[dt.date | None] = mapped_column(Date)
    received_by: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    order = relationship("Order", lazy="joined")
    lines: Mapped[list["ShipmentLine"]] = relationship(back_populates="shipment", cascade="all, delete-orphan",
                                                       order_by="ShipmentLine.id")
    packages: Mapped[list["Package"]] = relationship(back_populates="shipment", cascade="all, delete-orphan",
                                                     order_by="Package.package_no")
    updates: Mapped[list["CustomerUpdate"]] = relationship(back_populates="shipment", cascade="all, delete-orphan",
                                                           order_by="CustomerUpdate.told_at")


class ShipmentLine(Base):
    """How many pieces of one order line travel in the shipment."""

    __tablename__ = "shipment_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        UniqueConstraint("shipment_id", "order_line_id", name="uq_shipment_lines_shipment_line"),
        Index("ix_shipment_lines_order_line_id", "order_line_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"), nullable=False)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), nullable=False)
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)

    shipment: Mapped[Shipment] = relationship(back_populates="lines")
    order_line = relationship("OrderLine", lazy="joined")


class Package(Base):
    __tablename__ = "shipment_packages"
    __table_args__ = (
        CheckConstraint("package_no > 0", name="package_no_positive"),
        CheckConstraint("gross_weight_mg > 0", name="gross_weight_positive"),
        UniqueConstraint("shipment_id", "package_no", name="uq_shipment_packages_shipment_no"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"), nullable=False)
    package_no: Mapped[int] = mapped_column(Integer, nullable=False)
    contents: Mapped[str] = mapped_column(Text, nullable=False)
    gross_weight_mg: Mapped[int] = mapped_column(BigInteger, nullable=False)
    seal_no: Mapped[str] = mapped_column(String(60), nullable=False)
    label: Mapped[str] = mapped_column(String(60), nullable=False)

    shipment: Mapped[Shipment] = relationship(back_populates="packages")


class CustomerUpdate(Base):
    """A status update given to the customer: when, how, what was said."""

    __tablename__ = "shipment_customer_updates"
    __table_args__ = (CheckConstraint(_in("channel", UPDATE_CHANNELS), name="channel_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"), nullable=False,
                                             index=True)
    told_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    channel: Mapped[str] = mapped_column(String(10), nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    shipment: Mapped[Shipment] = relationship(back_populates="updates")


class Certificate(Base, TimestampMixin):
    """A product quality certificate for one piece or a lot of one order line, naming the FQC that released it."""

    __tablename__ = "quality_certificates"
    __table_args__ = (
        CheckConstraint(_in("kind", CERTIFICATE_KINDS), name="kind_known"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("kind <> 'piece' OR quantity = 1", name="piece_is_one"),
        CheckConstraint("net_metal_weight_mg IS NULL OR net_metal_weight_mg > 0", name="weight_positive"),
        Index("ix_quality_certificates_shipment_id", "shipment_id"),
        Index("ix_quality_certificates_order_id", "order_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_no: Mapped[str] = mapped_column(String(24), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(6), nullable=False)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"), nullable=False)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), nullable=False)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), nullable=False)
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)
    style_code: Mapped[str] = mapped_column(String(40), nullable=False)
    description: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    metal: Mapped[str] = mapped_column(String(10), nullable=False)
    fineness_permille: Mapped[int | None] = mapped_column(Integer)
    net_metal_weight_mg: Mapped[int | None] = mapped_column(BigInteger)
    stones: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    total_carat: Mapped[Decimal] = mapped_column(Numeric(12, 3), nullable=False, default=Decimal("0"))
    fqc_no: Mapped[str] = mapped_column(String(40), nullable=False)
    fqc_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    shipment: Mapped[Shipment] = relationship()


class AfterSalesCase(Base, TimestampMixin):
    __tablename__ = "after_sales_cases"
    __table_args__ = (
        CheckConstraint(_in("kind", CASE_KINDS), name="kind_known"),
        CheckConstraint(_in("status", CASE_STATUSES), name="status_known"),
        CheckConstraint(_in("received_via", UPDATE_CHANNELS), name="via_known"),
        CheckConstraint(_in("cause", CAUSES), name="cause_known"),
        CheckConstraint(_in("cost_borne_by", COST_BEARERS), name="bearer_known"),
        CheckConstraint(_in("satisfaction", SATISFACTION), name="satisfaction_known"),
        CheckConstraint("repair_cost >= 0", name="cost_not_negative"),
        CheckConstraint("metal_used_mg >= 0", name="metal_not_negative"),
        CheckConstraint("due_on >= received_on", name="due_after_received"),
        CheckConstraint("returned_on IS NULL OR returned_on >= received_on", name="returned_after_received"),
        Index("ix_after_sales_cases_order_id", "order_id"),
        Index("ix_after_sales_cases_customer_id", "customer_id"),
        Index("ix_after_sales_cases_received_on", "received_on"),
        Index("ix_after_sales_cases_certificate_id", "certificate_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_no: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), nullable=False)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), nullable=False)
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("quality_certificates.id"))
    style_code: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    status: Mapped[str] = mapped_column(String(8), nullable=False, default="open")
    received_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    received_via: Mapped[str] = mapped_column(String(10), nullable=False)
    customer_words: Mapped[str] = mapped_column(Text, nullable=False)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    due_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    # Repairs and maintenance.
    work_done: Mapped[str] = mapped_column(Text, nullable=False, default="")
    done_by: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    materials_used: Mapped[str] = mapped_column(Text, nullable=False, default="")
    metal_used_mg: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    repair_cost: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False, default=Decimal("0"))
    cost_borne_by: Mapped[str] = mapped_column(String(10), nullable=False, default="")
    returned_on: Mapped[dt.date | None] = mapped_column(Date)
    # Complaints (and the finding of any case).
    cause: Mapped[str] = mapped_column(String(16), nullable=False, default="")
    cause_detail: Mapped[str] = mapped_column(Text, nullable=False, default="")
    departments: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    actions: Mapped[str] = mapped_column(Text, nullable=False, default="")
    answer: Mapped[str] = mapped_column(Text, nullable=False, default="")
    satisfaction: Mapped[str] = mapped_column(String(10), nullable=False, default="")
    escalation_decision: Mapped[str] = mapped_column(Text, nullable=False, default="")
    lesson: Mapped[str] = mapped_column(Text, nullable=False, default="")
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    order = relationship("Order", lazy="joined")
    owner = relationship("User", lazy="joined")
    certificate = relationship("Certificate", lazy="joined")
    photos: Mapped[list["CasePhoto"]] = relationship(back_populates="case", cascade="all, delete-orphan",
                                                     order_by="CasePhoto.id")


class CasePhoto(Base):
    __tablename__ = "after_sales_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("after_sales_cases.id", ondelete="CASCADE"), nullable=False,
                                         index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), nullable=False)

    case: Mapped[AfterSalesCase] = relationship(back_populates="photos")
