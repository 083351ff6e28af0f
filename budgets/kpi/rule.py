"""The international-collaboration share: the programme's headline KPI.

The rule
--------
``share(year, basis)`` is the sum in won of that year's budget lines of that
basis (planned, allocated or executed) that are international-collaboration
spending, divided by that year's ministry total, in percent.

* International spending is a line that pays for a collaboration with an
  institution outside Korea: ``is_international`` is set from the collaboration,
  and database constraints hold both the line and the institution to it.
* The denominator: executed figures are divided by the year's settled total
  where there is one, planned and allocated figures by the budgeted total; a
  year without that total falls back to the other one (``DENOMINATOR_BASES``),
  and each figure keeps which total it used (``total_basis``).
* A year's KPI figure is its executed share once the ministry has closed the
  year (``YearClosing``), its planned share until then (the projection). Executed
  lines of a year not closed are spending in progress: shown, never a verdict.
* Breakdowns split the numerator by track (= programme), by field, and by
  partner country (the country of the institution of the collaboration a
  line pays for). Each breakdown share is relative to the same ministry
  total, so the tracks' shares add up to the overall share.
* Target: the current target plan's published points. A *target* point is the
  bar for its year; a *baseline* point is where the plan starts from and gets
  no verdict. Between two points the target is assumed on a straight line
  (``interpolated``); after the last point its share holds (``held``); before
  the first there is none. Every figure says where its target came from.
* ``target_won`` = target share x ministry total, rounded to the won;
  ``gap_won`` = ``target_won`` - international won (positive is a shortfall).
  The verdict is *on track* when the gap is zero or negative, *behind*
  otherwise, *no data* when the year has no ministry total, a total of zero,
  or no lines of that basis at all, and *no target* when no plan covers it.
  A figure whose international won exceeds the ministry total (a share above
  100%) is *inconsistent*: stored as it is and flagged, never a failed run.
* Every figure says whether a synthetic (demo) row fed it: a line it sums or the
  total it divides by (``synthetic_inputs``).

How
---
One SQL statement (``reading.py``) groups the budget lines by (year, basis, programme, field,
country) with ``SUM(amount) FILTER (WHERE international)``, and in the same scan
by (year, basis, technology) and (year, basis, partner institution) for the
rollups the pages read (GROUPING SETS on PostgreSQL); everything else is
arithmetic over those few thousand groups, never over budget lines (the field
rollups are the share's groups added up over countries). A few more queries read the
programmes, fields, ministry totals, closings, the target plan, and the partner
institutions per technology and country from the collaborations. Shares are
``Decimal`` percent with four places.
"""

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple, cast

from rdportfolio.core.models import rows_copy

from ..figures import SHARE_PLACES, denominator_for, share_percent
from ..models import (
    Basis,
    TargetKind,
)
from .models import Dimension, ShareRun, ShareSnapshot, ShareStatus, TargetOrigin

# Bump when the rule changes, so that an unchanged database still gets a new snapshot.
# 2: international needs a foreign partner; closings, total bases, target origins.
RULE_VERSION = 2

# A target plan's published point: (year, share %) or (year, share %, kind).
TargetPoint = tuple[int, Decimal] | tuple[int, Decimal, str]
# (year, basis, technology id or institution id, total won, international won, lines)
RollupRow = tuple[int, str, int, int, int, int]
# (technology id, country, partner institutions)
PartnerRow = tuple[int, str, int]
# (year, basis, track, field id, total won, international won, lines)
FieldRow = tuple[int, str, str, int, int, int, int]
# (year, basis, dimension, key) of one figure
FigureKey = tuple[int, str, str, str]


def target_share_for(
    points: Sequence[TargetPoint], year: int
) -> tuple[Decimal, str] | tuple[None, None]:
    """The target for ``year`` from a plan's published (year, share %[, kind]) points, and
    where it came from (a ``TargetOrigin``).

    A point's own year: its share, *published* (or *baseline* for a baseline point).
    Between two points: on the straight line from one to the other, *interpolated*. After
    the last point: the last point's share, *held*. Before the first point or without
    points: none.
    """
    if not points:
        return None, None
    ordered = sorted((p[0], p[1], p[2] if len(p) > 2 else TargetKind.TARGET) for p in points)
    first, last = ordered[0], ordered[-1]
    if year < first[0]:
        return None, None
    for point_year, share, kind in ordered:
        if point_year == year:
            published = (
                TargetOrigin.BASELINE if kind == TargetKind.BASELINE else TargetOrigin.PUBLISHED
            )
            return share, published
    if year > last[0]:
        return last[1], TargetOrigin.HELD
    for (year_a, share_a, _kind_a), (year_b, share_b, _kind_b) in zip(
        ordered, ordered[1:], strict=False
    ):
        if year_a < year < year_b:
            fraction = Decimal(year - year_a) / Decimal(year_b - year_a)
            share = (share_a + (share_b - share_a) * fraction).quantize(
                SHARE_PLACES, rounding=ROUND_HALF_UP
            )
            return share, TargetOrigin.INTERPOLATED
    raise AssertionError("unreachable: points are sorted")


def won_of_share(share: Decimal, total_won: int) -> int:
    return int((share * Decimal(total_won) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


class Group(NamedTuple):
    """The budget lines of one (year, basis, track, field, partner country), added up."""

    fiscal_year: int
    basis: str
    track: str
    field_code: str
    country: str | None  # the partner's; None for domestic lines
    international_won: int
    international_lines: int
    lines: int
    synthetic_lines: int = 0


@dataclass
class ShareInputs:
    """What a recompute reads, already aggregated; its fingerprint decides whether to write."""

    groups: list[Group]
    # (year, total basis) -> the ministry's total in won
    totals: dict[tuple[int, str], int]
    plan_id: int | None
    # (year, share %, kind) of the plan's published points
    points: list[TargetPoint]
    closed_years: frozenset[int] = frozenset()
    # Inputs invented for the demo beyond the lines: (year, total basis) of totals, and the
    # years of closings; a plan point that is synthetic marks every figure's target.
    synthetic_totals: frozenset[tuple[int, str]] = frozenset()
    synthetic_closings: frozenset[int] = frozenset()
    synthetic_plan: bool = False
    # (year, basis, technology id or institution id, total won, international won, lines)
    technology_rows: list[RollupRow] = field(default_factory=list)
    institution_rows: list[RollupRow] = field(default_factory=list)
    # (technology id, country, partner institutions), from the collaborations
    partner_rows: list[PartnerRow] = field(default_factory=list)
    # (year, basis, track, field id, total won, international won, lines)
    field_rows: list[FieldRow] = field(default_factory=list)
    line_count: int = field(init=False)

    def __post_init__(self) -> None:
        self.groups = [
            group if isinstance(group, Group) else Group(*group) for group in self.groups
        ]
        self.line_count = sum(group.lines for group in self.groups)

    def fingerprint(self, snapshots: list["SnapshotRow"] | None = None) -> str:
        """A hash of everything a run writes from these inputs, stable for unchanged data:
        the figures (``snapshots``, built from these inputs when not given) and the rollups.

        The share's groups are not hashed themselves: they reach the database only through
        the figures and the field rollups, which are fewer rows (1,500 against 12,000 at
        100,000 lines) and hashed anyway. Every part is sorted here: SQL returns groups in
        no particular order (a hash aggregate's order changes with the plan), and a
        fingerprint that changed with it would never let an unchanged database skip its
        recompute.
        """
        if snapshots is None:
            snapshots = share_snapshots_build(self)
        digest = hashlib.sha256(f"rule {RULE_VERSION}|plan {self.plan_id}\n".encode())
        digest.update(repr(sorted(self.totals.items())).encode())
        digest.update(repr(sorted((p[0], str(p[1]), *p[2:]) for p in self.points)).encode())
        digest.update(repr(sorted(self.closed_years)).encode())
        # Built in a sorted order already; tuple's repr leaves out the field names.
        digest.update("\n".join(map(tuple.__repr__, snapshots)).encode())
        for rows in (
            self.technology_rows,
            self.institution_rows,
            self.partner_rows,
            self.field_rows,
        ):
            digest.update(b"\n--\n")
            # Sorted as text: any order of the same rows gives the same lines.
            digest.update("\n".join(sorted(map(repr, rows))).encode())
        return digest.hexdigest()


class SnapshotRow(NamedTuple):
    """One figure as a run builds it, named as ShareSnapshot's columns: a plain tuple,
    because ShareSnapshot instances cost more to make (12 ms for 831) than the figures."""

    fiscal_year: int
    basis: str
    dimension: str
    key: str
    international_won: int
    total_won: int | None
    share: Decimal | None
    target_share: Decimal | None
    target_won: int | None
    gap_won: int | None
    status: str
    is_projection: bool
    year_closed: bool
    total_basis: str
    target_origin: str
    synthetic_inputs: bool


def share_snapshots_write(snapshots: list[SnapshotRow], run: ShareRun) -> int:
    """Write a run's figures in one COPY (PostgreSQL) or bulk insert; returns how many."""
    rows = ((run.pk, *snapshot) for snapshot in snapshots)
    return rows_copy(ShareSnapshot, ["run_id", *SnapshotRow._fields], rows)


def share_snapshots_build(inputs: ShareInputs) -> list[SnapshotRow]:
    """Turn aggregated inputs into the run's figures: overall, by track, field and country."""
    # (year, basis, key) -> [international won, synthetic lines], a dictionary per dimension,
    # merged afterwards: the loop over the groups (ten thousand at a million lines) is the
    # build's cost.
    parts: dict[str, dict[tuple[int, str, str], list[int]]] = {
        dimension: defaultdict(lambda: [0, 0]) for dimension in Dimension.values
    }
    overall, by_track, by_field, by_country = (parts[d] for d in Dimension.values)
    lines_per_year_basis: dict[tuple[int, str], int] = defaultdict(int)
    for group in inputs.groups:
        year, basis, international, synthetic = (
            group.fiscal_year,
            group.basis,
            group.international_won,
            group.synthetic_lines,
        )
        lines_per_year_basis[year, basis] += group.lines
        cells = [overall[year, basis, ""], by_track[year, basis, group.track]]
        cells.append(by_field[year, basis, group.field_code])
        if group.international_lines:  # domestic lines have no partner country
            # An international line's institution is foreign (a database constraint): a country.
            cells.append(by_country[year, basis, cast(str, group.country)])
        for cell in cells:
            cell[0] += international
            cell[1] += synthetic
    sums = {
        (year, basis, dimension, key): cell
        for dimension, part in parts.items()
        for (year, basis, key), cell in part.items()
    }
    years = {year for year, _basis in lines_per_year_basis}
    years |= {year for year, _basis in inputs.totals}
    for year in years:
        for basis in Basis.values:
            sums.setdefault((year, basis, Dimension.OVERALL, ""), [0, 0])
    return [
        _figure(inputs, key, international, synthetic, lines_per_year_basis)
        for key, (international, synthetic) in sorted(sums.items())
    ]


def _figure(
    inputs: ShareInputs,
    key: FigureKey,
    international: int,
    synthetic: int,
    lines: dict[tuple[int, str], int],
) -> SnapshotRow:
    """One figure: its share of the right total, its target and where that came from, its
    verdict."""
    year, basis, dimension, breakdown_key = key
    total, total_basis = denominator_for(inputs.totals, year, basis)
    share = share_percent(international, total)
    has_lines = lines.get((year, basis), 0) > 0
    closed = year in inputs.closed_years
    target_share = target_won = gap_won = origin = None
    if dimension == Dimension.OVERALL:
        # The target path is kept even for years without figures: charts draw it ahead.
        target_share, origin = target_share_for(inputs.points, year)
        if target_share is not None and total and origin != TargetOrigin.BASELINE:
            target_won = won_of_share(target_share, total)
    if share is None or not has_lines:
        status = ShareStatus.NO_DATA
    elif share > 100:
        status = ShareStatus.INCONSISTENT
    elif basis == Basis.EXECUTED and not closed:
        status = ShareStatus.IN_PROGRESS
    elif origin == TargetOrigin.BASELINE:
        status = ShareStatus.BASELINE
    elif target_won is None:
        status = ShareStatus.NO_TARGET  # a breakdown, or a year no plan covers
    else:
        gap_won = target_won - international
        status = ShareStatus.ON_TRACK if gap_won <= 0 else ShareStatus.BEHIND
    return SnapshotRow(
        year,
        basis,
        dimension,
        breakdown_key,
        international,
        total if total else None,
        share if has_lines else None,
        target_share,
        target_won,
        gap_won,
        status,
        basis == Basis.PLANNED and not closed,
        closed,
        total_basis or "",
        origin or "",
        bool(
            synthetic
            or (year, total_basis) in inputs.synthetic_totals
            or year in inputs.synthetic_closings
            or (inputs.synthetic_plan and origin is not None)
        ),
    )
