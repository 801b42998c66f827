"""The audit trail: who did what and when, before and after, each event chained to the previous one by hash."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    username: Mapped[str] = mapped_column(String(64), nullable=False)
    action: Mapped[str] = mapped_column(String(40), nullable=False)
    entity: Mapped[str] = mapped_column(String(40), nullable=False)
    entity_id: Mapped[int | None] = mapped_column(Integer)
    # The order an event concerns, so an order's timeline is one indexed query whatever the entity.
    order_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # What happened, as written in the writer's language (for the record) ...
    summary: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # ... and as a message id with its parameters (JSON), so every reader sees it in their own language.
    message_id: Mapped[str | None] = mapped_column(Text)
    message_params: Mapped[str | None] = mapped_column(Text)
    # 1: the hash covers the summary only (events written before message ids); 2: it covers the message too.
    hash_format: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")
    before_json: Mapped[str | None] = mapped_column(Text)
    after_json: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)


class AuditHead(Base):
    """One row holding the last event's hash; locking it serialises writers so the chain never forks."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_event_id: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    event_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
