"""The detailed review feeds the plan (procedure 2.4): production sees the read-only proposal, a late pass needs a
capacity measure that the plan then uses, purchasing's lead time holds back the steps that need materials, and
the conditions agreed are carried into the plan."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from jewelryorders import clock
from jewelryorders.models.planning import CapacityMeasure, PlanReviewInput, ProductionPlan
from jewelryorders.models.reviews import ReviewOpinion
from jewelryorders.services.errors import ValidationError
from jewelryorders.services.orders import intake as orders
from jewelryorders.services.planning import plans
from jewelryorders.services.planning.preview import preview_plan
from jewelryorders.services.planning.review_inputs import conditions_of
from jewelryorders.services.review import policy as review_policy
from jewelryorders.services.review import procedure as review

from .conftest import order_input
from .planning_support import _manager, _reviewers, build_factory

TODAY = dt.date(2026, 11, 16)  # the tests' clock (a Monday)


@pytest.fixture
def shop(db, admin, make_user, sales):
    _reviewers.__globals__["_REVIEWERS"].clear()
    return build_factory(db, admin, make_user, sales, benches=1)


def to_detailed_review(db, admin, make_user, sales, order_id: int) -> dict[str, int]:
    """Take an order through the preliminary review into an open round; the open opinions by department."""
    orders.submit_for_review(db, sales, order_id)
    craft = review.PreliminaryInput(True, "standard casting and prong setting")
    order = orders.get_order(db, order_id)
    if review_policy.get_price_policy(db).for_currency(order.currency) is None:
        review_policy.set_price_policy(db, _manager(db, admin, make_user), review_policy.CurrencyPolicyInput(
            order.currency, "0", "0", {metal: "1" for metal in ("Au750", "Au585", "Pt950", "Ag925")}))
    if review.compute_checks(db, order_id, craft=review.CraftCheck(True)).blocking:
        review.negotiate(db, sales, order_id, review.NegotiationInput(clock.today(), "陳小姐",
                                                                      "Customer accepts a late delivery risk"), craft)
        review.escalate(db, sales, order_id, "short lead time", craft)
        review.decide(db, _manager(db, admin, make_user), order_id, "accept", "accepted with the late delivery risk")
    due = clock.now() + dt.timedelta(days=3)
    review.accept_and_send(db, sales, order_id, {d: due for d in ("production", "technical", "purchasing")}, craft)
    with db.read_session() as s:
        return {d: i for i, d in s.execute(select(ReviewOpinion.id, ReviewOpinion.department).where(
            ReviewOpinion.order_id == order_id, ReviewOpinion.answered_at.is_(None)))}


def production(verdict="pass", measures=(), **extra):
    return review.OpinionAnswer(verdict, difficulty="medium", cycle_days=10, capacity_load_pct=90,
                                capacity_measures=list(measures), **extra)


def busy_factory(db, admin, make_user, sales, customer, shop) -> int:
    """A released order of 290 rings that keeps the one bench of each workshop busy into January."""
    from .planning_support import sign_contract

    view = orders.create_order(db, sales, order_input(customer.id, delivery_date=dt.date(2026, 12, 31),
                                                      quantity=290))
    sign_contract(db, admin, make_user, sales, view.id, signed=TODAY)
    plan = plans.propose_plan(db, shop.planner, view.id)
    plans.release_plan(db, shop.planner, plan.id)
    return view.id


def test_the_proposal_is_read_only_and_shows_finish_and_workshop_loads(db, admin, make_user, sales, customer, shop):
    view = orders.create_order(db, sales, order_input(customer.id, delivery_date=dt.date(2027, 1, 15)))
    to_detailed_review(db, admin, make_user, sales, view.id)
    with db.read_session() as s:
        plans_before = s.scalar(select(func.count()).select_from(ProductionPlan))
    preview = preview_plan(db, view.id)
    assert not preview.problems
    assert [st.name for st in preview.steps][:3] == ["CAD design", "Wax and mould", "Casting"]
    assert preview.finish is not None and not preview.late
    assert preview.finish <= dt.date(2027, 1, 13)  # the delivery date less two days for shipping
    names = {load.workshop for load in preview.loads}
    assert "Stone setting shop" in names
    assert all(load.capacity_minutes > 0 and load.order_minutes > 0 for load in preview.loads)
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(ProductionPlan)) == plans_before  # nothing written


def test_a_late_pass_needs_a_capacity_measure_that_makes_it_on_time(db, admin, make_user, sales, customer, shop):
    busy_factory(db, admin, make_user, sales, customer, shop)
    view = orders.create_order(db, sales, order_input(customer.id, delivery_date=dt.date(2026, 11, 30),
                                                      quantity=50))
    opinions = to_detailed_review(db, admin, make_user, sales, view.id)
    preview = preview_plan(db, view.id)
    assert preview.late, preview
    busiest = max(preview.loads, key=lambda load: load.percent)
    assert busiest.workshop == "Stone setting shop" and busiest.other_minutes > 0 and busiest.percent > 30
    producer = _reviewers(db, admin, make_user)["production"]
    with pytest.raises(ValidationError, match="capacity measure"):
        review.answer_opinion(db, producer, opinions["production"], production("pass"))
    # A measure the plan could not use: days after the proposal's window.
    useless = review.CapacityMeasureInput("overtime", shop.workshops["CAD design"], dt.date(2027, 3, 1),
                                          dt.date(2027, 3, 5), "2")
    with pytest.raises(ValidationError, match="outside the proposed plan"):
        review.answer_opinion(db, producer, opinions["production"], production("pass", [useless]))
    # An extra shift in every workshop for the next four weeks brings it in.
    shifts = [review.CapacityMeasureInput("extra_shift", wid, TODAY, dt.date(2026, 11, 30), "8", "second shift")
              for wid in shop.workshops.values()]
    helped = preview_plan(db, view.id, measures=[
        __import__("jewelryorders.services.planning.review_inputs", fromlist=["MeasureSpan"]).MeasureSpan(
            m.workshop_id, m.first_day, m.last_day, 480) for m in shifts])
    assert not helped.late
    assert any(load.extra_minutes > 0 for load in helped.loads)
    review.answer_opinion(db, producer, opinions["production"], production("pass", shifts))
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(CapacityMeasure)
                        .where(CapacityMeasure.order_id == view.id)) == len(shifts)
    # The review history (and so the review report) shows production's measures with its opinion.
    from jewelryorders.services.review.queries import opinion_fields, review_history

    opinion = next(o for o in review_history(db, view.id).latest_round.opinions if o.department == "production")
    fields = dict(opinion_fields(opinion, "en"))
    assert "Extra shift in Filing shop, 2026-11-16 to 2026-11-30, 8 h a day" in fields["Capacity measures"]
    assert "加開班次" in dict(opinion_fields(opinion, "zh_TW"))["產能措施"]
    # The rest of the round passes; the contract is signed and the plan uses the measures.
    reviewers = _reviewers(db, admin, make_user)
    review.answer_opinion(db, reviewers["technical"], opinions["technical"],
                          review.OpinionAnswer("pass", craft_feasibility="feasible"))
    review.answer_opinion(db, reviewers["purchasing"], opinions["purchasing"],
                          review.OpinionAnswer("pass", materials_list="Au750 200 g", purchase_lead_days=0,
                                               supplier_risk="low"))
    assert review.close_round(db, sales, view.id) == "passed"
    review.record_contract(db, sales, view.id, review.ContractInput("HT-LATE-1", TODAY, ["production"]))
    plan = plans.propose_plan(db, shop.planner, view.id)
    assert plan.days_late == 0, plan.finish
    assert not plan.warnings


def test_without_a_measure_production_rejects_and_the_round_goes_back_to_sales(db, admin, make_user, sales,
                                                                              customer, shop):
    busy_factory(db, admin, make_user, sales, customer, shop)
    view = orders.create_order(db, sales, order_input(customer.id, delivery_date=dt.date(2026, 11, 30)))
    opinions = to_detailed_review(db, admin, make_user, sales, view.id)
    reviewers = _reviewers(db, admin, make_user)
    review.answer_opinion(db, reviewers["production"], opinions["production"],
                          production("reject", comments="finishes after the delivery date; move the date"))
    review.answer_opinion(db, reviewers["technical"], opinions["technical"],
                          review.OpinionAnswer("pass", craft_feasibility="feasible"))
    review.answer_opinion(db, reviewers["purchasing"], opinions["purchasing"],
                          review.OpinionAnswer("pass", materials_list="Au750", purchase_lead_days=3,
                                               supplier_risk="low"))
    assert review.close_round(db, sales, view.id) == "failed"
    assert orders.get_order(db, view.id).stage == "negotiating"


def test_capacity_measures_are_checked(db, admin, make_user, sales, customer, shop):
    busy_factory(db, admin, make_user, sales, customer, shop)
    view = orders.create_order(db, sales, order_input(customer.id, delivery_date=dt.date(2026, 11, 30)))
    opinions = to_detailed_review(db, admin, make_user, sales, view.id)
    producer = _reviewers(db, admin, make_user)["production"]
    bad = [review.CapacityMeasureInput("overtime", shop.workshops["Casting"], TODAY, TODAY - dt.timedelta(days=1),
                                       "2"),
           review.CapacityMeasureInput("holiday", None, TODAY - dt.timedelta(days=3), TODAY, "0")]
    with pytest.raises(ValidationError) as caught:
        review.answer_opinion(db, producer, opinions["production"], production("pass", bad))
    text = str(caught.value)
    assert "before the first day" in text and "open workshop" in text and "in the past" in text


def test_purchasing_lead_time_holds_back_the_material_steps_and_conditions_reach_the_plan(
        db, admin, make_user, sales, customer, shop, tmp_path):
    view = orders.create_order(db, sales, order_input(customer.id, delivery_date=dt.date(2027, 1, 15)))
    opinions = to_detailed_review(db, admin, make_user, sales, view.id)
    reviewers = _reviewers(db, admin, make_user)
    review.answer_opinion(db, reviewers["purchasing"], opinions["purchasing"],
                          review.OpinionAnswer("pass", materials_list="Au750 200 g; diamonds", purchase_lead_days=30,
                                               supplier_risk="medium"))
    # The proposal production sees already waits for the materials.
    preview = preview_plan(db, view.id)
    assert preview.materials_day == TODAY + dt.timedelta(days=30)
    casting = next(st for st in preview.steps if st.name == "Casting")
    assert casting.needs_materials and casting.start >= preview.materials_day
    review.answer_opinion(db, reviewers["production"], opinions["production"], production("pass"))
    review.answer_opinion(db, reviewers["technical"], opinions["technical"],
                          review.OpinionAnswer("pass_with_conditions", craft_feasibility="feasible",
                                               conditions="首件需客戶確認後方可批量生產"))
    assert review.close_round(db, sales, view.id) == "passed"
    review.record_contract(db, sales, view.id, review.ContractInput("HT-MAT-1", TODAY, ["production"]))
    with db.read_session() as s:
        carried = s.get(PlanReviewInput, view.id)
        assert carried.purchase_lead_days == 30
        assert carried.materials_expected == TODAY + dt.timedelta(days=30)
        assert [(c.department, c.text) for c in conditions_of(s, view.id)] == [
            ("technical", "首件需客戶確認後方可批量生產")]
    plan = plans.propose_plan(db, shop.planner, view.id)
    for step in plan.steps:
        if "materials" in step.checklist_needs:
            assert step.planned_start >= TODAY + dt.timedelta(days=30), step
    # The plan carries them: the planner sees the conditions and the materials day with the plan.
    assert plan.review_conditions == ("Technical: 首件需客戶確認後方可批量生產",)
    assert plan.materials_expected == TODAY + dt.timedelta(days=30)
    # The conditions reach the production task sheets.
    plans.release_plan(db, shop.planner, plan.id)
    from jewelryorders.services.planning import sheets as planning_sheets

    result = planning_sheets.print_task_sheets(db, shop.planner, tmp_path / "sheets.pdf", order=view.id, lang="en",
                                               factory_name="Golden Luck")
    import subprocess

    text = subprocess.run(["pdftotext", str(result.path), "-"], check=True, capture_output=True, text=True).stdout
    assert "Conditions agreed in the review" in text
    assert text.count("首件需客戶確認後方可批量生產") == result.count
