"""An order's history from the audit trail, newest first and paged, told in plain words in the reader's language."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from ...db import Database
from ...i18n import _, ngettext, tr
from ...models.audit import AuditEvent
from ...models.customers import Customer
from ...models.documents import DOCUMENT_CATEGORIES, Document
from ...models.orders import CHANNELS, METALS, STONE_TYPES
from ...models.users import User
from ..audit import event_message
from ..context import read_session
from ..stages import stage_label
from ..validation import mg_to_grams_text

# Long texts (special requirements can hold 10,000 characters) are cut so one event stays one readable line.
VALUE_PREVIEW_CHARS = 60

# Header fields worth telling the clerk about, in the order a change is read out; derived totals and the version
# counter change with every edit and would only repeat what the line changes already say.
_ORDER_FIELDS = ("customer_id", "channel", "order_date", "delivery_date", "delivery_place", "special_requirements",
                 "currency", "priority")
_LINE_FIELDS = ("style_code", "description", "metal", "size", "quantity", "target_weight_mg", "unit_price", "stones")


def _field_label(key: str) -> str:
    labels = {
        "customer_id": _("Customer"), "channel": _("Channel"), "order_date": _("Order date"),
        "delivery_date": _("Delivery date"), "delivery_place": _("Delivery place"),
        "special_requirements": _("Special requirements"), "currency": _("Currency"), "priority": _("Priority"),
        "style_code": _("Style"), "description": _("Description"), "metal": _("Metal"), "size": _("Size"),
        "quantity": _("Quantity"), "target_weight_mg": _("Target weight (g)"), "unit_price": _("Unit price"),
        "stones": _("Stones"),
    }
    return labels.get(key, key)


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened to an order: when (UTC, aware), who, and what in plain words."""

    id: int
    at: dt.datetime
    who: str
    action: str
    entity: str
    text: str
    details: tuple[str, ...] = ()

    @property
    def full_text(self) -> str:
        return self.text + (": " + "; ".join(self.details) if self.details else "")


def _preview(value: Any) -> str:
    if value is None or value == "":
        return _("(empty)")
    s = " ".join(str(value).split())
    return s if len(s) <= VALUE_PREVIEW_CHARS else s[:VALUE_PREVIEW_CHARS - 1] + "…"


def stones_text(stones: list[dict] | None) -> str:
    if not stones:
        return _("none")
    parts = []
    for st in stones:
        kind = _(STONE_TYPES.get(st.get("stone_type", ""), st.get("stone_type", "")))
        parts.append(_("{stone} × {count} / {carat} ct", stone=kind, count=st.get("stone_count", ""),
                       carat=st.get("carat", "")))
    return "; ".join(parts)


class _Names:
    """Customer names and documents an event page mentions, loaded in one query each rather than per event."""

    def __init__(self, customers: dict[int, str], documents: dict[int, Document]):
        self.customers = customers
        self.documents = documents

    def customer(self, customer_id: Any) -> str:
        if customer_id is None:
            return _("(empty)")
        return self.customers.get(customer_id, _("customer {id}", id=customer_id))


def _value_text(key: str, value: Any, names: _Names) -> str:
    if key == "customer_id":
        return names.customer(value)
    if key == "channel" and value in CHANNELS:
        return _(CHANNELS[value])
    if key == "target_weight_mg":
        return mg_to_grams_text(value) if value is not None else _("(empty)")
    if key == "metal" and value in METALS:
        return f"{value} {_(METALS[value])}"
    if key == "stones":
        return stones_text(value)
    return _preview(value)


def _line_changes(before: list[dict], after: list[dict], names: _Names) -> list[str]:
    old = {line.get("line_no"): line for line in before or []}
    new = {line.get("line_no"): line for line in after or []}
    out: list[str] = []
    for n in sorted(set(old) | set(new), key=lambda x: (x is None, x)):
        label = _("Line {n}", n=n)
        if n not in old:
            line = new[n]
            out.append(_("{line} added: {style} × {quantity}", line=label, style=line.get("style_code", ""),
                         quantity=line.get("quantity", "")))
        elif n not in new:
            out.append(_("{line} removed ({style})", line=label, style=old[n].get("style_code", "")))
        else:
            for key in _LINE_FIELDS:
                a, b = old[n].get(key), new[n].get(key)
                if a != b:
                    out.append(_("{line}: {field} {old} → {new}", line=label, field=_field_label(key),
                                 old=_value_text(key, a, names), new=_value_text(key, b, names)))
    return out


def _order_changes(before: dict, after: dict, names: _Names) -> list[str]:
    out: list[str] = []
    for key in _ORDER_FIELDS:
        if key in after or key in before:
            a, b = before.get(key), after.get(key)
            if a != b:
                out.append(_("{field}: {old} → {new}", field=_field_label(key), old=_value_text(key, a, names),
                             new=_value_text(key, b, names)))
    if "lines" in after or "lines" in before:
        out.extend(_line_changes(before.get("lines") or [], after.get("lines") or [], names))
    return out


def _loads(raw: str | None) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _reason_from_summary(summary: str) -> str:
    """stages.move writes "Stage A → B — reason". A reason the software wrote (e.g. "submitted for review") is a
    msgid and is read in the reader's language; a reason a user typed matches no msgid and stays as written."""
    reason = summary.split(" — ", 1)[1] if " — " in summary else ""
    return tr(reason) if reason else ""


def _describe(ev: AuditEvent, names: _Names) -> tuple[str, tuple[str, ...]]:
    before = _loads(ev.before_json)
    after = _loads(ev.after_json)
    if ev.entity == "order" and ev.action == "create" and isinstance(after, dict):
        lines = after.get("lines") or []
        quantity = sum(int(line.get("quantity") or 0) for line in lines)
        count = ngettext("{n} line", "{n} lines", len(lines))
        return _("Order {order_no} created for {customer} ({lines}, {quantity} pcs)",
                 order_no=after.get("order_no", ""), customer=names.customer(after.get("customer_id")),
                 lines=count, quantity=f"{quantity:,}"), ()
    if ev.entity == "order" and ev.action == "update" and isinstance(after, dict):
        changes = _order_changes(before if isinstance(before, dict) else {}, after, names)
        return _("Order changed"), tuple(changes)
    message = event_message(ev)
    if message is not None and not (ev.entity == "document" and ev.action == "store_document"):
        return message.render(), ()
    if ev.action == "stage" and isinstance(after, dict) and "stage" in after:
        old = (before or {}).get("stage", "") if isinstance(before, dict) else ""
        text = _("Stage {old} → {new}", old=stage_label(old), new=stage_label(after["stage"]))
        reason = _reason_from_summary(ev.summary)
        return (text + " — " + reason if reason else text), ()
    if ev.entity == "document" and ev.action == "store_document" and isinstance(after, dict):
        doc = names.documents.get(ev.entity_id)
        category = after.get("category", "attachment")
        text = _("{category} {file} attached ({size})", category=_(DOCUMENT_CATEGORIES.get(category, category)),
                 file=after.get("file_name", ""), size=file_size_text(int(after.get("size") or 0)))
        if doc is not None and doc.doc_version > 1:
            text += " " + _("(version {version})", version=doc.doc_version)
        return text, ()
    if ev.entity == "document" and ev.action == "remove_document":
        doc = names.documents.get(ev.entity_id)
        return _("Attachment {file} removed", file=doc.file_name if doc else ""), ()
    # An event whose message could not be recovered from an old summary is shown as it was written.
    return ev.summary or ev.action, ()


def file_size_text(size: int) -> str:
    if size < 1024:
        return _("{n} bytes", n=size)
    if size < 1024 * 1024:
        return _("{n} KB", n=f"{size / 1024:.0f}")
    return _("{n} MB", n=f"{size / (1024 * 1024):.1f}")


def _customer_ids(events: list[AuditEvent]) -> set[int]:
    ids: set[int] = set()
    for ev in events:
        if ev.entity != "order":
            continue
        for raw in (ev.before_json, ev.after_json):
            data = _loads(raw)
            if isinstance(data, dict) and isinstance(data.get("customer_id"), int):
                ids.add(data["customer_id"])
    return ids


def order_timeline(db: Database, order_id: int, offset: int = 0, limit: int = 100) -> list[TimelineEntry]:
    """Events whose order is `order_id`, newest first; one page of them."""
    stmt = (select(AuditEvent, User.display_name)
            .outerjoin(User, User.id == AuditEvent.user_id)
            .where(AuditEvent.order_id == order_id)
            .order_by(AuditEvent.id.desc())
            .offset(offset).limit(limit))
    with read_session(db) as s:
        rows = s.execute(stmt).all()
        events = [ev for ev, _name in rows]
        customer_ids = _customer_ids(events)
        customers = dict(s.execute(select(Customer.id, Customer.name).where(Customer.id.in_(customer_ids))).all()) \
            if customer_ids else {}
        doc_ids = {ev.entity_id for ev in events if ev.entity == "document" and ev.entity_id is not None}
        documents = {d.id: d for d in s.scalars(select(Document).where(Document.id.in_(doc_ids)))} if doc_ids else {}
        names = _Names(customers, documents)
        entries = []
        for ev, display_name in rows:
            text, details = _describe(ev, names)
            entries.append(TimelineEntry(id=ev.id, at=ev.at, who=display_name or ev.username, action=ev.action,
                                         entity=ev.entity, text=text, details=details))
        return entries


def count_timeline(db: Database, order_id: int) -> int:
    with read_session(db) as s:
        return int(s.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.order_id == order_id)) or 0)
