"""Every permission of the registry × every (department, role) it does not allow: a representative service of that
permission refuses the call and no table changes. One database for the module; each case compares a snapshot."""

from __future__ import annotations

import datetime as dt
import importlib
import itertools
from pathlib import Path
from typing import Callable

import pytest
from sqlalchemy import inspect, text

from jewelryorders import clock
from jewelryorders.db import open_database
from jewelryorders.models.users import DEPARTMENTS, ROLES
from jewelryorders.services import customers, permissions, styles, users
from jewelryorders.services.context import Actor
from jewelryorders.services.errors import GateError, PermissionDenied
from jewelryorders.services.orders import intake as orders
from jewelryorders.services.orders import papers as order_papers
from jewelryorders.services.planning import checklist, master_data, plans, sheets
from jewelryorders.services.materials import master as materials_master
from jewelryorders.services.materials import picking as materials_picking
from jewelryorders.services.materials import purchasing as materials_purchasing
from jewelryorders.services.materials import stock as materials_stock
from jewelryorders.services.review import policy as review_policy
from jewelryorders.services.review import procedure as review

from .conftest import BACKENDS, PG_URL, TEST_TODAY, _reset_postgres, order_input
from .planning_support import build_factory, sign_contract

EVERY_ACTOR = list(itertools.product(DEPARTMENTS, ROLES))

# Each later part of the procedure keeps its cases in tests/matrix_<part>.py: `CALLS` (permission key -> call)
# and `prepare(world)`, which adds what its calls need to the world (world.make_user makes more users).
MATRIX_PARTS = [importlib.import_module(f"tests.{path.stem}")
                for path in sorted(Path(__file__).parent.glob("matrix_*.py"))]


class World:
    """The module's one factory: a user of every department and role, and an order at each step a service needs."""

    def __init__(self, db, tmp: Path):
        self.db, self.tmp = db, tmp
        users.setup_factory(db, "Matrix Factory", "admin", "admin-pass", "en")
        self.admin = users.authenticate(db, "admin", "admin-pass")
        self.actors: dict[tuple[str, str], Actor] = {}
        for department, role in EVERY_ACTOR:
            name = f"{department[:5]}.{role[:5]}"
            users.create_user(db, self.admin, name, name, department, role, "password1")
            self.actors[(department, role)] = users.authenticate(db, name, "password1")
        counter = itertools.count(1)

        def make_user(department, role="clerk", username=None):
            name = username or f"u{next(counter)}"
            users.create_user(db, self.admin, name, name, department, role, "password1")
            return users.authenticate(db, name, "password1")

        self.sales = make_user("sales", "clerk", "sales1")
        self.factory = build_factory(db, self.admin, make_user, self.sales)
        self.customer = customers.create_customer(db, self.sales, customers.CustomerInput(
            name="周大福珠寶", credit_rating="A", credit_limit="2000000", currency="HKD"))
        self.draft = orders.create_order(db, self.sales, order_input(self.customer.id))
        self.preliminary = orders.create_order(db, self.sales, order_input(self.customer.id))
        orders.submit_for_review(db, self.sales, self.preliminary.id)
        self.detailed = orders.create_order(db, self.sales, order_input(self.customer.id))
        orders.submit_for_review(db, self.sales, self.detailed.id)
        manager = make_user("management", "manager", "matrix.boss")
        review_policy.set_price_policy(db, manager, review_policy.CurrencyPolicyInput(
            "HKD", "0", "0", {metal: "1" for metal in ("Au750", "Au585", "Pt950", "Ag925")}))
        due = clock.now() + dt.timedelta(days=3)
        review.accept_and_send(db, self.sales, self.detailed.id, {d: due for d in ("production", "technical",
                                                                                    "purchasing")},
                               review.PreliminaryInput(True, "standard casting"))
        from sqlalchemy import select

        from jewelryorders.models.reviews import ReviewOpinion

        with db.read_session() as s:
            self.production_opinion = s.scalar(select(ReviewOpinion.id).where(
                ReviewOpinion.order_id == self.detailed.id, ReviewOpinion.department == "production"))
        self.contracted = orders.create_order(db, self.sales, order_input(self.customer.id))
        sign_contract(db, self.admin, make_user, self.sales, self.contracted.id)
        self.released = orders.create_order(db, self.sales, order_input(self.customer.id))
        sign_contract(db, self.admin, make_user, self.sales, self.released.id)
        plan = plans.propose_plan(db, self.factory.planner, self.released.id)
        plans.release_plan(db, self.factory.planner, plan.id)
        self.make_user = make_user
        for part in MATRIX_PARTS:
            part.prepare(self)

    def out(self, name: str) -> Path:
        return self.tmp / name


# permission key -> a representative service call that needs it (actor, world) -> anything
CALLS: dict[str, Callable[[Actor, World], object]] = {
    "users.manage": lambda a, w: users.create_user(w.db, a, "intruder", "Intruder", "sales", "clerk", "password1"),
    "settings.edit": lambda a, w: users.update_settings(w.db, a, {"factory_name": "Taken over"}),
    "customers.edit": lambda a, w: customers.create_customer(w.db, a, customers.CustomerInput(name="X Ltd",
                                                                                              currency="HKD")),
    "styles.edit": lambda a, w: styles.create_style(w.db, a, "X-001", "X", "ring", "Au750", 30),
    "orders.edit": lambda a, w: orders.create_order(w.db, a, order_input(w.customer.id)),
    "orders.submit": lambda a, w: orders.submit_for_review(w.db, a, w.draft.id),
    "orders.cancel": lambda a, w: orders.cancel_order(w.db, a, w.draft.id, "no reason"),
    "orders.print_confirmation": lambda a, w: order_papers.print_order_confirmation(
        w.db, a, w.contracted.id, w.out("confirmation.pdf"), lang="en"),
    "review.preliminary": lambda a, w: review.escalate(w.db, a, w.preliminary.id, "please decide"),
    "review.negotiate": lambda a, w: review.negotiate(w.db, a, w.preliminary.id, review.NegotiationInput(
        TEST_TODAY, "陳小姐", "agreed")),
    "review.send": lambda a, w: review.accept_and_send(w.db, a, w.preliminary.id, {
        d: clock.now() + dt.timedelta(days=3) for d in ("production", "technical", "purchasing")}),
    "review.close_round": lambda a, w: review.close_round(w.db, a, w.detailed.id),
    "review.contract": lambda a, w: review.record_contract(w.db, a, w.detailed.id, review.ContractInput(
        "HT-X", TEST_TODAY, [])),
    "review.decide": lambda a, w: review.decide(w.db, a, w.detailed.id, "abandon", "too risky"),
    "review.answer": lambda a, w: review.answer_opinion(w.db, a, w.production_opinion, review.OpinionAnswer(
        "pass", difficulty="medium", cycle_days=20, capacity_load_pct=60)),
    "planning.master_data": lambda a, w: master_data.create_workshop(w.db, a, master_data.WorkshopInput("X shop")),
    "planning.plan": lambda a, w: plans.propose_plan(w.db, a, w.contracted.id),
    "planning.run_steps": lambda a, w: plans.start_step(w.db, a, w.released.id, 1),
    "planning.print": lambda a, w: sheets.print_task_sheets(w.db, a, w.out("sheets.pdf"), order=w.released.order_no),
    **{f"planning.checklist.{key}": (lambda k: lambda a, w: checklist.set_checklist_item(
        w.db, a, w.released.id, k, done=True))(key) for key in ("equipment", "tooling", "materials", "training")},
    "review.credit": lambda a, w: review.record_payment(w.db, a, w.preliminary.id, "1000", "deposit"),
    "review.technical_confirm": lambda a, w: review.confirm_craft(w.db, a, w.preliminary.id, "can be made"),
    "review.price_policy": lambda a, w: review_policy.set_price_policy(w.db, a, review_policy.CurrencyPolicyInput(
        "HKD", "10", "5", {"Au750": "400"})),
    "materials.master": lambda a, w: materials_master.create_material(w.db, a, materials_master.MaterialInput(
        "X-1", "finding", "clasp")),
    "materials.bom": lambda a, w: materials_master.set_bom(w.db, a, "R-18K-001", []),
    "purchasing.orders": lambda a, w: materials_purchasing.create_purchase_order(
        w.db, a, materials_purchasing.PurchaseOrderInput(1, TEST_TODAY, [])),
    "stock.receive": lambda a, w: materials_stock.receive_customer_material(w.db, a, w.customer.id, 1, "1"),
    "lots.decide": lambda a, w: materials_stock.decide_lot(w.db, a, 1, release=True, reason="looks fine"),
    "stock.move": lambda a, w: materials_stock.issue(w.db, a, 1, "1", order_id=w.released.id),
    "stock.adjust": lambda a, w: materials_stock.count_lot(w.db, a, 1, "1", reason="count"),
    "stock.pick": lambda a, w: materials_picking.create_pick_list(w.db, a, w.released.id),
}

for _part in MATRIX_PARTS:
    CALLS.update(_part.CALLS)


def _refusals() -> list[tuple[str, str, str]]:
    import jewelryorders.services.orders.papers  # noqa: F401  (registers its permission)
    import jewelryorders.services.planning.common  # noqa: F401
    import jewelryorders.services.review.policy  # noqa: F401
    import jewelryorders.services.review.procedure  # noqa: F401

    cases = []
    for key in permissions.PERMISSIONS:
        for department, role in EVERY_ACTOR:
            probe = Actor(None, "probe", "Probe", department, role)
            if not permissions.allowed(probe, key):
                cases.append((key, department, role))
    return cases


REFUSALS = _refusals()


def test_every_permission_of_the_registry_has_a_representative_service():
    assert set(CALLS) == set(permissions.PERMISSIONS)
    refused_keys = {key for key, _d, _r in REFUSALS}
    # users.manage and settings.edit are the administrator's alone; every key refuses someone.
    assert refused_keys == set(permissions.PERMISSIONS)


@pytest.fixture(scope="module", params=BACKENDS)
def world(request, tmp_path_factory):
    from jewelryorders.services import users as user_service

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(user_service, "SCRYPT_N", 2**10)
        clock.set_fixed(TEST_TODAY)
        if request.param == "postgres":
            _reset_postgres(PG_URL)
            db = open_database(PG_URL)
        else:
            db = open_database("sqlite:///" + str(tmp_path_factory.mktemp("matrix") / "factory.db"))
        try:
            yield World(db, tmp_path_factory.mktemp("papers"))
        finally:
            db.close()
            clock.reset()


def snapshot(db) -> dict[str, list[tuple]]:
    with db.engine.connect() as conn:
        names = sorted(inspect(conn).get_table_names())
        return {name: sorted(map(repr, conn.execute(text(f'SELECT * FROM "{name}"')).all())) for name in names}


@pytest.fixture(scope="module")
def baseline(world):
    return snapshot(world.db)


@pytest.mark.parametrize(("key", "department", "role"), REFUSALS,
                         ids=[f"{k}-{d}-{r}" for k, d, r in REFUSALS])
def test_a_role_without_the_right_is_refused_and_nothing_changes(world, baseline, key, department, role):
    actor = world.actors[(department, role)]
    with pytest.raises(PermissionDenied) as refused:
        CALLS[key](actor, world)
    assert actor.display_name in str(refused.value)
    assert snapshot(world.db) == baseline
    assert not any(world.tmp.iterdir())  # no paper was written either


def test_the_representatives_pass_for_a_role_with_the_right(world, baseline):
    """The refusals above are the permission's doing: the same calls by an allowed user get past the check (they
    may still stop at the procedure's gates, which is a different error)."""
    allowed = {key: next(world.actors[dr] for dr in EVERY_ACTOR if permissions.allowed(world.actors[dr], key)
                         and not (key == "review.answer" and world.actors[dr].department != "production"))
               for key in ("orders.cancel", "review.decide", "review.answer", "planning.run_steps", "users.manage")}
    for key, actor in allowed.items():
        try:
            CALLS[key](actor, world)
        except PermissionDenied as exc:  # pragma: no cover - the failure message is the point
            pytest.fail(f"{key} refused {actor.department}/{actor.role}: {exc}")
        except GateError:
            pass


def test_deactivating_the_last_administrator_is_refused(world):
    admins = [u for u in users.list_users(world.db) if u.role == "administrator" and u.active]
    for other in (u for u in admins if u.username != "admin"):  # the module's other administrators step down
        users.update_user(world.db, world.admin, other.id, other.version, display_name=other.display_name,
                          department=other.department, role="manager", active=True)
    last = next(u for u in users.list_users(world.db) if u.username == "admin")
    before = snapshot(world.db)
    with pytest.raises(GateError) as refused:
        users.update_user(world.db, world.admin, last.id, last.version, display_name=last.display_name,
                          department=last.department, role=last.role, active=False)
    assert "last active administrator" in str(refused.value)
    with pytest.raises(GateError):
        users.update_user(world.db, world.admin, last.id, last.version, display_name=last.display_name,
                          department=last.department, role="manager", active=True)
    assert snapshot(world.db) == before
