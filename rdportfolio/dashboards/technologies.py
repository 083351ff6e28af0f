"""The technology list: filters, sort, a page of the table, the status counts, the radar, a CSV."""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, F, OuterRef, Subquery, Sum
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from budgets.kpi.models import BudgetRollup, PartnerRollup, ShareRun
from budgets.models import Basis
from partners.models import Institution
from programs.models import Track
from rdportfolio.core.exports import csv_response
from rdportfolio.core.i18n import korean
from technologies.models import Field, Technology, TechnologyStatus

from .access import PAGE_SIZE, dashboard_page, query_without_page, reader_display
from .filters import TechnologyPageFilter
from .labels import name_of, status_label, track_label
from .radar import PIPELINE, radar_view

CSV_HEADER = [
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

# ?labels=ko: the same rows for people who read them in Excel, Korean headers and Korean
# names of tracks, fields and statuses (the codes are for analysts' scripts).
CSV_HEADER_KO = [
    "코드",
    "국문명",
    "영문명",
    "트랙",
    "분야",
    "상태",
    "목표 사업화 연도",
    "계획 예산(원)",
    "국제협력 계획 예산(원)",
    "협력기관 수",
    "협력 국가",
]


def _planned_sum(run, column: str):
    """A technology's planned won over all years, from the run's rollups (a few rows each)."""
    rollups = BudgetRollup.objects.of_run(run).filter(
        technology=OuterRef("pk"), basis=Basis.PLANNED
    )
    return Subquery(
        rollups.order_by().values("technology").annotate(won=Sum(column)).values("won")[:1]
    )


def technology_table(filtered, sort: str, run):
    """The filtered technologies with their planned won, international won (as of ``run``,
    the latest successful recompute) and partner count."""
    orders: dict[str, list[Any]] = {
        "code": ["code"],
        "name": ["name_ko" if korean() else "name_en", "code"],
        "track": ["program__start_year", "program__track", "code"],
        "field": ["field__code", "code"],
        "status": ["status", "code"],
        # Technologies without lines sort last on every database (PostgreSQL puts NULL first).
        "-planned_won": [F("planned_won").desc(nulls_last=True), "code"],
        "-international_won": [F("international_won").desc(nulls_last=True), "code"],
        "-partner_count": [F("partner_count").desc(nulls_last=True), "code"],
    }
    order = orders[sort]
    table = filtered.select_related("program", "field").annotate(
        planned_won=_planned_sum(run, "total_won"),
        international_won=_planned_sum(run, "international_won"),
    )
    if sort == "-partner_count":
        # Only this order needs every technology's count; otherwise partners_of() reads the
        # rows shown.
        partners = PartnerRollup.objects.of_run(run).filter(technology=OuterRef("pk"))
        table = table.annotate(
            partner_count=Subquery(
                partners.order_by()
                .values("technology")
                .annotate(count=Sum("institution_count"))
                .values("count")[:1]
            )
        )
    return table.order_by(*order)


def partners_of(run, technology_ids) -> dict[int, tuple[int, list[str]]]:
    """Per technology: how many partner institutions, and their countries (sorted), as of
    ``run`` (its rollups, counted from every collaboration when it ran)."""
    rows = (
        PartnerRollup.objects.of_run(run)
        .filter(technology__in=technology_ids)
        .values_list("technology_id", "country", "institution_count")
    )
    counts: dict[int, int] = defaultdict(int)
    countries: dict[int, list] = defaultdict(list)
    for technology_id, country, institutions in rows:
        counts[technology_id] += institutions  # an institution has one country
        countries[technology_id].append(country)
    return {k: (count, sorted(countries[k])) for k, count in counts.items()}


class TablePaginator(Paginator):
    """Counts the filtered technologies without the table's per-row sums (the count does not
    need them, and the database would compute them for every row)."""

    def __init__(self, table, per_page, *, filtered):
        super().__init__(table, per_page)
        self.filtered = filtered

    @cached_property
    def count(self) -> int:
        return self.filtered.count()


def technology_filter(request) -> tuple[TechnologyPageFilter, list[Field]]:
    fields = list(Field.objects.order_by("code"))
    partner_countries = list(
        Institution.objects.partners().order_by().values_list("country", flat=True).distinct()
    )
    filterset = TechnologyPageFilter(
        request.GET or None,
        queryset=Technology.objects.all(),
        fields=fields,
        partner_countries=partner_countries,
    )
    return filterset, fields


def _refused(request, filterset, display):
    return render(
        request,
        "dashboards/technologies.html",
        {"form": filterset.form, "display": display, "invalid": True},
        status=400,
    )


@dataclass(frozen=True)
class TechnologyRow:
    """A line of the table as the reader reads it: names in their language, amounts in
    their unit."""

    code: str
    name: str
    track: str
    field: str
    status: str
    partner_countries: list[str]
    planned_text: str
    international_text: str


def _status_counts(filtered, request) -> dict:
    counts = dict(
        filtered.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )

    def stage_url(status):  # the list as it is, narrowed to that status
        query = request.GET.copy()
        query.pop("page", None)
        query["status"] = status
        return f"{reverse('dashboards:technologies')}?{query.urlencode()}"

    stages = [
        {"name": status_label(s), "value": counts.get(s, 0), "url": stage_url(s)} for s in PIPELINE
    ]
    dropped = counts.get(TechnologyStatus.DROPPED, 0)
    figures = ", ".join(f"{stage['name']} {stage['value']}" for stage in stages)
    return {
        "stages": stages,
        "dropped": dropped,
        "dropped_url": stage_url(TechnologyStatus.DROPPED),
        # What the chart shows, in words, for those who cannot see it.
        "label": _("Technologies per status: %(figures)s.") % {"figures": figures},
    }


@dashboard_page
def technologies(request):
    display = reader_display(request)
    filterset, fields = technology_filter(request)
    if filterset.is_bound and not filterset.is_valid():
        return _refused(request, filterset, display)
    options = filterset.options() if filterset.is_bound else {}
    filtered = filterset.qs
    freshness = ShareRun.objects.freshness()
    table = technology_table(filtered, options.get("sort", "code"), freshness.run)
    page = TablePaginator(table, PAGE_SIZE, filtered=filtered).get_page(request.GET.get("page"))
    technologies = list(page.object_list)
    partners = partners_of(freshness.run, [t.pk for t in technologies])
    rows = [
        TechnologyRow(
            code=t.code,
            name=name_of(t),
            track=track_label(t.program.track),
            field=name_of(t.field),
            status=status_label(t.status),
            partner_countries=partners.get(t.pk, (0, []))[1],
            planned_text=display.text(t.planned_won),
            international_text=display.text(t.international_won),
        )
        for t in technologies
    ]
    year = options.get("year", timezone.localdate().year)
    radar = radar_view(filtered, fields, year, options.get("rings", "status"))
    context = {
        "form": filterset.form,
        "display": display,
        "freshness": freshness,
        "page": page,
        "rows": rows,
        "total": page.paginator.count,
        "status_counts": _status_counts(filtered, request),
        "radar": radar.chart,
        "radar_count": radar.shown,
        "radar_dropped": radar.dropped,
        "radar_list": radar.sectors,
        "moved_rows": radar.moved,
        "radar_year": year,
        "query": query_without_page(request),
    }
    return render(request, "dashboards/technologies.html", context)


@dashboard_page
def technologies_csv(request):
    """Every technology the filters select (no page limit), amounts in whole won; with
    ``labels=ko``, Korean headers and labels."""
    filterset, _fields = technology_filter(request)
    if filterset.is_bound and not filterset.is_valid():
        return _refused(request, filterset, reader_display(request))
    labels = request.GET.get("labels", "codes")
    if labels not in ("codes", "ko"):
        return HttpResponseBadRequest(
            _("labels must be “codes” (the default) or “ko” (Korean headers and labels).")
        )
    options = filterset.options() if filterset.is_bound else {}
    run = ShareRun.objects.latest_succeeded_id()  # a subquery: no query of its own
    table = technology_table(filterset.qs, options.get("sort", "code"), run)
    with translation.override("ko"):
        names = {
            "track": {code: str(label) for code, label in Track.choices},
            "status": {code: str(label) for code, label in TechnologyStatus.choices},
        }

    def rows():
        technologies = list(
            table.values(
                "pk",
                "code",
                "name_ko",
                "name_en",
                "program__track",
                "field__code",
                "field__name_ko",
                "status",
                "target_commercialisation_year",
                "planned_won",
                "international_won",
            )
        )
        partners = partners_of(run, [t["pk"] for t in technologies])
        korean_labels = labels == "ko"
        for t in technologies:
            track, status = t["program__track"], t["status"]
            yield [
                t["code"],
                t["name_ko"],
                t["name_en"],
                names["track"][track] if korean_labels else track,
                t["field__name_ko"] if korean_labels else t["field__code"],
                names["status"][status] if korean_labels else status,
                t["target_commercialisation_year"] or "",
                int(t["planned_won"] or 0),
                int(t["international_won"] or 0),
                partners.get(t["pk"], (0, []))[0],
                " ".join(partners.get(t["pk"], (0, []))[1]),
            ]

    return csv_response(
        filename="technologies-ko.csv" if labels == "ko" else "technologies.csv",
        columns=CSV_HEADER_KO if labels == "ko" else CSV_HEADER,
        count=filterset.qs.count,
        rows=rows,
        bom=True,  # so that Excel opens the Korean names as UTF-8
    )
