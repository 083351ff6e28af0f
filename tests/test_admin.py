"""The ministry admin: every page renders for an editor, costs a fixed number of queries."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budgets.models import Basis, BudgetLine
from partners.models import IPAgreement, ResearcherDispatch
from rdportfolio.core.roles import portfolio_apps
from tests.factories import BudgetLineFactory, CollaborationFactory, ProjectFactory

pytestmark = pytest.mark.django_db

PORTFOLIO_MODELS = [
    model for model in admin.site._registry if model._meta.app_label in portfolio_apps()
]


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_portfolio_model_is_registered():
    from django.apps import apps

    concrete = {
        m
        for m in apps.get_models()
        # Audit history has its own pages under each model's admin; the pages' rollups are
        # a cache each run rebuilds (its figures are the run's snapshots, which have a page).
        if m._meta.app_label in portfolio_apps()
        and not m.__name__.startswith("Historical")
        and m.__name__ not in ("BudgetRollup", "FieldRollup", "PartnerRollup")
        # A scenario's adjustments are edited in order under it, as an inline; its figures
        # are read on its page and from the API (thousands of rows per result).
        and m.__name__ not in ("Adjustment", "ScenarioFigure")
    }
    assert concrete <= set(admin.site._registry)


@pytest.mark.parametrize("model", PORTFOLIO_MODELS, ids=lambda m: m._meta.label)
def test_every_changelist_add_and_change_page_renders_for_an_editor(client, ministry_editor, model):
    client.force_login(ministry_editor)
    assert client.get(admin_url(model, "changelist")).status_code == 200
    model_admin = admin.site._registry[model]
    if model_admin.has_add_permission(type("R", (), {"user": ministry_editor})()):
        assert client.get(admin_url(model, "add")).status_code == 200
    first = model._default_manager.order_by("pk").first()
    if first is not None:
        assert client.get(admin_url(model, "change", first.pk)).status_code == 200


def test_changelist_search_and_filters_work(client, ministry_editor):
    client.force_login(ministry_editor)
    response = client.get(
        admin_url(BudgetLine, "changelist"),
        {"fiscal_year": 2024, "basis": "planned", "country": "US"},
    )
    assert response.status_code == 200
    lines = list(response.context["cl"].result_list)
    assert lines and all(
        line.fiscal_year == 2024 and line.collaboration.institution.country == "US"
        for line in lines
    )
    response = client.get(reverse("admin:technologies_technology_changelist"), {"q": "리튬"})
    assert [t.code for t in response.context["cl"].result_list] == ["LF-003"]
    response = client.get(
        reverse("admin:technologies_technology_changelist"), {"q": "lithium-sulfur"}
    )
    assert [t.code for t in response.context["cl"].result_list] == ["LF-003"]


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(reverse("admin:budgets_budgetline_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_cto_viewer_has_no_admin_access(client, cto_viewer):
    client.force_login(cto_viewer)
    response = client.get(reverse("admin:budgets_budgetline_changelist"))
    assert response.status_code == 302


def test_an_analyst_on_staff_may_look_but_not_change(client, analyst):
    analyst.is_staff = True
    analyst.save()
    client.force_login(analyst)
    line = BudgetLine.objects.first()
    assert client.get(admin_url(BudgetLine, "changelist")).status_code == 200
    assert client.get(admin_url(BudgetLine, "add")).status_code == 403
    response = client.post(admin_url(BudgetLine, "change", line.pk), {"amount_won": 1})
    assert response.status_code == 403


def test_amounts_are_shown_in_eok_and_jo_won(client, ministry_editor):
    client.force_login(ministry_editor)
    response = client.get(
        reverse("admin:budgets_ministrybudget_changelist"), HTTP_ACCEPT_LANGUAGE="ko"
    )
    assert "5조 6,711억 원" in response.content.decode()  # the published 2023 total


def test_the_reconciliation_shows_the_published_figure_beside_the_lines(client, ministry_editor):
    from budgets.kpi.services import share_recompute

    share_recompute(force=True)
    client.force_login(ministry_editor)
    response = client.get(reverse("admin:kpi_reconciliation_changelist"))
    rows = {row["comparison"].code: row for row in response.context["rows"]}
    leapfrogging_2024 = rows["programme:leapfrogging:2024:won"]["comparison"]
    assert leapfrogging_2024.published == leapfrogging_2024.portfolio == 148_700_000_000
    assert leapfrogging_2024.difference == 0 and not leapfrogging_2024.differs


def _queries(client, url, params):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def test_changelist_queries_do_not_grow_with_rows(client, ministry_editor):
    client.force_login(ministry_editor)
    project = ProjectFactory(start_year=2000, end_year=2040)
    collaborations = [CollaborationFactory(project=project) for _ in range(3)]

    def add_rows(years):
        for year in years:
            BudgetLineFactory(project=project, fiscal_year=year)
            for collaboration in collaborations:
                BudgetLineFactory(
                    project=project,
                    fiscal_year=year,
                    collaboration=collaboration,
                    is_international=True,
                    basis=Basis.EXECUTED,
                )
                ResearcherDispatch.objects.create(
                    collaboration=collaboration,
                    researcher_name=f"연구자{year}",
                    home_organisation="x",
                    start_date=f"{year}-01-01",
                )

    add_rows(range(2001, 2003))
    for collaboration in collaborations:
        IPAgreement.objects.create(
            collaboration=collaboration,
            domestic_share_percent=50,
            foreign_share_percent=50,
            implementation_right="exclusive",
        )
    checks = [
        (admin_url(BudgetLine, "changelist"), {"project__id__exact": project.pk}),
        (reverse("admin:partners_collaboration_changelist"), {"q": project.project_number}),
        (reverse("admin:partners_researcherdispatch_changelist"), {"q": "연구자"}),
        (reverse("admin:partners_ipagreement_changelist"), {"q": project.project_number}),
    ]
    few = [_queries(client, url, params) for url, params in checks]
    add_rows(range(2003, 2015))
    many = [_queries(client, url, params) for url, params in checks]
    assert many == few
