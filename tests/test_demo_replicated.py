"""A big demo lives a core of orders through the services and replicates the rest of its history: the copies must be
as sound as lived orders — `check` passes (hash chain, each audited record against its last event), numbers are
unique and follow the services' numbering, dates lie further in the past, and a copy opens in the services."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
from sqlalchemy import func, select

from jewelryorders import clock
from jewelryorders.cli.main import main
from jewelryorders.db import open_database
from jewelryorders.demo import build_demo
from jewelryorders.demo.replicate import HISTORY_STAGES, owned_tables
from jewelryorders.models.audit import AuditEvent
from jewelryorders.models.ledger import LedgerEntry
from jewelryorders.models.orders import Order, OrderLine
from jewelryorders.models.planning import TaskSheet
from jewelryorders.models.reviews import Contract
from jewelryorders.services import audit, users
from jewelryorders.services.orders.intake import get_order
from jewelryorders.services.orders.timeline import count_timeline, order_timeline

from .conftest import TEST_TODAY

N_ORDERS, LIVED = 90, 55
OPEN_STAGES = ["draft", "preliminary_review", "negotiating", "escalated", "detailed_review", "contracted", "planned",
               "in_production"]


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """A demo of N_ORDERS orders of which only LIVED are lived through the services (the rest replicated)."""
    saved = users.SCRYPT_N
    users.SCRYPT_N = 2**10
    path = tmp_path_factory.mktemp("demo-replicated") / "demo.db"
    db = open_database("sqlite:///" + str(path))
    try:
        with clock.frozen(TEST_TODAY):
            result = build_demo(db, n_orders=N_ORDERS, seed=7, lived_core=LIVED)
    finally:
        users.SCRYPT_N = saved
    yield db, result, path
    db.close()


def _copies(s):
    """The replicated orders: those whose order number came after the last order lived (by id)."""
    return list(s.scalars(select(Order).where(Order.id > LIVED).order_by(Order.id)))


def test_check_passes_on_a_demo_with_replicated_history(big, capsys):
    db, result, path = big
    assert audit.verify_chain(db).ok
    records = audit.verify_records(db)
    assert records.ok, records.problems[:5]
    assert main(["--db", str(path), "check"]) == 0, capsys.readouterr().out


def test_the_copies_are_history_and_the_stages_keep_a_factorys_spread(big):
    db, result, _path = big
    assert result.orders == N_ORDERS and sum(result.stages.values()) == N_ORDERS
    with db.read_session() as s:
        copies = _copies(s)
        assert len(copies) == N_ORDERS - LIVED
        assert {o.stage for o in copies} <= set(HISTORY_STAGES)
    for stage in OPEN_STAGES:
        assert result.stages.get(stage, 0) >= 1, stage
    behind = sum(result.stages.get(stage, 0) for stage in HISTORY_STAGES)
    assert behind > N_ORDERS / 2
    assert result.stages["delivered"] == max(result.stages.values())


def test_numbers_are_unique_and_follow_the_services_numbering(big):
    db, _result, _path = big
    with db.read_session() as s:
        orders = list(s.execute(select(Order.order_no, Order.order_date)))
        assert len({no for no, _d in orders}) == N_ORDERS
        for no, day in orders:
            m = re.fullmatch(r"JO-(\d{4})-(\d{5})", no)
            assert m and int(m.group(1)) == day.year, (no, day)
        for column in (TaskSheet.sheet_no, LedgerEntry.entry_no, Contract.contract_no):
            values = list(s.scalars(select(column)))
            assert len(values) == len(set(values)), column
        # A copy's contract number follows its own order number, as the lived ones do.
        for order_no, contract_no in s.execute(select(Order.order_no, Contract.contract_no)
                                               .join(Contract, Contract.order_id == Order.id)):
            assert contract_no == "HT-" + order_no.removeprefix("JO-")


def test_a_copy_lies_in_the_past_with_its_own_rows_and_opens_like_a_lived_order(big):
    db, _result, _path = big
    now = clock.now()
    with db.read_session() as s:
        copy = next(o for o in _copies(s) if o.stage == "delivered")
        order_id, order_no, order_date = copy.id, copy.order_no, copy.order_date
        lines = s.scalar(select(func.count()).select_from(OrderLine).where(OrderLine.order_id == order_id))
        events = list(s.execute(select(AuditEvent.at, AuditEvent.summary).where(AuditEvent.order_id == order_id)))
        sheets = list(s.scalars(select(TaskSheet.sheet_no).where(TaskSheet.order_id == order_id)))
    assert lines >= 1 and sheets and len(events) > 10
    assert all(at < now for at, _summary in events)
    assert order_date <= TEST_TODAY - dt.timedelta(days=30)
    # Every text of its history names the copy, never the order it was copied from.
    assert all(set(re.findall(r"JO-\d{4}-\d{5}", summary or "")) <= {order_no} for _at, summary in events)
    view = get_order(db, order_id)
    assert view.order_no == order_no and view.lines
    assert count_timeline(db, order_id) == len(events)
    timeline = order_timeline(db, order_id, limit=500)
    assert len(timeline) == len(events)
    assert any(order_no in entry.full_text or any(n in entry.full_text for n in sheets) for entry in timeline)


def test_the_copied_tables_are_read_from_the_metadata():
    names = {t.name for t in owned_tables()}
    assert {"orders", "order_lines", "plan_steps", "task_sheets", "ledger_entries", "inspections", "shipments",
            "contracts", "review_opinions", "documents"} <= names
    assert not names & {"lots", "stock_movements", "purchase_orders", "after_sales_cases"}
    # the same shape of history as the lived ones: a copy has the rows its source had
    assert Counter(t.name for t in owned_tables())["orders"] == 1


def test_step_finishes_carry_the_metal_weighed_mostly_within_the_allowance(big):
    """The history driver records each step's finish through the ledger with metal issued, returned and left in
    the pieces, so the dashboard's metal-loss figures have data; a few losses are over the allowance, with a reason."""
    db, _result, _path = big
    with db.read_session() as s:
        finishes = list(s.execute(select(LedgerEntry.issued_mg, LedgerEntry.returned_mg, LedgerEntry.in_piece_mg,
                                         LedgerEntry.loss_mg, LedgerEntry.allowance_mg, LedgerEntry.over_allowance,
                                         LedgerEntry.loss_reason).where(LedgerEntry.kind == "finish")))
    weighed = [f for f in finishes if f.issued_mg > 0]  # (a reversal is written with the weights negated)
    assert len(weighed) > 0.8 * len(finishes) > 50
    for f in weighed:
        assert f.issued_mg == f.returned_mg + f.in_piece_mg + f.loss_mg and f.loss_mg >= 0
        assert f.over_allowance == (f.loss_mg > f.allowance_mg)
        if f.over_allowance:
            assert f.loss_reason
    over = sum(f.over_allowance for f in weighed)
    assert 0 < over < 0.2 * len(weighed)


def test_the_copies_time_stamps_are_stored_as_the_dialect_stores_them(big):
    """The copies' rows go to the driver after bind processing; the time stamps' quick processing writes the same
    text as the dialect's own (a lived and a copied event's moment read back alike)."""
    import random

    from jewelryorders.demo.replicate import _fast

    db, _result, _path = big
    table = AuditEvent.__table__
    columns = list(audit._EVENT_COLUMNS)
    own = audit.bind_processors(db.engine.dialect, table, columns)
    quick = _fast(table, columns, own)
    rng = random.Random(3)
    at = columns.index("at")
    for _i in range(200):
        moment = dt.datetime(2020, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=rng.randint(-11, 12)))) + dt.timedelta(
            seconds=rng.randint(0, 10**8), microseconds=rng.choice([0, rng.randint(0, 999_999)]))
        assert quick[at](moment) == (own[at](moment) if own[at] else moment)
    with db.read_session() as s:
        lived, copied = (s.scalar(select(AuditEvent).where(cond).order_by(AuditEvent.id).limit(1))
                         for cond in (AuditEvent.order_id <= LIVED, AuditEvent.order_id > LIVED))
        assert lived.at.tzinfo is not None and copied.at.tzinfo is not None
        raw = s.execute(select(func.length(table.c.at)).where(table.c.id.in_([lived.id, copied.id]))).scalars().all()
        assert len(set(raw)) == 1
