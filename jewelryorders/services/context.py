"""Who is acting: the logged-in user as a plain value every service takes, and the unit-of-work runner."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Iterator

from sqlalchemy.exc import IntegrityError, OperationalError, StatementError
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ..db import Database, friendly_database_error
from ..i18n import _
from .errors import ConcurrentEditError, DomainError, StorageError, ValidationError


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


@contextlib.contextmanager
def read_session(db: Database) -> Iterator[Session]:
    try:
        with db.read_session() as session:
            yield session
    except DomainError:
        raise
    except (OperationalError, SADatabaseError) as exc:
        raise StorageError(friendly_database_error(exc, db.display_name)) from exc
