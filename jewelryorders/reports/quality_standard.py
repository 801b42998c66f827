"""A quality standard as issued to the workshops and quality inspection: every characteristic with its nominal
value, tolerance or criterion, unit, method and instrument, and the date the version takes effect."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..i18n import normalize_language, tr
from ..models.quality import CHARACTERISTIC_KINDS, INSTRUMENT_KINDS
from .pdf_base import PaperHeader, Spacer, build_pdf, content_width, fmt_date, grid_table, kv_table, mm, p, \
    signature_block, styles


@dataclass(frozen=True)
class StandardLine:
    kind: str
    name: str
    nominal: str
    tolerance: str
    method: str
    instrument_kind: str


@dataclass(frozen=True)
class StandardPaper:
    factory_name: str
    code: str
    version_no: int
    title: str
    applies_to: str
    effective_from: dt.date
    state: str                # translated
    change_note: str
    lines: tuple[StandardLine, ...]


def write_standard(data: StandardPaper, path: str | Path, *, lang: str = "zh_TW", printed_by: str = "",
                   printed_at: dt.datetime | None = None) -> Path:
    lang = normalize_language(lang)
    st = styles()
    width = content_width()
    title = tr("Quality standard", lang)
    story = [p(title, st["title"]), p(data.title, st["center"]), Spacer(1, 3 * mm)]
    story.append(kv_table([
        (tr("Code", lang), data.code), (tr("Version", lang), str(data.version_no)),
        (tr("Applies to", lang), data.applies_to), (tr("Effective from", lang), fmt_date(data.effective_from, lang)),
        (tr("Status", lang), data.state), (tr("Change note", lang), data.change_note or "—"),
    ], width))
    story.append(Spacer(1, 4 * mm))
    header = [tr("Kind", lang), tr("Characteristic", lang), tr("Nominal", lang), tr("Tolerance or criterion", lang),
              tr("Method", lang), tr("Instrument", lang)]
    rows = [(tr(CHARACTERISTIC_KINDS.get(x.kind, x.kind), lang), x.name, x.nominal, x.tolerance, x.method,
             tr(INSTRUMENT_KINDS[x.instrument_kind], lang) if x.instrument_kind in INSTRUMENT_KINDS else "")
            for x in data.lines]
    widths = [24 * mm, 0, 18 * mm, 40 * mm, 34 * mm, 22 * mm]
    widths[1] = width - sum(widths)
    story.append(grid_table(header, rows, widths, numeric_cols=(2,)))
    story += [Spacer(1, 8 * mm), signature_block([tr("Written by (technical)", lang), tr("Approved by", lang),
                                                  tr("Received by production", lang),
                                                  tr("Received by quality", lang)], width, lang)]
    return build_pdf(path, story, PaperHeader(factory_name=data.factory_name, title=title,
                                              document_no=f"{data.code} v{data.version_no}", lang=lang,
                                              printed_at=printed_at, printed_by=printed_by))
