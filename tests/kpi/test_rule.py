"""The share rule on hand-computed cases, and the engine on the database against plain Python."""

import zoneinfo
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from budgets.kpi.models import (
    Dimension,
    RunStatus,
    ShareStatus,
    TargetOrigin,
)
from budgets.kpi.reading import share_inputs_read
from budgets.kpi.rule import (
    ShareInputs,
    share_snapshots_build,
    target_share_for,
)
from budgets.kpi.services import (
    share_recompute,
)
from budgets.models import (
    Basis,
    BudgetLine,
    MinistryBudget,
    TargetKind,
)
from tests.factories import (
    BudgetLineFactory,
    CollaborationFactory,
    InstitutionFactory,
    ProjectFactory,
)

D = Decimal
SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")
T = 10**12
STRATEGY_POINTS = [(2023, D("6.00")), (2028, D("15.00"))]


# --- The rule, on hand-computed cases (no database) ------------------------------------


def share_of(points, year):
    share, _origin = target_share_for(points, year)
    return share


def test_the_target_is_interpolated_linearly_between_plan_points():
    assert target_share_for(STRATEGY_POINTS, 2023) == (D("6.00"), TargetOrigin.PUBLISHED)
    assert target_share_for(STRATEGY_POINTS, 2024) == (D("7.8000"), TargetOrigin.INTERPOLATED)
    assert share_of(STRATEGY_POINTS, 2026) == D("11.4000")  # 6 + 9 x 3/5
    assert target_share_for(STRATEGY_POINTS, 2028) == (D("15.00"), TargetOrigin.PUBLISHED)
    points = [(2023, D("6")), (2025, D("7")), (2028, D("16"))]
    assert share_of(points, 2024) == D("6.5000")
    assert share_of(points, 2027) == D("13.0000")


def test_a_baseline_point_says_so_and_the_last_target_holds_after_the_plan():
    points = [(2023, D("6.00"), TargetKind.BASELINE), (2028, D("15.00"), TargetKind.TARGET)]
    assert target_share_for(points, 2023) == (D("6.00"), TargetOrigin.BASELINE)
    assert target_share_for(points, 2030) == (D("15.00"), TargetOrigin.HELD)
    assert target_share_for(points, 2022) == (None, None)
    assert target_share_for([], 2025) == (None, None)


def build(groups, totals, points=STRATEGY_POINTS, closed=()):
    snapshots = share_snapshots_build(
        ShareInputs(
            groups=groups,
            totals={(year, "budgeted"): won for year, won in totals.items()},
            plan_id=1,
            points=points,
            closed_years=frozenset(closed),
        )
    )
    return {(s.fiscal_year, s.basis, s.dimension, s.key): s for s in snapshots}


def test_share_gap_and_verdict_on_a_hand_computed_year():
    rows = build(
        [
            # year, basis, track, field, country, international won, international lines, lines
            (2024, "planned", "leapfrogging", "semiconductors", "US", 300 * 10**9, 4, 4),
            (2024, "planned", "foundational", "materials", None, 0, 0, 2),  # domestic lines
            (2024, "planned", "legacy", "materials", "JP", 100 * 10**9, 1, 1),
        ],
        {2024: 5 * T},
    )
    overall = rows[(2024, "planned", "overall", "")]
    assert overall.international_won == 400 * 10**9
    assert overall.share == D("8.0000")  # 400 billion of 5 trillion
    assert overall.target_share == D("7.8000")
    assert overall.target_won == 390 * 10**9
    assert overall.gap_won == -10 * 10**9  # 10 billion above the target
    assert overall.status == ShareStatus.ON_TRACK
    assert rows[(2024, "planned", "country", "US")].international_won == 300 * 10**9
    assert rows[(2024, "planned", "country", "JP")].international_won == 100 * 10**9
    assert (2024, "planned", "country", "") not in rows  # domestic lines have no country
    assert rows[(2024, "planned", "track", "legacy")].share == D("2.0000")
    assert rows[(2024, "planned", "track", "leapfrogging")].status == ShareStatus.NO_TARGET


def test_a_shortfall_is_a_positive_gap_and_behind():
    rows = build(
        [(2028, "planned", "leapfrogging", "semiconductors", "DE", 500 * 10**9, 1, 1)],
        {2028: 5_700 * 10**9},
    )
    overall = rows[(2028, "planned", "overall", "")]
    assert overall.target_won == 855 * 10**9  # 15% of 5.7 trillion
    assert overall.gap_won == 355 * 10**9
    assert overall.status == ShareStatus.BEHIND


def test_a_missing_or_zero_total_gives_no_data_not_an_error():
    rows = build(
        [
            (2031, "planned", "leapfrogging", "semiconductors", "US", 10**9, 1, 1),
            (2032, "planned", "leapfrogging", "semiconductors", "US", 10**9, 1, 1),
        ],
        {2032: 0},
    )
    for year in (2031, 2032):
        overall = rows[(year, "planned", "overall", "")]
        assert overall.share is None and overall.gap_won is None
        assert overall.status == ShareStatus.NO_DATA
        assert rows[(year, "planned", "country", "US")].status == ShareStatus.NO_DATA


def test_without_a_target_plan_the_verdict_is_no_target():
    rows = build(
        [(2024, "planned", "leapfrogging", "semiconductors", "US", 10**9, 1, 1)],
        {2024: T},
        points=[],
    )
    overall = rows[(2024, "planned", "overall", "")]
    assert overall.share == D("0.1000")
    assert overall.target_share is None and overall.gap_won is None
    assert overall.status == ShareStatus.NO_TARGET


def test_executed_is_the_figure_only_once_the_year_is_closed():
    groups = [
        (2025, "planned", "leapfrogging", "semiconductors", "US", 600 * 10**9, 1, 1),
        (2025, "executed", "leapfrogging", "semiconductors", "US", 540 * 10**9, 1, 1),
        (2026, "planned", "leapfrogging", "semiconductors", "US", 700 * 10**9, 1, 1),
        (2026, "executed", "leapfrogging", "semiconductors", "US", 7 * 10**9, 1, 1),
    ]
    rows = build(groups, {2025: 6 * T, 2026: 6 * T}, closed={2025})
    assert rows[(2025, "planned", "overall", "")].share == D("10.0000")
    executed_2025 = rows[(2025, "executed", "overall", "")]
    assert executed_2025.share == D("9.0000") and executed_2025.year_closed
    assert executed_2025.status == ShareStatus.BEHIND
    assert not rows[(2025, "planned", "overall", "")].is_projection
    # 2026 has executed lines but is not closed: spending in progress, no verdict, and its
    # plan stays the projection (one project's entry does not close a ministry year).
    executed_2026 = rows[(2026, "executed", "overall", "")]
    assert executed_2026.status == ShareStatus.IN_PROGRESS and executed_2026.gap_won is None
    assert executed_2026.target_share == D("11.4000")  # the path is drawn ahead of the figures
    assert rows[(2026, "planned", "overall", "")].is_projection
    assert not rows[(2026, "planned", "overall", "")].year_closed


def test_executed_divides_by_the_settled_total_and_says_so():
    rows = share_snapshots_build(
        ShareInputs(
            groups=[(2025, "executed", "leapfrogging", "semiconductors", "US", 50 * 10**9, 1, 1)],
            totals={(2025, "budgeted"): 6 * T, (2025, "settled"): 5 * T},
            plan_id=1,
            points=STRATEGY_POINTS,
            closed_years=frozenset({2025}),
        )
    )
    executed = next(r for r in rows if r.basis == "executed" and r.dimension == "overall")
    assert executed.total_won == 5 * T and executed.total_basis == "settled"
    assert executed.share == D("1.0000")


def test_breakdowns_add_up_to_the_overall_figure():
    groups = [
        (2024, "executed", track, field, country, amount, 1, 1)
        for track, field, country, amount in [
            ("leapfrogging", "semiconductors", "US", 7),
            ("leapfrogging", "robotics", "JP", 11),
            ("foundational", "robotics", "DE", 13),
            ("legacy", "materials", "US", 17),
        ]
    ]
    rows = build(groups, {2024: 1000})
    for dimension in ("track", "field", "country"):
        total = sum(
            s.international_won for k, s in rows.items() if k[2] == dimension and k[1] == "executed"
        )
        assert total == rows[(2024, "executed", "overall", "")].international_won == 48


# --- The engine on the database ---------------------------------------------------------


@pytest.mark.django_db
def test_the_seeded_portfolio_shows_2023_at_about_6_percent_and_the_path_to_15():
    run = share_recompute(force=True)
    assert run.status == RunStatus.SUCCEEDED
    overall = {
        (s.fiscal_year, s.basis): s for s in run.snapshots.filter(dimension=Dimension.OVERALL)
    }
    executed_2023 = overall[(2023, Basis.EXECUTED)]
    assert D("5.8") <= executed_2023.share <= D("6.2")
    assert executed_2023.total_won == 5_671_100_000_000  # the published 2023 total
    assert executed_2023.year_closed and executed_2023.status == ShareStatus.BASELINE
    assert [overall[(year, Basis.PLANNED)].target_share for year in range(2023, 2029)] == [
        D("6"),
        D("7.8"),
        D("9.6"),
        D("11.4"),
        D("13.2"),
        D("15"),
    ]
    assert overall[(2023, Basis.PLANNED)].status == ShareStatus.BASELINE
    for year in range(2024, 2029):
        planned = overall[(year, Basis.PLANNED)]
        assert planned.gap_won == planned.target_won - planned.international_won
        assert planned.status in (ShareStatus.ON_TRACK, ShareStatus.BEHIND)
    # Planned figures are projections until the ministry closes their year (2023, 2024).
    assert overall[(2028, Basis.PLANNED)].is_projection
    assert overall[(2025, Basis.PLANNED)].is_projection
    assert not overall[(2024, Basis.PLANNED)].is_projection


@pytest.mark.django_db
def test_reading_the_inputs_costs_the_same_queries_for_few_and_many_lines():
    project = ProjectFactory(start_year=2000, end_year=2040)
    collaboration = CollaborationFactory(project=project)
    BudgetLineFactory(project=project, fiscal_year=2001)
    with CaptureQueriesContext(connection) as few:
        share_inputs_read()
    BudgetLine.objects.bulk_create(
        BudgetLine(
            project=project,
            collaboration=collaboration,
            is_international=True,
            fiscal_year=year,
            basis=basis,
            amount_won=year,
        )
        for year in range(2002, 2040)
        for basis in Basis.values
    )
    with CaptureQueriesContext(connection) as many:
        inputs = share_inputs_read()
    # The lines (one statement), programmes, fields, totals, closings, the plan and its
    # points, and the partners per technology from the collaborations.
    assert len(many.captured_queries) == len(few.captured_queries) <= 8
    assert inputs.line_count == BudgetLine.objects.count()


def python_recomputation():
    """The rule again, in plain Python over every line: the reference for the SQL engine."""
    totals = dict(MinistryBudget.objects.values_list("fiscal_year", "total_won"))
    sums: dict[tuple, int] = {}
    lines: dict[tuple, int] = {}
    for year, basis, amount, international, track, field, country in BudgetLine.objects.values_list(
        "fiscal_year",
        "basis",
        "amount_won",
        "is_international",
        "project__technology__program__track",
        "project__technology__field__code",
        "collaboration__institution__country",
    ):
        lines[(year, basis)] = lines.get((year, basis), 0) + 1
        won = amount if international else 0
        keys = [("overall", ""), ("track", track), ("field", field)]
        if international:
            keys.append(("country", country))
        for dimension, key in keys:
            sums[(year, basis, dimension, key)] = sums.get((year, basis, dimension, key), 0) + won
    expected = {}
    for (year, basis, dimension, key), won in sums.items():
        total = totals.get(year)
        share = (D(won) * 100 / D(total)).quantize(D("0.0001")) if total else None
        expected[(year, basis, dimension, key)] = (won, share)
    return expected


@pytest.mark.django_db
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    lines=st.dictionaries(
        keys=st.tuples(
            st.integers(0, 2),  # project
            st.integers(2029, 2033),  # fiscal year
            st.sampled_from(Basis.values),
            st.sampled_from([None, 0, 1]),  # collaboration of that project, or none
        ),
        values=st.integers(0, 10**14),
        max_size=40,
    ),
    totals=st.dictionaries(
        st.integers(2031, 2033), st.sampled_from([0, 10**9, 5_700 * 10**9, 123_456_789]), max_size=3
    ),
    countries=st.lists(st.sampled_from(["US", "DE", "JP", "TW"]), min_size=6, max_size=6),
)
def test_the_sql_engine_equals_a_plain_python_recomputation(lines, totals, countries):
    with transaction.atomic():
        projects = [ProjectFactory(start_year=2025, end_year=2035) for _ in range(3)]
        collaborations = [
            [
                CollaborationFactory(
                    project=p, institution=InstitutionFactory(country=countries[2 * i + j])
                )
                for j in range(2)
            ]
            for i, p in enumerate(projects)
        ]
        for (p, year, basis, c), amount in lines.items():
            BudgetLine.objects.create(
                project=projects[p],
                fiscal_year=year,
                basis=basis,
                amount_won=amount,
                collaboration=collaborations[p][c] if c is not None else None,
            )
        for year, total in totals.items():
            MinistryBudget.objects.update_or_create(fiscal_year=year, defaults={"total_won": total})
        engine = {
            (s.fiscal_year, s.basis, s.dimension, s.key): (
                s.international_won,
                s.share if s.total_won else None,
            )
            for s in share_snapshots_build(share_inputs_read())
        }
        expected = python_recomputation()
        # The engine also emits zero rows for years with a total but no lines; the rest must match.
        assert {k: v for k, v in engine.items() if k in expected} == expected
        assert all(v[0] == 0 for k, v in engine.items() if k not in expected)
        transaction.set_rollback(True)
