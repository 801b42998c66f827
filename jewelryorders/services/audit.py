"""Writes the hash-chained audit trail and verifies it, so an edited or deleted event is detected."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import clock
from ..db import Database
from ..i18n import LANGUAGES, LazyText, _
from ..models.audit import AuditEvent, AuditHead
from .context import Actor, read_session

GENESIS_HASH = "0" * 64


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def dumps(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(_jsonable(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def snapshot(obj: Any, exclude: Iterable[str] = ("created_at", "updated_at", "password_hash")) -> dict[str, Any]:
    """The column values of an entity, for the before/after of an audit event."""
    skip = set(exclude)
    mapper = sa_inspect(obj).mapper
    return {attr.key: _jsonable(getattr(obj, attr.key)) for attr in mapper.column_attrs if attr.key not in skip}


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that changed, so the trail says what happened rather than repeating the record."""
    keys = [k for k in after if before.get(k) != after.get(k)] + [k for k in before if k not in after]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


HASH_FORMAT = 2  # the hash covers the message id and its parameters as well as the summary


def _event_hash(prev_hash: str, at: dt.datetime, user_id, username, action, entity, entity_id, order_id,
                summary, before_json, after_json, hash_format: int = 1, message_id=None, message_params=None) -> str:
    at_utc = at.astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat(timespec="microseconds")
    fields = [prev_hash, at_utc, user_id, username, action, entity, entity_id, order_id, summary, before_json,
              after_json]
    if hash_format >= 2:
        fields += [hash_format, message_id, message_params]
    payload = "\x1f".join(str(x) for x in fields)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(session: Session, actor: Actor, action: str, entity: str, entity_id: int | None,
           summary: LazyText | str = "", before: Any = None, after: Any = None,
           order_id: int | None = None) -> AuditEvent:
    """Append one event to the chain inside the caller's transaction (it commits or rolls back with the change).

    `summary` is a LazyText (a message id with its parameters) so each reader of the history sees it in their own
    language; the text in the writer's language is kept beside it. A plain str is only for text a user typed."""
    # The head row is locked and read once per transaction, then kept in the session: bulk work stays fast.
    head = session.info.get("audit_head")
    if head is None:
        head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one_or_none()
        if head is None:
            head = AuditHead(id=1, last_event_id=0, last_hash=GENESIS_HASH, event_count=0)
            session.add(head)
        session.info["audit_head"] = head
    at = clock.now()
    # Stored timestamps keep microseconds on SQLite and PostgreSQL alike, so the hash recomputes exactly.
    before_json, after_json = dumps(before), dumps(after)
    if isinstance(summary, LazyText):
        message_id, message_params, text = summary.msgid, summary.params_json(), summary.render()
    else:
        message_id, message_params, text = None, None, summary
    event_hash = _event_hash(head.last_hash, at, actor.user_id, actor.username, action, entity, entity_id,
                             order_id, text, before_json, after_json, HASH_FORMAT, message_id, message_params)
    event = AuditEvent(at=at, user_id=actor.user_id, username=actor.username, action=action, entity=entity,
                       entity_id=entity_id, order_id=order_id, summary=text, message_id=message_id,
                       message_params=message_params, hash_format=HASH_FORMAT, before_json=before_json,
                       after_json=after_json, prev_hash=head.last_hash, hash=event_hash)
    session.add(event)
    head.last_hash = event_hash
    head.event_count += 1
    return event


def event_message(ev: AuditEvent) -> LazyText | None:
    """The event's message, to show in the reader's language (None for events that have only a summary)."""
    if not ev.message_id:
        return None
    try:
        return LazyText.from_stored(ev.message_id, ev.message_params)
    except ValueError:
        return None


def _message_matches_summary(ev: AuditEvent) -> bool:
    """A message recovered from an old summary (hash format 1) must still say the summary in some language."""
    message = event_message(ev)
    return message is not None and any(message.render(lang) == ev.summary for lang in LANGUAGES)


@dataclass
class AuditCheckResult:
    events_checked: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(db: Database, batch: int = 5000) -> AuditCheckResult:
    """Recompute every hash in order; report edited events, broken links and missing events."""
    problems: list[str] = []
    count = 0
    prev_hash = GENESIS_HASH
    last_id = 0
    with read_session(db) as session:
        while True:
            rows = session.execute(
                select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
            ).scalars().all()
            if not rows:
                break
            for ev in rows:
                count += 1
                if ev.prev_hash != prev_hash:
                    problems.append(_("Audit event {id}: the event before it was deleted or changed "
                                      "(chain broken).", id=ev.id))
                expected = _event_hash(ev.prev_hash, ev.at, ev.user_id, ev.username, ev.action, ev.entity,
                                       ev.entity_id, ev.order_id, ev.summary, ev.before_json, ev.after_json,
                                       ev.hash_format, ev.message_id, ev.message_params)
                if expected != ev.hash:
                    problems.append(_("Audit event {id} was edited after it was written.", id=ev.id))
                elif ev.hash_format < 2 and ev.message_id and not _message_matches_summary(ev):
                    problems.append(_("Audit event {id}: its message was changed after it was recovered from the "
                                      "summary.", id=ev.id))
                prev_hash = ev.hash
                last_id = ev.id
            session.expunge_all()
        head = session.get(AuditHead, 1)
        head_state = (head.last_hash, head.event_count) if head is not None else None
    if head_state is not None:
        last_hash, event_count = head_state
        if last_hash != prev_hash or event_count != count:
            problems.append(_("The audit trail should hold {expected} events ending in {hash}, but holds {count}: "
                              "events were deleted.", expected=event_count, hash=last_hash[:12], count=count))
    elif count:
        problems.append(_("The audit trail's head record is missing."))
    return AuditCheckResult(count, problems)
