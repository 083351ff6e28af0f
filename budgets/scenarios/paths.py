"""A scenario's three paths as figures: per year overall (target, gap, verdict) and by
track, field and partner country, each with its difference from the baseline."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from budgets.figures import share_percent
from budgets.kpi.models import Dimension, ShareStatus, TargetOrigin
from budgets.kpi.rule import target_share_for, won_of_share

from .engine import UNSPECIFIED, Base, Change, Path, State, expected_state, scenario_apply


@dataclass
class Figure:
    path: str
    fiscal_year: int
    dimension: str
    key: str
    international_won: int
    total_won: int | None
    share: Decimal | None
    target_share: Decimal | None = None
    target_won: int | None = None
    gap_won: int | None = None
    status: str = ShareStatus.NO_TARGET
    difference_won: int = 0


def figures_build(base: Base, paths: dict[str, State]) -> list[Figure]:
    """Every path's figures per plan year: overall (with target, gap, verdict) and by track,
    field and partner country; each with its difference from the baseline."""
    figures: list[Figure] = []
    baseline_sums = None
    for path in (Path.BASELINE, Path.SCENARIO, Path.EXPECTED):
        state = paths[path]
        sums: dict[tuple[int, str, str], int] = defaultdict(int)
        for (year, track, field_code, _tech, country), (_domestic, intl) in state.cells.items():
            sums[(year, Dimension.OVERALL, "")] += intl
            sums[(year, Dimension.TRACK, track or UNSPECIFIED)] += intl
            sums[(year, Dimension.FIELD, field_code or UNSPECIFIED)] += intl
            if intl:
                sums[(year, Dimension.COUNTRY, country or UNSPECIFIED)] += intl
        if baseline_sums is None:
            baseline_sums = sums
        keys = set(sums) | set(baseline_sums)
        for year in base.plan_years:
            keys.add((year, Dimension.OVERALL, ""))
        for year, dimension, key in sorted(keys):
            if year not in state.totals:
                continue
            figures.append(_figure(base, state, path, year, dimension, key, sums, baseline_sums))
    return figures


def _figure(base, state, path, year, dimension, key, sums, baseline_sums) -> Figure:
    intl = sums.get((year, dimension, key), 0)
    total = state.totals.get(year)
    share = share_percent(intl, total)
    figure = Figure(
        path, year, dimension, key, intl, total, share,
        difference_won=intl - baseline_sums.get((year, dimension, key), 0),
    )  # fmt: skip
    if dimension != Dimension.OVERALL:
        return figure
    figure.target_share, origin = target_share_for(base.points, year)
    if share is None:
        figure.status = ShareStatus.NO_DATA
    elif share > 100:
        figure.status = ShareStatus.INCONSISTENT
    elif origin == TargetOrigin.BASELINE:
        figure.status = ShareStatus.BASELINE
    elif figure.target_share is not None:
        figure.target_won = won_of_share(figure.target_share, total)
        figure.gap_won = figure.target_won - intl
        figure.status = ShareStatus.ON_TRACK if figure.gap_won <= 0 else ShareStatus.BEHIND
    return figure


def scenario_figures(base: Base, changes: list[Change]) -> tuple[list[Figure], State]:
    """The three paths' figures for ``changes`` over ``base``; raises ``AdjustmentError``."""
    state, rates = scenario_apply(base, changes)
    paths: dict[str, State] = {
        Path.BASELINE: base.state(),
        Path.SCENARIO: state,
        Path.EXPECTED: expected_state(base, state, rates),
    }
    return figures_build(base, paths), state
