"""Customers: create, edit, search; the credit limit the review checks against."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, or_, select

from ..db import Database
from ..i18n import LazyText, _
from ..models.customers import CREDIT_RATINGS, Customer
from . import audit
from .context import Actor, read_session, unit_of_work
from .errors import ConcurrentEditError, NotFound, ValidationError
from .permissions import require
from .sequences import next_number
from .validation import CURRENCIES, LONG_TEXT, Problems, decimal_value, text

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class CustomerInput:
    name: str
    name_en: str = ""
    contact_person: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    country: str = ""
    credit_rating: str = "B"
    credit_limit: Decimal | str = Decimal("0")
    currency: str = "CNY"
    notes: str = ""
    active: bool = True


@dataclass(frozen=True)
class CustomerInfo:
    id: int
    code: str
    name: str
    name_en: str
    contact_person: str
    phone: str
    email: str
    address: str
    country: str
    credit_rating: str
    credit_limit: Decimal
    currency: str
    notes: str
    active: bool
    version: int

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}" + (f" ({self.name_en})" if self.name_en and self.name_en != self.name else "")


def _info(c: Customer) -> CustomerInfo:
    return CustomerInfo(c.id, c.code, c.name, c.name_en, c.contact_person, c.phone, c.email, c.address, c.country,
                        c.credit_rating, Decimal(c.credit_limit), c.currency, c.notes, c.active, c.version)


def _validate(data: CustomerInput) -> dict:
    p = Problems()
    values = {
        "name": text(p, "name", _("Customer name"), data.name, required=True),
        "name_en": text(p, "name_en", _("English name"), data.name_en),
        "contact_person": text(p, "contact_person", _("Contact person"), data.contact_person, max_len=120),
        "phone": text(p, "phone", _("Phone"), data.phone, max_len=60),
        "email": text(p, "email", _("E-mail"), data.email),
        "address": text(p, "address", _("Address"), data.address, max_len=500),
        "country": text(p, "country", _("Country"), data.country, max_len=80),
        "notes": text(p, "notes", _("Notes"), data.notes, max_len=LONG_TEXT),
        "active": bool(data.active),
    }
    if values["email"] and not EMAIL_PATTERN.match(values["email"]):
        p.add("email", _("E-mail: '{value}' is not an e-mail address.", value=values["email"][:60]))
    rating = data.credit_rating if isinstance(data.credit_rating, str) else ""
    if rating not in CREDIT_RATINGS:
        p.add("credit_rating", _("Choose a credit rating (A, B, C or D)."))
    values["credit_rating"] = rating
    limit = decimal_value(p, "credit_limit", _("Credit limit"), data.credit_limit, places=2, allow_zero=True,
                          maximum=Decimal("999999999999"))
    values["credit_limit"] = limit
    currency = (data.currency if isinstance(data.currency, str) else "").strip().upper()
    if currency not in CURRENCIES:
        p.add("currency", _("Currency {value} is not one of: {choices}.", value=currency, choices=", ".join(CURRENCIES)))
    values["currency"] = currency
    p.raise_if_any()
    return values


def create_customer(db: Database, actor: Actor, data: CustomerInput) -> CustomerInfo:
    require(actor, "customers.edit")
    values = _validate(data)
    with unit_of_work(db) as s:
        customer = Customer(code=next_number(s, "customer", None), **values)
        s.add(customer)
        s.flush()
        audit.record(s, actor, "create", "customer", customer.id,
                     LazyText("Customer {code} {name} created", code=customer.code, name=customer.name),
                     None, audit.snapshot(customer))
        return _info(customer)


def update_customer(db: Database, actor: Actor, customer_id: int, expected_version: int,
                    data: CustomerInput) -> CustomerInfo:
    require(actor, "customers.edit")
    values = _validate(data)
    with unit_of_work(db) as s:
        customer = s.get(Customer, customer_id)
        if customer is None:
            raise NotFound(_("Customer {id} does not exist.", id=customer_id))
        if customer.version != expected_version:
            raise ConcurrentEditError(_("Someone else changed the customer {code} since you opened it. Reopen it "
                                        "and make your change again.", code=customer.code))
        before = audit.snapshot(customer)
        for key, value in values.items():
            setattr(customer, key, value)
        s.flush()
        b, a = audit.diff(before, audit.snapshot(customer))
        if a:
            audit.record(s, actor, "update", "customer", customer.id,
                         LazyText("Customer {code} changed", code=customer.code), b, a)
        return _info(customer)


def get_customer(db: Database, customer_id: int) -> CustomerInfo:
    with read_session(db) as s:
        c = s.get(Customer, customer_id)
        if c is None:
            raise NotFound(_("Customer {id} does not exist.", id=customer_id))
        return _info(c)


def find_customer_by_code_or_name(db: Database, key: str) -> CustomerInfo | None:
    with read_session(db) as s:
        c = s.scalar(select(Customer).where(or_(Customer.code == key, Customer.name == key, Customer.name_en == key)))
        return _info(c) if c else None


def _filtered(stmt, query: str, include_inactive: bool):
    q = (query or "").strip()
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(Customer.code.ilike(like), Customer.name.ilike(like), Customer.name_en.ilike(like),
                              Customer.contact_person.ilike(like), Customer.phone.ilike(like),
                              Customer.email.ilike(like)))
    if not include_inactive:
        stmt = stmt.where(Customer.active.is_(True))
    return stmt


def search_customers(db: Database, query: str = "", *, include_inactive: bool = False, offset: int = 0,
                     limit: int = 200) -> list[CustomerInfo]:
    with read_session(db) as s:
        stmt = _filtered(select(Customer), query, include_inactive).order_by(Customer.name).offset(offset).limit(limit)
        return [_info(c) for c in s.scalars(stmt)]


def count_customers(db: Database, query: str = "", include_inactive: bool = False) -> int:
    with read_session(db) as s:
        return s.scalar(_filtered(select(func.count()).select_from(Customer), query, include_inactive))
