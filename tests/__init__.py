"""Test suite of jewelryorders."""
