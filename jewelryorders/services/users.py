"""First-run setup, login, and the administrator's management of users; passwords hashed with scrypt."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import math
import os
import time
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
    if password is not None and not isinstance(password, str):
        problems.add(field, _("The password must be text."))
    elif len(password or "") < MIN_PASSWORD_LENGTH:
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
    # After this many wrong passwords in a row the user is locked out for the given minutes (the factory sets both).
    "login_max_failures": "5",
    "login_lockout_minutes": "15",
    # Goods received beyond the purchase order's quantity are accepted up to this share, with a reason.
    "materials.over_receipt_tolerance_percent": "5",
}
# Limits an administrator may set, so a typo cannot disable the lockout or lock everyone out for a year.
INTEGER_SETTINGS = {"login_max_failures": (1, 100), "login_lockout_minutes": (1, 24 * 60),
                    "materials.over_receipt_tolerance_percent": (0, 50)}


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
        if key in INTEGER_SETTINGS and clean[key]:
            low, high = INTEGER_SETTINGS[key]
            if not clean[key].isdigit() or not low <= int(clean[key]) <= high:
                problems.add(key, _("{field} must be a whole number from {low} to {high}.", field=key, low=low,
                                    high=high))
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


# A failed login waits this long before it answers, whoever the user, so guessing is slow and timing tells nothing.
FAILED_LOGIN_DELAY_S = 1.0
_dummy_hashes: dict[tuple[int, int, int], str] = {}


def _pause_after_failure(seconds: float) -> None:
    time.sleep(seconds)


def _dummy_hash() -> str:
    """A stored-format hash to check an unknown user's password against: the same scrypt work as a real user."""
    params = (SCRYPT_N, SCRYPT_R, SCRYPT_P)
    if params not in _dummy_hashes:
        _dummy_hashes[params] = hash_password(os.urandom(16).hex())
    return _dummy_hashes[params]


def _login_limits(s) -> tuple[int, int]:
    stored = {row.key: row.value for row in s.scalars(select(Setting).where(Setting.key.in_(list(INTEGER_SETTINGS))))}
    values = []
    for key in ("login_max_failures", "login_lockout_minutes"):
        raw = stored.get(key, SETTING_DEFAULTS[key])
        low, high = INTEGER_SETTINGS[key]
        values.append(min(max(int(raw), low), high) if str(raw).isdigit() else int(SETTING_DEFAULTS[key]))
    return values[0], values[1]


def authenticate(db: Database, username: str, password: str) -> Actor:
    """Log in. Every failure is recorded in the audit trail, answers only after a pause, and after the factory's
    number of wrong passwords in a row the user is locked out for a while; an unknown user name costs the same
    password hashing as a known one, so nobody can tell them apart by the time the answer takes."""
    name = (username or "").strip() if isinstance(username, str) else ""
    password = password if isinstance(password, str) else ""
    failure: str | None = None
    actor: Actor | None = None
    with unit_of_work(db) as s:
        max_failures, lockout_minutes = _login_limits(s)
        user = s.scalar(select(User).where(User.username == name)) if name else None
        password_ok = verify_password(password, user.password_hash if user is not None else _dummy_hash())
        now = clock.now()
        someone = Actor(None, name[:64] or "?", name[:120], "", "")
        if user is None:
            audit.record(s, someone, "login_failed", "user", None,
                         LazyText("Failed login: unknown user name {user}", user=name[:64]))
            failure = _("Wrong user name or password.")
        elif user.locked_until is not None and user.locked_until > now:
            minutes = max(1, math.ceil((user.locked_until - now).total_seconds() / 60))
            audit.record(s, someone, "login_failed", "user", user.id,
                         LazyText("Failed login for {user}: locked out", user=user.username))
            failure = _("Too many wrong passwords: the user {user} is locked for {minutes} more minutes. Wait, or "
                        "ask an administrator to reset the password.", user=user.username, minutes=minutes)
        elif not password_ok:
            user.failed_logins = (user.failed_logins or 0) + 1
            audit.record(s, someone, "login_failed", "user", user.id,
                         LazyText("Failed login for {user}: wrong password ({n} in a row)", user=user.username,
                                  n=user.failed_logins))
            failure = _("Wrong user name or password.")
            if user.failed_logins >= max_failures:
                user.locked_until = now + dt.timedelta(minutes=lockout_minutes)
                audit.record(s, someone, "lockout", "user", user.id,
                             LazyText("User {user} locked out for {minutes} minutes after {n} wrong passwords",
                                      user=user.username, minutes=lockout_minutes, n=user.failed_logins))
                user.failed_logins = 0
                failure = _("Too many wrong passwords: the user {user} is locked for {minutes} minutes. Wait, or "
                            "ask an administrator to reset the password.", user=user.username,
                            minutes=lockout_minutes)
        elif not user.active:
            audit.record(s, someone, "login_failed", "user", user.id,
                         LazyText("Failed login for {user}: deactivated", user=user.username))
            failure = _("The user {user} is deactivated. Ask an administrator.", user=user.username)
        else:
            user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
            actor = actor_of(user)
            audit.record(s, actor, "login", "user", user.id, LazyText("Logged in"))
    if failure is not None or actor is None:
        _pause_after_failure(FAILED_LOGIN_DELAY_S)
        raise AuthenticationError(failure or _("Wrong user name or password."))
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
    if not isinstance(department, str) or department not in DEPARTMENTS:
        problems.add("department", _("Choose a department."))
    if not isinstance(role, str) or role not in ROLES:
        problems.add("role", _("Choose a role."))
    return name


def _check_choices(problems: Problems, active, language) -> None:
    if not isinstance(active, bool):
        problems.add("active", _("Choose whether the user is active."))
    if language is not None and (not isinstance(language, str) or language not in LANGUAGES):
        problems.add("language", _("Choose a language."))


def create_user(db: Database, actor: Actor, username: str, display_name: str, department: str, role: str,
                password: str, active: bool = True, language: str | None = None) -> UserInfo:
    require(actor, "users.manage")
    problems = Problems()
    uname = _check_username(problems, username)
    dname = _validate_user_fields(problems, display_name, department, role)
    _check_password(problems, password)
    _check_choices(problems, active, language)
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
    _check_choices(problems, active, language)
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
        user.failed_logins, user.locked_until = 0, None  # a new password from the administrator also unlocks
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
