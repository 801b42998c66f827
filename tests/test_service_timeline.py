"""An order's timeline from the audit trail: what a clerk reads about creation, changes, stages and attachments."""

from __future__ import annotations

import dataclasses
import datetime as dt

from .conftest import order_input
from jewelryorders.i18n import set_language
from jewelryorders.services.orders import intake as orders
from jewelryorders.services.orders import timeline


def texts(db, order_id, **kw):
    return [e.full_text for e in timeline.order_timeline(db, order_id, **kw)]


def test_creation_and_submission_read_newest_first_with_who(db, sales, customer, order_factory):
    order = order_factory(lines=2)
    orders.submit_for_review(db, sales, order.id)
    entries = timeline.order_timeline(db, order.id)
    assert [e.text for e in entries] == [
        "Stage Draft → Preliminary review — submitted for review",
        f"Order {order.order_no} created for 周大福珠寶 (2 lines, 100 pcs)",
    ]
    assert {e.who for e in entries} == {"Sales1"}  # the display name, not the login name
    assert entries[0].at >= entries[1].at
    assert entries[0].at.tzinfo is not None
    assert timeline.count_timeline(db, order.id) == 2


def test_a_change_is_told_field_by_field_and_line_by_line(db, sales, customer, order_factory):
    order = order_factory(lines=2)
    data = order_input(customer.id, lines=3)
    data.delivery_date = dt.date(2027, 2, 1)
    data.lines[1] = dataclasses.replace(data.lines[1], quantity=60, target_weight_g="3.5")
    orders.update_order(db, sales, order.id, order.version, data)
    newest = timeline.order_timeline(db, order.id, limit=1)[0]
    assert newest.text == "Order changed"
    assert "Delivery date: 2027-01-15 → 2027-02-01" in newest.details
    assert "Line 2: Quantity 50 → 60" in newest.details
    assert "Line 2: Target weight (g) 3.125 → 3.500" in newest.details
    assert "Line 3 added: R-18K-003 × 50" in newest.details
    # The version counter and derived totals are not news to the clerk.
    assert not any("version" in d.lower() or "total" in d.lower() for d in newest.details)


def test_attachments_stored_and_removed_appear(db, sales, customer, tmp_path):
    drawing = tmp_path / "ring-design.png"
    drawing.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 2048)
    order = orders.create_order(db, sales, order_input(customer.id), attachments=[drawing])
    from jewelryorders.services.documents import list_documents

    doc = list_documents(db, order.id)[0]
    orders.remove_attachment(db, sales, doc.id)
    got = texts(db, order.id)
    assert got[0] == "Attachment ring-design.png removed"
    assert got[1] == "Design image ring-design.png attached (2 KB)"
    assert got[2].startswith(f"Order {order.order_no} created")


def test_long_histories_come_in_pages_without_overlap(db, sales, customer, order_factory):
    order = order_factory()
    version = order.version
    for n in range(1, 26):
        data = order_input(customer.id, quantity=50 + n)
        version = orders.update_order(db, sales, order.id, version, data).version
    total = timeline.count_timeline(db, order.id)
    assert total == 26
    first = timeline.order_timeline(db, order.id, offset=0, limit=10)
    second = timeline.order_timeline(db, order.id, offset=10, limit=10)
    last = timeline.order_timeline(db, order.id, offset=20, limit=10)
    ids = [e.id for e in first + second + last]
    assert len(ids) == len(set(ids)) == 26
    assert ids == sorted(ids, reverse=True)
    assert "Line 1: Quantity 74 → 75" in first[0].details
    assert last[-1].text.startswith("Order ")


def test_other_orders_events_stay_out(db, sales, customer, order_factory):
    mine, other = order_factory(), order_factory()
    orders.submit_for_review(db, sales, other.id)
    assert len(timeline.order_timeline(db, mine.id)) == 1


def test_texts_follow_the_readers_language(db, sales, customer, order_factory):
    order = order_factory()
    orders.submit_for_review(db, sales, order.id)
    set_language("zh_TW")
    newest = timeline.order_timeline(db, order.id)[0]
    assert newest.text.startswith("階段 草稿 → 初步評審")


def test_long_text_changes_are_cut_to_one_readable_line(db, sales, customer, order_factory):
    order = order_factory()
    data = order_input(customer.id)
    data.special_requirements = "每件需附證書。" * 500
    orders.update_order(db, sales, order.id, order.version, data)
    detail = timeline.order_timeline(db, order.id, limit=1)[0].details[0]
    assert detail.startswith("Special requirements: 鑲石需牢固")
    assert len(detail) < 200 and detail.endswith("…")
