"""The partners: a world map of international won by country and year, institutions, centres;
filtered by year, country, kind and text."""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django_countries import countries

from budgets.kpi.models import BudgetRollup, Dimension, ShareRun, ShareSnapshot
from partners.models import Collaboration, CooperationCenter, Institution

from .access import PAGE_SIZE, dashboard_page, query_without_page, reader_display
from .filters import PartnerPageForm
from .labels import country_label, name_of


@dataclass(frozen=True)
class InstitutionRow:
    """A partner institution as the table shows it (and its whole won, for those who check)."""

    pk: int
    name: str
    name_ko: str
    country_code: str
    country: str
    kind: str
    project_count: int
    international_won: int | None
    won_text: str


@dataclass(frozen=True)
class CenterRow:
    """A cooperation centre as the table shows it."""

    name: str
    institution: str
    country_code: str
    country: str
    opened_year: int | None
    status: str
    field_names: str
    project_count: int


def _map(run, basis: str, display, year: int | None, country: str | None):
    """International won by partner country and year, from the KPI run; converted year by
    year. The map and the table cover ``year`` (else every year); the table, ``country``
    (else every country), with a column per year."""
    by_country: dict[str, dict[int, int]] = defaultdict(dict)
    if run:
        snapshots = ShareSnapshot.objects.filter(run=run, dimension=Dimension.COUNTRY, basis=basis)
        if year:
            snapshots = snapshots.filter(fiscal_year=year)
        for key, fiscal_year, won in snapshots.values_list(
            "key", "fiscal_year", "international_won"
        ):
            if won:
                by_country[key][fiscal_year] = won
    years = sorted({y for per_year in by_country.values() for y in per_year})
    technologies = reverse("dashboards:technologies")
    rows = sorted(
        (
            {
                "code": code,
                "numeric": f"{countries.numeric(code) or 0:03d}",
                "name": country_label(code),
                "won": sum(per_year.values()),
                "value": display.value_over_years(per_year),
                "text": display.text_over_years(per_year),
                "years": [display.text(per_year[y], y) if y in per_year else "–" for y in years],
                "url": f"{technologies}?{urlencode({'country': code})}",
            }
            for code, per_year in by_country.items()
        ),
        key=lambda r: -r["won"],
    )
    chart = {
        "rows": [{k: r[k] for k in ("numeric", "name", "value", "text", "url")} for r in rows],
        "axis": display.axis_label,
    }
    table = [r for r in rows if country is None or r["code"] == country]
    return chart, table, years


def _institutions(basis: str, run, form: PartnerPageForm):
    """Partner institutions (of the country, kind and text asked) with their international won
    in the year asked, else over all years (from the rollups of ``run``)."""
    rollups = BudgetRollup.objects.of_run(run).filter(institution=OuterRef("pk"), basis=basis)
    if form.value("year"):
        rollups = rollups.filter(fiscal_year=form.value("year"))
    institutions = Institution.objects.partners()
    if form.value("country"):
        institutions = institutions.filter(country=form.value("country"))
    if form.value("kind"):
        institutions = institutions.filter(kind=form.value("kind"))
    if form.value("q"):
        text = form.value("q")
        institutions = institutions.filter(
            Q(name__icontains=text) | Q(name_ko__icontains=text) | Q(city__icontains=text)
        )
    return institutions.annotate(
        international_won=Subquery(
            rollups.order_by()
            .values("institution")
            .annotate(won=Sum("international_won"))
            .values("won")[:1]
        ),
    ).order_by(F("international_won").desc(nulls_last=True), "name")


def _centers(form: PartnerPageForm) -> list[CenterRow]:
    centers = CooperationCenter.objects.select_related("institution")
    if form.value("country"):
        centers = centers.filter(institution__country=form.value("country"))
    if form.value("q"):
        text = form.value("q")
        centers = centers.filter(
            Q(name_ko__icontains=text)
            | Q(name_en__icontains=text)
            | Q(institution__name__icontains=text)
        )
    found: list[Any] = list(
        centers.prefetch_related("fields")
        .annotate(project_count=Count("collaborations__project", distinct=True))
        .order_by("opened_year", "institution__name")
    )
    return [
        CenterRow(
            name=name_of(c),
            institution=c.institution.name,
            country_code=str(c.institution.country),  # a Country: its text is its code
            country=country_label(str(c.institution.country)),
            opened_year=c.opened_year,
            status=c.get_status_display(),
            field_names=", ".join(name_of(f) for f in c.fields.all()),
            project_count=c.project_count,
        )
        for c in found
    ]


@dashboard_page
def partners(request):
    display = reader_display(request)
    partner_countries = list(
        Institution.objects.partners().order_by().values_list("country", flat=True).distinct()
    )
    form = PartnerPageForm(request.GET or None, partner_countries=partner_countries)
    if form.is_bound and not form.is_valid():
        return render(
            request,
            "dashboards/partners.html",
            {"display": display, "form": form, "invalid": True},
            status=400,
        )
    basis = form.basis_value()
    freshness = ShareRun.objects.freshness()
    run = freshness.run
    map_chart, map_rows, years = _map(
        run, basis, display, form.value("year"), form.value("country")
    )
    page = Paginator(_institutions(basis, run, form), PAGE_SIZE).get_page(request.GET.get("page"))
    institutions = list(page.object_list)
    # Projects of the rows shown only: counting them for every institution joins every
    # collaboration on each request.
    projects = dict(
        Collaboration.objects.filter(institution__in=institutions)
        .order_by()
        .values_list("institution")
        .annotate(n=Count("project", distinct=True))
    )
    institution_rows = [
        InstitutionRow(
            pk=i.pk,
            name=i.name,
            name_ko=i.name_ko,
            country_code=i.country.code,
            country=country_label(i.country.code),
            kind=i.get_kind_display(),
            project_count=projects.get(i.pk, 0),
            international_won=i.international_won,
            won_text=display.text(i.international_won, form.value("year")),
        )
        for i in institutions
    ]
    context = {
        "display": display,
        "run": run,
        "freshness": freshness,
        "basis": basis,
        "form": form,
        "year": form.value("year"),
        "years": years,
        "map_chart": map_chart,
        "map_rows": map_rows,
        "page": page,
        "institutions": institution_rows,
        "centers": _centers(form),
        "query": query_without_page(request),
    }
    return render(request, "dashboards/partners.html", context)
