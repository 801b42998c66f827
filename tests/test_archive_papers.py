"""The archive's papers: the dossier (zh/en), access request and borrowing forms, the access log workbook."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest

from jewelryorders.cli.main import main
from jewelryorders.services.archive import dossier, filing, loans, papers, requests
from jewelryorders.services.errors import PermissionDenied
from jewelryorders.services.planning import plans, sheets

from .conftest import TEST_TODAY
from .planning_support import contracted, factory  # noqa: F401  (fixtures)


def _text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_dossier_holds_every_record_of_the_order_in_both_languages(db, factory, contracted, tmp_path):  # noqa: F811
    from jewelryorders.services.orders.intake import get_order

    order = get_order(db, contracted())
    plan = plans.propose_plan(db, factory.planner, order.id)
    plans.release_plan(db, factory.planner, plan.id)
    sheets.print_task_sheets(db, factory.planner, tmp_path / "sheets.pdf", order=order.order_no)
    from jewelryorders.services import users

    users.create_user(db, users.authenticate(db, "admin", "admin-pass"), "keeper", "Keeper 林", "archive", "clerk",
                      "password1")
    keeper = users.authenticate(db, "keeper", "password1")
    en = dossier.print_dossier(db, keeper, order.order_no, tmp_path / "d-en.pdf", lang="en")
    text = _text(en)
    for words in ("Order dossier", order.order_no, "Order intake", "Review rounds", "Contract", "Production plan",
                  "Task sheets", "Filed documents", "Timeline of the order", "SHA-256"):
        assert words in text, words
    zh = dossier.print_dossier(db, keeper, order.order_no, tmp_path / "d-zh.pdf", lang="zh_TW")
    assert "訂單檔案" in _text(zh) or "檔案" in _text(zh)
    docs = filing.search_documents(db, filing.DocumentFilter(category="dossier"))
    assert [d.doc_version for d in docs] == [2, 1] and docs[1].superseded
    with pytest.raises(PermissionDenied):
        dossier.print_dossier(db, factory.planner, order.order_no, tmp_path / "x.pdf", lang="en")
    assert not (tmp_path / "x.pdf").exists()


def test_sections_can_be_registered_by_a_later_part(db, sales, order_factory, tmp_path):
    from jewelryorders.reports.dossier import DossierRows

    order = order_factory()
    dossier.register_section("zz_test", "Inspections", lambda s, o, lang: DossierRows(["No."], [("FQC-1",)]), 60)
    try:
        dossier.print_dossier(db, sales, order.order_no, tmp_path / "d.pdf", lang="en")
    finally:
        dossier.SECTIONS.pop("zz_test")
    assert "FQC-1" in _text(tmp_path / "d.pdf")


def test_forms_and_the_access_log_workbook(db, sales, make_user, order_factory, tmp_path):
    order = order_factory()
    keeper = make_user("archive", "clerk", "keeper")
    worker = make_user("production", "clerk", "worker")
    head = make_user("production", "department_head", "head")
    doc = filing.file_document(db, sales, category="signed_contract", content=b"%PDF-1.4", file_name="c.pdf",
                               order_no=order.order_no, cabinet="A", shelf="1", box="3")
    req = requests.request_access(db, worker, doc, "borrow", "show the customer", TEST_TODAY + dt.timedelta(days=3))
    requests.decide_request(db, head, req, True)
    requests.grant_request(db, keeper, req)
    loan = loans.hand_out(db, keeper, req)
    for lang in ("en", "zh_TW"):
        path = papers.print_loan_form(db, keeper, loan, tmp_path / f"loan-{lang}.pdf", lang=lang)
        text = _text(path)
        assert f"AR-{req:05d}" in text and "A/1/3" in text.replace(" ", "")
    assert "Borrowing form" in _text(tmp_path / "loan-en.pdf")
    assert "借閱" in _text(tmp_path / "loan-zh_TW.pdf")
    loans.return_document(db, keeper, doc)
    out = tmp_path / "log.xlsx"
    assert papers.export_access_log(db, keeper, out, "zh_TW", TEST_TODAY, TEST_TODAY) == 2
    from openpyxl import load_workbook

    ws = load_workbook(out).active
    rows = list(ws.iter_rows(values_only=True))
    assert ws.freeze_panes == "A4" and ws.auto_filter.ref.startswith("A3")
    assert isinstance(rows[3][0], dt.datetime) and rows[3][2] == "worker"
    assert [r[3] for r in rows[3:]] == ["借出", "歸還"] or len(rows[3:]) == 2


def test_cli_prints_the_dossier_and_exports_the_log(db, sales, make_user, order_factory, tmp_path, capsys,
                                                     monkeypatch):
    if not db.is_sqlite:
        pytest.skip("the command line opens a file")
    order = order_factory()
    make_user("archive", "clerk", "keeper")
    monkeypatch.setenv("JEWELRYORDERS_PASSWORD", "password1")
    assert main(["--db", str(db.path), "--user", "keeper", "print", "dossier", order.order_no, "--out",
                 str(tmp_path / "d.pdf")]) == 0
    assert main(["--db", str(db.path), "--user", "keeper", "export", "access-log", "--from", "2026-11-01",
                 "--to", "2026-11-30", "--out", str(tmp_path / "log.xlsx")]) == 0
    assert (tmp_path / "d.pdf").exists() and (tmp_path / "log.xlsx").exists()
