"""Writes the hash-chained audit trail and verifies it, so an edited or deleted event is detected."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import secrets
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterable, Sequence

from sqlalchemy import event as sa_event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from .. import clock
from ..db import Database
from ..i18n import LANGUAGES, N_, LazyText, _
from ..models.audit import AuditEvent, AuditHead
from .context import Actor, confirm_actor, read_session
from .errors import DomainError

GENESIS_HASH = "0" * 64
log = logging.getLogger(__name__)


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


jsonable = _jsonable  # for callers that prepare an event's values ahead (record_many's json_ready)


def dumps(value: Any) -> str | None:
    if value is None:
        return None
    return _dumps_ready(_jsonable(value))


def _dumps_ready(value: Any) -> str | None:
    """dumps() of a value already made of JSON values (the stored text is the same)."""
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


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
    # Every data-changing service writes its event inside its transaction: the place to re-read who is acting.
    confirm_actor(session, actor)
    head = _locked_head(session)
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


def _locked_head(session: Session) -> AuditHead:
    """The head row, locked and read once per transaction, then kept in the session: bulk work stays fast."""
    head = session.info.get("audit_head")
    if head is None:
        head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one_or_none()
        if head is None:
            head = AuditHead(id=1, last_event_id=0, last_hash=GENESIS_HASH, event_count=0)
            session.add(head)
        session.info["audit_head"] = head
    return head


@dataclass(frozen=True)
class NewEvent:
    """One event for record_many: the arguments of record() after the actor."""

    action: str
    entity: str
    entity_id: int | None
    summary: LazyText | str = ""
    before: Any = None
    after: Any = None
    order_id: int | None = None
    # before/after already made of JSON values (jsonable() applied ahead, e.g. outside the write transaction)
    json_ready: bool = False


def record_many(session: Session, actor: Actor, events: Sequence[NewEvent]) -> int:
    """Append many events to the chain in one multi-row INSERT (a bulk import's events), inside the caller's
    transaction. Each event is exactly what record() would write for it, in the same order (same fields, same hash
    format, each chained to the one before): only the ORM objects are left out, which costs a bulk write its time
    under the write lock. Returns the number of events written."""
    if not events:
        return 0
    confirm_actor(session, actor)
    head = _locked_head(session)
    session.flush()  # events already added by record() come first in the chain and in the table
    last_hash, rows = head.last_hash, []
    for ev in events:
        at = clock.now()
        to_json = _dumps_ready if ev.json_ready else dumps
        before_json, after_json = to_json(ev.before), to_json(ev.after)
        if isinstance(ev.summary, LazyText):
            message_id, message_params, text = ev.summary.msgid, ev.summary.params_json(), ev.summary.render()
        else:
            message_id, message_params, text = None, None, ev.summary
        event_hash = _event_hash(last_hash, at, actor.user_id, actor.username, ev.action, ev.entity, ev.entity_id,
                                 ev.order_id, text, before_json, after_json, HASH_FORMAT, message_id, message_params)
        rows.append({"at": at, "user_id": actor.user_id, "username": actor.username, "action": ev.action,
                     "entity": ev.entity, "entity_id": ev.entity_id, "order_id": ev.order_id, "summary": text,
                     "message_id": message_id, "message_params": message_params, "hash_format": HASH_FORMAT,
                     "before_json": before_json, "after_json": after_json, "prev_hash": last_hash,
                     "hash": event_hash})
        last_hash = event_hash
    session.execute(insert(AuditEvent.__table__), rows)
    head.last_hash = last_hash
    head.event_count += len(rows)
    return len(rows)


def driver_insert(session: Session, table, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """Insert rows whose values went through their columns' bind processing already (`bind_values`), with one
    executemany of the driver inside the session's transaction: a bulk write spends its time under the write lock
    on the insert itself, not on SQLAlchemy's per-row parameter handling."""
    if not rows:
        return
    conn = session.connection()
    quote = conn.dialect.identifier_preparer.quote
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    conn.exec_driver_sql(f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
                         f"VALUES ({', '.join([mark] * len(columns))})", list(rows))


def bind_processors(dialect, table, columns: Sequence[str]) -> list:
    """Each column's bind processing for the driver (None where the value goes as it is)."""
    return [table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns]


_EVENT_COLUMNS = ("at", "user_id", "username", "action", "entity", "entity_id", "order_id", "summary", "message_id",
                  "message_params", "hash_format", "before_json", "after_json", "prev_hash", "hash")


@dataclass(frozen=True)
class ReadyEvent:
    """One event of append_ready: its texts already made (outside the write transaction, but for the keys)."""

    entity_id: int | None
    order_id: int | None
    summary: str
    message_params: str | None
    before_json: str | None
    after_json: str | None


def append_ready(session: Session, actor: Actor, action: str, entity: str, message_id: str | None,
                 events: Sequence[ReadyEvent]) -> int:
    """record_many for a bulk write whose events share action, entity and message and whose texts are made: only
    the chain (each event's hash over the one before, the same fields and format record() hashes) is computed here,
    under the write lock, and the rows go in with one executemany of the driver. One time for all the events."""
    if not events:
        return 0
    confirm_actor(session, actor)
    head = _locked_head(session)
    session.flush()  # events already added by record() come first in the chain and in the table
    at = clock.now()
    at_utc = at.astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat(timespec="microseconds")
    at_value = bind_processors(session.connection().dialect, AuditEvent.__table__, ["at"])[0]
    stored_at = at_value(at) if at_value else at
    # _event_hash's fields, joined the same way (str() of each, None as "None"), the constant ones once.
    common = "\x1f".join((at_utc, str(actor.user_id), str(actor.username), action, entity))
    tail = "\x1f".join((str(HASH_FORMAT), str(message_id)))
    last_hash, rows, sha256 = head.last_hash, [], hashlib.sha256
    for ev in events:
        payload = "\x1f".join((last_hash, common, str(ev.entity_id), str(ev.order_id), ev.summary, str(ev.before_json),
                               str(ev.after_json), tail, str(ev.message_params)))
        event_hash = sha256(payload.encode("utf-8")).hexdigest()
        rows.append((stored_at, actor.user_id, actor.username, action, entity, ev.entity_id, ev.order_id, ev.summary,
                     message_id, ev.message_params, HASH_FORMAT, ev.before_json, ev.after_json, last_hash,
                     event_hash))
        last_hash = event_hash
    driver_insert(session, AuditEvent.__table__, _EVENT_COLUMNS, rows)
    head.last_hash = last_hash
    head.event_count += len(rows)
    return len(rows)


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


# ---- the head anchored outside the database --------------------------------------------------------------------
# Someone who can edit the database file can rewrite the whole chain and its head row consistently. So after every
# commit that appended events, the head (event count and last hash) is sealed with a key that lives in this
# installation's data folder and written to an anchor file beside the database (it travels with copies and backups)
# and to one in the data folder (out of reach of whoever only has the database's folder). `check` then verifies
# that the chain still passes through every anchored head.

ANCHOR_KEY_FILE = "audit-anchor.key"
ANCHOR_SUFFIX = ".anchor"


def data_dir() -> Path:
    """This installation's data folder ($JEWELRYORDERS_DATA_DIR for tests and portable installs)."""
    override = os.environ.get("JEWELRYORDERS_DATA_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir("jewelryorders", "jewelryorders"))


def anchor_key(create: bool = True) -> tuple[str, bytes] | None:
    """(key id, key) of this installation, made on first use; None when missing and create is False."""
    path = data_dir() / ANCHOR_KEY_FILE
    if not path.exists():
        if not create:
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it a moment ago
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
    key = bytes.fromhex(path.read_text().strip())
    return hashlib.sha256(key).hexdigest()[:16], key


def _seal(key: bytes, event_count: int, last_hash: str) -> str:
    return hmac.new(key, f"jewelryorders-audit-anchor|{event_count}|{last_hash}".encode(), hashlib.sha256).hexdigest()


def _database_identity(db: Database) -> str:
    if db.path:
        return str(db.path.resolve())
    return make_url(db.url).render_as_string(hide_password=True)


def anchor_paths(db: Database) -> list[Path]:
    """Beside the database file (SQLite), and in this installation's data folder (always)."""
    ident = hashlib.sha256(_database_identity(db).encode()).hexdigest()[:24]
    paths = [data_dir() / "anchors" / f"{ident}.json"]
    if db.path:
        paths.insert(0, db.path.with_name(db.path.name + ANCHOR_SUFFIX))
    return paths


def _read_anchor_file(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {"unreadable": True}
    return data if isinstance(data, dict) else {"unreadable": True}


def _write_json_atomically(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def write_anchor(db: Database, event_count: int, last_hash: str, force: bool = False) -> None:
    """Seal the head; a writer never moves an anchor back (two processes may finish their commits out of order)."""
    key_id, key = anchor_key()
    entry = {"event_count": event_count, "last_hash": last_hash, "hmac": _seal(key, event_count, last_hash),
             "at": clock.now().isoformat()}
    for path in anchor_paths(db):
        data = _read_anchor_file(path) or {}
        anchors = data.get("anchors") if isinstance(data.get("anchors"), dict) else {}
        old = anchors.get(key_id)
        if not force and isinstance(old, dict) and isinstance(old.get("event_count"), int) \
                and old["event_count"] > event_count:
            continue
        anchors[key_id] = entry
        _write_json_atomically(path, {"format": 1, "database": _database_identity(db), "anchors": anchors})


def anchor_current_head(db: Database, force: bool = False) -> tuple[int, str]:
    """Anchor the head as it is now (a new or upgraded database, or an administrator accepting a restore)."""
    with read_session(db) as session:
        head = session.get(AuditHead, 1)
        state = (head.event_count, head.last_hash) if head is not None else (0, GENESIS_HASH)
    write_anchor(db, *state, force=force)
    return state


def accept_current_head(db: Database, actor: Actor) -> int:
    """An administrator accepts the trail as it is (after restoring a backup): recorded, then anchored anew."""
    from .context import unit_of_work
    from .permissions import require

    require(actor, "settings.edit")
    with unit_of_work(db) as session:
        count = session.execute(select(AuditHead.event_count).where(AuditHead.id == 1)).scalar_one_or_none() or 0
        record(session, actor, "accept_anchor", "audit", None,
               LazyText("Audit trail accepted as the reference outside the database ({n} events)", n=count))
    return anchor_current_head(db, force=True)[0]


@sa_event.listens_for(Session, "after_commit")
def _anchor_after_commit(session: Session) -> None:
    head = session.info.pop("audit_head", None)
    database = session.info.get("jo_database")
    if head is None or database is None:
        return
    try:
        if head in session:
            write_anchor(database, head.event_count, head.last_hash)
        else:  # expunged before the commit: what reached the database may differ from the object; read it back
            anchor_current_head(database)
    except (OSError, DomainError) as exc:  # the commit stands; `check` will say the anchor is behind
        log.warning("Cannot write the audit anchor for %s: %s", database.display_name, exc)


@sa_event.listens_for(Session, "after_rollback")
def _forget_head_after_rollback(session: Session) -> None:
    session.info.pop("audit_head", None)


@dataclass
class AuditCheckResult:
    events_checked: int
    problems: list[str]
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _anchored_heads(db: Database, problems: list[str], notes: list[str]) -> dict[int, tuple[str, str]]:
    """Position -> (hash, file) of every valid anchor of this installation; odd anchors become problems/notes."""
    key = anchor_key(create=False)
    expected: dict[int, tuple[str, str]] = {}
    foreign: set[str] = set()
    for path in anchor_paths(db):
        data = _read_anchor_file(path)
        if data is None:
            continue
        if data.get("unreadable") or not isinstance(data.get("anchors"), dict):
            problems.append(_("The audit anchor file {file} is damaged or was edited.", file=str(path)))
            continue
        for key_id, entry in data["anchors"].items():
            if key is None or key_id != key[0]:
                foreign.add(key_id)
                continue
            try:
                count, last_hash, seal = int(entry["event_count"]), str(entry["last_hash"]), str(entry["hmac"])
            except (KeyError, TypeError, ValueError):
                problems.append(_("The audit anchor file {file} is damaged or was edited.", file=str(path)))
                continue
            if not hmac.compare_digest(seal, _seal(key[1], count, last_hash)):
                problems.append(_("The audit anchor file {file} was edited: its seal does not match.", file=str(path)))
                continue
            expected[count] = (last_hash, str(path))
    if foreign and not expected:
        notes.append(_("The audit trail was anchored by another installation (key {keys}): the database was copied "
                       "here, or this PC's key file is missing. The chain was checked inside the file only; run "
                       "check on the PC that wrote it to compare it with its anchor.", keys=", ".join(sorted(foreign))))
    return expected


def verify_chain(db: Database, batch: int = 5000) -> AuditCheckResult:
    """Recompute every hash in order; report edited events, broken links, missing events and unanchored rewrites."""
    problems: list[str] = []
    notes: list[str] = []
    expected = _anchored_heads(db, problems, notes)
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
                expected_hash = _event_hash(ev.prev_hash, ev.at, ev.user_id, ev.username, ev.action, ev.entity,
                                            ev.entity_id, ev.order_id, ev.summary, ev.before_json, ev.after_json,
                                            ev.hash_format, ev.message_id, ev.message_params)
                if expected_hash != ev.hash:
                    problems.append(_("Audit event {id} was edited after it was written.", id=ev.id))
                elif ev.hash_format < 2 and ev.message_id and not _message_matches_summary(ev):
                    problems.append(_("Audit event {id}: its message was changed after it was recovered from the "
                                      "summary.", id=ev.id))
                anchored = expected.get(count)
                if anchored is not None and anchored[0] != ev.hash:
                    problems.append(_("Audit event {id} (number {n}) is not the event anchored outside the database "
                                      "({file}): the trail was rewritten from there on, its hashes recomputed.",
                                      id=ev.id, n=count, file=anchored[1]))
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
    for position, (last_hash, path) in sorted(expected.items()):
        if position > count:
            problems.append(_("The anchor outside the database ({file}) recorded {expected} audit events ending in "
                              "{hash}, but the database holds {count}: events were deleted (the head row made to "
                              "match), or the database was replaced by an older copy.", file=path,
                              expected=position, hash=last_hash[:12], count=count))
            break
    if count and not expected and not notes:
        problems.append(_("No anchor of the audit trail was found (neither beside the database nor in this PC's data "
                          "folder): it was deleted, or the database was copied without its '{suffix}' file. The "
                          "chain was checked inside the file only. Copy the anchor file too, or, if you trust this "
                          "copy, run 'check --anchor-now' as an administrator.", suffix=ANCHOR_SUFFIX))
    return AuditCheckResult(count, problems, notes)


# ---- records edited behind the application's back ----------------------------------------------------------------
# Each service records the record's state (after_json: all fields on create, the changed ones on update). Folding
# those in order gives the state the application last wrote; a row that differs was changed outside it.

# Fields that change without an event of their own (bookkeeping), or that are lists rather than columns.
_UNTRACKED_FIELDS = {"version", "created_at", "updated_at", "last_login_at", "failed_logins", "locked_until",
                     "password_hash", "lines", "submitted_at", "style_summary"}


def _tracked_entities() -> dict[str, tuple[type, Any]]:
    from ..models.customers import Customer
    from ..models.orders import Order
    from ..models.users import User

    # entity -> (model, how to name a record in the message)
    return {"order": (Order, lambda r: r.order_no), "customer": (Customer, lambda r: r.code),
            "user": (User, lambda r: r.username)}


_ENTITY_LABELS = {"order": N_("entity|order"), "customer": N_("entity|customer"), "user": N_("entity|user")}


def _same_value(recorded: Any, current: Any) -> bool:
    current = _jsonable(current)
    if recorded == current:
        return True
    if recorded is None or current is None or isinstance(recorded, bool) or isinstance(current, bool):
        return False
    try:  # Decimals are recorded as typed ("2000000") and read back at the column's scale ("2000000.00")
        return Decimal(str(recorded)) == Decimal(str(current))
    except (InvalidOperation, ValueError):
        pass
    try:
        return dt.datetime.fromisoformat(str(recorded)) == dt.datetime.fromisoformat(str(current))
    except ValueError:
        return False


@dataclass
class RecordCheckResult:
    records_checked: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_records(db: Database, batch: int = 5000, limit_problems: int = 200) -> RecordCheckResult:
    """Compare each audited order, customer and user with the state its audit events last recorded."""
    tracked = _tracked_entities()
    states: dict[tuple[str, int], dict[str, Any] | None] = {}
    last_id = 0
    with read_session(db) as session:
        while True:
            rows = session.execute(
                select(AuditEvent.id, AuditEvent.entity, AuditEvent.entity_id, AuditEvent.action, AuditEvent.after_json)
                .where(AuditEvent.id > last_id, AuditEvent.entity.in_(list(tracked)),
                       AuditEvent.entity_id.is_not(None))
                .order_by(AuditEvent.id).limit(batch)).all()
            if not rows:
                break
            for ev_id, entity, entity_id, action, after_json in rows:
                last_id = ev_id
                key = (entity, entity_id)
                if action == "delete":
                    states[key] = None
                    continue
                try:
                    after = json.loads(after_json) if after_json else None
                except ValueError:
                    continue  # an edited event; verify_chain reports it
                if not isinstance(after, dict):
                    continue
                if action == "create" or key not in states or states[key] is None:
                    states[key] = dict(after) if action == "create" else {**(states.get(key) or {}), **after}
                else:
                    states[key].update(after)
        problems: list[str] = []
        by_entity: dict[str, list[tuple[int, dict | None]]] = {}
        for (entity, entity_id), state in states.items():
            by_entity.setdefault(entity, []).append((entity_id, state))
        for entity_key, items in by_entity.items():
            model, name_of = tracked[entity_key]
            entity = _(_ENTITY_LABELS[entity_key])
            columns = {c.key for c in sa_inspect(model).mapper.column_attrs}
            for start in range(0, len(items), 500):
                chunk = items[start:start + 500]
                found = {r.id: r for r in session.scalars(select(model).where(model.id.in_([i for i, _s in chunk])))}
                for entity_id, state in chunk:
                    row = found.get(entity_id)
                    if state is None:
                        if row is not None:
                            problems.append(_("The {entity} {name} (id {id}) was deleted according to the audit trail, "
                                              "but it is in the database: it was put back outside the application.",
                                              entity=entity, name=name_of(row), id=entity_id))
                        continue
                    if row is None:
                        problems.append(_("The {entity} with id {id} is missing from the database, but the audit trail "
                                          "has no deletion: it was deleted outside the application.",
                                          entity=entity, id=entity_id))
                        continue
                    changed = sorted(k for k, v in state.items() if k in columns and k not in _UNTRACKED_FIELDS
                                     and not _same_value(v, getattr(row, k)))
                    if changed:
                        problems.append(_("The {entity} {name} (id {id}) was edited outside the application: "
                                          "{fields} differ from what its last audit event recorded.", entity=entity,
                                          name=name_of(row), id=entity_id, fields=", ".join(changed)))
                if len(problems) >= limit_problems:
                    return RecordCheckResult(len(states), problems)
            session.expunge_all()
    return RecordCheckResult(len(states), problems)
