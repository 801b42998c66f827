"""Who may do what: one table of permissions checked by every service before it changes anything."""

from __future__ import annotations

from typing import Callable

from ..i18n import N_, _
from ..models.users import DEPARTMENTS, ROLES
from .context import Actor, note_required
from .errors import PermissionDenied


def _sales_or_manager(a: Actor) -> bool:
    return a.department in ("sales", "management") or a.role in ("manager", "administrator")


# permission key -> (who, what the user is trying to do, as a msgid for the refusal message)
PERMISSIONS: dict[str, tuple[Callable[[Actor], bool], str]] = {
    "users.manage": (lambda a: a.role == "administrator", N_("manage users")),
    "settings.edit": (lambda a: a.role == "administrator", N_("change the factory settings")),
    "customers.edit": (_sales_or_manager, N_("create or edit customers")),
    "styles.edit": (lambda a: _sales_or_manager(a) or a.department in ("technical", "production"),
                    N_("create or edit styles")),
    "orders.edit": (_sales_or_manager, N_("create or edit orders")),
    "orders.submit": (_sales_or_manager, N_("submit orders for review")),
    "orders.cancel": (lambda a: a.role in ("department_head", "manager", "administrator") and _sales_or_manager(a),
                      N_("cancel orders")),
}


def allowed(actor: Actor, permission: str) -> bool:
    check, _what = PERMISSIONS[permission]
    return check(actor)


def require(actor: Actor, permission: str) -> None:
    """Refuse unless the actor has the right; the transaction checks it again against the user's current role."""
    check, what = PERMISSIONS[permission]
    note_required(actor, permission)
    if not check(actor):
        raise PermissionDenied(_("{user} ({department}, {role}) may not {what}. Ask a user with that right or an "
                                 "administrator.", user=actor.display_name or actor.username,
                                 department=_(DEPARTMENTS.get(actor.department, actor.department)),
                                 role=_(ROLES.get(actor.role, actor.role)), what=_(what)))


def register(key: str, check: Callable[[Actor], bool], what_msgid: str) -> None:
    """Later parts of the procedure add their permissions here instead of editing one long table."""
    PERMISSIONS[key] = (check, what_msgid)
