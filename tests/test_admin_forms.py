"""The project form as ministry staff fill it: its budget lines name only its own
collaborations, and say how to name one added in the same form."""

import re

import pytest
from django.urls import reverse

from partners.models import Collaboration
from tests.factories import CollaborationFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def collaboration_options(page: str) -> set[str]:
    """The collaborations offered in the budget lines' empty form (the template row)."""
    select = re.search(
        r'<select name="budget_lines-__prefix__-collaboration"[^>]*>(.*?)</select>', page, re.S
    )
    assert select, "no collaboration select in the budget lines inline"
    return {value for value in re.findall(r'<option value="(\d+)"', select.group(1))}


def test_budget_lines_offer_only_this_projects_collaborations(client, ministry_editor):
    project = ProjectFactory()
    own = CollaborationFactory.create_batch(2, project=project)
    CollaborationFactory(project=ProjectFactory())  # another project's
    client.force_login(ministry_editor)
    page = client.get(
        reverse("admin:technologies_project_change", args=[project.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert collaboration_options(page) == {str(c.pk) for c in own}
    assert Collaboration.objects.count() > 2  # there were others to leave out
    assert "appears here once the project is saved" in page


def test_a_new_project_offers_no_collaboration_until_saved(client, ministry_editor):
    client.force_login(ministry_editor)
    page = client.get(
        reverse("admin:technologies_project_add"), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert collaboration_options(page) == set()


def test_a_saved_record_says_it_may_be_edited_again_not_that_it_must(client, ministry_editor):
    project = ProjectFactory(start_year=2026, end_year=2028)
    client.force_login(ministry_editor)
    response = client.post(
        reverse("admin:budgets_budgetline_add"),
        {
            "project": project.pk,
            "fiscal_year": 2026,
            "basis": "planned",
            "amount_won": "10억",
            "_continue": "1",
        },
        HTTP_ACCEPT_LANGUAGE="ko",
        follow=True,
    )
    page = response.content.decode()
    assert "아래에서 다시 고칠 수 있습니다." in page
    assert "수정해야 합니다" not in page


def test_a_projects_page_costs_the_same_queries_whatever_its_lines_and_keeps_their_partner(
    client, ministry_editor
):
    """Each line's form copied the collaboration field and ran its query again, and named
    itself by a query for its project: 157 queries for a project of 72 lines."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from budgets.models import Basis, BudgetLine
    from tests.factories import BudgetLineFactory

    project = ProjectFactory(start_year=2000, end_year=2040)
    first, second = CollaborationFactory.create_batch(2, project=project)
    url = reverse("admin:technologies_project_change", args=[project.pk])
    client.force_login(ministry_editor)

    def lines_added(years):
        for year in years:
            BudgetLineFactory(
                project=project,
                fiscal_year=year,
                basis=Basis.EXECUTED,
                is_international=True,
                collaboration=second,
            )

    def queries():
        with CaptureQueriesContext(connection) as captured:
            page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 200
        return len(captured.captured_queries), page.content.decode()

    lines_added(range(2001, 2003))
    few, _page = queries()
    lines_added(range(2003, 2041))
    many, page = queries()
    assert many == few
    # Every line's select offers both partners and shows the one it pays for.
    selects = re.findall(
        r'<select name="budget_lines-(\d+)-collaboration"[^>]*>(.*?)</select>', page, re.S
    )
    assert len(selects) == BudgetLine.objects.filter(project=project).count() == 40
    for _index, options in selects:
        assert set(re.findall(r'<option value="(\d+)"', options)) == {str(first.pk), str(second.pk)}
        assert re.search(rf'<option value="{second.pk}" selected>', options)
    assert f"{second.institution} · Lead foreign partner" in page
