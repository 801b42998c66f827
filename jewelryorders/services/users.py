"""First-run setup, login, and the administrator's management of users; passwords hashed with scrypt."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass

from sqlalchemy import func, select

from .. import clock
from ..db import Database
from ..i18n import LANGUAGES, LazyText, _
from ..models.users import DEPARTMENTS, ROLES, Setting, User
from . import audit
from .context import SYSTEM_ACTOR, Actor, read_session, unit_of_work
from .errors import AuthenticationError, ConcurrentEditError, GateError, NotFound, ValidationError
from .permissions import require
from .validation import Problems, text

# scrypt cost: about 50 ms per check on an office PC, too slow for guessing, fast enough for a login.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MIN_PASSWORD_LENGTH = 6


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return "scrypt${}${}${}${}${}".format(SCRYPT_N, SCRYPT_R, SCRYPT_P, base64.b64encode(salt).decode(),
                                         base64.b64encode(digest).decode())


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt_b64, digest_b64 = stored.split("$")
        if scheme != "scrypt":
            return False
        salt, digest = base64.b64decode(salt_b64), base64.b64decode(digest_b64)
        candidate = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=int(n), r=int(r), p=int(p),
                                   dklen=len(digest))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(candidate, digest)


def actor_of(user: User) -> Actor:
    return Actor(user.id, user.username, user.display_name, user.department, user.role)


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    display_name: str
    department: str
    role: str
    active: bool
    language: str | None
    version: int


def _info(u: User) -> UserInfo:
    return UserInfo(u.id, u.username, u.display_name, u.department, u.role, u.active, u.language, u.version)


def _check_password(problems: Problems, password: str, field: str = "password") -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        problems.add(field, _("The password must have at least {n} characters.", n=MIN_PASSWORD_LENGTH))
    elif len(password) > 256:
        problems.add(field, _("The password is too long (at most 256 characters)."))


def _check_username(problems: Problems, username: str) -> str:
    name = text(problems, "username", _("User name"), username, required=True, max_len=64)
    if name and (any(c.isspace() for c in name)):
        problems.add("username", _("The user name cannot contain spaces."))
    return name


# ---- settings -------------------------------------------------------------------------------------------------

SETTING_DEFAULTS = {
    "factory_name": "",
    "factory_address": "",
    "default_currency": "CNY",
    "default_lead_days": "30",
    "language": "zh_TW",
}


def get_settings(db: Database) -> dict[str, str]:
    with read_session(db) as s:
        stored = {row.key: row.value for row in s.scalars(select(Setting))}
    return {**SETTING_DEFAULTS, **stored}


def get_setting(db: Database, key: str) -> str:
    return get_settings(db).get(key, SETTING_DEFAULTS.get(key, ""))


def update_settings(db: Database, actor: Actor, values: dict[str, str]) -> None:
    require(actor, "settings.edit")
    problems = Problems()
    clean = {}
    for key, value in values.items():
        if key not in SETTING_DEFAULTS:
            problems.add(key, _("Unknown setting {key}.", key=key))
            continue
        clean[key] = text(problems, key, key, value, max_len=500)
    if "factory_name" in clean and not clean["factory_name"]:
        problems.add("factory_name", _("{field} is required.", field=_("Factory name")))
    problems.raise_if_any()
    with unit_of_work(db) as s:
        before = {row.key: row.value for row in s.scalars(select(Setting).where(Setting.key.in_(clean)))}
        for key, value in clean.items():
            row = s.get(Setting, key)
            if row is None:
                s.add(Setting(key=key, value=value))
            else:
                row.value = value
        audit.record(s, actor, "update", "settings", None, LazyText("Settings changed"), before, clean)


# ---- first run and login -------------------------------------------------------------------------------------

def needs_setup(db: Database) -> bool:
    with read_session(db) as s:
        return s.scalar(select(func.count()).select_from(User)) == 0


def setup_factory(db: Database, factory_name: str, admin_username: str, admin_password: str, language: str,
                  admin_display_name: str = "") -> UserInfo:
    """First start: name the factory and create the first administrator. Refused once any user exists."""
    problems = Problems()
    name = text(problems, "factory_name", _("Factory name"), factory_name, required=True)
    username = _check_username(problems, admin_username)
    _check_password(problems, admin_password)
    if language not in LANGUAGES:
        problems.add("language", _("Choose a language."))
    problems.raise_if_any()
    with unit_of_work(db) as s:
        if s.scalar(select(func.count()).select_from(User)):
            raise GateError(_("This database is already set up; log in instead."))
        user = User(username=username, display_name=admin_display_name.strip() or username, department="management",
                    role="administrator", active=True, password_hash=hash_password(admin_password), language=language)
        s.add(user)
        for key, value in (("factory_name", name), ("language", language)):
            s.merge(Setting(key=key, value=value))
        s.flush()
        audit.record(s, SYSTEM_ACTOR, "setup", "settings", None, LazyText("Factory set up; first administrator created"),
                     None, {"factory_name": name, "administrator": username, "language": language})
        return _info(user)


def authenticate(db: Database, username: str, password: str) -> Actor:
    with unit_of_work(db) as s:
        user = s.scalar(select(User).where(User.username == (username or "").strip()))
        if user is None or not verify_password(password or "", user.password_hash):
            raise AuthenticationError(_("Wrong user name or password."))
        if not user.active:
            raise AuthenticationError(_("The user {user} is deactivated. Ask an administrator.", user=user.username))
        user.last_login_at = clock.now()
        actor = actor_of(user)
        audit.record(s, actor, "login", "user", user.id, LazyText("Logged in"))
        return actor


# ---- administration -----------------------------------------------------------------------------------------

def list_users(db: Database, include_inactive: bool = True) -> list[UserInfo]:
    with read_session(db) as s:
        stmt = select(User).order_by(User.department, User.username)
        if not include_inactive:
            stmt = stmt.where(User.active.is_(True))
        return [_info(u) for u in s.scalars(stmt)]


def get_user(db: Database, user_id: int) -> UserInfo:
    with read_session(db) as s:
        user = s.get(User, user_id)
        if user is None:
            raise NotFound(_("User {id} does not exist.", id=user_id))
        return _info(user)


def _validate_user_fields(problems: Problems, display_name: str, department: str, role: str) -> str:
    name = text(problems, "display_name", _("Display name"), display_name, required=True, max_len=120)
    if department not in DEPARTMENTS:
        problems.add("department", _("Choose a department."))
    if role not in ROLES:
        problems.add("role", _("Choose a role."))
    return name


def create_user(db: Database, actor: Actor, username: str, display_name: str, department: str, role: str,
                password: str, active: bool = True, language: str | None = None) -> UserInfo:
    require(actor, "users.manage")
    problems = Problems()
    uname = _check_username(problems, username)
    dname = _validate_user_fields(problems, display_name, department, role)
    _check_password(problems, password)
    problems.raise_if_any()
    with unit_of_work(db) as s:
        if s.scalar(select(User.id).where(func.lower(User.username) == uname.lower())):
            raise ValidationError(_("The user name {user} is taken; choose another.", user=uname), "username")
        user = User(username=uname, display_name=dname, department=department, role=role, active=active,
                    password_hash=hash_password(password), language=language)
        s.add(user)
        s.flush()
        audit.record(s, actor, "create", "user", user.id, LazyText("User {user} created", user=uname), None,
                     audit.snapshot(user))
        return _info(user)


def _active_admins(s) -> int:
    return s.scalar(select(func.count()).select_from(User).where(User.role == "administrator",
                                                                 User.active.is_(True)))


def update_user(db: Database, actor: Actor, user_id: int, expected_version: int, *, display_name: str,
                department: str, role: str, active: bool, language: str | None = None) -> UserInfo:
    require(actor, "users.manage")
    problems = Problems()
    dname = _validate_user_fields(problems, display_name, department, role)
    problems.raise_if_any()
    with unit_of_work(db) as s:
        user = s.get(User, user_id)
        if user is None:
            raise NotFound(_("User {id} does not exist.", id=user_id))
        if user.version != expected_version:
            raise ConcurrentEditError(_("Someone else changed the user {user} since you opened it. Reopen it and "
                                        "make your change again.", user=user.username))
        before = audit.snapshot(user)
        if user.role == "administrator" and user.active and (role != "administrator" or not active):
            if _active_admins(s) <= 1:
                raise GateError(_("{user} is the last active administrator; make another user administrator "
                                  "first.", user=user.username))
        user.display_name, user.department, user.role, user.active = dname, department, role, active
        user.language = language
        s.flush()
        b, a = audit.diff(before, audit.snapshot(user))
        audit.record(s, actor, "update", "user", user.id, LazyText("User {user} changed", user=user.username), b, a)
        return _info(user)


def reset_password(db: Database, actor: Actor, user_id: int, new_password: str) -> None:
    require(actor, "users.manage")
    problems = Problems()
    _check_password(problems, new_password)
    problems.raise_if_any()
    with unit_of_work(db) as s:
        user = s.get(User, user_id)
        if user is None:
            raise NotFound(_("User {id} does not exist.", id=user_id))
        user.password_hash = hash_password(new_password)
        audit.record(s, actor, "reset_password", "user", user.id,
                     LazyText("Password of {user} reset", user=user.username))


def change_own_password(db: Database, actor: Actor, old_password: str, new_password: str) -> None:
    problems = Problems()
    _check_password(problems, new_password, "new_password")
    problems.raise_if_any()
    with unit_of_work(db) as s:
        user = s.get(User, actor.user_id)
        if user is None or not verify_password(old_password or "", user.password_hash):
            raise AuthenticationError(_("The current password is wrong."))
        user.password_hash = hash_password(new_password)
        audit.record(s, actor, "change_password", "user", user.id, LazyText("Own password changed"))
