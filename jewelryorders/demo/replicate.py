"""Replicated history: a big demo's old orders copied from orders lived through the services.

Living an order through the services costs a fraction of a second; a factory of 100,000 orders would take hours.
The bulk of such a factory is history — orders delivered, closed, abandoned or cancelled, whose whole life lies in
the past — so a big demo lives a core of them through the services and copies the rest from that core: each copy is
one lived order with every row that belongs to it (lines, review, contract, plan and steps, task sheets, ledger,
inspections, shipments, certificates, filed papers' records, audit events ...), under new ids and new numbers from
the services' own numbering, for another customer of the same country, every date and time moved the same whole
number of weeks into the past. The audit events are appended to the hash chain as the audit module hashes them, so
`jewelryorders check` verifies the chain and each audited record against its last event as for a lived order.

Which tables belong to an order is read from the ORM metadata: every table with a foreign key to `orders`, or to a
table that belongs to an order, except those whose rows are the factory's shared state rather than the order's own
history (stock lots and movements, purchasing, archive loans, after-sales cases, meeting action items, forecasts):
copying those would count stock twice or open cases nobody opened. A copied paper's record points at the same stored
file as the lived order's (content-addressed, so the file is stored once): opened, it shows the lived order."""

from __future__ import annotations

import bisect
import datetime as dt
import json
import random
import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy import Date, DateTime, String, Text, func, insert, select, text, update

from ..db import Database
from ..models.audit import AuditEvent
from ..models.base import Base
from ..models.customers import Customer
from ..models.orders import Order
from ..services import audit, sequences
from ..services.context import unit_of_work

# The stages of an order whose whole life lies behind the factory: the orders a big demo copies.
HISTORY_STAGES = ("delivered", "closed", "abandoned", "cancelled")
# Tables that reference an order but hold the factory's shared state, not the order's own history.
NOT_COPIED = frozenset({
    "order_forecasts", "action_items", "purchase_orders", "purchase_order_lines", "lots", "lot_documents",
    "stock_movements", "pick_lists", "pick_items", "access_requests", "document_access_log", "document_loans",
    "after_sales_cases", "after_sales_photos"})
BATCH = 250  # copies per transaction
# A number the services give (JO-2025-00012, TS-2025-000123 ...) or an order number without its prefix (in HT-...).
_NUMBER = re.compile(r"(?<![0-9A-Za-z])(?:[A-Z]{1,4}-)?\d{4}-\d{3,7}(?![0-9])")
_NUMBER_PARTS = re.compile(r"^([A-Z]{1,4})-(\d{4})-(\d+)$")
_ISO = re.compile(r"(?<![0-9])(\d{4}-\d{2}-\d{2})(?:([T ])(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)"
                  r"(Z|[+-]\d{2}:\d{2})?)?(?![0-9])")

ProgressFn = Callable[[int, int], None]


def owned_tables() -> list:
    """The tables whose rows belong to one order, parents before children (orders first)."""
    import jewelryorders.models  # noqa: F401  (every model registered)

    owned = {"orders"}
    changed = True
    while changed:
        changed = False
        for table in Base.metadata.sorted_tables:
            if table.name in owned or table.name in NOT_COPIED:
                continue
            if any(fk.column.table.name in owned for fk in table.foreign_keys):
                owned.add(table.name)
                changed = True
    return [t for t in Base.metadata.sorted_tables if t.name in owned]


def _entity_tables(tables) -> dict[str, str]:
    """An audit event's entity name (order, ledger_entry, ncr ...) -> the table it names."""
    names = {t.name for t in tables}
    out: dict[str, str] = {}
    for name in names:
        for entity in {name[:-1], name[:-2], name[:-3] + "y" if name.endswith("ies") else name[:-1], name}:
            out.setdefault(entity, name)
    return out


class _Source:
    """A lived history order with its rows, per table, and its audit events."""

    def __init__(self, order_id: int, order_date: dt.date, customer_id: int, currency: str):
        self.order_id, self.order_date, self.customer_id, self.currency = order_id, order_date, customer_id, currency
        self.rows: dict[str, list[dict]] = defaultdict(list)
        self.events: list[dict] = []


def _load_sources(session, tables, order_ids: list[int]) -> dict[int, _Source]:
    sources: dict[int, _Source] = {}
    for start in range(0, len(order_ids), 500):
        chunk = order_ids[start:start + 500]
        root_of: dict[str, dict[Any, int]] = {}  # table -> row id -> order id
        for table in tables:
            if table.name == "orders":
                rows = session.execute(select(table).where(table.c.id.in_(chunk))).mappings().all()
                for row in rows:
                    sources[row["id"]] = src = _Source(row["id"], row["order_date"], row["customer_id"],
                                                       row["currency"])
                    src.rows["orders"].append(dict(row))
                root_of["orders"] = {row["id"]: row["id"] for row in rows}
                continue
            parents = [fk for fk in table.foreign_keys if fk.column.table.name in root_of
                       and fk.column.table.name != table.name]
            direct = [fk for fk in parents if fk.column.table.name == "orders"]
            links = direct or parents
            found: dict[Any, int] = {}
            for fk in links:
                ids = list(root_of[fk.column.table.name])
                for part in range(0, len(ids), 900):
                    rows = session.execute(select(table).where(fk.parent.in_(ids[part:part + 900]))).mappings().all()
                    for row in rows:
                        key = row["id"] if "id" in row else tuple(row.values())
                        if key in found:
                            continue
                        order_id = root_of[fk.column.table.name][row[fk.parent.name]]
                        found[key] = order_id
                        sources[order_id].rows[table.name].append(dict(row))
            root_of[table.name] = found
        events = session.execute(select(AuditEvent.__table__).where(AuditEvent.order_id.in_(chunk))
                                 .order_by(AuditEvent.id)).mappings().all()
        for ev in events:
            sources[ev["order_id"]].events.append(dict(ev))
    return sources


class _Copier:
    """Copies one source order at a time into row dicts ready for bulk inserts."""

    def __init__(self, session, tables, next_ids: dict[str, int]):
        self.session, self.tables = session, tables
        self.by_name = {t.name: t for t in tables}
        self.next_ids = next_ids
        self.entities = _entity_tables(tables)
        self.prefix_kind = {prefix: kind for kind, (prefix, _digits) in sequences.NUMBER_FORMATS.items()}
        self.position = {t.name: i for i, t in enumerate(tables)}

    # ---- values ------------------------------------------------------------------------------------------------
    def _shift_text(self, value: str, delta: dt.timedelta, numbers: dict[str, str]) -> str:
        if not value:
            return value
        if numbers:
            value = _NUMBER.sub(lambda m: _renumber(m.group(0), numbers), value)
        if "-" in value:
            value = _ISO.sub(lambda m: _shift_iso(m, delta), value)
        return value

    def _new_number(self, old: str, row: dict, table, delta: dt.timedelta, year_fallback: int) -> str | None:
        parts = _NUMBER_PARTS.match(old)
        if parts is None or parts.group(1) not in self.prefix_kind:
            return None
        year = int(parts.group(2))
        moments = sorted(v for c in table.columns if isinstance(v := row.get(c.name), dt.datetime) and
                         v.astimezone().year == year)
        days = sorted(v for c in table.columns if type(v := row.get(c.name)) is dt.date and v.year == year)
        if moments:
            new_year = (moments[0] - delta).astimezone().year
        elif days:
            new_year = (days[0] - delta).year
        else:
            new_year = year_fallback
        return sequences.next_number(self.session, self.prefix_kind[parts.group(1)], new_year)

    def copy(self, src: _Source, delta: dt.timedelta, customer_id: int, out: dict[str, list[dict]],
             deferred: dict[str, list[dict]], events_out: list[dict]) -> str:
        """Adds the copy's rows to `out` (per table) and its audit events to `events_out`; returns its order no."""
        ids: dict[str, dict[Any, Any]] = {}
        for name, rows in src.rows.items():
            if "id" in self.by_name[name].c:
                mapping = ids[name] = {}
                for row in rows:
                    mapping[row["id"]] = self.next_ids[name]
                    self.next_ids[name] += 1
        ids["customers"] = {src.customer_id: customer_id}
        numbers: dict[str, str] = {}
        order_row = src.rows["orders"][0]
        year_fallback = (order_row["order_date"] - delta).year
        # Every number the services gave this order's rows, renumbered in the copy's year, before any text is copied.
        for table in self.tables:
            for row in src.rows.get(table.name, ()):
                for column in table.columns:
                    value = row.get(column.name)
                    if isinstance(value, str) and value not in numbers and _NUMBER_PARTS.match(value):
                        new = self._new_number(value, row, table, delta, year_fallback)
                        if new is not None:
                            numbers[value] = new
        old_no, new_no = order_row["order_no"], numbers[order_row["order_no"]]
        numbers[old_no.split("-", 1)[1]] = new_no.split("-", 1)[1]  # the contract's HT-2025-00012
        days = dt.timedelta(days=delta.days)
        for table in self.tables:
            rows = src.rows.get(table.name)
            if not rows:
                continue
            later = {fk.parent.name: fk.column.table.name for fk in table.foreign_keys
                     if fk.column.table.name in self.position
                     and self.position[fk.column.table.name] >= self.position[table.name]}
            for row in rows:
                new = {}
                for column in table.columns:
                    value = row.get(column.name)
                    if value is None:
                        new[column.name] = None
                    elif column.name == "id" and table.name in ids:
                        new["id"] = ids[table.name][value]
                    elif column.foreign_keys:
                        target = next(iter(column.foreign_keys)).column.table.name
                        mapping = ids.get(target)
                        new[column.name] = mapping.get(value, value) if mapping is not None else value
                    elif isinstance(value, dt.datetime):
                        new[column.name] = value - delta
                    elif isinstance(value, dt.date):
                        new[column.name] = value - days
                    elif isinstance(value, str):
                        new[column.name] = numbers.get(value) or self._shift_text(value, delta, numbers)
                    else:
                        new[column.name] = value
                for name in later:  # a row that comes later in the copy (or its own table): set after the inserts
                    if new.get(name) is not None:
                        deferred[table.name].append({"_id": new["id"], "_col": name, "_value": new[name]})
                        new[name] = None
                out[table.name].append(new)
        for ev in src.events:
            events_out.append(self._event(ev, delta, numbers, ids))
        return new_no

    def _event(self, ev: dict, delta: dt.timedelta, numbers: dict[str, str], ids: dict[str, dict]) -> dict:
        table_name = self.entities.get(ev["entity"])
        table = self.by_name.get(table_name) if table_name else None
        mapping = ids.get(table_name, {}) if table_name else {}
        entity_id = ev["entity_id"]
        if entity_id is not None and entity_id in mapping:
            entity_id = mapping[entity_id]
        return {"at": ev["at"] - delta, "user_id": ev["user_id"], "username": ev["username"], "action": ev["action"],
                "entity": ev["entity"], "entity_id": entity_id, "order_id": ids["orders"][ev["order_id"]],
                "summary": self._shift_text(ev["summary"] or "", delta, numbers),
                "message_id": ev["message_id"],
                "message_params": self._shift_text(ev["message_params"], delta, numbers)
                if ev["message_params"] else ev["message_params"],
                "hash_format": ev["hash_format"],
                "before_json": self._json(ev["before_json"], table, delta, numbers, ids),
                "after_json": self._json(ev["after_json"], table, delta, numbers, ids)}

    def _json(self, raw: str | None, table, delta, numbers, ids) -> str | None:
        if not raw:
            return raw
        try:
            value = json.loads(raw)
        except ValueError:
            return self._shift_text(raw, delta, numbers)
        if isinstance(value, dict) and table is not None:
            for key, item in list(value.items()):
                if key == "id" and table.name in ids and item in ids[table.name]:
                    value[key] = ids[table.name][item]
                elif key in table.c and table.c[key].foreign_keys and isinstance(item, int):
                    target = next(iter(table.c[key].foreign_keys)).column.table.name
                    if target in ids:
                        value[key] = ids[target].get(item, item)
        return self._shift_text(audit.dumps(value), delta, numbers)


def _renumber(found: str, numbers: dict[str, str]) -> str:
    """A number of the source order as the copy's; a number made from the order's (HT-2025-00012) follows it."""
    new = numbers.get(found)
    if new is not None:
        return new
    head, _sep, rest = found.partition("-")
    if rest and not head.isdigit() and rest in numbers:
        return f"{head}-{numbers[rest]}"
    return found


def _shift_iso(m: re.Match, delta: dt.timedelta) -> str:
    """A date or date-time written in ISO form, moved back by `delta`, written in the same form."""
    day, sep, clock_part, zone = m.group(1), m.group(2), m.group(3), m.group(4)
    try:
        if clock_part is None:
            return (dt.date.fromisoformat(day) - dt.timedelta(days=delta.days)).isoformat()
        moment = dt.datetime.fromisoformat(f"{day}T{clock_part}{(zone or '').replace('Z', '+00:00')}") - delta
    except ValueError:
        return m.group(0)
    if len(clock_part) == 5:  # hh:mm
        out = moment.strftime("%Y-%m-%d") + sep + moment.strftime("%H:%M")
        offset = moment.strftime("%z")
        return out + ("Z" if zone == "Z" else f"{offset[:3]}:{offset[3:]}" if zone else "")
    out = moment.isoformat(sep=sep)
    return out.removesuffix("+00:00") + "Z" if zone == "Z" else out


def replicate_history(db: Database, rng: random.Random, copies: int, today: dt.date, history_days: int,
                      progress: ProgressFn | None = None) -> int:
    """Add `copies` orders copied from the lived orders in HISTORY_STAGES, spread over the past `history_days`
    (each copy at least as old as the order it copies). Returns the number of copies made."""
    report = progress or (lambda *_a: None)
    tables = owned_tables()
    with db.read_session() as s:
        lived = list(s.execute(select(Order.id, Order.order_date, Order.customer_id, Order.currency)
                               .where(Order.stage.in_(HISTORY_STAGES)).order_by(Order.order_date, Order.id)))
        customers = list(s.execute(select(Customer.id, Customer.country, Customer.currency)))
    if not lived or copies <= 0:
        return 0
    country_of = {c.id: c.country for c in customers}
    by_country: dict[tuple[str, str], list[int]] = defaultdict(list)
    for c in customers:
        by_country[(c.country, c.currency)].append(c.id)
    with db.read_session() as s:
        sources = _load_sources(s, tables, [row.id for row in lived])
    dates = [row.order_date for row in lived]
    earliest = today - dt.timedelta(days=history_days)
    latest = max(dates)
    done = 0
    report(0, copies)
    while done < copies:
        batch = min(BATCH, copies - done)
        with unit_of_work(db) as s:
            next_ids = {t.name: (s.scalar(select(func.max(t.c.id))) or 0) + 1 for t in tables if "id" in t.c}
            copier = _Copier(s, tables, next_ids)
            out: dict[str, list[dict]] = defaultdict(list)
            deferred: dict[str, list[dict]] = defaultdict(list)
            events: list[dict] = []
            for _i in range(batch):
                # A day in the past; the order copied is one lived on or after it (not long after, where there is one).
                target = earliest + dt.timedelta(days=rng.randint(0, max(0, (latest - earliest).days)))
                first = bisect.bisect_left(dates, target)
                last = bisect.bisect_right(dates, target + dt.timedelta(days=120))
                pick = lived[rng.randrange(first, last)] if last > first else lived[rng.randrange(first, len(lived))] \
                    if first < len(lived) else lived[-1]
                weeks = max(0, (pick.order_date - target).days // 7)
                src = sources[pick.id]
                same = by_country.get((country_of.get(src.customer_id), src.currency)) or [src.customer_id]
                copier.copy(src, dt.timedelta(weeks=weeks), rng.choice(same), out, deferred, events)
            for table in tables:
                rows = out.get(table.name)
                if rows:
                    s.execute(insert(table), rows)
            for name, items in deferred.items():
                table = copier.by_name[name]
                by_col: dict[str, list[dict]] = defaultdict(list)
                for item in items:
                    by_col[item["_col"]].append(item)
                for col, col_items in by_col.items():
                    s.execute(update(table).where(table.c.id == _bind("_id")).values({col: _bind("_value")}),
                              [{"_id": i["_id"], "_value": i["_value"]} for i in col_items])
            _append_events(s, events)
            if db.engine.dialect.name == "postgresql":
                for table in tables:
                    if "id" in table.c:
                        s.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                       f"(SELECT max(id) FROM {table.name}))"))
        done += batch
        report(done, copies)
    return done


def _bind(name: str):
    from sqlalchemy import bindparam

    return bindparam(name)


def _append_events(session, events: list[dict]) -> None:
    """Append the copies' events to the hash chain, each hashed as audit.record hashes it."""
    if not events:
        return
    head = audit._locked_head(session)
    last_hash = head.last_hash
    for ev in events:
        ev["prev_hash"] = last_hash
        ev["hash"] = last_hash = audit._event_hash(
            last_hash, ev["at"], ev["user_id"], ev["username"], ev["action"], ev["entity"], ev["entity_id"],
            ev["order_id"], ev["summary"], ev["before_json"], ev["after_json"], ev["hash_format"], ev["message_id"],
            ev["message_params"])
    for start in range(0, len(events), 2000):
        session.execute(insert(AuditEvent.__table__), events[start:start + 2000])
    head.last_hash = last_hash
    head.event_count += len(events)
