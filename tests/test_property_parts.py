"""Property-based (issue 9) for the later parts: the progress ledger, quality, delivery and the archive given
hostile values either succeed validly or refuse with a message, and a refused call changes nothing (every table of
the file compared before and after)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jewelryorders.services import audit
from jewelryorders.services.archive import filing, loans, requests
from jewelryorders.services.delivery import aftersales, shipments
from jewelryorders.services.delivery.shipments import PackageInput, ShipmentInput
from jewelryorders.services.errors import DomainError
from jewelryorders.services.ledger import entries as ledger
from jewelryorders.services.ledger import exceptions as ledger_exceptions
from jewelryorders.services.ledger import meetings
from jewelryorders.services.planning import checklist as planning_checklist
from jewelryorders.services.planning import plans as planning
from jewelryorders.services.quality import master as quality

from .delivery_support import quality_stand_in, ready_order  # noqa: F401  (fixtures)
from .planning_support import MONDAY, contracted, factory  # noqa: F401,F811  (fixtures)
from .test_property_services import ANY_TEXT, DATES, EXAMPLES, FORM_VALUE, ID, SMALL_INT, WRONG_TYPES, _snapshot

PARTS = EXAMPLES.__class__(EXAMPLES, max_examples=25)
TODAY = dt.date(2026, 11, 16)


@pytest.fixture
def world(db, tmp_path, admin):
    path = tmp_path / "factory.db"
    if not path.exists():
        pytest.skip("the table snapshot reads the SQLite file")
    return {"db": db, "path": path, "admin": admin}


def _call(w, call):
    """Run one service call: success, or a DomainError with a message and every table as it was."""
    before = _snapshot(w["path"])
    try:
        result = call()
    except DomainError as exc:
        assert str(exc).strip(), "a refusal must say why"
        assert _snapshot(w["path"]) == before, f"refused ({exc}) but something changed"
        return None
    chain = audit.verify_chain(w["db"])
    assert chain.ok, chain.problems
    return result


# ---- progress ledger --------------------------------------------------------------------------------------------

@pytest.fixture
def sheet(db, factory, contracted, world):
    order_id = contracted(quantity=50)
    plan = planning.propose_plan(db, factory.planner, order_id, today=MONDAY)
    plan = planning.release_plan(db, factory.planner, plan.id, today=MONDAY)
    planning_checklist.set_checklist_item(db, factory.planner, order_id, "equipment", done=True)
    planning_checklist.set_checklist_item(db, factory.technical, order_id, "tooling", done=True)
    planning_checklist.set_checklist_item(db, factory.purchasing, order_id, "materials", done=True)
    return {**world, "worker": factory.worker, "sheet": plan.step(1).sheet_no}


@PARTS
@given(sheet_no=st.one_of(st.just("own"), ANY_TEXT), worker=ANY_TEXT, done=SMALL_INT, rejected=SMALL_INT,
       issued=FORM_VALUE, returned=FORM_VALUE, in_piece=FORM_VALUE, stones=FORM_VALUE, reason=ANY_TEXT,
       note=ANY_TEXT)
def test_ledger_start_and_finish(sheet, sheet_no, worker, done, rejected, issued, returned, in_piece, stones, reason,
                                 note):
    w = sheet
    no = w["sheet"] if sheet_no == "own" else sheet_no
    _call(w, lambda: ledger.record_start(w["db"], w["worker"], no, worker=worker))
    data = ledger.FinishInput(done, rejected, issued, returned, in_piece, stones_ct=stones, worker=worker,
                              loss_reason=reason, note=note)
    made = _call(w, lambda: ledger.record_finish(w["db"], w["worker"], no, data))
    if made is not None:
        info = ledger.open_sheet(w["db"], w["sheet"])
        assert info.done_qty >= 0 and info.rejected_qty >= 0


@pytest.fixture
def ledger_order(db, contracted, world):
    order_id = contracted(quantity=10)
    with db.read_session() as s:
        from jewelryorders.models.orders import Order
        return {**world, "order_no": s.get(Order, order_id).order_no}


@PARTS
@given(kind=st.one_of(st.sampled_from(["material_shortage", "other"]), ANY_TEXT), description=ANY_TEXT,
       order_no=st.one_of(st.just("own"), ANY_TEXT, WRONG_TYPES),
       severity=st.one_of(st.sampled_from(["low", "high"]), ANY_TEXT),
       impact=SMALL_INT, steps=ANY_TEXT, method=ANY_TEXT, by=ANY_TEXT, new_date=DATES, remedy=ANY_TEXT)
def test_ledger_exceptions(ledger_order, kind, description, order_no, severity, impact, steps, method, by, new_date,
                           remedy):
    w = ledger_order
    data = ledger_exceptions.ExceptionInput(kind, description, severity=severity, impact_days=impact,
                                            order_no=w["order_no"] if order_no == "own" else order_no,
                                            affected_steps=steps)
    made = _call(w, lambda: ledger_exceptions.record_exception(w["db"], w["admin"], data))
    if made is not None:
        no = made.exception_no
        _call(w, lambda: ledger_exceptions.add_notification(w["db"], w["admin"], no, method=method,
                                                            notified_by=by))
        _call(w, lambda: ledger_exceptions.move_delivery_date(w["db"], w["admin"], no, new_date))
        _call(w, lambda: ledger_exceptions.close_exception(w["db"], w["admin"], no, remedy))


@PARTS
@given(held_on=DATES, kind=st.one_of(st.just("weekly"), ANY_TEXT, WRONG_TYPES), notes=ANY_TEXT, dept=ANY_TEXT,
       name=ANY_TEXT,
       description=ANY_TEXT, owner=ID, due=DATES, state=st.one_of(st.sampled_from(["done", "cancelled"]), ANY_TEXT))
def test_ledger_meetings_and_action_items(world, held_on, kind, notes, dept, name, description, owner, due, state):
    w = world
    owner_id = w["admin"].user_id if owner == "own" else owner
    made = _call(w, lambda: meetings.hold_meeting(w["db"], w["admin"], meetings.MeetingInput(
        held_on, kind=kind, attendees={dept: [name]}, reports={dept: notes}, notes=notes)))
    if made is not None:
        action = _call(w, lambda: meetings.add_action(w["db"], w["admin"], made.meeting_no, meetings.ActionInput(
            description, owner_id, due)))
        if action is not None:
            _call(w, lambda: meetings.set_action_state(w["db"], w["admin"], action.id, state, notes))
    # A hostile meeting number (the kind's values, wrong types too) is refused, never a crash.
    _call(w, lambda: meetings.add_action(w["db"], w["admin"], kind, meetings.ActionInput(description, owner_id, due)))


# ---- quality master data ---------------------------------------------------------------------------------------

@PARTS
@given(code=ANY_TEXT, title=ANY_TEXT, effective=DATES, kind=st.one_of(st.sampled_from(["size", "appearance"]),
                                                                      ANY_TEXT),
       name=ANY_TEXT, nominal=st.one_of(st.none(), FORM_VALUE), minus=st.one_of(st.none(), FORM_VALUE),
       plus=st.one_of(st.none(), FORM_VALUE), unit=ANY_TEXT, scope=st.one_of(st.just("product"), ANY_TEXT),
       product_type=st.one_of(st.just("ring"), ANY_TEXT), no_characteristics=st.sampled_from([False, None, []]))
def test_quality_standards(world, code, title, effective, kind, name, nominal, minus, plus, unit, scope,
                           product_type, no_characteristics):
    w = world
    data = quality.StandardInput(code, title, effective, [quality.CharacteristicInput(
        kind, name, nominal=nominal, tol_minus=minus, tol_plus=plus, unit=unit)], scope=scope,
        product_type=product_type)
    if no_characteristics is not False:
        data.characteristics = no_characteristics
    made = _call(w, lambda: quality.create_standard_version(w["db"], w["admin"], data))
    if made is not None:
        assert quality.get_standard(w["db"], made.id).code == made.code


@PARTS
@given(code=ANY_TEXT, name=ANY_TEXT, kind=st.one_of(st.sampled_from(["caliper", "scale"]), ANY_TEXT),
       calibrated=DATES, interval=SMALL_INT, serial=ANY_TEXT, certificate=ANY_TEXT, again=DATES)
def test_quality_instruments_and_calibration(world, code, name, kind, calibrated, interval, serial, certificate,
                                             again):
    w = world
    made = _call(w, lambda: quality.create_instrument(w["db"], w["admin"], quality.InstrumentInput(
        code, name, kind, calibrated, interval, serial_no=serial, certificate_no=certificate)))
    if made is not None:
        _call(w, lambda: quality.record_calibration(w["db"], w["admin"], made.id, again, certificate))


# ---- delivery ------------------------------------------------------------------------------------------------------

@pytest.fixture
def shipping(world, ready_order):
    order = ready_order(quantity=50)
    [line] = shipments.open_lines(world["db"], order.id)
    return {**world, "order": order, "line": line.line_id}


@PARTS
@given(qty=st.one_of(SMALL_INT, FORM_VALUE), description=ANY_TEXT, weight=FORM_VALUE, seal=ANY_TEXT, carrier=ANY_TEXT,
       tracking=ANY_TEXT, insured=FORM_VALUE, shipped_on=st.one_of(st.none(), DATES), certs=st.one_of(
           st.sampled_from(["piece", "lot", ""]), ANY_TEXT), delivered_on=st.one_of(st.none(), DATES),
       receiver=ANY_TEXT, no_packages=st.sampled_from([False, False, None, []]))
def test_delivery_shipment_and_delivery(shipping, qty, description, weight, seal, carrier, tracking, insured,
                                        shipped_on, certs, delivered_on, receiver, no_packages):
    w = shipping
    data = ShipmentInput(order_id=w["order"].id, quantities={w["line"]: qty},
                         packages=[PackageInput(description, weight, seal)], carrier=carrier, tracking_no=tracking,
                         insured_value=insured, shipped_on=shipped_on, certificates=certs)
    if no_packages is not False:
        data.packages = no_packages
    made = _call(w, lambda: shipments.create_shipment(w["db"], w["admin"], data))
    if made is not None:
        assert 0 < made.quantity <= 50
        _call(w, lambda: shipments.record_delivery(w["db"], w["admin"], made.id, delivered_on, receiver))


@pytest.fixture
def delivered(shipping):
    w = shipping
    made = shipments.create_shipment(w["db"], w["admin"], ShipmentInput(
        order_id=w["order"].id, quantities={w["line"]: 50}, packages=[PackageInput("box", "850.5", "S")],
        carrier="SF", insured_value="1000", shipped_on=TODAY))
    shipments.record_delivery(w["db"], w["admin"], made.id, TODAY, "Ms Chen")
    return w


@PARTS
@given(kind=st.one_of(st.sampled_from(["repair", "complaint"]), ANY_TEXT, WRONG_TYPES),
       via=st.one_of(st.just("phone"), ANY_TEXT, WRONG_TYPES), words=ANY_TEXT, owner=ID,
       due=st.one_of(st.none(), DATES),
       received=st.one_of(st.none(), DATES), order=st.one_of(st.none(), ID), certificate=ANY_TEXT)
def test_after_sales_cases(delivered, kind, via, words, owner, due, received, order, certificate):
    w = delivered
    data = aftersales.CaseInput(kind, via, words, _own(owner, w["admin"].user_id), due, received_on=received,
                                order_id=_own(order, w["order"].id), certificate_no=certificate)
    made = _call(w, lambda: aftersales.open_case(w["db"], w["admin"], data))
    if made is not None:
        assert aftersales.get_case(w["db"], made.id).id == made.id


def _own(value, own_id):
    return own_id if value == "own" else value


# ---- archive -------------------------------------------------------------------------------------------------------

@pytest.fixture
def filed(world, sales, order_factory, make_user):
    order = order_factory()
    doc_id = filing.file_document(world["db"], sales, category="signed_contract", content=b"%PDF-1.4 signed",
                                  file_name="HT-1.pdf", order_no=order.order_no, title="Signed contract")
    # A production clerk asks to read sales' paper (management reads it freely and would be refused for that).
    return {**world, "order": order, "doc": doc_id, "asker": make_user("production", "clerk", "asker")}


@PARTS
@given(category=st.one_of(st.sampled_from(["signed_contract", "customer_letter"]), ANY_TEXT),
       content=st.one_of(st.binary(max_size=50), st.just(b""), ANY_TEXT, WRONG_TYPES),
       file_name=st.one_of(ANY_TEXT, WRONG_TYPES), order_no=ANY_TEXT,
       title=ANY_TEXT, cabinet=ANY_TEXT, shelf=ANY_TEXT, box=ANY_TEXT,
       kind=st.one_of(st.sampled_from(["read", "borrow"]), ANY_TEXT, WRONG_TYPES), purpose=ANY_TEXT,
       until=st.one_of(st.none(), DATES))
def test_archive_filing_locations_and_requests(filed, category, content, file_name, order_no, title, cabinet, shelf,
                                               box, kind, purpose, until):
    w = filed
    made = _call(w, lambda: filing.file_document(w["db"], w["admin"], category=category, content=content,
                                                 file_name=file_name, order_no=order_no, title=title,
                                                 cabinet=cabinet, shelf=shelf, box=box))
    if made is not None:
        assert filing.get_document_row(w["db"], made).id == made
    _call(w, lambda: filing.set_location(w["db"], w["admin"], w["doc"], cabinet, shelf, box))
    _call(w, lambda: requests.request_access(w["db"], w["asker"], w["doc"], kind, purpose, until))


@pytest.fixture
def granted(filed, make_user):
    w = filed
    db = w["db"]
    keeper = make_user("archive", "clerk", "keeper")
    req = requests.request_access(db, w["asker"], w["doc"], "borrow", "show to the customer",
                                  TODAY + dt.timedelta(days=2))
    requests.decide_request(db, make_user("production", "department_head", "prodhead"), req, True, "ok")
    requests.grant_request(db, keeper, req)
    return {**w, "keeper": keeper, "request": req}


@PARTS
@given(request=ID, due=st.one_of(st.none(), DATES, WRONG_TYPES), document=ID, note=st.one_of(ANY_TEXT, WRONG_TYPES))
def test_archive_loans(granted, request, due, document, note):
    w = granted
    _call(w, lambda: loans.hand_out(w["db"], w["keeper"], _own(request, w["request"]), due))
    _call(w, lambda: loans.return_document(w["db"], w["keeper"], _own(document, w["doc"]), note))


# ---- anchors: sound values succeed for the acting users, so the refusals above come from the values ------------------

def test_the_parts_accept_valid_values(sheet, ledger_order, shipping, filed, granted):
    w = sheet
    db, admin = w["db"], w["admin"]
    ledger.record_start(db, w["worker"], w["sheet"])
    assert ledger.record_finish(db, w["worker"], w["sheet"], ledger.FinishInput(50, 0, "10", "9.8", "0.15")).entry_no
    made = ledger_exceptions.record_exception(db, admin, ledger_exceptions.ExceptionInput(
        "material_shortage", "grain late", order_no=ledger_order["order_no"], impact_days=2))
    ledger_exceptions.add_notification(db, admin, made.exception_no, method="phone", notified_by="Chen")
    ledger_exceptions.close_exception(db, admin, made.exception_no, "delivered")
    meeting = meetings.hold_meeting(db, admin, meetings.MeetingInput("2026-11-16", attendees={"production": ["Head"]}))
    action = meetings.add_action(db, admin, meeting.meeting_no, meetings.ActionInput("call", admin.user_id,
                                                                                     "2026-11-20"))
    meetings.set_action_state(db, admin, action.id, "done")
    assert quality.create_standard_version(db, admin, quality.StandardInput("QS-P", "Ring", TODAY, [
        quality.CharacteristicInput("size", "band width", "2.0", "0.1", "0.1", "mm")], product_type="ring")).id
    inst = quality.create_instrument(db, admin, quality.InstrumentInput("CAL-P", "caliper", "caliper", TODAY, 365))
    quality.record_calibration(db, admin, inst.id, TODAY, "C-1")
    shipped = shipments.create_shipment(db, admin, ShipmentInput(
        order_id=shipping["order"].id, quantities={shipping["line"]: 50}, packages=[PackageInput("box", "850.5", "S")],
        carrier="SF", insured_value="1000", shipped_on=TODAY))
    shipments.record_delivery(db, admin, shipped.id, TODAY, "Ms Chen")
    assert aftersales.open_case(db, admin, aftersales.CaseInput("repair", "phone", "prong loose", admin.user_id,
                                                                TODAY + dt.timedelta(days=7),
                                                                order_id=shipping["order"].id))
    assert filing.file_document(db, admin, category="signed_contract", content=b"x", file_name="a.pdf")
    filing.set_location(db, admin, filed["doc"], "A", "1", "2")
    assert requests.request_access(db, filed["asker"], filed["doc"], "read", "audit", TODAY + dt.timedelta(days=5))
    assert loans.hand_out(db, granted["keeper"], granted["request"], TODAY + dt.timedelta(days=2))
    loans.return_document(db, granted["keeper"], filed["doc"], "back in box 07")
    assert audit.verify_chain(db).ok
