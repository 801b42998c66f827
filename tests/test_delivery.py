"""Delivery: shipping the quantity final inspection released, whole or in parts, with packages; certificates per
piece or lot naming the FQC; tracking dates; updates given to the customer; the order's stage; on-time delivery."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from jewelryorders.models.audit import AuditEvent
from jewelryorders.models.delivery import Certificate, Shipment
from jewelryorders.models.orders import Order
from jewelryorders.services.delivery import certificates, shipments
from jewelryorders.services.delivery.shipments import PackageInput, ShipmentInput
from jewelryorders.services.errors import GateError, PermissionDenied, ValidationError

from .delivery_support import quality_stand_in, ready_order  # noqa: F401  (fixtures)


@pytest.fixture
def logistics(make_user):
    return make_user("logistics", "clerk", "logi1")


def _count(db, model):
    with db.read_session() as s:
        return s.scalar(select(func.count(model.id)))


def _stage(db, order_id):
    with db.read_session() as s:
        return s.get(Order, order_id).stage


def ship(db, actor, order_id, qty, *, certs="lot", shipped_on=dt.date(2026, 11, 12), packages=None, **kw):
    [line] = shipments.open_lines(db, order_id)[:1]
    return shipments.create_shipment(db, actor, ShipmentInput(
        order_id=order_id, quantities={line.line_id: qty},
        packages=packages or [PackageInput(f"{qty} × 18K 金鑽石戒指, 每件獨立首飾盒", "850.5", "SEAL-0001")],
        carrier="順豐速運 SF Express", tracking_no="SF1234567890", insured_value="119000", shipped_on=shipped_on,
        certificates=certs, **kw))


def test_an_order_ships_in_two_parts_and_is_delivered(db, logistics, ready_order, quality_stand_in):
    order = ready_order(quantity=50)
    first = ship(db, logistics, order.id, 30)
    assert first.quantity == 30 and first.status == "shipped" and first.packages[0].label.endswith("-1/1")
    assert _stage(db, order.id) == "partly_shipped"
    [line] = shipments.open_lines(db, order.id)
    assert (line.ordered, line.shipped, line.open) == (50, 30, 20)
    assert quality_stand_in.checked == [(order.id, 30)]
    [row] = shipments.orders_to_ship(db)
    assert row.open == 20
    second = ship(db, logistics, order.id, 20, shipped_on=dt.date(2026, 11, 14))
    assert _stage(db, order.id) == "shipped"
    assert shipments.orders_to_ship(db) == []
    shipments.record_in_transit(db, logistics, first.id, dt.date(2026, 11, 13))
    shipments.record_delivery(db, logistics, first.id, dt.date(2026, 11, 14), "陳小姐")
    assert _stage(db, order.id) == "shipped"  # the second part is still on its way
    shipments.record_delivery(db, logistics, second.id, dt.date(2026, 11, 15))
    assert _stage(db, order.id) == "delivered"
    rate = shipments.on_time_rate(db, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert (rate.delivered, rate.on_time) == (1, 1) and rate.rate == 1
    assert shipments.on_time_rate(db, dt.date(2026, 12, 1), dt.date(2026, 12, 31)).rate is None


def test_late_delivery_counts_against_on_time(db, logistics, ready_order):
    order = ready_order(quantity=5, order_date=dt.date(2026, 10, 1), delivery_date=dt.date(2026, 11, 10))
    sh = ship(db, logistics, order.id, 5)
    shipments.record_delivery(db, logistics, sh.id, dt.date(2026, 11, 13))
    rate = shipments.on_time_rate(db, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert (rate.delivered, rate.on_time) == (1, 0) and rate.rate == 0


def test_shipping_more_than_ordered_is_refused_and_nothing_saved(db, logistics, ready_order):
    order = ready_order(quantity=10)
    with pytest.raises(ValidationError, match="more than the 10 still to ship"):
        ship(db, logistics, order.id, 11)
    ship(db, logistics, order.id, 6)
    with pytest.raises(ValidationError, match="more than the 4 still to ship"):
        ship(db, logistics, order.id, 5)
    assert _count(db, Shipment) == 1 and _stage(db, order.id) == "partly_shipped"


def test_shipping_more_than_released_is_refused(db, logistics, ready_order):
    order = ready_order(quantity=10, released=6)
    with pytest.raises(GateError, match="Final inspection released 6 pieces"):
        ship(db, logistics, order.id, 7)
    assert _count(db, Shipment) == 0 and _stage(db, order.id) == "ready_to_ship"


def test_shipping_before_fqc_is_refused(db, logistics, order_factory, quality_stand_in):
    from .review_support import set_stage

    order = order_factory(quantity=5)
    set_stage(db, order.id, "final_qc")
    with pytest.raises(GateError, match="final inspection .FQC. has passed"):
        ship(db, logistics, order.id, 5)
    assert _count(db, Shipment) == 0 and quality_stand_in.checked == []


def test_the_quality_gate_refusal_stops_the_shipment(db, logistics, ready_order, quality_stand_in):
    order = ready_order(quantity=5)
    quality_stand_in.refuse = "Nonconformance NCR-2026-00003 is open."
    before = _count(db, AuditEvent)
    with pytest.raises(GateError, match="NCR-2026-00003"):
        ship(db, logistics, order.id, 5)
    assert _count(db, Shipment) == 0 and _count(db, Certificate) == 0 and _count(db, AuditEvent) == before
    assert _stage(db, order.id) == "ready_to_ship"


def test_a_certificate_for_a_piece_that_failed_is_refused(db, logistics, ready_order, quality_stand_in):
    order = ready_order(quantity=5, released=0)
    quality_stand_in.released[order.id] = []  # nothing passed
    with pytest.raises(GateError, match="Final inspection released 0 pieces"):
        ship(db, logistics, order.id, 5)
    assert _count(db, Shipment) == 0 and _count(db, Certificate) == 0
    # shipped without certificates, then asked for them: still refused
    quality_stand_in.released[order.id] = [("FQC-A", 3, None)]
    sh = ship(db, logistics, order.id, 3, certs="")
    quality_stand_in.released[order.id] = []
    with pytest.raises(GateError, match="a certificate for a piece that failed"):
        certificates.issue_certificates(db, logistics, sh.id, "piece")
    assert _count(db, Certificate) == 0


def test_certificates_per_piece_and_per_lot_name_the_fqc(db, logistics, ready_order, quality_stand_in):
    order = ready_order(quantity=5)
    quality_stand_in.released[order.id] = [("FQC-2026-00001", 2, None), ("FQC-2026-00002", 3, None)]
    sh = ship(db, logistics, order.id, 3, certs="piece")
    assert [(c.quantity, c.fqc_no) for c in sh.certificates] == [(1, "FQC-2026-00001"), (1, "FQC-2026-00001"),
                                                                 (1, "FQC-2026-00002")]
    c = sh.certificates[0]
    assert c.metal == "Au750" and c.fineness_permille == 750 and c.net_metal_weight_mg == 3125
    assert c.stones == "diamond:12:0.360" and c.total_carat == Decimal("0.360")
    assert len({x.certificate_no for x in sh.certificates}) == 3
    lot = ship(db, logistics, order.id, 2, certs="lot")
    [cert] = lot.certificates
    assert (cert.kind, cert.quantity, cert.fqc_no, cert.net_metal_weight_mg) == ("lot", 2, "FQC-2026-00002", 6250)


def test_a_delivered_date_before_the_shipped_date_is_refused(db, logistics, ready_order):
    order = ready_order(quantity=5)
    sh = ship(db, logistics, order.id, 5, shipped_on=dt.date(2026, 11, 12))
    with pytest.raises(ValidationError, match="before the shipped date"):
        shipments.record_delivery(db, logistics, sh.id, dt.date(2026, 11, 11))
    with pytest.raises(ValidationError, match="in the future"):
        shipments.record_delivery(db, logistics, sh.id, dt.date(2026, 11, 30))
    assert shipments.get_shipment(db, sh.id).status == "shipped" and _stage(db, order.id) == "shipped"


def test_bad_packing_input_is_refused_with_every_problem(db, logistics, ready_order):
    order = ready_order(quantity=5)
    with pytest.raises(ValidationError) as err:
        ship(db, logistics, order.id, 5, packages=[PackageInput("", "-1", "")])
    fields = {p.field for p in err.value.problems}
    assert {"package_1_contents", "package_1_weight", "package_1_seal"} <= fields
    with pytest.raises(ValidationError, match="at least one package"):
        shipments.create_shipment(db, logistics, ShipmentInput(order.id, {}, [], "DHL"))
    assert _count(db, Shipment) == 0


def test_customer_updates_are_recorded_with_when_and_how(db, logistics, sales, ready_order):
    order = ready_order(quantity=5)
    sh = ship(db, logistics, order.id, 5)
    view = shipments.record_customer_update(db, sales, sh.id, "phone", "已告知陳小姐單號 SF1234567890")
    [u] = view.updates
    assert u.channel == "phone" and u.status == "shipped" and u.by == "Sales1"
    with pytest.raises(ValidationError):
        shipments.record_customer_update(db, sales, sh.id, "pigeon")


def test_only_logistics_ships(db, sales, ready_order):
    order = ready_order(quantity=5)
    with pytest.raises(PermissionDenied):
        ship(db, sales, order.id, 5)


def test_the_demo_ships_delivers_and_carries_cases_of_every_kind(db, make_user, sales, ready_order):
    import random

    from jewelryorders import clock
    from jewelryorders.demo import delivery as delivery_demo

    actors = {"logistics": make_user("logistics", "clerk", "logistics"),
              "logistics.head": make_user("logistics", "department_head", "logistics.head"),
              "sales": sales, "technical": make_user("technical", "clerk", "technical")}
    for _i in range(10):
        ready_order(quantity=4, order_date=dt.date(2026, 10, 1), delivery_date=dt.date(2026, 11, 20))
    note = delivery_demo.advance_demo(db, random.Random(1), actors, clock.today())
    assert "10 shipments" in note and "2 orders in two parts" in note
    with db.read_session() as s:
        statuses = {st for (st,) in s.execute(select(Shipment.status))}
        stage_counts = dict(s.execute(select(Order.stage, func.count()).group_by(Order.stage)).all())
    assert statuses == {"shipped", "in_transit", "delivered"}
    assert stage_counts["delivered"] == 4 and stage_counts["partly_shipped"] == 2
    from jewelryorders.services.delivery import aftersales

    cases = aftersales.list_cases(db)
    assert {c.kind for c in cases} == {"quality_problem", "wearing_problem", "repair", "maintenance", "complaint"}
    assert {c.status for c in cases} == {"open", "closed"}
