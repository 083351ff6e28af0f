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
