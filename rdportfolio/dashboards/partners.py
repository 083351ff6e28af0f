"""The partners: a world map of international won by country, institutions, centres."""

from collections import defaultdict

from django.core.paginator import Paginator
from django.db.models import Count, F, OuterRef, Subquery, Sum
from django.shortcuts import render
from django_countries import countries

from budgets.kpi.models import BudgetRollup, Dimension, ShareRun, ShareSnapshot
from budgets.models import UNASSIGNED
from partners.models import Collaboration, CooperationCenter, Institution

from .access import PAGE_SIZE, dashboard_page, name_of, query_without_page, reader_display
from .filters import BasisForm


def _map(run, basis: str, display) -> tuple[dict, list[dict], dict]:
    """International won by partner country and year, from the KPI run; converted year by year."""
    by_country: dict[str, dict[int, int]] = defaultdict(dict)
    if run:
        for key, year, won in ShareSnapshot.objects.filter(
            run=run, dimension=Dimension.COUNTRY, basis=basis
        ).values_list("key", "fiscal_year", "international_won"):
            if won:
                by_country[key][year] = won
    unassigned = by_country.pop(UNASSIGNED, {})
    rows = sorted(
        (
            {
                "code": code,
                "numeric": f"{countries.numeric(code) or 0:03d}",
                "name": countries.name(code) or code,
                "won": sum(years.values()),
                "value": display.value_over_years(years),
                "text": display.text_over_years(years),
            }
            for code, years in by_country.items()
        ),
        key=lambda r: -r["won"],
    )
    chart = {
        "rows": [{k: r[k] for k in ("numeric", "name", "value", "text")} for r in rows],
        "axis": display.axis_label,
    }
    return chart, rows, unassigned


def _institutions(basis: str, run):
    """Partner institutions with their projects and international won over all years (from
    the rollups of ``run``)."""
    rollups = BudgetRollup.objects.of_run(run).filter(institution=OuterRef("pk"), basis=basis)
    return (
        Institution.objects.partners()
        .annotate(
            international_won=Subquery(
                rollups.order_by()
                .values("institution")
                .annotate(won=Sum("international_won"))
                .values("won")[:1]
            ),
        )
        .order_by(F("international_won").desc(nulls_last=True), "name")
    )


def _centers() -> list:
    centers = list(
        CooperationCenter.objects.select_related("institution")
        .prefetch_related("fields")
        .annotate(project_count=Count("collaborations__project", distinct=True))
        .order_by("opened_year", "institution__name")
    )
    for c in centers:
        c.display_name = name_of(c)
        c.field_names = ", ".join(name_of(f) for f in c.fields.all())
    return centers


@dashboard_page
def partners(request):
    display = reader_display(request)
    basis_form = BasisForm(request.GET or None)
    basis = basis_form.basis_value()
    freshness = ShareRun.objects.freshness()
    run = freshness.run
    map_chart, map_rows, unassigned = _map(run, basis, display)
    page = Paginator(_institutions(basis, run), PAGE_SIZE).get_page(request.GET.get("page"))
    institution_rows = list(page.object_list)
    # Projects of the rows shown only: counting them for every institution joins every
    # collaboration on each request.
    projects = dict(
        Collaboration.objects.filter(institution__in=institution_rows)
        .order_by()
        .values_list("institution")
        .annotate(n=Count("project", distinct=True))
    )
    for i in institution_rows:
        i.won_text = display.text(i.international_won)
        i.project_count = projects.get(i.pk, 0)
    context = {
        "display": display,
        "run": run,
        "freshness": freshness,
        "basis": basis,
        "basis_form": basis_form,
        "map_chart": map_chart,
        "map_rows": map_rows,
        "unassigned_text": display.text_over_years(unassigned) if unassigned else None,
        "page": page,
        "institutions": institution_rows,
        "centers": _centers(),
        "query": query_without_page(request),
    }
    return render(request, "dashboards/partners.html", context)
