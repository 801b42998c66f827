"""The one order-stage machine: which stage may follow which; every part of the procedure moves orders through it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..i18n import LazyText, _
from ..models.orders import STAGES, Order
from . import audit
from .context import Actor
from .errors import GateError

TRANSITIONS: dict[str, set[str]] = {
    "draft": {"preliminary_review", "cancelled"},
    "preliminary_review": {"detailed_review", "negotiating", "escalated", "cancelled"},
    "negotiating": {"preliminary_review", "detailed_review", "escalated", "abandoned", "cancelled"},
    "escalated": {"detailed_review", "negotiating", "abandoned", "cancelled"},
    "detailed_review": {"contracted", "negotiating", "abandoned", "cancelled"},
    "contracted": {"planned", "cancelled"},
    "planned": {"in_production", "contracted", "cancelled"},
    "in_production": {"final_qc", "planned", "cancelled"},
    "final_qc": {"ready_to_ship", "in_production"},
    "ready_to_ship": {"partly_shipped", "shipped"},
    "partly_shipped": {"partly_shipped", "shipped"},
    "shipped": {"delivered"},
    "delivered": {"closed"},
    "closed": set(),
    "abandoned": set(),
    "cancelled": set(),
}

# Stages in which sales may still change what the customer ordered (negotiation changes the order too).
EDITABLE_STAGES = {"draft", "preliminary_review", "negotiating", "escalated"}
OPEN_STAGES = [s for s in STAGES if s not in ("closed", "abandoned", "cancelled", "delivered")]
END_STAGES = {"closed", "abandoned", "cancelled"}


def stage_label(stage: str) -> str:
    return _(STAGES.get(stage, stage))


def move(session: Session, actor: Actor, order: Order, new_stage: str, reason: LazyText | str = "") -> None:
    """Change an order's stage inside the caller's transaction, refusing a move the procedure does not allow.

    `reason` is a LazyText when the software states it, or the text a user typed."""
    if new_stage not in TRANSITIONS.get(order.stage, set()):
        raise GateError(_("Order {order_no} is {stage}; it cannot move to {new_stage}.", order_no=order.order_no,
                          stage=stage_label(order.stage), new_stage=stage_label(new_stage)))
    old = order.stage
    order.stage = new_stage
    old_label, new_label = LazyText(STAGES.get(old, old)), LazyText(STAGES.get(new_stage, new_stage))
    summary = (LazyText("Stage {old} → {new} — {reason}", old=old_label, new=new_label, reason=reason) if reason
               else LazyText("Stage {old} → {new}", old=old_label, new=new_label))
    audit.record(session, actor, "stage", "order", order.id, summary, {"stage": old}, {"stage": new_stage},
                 order_id=order.id)
