"""Delay forecast: every open order's projected finish from its remaining steps, progress and the workshops' load.

The forecast is stored per order (`order_forecasts`) so the order list can flag orders at risk with one indexed
query; `refresh_forecast` recomputes it (the planning tab and commands call it after plans change).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, select

from ... import clock
from ...db import Database
from ...models.customers import Customer
from ...models.orders import Order
from ...models.planning import OrderForecast
from ..context import read_session, unit_of_work


@dataclass(frozen=True)
class ForecastRow:
    order_id: int
    order_no: str
    customer: str
    delivery_date: dt.date | None
    projected_finish: dt.date
    days_late: int
    at_risk: bool


def refresh_forecast(db: Database, today: dt.date | None = None) -> list[ForecastRow]:
    """Forecast every open order with a plan, store the result, and return it (latest first)."""
    # The scheduler (numpy) and the re-planner (OR-Tools) load here, not when the order list reads the stored verdicts.
    from ...scheduling.forecast import forecast
    from .replan import open_orders

    today = today or clock.today()
    with read_session(db) as s:
        data = open_orders(s, today)
    # With the current plans, not-yet-started steps start no earlier than planned (work is issued as planned).
    results = forecast(data.jobs, data.calendars, data.other_load, today, plan=data.current).values() \
        if data.jobs else []
    moment = clock.now()
    with unit_of_work(db) as s:
        s.execute(delete(OrderForecast))
        s.add_all(OrderForecast(order_id=r.order_id, projected_finish=r.projected_finish, days_late=r.days_late,
                                at_risk=r.at_risk, computed_at=moment) for r in results)
    return list_forecast(db)


def list_forecast(db: Database, only_at_risk: bool = False) -> list[ForecastRow]:
    with read_session(db) as s:
        stmt = (select(OrderForecast, Order.order_no, Customer.name, Order.delivery_date)
                .join(Order, Order.id == OrderForecast.order_id).join(Customer, Customer.id == Order.customer_id))
        if only_at_risk:
            stmt = stmt.where(OrderForecast.at_risk.is_(True))
        rows = [ForecastRow(f.order_id, order_no, customer, due, f.projected_finish, f.days_late, f.at_risk)
                for f, order_no, customer, due in s.execute(stmt)]
    rows.sort(key=lambda r: (-r.days_late, not r.at_risk, r.order_no))
    return rows


def projected_late(db: Database, order_ids: Iterable[int]) -> dict[int, int]:
    """{order id: days projected late} for those of `order_ids` the last forecast flags as at risk — late, or
    finishing less than two days before the delivery date (then 0 days late). For the Orders tab's colouring:
    a page of rows costs one indexed query."""
    ids = list(order_ids)
    if not ids:
        return {}
    with read_session(db) as s:
        rows = s.execute(select(OrderForecast.order_id, OrderForecast.days_late)
                         .where(OrderForecast.order_id.in_(ids), OrderForecast.at_risk.is_(True)))
        return {order_id: days for order_id, days in rows}
