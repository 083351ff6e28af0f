"""The demo's money: programme totals per year, split exactly over projects, years and bases.

Budget lines are split from the published programme figures with exact integer
arithmetic, so that their sums match those figures to the won: leapfrogging
148.7 billion won in 2024 and 1.2 trillion by 2030, foundational 66.5 billion in
2024 and 687 billion by 2028, game-changer 1 trillion over 2026-2030, and legacy
international spending of 342 billion won (6% of 5.7 trillion) in 2023.
"""

import random
from typing import Any

from budgets.models import Basis
from programs.models import Track

from ..facts import BILLION, TRILLION
from .plan import (
    CURRENT_YEAR,
    LEGACY_INTERNATIONAL,
    PACKAGING_CODE,
    PACKAGING_TOTAL,
    PACKAGING_YEARS,
    DemoProject,
)


def split_won(total: int, weights: list[int]) -> list[int]:
    """Split whole won in proportion to integer weights; the parts add up to ``total`` exactly.

    Largest remainder: floor every share, then hand the leftover won to the
    largest remainders (ties to the first), so no won is lost or invented.
    """
    weight_sum = sum(weights)
    if weight_sum <= 0:
        raise ValueError("weights must add up to more than zero")
    floors = [total * w // weight_sum for w in weights]
    remainders = [total * w % weight_sum for w in weights]
    leftover = total - sum(floors)
    for index in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:leftover]:
        floors[index] += 1
    return floors


def _year_totals(
    total: int, years: range, weights: list[int], fixed: dict[int, int] | None = None
) -> dict[int, int]:
    fixed = fixed or {}
    free_years = [y for y in years if y not in fixed]
    rest = total - sum(fixed.values())
    return {**fixed, **dict(zip(free_years, split_won(rest, weights), strict=True))}


# Planned spending per programme and year, every line of the programme included.
PROGRAM_YEAR_TOTALS: dict[str, dict[int, int]] = {}
PROGRAM_YEAR_TOTALS[Track.LEAPFROGGING] = _year_totals(
    1_200 * BILLION,
    range(2024, 2031),
    [90, 105, 115, 115, 105, 85],
    fixed={2024: 1487 * BILLION // 10},
)
PROGRAM_YEAR_TOTALS[Track.FOUNDATIONAL] = _year_totals(
    687 * BILLION, range(2024, 2029), [110, 130, 130, 110], fixed={2024: 665 * BILLION // 10}
)
PROGRAM_YEAR_TOTALS[Track.GAME_CHANGER] = _year_totals(
    1 * TRILLION, range(2026, 2031), [60, 100, 120, 120, 100]
)


def _planned_amounts(projects: list[DemoProject]) -> tuple[dict, dict]:
    """Each project's planned won per year, split exactly from the programme totals.

    Returns the totals by (project number, year) and, for legacy projects, the
    international part by the same key (their published figure is the
    international part; the domestic match comes on top of it).
    """
    totals: dict[tuple[str, int], int] = {}
    legacy_international: dict[tuple[str, int], int] = {}
    packaging = [p for p in projects if p.technology_code == PACKAGING_CODE]
    packaging_years = _year_totals(PACKAGING_TOTAL, PACKAGING_YEARS, [1] * len(PACKAGING_YEARS))
    for year, won in packaging_years.items():
        for project, part in zip(
            packaging, split_won(won, [p.weight for p in packaging]), strict=True
        ):
            totals[(project.number, year)] = part
    for track, year_totals in PROGRAM_YEAR_TOTALS.items():
        for year, total in year_totals.items():
            if track == Track.LEAPFROGGING and year in packaging_years:
                total -= packaging_years[year]
            active = [
                p
                for p in projects
                if p.track == track
                and p.start_year <= year <= p.end_year
                and p.technology_code != PACKAGING_CODE
            ]
            if not active:
                raise RuntimeError(f"no active {track} project in {year} to carry its budget")
            for project, part in zip(
                active, split_won(total, [p.weight for p in active]), strict=True
            ):
                totals[(project.number, year)] = part
    for year, international in LEGACY_INTERNATIONAL.items():
        active = [
            p for p in projects if p.track == Track.LEGACY and p.start_year <= year <= p.end_year
        ]
        if not active:
            raise RuntimeError(f"no active legacy project in {year}")
        for project, part in zip(
            active, split_won(international, [p.weight for p in active]), strict=True
        ):
            permille = project.international_permille
            totals[(project.number, year)] = part + part * (1000 - permille) // permille
            legacy_international[(project.number, year)] = part
    return totals, legacy_international


def _basis_factor(rng: random.Random, basis: str, year: int) -> int | None:
    """Permille of the planned amount for a basis, or None where the basis has no figure yet."""
    if basis == Basis.PLANNED:
        return 1000
    if basis == Basis.ALLOCATED:
        return rng.randint(960, 1000) if year <= CURRENT_YEAR else None
    if year >= CURRENT_YEAR:
        return None  # executed figures exist only for closed fiscal years
    return rng.randint(985, 1015) if year == 2023 else rng.randint(880, 1000)


def _lines_of_year(
    p: DemoProject, year: int, basis: str, amount: int, international: int, factor, weights
):
    """The lines of one project, year and basis: (partner name or None, field values)."""
    rows: list[tuple[str | None, dict[str, Any]]] = []
    planned_parts: dict[str, int] = {}
    domestic = amount - international
    if domestic:
        rows.append(
            (
                None,
                dict(
                    fiscal_year=year,
                    basis=basis,
                    amount_won=domestic * factor // 1000,
                    is_international=False,
                ),
            )
        )
    names = [name for name, _role in p.partners]
    parts = split_won(international, [weights[(p.number, n)] for n in names])
    for name, part in zip(names, parts, strict=True):
        rows.append(
            (
                name,
                dict(
                    fiscal_year=year,
                    basis=basis,
                    amount_won=part * factor // 1000,
                    is_international=True,
                ),
            )
        )
        planned_parts[name] = part
    return rows, planned_parts


def demo_budget_lines(rng: random.Random, projects: list[DemoProject]):
    """Budget lines per project, year and basis: the domestic part unattributed, the
    international part split over the project's collaborations.

    Returns (project, partner name or None, field values) per line, and each
    collaboration's planned contribution by (project number, partner name).
    """
    planned, legacy_international = _planned_amounts(projects)
    weights = {(p.number, name): rng.randint(1, 4) for p in projects for name, _role in p.partners}
    line_rows: list[tuple[DemoProject, str | None, dict]] = []
    contributions: dict[tuple[str, str], int] = {}
    for p in projects:
        for year in range(p.start_year, p.end_year + 1):
            amount = planned.get((p.number, year))
            if amount is None:
                continue  # years before 2023 are outside the demo's horizon
            international = legacy_international.get(
                (p.number, year), amount * p.international_permille // 1000
            )
            for basis in Basis.values:
                factor = _basis_factor(rng, basis, year)
                if factor is None:
                    continue
                rows, parts = _lines_of_year(p, year, basis, amount, international, factor, weights)
                line_rows.extend((p, name, values) for name, values in rows)
                if basis == Basis.PLANNED:
                    for name, part in parts.items():
                        contributions[(p.number, name)] = (
                            contributions.get((p.number, name), 0) + part
                        )
    return line_rows, contributions
