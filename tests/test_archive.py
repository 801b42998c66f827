"""The archive: versions, filing, search, paper location, retention, access requests, loans, the access log."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text as sql

from jewelryorders import clock
from jewelryorders.services.archive import filing, loans, requests
from jewelryorders.services.context import unit_of_work
from jewelryorders.services.documents import store_bytes
from jewelryorders.services.errors import GateError, PermissionDenied, ValidationError

from .conftest import TEST_TODAY


@pytest.fixture
def people(make_user):
    return {
        "keeper": make_user("archive", "clerk", "keeper"),
        "prod": make_user("production", "clerk", "worker"),
        "prod_head": make_user("production", "department_head", "prodhead"),
        "qual_head": make_user("quality", "department_head", "qualhead"),
        "boss": make_user("management", "manager", "boss"),
    }


@pytest.fixture
def contract_doc(db, sales, order_factory):
    order = order_factory()
    doc_id = filing.file_document(db, sales, category="signed_contract", content=b"%PDF-1.4 signed", file_name="HT-1.pdf",
                                  order_no=order.order_no, title="Signed contract HT-1 周大福", note="scan, 3 pages",
                                  cabinet="A", shelf="2", box="07")
    return order, doc_id


def test_a_reprint_is_a_new_version_and_the_old_one_is_superseded(db, sales, order_factory):
    order = order_factory()
    with unit_of_work(db) as s:
        first = store_bytes(s, sales, file_name="x.pdf", content=b"one", category="contract", order_id=order.id).id
    with unit_of_work(db) as s:
        second = store_bytes(s, sales, file_name="x.pdf", content=b"two", category="contract", order_id=order.id,
                             title="Contract")
    rows = filing.versions_of(db, first)
    assert [(r.doc_version, r.superseded) for r in rows] == [(2, False), (1, True)]
    assert rows[0].title == "Contract" and rows[1].title == "x.pdf"
    assert second.doc_version == 2


def test_filing_search_and_location(db, sales, people, contract_doc):
    order, doc_id = contract_doc
    row = filing.get_document_row(db, doc_id)
    assert row.location == "A / 2 / 07" and row.owner_department == "sales" and row.order_no == order.order_no
    assert [r.id for r in filing.search_documents(db, filing.DocumentFilter(search="周大福 HT-1"))] == [doc_id]
    assert [r.id for r in filing.search_documents(db, filing.DocumentFilter(search="3 pages"))] == [doc_id]
    assert filing.search_documents(db, filing.DocumentFilter(customer="Chow Tai"))[0].id == doc_id
    assert filing.count_documents(db, filing.DocumentFilter(category="ncr")) == 0
    assert filing.count_documents(db, filing.DocumentFilter(date_from=TEST_TODAY, date_to=TEST_TODAY)) == 1
    assert filing.count_documents(db, filing.DocumentFilter(date_to=TEST_TODAY - dt.timedelta(days=1))) == 0
    filing.set_location(db, people["keeper"], doc_id, "B", "1", "")
    assert filing.get_document_row(db, doc_id).location == "B / 1"
    with pytest.raises(PermissionDenied):
        filing.set_location(db, people["prod"], doc_id, "C", "", "")
    with pytest.raises(ValidationError):
        filing.file_document(db, sales, category="nonsense", content=b"x", file_name="a.txt")
    with pytest.raises(ValidationError):
        filing.file_document(db, sales, category="customer_letter", content=b"", file_name="a.txt")


def test_check_reports_an_altered_and_a_missing_file(db, sales, contract_doc):
    _order, doc_id = contract_doc
    assert filing.verify_documents(db)[1] == []
    with unit_of_work(db) as s:
        other = store_bytes(s, sales, file_name="l.txt", content=b"letter", category="customer_letter", order_id=None).id
    with db.engine.begin() as conn:
        conn.execute(sql("UPDATE document_blobs SET content = :c WHERE sha256 = (SELECT sha256 FROM documents "
                         "WHERE id = :i)"), {"c": b"%PDF-1.4 forged", "i": doc_id})
    if db.is_sqlite:  # a plain connection (foreign keys off, as a hand editing the file would be)
        import sqlite3

        con = sqlite3.connect(str(db.path))
        con.execute("DELETE FROM document_blobs WHERE sha256 = (SELECT sha256 FROM documents WHERE id = ?)", (other,))
        con.commit()
        con.close()
    else:
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE documents DROP CONSTRAINT fk_documents_sha256_document_blobs")
            conn.execute(sql("DELETE FROM document_blobs WHERE sha256 = (SELECT sha256 FROM documents WHERE id = :i)"),
                         {"i": other})
    checked, problems = filing.verify_documents(db)
    assert checked == 2
    assert {(p.document_id, p.problem) for p in problems} == {(doc_id, "altered"), (other, "missing")}
    assert "altered" in problems[0].describe() or "altered" in problems[1].describe()
    assert filing.verify_document(db, doc_id).problem == "altered"


def test_the_request_approval_grant_read_cycle(db, sales, people, contract_doc):
    _order, doc_id = contract_doc
    prod, head, keeper = people["prod"], people["prod_head"], people["keeper"]
    # The owner department and management read freely; a request of theirs is refused as needless.
    requests.open_document(db, sales, doc_id)
    requests.open_document(db, people["boss"], doc_id)
    with pytest.raises(ValidationError, match="without a request"):
        requests.request_access(db, sales, doc_id, "read", "check", TEST_TODAY)
    with pytest.raises(PermissionDenied, match="access request"):
        requests.open_document(db, prod, doc_id)
    with pytest.raises(ValidationError):
        requests.request_access(db, prod, doc_id, "read", "", TEST_TODAY - dt.timedelta(days=1))
    req = requests.request_access(db, prod, doc_id, "read", "check engraving text", TEST_TODAY + dt.timedelta(days=5))
    with pytest.raises(ValidationError, match="already asked"):
        requests.request_access(db, prod, doc_id, "read", "again", TEST_TODAY + dt.timedelta(days=5))
    assert [r.id for r in requests.requests_to_approve(db, head)] == [req]
    assert requests.requests_to_approve(db, people["qual_head"]) == []
    # Not the head of the requester's department: refused; the archive cannot grant before approval.
    with pytest.raises(PermissionDenied, match="not the head"):
        requests.decide_request(db, people["qual_head"], req, True)
    with pytest.raises(PermissionDenied):
        requests.decide_request(db, prod, req, True)
    with pytest.raises(GateError):
        requests.grant_request(db, keeper, req)
    with pytest.raises(ValidationError):
        requests.decide_request(db, head, req, False, "")  # a refusal needs its reason
    requests.decide_request(db, head, req, True)
    assert [n.status for n in requests.notifications(db, prod)] == ["approved"]
    with pytest.raises(PermissionDenied):
        requests.open_document(db, prod, doc_id)  # approved but not yet granted
    with pytest.raises(PermissionDenied):
        requests.grant_request(db, prod, req)
    requests.grant_request(db, keeper, req)
    notes = requests.notifications(db, prod)
    assert [n.status for n in notes] == ["granted"]
    requests.mark_seen(db, prod, [n.id for n in notes])
    assert requests.notifications(db, prod) == []
    info, content = requests.open_document(db, prod, doc_id)
    assert content == b"%PDF-1.4 signed"
    log = requests.access_log(db, keeper, TEST_TODAY, TEST_TODAY)
    assert [(e.username, e.action) for e in log] == [("sales1", "open"), ("boss", "open"), ("worker", "open")]
    assert log[-1].purpose == "check engraving text" and log[-1].request_no == f"AR-{req:05d}"
    with pytest.raises(PermissionDenied):
        requests.access_log(db, prod)
    # After the approved period the document is closed again.
    clock.set_fixed(TEST_TODAY + dt.timedelta(days=6))
    with pytest.raises(PermissionDenied):
        requests.open_document(db, prod, doc_id)


def test_a_refusal_with_reason_notifies_the_requester(db, people, contract_doc):
    _order, doc_id = contract_doc
    req = requests.request_access(db, people["prod"], doc_id, "read", "curious", TEST_TODAY)
    requests.decide_request(db, people["prod_head"], req, False, "not needed for your work")
    row = requests.get_request(db, req)
    assert row.status == "refused" and row.decision_reason == "not needed for your work" and row.unseen
    with pytest.raises(GateError):
        requests.decide_request(db, people["prod_head"], req, True)


def test_a_department_heads_request_is_decided_by_management(db, people, contract_doc):
    _order, doc_id = contract_doc
    req = requests.request_access(db, people["prod_head"], doc_id, "read", "audit", TEST_TODAY)
    with pytest.raises(PermissionDenied):
        requests.decide_request(db, people["prod_head"], req, True)
    assert [r.id for r in requests.requests_to_approve(db, people["boss"])] == [req]
    requests.decide_request(db, people["boss"], req, True)


def test_borrowing_hand_out_overdue_and_return(db, sales, people, contract_doc):
    _order, doc_id = contract_doc
    prod, head, keeper = people["prod"], people["prod_head"], people["keeper"]
    req = requests.request_access(db, prod, doc_id, "borrow", "show to the customer", TEST_TODAY + dt.timedelta(days=2))
    with pytest.raises(GateError):
        loans.hand_out(db, keeper, req)
    requests.decide_request(db, head, req, True, "ok")
    requests.grant_request(db, keeper, req)
    with pytest.raises(PermissionDenied):
        loans.hand_out(db, prod, req)
    with pytest.raises(ValidationError, match="not on loan"):
        loans.return_document(db, keeper, doc_id)
    loan_id = loans.hand_out(db, keeper, req)
    with pytest.raises(GateError):
        loans.hand_out(db, keeper, req)
    assert loans.overdue_loans(db) == []
    clock.set_fixed(TEST_TODAY + dt.timedelta(days=5))
    overdue = loans.overdue_loans(db)
    assert [(r.id, r.days_overdue, r.borrower_username) for r in overdue] == [(loan_id, 3, "worker")]
    loans.return_document(db, keeper, doc_id, "complete")
    assert loans.overdue_loans(db) == []
    assert requests.get_request(db, req).status == "closed"
    with pytest.raises(ValidationError, match="not on loan"):
        loans.return_document(db, keeper, doc_id)
    actions = [e.action for e in requests.access_log(db, keeper)]
    assert actions == ["borrow", "return"]


def test_documents_past_retention_are_listed_for_a_decision_never_deleted(db, sales, people, order_factory):
    with unit_of_work(db) as s:
        old = store_bytes(s, sales, file_name="old.png", content=b"img", category="package_labels", order_id=None).id
    assert filing.past_retention(db) == []
    clock.set_fixed(TEST_TODAY + dt.timedelta(days=365 * 3))
    assert [r.id for r in filing.past_retention(db)] == [old]
    with pytest.raises(ValidationError):
        filing.decide_retention(db, people["keeper"], old, keep_until=clock.today(), reason="x")
    filing.decide_retention(db, people["keeper"], old, keep_until=clock.today() + dt.timedelta(days=30),
                            reason="customer dispute")
    assert filing.past_retention(db) == []
    clock.set_fixed(TEST_TODAY + dt.timedelta(days=365 * 3 + 40))
    assert [r.id for r in filing.past_retention(db)] == [old]
    filing.decide_retention(db, people["keeper"], old, dispose=True, reason="retention over")
    assert filing.past_retention(db) == []
    assert filing.get_document_row(db, old).removed


def test_the_demo_has_documents_of_every_category_requests_and_loans(tmp_path):
    from jewelryorders.db import open_database
    from jewelryorders.demo import build_demo
    from jewelryorders.models.documents import DOCUMENT_CATEGORIES

    db = open_database("sqlite:///" + str(tmp_path / "demo.db"))
    try:
        result = build_demo(db, n_orders=60, seed=3)
        assert any(n.startswith("Archive:") for n in result.notes), result.notes
        with db.read_session() as s:
            categories = {c for (c,) in s.execute(sql("SELECT DISTINCT category FROM documents"))}
        assert categories == set(DOCUMENT_CATEGORIES)
        statuses = {r.status for r in requests.list_requests(db)}
        assert {"pending", "approved", "refused", "granted", "closed"} <= statuses
        assert len(loans.overdue_loans(db)) == 1
        assert filing.verify_documents(db)[1] == []
    finally:
        db.close()
