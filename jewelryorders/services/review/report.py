"""Fills the plain data of the order confirmation and the review report from the database, in the paper's language."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...db import Database
from ...i18n import N_, formats, normalize_language, tr
from ...models.customers import Customer
from ...models.documents import Document
from ...models.orders import CHANNELS, STAGES, STONE_TYPES, OrderLine
from ...models.reviews import PRELIMINARY_CHECKS, ROUND_RESULTS
from ...models.users import DEPARTMENTS, Setting
from ...reports.paper_data import (
    DECISION_ABANDON,
    DECISION_PENDING,
    DECISION_PROCEED,
    DECISION_RENEGOTIATE,
    OUTCOME_ACCEPT,
    OUTCOME_ESCALATE,
    OUTCOME_NEGOTIATE,
    ROUND_FAILED,
    ROUND_PASSED,
    VERDICT_PASS,
    VERDICT_PASS_WITH_CONDITIONS,
    VERDICT_REJECT,
    ContractData,
    DecisionData,
    NegotiationEntryData,
    OpinionData,
    OrderLineData,
    OrderPaperData,
    ReviewCheckData,
    ReviewReportData,
    ReviewRoundData,
    StoneData,
)
from ..context import read_session
from .policy import PriceCheck, check_from_json, line_price_text, price_summary_text
from .procedure import (
    CHECK_CRAFT,
    CHECK_CREDIT,
    CHECK_LEAD_TIME,
    CHECK_ORDER,
    CHECK_PRICE,
    CLEARED_CREDIT_LIMIT,
    CLEARED_DECISION,
    CLEARED_LABELS,
    CLEARED_PASSED,
    CLEARED_PAYMENT,
    CLEARED_TECHNICAL,
    CraftCheck,
    CreditCheck,
    _load_order,
    compute_checks,
    craft_text,
    credit_problem_text,
    credit_text,
    lead_time_text,
)
from .queries import ReviewHistory, opinion_fields, review_history, role_label


def fmt_date(value: dt.date | dt.datetime | None, lang: str) -> str:
    """As the papers write dates (reports/pdf_base.fmt_date), without importing ReportLab to make a paper's data."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return (value.astimezone() if value.tzinfo else value).strftime("%Y-%m-%d %H:%M")
    return value.strftime("%Y-%m-%d")

# Departments as a filed paper names them ("生產部", "Production department").
DEPARTMENT_PAPER_LABELS = {
    "sales": N_("Sales department"),
    "production": N_("Production department"),
    "technical": N_("Technical department"),
    "purchasing": N_("Purchasing department"),
    "quality": N_("Quality department"),
    "logistics": N_("Logistics department"),
    "archive": N_("Archive office"),
    "management": N_("Management"),
}

_OUTCOME_LABELS = {"accept": OUTCOME_ACCEPT, "negotiate": OUTCOME_NEGOTIATE, "escalate": OUTCOME_ESCALATE}
_DECISION_LABELS = {"accept": OUTCOME_ACCEPT, "renegotiate": DECISION_RENEGOTIATE, "abandon": DECISION_ABANDON}
_VERDICT_LABELS = {"pass": VERDICT_PASS, "pass_with_conditions": VERDICT_PASS_WITH_CONDITIONS,
                   "reject": VERDICT_REJECT}
_ROUND_LABELS = {"passed": ROUND_PASSED, "failed": ROUND_FAILED}


def department_paper_label(department: str, lang: str) -> str:
    return tr(DEPARTMENT_PAPER_LABELS.get(department, DEPARTMENTS.get(department, department)), lang)


ATTACHMENT_CATEGORIES = ("design_image", "cad", "attachment")


def order_paper_data(db: Database, order_id: int, lang: str) -> OrderPaperData:
    """The order as the customer confirms it (and as the review report summarises it), labels in `lang`."""
    lang = normalize_language(lang)
    from ...models.reviews import Contract

    with read_session(db) as s:
        order = _load_order(s, order_id)
        customer = s.get(Customer, order.customer_id)
        settings = {row.key: row.value for row in s.scalars(select(Setting).where(
            Setting.key.in_(("factory_name", "factory_address"))))}
        lines = s.scalars(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.line_no)
                          .options(selectinload(OrderLine.stones))).all()
        # The customer's own files only, not papers the factory printed (confirmations, reports) and filed.
        attachments = s.scalars(select(Document.file_name).where(Document.order_id == order.id,
                                                                 Document.removed.is_(False),
                                                                 Document.category.in_(ATTACHMENT_CATEGORIES))
                                .order_by(Document.id)).all()
        contract = s.scalar(select(Contract).where(Contract.order_id == order.id))
        return OrderPaperData(
            factory_name=settings.get("factory_name", ""),
            factory_address=settings.get("factory_address", ""),
            order_no=order.order_no,
            customer_name=customer.name,
            customer_contact=customer.contact_person,
            customer_phone=customer.phone,
            customer_email=customer.email,
            customer_address=customer.address,
            channel_label=tr(CHANNELS.get(order.channel, order.channel), lang),
            order_date=order.order_date,
            delivery_date=order.delivery_date,
            delivery_place=order.delivery_place,
            currency=order.currency,
            lines=[OrderLineData(
                line_no=line.line_no, style_code=line.style_code, description=line.description, metal=line.metal,
                size=line.size, quantity=line.quantity, target_weight_mg=line.target_weight_mg,
                stones=[StoneData(tr(STONE_TYPES.get(st.stone_type, st.stone_type), lang), st.stone_count,
                                  Decimal(st.carat)) for st in line.stones],
                unit_price=Decimal(line.unit_price), amount=Decimal(line.unit_price) * line.quantity)
                for line in lines],
            total_quantity=order.total_quantity,
            total_amount=Decimal(order.total_amount),
            special_requirements=order.special_requirements,
            attachments=list(attachments),
            stage_label=tr(STAGES.get(order.stage, order.stage), lang),
            prepared_by=(order.owner.display_name if order.owner else ""),
            contract_no=contract.contract_no if contract else None,
            contract_signed=contract.signed_date if contract else None,
        )


def _credit_note(c: CreditCheck, lang: str) -> str:
    return credit_text(c, lang) + " — " + credit_problem_text(c, lang)


def _price_note(check: PriceCheck | None, user_note: str, lang: str) -> str:
    parts = []
    if check is not None:
        parts.append(price_summary_text(check, lang))
        parts.extend(line_price_text(line, check.currency, lang) for line in check.lines[:MAX_PRICE_LINES])
        if len(check.lines) > MAX_PRICE_LINES:
            parts.append(tr("… and {count} more lines", lang, count=len(check.lines) - MAX_PRICE_LINES))
    if user_note:
        parts.append(user_note)
    return "\n".join(parts)


MAX_PRICE_LINES = 12


def _cleared_label(by: str | None, lang: str) -> str:
    if by is None:
        return tr("Open", lang)
    if by == CLEARED_PASSED:
        return "—"
    return tr(CLEARED_LABELS[by], lang)


def _clearance_details(history: ReviewHistory, check: str, by: str | None, lang: str) -> str:
    """Who recorded what cleared the check: the payment, the new limit, technical's confirmation, the decision."""
    if by in (CLEARED_PAYMENT, CLEARED_CREDIT_LIMIT, CLEARED_TECHNICAL):
        kind = {CLEARED_PAYMENT: "payment", CLEARED_CREDIT_LIMIT: "credit_limit", CLEARED_TECHNICAL: "technical"}[by]
        items = [c for c in history.clearances if c.kind == kind and c.check_key == check]
        texts = []
        for c in items:
            amount = f" {c.currency} {formats.amount(c.amount, c.currency, lang)}" if c.amount is not None else ""
            texts.append(f"{fmt_date(c.recorded_at, lang)} {c.recorded_by}{amount}: {c.note}")
        return "; ".join(texts)
    if by == CLEARED_DECISION:
        accepted = [d for d in history.decisions if d.decision == "accept"]
        if accepted:
            d = accepted[-1]
            return f"{fmt_date(d.decided_at, lang)} {d.decided_by}: {d.reason}"
    return ""


def _rows(history: ReviewHistory, results: dict[str, bool], notes: dict[str, str], cleared: dict[str, str | None],
          lang: str) -> list[ReviewCheckData]:
    rows = []
    for check in CHECK_ORDER:
        by = cleared.get(check)
        label = _cleared_label(by, lang)
        details = _clearance_details(history, check, by, lang)
        rows.append(ReviewCheckData(tr(PRELIMINARY_CHECKS[check], lang),
                                    ROUND_PASSED if results[check] else ROUND_FAILED, notes[check],
                                    f"{label}\n{details}" if details else label))
    return rows


def _checks_from_record(history: ReviewHistory, lang: str) -> list[ReviewCheckData]:
    """The checks as they stood when sales recorded the latest preliminary outcome, and what cleared each."""
    p = history.preliminary[-1]
    credit = CreditCheck(p.currency, p.credit_open_value, p.credit_order_value, p.credit_limit,
                         p.credit_rating or "A", p.credit_paid or Decimal(0))
    if p.lead_available_days is None:
        lead_note = tr("No delivery date; the styles need {required} days", lang, required=p.lead_required_days)
    else:
        lead_note = tr("{available} days until delivery; the styles need {required} days", lang,
                       available=p.lead_available_days, required=p.lead_required_days)
    try:
        cleared = json.loads(p.cleared_by or "{}")
    except ValueError:
        cleared = {}
    if not cleared:  # a record written before what cleared a check was kept
        cleared = {k: CLEARED_PASSED if ok else None for k, ok in (
            (CHECK_CREDIT, p.credit_ok), (CHECK_LEAD_TIME, p.lead_ok), (CHECK_CRAFT, p.craft_ok),
            (CHECK_PRICE, p.price_ok))}
    notes = {CHECK_CREDIT: _credit_note(credit, lang) if p.credit_rating else credit_text(credit, lang),
             CHECK_LEAD_TIME: lead_note,
             CHECK_CRAFT: craft_text(CraftCheck(p.craft_ok, p.craft_note), lang),
             CHECK_PRICE: _price_note(check_from_json(p.price_figures, p.currency), p.price_note, lang)}
    results = {CHECK_CREDIT: p.credit_ok, CHECK_LEAD_TIME: p.lead_ok, CHECK_CRAFT: bool(p.craft_ok),
               CHECK_PRICE: p.price_ok}
    return _rows(history, results, notes, cleared, lang)


def _live_checks(db: Database, history: ReviewHistory, lang: str) -> list[ReviewCheckData]:
    """Before sales records an outcome the report shows the checks as they stand today."""
    checks = compute_checks(db, history.order_id)
    notes = {CHECK_CREDIT: _credit_note(checks.credit, lang), CHECK_LEAD_TIME: lead_time_text(checks.lead_time, lang),
             CHECK_CRAFT: craft_text(checks.craft, lang), CHECK_PRICE: _price_note(checks.price, "", lang)}
    return _rows(history, {k: checks.ok(k) for k in CHECK_ORDER}, notes, dict(checks.cleared), lang)


def _final_decision(history: ReviewHistory, lang: str) -> str:
    if history.contract is not None or history.stage in ("contracted", "planned", "in_production", "final_qc",
                                                         "ready_to_ship", "partly_shipped", "shipped", "delivered",
                                                         "closed"):
        return DECISION_PROCEED
    if history.stage == "abandoned":
        return DECISION_ABANDON
    if history.stage == "cancelled":
        return tr(STAGES["cancelled"], lang)
    latest = history.latest_round
    if latest is not None and latest.result == "passed":
        return DECISION_PROCEED
    if history.stage == "negotiating" and latest is not None and latest.result == "failed":
        return DECISION_RENEGOTIATE
    return DECISION_PENDING


def review_report_data(db: Database, order_id: int, lang: str) -> ReviewReportData:
    """Everything the review report prints, from the records of the order's review, labels in `lang`."""
    lang = normalize_language(lang)
    order = order_paper_data(db, order_id, lang)
    history = review_history(db, order_id)
    checks = _checks_from_record(history, lang) if history.preliminary else _live_checks(db, history, lang)
    decisions: list[DecisionData] = []
    for p in history.preliminary:
        if p.outcome == "escalate":
            decisions.append(DecisionData(p.reviewed_at, p.reviewed_by, tr("Sales department", lang), OUTCOME_ESCALATE, p.note))
    for d in history.decisions:
        decisions.append(DecisionData(d.decided_at, d.decided_by, role_label(d.decided_by_role, lang),
                                      _DECISION_LABELS[d.decision], d.reason))
    decisions.sort(key=lambda d: d.when)
    rounds = []
    for r in history.rounds:
        result = _ROUND_LABELS.get(r.result or "") or (tr(ROUND_RESULTS[r.result], lang) if r.result else None)
        rounds.append(ReviewRoundData(
            round_no=r.round_no, opened_at=r.opened_at, closed_at=r.closed_at, result_label=result,
            opinions=[OpinionData(
                department_label=department_paper_label(o.department, lang), reviewer=o.answered_by,
                answered_at=o.answered_at, due_at=o.due_at,
                verdict_label=_VERDICT_LABELS.get(o.verdict or ""), overdue=o.overdue(r.closed_at),
                fields=opinion_fields(o, lang), conditions=o.conditions, comments=o.comments)
                for o in r.opinions]))
    contract = None
    if history.contract is not None:
        c = history.contract
        contract = ContractData(c.contract_no, c.signed_date,
                                [department_paper_label(d, lang) for d in c.copies_to], c.recorded_by)
    return ReviewReportData(
        order=order,
        preliminary_checks=checks,
        preliminary_outcome=_OUTCOME_LABELS[history.preliminary[-1].outcome] if history.preliminary else None,
        negotiations=[NegotiationEntryData(n.talked_on, n.with_whom, n.agreed, n.changes, n.recorded_by)
                      for n in history.negotiations],
        decisions=decisions,
        rounds=rounds,
        final_decision_label=_final_decision(history, lang),
        contract=contract,
    )


__all__ = ["order_paper_data", "review_report_data", "department_paper_label"]
