"""The scenario engine, by hand: each kind of adjustment, their combination in order, and
the refusals, on a small portfolio whose every figure is worked out below.

The portfolio (amounts in 억 원): ministry totals 1,000 (2024, closed), 1,000 (2025),
2,000 (2026); target 6% in 2024 to 15% in 2026, so 10.5% in 2025.

    2024 executed  leapfrogging t1: 100 domestic, 20 international (US)
                   foundational t2: 200 domestic
    2024 planned   leapfrogging t1: 110 domestic, 20 international (US); foundational t2: 250
    2025 planned   leapfrogging t1: 100 domestic, 30 international (US)
                   foundational t2: 200 domestic, 10 international (DE)
    2026 planned   leapfrogging t1: 150 domestic, 50 international (US); foundational t2: 300

Baseline: 2025 has 40 international of 1,000 (4%), target 105, gap 65; 2026 has 50 of
2,000 (2.5%), target 300, gap 250.
"""

from decimal import Decimal

import pytest

from budgets.scenarios.engine import AdjustmentError, Base, Change, Kind, Path
from budgets.scenarios.paths import scenario_figures

EOK = 10**8
T1, T2 = 1, 2


def base() -> Base:
    cells = {}

    def put(year, basis, track, field, tech, country, domestic, intl):
        key = (year, basis, track, field, tech, country)
        total, international = cells.get(key, (0, 0))
        cells[key] = (total + (domestic + intl) * EOK, international + intl * EOK)

    put(2024, "executed", "leapfrogging", "ai", T1, None, 100, 0)
    put(2024, "executed", "leapfrogging", "ai", T1, "US", 0, 20)
    put(2024, "executed", "foundational", "bio", T2, None, 200, 0)
    put(2024, "planned", "leapfrogging", "ai", T1, None, 110, 0)
    put(2024, "planned", "leapfrogging", "ai", T1, "US", 0, 20)
    put(2024, "planned", "foundational", "bio", T2, None, 250, 0)
    put(2025, "planned", "leapfrogging", "ai", T1, None, 100, 0)
    put(2025, "planned", "leapfrogging", "ai", T1, "US", 0, 30)
    put(2025, "planned", "foundational", "bio", T2, None, 200, 0)
    put(2025, "planned", "foundational", "bio", T2, "DE", 0, 10)
    put(2026, "planned", "leapfrogging", "ai", T1, None, 150, 0)
    put(2026, "planned", "leapfrogging", "ai", T1, "US", 0, 50)
    put(2026, "planned", "foundational", "bio", T2, None, 300, 0)
    return Base(
        cells=cells,
        totals={2024: 1000 * EOK, 2025: 1000 * EOK, 2026: 2000 * EOK},
        points=[(2024, Decimal(6)), (2026, Decimal(15))],
        technologies={T1: ("leapfrogging", "ai"), T2: ("foundational", "bio")},
        closed_years=frozenset({2024}),  # the ministry closed 2024; 2025 and 2026 are plans
    )


def figures(*changes):
    rows, state = scenario_figures(base(), list(changes))
    return {(f.path, f.fiscal_year, f.dimension, f.key): f for f in rows}, state


def overall(rows, path, year):
    return rows[(path, year, "overall", "")]


def test_the_baseline_is_executed_where_closed_and_planned_ahead():
    rows, _ = figures()
    closed = overall(rows, Path.BASELINE, 2024)
    assert (closed.international_won, closed.share) == (20 * EOK, Decimal("2.0000"))
    first = overall(rows, Path.BASELINE, 2025)
    assert (first.international_won, first.share, first.target_share) == (
        40 * EOK,
        Decimal("4.0000"),
        Decimal("10.5000"),
    )
    assert (first.target_won, first.gap_won, first.status) == (105 * EOK, 65 * EOK, "behind")
    second = overall(rows, Path.BASELINE, 2026)
    assert (second.share, second.gap_won) == (Decimal("2.5000"), 250 * EOK)
    # With no adjustment the scenario is the baseline, to the won.
    assert overall(rows, Path.SCENARIO, 2026).international_won == 50 * EOK
    assert overall(rows, Path.SCENARIO, 2026).difference_won == 0


def test_a_percentage_shift_moves_that_share_of_the_scopes_domestic_won_to_the_partner():
    rows, _ = figures(
        Change(
            Kind.SHIFT, 2025, 2026, track="foundational", percent=Decimal(10), partner_country="DE"
        )
    )
    assert overall(rows, Path.SCENARIO, 2025).international_won == 60 * EOK  # 40 + 10% of 200
    assert overall(rows, Path.SCENARIO, 2025).share == Decimal("6.0000")
    assert overall(rows, Path.SCENARIO, 2026).international_won == 80 * EOK  # 50 + 10% of 300
    assert overall(rows, Path.SCENARIO, 2026).difference_won == 30 * EOK
    assert rows[(Path.SCENARIO, 2025, "country", "DE")].international_won == 30 * EOK
    assert rows[(Path.SCENARIO, 2026, "track", "foundational")].international_won == 30 * EOK
    # The closed year is not touched.
    assert overall(rows, Path.SCENARIO, 2024).international_won == 20 * EOK


def test_an_amount_shift_moves_that_many_won_each_year_and_no_more_than_the_scope_holds():
    rows, _ = figures(Change(Kind.SHIFT, 2026, 2026, track="leapfrogging", amount_won=50 * EOK))
    assert overall(rows, Path.SCENARIO, 2026).share == Decimal("5.0000")  # 100 of 2,000
    assert rows[(Path.SCENARIO, 2026, "country", "unspecified")].international_won == 50 * EOK
    with pytest.raises(AdjustmentError) as refused:
        figures(Change(Kind.SHIFT, 2026, 2026, track="leapfrogging", amount_won=151 * EOK))
    assert refused.value.field_name == "amount_won" and "2026" in refused.value.message


def test_added_won_counts_as_international_in_its_track_and_country():
    rows, _ = figures(
        Change(
            Kind.ADD, 2025, 2026, track="game_changer", amount_won=20 * EOK, partner_country="US"
        )
    )
    assert overall(rows, Path.SCENARIO, 2025).share == Decimal("6.0000")  # 60 of 1,000
    assert rows[(Path.SCENARIO, 2026, "track", "game_changer")].international_won == 20 * EOK
    assert rows[(Path.SCENARIO, 2026, "field", "unspecified")].international_won == 20 * EOK
    assert rows[(Path.SCENARIO, 2026, "country", "US")].difference_won == 20 * EOK


def test_a_budget_cut_raises_the_share_and_lowers_the_target_in_won():
    rows, _ = figures(Change(Kind.TOTAL, 2026, 2026, percent=Decimal(-10)))
    figure = overall(rows, Path.SCENARIO, 2026)
    assert (figure.total_won, figure.share) == (1800 * EOK, Decimal("2.7778"))  # 50 / 1,800
    assert (figure.target_won, figure.gap_won) == (270 * EOK, 220 * EOK)
    assert overall(rows, Path.BASELINE, 2026).total_won == 2000 * EOK


def test_a_slip_moves_the_scopes_figures_later_and_counts_what_leaves_the_plan():
    rows, state = figures(Change(Kind.SLIP, 2025, 2025, track="leapfrogging", slip_years=1))
    assert overall(rows, Path.SCENARIO, 2025).international_won == 10 * EOK  # DE only
    assert overall(rows, Path.SCENARIO, 2026).international_won == 80 * EOK  # 50 + 30
    assert state.beyond_won == 0
    _rows, state = figures(Change(Kind.SLIP, 2026, 2026, track="leapfrogging", slip_years=2))
    assert state.beyond_won == 200 * EOK  # 150 domestic + 50 international, past 2026


def test_the_expected_path_applies_each_tracks_observed_rate_or_the_one_given():
    # Observed in 2024: leapfrogging 120 executed / 130 planned; foundational 200 / 250.
    assert base().observed_rate(track="leapfrogging") == Decimal("0.923077")
    assert base().observed_rate(track="foundational") == Decimal("0.8")
    rows, _ = figures()
    assert overall(rows, Path.EXPECTED, 2025).international_won == 2_769_231_000 + 8 * EOK
    assert overall(rows, Path.EXPECTED, 2024).international_won == 20 * EOK  # closed: as is
    rows, _ = figures(Change(Kind.RATE, 2026, 2026, track="leapfrogging", percent=Decimal(50)))
    assert overall(rows, Path.EXPECTED, 2026).international_won == 25 * EOK
    assert overall(rows, Path.SCENARIO, 2026).international_won == 50 * EOK  # planned unchanged


def test_adjustments_apply_in_order():
    shift = Change(Kind.SHIFT, 2025, 2025, track="leapfrogging", amount_won=50 * EOK, number=1)
    slip = Change(Kind.SLIP, 2025, 2025, track="leapfrogging", slip_years=1, number=2)
    rows, _ = figures(shift, slip)
    assert overall(rows, Path.SCENARIO, 2025).international_won == 10 * EOK
    assert overall(rows, Path.SCENARIO, 2026).international_won == 130 * EOK  # 50 + 30 + 50
    # The other way round, the slip has already taken 2025's leapfrogging lines away.
    with pytest.raises(AdjustmentError) as refused:
        figures(
            Change(Kind.SLIP, 2025, 2025, track="leapfrogging", slip_years=1, number=1),
            Change(Kind.SHIFT, 2025, 2025, track="leapfrogging", amount_won=50 * EOK, number=2),
        )
    assert (refused.value.number, refused.value.field_name) == (2, "scope")


@pytest.mark.parametrize(
    ("change", "field_name"),
    [
        (Change(Kind.SHIFT, 2024, 2025, percent=Decimal(5)), "from_year"),  # closed
        (Change(Kind.SHIFT, 2025, 2030, percent=Decimal(5)), "to_year"),  # beyond the plan
        (Change(Kind.SHIFT, 2026, 2025, percent=Decimal(5)), "to_year"),
        (Change(Kind.SHIFT, 2025, 2025, field="quantum", percent=Decimal(5)), "scope"),
        (Change(Kind.SHIFT, 2025, 2025, percent=Decimal(0)), "percent"),
        (Change(Kind.SHIFT, 2025, 2025, percent=Decimal(101)), "percent"),
        (Change(Kind.SHIFT, 2025, 2025, country="US", percent=Decimal(5)), "country"),
        (Change(Kind.SHIFT, 2025, 2025), "amount_won"),
        (Change(Kind.TOTAL, 2026, 2026, amount_won=-2000 * EOK), "amount_won"),
        (Change(Kind.TOTAL, 2026, 2026, track="leapfrogging", amount_won=EOK), "scope"),
        (Change(Kind.ADD, 2025, 2025, amount_won=EOK), "track"),
        (Change(Kind.ADD, 2025, 2025, track="legacy", amount_won=-EOK), "amount_won"),
        (Change(Kind.SLIP, 2025, 2025, track="leapfrogging"), "slip_years"),
        (Change(Kind.RATE, 2025, 2025, percent=Decimal(-1)), "percent"),
    ],
)
def test_bad_adjustments_are_refused_naming_the_field(change, field_name):
    with pytest.raises(AdjustmentError) as refused:
        figures(change)
    assert refused.value.field_name == field_name
    assert refused.value.message
