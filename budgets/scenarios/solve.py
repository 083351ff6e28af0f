"""The gap solver on a scenario: the least domestic won to shift, per year and where, to put
every open plan year on the target path, within the limits the user sets.

The problem is built from aggregated figures (a scenario's state, a few thousand cells), and
solved by ``solver.gap_close`` (a linear programme, HiGHS). Limits:

* per scope and year, at most ``max_move_percent`` of the scope's domestic won may move;
* per scope, at most a cap in won over the open years (``caps``);
* per track, with ``programme_totals``: the track's international won over its programme's
  years may not exceed the programme's published total (1.2조 원 leapfrogging by 2030 ...).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from budgets.kpi.models import TargetOrigin
from budgets.kpi.rule import target_share_for, won_of_share
from rdportfolio.core.money import format_won

from .engine import Base, Kind, State, scenario_apply
from .models import Scenario
from .services import (
    programme_caps,
    scenario_adjustments_data,
    scenario_base_read,
    scenario_changes,
    scenario_create,
)
from .solver import Problem, Solution, Span, gap_close

BY = ("track", "field")
SOURCES = ("shift", "add")


@dataclass
class SolveRequest:
    by: str = "track"
    # shift: move domestic won (at most max_move_percent of a scope's, per year); add: new
    # international won (at most max_add_won per scope and year, if given)
    source: str = "shift"
    max_add_won: int | None = None
    max_move_percent: Decimal = Decimal(100)
    caps: dict[str, int] = field(default_factory=dict)  # scope -> won over the open years
    programme_totals: bool = True
    scenario_id: int | None = None  # start from this scenario's figures (else the baseline)


def _scope_of(by: str, cell) -> str:
    return cell[1] if by == "track" else cell[2]


def _request_check(request: SolveRequest) -> None:
    if request.by not in BY:
        raise ValueError(f"by: one of {', '.join(BY)}")
    if request.source not in SOURCES:
        raise ValueError(f"source: one of {', '.join(SOURCES)}")
    if not 0 <= request.max_move_percent <= 100:
        raise ValueError("max_move_percent: between 0 and 100")
    if request.max_add_won is not None and request.max_add_won < 0:
        raise ValueError("max_add_won: at least 0")
    negative = sorted(scope for scope, cap in request.caps.items() if cap < 0)
    if negative:
        raise ValueError(f"caps: negative for {', '.join(negative)}")


def _gaps(base: Base, state: State) -> dict[int, int]:
    """Target won less international won, per open year the plan has a target for."""
    gap = {}
    for year in base.open_years:
        target, origin = target_share_for(base.points, year)
        total = state.totals.get(year)
        if target is not None and total and origin != TargetOrigin.BASELINE:
            gap[year] = won_of_share(target, total) - state.international(year)
    return gap


def _programme_spans(request, years, scopes, spending) -> list[Span]:
    """Each track's spending over its programme's years within its published total."""
    spans = []
    for track, ((start, end), total, name) in programme_caps().items():
        span_years = tuple(year for year in years if start <= year <= end)
        if track not in scopes or not span_years:
            continue
        spent = sum(
            won
            for (scope, year), won in spending.items()
            if scope == track and start <= year <= end
        )
        shown = format_won(total, unit="eok", language="en")
        label = f"{name} programme total {shown} ({start}–{end})"
        spans.append(Span(track, span_years, max(0, total - spent), label=label))
    return spans


def problem_build(request: SolveRequest, base: Base, state: State) -> Problem:
    """The linear programme's data: gaps per open year, rooms per scope-year, spans."""
    _request_check(request)
    years = base.open_years
    adding = request.source == "add"
    domestic: dict[tuple[str, int], int] = defaultdict(int)
    international: dict[tuple[str, int], int] = defaultdict(int)
    for cell, (dom, intl) in state.cells.items():
        key = (_scope_of(request.by, cell), cell[0])
        domestic[key] += dom
        international[key] += intl
    scopes = sorted(
        {scope for scope, year in domestic if year in years and (adding or domestic[(scope, year)])}
    )
    unknown = sorted(set(request.caps) - set(scopes))
    if unknown:
        raise ValueError(f"caps: no {request.by} in the open years: {', '.join(unknown)}")
    gap = _gaps(base, state)

    def room_of(scope, year):
        if adding:  # new money: any one scope could take the whole year's gap
            most = max(0, gap.get(year, 0))
            return most if request.max_add_won is None else min(most, request.max_add_won)
        return math.floor(domestic[(scope, year)] * request.max_move_percent / 100)

    room = {(scope, year): room_of(scope, year) for scope in scopes for year in years}
    spans = [
        Span(scope, tuple(years), cap, label=f"cap on {scope}")
        for scope, cap in request.caps.items()
    ]
    if request.by == "track" and request.programme_totals:
        # Shifted won stays inside the track's budget: its international won is capped. Added
        # won grows the track's budget: the whole of it is capped.
        spending = international
        if adding:
            spending = {key: international[key] + domestic[key] for key in domestic}
        spans += _programme_spans(request, years, scopes, spending)
    return Problem(years=years, gap_won=gap, scopes=scopes, room_won=room, spans=spans)


def scenario_solve(request: SolveRequest, base: Base | None = None) -> tuple[Solution, Problem]:
    """Solve from the baseline, or from a scenario's figures."""
    base = base or scenario_base_read()
    changes = []
    if request.scenario_id is not None:
        changes = scenario_changes(Scenario.objects.get(pk=request.scenario_id))
    state, _rates = scenario_apply(base, changes)
    problem = problem_build(request, base, state)
    return gap_close(problem), problem


@transaction.atomic
def scenario_from_solution(
    *, request: SolveRequest, solution: Solution, name: str, owner, description: str = ""
) -> Scenario:
    """A draft holding the scenario solved from (if any), then one shift per scope and year."""
    adjustments = []
    if request.scenario_id is not None:
        adjustments = scenario_adjustments_data(Scenario.objects.get(pk=request.scenario_id))
    from technologies.models import Field

    fields = {f.code: f for f in Field.objects.all()} if request.by == "field" else {}
    for (scope, year), won in sorted(
        solution.allocation_won.items(), key=lambda kv: (kv[0][1], kv[0][0])
    ):
        kind = Kind.ADD if request.source == "add" else Kind.SHIFT
        adjustment = {"kind": kind, "from_year": year, "to_year": year, "amount_won": won}
        if request.by == "track":
            adjustment["track"] = scope
        else:
            adjustment["field"] = fields[scope]
        adjustments.append(adjustment)
    return scenario_create(name=name, owner=owner, description=description, adjustments=adjustments)
