"""Widgets and models shared by several tabs."""
