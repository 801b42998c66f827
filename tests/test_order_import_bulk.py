"""The import's short write transaction (issue 9): everything is checked and its rows built outside the write
transaction, then orders, lines, stones and audit events go in as multi-row INSERTs. What lands in the database is
what the order service's own path writes: the same rows, the same audit events chained the same way."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from jewelryorders.db import open_database
from jewelryorders.i18n import LazyText
from jewelryorders.models.audit import AuditEvent, AuditHead
from jewelryorders.models.orders import Order
from jewelryorders.services import audit, customers, users
from jewelryorders.services.context import unit_of_work
from jewelryorders.services.orders import importing as order_import
from jewelryorders.services.orders import intake as orders
from tests.test_order_import import HEADERS_ZH, good_rows, mapping_for, write_sheet


@pytest.fixture
def imported(db, sales, tmp_path):
    customer = customers.create_customer(db, sales, customers.CustomerInput(name="周大福珠寶", currency="HKD"))
    path = write_sheet(tmp_path / "po.xlsx", HEADERS_ZH, good_rows(customer.code))
    result = order_import.run_import(db, sales, path, mapping_for(path))
    assert result.imported and len(result.orders) == 2
    return result


def test_the_bulk_insert_writes_the_orders_lines_and_stones_of_the_sheet(db, imported):
    with db.read_session() as s:
        by_no = {o.order_no: o for o in s.query(Order).all()}
        assert set(by_no) == {o.order_no for o in imported.orders}
        a = next(o for o in by_no.values() if len(o.lines) == 3)
        b = next(o for o in by_no.values() if len(o.lines) == 1)
        assert [line.style_code for line in sorted(a.lines, key=lambda x: x.line_no)] == \
            ["R-18K-001", "P-PT-002", "E-925-003"]
        first = min(a.lines, key=lambda x: x.line_no)
        assert [(st.stone_count, st.carat) for st in first.stones] == [(12, Decimal("0.36"))]
        assert a.total_quantity == 170 and b.total_quantity == 5
        assert a.total_amount == Decimal("2380") * 50 + Decimal("1999.50") * 20 + Decimal("120") * 100
        assert a.version == 1 and a.stage == "draft" and a.priority == 3 and a.created_at is not None
        assert b.lines[0].stones == []


def test_each_imported_order_has_the_audit_event_the_order_service_would_write(db, imported):
    with db.read_session() as s:
        for order in s.query(Order).all():
            event = s.query(AuditEvent).filter_by(entity="order", entity_id=order.id, action="create").one()
            after = json.loads(event.after_json)
            expected = audit.snapshot(order, exclude=order_import.ORDER_SNAPSHOT_EXCLUDES)
            assert {k: v for k, v in after.items() if k != "lines"} == json.loads(audit.dumps(expected))
            assert len(after["lines"]) == len(order.lines) and event.order_id == order.id
            assert event.message_id == "Order {order_no} created" and order.order_no in event.summary
    assert audit.verify_chain(db).ok
    assert audit.verify_records(db).ok  # no record differs from the state its last audit event recorded


def test_record_many_writes_exactly_what_record_writes(tmp_path, admin, db):
    """The same events through the bulk path and the one-by-one path leave the same rows, each chained."""
    events = [audit.NewEvent("create", "order", i, LazyText("Order {order_no} created", order_no=f"JO-{i}"), None,
                             {"id": i, "amount": Decimal("1.50"), "when": dt.date(2026, 11, 2), "text": "戒指\u0301"},
                             order_id=i) for i in range(1, 6)]
    events.append(audit.NewEvent("import", "order", None, "plain text", {"a": 1}, None))

    def rows_of(database):
        with database.read_session() as s:
            head = s.get(AuditHead, 1)
            return ([(e.at, e.user_id, e.username, e.action, e.entity, e.entity_id, e.order_id, e.summary,
                      e.message_id, e.message_params, e.hash_format, e.before_json, e.after_json, e.prev_hash, e.hash)
                     for e in s.query(AuditEvent).order_by(AuditEvent.id)], (head.event_count, head.last_hash))

    other = open_database(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        # Both databases start from the same chain: copy the events the fixture's setup wrote.
        start_rows, _head = rows_of(db)
        one_by_one = db
        with unit_of_work(one_by_one) as s:
            for ev in events:
                audit.record(s, admin, ev.action, ev.entity, ev.entity_id, ev.summary, ev.before, ev.after,
                             order_id=ev.order_id)
        users.setup_factory(other, "F", "admin", "admin-pass", "en")
        bulk_admin = users.authenticate(other, "admin", "admin-pass")
        assert (bulk_admin.user_id, bulk_admin.username) == (admin.user_id, admin.username)
        with unit_of_work(other) as s:
            audit.record(s, bulk_admin, "before", "test", None, "an event added one by one first")
            assert audit.record_many(s, bulk_admin, events[:3]) == 3
            assert audit.record_many(s, bulk_admin, events[3:]) == 3
            audit.record(s, bulk_admin, "after", "test", None, "and one after")
        bulk_rows, (count, last_hash) = rows_of(other)
        single_rows, _ = rows_of(one_by_one)
        new_single = single_rows[len(start_rows):]
        new_bulk = bulk_rows[-(len(events) + 1):-1]
        # Every field but the time (the test clock steps a microsecond per reading) and the chain links (the chains
        # began differently) is the same; verify_chain recomputes each hash from the fields in the one format.
        assert [r[1:-2] for r in new_bulk] == [r[1:-2] for r in new_single]
        assert audit.verify_chain(other).ok and audit.verify_chain(one_by_one).ok
        assert count == len(bulk_rows) and last_hash == bulk_rows[-1][-1]
        assert [r[-2] for r in bulk_rows[1:]] == [r[-1] for r in bulk_rows[:-1]]  # each chained to the one before
    finally:
        other.close()


def test_a_refused_bulk_insert_leaves_no_row_and_no_event(db, sales, tmp_path):
    """The same PO imported twice: the second import is refused at the check, nothing is written."""
    customer = customers.create_customer(db, sales, customers.CustomerInput(name="周大福珠寶", currency="HKD"))
    path = write_sheet(tmp_path / "po.xlsx", HEADERS_ZH, good_rows(customer.code))
    assert order_import.run_import(db, sales, path, mapping_for(path)).imported
    with db.read_session() as s:
        events = s.query(AuditEvent).count()
    again = order_import.run_import(db, sales, path, mapping_for(path))
    assert not again.imported and again.problem_count
    assert orders.count_orders(db, orders.OrderFilter()) == 2
    with db.read_session() as s:
        assert s.query(AuditEvent).count() == events
