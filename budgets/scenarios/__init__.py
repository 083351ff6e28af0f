"""What-if scenarios over the KPI: their adjustments, the engine that applies them to a share
run's figures, the solver that finds the cheapest plan to close a gap, their stored results,
and their API and admin. They read the KPI (``budgets.kpi``); the KPI never reads them.
"""
