"""The review's outcomes as the scheduler takes them: an operation's earliest start (materials expected, from
purchasing's lead time) and capacity measures (overtime, extra shift, outsourcing) as extra workshop capacity."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from jewelryorders.scheduling import (
    Job,
    Operation,
    Schedule,
    WorkshopCalendar,
    overloaded_days,
    propose_plan,
    replan_all,
    validate_schedule,
    workshop_load,
)
from jewelryorders.scheduling.calendar import CapacityLedger
from jewelryorders.scheduling.optimise import optimise

MONDAY = date(2026, 3, 2)


def day(n: int) -> date:
    return MONDAY + timedelta(days=n)


def workshop(wid: int, minutes: int = 480, benches: int = 1) -> WorkshopCalendar:
    return WorkshopCalendar(wid, f"W{wid}", minutes, benches)


def job(order_id: int, due: date, steps, release: date = MONDAY) -> Job:
    ops = [Operation(f"{order_id}/{seq}", seq, wid, minutes, name=f"S{seq}", earliest_start=earliest)
           for seq, (wid, minutes, earliest) in enumerate(steps, 1)]
    return Job(order_id, f"JO-{order_id:04d}", due, 1, MONDAY, ops)


def test_forwards_a_step_waits_for_its_earliest_start():
    cals = [workshop(1), workshop(2)]
    # Step 1 needs no material; step 2 (casting) waits for the metal expected on Thursday next week.
    j = job(1, day(2), [(1, 480, None), (2, 480, day(10))])
    plan = propose_plan(j, cals, None, MONDAY)
    assert plan.ops["1/1"].start == MONDAY
    assert plan.ops["1/2"].start == day(10)
    assert validate_schedule(plan, [j], cals, MONDAY) == []
    # Without the earliest start it would have started the next day: the input is what holds it back.
    bare = job(1, day(2), [(1, 480, None), (2, 480, None)])
    assert propose_plan(bare, cals, None, MONDAY).ops["1/2"].start <= day(2)


def test_backwards_plan_does_not_start_a_step_before_its_materials():
    cals = [workshop(1)]
    # Two days of work, delivery in three weeks: just in time would still be after the earliest start,
    # but a first step with materials expected after the due date forces the order forwards (late).
    j = job(1, day(21), [(1, 480, day(25)), (1, 480, None)])
    plan = propose_plan(j, cals, None, MONDAY)
    assert plan.ops["1/1"].start == day(25)
    assert plan.ops["1/2"].start > plan.ops["1/1"].end


def test_validation_reports_a_step_planned_before_its_materials():
    cals = [workshop(1)]
    j = job(1, day(20), [(1, 480, day(7))])
    early = Schedule.of([replace(propose_plan(job(1, day(20), [(1, 480, None)]), cals, None, MONDAY).ops["1/1"],
                                 start=MONDAY, end=MONDAY, minutes_by_day={MONDAY: 480})])
    errors = validate_schedule(early, [j], cals, MONDAY)
    assert any("materials" in e and day(7).isoformat() in e for e in errors)


def test_replan_all_and_optimise_respect_an_earliest_start():
    cals = [workshop(1)]
    jobs = [job(1, day(4), [(1, 480, day(7))]), job(2, day(4), [(1, 480, None)])]
    result = replan_all(jobs, cals, MONDAY)
    assert result.schedule.ops["1/1"].start >= day(7)
    found = optimise(jobs, cals, MONDAY, time_limit_s=5)
    assert found.schedule.ops["1/1"].start >= day(7)
    assert validate_schedule(found.schedule, jobs, cals, MONDAY) == []


def full_load(wid: int, days: int) -> dict:
    return {wid: {day(n): 480 for n in range(days) if day(n).weekday() < 5}}


def test_a_capacity_measure_lets_the_order_into_a_full_workshop():
    cals = [workshop(1)]
    busy = full_load(1, 14)  # the only bench is booked for two weeks
    j = job(1, day(4), [(1, 480, None)])
    late = propose_plan(j, cals, busy, MONDAY)
    assert late.ops["1/1"].start == day(14)  # after the other work: ten days late
    # Overtime on Tuesday to Thursday this week: 480 minutes a day more in workshop 1.
    overtime = {1: {day(n): 480 for n in (1, 2, 3)}}
    on_time = propose_plan(j, cals, busy, MONDAY, extra_capacity=overtime)
    assert on_time.ops["1/1"].end <= day(4)
    assert on_time.ops["1/1"].start in (day(1), day(2), day(3))
    # The load chart and the overload check count the measure as capacity.
    assert overloaded_days(on_time, cals, busy) != []
    assert overloaded_days(on_time, cals, busy, extra=overtime) == []
    rows = workshop_load(on_time, cals, MONDAY, day(4), busy, extra=overtime)[1]
    assert [r.capacity for r in rows] == [480, 960, 960, 960, 480]


def test_replan_all_uses_capacity_measures():
    cals = [workshop(1)]
    busy = full_load(1, 14)
    jobs = [job(1, day(4), [(1, 480, None)])]
    assert replan_all(jobs, cals, MONDAY, busy).late
    assert replan_all(jobs, cals, MONDAY, busy, extra_capacity={1: {day(2): 480}}).late == []


def test_capacity_measures_on_days_off_or_in_other_workshops_add_nothing():
    cals = [workshop(1)]
    ledger = CapacityLedger(cals, MONDAY, None, {1: {day(5): 480}, 9: {day(1): 480}})  # a Saturday; no workshop 9
    assert ledger.capacity_on(1, day(5)) == 0
    assert ledger.capacity_on(1, day(1)) == 480
