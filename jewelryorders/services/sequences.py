"""Numbers for orders, task sheets, inspections, ...: one sequence per kind and year, unique and never reused."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models.sequences import NumberSequence

# kind -> (prefix, digits). Later parts add theirs with register_kind().
NUMBER_FORMATS: dict[str, tuple[str, int]] = {
    "order": ("JO", 5),
    "customer": ("C", 5),
}


def register_kind(kind: str, prefix: str, digits: int) -> None:
    NUMBER_FORMATS[kind] = (prefix, digits)


def next_value(session: Session, kind: str, year: int) -> int:
    """Reserve the next value inside the caller's transaction (row-locked, so two workstations never share one)."""
    cache = session.info.setdefault("number_sequences", {})
    seq = cache.get((kind, year))
    if seq is None:
        stmt = select(NumberSequence).where(NumberSequence.kind == kind, NumberSequence.year == year).with_for_update()
        seq = session.execute(stmt).scalar_one_or_none()
        if seq is None:
            try:
                with session.begin_nested():
                    seq = NumberSequence(kind=kind, year=year, last_value=0)
                    session.add(seq)
            except IntegrityError:  # another workstation created it first
                seq = session.execute(stmt).scalar_one()
        cache[(kind, year)] = seq  # locked for the rest of this transaction, so the cached value stays true
    seq.last_value += 1
    return seq.last_value


def next_number(session: Session, kind: str, year: int | None) -> str:
    prefix, digits = NUMBER_FORMATS[kind]
    value = next_value(session, kind, year or 0)
    if year:
        return f"{prefix}-{year}-{value:0{digits}d}"
    return f"{prefix}{value:0{digits}d}"
