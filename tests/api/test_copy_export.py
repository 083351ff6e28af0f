"""The CSV PostgreSQL writes (COPY) holds the JSON's values in the cases formatting can miss.

Whole seconds (no microseconds), a zone at UTC ("Z"), a half-hour zone, text a spreadsheet
would run, quotes and newlines, a NULL: each cell of the COPY file equals the JSON's.
"""

import csv
import datetime
import io

import pytest
from django.test import override_settings

from budgets.models import BudgetLine
from tests.api.client import api

pytestmark = pytest.mark.django_db

MOMENTS = [
    datetime.datetime(2026, 3, 1, 0, 0, 0, tzinfo=datetime.UTC),
    datetime.datetime(2026, 3, 1, 12, 30, 5, 120, tzinfo=datetime.UTC),
    datetime.datetime(1987, 7, 1, 3, 0, 0, 999999, tzinfo=datetime.UTC),  # Seoul's summer time
]
TEXTS = ['=HYPERLINK("http://x")', "-3.5", "+82 2 123", 'a "quoted", text\nover two lines', "@x"]


@pytest.fixture
def lines(on_postgresql):
    rows = list(BudgetLine.objects.order_by("pk")[: len(MOMENTS) * len(TEXTS)])
    for n, line in enumerate(rows):
        BudgetLine.objects.filter(pk=line.pk).update(
            created_at=MOMENTS[n % len(MOMENTS)], source=TEXTS[n % len(TEXTS)]
        )
    return [line.pk for line in rows]


@pytest.mark.parametrize("zone", ["Asia/Seoul", "UTC", "Asia/Kolkata"])
def test_copy_cells_equal_the_json_in_any_zone(lines, analyst, zone):
    client = api(analyst)
    with override_settings(TIME_ZONE=zone):
        json_rows = {}
        url = "/api/v1/budget-lines/"
        while url:
            page = client.get(url, {"page_size": 1000} if "?" not in url else None).json()
            json_rows.update({row["id"]: row for row in page["results"] if row["id"] in lines})
            url = page["next"]
        response = client.get("/api/v1/budget-lines/", {"format": "csv"})
        text = b"".join(response.streaming_content).decode()
    csv_rows = {int(row["id"]): row for row in csv.DictReader(io.StringIO(text))}
    assert len(csv_rows) == int(response["X-Row-Count"])
    for pk in lines:
        row, expected = csv_rows[pk], json_rows[pk]
        assert row["created_at"] == expected["created_at"], zone
        guard = "'" if expected["source"][0] in "=+@" else ""
        assert row["source"] == guard + expected["source"]
        assert row["collaboration"] == (
            "" if expected["collaboration"] is None else str(expected["collaboration"])
        )
        assert row["is_international"] == str(expected["is_international"])
    whole_second = csv_rows[lines[0]]["created_at"]  # MOMENTS[0]: no microseconds
    assert (
        whole_second
        == {
            "Asia/Seoul": "2026-03-01T09:00:00+09:00",
            "UTC": "2026-03-01T00:00:00Z",
            "Asia/Kolkata": "2026-03-01T05:30:00+05:30",
        }[zone]
    )
