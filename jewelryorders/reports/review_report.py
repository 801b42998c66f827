"""The review report the factory files: preliminary review, negotiation, decisions, every round's opinions, outcome."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Sequence
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether

from ..i18n import LANGUAGES, normalize_language, tr
from .order_confirmation import (
    SECTION_MIN_ROOM, field_table, heading, order_lines_table, para, paper_styles, ruled_table, signature_boxes,
)
from .paper_data import (
    CAUTION_OUTCOMES, NEGATIVE_OUTCOMES, POSITIVE_OUTCOMES, OpinionData, ReviewReportData, ReviewRoundData,
)
from .pdf_base import (
    A4, RULE, SHADE, PaperHeader, Paragraph, Spacer, Table, TableStyle, build_pdf, colors, content_width, fmt_date,
    fmt_money, mm,
)

POSITIVE, CAUTION, NEGATIVE = "positive", "caution", "negative"
TONE_INK = {
    POSITIVE: colors.HexColor("#027a48"),
    CAUTION: colors.HexColor("#b54708"),
    NEGATIVE: colors.HexColor("#b42318"),
}
TONE_PAPER = {
    POSITIVE: colors.HexColor("#ecfdf3"),
    CAUTION: colors.HexColor("#fffaeb"),
    NEGATIVE: colors.HexColor("#fef3f2"),
}
MUTED_INK = colors.HexColor("#667085")
OVERDUE_HEX = "#b42318"
_CHINESE_NUMERALS = "一二三四五六七八九十"
ROUND_MIN_ROOM = 45 * mm
PAGE_BODY_HEIGHT = A4[1] - 34 * mm  # the body frame of pdf_base.build_pdf on A4


@functools.lru_cache(maxsize=None)
def _known_outcomes() -> dict[str, tuple[str, str]]:
    """Every recognised outcome label, in English and in each translation, mapped to (msgid, tone)."""
    known: dict[str, tuple[str, str]] = {}
    for tone, msgids in ((POSITIVE, POSITIVE_OUTCOMES), (CAUTION, CAUTION_OUTCOMES), (NEGATIVE, NEGATIVE_OUTCOMES)):
        for msgid in msgids:
            for lang in LANGUAGES:
                known.setdefault(tr(msgid, lang), (msgid, tone))
    return known


def outcome_text(label: str | None, lang: str) -> str:
    """A recognised outcome in the paper's language; any other label as given."""
    if not label:
        return ""
    known = _known_outcomes().get(label)
    return tr(known[0], lang) if known else label


def outcome_tone(label: str | None) -> str | None:
    known = _known_outcomes().get(label or "")
    return known[1] if known else None


@functools.lru_cache(maxsize=1)
def report_styles() -> dict[str, ParagraphStyle]:
    """The paper styles plus the report's own, made once."""
    st = dict(paper_styles())
    st["verdict"] = ParagraphStyle("verdict", parent=st["cell_bold"], fontSize=10, leading=13)
    st["verdict_large"] = ParagraphStyle("verdict_large", parent=st["cell_bold"], fontSize=12, leading=16)
    st["verdict_label"] = ParagraphStyle("verdict_label", parent=st["label"], fontSize=9, leading=13)
    st["verdict_large_label"] = ParagraphStyle("verdict_large_label", parent=st["label"], fontSize=11, leading=16)
    st["department"] = ParagraphStyle("department", parent=st["h3"], spaceBefore=0, spaceAfter=0, keepWithNext=0)
    st["round"] = ParagraphStyle("round", parent=st["h3"], spaceBefore=0, spaceAfter=0, keepWithNext=0)
    st["muted"] = ParagraphStyle("muted", parent=st["base"], textColor=MUTED_INK)
    for name in ("cell", "cell_bold", "verdict", "verdict_large"):
        st[f"{name}_muted"] = ParagraphStyle(f"{name}_muted", parent=st[name], textColor=MUTED_INK)
        for tone, ink in TONE_INK.items():
            st[f"{name}_{tone}"] = ParagraphStyle(f"{name}_{tone}", parent=st[name], textColor=ink)
    return st


def outcome_paragraph(label: str | None, lang: str, style_name: str = "cell_bold", empty_text: str = "") -> Paragraph:
    """An outcome in its colour (reject red, conditional amber, pass green); `empty_text` in grey when empty.

    `style_name` is one of "cell", "cell_bold", "verdict", "verdict_large".
    """
    st = report_styles()
    if not label:
        return para(empty_text or tr("Not answered", lang), st[f"{style_name}_muted"])
    tone = outcome_tone(label)
    return para(outcome_text(label, lang), st[f"{style_name}_{tone}"] if tone else st[style_name])


def _check_result(check, lang: str) -> Flowable:
    """The check's result in its colour and, below it, what cleared it (the first line of `cleared_by`)."""
    cleared = (check.cleared_by or "").split("\n", 1)[0]
    result = outcome_paragraph(check.result, lang, "cell")
    if not cleared or cleared == "—":
        return result
    from reportlab.platypus import Table, TableStyle

    stacked = Table([[result], [para(cleared, report_styles()["cell_bold"])]])
    stacked.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                                 ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    return stacked


def _check_note(check) -> str:
    """The figures, then who recorded what cleared the check (the rest of `cleared_by`)."""
    details = (check.cleared_by or "").split("\n", 1)[1:]
    return "\n".join([check.note] + details) if details else check.note


def section_title(number: int, text: str, lang: str, min_room: float = SECTION_MIN_ROOM) -> list[Flowable]:
    """Numbered as a Chinese filed document numbers its sections (一、二、…) or as 1. 2. … in English."""
    return heading(_numbered(number, text, lang), min_room)


def _numbered(number: int, text: str, lang: str) -> str:
    if lang.startswith("zh") and number <= len(_CHINESE_NUMERALS):
        return f"{_CHINESE_NUMERALS[number - 1]}、{text}"
    return f"{number}. {text}"


def _none_recorded(lang: str) -> Paragraph:
    return para(tr("None recorded.", lang), report_styles()["muted"])


def _tone_rows(labels: Sequence[str | None], column: int, first_row: int = 1) -> list[tuple]:
    """Background commands that tint each outcome cell of a table by its tone."""
    commands = []
    for offset, label in enumerate(labels):
        tone = outcome_tone(label)
        if tone:
            row = first_row + offset
            commands.append(("BACKGROUND", (column, row), (column, row), TONE_PAPER[tone]))
    return commands


def write_review_report(data: ReviewReportData, path: str | Path, *, lang: str, printed_by: str = "",
                        printed_at: dt.datetime | None = None) -> Path:
    """Print the order's review report for the file, A4 portrait; return the file written."""
    lang = normalize_language(lang)
    st = report_styles()
    width = content_width(A4)
    order = data.order
    title = tr("Order Review Report", lang)
    story: list = [
        para(title, st["title"]),
        para(f"{order.order_no}  ·  {order.customer_name}", st["subtitle"]),
        Spacer(1, 3 * mm),
    ]

    story.extend(section_title(1, tr("Order summary", lang), lang))
    summary: list[tuple[str, object]] = [
        (tr("Order No.", lang), order.order_no),
        (tr("Customer", lang), order.customer_name),
        (tr("Contact", lang), order.customer_contact),
        (tr("Channel", lang), order.channel_label),
        (tr("Order date", lang), fmt_date(order.order_date, lang)),
        (tr("Delivery date", lang), fmt_date(order.delivery_date, lang)),
        (tr("Delivery place", lang), order.delivery_place),
        (tr("Stage", lang), order.stage_label),
        (tr("Total quantity", lang), tr("{count} pcs", lang, count=f"{order.total_quantity:,}")),
        (tr("Total amount", lang), fmt_money(order.total_amount, order.currency, lang)),
        (tr("Sales contact", lang), order.prepared_by),
        (tr("Attachments", lang), "; ".join(order.attachments) or tr("None", lang)),
    ]
    story.append(field_table(summary, width, columns=2))
    story.append(Spacer(1, 2 * mm))
    story.append(field_table([(tr("Special requirements", lang), order.special_requirements or tr("None", lang))],
                             width, label_share=0.15))
    story.append(Spacer(1, 3 * mm))
    story.append(order_lines_table(order, lang, width))

    story.extend(section_title(2, tr("Preliminary review", lang), lang))
    if data.preliminary_checks:
        checks = data.preliminary_checks
        story.append(ruled_table(
            [tr("Check", lang), tr("Result / cleared by", lang), tr("Figures and note", lang)],
            [[check.check, _check_result(check, lang), _check_note(check)] for check in checks],
            [width * 0.18, width * 0.22, width * 0.6],
            extra_style=_tone_rows([check.result for check in checks], column=1),
        ))
    else:
        story.append(_none_recorded(lang))
    story.append(Spacer(1, 2 * mm))
    story.append(_verdict_line(tr("Preliminary outcome", lang), data.preliminary_outcome, lang, width,
                               empty_text=tr("Not decided", lang)))

    story.extend(section_title(3, tr("Negotiation log", lang), lang))
    if data.negotiations:
        story.append(ruled_table(
            [tr("Date", lang), tr("With", lang), tr("Agreed", lang), tr("Changes to the order", lang),
             tr("Recorded by", lang)],
            [[fmt_date(entry.when, lang), entry.with_whom, entry.agreed, entry.changes or "—", entry.recorded_by]
             for entry in data.negotiations],
            [width * share for share in (0.13, 0.17, 0.30, 0.27, 0.13)],
        ))
    else:
        story.append(_none_recorded(lang))

    story.extend(section_title(4, tr("Decisions", lang), lang))
    if data.decisions:
        decisions = data.decisions
        story.append(ruled_table(
            [tr("Time", lang), tr("Decided by", lang), tr("Role", lang), tr("Decision", lang), tr("Reason", lang)],
            [[fmt_date(d.when, lang), d.by, d.role, outcome_paragraph(d.decision_label, lang, "cell"), d.reason]
             for d in decisions],
            [width * share for share in (0.15, 0.13, 0.15, 0.17, 0.40)],
            extra_style=_tone_rows([d.decision_label for d in decisions], column=3),
        ))
    else:
        story.append(_none_recorded(lang))

    # Room for the heading, a round's band and the start of its first opinion.
    story.extend(section_title(5, tr("Detailed review", lang), lang, min_room=ROUND_MIN_ROOM + 15 * mm))
    if data.rounds:
        for review_round in data.rounds:
            story.extend(_round_flowables(review_round, lang, width))
    else:
        story.append(para(tr("No review round has been opened yet.", lang), st["base"]))

    story.extend(section_title(6, tr("Conditions", lang), lang))
    conditions = [(review_round.round_no, opinion) for review_round in data.rounds
                  for opinion in review_round.opinions if opinion.conditions.strip()]
    if conditions:
        story.append(ruled_table(
            [tr("Round", lang), tr("Department", lang), tr("Conditions", lang)],
            [[tr("Round {number}", lang, number=round_no), opinion.department_label, opinion.conditions]
             for round_no, opinion in conditions],
            [width * 0.13, width * 0.17, width * 0.70],
        ))
    else:
        story.append(para(tr("No conditions were attached.", lang), st["base"]))

    story.extend(section_title(7, tr("Final decision", lang), lang))
    story.append(_verdict_line(tr("Decision", lang), data.final_decision_label, lang, width,
                               empty_text=tr("Not decided", lang), large=True))

    story.extend(section_title(8, tr("Contract", lang), lang))
    if data.contract:
        contract = data.contract
        story.append(field_table([
            (tr("Contract No.", lang), contract.contract_no),
            (tr("Signed date", lang), fmt_date(contract.signed_date, lang)),
            (tr("Copies distributed to", lang), "、".join(contract.copies_to) if lang.startswith("zh")
             else ", ".join(contract.copies_to)),
            (tr("Recorded by", lang), contract.recorded_by),
        ], width, columns=2))
    else:
        story.append(para(tr("No contract has been signed yet.", lang), st["base"]))

    story.append(CondPageBreak(35 * mm))
    story.append(KeepTogether([
        para(_numbered(9, tr("Signatures", lang), lang), st["h2"]),
        signature_boxes([
            tr("Sales department", lang), tr("Production department", lang), tr("Technical department", lang),
            tr("Purchasing department", lang), tr("Management", lang),
        ], width, lang, signing_height=18 * mm),
    ]))

    header = PaperHeader(factory_name=order.factory_name, title=title, document_no=order.order_no, lang=lang,
                         printed_at=printed_at, printed_by=printed_by)
    return build_pdf(path, story, header, A4)


def _verdict_line(label: str, outcome: str | None, lang: str, width: float, *, empty_text: str,
                  large: bool = False) -> Table:
    """A single framed line stating an outcome, tinted by its tone so it stands out on the page."""
    st = report_styles()
    style_name = "verdict_large" if large else "verdict"
    value = outcome_paragraph(outcome, lang, style_name, empty_text=empty_text)
    table = Table([[para(label, st[style_name + "_label"]), value]], colWidths=[width * 0.22, width * 0.78])
    tone = outcome_tone(outcome)
    table.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 0.6, TONE_INK.get(tone, RULE)),
        ("BACKGROUND", (0, 0), (-1, -1), TONE_PAPER.get(tone, SHADE)),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        ("LEFTPADDING", (0, 0), (-1, -1), 5),
    ]))
    return table


def _round_flowables(review_round: ReviewRoundData, lang: str, width: float) -> list:
    st = report_styles()
    opened = tr("Opened {when}", lang, when=fmt_date(review_round.opened_at, lang))
    closed = (tr("Closed {when}", lang, when=fmt_date(review_round.closed_at, lang)) if review_round.closed_at
              else tr("Still open", lang))
    result = outcome_paragraph(review_round.result_label, lang, "verdict", empty_text=tr("In progress", lang))
    band = Table([[para(tr("Round {number}", lang, number=review_round.round_no), st["round"]),
                   para(f"{opened}   {closed}", st["small"]), para(tr("Result", lang), st["label"]), result]],
                 colWidths=[width * 0.16, width * 0.52, width * 0.10, width * 0.22], spaceAfter=2 * mm)
    tone = outcome_tone(review_round.result_label)
    band.setStyle(TableStyle([
        ("LINEABOVE", (0, 0), (-1, 0), 1.2, colors.HexColor("#7b5e24")),
        ("BACKGROUND", (0, 0), (-1, -1), SHADE),
        ("BACKGROUND", (3, 0), (3, 0), TONE_PAPER.get(tone, SHADE)),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (2, 0), (2, 0), "RIGHT"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))
    flowables: list = [Spacer(1, 3 * mm), CondPageBreak(ROUND_MIN_ROOM)]
    if not review_round.opinions:
        return flowables + [band, para(tr("No department has been asked yet.", lang), st["base"])]
    for index, opinion in enumerate(review_round.opinions):
        tables = _opinion_tables(opinion, lang, width)
        lead = [band] if index == 0 else []
        height = sum(flowable.wrap(width, PAGE_BODY_HEIGHT)[1] for flowable in lead + tables)
        if height < PAGE_BODY_HEIGHT * 0.8:
            # An opinion is read as one form: never its title rows alone at the foot of a page.
            flowables.append(KeepTogether(lead + tables))
        else:
            # Longer than a page: kept together it would leave a page blank and still split, so let it flow.
            flowables += [CondPageBreak(ROUND_MIN_ROOM), *lead, *tables]
        flowables.append(Spacer(1, 2.5 * mm))
    return flowables


def _opinion_tables(opinion: OpinionData, lang: str, width: float) -> list[Table]:
    """One department's opinion as a small form: who, when, verdict, then its own answers, conditions, comments.

    Two stacked tables rather than one with spanned cells: a spanned cell split across pages re-wraps to the width
    of its first column.
    """
    st = report_styles()
    answered = fmt_date(opinion.answered_at, lang) if opinion.answered_at else tr("Not answered", lang)
    answered_markup = escape(answered)
    if opinion.overdue:
        answered_markup += f'  <font color="{OVERDUE_HEX}"><b>{escape(tr("OVERDUE", lang))}</b></font>'
    head_rows: list[list] = [
        [para(opinion.department_label, st["department"]),
         para(opinion.reviewer, st["cell"]), para(tr("Verdict", lang), st["label"]),
         outcome_paragraph(opinion.verdict_label, lang, "verdict")],
        [para(tr("Reply due", lang), st["label"]), para(fmt_date(opinion.due_at, lang), st["cell"]),
         para(tr("Answered", lang), st["label"]), Paragraph(answered_markup, st["cell"])],
    ]
    body_rows: list[list] = [[para(label, st["label"]), para(value, st["cell"])] for label, value in opinion.fields]
    body_rows.append([para(tr("Conditions", lang), st["label"]), para(opinion.conditions or "—", st["cell"])])
    body_rows.append([para(tr("Comments", lang), st["label"]), para(opinion.comments or "—", st["cell"])])

    tone = outcome_tone(opinion.verdict_label)
    frame = (1.2, TONE_INK[NEGATIVE]) if tone == NEGATIVE else (0.6, RULE)
    common: list[tuple] = [
        ("BOX", (0, 0), (-1, -1), *frame),
        ("INNERGRID", (0, 0), (-1, -1), 0.25, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    head_style = common + [
        ("BACKGROUND", (0, 0), (2, 0), SHADE),
        ("BACKGROUND", (3, 0), (3, 0), TONE_PAPER.get(tone, SHADE)),
        ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
    ]
    if opinion.overdue:
        head_style.append(("BACKGROUND", (3, 1), (3, 1), TONE_PAPER[NEGATIVE]))
    label_width = width * 0.18
    head = Table(head_rows, colWidths=[label_width, width * 0.40, width * 0.12, width * 0.30], style=head_style)
    body = Table(body_rows, colWidths=[label_width, width - label_width], style=common, splitInRow=1)
    return [head, body]


__all__ = ["write_review_report", "outcome_text", "outcome_tone", "outcome_paragraph"]
