"""The nonconformance report form: what was found, where, when, which batch, how many, who is responsible;
the disposition and who decided it; root cause, corrective action, rectification and verification."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..i18n import normalize_language, tr
from ..models.quality import CHARACTERISTIC_KINDS, DISPOSITIONS, NCR_STATUSES
from .pdf_base import PaperHeader, Spacer, build_pdf, content_width, fmt_date, kv_table, mm, p, signature_block, styles
from .quality_inspection import photo_flowables


@dataclass(frozen=True)
class NcrPaper:
    factory_name: str
    ncr_no: str
    status: str
    inspection_no: str
    subject: str
    description: str
    defect_kind: str
    found_at: dt.datetime
    found_where: str
    batch: str
    quantity: int
    responsible_department: str   # translated
    responsible_person: str
    disposition: str | None
    disposition_note: str
    decided_by: str
    decided_at: dt.datetime | None
    customer_approval: str
    ledger_entry_no: str
    metal_recovered: str
    root_cause: str
    action: str
    action_owner: str
    action_due: dt.date | None
    rectification: str
    rectified_by: str
    rectified_at: dt.datetime | None
    verification: str
    verified_by: str
    verified_at: dt.datetime | None
    closed_at: dt.datetime | None
    reinspections: str
    photos: tuple[bytes, ...] = ()


def write_ncr(data: NcrPaper, path: str | Path, *, lang: str = "zh_TW", printed_by: str = "",
              printed_at: dt.datetime | None = None) -> Path:
    lang = normalize_language(lang)
    st = styles()
    width = content_width()
    title = tr("Nonconformance report", lang)
    story = [p(title, st["title"]), Spacer(1, 3 * mm)]
    story.append(kv_table([
        (tr("NCR no.", lang), data.ncr_no),
        (tr("Status", lang), tr(NCR_STATUSES[data.status], lang)),
        (tr("Found by inspection", lang), data.inspection_no),
        (tr("Inspected", lang), data.subject),
        (tr("Found at", lang), fmt_date(data.found_at, lang)),
        (tr("Where found", lang), data.found_where),
        (tr("Batch or lot", lang), data.batch),
        (tr("Quantity affected", lang), str(data.quantity)),
        (tr("Defect kind", lang), tr(CHARACTERISTIC_KINDS[data.defect_kind], lang) if data.defect_kind else ""),
        (tr("Responsible department", lang), data.responsible_department),
        (tr("Responsible person", lang), data.responsible_person),
    ], width))
    story += [p(tr("What was found", lang), st["h2"]), p(data.description, st["base"])]
    story.append(p(tr("Disposition", lang), st["h2"]))
    story.append(kv_table([
        (tr("Disposition", lang), tr(DISPOSITIONS[data.disposition], lang) if data.disposition else "—"),
        (tr("Decided by", lang), data.decided_by),
        (tr("Decided at", lang), fmt_date(data.decided_at, lang)),
        (tr("Reason", lang), data.disposition_note),
        (tr("Customer's approval", lang), data.customer_approval or "—"),
        (tr("Ledger entry", lang), data.ledger_entry_no or "—"),
        (tr("Metal recovered (g)", lang), data.metal_recovered or "—"),
        (tr("Re-inspections", lang), data.reinspections or "—"),
    ], width))
    story.append(p(tr("Corrective action", lang), st["h2"]))
    story.append(kv_table([
        (tr("Root cause", lang), data.root_cause),
        (tr("Corrective action", lang), data.action),
        (tr("Owner", lang), data.action_owner),
        (tr("Due date", lang), fmt_date(data.action_due, lang)),
        (tr("Rectification report", lang), data.rectification),
        (tr("Submitted by", lang), f"{data.rectified_by} {fmt_date(data.rectified_at, lang)}".strip()),
        (tr("Verification", lang), data.verification),
        (tr("Verified by", lang), f"{data.verified_by} {fmt_date(data.verified_at, lang)}".strip()),
        (tr("Closed at", lang), fmt_date(data.closed_at, lang) or "—"),
    ], width, columns=1))
    images = photo_flowables(data.photos, width, lang)
    if images:
        story += [p(tr("Photos", lang), st["h2"])] + images
    story += [Spacer(1, 8 * mm), signature_block([tr("Quality", lang), tr("Responsible department", lang),
                                                  tr("Approved by", lang)], width, lang)]
    return build_pdf(path, story, PaperHeader(factory_name=data.factory_name, title=title, document_no=data.ncr_no,
                                              lang=lang, printed_at=printed_at, printed_by=printed_by))
