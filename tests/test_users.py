"""Setup, login and user administration: hashed passwords, roles, the last administrator."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from jewelryorders.models.users import User
from jewelryorders.services import users
from jewelryorders.services.errors import AuthenticationError, GateError, PermissionDenied, ValidationError


def test_setup_creates_the_factory_and_an_administrator_with_a_hashed_password(db):
    assert users.needs_setup(db)
    users.setup_factory(db, "金福珠寶廠", "boss", "s3cret-pw", "zh_TW")
    assert not users.needs_setup(db)
    assert users.get_setting(db, "factory_name") == "金福珠寶廠"
    with db.read_session() as s:
        stored = s.scalar(select(User.password_hash).where(User.username == "boss"))
    assert "s3cret-pw" not in stored and stored.startswith("scrypt$")
    actor = users.authenticate(db, "boss", "s3cret-pw")
    assert actor.role == "administrator"
    with pytest.raises(GateError):
        users.setup_factory(db, "Again", "boss2", "another-pw", "en")


def test_setup_rejects_a_short_password_and_missing_factory_name(db):
    with pytest.raises(ValidationError) as err:
        users.setup_factory(db, "  ", "boss", "123", "en")
    fields = {p.field for p in err.value.problems}
    assert fields == {"factory_name", "password"}
    assert users.needs_setup(db)


def test_wrong_password_and_deactivated_user_cannot_log_in(db, admin):
    with pytest.raises(AuthenticationError, match="Wrong user name or password"):
        users.authenticate(db, "admin", "nope")
    u = users.create_user(db, admin, "lily", "Lily Wong", "quality", "clerk", "password1")
    users.update_user(db, admin, u.id, u.version, display_name="Lily Wong", department="quality", role="clerk",
                      active=False)
    with pytest.raises(AuthenticationError, match="deactivated"):
        users.authenticate(db, "lily", "password1")


def test_only_administrators_manage_users(db, admin, make_user):
    clerk = make_user("sales", "clerk")
    with pytest.raises(PermissionDenied, match="may not manage users"):
        users.create_user(db, clerk, "x1", "X", "sales", "clerk", "password1")
    manager = make_user("management", "manager")
    with pytest.raises(PermissionDenied):
        users.reset_password(db, manager, admin.user_id, "whatever1")


def test_duplicate_user_name_is_refused(db, admin):
    users.create_user(db, admin, "amy", "Amy", "sales", "clerk", "password1")
    with pytest.raises(ValidationError, match="taken"):
        users.create_user(db, admin, "AMY", "Amy 2", "sales", "clerk", "password1")


def test_the_last_active_administrator_cannot_be_demoted_or_deactivated(db, admin):
    me = users.get_user(db, admin.user_id)
    with pytest.raises(GateError, match="last active administrator"):
        users.update_user(db, admin, me.id, me.version, display_name=me.display_name, department="management",
                          role="manager", active=True)
    assert users.get_user(db, admin.user_id).role == "administrator"


def test_password_reset_and_own_change(db, admin):
    u = users.create_user(db, admin, "ken", "Ken", "production", "department_head", "password1")
    users.reset_password(db, admin, u.id, "newpass22")
    ken = users.authenticate(db, "ken", "newpass22")
    with pytest.raises(AuthenticationError):
        users.change_own_password(db, ken, "wrong-old", "another22")
    users.change_own_password(db, ken, "newpass22", "another22")
    assert users.authenticate(db, "ken", "another22").username == "ken"


def test_unknown_department_or_role_is_refused(db, admin):
    with pytest.raises(ValidationError) as err:
        users.create_user(db, admin, "zz", "Z", "marketing", "boss", "password1")
    assert {p.field for p in err.value.problems} == {"department", "role"}


# ---- sessions and logins hardened -----------------------------------------------------------------------------

def _events(db, action):
    from jewelryorders.models.audit import AuditEvent

    with db.read_session() as s:
        events = list(s.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))
        s.expunge_all()  # read as they were, after the session ends
        return events


def _customer_count(db):
    from jewelryorders.models.customers import Customer
    from sqlalchemy import func

    with db.read_session() as s:
        return s.scalar(select(func.count()).select_from(Customer))


def test_a_user_deactivated_in_an_open_session_loses_rights_at_once(db, admin, make_user):
    from jewelryorders.services import customers

    clerk = make_user("sales", "clerk", "amy")  # logged in: the Actor is what a window keeps for hours
    customers.create_customer(db, clerk, customers.CustomerInput(name="Before"))
    info = next(u for u in users.list_users(db) if u.username == "amy")
    users.update_user(db, admin, info.id, info.version, display_name=info.display_name, department="sales",
                      role="clerk", active=False)
    with pytest.raises(PermissionDenied, match="deactivated"):
        customers.create_customer(db, clerk, customers.CustomerInput(name="After"))
    assert _customer_count(db) == 1


def test_a_user_demoted_in_an_open_session_loses_the_right_at_once(db, admin, make_user):
    from jewelryorders.services import customers

    clerk = make_user("sales", "clerk", "ben")
    info = next(u for u in users.list_users(db) if u.username == "ben")
    users.update_user(db, admin, info.id, info.version, display_name=info.display_name, department="quality",
                      role="clerk", active=True)
    with pytest.raises(PermissionDenied, match="create or edit customers"):
        customers.create_customer(db, clerk, customers.CustomerInput(name="After the move"))
    assert _customer_count(db) == 0
    # A change that keeps the right keeps working: a department head of sales may still edit customers.
    users.update_user(db, admin, info.id, info.version + 1, display_name=info.display_name, department="sales",
                      role="department_head", active=True)
    customers.create_customer(db, clerk, customers.CustomerInput(name="Allowed again"))
    assert _customer_count(db) == 1


def test_an_administrator_demoted_cannot_manage_users_with_the_old_session(db, admin, make_user):
    second = users.create_user(db, admin, "root2", "Second Admin", "management", "administrator", "password1")
    boss = users.authenticate(db, "root2", "password1")
    users.update_user(db, admin, second.id, second.version + 1, display_name="Second Admin",
                      department="management", role="clerk", active=True)
    with pytest.raises(PermissionDenied, match="manage users"):
        users.create_user(db, boss, "sneaky", "Sneaky", "sales", "administrator", "password1")
    assert "sneaky" not in {u.username for u in users.list_users(db)}


def test_failed_logins_are_audited_as_messages_and_paused(db, admin, monkeypatch):
    from jewelryorders.i18n import tr
    from jewelryorders.services import audit

    pauses = []
    monkeypatch.setattr(users, "_pause_after_failure", pauses.append)
    with pytest.raises(AuthenticationError):
        users.authenticate(db, "admin", "wrong-pass")
    with pytest.raises(AuthenticationError, match="Wrong user name or password"):
        users.authenticate(db, "nobody", "whatever")
    assert pauses == [users.FAILED_LOGIN_DELAY_S, users.FAILED_LOGIN_DELAY_S]  # the same pause for both
    failed = _events(db, "login_failed")
    assert [e.entity_id is None for e in failed] == [False, True]
    assert failed[0].message_id == "Failed login for {user}: wrong password ({n} in a row)"
    message = audit.event_message(failed[1])
    assert message.params["user"] == "nobody"
    assert "nobody" in message.render("zh_TW") and tr(message.msgid, "zh_TW") != message.msgid
    assert audit.verify_chain(db).ok


def test_an_unknown_user_name_costs_the_same_password_hashing(db, admin, monkeypatch):
    import hashlib

    calls = []
    real = hashlib.scrypt
    monkeypatch.setattr(users.hashlib, "scrypt", lambda *a, **kw: calls.append(kw.get("n")) or real(*a, **kw))
    users._dummy_hashes.clear()
    users._dummy_hash()  # made once per installation, not per attempt
    calls.clear()
    with pytest.raises(AuthenticationError):
        users.authenticate(db, "admin", "wrong-pass")
    with pytest.raises(AuthenticationError):
        users.authenticate(db, "no-such-user", "wrong-pass")
    with pytest.raises(AuthenticationError):
        users.authenticate(db, "", "")
    assert calls == [users.SCRYPT_N] * 3  # one scrypt per attempt, whoever it is


def test_repeated_wrong_passwords_lock_the_user_out_for_the_factorys_time(db, admin, fixed_clock):
    import datetime as dt

    users.update_settings(db, admin, {"login_max_failures": "3", "login_lockout_minutes": "10"})
    users.create_user(db, admin, "carl", "Carl", "sales", "clerk", "password1")
    for _ in range(2):
        with pytest.raises(AuthenticationError, match="Wrong user name or password"):
            users.authenticate(db, "carl", "bad")
    with pytest.raises(AuthenticationError, match="locked for 10 minutes"):
        users.authenticate(db, "carl", "bad")
    with pytest.raises(AuthenticationError, match="locked"):
        users.authenticate(db, "carl", "password1")  # even the right password, while locked
    assert len(_events(db, "lockout")) == 1
    assert len(_events(db, "login_failed")) == 4
    fixed_clock.set_fixed(fixed_clock.now() + dt.timedelta(minutes=11))
    assert users.authenticate(db, "carl", "password1").username == "carl"
    with db.read_session() as s:
        carl = s.scalar(select(User).where(User.username == "carl"))
        assert (carl.failed_logins, carl.locked_until) == (0, None)


def test_a_password_reset_unlocks_and_lockout_settings_are_bounded(db, admin):
    users.update_settings(db, admin, {"login_max_failures": "1"})
    info = users.create_user(db, admin, "dora", "Dora", "sales", "clerk", "password1")
    with pytest.raises(AuthenticationError, match="locked"):
        users.authenticate(db, "dora", "bad")
    users.reset_password(db, admin, info.id, "password2")
    assert users.authenticate(db, "dora", "password2").username == "dora"
    for bad in ("0", "-1", "abc", "100000"):
        with pytest.raises(ValidationError, match="whole number"):
            users.update_settings(db, admin, {"login_lockout_minutes": bad})
    assert users.get_setting(db, "login_lockout_minutes") == "15"
