"""Orders (part 1 of the procedure): header, lines, stones; the stage every later part moves forward."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..i18n import N_
from .base import Base, TimestampMixin, UTCDateTime

STAGES: dict[str, str] = {
    "draft": N_("Draft"),
    "preliminary_review": N_("Preliminary review"),
    "negotiating": N_("Negotiating"),
    "escalated": N_("Escalated"),
    "detailed_review": N_("Detailed review"),
    "contracted": N_("Contracted"),
    "planned": N_("stage|Planned"),
    "in_production": N_("In production"),
    "final_qc": N_("Final QC"),
    "ready_to_ship": N_("Ready to ship"),
    "partly_shipped": N_("Partly shipped"),
    "shipped": N_("Shipped"),
    "delivered": N_("Delivered"),
    "closed": N_("Closed"),
    "abandoned": N_("Abandoned"),
    "cancelled": N_("Cancelled"),
}

CHANNELS: dict[str, str] = {
    "online": N_("Online platform"),
    "trade_fair": N_("Trade fair"),
    "phone": N_("Phone"),
    "email": N_("E-mail"),
    "referral": N_("Partner referral"),
    "industry_event": N_("Industry event"),
    "other": N_("Other"),
}

# Metal and fineness (parts per thousand), as the factory writes them.
METALS: dict[str, str] = {
    "Au999": N_("Gold 999 (24K)"),
    "Au916": N_("Gold 916 (22K)"),
    "Au750": N_("Gold 750 (18K)"),
    "Au585": N_("Gold 585 (14K)"),
    "Au375": N_("Gold 375 (9K)"),
    "Pt950": N_("Platinum 950"),
    "Pt900": N_("Platinum 900"),
    "Pd950": N_("Palladium 950"),
    "Ag925": N_("Silver 925"),
    "Ag999": N_("Silver 999"),
}

STONE_TYPES: dict[str, str] = {
    "diamond": N_("Diamond"),
    "ruby": N_("Ruby"),
    "sapphire": N_("Sapphire"),
    "emerald": N_("Emerald"),
    "pearl": N_("Pearl"),
    "jade": N_("Jade"),
    "cz": N_("Cubic zirconia"),
    "other": N_("Other stone"),
}

PRODUCT_TYPES: dict[str, str] = {
    "ring": N_("Ring"),
    "pendant": N_("Pendant"),
    "earring": N_("Earrings"),
    "necklace": N_("Necklace"),
    "bracelet": N_("Bracelet"),
    "bangle": N_("Bangle"),
    "brooch": N_("Brooch"),
}

_stage_list = ", ".join(f"'{s}'" for s in STAGES)
_channel_list = ", ".join(f"'{c}'" for c in CHANNELS)


class Style(Base, TimestampMixin):
    """A style the factory makes: its product type picks the routing, its lead time feeds the review."""

    __tablename__ = "styles"
    __table_args__ = (
        CheckConstraint("standard_lead_days > 0", name="lead_days_positive"),
        CheckConstraint("target_weight_mg IS NULL OR target_weight_mg > 0", name="style_weight_positive"),
        CheckConstraint("unit_price IS NULL OR unit_price >= 0", name="style_price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    product_type: Mapped[str] = mapped_column(String(20), nullable=False, default="ring")
    default_metal: Mapped[str] = mapped_column(String(10), nullable=False, default="Au750")
    standard_lead_days: Mapped[int] = mapped_column(Integer, nullable=False, default=30)
    is_new_style: Mapped[bool] = mapped_column(nullable=False, default=False)
    active: Mapped[bool] = mapped_column(nullable=False, default=True)
    # What an order line of this style starts with: typing the code fills them in (the clerk may change them).
    target_weight_mg: Mapped[int | None] = mapped_column(Integer)
    unit_price: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3), nullable=False, default="HKD", server_default="HKD")

    stones: Mapped[list["StyleStone"]] = relationship(
        back_populates="style", cascade="all, delete-orphan", order_by="StyleStone.id"
    )


class StyleStone(Base):
    """A stone a piece of the style carries: type, count and total carats per piece."""

    __tablename__ = "style_stones"
    __table_args__ = (
        CheckConstraint("stone_count > 0", name="count_positive"),
        CheckConstraint("carat > 0", name="carat_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    style_id: Mapped[int] = mapped_column(ForeignKey("styles.id", ondelete="CASCADE"), nullable=False, index=True)
    stone_type: Mapped[str] = mapped_column(String(20), nullable=False)
    stone_count: Mapped[int] = mapped_column(Integer, nullable=False)
    carat: Mapped[Decimal] = mapped_column(Numeric(10, 3), nullable=False)

    style: Mapped[Style] = relationship(back_populates="stones")


class Order(Base, TimestampMixin):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(f"stage IN ({_stage_list})", name="stage_known"),
        CheckConstraint(f"channel IN ({_channel_list})", name="channel_known"),
        CheckConstraint("delivery_date IS NULL OR delivery_date >= order_date", name="delivery_after_order"),
        CheckConstraint("priority BETWEEN 1 AND 5", name="priority_range"),
        Index("ix_orders_stage_delivery", "stage", "delivery_date"),
        Index("ix_orders_customer_id", "customer_id"),
        Index("ix_orders_order_date", "order_date"),
        Index("ix_orders_delivery_date", "delivery_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_no: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), nullable=False)
    channel: Mapped[str] = mapped_column(String(20), nullable=False)
    order_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    delivery_date: Mapped[dt.date | None] = mapped_column(Date)
    delivery_place: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    special_requirements: Mapped[str] = mapped_column(Text, nullable=False, default="")
    currency: Mapped[str] = mapped_column(String(3), nullable=False, default="CNY")
    stage: Mapped[str] = mapped_column(String(24), nullable=False, default="draft")
    priority: Mapped[int] = mapped_column(Integer, nullable=False, default=3)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Denormalised summaries kept by the order service so the 100,000-row list needs no joins to lines.
    style_summary: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    total_quantity: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    total_amount: Mapped[Decimal] = mapped_column(Numeric(16, 2), nullable=False, default=Decimal("0"))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    customer = relationship("Customer", lazy="joined")
    owner = relationship("User", lazy="joined")
    lines: Mapped[list["OrderLine"]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.line_no"
    )

    __mapper_args__ = {"version_id_col": version}


class OrderLine(Base):
    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("target_weight_mg IS NULL OR target_weight_mg > 0", name="weight_positive"),
        CheckConstraint("unit_price >= 0", name="unit_price_not_negative"),
        UniqueConstraint("order_id", "line_no", name="uq_order_lines_order_line"),
        Index("ix_order_lines_style_code", "style_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), nullable=False)
    line_no: Mapped[int] = mapped_column(Integer, nullable=False)
    style_code: Mapped[str] = mapped_column(String(40), nullable=False)
    description: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    metal: Mapped[str] = mapped_column(String(10), nullable=False)
    size: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)
    target_weight_mg: Mapped[int | None] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)

    order: Mapped[Order] = relationship(back_populates="lines")
    stones: Mapped[list["LineStone"]] = relationship(
        back_populates="line", cascade="all, delete-orphan", order_by="LineStone.id"
    )


class LineStone(Base):
    __tablename__ = "line_stones"
    __table_args__ = (
        CheckConstraint("stone_count > 0", name="count_positive"),
        CheckConstraint("carat > 0", name="carat_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id", ondelete="CASCADE"), nullable=False, index=True)
    stone_type: Mapped[str] = mapped_column(String(20), nullable=False)
    stone_count: Mapped[int] = mapped_column(Integer, nullable=False)
    carat: Mapped[Decimal] = mapped_column(Numeric(10, 3), nullable=False)

    line: Mapped[OrderLine] = relationship(back_populates="stones")
