"""Names of dispatched researchers: one permission (partners.see_researcher_names), held by
ministry staff (editors, evaluation managers), applied to pages, API, exports and history."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from partners.models import ResearcherDispatch
from tests.api.client import all_pages, api

pytestmark = pytest.mark.django_db

SEE = "partners.see_researcher_names"


@pytest.fixture
def dispatch():
    row = ResearcherDispatch.objects.select_related("collaboration__project__technology").first()
    row.researcher_name = "Hwang Jiwoo-Privacy"
    row.save()
    return row


def test_the_roles_hold_the_names_as_the_readme_says(
    ministry_editor, evaluation_manager, analyst, cto_viewer, evaluator
):
    assert ministry_editor.has_perm(SEE) and evaluation_manager.has_perm(SEE)
    assert not any(user.has_perm(SEE) for user in (analyst, cto_viewer, evaluator))
    # Analysts still count dispatches: the rows without the names.
    assert analyst.has_perm("partners.view_researcherdispatch")


def test_analysts_get_the_rows_without_names_in_json_csv_and_xlsx(analyst, dispatch):
    client = api(analyst)
    rows = all_pages(client, "/api/v1/dispatches/", {"page_size": 1000})
    assert rows and all(row["researcher_name"] is None for row in rows)
    assert {row["id"] for row in rows} >= {dispatch.pk}
    text = b"".join(client.get("/api/v1/dispatches/", {"format": "csv"}).streaming_content)
    table = list(csv.DictReader(io.StringIO(text.decode())))
    assert len(table) == len(rows) and all(row["researcher_name"] == "" for row in table)
    sheet = load_workbook(
        io.BytesIO(client.get("/api/v1/dispatches/", {"format": "xlsx"}).getvalue())
    )
    values = [cell for row in sheet["data"].iter_rows(values_only=True) for cell in row]
    assert dispatch.researcher_name not in values
    detail = client.get(f"/api/v1/dispatches/{dispatch.pk}/").json()
    assert detail["researcher_name"] is None


def test_analysts_cannot_find_or_order_dispatches_by_name(analyst, dispatch):
    client = api(analyst)
    found = client.get("/api/v1/dispatches/", {"search": "Hwang Jiwoo-Privacy"}).json()
    assert found["results"] == []
    ordered = client.get("/api/v1/dispatches/", {"ordering": "researcher_name"})
    assert ordered.status_code == 400


def test_ministry_staff_see_and_search_the_names(ministry_editor, evaluation_manager, dispatch):
    for user in (ministry_editor, evaluation_manager):
        found = api(user).get("/api/v1/dispatches/", {"search": "Hwang Jiwoo-Privacy"}).json()
        assert [row["researcher_name"] for row in found["results"]] == ["Hwang Jiwoo-Privacy"]


def test_the_technology_page_names_researchers_only_to_ministry_staff(
    analyst, ministry_editor, dispatch
):
    url = f"/technologies/{dispatch.collaboration.project.technology.code}/"
    reader = Client()
    reader.force_login(analyst)
    assert dispatch.researcher_name not in reader.get(url).content.decode()
    staff = Client()
    staff.force_login(ministry_editor)
    assert dispatch.researcher_name in staff.get(url).content.decode()


def test_admin_pages_of_dispatches_need_the_names_permission(django_user_model, dispatch):
    # A staff member allowed to view dispatches but not the names (a custom role).
    user = django_user_model.objects.create_user("t_viewer_no_names", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="view_researcherdispatch"),
        Permission.objects.get(codename="view_collaboration"),
    )
    client = Client()
    client.force_login(user)
    for url in (
        reverse("admin:partners_researcherdispatch_changelist"),
        reverse("admin:partners_researcherdispatch_change", args=[dispatch.pk]),
        reverse("admin:partners_researcherdispatch_history", args=[dispatch.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert dispatch.researcher_name not in response.content.decode()
    # The collaboration's page leaves out its dispatches inline.
    collaboration = client.get(
        reverse("admin:partners_collaboration_change", args=[dispatch.collaboration_id])
    )
    assert collaboration.status_code == 200
    assert dispatch.researcher_name not in collaboration.content.decode()
