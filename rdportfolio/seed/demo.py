"""A synthetic, deterministic full portfolio for demos and tests.

Every row is marked ``is_synthetic``. The random generator has a fixed seed
and the "current" year is fixed too, so two runs on any day build the same
portfolio. Budget lines are split from the published programme figures with
exact integer arithmetic, so that their sums match those figures to the won:
leapfrogging 148.7 billion won in 2024 and 1.2 trillion by 2030, foundational
66.5 billion in 2024 and 687 billion by 2028, game-changer 1 trillion over
2026-2030, and legacy international spending of 342 billion won (6% of 5.7
trillion) in 2023.
"""

import datetime
import itertools
import random
from dataclasses import dataclass, field

from budgets.models import Basis, BudgetLine, ExchangeRate, MinistryBudget
from partners.models import (
    CenterStatus,
    Collaboration,
    CollaborationRole,
    CooperationCenter,
    DispatchStatus,
    ImplementationRight,
    Institution,
    IPAgreement,
    ResearcherDispatch,
)
from programs.models import Program, Track
from technologies.models import (
    DevelopmentPhase,
    Field,
    Project,
    ProjectStatus,
    Technology,
    TechnologyStatus,
    TechnologyStatusChange,
)

from . import catalogue
from .facts import BILLION, STRATEGY_DATE, TRILLION
from .writer import create_missing, id_map

RANDOM_SEED = 20231205
SOURCE = f"Synthetic demo portfolio (seed --demo, random seed {RANDOM_SEED})"
YEARS = range(2023, 2031)
# Fixed rather than today's date, so that the portfolio does not change with the calendar.
CURRENT_YEAR = 2026
MINISTRY_TOTAL_WON = 5_700 * BILLION

# Planned spending per programme and year, every line of the programme included.
PROGRAM_YEAR_TOTALS: dict[str, dict[int, int]] = {}
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


@dataclass
class DemoPortfolio:
    technologies: list[dict] = field(default_factory=list)
    projects: list[DemoProject] = field(default_factory=list)


def _technology_rows(rng: random.Random, field_codes: list[str]) -> list[dict]:
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


def _projects(rng: random.Random, technologies: list[dict]) -> list[DemoProject]:
    institutions_by_country: dict[str, list[str]] = {}
    for country, name, *_rest in catalogue.INSTITUTIONS:
        institutions_by_country.setdefault(country, []).append(name)
    countries = list(COUNTRY_WEIGHTS)
    country_weights = list(COUNTRY_WEIGHTS.values())
    serial = itertools.count(100001)
    projects = []
    for tech in technologies:
        if tech["status"] in (TechnologyStatus.CANDIDATE, TechnologyStatus.DROPPED):
            continue
        track = tech["track"]
        if track == Track.LEGACY:
            first_start = rng.randint(2019, 2023)
        elif tech["code"] == PACKAGING_CODE:
            first_start = PACKAGING_YEARS.start
        elif track == Track.GAME_CHANGER:
            first_start = 2026
        elif tech["status"] == TechnologyStatus.IN_PROGRESS:
            first_start = 2024
        else:
            first_start = rng.choice([2025, 2025, 2026])
        last_year = {
            Track.LEAPFROGGING: 2030,
            Track.FOUNDATIONAL: 2028,
            Track.GAME_CHANGER: 2030,
            Track.LEGACY: 2030,
        }[track]
        count = 2 if tech["code"] == PACKAGING_CODE else rng.choice([1, 2, 2, 3])
        for index in range(count):
            start = min(first_start + (1 if index == 2 else 0), last_year)
            if tech["code"] == PACKAGING_CODE:
                end = PACKAGING_YEARS[-1]
            elif track == Track.LEGACY:
                end = min(max(start + rng.randint(3, 8), 2024), last_year)
            else:
                end = min(start + rng.randint(3, 5), last_year)
            lead = f"(주){rng.choice(catalogue.LEAD_PREFIXES)}{catalogue.LEAD_SUFFIX[tech['field_code']]}"
            phase_ko, phase_en = [
                ("1단계", "phase 1"),
                ("2단계", "phase 2"),
                ("실증", "demonstration"),
            ][index]
            if tech["code"] == PACKAGING_CODE:
                partner_countries = ["US", "TW"]
            elif track == Track.LEGACY and rng.random() < 0.15:
                partner_countries = []  # recorded before partners were tracked: country "unassigned"
            else:
                partner_countries = rng.choices(
                    countries, weights=country_weights, k=rng.choice([1, 1, 2, 2, 3])
                )
            partners = []
            for position, country in enumerate(partner_countries):
                name = rng.choice(institutions_by_country[country])
                role = (
                    CollaborationRole.LEAD_PARTNER
                    if position == 0
                    else rng.choice(
                        [
                            CollaborationRole.CO_RESEARCHER,
                            CollaborationRole.TECHNOLOGY_SUPPLIER,
                            CollaborationRole.ADVISOR,
                        ]
                    )
                )
                if all(name != existing for existing, _role in partners):
                    partners.append((name, role))
            if end < CURRENT_YEAR:
                status = ProjectStatus.COMPLETED
            elif start <= CURRENT_YEAR:
                status = ProjectStatus.IN_PROGRESS
            else:
                status = ProjectStatus.PLANNED
            projects.append(
                DemoProject(
                    number=f"RS-{start}-{next(serial):08d}",
                    technology_code=tech["code"],
                    track=track,
                    field_code=tech["field_code"],
                    title_ko=f"{tech['name_ko']} {phase_ko}",
                    title_en=f"{tech['name_en']}, {phase_en}",
                    lead=lead,
                    start_year=start,
                    end_year=end,
                    weight=rng.randint(50, 150),
                    international_permille=1000 if not partners else rng.randint(600, 900),
                    status=status,
                    partners=partners,
                )
            )
    return projects


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


def _status_history(technologies: list[dict]) -> list[tuple[str, str, datetime.date]]:
    """(code, status, day) for how each generated technology reached its status.

    A generator of its own, so that adding history left every other demo row as it was.
    Strategy technologies start as candidates on the strategy's date; selections follow in
    2024 (game-changers in 2026, after the feasibility study), work starts 2024-2026.
    Legacy technologies were under way before the strategy; some reach the market in 2025-2026.
    """
    rng = random.Random(RANDOM_SEED + 1)  # noqa: S311 - reproducible demo data
    history = []

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


def demo_load() -> dict[str, int]:
    """Create the synthetic portfolio's missing rows; return how many each model gained."""
    rng = random.Random(RANDOM_SEED)  # noqa: S311 - reproducible demo data, not secrets
    created: dict[str, int] = {}
    programs = id_map(Program, "track")
    fields = id_map(Field, "code")
    field_codes = [code for code, _ko, _en in catalogue.FIELDS]

    generated = _technology_rows(rng, field_codes)
    created["technologies"] = create_missing(
        Technology,
        [
            dict(
                code=t["code"],
                program_id=programs[t["track"]],
                field_id=fields[t["field_code"]],
                name_ko=t["name_ko"],
                name_en=t["name_en"],
                status=t["status"],
                target_commercialisation_year=t["target_commercialisation_year"],
                is_synthetic=True,
                source=SOURCE,
            )
            for t in generated
        ],
        ("code",),
    )
    codes = id_map(Technology, "code")
    created["technology status changes"] = create_missing(
        TechnologyStatusChange,
        [
            dict(technology_id=codes[code], status=status, changed_on=changed_on, note=SOURCE)
            for code, status, changed_on in _status_history(generated)
        ],
        ("technology_id", "changed_on", "status"),
    )
    # The named technologies take part too (projects only where their status allows).
    from .facts import TECHNOLOGIES as FACT_TECHNOLOGIES

    all_technologies = [
        dict(code=code, track=track, field_code=field_code, name_ko=ko, name_en=en, status=status)
        for code, track, field_code, ko, en, status, _why in FACT_TECHNOLOGIES
    ] + generated
    projects = _projects(rng, all_technologies)
    technologies = id_map(Technology, "code")
    created["projects"] = create_missing(
        Project,
        [
            dict(
                technology_id=technologies[p.technology_code],
                project_number=p.number,
                title_ko=p.title_ko,
                title_en=p.title_en,
                lead_organisation=p.lead,
                development_phase=rng.choice(DevelopmentPhase.values[:3]),
                start_year=p.start_year,
                end_year=p.end_year,
                status=p.status,
                is_synthetic=True,
                source=SOURCE,
            )
            for p in projects
        ],
        ("project_number",),
    )

    created["institutions"] = create_missing(
        Institution,
        [
            dict(
                country=cc,
                name=name,
                kind=kind,
                city=city,
                website=web,
                is_synthetic=False,
                source="Real institution; its collaborations in the demo are synthetic",
            )
            for cc, name, kind, city, web in catalogue.INSTITUTIONS
        ],
        ("name", "country"),
    )
    institutions = dict(Institution.objects.values_list("name", "id"))
    new_centers = create_missing(
        CooperationCenter,
        [
            dict(
                institution_id=institutions[host],
                name_ko=ko,
                name_en=en,
                opened_year=year,
                status=CenterStatus.OPEN,
                is_synthetic=True,
                source=SOURCE,
            )
            for host, ko, en, year in DEMO_CENTERS
        ],
        ("institution_id", "name_en"),
    )
    created["cooperation centres"] = new_centers
    centers_by_institution = dict(CooperationCenter.objects.values_list("institution_id", "id"))
    # Drawn on every run, used only on the first: the generator's sequence must not depend on the database.
    center_fields = {
        en: rng.sample(sorted(fields.values()), 3) for _host, _ko, en, _year in DEMO_CENTERS
    }
    if new_centers:
        for center in CooperationCenter.objects.filter(is_synthetic=True, fields__isnull=True):
            center.fields.set(center_fields[center.name_en])

    project_ids = id_map(Project, "project_number")
    planned, legacy_international = _planned_amounts(projects)
    # Budget lines, per project, year and basis: the domestic part unattributed, the
    # international part split over the project's collaborations.
    weights_by_partner = {
        (p.number, name): rng.randint(1, 4) for p in projects for name, _role in p.partners
    }
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
            domestic = amount - international
            for basis in Basis.values:
                factor = _basis_factor(rng, basis, year)
                if factor is None:
                    continue
                if p.partners:
                    if domestic:
                        line_rows.append(
                            (
                                p,
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
                    parts = split_won(
                        international, [weights_by_partner[(p.number, n)] for n in names]
                    )
                    for name, part in zip(names, parts, strict=True):
                        line_rows.append(
                            (
                                p,
                                name,
                                dict(
                                    fiscal_year=year,
                                    basis=basis,
                                    amount_won=part * factor // 1000,
                                    is_international=True,
                                ),
                            )
                        )
                        if basis == Basis.PLANNED:
                            contributions[(p.number, name)] = (
                                contributions.get((p.number, name), 0) + part
                            )
                else:
                    # No partner on record: one unattributed international line ("unassigned" country).
                    line_rows.append(
                        (
                            p,
                            None,
                            dict(
                                fiscal_year=year,
                                basis=basis,
                                amount_won=amount * factor // 1000,
                                is_international=True,
                            ),
                        )
                    )

    collaboration_rows = [
        dict(
            project_id=project_ids[p.number],
            institution_id=institutions[name],
            center_id=centers_by_institution.get(institutions[name]),
            role=role,
            start_year=p.start_year,
            end_year=p.end_year,
            contribution_won=contributions.get((p.number, name), 0),
            is_synthetic=True,
            source=SOURCE,
        )
        for p in projects
        for name, role in p.partners
    ]
    created["collaborations"] = create_missing(
        Collaboration, collaboration_rows, ("project_id", "institution_id", "role")
    )
    collaborations = {
        (project_id, institution_id): collab_id
        for collab_id, project_id, institution_id in Collaboration.objects.values_list(
            "id", "project_id", "institution_id"
        )
    }

    created["budget lines"] = create_missing(
        BudgetLine,
        [
            dict(
                row,
                project_id=project_ids[p.number],
                collaboration_id=collaborations[(project_ids[p.number], institutions[name])]
                if name
                else None,
                is_synthetic=True,
                source=SOURCE,
            )
            for p, name, row in line_rows
        ],
        ("project_id", "fiscal_year", "basis", "collaboration_id"),
    )

    dispatch_rows, ip_rows = [], []
    for p in projects:
        for name, _role in p.partners:
            collab_id = collaborations[(project_ids[p.number], institutions[name])]
            if p.status != ProjectStatus.PLANNED or rng.random() < 0.5:
                domestic = rng.choice([60, 70, 80, 100, 50])
                ip_rows.append(
                    dict(
                        collaboration_id=collab_id,
                        domestic_share_percent=domestic,
                        foreign_share_percent=100 - domestic,
                        implementation_right=rng.choice(
                            [ImplementationRight.EXCLUSIVE, ImplementationRight.NON_EXCLUSIVE]
                        ),
                        territory=rng.choice(["worldwide", "worldwide", "KR", "KR, US, EU"]),
                        signed_on=datetime.date(
                            p.start_year, rng.randint(1, 6), rng.randint(1, 28)
                        ),
                        term_years=rng.choice([None, 10, 15, 20]),
                        is_synthetic=True,
                        source=SOURCE,
                    )
                )
            if rng.random() < 0.35 and p.start_year <= CURRENT_YEAR:
                start = datetime.date(
                    max(p.start_year, 2023), rng.randint(1, 12), rng.randint(1, 28)
                )
                months = rng.choice([6, 12, 18, 24])
                end_year_month = start.year * 12 + start.month - 1 + months
                end = datetime.date(end_year_month // 12, end_year_month % 12 + 1, start.day)
                closed = end.year < CURRENT_YEAR
                dispatch_rows.append(
                    dict(
                        collaboration_id=collab_id,
                        researcher_name=rng.choice(catalogue.SURNAMES)
                        + rng.choice(catalogue.GIVEN_NAMES),
                        home_organisation=p.lead,
                        start_date=start,
                        end_date=end,
                        status=DispatchStatus.CLOSED if closed else DispatchStatus.ACTIVE,
                        direct_participation_confirmed=closed or rng.random() < 0.6,
                        is_synthetic=True,
                        source=SOURCE,
                    )
                )
    created["IP agreements"] = create_missing(IPAgreement, ip_rows, ("collaboration_id",))
    created["dispatches"] = create_missing(
        ResearcherDispatch, dispatch_rows, ("collaboration_id", "researcher_name", "start_date")
    )

    created["ministry budgets"] = create_missing(
        MinistryBudget,
        [
            dict(
                fiscal_year=year,
                total_won=MINISTRY_TOTAL_WON,
                is_synthetic=True,
                source=SOURCE + ": assumed flat at the published 2023 level",
            )
            for year in YEARS
        ],
        ("fiscal_year",),
    )
    created["exchange rates"] = create_missing(
        ExchangeRate,
        [
            dict(
                fiscal_year=year,
                krw_per_usd=1315,
                is_synthetic=True,
                source=SOURCE + ": assumed at the 2023 rate",
            )
            for year in YEARS
        ],
        ("fiscal_year",),
    )
    return created
