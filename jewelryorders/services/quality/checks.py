"""Quality's gates on the earlier parts of the procedure, and its answers to the later ones:

- the progress ledger may not record a step's batch finished before its first article passed (FAI);
- materials may not issue from a lot that failed incoming inspection (IQC);
- delivery may not ship an order before final inspection (FQC) passed its whole quantity with no NCR open;
- "quality.released" tells delivery which final inspections released the order's pieces (its certificates).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...i18n import _
from ...models.quality import Inspection, Ncr
from .. import gates
from ..errors import GateError
from .inspections import fai_passed, fqc_passed_quantity, open_ncrs, sheet_of_step
from .master import control_point_of_plan_step


def check_ledger_record(session: Session, *, order=None, step=None, sheet=None, kind: str = "", quantity=None,
                        **_context) -> None:
    if kind != "finish" or step is None:
        return
    point = control_point_of_plan_step(session, step)
    if point is None or not point.fai_required:
        return
    if isinstance(sheet, int):
        from ...models.planning import TaskSheet

        sheet = session.get(TaskSheet, sheet)
    sheet = sheet if sheet is not None else sheet_of_step(session, step)
    if sheet is not None and fai_passed(session, sheet.id):
        return
    raise GateError(_("First-article gate: step {step} of order {order_no} needs a passed first-article inspection "
                      "(FAI) before its batch is recorded. Cleared by an FAI that passes on task sheet {sheet_no}.",
                      step=step.name, order_no=order.order_no if order is not None else "",
                      sheet_no=sheet.sheet_no if sheet is not None else "—"))


def check_materials_issue(session: Session, *, lot=None, order=None, **_context) -> None:
    if lot is None:
        return
    last = session.scalars(select(Inspection).where(Inspection.lot_id == lot.id, Inspection.kind == "iqc")
                           .order_by(Inspection.inspected_at.desc(), Inspection.id.desc())).first()
    if last is None or last.result == "passed":
        return
    conceded = session.scalar(select(Ncr.id).where(Ncr.lot_id == lot.id, Ncr.disposition == "concession").limit(1))
    if conceded:
        return
    ncr_no = session.scalar(select(Ncr.ncr_no).where(Ncr.inspection_id == last.id)) or "—"
    raise GateError(_("Incoming-inspection gate: lot {lot_no} failed incoming inspection {number}; it cannot be "
                      "issued. Cleared by a passed re-inspection or a concession on {ncr_no}.", lot_no=lot.lot_no,
                      number=last.inspection_no, ncr_no=ncr_no))


def check_delivery_ship(session: Session, *, order=None, quantity=None, **_context) -> None:
    if order is None:
        return
    passed = fqc_passed_quantity(session, order.id)
    problems = []
    if passed < order.total_quantity:
        failed = session.scalar(select(Inspection.inspection_no).where(
            Inspection.order_id == order.id, Inspection.kind == "fqc", Inspection.result == "failed")
            .order_by(Inspection.id.desc()).limit(1))
        if failed:
            problems.append(_("final inspection {number} failed and only {passed} of {total} pieces have passed",
                              number=failed, passed=passed, total=order.total_quantity))
        else:
            problems.append(_("final inspection has passed {passed} of {total} pieces", passed=passed,
                              total=order.total_quantity))
    still_open = open_ncrs(session, order.id)
    if still_open:
        problems.append(_("nonconformance {ncrs} is open", ncrs=", ".join(still_open)))
    if problems:
        raise GateError(_("Final-inspection gate: order {order_no} cannot ship: {problems}. Cleared when final "
                          "inspection (FQC) has passed the whole quantity and every NCR of the order is closed.",
                          order_no=order.order_no, problems="; ".join(problems)))


def released(session: Session, *, order, **_context) -> list[tuple[str, int, dt.datetime]]:
    """(FQC inspection number, pieces passed, inspected at) of the order's final inspections that passed pieces."""
    rows = session.execute(select(Inspection.inspection_no, Inspection.quantity_passed, Inspection.inspected_at)
                           .where(Inspection.order_id == order.id, Inspection.kind == "fqc",
                                  Inspection.quantity_passed > 0)
                           .order_by(Inspection.inspected_at, Inspection.id)).all()
    return [(no, int(q), at) for no, q, at in rows]


gates.register_check(gates.LEDGER_RECORD, "quality.fai", check_ledger_record)
gates.register_check(gates.MATERIALS_ISSUE, "quality.iqc", check_materials_issue)
gates.register_check(gates.DELIVERY_SHIP, "quality.fqc", check_delivery_ship)
gates.register_answer("quality.released", released)


def open_nonconformances(session: Session, **_context) -> list[dict]:
    """Every NCR not closed yet, oldest first (the coordination meeting's agenda lists them)."""
    rows = session.execute(select(Ncr.ncr_no, Ncr.description).where(Ncr.status != "closed")
                           .order_by(Ncr.id).limit(100)).all()
    return [{"ncr_no": no, "description": text} for no, text in rows]


gates.register_answer("quality.open_ncrs", open_nonconformances)
