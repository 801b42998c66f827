"""The order list's tuned queries give exactly what orders.query_orders gives, whichever plan they pick."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import insert

from jewelryorders.models.orders import Order
from jewelryorders.services import customers
from jewelryorders.services.orders import reads as order_reads
from jewelryorders.services.orders import intake as orders
from jewelryorders.services.orders.intake import OrderFilter
from jewelryorders.services.stages import OPEN_STAGES

PLANS = (order_reads.PLAN_AUTO, order_reads.PLAN_SORT_INDEX, order_reads.PLAN_FILTER_INDEX)


@pytest.fixture
def factory(db, sales, make_user):
    """240 orders over 6 customers (two share a name), every stage, some without a delivery date."""
    other_owner = make_user("sales", "clerk")
    names = ["周大福珠寶", "六福珠寶", "Golden Lotus", "六福珠寶", "老鳳祥", "TTF 高級珠寶_HK"]
    ids = [customers.create_customer(db, sales, customers.CustomerInput(name=n)).id for n in names]
    rng = random.Random(3)
    stages = ["draft", "preliminary_review", "in_production", "final_qc", "shipped", "closed", "cancelled"]
    rows = []
    for n in range(240):
        order_date = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(0, 200))
        rows.append(dict(
            order_no=f"JO-2026-{n + 1:05d}", customer_id=ids[n % len(ids)], channel=["phone", "email", "online"][n % 3],
            order_date=order_date,
            delivery_date=None if n % 9 == 0 else order_date + dt.timedelta(days=rng.randrange(10, 90)),
            delivery_place="HK", special_requirements="", currency="HKD", stage=stages[n % len(stages)],
            priority=1 + n % 5, owner_id=[sales.user_id, other_owner.user_id, None][n % 3],
            style_summary=f"R-18K-{n % 17:03d}" + (", P-PT-001" if n % 4 == 0 else ""),
            total_quantity=rng.randrange(1, 40), total_amount=Decimal(rng.randrange(100, 9000)), version=1))
    with db.unit_of_work() as s:
        s.execute(insert(Order), rows)
    return ids


FILTERS = [
    OrderFilter(),
    OrderFilter(stages=tuple(OPEN_STAGES)),
    OrderFilter(stages=("final_qc",)),
    OrderFilter(channels=("email",)),
    OrderFilter(search="r-18k-00"),
    OrderFilter(search="六福"),
    OrderFilter(search="JO-2026-0010"),
    OrderFilter(search="lotus", stages=tuple(OPEN_STAGES)),
    OrderFilter(date_field="order_date", date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 4, 30)),
    OrderFilter(date_field="delivery_date", date_from=dt.date(2026, 4, 1), stages=("draft", "in_production")),
]
SORTS = ["order_no", "order_date", "delivery_date", "quantity", "stage", "owner", "style", "amount"]


def ids_of(rows):
    return [r.id for r in rows]


def test_counts_and_pages_match_the_order_service(db, factory):
    for n, (base, sort) in enumerate(itertools.product(FILTERS, SORTS)):
        f = replace(base, sort=sort, descending=n % 2 == 0)
        expected = orders.query_orders(db, f, 0, 1000)
        assert order_reads.count_list_orders(db, f) == orders.count_orders(db, f) == len(expected)
        for plan in PLANS:
            pages = [order_reads.query_list_orders(db, f, offset, 90, plan=plan) for offset in range(0, 250, 90)]
            got = [row for page in pages for row in page]
            assert got == expected, (f, plan)


def test_sorting_by_customer_keeps_the_names_in_order(db, factory):
    for base, descending in itertools.product(FILTERS, (True, False)):
        f = replace(base, sort="customer", descending=descending)
        expected = orders.query_orders(db, f, 0, 1000)
        got = [row for offset in range(0, 250, 50) for row in order_reads.query_list_orders(db, f, offset, 50)]
        assert [r.customer_name for r in got] == [r.customer_name for r in expected]
        assert sorted(ids_of(got)) == sorted(ids_of(expected))
    # Two customers with the same name: each one's orders stay together.
    rows = order_reads.query_list_orders(db, OrderFilter(sort="customer", descending=False), 0, 1000)
    lukfook = [r.id for r in rows if r.customer_name == "六福珠寶"]
    by_customer = {oid: cid for oid, cid in
                   ((o.id, orders.get_order(db, o.id).customer_id) for o in rows if o.customer_name == "六福珠寶")}
    switches = sum(1 for a, b in zip(lukfook, lukfook[1:]) if by_customer[a] != by_customer[b])
    assert switches == 1


def test_search_treats_percent_and_underscore_as_plain_characters(db, factory):
    underscore = order_reads.query_list_orders(db, OrderFilter(search="_HK"), 0, 1000)
    assert {r.customer_name for r in underscore} == {"TTF 高級珠寶_HK"}
    assert order_reads.count_list_orders(db, OrderFilter(search="%")) == 0


def test_the_plan_follows_how_many_orders_match():
    wide = OrderFilter(stages=tuple(OPEN_STAGES))
    assert order_reads.choose_plan(wide, 0, 200, matching=30_000, total=100_000) == order_reads.PLAN_SORT_INDEX
    narrow = OrderFilter(stages=("escalated",))
    assert order_reads.choose_plan(narrow, 0, 200, matching=300, total=100_000) == order_reads.PLAN_FILTER_INDEX
    one_order = OrderFilter(search="JO-2023-15069")
    assert order_reads.choose_plan(one_order, 0, 200, matching=1, total=100_000) == order_reads.PLAN_FILTER_INDEX
    style = OrderFilter(search="R-18K-04")
    assert order_reads.choose_plan(style, 0, 200, matching=4_000, total=100_000) == order_reads.PLAN_SORT_INDEX
