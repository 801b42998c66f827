"""Two workstations on one database (SQLite file or PostgreSQL): no update lost silently, numbers unique, no hang."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from jewelryorders.db import open_database
from jewelryorders.services import audit, customers
from jewelryorders.services.errors import ConcurrentEditError, DomainError
from jewelryorders.services.orders import intake as orders

from .conftest import order_input

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="workstations are forked processes (POSIX)")
CONTEXT = multiprocessing.get_context("fork") if hasattr(os, "fork") else None
ORDERS_EACH = 12
WAIT_BOUND_S = 30  # a workstation that has not finished by then is hanging; the test fails rather than waits


def _edit_same_order(url, actor, order_id, version, customer_id, text, barrier, results):
    db = open_database(url)
    try:
        data = order_input(customer_id)
        data.special_requirements = text
        barrier.wait(timeout=WAIT_BOUND_S)  # both have the order open at the same version; now both save
        orders.update_order(db, actor, order_id, version, data)
        results.put(("saved", text))
    except ConcurrentEditError as exc:
        results.put(("concurrent", str(exc)))
    except DomainError as exc:
        results.put(("error", f"{type(exc).__name__}: {exc}"))
    except BaseException as exc:  # noqa: BLE001 - anything else fails the test in the parent
        results.put(("crash", f"{type(exc).__name__}: {exc}"))
    finally:
        db.close()


def _create_orders(url, actor, customer_id, barrier, results):
    db = open_database(url)
    made = []
    try:
        barrier.wait(timeout=WAIT_BOUND_S)
        for _ in range(ORDERS_EACH):
            made.append(orders.create_order(db, actor, order_input(customer_id)).order_no)
        results.put(("created", made))
    except BaseException as exc:  # noqa: BLE001
        results.put(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        db.close()


def _run_two(target, args_a, args_b) -> list:
    results = CONTEXT.Queue()
    barrier = CONTEXT.Barrier(2)
    procs = [CONTEXT.Process(target=target, args=(*args, barrier, results)) for args in (args_a, args_b)]
    for p in procs:
        p.start()
    out = [results.get(timeout=WAIT_BOUND_S) for _ in procs]
    for p in procs:
        p.join(timeout=WAIT_BOUND_S)
        assert p.exitcode == 0
    return out


def test_two_workstations_saving_the_same_order_one_is_told(db, sales, customer):
    view = orders.create_order(db, sales, order_input(customer.id))
    url = db.url
    db.engine.dispose()  # no connection crosses into the forked workstations
    outcome = _run_two(_edit_same_order, (url, sales, view.id, view.version, customer.id, "A: engrave LOVE"),
                       (url, sales, view.id, view.version, customer.id, "B: no engraving"))
    kinds = sorted(kind for kind, _detail in outcome)
    assert kinds == ["concurrent", "saved"], outcome  # never both saved (one lost silently), never an error
    saved_text = next(detail for kind, detail in outcome if kind == "saved")
    loser_message = next(detail for kind, detail in outcome if kind == "concurrent")
    assert "Reopen" in loser_message  # the loser is told to reopen and see the other change
    again = orders.get_order(db, view.id)
    assert again.special_requirements == saved_text and again.version == view.version + 1
    assert audit.verify_chain(db).ok


def test_two_workstations_creating_orders_at_once_get_unique_numbers(db, sales, customer):
    url = db.url
    db.engine.dispose()
    outcome = _run_two(_create_orders, (url, sales, customer.id), (url, sales, customer.id))
    assert [kind for kind, _made in outcome] == ["created", "created"], outcome  # nobody timed out on a lock
    numbers = outcome[0][1] + outcome[1][1]
    assert len(numbers) == len(set(numbers)) == 2 * ORDERS_EACH
    assert orders.count_orders(db, orders.OrderFilter()) == 2 * ORDERS_EACH
    chain = audit.verify_chain(db)
    assert chain.ok, chain.problems  # the audit chain never forked although both wrote at once
    assert audit.verify_records(db).ok
