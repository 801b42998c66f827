"""Customers: create, edit, search, and the inputs a clerk gets wrong."""

from __future__ import annotations

import pytest

from jewelryorders.services import customers
from jewelryorders.services.customers import CustomerInput
from jewelryorders.services.errors import ConcurrentEditError, PermissionDenied, ValidationError


def test_create_and_search_by_chinese_and_english_name(db, sales, customer):
    assert customer.code == "C00001"
    assert [c.code for c in customers.search_customers(db, "周大福")] == ["C00001"]
    assert [c.code for c in customers.search_customers(db, "chow tai")] == ["C00001"]
    assert customers.search_customers(db, "nobody") == []


def test_invalid_inputs_are_named_and_nothing_is_saved(db, sales):
    bad = CustomerInput(name="", email="not-an-email", credit_rating="Z", credit_limit="-5", currency="XX",
                        notes="x" * 100_000)
    with pytest.raises(ValidationError) as err:
        customers.create_customer(db, sales, bad)
    fields = {p.field for p in err.value.problems}
    assert fields == {"name", "email", "credit_rating", "credit_limit", "currency", "notes"}
    assert "100,000 characters" in str(err.value)
    assert customers.count_customers(db) == 0


def test_edit_with_a_stale_version_is_refused(db, sales, customer):
    data = CustomerInput(name=customer.name, credit_limit="3000000", currency="HKD", credit_rating="A")
    updated = customers.update_customer(db, sales, customer.id, customer.version, data)
    assert updated.credit_limit == 3000000
    with pytest.raises(ConcurrentEditError):
        customers.update_customer(db, sales, customer.id, customer.version, CustomerInput(name="Other"))
    assert customers.get_customer(db, customer.id).name == customer.name


def test_quality_clerk_cannot_edit_customers(db, make_user, customer):
    qc = make_user("quality", "clerk")
    with pytest.raises(PermissionDenied):
        customers.update_customer(db, qc, customer.id, customer.version, CustomerInput(name="X"))
