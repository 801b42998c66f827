"""The Archive tab: a requester, a department head and the archive keeper run the request → approval → grant →
reading → borrowing → return cycle in the GUI; the keeper is told of overdue loans."""

from __future__ import annotations

import datetime as dt

import pytest

from jewelryorders import clock
from jewelryorders.services.archive import filing, loans
from jewelryorders.ui import operations
from jewelryorders.ui.archive import common as archive_tab
from jewelryorders.ui.archive.tab import SCOPE_APPROVE, SCOPE_GRANT, ArchiveTab
from jewelryorders.ui.context import EventBus, UiContext

from .conftest import TEST_TODAY


@pytest.fixture
def errors(monkeypatch):
    found: list[str] = []
    monkeypatch.setattr(operations, "show_error", lambda parent, exc: found.append(str(exc)))
    return found


@pytest.fixture
def told(monkeypatch):
    found: list[str] = []
    monkeypatch.setattr(archive_tab, "inform", lambda parent, title, text: found.append(text))
    return found


def _tab(qtbot, db, actor) -> ArchiveTab:
    tab = ArchiveTab(UiContext(db, actor, "金福珠寶廠", EventBus()))
    qtbot.addWidget(tab)
    tab.resize(1366, 700)
    return tab


def _select(view, model, predicate) -> None:
    for row in range(model.rowCount()):
        if predicate(model.row_at(row)):
            view.selectRow(row)
            return
    raise AssertionError("row not found")


def test_request_approval_grant_reading_borrowing_and_return_in_the_gui(qtbot, db, sales, make_user, order_factory,
                                                                        errors, told, monkeypatch, tmp_path):
    order = order_factory()
    keeper = make_user("archive", "clerk", "keeper")
    worker = make_user("production", "clerk", "worker")
    head = make_user("production", "department_head", "prodhead")
    png = tmp_path / "design.png"
    from PySide6.QtGui import QColor, QImage

    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(QColor("gold"))
    image.save(str(png))

    # Sales files a scanned contract with its paper location, from the tab.
    sales_tab = _tab(qtbot, db, sales)
    monkeypatch.setattr(archive_tab, "ask_filing", lambda parent: {
        "path": str(png), "category": "signed_contract", "order_no": order.order_no, "title": "簽署合同 HT-9",
        "note": "", "cabinet": "A", "shelf": "2", "box": "5"})
    sales_tab.documents.buttons["file"].click()
    assert errors == []
    docs = sales_tab.documents
    docs.search.setText("HT-9")
    docs.refresh()
    assert [r.title for r in docs.model.rows] == ["簽署合同 HT-9"]
    doc_id = docs.model.rows[0].id

    # The worker cannot open it; asks to read it, and to borrow the paper.
    worker_tab = _tab(qtbot, db, worker)
    worker_tab.documents.refresh()
    worker_tab.documents.select_document(doc_id)
    worker_tab.documents.buttons["open"].click()
    assert errors and "access request" in errors.pop()
    until = (TEST_TODAY + dt.timedelta(days=3)).isoformat()
    monkeypatch.setattr(archive_tab, "ask_request", lambda parent, title: ("read", "check the engraving", until))
    worker_tab.documents.buttons["request"].click()
    monkeypatch.setattr(archive_tab, "ask_request", lambda parent, title: ("borrow", "show the customer", until))
    worker_tab.documents.buttons["request"].click()
    assert errors == []
    worker_tab.requests.refresh()
    assert [r.status for r in worker_tab.requests.model.rows] == ["pending", "pending"]

    # The head of production approves both (one with the GUI's reason dialog for a refusal tried first).
    head_tab = _tab(qtbot, db, head)
    head_tab.requests.set_scope(SCOPE_APPROVE)
    assert len(head_tab.requests.model.rows) == 2
    for _ in range(2):
        head_tab.requests.table.selectRow(0)
        head_tab.requests.buttons["approve"].click()
    assert errors == [] and head_tab.requests.model.rows == []

    # The archive keeper grants both; the worker is notified.
    keeper_tab = _tab(qtbot, db, keeper)
    keeper_tab.requests.set_scope(SCOPE_GRANT)
    for _ in range(2):
        _select(keeper_tab.requests.table, keeper_tab.requests.model, lambda r: r.status == "approved")
        keeper_tab.requests.buttons["grant"].click()
    assert errors == []
    worker_tab.requests.refresh()
    assert "Granted" in worker_tab.requests.notice.text()
    worker_tab.tabs.setCurrentWidget(worker_tab.requests)  # seeing the list marks the decisions read
    worker_tab.requests.refresh()
    assert worker_tab.requests.notice.text() == ""

    # The worker now reads the document (the picture is previewed); the access is logged.
    worker_tab.documents.refresh()
    worker_tab.documents.select_document(doc_id)
    worker_tab.documents.buttons["open"].click()
    assert errors == []
    assert worker_tab.documents.preview.pixmap() is not None and not worker_tab.documents.preview.pixmap().isNull()
    printed: list = []
    monkeypatch.setattr(archive_tab, "open_with_system", printed.append)
    worker_tab.documents.buttons["print"].click()
    assert printed and printed[0].read_bytes() == png.read_bytes()

    # The keeper hands the paper out; later it is overdue, shown to the keeper; the keeper records its return.
    keeper_tab.requests.refresh()
    _select(keeper_tab.requests.table, keeper_tab.requests.model, lambda r: r.kind == "borrow")
    keeper_tab.requests.buttons["hand_out"].click()
    assert errors == []
    clock.set_fixed(TEST_TODAY + dt.timedelta(days=6))
    from jewelryorders.ui.archive.startup import start_notices

    notes = start_notices(keeper_tab.ctx)
    assert any("overdue" in n for n in notes)
    keeper_tab.loans.only_open.setCurrentIndex(1)
    assert [r.borrower for r in keeper_tab.loans.model.rows] == ["Worker"]
    keeper_tab.loans.table.selectRow(0)
    keeper_tab.loans.return_button.click()
    assert errors == [] and keeper_tab.loans.model.rows == []
    keeper_tab.loans.return_button.click()  # nothing selected: nothing happens
    # Returning a paper that is not on loan is refused plainly.
    with pytest.raises(Exception, match="not on loan"):
        loans.return_document(db, keeper, doc_id)
    keeper_tab.safety.refresh()
    actions = [r.action for r in keeper_tab.safety.log_model.rows]
    assert sorted(actions) == ["borrow", "open", "print", "return"]
    # Verify hash from the tab.
    keeper_tab.documents.refresh()
    keeper_tab.documents.select_document(doc_id)
    keeper_tab.documents.buttons["verify"].click()
    assert "matches" in told[-1]
    assert filing.verify_document(db, doc_id) is None


def test_the_tab_fits_and_reads_in_chinese(qtbot, db, sales, order_factory, tmp_path):
    from jewelryorders.i18n import set_language

    filing.file_document(db, sales, category="customer_letter", content=b"Dear", file_name="letter.txt",
                         title="客戶來信")
    set_language("zh_TW")
    try:
        tab = _tab(qtbot, db, sales)
        tab.documents.refresh()
        tab.documents.table.selectRow(0)
        tab.show()
        tab.grab().save(str(tmp_path / "archive_zh.png"))
        assert tab.tabs.tabText(0) != "Documents"
        assert tab.minimumSizeHint().width() <= 1366
    finally:
        set_language("en")


def test_a_damaged_database_is_offered_the_newest_good_backup_at_start(qtbot, tmp_path, monkeypatch):
    from jewelryorders.db import open_database
    from jewelryorders.services import users
    from jewelryorders.services.archive import backups
    from jewelryorders.ui import app as app_module
    from jewelryorders.ui.archive import startup

    path = tmp_path / "factory.db"
    db = open_database("sqlite:///" + str(path))
    users.setup_factory(db, "F", "admin", "admin-pass", "en")
    made = backups.auto_backup(db, "daily")
    assert made is not None
    db.close()
    damaged = bytearray(path.read_bytes())
    damaged[:16] = b"garbage garbage!"
    path.write_bytes(bytes(damaged))
    offered: list[str] = []
    monkeypatch.setattr(startup, "ask_restore", lambda parent, message, backup: offered.append(message) or True)
    monkeypatch.setattr(startup, "_restore_with_admin", lambda parent, backup, target: backups.restore(
        backup, target, username="admin", password="admin-pass"))
    db = app_module.open_or_explain(app_module.sqlite_url(path))
    try:
        assert db is not None and offered and "not a jewelryorders database" in offered[0]
        assert users.get_setting(db, "factory_name") == "F"
        assert [p for p in tmp_path.iterdir() if ".damaged-" in p.name]
    finally:
        db.close()
    # A deleted database: offered too.
    for p in list(tmp_path.iterdir()):
        if p.name.startswith("factory.db"):
            p.unlink()
    offered.clear()
    db = app_module.open_or_explain(app_module.sqlite_url(path))
    try:
        assert offered and "missing" in offered[0]
        assert users.get_setting(db, "factory_name") == "F"
    finally:
        db.close()


def test_back_up_now_and_restore_from_the_tab(qtbot, db, admin, sales, order_factory, errors, told, monkeypatch,
                                              tmp_path):
    if not db.is_sqlite:
        pytest.skip("backups are of SQLite files")
    from jewelryorders.db import automatic_backups
    from jewelryorders.services.orders.intake import OrderFilter
    from jewelryorders.services.orders import reads

    order_factory()
    tab = _tab(qtbot, db, admin)
    tab.safety.buttons["backup"].click()
    assert errors == []
    [backup] = automatic_backups(db.path)
    order_factory()
    assert len(reads.query_list_orders(db, OrderFilter(), offset=0, limit=10)) == 2
    monkeypatch.setattr(archive_tab.QFileDialog, "getOpenFileName", lambda *a, **k: (str(backup), ""))
    monkeypatch.setattr(archive_tab, "confirm", lambda parent, title, text: True)
    monkeypatch.setattr(archive_tab, "ask_password", lambda parent, user: "admin-pass")
    with qtbot.waitSignal(tab.safety.sig_restored, timeout=5000):
        tab.safety.buttons["restore"].click()
    assert errors == [] and "restored" in told[-1]
    assert len(reads.query_list_orders(db, OrderFilter(), offset=0, limit=10)) == 1
    assert any("before-restore" in p.name for p in automatic_backups(db.path))
    # A clerk sees neither button.
    clerk_tab = _tab(qtbot, db, sales)
    assert clerk_tab.safety.buttons["restore"].isHidden() and clerk_tab.safety.buttons["backup"].isHidden()
