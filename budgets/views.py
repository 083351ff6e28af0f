"""The dashboard pages for company CTOs: the KPI, the technologies, one technology, the partners.

They live in the budgets app because every page puts won beside the
portfolio, and budgets is the app that may read all the others. Pages read
the KPI from the latest share run and aggregate budget lines in SQL; each
costs a fixed number of queries whatever the size of the portfolio
(tests/test_pages.py counts them). Charts get their figures already scaled
to the reader's unit, as strings.
"""

import csv
import datetime
import math
from collections import defaultdict
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_countries import countries

from partners.models import Collaboration, CooperationCenter, Institution, ResearcherDispatch
from programs.models import Program, Track
from rdportfolio.core.money import DEFAULT_UNIT, UNITS, Display
from technologies.models import Field, Technology, TechnologyStatus

from .forms import BasisForm, TechnologyFilterForm
from .models import (
    Basis,
    BudgetLine,
    CollaborationTarget,
    Dimension,
    ExchangeRate,
    ShareRun,
    ShareSnapshot,
    ShareStatus,
    TargetPlan,
)

# What a reader must be allowed to see for the pages to make sense; the CTO viewer role has it.
DASHBOARD_PERMISSIONS = (
    "technologies.view_technology",
    "partners.view_institution",
    "budgets.view_budgetline",
    "budgets.view_sharesnapshot",
)
PIPELINE = [
    TechnologyStatus.CANDIDATE,
    TechnologyStatus.SELECTED,
    TechnologyStatus.IN_PROGRESS,
    TechnologyStatus.COMMERCIALISED,
]
# Radar rings from the centre out: closest to market first, as on a technology radar.
STATUS_RINGS = list(reversed(PIPELINE))
HORIZON_RINGS = [
    (3, "≤ 3"),
    (6, "4–6"),
    (10, "7–10"),
    (None, "> 10"),
]
TRACK_ORDER = [Track.LEAPFROGGING, Track.FOUNDATIONAL, Track.GAME_CHANGER, Track.LEGACY]
PAGE_SIZE = 100


def dashboard_page(view):
    """GET only; open to anyone when RDP_DASHBOARDS_PUBLIC is on, else to CTO viewers and up."""

    @wraps(view)
    @require_GET
    def wrapper(request, *args, **kwargs):
        if not settings.RDP_DASHBOARDS_PUBLIC:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perms(DASHBOARD_PERMISSIONS):
                raise PermissionDenied(_("Your role does not include the dashboards."))
        return view(request, *args, **kwargs)

    return wrapper


def _display(request) -> Display:
    return Display(
        request.session.get("unit", DEFAULT_UNIT),
        ExchangeRate.objects.by_year(),
        settings.RDP_DEFAULT_KRW_PER_USD,
    )


def _korean() -> bool:
    return (get_language() or "ko").startswith("ko")


def _name(obj, ko: str = "name_ko", en: str = "name_en") -> str:
    ko_value, en_value = getattr(obj, ko), getattr(obj, en)
    return (ko_value or en_value) if _korean() else (en_value or ko_value)


def _percent(value) -> str:
    return "–" if value is None else f"{value:.2f}%"


@require_POST
def unit_set(request):
    """Remember the reader's unit (억 원, 조 원, US dollars) and go back where they were."""
    unit = request.POST.get("unit", "")
    if unit not in UNITS:
        return render(
            request,
            "dashboards/bad_request.html",
            {"message": _("Unknown unit “%(unit)s”: choose eok, jo or usd.") % {"unit": unit}},
            status=400,
        )
    request.session["unit"] = unit
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    return HttpResponseRedirect(target)


# --- 1. Overview -----------------------------------------------------------------------------


def _share_path(run):
    """Per year: executed and planned share, target, gaps; for the chart and the table."""
    rows = (
        ShareSnapshot.objects.filter(run=run, dimension=Dimension.OVERALL)
        .exclude(basis=Basis.ALLOCATED)
        .order_by("fiscal_year", "basis")
        if run
        else []
    )
    years: dict[int, dict] = defaultdict(dict)
    for row in rows:
        years[row.fiscal_year][row.basis] = row
    path = []
    for year, by_basis in sorted(years.items()):
        executed = by_basis.get(Basis.EXECUTED)
        planned = by_basis.get(Basis.PLANNED)
        if executed and executed.status == ShareStatus.NO_DATA:
            executed = None
        any_row = executed or planned
        path.append(
            {
                "year": year,
                "executed": executed,
                "planned": planned,
                "target_share": any_row.target_share if any_row else None,
                "best": executed or planned,
            }
        )
    return path


@dashboard_page
def overview(request):
    display = _display(request)
    basis_form = BasisForm(request.GET or None)
    budget_basis = basis_form.basis_value()
    run = ShareRun.objects.latest_succeeded()
    path = _share_path(run)
    this_year = timezone.localdate().year
    current = next((p for p in path if p["year"] == this_year), None)
    if current is None and path:
        current = path[-1]
    plan = TargetPlan.objects.current()
    final_target = (
        CollaborationTarget.objects.filter(plan=plan).order_by("-fiscal_year").first()
        if plan
        else None
    )
    programs = sorted(
        Program.objects.strategy().annotate(
            technology_count=Count(
                "technologies", filter=~Q(technologies__status=TechnologyStatus.DROPPED)
            )
        ),
        key=lambda program: TRACK_ORDER.index(program.track),
    )
    partners = Collaboration.objects.aggregate(
        institutions=Count("institution", distinct=True),
        countries=Count("institution__country", distinct=True),
    )
    by_track = BudgetLine.objects.filter(basis=budget_basis).sums(
        "fiscal_year", "project__technology__program__track"
    )
    budget_years = sorted({row["fiscal_year"] for row in by_track})
    budget_cells = {
        (row["project__technology__program__track"], row["fiscal_year"]): int(row["total_won"])
        for row in by_track
    }
    tracks = dict(Track.choices)
    budget_series = [
        {
            "name": str(tracks[track]),
            "values": [display.value(budget_cells.get((track, y), 0), y) for y in budget_years],
            "labels": [display.text(budget_cells.get((track, y), 0), y) for y in budget_years],
        }
        for track in TRACK_ORDER
        if any((track, y) in budget_cells for y in budget_years)
    ]

    def point(row):
        return None if row is None or row.share is None else str(row.share)

    share_chart = {
        "years": [p["year"] for p in path],
        "executed": [point(p["executed"]) for p in path],
        "planned": [point(p["planned"]) for p in path],
        "target": [None if p["target_share"] is None else str(p["target_share"]) for p in path],
        "goal": str(final_target.target_share) if final_target else None,
        "goal_label": (
            _("%(share)s%% goal for %(year)s")
            % {
                "share": f"{final_target.target_share.normalize():f}",
                "year": final_target.fiscal_year,
            }
            if final_target
            else ""
        ),
        "names": {
            "executed": _("Executed"),
            "planned": _("Planned (projection)"),
            "target": _("Target path"),
        },
    }
    budget_chart = {
        "years": budget_years,
        "series": budget_series,
        "axis": display.axis_label,
    }
    for p in path:
        best = p["best"]
        p["share_text"] = _percent(best.share if best else None)
        p["target_text"] = _percent(p["target_share"])
        p["international_text"] = display.text(best.international_won if best else None, p["year"])
        gap = best.gap_won if best else None
        p["gap_text"] = display.text(gap, p["year"])
        # The tile says it in words: a negative gap is a lead, not a shortfall.
        p["gap_abs_text"] = display.text(abs(gap) if gap is not None else None, p["year"])
        p["gap_is_shortfall"] = gap is not None and gap > 0
    context = {
        "run": run,
        "current": current,
        "this_year": this_year,
        "path": path,
        "programs": programs,
        "partners": partners,
        "share_chart": share_chart,
        "budget_chart": budget_chart,
        "budget_basis": budget_basis,
        "basis_form": basis_form,
        "final_target": final_target,
        "display": display,
    }
    return render(request, "dashboards/overview.html", context)


# --- 2. Technologies -------------------------------------------------------------------------


def _planned_sum(**filters):
    lines = BudgetLine.objects.filter(project__technology=OuterRef("pk"), basis=Basis.PLANNED)
    return Subquery(
        lines.filter(**filters)
        .order_by()
        .values("project__technology")
        .annotate(won=Sum("amount_won"))
        .values("won")[:1]
    )


def _technologies_filtered(filters: dict):
    """The technologies the filters select, without annotations (funnel, radar, table)."""
    rows = Technology.objects.all()
    if "q" in filters:
        q = filters["q"]
        rows = rows.filter(Q(code__icontains=q) | Q(name_ko__icontains=q) | Q(name_en__icontains=q))
    if "track" in filters:
        rows = rows.filter(program__track=filters["track"])
    if "field" in filters:
        rows = rows.filter(field__code=filters["field"])
    if "status" in filters:
        rows = rows.filter(status=filters["status"])
    if "country" in filters:
        rows = rows.filter(
            pk__in=Collaboration.objects.filter(institution__country=filters["country"]).values(
                "project__technology"
            )
        )
    return rows


def _technology_table(filtered, sort: str):
    order = {
        "code": ["code"],
        "name": ["name_ko" if _korean() else "name_en", "code"],
        "track": ["program__start_year", "program__track", "code"],
        "field": ["field__code", "code"],
        "status": ["status", "code"],
        # Technologies without lines sort last on every database (PostgreSQL puts NULL first).
        "-planned_won": [F("planned_won").desc(nulls_last=True), "code"],
        "-international_won": [F("international_won").desc(nulls_last=True), "code"],
        "-partner_count": ["-partner_count", "code"],
    }[sort]
    return (
        filtered.select_related("program", "field")
        .annotate(
            planned_won=_planned_sum(),
            international_won=_planned_sum(is_international=True),
            partner_count=Count("projects__collaborations__institution", distinct=True),
        )
        .order_by(*order)
    )


def _partner_countries(technology_ids) -> dict[int, list[str]]:
    pairs = (
        Collaboration.objects.filter(project__technology__in=technology_ids)
        .order_by()
        .values_list("project__technology_id", "institution__country")
        .distinct()
    )
    result: dict[int, list[str]] = defaultdict(list)
    for technology_id, country in pairs:
        result[technology_id].append(country)
    return {k: sorted(v) for k, v in result.items()}


def _technology_form(request):
    fields = list(Field.objects.order_by("code"))
    partner_countries = list(
        Institution.objects.filter(collaborations__isnull=False)
        .order_by()
        .values_list("country", flat=True)
        .distinct()
    )
    form = TechnologyFilterForm(
        request.GET or None, fields=fields, partner_countries=partner_countries
    )
    return form, fields


def _radar(filtered, fields, year: int, rings_by: str):
    """Points of the portfolio radar: sectors are fields, rings status or horizon; movement."""
    end = datetime.date(year, 12, 31)
    before = datetime.date(year - 1, 12, 31)
    technologies = (
        filtered.order_by("field__code", "code")
        .with_status_on(end, "status_then")
        .with_status_on(before, "status_before")
        .values(
            "code",
            "name_ko",
            "name_en",
            "field__code",
            "program__track",
            "target_commercialisation_year",
            "status_then",
            "status_before",
        )
    )
    statuses = dict(TechnologyStatus.choices)
    if rings_by == "horizon":
        ring_labels = [_("%(years)s years") % {"years": label} for _limit, label in HORIZON_RINGS]

        def ring_of(t):
            target = t["target_commercialisation_year"]
            if target is None:
                return len(HORIZON_RINGS) - 1
            for index, (limit, _label) in enumerate(HORIZON_RINGS):
                if limit is None or target - year <= limit:
                    return index
            return len(HORIZON_RINGS) - 1
    else:
        ring_labels = [str(statuses[s]) for s in STATUS_RINGS]

        def ring_of(t):
            return STATUS_RINGS.index(t["status_then"])

    cells: dict[tuple[int, int], list[dict]] = defaultdict(list)
    field_index = {f.code: i for i, f in enumerate(fields)}
    moved, dropped, shown = [], 0, 0
    for t in technologies:
        if t["status_then"] is None:
            continue  # not in the portfolio yet that year
        if t["status_then"] == TechnologyStatus.DROPPED:
            dropped += 1
            continue
        if t["status_before"] != t["status_then"]:
            moved.append(t)
        cells[(field_index[t["field__code"]], ring_of(t))].append(t)
        shown += 1
    sector = 360 / max(len(fields), 1)
    tracks = dict(Track.choices)
    points = []
    for (f_index, ring), members in cells.items():
        # Spread a cell's technologies over a few arcs inside the ring so none overlap.
        per_arc = max(4, math.ceil(len(members) / 3))
        arcs = math.ceil(len(members) / per_arc)
        for i, t in enumerate(members):
            arc, slot = divmod(i, per_arc)
            in_arc = min(per_arc, len(members) - arc * per_arc)
            angle = f_index * sector + sector * (slot + 1) / (in_arc + 1)
            radius = ring + (arc + 1) / (arcs + 1)
            if t["status_before"] is None:
                movement = "new"
            elif t["status_before"] != t["status_then"]:
                movement = "moved"
            else:
                movement = "same"
            points.append(
                {
                    "value": [round(radius, 3), round(angle, 2)],
                    "code": t["code"],
                    "name": t["name_ko"] if _korean() else t["name_en"],
                    "track": t["program__track"],
                    "status": str(statuses[t["status_then"]]),
                    "before": str(statuses[t["status_before"]]) if t["status_before"] else "",
                    "movement": movement,
                }
            )
    series = [
        {"name": str(tracks[track]), "points": [p for p in points if p["track"] == track]}
        for track in TRACK_ORDER
    ]
    moved_rows = [
        {
            "code": t["code"],
            "name": t["name_ko"] if _korean() else t["name_en"],
            "before": str(statuses[t["status_before"]]) if t["status_before"] else _("new"),
            "now": str(statuses[t["status_then"]]),
        }
        for t in moved
    ]
    chart = {
        "rings": ring_labels,
        "sectors": [f.name_ko if _korean() else f.name_en for f in fields],
        "series": [s for s in series if s["points"]],
        "movement_names": {"same": _("unchanged"), "moved": _("moved"), "new": _("new")},
        "year": year,
    }
    return chart, moved_rows, shown, dropped


@dashboard_page
def technologies(request):
    display = _display(request)
    form, fields = _technology_form(request)
    this_year = timezone.localdate().year
    if form.is_bound and not form.is_valid():
        return render(
            request,
            "dashboards/technologies.html",
            {"form": form, "display": display, "invalid": True},
            status=400,
        )
    filters = form.filters() if form.is_bound else {}
    filtered = _technologies_filtered(filters)
    table = _technology_table(filtered, filters.get("sort", "code"))
    page = Paginator(table, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    countries_by_tech = _partner_countries([t.pk for t in rows])
    for t in rows:
        t.display_name = _name(t)
        t.partner_countries = countries_by_tech.get(t.pk, [])
        t.planned_text = display.text(t.planned_won)
        t.international_text = display.text(t.international_won)
    counts = dict(
        filtered.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    statuses = dict(TechnologyStatus.choices)
    funnel = {
        "stages": [{"name": str(statuses[s]), "value": counts.get(s, 0)} for s in PIPELINE],
        "dropped": counts.get(TechnologyStatus.DROPPED, 0),
    }
    year = filters.get("year", this_year)
    radar, moved_rows, radar_count, radar_dropped = _radar(
        filtered, fields, year, filters.get("rings", "status")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "display": display,
        "page": page,
        "rows": rows,
        "total": page.paginator.count,
        "funnel": funnel,
        "radar": radar,
        "radar_count": radar_count,
        "radar_dropped": radar_dropped,
        "moved_rows": moved_rows,
        "radar_year": year,
        "query": query.urlencode(),
    }
    return render(request, "dashboards/technologies.html", context)


class _Echo:
    def write(self, value):
        return value


@dashboard_page
def technologies_csv(request):
    """Every technology the filters select (no page limit), amounts in whole won."""
    form, _fields = _technology_form(request)
    if form.is_bound and not form.is_valid():
        return render(
            request,
            "dashboards/technologies.html",
            {"form": form, "display": _display(request), "invalid": True},
            status=400,
        )
    filters = form.filters() if form.is_bound else {}
    filtered = list(
        _technology_table(_technologies_filtered(filters), filters.get("sort", "code")).values(
            "pk",
            "code",
            "name_ko",
            "name_en",
            "program__track",
            "field__code",
            "status",
            "target_commercialisation_year",
            "planned_won",
            "international_won",
            "partner_count",
        )
    )
    countries_by_tech = _partner_countries([t["pk"] for t in filtered])
    header = [
        "code",
        "name_ko",
        "name_en",
        "track",
        "field",
        "status",
        "target_commercialisation_year",
        "planned_won",
        "international_planned_won",
        "partner_count",
        "partner_countries",
    ]

    def lines():
        writer = csv.writer(_Echo())
        yield "\ufeff"  # so that Excel opens the Korean names as UTF-8
        yield writer.writerow(header)
        for t in filtered:
            yield writer.writerow(
                [
                    t["code"],
                    t["name_ko"],
                    t["name_en"],
                    t["program__track"],
                    t["field__code"],
                    t["status"],
                    t["target_commercialisation_year"] or "",
                    int(t["planned_won"] or 0),
                    int(t["international_won"] or 0),
                    t["partner_count"],
                    " ".join(countries_by_tech.get(t["pk"], [])),
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="technologies.csv"'
    return response


# --- 3. One technology -----------------------------------------------------------------------


@dashboard_page
def technology_detail(request, code: str):
    display = _display(request)
    technology = get_object_or_404(Technology.objects.with_related(), code=code)
    sums = BudgetLine.objects.filter(project__technology=technology).sums("fiscal_year", "basis")
    by_year: dict[int, dict] = defaultdict(dict)
    for row in sums:
        by_year[row["fiscal_year"]][row["basis"]] = (
            int(row["total_won"]),
            int(row["international_won"]),
        )
    years = sorted(by_year)
    bases = dict(Basis.choices)
    budget_chart = {
        "years": years,
        "axis": display.axis_label,
        "series": [
            {
                "name": str(bases[basis]),
                "values": [
                    display.value(by_year[y][basis][0], y) if basis in by_year[y] else None
                    for y in years
                ],
                "labels": [
                    display.text(by_year[y][basis][0], y) if basis in by_year[y] else "–"
                    for y in years
                ],
            }
            for basis in Basis.values
        ],
    }
    budget_rows = [
        {
            "year": y,
            "cells": [
                (
                    display.text(by_year[y][b][0], y) if b in by_year[y] else "–",
                    display.text(by_year[y][b][1], y) if b in by_year[y] else "–",
                )
                for b in Basis.values
            ],
        }
        for y in years
    ]
    planned_by_year = {y: v[Basis.PLANNED][0] for y, v in by_year.items() if Basis.PLANNED in v}
    projects = list(
        technology.projects.annotate(
            planned_won=Sum("budget_lines__amount_won", filter=Q(budget_lines__basis=Basis.PLANNED))
        ).order_by("start_year", "project_number")
    )
    for p in projects:
        p.display_title = _name(p, "title_ko", "title_en")
        p.planned_text = display.text(p.planned_won)
    collaborations = list(
        Collaboration.objects.filter(project__technology=technology)
        .select_related("institution", "center", "project", "ip_agreement")
        .order_by("institution__country", "institution__name", "project__project_number")
    )
    for c in collaborations:
        c.contribution_text = display.text(c.contribution_won)
        c.ip = getattr(c, "ip_agreement", None)
    partner_ids = {c.institution_id for c in collaborations}
    centers = list(
        CooperationCenter.objects.filter(
            Q(institution__in=partner_ids) | Q(fields=technology.field)
        )
        .select_related("institution")
        .distinct()
        .order_by("institution__name")
    )
    dispatches = ResearcherDispatch.objects.filter(collaboration__project__technology=technology)
    show_names = request.user.has_perm("partners.view_researcherdispatch")
    if show_names:
        dispatch_rows = list(
            dispatches.select_related("collaboration__institution").order_by("start_date")
        )
        dispatch_summary = None
    else:
        # CTO viewers see how many researchers went where, never who (personal data).
        dispatch_rows = []
        dispatch_summary = list(
            dispatches.order_by()
            .values("collaboration__institution__name", "collaboration__institution__country")
            .annotate(researchers=Count("pk"))
            .order_by("collaboration__institution__name")
        )
    history = list(technology.status_changes.order_by("changed_on", "id"))
    context = {
        "technology": technology,
        "display_name": _name(technology),
        "field_name": _name(technology.field),
        "display": display,
        "budget_chart": budget_chart,
        "budget_rows": budget_rows,
        "bases": [bases[b] for b in Basis.values],
        "planned_total_text": display.text_over_years(planned_by_year),
        "projects": projects,
        "collaborations": collaborations,
        "centers": centers,
        "dispatch_rows": dispatch_rows,
        "dispatch_summary": dispatch_summary,
        "show_names": show_names,
        "history": history,
    }
    return render(request, "dashboards/technology_detail.html", context)


# --- 4. Partners -----------------------------------------------------------------------------


@dashboard_page
def partners(request):
    display = _display(request)
    basis_form = BasisForm(request.GET or None)
    basis = basis_form.basis_value()
    run = ShareRun.objects.latest_succeeded()
    # International won by partner country and year, from the KPI run; converted year by year.
    by_country: dict[str, dict[int, int]] = defaultdict(dict)
    if run:
        for key, year, won in ShareSnapshot.objects.filter(
            run=run, dimension=Dimension.COUNTRY, basis=basis
        ).values_list("key", "fiscal_year", "international_won"):
            if won:
                by_country[key][year] = won
    unassigned = by_country.pop("unassigned", {})
    map_rows = sorted(
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
    map_chart = {
        "rows": [{k: r[k] for k in ("numeric", "name", "value", "text")} for r in map_rows],
        "axis": display.axis_label,
    }
    institutions = (
        Institution.objects.filter(collaborations__isnull=False)
        .annotate(
            project_count=Count("collaborations__project", distinct=True),
            international_won=Subquery(
                BudgetLine.objects.filter(collaboration__institution=OuterRef("pk"), basis=basis)
                .order_by()
                .values("collaboration__institution")
                .annotate(won=Sum("amount_won"))
                .values("won")[:1]
            ),
        )
        .order_by(F("international_won").desc(nulls_last=True), "name")
    )
    page = Paginator(institutions, PAGE_SIZE).get_page(request.GET.get("page"))
    institution_rows = list(page.object_list)
    for i in institution_rows:
        i.won_text = display.text(i.international_won)
    centers = list(
        CooperationCenter.objects.select_related("institution")
        .prefetch_related("fields")
        .annotate(project_count=Count("collaborations__project", distinct=True))
        .order_by("opened_year", "institution__name")
    )
    for c in centers:
        c.display_name = _name(c)
        c.field_names = ", ".join(_name(f) for f in c.fields.all())
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "display": display,
        "run": run,
        "basis": basis,
        "basis_form": basis_form,
        "map_chart": map_chart,
        "map_rows": map_rows,
        "unassigned_text": display.text_over_years(unassigned) if unassigned else None,
        "page": page,
        "institutions": institution_rows,
        "centers": centers,
        "query": query.urlencode(),
    }
    return render(request, "dashboards/partners.html", context)
