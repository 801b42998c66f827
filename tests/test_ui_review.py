"""The Review tab driven as the users would: a sales clerk, the three department heads and a manager carry an order
from intake through an escalation and a failed round to a signed contract."""

from __future__ import annotations

import datetime as dt
import subprocess
from decimal import Decimal

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QComboBox, QSpinBox

from jewelryorders import clock
from jewelryorders.services import customers

from jewelryorders.services.orders import intake as orders

from jewelryorders.services.review import policy
from jewelryorders.services.review import procedure as review
from jewelryorders.services.review import queries
from jewelryorders.ui.context import EventBus, UiContext
from jewelryorders.ui.review import views as review_views
from jewelryorders.ui.review.tab import VIEW_ESCALATIONS, VIEW_INBOX, VIEW_PRELIMINARY, VIEW_ROUNDS, ReviewTab

from .conftest import order_input

UTC = dt.timezone.utc


@pytest.fixture(autouse=True)
def price_policy(request):
    """The factory's HKD price policy: the test order (3.125 g Au750 at HKD 2,380) meets it."""
    if "db" not in request.fixturenames:
        return
    db = request.getfixturevalue("db")
    boss = request.getfixturevalue("make_user")("management", "manager", "policy.boss")
    policy.set_price_policy(db, boss, policy.CurrencyPolicyInput("HKD", "300", "15", {"Au750": "500"}))


@pytest.fixture
def errors(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr("jewelryorders.ui.operations.show_error", lambda parent, exc: shown.append(str(exc)))
    return shown


@pytest.fixture
def opened(monkeypatch):
    files = []
    monkeypatch.setattr(review_views, "open_file", files.append)
    return files


@pytest.fixture
def people(make_user, sales):
    return {
        "sales": sales,
        "production": make_user("production", "department_head"),
        "technical": make_user("technical", "department_head"),
        "purchasing": make_user("purchasing", "department_head"),
        "manager": make_user("management", "manager"),
    }


@pytest.fixture
def tabs(qtbot, db, people):
    """One Review tab per user, all on one event bus as in the application window."""
    bus = EventBus()
    made = {}
    for key, actor in people.items():
        tab = ReviewTab(UiContext(db, actor, "金福珠寶廠", bus))
        qtbot.addWidget(tab)
        tab.resize(1300, 800)
        made[key] = tab
    return made


def fill_next_dialog(fill) -> None:
    """Answer the next modal dialog: `fill(dialog)` then OK, as the user would."""

    def handle():
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(10, handle)
            return
        fill(dialog)
        dialog.accept()

    QTimer.singleShot(0, handle)


def choose(form, name: str, value) -> None:
    box = form.findChild(QComboBox, name)
    box.setCurrentIndex(box.findData(value))


def answer_in_inbox(tab: ReviewTab, order_id: int, verdict: str, **values) -> None:
    inbox = tab.view(VIEW_INBOX)
    tab.show_view(VIEW_INBOX)
    assert inbox.select_order(order_id)
    form = inbox.form
    for name, value in values.items():
        widget = form.findChild(QComboBox, name) or form.findChild(QSpinBox, name)
        if isinstance(widget, QComboBox):
            choose(form, name, value)
        elif isinstance(widget, QSpinBox):
            widget.setValue(value)
        else:
            getattr(form, {"proposed_solution": "solution", "materials_list": "materials"}.get(name, name)) \
                .setPlainText(value)
    choose(form, "verdict", verdict)
    form.submit.click()


def production_answer(tab, order_id, verdict="pass"):
    answer_in_inbox(tab, order_id, verdict, difficulty="high", cycle_days=32, capacity_load_pct=88)


def technical_answer(tab, order_id, verdict="pass", comments=""):
    answer_in_inbox(tab, order_id, verdict, craft_feasibility="feasible_with_changes",
                    proposed_solution="碎鑽改 1.0 mm，改共爪鑲", comments=comments)


def purchasing_answer(tab, order_id, verdict="pass"):
    answer_in_inbox(tab, order_id, verdict, materials_list="18K 金 180 g；鑽石 0.36 ct × 50", purchase_lead_days=12,
                    supplier_risk="low")


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def plain(label) -> str:
    """The text a user reads in a rich-text label."""
    from PySide6.QtGui import QTextDocument

    document = QTextDocument()
    document.setHtml(label.text())
    return document.toPlainText()


def stage(db, order_id):
    return orders.get_order(db, order_id).stage


def test_clerk_heads_and_manager_carry_an_order_to_a_signed_contract(qtbot, db, people, tabs, errors, opened,
                                                                     tmp_path):
    tight = customers.create_customer(db, people["sales"], customers.CustomerInput(
        name="Lumière & Fils", contact_person="Claire", credit_limit="100000", currency="HKD"))
    order = orders.create_order(db, people["sales"], order_input(tight.id))
    orders.submit_for_review(db, people["sales"], order.id)
    sales, manager = tabs["sales"], tabs["manager"]
    for tab in tabs.values():
        tab.refresh()
    assert set(sales.views) == {VIEW_PRELIMINARY, VIEW_ROUNDS, VIEW_ESCALATIONS}
    assert set(tabs["production"].views) == {VIEW_INBOX}

    # Preliminary review: the credit check fails and is shown with its figures; accepting is refused.
    prelim = sales.view(VIEW_PRELIMINARY)
    sales.show_view(VIEW_PRELIMINARY)
    assert prelim.select_order(order.id)
    assert "Over the limit by HKD 19,000.00" in prelim.checks.text() and "HKD 119,000.00" in prelim.checks.text()
    # No check starts ticked: the craft waits for the reviewer's judgement.
    assert prelim.craft_choice.currentText() == "Not judged yet" and "Not judged yet" in prelim.checks.text()
    fill_next_dialog(lambda d: None)
    prelim.accept_button.click()
    assert errors and "cannot be accepted" in errors[-1] and "credit" in errors[-1]
    assert "craft requirements have not been judged" in errors[-1]
    assert stage(db, order.id) == "preliminary_review"
    prelim.craft_choice.setCurrentIndex(1)  # clear
    prelim.craft_note.setText("爪鑲，常規工藝")
    assert "Not judged yet" not in prelim.checks.text()

    # Escalation to a manager, who accepts it with a reason.
    fill_next_dialog(lambda d: d.reason.setPlainText("信用額度不足，老客戶"))
    prelim.escalate_button.click()
    assert stage(db, order.id) == "escalated"
    escalations = manager.view(VIEW_ESCALATIONS)
    assert manager.tabs.currentWidget() is escalations
    assert escalations.select_order(order.id)
    sales_escalations = sales.view(VIEW_ESCALATIONS)
    assert sales_escalations.select_order(order.id) and not sales_escalations.decision_group.isEnabled()
    escalations.radios["accept"].setChecked(True)
    escalations.reason.setPlainText("老客戶，加收 20% 訂金")
    escalations.decide_button.click()
    assert escalations.model.rowCount() == 0
    assert stage(db, order.id) == "escalated"

    # Sales sends it to the three departments (accept and send in one step).
    assert prelim.select_order(order.id)
    assert "Accepted by a manager" in prelim.status.text()
    fill_next_dialog(lambda d: d.note.setPlainText("請週五前回覆"))
    prelim.accept_button.click()
    assert stage(db, order.id) == "detailed_review"
    assert prelim.model.rowCount() == 0

    # Round 1: technical rejects. A wrong answer first: no verdict given.
    technical = tabs["technical"]
    technical.show_view(VIEW_INBOX)
    assert technical.view(VIEW_INBOX).select_order(order.id)
    assert "R-18K-001" in technical.view(VIEW_INBOX).details.lines_model.item(0, 1).text()
    errors.clear()
    technical.view(VIEW_INBOX).form.submit.click()
    assert errors and "Verdict is required" in errors[-1]
    production_answer(tabs["production"], order.id)
    technical_answer(technical, order.id, "reject", comments="微鑲 0.8 mm 以下做不到")
    purchasing_answer(tabs["purchasing"], order.id)
    assert technical.view(VIEW_INBOX).model.rowCount() == 0

    rounds = sales.view(VIEW_ROUNDS)
    sales.show_view(VIEW_ROUNDS)
    assert rounds.select_order(order.id)
    assert rounds.close_button.isEnabled() and not rounds.contract_button.isEnabled()
    rounds.close_button.click()
    assert stage(db, order.id) == "negotiating"
    assert [r.order_id for r in queries.escalation_rows(db)] == [order.id]  # a manager may abandon it now

    # Back to negotiation, then round 2, which passes.
    sales.show_view(VIEW_PRELIMINARY)
    assert prelim.select_order(order.id)
    assert "Review round failed" in prelim.status.text()

    def negotiation(dialog):
        dialog.with_whom.setText("Claire")
        dialog.agreed.setPlainText("碎鑽改 1.0 mm")
        dialog.changes.setPlainText("第 1 行鑲石規格")

    fill_next_dialog(negotiation)
    prelim.log_button.click()
    fill_next_dialog(lambda d: None)
    prelim.accept_button.click()
    assert stage(db, order.id) == "detailed_review"
    production_answer(tabs["production"], order.id)
    technical_answer(technical, order.id, "pass")
    purchasing_answer(tabs["purchasing"], order.id)
    sales.show_view(VIEW_ROUNDS)
    assert rounds.select_order(order.id)
    rounds.close_button.click()
    assert rounds.select_order(order.id)
    assert rounds.contract_button.isEnabled()
    assert "Round 1" in rounds.history.toPlainText() and "Round 2" in rounds.history.toPlainText()
    rounds.report_button.click()
    assert opened and opened[-1].suffix == ".pdf"
    assert order.order_no in pdf_text(opened[-1]) and "Round 2" in pdf_text(opened[-1])

    # The contract, with the departments that received a copy.
    def contract(dialog):
        dialog.contract_no.setText("HT-2026-0107")
        dialog.copies["archive"].setChecked(True)

    fill_next_dialog(contract)
    rounds.contract_button.click()
    assert stage(db, order.id) == "contracted"
    history = queries.review_history(db, order.id)
    assert history.contract.contract_no == "HT-2026-0107"
    assert history.contract.copies_to == ("production", "technical", "purchasing", "archive")
    assert [r.result for r in history.rounds] == ["failed", "passed"]
    assert [d.decision for d in history.decisions] == ["accept"]
    assert rounds.model.rowCount() == 0

    # The filed review report now names the contract too.
    review_views.print_review_report(sales.ctx, sales, order.id)
    text = pdf_text(opened[-1])
    assert order.order_no in text and "HT-2026-0107" in text and "Proceed to contract" in text


def test_overdue_opinions_show_as_a_badge_red_rows_and_in_the_status_bar(qtbot, db, people, order_factory):
    order = order_factory()
    orders.submit_for_review(db, people["sales"], order.id)
    past = clock.now() - dt.timedelta(days=3)
    review.accept_and_send(db, people["sales"], order.id,
                           {d: past + dt.timedelta(days=1) for d in ("production", "technical", "purchasing")},
                           review.PreliminaryInput(True, "常規工藝"), now=past)
    review.answer_opinion(db, people["purchasing"], queries.review_history(db, order.id).latest_round.opinions[2].id,
                          review.OpinionAnswer("pass", materials_list="Au750 180 g", purchase_lead_days=5,
                                               supplier_risk="low"), now=past + dt.timedelta(hours=2))
    bus = EventBus()
    messages: list[str] = []
    bus.sig_status_message.connect(messages.append)
    production = ReviewTab(UiContext(db, people["production"], "F", bus))
    purchasing = ReviewTab(UiContext(db, people["purchasing"], "F", bus))
    sales = ReviewTab(UiContext(db, people["sales"], "F", bus))
    for tab in (production, purchasing, sales):
        qtbot.addWidget(tab)
    badges = {}
    for name, tab in (("production", production), ("purchasing", purchasing), ("sales", sales)):
        tab.sig_badge.connect(lambda text, name=name: badges.__setitem__(name, text))
        tab.update_badge()
    assert badges == {"production": "1", "purchasing": "", "sales": "2"}
    assert "2 review opinions are overdue" in messages
    inbox = production.view(VIEW_INBOX)
    assert "(1)" in production.tabs.tabText(0)
    index = inbox.model.index(0, 2)
    assert "OVERDUE" in inbox.model.data(index)
    assert inbox.model.data(index, review_views.Qt.ItemDataRole.BackgroundRole) == review_views.OVERDUE_BACKGROUND
    rounds = sales.view(VIEW_ROUNDS)
    assert rounds.model.data(rounds.model.index(0, 4)) == "2"


def test_the_tab_follows_a_language_switch(qtbot, db, people):
    from jewelryorders.i18n import set_language

    tab = ReviewTab(UiContext(db, people["sales"], "F", EventBus()))
    qtbot.addWidget(tab)
    set_language("zh_TW")
    tab.retranslate_ui()
    assert tab.tabs.tabText(0) == "初步評審"
    assert tab.view(VIEW_PRELIMINARY).accept_button.text() == "接單並送審…"
    set_language("en")
    tab.retranslate_ui()
    assert tab.tabs.tabText(0) == "Preliminary review"


def test_a_failed_check_is_cleared_from_the_screen_by_what_answers_it(qtbot, db, people, tabs, errors):
    tight = customers.create_customer(db, people["sales"], customers.CustomerInput(
        name="Lumière & Fils", contact_person="Claire", credit_limit="100000", currency="HKD"))
    order = orders.create_order(db, people["sales"], order_input(tight.id))
    orders.submit_for_review(db, people["sales"], order.id)
    sales, manager = tabs["sales"], tabs["manager"]
    for tab in tabs.values():
        tab.refresh()
    prelim = sales.view(VIEW_PRELIMINARY)
    sales.show_view(VIEW_PRELIMINARY)
    assert prelim.select_order(order.id)
    # Sales may not record payments or raise limits; only the price policy is management's too.
    assert not prelim.payment_action.isEnabled() and not prelim.limit_action.isEnabled()
    assert not prelim.policy_action.isEnabled() and not prelim.clear_button.isEnabled()
    assert "needs a payment, a raised limit or management's decision" in plain(prelim.checks)
    # A talk alone clears nothing.
    prelim.craft_choice.setCurrentIndex(1)

    def talk(dialog):
        dialog.with_whom.setText("Claire")
        dialog.agreed.setPlainText("客戶答應付訂金")

    fill_next_dialog(talk)
    prelim.negotiate_button.click()
    assert stage(db, order.id) == "negotiating"
    assert prelim.select_order(order.id)
    errors.clear()
    fill_next_dialog(lambda d: None)
    prelim.accept_button.click()
    assert errors and "alone clears no check" in errors[-1] and stage(db, order.id) == "negotiating"
    # The manager records the deposit from the same screen.
    manager_prelim = manager.view(VIEW_PRELIMINARY)
    manager.show_view(VIEW_PRELIMINARY)
    assert manager_prelim.select_order(order.id)
    assert manager_prelim.payment_action.isEnabled() and not manager_prelim.technical_action.isEnabled()

    def pay(dialog):
        dialog.amount.setText("20000")
        dialog.note.setPlainText("訂金已收")

    fill_next_dialog(pay)
    manager_prelim.payment_action.trigger()
    assert manager_prelim.select_order(order.id)
    assert "Cleared by a payment" in plain(manager_prelim.checks)
    assert "訂金已收" in manager_prelim.history.toPlainText()
    # Sales now sends it (the craft judgement recorded with the talk is used).
    assert prelim.select_order(order.id)
    fill_next_dialog(lambda d: None)
    prelim.accept_button.click()
    assert stage(db, order.id) == "detailed_review"


def test_management_sets_the_price_policy_in_its_dialog(qtbot, db, people, tabs, errors, order_factory):
    order = order_factory()
    orders.submit_for_review(db, people["sales"], order.id)
    manager = tabs["manager"]
    manager.refresh()
    prelim = manager.view(VIEW_PRELIMINARY)
    manager.show_view(VIEW_PRELIMINARY)
    assert prelim.select_order(order.id)
    assert "Every line meets the company's price policy" in plain(prelim.checks)

    shown = []

    def raise_prices(dialog):
        shown.extend([dialog.currency.text(), dialog.metal_prices["Au750"].text(), dialog.labour.text()])
        dialog.margin.setText("40")
        dialog.metal_prices["Au750"].setText("600")

    fill_next_dialog(raise_prices)
    prelim.policy_action.trigger()
    assert shown == ["HKD", "500", "300"] and not errors
    assert policy.get_price_policy(db).for_currency("HKD").min_margin_pct == Decimal("40.00")
    text = plain(prelim.checks)
    assert "1 of 1 lines below the company's price policy" in text and "HKD 3,045.00" in text

    def bad(dialog):
        dialog.labour.setText("-5")

    fill_next_dialog(bad)
    prelim.policy_action.trigger()
    assert errors and "Labour charge per piece" in errors[-1]
    assert policy.get_price_policy(db).for_currency("HKD").labour_per_piece == Decimal("300.00")


@pytest.mark.parametrize("lang", ["zh_TW", "en"])
def test_the_preliminary_panel_fits_1366_by_768(qtbot, db, people, tabs, lang, tmp_path):
    from jewelryorders.i18n import set_language

    order = orders.create_order(db, people["sales"], order_input(
        customers.create_customer(db, people["sales"], customers.CustomerInput(
            name="Lumière & Fils", credit_limit="100000", currency="HKD")).id, lines=3))
    orders.submit_for_review(db, people["sales"], order.id)
    set_language(lang)
    tab = tabs["manager"]
    tab.retranslate_ui()
    tab.refresh()
    tab.show_view(VIEW_PRELIMINARY)
    prelim = tab.view(VIEW_PRELIMINARY)
    assert prelim.select_order(order.id)
    hint = tab.minimumSizeHint()
    assert hint.width() <= 1366 and hint.height() <= 768 - 120  # room for the window's tabs, toolbar, status bar
    tab.resize(1340, 640)
    tab.show()
    qtbot.wait(50)
    shot = tmp_path / f"preliminary_{lang}.png"
    tab.grab().save(str(shot))
    assert shot.stat().st_size > 0
    set_language("en")


# ---- production's opinion: the proposed plan (procedure 2.4) -----------------------------------------------------

def test_production_sees_the_proposed_plan_and_a_late_pass_needs_capacity_measures(qtbot, db, admin, make_user,
                                                                                 sales, customer, errors):
    from sqlalchemy import select

    from jewelryorders.models.planning import CapacityMeasure
    from jewelryorders.models.reviews import ReviewOpinion
    from jewelryorders.ui.review.production import ProductionProposalPanel

    from .planning_support import _REVIEWERS, build_factory
    from .test_review_plan_inputs import busy_factory, to_detailed_review

    _REVIEWERS.clear()
    shop = build_factory(db, admin, make_user, sales, benches=1)
    busy_factory(db, admin, make_user, sales, customer, shop)
    view = orders.create_order(db, sales, order_input(customer.id, delivery_date=dt.date(2026, 11, 30)))
    to_detailed_review(db, admin, make_user, sales, view.id)
    producer = make_user("production", "department_head", "prod.head")
    tab = ReviewTab(UiContext(db, producer, "金福珠寶廠", EventBus()))
    qtbot.addWidget(tab)
    tab.resize(1300, 800)
    tab.show_view(VIEW_INBOX)
    inbox = tab.view(VIEW_INBOX)
    assert inbox.select_order(view.id)
    panel = inbox.findChild(ProductionProposalPanel)
    assert panel is not None and panel.preview is not None and panel.preview.late
    summary = plain(panel.summary)
    assert panel.preview.finish.isoformat() in summary and "after the delivery date 2026-11-30" in summary
    workshops = [panel.loads.item(r, 0).text() for r in range(panel.loads.rowCount())]
    assert "Filing shop" in workshops and panel.loads.rowCount() == len(panel.preview.loads)
    assert all(panel.loads.item(r, 5).text().endswith("%") for r in range(panel.loads.rowCount()))
    # The figures start from the proposal.
    assert inbox.form.cycle_days.value() == panel.preview.cycle_days
    # Late: the capacity-measure input is there, with one measure proposed in the busiest workshop.
    assert panel.measures_box.isVisibleTo(tab) and panel.measures.rowCount() == 1
    # A pass without (enough) capacity is refused.
    panel.measures.setRowCount(0)
    answer_in_inbox(tab, view.id, "pass", difficulty="medium")
    assert errors and "capacity measure" in errors[-1]
    # An extra shift in every workshop up to the delivery date brings it in, and the pass is recorded with it.
    for wid in shop.workshops.values():
        panel.add_measure(wid, clock.today(), dt.date(2026, 11, 30))
        row = panel.measures.rowCount() - 1
        kind = panel.measures.cellWidget(row, 0)
        kind.setCurrentIndex(kind.findData("extra_shift"))
    assert panel.measures.cellWidget(0, 4).value() == 8.0
    panel.try_button.click()
    assert not panel.preview.late
    assert "(+" in panel.loads.item(0, 2).text()
    answer_in_inbox(tab, view.id, "pass", difficulty="medium")
    with db.read_session() as s:
        answered = s.scalar(select(ReviewOpinion.verdict).where(ReviewOpinion.order_id == view.id,
                                                                ReviewOpinion.department == "production"))
        kinds = set(s.scalars(select(CapacityMeasure.kind).where(CapacityMeasure.order_id == view.id)))
    assert answered == "pass" and kinds == {"extra_shift"}
