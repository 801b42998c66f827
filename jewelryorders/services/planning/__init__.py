"""Part 3, production planning: master data, plans, task sheets, checklist, forecast, Gantt."""
