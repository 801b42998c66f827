"""The archive (part 7): access requests for documents (read or borrow), loans of paper originals, the access log."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..i18n import N_
from .base import Base, UTCDateTime, utcnow

REQUEST_KINDS: dict[str, str] = {
    "read": N_("request|Read"),
    "borrow": N_("request|Borrow"),
}

# pending -> approved (by the head of the requester's department) -> granted (by the archive); or refused.
REQUEST_STATUSES: dict[str, str] = {
    "pending": N_("request|Waiting for approval"),
    "approved": N_("request|Approved, waiting for the archive"),
    "refused": N_("request|Refused"),
    "granted": N_("request|Granted"),
    "closed": N_("request|Closed"),
}

ACCESS_ACTIONS: dict[str, str] = {
    "open": N_("access|Open"),
    "print": N_("access|Print"),
    "export": N_("access|Export"),
    "borrow": N_("access|Borrow"),
    "return": N_("access|Return"),
}


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class AccessRequest(Base):
    """A document access request (文檔查閱申請表) or borrowing request (借閱申請表), procedure 7.3."""

    __tablename__ = "access_requests"
    __table_args__ = (
        CheckConstraint(_in("kind", REQUEST_KINDS), name="kind_known"),
        CheckConstraint(_in("status", REQUEST_STATUSES), name="status_known"),
        Index("ix_access_requests_status_requester", "status", "requester_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), nullable=False, index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    requester_department: Mapped[str] = mapped_column(String(20), nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    purpose: Mapped[str] = mapped_column(Text, nullable=False)
    until: Mapped[dt.date] = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="pending")
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    decision_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # The requester has not yet seen the latest decision (the GUI tells them at start and in the tab).
    unseen: Mapped[bool] = mapped_column(nullable=False, default=False)
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}


class Loan(Base):
    """A paper original handed out by the archive keeper on a granted borrowing request, with its due date."""

    __tablename__ = "document_loans"
    __table_args__ = (Index("ix_document_loans_open", "returned_at", "due_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("access_requests.id"), nullable=False, unique=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), nullable=False, index=True)
    borrower_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    handed_out_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    handed_out_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    due_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    returned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    returned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    return_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}


class AccessLogEntry(Base):
    """The access log (查閱登記記錄): who opened, printed, exported, borrowed or returned what, when, and why."""

    __tablename__ = "document_access_log"
    __table_args__ = (CheckConstraint(_in("action", ACCESS_ACTIONS), name="action_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    username: Mapped[str] = mapped_column(String(64), nullable=False)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), nullable=False, index=True)
    action: Mapped[str] = mapped_column(String(10), nullable=False)
    purpose: Mapped[str] = mapped_column(Text, nullable=False, default="")
    request_id: Mapped[int | None] = mapped_column(ForeignKey("access_requests.id"))
