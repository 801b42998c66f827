"""The Qt user interface: one folder per tab; widgets call services through ui.operations, never the session."""
