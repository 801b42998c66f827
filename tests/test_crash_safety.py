"""Crash safety: a process saving orders is killed (SIGKILL) at random moments; every reported save survives whole."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import time

import pytest
from sqlalchemy import func, select

from jewelryorders.db import Database, _sqlite_engine, open_database
from jewelryorders.models.orders import LineStone, Order, OrderLine
from jewelryorders.services import audit, customers, users
from jewelryorders.services.orders import intake as orders

from .conftest import order_input

KILLS = 200
LINES_PER_ORDER = 2

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="kills a forked child process (POSIX)")


def _saver(db: Database, actor, customer_id: int, out_fd: int) -> None:
    """The child: save orders one after another, reporting each order number only after its commit."""
    try:
        # The parent's engine (its statement cache warm, its pool empty): the child's own connections, no start-up
        # cost, so the kills land in the middle of saves. A first read connects and loads the schema.
        with db.read_session() as session:
            session.scalar(select(func.count()).select_from(Order))
        os.write(out_fd, b"READY\n")
        for _ in range(200):
            view = orders.create_order(db, actor, order_input(customer_id, lines=LINES_PER_ORDER))
            os.write(out_fd, f"{view.order_no}\n".encode())
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which fails the test
        os.write(out_fd, f"ERROR {type(exc).__name__}: {exc}\n".encode()[:500])
    finally:
        os._exit(0)


def _read_until_ready(fd: int) -> bytes:
    data = b""
    while b"READY\n" not in data:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        data += chunk
    return data


def _read_all(fd: int, start: bytes = b"") -> str:
    chunks = [start]
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            return b"".join(chunks).decode()
        chunks.append(chunk)


def test_orders_survive_sigkill_at_random_moments_whole_or_not_at_all(tmp_path):
    path = tmp_path / "crash.db"
    url = f"sqlite:///{path}"
    db = open_database(url)
    users.setup_factory(db, "Factory", "admin", "admin-pass", "en")
    admin = users.authenticate(db, "admin", "admin-pass")
    users.create_user(db, admin, "sales1", "Sales", "sales", "clerk", "password1")
    sales = users.authenticate(db, "sales1", "password1")
    customer = customers.create_customer(db, sales, customers.CustomerInput(name="A Ltd", currency="HKD"))
    db.close()
    shared = Database(_sqlite_engine(url), url)
    orders.create_order(shared, sales, order_input(customer.id, lines=LINES_PER_ORDER))  # warm: children inherit it

    rng = random.Random(9)
    reported: list[str] = []
    killed_mid_run = 0
    for kill in range(KILLS):
        read_fd, write_fd = os.pipe()
        shared.engine.dispose()  # no connection crosses the fork
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child never returns
            os.close(read_fd)
            _saver(shared, sales, customer.id, write_fd)
        os.close(write_fd)
        started = _read_until_ready(read_fd)  # the database is open: the child saves from now on
        time.sleep(rng.uniform(0.002, 0.100))
        os.kill(pid, signal.SIGKILL)
        _pid, status = os.waitpid(pid, 0)
        killed_mid_run += os.WIFSIGNALED(status)
        lines = [line for line in _read_all(read_fd, started).splitlines() if line != "READY"]
        os.close(read_fd)
        assert not [line for line in lines if line.startswith("ERROR")], lines
        reported += lines
        con = sqlite3.connect(path)  # SQLite recovers the killed writer's half-done transaction on the next open
        try:
            assert con.execute("PRAGMA quick_check").fetchall() == [("ok",)], f"damaged after kill {kill}"
        finally:
            con.close()
    assert killed_mid_run > KILLS * 0.9  # the kills landed while the child was working, not after it finished
    assert len(reported) >= 20  # and saves were reported committed in between (how many depends on the load)

    shared.close()
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    con.close()
    db = open_database(url)
    try:
        with db.read_session() as s:
            saved = set(s.scalars(select(Order.order_no)))
            assert set(reported) <= saved, "a save reported committed was lost"
            lines_per_order = dict(s.execute(select(OrderLine.order_id, func.count()).group_by(OrderLine.order_id)).all())
            orders_ids = list(s.scalars(select(Order.id)))
            assert all(lines_per_order.get(i) == LINES_PER_ORDER for i in orders_ids), "an order was half-written"
            stones = s.scalar(select(func.count()).select_from(LineStone))
            assert stones == len(orders_ids) * LINES_PER_ORDER
        chain = audit.verify_chain(db)
        assert chain.ok, chain.problems  # every save's audit event committed with it, the anchor never ahead
        assert chain.events_checked >= len(saved)
        assert audit.verify_records(db).ok
    finally:
        db.close()
