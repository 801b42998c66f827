"""Filing other documents, where paper originals are kept, browsing and full-text search, hash checks, retention."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, or_, select

from ... import clock
from ...db import Database
from ...i18n import LazyText, _
from ...models.customers import Customer
from ...models.documents import DOCUMENT_CATEGORIES, RETENTION_YEARS, Document, DocumentBlob
from ...models.orders import Order
from ...models.users import Setting, User
from .. import audit
from ..context import Actor, read_session, unit_of_work
from ..documents import read_file_for_store, store_bytes
from ..errors import NotFound, ValidationError
from ..permissions import require
from ..validation import Problems, parse_date, text
from .common import owner_department

LOCATION_MAX = 40


@dataclass(frozen=True)
class ArchiveRow:
    id: int
    category: str
    title: str
    file_name: str
    doc_version: int
    superseded: bool
    order_id: int | None
    order_no: str
    customer_name: str
    uploaded_at: dt.datetime
    uploaded_by: str
    size: int
    sha256: str
    location: str
    owner_department: str
    removed: bool


@dataclass(frozen=True)
class DocumentFilter:
    search: str = ""
    category: str | None = None
    order_no: str = ""
    customer: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    include_superseded: bool = True
    include_removed: bool = False


def _document(s, document_id: int) -> Document:
    doc = s.get(Document, document_id)
    if doc is None:
        raise NotFound(_("Document {id} does not exist.", id=document_id))
    return doc


def _order_id(s, order_no: str) -> int | None:
    if not order_no:
        return None
    order_id = s.scalar(select(Order.id).where(Order.order_no == order_no.strip()))
    if order_id is None:
        raise ValidationError(_("There is no order {order_no}.", order_no=order_no), "order_no")
    return order_id


def file_document(db: Database, actor: Actor, *, category: str, path: str | Path | None = None,
                  content: bytes | None = None, file_name: str = "", order_no: str = "", title: str = "",
                  note: str = "", cabinet: str = "", shelf: str = "", box: str = "") -> int:
    """A user files another document (a scanned signed contract, a customer letter) with a category; returns its id."""
    require(actor, "archive.file")
    problems = Problems()
    if not isinstance(category, str) or category not in DOCUMENT_CATEGORIES:
        problems.add("category", _("Choose a category for the document."))
    title = text(problems, "title", _("Title"), title, max_len=255)
    note = text(problems, "note", _("Note"), note, max_len=2000)
    place = [text(problems, f, label, v, max_len=LOCATION_MAX) for f, label, v in
             (("cabinet", _("Cabinet"), cabinet), ("shelf", _("Shelf"), shelf), ("box", _("Box"), box))]
    if path is not None:
        file_name, content = read_file_for_store(path)
    if not isinstance(content, bytes) or not file_name or not isinstance(file_name, str):
        problems.add("file", _("Choose the file to file."))
    elif not content:
        problems.add("file", _("The file {file} is empty (0 bytes); nothing to file.", file=file_name))
    problems.raise_if_any()
    with unit_of_work(db) as s:
        doc = store_bytes(s, actor, file_name=file_name, content=content, category=category,
                          order_id=_order_id(s, order_no), title=title, note=note)
        doc.cabinet, doc.shelf, doc.box = place
        return doc.id


def set_location(db: Database, actor: Actor, document_id: int, cabinet: str, shelf: str, box: str) -> None:
    """Where the signed paper original is kept: cabinet, shelf and box (档案柜)."""
    require(actor, "archive.keep")
    problems = Problems()
    place = [text(problems, f, label, v, max_len=LOCATION_MAX) for f, label, v in
             (("cabinet", _("Cabinet"), cabinet), ("shelf", _("Shelf"), shelf), ("box", _("Box"), box))]
    problems.raise_if_any()
    with unit_of_work(db) as s:
        doc = _document(s, document_id)
        before = {"cabinet": doc.cabinet, "shelf": doc.shelf, "box": doc.box}
        doc.cabinet, doc.shelf, doc.box = place
        audit.record(s, actor, "locate_document", "document", doc.id,
                     LazyText("paper of {file} kept at {place}", file=doc.file_name, place=" / ".join(place)),
                     before, {"cabinet": place[0], "shelf": place[1], "box": place[2]}, order_id=doc.order_id)


def _filtered(stmt, f: DocumentFilter):
    if not f.include_removed:
        stmt = stmt.where(Document.removed.is_(False))
    if not f.include_superseded:
        stmt = stmt.where(Document.superseded.is_(False))
    if f.category:
        stmt = stmt.where(Document.category == f.category)
    if f.order_no.strip():
        stmt = stmt.where(Order.order_no.ilike(f"%{f.order_no.strip()}%"))
    if f.customer.strip():
        like = f"%{f.customer.strip()}%"
        stmt = stmt.where(or_(Customer.name.ilike(like), Customer.code.ilike(like), Customer.name_en.ilike(like)))
    if f.date_from:
        stmt = stmt.where(Document.uploaded_at >= _day_start(f.date_from))
    if f.date_to:
        stmt = stmt.where(Document.uploaded_at < _day_start(f.date_to + dt.timedelta(days=1)))
    for word in f.search.split():
        like = f"%{word}%"
        stmt = stmt.where(or_(Document.title.ilike(like), Document.file_name.ilike(like), Document.note.ilike(like),
                              Order.order_no.ilike(like), Customer.name.ilike(like), Document.sha256.ilike(like),
                              Document.cabinet.ilike(like), Document.box.ilike(like)))
    return stmt


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0)).astimezone(dt.timezone.utc)


def _base():
    return (select(Document, Order.order_no, Customer.name, User.display_name)
            .outerjoin(Order, Order.id == Document.order_id).outerjoin(Customer, Customer.id == Order.customer_id)
            .outerjoin(User, User.id == Document.uploaded_by_id))


def _row(d: Document, order_no, customer, by) -> ArchiveRow:
    return ArchiveRow(d.id, d.category, d.title or d.file_name, d.file_name, d.doc_version, bool(d.superseded),
                      d.order_id, order_no or "", customer or "", d.uploaded_at, by or "", d.size, d.sha256,
                      " / ".join(p for p in (d.cabinet, d.shelf, d.box) if p), owner_department(d.category),
                      bool(d.removed))


SORT_COLUMNS = {"uploaded_at": Document.uploaded_at, "title": Document.title, "category": Document.category,
                "order_no": Order.order_no, "id": Document.id}


def search_documents(db: Database, f: DocumentFilter = DocumentFilter(), *, offset: int = 0, limit: int = 200,
                     sort: str = "uploaded_at", descending: bool = True) -> list[ArchiveRow]:
    """Browse by category, order, customer and period; full-text over titles and metadata (SQL, paged)."""
    column = SORT_COLUMNS.get(sort, Document.uploaded_at)
    stmt = _filtered(_base(), f).order_by(column.desc() if descending else column.asc(), Document.id.desc())
    with read_session(db) as s:
        return [_row(*r) for r in s.execute(stmt.offset(offset).limit(limit))]


def count_documents(db: Database, f: DocumentFilter = DocumentFilter()) -> int:
    stmt = _filtered(select(func.count(Document.id)).select_from(Document).outerjoin(
        Order, Order.id == Document.order_id).outerjoin(Customer, Customer.id == Order.customer_id), f)
    with read_session(db) as s:
        return int(s.scalar(stmt) or 0)


def get_document_row(db: Database, document_id: int) -> ArchiveRow:
    with read_session(db) as s:
        r = s.execute(_base().where(Document.id == document_id)).first()
        if r is None:
            raise NotFound(_("Document {id} does not exist.", id=document_id))
        return _row(*r)


def versions_of(db: Database, document_id: int) -> list[ArchiveRow]:
    """Every version of the paper a document belongs to, newest first."""
    with read_session(db) as s:
        d = _document(s, document_id)
        stmt = _base().where(Document.order_id == d.order_id, Document.category == d.category,
                             Document.file_name == d.file_name).order_by(Document.doc_version.desc())
        return [_row(*r) for r in s.execute(stmt)]


# ---- hash checks ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DocumentProblem:
    document_id: int
    file_name: str
    order_no: str
    problem: str  # "missing" or "altered"

    def describe(self) -> str:
        if self.problem == "missing":
            return _("Document {id} {file} ({order_no}): its stored file is missing.", id=self.document_id,
                     file=self.file_name, order_no=self.order_no or "—")
        return _("Document {id} {file} ({order_no}): its stored file was altered (SHA-256 does not match).",
                 id=self.document_id, file=self.file_name, order_no=self.order_no or "—")


def verify_document(db: Database, document_id: int) -> DocumentProblem | None:
    """Check one document's stored file against its SHA-256; None when it matches."""
    with read_session(db) as s:
        d = _document(s, document_id)
        order_no = s.scalar(select(Order.order_no).where(Order.id == d.order_id)) if d.order_id else ""
        return _check(s, d.id, d.file_name, order_no or "", d.sha256)


def _check(s, doc_id: int, file_name: str, order_no: str, sha: str) -> DocumentProblem | None:
    content = s.scalar(select(DocumentBlob.content).where(DocumentBlob.sha256 == sha))
    if content is None:
        return DocumentProblem(doc_id, file_name, order_no, "missing")
    if hashlib.sha256(bytes(content)).hexdigest() != sha:
        return DocumentProblem(doc_id, file_name, order_no, "altered")
    return None


def verify_documents(db: Database) -> tuple[int, list[DocumentProblem]]:
    """Every stored document against its hash: (documents checked, problems). Each file content is hashed once."""
    problems: list[DocumentProblem] = []
    with read_session(db) as s:
        rows = s.execute(select(Document.id, Document.file_name, Order.order_no, Document.sha256)
                         .outerjoin(Order, Order.id == Document.order_id).order_by(Document.id)).all()
        verdict: dict[str, str | None] = {}
        for doc_id, name, order_no, sha in rows:
            if sha not in verdict:
                found = _check(s, doc_id, name, order_no or "", sha)
                verdict[sha] = found.problem if found else None
            if verdict[sha]:
                problems.append(DocumentProblem(doc_id, name, order_no or "", verdict[sha]))
    return len(rows), problems


# ---- retention ---------------------------------------------------------------------------------------------------

def retention_years(db: Database) -> dict[str, int]:
    """Years per category (setting "retention.<category>" overrides the default)."""
    years = dict(RETENTION_YEARS)
    with read_session(db) as s:
        for key, value in s.execute(select(Setting.key, Setting.value).where(Setting.key.like("retention.%"))):
            category = key.split(".", 1)[1]
            if category in years and value.strip().isdigit():
                years[category] = int(value)
    return years


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def past_retention(db: Database, limit: int = 1000) -> list[ArchiveRow]:
    """Documents kept longer than their category's retention (and not kept on by a decision): for the keeper."""
    today = clock.today()
    years = retention_years(db)
    rows: list[ArchiveRow] = []
    with read_session(db) as s:
        for category, n in years.items():
            cutoff = _day_start(_years_before(today, n))
            stmt = (_base().where(Document.category == category, Document.removed.is_(False),
                                  Document.uploaded_at < cutoff,
                                  or_(Document.keep_until.is_(None), Document.keep_until < today))
                    .order_by(Document.uploaded_at).limit(limit))
            rows.extend(_row(*r) for r in s.execute(stmt))
    return sorted(rows, key=lambda r: r.uploaded_at)[:limit]


def decide_retention(db: Database, actor: Actor, document_id: int, *, keep_until: object = None,
                     dispose: bool = False, reason: str = "") -> None:
    """The keeper's decision on a document past retention: keep it until a date, or dispose of it (it leaves the
    lists, the record and its audit stay). Nothing is ever deleted without this decision."""
    require(actor, "archive.keep")
    problems = Problems()
    reason = text(problems, "reason", _("Reason"), reason, required=True, max_len=1000)
    until = None
    if not dispose:
        until = parse_date(problems, "keep_until", _("Keep until"), keep_until, required=True)
        if until is not None and until <= clock.today():
            problems.add("keep_until", _("Keep until must be a day after today."))
    problems.raise_if_any()
    with unit_of_work(db) as s:
        doc = _document(s, document_id)
        if dispose:
            doc.removed = True
            msg = LazyText("{file} disposed of after its retention period: {reason}", file=doc.file_name,
                           reason=reason)
        else:
            doc.keep_until = until
            msg = LazyText("{file} kept until {day}: {reason}", file=doc.file_name, day=until.isoformat(),
                           reason=reason)
        audit.record(s, actor, "retention_decision", "document", doc.id, msg, None,
                     {"removed": doc.removed, "keep_until": doc.keep_until}, order_id=doc.order_id)
