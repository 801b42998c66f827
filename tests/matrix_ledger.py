"""Permission matrix cases of the progress ledger (loaded by tests/test_permissions_matrix.py)."""

from __future__ import annotations

from jewelryorders.services.ledger import entries, exceptions, meetings


def prepare(world) -> None:
    from jewelryorders.services.planning import plans

    plan = plans.get_plan(world.db, world.released.id)
    world.ledger_sheet = plan.step(1).sheet_no
    world.ledger_exception = exceptions.record_exception(world.db, world.factory.planner, exceptions.ExceptionInput(
        "other", "power cut", order_no=world.released.order_no)).exception_no


CALLS = {
    "ledger.record": lambda a, w: entries.record_start(w.db, a, w.ledger_sheet),
    "ledger.correct": lambda a, w: entries.reverse_entry(w.db, a, "LE-2026-0000001", "typo"),
    "ledger.exceptions": lambda a, w: exceptions.record_exception(w.db, a, exceptions.ExceptionInput(
        "other", "power cut", order_no=w.released.order_no)),
    "ledger.notify": lambda a, w: exceptions.add_notification(w.db, a, w.ledger_exception, method="phone",
                                                              notified_by="Sales"),
    "ledger.meetings": lambda a, w: meetings.hold_meeting(w.db, a, meetings.MeetingInput("2026-11-16")),
}
