"""``among``: a filter over thousands of keys, as one array on PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budgets.models import BudgetLine
from partners.models import Collaboration
from rdportfolio.core.lookups import among
from technologies.models import Project
from tests.factories import BudgetLineFactory, CollaborationFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("model", "path", "keys_of"),
    [
        (Project, "project_number", lambda p: p.project_number),  # text
        (Project, "pk", lambda p: p.pk),  # the primary key
        (BudgetLine, "project_id", lambda p: p.pk),  # a foreign key, by its column
        (Collaboration, "project", lambda p: p.pk),  # a foreign key, by its name
    ],
)
def test_among_selects_what_in_selects(model, path, keys_of):
    projects = ProjectFactory.create_batch(3, start_year=2030, end_year=2031)
    for project in projects:
        BudgetLineFactory(project=project, fiscal_year=2030)
        CollaborationFactory(project=project)
    keys = [keys_of(p) for p in projects[:2]] + [keys_of(projects[0])]  # a repeat
    if isinstance(keys[0], int):
        keys.append(max(Project.objects.values_list("pk", flat=True)) + 1000)  # none such
    else:
        keys.append("NO-SUCH-NUMBER")
    expected = set(model.objects.filter(**{f"{path}__in": keys}).values_list("pk", flat=True))
    assert len(expected) == 2
    with CaptureQueriesContext(connection) as queries:
        found = set(model.objects.filter(among(model, path, keys)).values_list("pk", flat=True))
    assert found == expected
    if connection.vendor == "postgresql":
        assert "unnest(" in queries.captured_queries[0]["sql"]
    assert not model.objects.filter(among(model, path, [])).exists()


def test_among_takes_any_iterable_once():
    project = ProjectFactory()
    numbers = (n for n in [project.project_number])  # a generator: read once
    assert list(Project.objects.filter(among(Project, "project_number", numbers))) == [project]


def test_among_a_type_it_has_no_array_for_is_an_in_list():
    project = ProjectFactory(start_year=2030, end_year=2031)
    line = BudgetLineFactory(project=project, fiscal_year=2031)
    years = among(BudgetLine, "fiscal_year", [2031])  # a small integer: Django's own IN
    assert "unnest" not in str(BudgetLine.objects.filter(years).query)
    assert line in BudgetLine.objects.filter(years, project=project)
