"""Read-only panels of the Review tab: the order's full details, the checks, and the whole review history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from html import escape

from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QTextBrowser, QVBoxLayout, QWidget

from ...i18n import N_, _, current_language
from ...i18n import formats
from ...models.orders import CHANNELS, STONE_TYPES
from ...models.reviews import CLEARANCE_KINDS, DECISIONS, PRELIMINARY_OUTCOMES, ROUND_RESULTS, VERDICTS
from ...models.users import DEPARTMENTS, ROLES
from ...services.orders.intake import OrderView
from ...models.reviews import PRELIMINARY_CHECKS
from ...services.review.policy import line_price_text, price_summary_text
from ...services.review.procedure import (
    CHECK_CRAFT, CHECK_CREDIT, CHECK_LEAD_TIME, CHECK_ORDER, CHECK_PRICE, CLEARED_LABELS, CLEARED_PASSED,
    ReviewChecks, craft_text, credit_problem_text, credit_text, lead_time_text,
)
from ...services.review.queries import OpinionView, ReviewHistory, opinion_fields
from ...services.review.report import department_paper_label
from ...services.stages import stage_label
from ...services.validation import mg_to_grams_text

RED = "#b42318"
GREEN = "#027a48"
AMBER = "#b54708"
GREY = "#667085"
VERDICT_COLOURS = {"pass": GREEN, "pass_with_conditions": AMBER, "reject": RED}
RESULT_COLOURS = {"passed": GREEN, "failed": RED, "withdrawn": GREY}


def local_time(value: dt.datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else ""


def money(value: Decimal, currency: str) -> str:
    return formats.money(value, currency)


def _coloured(text: str, colour: str, bold: bool = True) -> str:
    inner = f"<b>{escape(text)}</b>" if bold else escape(text)
    return f'<span style="color:{colour}">{inner}</span>'


def checks_html(checks: ReviewChecks) -> str:
    """The four checks with their figures: none is assumed; a failed one says what cleared it or what would."""
    figures = {
        CHECK_CREDIT: [credit_text(checks.credit) + " — " + credit_problem_text(checks.credit)],
        CHECK_LEAD_TIME: [lead_time_text(checks.lead_time)],
        CHECK_CRAFT: [craft_text(checks.craft)],
        CHECK_PRICE: [price_summary_text(checks.price)] + [
            line_price_text(line, checks.price.currency) for line in checks.price.lines[:MAX_PRICE_LINES_SHOWN]],
    }
    if len(checks.price.lines) > MAX_PRICE_LINES_SHOWN:
        figures[CHECK_PRICE].append(_("… and {count} more lines",
                                      count=len(checks.price.lines) - MAX_PRICE_LINES_SHOWN))
    rows = []
    for key in CHECK_ORDER:
        title = _(PRELIMINARY_CHECKS[key])
        cleared = checks.cleared.get(key)
        if checks.ok(key):
            verdict = _coloured(_("Passed"), GREEN)
            if cleared and cleared != CLEARED_PASSED:
                verdict += " " + _coloured(_(CLEARED_LABELS[cleared]), GREEN, bold=False)
        elif key == CHECK_CRAFT and checks.craft.judged is None:
            verdict = _coloured(_("Not judged yet"), AMBER)
        else:
            verdict = _coloured(_("Not passed"), RED)
            if cleared:
                verdict += " " + _coloured(_(CLEARED_LABELS[cleared]), AMBER, bold=False)
            else:
                verdict += " " + _coloured(_(OPEN_HINTS[key]), RED, bold=False)
        rows.append(f"<tr><td><b>{escape(title)}</b></td><td>{verdict}</td></tr>")
        rows.extend(f"<tr><td></td><td style='color:{GREY}'>{escape(line)}</td></tr>" for line in figures[key])
    styles = [s for s in checks.lead_time.styles]
    if styles:
        parts = [f"{escape(s.style_code)} {s.lead_days}" + ("" if s.in_master else "*") for s in styles[:20]]
        note = _("Standard lead days per style: {styles}", styles=", ".join(parts))
        if any(not s.in_master for s in styles):
            note += " " + _("(* not in the style master: the factory's default lead time)")
        rows.append(f"<tr><td></td><td style='color:{GREY}'>{escape(note)}</td></tr>")
    return "<table cellspacing='2'>" + "".join(rows) + "</table>"


MAX_PRICE_LINES_SHOWN = 6
# What answers a failed check, shown beside it while it is open.
OPEN_HINTS = {
    CHECK_CREDIT: N_("needs a payment, a raised limit or management's decision"),
    CHECK_LEAD_TIME: N_("needs a new delivery date or management's decision"),
    CHECK_CRAFT: N_("needs technical's confirmation or management's decision"),
    CHECK_PRICE: N_("needs a price that meets the policy or management's decision"),
}


class OrderDetailsPanel(QWidget):
    """The order's header and every line, for a department that has to judge it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.header = QLabel()
        self.header.setObjectName("order_header")
        self.header.setWordWrap(True)
        self.lines_model = QStandardItemModel(0, 8, self)
        self.lines = QTableView()
        self.lines.setModel(self.lines_model)
        self.lines.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.lines.verticalHeader().setVisible(False)
        self.lines.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.lines.horizontalHeader().setStretchLastSection(True)
        self.lines.setMinimumHeight(90)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.header)
        layout.addWidget(self.lines, 1)
        self.order: OrderView | None = None
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.lines_model.setHorizontalHeaderLabels([
            _("No."), _("Style"), _("Description"), _("Metal"), _("Size"), _("Qty"), _("Target wt. (g/pc)"),
            _("Stones")])
        self.set_order(self.order)

    def set_order(self, order: OrderView | None) -> None:
        self.order = order
        self.lines_model.removeRows(0, self.lines_model.rowCount())
        if order is None:
            self.header.setText(_("Choose an order in the list."))
            return
        pairs = [
            (_("Order no."), order.order_no), (_("Customer"), order.customer_name),
            (_("Channel"), _(CHANNELS.get(order.channel, order.channel))),
            (_("Order date"), order.order_date.isoformat()),
            (_("Delivery date"), order.delivery_date.isoformat() if order.delivery_date else ""),
            (_("Delivery place"), order.delivery_place), (_("Stage"), stage_label(order.stage)),
            (_("Total quantity"), _("{count} pcs", count=f"{order.total_quantity:,}")),
            (_("Total amount"), money(order.total_amount, order.currency)), (_("Sales contact"), order.owner),
        ]
        cell = "<td style='color:{grey}; padding-right:6px'>{k}</td><td style='padding-right:18px'>{v}</td>"
        cells = "".join(
            "<tr>" + "".join(cell.format(grey=GREY, k=escape(k), v=escape(v)) for k, v in pairs[i:i + 2]) + "</tr>"
            for i in range(0, len(pairs), 2))
        special = ""
        if order.special_requirements:
            special = (f"<p><span style='color:{GREY}'>{escape(_('Special requirements'))}</span><br>"
                       f"{escape(order.special_requirements)}</p>")
        self.header.setText(f"<table cellspacing='1'>{cells}</table>{special}")
        for line in order.lines:
            stones = "; ".join(_("{stone} × {count} / {carat} ct", stone=_(STONE_TYPES.get(st.stone_type,
                                                                                            st.stone_type)),
                                 count=st.count, carat=f"{st.carat:.3f}") for st in line.stones)
            values = [str(line.line_no), line.style_code, line.description, line.metal, line.size,
                      f"{line.quantity:,}", mg_to_grams_text(line.target_weight_mg), stones]
            self.lines_model.appendRow([QStandardItem(v) for v in values])
        # An order has at most a few hundred lines, so sizing to contents is cheap here.
        self.lines.resizeColumnsToContents()


def _opinion_html(opinion: OpinionView) -> str:
    department = escape(_(DEPARTMENTS.get(opinion.department, opinion.department)))
    due = escape(_("due {when}", when=local_time(opinion.due_at)))
    late = opinion.overdue()
    if opinion.answered_at is None:
        state = _coloured(_("OVERDUE") if late else _("Not answered"), RED if late else GREY)
        return f"<li><b>{department}</b> — {state} ({due})</li>"
    verdict = _coloured(_(VERDICTS[opinion.verdict]), VERDICT_COLOURS[opinion.verdict])
    answered = escape(_("answered {when} by {user}", when=local_time(opinion.answered_at), user=opinion.answered_by))
    if late:
        answered += " " + _coloured(_("late"), RED)
    details = "".join(f"<br>&nbsp;&nbsp;<span style='color:{GREY}'>{escape(k)}:</span> {escape(v)}"
                      for k, v in opinion_fields(opinion) if v)
    if opinion.conditions:
        details += f"<br>&nbsp;&nbsp;<span style='color:{AMBER}'>{escape(_('Conditions'))}:</span> " \
                   f"{escape(opinion.conditions)}"
    if opinion.comments:
        details += f"<br>&nbsp;&nbsp;<span style='color:{GREY}'>{escape(_('Comments'))}:</span> " \
                   f"{escape(opinion.comments)}"
    return f"<li><b>{department}</b> — {verdict} · {answered} ({due}){details}</li>"


def history_html(history: ReviewHistory, departments: set[str] | None = None) -> str:
    """The whole review of an order, oldest first. `departments` limits the rounds to those departments' opinions."""
    parts: list[str] = []
    if history.preliminary:
        parts.append(f"<h4>{escape(_('Preliminary review'))}</h4><ul>")
        for p in history.preliminary:
            outcome = _(PRELIMINARY_OUTCOMES[p.outcome])
            colour = GREEN if p.outcome == "accept" else AMBER
            flags = []
            if not p.credit_ok:
                flags.append(_("credit over limit"))
            if not p.lead_ok:
                flags.append(_("lead time too short"))
            if p.craft_ok is False:
                flags.append(_("craft too complex"))
            if not p.price_ok:
                flags.append(_("price below the policy"))
            flag_text = f" <span style='color:{RED}'>({escape(', '.join(flags))})</span>" if flags else ""
            note = f"<br>&nbsp;&nbsp;{escape(p.note)}" if p.note else ""
            parts.append(f"<li>{escape(local_time(p.reviewed_at))} {escape(p.reviewed_by)}: "
                         f"{_coloured(outcome, colour)}{flag_text}{note}</li>")
        parts.append("</ul>")
    if history.negotiations:
        parts.append(f"<h4>{escape(_('Negotiation log'))}</h4><ul>")
        for n in history.negotiations:
            changes = (f"<br>&nbsp;&nbsp;<span style='color:{GREY}'>{escape(_('Changes to the order'))}:</span> "
                       f"{escape(n.changes)}") if n.changes else ""
            parts.append(f"<li>{escape(n.talked_on.isoformat())} · {escape(_('with {who}', who=n.with_whom))} · "
                         f"{escape(n.agreed)}{changes} <span style='color:{GREY}'>({escape(n.recorded_by)})</span>"
                         f"</li>")
        parts.append("</ul>")
    if history.clearances:
        parts.append(f"<h4>{escape(_('Payments, credit limits, technical confirmations'))}</h4><ul>")
        for c in history.clearances:
            amount = f" {escape(money(c.amount, c.currency))}" if c.amount is not None else ""
            parts.append(f"<li>{escape(local_time(c.recorded_at))} {escape(c.recorded_by)}: "
                         f"<b>{escape(_(CLEARANCE_KINDS[c.kind]))}</b>{amount} — {escape(c.note)}</li>")
        parts.append("</ul>")
    if history.decisions:
        parts.append(f"<h4>{escape(_('Decisions'))}</h4><ul>")
        for d in history.decisions:
            colour = {"accept": GREEN, "renegotiate": AMBER, "abandon": RED}[d.decision]
            role = _(ROLES.get(d.decided_by_role, d.decided_by_role)) if d.decided_by_role else ""
            parts.append(f"<li>{escape(local_time(d.decided_at))} {escape(d.decided_by)} ({escape(role)}): "
                         f"{_coloured(_(DECISIONS[d.decision]), colour)} — {escape(d.reason)}</li>")
        parts.append("</ul>")
    for r in history.rounds:
        if r.result:
            result = _coloured(_(ROUND_RESULTS[r.result]), RESULT_COLOURS[r.result])
            when = escape(_("closed {when}", when=local_time(r.closed_at)))
        else:
            result = _coloured(_("Open"), AMBER)
            when = escape(_("opened {when}", when=local_time(r.opened_at)))
        parts.append(f"<h4>{escape(_('Round {number}', number=r.round_no))} — {result} "
                     f"<span style='font-weight:normal;color:{GREY}'>{when}</span></h4><ul>")
        parts.extend(_opinion_html(o) for o in r.opinions if departments is None or o.department in departments)
        parts.append("</ul>")
    if history.contract is not None:
        c = history.contract
        copies = ", ".join(department_paper_label(d, current_language()) for d in c.copies_to)
        parts.append(f"<h4>{escape(_('Contract'))}</h4><p>{escape(c.contract_no)} · "
                     f"{escape(_('signed {date}', date=c.signed_date.isoformat()))} · "
                     f"{escape(_('copies: {departments}', departments=copies))}</p>")
    if not parts:
        return f"<p style='color:{GREY}'>{escape(_('Nothing has been recorded in the review of this order yet.'))}</p>"
    return "".join(parts)


class HistoryBrowser(QTextBrowser):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("review_history")
        self.setOpenLinks(False)

    def show_history(self, history: ReviewHistory | None, departments: set[str] | None = None) -> None:
        self.setHtml("" if history is None else history_html(history, departments))
