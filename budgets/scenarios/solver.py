"""The least international won to add, and where, to put every year on the target path.

A small linear programme over aggregated figures (never budget lines), solved by HiGHS
through scipy's ``linprog``:

* one variable per scope and year: the won moved to (or added as) international
  collaboration in that scope (a track, field or partner country) that year;
* each year's variables sum to at least that year's gap (target won less international
  won), with a slack that is penalised far above any won, so that a year no allocation
  can close still gets all that fits, and its shortfall is reported, not a bare "infeasible";
* limits the user sets: the most a scope may take in a year (``room``, e.g. a share of
  its domestic lines) and the most over a span of years (``spans``, e.g. a programme's
  published total less what it already spends internationally).

It is solved twice: first the least total won (and the least shortfall), then, that total
fixed, the allocation that fills every scope's room evenly (the largest fraction of a
room used is as small as it can be), so that the proposal does not pile everything on the
first scope the solver happens to pick. The figures come back in whole won: the LP works in
억 원 for its numerics, and the rounding keeps each year's sum and every limit exact.

Pure: no database here. ``budgets.kpi`` reads the inputs from a run's snapshots and rollups.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, TypedDict, cast

import numpy as np
import numpy.typing as npt
from scipy.optimize import linprog
from scipy.sparse import csr_matrix, hstack, lil_matrix, vstack

UNIT = 100_000_000  # the LP's unit: 억 원
SHORTFALL_PENALTY = 1_000.0  # per 억 won short: far above any won that could close it

ScopeYear = tuple[str, int]  # (scope, year): one variable of the LP
Bound = tuple[float, float | None]  # a variable's (lower, upper) bound, in 억 원
Vector = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Span:
    """At most ``cap_won`` in total for ``scope`` over ``years``."""

    scope: str
    years: tuple[int, ...]
    cap_won: int
    label: str = ""


@dataclass
class Problem:
    years: list[int]
    gap_won: dict[int, int]  # target won less international won; <= 0: nothing needed
    scopes: list[str]
    # The most a scope may take in a year; a scope-year not listed may take nothing.
    room_won: dict[tuple[str, int], int]
    spans: list[Span] = field(default_factory=list)


class RoomLimit(TypedDict):
    kind: Literal["room"]
    scope: str
    year: int
    cap_won: int


class SpanLimit(TypedDict):
    kind: Literal["span"]
    scope: str
    years: list[int]
    cap_won: int
    label: str


Limit = RoomLimit | SpanLimit


@dataclass
class Solution:
    feasible: bool
    needed_won: dict[int, int]  # per year: what closes the gap (0 where on track)
    allocation_won: dict[tuple[str, int], int]  # (scope, year) -> won; only non-zero entries
    shortfall_won: dict[int, int]  # per year: what no allocation within the limits can close
    binding: list[str]  # the limits that stop a short year from closing, named
    # The same limits as data, for pages that word them in the reader's language:
    # {"kind": "room", "scope", "year", "cap_won"} or {"kind": "span", "scope", "years",
    # "cap_won", "label"}
    binding_limits: list[Limit] = field(default_factory=list)

    @property
    def total_won(self) -> int:
        return sum(self.allocation_won.values())


def gap_close(problem: Problem) -> Solution:
    """Solve ``problem``: the least won per year, allocated within every limit."""
    _refuse_negative_limits(problem)
    needed = {year: max(0, problem.gap_won.get(year, 0)) for year in problem.years}
    short_years = [year for year in problem.years if needed[year] > 0]
    if not short_years:
        return Solution(True, needed, {}, {}, [])
    cells = [
        (scope, year)
        for year in short_years
        for scope in problem.scopes
        if problem.room_won.get((scope, year), 0) > 0
    ]
    n_cells, n_slack = len(cells), len(short_years)
    slack_column = {year: n_cells + i for i, year in enumerate(short_years)}
    bounds: list[Bound]
    bounds = [(0, problem.room_won[cell] / UNIT) for cell in cells] + [(0, None)] * n_slack
    rows, upper = _constraints(problem, cells, short_years, needed, slack_column)

    # 1. The least won, the least shortfall first.
    cost = np.concatenate([np.ones(n_cells), np.full(n_slack, SHORTFALL_PENALTY)])
    first = linprog(cost, A_ub=rows, b_ub=upper, bounds=bounds, method="highs")
    if first.status != 0:
        raise RuntimeError(f"the solver failed: {first.message}")
    slack: dict[int, float] = {year: first.x[slack_column[year]] for year in short_years}
    total = float(first.x[:n_cells].sum())

    # 2. That total, with each room filled as evenly as it can be: minimise u, the largest
    # fraction of any room used (variables: the cells, the slacks fixed, then u).
    x = first.x[:n_cells]
    if n_cells:
        even = _even(problem, cells, rows, upper, bounds, slack, slack_column, total, n_cells)
        x = x if even is None else even

    allocation = _whole_won(problem, cells, x, needed, slack)
    shortfall = {
        year: needed[year] - sum(allocation.get((scope, year), 0) for scope in problem.scopes)
        for year in short_years
    }
    shortfall = {year: won for year, won in shortfall.items() if won > 0}
    limits = _binding(problem, allocation, shortfall) if shortfall else []
    binding = [_limit_name(limit) for limit in limits]
    return Solution(not shortfall, needed, allocation, shortfall, binding, limits)


def _refuse_negative_limits(problem: Problem) -> None:
    for (scope, year), room in problem.room_won.items():
        if room < 0:
            raise ValueError(f"room for {scope} in {year} is negative ({room:,} won)")
    for span in problem.spans:
        if span.cap_won < 0:
            raise ValueError(f"the cap for {span.scope} is negative ({span.cap_won:,} won)")


def _constraints(
    problem: Problem,
    cells: list[ScopeYear],
    short_years: list[int],
    needed: dict[int, int],
    slack_column: dict[int, int],
) -> tuple[csr_matrix, Vector]:
    """Rows: -(a year's cells) - its slack <= -its gap; a span's cells <= its cap."""
    column = {cell: i for i, cell in enumerate(cells)}
    rows = lil_matrix((len(short_years) + len(problem.spans), len(cells) + len(short_years)))
    upper = np.zeros(rows.shape[0])
    for i, year in enumerate(short_years):
        for scope in problem.scopes:
            if (scope, year) in column:
                rows[i, column[(scope, year)]] = -1
        rows[i, slack_column[year]] = -1
        upper[i] = -needed[year] / UNIT
    for j, span in enumerate(problem.spans, start=len(short_years)):
        for year in span.years:
            if (span.scope, year) in column:
                rows[j, column[(span.scope, year)]] = 1
        upper[j] = span.cap_won / UNIT
    return rows.tocsr(), upper


def _even(
    problem: Problem,
    cells: list[ScopeYear],
    rows: csr_matrix,
    upper: Vector,
    bounds: list[Bound],
    slack: dict[int, float],
    slack_column: dict[int, int],
    total: float,
    n_cells: int,
) -> Vector | None:
    """Phase 2: the cells again, the slacks fixed at phase 1's, the total at most phase 1's,
    and one more variable u >= each cell's fraction of its room, minimised."""
    n = rows.shape[1]
    per_cell = lil_matrix((n_cells + 1, n + 1))
    per_cell_upper = np.zeros(n_cells + 1)
    for i, cell in enumerate(cells):  # x_i - room_i * u <= 0
        per_cell[i, i] = 1
        per_cell[i, n] = -problem.room_won[cell] / UNIT
    per_cell[n_cells, :n_cells] = 1  # the least total, less float noise
    per_cell_upper[n_cells] = total * (1 + 1e-9) + 1e-9
    matrix = vstack([hstack([rows, csr_matrix((rows.shape[0], 1))]), per_cell.tocsr()]).tocsr()
    # slack and slack_column have the same keys, the short years: .get finds each.
    by_column = cast(Callable[[int], int], slack_column.get)
    slack_bounds = [(slack[year], slack[year]) for year in sorted(slack, key=by_column)]
    cost = np.zeros(n + 1)
    cost[n] = 1
    second = linprog(
        cost,
        A_ub=matrix,
        b_ub=np.concatenate([upper, per_cell_upper]),
        bounds=bounds[:n_cells] + slack_bounds + [(0, 1)],
        method="highs",
    )
    return second.x[:n_cells] if second.status == 0 else None


def _whole_won(
    problem: Problem,
    cells: list[ScopeYear],
    x: Vector,
    needed: dict[int, int],
    slack: dict[int, float],
) -> dict[ScopeYear, int]:
    """The LP's fractions of 억 as whole won: each year's cells sum to what it closes, and no
    cell or span goes over its limit (floors first, then the remaining won one cell at a time
    to the cells with the largest remainders that still have room)."""
    allocation: dict[tuple[str, int], int] = {}
    exact = {cell: max(0.0, value) * UNIT for cell, value in zip(cells, x, strict=True)}
    span_left = {id(span): span.cap_won for span in problem.spans}

    def spans_of(cell: ScopeYear) -> list[Span]:
        return [s for s in problem.spans if s.scope == cell[0] and cell[1] in s.years]

    for cell, value in exact.items():
        won = min(math.floor(value), problem.room_won[cell])
        for span in spans_of(cell):
            won = min(won, span_left[id(span)])
        allocation[cell] = won
        for span in spans_of(cell):
            span_left[id(span)] -= won
    for year in {year for _scope, year in cells}:
        target = needed[year] - round(slack.get(year, 0) * UNIT)
        target = min(needed[year], max(0, target))
        year_cells = sorted(
            (cell for cell in cells if cell[1] == year),
            key=lambda cell: exact[cell] - allocation[cell],
            reverse=True,
        )
        missing = target - sum(allocation[cell] for cell in year_cells)
        for cell in year_cells:
            if missing <= 0:
                break
            room = problem.room_won[cell] - allocation[cell]
            for span in spans_of(cell):
                room = min(room, span_left[id(span)])
            add = min(room, missing)
            if add > 0:
                allocation[cell] += add
                missing -= add
                for span in spans_of(cell):
                    span_left[id(span)] -= add
    return {cell: won for cell, won in allocation.items() if won > 0}


def _binding(
    problem: Problem, allocation: dict[ScopeYear, int], shortfall: dict[int, int]
) -> list[Limit]:
    """The limits that hold a short year back: its rooms used up, and spans used up."""
    limits: list[Limit] = []
    seen: set[int] = set()
    for year in sorted(shortfall):
        for scope in problem.scopes:
            room = problem.room_won.get((scope, year), 0)
            if allocation.get((scope, year), 0) >= room:
                limits.append({"kind": "room", "scope": scope, "year": year, "cap_won": room})
        for span in problem.spans:
            if year not in span.years or id(span) in seen:
                continue
            used = sum(allocation.get((span.scope, y), 0) for y in span.years)
            if used >= span.cap_won:
                seen.add(id(span))
                limits.append(
                    {"kind": "span", "scope": span.scope, "years": list(span.years),
                     "cap_won": span.cap_won, "label": span.label}
                )  # fmt: skip
    return limits


def _limit_name(limit: Limit) -> str:
    if limit["kind"] == "room":
        return f"{limit['scope']} {limit['year']}: room {limit['cap_won']:,} won used up"
    years = limit["years"]
    label = limit["label"] or f"{limit['scope']} {years[0]}-{years[-1]}"
    return f"{label}: cap {limit['cap_won']:,} won reached"
