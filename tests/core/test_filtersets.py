"""Filter sets copied cheaply per request still keep each request's filters to itself."""

import pytest
from django.http import QueryDict

from budgets.api import BudgetLineFilter
from budgets.models import BudgetLine

pytestmark = pytest.mark.django_db


def test_two_requests_filter_sets_share_nothing_a_request_can_change():
    first = BudgetLineFilter(QueryDict("country=tw"), BudgetLine.objects.all())
    second = BudgetLineFilter(QueryDict("basis=planned&fiscal_year=2026"), BudgetLine.objects.all())
    for filterset in (first, second):
        assert filterset.is_valid(), filterset.form.errors
        for filter_ in filterset.filters.values():
            assert filter_.parent is filterset
        # A method filter calls its method on its own filter set, not on another request's.
        assert filterset.filters["country"].filter.f is filterset.filters["country"]
    assert first.form.fields["basis"] is not second.form.fields["basis"]
    assert type(first.form) is type(second.form)  # built once per class
    expected_first = BudgetLine.objects.filter(collaboration__institution__country="TW")
    expected_second = BudgetLine.objects.filter(basis="planned", fiscal_year=2026)
    assert expected_second.exists()
    assert set(first.qs.values_list("pk", flat=True)) == set(
        expected_first.values_list("pk", flat=True)
    )
    assert set(second.qs.values_list("pk", flat=True)) == set(
        expected_second.values_list("pk", flat=True)
    )


def test_a_bad_value_in_one_request_is_not_remembered_by_the_next():
    bad = BudgetLineFilter(QueryDict("fiscal_year=soon"), BudgetLine.objects.all())
    assert not bad.is_valid() and "fiscal_year" in bad.form.errors
    good = BudgetLineFilter(QueryDict("fiscal_year=2026"), BudgetLine.objects.all())
    assert good.is_valid() and not good.form.errors
