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
