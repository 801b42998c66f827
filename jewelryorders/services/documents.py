"""The document store: files copied into the database by SHA-256, listed per order, read back to open."""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
import datetime as dt
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..db import Database
from ..i18n import LazyText, _
from ..models.documents import DOCUMENT_CATEGORIES, Document, DocumentBlob
from . import audit
from .context import Actor, read_session
from .errors import NotFound, ValidationError

MAX_FILE_BYTES = 200 * 1024 * 1024
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff"}
CAD_SUFFIXES = {".3dm", ".stl", ".obj", ".step", ".stp", ".iges", ".igs", ".dxf", ".dwg", ".jcd", ".mgx"}


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    order_id: int | None
    category: str
    file_name: str
    mime_type: str
    size: int
    sha256: str
    doc_version: int
    uploaded_at: dt.datetime
    title: str = ""
    superseded: bool = False
    cabinet: str = ""
    shelf: str = ""
    box: str = ""
    note: str = ""

    @property
    def location(self) -> str:
        """Where the paper original is kept: cabinet / shelf / box, as filled in."""
        return " / ".join(p for p in (self.cabinet, self.shelf, self.box) if p)

    @property
    def is_pdf(self) -> bool:
        return Path(self.file_name).suffix.lower() == ".pdf"

    @property
    def is_image(self) -> bool:
        return Path(self.file_name).suffix.lower() in IMAGE_SUFFIXES


def _info(d: Document) -> DocumentInfo:
    return DocumentInfo(d.id, d.order_id, d.category, d.file_name, d.mime_type, d.size, d.sha256, d.doc_version,
                        d.uploaded_at, d.title or "", bool(d.superseded), d.cabinet or "", d.shelf or "", d.box or "",
                        d.note or "")


def guess_category(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return "design_image"
    if suffix in CAD_SUFFIXES:
        return "cad"
    return "attachment"


def read_file_for_store(path: str | Path) -> tuple[str, bytes]:
    """Read a file the user picked, with a clear message when it is missing, unreadable or too big."""
    p = Path(path)
    if not p.is_file():
        raise ValidationError(_("The file {file} does not exist or is not a file.", file=str(p)), "attachments")
    size = p.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ValidationError(_("The file {file} is too large ({size} MB); at most {max} MB can be attached.",
                                file=p.name, size=size // (1024 * 1024), max=MAX_FILE_BYTES // (1024 * 1024)),
                              "attachments")
    try:
        return p.name, p.read_bytes()
    except OSError as exc:
        raise ValidationError(_("The file {file} cannot be read: {error}", file=str(p), error=exc.strerror or exc),
                              "attachments") from exc


def store_bytes(session: Session, actor: Actor, *, file_name: str, content: bytes, category: str,
                order_id: int | None, title: str = "", note: str = "") -> Document:
    """Inside the caller's transaction: keep the content once per hash and add a document row (new version).

    A paper filed again under the same order, category and file name is its next version; the earlier versions
    stay readable and are marked superseded. `title` (default: the file name) and `note` are what the archive's
    full-text search finds."""
    if category not in DOCUMENT_CATEGORIES:
        raise ValidationError(_("Unknown document category {category}.", category=category), "category")
    sha = hashlib.sha256(content).hexdigest()
    if session.get(DocumentBlob, sha) is None:
        session.add(DocumentBlob(sha256=sha, size=len(content), content=content))
    previous = session.scalar(
        select(Document).where(Document.order_id == order_id, Document.category == category,
                               Document.file_name == file_name).order_by(Document.doc_version.desc()).limit(1))
    mime = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
    if previous is not None:  # before the new row is added, so only the earlier versions are marked
        session.execute(update(Document).where(Document.order_id == order_id, Document.category == category,
                                               Document.file_name == file_name, Document.superseded.is_(False))
                        .values(superseded=True).execution_options(synchronize_session=False))
    doc = Document(order_id=order_id, category=category, file_name=file_name, mime_type=mime, size=len(content),
                   sha256=sha, doc_version=(previous.doc_version + 1) if previous else 1,
                   uploaded_by_id=actor.user_id, title=(title or file_name)[:255], note=note or "")
    session.add(doc)
    session.flush()
    audit.record(session, actor, "store_document", "document", doc.id,
                 LazyText("{category} {file} stored (version {version})", category=LazyText(DOCUMENT_CATEGORIES[category]),
                   file=file_name, version=doc.doc_version),
                 None, {"file_name": file_name, "sha256": sha, "size": len(content), "category": category},
                 order_id=order_id)
    return doc


def list_documents(db: Database, order_id: int, include_removed: bool = False) -> list[DocumentInfo]:
    with read_session(db) as s:
        stmt = select(Document).where(Document.order_id == order_id)
        if not include_removed:
            stmt = stmt.where(Document.removed.is_(False))
        return [_info(d) for d in s.scalars(stmt.order_by(Document.category, Document.file_name, Document.doc_version))]


def document_content(db: Database, document_id: int) -> tuple[DocumentInfo, bytes]:
    """The stored bytes, verified against their hash so a damaged copy is never handed out silently."""
    with read_session(db) as s:
        doc = s.get(Document, document_id)
        if doc is None:
            raise NotFound(_("Document {id} does not exist.", id=document_id))
        blob = s.get(DocumentBlob, doc.sha256)
        content = bytes(blob.content) if blob else b""
        if hashlib.sha256(content).hexdigest() != doc.sha256:
            raise ValidationError(_("The stored copy of {file} is damaged (its SHA-256 does not match). Restore "
                                    "the database from a backup.", file=doc.file_name))
        return _info(doc), content


def export_document(db: Database, document_id: int, folder: str | Path) -> Path:
    info, content = document_content(db, document_id)
    target = Path(folder) / f"{info.sha256[:8]}-{info.file_name}"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    return target


def file_printed_paper(db: Database, actor: Actor, path: str | Path, *, category: str, order_id: int | None,
                       file_name: str | None = None, title: str = "") -> int:
    """File a paper just written to `path` (one line for a print site): its own transaction, a new version of the
    same paper when filed before; returns the document id."""
    from .context import unit_of_work

    content = Path(path).read_bytes()
    with unit_of_work(db) as s:
        return store_bytes(s, actor, file_name=file_name or Path(path).name, content=content, category=category,
                           order_id=order_id, title=title).id
