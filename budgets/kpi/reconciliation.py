"""Every published figure beside the portfolio's own, as of the latest share run.

Two kinds of published figure are checked:

* the programme's own plan: each track's yearly figure (won, technologies and projects
  started), its total over its span (1.2조 원 by 2030 for leapfrogging, 6,870억 원 by 2028
  for foundational, 1조 원 for game-changers) and its number of technologies (80 / 100 / 10),
  against the planned budget lines and the records beneath them;
* the registry (``PublishedFigure`` with a ``measure``): the ministry's totals, the
  global-cooperation budget line, the strategy's 6% and 15%, the exchange rate, against what
  the KPI computes for the same year.

A won amount or a share differs when it is more than ``TOLERANCE_PERCENT`` away from the
published value; a count differs as soon as it is not the same number. Won sums come from the
run's rollups (the same figures the pages show), counts from the records as they are now.
A constant number of queries, whatever the size of the data.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Min, Sum
from django.utils.translation import gettext as _

from programs.models import Measure, Program, ProgramYearPlan, PublishedFigure
from rdportfolio.core.i18n import bilingual
from technologies.models import Project, Technology, TechnologyStatus

from ..models import Basis, ExchangeRate, MinistryBudget, TotalBasis
from .models import Dimension, FieldRollup, ShareSnapshot

TOLERANCE_PERCENT = Decimal("1")


@dataclass(frozen=True, kw_only=True)
class Comparison:
    """One published figure and the portfolio's value for the same thing."""

    code: str  # stable: "programme:leapfrogging:2024:won", "figure:motie-rd-budget-2024"
    subject: str
    track: str
    period: str
    unit: str  # "won", "%", "count", "KRW/USD"
    published: Decimal
    portfolio: Decimal | None
    definition: str
    portfolio_definition: str
    source: str
    source_url: str = ""

    @property
    def difference(self) -> Decimal | None:
        return None if self.portfolio is None else self.portfolio - self.published

    @property
    def difference_percent(self) -> Decimal | None:
        if self.difference is None or not self.published:
            return None
        return (self.difference * 100 / self.published).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )

    @property
    def differs(self) -> bool:
        if self.difference is None:
            return False
        if self.unit == "count":
            return self.difference != 0
        if not self.published:
            return self.difference != 0
        return abs(self.difference * 100 / self.published) > TOLERANCE_PERCENT


def comparisons_build(run) -> list[Comparison]:
    """Every published figure with the portfolio's value as of ``run`` (the latest
    successful share run; None: the counts only, the won sums unknown)."""
    return [*_programme_comparisons(run), *_registry_comparisons(run)]


def _programme_comparisons(run) -> list[Comparison]:
    planned: dict[tuple[str, int], int] = defaultdict(int)
    for track, year, won in (
        FieldRollup.objects.of_run(run)
        .filter(basis=Basis.PLANNED)
        .order_by()
        .values_list("track", "fiscal_year")
        .annotate(won=Sum("total_won"))
    ):
        planned[(track, year)] = int(won)
    live = Technology.objects.exclude(status=TechnologyStatus.DROPPED)
    technologies = dict(live.order_by().values_list("program__track").annotate(n=Count("pk")))
    # Counted here, not grouped by the aggregate in SQL: grouping by MIN() over the projects
    # would count project rows. One row per technology (a few hundred).
    started_technologies = Counter(
        live.annotate(first=Min("projects__start_year"))
        .filter(first__isnull=False)
        .order_by()
        .values_list("program__track", "first")
    )
    started_projects = {
        (track, year): n
        for track, year, n in Project.objects.order_by()
        .values_list("technology__program__track", "start_year")
        .annotate(n=Count("pk"))
    }
    rows = []
    for program in Program.objects.order_by("start_year", "track"):
        name = bilingual(program.name_ko, program.name_en)
        rows += _programme_totals(program, name, planned, technologies)
    plans = ProgramYearPlan.objects.select_related("program").order_by(
        "program__track", "fiscal_year"
    )
    for plan in plans:
        rows += _programme_year(plan, planned, started_technologies, started_projects)
    return rows


def _programme_totals(program, name, planned, technologies) -> list[Comparison]:
    rows = []
    track = program.track
    if program.planned_total_won is not None:
        years = [
            year
            for (t, year) in planned
            if t == track
            and year >= program.start_year
            and (program.end_year is None or year <= program.end_year)
        ]
        end = program.end_year or (max(years) if years else program.start_year)
        span = f"{program.start_year}–{end}"
        rows.append(
            Comparison(
                code=f"programme:{track}:total:won",
                subject=name,
                track=track,
                period=span,
                unit="won",
                published=Decimal(program.planned_total_won),
                portfolio=Decimal(sum(planned[(track, year)] for year in years)),
                definition=_("The programme's published total over its years."),
                portfolio_definition=_(
                    "Planned budget lines of the programme's projects, %(span)s, every line."
                )
                % {"span": span},
                source=program.source,
            )
        )
    if program.target_technology_count is not None:
        rows.append(
            Comparison(
                code=f"programme:{track}:technologies",
                subject=name,
                track=track,
                period="",
                unit="count",
                published=Decimal(program.target_technology_count),
                portfolio=Decimal(technologies.get(track, 0)),
                definition=_("How many technologies the strategy plans for the track."),
                portfolio_definition=_("Technologies of the track, dropped ones left out."),
                source=program.source,
            )
        )
    return rows


def _programme_year(plan, planned, started_technologies, started_projects) -> list[Comparison]:
    program, year = plan.program, plan.fiscal_year
    track, name = program.track, bilingual(program.name_ko, program.name_en)
    rows = [
        Comparison(
            code=f"programme:{track}:{year}:won",
            subject=name,
            track=track,
            period=str(year),
            unit="won",
            published=Decimal(plan.planned_won),
            portfolio=Decimal(planned.get((track, year), 0)),
            definition=_("The programme's published plan for the year."),
            portfolio_definition=_(
                "Planned budget lines of the programme's projects that year, every line."
            ),
            source=plan.source,
        )
    ]
    counts = (
        (
            "technologies",
            plan.technologies_started,
            started_technologies,
            _("Technologies the plan starts that year."),
            _("Technologies of the track whose first project starts that year."),
        ),
        (
            "projects",
            plan.projects_started,
            started_projects,
            _("Projects the plan starts that year."),
            _("Projects of the track starting that year."),
        ),
    )
    for what, published, portfolio, definition, portfolio_definition in counts:
        if published is not None:
            rows.append(
                Comparison(
                    code=f"programme:{track}:{year}:{what}",
                    subject=name,
                    track=track,
                    period=str(year),
                    unit="count",
                    published=Decimal(published),
                    portfolio=Decimal(portfolio.get((track, year), 0)),
                    definition=definition,
                    portfolio_definition=portfolio_definition,
                    source=plan.source,
                )
            )
    return rows


def _registry_comparisons(run) -> list[Comparison]:
    """Registry figures with a measure, beside the run's figure for their year."""
    figures = {
        row.fiscal_year: row
        for row in (
            ShareSnapshot.objects.filter(run=run, dimension=Dimension.OVERALL).exclude(
                basis=Basis.ALLOCATED
            )
            if run is not None
            else []
        )
        if row.basis == (Basis.EXECUTED if row.year_closed else Basis.PLANNED)
    }
    totals = dict(
        MinistryBudget.objects.filter(basis=TotalBasis.BUDGETED).values_list(
            "fiscal_year", "total_won"
        )
    )
    rates = ExchangeRate.objects.by_year()
    rows = []
    for figure in PublishedFigure.objects.exclude(measure="").order_by("fiscal_year", "code"):
        kpi = figures.get(figure.fiscal_year)
        portfolio, says = _measured(figure.measure, figure.fiscal_year, kpi, totals, rates)
        if kpi is not None and figure.measure != Measure.MINISTRY_TOTAL:
            says = f"{says} ({Basis(kpi.basis).label}, #{run.pk})"
        rows.append(
            Comparison(
                code=f"figure:{figure.code}",
                subject=bilingual(figure.description_ko, figure.description_en),
                track="",
                period=str(figure.fiscal_year),
                unit="won" if figure.amount_won is not None else (figure.unit or ""),
                published=Decimal(figure.value),
                portfolio=None if portfolio is None else Decimal(portfolio),
                definition=bilingual(figure.definition_ko, figure.definition_en),
                portfolio_definition=says,
                source=figure.source,
                source_url=figure.source_url,
            )
        )
    return rows


def _measured(measure, year, kpi, totals, rates):
    """The portfolio's value for a registry measure, and what it is."""
    if measure == Measure.MINISTRY_TOTAL:
        return totals.get(year), _("The ministry's budgeted total stored for the year.")
    if measure == Measure.KRW_PER_USD:
        return rates.get(year), _("The exchange rate stored for the year.")
    if kpi is None:
        return None, _("No KPI figure for the year.")
    if measure == Measure.INTERNATIONAL_WON:
        return kpi.international_won, _("International won of the year's KPI figure.")
    if measure == Measure.INTERNATIONAL_SHARE:
        return kpi.share, _("The year's KPI figure.")
    return kpi.target_share, _("The current target plan's share for the year.")
