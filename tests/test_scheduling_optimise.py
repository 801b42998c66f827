"""'Optimise' (CP-SAT): better plans than first-come, never worse than the current plan, always valid, cancellable."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest

from jewelryorders.scheduling import Job, Operation, Schedule, ScheduledOperation, WorkshopCalendar, replan_all
from jewelryorders.scheduling import validate_schedule
from jewelryorders.scheduling.generate import generate_factory
from jewelryorders.scheduling.optimise import optimise

MONDAY = date(2026, 3, 2)


def day(n: int) -> date:
    return MONDAY + timedelta(days=n)


def one_bench() -> list[WorkshopCalendar]:
    return [WorkshopCalendar(1, "Setting", 480, 1, frozenset(range(5)), frozenset())]


def rush_and_big_order() -> list[Job]:
    """A big order due first but worth little, and a small order worth five times as much due a day later.

    First-come (earliest delivery first) makes both late, 2×1 + 2×5 = 12; the small one first costs 3×1 = 3.
    """
    big = Job(1, "JO-0001", day(0), 1, MONDAY, [Operation("1/1", 1, 1, 1440, name="setting")])
    small = Job(2, "JO-0002", day(1), 5, MONDAY, [Operation("2/1", 1, 1, 480, name="setting")])
    return [big, small]


def first_come_plan() -> Schedule:
    """The earliest delivery first: the big order Monday to Wednesday, the small one on Thursday."""
    return Schedule.of(
        [
            ScheduledOperation("1/1", 1, 1, MONDAY, day(2), {MONDAY: 480, day(1): 480, day(2): 480}),
            ScheduledOperation("2/1", 2, 1, day(3), day(3), {day(3): 480}),
        ]
    )


def test_optimise_beats_first_come_and_proves_it_on_a_small_factory():
    jobs, cals = rush_and_big_order(), one_bench()
    result = optimise(jobs, cals, MONDAY, time_limit_s=2, hint=first_come_plan(), workers=1)
    assert (result.lateness_before, result.lateness_after) == (12, 3)
    assert result.status == "optimal" and result.lower_bound == 3
    assert result.schedule.ops["2/1"].start == MONDAY
    assert validate_schedule(result.schedule, jobs, cals, MONDAY) == []
    assert result.status_text() == "Best possible plan found"


def test_optimise_never_returns_a_plan_worse_than_the_current_one():
    jobs, cals, today = generate_factory(40, seed=5)
    current = replan_all(jobs, cals, today).schedule
    before = current.total_weighted_lateness(jobs)
    result = optimise(jobs, cals, today, time_limit_s=1, hint=current, workers=1)
    assert result.lateness_before == before
    assert result.lateness_after <= before
    assert result.schedule.total_weighted_lateness(jobs) == result.lateness_after
    assert validate_schedule(result.schedule, jobs, cals, today) == []
    if result.lateness_after == before:
        assert result.schedule is current


def test_an_already_best_plan_comes_back_unchanged():
    jobs, cals = rush_and_big_order(), one_bench()
    best = optimise(jobs, cals, MONDAY, time_limit_s=2, workers=1).schedule
    again = optimise(jobs, cals, MONDAY, time_limit_s=2, hint=best, workers=1)
    assert again.schedule is best
    assert again.lateness_after == again.lateness_before == 3


def test_a_plan_that_cannot_be_followed_is_replaced_by_a_valid_one():
    jobs, cals = rush_and_big_order(), one_bench()
    both_on_monday = Schedule.of(
        [
            ScheduledOperation("1/1", 1, 1, MONDAY, MONDAY, {MONDAY: 1440}),
            ScheduledOperation("2/1", 2, 1, MONDAY, MONDAY, {MONDAY: 480}),
        ]
    )
    result = optimise(jobs, cals, MONDAY, time_limit_s=2, hint=both_on_monday, workers=1)
    assert result.lateness_before == 0  # what the impossible plan promised
    assert result.lateness_after == 3
    assert result.schedule is not both_on_monday
    assert validate_schedule(result.schedule, jobs, cals, MONDAY) == []
    assert result.status in ("optimal", "replanned")


def test_neighbourhood_search_improves_a_larger_factory():
    jobs, cals, today = generate_factory(50, seed=2026)
    greedy = replan_all(jobs, cals, today).total_weighted_lateness
    seen: list[int] = []
    result = optimise(
        jobs, cals, today, time_limit_s=2, on_progress=lambda best, bound, t: seen.append(best), workers=2,
        method="neighbourhoods",
    )
    assert validate_schedule(result.schedule, jobs, cals, today) == []
    assert result.lateness_after < greedy
    assert result.lateness_after == result.schedule.total_weighted_lateness(jobs)
    assert seen and seen == sorted(seen, reverse=True) and seen[-1] == result.lateness_after
    assert result.lower_bound is not None and result.lower_bound <= result.lateness_after


def test_cancel_before_the_search_returns_the_current_plan_at_once():
    jobs, cals, today = generate_factory(50, seed=2026)
    cancel = threading.Event()
    cancel.set()
    result = optimise(jobs, cals, today, time_limit_s=60, cancel=cancel)
    assert result.cancelled and result.status == "unchanged"
    assert result.lateness_after == result.lateness_before > 0


@pytest.mark.parametrize("method", ["whole", "neighbourhoods"])
def test_cancel_stops_a_long_search_early(method):
    jobs, cals, today = generate_factory(80, seed=9)
    cancel = threading.Event()
    results = []

    def press_cancel_on_first_progress(best, bound, elapsed):
        cancel.set()

    worker = threading.Thread(
        target=lambda: results.append(
            optimise(
                jobs, cals, today, time_limit_s=600, on_progress=press_cancel_on_first_progress, cancel=cancel,
                method=method,
            )
        )
    )
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive(), "the search went on after Cancel"
    (result,) = results
    assert result.cancelled
    assert result.lateness_after <= result.lateness_before
    assert validate_schedule(result.schedule, jobs, cals, today) == []


def test_an_error_in_the_progress_callback_reaches_the_caller():
    jobs, cals = rush_and_big_order(), one_bench()

    def broken(best, bound, elapsed):
        raise RuntimeError("progress dialog closed")

    with pytest.raises(RuntimeError, match="progress dialog closed"):
        optimise(jobs, cals, MONDAY, time_limit_s=2, on_progress=broken, workers=1)
