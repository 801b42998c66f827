"""audit.append_ready (the order import's bulk append, issue 9): events whose texts were made before the write
transaction are chained and stored exactly as record() stores them (the same fields, the same hash format), in one
driver executemany, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from jewelryorders.i18n import LazyText
from jewelryorders.models.audit import AuditEvent, AuditHead
from jewelryorders.services import audit
from jewelryorders.services.context import unit_of_work


def _rows(db, first_id: int):
    with db.read_session() as s:
        return [(e.user_id, e.username, e.action, e.entity, e.entity_id, e.order_id, e.summary, e.message_id,
                 e.message_params, e.hash_format, e.before_json, e.after_json)
                for e in s.query(AuditEvent).filter(AuditEvent.id > first_id).order_by(AuditEvent.id)]


def _last_id(db) -> int:
    with db.read_session() as s:
        return s.query(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1).scalar() or 0


def test_append_ready_stores_what_record_stores(db, admin):
    afters = [{"id": i, "order_no": f"JO-2026-{i:05d}", "amount": Decimal("1.50"), "when": dt.date(2026, 11, 2),
               "text": "戒指\u0301 \"quoted\" \\ back"} for i in range(1, 6)]
    start = _last_id(db)
    with unit_of_work(db) as s:
        for i, after in enumerate(afters, start=1):
            audit.record(s, admin, "create", "order", None, LazyText("Order {order_no} created",
                                                                      order_no=after["order_no"]), None, after)
    one_by_one = _rows(db, start)
    middle = _last_id(db)
    ready = []
    for after in afters:
        text = LazyText("Order {order_no} created", order_no=after["order_no"])
        ready.append(audit.ReadyEvent(None, None, text.render(), text.params_json(), None, audit.dumps(after)))
    with unit_of_work(db) as s:
        audit.record(s, admin, "before", "test", None, "one by one first, in the same transaction")
        assert audit.append_ready(s, admin, "create", "order", "Order {order_no} created", ready) == 5
        audit.record(s, admin, "after", "test", None, "and one after")
    bulk = _rows(db, middle)
    assert bulk[1:-1] == one_by_one
    chain = audit.verify_chain(db)  # recomputes every hash from the stored fields, links each to the one before
    assert chain.ok, chain.problems
    with db.read_session() as s:
        head = s.get(AuditHead, 1)
        last = s.query(AuditEvent).order_by(AuditEvent.id.desc()).first()
        assert head.last_hash == last.hash and head.event_count == s.query(AuditEvent).count()
