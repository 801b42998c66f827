"""Test helpers for delivery: an order ready to ship and quality's answers registered for the test only."""

from __future__ import annotations

import datetime as dt

import pytest

from jewelryorders.services import gates

from .review_support import set_stage

FQC_AT = dt.datetime(2026, 11, 10, 9, 30, tzinfo=dt.timezone.utc)


class QualityStandIn:
    """What the quality part answers, per order id: released [(FQC no., pieces passed, inspected at)] and a
    refusal at the shipping gate."""

    def __init__(self):
        self.released: dict[int, list] = {}
        self.refuse: str | None = None
        self.checked: list[tuple[int, int]] = []

    def answer(self, session, order, **_kw):
        return list(self.released.get(order.id, []))

    def check(self, session, order, quantity, **_kw):
        from jewelryorders.services.errors import GateError

        self.checked.append((order.id, quantity))
        if self.refuse:
            raise GateError(self.refuse)


@pytest.fixture
def quality_stand_in():
    gates._load()
    stand_in = QualityStandIn()
    saved_answer = gates._answers.get("quality.released")
    saved_checks = list(gates._checks.get(gates.DELIVERY_SHIP, []))
    gates.register_answer("quality.released", stand_in.answer)
    # The stand-in takes quality's place at the shipping gate (these tests put orders into ready_to_ship without
    # a final inspection); quality's own gate is tested with real inspections in tests/test_procedure_flow.py.
    gates._checks[gates.DELIVERY_SHIP] = [("test.quality", stand_in.check)]
    yield stand_in
    if saved_answer is None:
        gates._answers.pop("quality.released", None)
    else:
        gates._answers["quality.released"] = saved_answer
    gates._checks[gates.DELIVERY_SHIP] = saved_checks


@pytest.fixture
def ready_order(db, order_factory, quality_stand_in):
    """make(quantity=50, released=None) -> an order in ready_to_ship whose FQC released `released` pieces."""

    def make(quantity: int = 50, released: int | None = None, lines: int = 1, **kw):
        order = order_factory(quantity=quantity, lines=lines, **kw)
        set_stage(db, order.id, "ready_to_ship")
        total = quantity * lines if released is None else released
        quality_stand_in.released[order.id] = [(f"FQC-2026-{order.id:05d}", total, FQC_AT)] if total else []
        return order

    return make
