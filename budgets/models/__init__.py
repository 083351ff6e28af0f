"""Money: project budget lines, the ministry's totals, exchange rates, target plans.

The international-collaboration share computed from them is the KPI unit, in ``budgets.kpi``.
"""

from .lines import (
    Basis,
    BudgetLine,
    executed_year_not_begun,
)
from .targets import CollaborationTarget, TargetKind, TargetPlan, TargetPlanQuerySet
from .years import (
    ExchangeRate,
    ExchangeRateQuerySet,
    MinistryBudget,
    TotalBasis,
    YearClosing,
)

__all__ = [
    "Basis",
    "BudgetLine",
    "CollaborationTarget",
    "ExchangeRate",
    "ExchangeRateQuerySet",
    "MinistryBudget",
    "TargetPlan",
    "TargetKind",
    "TargetPlanQuerySet",
    "TotalBasis",
    "YearClosing",
    "executed_year_not_begun",
]
