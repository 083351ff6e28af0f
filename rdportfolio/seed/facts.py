"""The published facts written to the database: every one that is missing, with its source."""

from decimal import Decimal

from budgets.models import (
    CollaborationTarget,
    ExchangeRate,
    MinistryBudget,
    TargetKind,
    TargetPlan,
    TotalBasis,
)
from partners.models import CooperationCenter, Institution
from programs.models import Program, ProgramYearPlan, PublishedFigure
from technologies.models import Field, Technology, TechnologyStatusChange

from .catalogue import FIELDS
from .published import (
    BILLION,
    CENTERS,
    FIGURES,
    INSTITUTIONS,
    MINISTRY_TOTALS,
    PROGRAMS,
    RATIONALE_KO,
    SOURCE,
    STRATEGY_DATE,
    STRATEGY_PLAN_NAME,
    TECHNOLOGIES,
    TRILLION,
    YEAR_PLANS,
)
from .writer import create_missing, id_map

__all__ = ["BILLION", "SOURCE", "STRATEGY_DATE", "TECHNOLOGIES", "TRILLION", "facts_load"]


def facts_load() -> dict[str, int]:
    """Create every published fact that is missing; return how many rows each model gained."""
    created: dict[str, int] = {}
    created["fields"] = create_missing(
        Field, [dict(code=c, name_ko=ko, name_en=en) for c, ko, en in FIELDS], ("code",)
    )
    created["programs"] = create_missing(
        Program, [dict(p, source=SOURCE) for p in PROGRAMS], ("track",)
    )
    programs = id_map(Program, "track")
    created["year plans"] = create_missing(
        ProgramYearPlan,
        [
            dict(
                program_id=programs[track],
                fiscal_year=year,
                planned_won=won,
                technologies_started=technologies,
                projects_started=projects,
                source=SOURCE,
            )
            for track, year, won, technologies, projects in YEAR_PLANS
        ],
        ("program_id", "fiscal_year"),
    )
    fields = id_map(Field, "code")
    created["technologies"] = create_missing(
        Technology,
        [
            dict(
                code=code,
                program_id=programs[track],
                field_id=fields[field],
                name_ko=ko,
                name_en=en,
                status=status,
                value_chain_rationale=RATIONALE_KO[why],
                value_chain_rationale_en=why,
                source=SOURCE,
            )
            for code, track, field, ko, en, status, why in TECHNOLOGIES
        ],
        ("code",),
    )
    technologies = id_map(Technology, "code")
    # Bulk inserts bypass Technology.save(): their first status is written here, dated the day
    # the strategy named them.
    create_missing(
        TechnologyStatusChange,
        [
            dict(
                technology_id=technologies[code],
                status=status,
                changed_on=STRATEGY_DATE,
                note=SOURCE,
            )
            for code, _track, _field, _ko, _en, status, _why in TECHNOLOGIES
        ],
        ("technology_id", "changed_on", "status"),
    )
    created["institutions"] = create_missing(
        Institution,
        [
            dict(
                country=cc, name=name, name_ko=ko, kind=kind, city=city, website=web, source=SOURCE
            )
            for cc, name, ko, kind, city, web in INSTITUTIONS
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
                source=SOURCE + " (to be set up)",
            )
            for host, ko, en in CENTERS
        ],
        ("institution_id", "name_en"),
    )
    created["ministry budgets"] = create_missing(
        MinistryBudget,
        [
            dict(fiscal_year=year, basis=TotalBasis.BUDGETED, total_won=won, source=source)
            for year, won, source in MINISTRY_TOTALS
        ],
        ("fiscal_year", "basis"),
    )
    created["exchange rates"] = create_missing(
        ExchangeRate,
        [
            dict(
                fiscal_year=2023,
                krw_per_usd=Decimal("1315"),
                source=SOURCE + " (implied: 5.7T won = $4.33B)",
            )
        ],
        ("fiscal_year",),
    )
    created["target plans"] = create_missing(
        TargetPlan,
        [
            dict(
                name=STRATEGY_PLAN_NAME,
                adopted_on=STRATEGY_DATE,
                source=SOURCE,
                description="About 6% of the industrial R&D budget on international collaboration "
                "in 2023, over 15% by 2028.",
            )
        ],
        ("name",),
    )
    plan_id = TargetPlan.objects.get(name=STRATEGY_PLAN_NAME).id
    created["targets"] = create_missing(
        CollaborationTarget,
        [
            dict(
                plan_id=plan_id,
                fiscal_year=2023,
                target_share=Decimal("6.00"),
                kind=TargetKind.BASELINE,
                source=SOURCE + " (2023 level)",
            ),
            dict(
                plan_id=plan_id,
                fiscal_year=2028,
                target_share=Decimal("15.00"),
                source=SOURCE + " (over 15% by 2028)",
            ),
        ],
        ("plan_id", "fiscal_year"),
    )
    # The strategy is the source of every figure that names no other.
    figures = [{"source": SOURCE, **figure} for figure in FIGURES]
    created["published figures"] = create_missing(PublishedFigure, figures, ("code",))
    return created
