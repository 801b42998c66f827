"""Minutes of a progress coordination meeting: attendees, the agenda generated from the data, each department's
report, and the actions agreed with owner and due date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..i18n import normalize_language, tr
from .pdf_base import PaperHeader, Spacer, build_pdf, content_width, fmt_date, grid_table, kv_table, mm, p, \
    signature_block, styles


def write_minutes(m, path: str | Path, *, factory_name: str, lang: str = "zh_TW", department_label=None,
                  kind_label=None, state_label=None, printed_by: str = "",
                  printed_at: dt.datetime | None = None) -> Path:
    """`m` is a MeetingView (services/ledger/meetings.py); labels translate keys in the paper's language."""
    lang = normalize_language(lang)
    st = styles()
    width = content_width()
    dept = department_label or (lambda k: k)
    title = tr("Progress coordination meeting minutes", lang)
    attendees = "; ".join(f"{dept(d)}: {', '.join(names)}" for d, names in m.attendees.items())
    story = [p(title, st["title"]), Spacer(1, 2 * mm), kv_table([
        (tr("Meeting no.", lang), m.meeting_no),
        (tr("Date", lang), fmt_date(m.held_on, lang)),
        (tr("Kind", lang), kind_label(m.kind) if kind_label else m.kind),
        (tr("Chair", lang), m.chair),
        (tr("Attendees", lang), attendees or "—"),
    ], width), Spacer(1, 4 * mm)]
    a = m.agenda

    def section(heading, header, rows, widths):
        story.append(p(heading, st["label"]))
        if rows:
            story.append(grid_table(header, rows, widths))
        else:
            story.append(p(tr("None.", lang), st["small"]))
        story.append(Spacer(1, 3 * mm))

    story.append(p(tr("Agenda", lang), st["label"]))
    section(tr("Orders late or at risk", lang),
            [tr("Order no.", lang), tr("Customer", lang), tr("Delivery date", lang), tr("Projected finish", lang),
             tr("Days late", lang)],
            [(x["order_no"], x["customer"], x["delivery"], x["projected"], x["days_late"]) for x in a.late_orders],
            [30 * mm, width - 120 * mm, 30 * mm, 35 * mm, 25 * mm])
    section(tr("Open exceptions", lang),
            [tr("Exception no.", lang), tr("Order no.", lang), tr("Impact (days)", lang),
             tr("What happened", lang)],
            [(x["exception_no"], x["order_no"], x["impact_days"], x["description"]) for x in a.open_exceptions],
            [30 * mm, 30 * mm, 25 * mm, width - 85 * mm])
    section(tr("Overdue review opinions", lang),
            [tr("Order no.", lang), tr("Department", lang), tr("Due", lang)],
            [(x["order_no"], dept(x["department"]), x["due"]) for x in a.overdue_opinions],
            [40 * mm, 60 * mm, width - 100 * mm])
    section(tr("Open nonconformances", lang), [tr("Number", lang), tr("Description", lang)],
            [(x.get("ncr_no", ""), x.get("description", "")) for x in a.open_nonconformances],
            [40 * mm, width - 40 * mm])
    section(tr("Action items due", lang),
            [tr("Action", lang), tr("Owner", lang), tr("Due", lang), tr("Meeting", lang)],
            [(x["description"] + (" (" + tr("overdue", lang) + ")" if x["overdue"] else ""), x["owner"], x["due"],
              x["meeting_no"]) for x in a.actions_due],
            [width - 100 * mm, 35 * mm, 30 * mm, 35 * mm])
    story.append(p(tr("Department reports", lang), st["label"]))
    for d, report in m.reports.items():
        story += [p(dept(d), st["cell_head"]), p(report, st["base"]), Spacer(1, 2 * mm)]
    if not m.reports:
        story.append(p(tr("None.", lang), st["small"]))
    if m.notes:
        story += [Spacer(1, 2 * mm), p(tr("Notes", lang), st["label"]), p(m.notes, st["base"])]
    story += [Spacer(1, 3 * mm)]
    section(tr("Actions agreed", lang),
            [tr("Action", lang), tr("Owner", lang), tr("Due", lang), tr("State", lang)],
            [(x.description, x.owner, fmt_date(x.due_on, lang), state_label(x.state) if state_label else x.state)
             for x in m.actions],
            [width - 95 * mm, 35 * mm, 30 * mm, 30 * mm])
    story += [Spacer(1, 8 * mm), signature_block([tr("Chair", lang), tr("Minutes taken by", lang)], width, lang)]
    return build_pdf(path, story, PaperHeader(factory_name=factory_name, title=title, document_no=m.meeting_no,
                                              lang=lang, printed_at=printed_at, printed_by=printed_by))
