"""Crash safety of the later parts (issue 9): a child process saving ledger finishes with their weights, failed
inspections that open an NCR, shipments with their packages, filed archive documents, or handing out and taking
back paper originals is killed (SIGKILL) at random moments. After each kill the file is sound; at the end every
record is whole or absent (with its audit event, its packages or NCR, its stage move), every save the child reported
is there, and `check` passes. An order import killed in the middle of its short write transaction leaves no order."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import sqlite3
import time
from typing import Callable

import pytest
from sqlalchemy import func, select

from jewelryorders import clock
from jewelryorders.cli.main import main
from jewelryorders.models.audit import AuditEvent
from jewelryorders.models.delivery import Package, Shipment
from jewelryorders.models.archive import Loan
from jewelryorders.models.documents import Document
from jewelryorders.models.ledger import LedgerEntry
from jewelryorders.models.orders import Order
from jewelryorders.models.quality import Inspection, Ncr
from jewelryorders.services import audit
from jewelryorders.services.archive import filing, loans
from jewelryorders.services.archive import requests as archive_requests
from jewelryorders.services.delivery import shipments
from jewelryorders.services.delivery.shipments import PackageInput, ShipmentInput
from jewelryorders.services.ledger import entries as ledger
from jewelryorders.services.planning import checklist as planning_checklist
from jewelryorders.services.planning import plans as planning
from jewelryorders.services.quality import inspections
from jewelryorders.services.quality.inspections import InspectionInput

from .conftest import TEST_TODAY
from .delivery_support import quality_stand_in, ready_order  # noqa: F401  (fixtures)
from .planning_support import MONDAY, contracted, factory  # noqa: F401,F811  (fixtures)
from .test_quality import good_values, qworld  # noqa: F401  (fixture)

KILLS = 20
INSPECTIONS = 100  # the saves the child makes in all (it stops there; the last run ends the work)
DOCUMENTS = 80
pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="kills a forked child process (POSIX)")


@pytest.fixture
def sqlite_db(db):
    if not db.is_sqlite:
        pytest.skip("kills a process writing a SQLite file")
    return db


def _read_until_ready(fd: int) -> bytes:
    data = b""
    while b"READY\n" not in data:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        data += chunk
    return data


def _read_all(fd: int, start: bytes) -> str:
    chunks = [start]
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    return b"".join(chunks).decode()


def _kill_repeatedly(db, work: Callable[[Callable[[str], None]], None], kills: int = KILLS, seed: int = 9
                     ) -> list[str]:
    """Fork a child that runs `work` (which reports each save after its commit) and kill it at a random moment,
    `kills` times; then let it run to the end once. Returns every save reported."""
    rng = random.Random(seed)
    reported: list[str] = []
    killed = 0
    for kill in range(kills + 1):
        last = kill == kills
        read_fd, write_fd = os.pipe()
        db.engine.dispose()  # no connection crosses the fork
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child never returns
            os.close(read_fd)
            try:
                with db.read_session() as s:  # connect and load the schema before the parent starts its clock
                    s.scalar(select(func.count()).select_from(AuditEvent))
                os.write(write_fd, b"READY\n")
                work(lambda line: os.write(write_fd, f"{line}\n".encode()))
            except BaseException as exc:  # noqa: BLE001 - reported to the parent, which fails the test
                os.write(write_fd, f"ERROR {type(exc).__name__}: {exc}\n".encode()[:500])
            finally:
                os._exit(0)
        os.close(write_fd)
        started = _read_until_ready(read_fd)
        if not last:
            time.sleep(rng.uniform(0.002, 0.150))
            os.kill(pid, signal.SIGKILL)
        _pid, status = os.waitpid(pid, 0)
        killed += os.WIFSIGNALED(status)
        lines = [line for line in _read_all(read_fd, started).splitlines() if line != "READY"]
        os.close(read_fd)
        assert not [line for line in lines if line.startswith("ERROR")], lines
        reported += lines
        con = sqlite3.connect(db.path)  # SQLite recovers the killed writer's half-done transaction on the next open
        try:
            assert con.execute("PRAGMA quick_check").fetchall() == [("ok",)], f"damaged after kill {kill}"
        finally:
            con.close()
    # The work is finite (each run goes on where the last stopped), so the last kills may find it done; most must not.
    assert killed >= kills // 4, f"only {killed} of {kills} kills landed while the child was saving"
    return reported


def _events(s, entity: str, action: str) -> list[int]:
    return sorted(s.scalars(select(AuditEvent.entity_id).where(AuditEvent.entity == entity,
                                                               AuditEvent.action == action)))


def _check_passes(db, capsys) -> None:
    chain = audit.verify_chain(db)
    assert chain.ok, chain.problems  # every save's audit event committed with it, the anchor never ahead
    assert audit.verify_records(db).ok
    db.engine.dispose()
    assert main(["--db", str(db.path), "check"]) == 0, capsys.readouterr().out


# ---- progress ledger: start and finish with weights; the last step moves the order to final QC ----------------------

def test_ledger_finishes_survive_sigkill_whole_or_not_at_all(sqlite_db, factory, contracted, capsys):
    db = sqlite_db
    sheets, order_ids = [], []
    for _ in range(3):
        order_id = contracted(quantity=20)
        plan = planning.release_plan(db, factory.planner, planning.propose_plan(db, factory.planner, order_id,
                                                                                today=MONDAY).id, today=MONDAY)
        planning_checklist.set_checklist_item(db, factory.planner, order_id, "equipment", done=True)
        planning_checklist.set_checklist_item(db, factory.technical, order_id, "tooling", done=True)
        planning_checklist.set_checklist_item(db, factory.purchasing, order_id, "materials", done=True)
        sheets += [step.sheet_no for step in sorted(plan.steps, key=lambda st: st.seq)]
        order_ids.append(order_id)
    worker = factory.worker

    base = clock.now() - dt.timedelta(days=3)

    def work(report):
        for i, no in enumerate(sheets):  # each step started and finished in its own two hours, in order
            info = ledger.open_sheet(db, no)
            if info.state == "done":
                continue
            if info.state != "in_progress":
                ledger.record_start(db, worker, no, at=base + dt.timedelta(hours=2 * i))
            made = ledger.record_finish(db, worker, no, ledger.FinishInput(
                20, 0, "10.5", "9.8", "0.55", at=base + dt.timedelta(hours=2 * i + 1)))
            report(made.entry_no)

    reported = _kill_repeatedly(db, work)
    with db.read_session() as s:
        entries = {e.entry_no: e for e in s.scalars(select(LedgerEntry).where(LedgerEntry.kind == "finish"))}
        assert set(reported) <= set(entries), "a finish reported committed was lost"
        assert len(entries) == len(sheets)  # the last run finished every step, once
        for e in entries.values():
            assert (e.issued_mg, e.returned_mg, e.in_piece_mg, e.loss_mg) == (10500, 9800, 550, 150)
        assert _events(s, "ledger_entry", "ledger_finish") == sorted(e.id for e in entries.values())
        starts = list(s.scalars(select(LedgerEntry.id).where(LedgerEntry.kind == "start")))
        assert _events(s, "ledger_entry", "ledger_start") == sorted(starts) and len(starts) == len(sheets)
        for order_id in order_ids:
            order = s.get(Order, order_id)
            assert order.stage == "final_qc"
            moves = s.scalar(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.entity == "order", AuditEvent.entity_id == order_id, AuditEvent.action == "stage"))
            assert moves >= 2  # into production with its first step, to final QC with its last
    assert all(ledger.open_sheet(db, no).state == "done" for no in sheets)
    _check_passes(db, capsys)


# ---- quality: a failed first article opens an NCR in the same transaction ----------------------------------------

def test_failed_inspections_and_their_ncrs_survive_sigkill_whole_or_not_at_all(sqlite_db, qworld, capsys):
    db, q = sqlite_db, qworld
    values = good_values(q, Weight=("4.5", q.scale))

    def work(report):
        for _ in range(INSPECTIONS):
            made = inspections.record_inspection(db, q.worker, InspectionInput(
                "fai", q.product_std.id, values, task_sheet_id=q.sheets["Casting"], quantity=1))
            report(f"{made.inspection_no} {made.ncr_no}")

    reported = _kill_repeatedly(db, lambda report: work(report) if not _done(db) else None)
    with db.read_session() as s:
        pairs = dict(s.execute(select(Inspection.inspection_no, Ncr.ncr_no)
                               .join(Ncr, Ncr.inspection_id == Inspection.id, isouter=True)).all())
        assert all(pairs.values()), "a failed inspection without its NCR"
        assert {line.split()[0]: line.split()[1] for line in reported}.items() <= pairs.items()
        ids = sorted(s.scalars(select(Inspection.id)))
        assert _events(s, "inspection", "inspect") == ids
        assert _events(s, "ncr", "open") == sorted(s.scalars(select(Ncr.id)))
        assert len(ids) >= len(reported) > 0
    _check_passes(db, capsys)


def _done(db) -> bool:
    with db.read_session() as s:
        return (s.scalar(select(func.count()).select_from(Inspection)) or 0) >= INSPECTIONS


# ---- delivery: a shipment with its packages; the last one moves the order to shipped ------------------------------

def test_shipments_with_packages_survive_sigkill_whole_or_not_at_all(sqlite_db, ready_order, admin, capsys):
    db = sqlite_db
    orders = [ready_order(quantity=3) for _ in range(16)]
    lines = {o.id: shipments.open_lines(db, o.id)[0].line_id for o in orders}

    def work(report):
        for order in orders:
            with db.read_session() as s:
                if s.get(Order, order.id).stage != "ready_to_ship":
                    continue
            made = shipments.create_shipment(db, admin, ShipmentInput(
                order_id=order.id, quantities={lines[order.id]: 3},
                packages=[PackageInput("box 1", "50.5", "S-1"), PackageInput("box 2", "20", "S-2")],
                carrier="SF", insured_value="1000", shipped_on=None))
            report(made.shipment_no)

    reported = _kill_repeatedly(db, work)
    with db.read_session() as s:
        shipped = {sh.shipment_no: sh for sh in s.scalars(select(Shipment))}
        assert set(reported) <= set(shipped)
        assert len(shipped) == len(orders)  # one whole shipment per order, none twice
        for sh in shipped.values():
            assert s.scalar(select(func.count()).select_from(Package).where(Package.shipment_id == sh.id)) == 2
        assert _events(s, "shipment", "ship") == sorted(sh.id for sh in shipped.values())
        for order in orders:
            assert s.get(Order, order.id).stage != "ready_to_ship"
    _check_passes(db, capsys)


# ---- archive: a filed document with its stored file --------------------------------------------------------------

def test_filed_documents_survive_sigkill_whole_or_not_at_all(sqlite_db, admin, capsys):
    db = sqlite_db

    def work(report):
        for i in range(DOCUMENTS):
            doc_id = filing.file_document(db, admin, category="customer_letter", content=os.urandom(20_000),
                                          file_name=f"letter-{i}.pdf", title=f"Letter {i}", cabinet="A",
                                          shelf="1", box="2")
            report(str(doc_id))

    reported = _kill_repeatedly(db, lambda report: work(report) if not _filed(db) else None)
    with db.read_session() as s:
        docs = sorted(s.scalars(select(Document.id)))
        assert {int(x) for x in reported} <= set(docs)
        assert _events(s, "document", "store_document") == docs
    _check_passes(db, capsys)  # check reads every stored file against its SHA-256


def test_archive_loans_survive_sigkill_whole_or_not_at_all(sqlite_db, admin, sales, make_user, capsys):
    """Hand-outs and returns of paper originals on granted borrowing requests."""
    db = sqlite_db
    asker = make_user("production", "clerk", "asker")
    head = make_user("production", "department_head", "prodhead")
    keeper = make_user("archive", "clerk", "keeper")
    granted = []
    for i in range(24):
        doc = filing.file_document(db, sales, category="signed_contract", content=b"%PDF-1.4 " + bytes([i]),
                                   file_name=f"HT-{i}.pdf", title=f"Contract {i}")
        req = archive_requests.request_access(db, asker, doc, "borrow", "show the customer",
                                              TEST_TODAY + dt.timedelta(days=3))
        archive_requests.decide_request(db, head, req, True, "ok")
        archive_requests.grant_request(db, keeper, req)
        granted.append((req, doc))

    def work(report):
        for req, doc in granted:
            with db.read_session() as s:
                loan = s.scalar(select(Loan).where(Loan.request_id == req))
                lent, returned = loan is not None, loan is not None and loan.returned_at is not None
            if not lent:
                report(f"OUT {loans.hand_out(db, keeper, req)}")
            if not returned:
                loans.return_document(db, keeper, doc, "back in box 07")
                report(f"BACK {req}")

    reported = _kill_repeatedly(db, work)
    with db.read_session() as s:
        all_loans = list(s.scalars(select(Loan)))
        assert len(all_loans) == len(granted) and all(loan.returned_at is not None for loan in all_loans)
        assert {int(line.split()[1]) for line in reported if line.startswith("OUT")} <= {loan.id for loan in all_loans}
        ids = sorted(loan.id for loan in all_loans)
        assert _events(s, "loan", "lend_document") == ids and _events(s, "loan", "return_document") == ids
    _check_passes(db, capsys)


def _filed(db) -> bool:
    with db.read_session() as s:
        return (s.scalar(select(func.count()).select_from(Document)) or 0) >= DOCUMENTS



# ---- order import: its one short write transaction is all or nothing -----------------------------------------------

@pytest.fixture(params=["foreseen keys", "keys read back"])
def sheet(request, sqlite_db, sales, tmp_path, monkeypatch):
    """The sheet, and the append_ready call that comes after some rows of the import are written: the first when
    the keys were foreseen (every row goes in before the events), the second when the insert goes batch by batch
    (nobody wrote meanwhile is the usual case; the other is forced)."""
    from jewelryorders.services import customers
    from jewelryorders.services.orders import importing as order_import

    from .test_order_import import HEADERS_ZH, good_rows, mapping_for, write_sheet

    customer = customers.create_customer(sqlite_db, sales, customers.CustomerInput(name="周大福珠寶", currency="HKD"))
    path = write_sheet(tmp_path / "po.xlsx", HEADERS_ZH, good_rows(customer.code))
    monkeypatch.setattr(order_import, "INSERT_BATCH", 1)  # two orders: two batches, the failure after the first
    if request.param == "keys read back":
        monkeypatch.setattr(order_import, "_plan_keys", lambda *a: None)
    return path, mapping_for(path), 1 if request.param == "foreseen keys" else 2


def _counts(db) -> tuple[int, int]:
    with db.read_session() as s:
        return (s.scalar(select(func.count()).select_from(Order)),
                s.scalar(select(func.count()).select_from(AuditEvent)))


def test_an_import_failing_in_the_middle_of_its_insert_leaves_nothing(sqlite_db, sales, sheet, monkeypatch, capsys):
    from jewelryorders.services.orders import importing as order_import

    db = sqlite_db
    *sheet, stop_at = sheet
    before = _counts(db)
    real, calls = audit.append_ready, []

    def second_batch_fails(*args, **kw):
        calls.append(1)
        if len(calls) == stop_at:
            raise RuntimeError("the disk is full")
        return real(*args, **kw)

    monkeypatch.setattr(audit, "append_ready", second_batch_fails)
    with pytest.raises(RuntimeError):
        order_import.run_import(db, sales, *sheet)
    assert len(calls) == stop_at and _counts(db) == before  # the first batch's order and events rolled back with it
    monkeypatch.setattr(audit, "append_ready", real)
    assert order_import.run_import(db, sales, *sheet).imported  # and the numbers and chain are as they were
    _check_passes(db, capsys)


def test_an_import_killed_in_its_write_transaction_leaves_nothing(sqlite_db, sales, sheet, capsys):
    from jewelryorders.services.orders import importing as order_import

    db = sqlite_db
    *sheet, stop_at = sheet
    before = _counts(db)
    read_fd, write_fd = os.pipe()
    db.engine.dispose()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child never returns
        os.close(read_fd)
        real, calls = audit.append_ready, []

        def stop_in_the_second_batch(*args, **kw):
            calls.append(1)
            if len(calls) == stop_at:  # rows are written, the transaction is open
                os.write(write_fd, b"INSIDE\n")
                time.sleep(60)
            return real(*args, **kw)

        audit.append_ready = stop_in_the_second_batch
        try:
            order_import.run_import(db, sales, *sheet)
        finally:
            os._exit(0)
    os.close(write_fd)
    assert os.read(read_fd, 100) == b"INSIDE\n"
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(read_fd)
    assert _counts(db) == before
    _check_passes(db, capsys)


def test_an_order_saved_between_the_check_and_the_insert_makes_the_import_read_its_keys_back(sqlite_db, sales, sheet,
                                                                                             monkeypatch, capsys):
    """The keys and numbers foreseen at the check no longer hold: the import numbers and reads back under the lock,
    and still writes what intake writes."""
    from jewelryorders.services.orders import importing as order_import
    from jewelryorders.services.orders import intake

    from .conftest import order_input

    db = sqlite_db
    *sheet, _stop_at = sheet
    real = order_import._insert_orders

    from jewelryorders.models.customers import Customer

    with db.read_session() as s:
        customer_id = s.scalar(select(Customer.id))

    def meanwhile(*args, **kw):
        intake.create_order(db, sales, order_input(customer_id))  # another workstation saves an order
        return real(*args, **kw)

    batches, real_batch = [], order_import._insert_batch
    monkeypatch.setattr(order_import, "_insert_orders", meanwhile)
    monkeypatch.setattr(order_import, "_insert_batch", lambda *a: batches.append(1) or real_batch(*a))
    result = order_import.run_import(db, sales, *sheet)
    assert len(batches) == 2  # numbered and keys read back, batch by batch
    assert result.imported and len({o.order_no for o in result.orders}) == 2, result.problems
    with db.read_session() as s:
        numbers = list(s.scalars(select(Order.order_no)))
        assert len(numbers) == len(set(numbers)) == 3
    _check_passes(db, capsys)
