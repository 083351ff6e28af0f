"""The gap solver: the least won, every target met to the won, every limit kept; checked by
hand on small cases and against brute force on random small ones."""

import itertools
import random

import pytest

from budgets.scenarios.solver import UNIT, Problem, Span, gap_close

EOK = UNIT  # 1억 원


def test_nothing_is_needed_where_every_year_is_on_track():
    solution = gap_close(
        Problem(
            years=[2026, 2027],
            gap_won={2026: -5 * EOK, 2027: 0},
            scopes=["leapfrog"],
            room_won={("leapfrog", 2026): 10 * EOK},
        )
    )
    assert solution.feasible and solution.allocation_won == {} and solution.total_won == 0
    assert solution.needed_won == {2026: 0, 2027: 0}


def test_each_year_gets_exactly_its_gap_spread_evenly_over_the_rooms():
    # 2027 is 90억 short; leapfrog may take 100억, foundational 50억 that year: the least
    # total is 90억, and filled evenly (60% of each room) it is 60억 + 30억.
    solution = gap_close(
        Problem(
            years=[2027, 2028],
            gap_won={2027: 90 * EOK, 2028: 10 * EOK + 1},
            scopes=["leapfrog", "foundational"],
            room_won={
                ("leapfrog", 2027): 100 * EOK,
                ("foundational", 2027): 50 * EOK,
                ("leapfrog", 2028): 0,
                ("foundational", 2028): 20 * EOK,
            },
        )
    )
    assert solution.feasible
    assert solution.allocation_won == {
        ("leapfrog", 2027): 60 * EOK,
        ("foundational", 2027): 30 * EOK,
        ("foundational", 2028): 10 * EOK + 1,  # to the won
    }
    assert solution.total_won == 100 * EOK + 1


def test_a_span_cap_moves_the_allocation_to_another_scope():
    # Leapfrog may take 100억 a year but only 30억 over both years: the rest goes to
    # foundational, and the cap is kept to the won.
    solution = gap_close(
        Problem(
            years=[2027, 2028],
            gap_won={2027: 40 * EOK, 2028: 40 * EOK},
            scopes=["leapfrog", "foundational"],
            room_won={
                (s, y): 100 * EOK for s in ("leapfrog", "foundational") for y in (2027, 2028)
            },
            spans=[Span("leapfrog", (2027, 2028), 30 * EOK, "leapfrog programme total")],
        )
    )
    assert solution.feasible and solution.total_won == 80 * EOK
    leapfrog = sum(
        won for (scope, _y), won in solution.allocation_won.items() if scope == "leapfrog"
    )
    assert leapfrog <= 30 * EOK
    for year in (2027, 2028):
        assert sum(w for (_s, y), w in solution.allocation_won.items() if y == year) == 40 * EOK


def test_a_year_no_allocation_can_close_is_reported_with_its_binding_limits():
    solution = gap_close(
        Problem(
            years=[2028],
            gap_won={2028: 100 * EOK},
            scopes=["leapfrog", "foundational"],
            room_won={("leapfrog", 2028): 50 * EOK, ("foundational", 2028): 20 * EOK},
            spans=[Span("foundational", (2028,), 10 * EOK, "foundational programme total")],
        )
    )
    assert not solution.feasible
    # All that fits goes in; the rest is the shortfall.
    assert solution.allocation_won == {
        ("leapfrog", 2028): 50 * EOK,
        ("foundational", 2028): 10 * EOK,
    }
    assert solution.shortfall_won == {2028: 40 * EOK}
    assert "leapfrog 2028: room 5,000,000,000 won used up" in solution.binding
    assert "foundational programme total: cap 1,000,000,000 won reached" in solution.binding


@pytest.mark.parametrize("bad", ["room", "cap"])
def test_negative_limits_are_refused_by_name(bad):
    problem = Problem(
        years=[2027],
        gap_won={2027: EOK},
        scopes=["leapfrog"],
        room_won={("leapfrog", 2027): -1 if bad == "room" else EOK},
        spans=[Span("leapfrog", (2027,), -5 if bad == "cap" else EOK)],
    )
    with pytest.raises(ValueError, match="leapfrog"):
        gap_close(problem)


def brute_force(problem: Problem):
    """The least total and least shortfall over every whole allocation (small numbers)."""
    cells = [(s, y) for y in problem.years for s in problem.scopes]
    ranges = [range(problem.room_won.get(cell, 0) + 1) for cell in cells]
    best = None
    for values in itertools.product(*ranges):
        allocation = dict(zip(cells, values, strict=True))
        if any(
            sum(allocation[(span.scope, y)] for y in span.years) > span.cap_won
            for span in problem.spans
        ):
            continue
        short = sum(
            max(0, problem.gap_won[y] - sum(allocation[(s, y)] for s in problem.scopes))
            for y in problem.years
        )
        # Won beyond a year's gap are never the least: count only what closes gaps.
        used = sum(
            min(sum(allocation[(s, y)] for s in problem.scopes), max(0, problem.gap_won[y]))
            for y in problem.years
        )
        key = (short, used)
        best = key if best is None or key < best else best
    return best


def test_no_cheaper_allocation_exists_on_random_small_problems():
    generator = random.Random(2028)  # noqa: S311 -- repeatable instances, not secrets
    for _ in range(120):
        years, scopes = [2027, 2028], ["a", "b"]
        problem = Problem(
            years=years,
            gap_won={y: generator.randint(-2, 6) for y in years},
            scopes=scopes,
            room_won={(s, y): generator.randint(0, 4) for s in scopes for y in years},
            spans=[Span("a", (2027, 2028), generator.randint(0, 6))]
            if generator.random() < 0.6
            else [],
        )
        # The solver works in 억: scale the small numbers up to whole 억 and back.
        scaled = Problem(
            years=years,
            gap_won={y: g * EOK for y, g in problem.gap_won.items()},
            scopes=scopes,
            room_won={k: r * EOK for k, r in problem.room_won.items()},
            spans=[Span(s.scope, s.years, s.cap_won * EOK) for s in problem.spans],
        )
        solution = gap_close(scaled)
        short, used = brute_force(problem)
        assert sum(solution.shortfall_won.values()) == short * EOK, problem
        assert solution.total_won == used * EOK, problem
        assert solution.feasible == (short == 0)
        for cell, won in solution.allocation_won.items():
            assert won <= scaled.room_won[cell]
        for span in scaled.spans:
            assert sum(solution.allocation_won.get((span.scope, y), 0) for y in span.years) <= (
                span.cap_won
            )
