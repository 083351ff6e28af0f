"""One search box for the whole portfolio: technologies, projects, lead organisations
(companies), partner institutions and cooperation centres, by their Korean or English names.

One query per kind, each cut at LIMIT hits; every hit links to the page that shows it.
"""

from typing import Any

from django import forms
from django.db.models import Count, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from partners.models import CooperationCenter, Institution
from technologies.models import Project, Technology

from .access import dashboard_page, reader_display
from .labels import name_of

LIMIT = 20


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, strip=True, required=False)


def _technology_url(code: str) -> str:
    return reverse("dashboards:technology", args=[code])


def _partners_url(**params) -> str:
    return f"{reverse('dashboards:partners')}?{urlencode(params)}"


def portfolio_search(text: str) -> dict[str, tuple[list[dict[str, Any]], bool]]:
    """Every kind's hits for ``text`` (at most LIMIT each, and whether there were more)."""

    def cut(rows):
        rows = list(rows[: LIMIT + 1])
        return rows[:LIMIT], len(rows) > LIMIT

    technologies, more_technologies = cut(
        Technology.objects.search(text).select_related("program", "field").order_by("code")
    )
    projects, more_projects = cut(
        Project.objects.filter(
            Q(project_number__icontains=text)
            | Q(title_ko__icontains=text)
            | Q(title_en__icontains=text)
        )
        .select_related("technology")
        .order_by("project_number")
    )
    companies, more_companies = cut(
        Project.objects.filter(lead_organisation__icontains=text)
        .order_by()
        .values("lead_organisation")
        .annotate(projects=Count("pk"))
        .order_by("lead_organisation")
    )
    institutions, more_institutions = cut(
        Institution.objects.filter(Q(name__icontains=text) | Q(name_ko__icontains=text)).order_by(
            "name"
        )
    )
    centres, more_centres = cut(
        CooperationCenter.objects.filter(
            Q(name_ko__icontains=text)
            | Q(name_en__icontains=text)
            | Q(institution__name__icontains=text)
            | Q(institution__name_ko__icontains=text)
        )
        .select_related("institution")
        .order_by("name_en")
    )
    return {
        "technologies": (
            [
                {
                    "label": f"{t.code} {name_of(t)}",
                    "detail": t.program.get_track_display(),
                    "url": _technology_url(t.code),
                }
                for t in technologies
            ],
            more_technologies,
        ),
        "projects": (
            [
                {
                    "label": f"{p.project_number} {name_of(p, 'title_ko', 'title_en')}",
                    "detail": f"{p.technology.code} · {p.lead_organisation}",
                    "url": _technology_url(p.technology.code),
                }
                for p in projects
            ],
            more_projects,
        ),
        "companies": (
            [
                {
                    "label": c["lead_organisation"],
                    "detail": c["projects"],
                    # The technologies whose projects it leads: the list searches lead organisations.
                    "url": f"{reverse('dashboards:technologies')}?{urlencode({'q': c['lead_organisation']})}",
                }
                for c in companies
            ],
            more_companies,
        ),
        "institutions": (
            [
                {
                    "label": i.name + (f" ({i.name_ko})" if i.name_ko else ""),
                    "detail": i.country.name,
                    "url": _partners_url(q=i.name, country=i.country.code),
                }
                for i in institutions
            ],
            more_institutions,
        ),
        "centres": (
            [
                {
                    "label": name_of(c),
                    "detail": c.institution.name,
                    "url": _partners_url(q=c.institution.name),
                }
                for c in centres
            ],
            more_centres,
        ),
    }


SECTIONS = [
    ("technologies", _("Technologies")),
    ("projects", _("Projects")),
    ("companies", _("Lead organisations")),
    ("institutions", _("Partner institutions")),
    ("centres", _("Cooperation centres")),
]


@dashboard_page
def search(request):
    form = SearchForm(request.GET or None)
    display = reader_display(request)
    if form.is_bound and not form.is_valid():
        context = {"form": form, "display": display, "sections": []}
        return render(request, "dashboards/search.html", context, status=400)
    text = form.cleaned_data.get("q") if form.is_bound else ""
    sections: list[dict[str, Any]] = []
    if text:
        hits = portfolio_search(text)
        sections = [
            {"key": key, "title": title, "hits": hits[key][0], "more": hits[key][1]}
            for key, title in SECTIONS
        ]
    context = {
        "form": form,
        "display": display,
        "text": text,
        "sections": sections,
        "total": sum(len(s["hits"]) for s in sections),
    }
    return render(request, "dashboards/search.html", context)
