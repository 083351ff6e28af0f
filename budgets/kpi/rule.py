"""The international-collaboration share: the programme's headline KPI.

The rule
--------
``share(year, basis)`` is the sum in won of that year's budget lines of that
basis (planned, allocated or executed) that are international-collaboration
spending (``is_international``), divided by that year's ``MinistryBudget``
total, in percent.

* Breakdowns split the numerator by track (= programme), by field, and by
  partner country (the country of the institution of the collaboration a
  line pays for; international lines with no collaboration are
  ``"unassigned"``). Each breakdown share is relative to the same ministry
  total, so the tracks' shares add up to the overall share.
* Target: the current target plan's share for the year; between two plan
  points it is interpolated linearly; after the last point the last share
  holds ("over 15% by 2028" stays the bar); before the first there is none.
* ``target_won`` = target share x ministry total, rounded to the won;
  ``gap_won`` = ``target_won`` - international won (positive is a shortfall).
  The verdict is *on track* when the gap is zero or negative, *behind*
  otherwise, *no data* when the year has no ministry total, a total of zero,
  or no lines of that basis at all, and *no target* when no plan covers it.
  A figure whose international won exceeds the ministry total (a share above
  100%) is *inconsistent*: stored as it is and flagged, never a failed run.
* Projection: for a year with no executed lines, its planned figures are the
  projection (``is_projection``).

How
---
One SQL statement groups the budget lines by (year, basis, programme, field,
country) with ``SUM(amount) FILTER (WHERE international)``; everything else is
arithmetic over those few hundred groups, never over budget lines. Two more
queries read the ministry totals and the target plan. Shares are ``Decimal``
percent with four places.
"""

import hashlib
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum

from programs.models import Program
from technologies.models import Field

from ..models import UNASSIGNED, Basis, BudgetLine, MinistryBudget, TargetPlan
from .models import Dimension, ShareSnapshot, ShareStatus

# Bump when the rule changes, so that an unchanged database still gets a new snapshot.
RULE_VERSION = 1
SHARE_PLACES = Decimal("0.0001")


def target_share_for(points: list[tuple[int, Decimal]], year: int) -> Decimal | None:
    """The target for ``year`` from a plan's (year, share %) points.

    Linear between the two points around the year; the last point's share
    after the last point; ``None`` before the first point or without points.
    """
    if not points:
        return None
    points = sorted(points)
    if year < points[0][0]:
        return None
    if year >= points[-1][0]:
        return points[-1][1]
    for (year_a, share_a), (year_b, share_b) in zip(points, points[1:], strict=False):
        if year_a <= year <= year_b:
            fraction = Decimal(year - year_a) / Decimal(year_b - year_a)
            return (share_a + (share_b - share_a) * fraction).quantize(
                SHARE_PLACES, rounding=ROUND_HALF_UP
            )
    raise AssertionError("unreachable: points are sorted")


def share_percent(international_won: int, total_won: int | None) -> Decimal | None:
    if not total_won:
        return None
    return (Decimal(international_won) * 100 / Decimal(total_won)).quantize(
        SHARE_PLACES, rounding=ROUND_HALF_UP
    )


def won_of_share(share: Decimal, total_won: int) -> int:
    return int((share * Decimal(total_won) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass
class ShareInputs:
    """What a recompute reads, already aggregated; its fingerprint decides whether to write."""

    # (year, basis, track, field code, country or None, international won, international lines, lines)
    groups: list[tuple]
    totals: dict[int, int]
    plan_id: int | None
    points: list[tuple[int, Decimal]]
    line_count: int = field(init=False)

    def __post_init__(self):
        self.line_count = sum(group[-1] for group in self.groups)

    def fingerprint(self) -> str:
        """A hash of everything the figures depend on; the groups come sorted from SQL."""
        digest = hashlib.sha256(f"rule {RULE_VERSION}|plan {self.plan_id}\n".encode())
        digest.update(repr(sorted(self.totals.items())).encode())
        digest.update(repr(sorted((year, str(share)) for year, share in self.points)).encode())
        digest.update("\n".join(map(repr, self.groups)).encode())
        return digest.hexdigest()


def share_inputs_read() -> ShareInputs:
    """Read everything the share depends on, in four queries whatever the number of lines."""
    tracks = dict(Program.objects.values_list("id", "track"))
    fields = dict(Field.objects.values_list("id", "code"))
    dimensions = (
        "fiscal_year",
        "basis",
        "project__technology__program_id",
        "project__technology__field_id",
        "collaboration__institution__country",
    )
    rows = (
        # Sorted by the grouping keys (not the model's default ordering, which would join
        # and sort a million rows): a few thousand groups, in a stable order to fingerprint.
        BudgetLine.objects.order_by()
        .values(*dimensions)
        .annotate(
            international_won=Sum("amount_won", filter=Q(is_international=True), default=0),
            international_count=Count("id", filter=Q(is_international=True)),
            line_count=Count("*"),
        )
    )
    groups = [
        (
            row["fiscal_year"],
            row["basis"],
            tracks[row["project__technology__program_id"]],
            fields[row["project__technology__field_id"]],
            row["collaboration__institution__country"] or None,
            int(row["international_won"]),
            row["international_count"],
            row["line_count"],
        )
        for row in rows
    ]
    totals = dict(MinistryBudget.objects.values_list("fiscal_year", "total_won"))
    plan = TargetPlan.objects.current()
    points = list(plan.points.values_list("fiscal_year", "target_share")) if plan else []
    return ShareInputs(
        groups=groups, totals=totals, plan_id=plan.id if plan else None, points=points
    )


def share_snapshots_build(inputs: ShareInputs) -> list[ShareSnapshot]:
    """Turn aggregated inputs into snapshot rows (unsaved): overall, by track, field and country."""
    # (year, basis, dimension, key) -> international won
    sums: dict[tuple[int, str, str, str], int] = {}
    lines_per_year_basis: dict[tuple[int, str], int] = {}
    for (
        year,
        basis,
        track,
        field_code,
        country,
        international,
        international_count,
        count,
    ) in inputs.groups:
        lines_per_year_basis[(year, basis)] = lines_per_year_basis.get((year, basis), 0) + count
        for dimension, key in (
            (Dimension.OVERALL, ""),
            (Dimension.TRACK, track),
            (Dimension.FIELD, field_code),
            (Dimension.COUNTRY, country or UNASSIGNED),
        ):
            if dimension == Dimension.COUNTRY and not international_count:
                continue  # domestic lines have no partner country
            sums[(year, basis, dimension, key)] = (
                sums.get((year, basis, dimension, key), 0) + international
            )

    years = {year for year, *_ in inputs.groups} | set(inputs.totals)
    for year in years:
        for basis in Basis.values:
            sums.setdefault((year, basis, Dimension.OVERALL, ""), 0)
    executed_years = {
        year for (year, basis), n in lines_per_year_basis.items() if basis == Basis.EXECUTED and n
    }

    snapshots = []
    for (year, basis, dimension, key), international in sorted(sums.items()):
        total = inputs.totals.get(year)
        share = share_percent(international, total)
        has_lines = lines_per_year_basis.get((year, basis), 0) > 0
        target_share = target_won = gap_won = None
        if dimension == Dimension.OVERALL:
            # The target path is kept even for years without figures: charts draw it ahead.
            target_share = target_share_for(inputs.points, year)
            if target_share is not None and total:
                target_won = won_of_share(target_share, total)
        if share is None or not has_lines:
            status = ShareStatus.NO_DATA
        elif share > 100:
            status = ShareStatus.INCONSISTENT
        elif target_won is None:
            status = ShareStatus.NO_TARGET  # a breakdown, or a year no plan covers
        else:
            gap_won = target_won - international
            status = ShareStatus.ON_TRACK if gap_won <= 0 else ShareStatus.BEHIND
        snapshots.append(
            ShareSnapshot(
                fiscal_year=year,
                basis=basis,
                dimension=dimension,
                key=key,
                international_won=international,
                total_won=total if total else None,
                share=share if has_lines else None,
                target_share=target_share,
                target_won=target_won,
                gap_won=gap_won,
                status=status,
                is_projection=basis == Basis.PLANNED and year not in executed_years,
            )
        )
    return snapshots
