"""Builds a realistic demo factory through the services, so demo data obeys the same rules as real data."""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

from sqlalchemy import func, select

from .. import clock
from ..db import Database
from ..i18n import _
from ..models.customers import Customer
from ..models.orders import Order
from ..services import audit, customers, styles, users
from ..services.context import Actor, unit_of_work
from ..services.errors import GateError
from ..services.orders import intake as orders
from ..services.planning.forecast import refresh_forecast
from . import archive, data, ledger, materials, past, planning, quality, replicate
from .history import CANCEL_REASONS, HISTORY_DAYS, LATE_SHARE, OLD_AGE_DAYS, Lives, OrderLife, plan_lives

# progress(phase, done, total): called as each phase goes on and once when it ends (done == total).
ProgressFn = Callable[[str, int, int], None]
BATCH = 500
# A bigger demo lives this many orders through the services and copies the rest of its history from them. 600
# keep every open stage (6 to 42 orders of each fate, the shares of 1,000) and cost some 5 minutes here; each 100
# more lived orders cost about 50 s (bench/RESULTS.md section 7).
LIVED_CORE = 600
CHECKLIST_KEYS = ("equipment", "tooling", "materials", "training")


@dataclass
class DemoResult:
    users: int = 0
    customers: int = 0
    styles: int = 0
    orders: int = 0
    stages: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    phase_seconds: dict[str, float] = field(default_factory=dict)


def _customer_inputs(rng: random.Random, lives: list[OrderLife]) -> list[customers.CustomerInput]:
    """The customers, each with a credit limit its business fits in (a few are cut after a credit review)."""
    business = [Decimal(0)] * len(data.CUSTOMER_STEMS)
    for life in lives:
        if life.fate != "draft":
            business[life.customer_index] += life.value
    out = []
    for i, (zh, en, country) in enumerate(data.CUSTOMER_STEMS):
        name, name_en = data.customer_names(zh, en, i)
        currency = data.COUNTRY_CURRENCY.get(country, "USD")
        floor = Decimal(200_000) * Decimal(data.HKD_RATE.get(currency, "0.128"))
        limit = max(business[i] * Decimal(rng.choice(["1.2", "1.4", "1.6", "2"])), floor)
        limit = (limit / 100_000).to_integral_value(ROUND_CEILING) * 100_000
        rating = "A" if limit >= 2_000_000 else rng.choice("AB") if limit >= 500_000 else rng.choice("BC")
        slug = "".join(ch for ch in en.lower() if ch.isascii() and ch.isalnum())[:16]
        out.append(customers.CustomerInput(
            name=name, name_en=name_en, contact_person=rng.choice(data.CONTACTS),
            phone=f"+{data.COUNTRY_PHONE.get(country, '852')} {rng.randint(2000, 9999)} {rng.randint(1000, 9999)}",
            email=f"orders@{slug}.example", address=rng.choice(data.COUNTRY_ADDRESSES[country]), country=country,
            credit_rating=rating, credit_limit=limit, currency=currency))
    return out


class _Phases:
    """Reports each phase's progress and keeps how long it took."""

    def __init__(self, report: ProgressFn, result: DemoResult):
        self.report, self.result = report, result
        self.name, self.started = "", time.monotonic()

    def begin(self, name: str, total: int) -> None:
        self.name, self.started = name, time.monotonic()
        if total:
            self.report(name, 0, total)

    def step(self, done: int, total: int) -> None:
        if done < total:
            self.report(self.name, done, total)

    def end(self, total: int) -> None:
        self.result.phase_seconds[self.name] = time.monotonic() - self.started
        self.report(self.name, total, total)


def build_demo(db: Database, n_orders: int = 500, seed: int = 1, today: dt.date | None = None,
               progress: ProgressFn | None = None, lived_core: int = LIVED_CORE) -> DemoResult:
    """Fill an empty database with a factory that has run for years: users of every department and role,
    customers, styles, workshops and routings, and orders spread over the stages as its history left them —
    each order carried to its stage by the services, every step at its own moment on the clock.

    Up to `lived_core` orders are all lived so; beyond that, the orders lived are a factory of `lived_core` orders
    and the rest are its history replicated (demo/replicate.py): delivered, abandoned and cancelled orders copied
    with new numbers for other customers, further in the past."""
    if not users.needs_setup(db):
        raise GateError(_("The database {file} already holds data; demo data only goes into a new database. "
                          "Use --db with a new file name.", file=db.display_name))
    if today is not None and today != clock.today():
        with clock.frozen(today):
            return build_demo(db, n_orders, seed, None, progress, lived_core)
    with _anchored_once(db):
        return _build(db, n_orders, seed, progress, lived_core)


@contextlib.contextmanager
def _anchored_once(db: Database):
    """The audit trail's head is sealed outside the database once, when the demo is built, rather than after each
    of its thousands of transactions (writing the anchor files was a seventh of a demo's time)."""
    write_anchor = audit.write_anchor
    audit.write_anchor = lambda *_a, **_k: None
    try:
        yield
    finally:
        audit.write_anchor = write_anchor
    audit.anchor_current_head(db, force=True)


def _build(db: Database, n_orders: int, seed: int, progress: ProgressFn | None, lived_core: int) -> DemoResult:
    rng = random.Random(seed)
    today = clock.today()
    result = DemoResult()
    phases = _Phases(progress or (lambda *_a: None), result)
    earliest = today - dt.timedelta(days=HISTORY_DAYS + 10)

    phases.begin(_("Factory and users"), 1)
    with clock.frozen(_before(earliest, 30)):
        users.setup_factory(db, data.FACTORY_NAME, "admin", data.ADMIN_PASSWORD, "zh_TW",
                            "系統管理員 (Administrator)")
        admin = users.authenticate(db, "admin", data.ADMIN_PASSWORD)
        users.update_settings(db, admin, {"factory_address": data.FACTORY_ADDRESS, "default_currency": "HKD",
                                          "default_lead_days": "30"})
        actors: dict[str, Actor] = {"admin": admin}
        for username, display, dept, role in data.USERS:
            users.create_user(db, admin, username, display, dept, role, data.DEMO_PASSWORD, language="zh_TW")
            actors[username] = users.authenticate(db, username, data.DEMO_PASSWORD)
    result.users = len(actors)
    phases.end(1)

    phases.begin(_("Customers, styles, workshops and routings"), 1)
    countries = [(country, data.COUNTRY_CURRENCY.get(country, "USD")) for _zh, _en, country in data.CUSTOMER_STEMS]
    lived = min(n_orders, max(lived_core, 1))
    lives = plan_lives(rng, lived, countries, today)
    with clock.frozen(_before(earliest, 20)):
        cust_list = [customers.create_customer(db, actors["sales.head"], c) for c in _customer_inputs(rng, lives)]
        with unit_of_work(db) as s:
            for code, name, ptype, metal, lead, new, *_rest in data.STYLES:
                styles.create_style_in(s, actors["technical.head"], code, name, ptype, metal, lead, new)
        planning.master_data(db, actors, range(earliest.year, today.year + 2))
    result.customers, result.styles = len(cust_list), len(data.STYLES)
    phases.end(1)

    _create_orders(db, rng, actors, lives, cust_list, phases)
    result.orders = n_orders
    driver = Lives(db, rng, actors, today)
    _review(driver, lives, phases)
    _cancel(db, rng, actors, lives, phases)
    _plan_and_work(driver, rng, lives, phases, result)
    _credit_review(db, rng, actors, cust_list, phases, result)

    phases.begin(_("Materials and purchasing"), 1)
    result.notes.append(materials.advance_demo(db, rng, actors, today))
    result.notes.append(ledger.advance_demo(db, rng, actors, today))
    phases.end(1)
    phases.begin(_("Quality control"), 1)
    result.notes.append(quality.advance_demo(db, rng, actors, today))
    phases.end(1)
    phases.begin(_("Old orders inspected, shipped and delivered"), 1)
    delivered = past.deliver_old_orders(db, rng, actors, today, earliest,
                                        progress=lambda done, total: phases.step(done, total))
    if delivered:
        result.notes.append(_("History: {n} old orders passed final inspection and were shipped and delivered.",
                              n=delivered))
    phases.end(1)

    from . import delivery as delivery_demo  # after quality's demo, which makes orders ready to ship
    result.notes.append(delivery_demo.advance_demo(db, rng, actors, today))

    phases.begin(_("Archive"), 1)
    result.notes.append(archive.advance_demo(db, rng, actors, today))
    phases.end(1)

    if n_orders > lived:
        copies = n_orders - lived
        phases.begin(_("Replicated history"), copies)
        replicate.replicate_history(db, rng, copies, today, HISTORY_DAYS, OLD_AGE_DAYS,
                                    progress=lambda done, total: phases.step(done, total))
        phases.end(copies)
        result.notes.append(_("{lived:,} orders were lived through the services; {copies:,} older ones copy their "
                              "history (new numbers, other customers, earlier dates).", lived=lived, copies=copies))

    phases.begin(_("Delay forecast"), 1)
    late = [row for row in refresh_forecast(db, today) if row.days_late > 0]
    result.notes.append(_("Delay forecast: {late} of the orders at work are projected late.", late=len(late)))
    phases.end(1)
    with db.read_session() as s:
        result.stages = dict(s.execute(select(Order.stage, func.count()).group_by(Order.stage)).all())
    return result


def _before(day: dt.date, days: int) -> dt.datetime:
    return dt.datetime.combine(day - dt.timedelta(days=days), dt.time(9, 0)).astimezone()


def _create_orders(db, rng, actors, lives: list[OrderLife], cust_list, phases: _Phases) -> None:
    sales_people = [actors["sales"], actors["sales2"], actors["sales.head"]]
    total = len(lives)
    phases.begin(_("Orders"), total)
    done = 0
    while done < total:
        batch = lives[done:done + BATCH]
        with unit_of_work(db) as s:
            # The session's identity map holds objects weakly; keeping the customers alive saves a query per order.
            held_customers = s.scalars(select(Customer)).all()
            for life in batch:
                actor = rng.choice(sales_people)
                life.input.customer_id = cust_list[life.customer_index].id
                with clock.frozen(life.created):
                    order = orders.create_order_in(s, actor, life.input)
                if life.fate != "draft":
                    with clock.frozen(life.created + dt.timedelta(minutes=rng.randint(10, 90))):
                        orders.submit_in(s, actor, order)
                s.flush()
                life.order_id = order.id
            s.expunge_all()
        del held_customers
        done += len(batch)
        phases.step(done, total)
    phases.end(total)


def _review(driver: Lives, lives: list[OrderLife], phases: _Phases) -> None:
    reviewed = sorted((life for life in lives if life.review_at is not None), key=lambda life: life.review_at)
    phases.begin(_("Review and contracts"), len(reviewed))
    for done, life in enumerate(reviewed, start=1):
        driver.review(life)
        if done % 100 == 0:
            phases.step(done, len(reviewed))
    phases.end(len(reviewed))


def _cancel(db, rng, actors, lives: list[OrderLife], phases: _Phases) -> None:
    cancelled = [life for life in lives if life.fate == "cancelled"]
    phases.begin(_("Cancelled orders"), len(cancelled))
    for life in cancelled:
        moment = min(life.created + dt.timedelta(days=rng.randint(1, 10), hours=2), clock.now())
        with clock.frozen(moment):
            orders.cancel_order(db, actors["sales.head"], life.order_id, rng.choice(CANCEL_REASONS))
    phases.end(len(cancelled))


def _plan_and_work(driver: Lives, rng, lives: list[OrderLife], phases: _Phases, result: DemoResult) -> None:
    """Old orders are planned and worked to the last step one after the other, in the order they were signed; the
    orders of today are all planned first (each on top of the load of those signed before it), then worked."""
    signed = sorted((life for life in lives if life.signed is not None and life.fate != "contracted"),
                    key=lambda life: life.signed)
    phases.begin(_("Plans and production"), len(signed))
    done = 0
    current = []
    for life in signed:
        driver.plan(life)
        if life.fate == "finished":
            driver.work(life, CHECKLIST_KEYS)
        else:
            current.append(life)
        done += 1
        if done % 100 == 0:
            phases.step(done, len(signed))
    at_work = [life for life in current if life.fate == "in_production"]
    # The orders due soonest are those a step's overrun makes late.
    for life in sorted(at_work, key=lambda life: life.input.delivery_date)[:max(1, round(len(at_work) * LATE_SHARE))]:
        life.late = True
    printed = []
    for life in at_work:
        driver.work(life, CHECKLIST_KEYS)
        printed.append(life.order_id)
    for life in current:
        if life.fate == "planned" and rng.random() < 0.5:
            driver.tick_some(life, rng.sample(CHECKLIST_KEYS[:3], rng.randint(1, 2)))
    planning.print_some_task_sheets(driver.db, driver.actors, printed[:4])
    phases.end(len(signed))


def _credit_review(db, rng, actors, cust_list, phases: _Phases, result: DemoResult) -> None:
    """After a credit review a few customers' limits were cut below what they owe: their next orders need talks."""
    phases.begin(_("Credit review"), 1)
    with db.read_session() as s:
        owing = [(info, value) for info in cust_list if (value := orders.open_order_value(s, info.id)) > 0]
    for info, exposure in rng.sample(owing, min(len(owing), max(1, len(cust_list) // 15))):
        if exposure > 0:
            cut = (exposure * Decimal("0.8") / 10_000).to_integral_value() * 10_000
            fields = customers.CustomerInput(**{k: getattr(info, k) for k in (
                "name", "name_en", "contact_person", "phone", "email", "address", "country", "currency",
                "active")}, credit_rating="C", credit_limit=max(cut, Decimal(10_000)),
                notes="信用評審：逾期付款，額度下調 / credit review: late payments, limit cut")
            with clock.frozen(clock.now() - dt.timedelta(days=rng.randint(2, 20))):
                customers.update_customer(db, actors["sales.head"], info.id, info.version, fields)
            result.notes.append(_("Credit review: the limit of {customer} was cut below its open orders.",
                                  customer=info.name))
    phases.end(1)
