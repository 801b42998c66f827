"""The order dossier: one PDF with every record and document of an order, section by section, for an auditor or a
customer dispute. Each section arrives as a title and either flowables or rows (header + lines)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from ..i18n import normalize_language, tr
from .pdf_base import (HeadingGuard, PaperHeader, Spacer, build_pdf, content_width, grid_table, kv_table,
                       link_heading_guards, mm, p, styles)


@dataclass(frozen=True)
class DossierRows:
    """A section's table: header and rows of text; widths as fractions of the page (optional)."""

    header: Sequence[str]
    rows: Sequence[Sequence[object]]
    widths: Sequence[float] = ()
    note: str = ""


@dataclass(frozen=True)
class DossierSection:
    title: str                      # translated
    content: Any                    # DossierRows, a list of ReportLab flowables, or a list of (label, value) pairs


@dataclass(frozen=True)
class DossierPaper:
    factory_name: str
    order_no: str
    customer: str
    stage: str                      # translated
    summary: Sequence[tuple[str, object]]
    sections: Sequence[DossierSection] = field(default_factory=tuple)


def write_dossier(data: DossierPaper, path: str | Path, *, lang: str = "zh_TW", printed_by: str = "",
                  printed_at: dt.datetime | None = None) -> Path:
    lang = normalize_language(lang)
    st = styles()
    width = content_width()
    title = tr("Order dossier", lang)
    story: list = [p(f"{title} · {data.order_no}", st["title"]), Spacer(1, 2 * mm),
                   kv_table([(tr("Customer", lang), data.customer), (tr("Stage", lang), data.stage),
                             *data.summary], width), Spacer(1, 3 * mm),
                   p(tr("Contents", lang), st["h2"])]
    story.extend(p(f"{i}. {s.title}", st["cell"]) for i, s in enumerate(data.sections, start=1))
    for i, section in enumerate(data.sections, start=1):
        story += [Spacer(1, 4 * mm), HeadingGuard(), p(f"{i}. {section.title}", st["h2"]), Spacer(1, 1 * mm)]
        content = section.content
        if isinstance(content, DossierRows):
            if not content.rows:
                story.append(p(tr("None recorded.", lang), st["small"]))
            else:
                n = len(content.header)
                fractions = list(content.widths) if len(content.widths) == n else [1 / n] * n
                total = sum(fractions)
                story.append(grid_table(content.header, content.rows, [width * f / total for f in fractions]))
            if content.note:
                story.append(p(content.note, st["small"]))
        elif content and isinstance(content, list) and isinstance(content[0], tuple):
            story.append(kv_table(content, width))
        elif content:
            story.extend(content)
        else:
            story.append(p(tr("None recorded.", lang), st["small"]))
    link_heading_guards(story)
    header = PaperHeader(factory_name=data.factory_name, title=title, document_no=data.order_no, lang=lang,
                         printed_at=printed_at, printed_by=printed_by)
    return build_pdf(path, story, header)
