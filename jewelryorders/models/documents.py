"""The one document store: every file the application keeps (attachments, printed papers), by SHA-256."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..i18n import N_
from .base import Base, UTCDateTime, utcnow

DOCUMENT_CATEGORIES: dict[str, str] = {
    "design_image": N_("Design image"),
    "cad": N_("CAD file"),
    "attachment": N_("Other attachment"),
    "contract": N_("Contract"),
    "review_report": N_("Review report"),
    "order_confirmation": N_("Order confirmation"),
    "production_plan": N_("Production plan"),
    "task_sheet": N_("Task sheet"),
    "lot_certificate": N_("Certificate or assay of a lot"),
    "purchase_order": N_("Purchase order"),
    "pick_list": N_("Pick list"),
    "customer_statement": N_("Customer material statement"),
    "gantt_chart": N_("Gantt chart"),
    # Progress (part 4), quality (part 5), delivery and after-sales (part 6), archive (part 7):
    "ledger_export": N_("Ledger export"),
    "meeting_minutes": N_("Meeting minutes"),
    "meeting_pack": N_("Meeting pack"),
    "exception_report": N_("Exception report"),
    "quality_standard": N_("Quality standard"),
    "inspection_report": N_("Inspection report"),
    "ncr": N_("Nonconformance report"),
    "quality_register": N_("Quality register"),
    "packing_list": N_("Packing list"),
    "quality_certificate": N_("Quality certificate"),
    "package_labels": N_("Package labels"),
    "repair_record": N_("Repair record"),
    "after_sales_record": N_("After-sales record"),
    "customer_letter": N_("Customer letter"),
    "signed_contract": N_("Signed contract (scan)"),
    "access_request": N_("Access request form"),
    "loan_form": N_("Borrowing form"),
    "dossier": N_("Order dossier"),
    "management_report": N_("Management report"),
}


# Which department owns (and reads freely) the documents of each category; management reads everything.
CATEGORY_OWNERS: dict[str, str] = {
    "design_image": "sales", "cad": "technical", "attachment": "sales", "contract": "sales",
    "review_report": "sales", "order_confirmation": "sales", "production_plan": "production",
    "task_sheet": "production", "lot_certificate": "purchasing", "purchase_order": "purchasing",
    "pick_list": "purchasing", "gantt_chart": "production", "ledger_export": "production",
    "meeting_minutes": "production", "meeting_pack": "production", "exception_report": "production",
    "quality_standard": "technical", "inspection_report": "quality", "ncr": "quality", "quality_register": "quality",
    "packing_list": "logistics", "quality_certificate": "quality", "package_labels": "logistics",
    "repair_record": "sales", "after_sales_record": "sales", "customer_letter": "sales", "signed_contract": "sales",
    "customer_statement": "purchasing", "access_request": "archive", "loan_form": "archive", "dossier": "archive", "management_report": "management",
}

# Years each category is kept before it is listed for the archive keeper's decision (setting
# "retention.<category>" overrides); contracts and quality records longest (ISO 9001 7.5.3, customer disputes).
RETENTION_YEARS: dict[str, int] = {category: 5 for category in DOCUMENT_CATEGORIES}
RETENTION_YEARS.update({"contract": 10, "signed_contract": 10, "review_report": 10, "order_confirmation": 10,
                        "inspection_report": 10, "ncr": 10, "quality_certificate": 10, "quality_standard": 10,
                        "quality_register": 10, "dossier": 10, "repair_record": 10, "after_sales_record": 10,
                        "gantt_chart": 2, "meeting_pack": 3, "pick_list": 3, "package_labels": 2})


class DocumentBlob(Base):
    """File content, stored once per SHA-256 inside the database so every workstation of a shared database sees it."""

    __tablename__ = "document_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    content: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (
        CheckConstraint("size >= 0", name="size_not_negative"),
        Index("ix_documents_order_id_category", "order_id", "category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(32), nullable=False)
    file_name: Mapped[str] = mapped_column(String(255), nullable=False)
    mime_type: Mapped[str] = mapped_column(String(100), nullable=False, default="application/octet-stream")
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(ForeignKey("document_blobs.sha256"), nullable=False, index=True)
    doc_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    removed: Mapped[bool] = mapped_column(nullable=False, default=False)
    # Archive (part 7): what the paper is, whether a newer version replaced it, where the signed original is kept.
    title: Mapped[str] = mapped_column(String(255), nullable=False, default="", server_default="")
    note: Mapped[str] = mapped_column(Text, nullable=False, default="", server_default="")
    superseded: Mapped[bool] = mapped_column(nullable=False, default=False, server_default="0")
    cabinet: Mapped[str] = mapped_column(String(40), nullable=False, default="", server_default="")
    shelf: Mapped[str] = mapped_column(String(40), nullable=False, default="", server_default="")
    box: Mapped[str] = mapped_column(String(40), nullable=False, default="", server_default="")
    # The archive keeper's decision on a document past its retention: kept until this day (never deleted silently).
    keep_until: Mapped[dt.date | None] = mapped_column(Date)

    blob: Mapped[DocumentBlob] = relationship(lazy="raise")
