"""Test helpers for the review: put an order straight into a stage the review would have brought it to."""

from __future__ import annotations

from jewelryorders.models.orders import Order


def set_stage(db, order_id: int, stage: str) -> None:
    """Test data only: the stage as if the review had run (the review's own path is tested in test_review*.py)."""
    with db.unit_of_work() as s:
        s.get(Order, order_id).stage = stage
