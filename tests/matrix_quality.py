"""Permission matrix cases of the quality part: one representative service per permission key."""

from __future__ import annotations

import datetime as dt

from jewelryorders.services.quality import inspections, master, ncr
from jewelryorders.services.quality import papers as quality_papers
from jewelryorders.services.quality.inspections import InspectionInput


def _standard(code: str) -> master.StandardInput:
    return master.StandardInput(code, "matrix", dt.date(2026, 1, 1), [master.CharacteristicInput(
        "appearance", "Surface", criterion="clean")])


CALLS = {
    "quality.standards": lambda a, w: master.create_standard_version(w.db, a, _standard("QS-MATRIX")),
    "quality.instruments": lambda a, w: master.create_instrument(w.db, a, master.InstrumentInput(
        "MX-1", "caliper", "caliper", dt.date(2026, 1, 1))),
    "quality.control_points": lambda a, w: master.set_control_point(w.db, a, 1, fai_required=True, ipqc=False),
    "quality.inspect_iqc": lambda a, w: inspections.record_inspection(w.db, a, InspectionInput("iqc", 1, [],
                                                                                              lot_id=1)),
    "quality.inspect_fai": lambda a, w: inspections.record_inspection(w.db, a, InspectionInput("fai", 1, [],
                                                                                              task_sheet_id=1)),
    "quality.inspect": lambda a, w: inspections.record_inspection(w.db, a, InspectionInput(
        "fqc", 1, [], order_id=w.released.id)),
    "quality.disposition": lambda a, w: ncr.decide_disposition(w.db, a, 1, "scrap", note="x",
                                                               metal_recovered_g="0"),
    "quality.corrective": lambda a, w: ncr.submit_rectification(w.db, a, 1, "done"),
    "quality.verify": lambda a, w: ncr.verify(w.db, a, 1, effective=True, note="ok"),
    "quality.settings": lambda a, w: ncr.set_repeat_threshold(w.db, a, 4),
    "quality.print": lambda a, w: quality_papers.export_register(w.db, a, w.out("register.xlsx"),
                                                                 dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
}


def prepare(world) -> None:
    """Nothing to add: each call is refused by its permission before it looks anything up."""
