"""Production task sheet (生產任務單) paper: one A4 work ticket per production step, with Code 128 and QR codes of its number."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Callable, Sequence

from PIL import Image, ImageOps
from reportlab.graphics.barcode import code128, qr
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from .. import clock
from ..i18n import N_, normalize_language, tr
from .fonts import FONT_NAME, register_fonts
from .pdf_base import ACCENT, INK, RULE, SHADE, fmt_date, fmt_grams

PAGE_WIDTH, PAGE_HEIGHT = A4
LEFT = 12 * mm
RIGHT = PAGE_WIDTH - 12 * mm
CONTENT_WIDTH = RIGHT - LEFT

LATIN_BOLD = "Helvetica-Bold"  # sheet numbers and counts are ASCII; a real bold face reads best at the bench
LATIN = "Helvetica"
LABEL_GREY = colors.HexColor("#52606d")
STAMP_RED = colors.HexColor("#b42318")
BAR_BLACK = colors.black

# Code 128 X-dimension 0.45 mm is about 2.7 px at 150 dpi and well above what handheld scanners need, so a
# smudged or slightly blurred printout still reads; quiet zones are the larger of 10 X and 6.35 mm.
BARCODE_MODULE = 0.45 * mm
BARCODE_MIN_MODULE = 0.25 * mm
BARCODE_HEIGHT = 14 * mm
BARCODE_QUIET = 6.35 * mm
QR_SIZE = 30 * mm  # includes the 4-module quiet zone; about 1 mm per module for a short sheet no.
DESIGN_IMAGE_PIXELS = 900  # the picture box is about 55 mm wide: 900 px is over 400 dpi, enough and no more

# Vertical bands of the page, in points from the bottom edge.
HEADER_TOP = 285 * mm
BANNER_TOP, BANNER_BOTTOM = 250 * mm, 232 * mm
INFO_TOP = 228 * mm
IMAGE_LEFT = 141 * mm
PROCESS_TOP, PROCESS_BOTTOM = 165 * mm, 128 * mm
QUALITY_TOP, QUALITY_BOTTOM = 126 * mm, 99 * mm
CHECKLIST_TOP, CHECKLIST_BOTTOM = 97 * mm, 81 * mm
METAL_TOP, METAL_BOTTOM = 79 * mm, 39 * mm
SIGN_TOP, SIGN_BOTTOM = 36 * mm, 16 * mm
FOOTER_Y = 8 * mm
SECTION_BAR = 6 * mm
PAD = 2 * mm

BANNER_CELLS = ((N_("Step"), 84 * mm), (N_("Workshop"), 50 * mm),
                (N_("Finish by"), CONTENT_WIDTH - 134 * mm))

# Each info row: (height, [(label msgid, field key, span in label/value pairs)]); two pairs fit a row.
INFO_ROWS: tuple[tuple[float, tuple[tuple[str, str, int], ...]], ...] = (
    (7.5 * mm, ((N_("Order no."), "order_no", 1), (N_("Customer"), "customer", 1))),
    (7.5 * mm, ((N_("Style"), "style_code", 1), (N_("Quantity"), "quantity", 1))),
    (11 * mm, ((N_("Description"), "style_description", 2),)),
    (11 * mm, ((N_("Specifications"), "specs", 2),)),
    (7.5 * mm, ((N_("Metal"), "metal", 1), (N_("Target weight (each)"), "target_weight", 1))),
    (7.5 * mm, ((N_("Planned start"), "planned_start", 1), (N_("Responsible"), "responsible", 1))),
    # the step's own deadline beside the order's delivery date, so the bench sees how much slack is left
    (7.5 * mm, ((N_("Step finish by"), "due", 1), (N_("Order delivery"), "order_delivery", 1))),
)
INFO_LABEL_WIDTH = 21 * mm
INFO_PAIR_WIDTH = (IMAGE_LEFT - 3 * mm - LEFT) / 2

CHECKLIST_ITEMS = (
    N_("Equipment commissioned"),
    N_("Tooling and moulds ready"),
    N_("Materials picked and inspected"),
    N_("Training done"),
)

METAL_COLUMNS = (
    (N_("Item"), 42 * mm),
    (N_("Pieces"), 17 * mm),
    (N_("Weight (g)"), 27 * mm),
    (N_("Date and time"), 30 * mm),
    (N_("Handed over by"), 35 * mm),
    (N_("Taken over by"), CONTENT_WIDTH - 151 * mm),
)
METAL_ROWS = (
    N_("Metal issued"),
    N_("Finished pieces returned"),
    N_("Filings and scrap returned"),
    N_("Loss (issued − returned)"),
)
TITLE = N_("Production task sheet")
INSPECTION_PASS = N_("inspection|Pass")
SIGNATURES = (N_("Metal issued by"), N_("Received by (worker)"), N_("Inspector"))

CLOSING_PUNCTUATION = set("，。、；：！？）」』】》〉…,.;:!?)]}%")
_TOKEN = re.compile(r"[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]+[ \t]*|[ \t]+|.")
_SHEET_NO_ALLOWED = re.compile(r"^[\x20-\x7e]+$")


@dataclass(frozen=True)
class TaskSheetData:
    """Everything one printed task sheet shows; filled by a service, printed without touching the database."""

    sheet_no: str
    order_no: str
    customer: str
    style_code: str
    style_description: str
    specs: str
    metal: str
    quantity: int
    target_weight_mg: int | None
    step_name: str
    step_seq: int
    step_count: int
    process_requirements: str
    quality_standard: str
    planned_start: dt.datetime | dt.date
    due: dt.datetime | dt.date
    workshop: str
    responsible: str
    design_image_path: str | None
    metal_allowance_pct: Decimal | None
    print_count: int
    checklist_notes: str = ""
    order_delivery: dt.date | None = None
    # "Line 2 of 3" when an order's lines differ in metal and each line gets its own sheet (metal is issued by it)
    part_label: str = ""
    # Conditions agreed in the detailed review (e.g. the first piece confirmed by the customer), one per line,
    # already labelled with the department; printed in red at the head of the process requirements.
    review_conditions: str = ""
    # When given, the quality box never continues on another page: what does not fit ends with this line
    # ("… see standard CODE vN").
    quality_more: str = ""


def write_task_sheets(sheets: Sequence[TaskSheetData], path: str | Path, *, factory_name: str, lang: str,
                      printed_by: str = "", printed_at: dt.datetime | None = None,
                      progress: Callable[[int, int], object] | None = None) -> Path:
    """Print the sheets into one PDF, one A4 page per sheet (more only for very long instructions); return the path.

    `progress(done, total)` is called after each sheet so a screen can show how far a big batch is; an exception
    raised from it cancels the print, and then no file is written.
    """
    lang = normalize_language(lang)
    if not sheets:
        raise ValueError(tr("No task sheets to print.", lang))
    for sheet in sheets:
        if not _SHEET_NO_ALLOWED.match(sheet.sheet_no or ""):
            message = tr("Sheet no. {no} cannot go into a barcode: use plain letters, digits and dashes.", lang,
                         no=sheet.sheet_no)
            raise ValueError(message)
    register_fonts()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    printed_at = printed_at or clock.local_now()

    canvas = Canvas(str(path), pagesize=A4, pageCompression=1)
    title = tr(TITLE, lang)
    canvas.setTitle(f"{title} {sheets[0].sheet_no}" if len(sheets) == 1 else title)
    canvas.setAuthor(factory_name)
    canvas.setCreator("jewelryorders")
    canvas.setSubject(", ".join(sorted({s.order_no for s in sheets}))[:500])
    painter = _SheetPainter(canvas, lang, factory_name, printed_by, printed_at, len(sheets))
    for number, sheet in enumerate(sheets, start=1):
        painter.draw_sheet(sheet, number)
        if progress is not None:
            progress(number, len(sheets))
    if len(sheets) > 1:
        canvas.showOutline()
    canvas.save()
    return path


def reprint_mark(print_count: int, lang: str) -> str:
    """The stamp a reprinted sheet carries, e.g. 'REPRINT #2'; empty for the first print."""
    if print_count < 1:
        return ""
    return tr("REPRINT #{count}", normalize_language(lang), count=print_count)


# ---------------------------------------------------------------------------------------------------------------
# text fitting


@lru_cache(maxsize=65536)
def _width(text: str, font: str, size: float) -> float:
    return stringWidth(text, font, size)


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break text into lines no wider than `width`: Chinese between any two characters, Latin between words."""
    lines: list[str] = []
    for paragraph in (text or "").splitlines() or [""]:
        line: list[str] = []
        line_width = 0.0
        broke = False
        for token in _TOKEN.findall(paragraph):
            if token.isspace() and not line and broke:
                continue  # the space where a line was broken does not indent the next line
            token_width = _width(token, font, size)
            if line_width + _width(token.rstrip(), font, size) <= width:
                line.append(token)
                line_width += token_width
                continue
            if token.isspace():
                continue
            broke = True
            if _width(token.rstrip(), font, size) > width:
                # a word longer than the whole line (a part number, a URL) is cut where it must be cut
                for ch in token:
                    ch_width = _width(ch, font, size)
                    if line and line_width + ch_width > width:
                        lines.append("".join(line).rstrip())
                        line, line_width = [], 0.0
                    line.append(ch)
                    line_width += ch_width
                continue
            carried: list[str] = []
            if token[0] in CLOSING_PUNCTUATION and len(line) > 1 and not line[-1].isspace():
                # a line must not start with a comma or full stop: the character before it goes along
                carried = [line.pop()]
            lines.append("".join(line).rstrip())
            line = carried + [token]
            line_width = sum(_width(t, font, size) for t in line)
        lines.append("".join(line).rstrip())
    return lines


def _fit_block(text: str, font: str, width: float, height: float, max_size: float, min_size: float,
               leading: float = 1.3) -> tuple[float, list[str], list[str]]:
    """Largest size from max_size down to min_size at which the text fits; returns (size, shown, left over)."""
    size = max_size
    while True:
        lines = _wrap(text, font, size, width)
        capacity = max(1, int((height + 0.01) // (size * leading)))
        if len(lines) <= capacity or size <= min_size:
            return size, lines[:capacity], lines[capacity:]
        size = max(min_size, size - 0.5)


def _fit_size(text: str, font: str, width: float, max_size: float, min_size: float) -> float:
    natural = _width(text, font, max_size)
    if natural <= width:
        return max_size
    return max(min_size, max_size * width / natural)


def _ellipsize(text: str, font: str, size: float, width: float) -> str:
    if _width(text, font, size) <= width:
        return text
    while text and _width(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _format_pct(value: Decimal) -> str:
    return f"{Decimal(value):f} %"


def _field_values(sheet: TaskSheetData, lang: str) -> dict[str, str]:
    return {
        "order_no": sheet.order_no,
        "customer": sheet.customer,
        "style_code": f"{sheet.style_code}  ·  {sheet.part_label}" if sheet.part_label else sheet.style_code,
        "quantity": f"{sheet.quantity:,} " + tr("pcs", lang),
        "style_description": sheet.style_description,
        "specs": sheet.specs,
        "metal": sheet.metal,
        "target_weight": "—" if sheet.target_weight_mg is None else f"{fmt_grams(sheet.target_weight_mg)} g",
        "planned_start": fmt_date(sheet.planned_start, lang),
        "due": fmt_date(sheet.due, lang),
        "responsible": sheet.responsible,
        "order_delivery": "—" if sheet.order_delivery is None else fmt_date(sheet.order_delivery, lang),
    }


# ---------------------------------------------------------------------------------------------------------------
# drawing


class _SheetPainter:
    """Draws sheets on one canvas; the fixed part of the form is drawn once and reused on every page."""

    SKELETON = "TaskSheetForm"

    def __init__(self, canvas: Canvas, lang: str, factory_name: str, printed_by: str, printed_at: dt.datetime,
                 total: int) -> None:
        self.c = canvas
        self.lang = lang
        self.factory_name = factory_name
        self.total = total
        footer = tr("Printed {when}", lang, when=fmt_date(printed_at, lang))
        if printed_by:
            footer += "  ·  " + tr("by {user}", lang, user=printed_by)
        self.footer_left = footer
        self.skeleton_ready = False
        self.image_forms: dict[str, str | None] = {}

    # -- helpers ---------------------------------------------------------------------------------------------

    def text(self, x: float, y: float, text: str, size: float, font: str = FONT_NAME, color=INK,
             bold: bool = False, align: str = "left") -> None:
        c = self.c
        if align != "left":
            w = _width(text, font, size)
            x -= w if align == "right" else w / 2
        fake_bold = bold and font != LATIN_BOLD
        if fake_bold:
            # The CJK font has no bold face; outlining the glyphs thickens them without a second font file.
            # The render mode is graphics state that outlives the text object, hence the save/restore.
            c.saveState()
            c.setLineWidth(size * 0.04)
        t = c.beginText(x, y)
        t.setFont(font, size)
        t.setFillColor(color)
        if fake_bold:
            t.setStrokeColor(color)
            t.setTextRenderMode(2)
        t.textOut(text)
        c.drawText(t)
        if fake_bold:
            c.restoreState()

    def lines(self, x: float, top: float, lines: Sequence[str], size: float, leading: float = 1.3,
              color=INK, bold: bool = False) -> None:
        y = top - size * 0.95
        for line in lines:
            if line:
                self.text(x, y, line, size, color=color, bold=bold)
            y -= size * leading

    def cell_text(self, text: str, x: float, top: float, width: float, height: float, max_size: float,
                  min_size: float, color=INK, bold: bool = False) -> None:
        """Text wrapped into a fixed cell, shrunk as far as min_size, then cut with an ellipsis."""
        size, shown, rest = _fit_block(text, FONT_NAME, width, height, max_size, min_size, leading=1.15)
        if rest:
            shown = shown[:-1] + [_ellipsize(shown[-1] + "…", FONT_NAME, size, width)]
        self.lines(x, top, shown, size, leading=1.15, color=color, bold=bold)

    def section_bar(self, top: float, title: str, width: float = CONTENT_WIDTH, x: float = LEFT) -> None:
        c = self.c
        c.setFillColor(SHADE)
        c.rect(x, top - SECTION_BAR, width, SECTION_BAR, stroke=0, fill=1)
        self.text(x + PAD, top - SECTION_BAR + 1.8 * mm, title, 9.5, color=ACCENT, bold=True)

    def box(self, x: float, y: float, w: float, h: float, width: float = 0.6, color=INK) -> None:
        c = self.c
        c.setStrokeColor(color)
        c.setLineWidth(width)
        c.rect(x, y, w, h, stroke=1, fill=0)

    def checkbox(self, x: float, y: float, label: str, size: float = 9) -> float:
        side = size
        self.box(x, y - 0.15 * size, side, side, width=0.7)
        self.text(x + side + 1.5 * mm, y, label, size)
        return side + 1.5 * mm + _width(label, FONT_NAME, size)

    # -- the fixed part, drawn once --------------------------------------------------------------------------

    def ensure_skeleton(self) -> None:
        if self.skeleton_ready:
            return
        c, lang = self.c, self.lang
        c.beginForm(self.SKELETON)
        c.saveState()
        # A long bilingual factory name shrinks rather than run into the barcode's quiet zone.
        factory_size = _fit_size(self.factory_name, FONT_NAME, 60 * mm, 10.5, 6)
        self.text(LEFT, HEADER_TOP - 4 * mm, _ellipsize(self.factory_name, FONT_NAME, factory_size, 60 * mm),
                  factory_size, color=ACCENT, bold=True)
        title = tr(TITLE, lang)
        self.text(LEFT, HEADER_TOP - 14 * mm, title, _fit_size(title, FONT_NAME, 60 * mm, 24, 14), bold=True)
        self.text(LEFT, HEADER_TOP - 20.5 * mm, tr("Task sheet no.", lang), 8, color=LABEL_GREY)
        c.setStrokeColor(ACCENT)
        c.setLineWidth(1.2)
        c.line(LEFT, BANNER_TOP + 2 * mm, RIGHT, BANNER_TOP + 2 * mm)

        c.setFillColor(SHADE)
        c.setStrokeColor(ACCENT)
        c.setLineWidth(1)
        c.roundRect(LEFT, BANNER_BOTTOM, CONTENT_WIDTH, BANNER_TOP - BANNER_BOTTOM, 2 * mm, stroke=1, fill=1)
        x = LEFT
        for index, (label, width) in enumerate(BANNER_CELLS):
            self.text(x + 3 * mm, BANNER_TOP - 4.5 * mm, tr(label, lang), 8, color=LABEL_GREY)
            if index:
                c.setStrokeColor(RULE)
                c.setLineWidth(0.5)
                c.line(x, BANNER_BOTTOM + 2 * mm, x, BANNER_TOP - 2 * mm)
            x += width

        self._skeleton_info_table()
        self.box(IMAGE_LEFT, self.info_bottom, RIGHT - IMAGE_LEFT, INFO_TOP - self.info_bottom, width=0.5, color=RULE)
        self.text(IMAGE_LEFT + PAD, INFO_TOP - 4 * mm, tr("Design image", lang), 8, color=LABEL_GREY)

        for top, bottom, title in ((PROCESS_TOP, PROCESS_BOTTOM, tr("Process requirements", lang)),
                                   (QUALITY_TOP, QUALITY_BOTTOM, tr("Quality standard", lang))):
            self.section_bar(top, title)
            self.box(LEFT, bottom, CONTENT_WIDTH, top - bottom, width=0.5, color=RULE)

        self._skeleton_checklist()
        self._skeleton_metal_table()
        self._skeleton_signatures()
        c.setStrokeColor(RULE)
        c.setLineWidth(0.4)
        c.line(LEFT, FOOTER_Y + 4 * mm, RIGHT, FOOTER_Y + 4 * mm)
        c.restoreState()
        c.endForm()
        self.skeleton_ready = True

    def _skeleton_info_table(self) -> None:
        c, lang = self.c, self.lang
        top = INFO_TOP
        for height, fields in INFO_ROWS:
            x = LEFT
            for label, _key, span in fields:
                width = INFO_PAIR_WIDTH * span
                c.setFillColor(SHADE)
                c.rect(x, top - height, INFO_LABEL_WIDTH, height, stroke=0, fill=1)
                self.cell_text(tr(label, lang), x + 1.5 * mm, top - 1.2 * mm, INFO_LABEL_WIDTH - 2.5 * mm,
                               height - 1.5 * mm, 8, 6.5, color=LABEL_GREY)
                x += width
            c.setStrokeColor(RULE)
            c.setLineWidth(0.4)
            c.line(LEFT, top - height, IMAGE_LEFT - 3 * mm, top - height)
            top -= height
        self.info_bottom = top
        c.setLineWidth(0.6)
        c.setStrokeColor(INK)
        c.line(LEFT, INFO_TOP, IMAGE_LEFT - 3 * mm, INFO_TOP)

    def _skeleton_checklist(self) -> None:
        lang = self.lang
        self.box(LEFT, CHECKLIST_BOTTOM, CONTENT_WIDTH, CHECKLIST_TOP - CHECKLIST_BOTTOM, width=0.5, color=RULE)
        label_width = 30 * mm
        self.c.setFillColor(SHADE)
        self.c.rect(LEFT, CHECKLIST_BOTTOM, label_width, CHECKLIST_TOP - CHECKLIST_BOTTOM, stroke=0, fill=1)
        self.cell_text(tr("Pre-production checklist", lang), LEFT + PAD, CHECKLIST_TOP - 2 * mm,
                       label_width - 2 * PAD, CHECKLIST_TOP - CHECKLIST_BOTTOM - 3 * mm, 9.5, 7, color=ACCENT)
        left = LEFT + label_width + 3 * mm
        texts = [tr(item, lang) for item in CHECKLIST_ITEMS]
        # one size for all four items, the largest at which they share the row, each taking its natural width
        box_and_gaps = len(texts) * (9 + 1.5 * mm) + (len(texts) - 1) * 4 * mm
        natural = sum(_width(text, FONT_NAME, 9) for text in texts)
        size = max(6.5, min(9.0, 9 * (RIGHT - PAD - left - box_and_gaps) / natural))
        spare = RIGHT - PAD - left - sum(_width(t, FONT_NAME, size) + size + 1.5 * mm for t in texts)
        gap = max(2 * mm, spare / (len(texts) - 1))
        x = left
        for text in texts:
            x += self.checkbox(x, CHECKLIST_TOP - 5.5 * mm, text, size) + gap
        self.text(LEFT + label_width + 3 * mm, CHECKLIST_BOTTOM + 6 * mm, tr("Notes:", lang), 8,
                  color=LABEL_GREY)

    def _skeleton_metal_table(self) -> None:
        c, lang = self.c, self.lang
        self.section_bar(METAL_TOP, tr("Metal issue and return", lang))
        header_top = METAL_TOP - SECTION_BAR
        header_height = 6 * mm
        row_height = (header_top - header_height - METAL_BOTTOM) / len(METAL_ROWS)
        x = LEFT
        for title, width in METAL_COLUMNS:
            text = tr(title, lang)
            self.text(x + 1.5 * mm, header_top - 4.2 * mm, text, _fit_size(text, FONT_NAME, width - 3 * mm, 8.5, 6),
                      color=LABEL_GREY)
            x += width
        c.setStrokeColor(INK)
        c.setLineWidth(0.5)
        c.rect(LEFT, METAL_BOTTOM, CONTENT_WIDTH, header_top - METAL_BOTTOM, stroke=1, fill=0)
        c.setLineWidth(0.35)
        y = header_top - header_height
        for row in METAL_ROWS:
            c.line(LEFT, y, RIGHT, y)
            text = tr(row, lang)
            self.cell_text(text, LEFT + 1.5 * mm, y - 1.3 * mm, METAL_COLUMNS[0][1] - 3 * mm, row_height - 1.5 * mm,
                           9, 6.5)
            y -= row_height
        loss_top = header_top - header_height - row_height * (len(METAL_ROWS) - 1)
        x = LEFT
        for index, (_title, width) in enumerate(METAL_COLUMNS[:-1]):
            x += width
            bottom = loss_top if index >= 2 else METAL_BOTTOM
            c.line(x, bottom, x, header_top)
        # the loss row: no piece count (hatched), and the loss rate beside the allowance
        pieces_left = LEFT + METAL_COLUMNS[0][1]
        c.saveState()
        path = c.beginPath()
        path.rect(pieces_left, METAL_BOTTOM, METAL_COLUMNS[1][1], row_height)
        c.clipPath(path, stroke=0, fill=0)
        c.setStrokeColor(RULE)
        c.setLineWidth(0.3)
        step = 2 * mm
        start = pieces_left - row_height
        while start < pieces_left + METAL_COLUMNS[1][1]:
            c.line(start, METAL_BOTTOM, start + row_height, METAL_BOTTOM + row_height)
            start += step
        c.restoreState()
        rate_left = pieces_left + METAL_COLUMNS[1][1] + METAL_COLUMNS[2][1]
        self.text(rate_left + 2 * mm, METAL_BOTTOM + row_height / 2 - 1.2 * mm, tr("Loss rate:", lang), 9)
        self.text(rate_left + 2 * mm + 49 * mm, METAL_BOTTOM + row_height / 2 - 1.2 * mm, "%", 9)
        c.setLineWidth(0.35)
        c.setStrokeColor(INK)
        label_end = rate_left + 3 * mm + _width(tr("Loss rate:", lang), FONT_NAME, 9)
        c.line(label_end, METAL_BOTTOM + 2 * mm, rate_left + 50 * mm, METAL_BOTTOM + 2 * mm)
        self.text(rate_left + 60 * mm, METAL_BOTTOM + row_height / 2 - 1.2 * mm, tr("Loss allowance:", lang),
                  8, color=LABEL_GREY)
        self.metal_loss_row = (rate_left + 60 * mm, METAL_BOTTOM, row_height)

    def _skeleton_signatures(self) -> None:
        lang = self.lang
        width = CONTENT_WIDTH / len(SIGNATURES)
        x = LEFT
        for index, label in enumerate(SIGNATURES):
            self.box(x, SIGN_BOTTOM, width, SIGN_TOP - SIGN_BOTTOM, width=0.5)
            self.text(x + PAD, SIGN_TOP - 4.5 * mm, tr(label, lang), 9, color=LABEL_GREY)
            self.text(x + PAD, SIGN_BOTTOM + 2.5 * mm, tr("Date:", lang), 8, color=LABEL_GREY)
            if index == len(SIGNATURES) - 1:
                right = x + width - PAD
                fail = tr("Rework", lang)
                passed = tr(INSPECTION_PASS, lang)
                fail_x = right - 4.5 * mm - _width(fail, FONT_NAME, 8.5)
                self.checkbox(fail_x, SIGN_TOP - 4.7 * mm, fail, 8.5)
                self.checkbox(fail_x - 6.5 * mm - _width(passed, FONT_NAME, 8.5), SIGN_TOP - 4.7 * mm, passed, 8.5)
            x += width

    # -- one sheet -------------------------------------------------------------------------------------------

    def draw_sheet(self, sheet: TaskSheetData, number: int) -> None:
        c, lang = self.c, self.lang
        self.ensure_skeleton()
        image_form = self.image_form(sheet.design_image_path)
        key = f"sheet{number}"
        c.bookmarkPage(key)
        c.addOutlineEntry(f"{sheet.sheet_no}  {sheet.step_seq}/{sheet.step_count} {sheet.step_name}", key, level=0)
        c.doForm(self.SKELETON)

        self.draw_header(sheet)
        self.draw_banner(sheet)
        self.draw_info(sheet)
        self.draw_image(sheet, image_form)
        overflow: list[tuple[str, float, list[str]]] = []
        process_top = PROCESS_TOP
        if sheet.review_conditions.strip():
            process_top = self.draw_review_conditions(sheet.review_conditions, PROCESS_TOP - SECTION_BAR,
                                                      PROCESS_BOTTOM, overflow) + SECTION_BAR
        for top, bottom, title, text in (
                (process_top, PROCESS_BOTTOM, N_("Process requirements"), sheet.process_requirements),
                (QUALITY_TOP, QUALITY_BOTTOM, N_("Quality standard"), sheet.quality_standard)):
            if bottom == QUALITY_BOTTOM and sheet.quality_more:
                self.draw_truncated_box(text, top - SECTION_BAR, bottom, sheet.quality_more)
                continue
            size, rest = self.draw_text_box(text, top - SECTION_BAR, bottom)
            if rest:
                overflow.append((title, size, rest))
        rest_notes = self.draw_checklist_notes(sheet.checklist_notes)
        if rest_notes:
            overflow.append((N_("Notes"), 8, rest_notes))
        self.draw_metal_values(sheet)
        self.draw_footer(sheet, number, continued=False)
        c.showPage()
        if overflow:
            self.draw_continuation(sheet, number, overflow)

    def draw_header(self, sheet: TaskSheetData) -> None:
        c = self.c
        qr_left = RIGHT - QR_SIZE
        code = qr.QrCode(sheet.sheet_no, width=QR_SIZE, height=QR_SIZE, qrBorder=4, qrLevel="M")
        c.setFillColor(BAR_BLACK)
        code.drawOn(c, qr_left, HEADER_TOP - QR_SIZE)

        barcode_right = qr_left - 1 * mm
        slot = barcode_right - (LEFT + 62 * mm)  # the title is fitted into 60 mm
        bars = self.code128(sheet.sheet_no, slot)
        bars_left = barcode_right - bars.width
        bars_bottom = HEADER_TOP - 2 * mm - BARCODE_HEIGHT
        c.setFillColor(BAR_BLACK)
        bars.drawOn(c, bars_left, bars_bottom)
        self.text(bars_left + bars.width / 2, bars_bottom - 4 * mm, sheet.sheet_no, 10, font=LATIN,
                  align="center")

        size = _fit_size(sheet.sheet_no, LATIN_BOLD, 72 * mm, 22, 12)
        baseline = HEADER_TOP - 28.5 * mm
        self.text(LEFT, baseline, sheet.sheet_no, size, font=LATIN_BOLD)

        mark = reprint_mark(sheet.print_count, self.lang)
        if mark:
            # stamped beside the number it qualifies, where a clerk checking the number cannot miss it
            left = LEFT + _width(sheet.sheet_no, LATIN_BOLD, size) + 5 * mm
            room = qr_left - 1 * mm - left
            size = _fit_size(mark, FONT_NAME, room - 6 * mm, 15, 9)
            width = _width(mark, FONT_NAME, size) + 6 * mm
            y = baseline - 1.6 * mm - size * 0.18
            c.saveState()
            c.setStrokeColor(STAMP_RED)
            c.setLineWidth(1.6)
            c.roundRect(left, y, width, size + 3.2 * mm, 1.5 * mm, stroke=1, fill=0)
            c.setLineWidth(0.5)
            c.roundRect(left + 0.8 * mm, y + 0.8 * mm, width - 1.6 * mm, size + 1.6 * mm, 1 * mm, stroke=1, fill=0)
            c.restoreState()
            self.text(left + 3 * mm, baseline, mark, size, color=STAMP_RED, bold=True)

    @staticmethod
    def code128(value: str, slot: float) -> code128.Code128:
        bars = code128.Code128(value, barWidth=BARCODE_MODULE, barHeight=BARCODE_HEIGHT, quiet=1,
                               lquiet=BARCODE_QUIET, rquiet=BARCODE_QUIET, humanReadable=0)
        symbol = bars.width - 2 * BARCODE_QUIET
        if symbol + 2 * BARCODE_QUIET > slot:
            modules = symbol / BARCODE_MODULE
            module = max(BARCODE_MIN_MODULE, (slot - 2 * BARCODE_QUIET) / modules)
            bars = code128.Code128(value, barWidth=module, barHeight=BARCODE_HEIGHT, quiet=1,
                                   lquiet=BARCODE_QUIET, rquiet=BARCODE_QUIET, humanReadable=0)
        return bars

    def draw_banner(self, sheet: TaskSheetData) -> None:
        step_width, workshop_width, due_width = (w for _label, w in BANNER_CELLS)
        x = LEFT + 3 * mm
        counter = f"{sheet.step_seq} / {sheet.step_count}"
        self.text(x, BANNER_BOTTOM + 3.6 * mm, counter, 20, font=LATIN_BOLD)
        name_left = x + _width(counter, LATIN_BOLD, 20) + 3 * mm
        self.banner_value(sheet.step_name, name_left, LEFT + step_width - 3 * mm - name_left, 18)
        self.banner_value(sheet.workshop, LEFT + step_width + 3 * mm, workshop_width - 6 * mm, 16)
        due = fmt_date(sheet.due, self.lang)
        x = LEFT + step_width + workshop_width + 3 * mm
        self.text(x, BANNER_BOTTOM + 3.6 * mm, due, _fit_size(due, LATIN_BOLD, due_width - 6 * mm, 16, 7),
                  font=LATIN_BOLD, color=STAMP_RED)

    def banner_value(self, text: str, left: float, width: float, max_size: float) -> None:
        """Big on one line when it fits at a readable size, otherwise two smaller lines."""
        size = _fit_size(text, FONT_NAME, width, max_size, 12)
        if _width(text, FONT_NAME, size) <= width + 0.1:
            self.text(left, BANNER_BOTTOM + 3.6 * mm, text, size, bold=True)
            return
        self.cell_text(text, left, BANNER_TOP - 5.8 * mm, width, BANNER_TOP - BANNER_BOTTOM - 7 * mm, 11.5, 7,
                       bold=True)

    def draw_info(self, sheet: TaskSheetData) -> None:
        values = _field_values(sheet, self.lang)
        top = INFO_TOP
        for height, fields in INFO_ROWS:
            x = LEFT
            for _label, key, span in fields:
                width = INFO_PAIR_WIDTH * span - INFO_LABEL_WIDTH - 3 * mm
                left = x + INFO_LABEL_WIDTH + 2 * mm
                if key == "quantity":
                    self.draw_quantity(sheet, left, top - height, width)
                else:
                    self.cell_text(values[key], left, top - 1.3 * mm, width, height - 1.6 * mm, 10, 7)
                x += INFO_PAIR_WIDTH * span
            top -= height

    def draw_quantity(self, sheet: TaskSheetData, left: float, bottom: float, width: float) -> None:
        number = f"{sheet.quantity:,}"
        self.text(left, bottom + 2.2 * mm, number, 14, font=LATIN_BOLD)
        unit = tr("pcs", self.lang)
        self.text(left + _width(number, LATIN_BOLD, 14) + 1.5 * mm, bottom + 2.2 * mm, unit, 10)

    def image_form(self, image_path: str | None) -> str | None:
        """Draw each design image once into a reusable form, shrunk to print size; None if it cannot be read."""
        if not image_path:
            return None
        key = os.fspath(image_path)
        if key in self.image_forms:
            return self.image_forms[key]
        reader = _load_design_image(key)
        name = None
        if reader is not None:
            name = f"TaskSheetImage{len(self.image_forms)}"
            left, bottom, width, height = self.image_area()
            self.c.beginForm(name)
            self.c.drawImage(reader, left, bottom, width, height, preserveAspectRatio=True, anchor="c")
            self.c.endForm()
        self.image_forms[key] = name
        return name

    def image_area(self) -> tuple[float, float, float, float]:
        left = IMAGE_LEFT + PAD
        bottom = self.info_bottom + PAD
        return left, bottom, RIGHT - PAD - left, INFO_TOP - 6 * mm - bottom

    def draw_image(self, sheet: TaskSheetData, form: str | None) -> None:
        if form:
            self.c.doForm(form)
            return
        left, bottom, width, height = self.image_area()
        c = self.c
        c.saveState()
        c.setStrokeColor(RULE)
        c.setLineWidth(0.6)
        c.setDash(3, 2)
        c.rect(left + 3 * mm, bottom + 3 * mm, width - 6 * mm, height - 6 * mm, stroke=1, fill=0)
        c.line(left + 3 * mm, bottom + 3 * mm, left + width - 3 * mm, bottom + height - 3 * mm)
        c.line(left + 3 * mm, bottom + height - 3 * mm, left + width - 3 * mm, bottom + 3 * mm)
        c.restoreState()
        if sheet.design_image_path:
            message = tr("Design image cannot be read", self.lang)
            detail = os.path.basename(os.fspath(sheet.design_image_path))
        else:
            message, detail = tr("No design image", self.lang), ""
        middle = bottom + height / 2
        c.setFillColor(colors.white)
        c.rect(left + 6 * mm, middle - 6 * mm, width - 12 * mm, 12 * mm, stroke=0, fill=1)
        size = _fit_size(message, FONT_NAME, width - 14 * mm, 10, 6.5)
        self.text(left + width / 2, middle + (0 if detail else -1.5 * mm), message, size, color=LABEL_GREY,
                  align="center")
        if detail:
            detail = _ellipsize(detail, FONT_NAME, 7, width - 14 * mm)
            self.text(left + width / 2, middle - 4 * mm, detail, 7, color=LABEL_GREY, align="center")

    def draw_text_box(self, text: str, top: float, bottom: float) -> tuple[float, list[str]]:
        size, shown, rest = _fit_block(text, FONT_NAME, CONTENT_WIDTH - 2 * PAD, top - bottom - 2 * PAD, 12, 8.5)
        if rest:
            shown = shown[:-1] + [tr("(continued on the next page)", self.lang)]
            rest = _wrap(text, FONT_NAME, size, CONTENT_WIDTH - 2 * PAD)[len(shown) - 1:]
        self.lines(LEFT + PAD, top - PAD * 0.8, shown, size)
        return size, rest

    def draw_truncated_box(self, text: str, top: float, bottom: float, more: str) -> None:
        """Text that must stay in its box: what does not fit is cut, and the last line says where to read on."""
        size, shown, rest = _fit_block(text, FONT_NAME, CONTENT_WIDTH - 2 * PAD, top - bottom - 2 * PAD, 12, 8.5)
        if rest:
            shown = shown[:-1] + [more]
        self.lines(LEFT + PAD, top - PAD * 0.8, shown, size)

    def draw_review_conditions(self, conditions: str, top: float, bottom: float,
                               overflow: list[tuple[str, float, list[str]]]) -> float:
        """The review's conditions at the head of the process box, in red so the bench cannot miss them (at most
        half the box; the rest goes on the continuation page). Returns where the process text starts."""
        size = 9.5
        heading = tr("Conditions agreed in the review", self.lang) + ":"
        text = heading + "\n" + conditions
        width = CONTENT_WIDTH - 2 * PAD
        wrapped = _wrap(text, FONT_NAME, size, width)
        room = max(2, int(((top - bottom) / 2) // (size * 1.3)))
        shown, rest = wrapped[:room], wrapped[room:]
        if rest:
            shown = shown[:-1] + [tr("(continued on the next page)", self.lang)]
            rest = wrapped[room - 1:]
            overflow.append((N_("Conditions agreed in the review"), size, rest))
        self.lines(LEFT + PAD, top - PAD * 0.8, shown, size, color=STAMP_RED, bold=True)
        used = PAD * 0.8 + len(shown) * size * 1.3 + PAD
        c = self.c
        c.saveState()
        c.setStrokeColor(STAMP_RED)
        c.setLineWidth(0.6)
        c.line(LEFT + PAD, top - used, RIGHT - PAD, top - used)
        c.restoreState()
        return top - used

    def draw_checklist_notes(self, notes: str) -> list[str]:
        if not notes:
            return []
        label_width = 30 * mm
        label_end = LEFT + label_width + 4 * mm + _width(tr("Notes:", self.lang), FONT_NAME, 8)
        width = RIGHT - PAD - label_end
        size, shown, rest = _fit_block(notes, FONT_NAME, width, 2 * 8 * 1.2, 8, 8, leading=1.2)
        if rest:
            shown = shown[:-1] + [tr("(continued on the next page)", self.lang)]
            rest = _wrap(notes, FONT_NAME, 8, width)[len(shown) - 1:]
        self.lines(label_end, CHECKLIST_BOTTOM + 6 * mm + 8 * 0.95, shown, 8, leading=1.2)
        return rest

    def draw_metal_values(self, sheet: TaskSheetData) -> None:
        left, bottom, row_height = self.metal_loss_row
        label = tr("Loss allowance:", self.lang)
        value = "—" if sheet.metal_allowance_pct is None else "≤ " + _format_pct(sheet.metal_allowance_pct)
        self.text(left + _width(label, FONT_NAME, 8) + 1.5 * mm, bottom + row_height / 2 - 1.2 * mm, value, 9,
                  bold=True)

    def draw_footer(self, sheet: TaskSheetData, number: int, continued: bool) -> None:
        """Left: printed when and by whom; middle: what the sheet is; right: its place in the batch. However long
        the names, the three parts never overlap: the right part keeps its width, the others are cut to fit."""
        size, gap = 7.5, 4 * mm
        right = tr("Sheet {number} of {total}", self.lang, number=number, total=self.total)
        if continued:
            right += " " + tr("(continued)", self.lang)
        mark = reprint_mark(sheet.print_count, self.lang)
        right_width = _width(right, FONT_NAME, size) + (_width(mark, FONT_NAME, size) + gap if mark else 0)
        self.text(RIGHT, FOOTER_Y, right, size, color=LABEL_GREY, align="right")
        if mark:
            self.text(RIGHT - _width(right, FONT_NAME, size) - gap, FOOTER_Y, mark, size, color=STAMP_RED,
                      align="right", bold=True)
        room = CONTENT_WIDTH - right_width - 2 * gap
        left_width = min(_width(self.footer_left, FONT_NAME, size), room * 0.42)
        left = _ellipsize(self.footer_left, FONT_NAME, size, left_width)
        self.text(LEFT, FOOTER_Y, left, size, color=LABEL_GREY)
        middle_left = LEFT + _width(left, FONT_NAME, size) + gap
        middle_right = RIGHT - right_width - gap
        # the numbers stay whole (a clerk matches them); only the step's name gives way
        head = f"{sheet.order_no}  ·  {sheet.step_seq}/{sheet.step_count} "
        tail = f"  ·  {sheet.sheet_no}" + (f"  ·  {sheet.part_label}" if sheet.part_label else "")
        name_room = middle_right - middle_left - _width(head + tail, FONT_NAME, size)
        middle = head + _ellipsize(sheet.step_name, FONT_NAME, size, max(name_room, 0)) + tail
        middle = _ellipsize(middle, FONT_NAME, size, middle_right - middle_left)
        # centred on the page when there is room for that, else centred in the gap it has
        centre = min(max(PAGE_WIDTH / 2, middle_left + _width(middle, FONT_NAME, size) / 2),
                     middle_right - _width(middle, FONT_NAME, size) / 2)
        self.text(centre, FOOTER_Y, middle, size, color=LABEL_GREY, align="center")

    def draw_continuation(self, sheet: TaskSheetData, number: int,
                          overflow: list[tuple[str, float, list[str]]]) -> None:
        """Instructions too long for their box go on following pages, headed so they cannot be mistaken."""
        lang = self.lang
        pending = [(title, size, list(lines)) for title, size, lines in overflow]
        while pending:
            factory_size = _fit_size(self.factory_name, FONT_NAME, 120 * mm, 10.5, 6)
            self.text(LEFT, HEADER_TOP - 4 * mm, _ellipsize(self.factory_name, FONT_NAME, factory_size, 120 * mm),
                      factory_size, color=ACCENT, bold=True)
            heading = tr(TITLE, lang) + " " + tr("(continued)", lang)
            self.text(LEFT, HEADER_TOP - 14 * mm, heading, 18, bold=True)
            self.text(RIGHT, HEADER_TOP - 14 * mm, sheet.sheet_no, 18, font=LATIN_BOLD, align="right")
            self.c.setStrokeColor(ACCENT)
            self.c.setLineWidth(1.2)
            self.c.line(LEFT, HEADER_TOP - 18 * mm, RIGHT, HEADER_TOP - 18 * mm)
            y = HEADER_TOP - 22 * mm
            while pending:
                title, size, lines = pending[0]
                if y - SECTION_BAR - size * 2 < FOOTER_Y + 8 * mm:
                    break
                self.section_bar(y, tr(title, lang) + " " + tr("(continued)", lang))
                y -= SECTION_BAR + PAD
                room = int((y - FOOTER_Y - 8 * mm) // (size * 1.3))
                take, lines[:] = lines[:room], lines[room:]
                self.lines(LEFT + PAD, y, take, size)
                y -= len(take) * size * 1.3 + 4 * mm
                if not lines:
                    pending.pop(0)
            self.draw_footer(sheet, number, continued=True)
            self.c.showPage()


def _load_design_image(path: str) -> ImageReader | None:
    """Decode the whole image now and shrink it to print size; any file that cannot be read yields None."""
    try:
        with Image.open(path) as opened:
            opened.draft("RGB", (DESIGN_IMAGE_PIXELS, DESIGN_IMAGE_PIXELS))  # JPEGs decode at reduced scale
            opened.load()
            image = ImageOps.exif_transpose(opened)
            if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
                rgba = image.convert("RGBA")
                white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
                image = Image.alpha_composite(white, rgba)
            image = image.convert("RGB")
            image.thumbnail((DESIGN_IMAGE_PIXELS, DESIGN_IMAGE_PIXELS), reducing_gap=2.0)
        return ImageReader(image)
    except Exception:  # noqa: BLE001 — a corrupt or exotic file must never stop a batch of a thousand sheets
        return None


__all__ = ["TaskSheetData", "write_task_sheets", "reprint_mark"]
