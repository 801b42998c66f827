"""The repair / maintenance record handed to the customer with the piece: what they reported, the work done, by
whom, materials and metal used, the cost and who bears it, when it was returned."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..i18n import normalize_language, tr
from .pdf_base import (PaperHeader, Spacer, build_pdf, content_width, fmt_date, kv_table, mm, p, signature_block,
                       styles)


@dataclass(frozen=True)
class RepairRecordPaper:
    factory_name: str
    case_no: str
    kind: str            # translated
    status: str          # translated
    order_no: str
    customer_name: str
    certificate_no: str
    style_code: str
    received_on: dt.date
    received_via: str    # translated
    customer_words: str
    work_done: str
    done_by: str
    materials_used: str
    metal_used: str      # grams
    cost: str            # with currency
    cost_borne_by: str   # translated
    returned_on: dt.date | None
    history: tuple[tuple[str, str, str], ...]   # earlier cases of the piece: (case no., received, kind)


def write_repair_record(data: RepairRecordPaper, path: str | Path, *, lang: str = "zh_TW", printed_by: str = "",
                        printed_at: dt.datetime | None = None) -> Path:
    lang = normalize_language(lang)
    st = styles()
    width = content_width()
    title = tr("Repair and maintenance record", lang)
    story = [p(title, st["title"]), Spacer(1, 2 * mm),
             kv_table([(tr("Case no.", lang), data.case_no), (tr("Kind", lang), data.kind),
                       (tr("Order no.", lang), data.order_no), (tr("Customer", lang), data.customer_name),
                       (tr("Certificate no.", lang), data.certificate_no or "—"), (tr("Style", lang), data.style_code),
                       (tr("Received on", lang), fmt_date(data.received_on, lang)),
                       (tr("Received via", lang), data.received_via)], width),
             p(tr("What the customer says", lang), st["h2"]), p(data.customer_words, st["base"]),
             p(tr("Work done", lang), st["h2"]), p(data.work_done or "—", st["base"]), Spacer(1, 2 * mm),
             kv_table([(tr("Done by", lang), data.done_by), (tr("Materials used", lang), data.materials_used or "—"),
                       (tr("Metal used (g)", lang), data.metal_used), (tr("Cost", lang), data.cost),
                       (tr("Cost borne by", lang), data.cost_borne_by),
                       (tr("Returned on", lang), fmt_date(data.returned_on, lang) or "—")], width)]
    if data.history:
        story += [p(tr("Earlier cases of this piece", lang), st["h2"]),
                  p("\n".join(" · ".join(h) for h in data.history), st["small"])]
    story += [Spacer(1, 10 * mm),
              signature_block([tr("Repaired by", lang), tr("Checked by (quality)", lang),
                               tr("Received by (customer)", lang)], width, lang)]
    header = PaperHeader(factory_name=data.factory_name, title=title, document_no=data.case_no, lang=lang,
                         printed_at=printed_at, printed_by=printed_by)
    return build_pdf(path, story, header)
