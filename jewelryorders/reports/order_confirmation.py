"""The order confirmation the customer signs: order and customer, every line, totals, delivery, terms, signatures."""

from __future__ import annotations

import datetime as dt
import functools
import re
from decimal import Decimal
from pathlib import Path
from typing import Sequence
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether

from ..i18n import normalize_language, tr
from .paper_data import OrderLineData, OrderPaperData, StoneData
from .pdf_base import (
    A4, RULE, SHADE, HeadingGuard, PaperHeader, Paragraph, Spacer, Table, TableStyle, build_pdf, colors,
    content_width, fmt_date, fmt_grams, fmt_money, mm, styles,
)

_CJK_CHARACTER = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
CARAT_PLACES = Decimal("0.001")
SECTION_MIN_ROOM = 28 * mm
CELL_SIDE_PADDING = 3
SMALLEST_NUMBER_SIZE = 6.0


@functools.lru_cache(maxsize=1)
def paper_styles() -> dict[str, ParagraphStyle]:
    """The shared paper styles, made once, plus the few these papers add."""
    st = dict(styles())
    st["cell_bold"] = ParagraphStyle("cell_bold", parent=st["cell_head"])
    st["cell_bold_right"] = ParagraphStyle("cell_bold_right", parent=st["cell_head"], alignment=TA_RIGHT)
    st["subtitle"] = ParagraphStyle("subtitle", parent=st["center"], fontSize=8.5, leading=11,
                                    textColor=colors.HexColor("#52606d"))
    return st


@functools.lru_cache(maxsize=None)
def _latin_variant(style: ParagraphStyle) -> ParagraphStyle:
    """The same style wrapping at spaces: CJK wrapping would cut English words in the middle."""
    return ParagraphStyle(style.name + "_latin", parent=style, wordWrap=None)


def para(value: object, style: ParagraphStyle) -> Paragraph:
    """Plain user or label text as a paragraph: escaped (never markup), newlines kept, wrapped to suit its script."""
    text = "" if value is None else str(value)
    if not _CJK_CHARACTER.search(text):
        style = _latin_variant(style)
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def cell(value: object, style: ParagraphStyle) -> Flowable | str:
    return value if isinstance(value, Flowable) else para(value, style)


RULED_TABLE_STYLE = [
    ("GRID", (0, 0), (-1, -1), 0.4, RULE),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("TOPPADDING", (0, 0), (-1, -1), 2),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ("LEFTPADDING", (0, 0), (-1, -1), CELL_SIDE_PADDING),
    ("RIGHTPADDING", (0, 0), (-1, -1), CELL_SIDE_PADDING),
]


@functools.lru_cache(maxsize=64)
def _shrunk(style: ParagraphStyle, font_size: float) -> ParagraphStyle:
    return ParagraphStyle(f"{style.name}_{font_size}", parent=style, fontSize=font_size, leading=font_size * 1.3)


def number_cell(text: str, style: ParagraphStyle, column_width: float) -> Paragraph:
    """A number on one line: set smaller when it is wider than its column, since a number must never wrap."""
    room = column_width - 2 * CELL_SIDE_PADDING
    needed = stringWidth(text, style.fontName, style.fontSize)
    if needed > room > 0:
        size = max(SMALLEST_NUMBER_SIZE, int(style.fontSize * room / needed * 4) / 4)
        style = _shrunk(style, size)
    return para(text, style)


_CODE_BREAK = re.compile(r"(?<=[-/_.])")


def code_cell(text: str, style: ParagraphStyle, column_width: float) -> Paragraph:
    """A code (a style code, a part number) that never breaks in the middle of a part: set smaller to fit one
    line, and when even the smallest size is too wide, broken only after its separators (- / _ .)."""
    room = column_width - 2 * CELL_SIDE_PADDING
    size = style.fontSize
    needed = stringWidth(text, style.fontName, size)
    if needed > room > 0:
        size = max(SMALLEST_NUMBER_SIZE, int(size * room / needed * 4) / 4)
        style = _shrunk(style, size)
    if stringWidth(text, style.fontName, size) <= room or room <= 0:
        return Paragraph(escape(text).replace(" ", "&nbsp;"), _latin_variant(style))
    lines: list[str] = []
    for piece in _CODE_BREAK.split(text):
        if lines and stringWidth(lines[-1] + piece, style.fontName, size) <= room:
            lines[-1] += piece
        else:
            lines.append(piece)
    return Paragraph("<br/>".join(escape(line).replace(" ", "&nbsp;") for line in lines), _latin_variant(style))


def ruled_table(header: Sequence[str], rows: Sequence[Sequence[object]], col_widths: Sequence[float],
                numeric_cols: Sequence[int] = (), extra_style: Sequence[tuple] = ()) -> Table:
    """A ruled table whose shaded header row repeats on every page; cells may be text or ready flowables.

    Rows may split across pages (splitInRow): one cell of free text can be taller than a page.
    """
    st = paper_styles()
    data: list[list] = [[cell(h, st["cell_head"]) for h in header]]
    for row in rows:
        data.append([number_cell(v, st["cell_right"], col_widths[i]) if i in numeric_cols and isinstance(v, str)
                     else cell(v, st["cell"]) for i, v in enumerate(row)])
    table = Table(data, colWidths=list(col_widths), repeatRows=1, splitInRow=1)
    table.setStyle(TableStyle(RULED_TABLE_STYLE + [("BACKGROUND", (0, 0), (-1, 0), SHADE)] + list(extra_style)))
    return table


def field_table(pairs: Sequence[tuple[str, object]], width: float, columns: int = 1, label_share: float = 0.3) -> Table:
    """Label/value pairs in `columns` pairs per row: grey labels, wrapping values, thin rules between rows."""
    st = paper_styles()
    rows: list[list] = []
    row: list = []
    for label, value in pairs:
        row += [para(label, st["label"]), cell(value, st["cell"])]
        if len(row) == columns * 2:
            rows.append(row)
            row = []
    if row:
        rows.append(row + [""] * (columns * 2 - len(row)))
    label_width = width / columns * label_share
    table = Table(rows, colWidths=[label_width, width / columns - label_width] * columns, splitInRow=1)
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


def titled_box(title: str, body: Flowable, width: float) -> Table:
    """A framed block with a shaded caption, e.g. the order and customer blocks side by side."""
    st = paper_styles()
    table = Table([[para(title, st["cell_head"])], [body]], colWidths=[width])
    table.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 0.5, RULE),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.4, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 1), (-1, -1), 0),
        ("RIGHTPADDING", (0, 1), (-1, -1), 0),
        ("TOPPADDING", (0, 1), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 1), (-1, -1), 0),
    ]))
    return table


def side_by_side(left: Flowable, right: Flowable, width: float, gap: float = 5 * mm) -> Table:
    half = (width - gap) / 2
    table = Table([[left, "", right]], colWidths=[half, gap, half])
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]))
    return table


def heading(text: str, min_room: float = SECTION_MIN_ROOM) -> list[Flowable]:
    """A section heading that never stays alone at the foot of a page.

    A page break when little room is left, rather than keep-with-next: that would push a long table whole onto the
    next page and leave this one half empty. The guard also breaks when the start of what follows (a table's
    header and first row) does not fit under the heading.
    """
    return [CondPageBreak(min_room), HeadingGuard(), para(text, paper_styles()["h2"])]


def fmt_carat(carat: Decimal) -> str:
    return f"{Decimal(carat).quantize(CARAT_PLACES):,}"


def format_stone(stone: StoneData, lang: str) -> str:
    return tr("{stone} × {count} / {carat} ct", lang, stone=stone.stone_type, count=stone.count,
              carat=fmt_carat(stone.carat))


def format_stones(stones: Sequence[StoneData], lang: str) -> str:
    """One stone line per printed line, e.g. "Diamond × 12 / 0.360 ct"."""
    return "\n".join(format_stone(stone, lang) for stone in stones)


def order_lines_table(data: OrderPaperData, lang: str, width: float) -> Table:
    """Every order line with its stones, then the total row; the header row repeats on every page."""
    st = paper_styles()
    header = [
        tr("No.", lang), tr("Style", lang), tr("Description", lang), tr("Metal", lang), tr("Size", lang),
        tr("Qty", lang), tr("Target wt. (g/pc)", lang), tr("Stones", lang),
        tr("Unit price ({currency})", lang, currency=data.currency),
        tr("Amount ({currency})", lang, currency=data.currency),
    ]
    # Millimetres on A4, scaled to the width given; stones are widest so "Diamond × 12 / 0.360 ct" keeps one line.
    shares = [7, 23, 20, 14, 11, 10, 16, 38, 19, 21]
    col_widths = [width * share / sum(shares) for share in shares]
    rows = [_line_row(line, lang) for line in data.lines]
    for row in rows:
        row[1] = code_cell(row[1], st["cell"], col_widths[1])
    total_label = para(tr("Total", lang), st["cell_head"])
    total_row = [total_label, "", "", "", "",
                 number_cell(f"{data.total_quantity:,}", st["cell_bold_right"], col_widths[5]), "", "", "",
                 number_cell(fmt_money(data.total_amount, "", lang), st["cell_bold_right"], col_widths[9])]
    last = len(rows) + 1
    table = ruled_table(header, rows + [total_row], col_widths, numeric_cols=(0, 5, 6, 8, 9), extra_style=[
        ("SPAN", (0, last), (4, last)),
        ("BACKGROUND", (0, last), (-1, last), SHADE),
        ("LINEABOVE", (0, last), (-1, last), 0.9, colors.HexColor("#52606d")),
    ])
    return table


def _line_row(line: OrderLineData, lang: str) -> list[object]:
    return [
        str(line.line_no), line.style_code, line.description, line.metal, line.size, f"{line.quantity:,}",
        fmt_grams(line.target_weight_mg), format_stones(line.stones, lang), fmt_money(line.unit_price, "", lang),
        fmt_money(line.amount, "", lang),
    ]


def bulleted(items: Sequence[str], style: ParagraphStyle) -> list[Paragraph]:
    return [para(f"{index}. {item}", style) for index, item in enumerate(items, start=1)]


def write_order_confirmation(data: OrderPaperData, path: str | Path, *, lang: str, printed_by: str = "",
                             printed_at: dt.datetime | None = None) -> Path:
    """Print the order confirmation for the customer to sign, A4 portrait; return the file written."""
    lang = normalize_language(lang)
    st = paper_styles()
    width = content_width(A4)
    title = tr("Order Confirmation", lang)
    story: list = [para(title, st["title"])]
    if data.factory_address:
        story.append(para(data.factory_address, st["subtitle"]))
    story.append(Spacer(1, 4 * mm))

    order_pairs: list[tuple[str, object]] = [
        (tr("Order No.", lang), data.order_no),
        (tr("Order date", lang), fmt_date(data.order_date, lang)),
        (tr("Channel", lang), data.channel_label),
        (tr("Stage", lang), data.stage_label),
        (tr("Sales contact", lang), data.prepared_by),
    ]
    if data.contract_no:
        order_pairs.append((tr("Contract No.", lang), data.contract_no))
    if data.contract_signed:
        order_pairs.append((tr("Contract signed", lang), fmt_date(data.contract_signed, lang)))
    customer_pairs: list[tuple[str, object]] = [
        (tr("Customer", lang), data.customer_name),
        (tr("Contact", lang), data.customer_contact),
        (tr("Phone", lang), data.customer_phone),
        (tr("Email", lang), data.customer_email),
        (tr("Address", lang), data.customer_address),
    ]
    half = (width - 5 * mm) / 2
    story.append(side_by_side(
        titled_box(tr("Order", lang), field_table(order_pairs, half), half),
        titled_box(tr("Customer", lang), field_table(customer_pairs, half), half),
        width,
    ))

    story.extend(heading(tr("Order lines", lang)))
    story.append(order_lines_table(data, lang, width))
    story.extend(heading(tr("Totals and delivery", lang)))
    story.append(field_table([
        (tr("Total quantity", lang), tr("{count} pcs", lang, count=f"{data.total_quantity:,}")),
        (tr("Total amount", lang), para(fmt_money(data.total_amount, data.currency, lang), st["cell_bold"])),
        (tr("Delivery date", lang), para(fmt_date(data.delivery_date, lang), st["cell_bold"])),
        (tr("Delivery place", lang), data.delivery_place),
    ], width, columns=2))

    story.extend(heading(tr("Special requirements", lang)))
    story.append(_framed(para(data.special_requirements or tr("None", lang), st["base"]), width))

    story.extend(heading(tr("Attachments", lang)))
    if data.attachments:
        story.extend(bulleted(list(data.attachments), st["base"]))
    else:
        story.append(para(tr("None", lang), st["base"]))

    terms = [
        tr("Please check every line above. By signing, the customer confirms the styles, metals, sizes, quantities, stones, prices and delivery stated in this confirmation.", lang),
        tr("Metal weights are target weights per piece; the weight of every piece is measured and recorded at final inspection.", lang),
        tr("Changes requested after confirmation may change the price and the delivery date and take effect only when confirmed in writing by both parties.", lang),
        tr("Please sign, chop and return one copy of this confirmation to the factory.", lang),
    ]
    closing: list = [para(tr("Terms", lang), st["h2"])]
    closing.extend(bulleted(terms, st["small"]))
    closing.append(Spacer(1, 5 * mm))
    closing.append(signature_boxes([
        tr("Customer confirmation (signature and company chop)", lang),
        tr("For the factory (signature and chop)", lang),
    ], width, lang))
    story.append(CondPageBreak(60 * mm))
    story.append(KeepTogether(closing))

    header = PaperHeader(factory_name=data.factory_name, title=title, document_no=data.order_no, lang=lang,
                         printed_at=printed_at, printed_by=printed_by)
    return build_pdf(path, story, header, A4)


def signature_boxes(labels: Sequence[str], width: float, lang: str, signing_height: float = 25 * mm) -> Table:
    """Signing boxes tall enough for a hand signature, or a company chop, which is larger than a signature."""
    st = paper_styles()
    count = len(labels)
    table = Table([[para(label, st["small"]) for label in labels], [""] * count,
                   [para(tr("Date:", lang), st["small"]) for _ in labels]],
                  colWidths=[width / count] * count, rowHeights=[15, signing_height, 15])
    table.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 0.5, RULE),
        ("INNERGRID", (0, 0), (-1, -1), 0.25, RULE),
        ("LINEBELOW", (0, 1), (-1, 1), 0.25, RULE),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


def _framed(body: Flowable, width: float) -> Table:
    table = Table([[body]], colWidths=[width], splitInRow=1)
    table.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 0.5, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        ("LEFTPADDING", (0, 0), (-1, -1), 5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 5),
    ]))
    return table


__all__ = [
    "write_order_confirmation", "order_lines_table", "format_stone", "format_stones", "fmt_carat", "para", "cell",
    "ruled_table", "field_table", "titled_box", "side_by_side", "heading", "bulleted", "signature_boxes",
    "paper_styles", "number_cell", "SECTION_MIN_ROOM",
]
