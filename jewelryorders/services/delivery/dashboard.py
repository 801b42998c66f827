"""The dashboard's figures of the delivery part: on-time delivery per month, after-sales cases, and the
logistics to-do (orders to ship). Registered through services/dashboard/registry.py (FIGURE_MODULES)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import and_, case, extract, func, or_, select
from sqlalchemy.orm import Session

from ...db import Database
from ...i18n import N_, formats, ntr, tr
from ...models.delivery import CASE_KINDS, AfterSalesCase, Shipment
from ...models.orders import Order
from ..context import Actor, read_session
from ..dashboard import figures as stage_figures
from ..dashboard import registry as dashboard_registry
from ..dashboard.figures import PALETTE, WARNING
from ..dashboard.registry import (CHART_HBAR, CHART_LINE, Chart, Figure, FigureContext, Link, Presentation,
                                  Series, Table, register_figure)
from ..dashboard.todo import TodoItem, register_todo
from .shipments import SHIPPABLE_STAGES, OnTime

MONTHS = 12


# ---- on-time delivery per month ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class MonthOnTime:
    year: int
    month: int
    counts: OnTime

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class OnTimeByMonth:
    months: list[MonthOnTime]      # oldest first, MONTHS of them, ending with the period's last month

    @property
    def total(self) -> OnTime:
        return OnTime(sum(m.counts.delivered for m in self.months), sum(m.counts.on_time for m in self.months))


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def on_time_by_month(db: Database, ctx: FigureContext) -> OnTimeByMonth:
    """Orders delivered in each of the 12 months ending with the period's last month, and how many of them on or
    before the promised delivery date (the rule of shipments.on_time_rate: the order's last delivered shipment)."""
    last_index = _month_index(ctx.period.last)
    first_index = last_index - MONTHS + 1
    first = dt.date(first_index // 12, first_index % 12 + 1, 1)
    end = dt.date((last_index + 1) // 12, (last_index + 1) % 12 + 1, 1)
    last = (select(Shipment.order_id, func.max(Shipment.delivered_on).label("delivered_on"))
            .group_by(Shipment.order_id).subquery())
    year, month = extract("year", last.c.delivered_on), extract("month", last.c.delivered_on)
    on_time = case((or_(Order.delivery_date.is_(None), last.c.delivered_on <= Order.delivery_date), 1), else_=0)
    with read_session(db) as s:
        rows = s.execute(select(year, month, func.count(), func.coalesce(func.sum(on_time), 0))
                         .select_from(Order).join(last, last.c.order_id == Order.id)
                         .where(Order.stage.in_(("delivered", "closed")), last.c.delivered_on >= first,
                                last.c.delivered_on < end)
                         .group_by(year, month)).all()
    counts = {(int(y), int(m)): OnTime(int(n), int(k)) for y, m, n, k in rows}
    months = []
    for index in range(first_index, last_index + 1):
        y, m = index // 12, index % 12 + 1
        months.append(MonthOnTime(y, m, counts.get((y, m), OnTime(0, 0))))
    return OnTimeByMonth(months)


def _share(counts: OnTime) -> float | None:
    return counts.on_time / counts.delivered if counts.delivered else None


def present_on_time(r: OnTimeByMonth, lang: str | None) -> Presentation:
    labels = tuple(m.label for m in r.months)
    values = tuple(_share(m.counts) or 0.0 for m in r.months)
    chart = Chart(CHART_LINE, labels, (Series(tr("On time", lang), values, PALETTE[2]),),
                  unit=tr("On-time delivery rate", lang), percent=True) if r.total.delivered else None
    rows = tuple((m.label, m.counts.delivered, m.counts.on_time,
                  _share(m.counts)) for m in r.months)
    table = Table((tr("Month", lang), tr("Orders delivered", lang), tr("On time", lang),
                   tr("On-time delivery rate", lang)), rows, formats=("", "int", "int", "percent"))
    total = r.total
    headline = ""
    if total.rate is not None:
        headline = tr("{rate} of {n} orders delivered on time in 12 months", lang,
                      rate=formats.percent(_share(total), 1, lang), n=total.delivered)
    return Presentation(headline, table, chart, empty=tr("No order delivered in these 12 months.", lang))


register_figure(Figure(
    "on_time_delivery", N_("On-time delivery"),
    N_("Orders delivered in each of the last 12 months (up to the end of the chosen period) and the share of them "
       "delivered on or before the delivery date promised in the order; an order counts in the month its last "
       "shipment reached the customer."),
    on_time_by_month, present_on_time, part="delivery", order=25))


# ---- after-sales -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class KindCount:
    kind: str
    open: int
    overdue: int                   # open past their due date
    awaiting_customer: int         # complaints answered, the customer's answer not yet recorded


@dataclass(frozen=True)
class AfterSalesOpen:
    kinds: list[KindCount]         # every case kind, in CASE_KINDS order

    @property
    def open(self) -> int:
        return sum(k.open for k in self.kinds)

    @property
    def awaiting_customer(self) -> int:
        return sum(k.awaiting_customer for k in self.kinds)

    def of(self, kind: str) -> KindCount:
        return next(k for k in self.kinds if k.kind == kind)


def after_sales_open(db: Database, ctx: FigureContext) -> AfterSalesOpen:
    """Open after-sales cases by kind (one GROUP BY); complaints awaiting the customer's answer are open complaints
    whose answer to the customer is recorded and whose customer's answer (satisfaction) is not."""
    awaiting = case((and_(AfterSalesCase.kind == "complaint", AfterSalesCase.answer != "",
                          AfterSalesCase.satisfaction == ""), 1), else_=0)
    overdue = case((AfterSalesCase.due_on < ctx.today, 1), else_=0)
    with read_session(db) as s:
        rows = s.execute(select(AfterSalesCase.kind, func.count(), func.coalesce(func.sum(overdue), 0),
                                func.coalesce(func.sum(awaiting), 0))
                         .where(AfterSalesCase.status == "open").group_by(AfterSalesCase.kind)).all()
    counts = {k: (int(n), int(late), int(aw)) for k, n, late, aw in rows}
    return AfterSalesOpen([KindCount(k, *counts.get(k, (0, 0, 0))) for k in CASE_KINDS])


def present_after_sales(r: AfterSalesOpen, lang: str | None) -> Presentation:
    labels = tuple(tr(CASE_KINDS[k.kind], lang) for k in r.kinds)
    link = Link("delivery", "cases")
    links = tuple(link for _k in r.kinds)
    chart = Chart(CHART_HBAR, labels, (Series(tr("Open cases", lang), tuple(float(k.open) for k in r.kinds),
                                              PALETTE[0]),
                                       Series(tr("Past due", lang), tuple(float(k.overdue) for k in r.kinds),
                                              WARNING)),
                  unit=tr("Cases", lang), links=links, marked=tuple(k.overdue > 0 for k in r.kinds)) \
        if r.open else None
    rows = tuple((lbl, k.open, k.overdue, k.awaiting_customer) for lbl, k in zip(labels, r.kinds))
    table = Table((tr("Kind", lang), tr("Open cases", lang), tr("Past due", lang),
                   tr("Awaiting the customer's answer", lang)), rows, links,
                  tuple(k.overdue > 0 for k in r.kinds), ("", "int", "int", "int"))
    headline = ntr("{n} after-sales case open", "{n} after-sales cases open", r.open, lang) if r.open else ""
    if r.awaiting_customer:
        headline += " · " + ntr("{n} complaint awaiting the customer's answer",
                                "{n} complaints awaiting the customer's answer", r.awaiting_customer, lang)
    return Presentation(headline, table, chart, empty=tr("No after-sales case open.", lang))


register_figure(Figure(
    "after_sales", N_("After-sales"),
    N_("After-sales cases open now, by kind, with those past their due date; complaints awaiting the customer's "
       "answer are open complaints whose answer to the customer is recorded but not yet the customer's answer "
       "(satisfied, or escalated)."),
    after_sales_open, present_after_sales, part="delivery", order=75))


# ---- the after-sales bar of "orders by stage" -----------------------------------------------------------------------

@dataclass(frozen=True)
class OrdersByStageWithAfterSales(stage_figures.OrdersByStage):
    after_sales: int = 0           # orders with an after-sales case open (they stay delivered or closed)


DELIVERED_IN_PERIOD = N_("Delivered (period)")


def orders_by_stage_with_after_sales(db: Database, ctx: FigureContext) -> OrdersByStageWithAfterSales:
    """The orders-by-stage figure with its Delivered bar counting the orders whose last delivery fell in the period
    (a factory of years has tens of thousands delivered: a bar of all of them would flatten every other), and the
    orders with an open after-sales case (one COUNT DISTINCT)."""
    base = stage_figures.orders_by_stage(db, ctx)
    with read_session(db) as s:
        n = s.scalar(select(func.count(func.distinct(AfterSalesCase.order_id)))
                     .where(AfterSalesCase.status == "open")) or 0
        delivered_last = (select(Shipment.order_id).join(Order, Order.id == Shipment.order_id)
                          .where(Order.stage == "delivered", Shipment.delivered_on.is_not(None))
                          .group_by(Shipment.order_id)
                          .having(func.max(Shipment.delivered_on).between(ctx.period.first, ctx.period.last)))
        delivered = s.scalar(select(func.count()).select_from(delivered_last.subquery())) or 0
    bars = [replace(b, label=DELIVERED_IN_PERIOD, count=int(delivered)) if b.key == "delivered" else b
            for b in base.bars]
    return OrdersByStageWithAfterSales(bars, int(n))


def present_orders_by_stage_with_after_sales(r: OrdersByStageWithAfterSales, lang: str | None) -> Presentation:
    """The stage bars and one more, After-sales, opening the after-sales cases; the headline still counts the
    orders in progress (an order with a case is also counted in its own stage)."""
    p = stage_figures.present_orders_by_stage(r, lang)
    label, link = tr("After-sales", lang), Link("delivery", "cases")
    chart = p.chart
    if chart is not None:
        first = chart.series[0]
        chart = replace(chart, categories=chart.categories + (label,),
                        series=(replace(first, values=first.values + (float(r.after_sales),)),) + chart.series[1:],
                        links=chart.links + (link,))
    table = replace(p.table, rows=p.table.rows + ((label, r.after_sales),), links=p.table.links + (link,))
    return replace(p, chart=chart, table=table)


register_figure(replace(
    dashboard_registry._figures["orders_by_stage"],
    definition=N_("Orders now in each stage of the procedure (today, whatever the period), except Delivered: the "
                  "orders whose last delivery fell in the period. Review counts preliminary review, talks with the "
                  "customer, escalations and detailed review; Shipped counts partly and fully shipped orders; "
                  "After-sales counts the orders with an after-sales case open (also counted in their own stage). "
                  "The headline counts the orders in progress (every bar but Delivered). Click a bar to open the "
                  "Orders tab filtered by its stages, or the after-sales cases."),
    query=orders_by_stage_with_after_sales, present=present_orders_by_stage_with_after_sales))


# ---- to-do: orders to ship (logistics) ---------------------------------------------------------------------------

def _to_ship(s: Session, actor: Actor, ctx: FigureContext) -> list[TodoItem]:
    """Logistics: orders ready to ship or partly shipped; overdue ones are past their delivery date."""
    if actor.department != "logistics":
        return []
    n, late, first = s.execute(
        select(func.count(Order.id),
               func.coalesce(func.sum(case((Order.delivery_date < ctx.today, 1), else_=0)), 0),
               func.min(Order.delivery_date))
        .where(Order.stage.in_(SHIPPABLE_STAGES))).one()
    if not n:
        return []
    return [TodoItem("to_ship", N_("Orders to ship: {count} ({overdue} past their delivery date)"), int(n),
                     Link("delivery", "ship"), int(late or 0), first)]


register_todo("to_ship", _to_ship)

__all__ = ["on_time_by_month", "after_sales_open", "OnTimeByMonth", "AfterSalesOpen"]
