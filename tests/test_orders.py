"""Order intake: numbers, validation of every field, drafts, submission, attachments, concurrent edits."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import func, select

from jewelryorders.models.orders import Order
from jewelryorders.services import audit, documents
from jewelryorders.services.orders import intake as orders
from jewelryorders.services.errors import ConcurrentEditError, GateError, PermissionDenied, ValidationError
from jewelryorders.services.orders.intake import LineInput, OrderInput, StoneInput

from .conftest import order_input


def _count(db) -> int:
    with db.read_session() as s:
        return s.scalar(select(func.count()).select_from(Order))


def test_order_numbers_are_generated_per_year_and_never_reused(db, sales, customer, order_factory):
    first = order_factory()
    second = order_factory()
    assert (first.order_no, second.order_no) == ("JO-2026-00001", "JO-2026-00002")
    orders.cancel_order(db, _head(db, sales), first.id, "customer withdrew")
    third = order_factory()
    assert third.order_no == "JO-2026-00003"
    next_year = orders.create_order(db, sales, order_input(customer.id, order_date=dt.date(2027, 1, 4),
                                                           delivery_date=dt.date(2027, 3, 1)))
    assert next_year.order_no == "JO-2027-00001"


def _head(db, sales):
    from jewelryorders.services import users

    admin = users.authenticate(db, "admin", "admin-pass")
    users.create_user(db, admin, "saleshead", "Sales Head", "sales", "department_head", "password1")
    return users.authenticate(db, "saleshead", "password1")


def test_weights_are_exact_milligrams_and_totals_exact_decimals(db, order_factory):
    view = order_factory(lines=2, quantity=3)
    assert view.lines[0].target_weight_mg == 3125
    assert str(view.total_amount) == "14280.00"
    assert view.total_quantity == 6
    assert view.lines[0].stones[0].carat.as_tuple().exponent == -3


@pytest.mark.parametrize("field,value,expected_field,words", [
    ("quantity", 0, "lines[1].quantity", "greater than zero"),
    ("quantity", -4, "lines[1].quantity", "greater than zero"),
    ("quantity", "2.5", "lines[1].quantity", "not a whole number"),
    ("target_weight_g", "1.2345", "lines[1].target_weight", "more than 3 decimals"),
    ("target_weight_g", "-1", "lines[1].target_weight", "greater than zero"),
    ("unit_price", "abc", "lines[1].unit_price", "not a number"),
    ("metal", "Au123", "lines[1].metal", "metal and fineness"),
    ("style_code", "", "lines[1].style_code", "required"),
    ("description", "x" * 100_000, "lines[1].description", "too long"),
])
def test_bad_line_values_name_the_line_and_field_and_save_nothing(db, sales, customer, field, value,
                                                                  expected_field, words):
    data = order_input(customer.id)
    setattr(data.lines[0], field, value)
    with pytest.raises(ValidationError) as err:
        orders.create_order(db, sales, data)
    assert expected_field in {p.field for p in err.value.problems}
    assert words in str(err.value) and "Line 1" in str(err.value)
    assert _count(db) == 0


def test_header_problems_are_all_reported_at_once(db, sales, customer):
    data = order_input(customer.id, order_date=dt.date(2026, 12, 1), delivery_date=dt.date(2026, 11, 1))
    data.channel = "carrier pigeon"
    data.special_requirements = "很" * 100_000
    with pytest.raises(ValidationError) as err:
        orders.create_order(db, sales, data)
    fields = {p.field for p in err.value.problems}
    assert fields == {"delivery_date", "channel", "special_requirements"}
    assert "before the order date" in str(err.value)


def test_unknown_customer_and_text_dates(db, sales):
    data = order_input(999_999)
    data.order_date = "31/12/2026"
    with pytest.raises(ValidationError) as err:
        orders.create_order(db, sales, data)
    msg = str(err.value)
    assert "Customer 999999 does not exist" in msg and "YYYY-MM-DD" in msg


def test_imported_duplicate_order_number_is_refused(db, sales, customer):
    data = order_input(customer.id)
    data.order_no = "CUST-778"
    orders.create_order(db, sales, data)
    with pytest.raises(ValidationError, match="already exists"):
        orders.create_order(db, sales, data)
    assert _count(db) == 1


def test_a_draft_may_be_incomplete_but_submission_names_what_is_missing(db, sales, order_factory):
    draft = order_factory(complete=False)
    assert draft.stage == "draft"
    with pytest.raises(ValidationError) as err:
        orders.submit_for_review(db, sales, draft.id, draft.version)
    msg = str(err.value)
    for words in ("delivery date", "delivery place", "Line 1: description", "Line 1: target weight (g)",
                  "Line 1: unit price"):
        assert words in msg
    assert orders.get_order(db, draft.id).stage == "draft"


def test_submit_moves_to_preliminary_review_and_freezes_nothing_else(db, sales, order_factory):
    o = order_factory()
    submitted = orders.submit_for_review(db, sales, o.id, o.version)
    assert submitted.stage == "preliminary_review" and submitted.submitted_at is not None
    with pytest.raises(GateError, match="already"):
        orders.submit_for_review(db, sales, o.id)


def test_two_workstations_editing_the_same_order(db, sales, customer, order_factory):
    o = order_factory()
    mine = order_input(customer.id, quantity=60)
    theirs = order_input(customer.id, quantity=70)
    orders.update_order(db, sales, o.id, o.version, mine)
    with pytest.raises(ConcurrentEditError, match="changed by someone else"):
        orders.update_order(db, sales, o.id, o.version, theirs)
    assert orders.get_order(db, o.id).lines[0].quantity == 60


def test_lines_can_be_replaced_when_editing(db, sales, customer, order_factory):
    o = order_factory(lines=3)
    data = order_input(customer.id, lines=1)
    data.lines.append(LineInput("P-PT-001", "Pt950", 5, description="Pt950 吊墜", target_weight_g="2.004",
                                unit_price="3999.9", stones=[StoneInput("ruby", 1, "0.5")]))
    updated = orders.update_order(db, sales, o.id, o.version, data)
    assert [l.style_code for l in updated.lines] == ["R-18K-001", "P-PT-001"]
    assert updated.lines[1].target_weight_mg == 2004


def test_attachments_are_stored_with_sha256(db, sales, customer, tmp_path):
    img = tmp_path / "ring design.png"
    img.write_bytes(b"\x89PNG fake image bytes for the store")
    cad = tmp_path / "ring.3dm"
    cad.write_bytes(b"rhino" * 100)
    o = orders.create_order(db, sales, order_input(customer.id), attachments=[img, cad])
    docs = documents.list_documents(db, o.id)
    assert {(d.file_name, d.category) for d in docs} == {("ring design.png", "design_image"), ("ring.3dm", "cad")}
    png = next(d for d in docs if d.file_name == "ring design.png")
    assert png.sha256 == hashlib.sha256(img.read_bytes()).hexdigest()
    info, content = documents.document_content(db, png.id)
    assert content == img.read_bytes()


def test_a_missing_attachment_file_saves_nothing(db, sales, customer, tmp_path):
    with pytest.raises(ValidationError, match="does not exist"):
        orders.create_order(db, sales, order_input(customer.id), attachments=[tmp_path / "gone.png"])
    assert _count(db) == 0


def test_production_clerk_cannot_create_orders(db, make_user, customer):
    prod = make_user("production", "clerk")
    with pytest.raises(PermissionDenied, match="may not create or edit orders"):
        orders.create_order(db, prod, order_input(customer.id))


def test_every_change_is_in_the_audit_trail(db, sales, order_factory):
    o = order_factory()
    orders.submit_for_review(db, sales, o.id, o.version)
    with db.read_session() as s:
        from jewelryorders.models.audit import AuditEvent

        actions = [e.action for e in s.scalars(select(AuditEvent).where(AuditEvent.order_id == o.id)
                                               .order_by(AuditEvent.id))]
    assert actions == ["create", "stage"]
    assert audit.verify_chain(db).ok


def test_list_filters_and_sorts_in_sql(db, sales, customer, order_factory):
    a = order_factory(delivery_date=dt.date(2027, 2, 1))
    b = order_factory(delivery_date=dt.date(2026, 12, 24))
    orders.submit_for_review(db, sales, a.id, a.version)
    f = orders.OrderFilter(stages=["preliminary_review"])
    assert [r.order_no for r in orders.query_orders(db, f)] == [a.order_no]
    f = orders.OrderFilter(sort="delivery_date", descending=False)
    assert [r.order_no for r in orders.query_orders(db, f)] == [b.order_no, a.order_no]
    assert orders.count_orders(db, orders.OrderFilter(search="周大福")) == 2
    assert orders.count_orders(db, orders.OrderFilter(date_field="delivery_date", date_to=dt.date(2026, 12, 31))) == 1
