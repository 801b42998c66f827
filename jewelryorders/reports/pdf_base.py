"""Shared look of every printed paper: CJK font, styles, page header/footer, tables that wrap Chinese text."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Iterable, Sequence
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A3, A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph, Spacer, Table, TableStyle
from reportlab.platypus.flowables import CondPageBreak, Flowable

from .. import clock
from ..i18n import tr
from ..i18n import formats
from .fonts import FONT_NAME, FONT_NAME_BOLD, register_fonts

INK = colors.HexColor("#1f2933")
RULE = colors.HexColor("#9aa5b1")
SHADE = colors.HexColor("#eef1f4")
ACCENT = colors.HexColor("#7b5e24")  # a warm gold, the factory's colour on paper


@dataclass(frozen=True)
class PaperHeader:
    """What the header and footer of every page print."""

    factory_name: str
    title: str
    document_no: str = ""
    lang: str = "en"
    printed_at: dt.datetime | None = None
    printed_by: str = ""
    mark: str = ""  # e.g. "REPRINT", printed large in the header's corner


def styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle("base", fontName=FONT_NAME, fontSize=9.5, leading=13, textColor=INK, wordWrap="CJK")
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10.5),
        "tiny": ParagraphStyle("tiny", parent=base, fontSize=7, leading=9),
        "label": ParagraphStyle("label", parent=base, fontSize=8, leading=10.5, textColor=colors.HexColor("#52606d")),
        "title": ParagraphStyle("title", parent=base, fontName=FONT_NAME_BOLD, fontSize=17, leading=22, alignment=TA_CENTER, spaceAfter=4),
        "h2": ParagraphStyle("h2", parent=base, fontName=FONT_NAME_BOLD, fontSize=11.5, leading=15, spaceBefore=8, spaceAfter=4, textColor=ACCENT),
        "h3": ParagraphStyle("h3", parent=base, fontName=FONT_NAME_BOLD, fontSize=10, leading=13, spaceBefore=4, spaceAfter=2),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
        "center": ParagraphStyle("center", parent=base, alignment=TA_CENTER),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11),
        "cell_right": ParagraphStyle("cell_right", parent=base, fontSize=8.5, leading=11, alignment=TA_RIGHT),
        "cell_head": ParagraphStyle("cell_head", parent=base, fontName=FONT_NAME_BOLD, fontSize=8.5, leading=11, alignment=TA_LEFT),
    }


# id(style) -> (style, variant); holding the style keeps its id from being reused by another object.
_latin_styles: dict[int, tuple[ParagraphStyle, ParagraphStyle]] = {}


def has_cjk(text: str) -> bool:
    return any("\u2e80" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\uff00" <= ch <= "\uffef" for ch in text)


def p(text: object, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (escaped, newlines kept); never interprets user text as markup.
    Chinese wraps between any two characters; text without Chinese wraps at spaces so words stay whole."""
    s = "" if text is None else str(text)
    if style.wordWrap == "CJK" and not has_cjk(s):
        cached = _latin_styles.get(id(style))
        if cached is None or cached[0] is not style:
            cached = _latin_styles[id(style)] = (style, ParagraphStyle(style.name + "_latin", parent=style,
                                                                       wordWrap=None))
        style = cached[1]
    return Paragraph(escape(s).replace("\n", "<br/>"), style)


def fmt_date(value: dt.date | dt.datetime | None, lang: str) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone() if value.tzinfo else value
        return value.strftime("%Y-%m-%d %H:%M")
    return value.strftime("%Y-%m-%d")


def fmt_money(value: Decimal | None, currency: str = "", lang: str | None = None) -> str:
    if value is None:
        return ""
    return formats.money(Decimal(value), currency, lang) if currency else formats.amount(Decimal(value), "", lang)


def fmt_grams(milligrams: int | None) -> str:
    """Metal weight stored in mg, shown in grams with 3 decimals, exactly (no float rounding)."""
    if milligrams is None:
        return ""
    sign = "-" if milligrams < 0 else ""
    mg = abs(int(milligrams))
    return f"{sign}{mg // 1000:,}.{mg % 1000:03d}"


def kv_table(pairs: Sequence[tuple[str, object]], width: float, columns: int = 2) -> Table:
    """Label/value pairs laid out in `columns` pairs per row, the labels grey, the values wrapping."""
    st = styles()
    cells: list[list] = []
    row: list = []
    for label, value in pairs:
        row += [p(label, st["label"]), p(value, st["cell"])]
        if len(row) == columns * 2:
            cells.append(row)
            row = []
    if row:
        row += [""] * (columns * 2 - len(row))
        cells.append(row)
    label_w = width / columns * 0.32
    value_w = width / columns - label_w
    t = Table(cells, colWidths=[label_w, value_w] * columns)
    t.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]))
    return t


def grid_table(header: Sequence[str], rows: Iterable[Sequence[object]], col_widths: Sequence[float],
               numeric_cols: Sequence[int] = (), repeat_header: bool = True) -> Table:
    """A ruled table with a shaded header row that repeats on every page; numbers right-aligned."""
    st = styles()
    data = [[p(h, st["cell_head"]) for h in header]]
    for r in rows:
        data.append([p(v, st["cell_right"] if i in numeric_cols else st["cell"]) for i, v in enumerate(r)])
    t = Table(data, colWidths=list(col_widths), repeatRows=1 if repeat_header else 0)
    t.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("GRID", (0, 0), (-1, -1), 0.4, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))
    return t


def signature_block(labels: Sequence[str], width: float, lang: str) -> Table:
    """Boxes for hand signatures and dates, as a filed factory document has."""
    st = styles()
    n = len(labels)
    row_labels = [p(lbl, st["small"]) for lbl in labels]
    row_space = ["" for _ in labels]
    row_date = [p(tr("Date:", lang), st["tiny"]) for _ in labels]
    t = Table([row_labels, row_space, row_date], colWidths=[width / n] * n, rowHeights=[14, 26, 12])
    t.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 0.5, RULE),
        ("INNERGRID", (0, 0), (-1, -1), 0.25, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return t


class HeadingGuard(CondPageBreak):
    """Put before a heading: the heading moves to the next page unless the start of what follows it (a table's
    header and first row, a paragraph's first lines) fits under it, so a heading never stands alone at a page's
    foot. Unlike keep-with-next, a long table is not pushed whole onto the next page. build_pdf links it to the
    heading and the flowable after it."""

    def __init__(self) -> None:
        super().__init__(0)
        self.heading: Flowable | None = None
        self.following: Flowable | None = None

    def __repr__(self) -> str:
        return "HeadingGuard()"

    def wrap(self, availWidth, availHeight):  # noqa: N803 - ReportLab's names
        if self.heading is not None and self.following is not None and not self._frame_at_top():
            heading_height = self.heading.wrap(availWidth, availHeight)[1] + self.heading.getSpaceBefore() \
                + self.heading.getSpaceAfter()
            room = availHeight - heading_height
            if not self._start_fits(self.following, availWidth, room):
                frame = self._doctemplateAttr("frame")
                if frame:
                    from reportlab.platypus.doctemplate import FrameBreak
                    frame.add_generated_content(FrameBreak)
        return 0, 0

    def _frame_at_top(self) -> bool:
        frame = self._doctemplateAttr("frame")
        return bool(getattr(frame, "_atTop", False))

    @staticmethod
    def _start_fits(flowable: Flowable, width: float, room: float) -> bool:
        if room <= 0:
            return False
        if flowable.wrap(width, room)[1] + flowable.getSpaceBefore() <= room:
            return True
        parts = flowable.split(width, room)
        return bool(parts) and parts[0].wrap(width, room)[1] <= room


def link_heading_guards(story: list) -> None:
    """Tell each HeadingGuard its heading (the next flowable) and what follows the heading."""
    for index, item in enumerate(story):
        if isinstance(item, HeadingGuard) and index + 2 < len(story):
            item.heading, item.following = story[index + 1], story[index + 2]


def build_pdf(path: str | Path, story: list, header: PaperHeader, pagesize=A4) -> Path:
    """Lay the story out with the factory header and a 'page x of y' footer on every page; return the path."""
    register_fonts()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    printed_at = header.printed_at or clock.local_now()
    width, height = pagesize
    margin = 15 * mm

    class _Doc(BaseDocTemplate):
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            self.page_total = 0

    def draw_page(canvas, doc):
        canvas.saveState()
        canvas.setFillColor(ACCENT)
        canvas.setFont(FONT_NAME_BOLD, 10)
        canvas.drawString(margin, height - 11 * mm, header.factory_name)
        canvas.setFillColor(INK)
        canvas.setFont(FONT_NAME, 8.5)
        if header.document_no:
            canvas.drawRightString(width - margin, height - 11 * mm, header.document_no)
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(0.8)
        canvas.line(margin, height - 13 * mm, width - margin, height - 13 * mm)
        if header.mark:
            canvas.setFillColor(colors.HexColor("#b42318"))
            canvas.setFont(FONT_NAME_BOLD, 14)
            canvas.drawCentredString(width / 2, height - 11 * mm, header.mark)
            canvas.setFillColor(INK)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.4)
        canvas.line(margin, 11 * mm, width - margin, 11 * mm)
        canvas.setFont(FONT_NAME, 7.5)
        left = tr("Printed {when}", header.lang, when=printed_at.strftime("%Y-%m-%d %H:%M"))
        if header.printed_by:
            left += "  ·  " + tr("by {user}", header.lang, user=header.printed_by)
        canvas.drawString(margin, 7 * mm, left)
        canvas.drawCentredString(width / 2, 7 * mm, header.title)
        total = getattr(doc, "page_total", 0) or doc.page
        canvas.drawRightString(width - margin, 7 * mm, tr("Page {page} of {total}", header.lang, page=doc.page, total=total))
        canvas.restoreState()

    def make_doc(target):
        doc = _Doc(target if not isinstance(target, Path) else str(target), pagesize=pagesize, leftMargin=margin, rightMargin=margin,
                   topMargin=18 * mm, bottomMargin=16 * mm, title=header.title,
                   author=header.factory_name, creator="jewelryorders", subject=header.document_no)
        frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
        doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=draw_page)])
        return doc

    # Two passes: the first counts the pages so the footer can say "page x of y".
    import copy
    import io

    link_heading_guards(story)
    counting = make_doc(io.BytesIO())
    counting.build(copy.deepcopy(story))
    pages = counting.page
    final = make_doc(path)
    final.page_total = pages
    final.build(story)
    return path


def content_width(pagesize=A4) -> float:
    return pagesize[0] - 30 * mm


__all__ = [
    "A4", "A3", "landscape", "mm", "colors", "Paragraph", "Spacer", "Table", "TableStyle", "PaperHeader",
    "styles", "p", "fmt_date", "fmt_money", "fmt_grams", "kv_table", "grid_table", "signature_block",
    "build_pdf", "content_width", "HeadingGuard", "link_heading_guards", "INK", "RULE", "SHADE", "ACCENT",
]
