"""The style master with an order line's defaults: created and changed only by those allowed, audited, checked."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from jewelryorders.models.audit import AuditEvent
from jewelryorders.models.orders import Style, StyleStone
from jewelryorders.services import styles
from jewelryorders.services.errors import PermissionDenied, ValidationError
from jewelryorders.services.styles import StyleInput, StyleStoneInput


def ring(**changes) -> StyleInput:
    values = dict(code="RG-18K-0815", name="18K 黃金六爪鑽石戒指", product_type="ring", default_metal="Au750",
                  standard_lead_days="25", target_weight_g="5.230", unit_price="2380.00", currency="HKD",
                  stones=[StyleStoneInput("diamond", "1", "0.500"), StyleStoneInput("diamond", "12", "0.360")])
    values.update(changes)
    return StyleInput(**values)


def _counts(db) -> tuple[int, int, int]:
    with db.read_session() as s:
        return (s.scalar(select(func.count()).select_from(Style)), s.scalar(select(func.count()).select_from(StyleStone)),
                s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.entity == "style")))


def test_a_style_keeps_an_order_lines_defaults_exactly(db, sales):
    created = styles.save_style(db, sales, ring())
    assert created.target_weight_mg == 5230 and created.unit_price == Decimal("2380.00")
    found = styles.find_style(db, "rg-18k-0815")
    assert found is not None and found.id == created.id
    assert (found.name, found.default_metal, found.currency) == ("18K 黃金六爪鑽石戒指", "Au750", "HKD")
    assert [(st.stone_type, st.count, st.carat) for st in found.stones] == [
        ("diamond", 1, Decimal("0.500")), ("diamond", 12, Decimal("0.360"))]
    assert styles.find_style(db, "NO-SUCH") is None
    assert [d.code for d in styles.list_style_details(db, "六爪")] == ["RG-18K-0815"]


def test_changing_a_style_is_audited_with_what_changed(db, sales):
    created = styles.save_style(db, sales, ring())
    changed = styles.save_style(db, sales, ring(unit_price="2500", stones=[]), style_id=created.id)
    assert changed.unit_price == Decimal("2500.00") and changed.stones == ()
    with db.read_session() as s:
        events = [(e.action, e.summary, json.loads(e.after_json)) for e in
                  s.scalars(select(AuditEvent).where(AuditEvent.entity == "style").order_by(AuditEvent.id))]
    assert [action for action, _summary, _after in events] == ["create", "update"]
    _action, summary, after = events[1]
    assert "RG-18K-0815" in summary
    assert "unit_price" in after and "stones" in after and "name" not in after


def test_a_role_without_the_right_is_refused_and_nothing_changes(db, sales, make_user):
    created = styles.save_style(db, sales, ring())
    quality = make_user("quality", "clerk", "inspector")
    before = _counts(db)
    with pytest.raises(PermissionDenied):
        styles.save_style(db, quality, ring(code="NEW-1"))
    with pytest.raises(PermissionDenied):
        styles.save_style(db, quality, ring(unit_price="1"), style_id=created.id)
    assert _counts(db) == before
    assert styles.get_style(db, created.id).unit_price == Decimal("2380.00")


def test_bad_input_names_the_fields_and_saves_nothing(db, sales):
    styles.save_style(db, sales, ring())
    before = _counts(db)
    with pytest.raises(ValidationError) as caught:
        styles.save_style(db, sales, ring(code="X-1", name="", target_weight_g="5.2345", unit_price="-3",
                                          default_metal="Au999x", stones=[StyleStoneInput("glass", "0", "0.1")]))
    fields = {problem.field for problem in caught.value.problems}
    assert {"name", "target_weight", "unit_price", "default_metal", "stones[1].type", "stones[1].count"} <= fields
    with pytest.raises(ValidationError) as duplicate:
        styles.save_style(db, sales, ring(code="rg-18k-0815"))
    assert "already exists" in str(duplicate.value)
    assert _counts(db) == before
