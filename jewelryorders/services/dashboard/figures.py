"""The dashboard's figures on the data of parts 1-3 (orders, review, planning), each one query computed in SQL.

Every query takes (db, ctx) and returns a plain dataclass; every present function turns that into the generic
Presentation the tab, the management report and the workbook draw (see registry.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select

from ...db import Database
from ...i18n import N_, ntr, tr
from ...i18n import formats
from ...models.customers import Customer
from ...models.orders import Order
from ...models.planning import OrderForecast, PlanStep, ProductionPlan, Workshop
from ...models.reviews import REVIEW_DEPARTMENTS, Contract, ReviewOpinion, ReviewRound
from ..context import read_session
from ..planning.common import CURRENT_STATUSES, calendars, released_load
from ..stages import OPEN_STAGES
from .registry import (
    CHART_BAR,
    CHART_HBAR,
    Chart,
    Figure,
    FigureContext,
    Link,
    Presentation,
    Series,
    Table,
    register_figure,
)

ONE_DAY = dt.timedelta(days=1)
WARNING = "#d93025"
PALETTE = ("#1a73e8", "#f29900", "#188038", "#9334e6", "#12b5cb", "#e8710a")

PERIOD_LABELS = {
    "this_month": N_("This month"),
    "last_month": N_("Last month"),
    "last_3_months": N_("Last 3 months"),
    "year_to_date": N_("Year to date"),
    "last_12_months": N_("Last 12 months"),
}

# ---- orders by stage ---------------------------------------------------------------------------------------------

# The bars of "orders by stage" as the issue names them, each the order stages it counts. The after-sales bar
# comes with the delivery part (cases open against delivered orders do not change the order's stage).
STAGE_GROUPS: list[tuple[str, str, tuple[str, ...]]] = [
    ("intake", N_("Intake"), ("draft",)),
    ("review", N_("Review"), ("preliminary_review", "negotiating", "escalated", "detailed_review")),
    ("contracted", N_("Contracted"), ("contracted",)),
    ("planned", N_("stage|Planned"), ("planned",)),
    ("in_production", N_("In production"), ("in_production",)),
    ("qc", N_("Final QC"), ("final_qc",)),
    ("ready_to_ship", N_("Ready to ship"), ("ready_to_ship",)),
    ("shipped", N_("Shipped"), ("partly_shipped", "shipped")),
    ("delivered", N_("Delivered"), ("delivered",)),
]


@dataclass(frozen=True)
class StageCount:
    key: str
    label: str           # msgid
    stages: tuple[str, ...]
    count: int


@dataclass(frozen=True)
class OrdersByStage:
    bars: list[StageCount]

    @property
    def total(self) -> int:
        """Orders in progress: every bar but Delivered (orders behind the factory are not in progress)."""
        return sum(b.count for b in self.bars if b.key != "delivered")

    def count(self, key: str) -> int:
        return next(b.count for b in self.bars if b.key == key)


def orders_by_stage(db: Database, ctx: FigureContext) -> OrdersByStage:
    """Orders now in each group of stages (one GROUP BY on the indexed stage column)."""
    wanted = [s for _k, _l, stages in STAGE_GROUPS for s in stages]
    with read_session(db) as s:
        counts = dict(s.execute(select(Order.stage, func.count()).where(Order.stage.in_(wanted))
                                .group_by(Order.stage)).all())
    return OrdersByStage([StageCount(key, label, stages, sum(counts.get(st, 0) for st in stages))
                          for key, label, stages in STAGE_GROUPS])


def present_orders_by_stage(r: OrdersByStage, lang: str | None) -> Presentation:
    labels = tuple(tr(b.label, lang) for b in r.bars)
    links = tuple(Link("orders", stages=b.stages) for b in r.bars)
    chart = Chart(CHART_BAR, labels, (Series(tr("Orders", lang), tuple(float(b.count) for b in r.bars),
                                             PALETTE[0]),), unit=tr("Orders", lang), links=links)
    table = Table((tr("Stage", lang), tr("Orders", lang)), tuple((lbl, b.count) for lbl, b in zip(labels, r.bars)),
                  links=links, formats=("", "int"))
    return Presentation(ntr("{n} order in progress", "{n} orders in progress", r.total, lang), table, chart,
                        empty=tr("No orders in progress.", lang))


# ---- orders late or projected late -------------------------------------------------------------------------------

# Stages in which an order has not yet left the factory, so its delivery date can still be missed.
NOT_YET_SHIPPED = tuple(s for s in OPEN_STAGES if s not in ("shipped",))
LATE_ROWS = 15


@dataclass(frozen=True)
class LateOrder:
    order_id: int
    order_no: str
    customer: str
    stage: str
    delivery_date: dt.date
    projected_finish: dt.date | None
    days_late: int                 # the larger of: days past the delivery date, days the forecast finishes late
    overdue: bool                  # the delivery date has already passed
    blocking_step: str             # the first unfinished step of the current plan ("" without a plan)
    blocking_workshop: str


@dataclass(frozen=True)
class LateOrders:
    total: int                     # all late or projected late orders (the rows are the worst LATE_ROWS)
    overdue: int
    rows: list[LateOrder]
    forecast_at: dt.datetime | None


def late_orders(db: Database, ctx: FigureContext, limit: int = LATE_ROWS) -> LateOrders:
    """Open orders not yet shipped whose delivery date has passed, or whose stored forecast finishes after it;
    worst first. The blocking step is the first step of the current plan that is not finished.

    The worst `limit` by max(days past due, days the forecast is late) are among the `limit` oldest overdue
    orders and the `limit` latest forecasts, so two short indexed queries find them (no sort of every late
    order); one aggregate counts them all."""
    today = ctx.today
    columns = (Order.id, Order.order_no, Customer.name, Order.stage, Order.delivery_date,
               OrderForecast.projected_finish, OrderForecast.days_late)
    with read_session(db) as s:
        cond = and_(Order.stage.in_(NOT_YET_SHIPPED), Order.delivery_date.is_not(None),
                    or_(Order.delivery_date < today, OrderForecast.days_late > 0))
        total, overdue = s.execute(
            select(func.count(), func.coalesce(func.sum(case((Order.delivery_date < today, 1), else_=0)), 0))
            .select_from(Order).outerjoin(OrderForecast, OrderForecast.order_id == Order.id).where(cond)).one()
        joined = (select(*columns).join(Customer, Customer.id == Order.customer_id)
                  .outerjoin(OrderForecast, OrderForecast.order_id == Order.id))
        oldest = s.execute(joined.where(Order.stage.in_(NOT_YET_SHIPPED), Order.delivery_date < today)
                           .order_by(Order.delivery_date, Order.order_no).limit(limit)).all()
        latest = s.execute(joined.where(Order.stage.in_(NOT_YET_SHIPPED), Order.delivery_date.is_not(None),
                                        OrderForecast.days_late > 0)
                           .order_by(OrderForecast.days_late.desc(), Order.order_no).limit(limit)).all()
        candidates = {}
        for oid, no, cust, stage, due, proj, forecast_days in (*oldest, *latest):
            days = max((today - due).days if due < today else 0, forecast_days or 0)
            candidates[oid] = (oid, no, cust, stage, due, proj, days)
        rows = sorted(candidates.values(), key=lambda r: (-r[6], r[4], r[1]))[:limit]
        ids = [r[0] for r in rows]
        blocking: dict[int, tuple[str, str]] = {}
        if ids:
            steps = s.execute(
                select(ProductionPlan.order_id, PlanStep.seq, PlanStep.name, Workshop.name)
                .join(PlanStep, PlanStep.plan_id == ProductionPlan.id)
                .join(Workshop, Workshop.id == PlanStep.workshop_id)
                .where(ProductionPlan.order_id.in_(ids), ProductionPlan.status.in_(CURRENT_STATUSES),
                       PlanStep.state != "done")
                .order_by(ProductionPlan.order_id, PlanStep.seq))
            for order_id, _seq, name, workshop in steps:
                blocking.setdefault(order_id, (name, workshop))
        forecast_at = s.scalar(select(func.max(OrderForecast.computed_at)))
    out = [LateOrder(oid, no, cust, stage, due, proj, int(d or 0), due < today, *blocking.get(oid, ("", "")))
           for oid, no, cust, stage, due, proj, d in rows]
    return LateOrders(total, overdue, out, forecast_at)


def present_late_orders(r: LateOrders, lang: str | None) -> Presentation:
    from ..stages import STAGES

    headers = (tr("Order no.", lang), tr("Customer", lang), tr("Stage", lang), tr("Delivery date", lang),
               tr("Projected finish", lang), tr("Days late", lang), tr("Blocking step", lang))
    rows = tuple((x.order_no, x.customer, tr(STAGES.get(x.stage, x.stage), lang), x.delivery_date,
                  x.projected_finish, x.days_late,
                  f"{x.blocking_step} ({x.blocking_workshop})" if x.blocking_step else "—") for x in r.rows)
    links = tuple(Link("orders", order_id=x.order_id) for x in r.rows)
    chart = None
    if r.rows:
        chart = Chart(CHART_HBAR, tuple(x.order_no for x in r.rows),
                      (Series(tr("Days late", lang), tuple(float(x.days_late) for x in r.rows), WARNING),),
                      unit=tr("Days late", lang), links=links, marked=tuple(x.overdue for x in r.rows))
    headline = ntr("{n} order late or projected late", "{n} orders late or projected late", r.total, lang)
    if r.overdue:
        headline += " · " + ntr("{n} past its delivery date", "{n} past their delivery date", r.overdue, lang)
    table = Table(headers, rows, links, tuple(x.overdue for x in r.rows),
                  ("", "", "", "date", "date", "int", ""))
    return Presentation(headline, table, chart, empty=tr("No order is late or projected late.", lang))


# ---- workshop load -----------------------------------------------------------------------------------------------

LOAD_WEEKS = 4


@dataclass(frozen=True)
class WeekLoad:
    week_start: dt.date          # the first day of the week (today, a week from today...)
    used_minutes: int            # work booked from today on
    capacity_minutes: int        # the workshop's minutes on its working days from today on
    overloaded_days: int         # days of the week with more work than minutes

    @property
    def load(self) -> float:
        return self.used_minutes / self.capacity_minutes if self.capacity_minutes else (9.99 if self.used_minutes
                                                                                        else 0.0)

    @property
    def overloaded(self) -> bool:
        return self.used_minutes > self.capacity_minutes or self.overloaded_days > 0


@dataclass(frozen=True)
class WorkshopWeeks:
    workshop_id: int
    name: str
    weeks: list[WeekLoad]

    @property
    def overloaded(self) -> bool:
        return any(w.overloaded for w in self.weeks)


@dataclass(frozen=True)
class WorkshopLoad:
    weeks: list[dt.date]
    workshops: list[WorkshopWeeks]

    def of(self, name: str) -> WorkshopWeeks:
        return next(w for w in self.workshops if w.name == name)


def workshop_load(db: Database, ctx: FigureContext, weeks: int = LOAD_WEEKS) -> WorkshopLoad:
    """Work booked per workshop in each of the next four weeks (seven days from today, then the next seven...)
    against capacity: the planning part's own load (current plans, drafts and released, of orders still in
    production, spread over their working days)."""
    today = ctx.today
    last = today + dt.timedelta(days=7 * weeks - 1)
    starts = [today + dt.timedelta(days=7 * i) for i in range(weeks)]
    with read_session(db) as s:
        cals = calendars(s)
        load = released_load(s, cals, today, first=today, last=last, statuses=CURRENT_STATUSES)
        shops = s.execute(select(Workshop.id, Workshop.name, Workshop.active)
                          .order_by(Workshop.sort_order, Workshop.name)).all()
    out = []
    for wid, name, active in shops:
        by_day = load.get(wid, {})
        if not active and not by_day:
            continue
        cal = cals[wid]
        rows = []
        for start in starts:
            used = cap = over = 0
            for i in range(7):
                day = start + dt.timedelta(days=i)
                if day < today:
                    continue
                minutes, capacity = by_day.get(day, 0), cal.capacity_on(day)
                used += minutes
                cap += capacity
                over += minutes > capacity
            rows.append(WeekLoad(start, used, cap, over))
        out.append(WorkshopWeeks(wid, name, rows))
    return WorkshopLoad(starts, out)


def week_label(start: dt.date, lang: str | None) -> str:
    from babel.dates import format_skeleton

    return tr("Week from {date}", lang, date=format_skeleton("MMMd", start, locale=formats.babel_locale(lang)))


def present_workshop_load(r: WorkshopLoad, lang: str | None) -> Presentation:
    names = tuple(w.name for w in r.workshops)
    series = tuple(Series(week_label(start, lang), tuple(w.weeks[i].load for w in r.workshops),
                          PALETTE[i % len(PALETTE)]) for i, start in enumerate(r.weeks))
    limit = Series(tr("Capacity", lang), tuple(1.0 for _w in r.workshops), WARNING)
    marked = tuple(w.overloaded for w in r.workshops)
    chart = Chart(CHART_HBAR, names, series, unit=tr("Load (% of capacity)", lang), limit=limit, marked=marked,
                  links=tuple(Link("planning") for _w in r.workshops), percent=True) if r.workshops else None
    headers = (tr("Workshop", lang), tr("Week", lang), tr("Booked hours", lang), tr("Capacity hours", lang),
               tr("Load", lang), tr("Overloaded days", lang))
    rows, flags = [], []
    for w in r.workshops:
        for wk in w.weeks:
            rows.append((w.name, wk.week_start, round(wk.used_minutes / 60, 1), round(wk.capacity_minutes / 60, 1),
                         wk.load, wk.overloaded_days))
            flags.append(wk.overloaded)
    over = sum(w.overloaded for w in r.workshops)
    headline = (ntr("{n} workshop overloaded in the next four weeks", "{n} workshops overloaded in the next four "
                    "weeks", over, lang) if over else tr("No workshop is overloaded in the next four weeks", lang))
    return Presentation(headline, Table(headers, tuple(rows), tuple(Link("planning") for _r in rows), tuple(flags),
                                        ("", "date", "0.0", "0.0", "percent", "int")),
                        chart, empty=tr("No workshops yet.", lang))


# ---- review speed ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DepartmentReview:
    department: str
    open: int                    # requests not answered in an open round
    overdue: int                 # of those, past their due time now
    answered: int                # answered within the period
    answered_on_time: int        # of those, by their due time
    average_hours: float | None  # mean hours from request to answer, of those answered within the period


@dataclass(frozen=True)
class ReviewSpeed:
    departments: list[DepartmentReview]

    def of(self, department: str) -> DepartmentReview:
        return next(d for d in self.departments if d.department == department)


def _hours_between(dialect: str, later, earlier):
    if dialect == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 24.0
    return func.extract("epoch", later - earlier) / 3600.0


def review_speed(db: Database, ctx: FigureContext) -> ReviewSpeed:
    """Per review department: open requests and the overdue ones now; answers given within the period, how many
    by their due time, and the average time from request to answer."""
    start = dt.datetime.combine(ctx.period.first, dt.time.min).astimezone(dt.timezone.utc)
    end = dt.datetime.combine(ctx.period.last + ONE_DAY, dt.time.min).astimezone(dt.timezone.utc)
    with read_session(db) as s:
        dialect = s.get_bind().dialect.name
        open_rows = dict((d, (n, late)) for d, n, late in s.execute(
            select(ReviewOpinion.department, func.count(),
                   func.sum(case((ReviewOpinion.due_at < ctx.now, 1), else_=0)))
            .join(ReviewRound, ReviewRound.id == ReviewOpinion.round_id)
            .where(ReviewOpinion.answered_at.is_(None), ReviewRound.closed_at.is_(None))
            .group_by(ReviewOpinion.department)))
        hours = _hours_between(dialect, ReviewOpinion.answered_at, ReviewOpinion.requested_at)
        answered_rows = {d: (n, on_time, avg) for d, n, on_time, avg in s.execute(
            select(ReviewOpinion.department, func.count(),
                   func.sum(case((ReviewOpinion.answered_at <= ReviewOpinion.due_at, 1), else_=0)), func.avg(hours))
            .where(ReviewOpinion.answered_at >= start, ReviewOpinion.answered_at < end)
            .group_by(ReviewOpinion.department))}
    out = []
    for dep in REVIEW_DEPARTMENTS:
        n_open, late = open_rows.get(dep, (0, 0))
        n, on_time, avg = answered_rows.get(dep, (0, 0, None))
        out.append(DepartmentReview(dep, int(n_open or 0), int(late or 0), int(n or 0), int(on_time or 0),
                                    None if avg is None else round(float(avg), 1)))
    return ReviewSpeed(out)


def present_review_speed(r: ReviewSpeed, lang: str | None) -> Presentation:
    names = tuple(tr(REVIEW_DEPARTMENTS[d.department], lang) for d in r.departments)
    chart = Chart(CHART_HBAR, names, (
        Series(tr("Open requests", lang), tuple(float(d.open) for d in r.departments), PALETTE[0]),
        Series(tr("Overdue", lang), tuple(float(d.overdue) for d in r.departments), WARNING),
    ), unit=tr("Requests", lang), marked=tuple(d.overdue > 0 for d in r.departments),
        links=tuple(Link("review") for _d in r.departments))
    headers = (tr("Department", lang), tr("Open requests", lang), tr("Overdue", lang),
               tr("Answered in the period", lang), tr("Answered on time", lang), tr("Average answer time (h)", lang))
    rows = tuple((name, d.open, d.overdue, d.answered, d.answered_on_time, d.average_hours)
                 for name, d in zip(names, r.departments))
    overdue = sum(d.overdue for d in r.departments)
    opened = sum(d.open for d in r.departments)
    headline = tr("Review requests open: {open}, overdue: {overdue}", lang, open=opened, overdue=overdue)
    return Presentation(headline, Table(headers, rows, tuple(Link("review") for _r in rows),
                                        tuple(d.overdue > 0 for d in r.departments),
                                        ("", "int", "int", "int", "int", "0.0")), chart)


# ---- orders received and contracts signed in the period ---------------------------------------------------------

@dataclass(frozen=True)
class MonthIntake:
    month: dt.date               # the first day of the month
    received: int                # orders with their order date in the month (cancelled ones too)
    contracts: int               # contracts signed in the month


@dataclass(frozen=True)
class Intake:
    months: list[MonthIntake]

    @property
    def received(self) -> int:
        return sum(m.received for m in self.months)

    @property
    def contracts(self) -> int:
        return sum(m.contracts for m in self.months)


def intake(db: Database, ctx: FigureContext) -> Intake:
    """Orders received (by order date) and contracts signed (by signing date) in each month of the period."""
    p = ctx.period
    with read_session(db) as s:
        received = s.execute(select(Order.order_date, func.count()).where(Order.order_date >= p.first,
                                                                          Order.order_date <= p.last)
                             .group_by(Order.order_date)).all()
        signed = s.execute(select(Contract.signed_date, func.count()).where(Contract.signed_date >= p.first,
                                                                            Contract.signed_date <= p.last)
                           .group_by(Contract.signed_date)).all()
    months: dict[dt.date, list[int]] = {}
    day = p.first.replace(day=1)
    while day <= p.last:
        months[day] = [0, 0]
        day = (day + dt.timedelta(days=32)).replace(day=1)
    for index, rows in ((0, received), (1, signed)):
        for when, n in rows:
            months[when.replace(day=1)][index] += n
    return Intake([MonthIntake(m, a, b) for m, (a, b) in months.items()])


def present_intake(r: Intake, lang: str | None) -> Presentation:
    labels = tuple(_month_label(m.month, lang) for m in r.months)
    chart = Chart(CHART_BAR, labels, (
        Series(tr("Orders received", lang), tuple(float(m.received) for m in r.months), PALETTE[0]),
        Series(tr("Contracts signed", lang), tuple(float(m.contracts) for m in r.months), PALETTE[2]),
    ), unit=tr("Orders", lang))
    table = Table((tr("Month", lang), tr("Orders received", lang), tr("Contracts signed", lang)),
                  tuple((lbl, m.received, m.contracts) for lbl, m in zip(labels, r.months)),
                  formats=("", "int", "int"))
    return Presentation(tr("Orders received: {received}; contracts signed: {contracts}", lang,
                           received=r.received, contracts=r.contracts), table, chart)


def _month_label(first: dt.date, lang: str | None) -> str:
    from babel.dates import format_date

    return format_date(first, "yyyy-MM", locale=formats.babel_locale(lang))


# ---- registration ------------------------------------------------------------------------------------------------

register_figure(Figure(
    "orders_by_stage", N_("Orders by stage"),
    N_("Orders now in each stage of the procedure (today, whatever the period). Review counts preliminary review, "
       "talks with the customer, escalations and detailed review; Shipped counts partly and fully shipped orders. "
       "The headline counts the orders in progress (every bar but Delivered). Click a bar to open the Orders tab "
       "filtered by its stages."),
    orders_by_stage, present_orders_by_stage, part="orders", order=10))
register_figure(Figure(
    "late_orders", N_("Orders late or projected late"),
    N_("Orders not yet shipped whose delivery date has passed, or whose latest planning forecast finishes after "
       "the delivery date; worst first. Days late: the larger of the days past the delivery date and the days the "
       "forecast finishes late. Blocking step: the first unfinished step of the current plan. The forecast is as "
       "fresh as its last refresh in the Planning tab."),
    late_orders, present_late_orders, part="planning", order=20, table_on_tab=True))
register_figure(Figure(
    "workshop_load", N_("Workshop load, next four weeks"),
    N_("Hours of work booked in each workshop by the current plans (drafts and released) of orders still in "
       "production, per week from today (seven days from today, then the next seven, and so on), as a percentage of the workshop's hours (benches × hours a day on its "
       "working days). A workshop is marked when a week's work exceeds its hours or any single day is "
       "overloaded."),
    workshop_load, present_workshop_load, part="planning", order=30))
register_figure(Figure(
    "review_speed", N_("Review speed"),
    N_("Per department: detailed review requests still open (unanswered, in an open round) and those past their "
       "due time, now; answers given within the period, how many by their due time, and the average time from "
       "request to answer in hours."),
    review_speed, present_review_speed, part="review", order=40))
register_figure(Figure(
    "intake", N_("Orders received and contracts signed"),
    N_("Orders by their order date (cancelled ones included) and contracts by their signing date, per month of "
       "the chosen period."),
    intake, present_intake, part="orders", order=50))
