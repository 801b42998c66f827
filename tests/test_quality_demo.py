"""The demo factory's quality records: standards (one superseded version), an instrument past its calibration,
inspections of every kind passed and failed, NCRs in several states and dispositions, an overdue action."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from jewelryorders import clock
from jewelryorders.db import open_database
from jewelryorders.demo import build_demo
from jewelryorders.models.quality import Inspection, Ncr
from jewelryorders.services import users
from jewelryorders.services.quality import master, ncr

from .conftest import TEST_TODAY


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    saved = users.SCRYPT_N
    users.SCRYPT_N = 2**10
    db = open_database("sqlite:///" + str(tmp_path_factory.mktemp("qdemo") / "demo.db"))
    try:
        with clock.frozen(TEST_TODAY):
            result = build_demo(db, n_orders=200, seed=3)
    finally:
        users.SCRYPT_N = saved
    yield db, result
    db.close()


def test_the_demo_has_quality_records_of_every_kind(demo_db):
    db, result = demo_db
    assert any("Quality" in note or "質量" in note for note in result.notes)
    with clock.frozen(TEST_TODAY):
        assert any(i.status() == "overdue" for i in master.list_instruments(db))
        assert any(v.state == "superseded" for v in master.list_standards(db))
        with db.read_session() as s:
            kinds = dict(s.execute(select(Inspection.kind, func.count()).group_by(Inspection.kind)).all())
            results = {r for (r,) in s.execute(select(Inspection.result).distinct())}
            statuses = {r for (r,) in s.execute(select(Ncr.status).distinct())}
            dispositions = {r for (r,) in s.execute(select(Ncr.disposition).distinct())}
        assert set(kinds) == {"iqc", "fai", "ipqc", "fqc"}, kinds
        assert results == {"passed", "failed"}
        assert statuses == {"open", "dispositioned", "closed"}
        assert {"scrap", "concession", None} <= dispositions
        assert ncr.overdue_actions(db)
        assert ncr.repeat_offences(db, "department")
