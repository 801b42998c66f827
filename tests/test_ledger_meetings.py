"""Exceptions with the customer-notification rule, and coordination meetings with their agenda and action items."""

from __future__ import annotations

import datetime as dt

import pytest

from jewelryorders.models.orders import Order
from jewelryorders.services.errors import GateError, PermissionDenied, ValidationError
from jewelryorders.services.ledger import exceptions as exc
from jewelryorders.services.ledger import meetings

from .planning_support import contracted, factory  # noqa: F401,F811  (fixtures)
from .test_ledger import release


def due(db, order_id):
    with db.read_session() as s:
        return s.get(Order, order_id).delivery_date


def test_a_delivery_date_moves_only_after_the_customer_was_told(db, factory, contracted):
    order_id = contracted()
    with db.read_session() as s:
        order_no = s.get(Order, order_id).order_no
    with pytest.raises(ValidationError):
        exc.record_exception(db, factory.planner, exc.ExceptionInput("material_shortage", " ", order_no=order_no))
    with pytest.raises(PermissionDenied):
        exc.record_exception(db, factory.sales, exc.ExceptionInput("other", "x", order_no=order_no))
    e = exc.record_exception(db, factory.planner, exc.ExceptionInput(
        "material_shortage", "18K grain late from supplier", order_no=order_no, severity="high", impact_days=5,
        informed_production=True, informed_manager=True, affected_steps="3,4"))
    assert e.exception_no.startswith("EX-2026-") and e.affected_steps == (3, 4) and e.is_open
    before = due(db, order_id)
    with pytest.raises(GateError, match="until the customer has been told"):
        exc.move_delivery_date(db, factory.planner, e.exception_no, before + dt.timedelta(days=5))
    assert due(db, order_id) == before
    exc.add_notification(db, factory.planner, e.exception_no, method="phone", notified_by="Sales Chen",
                         customer_response="accepts 5 days later")
    moved = exc.move_delivery_date(db, factory.planner, e.exception_no, before + dt.timedelta(days=5))
    assert due(db, order_id) == before + dt.timedelta(days=5) and moved.old_delivery_date == before
    assert exc.affected_steps(db) == {(order_id, 3): [e.exception_no], (order_id, 4): [e.exception_no]}
    closed = exc.close_exception(db, factory.planner, e.exception_no, "second supplier delivered")
    assert not closed.is_open and exc.affected_steps(db) == {}
    with pytest.raises(GateError):
        exc.close_exception(db, factory.planner, e.exception_no, "again")


def test_a_meeting_agenda_comes_from_the_data_and_actions_reach_the_owners_list(db, factory, contracted,
                                                                               make_user):
    order_id = contracted()
    release(db, factory, order_id)
    with db.read_session() as s:
        order_no = s.get(Order, order_id).order_no
    exc.record_exception(db, factory.planner, exc.ExceptionInput("equipment_failure", "casting machine down",
                                                                 order_no=order_no, impact_days=2))
    head = make_user("production", "department_head", "meethead")
    with pytest.raises(PermissionDenied):
        meetings.hold_meeting(db, factory.worker, meetings.MeetingInput("2026-11-16"))
    first = meetings.hold_meeting(db, head, meetings.MeetingInput(
        "2026-11-09", attendees={"production": ["Head"], "sales": ["Sales1"]},
        reports={"production": "casting behind by 2 days", "sales": "customer informed"},
        actions=[meetings.ActionInput("repair the casting machine", factory.worker.user_id, "2026-11-12", order_no),
                 meetings.ActionInput("ask supplier for dates", factory.purchasing.user_id, "2026-11-30")]))
    assert first.meeting_no.startswith("MT-2026-") and len(first.actions) == 2
    assert [x["description"] for x in first.agenda.open_exceptions] == ["casting machine down"]
    assert first.reports["production"] == "casting behind by 2 days"
    todo = meetings.my_actions(db, factory.worker.user_id)
    assert [a.description for a in todo] == ["repair the casting machine"] and todo[0].order_no == order_no
    second = meetings.build_agenda(db)
    overdue = [a for a in second.actions_due if a["overdue"]]
    assert [a["description"] for a in overdue] == ["repair the casting machine"]
    meetings.set_action_state(db, factory.worker, todo[0].id, "done", "repaired")
    assert meetings.my_actions(db, factory.worker.user_id) == []
    with pytest.raises(PermissionDenied):
        meetings.set_action_state(db, factory.worker, first.actions[1].id, "done")
    assert meetings.get_meeting(db, first.meeting_no).attendees == {"production": ["Head"], "sales": ["Sales1"]}
