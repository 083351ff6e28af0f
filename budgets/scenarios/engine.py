"""What-if scenarios on the KPI: the share path when money moves, is added, is cut or slips.

Pure arithmetic over aggregated cells, never over budget lines: the base is one SQL
aggregation of the lines by (year, basis, technology, partner country) (``scenario_base_read``
in ``scenario_services``), a few thousand cells at national scale.

The base of a year is its executed figures where the year is *closed* (it has executed lines)
and its planned figures otherwise, as on the overview. Adjustments apply in order, each to
the figures the ones before it left, and only to *open* plan years (a plan year has a
ministry total; what was executed is history, not a choice):

* shift: an amount (per year) or a percentage of the scope's domestic won becomes
  international, in the same cells, under the partner country named (or none);
* add: new international won per year in the scope (a track or a technology at least);
* total: the ministry total of those years changes by an amount or a percentage;
* slip: the scope's figures of those years move N years later (past the last plan year
  they leave the plan, and the result says how much did);
* execution rate: the rate the *expected* path applies to the scope's planned figures;
  empty, the rate observed in closed years (executed ÷ planned won). Without one, each
  track's observed rate applies.

The result is three paths (baseline, scenario, expected), each per year overall and by
track, field and partner country, with the target, the gap in won and the verdict of the
KPI's rule, and each figure's difference from the baseline.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, TypedDict, cast

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from budgets.figures import figure_basis
from budgets.models import Basis
from rdportfolio.core.money import apportion, format_won

if TYPE_CHECKING:
    from budgets.kpi.rule import TargetPoint

UNSPECIFIED = (
    "unspecified"  # added won whose field, track or partner country the scenario does not name
)
RATE_PLACES = Decimal("0.000001")


class Kind(models.TextChoices):
    """The five kinds of adjustment (``Adjustment.kind``; ``Change.kind``)."""

    SHIFT = "shift", gettext_lazy("Shift domestic won to international")
    ADD = "add", gettext_lazy("Add international won")
    TOTAL = "total", gettext_lazy("Change the ministry total")
    SLIP = "slip", gettext_lazy("Slip: delay by years")
    RATE = "rate", gettext_lazy("Execution rate")


class Path(models.TextChoices):
    """The three paths a result holds (``ScenarioFigure.path``)."""

    BASELINE = "baseline", gettext_lazy("Baseline")
    SCENARIO = "scenario", gettext_lazy("Scenario")
    EXPECTED = "expected", gettext_lazy("Expected (execution rate)")


class AdjustmentError(ValueError):
    """A refused adjustment: which one (1-based), which field, and why, for people."""

    def __init__(self, number: int, field_name: str, message: str):
        super().__init__(f"adjustment {number}, {field_name}: {message}")
        self.number, self.field_name, self.message = number, field_name, message


@dataclass(frozen=True)
class Change:
    """One adjustment, as the engine reads it (``Adjustment.as_change`` builds it)."""

    kind: str
    from_year: int
    to_year: int
    track: str = ""
    field: str = ""  # a field code
    technology: int | None = None
    country: str = ""  # a scope by partner country (ISO code)
    amount_won: int | None = None
    percent: Decimal | None = None
    partner_country: str = ""
    slip_years: int | None = None
    number: int = 1

    @property
    def scoped(self) -> bool:
        return bool(self.track or self.field or self.technology or self.country)

    def matches(
        self, track: str, field_code: str, technology: int | None, country: str | None
    ) -> bool:
        return (
            (not self.track or self.track == track)
            and (not self.field or self.field == field_code)
            and (self.technology is None or self.technology == technology)
            and (not self.country or self.country == country)
        )


# A cell: (year, track, field code, technology id or None, country or None)
Cell = tuple[int, str, str, int | None, str | None]
# A base cell: (year, basis, track, field code, technology id or None, country or None)
BaseCell = tuple[int, str, str, str, int | None, str | None]


@dataclass
class Base:
    """What a scenario starts from: aggregated lines, the ministry totals, the target plan."""

    # (year, basis, track, field code, technology id, country or None) -> (total, international)
    cells: dict[BaseCell, tuple[int, int]]
    # Each year's ministry total, the one its KPI figure is divided by (figures.denominator_for)
    totals: dict[int, int]
    points: list[TargetPoint]
    technologies: dict[int, tuple[str, str]] = field(default_factory=dict)  # id -> track, field
    line_count: int = 0
    # The years the ministry has closed (YearClosing): their executed figures are history.
    closed_years: frozenset[int] = frozenset()

    @property
    def plan_years(self) -> list[int]:
        return sorted(year for year, total in self.totals.items() if total)

    @property
    def open_years(self) -> list[int]:
        closed = self.closed_years
        return [year for year in self.plan_years if year not in closed]

    def state(self) -> State:
        """Each year on the basis of its KPI figure: executed where closed, planned otherwise."""
        closed = self.closed_years
        cells: dict[Cell, list[int]] = defaultdict(lambda: [0, 0])
        for (year, basis, track, field_code, tech, country), (total, intl) in self.cells.items():
            if basis == figure_basis(year, closed):
                cell = cells[(year, track, field_code, tech, country)]
                cell[0] += total - intl
                cell[1] += intl
        return State(dict(cells), dict(self.totals))

    def observed_rate(self, change: Change | None = None, track: str | None = None) -> Decimal:
        """Executed ÷ planned won over the closed years, in the scope (1 without evidence)."""
        closed = self.closed_years
        sums: dict[str, int] = {Basis.PLANNED: 0, Basis.EXECUTED: 0}
        for (year, basis, c_track, field_code, tech, country), (total, _i) in self.cells.items():
            if year not in closed or basis not in sums:
                continue
            if track is not None and c_track != track:
                continue
            if change is not None and not change.matches(c_track, field_code, tech, country):
                continue
            sums[basis] += total
        if not sums[Basis.PLANNED]:
            return Decimal(1)
        return (Decimal(sums[Basis.EXECUTED]) / Decimal(sums[Basis.PLANNED])).quantize(
            RATE_PLACES, rounding=ROUND_HALF_UP
        )


@dataclass
class State:
    cells: dict[Cell, list[int]]  # -> [domestic won, international won]
    totals: dict[int, int]
    beyond_won: int = 0  # slipped past the last plan year
    # Each track's execution rate observed in closed years, as the expected path used it.
    observed_rates: dict[str, Decimal] = field(default_factory=dict)

    def copy(self) -> State:
        return State(
            {k: list(v) for k, v in self.cells.items()}, dict(self.totals), self.beyond_won
        )

    def international(self, year: int) -> int:
        return sum(v[1] for k, v in self.cells.items() if k[0] == year)


def _won(amount: int) -> str:
    return format_won(amount, unit="eok")


def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _check_span(change: Change, base: Base) -> list[int]:
    years = base.open_years
    if change.to_year < change.from_year:
        raise AdjustmentError(
            change.number, "to_year", _("The last year is before the first year.")
        )
    if not years:
        raise AdjustmentError(change.number, "from_year", _("The plan has no open year."))
    for name, year in (("from_year", change.from_year), ("to_year", change.to_year)):
        if year not in years:
            raise AdjustmentError(
                change.number,
                name,
                _("%(year)s is not an open plan year; adjustments apply to %(first)s–%(last)s.")
                % {"year": year, "first": years[0], "last": years[-1]},
            )
    return [year for year in years if change.from_year <= year <= change.to_year]


def _matching(state: State, change: Change, year: int) -> list[Cell]:
    return [
        key
        for key in state.cells
        if key[0] == year and change.matches(key[1], key[2], key[3], key[4])
    ]


def _shift(state: State, change: Change, years: list[int]) -> None:
    if change.country:
        raise AdjustmentError(
            change.number,
            "country",
            _("Domestic won has no partner country: name the country as the partner instead."),
        )
    for year in years:
        keys = [key for key in _matching(state, change, year) if state.cells[key][0] > 0]
        domestic = sum(state.cells[key][0] for key in keys)
        if not keys:
            raise AdjustmentError(
                change.number,
                "scope",
                _("The scope holds no domestic won in %(year)s.") % {"year": year},
            )
        if change.percent is not None:
            moved = _round(Decimal(domestic) * change.percent / 100)
        else:
            moved = cast(int, change.amount_won)  # _check_amounts: an amount without a percent
            if moved > domestic:
                raise AdjustmentError(
                    change.number,
                    "amount_won",
                    _("%(amount)s is more than the scope's domestic won in %(year)s (%(held)s).")
                    % {"amount": _won(moved), "year": year, "held": _won(domestic)},
                )
        parts = apportion(moved, [state.cells[key][0] for key in keys])
        for key, part in zip(keys, parts, strict=True):
            state.cells[key][0] -= part
            target = (*key[:4], change.partner_country or None)
            state.cells.setdefault(target, [0, 0])[1] += part


def _add(state: State, change: Change, years: list[int], base: Base) -> None:
    track, field_code = change.track, change.field or UNSPECIFIED
    if change.technology is not None:
        known = base.technologies.get(change.technology)
        if known is None:
            raise AdjustmentError(change.number, "technology", _("Unknown technology."))
        if change.track and change.track != known[0] or change.field and change.field != known[1]:
            raise AdjustmentError(
                change.number, "technology", _("The technology is not in the track or field named.")
            )
        track, field_code = known
    if not (track or change.field):
        raise AdjustmentError(
            change.number,
            "track",
            _("Say where the new won goes: a track, a field or a technology."),
        )
    track = track or UNSPECIFIED
    for year in years:
        key = (year, track, field_code, change.technology, change.partner_country or None)
        # _check_amounts: an add has an amount
        state.cells.setdefault(key, [0, 0])[1] += cast(int, change.amount_won)


def _total(state: State, change: Change, years: list[int]) -> None:
    if change.scoped:
        raise AdjustmentError(
            change.number, "scope", _("The ministry total has no scope: leave it empty.")
        )
    for year in years:
        before = state.totals[year]
        if change.percent is not None:
            after = before + _round(Decimal(before) * change.percent / 100)
        else:
            after = before + cast(int, change.amount_won)  # _check_amounts: no percent, an amount
        if after <= 0:
            name = "percent" if change.percent is not None else "amount_won"
            raise AdjustmentError(
                change.number,
                name,
                _("The %(year)s ministry total would be %(total)s; it must stay above zero.")
                % {"year": year, "total": _won(after)},
            )
        state.totals[year] = after


def _slip(state: State, change: Change, years: list[int], base: Base) -> None:
    last = base.plan_years[-1]
    moving = [key for year in years for key in _matching(state, change, year)]
    if not moving:
        raise AdjustmentError(
            change.number, "scope", _("The scope holds no budget lines in those years.")
        )
    values = {key: state.cells.pop(key) for key in moving}
    for key, (domestic, intl) in values.items():
        year = key[0] + cast(int, change.slip_years)  # _check_amounts: a slip has its years
        if year > last:
            state.beyond_won += domestic + intl
            continue
        cell = state.cells.setdefault((year, *key[1:]), [0, 0])
        cell[0] += domestic
        cell[1] += intl


def _check_amounts(change: Change) -> None:
    number = change.number
    if change.kind in (Kind.SHIFT, Kind.TOTAL) and (change.amount_won is None) == (
        change.percent is None
    ):
        raise AdjustmentError(number, "amount_won", _("Give either an amount or a percentage."))
    if change.kind == Kind.ADD and (change.amount_won is None or change.amount_won <= 0):
        raise AdjustmentError(number, "amount_won", _("Give the won added per year, above zero."))
    if change.kind == Kind.SHIFT:
        if change.amount_won is not None and change.amount_won <= 0:
            raise AdjustmentError(number, "amount_won", _("The amount must be above zero."))
        if change.percent is not None and not 0 < change.percent <= 100:
            raise AdjustmentError(
                number, "percent", _("A share moved is above 0 and at most 100%.")
            )
    if change.kind == Kind.SLIP and not change.slip_years or (change.slip_years or 0) < 0:
        raise AdjustmentError(number, "slip_years", _("Give the years of delay, at least 1."))
    if change.kind == Kind.RATE and change.percent is not None and not 0 <= change.percent <= 200:
        raise AdjustmentError(number, "percent", _("An execution rate is between 0 and 200%."))


# An execution-rate adjustment: the change (its scope), its years, its rate.
RateRule = tuple[Change, list[int], Decimal]


class Rates(TypedDict):
    """What ``scenario_apply`` leaves the expected path: the execution-rate rules, in order."""

    rules: list[RateRule]


def scenario_apply(base: Base, changes: list[Change]) -> tuple[State, Rates]:
    """The scenario's figures after ``changes`` in order, and the execution rates by cell
    rule (a function of cell and year) for the expected path. Raises ``AdjustmentError``."""
    state = base.state()
    rate_rules: list[RateRule] = []
    for change in changes:
        _check_amounts(change)
        years = _check_span(change, base)
        if change.kind == Kind.SHIFT:
            _shift(state, change, years)
        elif change.kind == Kind.ADD:
            _add(state, change, years, base)
        elif change.kind == Kind.TOTAL:
            _total(state, change, years)
        elif change.kind == Kind.SLIP:
            _slip(state, change, years, base)
        elif change.kind == Kind.RATE:
            rate = (
                change.percent / 100 if change.percent is not None else base.observed_rate(change)
            )
            rate_rules.append((change, years, rate))
        else:
            raise AdjustmentError(change.number, "kind", _("Unknown kind of adjustment."))
    return state, {"rules": rate_rules}


def expected_state(base: Base, state: State, rates: Rates) -> State:
    """The scenario's open years at the execution rates: each track's observed rate, or the
    rate of the last execution-rate adjustment whose scope and years hold the cell."""
    track_rates: dict[str, Decimal] = {}
    open_years = set(base.open_years)
    expected = state.copy()
    for key, values in expected.cells.items():
        year, track, field_code, tech, country = key
        if year not in open_years:
            continue
        rate = None
        for change, years, rule_rate in rates["rules"]:
            if year in years and change.matches(track, field_code, tech, country):
                rate = rule_rate
        if rate is None:
            if track not in track_rates:
                track_rates[track] = base.observed_rate(track=track)
            rate = track_rates[track]
        values[0] = _round(values[0] * rate)
        values[1] = _round(values[1] * rate)
    state.observed_rates = track_rates
    return expected
