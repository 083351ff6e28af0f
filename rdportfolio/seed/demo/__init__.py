"""A synthetic, deterministic full portfolio for demos and tests (``seed --demo``).

Every row is marked ``is_synthetic`` and says where it came from. ``plan``
shapes the portfolio (technologies, status history, projects and partners),
``budget`` splits the published programme figures over its lines to the won,
``agreements`` adds IP terms and dispatched researchers; this module writes
whatever is missing, so a second run writes nothing and staff edits survive.
"""

import datetime
import random

from budgets.models import BudgetLine, ExchangeRate, MinistryBudget, TotalBasis, YearClosing
from partners.models import (
    CenterStatus,
    Collaboration,
    CooperationCenter,
    Institution,
    IPAgreement,
    ResearcherDispatch,
)
from programs.models import Program
from technologies.models import DevelopmentPhase, Field, Project, Technology, TechnologyStatusChange

from .. import catalogue
from ..facts import TECHNOLOGIES as FACT_TECHNOLOGIES
from ..published import MINISTRY_TOTALS
from ..writer import create_missing, id_map
from .agreements import demo_agreements
from .budget import demo_budget_lines, split_won
from .plan import (
    CLOSED_THROUGH,
    DEMO_CENTERS,
    RANDOM_SEED,
    SOURCE,
    YEARS,
    demo_projects,
    demo_status_history,
    demo_technologies,
)

__all__ = ["SOURCE", "demo_load", "split_won"]


def _technologies_write(generated: list[dict]) -> dict[str, int]:
    programs = id_map(Program, "track")
    fields = id_map(Field, "code")
    created = {}
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
            for code, status, changed_on in demo_status_history(generated)
        ],
        ("technology_id", "changed_on", "status"),
    )
    return created


def _projects_write(rng: random.Random, projects) -> int:
    technologies = id_map(Technology, "code")
    return create_missing(
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


def _institutions_and_centres_write(rng: random.Random) -> dict[str, int]:
    created = {}
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
    created["cooperation centres"] = create_missing(
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
    # Drawn on every run, used only on the first: the generator's sequence must not depend
    # on the database.
    fields = id_map(Field, "code")
    center_fields = {
        en: rng.sample(sorted(fields.values()), 3) for _host, _ko, en, _year in DEMO_CENTERS
    }
    if created["cooperation centres"]:
        for center in CooperationCenter.objects.filter(is_synthetic=True, fields__isnull=True):
            center.fields.set(center_fields[center.name_en])
    return created


def _collaborations_write(projects, contributions) -> int:
    project_ids = id_map(Project, "project_number")
    institutions = dict(Institution.objects.values_list("name", "id"))
    centers_by_institution = dict(CooperationCenter.objects.values_list("institution_id", "id"))
    return create_missing(
        Collaboration,
        [
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
        ],
        ("project_id", "institution_id", "role"),
    )


def _collaboration_lookup():
    """(project, partner name) -> collaboration id, from what the database holds now."""
    project_ids = id_map(Project, "project_number")
    institutions = dict(Institution.objects.values_list("name", "id"))
    collaborations = {
        (project_id, institution_id): collab_id
        for collab_id, project_id, institution_id in Collaboration.objects.values_list(
            "id", "project_id", "institution_id"
        )
    }

    def collaboration_of(p, name):
        return collaborations[(project_ids[p.number], institutions[name])]

    return project_ids, collaboration_of


def _ministry_write() -> dict[str, int]:
    created = {}
    # The years no total has been published for: assumed, and marked so.
    published = {year: won for year, won, _source in MINISTRY_TOTALS}
    last_year = max(published)
    created["ministry budgets"] = create_missing(
        MinistryBudget,
        [
            dict(
                fiscal_year=year,
                basis=TotalBasis.BUDGETED,
                total_won=published[last_year],
                is_synthetic=True,
                source=f"{SOURCE}: assumed flat at the published {last_year} level",
            )
            for year in YEARS
            if year not in published
        ],
        ("fiscal_year", "basis"),
    )
    # Closed by the ministry: the demo's years up to CLOSED_THROUGH. The year after has its
    # executed lines too, but stays open, its execution "in progress".
    created["year closings"] = create_missing(
        YearClosing,
        [
            dict(
                fiscal_year=year,
                closed_on=datetime.date(year + 1, 5, 31),
                is_synthetic=True,
                source=f"{SOURCE}: assumed closed with the settled accounts",
            )
            for year in YEARS
            if year <= CLOSED_THROUGH
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


def demo_load() -> dict[str, int]:
    """Create the synthetic portfolio's missing rows; return how many each model gained.

    The random draws happen in one fixed order (technologies, projects, centres' fields,
    budget lines, agreements), whatever the database already holds.
    """
    rng = random.Random(RANDOM_SEED)  # noqa: S311 - reproducible demo data, not secrets
    generated = demo_technologies(rng, [code for code, _ko, _en in catalogue.FIELDS])
    created = _technologies_write(generated)
    # The named technologies take part too (projects only where their status allows).
    all_technologies = [
        dict(code=code, track=track, field_code=field_code, name_ko=ko, name_en=en, status=status)
        for code, track, field_code, ko, en, status, _why in FACT_TECHNOLOGIES
    ] + generated
    projects = demo_projects(rng, all_technologies)
    created["projects"] = _projects_write(rng, projects)
    created.update(_institutions_and_centres_write(rng))
    line_rows, contributions = demo_budget_lines(rng, projects)
    created["collaborations"] = _collaborations_write(projects, contributions)
    project_ids, collaboration_of = _collaboration_lookup()
    created["budget lines"] = create_missing(
        BudgetLine,
        [
            dict(
                row,
                project_id=project_ids[p.number],
                collaboration_id=collaboration_of(p, name) if name else None,
                is_synthetic=True,
                source=SOURCE,
            )
            for p, name, row in line_rows
        ],
        ("project_id", "fiscal_year", "basis", "collaboration_id"),
    )
    ip_rows, dispatch_rows = demo_agreements(rng, projects, collaboration_of)
    created["IP agreements"] = create_missing(IPAgreement, ip_rows, ("collaboration_id",))
    created["dispatches"] = create_missing(
        ResearcherDispatch, dispatch_rows, ("collaboration_id", "researcher_name", "start_date")
    )
    created.update(_ministry_write())
    return created
