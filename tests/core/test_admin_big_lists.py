"""The admin's budget-line list at a million lines: its filters read no whole table.

Django's fiscal-year filter listed its choices with SELECT DISTINCT over every line (80 ms a
page at a million lines), and "Show counts" counted every filter choice over every line
(28 queries, 3.3 s a page). The year filter now walks the index; counts are not offered.
Nor is the whole table counted to say how big it is (44 ms of a 99 ms page): PostgreSQL's
estimate, "about". And every autocomplete names its results with the list's joins, not a query per result.
"""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from budgets.models import Basis, BudgetLine
from rdportfolio.core import admin_paging
from tests.factories import BudgetLineFactory, ProjectFactory

pytestmark = pytest.mark.django_db

URL = "/admin/budgets/budgetline/"


def editor_client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def year_choices(page) -> list[str]:
    """The years the filter offers, in its order."""
    return re.findall(r'href="\?fiscal_year=(\d+)"', page.content.decode())


def test_the_year_filter_offers_every_year_with_lines_in_order_without_reading_them_all(
    ministry_editor,
):
    project = ProjectFactory(start_year=2019, end_year=2040)
    # Years at both ends and a gap: the walk must find each and skip the years between.
    for year in (2040, 2019, 2031):
        BudgetLineFactory(project=project, fiscal_year=year, basis=Basis.PLANNED)
    expected = sorted(set(BudgetLine.objects.values_list("fiscal_year", flat=True)))
    client = editor_client(ministry_editor)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(URL)
    assert page.status_code == 200
    assert year_choices(page) == [str(year) for year in expected]
    assert {"2019", "2031", "2040"} <= set(year_choices(page))
    whole_table = [
        q["sql"]
        for q in queries.captured_queries
        if "DISTINCT" in q["sql"] and '"budgets_budgetline"' in q["sql"]
    ]
    assert whole_table == []
    chosen = client.get(URL, {"fiscal_year": 2031})
    assert "1 budget line" in chosen.content.decode()
    assert [line.fiscal_year for line in chosen.context["cl"].result_list] == [2031]


def test_an_empty_table_offers_no_year(ministry_editor):
    BudgetLine.objects.all()._raw_delete("default")
    page = editor_client(ministry_editor).get(URL)
    assert page.status_code == 200 and year_choices(page) == []


def test_counts_per_filter_choice_are_not_offered_nor_computed(ministry_editor):
    client = editor_client(ministry_editor)
    plain = client.get(URL)
    assert "Show counts" not in plain.content.decode()
    with CaptureQueriesContext(connection) as without:
        client.get(URL)
    with CaptureQueriesContext(connection) as asked:
        counted = client.get(URL, {"_facets": "True"})
    assert counted.status_code == 200
    assert not any("FILTER (WHERE" in q["sql"] for q in asked.captured_queries)
    assert len(asked.captured_queries) == len(without.captured_queries)


def autocomplete_fields():
    """Every (model admin, field) pair whose form searches its choices as one types."""
    from django.contrib import admin

    return [
        (model, name)
        for model, model_admin in admin.site._registry.items()
        for name in model_admin.autocomplete_fields
    ]


@pytest.mark.parametrize(
    ("model", "field_name"),
    autocomplete_fields(),
    ids=lambda value: getattr(value, "__name__", value),
)
def test_each_autocomplete_names_its_results_in_a_fixed_number_of_queries(
    django_user_model, model, field_name
):
    """A result is named by str(), which may read related rows: a collaboration's names
    its project and institution (44 queries for a page of 20 before the list's joins)."""
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("t_autocomplete", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    params = {
        "app_label": model._meta.app_label,
        "model_name": model._meta.model_name,
        "field_name": field_name,
        "term": "",
    }
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/admin/autocomplete/", params)
    assert response.status_code == 200, response.content[:200]
    results = response.json()["results"]
    # session, user, permissions, the count of matches and the page: never one per result.
    assert len(queries.captured_queries) <= 5, [q["sql"][:80] for q in queries.captured_queries]
    assert all(result["text"] for result in results)


def budget_lines(projects: int) -> None:
    """33 lines for each of ``projects`` new projects: every year of 2020-2030, each basis."""
    BudgetLine.objects.bulk_create(
        BudgetLine(project=project, fiscal_year=year, basis=basis, amount_won=1_000 + year)
        for project in ProjectFactory.create_batch(projects, start_year=2020, end_year=2030)
        for year in range(2020, 2031)
        for basis in Basis.values
    )


def counts_of_lines(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT COUNT(*)") and '"budgets_budgetline"' in q["sql"]
    ]


def paginator_text(page) -> str:
    paginator = re.search(r'<p class="paginator">(.*?)</p>', page.content.decode(), re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", paginator.group(1)).split())


@pytest.fixture
def big(on_postgresql, monkeypatch):
    """Lines enough to pass for a big table (the threshold lowered to 20), with the statistics
    PostgreSQL's planner would have (ANALYZE, as autovacuum runs it)."""
    monkeypatch.setattr(admin_paging, "EXACT_COUNT_UP_TO", 20)
    budget_lines(9)  # 297 lines more than the demo's
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE budgets_budgetline")
    return BudgetLine.objects.count()


def test_the_unfiltered_list_of_a_big_table_says_its_estimated_size_without_counting(
    ministry_editor, big
):
    client = editor_client(ministry_editor)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(URL)
    assert page.status_code == 200
    assert counts_of_lines(queries) == []
    cl = page.context["cl"]
    # The estimate of a table analyzed and not changed since is its size.
    assert cl.paginator.estimated and cl.result_count == big
    assert f"about {big:,} budget lines" in paginator_text(page)
    pages = -(-big // 100)
    assert f'href="?p={pages}"' in page.content.decode()
    assert f"Select all (about {big:,}) budget lines" in page.content.decode()
    assert " results (<a" not in page.content.decode()  # the search bar's count: not an estimate
    assert len(cl.result_list) == 100
    last = client.get(URL, {"p": pages})
    assert last.status_code == 200
    assert len(last.context["cl"].result_list) == big - (pages - 1) * 100
    korean = Client(HTTP_ACCEPT_LANGUAGE="ko")
    korean.force_login(ministry_editor)
    assert f"예산 항목 약 {big:,}개" in paginator_text(korean.get(URL))


def test_a_filtered_or_searched_list_is_counted_exactly(ministry_editor, big):
    client = editor_client(ministry_editor)
    expected = BudgetLine.objects.filter(fiscal_year=2021).count()
    with CaptureQueriesContext(connection) as queries:
        page = client.get(URL, {"fiscal_year": 2021})
    assert len(counts_of_lines(queries)) == 1 and "WHERE" in counts_of_lines(queries)[0]
    assert not page.context["cl"].paginator.estimated
    assert paginator_text(page).split()[-3:] == [str(expected), "budget", "lines"]
    searched = client.get(URL, {"q": "no such project"})
    assert paginator_text(searched) == "0 budget lines"
    assert "0 results (<a" in searched.content.decode()


def test_a_table_below_the_threshold_is_counted_exactly(ministry_editor):
    budget_lines(1)
    client = editor_client(ministry_editor)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(URL)
    assert len(counts_of_lines(queries)) == 1
    assert not page.context["cl"].paginator.estimated
    assert paginator_text(page).split()[-3:] == [str(BudgetLine.objects.count()), "budget", "lines"]
    assert "about" not in page.content.decode()


def test_a_table_never_analyzed_is_counted_exactly(on_postgresql, monkeypatch):
    monkeypatch.setattr(admin_paging, "EXACT_COUNT_UP_TO", 0)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE never_analyzed (id integer)")
        cursor.execute(admin_paging._ESTIMATE, ["never_analyzed"])
        assert cursor.fetchone() == (None,)  # reltuples -1: no statistics yet
