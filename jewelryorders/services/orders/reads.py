"""The order list's reads for 100,000 orders: orders.query_orders' filter, sort and rows, planned to touch few rows."""

from __future__ import annotations

from decimal import Decimal
from sqlalchemy import func, or_, select
from sqlalchemy.sql import operators
from sqlalchemy.sql.expression import ColumnElement, UnaryExpression

from ...db import Database
from ...models.customers import Customer
from ...models.orders import Order
from ...models.users import User
from ..context import read_session
from .intake import SORT_COLUMNS, OrderFilter, OrderRow

PLAN_AUTO, PLAN_SORT_INDEX, PLAN_FILTER_INDEX = "auto", "sort_index", "filter_index"
# Sort keys whose column has an index of its own, so a page can be read by walking that index.
INDEXED_SORTS = {"order_no": Order.order_no, "order_date": Order.order_date, "delivery_date": Order.delivery_date}
# Sorting matched rows costs about this many times reading them (measured on SQLite with bench_order_list.py).
SORT_COST = 3


def _no_index(column: ColumnElement) -> ColumnElement:
    """SQLite's `+column`: the same value, but the planner may not use an index for it. Steering the planner
    this way turns the default list (open orders, newest first) from a 29,000-row sort into a 200-row index walk."""
    return UnaryExpression(column, operator=operators.custom_op("+"), type_=column.type)


def _matches(db: Database, column, text: str):
    # SQLite's LIKE already ignores ASCII case (as lower() does there); ILIKE only makes SQLite call lower() on
    # every row. PostgreSQL's LIKE is case-sensitive, so it gets ILIKE.
    if db.is_sqlite:
        return column.contains(text, autoescape=True)
    return column.icontains(text, autoescape=True)


def _conditions(db: Database, f: OrderFilter, *, hide_filter_indexes: bool = False) -> list:
    keep = _no_index if hide_filter_indexes else (lambda c: c)
    conditions = []
    q = (f.search or "").strip()
    if q:
        # Matching customers first (a few hundred rows), instead of joining every order to its customer.
        customers = select(Customer.id).where(or_(_matches(db, Customer.name, q), _matches(db, Customer.name_en, q),
                                                  _matches(db, Customer.code, q)))
        conditions.append(or_(_matches(db, Order.order_no, q), _matches(db, Order.style_summary, q),
                              Order.customer_id.in_(customers)))
    if f.stages:
        conditions.append(keep(Order.stage).in_(list(f.stages)))
    if f.channels:
        conditions.append(Order.channel.in_(list(f.channels)))
    if f.customer_id:
        conditions.append(keep(Order.customer_id) == f.customer_id)
    column = Order.delivery_date if f.date_field == "delivery_date" else Order.order_date
    if f.date_from:
        conditions.append(keep(column) >= f.date_from)
    if f.date_to:
        conditions.append(keep(column) <= f.date_to)
    return conditions


def count_list_orders(db: Database, f: OrderFilter) -> int:
    """How many orders match; counted on the orders table alone (no join), mostly from an index."""
    stmt = select(func.count()).select_from(Order).where(*_conditions(db, f))
    with read_session(db) as s:
        return int(s.scalar(stmt) or 0)


def _has_indexed_filter(f: OrderFilter) -> bool:
    return bool(f.stages or f.customer_id or f.date_from or f.date_to)


def choose_plan(f: OrderFilter, offset: int, limit: int, matching: int, total: int) -> str:
    """Walk the sort column's index (reading about (offset + limit) * total / matching rows) or read the matching
    rows through the filter's index (or the whole table) and sort them — whichever reads fewer rows."""
    if matching <= 0:
        return PLAN_FILTER_INDEX
    via_sort_index = (offset + limit) * total / matching
    via_filter = (matching if _has_indexed_filter(f) else total) + SORT_COST * matching
    return PLAN_SORT_INDEX if via_sort_index <= via_filter else PLAN_FILTER_INDEX


def _page_ids(db: Database, s, f: OrderFilter, offset: int, limit: int, matching: int | None, plan: str) -> list[int]:
    sort_key = f.sort if f.sort in SORT_COLUMNS else "order_no"
    steer = db.is_sqlite and sort_key in INDEXED_SORTS and (
        f.search or f.stages or f.channels or f.customer_id or f.date_from or f.date_to)
    if steer and plan == PLAN_AUTO:
        if matching is None:
            matching = s.scalar(select(func.count()).select_from(Order).where(*_conditions(db, f))) or 0
        total = s.scalar(select(func.count()).select_from(Order)) or 0
        plan = choose_plan(f, offset, limit, matching, total)
    hide_filter_indexes = bool(steer) and plan == PLAN_SORT_INDEX
    stmt = select(Order.id).where(*_conditions(db, f, hide_filter_indexes=hide_filter_indexes))
    if sort_key == "customer":
        # Customer id before order id: equal names stay grouped, and SQLite then walks the customers' name index
        # instead of sorting every order.
        stmt = stmt.join(Customer, Customer.id == Order.customer_id)
        keys = [Customer.name, Customer.id, Order.id]
    elif sort_key == "owner":
        stmt = stmt.outerjoin(User, User.id == Order.owner_id)
        keys = [User.display_name, Order.id]
    else:
        column = SORT_COLUMNS[sort_key]
        if steer and plan == PLAN_FILTER_INDEX:
            column = _no_index(column)
        keys = [column, Order.id]
    stmt = stmt.order_by(*[k.desc() if f.descending else k.asc() for k in keys]).offset(offset).limit(limit)
    return list(s.scalars(stmt))


def query_list_orders(db: Database, f: OrderFilter, offset: int = 0, limit: int = 200, *,
                      matching: int | None = None, plan: str = PLAN_AUTO) -> list[OrderRow]:
    """One page of the order list. First the page's order ids (from the orders table and its indexes only), then
    their rows with customer and owner: skipped rows of a deep page are never joined.
    `matching` is the count the list already has; `plan` forces a plan (tests and the bench compare them)."""
    with read_session(db) as s:
        ids = _page_ids(db, s, f, offset, limit, matching, plan)
        if not ids:
            return []
        stmt = (select(Order.id, Order.order_no, Customer.name, Order.style_summary, Order.total_quantity,
                       Order.order_date, Order.delivery_date, Order.stage, User.display_name, Order.channel,
                       Order.total_amount, Order.currency, Order.priority)
                .join(Customer, Customer.id == Order.customer_id)
                .outerjoin(User, User.id == Order.owner_id)
                .where(Order.id.in_(ids)))
        found = {r[0]: r for r in s.execute(stmt)}
    return [OrderRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8] or "", r[9], Decimal(r[10]), r[11], r[12])
            for r in (found.get(i) for i in ids) if r is not None]

