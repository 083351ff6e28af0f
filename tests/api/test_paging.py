"""REST API v1: a list named by paging parameters alone, without the filter form."""

import pytest

from budgets.models import BudgetLine
from tests.api.client import all_pages, api

pytestmark = pytest.mark.django_db


def test_a_list_named_by_paging_alone_is_every_row_unfiltered(analyst):
    # No filter is named: the filter form is not built (see StrictFilterBackend), and the
    # list must still be every line, each once, as the API gives it when filtered.
    client = api(analyst)
    rows = all_pages(client, "/api/v1/budget-lines/", {"page_size": 500})
    assert sorted(r["id"] for r in rows) == sorted(BudgetLine.objects.values_list("id", flat=True))
    # And a line reads the same through a filter as without one.
    first = min(rows, key=lambda r: r["id"])
    filtered = client.get("/api/v1/budget-lines/", {"fiscal_year": first["fiscal_year"]}).json()
    assert filtered["results"][0] == first
    assert {r["fiscal_year"] for r in filtered["results"]} == {first["fiscal_year"]}
