"""The archive's papers: the access request and borrowing forms (filed when printed) and the access log workbook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select

from ... import clock
from ...db import Database
from ...i18n import tr
from ...models.archive import ACCESS_ACTIONS, REQUEST_STATUSES, Loan
from ...models.documents import DOCUMENT_CATEGORIES, Document
from ...models.users import DEPARTMENTS, User
from ..context import Actor, read_session, unit_of_work
from ..documents import store_bytes
from ..errors import NotFound
from ..users import get_setting
from .requests import access_log, get_request


def _form_data(db: Database, request_id: int, lang: str):
    from ...reports.archive_forms import AccessFormPaper

    r = get_request(db, request_id)
    with read_session(db) as s:
        doc = s.get(Document, r.document_id)
        loan = s.scalar(select(Loan).where(Loan.request_id == r.id))
        keeper = s.get(User, loan.handed_out_by_id).display_name if loan else ""
        return doc.order_id, AccessFormPaper(
        factory_name=get_setting(db, "factory_name") or "", form_no=r.number, kind=r.kind,
        document_title=r.document_title, category=tr(DOCUMENT_CATEGORIES[r.category], lang), order_no=r.order_no,
        version=doc.doc_version, sha256=doc.sha256,
        location=" / ".join(x for x in (doc.cabinet, doc.shelf, doc.box) if x), requester=r.requester,
        department=tr(DEPARTMENTS[r.requester_department], lang), purpose=r.purpose, until=r.until,
        requested_at=r.requested_at, status=tr(REQUEST_STATUSES[r.status], lang), decided_by=r.decided_by,
        decided_at=r.decided_at, decision_reason=r.decision_reason, granted_by=r.granted_by, granted_at=r.granted_at,
        handed_out_by=keeper, handed_out_at=loan.handed_out_at if loan else None,
        due_date=loan.due_date if loan else None, returned_at=loan.returned_at if loan else None)


def _print_and_file(db: Database, actor: Actor, data, order_id, out: Path, lang: str, category: str,
                    file_name: str, title: str, printed_at: dt.datetime | None) -> Path:
    from ...reports.archive_forms import write_access_form

    out = Path(out)
    write_access_form(data, out, lang=lang, printed_by=actor.display_name, printed_at=printed_at or clock.now())
    with unit_of_work(db) as s:
        store_bytes(s, actor, file_name=file_name, content=out.read_bytes(), category=category, order_id=order_id,
                    title=title)
    return out


def print_request_form(db: Database, actor: Actor, request_id: int, out: str | Path, *, lang: str,
                       printed_at: dt.datetime | None = None) -> Path:
    """The access request form (or borrowing form for a borrow request) as a PDF, filed in the archive."""
    order_id, data = _form_data(db, request_id, lang)
    category = "loan_form" if data.kind == "borrow" else "access_request"
    return _print_and_file(db, actor, data, order_id, Path(out), lang, category, f"{data.form_no}.pdf",
                           f"{tr(DOCUMENT_CATEGORIES[category], lang)} {data.form_no} · {data.document_title}",
                           printed_at)


def print_loan_form(db: Database, actor: Actor, loan_id: int, out: str | Path, *, lang: str,
                    printed_at: dt.datetime | None = None) -> Path:
    with read_session(db) as s:
        loan = s.get(Loan, loan_id)
        if loan is None:
            raise NotFound(tr("Loan {id} does not exist.", lang, id=loan_id))
        request_id = loan.request_id
    return print_request_form(db, actor, request_id, out, lang=lang, printed_at=printed_at)


def export_access_log(db: Database, actor: Actor, path: str | Path, lang: str, date_from: dt.date | None = None,
                      date_to: dt.date | None = None) -> int:
    """The access log of a period to Excel; the number of entries written."""
    from ...reports.archive_log_xlsx import LogSheetRow, write_access_log_xlsx

    rows = access_log(db, actor, date_from, date_to)
    period = f"{date_from.isoformat() if date_from else '…'} – {date_to.isoformat() if date_to else '…'}"
    return write_access_log_xlsx(path, (LogSheetRow(r.at, r.display_name, r.username, tr(ACCESS_ACTIONS[r.action], lang),
                                                    r.document_id, r.document_title,
                                                    tr(DOCUMENT_CATEGORIES.get(r.category, r.category), lang),
                                                    r.order_no, r.purpose, r.request_no) for r in rows),
                                 factory_name=get_setting(db, "factory_name") or "", lang=lang, period=period)
