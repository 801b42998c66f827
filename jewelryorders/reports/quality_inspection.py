"""The inspection report: what was inspected against which standard version, each characteristic's nominal,
tolerance, measured value, result and instrument, the overall result, the inspector, and photos."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..i18n import normalize_language, tr
from ..models.quality import CHARACTERISTIC_KINDS, INSPECTION_KINDS, INSPECTION_RESULTS, SAMPLING
from .pdf_base import (
    PaperHeader,
    Spacer,
    build_pdf,
    content_width,
    fmt_date,
    grid_table,
    kv_table,
    mm,
    p,
    signature_block,
    styles,
)


@dataclass(frozen=True)
class ResultLine:
    kind: str
    name: str
    nominal: str
    tolerance: str
    measured: str
    passed: bool
    instrument: str


@dataclass(frozen=True)
class InspectionPaper:
    factory_name: str
    inspection_no: str
    kind: str
    standard: str            # "QS-RING v2 — 18K ring"
    subject: str             # order / task sheet / lot
    sampling: str
    aql: str
    quantity: int
    sample_size: int
    quantity_passed: int
    quantity_failed: int
    result: str
    inspected_at: dt.datetime
    inspector: str
    note: str
    ncr_no: str
    reinspects_ncr_no: str
    lines: tuple[ResultLine, ...]
    photos: tuple[bytes, ...] = ()


def photo_flowables(photos, width, lang):
    from reportlab.platypus import Image

    out = []
    from io import BytesIO

    for content in photos[:6]:
        try:
            img = Image(BytesIO(content))
        except Exception:  # noqa: BLE001 - a photo that is not an image is skipped, not fatal
            continue
        scale = min(width / 2 / img.imageWidth, 60 * mm / img.imageHeight, 1)
        img.drawWidth, img.drawHeight = img.imageWidth * scale, img.imageHeight * scale
        out.append(img)
    return out


def write_inspection_report(data: InspectionPaper, path: str | Path, *, lang: str = "zh_TW", printed_by: str = "",
                            printed_at: dt.datetime | None = None) -> Path:
    lang = normalize_language(lang)
    st = styles()
    width = content_width()
    title = tr("Inspection report", lang)
    result = tr(INSPECTION_RESULTS[data.result], lang)
    story = [p(title, st["title"]), p(tr(INSPECTION_KINDS[data.kind], lang), st["center"]), Spacer(1, 3 * mm)]
    pairs = [
        (tr("Inspection no.", lang), data.inspection_no),
        (tr("Standard", lang), data.standard),
        (tr("Inspected", lang), data.subject),
        (tr("Sampling", lang), tr(SAMPLING[data.sampling], lang) + (f" AQL {data.aql}" if data.aql else "")),
        (tr("Quantity", lang), str(data.quantity)),
        (tr("Sample size", lang), str(data.sample_size)),
        (tr("Pieces passed", lang), str(data.quantity_passed)),
        (tr("Pieces failed", lang), str(data.quantity_failed)),
        (tr("Inspected at", lang), fmt_date(data.inspected_at, lang)),
        (tr("Inspector", lang), data.inspector),
        (tr("Overall result", lang), result),
        (tr("NCR", lang), data.ncr_no or "—"),
    ]
    if data.reinspects_ncr_no:
        pairs.append((tr("Re-inspection of", lang), data.reinspects_ncr_no))
    story.append(kv_table(pairs, width))
    story.append(Spacer(1, 4 * mm))
    header = [tr("Kind", lang), tr("Characteristic", lang), tr("Nominal", lang), tr("Tolerance", lang),
              tr("Measured", lang), tr("Result", lang), tr("Instrument", lang)]
    rows = [(tr(CHARACTERISTIC_KINDS.get(line.kind, line.kind), lang), line.name, line.nominal, line.tolerance,
             line.measured, tr(INSPECTION_RESULTS["passed" if line.passed else "failed"], lang), line.instrument)
            for line in data.lines]
    widths = [24 * mm, 0, 18 * mm, 30 * mm, 20 * mm, 16 * mm, 30 * mm]
    widths[1] = width - sum(widths)
    story.append(grid_table(header, rows, widths, numeric_cols=(2, 4)))
    if data.note:
        story += [Spacer(1, 3 * mm), p(tr("Note", lang) + ": " + data.note, st["base"])]
    images = photo_flowables(data.photos, width, lang)
    if images:
        story += [p(tr("Photos", lang), st["h2"])] + images
    story += [Spacer(1, 8 * mm), signature_block([tr("Inspector", lang), tr("Checked by (quality)", lang)], width,
                                                  lang)]
    return build_pdf(path, story, PaperHeader(factory_name=data.factory_name, title=title,
                                              document_no=data.inspection_no, lang=lang, printed_at=printed_at,
                                              printed_by=printed_by))
