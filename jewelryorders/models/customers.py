"""Customers: contact, credit rating and credit limit."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..i18n import N_
from .base import Base, TimestampMixin

CREDIT_RATINGS: dict[str, str] = {
    "A": N_("A — excellent"),
    "B": N_("B — good"),
    "C": N_("C — watch"),
    "D": N_("D — cash in advance"),
}


class Customer(Base, TimestampMixin):
    __tablename__ = "customers"
    __table_args__ = (
        CheckConstraint("credit_limit >= 0", name="credit_limit_not_negative"),
        CheckConstraint("credit_rating IN ('A', 'B', 'C', 'D')", name="credit_rating_known"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        Index("ix_customers_name", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    name_en: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    contact_person: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    phone: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    email: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    address: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    country: Mapped[str] = mapped_column(String(80), nullable=False, default="")
    credit_rating: Mapped[str] = mapped_column(String(1), nullable=False, default="B")
    credit_limit: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False, default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3), nullable=False, default="CNY")
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}
