"""Users, their department and role, and the factory's settings."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..i18n import N_
from .base import Base, TimestampMixin, UTCDateTime

DEPARTMENTS: dict[str, str] = {
    "sales": N_("dept|Sales"),
    "production": N_("dept|Production"),
    "technical": N_("dept|Technical"),
    "purchasing": N_("dept|Purchasing"),
    "quality": N_("dept|Quality"),
    "logistics": N_("dept|Logistics"),
    "archive": N_("dept|Archive"),
    "management": N_("dept|Management"),
}

ROLES: dict[str, str] = {
    "clerk": N_("Clerk"),
    "department_head": N_("Department head"),
    "manager": N_("Manager"),
    "administrator": N_("Administrator"),
}


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class User(Base, TimestampMixin):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(_in("department", DEPARTMENTS), name="department_known"),
        CheckConstraint(_in("role", ROLES), name="role_known"),
        CheckConstraint("length(username) > 0", name="username_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    display_name: Mapped[str] = mapped_column(String(120), nullable=False)
    department: Mapped[str] = mapped_column(String(20), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    language: Mapped[str | None] = mapped_column(String(8))
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Wrong passwords since the last good login; at the factory's limit the user is locked out until locked_until.
    failed_logins: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    version: Mapped[int] = mapped_column(nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}


class Setting(Base):
    """Key/value settings of the factory (its name, address, default currency, standard lead time)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)
