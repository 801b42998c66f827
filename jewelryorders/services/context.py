"""Who is acting: the logged-in user as a plain value every service takes, and the unit-of-work runner."""

from __future__ import annotations

import contextlib
import contextvars
from dataclasses import dataclass, replace
from typing import Iterator

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError, StatementError
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ..db import Database, friendly_database_error
from ..i18n import _
from .errors import ConcurrentEditError, DomainError, PermissionDenied, StorageError, ValidationError


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    display_name: str
    department: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "administrator"

    @property
    def is_manager(self) -> bool:
        return self.role in ("manager", "administrator") or (self.department == "management" and self.role == "department_head")


SYSTEM_ACTOR = Actor(None, "system", "System", "management", "administrator")


# The permissions a service checked for the acting user before its transaction (permissions.require notes them),
# so the transaction can check them again against the user's role as it is now in the database.
_REQUIRED: contextvars.ContextVar[tuple[int | None, frozenset[str]]] = contextvars.ContextVar(
    "jewelryorders_required_permissions", default=(None, frozenset()))


def note_required(actor: Actor, permission: str) -> None:
    user_id, keys = _REQUIRED.get()
    _REQUIRED.set((actor.user_id, (keys if user_id == actor.user_id else frozenset()) | {permission}))


def confirm_actor(session: Session, actor: Actor) -> Actor:
    """Re-read the acting user's active flag, department and role in this transaction (once per transaction).

    A session may stay open for hours: a user deactivated or demoted meanwhile loses the rights at once. Every
    data-changing service writes an audit event in its transaction, and audit.record calls this, so no service
    needs its own check. Raises PermissionDenied (the transaction then rolls back, nothing is saved)."""
    if actor.user_id is None:
        return actor
    confirmed = session.info.setdefault("jo_confirmed_users", {})
    if actor.user_id in confirmed:
        return confirmed[actor.user_id]
    from ..models.users import User

    row = session.execute(select(User.active, User.role, User.department).where(User.id == actor.user_id)).one_or_none()
    if row is None or not row.active:
        raise PermissionDenied(_("The user {user} was deactivated by an administrator; nothing was saved. Ask an "
                                 "administrator.", user=actor.username))
    current = actor
    if (row.role, row.department) != (actor.role, actor.department):
        current = replace(actor, role=row.role, department=row.department)
        from .permissions import require

        user_id, keys = _REQUIRED.get()
        for key in sorted(keys) if user_id == actor.user_id else ():
            require(current, key)  # refuses with the right the user no longer has
    confirmed[actor.user_id] = current
    return current


@contextlib.contextmanager
def unit_of_work(db: Database) -> Iterator[Session]:
    """A write transaction whose low-level failures become domain errors; nothing is half-saved."""
    try:
        with db.unit_of_work() as session:
            yield session
    except DomainError:
        raise
    except StaleDataError as exc:
        raise ConcurrentEditError(_("Someone else changed this record while you were editing it. "
                                    "Reopen it to see their changes, then make yours again.")) from exc
    except IntegrityError as exc:
        raise ValidationError(_("The data breaks a rule of the database ({detail}). Nothing was saved.",
                                detail=str(exc.orig).splitlines()[0])) from exc
    except (OperationalError, SADatabaseError) as exc:
        raise StorageError(friendly_database_error(exc, db.display_name)) from exc
    except StatementError as exc:
        raise ValidationError(_("A value could not be stored ({detail}). Nothing was saved.",
                                detail=str(exc.orig))) from exc
    except OverflowError as exc:  # the driver refuses a number beyond the database's integers before SQL runs
        raise ValidationError(_("A number is too large to be stored ({detail}). Nothing was saved.",
                                detail=str(exc))) from exc
    finally:
        _REQUIRED.set((None, frozenset()))


@contextlib.contextmanager
def read_session(db: Database) -> Iterator[Session]:
    try:
        with db.read_session() as session:
            yield session
    except DomainError:
        raise
    except (OperationalError, SADatabaseError) as exc:
        raise StorageError(friendly_database_error(exc, db.display_name)) from exc
