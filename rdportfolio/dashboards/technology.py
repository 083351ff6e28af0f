"""One technology: budget by year and basis, projects, partners and their IP terms, centres,
dispatched researchers, status history."""

from collections import defaultdict

from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext
from django_countries import countries

from budgets.kpi.models import BudgetRollup, ShareRun
from budgets.models import Basis, BudgetLine
from partners.models import Collaboration, CooperationCenter, IPAgreement, ResearcherDispatch
from technologies.models import Project, Technology

from .access import dashboard_page, reader_display
from .labels import name_in, name_of


def _budget(technology, display, run) -> dict:
    """Its budget by year and basis, from the rollups of ``run`` (the latest recompute)."""
    rollups = BudgetRollup.objects.of_run(run).filter(technology=technology)
    by_year: dict[int, dict] = defaultdict(dict)
    for year, basis, total, international in rollups.values_list(
        "fiscal_year", "basis", "total_won", "international_won"
    ):
        by_year[year][basis] = (total, international)
    years = sorted(by_year)
    bases = dict(Basis.choices)

    def cell(year, basis, part, text):
        if basis not in by_year[year]:
            return "–" if text else None
        won = by_year[year][basis][part]
        return display.text(won, year) if text else display.value(won, year)

    chart = {
        "years": years,
        "axis": display.axis_label,
        "series": [
            {
                "name": str(bases[basis]),
                "values": [cell(y, basis, 0, text=False) for y in years],
                "labels": [cell(y, basis, 0, text=True) for y in years],
            }
            for basis in Basis.values
        ],
    }
    rows = [
        {
            "year": y,
            "cells": [(cell(y, b, 0, text=True), cell(y, b, 1, text=True)) for b in Basis.values],
        }
        for y in years
    ]
    planned_by_year = {y: v[Basis.PLANNED][0] for y, v in by_year.items() if Basis.PLANNED in v}
    return {
        "budget_chart": chart,
        "budget_rows": rows,
        "bases": [bases[b] for b in Basis.values],
        "planned_total_text": display.text_over_years(planned_by_year),
    }


def _labels(field) -> dict:
    """A choice field's labels in the reader's language, translated once per page rather
    than once per row (``get_FOO_display`` makes each value hashable and translates it)."""
    return {value: str(label) for value, label in field.choices}


# The columns each table shows, read with values(): model instances cost each row its
# timestamps parsed and five objects built (10 of 36 ms for this page with every row).
_PROJECT_COLUMNS = (
    "project_number",
    "title_ko",
    "title_en",
    "lead_organisation",
    "start_year",
    "end_year",
    "development_phase",
    "status",
    "planned_won",
)
_PARTNER_COLUMNS = (
    "institution__name",
    "institution__country",
    "center__name_ko",
    "role",
    "project__project_number",
    "start_year",
    "end_year",
    "contribution_won",
    "ip_agreement__id",
    "ip_agreement__domestic_share_percent",
    "ip_agreement__foreign_share_percent",
    "ip_agreement__implementation_right",
    "ip_agreement__territory",
)


def _project_rows(projects, display) -> list[dict]:
    """The projects table's cells as text. A row of model attributes cost the template a
    failed dictionary lookup and a getattr per cell: at a million lines this page shows 40
    rows where the demo's shows 6, and that was most of its extra time."""
    phases = _labels(Project._meta.get_field("development_phase"))
    statuses = _labels(Project._meta.get_field("status"))
    return [
        {
            "number": p["project_number"],
            "title": name_in(p, "title_ko", "title_en"),
            "lead": p["lead_organisation"],
            "years": f"{p['start_year']}–{p['end_year']}",
            "phase": phases.get(p["development_phase"], p["development_phase"]),
            "status": statuses.get(p["status"], p["status"]),
            "planned": display.text(p["planned_won"]),
        }
        for p in projects.values(*_PROJECT_COLUMNS)
    ]


def _partner_rows(collaborations, display) -> list[dict]:
    """The partners table's cells as text (why: ``_project_rows``)."""
    roles = _labels(Collaboration._meta.get_field("role"))
    rights = _labels(IPAgreement._meta.get_field("implementation_right"))
    rows = []
    for c in collaborations.values(*_PARTNER_COLUMNS):
        has_ip = c["ip_agreement__id"] is not None
        right = c["ip_agreement__implementation_right"]
        rows.append(
            {
                "institution": c["institution__name"],
                "center": c["center__name_ko"] or "",
                "country": str(countries.name(c["institution__country"])),
                "role": roles.get(c["role"], c["role"]),
                "project": c["project__project_number"],
                "years": f"{c['start_year']}–{c['end_year']}",
                "contribution": display.text(c["contribution_won"]),
                "ip_shares": (
                    f"{floatformat(c['ip_agreement__domestic_share_percent'], '-2')}% / "
                    f"{floatformat(c['ip_agreement__foreign_share_percent'], '-2')}%"
                )
                if has_ip
                else None,
                "right": rights.get(right, right) if has_ip else "",
                "territory": _territory(c["ip_agreement__territory"]) if has_ip else "",
            }
        )
    return rows


def _partners(technology, display, limit: int | None) -> dict:
    """Its projects and collaborations, the first ``limit`` of each (None: all), and the
    cooperation centres that work with any of its partners or its field."""
    # Each shown project's planned won, summed for that project alone (a subquery the
    # database runs after the sort and the limit): not a grouping of all its lines.
    planned = (
        BudgetLine.objects.filter(project=OuterRef("pk"), basis=Basis.PLANNED)
        .order_by()
        .values("project")
        .annotate(won=Sum("amount_won"))
        .values("won")
    )
    projects = technology.projects.annotate(planned_won=Subquery(planned)).order_by(
        "start_year", "project_number"
    )[:limit]
    all_collaborations = Collaboration.objects.filter(project__technology=technology)
    collaborations = all_collaborations.order_by(
        "institution__country", "institution__name", "project__project_number"
    )[:limit]
    centers = list(
        CooperationCenter.objects.filter(
            Q(institution__in=all_collaborations.values("institution")) | Q(fields=technology.field)
        )
        .select_related("institution")
        .distinct()
        .order_by("institution__name")
    )
    return {
        "projects": _project_rows(projects, display),
        "collaborations": _partner_rows(collaborations, display),
        "centers": centers,
    }


def _dispatches(technology, user) -> dict:
    dispatches = ResearcherDispatch.objects.filter(collaboration__project__technology=technology)
    show_names = user.has_perm("partners.see_researcher_names")
    if show_names:
        rows = list(dispatches.select_related("collaboration__institution").order_by("start_date"))
        return {"dispatch_rows": rows, "dispatch_summary": None, "show_names": True}
    # Readers without the names (CTO viewers, analysts) see how many went where, never who.
    summary = list(
        dispatches.order_by()
        .values("collaboration__institution__name", "collaboration__institution__country")
        .annotate(researchers=Count("pk"))
        .order_by("collaboration__institution__name")
    )
    return {"dispatch_rows": [], "dispatch_summary": summary, "show_names": False}


# Rows of each long list (projects, partners) a technology's page shows before "Show all".
LIST_ROWS = 20


@dashboard_page
def technology_detail(request, code: str):
    display = reader_display(request)
    # How many projects and collaborations it has, counted with the technology: the lists
    # below read only the rows they show.
    technology = get_object_or_404(
        Technology.objects.with_related().annotate(
            project_count=Count("projects", distinct=True),
            collaboration_count=Count("projects__collaborations", distinct=True),
        ),
        code=code,
    )
    freshness = ShareRun.objects.freshness()
    # A technology with many projects (72 at a million lines) made a page of hundreds of
    # rows, three times the time of a small one: the long lists show their first rows until
    # the reader asks for all of them.
    show_all = request.GET.get("all") == "1"
    context = {
        "freshness": freshness,
        "technology": technology,
        "display_name": name_of(technology),
        "rationale": name_of(technology, "value_chain_rationale", "value_chain_rationale_en"),
        "field_name": name_of(technology.field),
        "display": display,
        **_budget(technology, display, freshness.run),
        **_partners(technology, display, None if show_all else LIST_ROWS),
        **_dispatches(technology, request.user),
        "history": list(technology.status_changes.order_by("changed_on", "id")),
    }
    return render(request, "dashboards/technology_detail.html", context)


def _territory(territory: str) -> str:
    """An IP agreement's territory in the reader's language: "worldwide" is a word of ours
    (the field's default); country codes are named."""
    if not territory:
        return ""
    if territory.strip().casefold() == "worldwide":
        return gettext("worldwide")
    parts = [part.strip() for part in territory.split(",")]
    return ", ".join(
        (countries.name(part) or part) if len(part) == 2 and part.isupper() else part
        for part in parts
    )
