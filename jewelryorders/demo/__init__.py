"""Builds a realistic demo factory through the services, so demo data obeys the same rules as real data."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable

from sqlalchemy import func, select

from .. import clock
from ..db import Database
from ..i18n import _
from ..models.customers import Customer
from ..models.orders import Order
from ..services import customers, styles, users
from ..services.context import Actor, unit_of_work
from ..services.errors import GateError
from ..services.orders import intake as orders
from ..services.orders.intake import LineInput, OrderInput, StoneInput
from . import data

ProgressFn = Callable[[str, int, int], None]
BATCH = 500


@dataclass
class DemoResult:
    users: int = 0
    customers: int = 0
    styles: int = 0
    orders: int = 0
    stages: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _customer_inputs(rng: random.Random) -> list[customers.CustomerInput]:
    out = []
    suffixes = [("珠寶有限公司", "Jewellery Ltd."), ("金行", "Gold Co."), ("首飾公司", "Jewelry Inc.")]
    for i, (zh, en, country) in enumerate(data.CUSTOMER_STEMS):
        zs, es = suffixes[i % len(suffixes)]
        rating = rng.choices("ABCD", weights=[4, 4, 2, 1])[0]
        limit = {"A": 5_000_000, "B": 2_000_000, "C": 600_000, "D": 150_000}[rating] * rng.choice([1, 1, 2])
        slug = en.lower().replace(" ", "").replace(".", "").replace("&", "")[:16]
        out.append(customers.CustomerInput(
            name=zh + zs, name_en=f"{en} {es}", contact_person=rng.choice(data.CONTACTS),
            phone=f"+{rng.choice(['852', '86', '886', '853', '65', '81', '1', '44'])} {rng.randint(2000, 9999)} "
                  f"{rng.randint(1000, 9999)}",
            email=f"orders@{slug}.example", address=rng.choice(data.DELIVERY_PLACES), country=country,
            credit_rating=rating, credit_limit=Decimal(limit), currency=data.COUNTRY_CURRENCY.get(country, "USD")))
    return out


def _order_input(rng: random.Random, customer: customers.CustomerInfo, today: dt.date, complete: bool) -> OrderInput:
    # Recent orders: the parts after planning (shipping, closing) do not exist yet to carry older ones forward.
    order_date = today - dt.timedelta(days=int(rng.triangular(0, 150, 12)))
    lead = rng.choice([14, 21, 30, 35, 45, 60, 75, 90])
    lines = []
    for _i in range(rng.choices([1, 2, 3, 4], weights=[5, 3, 2, 1])[0]):
        code, name, ptype, metal, _lead, _new, stones, weight, price = rng.choice(data.STYLES)
        qty = rng.choice([5, 10, 12, 20, 24, 30, 50, 60, 100, 120, 200, 300])
        lines.append(LineInput(
            style_code=code, metal=metal, quantity=qty, description=name if complete or rng.random() < 0.5 else "",
            size=rng.choice(data.SIZES.get(ptype, [""])),
            target_weight_g=weight if complete else None, unit_price=price if complete else None,
            stones=[StoneInput(t, c, str((Decimal(ct) * c).quantize(Decimal("0.001")))) for t, c, ct in stones]))
    return OrderInput(
        customer_id=customer.id, channel=rng.choices(["online", "trade_fair", "phone", "email", "referral",
                                                      "industry_event", "other"], weights=[3, 3, 4, 5, 2, 1, 1])[0],
        order_date=order_date, delivery_date=order_date + dt.timedelta(days=lead) if complete else None,
        delivery_place=rng.choice(data.DELIVERY_PLACES) if complete else "",
        special_requirements=rng.choice(data.SPECIAL_REQUIREMENTS), currency=customer.currency,
        priority=rng.choices([1, 2, 3, 4, 5], weights=[1, 2, 6, 2, 1])[0], lines=lines)


def build_demo(db: Database, n_orders: int = 500, seed: int = 1, today: dt.date | None = None,
               progress: ProgressFn | None = None) -> DemoResult:
    """Fill an empty database: the factory, users of every department and role, customers, styles and orders,
    then let each part of the procedure move some orders forward through its own services."""
    if not users.needs_setup(db):
        raise GateError(_("The database {file} already holds data; demo data only goes into a new database. "
                          "Use --db with a new file name.", file=db.display_name))
    rng = random.Random(seed)
    today = today or clock.today()
    result = DemoResult()
    report = progress or (lambda *_a: None)

    users.setup_factory(db, data.FACTORY_NAME, "admin", data.ADMIN_PASSWORD, "zh_TW", "系統管理員 (Administrator)")
    admin = users.authenticate(db, "admin", data.ADMIN_PASSWORD)
    users.update_settings(db, admin, {"factory_address": data.FACTORY_ADDRESS, "default_currency": "HKD",
                                      "default_lead_days": "30"})
    actors: dict[str, Actor] = {"admin": admin}
    for username, display, dept, role in data.USERS:
        users.create_user(db, admin, username, display, dept, role, data.DEMO_PASSWORD, language="zh_TW")
        actors[username] = users.authenticate(db, username, data.DEMO_PASSWORD)
    result.users = len(actors)
    sales_people = [actors["sales"], actors["sales2"], actors["sales.head"]]

    report(_("Customers"), 0, 1)
    cust_list = [customers.create_customer(db, actors["sales.head"], c) for c in _customer_inputs(rng)]
    result.customers = len(cust_list)
    with unit_of_work(db) as s:
        for code, name, ptype, metal, lead, new, *_rest in data.STYLES:
            styles.create_style_in(s, actors["technical.head"], code, name, ptype, metal, lead, new)
    result.styles = len(data.STYLES)

    done = 0
    while done < n_orders:
        size = min(BATCH, n_orders - done)
        with unit_of_work(db) as s:
            # The session's identity map holds objects weakly; keeping the customers alive saves a query per order.
            held_customers = s.scalars(select(Customer)).all()
            for _i in range(size):
                actor = rng.choice(sales_people)
                complete = rng.random() > 0.08
                order = orders.create_order_in(s, actor, _order_input(rng, rng.choice(cust_list), today, complete))
                if complete and rng.random() > 0.05:
                    orders.submit_in(s, actor, order)
            s.expunge_all()
        del held_customers
        done += size
        report(_("Orders"), done, n_orders)
    result.orders = n_orders

    _advance_with_later_parts(db, rng, actors, today, result, report)
    with db.read_session() as s:
        result.stages = dict(s.execute(select(Order.stage, func.count()).group_by(Order.stage)).all())
    return result


def _advance_with_later_parts(db, rng, actors, today, result, report) -> None:
    """Each part of the procedure moves some orders into its own stages through its own services."""
    from importlib import import_module

    for module_name, label in (("..services.review_demo", _("Review")), ("..services.planning_demo", _("Planning"))):
        try:
            module = import_module(module_name, __package__)
        except ModuleNotFoundError:
            continue
        report(label, 0, 1)
        note = module.advance_demo(db, rng, actors, today)
        if note:
            result.notes.append(str(note))
        report(label, 1, 1)
