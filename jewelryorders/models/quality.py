"""Quality control (part 5): versioned quality standards and their characteristics, measuring instruments, the
routing's control points, inspections (IQC, FAI, IPQC, FQC) with a measured value per characteristic,
nonconformance reports with their disposition and corrective action, and photos.

Numbers measured are `Numeric` (exact decimals); the unit of each characteristic says what they count.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..i18n import N_
from .base import Base, TimestampMixin, UTCDateTime, utcnow

# The six kinds of characteristic of procedure 5.1.
CHARACTERISTIC_KINDS: dict[str, str] = {
    "appearance": N_("Appearance"),
    "size": N_("Size"),
    "weight": N_("Weight"),
    "composition": N_("Metal composition"),
    "setting": N_("Stone-setting security"),
    "precision": N_("Precision"),
}

# Units a measured characteristic is written in; "" is a pass/fail criterion (no number).
MEASURE_UNITS: dict[str, str] = {
    "": N_("measure|pass/fail"),
    "mm": N_("measure|mm"),
    "g": N_("measure|g"),
    "ct": N_("measure|ct"),
    "permille": N_("measure|‰"),
    "um": N_("measure|µm"),
    "N": N_("measure|N"),
}

# What applies to a standard: finished products (by product type or style) or incoming material (by kind).
STANDARD_SCOPES: dict[str, str] = {
    "product": N_("scope|Product"),
    "material": N_("scope|Incoming material"),
}

INSTRUMENT_KINDS: dict[str, str] = {
    "scale": N_("instrument|Scale"),
    "caliper": N_("instrument|Caliper"),
    "xrf": N_("instrument|XRF analyser"),
    "ring_gauge": N_("instrument|Ring gauge"),
    "loupe": N_("instrument|Loupe"),
    "tester": N_("instrument|Tester"),
    "other": N_("instrument|Other"),
}

INSPECTION_KINDS: dict[str, str] = {
    "iqc": N_("Incoming inspection (IQC)"),
    "fai": N_("First-article inspection (FAI)"),
    "ipqc": N_("In-process inspection (IPQC)"),
    "fqc": N_("Final inspection (FQC)"),
}

INSPECTION_RESULTS: dict[str, str] = {
    "passed": N_("inspection|Passed"),
    "failed": N_("inspection|Failed"),
}

SAMPLING: dict[str, str] = {
    "full": N_("sampling|Whole quantity"),
    "aql": N_("sampling|AQL sample"),
}

FREQUENCIES: dict[str, str] = {
    "each_batch": N_("frequency|Each batch"),
    "each_shift": N_("frequency|Each shift"),
    "each_day": N_("frequency|Each day"),
    "every_2_hours": N_("frequency|Every 2 hours"),
}

NCR_STATUSES: dict[str, str] = {
    "open": N_("ncr|Open"),
    "dispositioned": N_("ncr|Dispositioned"),
    "closed": N_("ncr|Closed"),
}

DISPOSITIONS: dict[str, str] = {
    "rework": N_("disposition|Rework"),
    "repair": N_("disposition|Repair"),
    "scrap": N_("disposition|Scrap"),
    "concession": N_("disposition|Use as is by concession"),
}

ROOT_CAUSE_METHODS: dict[str, str] = {
    "five_why": N_("5-why"),
    "free": N_("Free text"),
}


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class QualityStandard(Base, TimestampMixin):
    """One version of a quality standard; the version in force on a day is the latest that took effect by then."""

    __tablename__ = "quality_standards"
    __table_args__ = (
        UniqueConstraint("code", "version_no", name="uq_quality_standards_code_version"),
        CheckConstraint(_in("scope", STANDARD_SCOPES), name="scope_known"),
        CheckConstraint("version_no > 0", name="version_no_positive"),
        CheckConstraint("length(code) > 0", name="code_not_empty"),
        Index("ix_quality_standards_code_effective", "code", "effective_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), nullable=False)
    version_no: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    scope: Mapped[str] = mapped_column(String(10), nullable=False, default="product")
    product_type: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    style_id: Mapped[int | None] = mapped_column(ForeignKey("styles.id"))
    material_kind: Mapped[str] = mapped_column(String(12), nullable=False, default="")
    effective_from: Mapped[dt.date] = mapped_column(Date, nullable=False)
    change_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    written_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    characteristics: Mapped[list["QualityCharacteristic"]] = relationship(
        back_populates="standard", cascade="all, delete-orphan", order_by="QualityCharacteristic.seq")


class QualityCharacteristic(Base):
    """What is checked: a number within nominal − lower … nominal + upper tolerance, or a pass/fail criterion."""

    __tablename__ = "quality_characteristics"
    __table_args__ = (
        UniqueConstraint("standard_id", "seq", name="uq_quality_characteristics_standard_seq"),
        CheckConstraint(_in("kind", CHARACTERISTIC_KINDS), name="kind_known"),
        CheckConstraint(_in("unit", MEASURE_UNITS), name="unit_known"),
        CheckConstraint("tol_minus IS NULL OR tol_minus >= 0", name="tol_minus_not_negative"),
        CheckConstraint("tol_plus IS NULL OR tol_plus >= 0", name="tol_plus_not_negative"),
        CheckConstraint("(unit = '') = (nominal IS NULL)", name="number_has_unit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("quality_standards.id", ondelete="CASCADE"), nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(12), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    nominal: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    tol_minus: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))   # None: no lower limit
    tol_plus: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))    # None: no upper limit
    unit: Mapped[str] = mapped_column(String(10), nullable=False, default="")
    criterion: Mapped[str] = mapped_column(Text, nullable=False, default="")
    method: Mapped[str] = mapped_column(Text, nullable=False, default="")
    instrument_kind: Mapped[str] = mapped_column(String(12), nullable=False, default="")

    standard: Mapped[QualityStandard] = relationship(back_populates="characteristics")


class Instrument(Base, TimestampMixin):
    """A measuring instrument (ISO 9001 7.1.5): past its calibration due date it measures nothing."""

    __tablename__ = "instruments"
    __table_args__ = (
        CheckConstraint(_in("kind", INSTRUMENT_KINDS), name="kind_known"),
        CheckConstraint("length(code) > 0", name="code_not_empty"),
        CheckConstraint("interval_days > 0", name="interval_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(12), nullable=False)
    serial_no: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    location: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    interval_days: Mapped[int] = mapped_column(Integer, nullable=False, default=365)
    last_calibrated: Mapped[dt.date | None] = mapped_column(Date)
    calibration_due: Mapped[dt.date] = mapped_column(Date, nullable=False, index=True)
    certificate_no: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}


class ControlPoint(Base):
    """What quality checks at a routing step: a first article before the batch, and/or in-process samples."""

    __tablename__ = "quality_control_points"
    __table_args__ = (
        CheckConstraint(_in("frequency", FREQUENCIES), name="frequency_known"),
        CheckConstraint("sample_size >= 0", name="sample_size_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    routing_step_id: Mapped[int] = mapped_column(ForeignKey("routing_steps.id", ondelete="CASCADE"), unique=True,
                                                 nullable=False)
    fai_required: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    ipqc: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    frequency: Mapped[str] = mapped_column(String(16), nullable=False, default="each_batch")
    sample_size: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    standard_code: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}


class Inspection(Base):
    """One inspection against the standard version in force: its measured values, result and quantities."""

    __tablename__ = "inspections"
    __table_args__ = (
        CheckConstraint(_in("kind", INSPECTION_KINDS), name="kind_known"),
        CheckConstraint(_in("result", INSPECTION_RESULTS), name="result_known"),
        CheckConstraint(_in("sampling", SAMPLING), name="sampling_known"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("sample_size > 0 AND sample_size <= quantity", name="sample_within_quantity"),
        CheckConstraint("quantity_passed >= 0 AND quantity_failed >= 0", name="counts_not_negative"),
        CheckConstraint("quantity_passed + quantity_failed <= quantity", name="counts_within_quantity"),
        Index("ix_inspections_order_kind", "order_id", "kind"),
        Index("ix_inspections_lot_id", "lot_id"),
        Index("ix_inspections_task_sheet_id", "task_sheet_id"),
        Index("ix_inspections_inspected_at", "inspected_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_no: Mapped[str] = mapped_column(String(24), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(4), nullable=False)
    standard_id: Mapped[int] = mapped_column(ForeignKey("quality_standards.id"), nullable=False)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"))
    task_sheet_id: Mapped[int | None] = mapped_column(ForeignKey("task_sheets.id"))
    control_point_id: Mapped[int | None] = mapped_column(ForeignKey("quality_control_points.id"))
    reinspects_ncr_id: Mapped[int | None] = mapped_column(ForeignKey("ncrs.id", use_alter=True,
                                                                     name="fk_inspections_reinspects_ncr_id_ncrs"))
    sampling: Mapped[str] = mapped_column(String(4), nullable=False, default="full")
    aql: Mapped[str] = mapped_column(String(8), nullable=False, default="")
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)        # pieces (or lot) the decision covers
    sample_size: Mapped[int] = mapped_column(Integer, nullable=False)     # pieces actually looked at
    quantity_passed: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    quantity_failed: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    result: Mapped[str] = mapped_column(String(8), nullable=False)
    inspected_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")

    standard: Mapped[QualityStandard] = relationship()
    results: Mapped[list["InspectionResult"]] = relationship(back_populates="inspection",
                                                             cascade="all, delete-orphan",
                                                             order_by="InspectionResult.id")


class InspectionResult(Base):
    """The value measured (or the pass/fail seen) for one characteristic, and the instrument used."""

    __tablename__ = "inspection_results"
    __table_args__ = (
        UniqueConstraint("inspection_id", "characteristic_id", name="uq_inspection_results_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"), nullable=False)
    characteristic_id: Mapped[int] = mapped_column(ForeignKey("quality_characteristics.id"), nullable=False)
    measured: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    passed: Mapped[bool] = mapped_column(Boolean, nullable=False)
    instrument_id: Mapped[int | None] = mapped_column(ForeignKey("instruments.id"))
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")

    inspection: Mapped[Inspection] = relationship(back_populates="results")
    characteristic: Mapped[QualityCharacteristic] = relationship()


class Ncr(Base, TimestampMixin):
    """A nonconformance report (ISO 9001 8.7 and 10.2): what was found, its disposition, the corrective action,
    the responsible department's rectification report and quality's verification before it closes."""

    __tablename__ = "ncrs"
    __table_args__ = (
        CheckConstraint(_in("status", NCR_STATUSES), name="status_known"),
        CheckConstraint("disposition IS NULL OR " + _in("disposition", DISPOSITIONS), name="disposition_known"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("status != 'closed' OR verified_effective = true", name="closed_is_verified"),
        CheckConstraint("metal_recovered_mg IS NULL OR metal_recovered_mg >= 0", name="metal_not_negative"),
        Index("ix_ncrs_status", "status"),
        Index("ix_ncrs_order_id", "order_id"),
        Index("ix_ncrs_found_at", "found_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ncr_no: Mapped[str] = mapped_column(String(24), unique=True, nullable=False)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id"), nullable=False, index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"))
    task_sheet_id: Mapped[int | None] = mapped_column(ForeignKey("task_sheets.id"))
    status: Mapped[str] = mapped_column(String(14), nullable=False, default="open")
    description: Mapped[str] = mapped_column(Text, nullable=False)
    defect_kind: Mapped[str] = mapped_column(String(12), nullable=False, default="")
    found_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    found_where: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    batch: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)
    responsible_department: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    responsible_person_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Disposition and who decided it.
    disposition: Mapped[str | None] = mapped_column(String(12))
    disposition_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    customer_approval: Mapped[str] = mapped_column(Text, nullable=False, default="")
    ledger_entry_no: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    metal_recovered_mg: Mapped[int | None] = mapped_column(BigInteger)
    # Corrective action.
    root_cause_method: Mapped[str] = mapped_column(String(10), nullable=False, default="")
    root_cause: Mapped[str] = mapped_column(Text, nullable=False, default="")
    action: Mapped[str] = mapped_column(Text, nullable=False, default="")
    action_owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action_due: Mapped[dt.date | None] = mapped_column(Date)
    rectification: Mapped[str] = mapped_column(Text, nullable=False, default="")
    rectified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    rectified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Verification of effectiveness.
    verified_effective: Mapped[bool | None] = mapped_column(Boolean)
    verification_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    inspection: Mapped[Inspection] = relationship(foreign_keys=[inspection_id])


class QualityPhoto(Base):
    """A photo of an inspection or a nonconformance, kept in the document store."""

    __tablename__ = "quality_photos"
    __table_args__ = (CheckConstraint("(inspection_id IS NULL) != (ncr_id IS NULL)", name="one_owner"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"), index=True)
    ncr_id: Mapped[int | None] = mapped_column(ForeignKey("ncrs.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), nullable=False)
