"""The application's one clock: tests set it, $JEWELRYORDERS_CLOCK moves it, services read it."""

from __future__ import annotations

import datetime as dt

import pytest

from jewelryorders import clock

from .conftest import TEST_TODAY


def test_tests_run_on_the_fixed_test_day_not_the_real_one():
    assert clock.today() == TEST_TODAY
    first, second = clock.now(), clock.now()
    assert second > first and second - first < dt.timedelta(seconds=1)  # a stopped clock still keeps order


def test_environment_setting_moves_a_running_clock(monkeypatch):
    monkeypatch.setenv(clock.ENV_VAR, "+365d")
    clock.reset()
    ahead = clock.now() - dt.datetime.now(dt.timezone.utc)
    assert dt.timedelta(days=364, hours=23) < ahead < dt.timedelta(days=365, hours=1)
    monkeypatch.setenv(clock.ENV_VAR, "2030-02-01T09:00:00")
    clock.reset()
    assert clock.today() == dt.date(2030, 2, 1)


def test_a_wrong_setting_is_refused_with_the_forms_it_accepts():
    with pytest.raises(ValueError, match=r"\+365d"):
        clock.parse_setting("next year")


def test_frozen_block_restores_the_clock():
    with clock.frozen(dt.date(2028, 2, 29)):
        assert clock.today() == dt.date(2028, 2, 29)
    assert clock.today() == TEST_TODAY


def test_services_take_today_from_the_clock(db, order_factory, fixed_clock):
    from jewelryorders.services.orders import intake as orders

    order = order_factory()
    fixed_clock.set_fixed(dt.datetime(2027, 3, 4, 8, 30, tzinfo=dt.timezone.utc))
    submitted = orders.submit_for_review(db, orders_actor(db), order.id, order.version)
    assert submitted.submitted_at.date() == dt.date(2027, 3, 4)


def orders_actor(db):
    from jewelryorders.services import users

    return users.authenticate(db, "sales1", "password1")
