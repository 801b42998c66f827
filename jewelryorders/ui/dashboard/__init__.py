"""The Dashboard tab: the factory at a glance (charts drawn with QtCharts from the dashboard services)."""
