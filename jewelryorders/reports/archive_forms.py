"""The archive's forms: the document access request (文檔查閱申請表) and the borrowing form (借閱申請表)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..i18n import normalize_language, tr
from .pdf_base import PaperHeader, Spacer, build_pdf, content_width, kv_table, mm, p, signature_block, styles


@dataclass(frozen=True)
class AccessFormPaper:
    factory_name: str
    form_no: str
    kind: str               # "read" or "borrow"
    document_title: str
    category: str           # translated
    order_no: str
    version: int
    sha256: str
    location: str
    requester: str
    department: str         # translated
    purpose: str
    until: dt.date
    requested_at: dt.datetime
    status: str             # translated
    decided_by: str
    decided_at: dt.datetime | None
    decision_reason: str
    granted_by: str
    granted_at: dt.datetime | None
    # Borrowing form only:
    handed_out_by: str = ""
    handed_out_at: dt.datetime | None = None
    due_date: dt.date | None = None
    returned_at: dt.datetime | None = None


def _when(value: dt.datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else ""


def write_access_form(data: AccessFormPaper, path: str | Path, *, lang: str = "zh_TW", printed_by: str = "",
                      printed_at: dt.datetime | None = None) -> Path:
    lang = normalize_language(lang)
    st = styles()
    width = content_width()
    title = tr("Borrowing form", lang) if data.kind == "borrow" else tr("Access request form", lang)
    story = [p(title, st["title"]), Spacer(1, 3 * mm),
             p(tr("Document", lang), st["h2"]),
             kv_table([(tr("Title", lang), data.document_title), (tr("Category", lang), data.category),
                       (tr("Order no.", lang), data.order_no or "—"), (tr("Version", lang), data.version),
                       (tr("Paper kept at", lang), data.location or "—"), ("SHA-256", data.sha256[:32])], width),
             Spacer(1, 3 * mm), p(tr("Request", lang), st["h2"]),
             kv_table([(tr("Requester", lang), data.requester), (tr("Department", lang), data.department),
                       (tr("Requested", lang), _when(data.requested_at)), (tr("Until", lang), data.until.isoformat()),
                       (tr("Purpose", lang), data.purpose), (tr("Status", lang), data.status)], width),
             Spacer(1, 3 * mm), p(tr("Approval and grant", lang), st["h2"]),
             kv_table([(tr("Decided by (department head)", lang),
                        data.decided_by or "—"), (tr("Decided", lang), _when(data.decided_at)),
                       (tr("Reason", lang), data.decision_reason or "—"),
                       (tr("Granted by (archive)", lang), data.granted_by or "—"),
                       (tr("Granted", lang), _when(data.granted_at))], width)]
    if data.kind == "borrow":
        story += [Spacer(1, 3 * mm), p(tr("Loan", lang), st["h2"]),
                  kv_table([(tr("Handed out by", lang), data.handed_out_by or "—"),
                            (tr("Handed out", lang), _when(data.handed_out_at)),
                            (tr("Due date", lang), data.due_date.isoformat() if data.due_date else "—"),
                            (tr("Returned", lang), _when(data.returned_at) or "—")], width)]
        signatures = [tr("Requester", lang), tr("Head of department", lang), tr("Archive keeper", lang),
                      tr("Returned to", lang)]
    else:
        signatures = [tr("Requester", lang), tr("Head of department", lang), tr("Archive keeper", lang)]
    story += [Spacer(1, 4 * mm),
              p(tr("Procedure 7.3: the head of the requester's own department approves; the document management "
                   "department grants the access and keeps the register.", lang), st["small"]),
              Spacer(1, 8 * mm), signature_block(signatures, width, lang)]
    header = PaperHeader(factory_name=data.factory_name, title=title, document_no=data.form_no, lang=lang,
                         printed_at=printed_at, printed_by=printed_by)
    return build_pdf(path, story, header)
