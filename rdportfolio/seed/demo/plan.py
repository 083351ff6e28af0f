"""The demo portfolio's shape: its technologies, their status history and their projects.

A synthetic, deterministic portfolio for demos and tests. The random generator
has a fixed seed and the "current" year is fixed too, so two runs on any day
build the same portfolio. Every random draw happens in a fixed order: changing
the order changes every row after it.
"""

import datetime
import itertools
import random
from dataclasses import dataclass, field

from partners.models import CollaborationRole
from programs.models import Track
from technologies.models import ProjectStatus, TechnologyStatus

from .. import catalogue
from ..facts import BILLION, STRATEGY_DATE

RANDOM_SEED = 20231205
SOURCE = f"Synthetic demo portfolio (seed --demo, random seed {RANDOM_SEED})"
YEARS = range(2023, 2031)
# Fixed rather than today's date, so that the portfolio does not change with the calendar.
CURRENT_YEAR = 2026
# The last year the demo's ministry has closed; the next one's execution is still in progress.
CLOSED_THROUGH = 2024
# Legacy programmes: the international part per year; 2023 is the published 6% baseline.
LEGACY_INTERNATIONAL = {
    2023: 342 * BILLION,
    2024: 336 * BILLION,
    2025: 328 * BILLION,
    2026: 318 * BILLION,
    2027: 309 * BILLION,
    2028: 301 * BILLION,
    2029: 294 * BILLION,
    2030: 288 * BILLION,
}
# The strategy's example: about 100 billion won for heterogeneous-chip packaging, 2025-2029.
PACKAGING_CODE = "LF-001"
PACKAGING_YEARS = range(2025, 2030)
PACKAGING_TOTAL = 100 * BILLION

COUNTRY_WEIGHTS = {
    "US": 30,
    "DE": 10,
    "JP": 6,
    "GB": 6,
    "FR": 5,
    "TW": 6,
    "BE": 5,
    "NL": 5,
    "CH": 4,
    "SE": 3,
    "FI": 3,
    "CA": 4,
    "IL": 3,
    "SG": 3,
    "AU": 3,
    "IT": 2,
    "ES": 2,
    "AT": 2,
    "DK": 2,
    "NO": 2,
}
DEMO_CENTERS = [
    (
        "Fraunhofer-Gesellschaft",
        "프라운호퍼 산업기술협력센터",
        "Industry Technology Cooperation Center at Fraunhofer",
        2024,
    ),
    ("imec", "imec 산업기술협력센터", "Industry Technology Cooperation Center at imec", 2025),
    (
        "Industrial Technology Research Institute",
        "ITRI 산업기술협력센터",
        "Industry Technology Cooperation Center at ITRI",
        2025,
    ),
]


@dataclass
class DemoProject:
    number: str
    technology_code: str
    track: str
    field_code: str
    title_ko: str
    title_en: str
    lead: str
    start_year: int
    end_year: int
    weight: int
    international_permille: int
    status: str
    partners: list[tuple[str, str]] = field(default_factory=list)  # (institution name, role)


def demo_technologies(rng: random.Random, field_codes: list[str]) -> list[dict]:
    """The generated technologies beside the ones the facts name (75 + 96 + 8 + 20 legacy)."""
    combos = {
        code: [
            (app_ko, theme_ko, app_en, theme_en)
            for theme_ko, theme_en in themes
            for app_ko, app_en in apps
        ]
        for code, (themes, apps) in catalogue.THEMES.items()
    }
    for code in combos:
        rng.shuffle(combos[code])
    field_cycle = itertools.cycle(field_codes)
    plan = [
        # (track, code prefix, first number, count, statuses in order, start years)
        (
            Track.LEAPFROGGING,
            "LF-",
            6,
            75,
            [(TechnologyStatus.IN_PROGRESS, 48), (TechnologyStatus.SELECTED, 27)],
        ),
        (
            Track.FOUNDATIONAL,
            "FD-",
            5,
            96,
            [(TechnologyStatus.IN_PROGRESS, 50), (TechnologyStatus.SELECTED, 46)],
        ),
        (
            Track.GAME_CHANGER,
            "GC-",
            3,
            8,
            [(TechnologyStatus.SELECTED, 2), (TechnologyStatus.CANDIDATE, 6)],
        ),
        (
            Track.LEGACY,
            "LG-",
            1,
            20,
            [(TechnologyStatus.IN_PROGRESS, 16), (TechnologyStatus.COMMERCIALISED, 4)],
        ),
    ]
    rows = []
    for track, prefix, first, count, statuses in plan:
        status_list = [status for status, n in statuses for _ in range(n)]
        width = 2 if track in (Track.GAME_CHANGER, Track.LEGACY) else 3
        for offset in range(count):
            field_code = next(field_cycle)
            app_ko, theme_ko, app_en, theme_en = combos[field_code].pop()
            horizon = {Track.LEAPFROGGING: 5, Track.FOUNDATIONAL: 10, Track.GAME_CHANGER: 12}.get(
                track, 4
            )
            rows.append(
                dict(
                    code=f"{prefix}{first + offset:0{width}d}",
                    track=track,
                    field_code=field_code,
                    name_ko=f"{app_ko} {theme_ko}",
                    name_en=f"{theme_en[0].upper()}{theme_en[1:]} {app_en}",
                    status=status_list[offset],
                    target_commercialisation_year=min(2024 + horizon + rng.randint(-1, 1), 2040),
                    value_chain_rationale="",
                )
            )
    return rows


def demo_status_history(technologies: list[dict]) -> list[tuple[str, str, datetime.date]]:
    """(code, status, day) for how each generated technology reached its status.

    A generator of its own, so that adding history left every other demo row as it was.
    Strategy technologies start as candidates on the strategy's date; selections follow in
    2024 (game-changers in 2026, after the feasibility study), work starts 2024-2026.
    Legacy technologies were under way before the strategy; some reach the market in 2025-2026.
    """
    rng = random.Random(RANDOM_SEED + 1)  # noqa: S311 - reproducible demo data
    history: list[tuple[str, str, datetime.date]] = []

    def day(year: int, last_month: int = 10) -> datetime.date:
        return datetime.date(year, rng.randint(2, last_month), rng.randint(1, 28))

    for tech in technologies:
        code, status = tech["code"], tech["status"]
        if tech["track"] == Track.LEGACY:
            history.append((code, TechnologyStatus.IN_PROGRESS, day(rng.randint(2019, 2022))))
            if status == TechnologyStatus.COMMERCIALISED:
                history.append((code, status, day(rng.choice((2025, 2026)))))
            continue
        history.append((code, TechnologyStatus.CANDIDATE, STRATEGY_DATE))
        if status == TechnologyStatus.CANDIDATE:
            continue
        selected_year = 2026 if tech["track"] == Track.GAME_CHANGER else 2024
        selected_on = day(selected_year, 6)
        history.append((code, TechnologyStatus.SELECTED, selected_on))
        if status == TechnologyStatus.IN_PROGRESS:
            started = rng.choices((2024, 2025, 2026), weights=(5, 3, 2))[0]
            history.append(
                (code, status, max(day(started), selected_on + datetime.timedelta(days=30)))
            )
    return history


# The last year a track's projects may run to.
LAST_YEAR = {
    Track.LEAPFROGGING: 2030,
    Track.FOUNDATIONAL: 2028,
    Track.GAME_CHANGER: 2030,
    Track.LEGACY: 2030,
}
PHASES = [("1단계", "phase 1"), ("2단계", "phase 2"), ("실증", "demonstration")]
SECOND_ROLES = [
    CollaborationRole.CO_RESEARCHER,
    CollaborationRole.TECHNOLOGY_SUPPLIER,
    CollaborationRole.ADVISOR,
]


def _first_start(rng: random.Random, tech: dict) -> int:
    track = tech["track"]
    if track == Track.LEGACY:
        return rng.randint(2019, 2023)
    if tech["code"] == PACKAGING_CODE:
        return PACKAGING_YEARS.start
    if track == Track.GAME_CHANGER:
        return 2026
    if tech["status"] == TechnologyStatus.IN_PROGRESS:
        return 2024
    return rng.choice([2025, 2025, 2026])


def _end_year(rng: random.Random, tech: dict, start: int, last_year: int) -> int:
    if tech["code"] == PACKAGING_CODE:
        return PACKAGING_YEARS[-1]
    if tech["track"] == Track.LEGACY:
        return min(max(start + rng.randint(3, 8), 2024), last_year)
    return min(start + rng.randint(3, 5), last_year)


def _partners(
    rng: random.Random, tech: dict, institutions_by_country, legacy_rng: random.Random
) -> tuple[list[tuple[str, str]], bool]:
    """(institution name, role) of a project's partners, the first one leading, and whether
    all of the project's money pays for them (a legacy joint-research grant)."""
    if tech["code"] == PACKAGING_CODE:
        partner_countries = ["US", "TW"]
    elif tech["track"] == Track.LEGACY and rng.random() < 0.15:
        # A legacy grant wholly for its foreign partner. Its partner is drawn from a generator
        # of its own, so that every other draw of the demo stays as it was.
        name = legacy_rng.choice(institutions_by_country[legacy_rng.choice(list(COUNTRY_WEIGHTS))])
        return [(name, CollaborationRole.LEAD_PARTNER)], True
    else:
        partner_countries = rng.choices(
            list(COUNTRY_WEIGHTS),
            weights=list(COUNTRY_WEIGHTS.values()),
            k=rng.choice([1, 1, 2, 2, 3]),
        )
    partners: list[tuple[str, str]] = []
    for position, country in enumerate(partner_countries):
        name = rng.choice(institutions_by_country[country])
        role = CollaborationRole.LEAD_PARTNER if position == 0 else rng.choice(SECOND_ROLES)
        if all(name != existing for existing, _role in partners):
            partners.append((name, role))
    return partners, False


def _status(start: int, end: int) -> str:
    if end < CURRENT_YEAR:
        return ProjectStatus.COMPLETED
    if start <= CURRENT_YEAR:
        return ProjectStatus.IN_PROGRESS
    return ProjectStatus.PLANNED


def demo_projects(rng: random.Random, technologies: list[dict]) -> list[DemoProject]:
    """One to three projects per selected or active technology, with their partners."""
    institutions_by_country: dict[str, list[str]] = {}
    for country, name, *_rest in catalogue.INSTITUTIONS:
        institutions_by_country.setdefault(country, []).append(name)
    serial = itertools.count(100001)
    legacy_rng = random.Random(RANDOM_SEED + 2)  # noqa: S311 - reproducible demo data
    projects = []
    for tech in technologies:
        if tech["status"] in (TechnologyStatus.CANDIDATE, TechnologyStatus.DROPPED):
            continue
        first_start = _first_start(rng, tech)
        last_year = LAST_YEAR[tech["track"]]
        count = 2 if tech["code"] == PACKAGING_CODE else rng.choice([1, 2, 2, 3])
        for index in range(count):
            start = min(first_start + (1 if index == 2 else 0), last_year)
            end = _end_year(rng, tech, start, last_year)
            lead = f"(주){rng.choice(catalogue.LEAD_PREFIXES)}{catalogue.LEAD_SUFFIX[tech['field_code']]}"
            phase_ko, phase_en = PHASES[index]
            partners, wholly_international = _partners(
                rng, tech, institutions_by_country, legacy_rng
            )
            projects.append(
                DemoProject(
                    number=f"RS-{start}-{next(serial):08d}",
                    technology_code=tech["code"],
                    track=tech["track"],
                    field_code=tech["field_code"],
                    title_ko=f"{tech['name_ko']} {phase_ko}",
                    title_en=f"{tech['name_en']}, {phase_en}",
                    lead=lead,
                    start_year=start,
                    end_year=end,
                    weight=rng.randint(50, 150),
                    international_permille=1000 if wholly_international else rng.randint(600, 900),
                    status=_status(start, end),
                    partners=partners,
                )
            )
    return projects
