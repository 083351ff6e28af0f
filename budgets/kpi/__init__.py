"""The KPI: the international-collaboration share of the ministry's industrial R&D budget.

One unit, apart from the money records it reads: the rule (``rule``), its runs
and snapshots (``models``), the recompute and its triggers (``services``,
``signals``, ``tasks``), the share API (``api``), its admin and the
``recompute_share`` command. How it works: docs/kpi.md.
"""
