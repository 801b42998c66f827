"""Production scheduling as plain functions over plain data: plans, re-planning, optimisation, delay forecast."""

from .calendar import (
    CapacityLedger,
    DayLoad,
    WorkingDays,
    add_loads,
    load_of,
    overloaded_days,
    spread_evenly,
    step_shape,
    working_days_between,
    workshop_load,
)
from .checks import check_change, ensure_valid_inputs, input_problems, validate_schedule
from .forecast import forecast
from .greedy import priority_key, propose_plan, replan_all
from .model import (
    MONDAY_TO_FRIDAY,
    MONDAY_TO_SATURDAY,
    OPTIMISE_STATUS,
    ChangeCheck,
    ForecastResult,
    Job,
    Load,
    Operation,
    OptimiseResult,
    ReplanResult,
    Schedule,
    ScheduledOperation,
    SchedulingError,
    StepState,
    WorkshopCalendar,
    lateness_days,
    step_state,
)

# 'Optimise' lives in jewelryorders.scheduling.optimise and is not re-exported: OR-Tools takes half a second to
# import (it pulls in pandas), which the Gantt and the forecast should not pay.

__all__ = [
    "MONDAY_TO_FRIDAY",
    "MONDAY_TO_SATURDAY",
    "OPTIMISE_STATUS",
    "CapacityLedger",
    "ChangeCheck",
    "DayLoad",
    "ForecastResult",
    "Job",
    "Load",
    "Operation",
    "OptimiseResult",
    "ReplanResult",
    "Schedule",
    "ScheduledOperation",
    "SchedulingError",
    "StepState",
    "WorkingDays",
    "WorkshopCalendar",
    "add_loads",
    "check_change",
    "ensure_valid_inputs",
    "forecast",
    "input_problems",
    "lateness_days",
    "load_of",
    "overloaded_days",
    "priority_key",
    "propose_plan",
    "replan_all",
    "spread_evenly",
    "step_shape",
    "step_state",
    "validate_schedule",
    "working_days_between",
    "workshop_load",
]
