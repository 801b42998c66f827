"""Scheduling without a database: proposed plans, 'Re-plan all', load, forecast, manual changes, bad input."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from jewelryorders.i18n import set_language
from jewelryorders.scheduling import (
    MONDAY_TO_FRIDAY,
    MONDAY_TO_SATURDAY,
    Job,
    Operation,
    Schedule,
    ScheduledOperation,
    SchedulingError,
    WorkshopCalendar,
    check_change,
    forecast,
    load_of,
    overloaded_days,
    propose_plan,
    replan_all,
    validate_schedule,
    workshop_load,
)
from jewelryorders.scheduling.generate import generate_factory

MONDAY = date(2026, 3, 2)


def day(n: int) -> date:
    return MONDAY + timedelta(days=n)


def workshop(wid: int = 1, minutes: int = 480, benches: int = 1, weekdays=MONDAY_TO_FRIDAY, holidays=()):
    return WorkshopCalendar(wid, f"W{wid}", minutes, benches, frozenset(weekdays), frozenset(holidays))


def order(order_id: int, due: date, steps: list[tuple[int, int]], priority: int = 1, release: date = MONDAY) -> Job:
    """An order whose steps are (workshop id, work minutes), in routing order."""
    ops = [
        Operation(f"{order_id}/{seq}", seq, wid, minutes, name=f"S{seq}")
        for seq, (wid, minutes) in enumerate(steps, 1)
    ]
    return Job(order_id, f"JO-{order_id:04d}", due, priority, release, ops)


def assert_precedence(schedule: Schedule, jobs: list[Job]) -> None:
    for job in jobs:
        planned = [schedule.ops[op.key] for op in job.operations if op.key in schedule.ops]
        for before, after in zip(planned, planned[1:]):
            assert after.start > before.end, (before, after)


# --- proposed plan ------------------------------------------------------------------------------------------


def test_proposed_plan_finishes_on_the_delivery_date_when_there_is_time():
    cals = [workshop(1), workshop(2)]
    job = order(1, day(11), [(1, 480), (2, 480)])  # due Friday of next week
    plan = propose_plan(job, cals, None, MONDAY)
    assert plan.ops["1/2"].end == day(11)
    assert plan.ops["1/1"].end == day(10)
    assert plan.lateness_by_order([job]) == {1: 0}


def test_proposed_plan_runs_forward_from_today_when_the_date_is_too_close():
    cals = [workshop(1), workshop(2)]
    job = order(1, day(1), [(1, 960), (2, 960)])  # four working days of work, due tomorrow
    plan = propose_plan(job, cals, None, MONDAY)
    assert plan.ops["1/1"].start == MONDAY
    assert plan.ops["1/2"].end == day(3)
    assert plan.lateness_by_order([job]) == {1: 2}


def test_proposed_plan_makes_room_around_other_released_plans():
    cals = [workshop(1)]
    other = {1: {day(4): 480, day(3): 300}}  # Friday full, Thursday partly taken
    job = order(1, day(4), [(1, 400)])
    plan = propose_plan(job, cals, other, MONDAY)
    # Not Friday (full) nor Thursday (180 minutes left): Wednesday, the latest day with room.
    assert plan.ops["1/1"].start == plan.ops["1/1"].end == day(2)


def test_a_failed_backward_attempt_leaves_no_trace_in_the_forward_plan():
    busy_until_wednesday = {1: {day(0): 480, day(1): 480, day(2): 480}}
    job = order(1, day(3), [(1, 480), (1, 480)])
    plan = propose_plan(job, [workshop(1)], busy_until_wednesday, MONDAY)
    # Backwards, the last step took Thursday before the first found no room; forwards it is free again.
    assert plan.ops["1/1"].start == day(3)
    assert plan.ops["1/2"].start == day(4)


def test_proposed_plan_keeps_a_shipping_buffer():
    job = order(1, day(11), [(1, 480)])
    plan = propose_plan(job, [workshop(1)], None, MONDAY, buffer_days=3)
    assert plan.ops["1/1"].end == day(8)


# --- calendars ----------------------------------------------------------------------------------------------


def test_holidays_and_weekends_get_no_work():
    holiday = day(2)  # Wednesday
    cals = [workshop(1, holidays=[holiday]), workshop(2, weekdays=MONDAY_TO_SATURDAY)]
    jobs = [order(1, day(20), [(1, 1440), (2, 480 * 6)])]
    schedule = replan_all(jobs, cals, MONDAY).schedule
    first, second = schedule.ops["1/1"], schedule.ops["1/2"]
    assert sorted(first.minutes_by_day) == [day(0), day(1), day(3)]  # Wednesday is a holiday
    assert day(5) in second.minutes_by_day  # this workshop works Saturdays
    for op in schedule.ops.values():
        for worked in op.minutes_by_day:
            assert worked.weekday() != 6
    assert holiday not in first.minutes_by_day


def test_a_long_step_spans_days_even_in_an_empty_workshop():
    cals = [workshop(1, minutes=480, benches=4)]
    schedule = replan_all([order(1, day(10), [(1, 1000)])], cals, MONDAY).schedule
    op = schedule.ops["1/1"]
    assert op.minutes == 1000
    assert len(op.minutes_by_day) == 3 and max(op.minutes_by_day.values()) <= 480


def test_steps_share_a_workshop_day_while_benches_have_minutes():
    cals = [workshop(1, minutes=480, benches=1)]
    jobs = [order(i, day(10), [(1, 200)]) for i in (1, 2, 3)]
    schedule = replan_all(jobs, cals, MONDAY).schedule
    starts = sorted(schedule.ops[f"{i}/1"].start for i in (1, 2, 3))
    assert starts == [MONDAY, MONDAY, day(1)]  # 200 + 200 fit on Monday, the third waits


# --- re-plan all --------------------------------------------------------------------------------------------


def test_replan_never_exceeds_capacity_and_keeps_step_order_on_a_generated_factory():
    jobs, cals, today = generate_factory(60, seed=7)
    result = replan_all(jobs, cals, today)
    assert validate_schedule(result.schedule, jobs, cals, today) == []
    assert_precedence(result.schedule, jobs)
    open_keys = {op.key for job in jobs for op in job.operations if not op.is_fixed}
    touched = {
        (op.workshop_id, d) for op in result.schedule.ops.values() if op.key in open_keys for d in op.minutes_by_day
    }
    caps = {c.workshop_id: c for c in cals}
    load = load_of(result.schedule)
    for wid, d in touched:
        assert load[wid][d] <= caps[wid].capacity_on(d)


def test_replan_serves_the_earlier_delivery_first_and_reports_who_is_late():
    cals = [workshop(1)]
    later = order(1, day(1), [(1, 480)])
    earlier = order(2, day(0), [(1, 480)])
    result = replan_all([later, earlier], cals, MONDAY)
    assert result.schedule.ops["2/1"].start == MONDAY
    assert result.schedule.ops["1/1"].start == day(1)
    assert result.late == []
    assert result.total_weighted_lateness == 0

    crowded = [order(i, day(0), [(1, 480)], priority=p) for i, p in ((1, 1), (2, 3), (3, 1))]
    result = replan_all(crowded, cals, MONDAY)
    assert result.schedule.ops["2/1"].start == MONDAY  # same date: the higher priority first
    assert result.late == [("JO-0003", 2), ("JO-0001", 1)]
    assert result.total_weighted_lateness == 3


def test_lateness_is_counted_in_calendar_days():
    cals = [workshop(1)]
    # Two days of work due Friday: finishes Monday, three calendar days late over the weekend.
    jobs = [order(1, day(4), [(1, 480 * 6)])]
    result = replan_all(jobs, cals, MONDAY)
    assert result.schedule.ops["1/1"].end == day(7)
    assert result.late == [("JO-0001", 3)]


def test_fixed_steps_stay_and_started_work_continues_from_today():
    cals = [workshop(1), workshop(2)]
    today = day(2)
    ops = [
        Operation("1/1", 1, 1, 480, day(0), day(0), 480, "done"),
        Operation("1/2", 2, 2, 960, day(1), None, 480, "started"),
        Operation("1/3", 3, 1, 480, name="open"),
    ]
    job = Job(1, "JO-0001", day(10), 1, MONDAY, ops)
    schedule = replan_all([job], cals, today).schedule
    assert (schedule.ops["1/1"].start, schedule.ops["1/1"].end) == (day(0), day(0))
    assert schedule.ops["1/1"].minutes_by_day == {}
    assert schedule.ops["1/2"].start == day(1)
    assert schedule.ops["1/2"].minutes_by_day == {today: 480}  # the 480 minutes left, from today
    assert schedule.ops["1/3"].start == day(3)


def test_workshop_load_marks_overloaded_days():
    cals = [workshop(1, benches=1)]
    schedule = replan_all([order(1, day(5), [(1, 480)])], cals, MONDAY).schedule
    rows = workshop_load(schedule, cals, MONDAY, day(6), other_load={1: {MONDAY: 300}})
    monday = rows[1][0]
    assert (monday.used, monday.capacity, monday.overloaded) == (780, 480, True)
    assert rows[1][5].capacity == 0  # Saturday
    assert overloaded_days(schedule, cals, {1: {MONDAY: 300}}) == [(1, MONDAY, 780, 480)]


def test_a_schedule_survives_a_round_trip_through_json():
    jobs, cals, today = generate_factory(20, seed=3)
    schedule = replan_all(jobs, cals, today).schedule
    again = Schedule.from_dict(schedule.to_dict())
    assert again == schedule


def test_generated_factories_are_the_same_for_the_same_seed():
    first = generate_factory(50, seed=11)
    second = generate_factory(50, seed=11)
    other = generate_factory(50, seed=12)
    assert first == second
    assert first[0] != other[0]
    jobs, cals, today = first
    assert len(jobs) == 50 and all(len(job.operations) == 8 for job in jobs)
    assert replan_all(jobs, cals, today).late, "a generated factory should leave some orders late"


# --- forecast -----------------------------------------------------------------------------------------------


def test_forecast_flags_an_order_that_will_be_late():
    cals = [workshop(1)]
    on_time = order(1, day(10), [(1, 480)])
    late = order(2, day(1), [(1, 480 * 3)], priority=2)
    result = forecast([on_time, late], cals, None, MONDAY)
    assert result[2].days_late > 0 and result[2].at_risk
    assert result[1].days_late == 0 and not result[1].at_risk
    assert result[2].projected_finish == day(2)


def test_forecast_counts_only_the_work_left_and_the_load_of_others():
    cals = [workshop(1)]
    ops = [Operation("1/1", 1, 1, 480 * 4, MONDAY, None, 480 * 3, "polishing")]
    progressed = Job(1, "JO-0001", day(1), 1, MONDAY, ops)
    result = forecast([progressed], cals, None, day(1))
    assert result[1].projected_finish == day(1) and result[1].days_late == 0

    waiting = order(2, day(1), [(1, 480)])
    busy = {1: {day(1): 480}}
    result = forecast([waiting], cals, busy, day(1))
    assert result[2].projected_finish == day(2) and result[2].days_late == 1 and result[2].at_risk


def test_forecast_follows_the_current_plan_order():
    cals = [workshop(1)]
    first_due, second_due = order(1, day(3), [(1, 480)]), order(2, day(4), [(1, 480)])
    plan = Schedule.of(
        [
            ScheduledOperation("2/1", 2, 1, MONDAY, MONDAY, {MONDAY: 480}),
            ScheduledOperation("1/1", 1, 1, day(1), day(1), {day(1): 480}),
        ]
    )
    following_plan = forecast([first_due, second_due], cals, None, MONDAY, plan=plan)
    assert following_plan[2].projected_finish == MONDAY  # planned first, issued first
    assert following_plan[1].projected_finish == day(1)
    by_due_date = forecast([first_due, second_due], cals, None, MONDAY)
    assert by_due_date[1].projected_finish == MONDAY


# --- manual changes -----------------------------------------------------------------------------------------


@pytest.fixture
def two_step_plan():
    cals = [workshop(1, holidays=[day(9)]), workshop(2)]
    job = order(1, day(11), [(1, 480), (2, 480)])
    schedule = propose_plan(job, cals, None, MONDAY)
    return schedule, [job], cals


def test_check_change_accepts_a_sound_move(two_step_plan):
    schedule, jobs, cals = two_step_plan
    check = check_change(schedule, "1/1", day(7), day(7), jobs, cals, None, MONDAY)
    assert check.ok and check.warnings == [] and check.new_lateness_days == 0
    assert check.operation.minutes_by_day == {day(7): 480}


def test_check_change_refuses_a_step_before_its_predecessor_ends(two_step_plan):
    schedule, jobs, cals = two_step_plan
    first_end = schedule.ops["1/1"].end
    check = check_change(schedule, "1/2", first_end, first_end, jobs, cals, None, MONDAY)
    assert not check.ok
    assert any("the step before it" in e and first_end.isoformat() in e for e in check.errors)


def test_check_change_refuses_a_step_ending_after_the_next_one_starts(two_step_plan):
    schedule, jobs, cals = two_step_plan
    second_start = schedule.ops["1/2"].start
    check = check_change(schedule, "1/1", day(7), second_start, jobs, cals, None, MONDAY)
    assert any("the next step" in e for e in check.errors)


def test_check_change_refuses_holidays_weekends_and_reversed_dates(two_step_plan):
    schedule, jobs, cals = two_step_plan
    holiday = check_change(schedule, "1/1", day(9), day(9), jobs, cals, None, MONDAY)
    assert any("holiday" in e and day(9).isoformat() in e for e in holiday.errors)
    sunday = check_change(schedule, "1/1", day(6), day(7), jobs, cals, None, MONDAY)
    assert any("does not work on that weekday" in e for e in sunday.errors)
    reversed_ = check_change(schedule, "1/1", day(8), day(7), jobs, cals, None, MONDAY)
    assert any("before it starts" in e for e in reversed_.errors)
    last_week = MONDAY - timedelta(days=7)
    past = check_change(schedule, "1/1", last_week, last_week, jobs, cals, None, MONDAY)
    assert any("in the past" in e for e in past.errors)


def test_check_change_warns_of_overload_and_of_a_late_order(two_step_plan):
    schedule, jobs, cals = two_step_plan
    crowded = check_change(schedule, "1/1", day(3), day(3), jobs, cals, {1: {day(3): 300}}, MONDAY)
    assert crowded.ok
    assert crowded.overloads == [(1, day(3), 780, 480)]
    assert any("overloaded" in w for w in crowded.warnings)

    late = check_change(schedule, "1/2", day(14), day(14), jobs, cals, None, MONDAY)
    assert late.ok and late.new_lateness_days == 3
    assert any("3 days late" in w for w in late.warnings)

    squeezed = check_change(schedule, "1/1", day(7), day(7), [order(1, day(11), [(1, 900), (2, 480)])], cals, None)
    assert any("one bench" in w for w in squeezed.warnings)


def test_check_change_messages_follow_the_language(two_step_plan):
    schedule, jobs, cals = two_step_plan
    set_language("zh_TW")
    check = check_change(schedule, "1/1", day(9), day(9), jobs, cals, None, MONDAY)
    assert any("放假" in e and "訂單" in e for e in check.errors)


# --- bad input ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("jobs", "cals", "named"),
    [
        ([Job(1, "JO-0001", day(5), 1, MONDAY, [])], [workshop(1)], "no steps"),
        ([order(1, day(5), [(1, 0)])], [workshop(1)], "more than zero"),
        ([order(1, day(5), [(1, 60)])], [workshop(1, minutes=0)], "hours per day above zero"),
        ([order(1, day(5), [(1, 60)])], [workshop(1, benches=0)], "no capacity"),
        ([order(1, day(5), [(1, 60)])], [workshop(1, weekdays=())], "no working weekday"),
        ([order(1, day(5), [(9, 60)])], [workshop(1)], "has no calendar"),
        ([order(1, day(5), [(1, 60)], priority=0)], [workshop(1)], "priorities start at 1"),
    ],
)
def test_bad_input_is_refused_with_a_message_naming_the_problem(jobs, cals, named):
    with pytest.raises(SchedulingError) as caught:
        replan_all(jobs, cals, MONDAY)
    assert named in str(caught.value)
    assert "JO-0001" in str(caught.value) or "W1" in str(caught.value)


def test_steps_out_of_routing_order_and_pins_after_open_steps_are_refused():
    ops = [Operation("1/2", 2, 1, 60, name="second"), Operation("1/1", 1, 1, 60, name="first")]
    with pytest.raises(SchedulingError, match="routing order"):
        propose_plan(Job(1, "JO-0001", day(5), 1, MONDAY, ops), [workshop(1)], None, MONDAY)
    ops = [Operation("1/1", 1, 1, 60), Operation("1/2", 2, 1, 60, day(3), day(3))]
    with pytest.raises(SchedulingError, match="started or pinned"):
        replan_all([Job(1, "JO-0001", day(5), 1, MONDAY, ops)], [workshop(1)], MONDAY)


def test_every_problem_is_listed_and_translated():
    jobs = [Job(1, "JO-0001", day(5), 1, MONDAY, []), order(2, day(5), [(1, -5)])]
    set_language("zh_CN")
    with pytest.raises(SchedulingError) as caught:
        replan_all(jobs, [workshop(1)], MONDAY)
    assert len(caught.value.problems) == 2
    assert "订单 JO-0001" in caught.value.problems[0] and "工序" in caught.value.problems[1]
