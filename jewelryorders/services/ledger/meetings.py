"""Progress coordination meetings (procedure 4.2): an agenda generated from the data, each department's report,
action items with an owner, a due date and a state (open ones on the owner's to-do list, overdue ones carried into
the next agenda), minutes and the meeting pack."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from sqlalchemy import select

from ... import clock
from ...db import Database
from ...i18n import LazyText, _
from ...models.customers import Customer
from ...models.ledger import ACTION_STATES, MEETING_KINDS, ActionItem, DepartmentReport, Meeting, ProductionException
from ...models.orders import Order
from ...models.planning import OrderForecast
from ...models.reviews import ReviewOpinion
from ...models.users import DEPARTMENTS, User
from .. import audit, gates, sequences
from ..context import Actor, read_session, unit_of_work
from ..errors import ConcurrentEditError, GateError, NotFound
from ..permissions import require
from ..validation import LONG_TEXT, Problems, parse_date, text
from . import common  # noqa: F401  (registers the permissions)


# ---- the agenda ---------------------------------------------------------------------------------------------------

@dataclass
class Agenda:
    late_orders: list[dict] = field(default_factory=list)        # order_no, customer, delivery, projected, days_late
    open_exceptions: list[dict] = field(default_factory=list)    # exception_no, order_no, kind, impact_days, since
    overdue_opinions: list[dict] = field(default_factory=list)   # order_no, department, due
    open_nonconformances: list[dict] = field(default_factory=list)  # as quality answers "quality.open_ncrs"
    actions_due: list[dict] = field(default_factory=list)        # description, owner, due, meeting_no, overdue

    def to_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False, default=str)

    @classmethod
    def from_json(cls, raw: str) -> "Agenda":
        try:
            data = json.loads(raw or "{}")
        except ValueError:
            data = {}
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})

    @property
    def size(self) -> int:
        return sum(len(v) for v in self.__dict__.values())


def build_agenda(db: Database, on: dt.date | None = None) -> Agenda:
    """What the meeting must discuss, read from the data on day `on`."""
    day = on or clock.today()
    agenda = Agenda()
    with read_session(db) as s:
        for f, order_no, customer, due in s.execute(
                select(OrderForecast, Order.order_no, Customer.name, Order.delivery_date)
                .join(Order, Order.id == OrderForecast.order_id).join(Customer, Customer.id == Order.customer_id)
                .where(OrderForecast.at_risk.is_(True)).order_by(OrderForecast.days_late.desc()).limit(100)):
            agenda.late_orders.append({"order_no": order_no, "customer": customer,
                                       "delivery": due.isoformat() if due else "",
                                       "projected": f.projected_finish.isoformat(), "days_late": f.days_late})
        for e, order_no in s.execute(select(ProductionException, Order.order_no)
                                     .outerjoin(Order, Order.id == ProductionException.order_id)
                                     .where(ProductionException.closed_at.is_(None))
                                     .order_by(ProductionException.reported_at).limit(100)):
            agenda.open_exceptions.append({"exception_no": e.exception_no, "order_no": order_no or "",
                                           "kind": e.kind, "impact_days": e.impact_days,
                                           "since": e.reported_at.astimezone().date().isoformat(),
                                           "description": e.description[:200]})
        moment = dt.datetime.combine(day, dt.time()).astimezone(dt.timezone.utc)
        for op, order_no in s.execute(select(ReviewOpinion, Order.order_no).join(Order, Order.id == ReviewOpinion.order_id)
                                      .where(ReviewOpinion.answered_at.is_(None), ReviewOpinion.due_at < moment)
                                      .order_by(ReviewOpinion.due_at).limit(100)):
            agenda.overdue_opinions.append({"order_no": order_no, "department": op.department,
                                            "due": op.due_at.astimezone().date().isoformat()})
        agenda.open_nonconformances = list(gates.ask(s, "quality.open_ncrs", default=[]) or [])[:100]
        horizon = day + dt.timedelta(days=7)
        for item, meeting_no, owner in s.execute(
                select(ActionItem, Meeting.meeting_no, User.display_name)
                .join(Meeting, Meeting.id == ActionItem.meeting_id).join(User, User.id == ActionItem.owner_id)
                .where(ActionItem.state == "open", ActionItem.due_on <= horizon)
                .order_by(ActionItem.due_on).limit(200)):
            agenda.actions_due.append({"id": item.id, "description": item.description, "owner": owner,
                                       "due": item.due_on.isoformat(), "meeting_no": meeting_no,
                                       "overdue": item.due_on < day})
    return agenda


# ---- meetings -------------------------------------------------------------------------------------------------------

@dataclass
class ActionInput:
    description: str
    owner_id: int
    due_on: object
    order_no: str = ""


@dataclass
class MeetingInput:
    held_on: object
    kind: str = "weekly"
    chair_id: int | None = None
    attendees: dict[str, list[str]] = field(default_factory=dict)   # department -> names
    reports: dict[str, str] = field(default_factory=dict)           # department -> report
    notes: str = ""
    actions: list[ActionInput] = field(default_factory=list)


@dataclass(frozen=True)
class ActionView:
    id: int
    meeting_no: str
    description: str
    owner_id: int
    owner: str
    due_on: dt.date
    state: str
    order_no: str
    closing_note: str
    version: int

    def overdue(self, today: dt.date) -> bool:
        return self.state == "open" and self.due_on < today


@dataclass(frozen=True)
class MeetingView:
    id: int
    meeting_no: str
    kind: str
    held_on: dt.date
    chair: str
    attendees: dict[str, list[str]]
    reports: dict[str, str]
    notes: str
    agenda: Agenda
    actions: tuple[ActionView, ...]


def _attendees_text(attendees: dict[str, list[str]]) -> str:
    return "\n".join(f"{dept}: {name}" for dept, names in attendees.items() for name in names)


def _attendees_of(raw: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in raw.splitlines():
        dept, _sep, name = line.partition(": ")
        if name:
            out.setdefault(dept, []).append(name)
    return out


def _action_view(item: ActionItem, meeting_no: str, order_no: str | None) -> ActionView:
    return ActionView(item.id, meeting_no, item.description, item.owner_id, item.owner.display_name if item.owner
                      else "", item.due_on, item.state, order_no or "", item.closing_note, item.version)


def _meeting_view(s, m: Meeting) -> MeetingView:
    items = [_action_view(i, m.meeting_no, no) for i, no in s.execute(
        select(ActionItem, Order.order_no).outerjoin(Order, Order.id == ActionItem.order_id)
        .where(ActionItem.meeting_id == m.id).order_by(ActionItem.id))]
    return MeetingView(m.id, m.meeting_no, m.kind, m.held_on, m.chair.display_name if m.chair else "",
                       _attendees_of(m.attendees), {r.department: r.report for r in m.reports}, m.notes,
                       Agenda.from_json(m.agenda), tuple(items))


def hold_meeting(db: Database, actor: Actor, data: MeetingInput) -> MeetingView:
    """Record a meeting: its generated agenda (kept as it stood), reports, notes and the actions agreed."""
    require(actor, "ledger.meetings")
    problems = Problems()
    day = parse_date(problems, "held_on", _("Meeting date"), data.held_on, required=True)
    if not isinstance(data.kind, str) or data.kind not in MEETING_KINDS:
        problems.add("kind", _("A meeting is weekly or biweekly."))
    notes = text(problems, "notes", _("Notes"), data.notes, max_len=LONG_TEXT)
    reports = {}
    for dept, report in data.reports.items():
        if not isinstance(dept, str) or dept not in DEPARTMENTS:
            problems.add("reports", _("Unknown department {department}.", department=dept))
        elif str(report or "").strip():
            reports[dept] = text(problems, "reports", _("Department report"), report, max_len=LONG_TEXT)
    actions = []
    for i, a in enumerate(data.actions, 1):
        desc = text(problems, f"actions.{i}", _("Action"), a.description, required=True, max_len=LONG_TEXT)
        due = parse_date(problems, f"actions.{i}.due", _("Due date"), a.due_on, required=True)
        actions.append((desc, a.owner_id, due, a.order_no.strip().upper()))
    problems.raise_if_any()
    agenda = build_agenda(db, day)
    with unit_of_work(db) as s:
        chair_id = data.chair_id or actor.user_id
        for _desc, owner_id, _due, _no in actions:
            if s.get(User, owner_id) is None:
                raise NotFound(_("User {id} does not exist.", id=owner_id))
        m = Meeting(meeting_no=sequences.next_number(s, "meeting", day.year), kind=data.kind, held_on=day,
                    chair_id=chair_id, attendees=_attendees_text(data.attendees), agenda=agenda.to_json(),
                    notes=notes, created_by_id=actor.user_id)
        s.add(m)
        s.flush()
        for dept, report in reports.items():
            s.add(DepartmentReport(meeting_id=m.id, department=dept, report=report))
        for desc, owner_id, due, order_no in actions:
            order_id = s.scalar(select(Order.id).where(Order.order_no == order_no)) if order_no else None
            if order_no and order_id is None:
                raise NotFound(_("Order {order_no} does not exist.", order_no=order_no))
            s.add(ActionItem(meeting_id=m.id, description=desc, owner_id=owner_id, due_on=due, order_id=order_id))
        s.flush()
        audit.record(s, actor, "hold", "meeting", m.id,
                     LazyText("Coordination meeting {number} held on {date}", number=m.meeting_no,
                              date=day.isoformat()),
                     None, {"attendees": m.attendees, "actions": len(actions)})
        s.refresh(m)
        return _meeting_view(s, m)


def add_action(db: Database, actor: Actor, meeting_no: str, data: ActionInput) -> ActionView:
    require(actor, "ledger.meetings")
    problems = Problems()
    desc = text(problems, "description", _("Action"), data.description, required=True, max_len=LONG_TEXT)
    due = parse_date(problems, "due_on", _("Due date"), data.due_on, required=True)
    problems.raise_if_any()
    with unit_of_work(db) as s:
        m = s.scalar(select(Meeting).where(Meeting.meeting_no == str(meeting_no or "").strip().upper()))
        if m is None:
            raise NotFound(_("No meeting has the number {number}.", number=meeting_no))
        if s.get(User, data.owner_id) is None:
            raise NotFound(_("User {id} does not exist.", id=data.owner_id))
        item = ActionItem(meeting_id=m.id, description=desc, owner_id=data.owner_id, due_on=due)
        s.add(item)
        s.flush()
        audit.record(s, actor, "add_action", "action_item", item.id,
                     LazyText("Action added at meeting {number}: {action}", number=m.meeting_no, action=desc[:80]),
                     None, {"owner_id": data.owner_id, "due_on": due})
        s.refresh(item)
        return _action_view(item, m.meeting_no, None)


def set_action_state(db: Database, actor: Actor, action_id: int, state: str, note: str = "",
                     expected_version: int | None = None) -> ActionView:
    """Close (done / cancelled) or reopen an action item: its owner, or whoever holds the meetings."""
    problems = Problems()
    if not isinstance(state, str) or state not in ACTION_STATES:
        problems.add("state", _("Unknown state {state}.", state=state))
    note = text(problems, "note", _("Note"), note, max_len=LONG_TEXT)
    problems.raise_if_any()
    with unit_of_work(db) as s:
        item = s.get(ActionItem, action_id, with_for_update={"of": ActionItem})
        if item is None:
            raise NotFound(_("Action item {id} does not exist.", id=action_id))
        if item.owner_id != actor.user_id:
            require(actor, "ledger.meetings")
        if expected_version is not None and item.version != expected_version:
            raise ConcurrentEditError(_("This action item was changed by someone else; open it again."))
        if item.state == state:
            raise GateError(_("The action item is already {state}.", state=_(ACTION_STATES[state])))
        before = item.state
        item.state, item.closing_note = state, note
        item.closed_at = None if state == "open" else clock.now()
        meeting_no = s.scalar(select(Meeting.meeting_no).where(Meeting.id == item.meeting_id))
        audit.record(s, actor, "action_state", "action_item", item.id,
                     LazyText("Action of meeting {number} now {state}", number=meeting_no,
                              state=LazyText(ACTION_STATES[state])),
                     {"state": before}, {"state": state, "note": note}, order_id=item.order_id)
        s.flush()
        return _action_view(item, meeting_no, None)


def my_actions(db: Database, user_id: int, *, open_only: bool = True) -> list[ActionView]:
    """The owner's to-do list."""
    with read_session(db) as s:
        stmt = (select(ActionItem, Meeting.meeting_no, Order.order_no).join(Meeting, Meeting.id == ActionItem.meeting_id)
                .outerjoin(Order, Order.id == ActionItem.order_id).where(ActionItem.owner_id == user_id)
                .order_by(ActionItem.due_on))
        if open_only:
            stmt = stmt.where(ActionItem.state == "open")
        return [_action_view(i, no, order_no) for i, no, order_no in s.execute(stmt)]


def list_meetings(db: Database, limit: int = 200) -> list[MeetingView]:
    with read_session(db) as s:
        return [_meeting_view(s, m) for m in s.scalars(select(Meeting).order_by(Meeting.held_on.desc(),
                                                                                Meeting.id.desc()).limit(limit))]


def get_meeting(db: Database, meeting_no: str) -> MeetingView:
    with read_session(db) as s:
        m = s.scalar(select(Meeting).where(Meeting.meeting_no == (meeting_no or "").strip().upper()))
        if m is None:
            raise NotFound(_("No meeting has the number {number}.", number=meeting_no))
        return _meeting_view(s, m)


def file_paper(db: Database, actor: Actor, *, file_name: str, content: bytes, category: str) -> None:
    """File a printed paper (minutes, meeting pack, ledger export) with the documents."""
    from ..documents import store_bytes

    with unit_of_work(db) as s:
        store_bytes(s, actor, file_name=file_name, content=content, category=category, order_id=None)
