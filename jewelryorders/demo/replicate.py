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
import gc
import hashlib
import json
import operator
import random
import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy import Date, DateTime, String, Text, func, select, text, update

from ..db import Database
from ..models.audit import AuditEvent
from ..models.base import Base, UTCDateTime
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
BATCH = 500  # copies per transaction
_NUMBER_PARTS = re.compile(r"^([A-Z]{1,4})-(\d{4})-(\d+)$")

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


_TOKEN = re.compile(
    r'"@@ID@@(?P<it>\w+)@@(?P<iv>-?\d+)@@"'
    r"|(?<![0-9])(?P<day>\d{4}-\d{2}-\d{2})(?:(?P<sep>[T ])(?P<clock>\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)"
    r"(?P<zone>Z|[+-]\d{2}:\d{2})?)?(?![0-9])"
    r"|(?<![0-9A-Za-z])(?P<num>(?:[A-Z]{1,4}-)?\d{4}-\d{3,7})(?![0-9])")


class _Text:
    """A text of the source order cut at what a copy changes: ids in an event's JSON, dates, the services' numbers."""

    __slots__ = ("parts",)

    def __init__(self, parts: list):
        self.parts = parts

    @staticmethod
    def of(value: str) -> str | _Text:
        parts: list = []
        last = 0
        for m in _TOKEN.finditer(value):
            parts.append(value[last:m.start()])
            if m.group("it"):
                parts.append(("i", m.group("it"), int(m.group("iv"))))
            elif m.group("num"):
                parts.append(("n", m.group("num")))
            else:
                parts.append(("d", m.group(0), m))
            last = m.end()
        if not parts:
            return value
        parts.append(value[last:])
        return _Text(parts)

    def render(self, copy: _Copy) -> str:
        out = []
        for part in self.parts:
            if type(part) is str:
                out.append(part)
            elif part[0] == "n":
                out.append(_renumber(part[1], copy.numbers))
            elif part[0] == "d":
                shifted = copy.dates.get(part[1])
                if shifted is None:
                    shifted = copy.dates[part[1]] = _shift_iso(part[2], copy.delta)
                out.append(shifted)
            else:
                mapping = copy.ids.get(part[1], {})
                out.append(str(mapping.get(part[2], part[2])))
        return "".join(out)


class _Copy:
    """What one copy changes: the time moved back, its ids and numbers, the dates already shifted."""

    __slots__ = ("delta", "days", "ids", "numbers", "dates")

    def __init__(self, delta: dt.timedelta, ids: dict, numbers: dict):
        self.delta, self.days, self.ids, self.numbers, self.dates = delta, dt.timedelta(days=delta.days), ids, numbers, {}


class _Source:
    """A lived history order with its rows, per table, and its audit events, ready to copy."""

    def __init__(self, order_id: int, order_date: dt.date, customer_id: int, currency: str):
        self.order_id, self.order_date, self.customer_id, self.currency = order_id, order_date, customer_id, currency
        self.rows: dict[str, list[dict]] = defaultdict(list)
        self.events: list[dict] = []
        # Filled by _prepare: per table, (static values, [(column, how, arg)]) per row; the numbers to renumber.
        self.plan: list[tuple[str, list[tuple[dict, list]]]] = []
        self.numbers: list[tuple[str, str, Any]] = []
        self.event_plan: list[tuple[dict, list]] = []
        self.id_counts: dict[str, list] = {}


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

    def __init__(self, tables):
        self.tables = tables
        self.by_name = {t.name: t for t in tables}
        self.entities = _entity_tables(tables)
        # Events about what is not copied (an after-sales case, an archive loan ...) stay with the lived order.
        self.skip_entities = {entity for entity, name in _entity_tables(Base.metadata.sorted_tables).items()
                              if name in NOT_COPIED} | {"loan"}
        self.prefix_kind = {prefix: kind for kind, (prefix, _digits) in sequences.NUMBER_FORMATS.items()}
        position = {t.name: i for i, t in enumerate(tables)}
        # Per table: each column's part in a copy.
        self.columns: dict[str, list[tuple[str, str, Any]]] = {}
        self.later: dict[str, set[str]] = {}
        for table in tables:
            plan = []
            for column in table.columns:
                if column.name == "id":
                    plan.append((column.name, "id", table.name))
                elif column.foreign_keys:
                    plan.append((column.name, "fk", next(iter(column.foreign_keys)).column.table.name))
                elif isinstance(column.type, (DateTime, UTCDateTime)):
                    plan.append((column.name, "moment", None))
                elif isinstance(column.type, Date):
                    plan.append((column.name, "day", None))
                elif isinstance(column.type, (String, Text)):
                    plan.append((column.name, "text", None))
            self.columns[table.name] = plan
            self.later[table.name] = {fk.parent.name for fk in table.foreign_keys
                                      if fk.column.table.name in position
                                      and position[fk.column.table.name] >= position[table.name]}

    # ---- once per source ---------------------------------------------------------------------------------------
    def prepare(self, src: _Source) -> None:
        for table in self.tables:
            rows = src.rows.get(table.name)
            if not rows:
                continue
            prepared = []
            for row in rows:
                static, dynamic = dict(row), []
                for name, how, arg in self.columns[table.name]:
                    value = row[name]
                    if value is None:
                        continue
                    if how == "text":
                        if _NUMBER_PARTS.match(value) and value.split("-", 1)[0] in self.prefix_kind:
                            src.numbers.append((value, self.prefix_kind[value.split("-", 1)[0]],
                                                _number_basis(row, table, int(value.split("-")[1]))))
                            dynamic.append((name, "number", value))
                            continue
                        text = _Text.of(value)
                        if isinstance(text, _Text):
                            dynamic.append((name, "text", text))
                    else:
                        dynamic.append((name, how, arg if how != "text" else None))
                prepared.append((static, dynamic))
            src.plan.append((table.name, prepared))
            if "id" in table.c:
                src.id_counts[table.name] = [row["id"] for row in rows]
        for ev in src.events:
            if ev["entity"] in self.skip_entities:
                continue
            table_name = self.entities.get(ev["entity"])
            table = self.by_name.get(table_name) if table_name else None
            static = {k: ev[k] for k in ("user_id", "username", "action", "entity", "message_id", "hash_format")}
            dynamic = [("at", "moment", None), ("entity_id", "fk", table_name), ("order_id", "fk", "orders")]
            for key in ("summary", "message_params", "before_json", "after_json"):
                value = ev[key]
                if key.endswith("_json") and value:
                    value = _json_template(value, table)
                text = _Text.of(value) if value else value
                if isinstance(text, _Text):
                    dynamic.append((key, "text", text))
                else:
                    static[key] = value
            src.event_plan.append(({**static, "at": ev["at"], "entity_id": ev["entity_id"],
                                    "order_id": ev["order_id"]}, dynamic))
        src.rows.clear()
        src.events.clear()

    # ---- once per copy -----------------------------------------------------------------------------------------
    def copy(self, session, src: _Source, delta: dt.timedelta, customer_id: int, next_ids: dict[str, int],
             out: dict[str, list[dict]], deferred: dict[str, list[dict]], events_out: list[dict]) -> None:
        """Adds the copy's rows to `out` (per table) and its audit events to `events_out`."""
        ids: dict[str, dict[Any, Any]] = {}
        for name, old_ids in src.id_counts.items():
            first = next_ids[name]
            ids[name] = {old: first + i for i, old in enumerate(old_ids)}
            next_ids[name] = first + len(old_ids)
        ids["customers"] = {src.customer_id: customer_id}
        numbers: dict[str, str] = {}
        for old, kind, basis in src.numbers:
            if old not in numbers:
                year = basis.year if type(basis) is dt.date else None
                if isinstance(basis, dt.datetime):
                    year = (basis - delta).astimezone().year
                elif type(basis) is dt.date:
                    year = (basis - dt.timedelta(days=delta.days)).year
                else:
                    year = basis
                numbers[old] = sequences.next_number(session, kind, year)
        for old, new in list(numbers.items()):
            if old.startswith("JO-"):
                numbers[old[3:]] = new[3:]  # the contract's HT-2025-00012 follows its order's number
        copy = _Copy(delta, ids, numbers)
        for table_name, prepared in src.plan:
            later = self.later[table_name]
            rows_out = out[table_name]
            for static, dynamic in prepared:
                new = dict(static)
                for name, how, arg in dynamic:
                    value = new[name]
                    if how == "fk" or how == "id":
                        mapping = ids.get(arg)
                        if mapping is not None:
                            new[name] = mapping.get(value, value)
                    elif how == "moment":
                        new[name] = value - delta
                    elif how == "day":
                        new[name] = value - copy.days
                    elif how == "number":
                        new[name] = numbers[arg]
                    else:
                        new[name] = arg.render(copy)
                for name in later:  # a row that comes later in the copy (or its own table): set after the inserts
                    if new.get(name) is not None:
                        deferred[table_name].append({"_id": new["id"], "_col": name, "_value": new[name]})
                        new[name] = None
                rows_out.append(new)
        for static, dynamic in src.event_plan:
            new = dict(static)
            for name, how, arg in dynamic:
                value = new.get(name)
                if how == "moment":
                    new[name] = value - delta
                elif how == "fk":
                    if value is not None and arg in ids:
                        new[name] = ids[arg].get(value, value)
                else:
                    new[name] = arg.render(copy)
            events_out.append(new)


def _number_basis(row: dict, table, year: int):
    """What a number's year follows: the row's first moment (or day) in that year, moved with the copy."""
    moments = sorted(v for c in table.columns if isinstance(v := row.get(c.name), dt.datetime)
                     and v.astimezone().year == year)
    if moments:
        return moments[0]
    days = sorted(v for c in table.columns if type(v := row.get(c.name)) is dt.date and v.year == year)
    return days[0] if days else year


def _json_template(raw: str, table) -> str:
    """An event's before/after with the ids a copy changes marked, written as audit.dumps writes it."""
    if table is None:
        return raw
    try:
        value = json.loads(raw)
    except ValueError:
        return raw
    if not isinstance(value, dict):
        return raw
    marked = False
    for key, item in list(value.items()):
        if not isinstance(item, int) or isinstance(item, bool):
            continue
        if key == "id":
            value[key] = f"@@ID@@{table.name}@@{item}@@"
            marked = True
        elif key in table.c and table.c[key].foreign_keys:
            value[key] = f"@@ID@@{next(iter(table.c[key].foreign_keys)).column.table.name}@@{item}@@"
            marked = True
    return audit.dumps(value) if marked else raw


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
    day, sep, clock_part, zone = m.group("day"), m.group("sep"), m.group("clock"), m.group("zone")
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
                      newest_days: int = 150, progress: ProgressFn | None = None) -> int:
    """Add `copies` orders copied from the lived orders in HISTORY_STAGES, spread over the past `history_days`
    and at least `newest_days` old (each copy at least as old as the order it copies). Returns the copies made."""
    report = progress or (lambda *_a: None)
    tables = owned_tables()
    with db.read_session() as s:
        lived = list(s.execute(select(Order.id, Order.order_date, Order.customer_id, Order.currency, Order.stage)
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
    copier = _Copier(tables)
    for src in sources.values():
        copier.prepare(src)
    # Each copy's stage drawn in the lived history's proportions, its date evenly over the past (up to newest_days
    # ago): the lived order it copies is one of that stage ordered on or not long after that day.
    by_stage: dict[str, list] = defaultdict(list)
    for row in lived:
        by_stage[row.stage].append(row)
    stage_names = sorted(by_stage)
    stage_weights = [len(by_stage[name]) for name in stage_names]
    stage_dates = {name: [row.order_date for row in rows] for name, rows in by_stage.items()}
    earliest = today - dt.timedelta(days=history_days)
    latest = max(earliest, today - dt.timedelta(days=newest_days))
    done = 0
    report(0, copies)
    dialect = db.engine.dialect
    columns = {t.name: [c.name for c in t.columns] for t in tables}
    processors = {t.name: _fast(t, columns[t.name], audit.bind_processors(dialect, t, columns[t.name]))
                  for t in tables}
    event_processors = _fast(AuditEvent.__table__, audit._EVENT_COLUMNS,
                             audit.bind_processors(dialect, AuditEvent.__table__, audit._EVENT_COLUMNS))
    collecting = gc.isenabled()
    while done < copies:
        batch = min(BATCH, copies - done)
        gc.disable()  # a batch makes hundreds of thousands of short-lived objects, none of them in a cycle
        try:
            _copy_batch(db, rng, copier, tables, columns, processors, event_processors, batch, sources, by_stage,
                        stage_names, stage_weights, stage_dates, earliest, latest, by_country, country_of)
        finally:
            if collecting:
                gc.enable()
        done += batch
        report(done, copies)
    return done


def _copy_batch(db, rng, copier, tables, columns, processors, event_processors, batch, sources, by_stage,
                stage_names, stage_weights, stage_dates, earliest, latest, by_country, country_of) -> None:
    with unit_of_work(db) as s:
        next_ids = {t.name: (s.scalar(select(func.max(t.c.id))) or 0) + 1 for t in tables if "id" in t.c}
        out: dict[str, list[dict]] = defaultdict(list)
        deferred: dict[str, list[dict]] = defaultdict(list)
        events: list[dict] = []
        for _i in range(batch):
            # A day in the past; the order copied is one lived on or after it (not long after, where there is one).
            target = earliest + dt.timedelta(days=rng.randint(0, (latest - earliest).days))
            stage = rng.choices(stage_names, stage_weights)[0]
            rows, dates = by_stage[stage], stage_dates[stage]
            first = bisect.bisect_left(dates, target)
            last = bisect.bisect_right(dates, target + dt.timedelta(days=120))
            if last > first:
                pick = rows[rng.randrange(first, last)]
            elif first < len(rows):
                pick = rows[rng.randrange(first, len(rows))]
            else:  # none of this stage that late: the latest one, kept at its date
                pick = rows[-1]
            weeks = max(0, (pick.order_date - target).days // 7)
            src = sources[pick.id]
            same = by_country.get((country_of.get(src.customer_id), src.currency)) or [src.customer_id]
            copier.copy(s, src, dt.timedelta(weeks=weeks), rng.choice(same), next_ids, out, deferred, events)
        for table in tables:
            rows = out.get(table.name)
            if rows:
                audit.driver_insert(s, table, columns[table.name],
                                    _bound(rows, columns[table.name], processors[table.name]))
        for name, items in deferred.items():
            table = copier.by_name[name]
            by_col: dict[str, list[dict]] = defaultdict(list)
            for item in items:
                by_col[item["_col"]].append(item)
            for col, col_items in by_col.items():
                s.execute(update(table).where(table.c.id == _bind("_id")).values({col: _bind("_value")}),
                          [{"_id": i["_id"], "_value": i["_value"]} for i in col_items])
        _append_events(s, events, event_processors)
        if db.engine.dialect.name == "postgresql":
            for table in tables:
                if "id" in table.c:
                    s.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                   f"(SELECT max(id) FROM {table.name}))"))


def _utc_text(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat(" ", "microseconds")


_SAMPLES = (dt.datetime(2024, 3, 5, 7, 8, 9, 123456, tzinfo=dt.timezone.utc),
            dt.datetime(2025, 12, 31, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))


def _fast(table, columns, processors: list) -> list:
    """The time stamps' bind processing written directly (the same text, in a fraction of the time) where the
    dialect stores an aware moment as UTC text the ISO way; checked on sample moments, else the dialect's own."""
    out = list(processors)
    for i, (name, process) in enumerate(zip(columns, processors)):
        if process is not None and isinstance(table.c[name].type, UTCDateTime):
            try:
                same = all(process(m) == _utc_text(m) for m in _SAMPLES)
            except Exception:  # noqa: BLE001  (a dialect that takes datetime objects: keep its processing)
                same = False
            if same:
                out[i] = _utc_text
    return out


def _bound(rows: list[dict], columns: list[str], processors: list) -> list[tuple]:
    """The rows as the driver takes them: each value through its column's bind processing (None stays None)."""
    get = operator.itemgetter(*columns)
    processed = [(i, p) for i, p in enumerate(processors) if p is not None]
    out = []
    for row in rows:
        values = list(get(row)) if len(columns) > 1 else [get(row)]
        for i, p in processed:
            value = values[i]
            if value is not None:
                values[i] = p(value)
        out.append(tuple(values))
    return out


def _bind(name: str):
    from sqlalchemy import bindparam

    return bindparam(name)


def _append_events(session, events: list[dict], processors: list) -> None:
    """Append the copies' events to the hash chain, each hashed as audit.record hashes it."""
    if not events:
        return
    head = audit._locked_head(session)
    last_hash = head.last_hash
    utc, sha256 = dt.timezone.utc, hashlib.sha256
    for ev in events:
        ev["prev_hash"] = last_hash
        if ev["hash_format"] != audit.HASH_FORMAT:
            ev["hash"] = last_hash = audit._event_hash(
                last_hash, ev["at"], ev["user_id"], ev["username"], ev["action"], ev["entity"], ev["entity_id"],
                ev["order_id"], ev["summary"], ev["before_json"], ev["after_json"], ev["hash_format"],
                ev["message_id"], ev["message_params"])
            continue
        # audit._event_hash's fields joined the same way (str() of each), without its per-call list and generator
        payload = "\x1f".join((
            last_hash, ev["at"].astimezone(utc).replace(tzinfo=None).isoformat(timespec="microseconds"),
            str(ev["user_id"]), str(ev["username"]), str(ev["action"]), str(ev["entity"]), str(ev["entity_id"]),
            str(ev["order_id"]), str(ev["summary"]), str(ev["before_json"]), str(ev["after_json"]),
            str(ev["hash_format"]), str(ev["message_id"]), str(ev["message_params"])))
        ev["hash"] = last_hash = sha256(payload.encode("utf-8")).hexdigest()
    audit.driver_insert(session, AuditEvent.__table__, audit._EVENT_COLUMNS,
                        _bound(events, list(audit._EVENT_COLUMNS), processors))
    head.last_hash = last_hash
    head.event_count += len(events)
