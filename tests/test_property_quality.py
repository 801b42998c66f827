"""Property-based (issue 9) for quality's inspections and nonconformance reports: `record_inspection` and the NCR's
disposition (rework, repair, scrap, concession), corrective action, rectification, verification and closing given
hostile values (wrong types, control characters, huge, negative and NaN numbers, far dates, unknown choices, lists
instead of text) either succeed validly or refuse with a message (ValidationError, GateError, NotFound...), and a
refused call changes nothing: every table of the file, the audit trail included, is compared before and after.

Each example starts from a call that succeeds and makes one to three of its values hostile, so every field's own
check is reached (values all hostile at once would stop at the first field checked)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import Phase, event, given
from hypothesis import strategies as st

from jewelryorders.services import audit
from jewelryorders.services.quality import inspections, ncr
from jewelryorders.services.quality.inspections import InspectionInput, Measurement

from .planning_support import contracted, factory  # noqa: F401,F811  (fixtures)
from .test_property_parts import _call as _checked_call
from .test_property_services import ANY_TEXT, DATES, EXAMPLES, ID, NUMBERS, SMALL_INT, WRONG_TYPES
from .test_quality import _to_final_qc, good_values, qworld  # noqa: F401  (fixture)

# No shrinking: a failing example is printed as found (shrinking these calls can take minutes of CI time).
QUALITY = EXAMPLES.__class__(EXAMPLES, max_examples=40, phases=[Phase.explicit, Phase.reuse, Phase.generate])
TODAY = dt.date(2026, 11, 16)

# What a form, a scanner or a broken import could hand a field.
HOSTILE = st.one_of(ANY_TEXT, NUMBERS, DATES, WRONG_TYPES, st.just(Decimal("sNaN")))
KEY = st.one_of(st.integers(min_value=-10**30, max_value=10**30), WRONG_TYPES, ANY_TEXT, st.just(2**63), st.just(-1), st.just(0))
CHOICE = st.one_of(ANY_TEXT, WRONG_TYPES, NUMBERS)
MEASURED = st.one_of(HOSTILE, st.sampled_from(["17.02 mm", "17.02 g", "-1", "NaN", "1e400", "Infinity", "-0",
                                               "0.123456", "1,7", "١٧", "17.02mm\x00", "合格", "fail"]),
                     st.just(Decimal("NaN")), st.just(Decimal("-Infinity")), st.just(float("nan")), st.just(10**40))


def _call(w, call):
    """Success, or a domain error with a message and nothing changed (counted: --hypothesis-show-statistics)."""
    result = _checked_call(w, call)
    event("succeeded" if result is not None else "refused")
    return result


def _hostile(fields: dict) -> st.SearchStrategy:
    """One to three (field, hostile value) pairs of the given fields."""
    return st.lists(st.one_of(*[st.tuples(st.just(name), strategy) for name, strategy in fields.items()]),
                    min_size=1, max_size=3)


@pytest.fixture
def qprops(db, tmp_path, admin, qworld):
    path = tmp_path / "factory.db"
    if not path.exists():
        pytest.skip("the table snapshot reads the SQLite file")
    _to_final_qc(db, qworld)
    return {"db": db, "path": path, "admin": admin, "q": qworld}


# ---- record_inspection ----------------------------------------------------------------------------------------------

INSPECTION_FIELDS = {
    "kind": st.one_of(st.sampled_from(["fqc", "ipqc", "iqc"]), CHOICE),
    "standard_id": KEY, "order_id": KEY, "lot_id": KEY, "task_sheet_id": KEY, "reinspects_ncr_id": KEY,
    "sampling": st.one_of(st.just("aql"), CHOICE), "aql": HOSTILE, "quantity": st.one_of(SMALL_INT, HOSTILE),
    "sample_size": st.one_of(SMALL_INT, HOSTILE), "quantity_failed": st.one_of(SMALL_INT, HOSTILE),
    "note": HOSTILE, "found_where": HOSTILE, "responsible_department": st.one_of(
        st.sampled_from(["purchasing", "sales"]), CHOICE), "responsible_person_id": KEY,
    "measurements": st.one_of(WRONG_TYPES, ANY_TEXT, st.lists(st.one_of(WRONG_TYPES, ANY_TEXT), max_size=3)),
    # one measurement's parts (the characteristic picked by the value's length)
    "value": MEASURED, "instrument_id": KEY, "measurement_note": HOSTILE, "characteristic_id": KEY,
    "extra_measurement": KEY,
}


def _inspection(q, failing: bool, changes: list) -> InspectionInput:
    """A first article of the casting step (it can be inspected any number of times) with some values hostile."""
    values = good_values(q, Weight=("4.5", q.scale)) if failing else good_values(q)
    data = InspectionInput("fai", q.product_std.id, values, task_sheet_id=q.sheets["Casting"], quantity=1)
    for name, value in changes:
        if name in ("value", "instrument_id", "measurement_note", "characteristic_id"):
            index = len(repr(value)) % len(values)  # deterministic (str hashes differ between runs)
            field = {"measurement_note": "note"}.get(name, name)
            values[index] = dataclasses.replace(values[index], **{field: value})
        elif name == "extra_measurement":
            values.append(Measurement(value, "1"))
        else:
            setattr(data, name, value)
    return data


@QUALITY
@given(failing=st.booleans(), changes=_hostile(INSPECTION_FIELDS))
def test_record_inspection_with_hostile_values(qprops, failing, changes):
    w, q = qprops, qprops["q"]
    made = _call(w, lambda: inspections.record_inspection(w["db"], q.inspector, _inspection(q, failing, changes)))
    if made is not None:
        assert made.result in ("passed", "failed")
        assert 0 <= made.quantity_passed <= made.quantity and 0 <= made.quantity_failed <= made.quantity
        assert bool(made.ncr_no) == (made.result == "failed")
        assert inspections.get_inspection(w["db"], made.inspection_no).id == made.id
        if made.ncr_no:
            opened = ncr.get_ncr(w["db"], made.ncr_no)
            assert opened.quantity >= 1 and opened.responsible_department


# ---- NCR: disposition --------------------------------------------------------------------------------------------

def _open_ncr(w) -> ncr.NcrView:
    """A first article that fails on its weight: an open NCR for the hostile calls to work on."""
    q = w["q"]
    made = inspections.record_inspection(w["db"], q.worker, InspectionInput(
        "fai", q.product_std.id, good_values(q, Weight=("4.5", q.scale)), task_sheet_id=q.sheets["Casting"],
        quantity=1))
    assert made.result == "failed" and made.ncr_no
    return ncr.get_ncr(w["db"], made.ncr_no)


DISPOSITION_FIELDS = {
    "ncr_id": KEY, "disposition": st.one_of(st.sampled_from(["rework", "repair", "scrap", "concession"]), CHOICE),
    "note": HOSTILE, "customer_approval": HOSTILE, "metal_recovered_g": st.one_of(NUMBERS, HOSTILE),
    "sheet_id": KEY, "expected_version": st.one_of(KEY, st.just(1)),
}


@QUALITY
@given(disposition=st.sampled_from(["rework", "repair", "scrap", "concession"]),
       changes=_hostile(DISPOSITION_FIELDS))
def test_ncr_disposition_with_hostile_values(qprops, disposition, changes):
    w, q = qprops, qprops["q"]
    n = _open_ncr(w)
    args = {"ncr_id": n.id, "disposition": disposition, "note": "reset the stones",
            "customer_approval": "Ms Chan, e-mail 2026-11-16", "metal_recovered_g": "3.412", "sheet_id": None,
            "expected_version": n.version, **dict(changes)}
    made = _call(w, lambda: ncr.decide_disposition(w["db"], q.head, args.pop("ncr_id"), args.pop("disposition"),
                                                   **args))
    if made is not None:
        assert made.status == "dispositioned" and made.disposition in ("rework", "repair", "scrap", "concession")
        assert made.metal_recovered_mg is None or made.metal_recovered_mg >= 0


# ---- NCR: corrective action, rectification, verification, close -----------------------------------------------------

CORRECTIVE_FIELDS = {
    "ncr_id": KEY, "method": st.one_of(st.just("free"), CHOICE),
    "root_cause": st.one_of(HOSTILE, st.lists(st.one_of(ANY_TEXT, NUMBERS, WRONG_TYPES), max_size=6)),
    "action": HOSTILE, "owner_id": KEY, "due": st.one_of(DATES, HOSTILE), "report": HOSTILE,
    "effective": st.one_of(CHOICE, st.sampled_from(["no", "yes", 0, 1, None])), "verification_note": HOSTILE,
    "expected_version": st.one_of(KEY, st.just(99)), "threshold": st.one_of(SMALL_INT, HOSTILE),
}


@QUALITY
@given(changes=_hostile(CORRECTIVE_FIELDS))
def test_ncr_corrective_action_verification_and_close_with_hostile_values(qprops, changes):
    w, q = qprops, qprops["q"]
    db = w["db"]
    n = _open_ncr(w)
    ncr.decide_disposition(db, q.head, n.id, "scrap", note="wrong alloy", metal_recovered_g="1")
    v = {"ncr_id": n.id, "method": "five_why", "root_cause": ["loose", "thin prongs"], "action": "replace the tool",
         "owner_id": q.worker.user_id, "due": TODAY, "report": "tool replaced", "effective": True,
         "verification_note": "no loose stones since", "threshold": 3, **dict(changes)}
    hostile_version = dict(changes).get("expected_version")

    def version():
        return hostile_version if "expected_version" in dict(changes) else ncr.get_ncr_by_id(db, n.id).version

    _call(w, lambda: ncr.record_corrective_action(db, q.head, v["ncr_id"], method=v["method"],
                                                  root_cause=v["root_cause"], action=v["action"],
                                                  owner_id=v["owner_id"], due=v["due"],
                                                  expected_version=version()))
    _call(w, lambda: ncr.submit_rectification(db, q.planner, v["ncr_id"], v["report"], expected_version=version()))
    made = _call(w, lambda: ncr.verify(db, q.head, v["ncr_id"], effective=v["effective"],
                                       note=v["verification_note"], expected_version=version()))
    if made is not None:
        assert isinstance(v["effective"], bool), "only a yes or a no verifies an action"
        assert made.verified_effective is v["effective"]
    closed = _call(w, lambda: ncr.close_ncr(db, q.head, v["ncr_id"], expected_version=version()))
    if closed is not None:
        assert closed.status == "closed" and closed.verified_effective is True
    _call(w, lambda: ncr.set_repeat_threshold(db, q.head, v["threshold"]))


# ---- reads the windows and papers make ------------------------------------------------------------------------------

@QUALITY
@given(by=st.one_of(st.sampled_from(["department", "person", "defect", "month"]), CHOICE),
       date_from=st.one_of(st.none(), DATES), date_to=st.one_of(st.none(), DATES),
       status=st.one_of(st.none(), st.sampled_from(["open", "not_closed"]), ANY_TEXT),
       number=st.one_of(ANY_TEXT, st.just("NCR-2026-0001")), key=KEY)
def test_quality_reads_with_hostile_values(qprops, by, date_from, date_to, status, number, key):
    """The registers the windows and papers read refuse with a message too, never crash."""
    w = qprops
    _call(w, lambda: ncr.repeat_offences(w["db"], by, date_from=_date(date_from), date_to=_date(date_to)))
    _call(w, lambda: ncr.list_ncrs(w["db"], status=status, date_from=_date(date_from), date_to=_date(date_to)))
    _call(w, lambda: ncr.get_ncr(w["db"], number))
    _call(w, lambda: ncr.get_ncr_by_id(w["db"], key))
    _call(w, lambda: inspections.get_inspection(w["db"], number))
    _call(w, lambda: inspections.resolve_subject(w["db"], "fqc", number))


def _date(value):
    return value if isinstance(value, dt.date) or value is None else None


# ---- anchor: sound values succeed for the acting users, so the refusals above come from the values ------------------

def test_quality_accepts_valid_values(qprops):
    w = qprops
    q, db = w["q"], w["db"]
    n = _open_ncr(w)
    n = ncr.decide_disposition(db, q.head, n.id, "scrap", note="wrong alloy", metal_recovered_g="3.412")
    assert n.metal_recovered_mg == 3412
    n = ncr.record_corrective_action(db, q.head, n.id, method="five_why", root_cause=["loose", "thin prongs"],
                                     action="replace the tool", owner_id=q.worker.user_id, due=TODAY)
    n = ncr.submit_rectification(db, q.planner, n.id, "tool replaced")
    n = ncr.verify(db, q.head, n.id, effective=True, note="no loose stones since")
    assert ncr.close_ncr(db, q.head, n.id).status == "closed"
    assert inspections.record_inspection(db, q.inspector, _inspection(q, False, [])).result == "passed"
    passed = inspections.record_inspection(db, q.inspector, InspectionInput(
        "fqc", q.product_std.id, good_values(q), order_id=q.order_id))
    assert passed.result == "passed" and passed.quantity == 10
    assert audit.verify_chain(db).ok
