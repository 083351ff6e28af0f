"""REST API v1: who may read and write what, validation and audit of writes, query counts."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import UserRateThrottle

from budgets.kpi.models import RunStatus, ShareRun
from budgets.models import BudgetLine
from tests.api.client import LISTS, api
from tests.factories import BudgetLineFactory, CollaborationFactory, ProjectFactory

pytestmark = pytest.mark.django_db


# --- Who may do what --------------------------------------------------------------------

MATRIX = {
    # persona: (GET budget-lines, POST, PATCH, DELETE, GET dispatches)
    "anonymous": (401, 401, 401, 401, 401),
    "cto_viewer": (200, 403, 403, 403, 403),
    "analyst": (200, 403, 403, 403, 200),
    "ministry_editor": (200, 201, 200, 204, 200),
    "evaluator": (403, 403, 403, 403, 403),
}


@pytest.mark.parametrize("persona", list(MATRIX))
def test_the_permission_matrix(request, persona):
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    client = api(user)
    project = ProjectFactory()
    line = BudgetLineFactory(project=project, fiscal_year=2026)
    new_line = {
        "project": project.pk,
        "fiscal_year": 2027,
        "basis": "planned",
        "amount_won": 5_000_000,
    }
    got = (
        client.get("/api/v1/budget-lines/").status_code,
        client.post("/api/v1/budget-lines/", new_line, format="json").status_code,
        client.patch(
            f"/api/v1/budget-lines/{line.pk}/", {"amount_won": 7}, format="json"
        ).status_code,
        client.delete(f"/api/v1/budget-lines/{line.pk}/").status_code,
        client.get("/api/v1/dispatches/").status_code,
    )
    assert got == MATRIX[persona]


def test_anonymous_requests_are_told_how_to_authenticate():
    response = api().get("/api/v1/technologies/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_token_authenticates_and_a_wrong_one_does_not(analyst):
    token = Token.objects.create(user=analyst)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/programs/").status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Token wrong")
    assert client.get("/api/v1/programs/").status_code == 401


def test_health_and_schema_are_open_to_anyone():
    client = api()
    with override_settings(CELERY_TASK_ALWAYS_EAGER=True):  # no broker to ask: tests/test_health.py
        health = client.get("/api/v1/health/", {"format": "json"})
    # Anyone is told whether all is well; the details are the operator's (tests/test_health.py).
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    schema = client.get("/api/v1/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/share/" in paths and "/api/v1/budget-lines/" in paths
    assert "400" in paths["/api/v1/budget-lines/"]["get"]["responses"]


def test_the_swagger_ui_loads_only_local_assets(client):
    page = client.get("/api/v1/docs/").content.decode()
    assert "swagger-ui-bundle.js" in page
    assert "http://" not in page.replace("http://testserver", "") and "https://" not in page


def test_editors_write_with_the_admins_validation_and_audit(ministry_editor):
    client = api(ministry_editor)
    project = ProjectFactory(start_year=2024, end_year=2026)
    bad = client.post(
        "/api/v1/budget-lines/",
        {"project": project.pk, "fiscal_year": 2025, "basis": "planned", "amount_won": -1},
        format="json",
    )
    assert bad.status_code == 400 and "amount_won" in {e["attr"] for e in bad.json()["errors"]}
    outside = client.post(
        "/api/v1/budget-lines/",
        {"project": project.pk, "fiscal_year": 2030, "basis": "planned", "amount_won": 1},
        format="json",
    )
    assert outside.status_code == 400 and "fiscal_year" in {
        e["attr"] for e in outside.json()["errors"]
    }
    good = client.post(
        "/api/v1/budget-lines/",
        {"project": project.pk, "fiscal_year": 2025, "basis": "planned", "amount_won": 10**12},
        format="json",
    )
    assert good.status_code == 201
    duplicate = client.post(
        "/api/v1/budget-lines/",
        {"project": project.pk, "fiscal_year": 2025, "basis": "planned", "amount_won": 5},
        format="json",
    )
    assert (
        duplicate.status_code == 400
        and "already has a line" in duplicate.json()["errors"][0]["detail"]
    )
    # One audit trail, the admin's and the API's alike: the record's history, naming the caller.
    line_id = good.json()["id"]
    created = BudgetLine.history.get(id=line_id, history_type="+")
    assert created.history_user == ministry_editor
    edit = client.patch(f"/api/v1/budget-lines/{line_id}/", {"amount_won": 7}, format="json")
    assert edit.status_code == 200
    assert client.delete(f"/api/v1/budget-lines/{line_id}/").status_code == 204
    trail = BudgetLine.history.filter(id=line_id).order_by("history_id")
    assert [(h.history_type, h.history_user) for h in trail] == [
        ("+", ministry_editor),
        ("~", ministry_editor),
        ("-", ministry_editor),
    ]


def test_deleting_a_record_still_in_use_is_a_409_that_says_why(ministry_editor):
    collaboration = CollaborationFactory()
    BudgetLineFactory(project=collaboration.project, fiscal_year=2025)
    response = api(ministry_editor).delete(f"/api/v1/projects/{collaboration.project.pk}/")
    assert response.status_code == 409
    assert "budget lines" in response.json()["errors"][0]["detail"]


def test_requests_are_throttled_per_user(analyst, monkeypatch):
    monkeypatch.setattr(
        UserRateThrottle, "THROTTLE_RATES", {"user": "3/minute", "anon": "3/minute"}
    )
    client = api(analyst)
    statuses = [client.get("/api/v1/fields/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


# --- Queries: constant, whatever the number of rows ------------------------------------


def queries(client, url, params):
    client.get(url, params)  # warm the user's permission cache, as any session would
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("endpoint", LISTS)
def test_list_queries_do_not_grow_from_5_to_50_rows(analyst, endpoint):
    client = api(analyst)
    few = queries(client, f"/api/v1/{endpoint}/", {"page_size": 5})
    many = queries(client, f"/api/v1/{endpoint}/", {"page_size": 50})
    assert few == many


def test_export_queries_do_not_grow_with_rows(analyst):
    client = api(analyst)

    client.get("/api/v1/budget-lines/", {"page_size": 1})  # warm the permission cache

    def count(year):
        with CaptureQueriesContext(connection) as ctx:
            b"".join(
                client.get(
                    "/api/v1/budget-lines/", {"fiscal_year": year, "format": "csv"}
                ).streaming_content
            )
        return len(ctx.captured_queries)

    assert count(2023) == count(2027)  # a few hundred lines against a couple of thousand


def test_no_run_is_queued_by_reading(analyst):
    before = ShareRun.objects.filter(status=RunStatus.PENDING).count()
    api(analyst).get("/api/v1/budget-lines/")
    assert ShareRun.objects.filter(status=RunStatus.PENDING).count() == before
