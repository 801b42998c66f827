"""Materials and purchasing (parts 3 and 5): material master, suppliers, bills of materials, purchase orders,
lots held in quarantine until released, and the stock ledger of every movement.

Quantities are exact integers in thousandths of the material's unit: a metal in grams is counted in milligrams,
a stone's weight in carats in thousandths of a carat, and a material counted in pieces in thousandths of a piece
(so one column adds up every kind). Stones also carry a piece count beside their weight.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
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

MATERIAL_KINDS: dict[str, str] = {
    "metal": N_("kind|Metal"),
    "stone": N_("kind|Stone"),
    "finding": N_("kind|Finding"),
    "packaging": N_("kind|Packaging"),
}

# The unit a material is counted in; quantities are stored in thousandths of it.
UNITS: dict[str, str] = {
    "g": N_("unit|g"),
    "ct": N_("unit|ct"),
    "pcs": N_("unit|pcs"),
}
UNIT_OF_KIND = {"metal": "g", "stone": "ct", "finding": "pcs", "packaging": "pcs"}

METAL_COLOURS: dict[str, str] = {
    "": N_("colour|—"),
    "yellow": N_("colour|Yellow"),
    "white": N_("colour|White"),
    "rose": N_("colour|Rose"),
}

PO_STATUSES: dict[str, str] = {
    "draft": N_("po|Draft"),
    "sent": N_("po|Sent"),
    "partly_received": N_("po|Partly received"),
    "received": N_("po|Received"),
    "cancelled": N_("po|Cancelled"),
}

LOT_STATUSES: dict[str, str] = {
    "quarantined": N_("lot|Quarantined"),
    "released": N_("lot|Released"),
    "rejected": N_("lot|Rejected"),
}

MOVEMENT_KINDS: dict[str, str] = {
    "receipt": N_("movement|Receipt"),
    "release": N_("movement|Release"),
    "reject": N_("movement|Rejection"),
    "issue": N_("movement|Issue"),
    "return": N_("movement|Return from the workshop"),
    "scrap_recovery": N_("movement|Scrap recovery"),
    "adjustment": N_("movement|Stock count adjustment"),
}
# Kinds that change the quantity on hand (release and rejection change only the lot's state).
QUANTITY_KINDS = ("receipt", "issue", "return", "scrap_recovery", "adjustment")

PICK_STATUSES: dict[str, str] = {
    "open": N_("pick|Open"),
    "picked": N_("pick|Picked"),
    "cancelled": N_("pick|Cancelled"),
}


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Material(Base, TimestampMixin):
    __tablename__ = "materials"
    __table_args__ = (
        CheckConstraint(_in("kind", MATERIAL_KINDS), name="kind_known"),
        CheckConstraint(_in("unit", UNITS), name="unit_known"),
        CheckConstraint("length(code) > 0", name="code_not_empty"),
        CheckConstraint("fineness_permille IS NULL OR fineness_permille BETWEEN 1 AND 1000", name="fineness_range"),
        Index("ix_materials_kind", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(12), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    unit: Mapped[str] = mapped_column(String(4), nullable=False)
    # Metals: alloy code as orders write it (Au750, Pt950 ...), colour and fineness in parts per thousand.
    alloy: Mapped[str] = mapped_column(String(10), nullable=False, default="")
    colour: Mapped[str] = mapped_column(String(10), nullable=False, default="")
    fineness_permille: Mapped[int | None] = mapped_column(Integer)
    # Stones: type, shape, size or sieve, colour and clarity grades, certificate where one exists.
    stone_type: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    shape: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    size: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    colour_grade: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    clarity: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    certificate_no: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}


class Supplier(Base, TimestampMixin):
    __tablename__ = "suppliers"
    __table_args__ = (
        CheckConstraint("length(code) > 0", name="code_not_empty"),
        CheckConstraint("lead_days >= 0", name="lead_days_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    contact_person: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    phone: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    email: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    address: Mapped[str] = mapped_column(Text, nullable=False, default="")
    lead_days: Mapped[int] = mapped_column(Integer, nullable=False, default=14)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    approvals: Mapped[list["SupplierMaterial"]] = relationship(back_populates="supplier",
                                                               cascade="all, delete-orphan")


class SupplierMaterial(Base):
    """A supplier approved for a material (ISO 9001 8.4): purchase orders go only to approved suppliers."""

    __tablename__ = "supplier_materials"
    __table_args__ = (UniqueConstraint("supplier_id", "material_id", name="uq_supplier_materials_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id", ondelete="CASCADE"), nullable=False)
    material_id: Mapped[int] = mapped_column(ForeignKey("materials.id"), nullable=False, index=True)
    lead_days: Mapped[int | None] = mapped_column(Integer)

    supplier: Mapped[Supplier] = relationship(back_populates="approvals")


class BomLine(Base):
    """What one piece of a style takes: a metal weight with its casting/loss allowance, stones, findings."""

    __tablename__ = "bom_lines"
    __table_args__ = (
        UniqueConstraint("style_id", "material_id", name="uq_bom_lines_style_material"),
        CheckConstraint("qty_per_piece > 0", name="qty_positive"),
        CheckConstraint("pieces_per_piece >= 0", name="pieces_not_negative"),
        CheckConstraint("loss_permille BETWEEN 0 AND 500", name="loss_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    style_id: Mapped[int] = mapped_column(ForeignKey("styles.id", ondelete="CASCADE"), nullable=False, index=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("materials.id"), nullable=False)
    qty_per_piece: Mapped[int] = mapped_column(BigInteger, nullable=False)
    pieces_per_piece: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    loss_permille: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class PurchaseOrder(Base, TimestampMixin):
    __tablename__ = "purchase_orders"
    __table_args__ = (
        CheckConstraint(_in("status", PO_STATUSES), name="status_known"),
        Index("ix_purchase_orders_status", "status"),
        Index("ix_purchase_orders_order_id", "order_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    po_no: Mapped[str] = mapped_column(String(30), unique=True, nullable=False)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), nullable=False, index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))  # when made from an order's shortage
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="draft")
    currency: Mapped[str] = mapped_column(String(3), nullable=False, default="HKD")
    due_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    lines: Mapped[list["PurchaseOrderLine"]] = relationship(back_populates="purchase_order",
                                                            cascade="all, delete-orphan",
                                                            order_by="PurchaseOrderLine.line_no")
    supplier: Mapped[Supplier] = relationship()


class PurchaseOrderLine(Base):
    __tablename__ = "purchase_order_lines"
    __table_args__ = (
        UniqueConstraint("purchase_order_id", "line_no", name="uq_purchase_order_lines_po_line"),
        CheckConstraint("qty > 0", name="qty_positive"),
        CheckConstraint("pieces >= 0", name="pieces_not_negative"),
        CheckConstraint("unit_price >= 0", name="price_not_negative"),
        CheckConstraint("received_qty >= 0", name="received_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id", ondelete="CASCADE"),
                                                   nullable=False)
    line_no: Mapped[int] = mapped_column(Integer, nullable=False)
    material_id: Mapped[int] = mapped_column(ForeignKey("materials.id"), nullable=False, index=True)
    qty: Mapped[int] = mapped_column(BigInteger, nullable=False)
    pieces: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Price per unit of the material (per gram, per carat, per piece).
    unit_price: Mapped[Decimal] = mapped_column(Numeric(14, 4), nullable=False, default=Decimal(0))
    received_qty: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    received_pieces: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    purchase_order: Mapped[PurchaseOrder] = relationship(back_populates="lines")
    material: Mapped[Material] = relationship()


class Lot(Base):
    """Goods received at once of one material: held in quarantine until incoming inspection releases them.
    A lot owned by a customer (customer-supplied metal or stones) is kept and accounted for that customer alone."""

    __tablename__ = "lots"
    __table_args__ = (
        CheckConstraint(_in("status", LOT_STATUSES), name="status_known"),
        CheckConstraint("on_hand_qty >= 0", name="on_hand_not_negative"),
        CheckConstraint("on_hand_pieces >= 0", name="on_hand_pieces_not_negative"),
        CheckConstraint("received_qty >= 0", name="received_not_negative"),
        Index("ix_lots_material_status", "material_id", "status"),
        Index("ix_lots_customer_id", "customer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_no: Mapped[str] = mapped_column(String(30), unique=True, nullable=False)
    material_id: Mapped[int] = mapped_column(ForeignKey("materials.id"), nullable=False)
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    purchase_order_line_id: Mapped[int | None] = mapped_column(ForeignKey("purchase_order_lines.id"))
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    received_qty: Mapped[int] = mapped_column(BigInteger, nullable=False)
    received_pieces: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    expiry_date: Mapped[dt.date | None] = mapped_column(Date)
    certificate_no: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="quarantined")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    decision_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # Kept balances (the ledger's sums), so the stock view opens at once; `check` reconciles them.
    on_hand_qty: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    on_hand_pieces: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    material: Mapped[Material] = relationship()


class LotDocument(Base):
    """A certificate or assay report that came with a lot, kept in the document store."""

    __tablename__ = "lot_documents"
    __table_args__ = (UniqueConstraint("lot_id", "document_id", name="uq_lot_documents_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id", ondelete="CASCADE"), nullable=False, index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), nullable=False)


class StockMovement(Base):
    """One row of the stock ledger; nothing is edited in place: a correction is a new row."""

    __tablename__ = "stock_movements"
    __table_args__ = (
        CheckConstraint(_in("kind", MOVEMENT_KINDS), name="kind_known"),
        Index("ix_stock_movements_material_lot", "material_id", "lot_id"),
        # An order's issues per material (its requirement) without scanning the ledger.
        Index("ix_stock_movements_order_material", "order_id", "material_id"),
        Index("ix_stock_movements_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), nullable=False, index=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("materials.id"), nullable=False)
    qty: Mapped[int] = mapped_column(BigInteger, nullable=False)        # signed: + into stock, − out of it
    pieces: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    task_sheet_id: Mapped[int | None] = mapped_column(ForeignKey("task_sheets.id"))
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class PickList(Base, TimestampMixin):
    __tablename__ = "pick_lists"
    __table_args__ = (CheckConstraint(_in("status", PICK_STATUSES), name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pick_no: Mapped[str] = mapped_column(String(30), unique=True, nullable=False)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="open")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    picked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    picked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    items: Mapped[list["PickItem"]] = relationship(back_populates="pick_list", cascade="all, delete-orphan",
                                                   order_by="PickItem.item_no")


class PickItem(Base):
    __tablename__ = "pick_items"
    __table_args__ = (
        UniqueConstraint("pick_list_id", "item_no", name="uq_pick_items_list_item"),
        CheckConstraint("qty > 0", name="qty_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pick_list_id: Mapped[int] = mapped_column(ForeignKey("pick_lists.id", ondelete="CASCADE"), nullable=False)
    item_no: Mapped[int] = mapped_column(Integer, nullable=False)
    material_id: Mapped[int] = mapped_column(ForeignKey("materials.id"), nullable=False)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), nullable=False)
    qty: Mapped[int] = mapped_column(BigInteger, nullable=False)
    pieces: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    picked: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    movement_id: Mapped[int | None] = mapped_column(ForeignKey("stock_movements.id"))

    pick_list: Mapped[PickList] = relationship(back_populates="items")
