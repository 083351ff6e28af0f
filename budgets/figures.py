"""A year's KPI figure in the money records' own terms: which basis it stands on, which
ministry total divides it, the share; and by how much a change would move it.

The KPI engine (``budgets.kpi.rule``) computes every stored figure with these same rules.
Here they also serve the writers: an admin form, an API call or a year's closing asks,
before it saves, how far the figures it touches would move, and a move of more than
``CONFIRM_POINTS`` is saved only once the editor has confirmed it (docs/kpi.md).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from .models import Basis, BudgetLine, MinistryBudget, TotalBasis, YearClosing

SHARE_PLACES = Decimal("0.0001")
# A save that moves a year's KPI figure by more than this many percentage points asks to be
# confirmed: 0.1 points is about 57억 원 of a 5.7조 원 budget, the size at which a share
# reported to one decimal changes.
CONFIRM_POINTS = Decimal("0.1")

# Which total each basis of the lines is divided by, in order of preference: spending by what
# there really was to spend (the settled total), plans by the budget as passed. A year without
# the preferred total falls back to the other, and the figure says which one it used.
DENOMINATOR_BASES: dict[str, tuple[str, str]] = {
    Basis.PLANNED: (TotalBasis.BUDGETED, TotalBasis.SETTLED),
    Basis.ALLOCATED: (TotalBasis.BUDGETED, TotalBasis.SETTLED),
    Basis.EXECUTED: (TotalBasis.SETTLED, TotalBasis.BUDGETED),
}


def denominator_for(
    totals: dict[tuple[int, str], int], year: int, basis: str
) -> tuple[int | None, str | None]:
    """The ministry total a ``basis`` figure of ``year`` is divided by, and that total's basis
    (None, None when the year has neither)."""
    for total_basis in DENOMINATOR_BASES[basis]:
        total = totals.get((year, total_basis))
        if total is not None:
            return total, total_basis
    return None, None


def figure_basis(year: int, closed_years: Iterable[int]) -> str:
    """The basis of a year's KPI figure: what was executed once the ministry closed the year
    (``YearClosing``), what is planned until then."""
    return Basis.EXECUTED if year in closed_years else Basis.PLANNED


def share_percent(international_won: int, total_won: int | None) -> Decimal | None:
    """International won as a percent of the total, four places (None without a total)."""
    if not total_won:
        return None
    return (Decimal(international_won) * 100 / Decimal(total_won)).quantize(
        SHARE_PLACES, rounding=ROUND_HALF_UP
    )


@dataclass(frozen=True, kw_only=True)
class FigureState:
    """What the KPI figures of some years are made of: the closed years, the ministry totals
    by (year, total basis), the international won by (year, line basis)."""

    closed: frozenset[int]
    totals: dict[tuple[int, str], int]
    international: dict[tuple[int, str], int]

    def figure(self, year: int) -> tuple[str, Decimal | None]:
        """The year's KPI figure: its basis and its share (None without a total)."""
        basis = figure_basis(year, self.closed)
        total, _total_basis = denominator_for(self.totals, year, basis)
        return basis, share_percent(self.international.get((year, basis), 0), total)

    def with_lines(self, deltas: dict[tuple[int, str], int]) -> "FigureState":
        international = dict(self.international)
        for key, won in deltas.items():
            international[key] = international.get(key, 0) + won
        return replace(self, international=international)

    def with_total(self, year: int, total_basis: str, won: int | None) -> "FigureState":
        totals = dict(self.totals)
        if won is None:
            totals.pop((year, total_basis), None)
        else:
            totals[(year, total_basis)] = won
        return replace(self, totals=totals)

    def with_closed(self, year: int, closed: bool) -> "FigureState":
        return replace(self, closed=self.closed | {year} if closed else self.closed - {year})


def figure_state_read(years: Iterable[int]) -> FigureState:
    """The figures' inputs for ``years``, as the database holds them now (three queries)."""
    years = sorted(set(years))
    sums = (
        BudgetLine.objects.filter(fiscal_year__in=years, is_international=True)
        .order_by()
        .values_list("fiscal_year", "basis")
        .annotate(won=Sum("amount_won"))
    )
    totals = MinistryBudget.objects.filter(fiscal_year__in=years).values_list(
        "fiscal_year", "basis", "total_won"
    )
    return FigureState(
        closed=frozenset(
            YearClosing.objects.standing()
            .filter(fiscal_year__in=years)
            .values_list("fiscal_year", flat=True)
        ),
        totals={(year, basis): won for year, basis, won in totals},
        international={(year, basis): int(won) for year, basis, won in sums},
    )


@dataclass(frozen=True, kw_only=True)
class FigureMove:
    """How a year's KPI figure would change: from one basis and share to another."""

    year: int
    basis_before: str
    share_before: Decimal
    basis_after: str
    share_after: Decimal

    @property
    def points(self) -> Decimal:
        return self.share_after - self.share_before

    def describe(self) -> str:
        return _(
            "%(year)s: from %(before)s%% (%(basis_before)s) to %(after)s%% (%(basis_after)s), "
            "%(points)s points"
        ) % {
            "year": self.year,
            "before": f"{self.share_before:.2f}",
            "basis_before": Basis(self.basis_before).label,
            "after": f"{self.share_after:.2f}",
            "basis_after": Basis(self.basis_after).label,
            "points": f"{self.points:+.2f}".replace("-", "−"),
        }


def figure_moves(before: FigureState, after: FigureState) -> list[FigureMove]:
    """The years whose KPI figure moves by more than ``CONFIRM_POINTS`` from ``before`` to
    ``after`` (a year without a share on either side has nothing to compare)."""
    years = {year for year, _basis in (*before.international, *after.international)}
    years |= {year for year, _basis in (*before.totals, *after.totals)}
    years |= before.closed ^ after.closed
    moves = []
    for year in sorted(years):
        basis_before, share_before = before.figure(year)
        basis_after, share_after = after.figure(year)
        if share_before is None or share_after is None:
            continue
        if abs(share_after - share_before) > CONFIRM_POINTS:
            moves.append(
                FigureMove(
                    year=year,
                    basis_before=basis_before,
                    share_before=share_before,
                    basis_after=basis_after,
                    share_after=share_after,
                )
            )
    return moves


def figure_moves_message(moves: list[FigureMove]) -> str:
    """What an editor is asked to confirm, naming each year and how far its figure moves."""
    return _(
        "This changes the KPI by more than %(points)s points: %(moves)s. Check the amounts, "
        "and confirm to save."
    ) % {"points": CONFIRM_POINTS, "moves": "; ".join(move.describe() for move in moves)}


# A line as the figures see it: (fiscal year, basis, international won), 0 won for a domestic one.
LineFigure = tuple[int, str, int]


# The fields of a budget line that its part in the figures depends on, in line_figure's order.
LINE_FIELDS = ("fiscal_year", "basis", "amount_won", "collaboration")


def line_figure(fiscal_year: int, basis: str, amount_won: int, collaboration) -> LineFigure:
    """A line's part in the figures: its won count only when it pays for a collaboration
    (``collaboration``: the collaboration or its id, None or empty for a domestic line)."""
    return (fiscal_year, basis, amount_won if collaboration else 0)


def lines_changed(
    changes: Iterable[tuple[LineFigure | None, LineFigure | None]],
) -> tuple[FigureState, FigureState]:
    """The figures before and after lines change (``line_deltas``' pairs), as stored now."""
    deltas = line_deltas(changes)
    before = figure_state_read({year for year, _basis in deltas})
    return before, before.with_lines(deltas)


def total_changed(
    old: tuple[int, str] | None, new: tuple[int, str] | None, won: int | None
) -> tuple[FigureState, FigureState]:
    """The figures before and after a ministry total keyed (year, basis) moves from ``old``
    to ``new`` with ``won`` (None on one side: created or deleted)."""
    before = figure_state_read({key[0] for key in (old, new) if key is not None})
    after = before.with_total(*old, None) if old is not None else before
    return before, after.with_total(*new, won) if new is not None else after


def line_deltas(
    changes: Iterable[tuple[LineFigure | None, LineFigure | None]],
) -> dict[tuple[int, str], int]:
    """International won added per (year, basis) by lines changing from ``old`` to ``new``
    (None on one side: a line created or deleted)."""
    deltas: dict[tuple[int, str], int] = defaultdict(int)
    for old, new in changes:
        if old is not None:
            deltas[(old[0], old[1])] -= old[2]
        if new is not None:
            deltas[(new[0], new[1])] += new[2]
    return {key: won for key, won in deltas.items() if won}
