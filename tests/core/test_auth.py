"""The one-query permission backend answers exactly as Django's ModelBackend does."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rdportfolio.core.auth import PortfolioBackend

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(ministry_editor, evaluation_manager, evaluator, cto_viewer, analyst, outsider):
    # Own permissions beside the groups', and an inactive user who holds some.
    analyst.user_permissions.add(Permission.objects.get(codename="add_budgetline"))
    outsider.user_permissions.add(Permission.objects.get(codename="view_technology"))
    ministry_editor.is_active = False
    ministry_editor.save()
    return [ministry_editor, evaluation_manager, evaluator, cto_viewer, analyst, outsider]


def fresh(user):
    return type(user).objects.get(pk=user.pk)  # no permission cache on it


def test_the_same_permissions_as_djangos_backend_in_one_query(people, django_user_model):
    root = django_user_model.objects.create_superuser("t_root", password="a-long-test-password")
    for user in [*people, root]:
        expected = ModelBackend().get_all_permissions(fresh(user))
        reloaded = fresh(user)
        with CaptureQueriesContext(connection) as queries:
            got = PortfolioBackend().get_all_permissions(reloaded)
        assert got == expected, user.username
        assert len(queries) <= 1
    assert "budgets.add_budgetline" in PortfolioBackend().get_all_permissions(fresh(people[4]))
    assert PortfolioBackend().get_all_permissions(fresh(people[0])) == set()  # inactive


def test_a_permission_taken_away_counts_from_the_next_request(people):
    analyst = people[4]
    assert fresh(analyst).has_perm("budgets.add_budgetline")
    analyst.user_permissions.clear()
    assert not fresh(analyst).has_perm("budgets.add_budgetline")


def test_a_token_is_drfs_own_check_and_the_permissions_one_query_more(people):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    analyst, inactive = people[4], people[0]
    good = Token.objects.create(user=analyst)
    gone = Token.objects.create(user=inactive)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {good.key}")
    assert client.get("/api/v1/fields/").status_code == 200  # a first call in this session
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/fields/")
    assert response.status_code == 200
    # DRF's own token check (the token and its user, one query), then the permissions in one.
    token_queries = [q for q in queries if "authtoken_token" in q["sql"]]
    assert len(token_queries) == 1 and "auth_user" in token_queries[0]["sql"]
    permission_queries = [q for q in queries if "auth_permission" in q["sql"]]
    assert len(permission_queries) == 1 and permission_queries != token_queries
    assert not [q for q in queries if "PREPARE" in q["sql"] or "EXECUTE" in q["sql"]]
    # Read afresh on every call: a role taken away counts from the next one.
    groups = list(analyst.groups.all())
    analyst.groups.clear()
    assert client.get("/api/v1/fields/").status_code == 403
    analyst.groups.set(groups)
    assert client.get("/api/v1/fields/").status_code == 200
    for key, message in (("0" * 40, "Invalid token."), (gone.key, "User inactive or deleted.")):
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE="en")
        refused = client.get("/api/v1/fields/")
        assert refused.status_code == 401, key
        assert refused.json()["errors"][0]["detail"] == message


def test_the_runs_plain_form_is_the_serializers():
    from budgets.kpi.api import ShareRunSerializer
    from budgets.kpi.services import share_recompute
    from rdportfolio.core.values_plan import plain_representation

    run = share_recompute(force=True)
    assert plain_representation(ShareRunSerializer, run) == ShareRunSerializer(run).data
