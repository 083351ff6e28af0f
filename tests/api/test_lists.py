"""REST API v1: every list and detail, its filters, exports, and the share endpoint."""

import csv
import io

import pandas as pd
import pytest

from budgets.kpi.models import ShareRun
from budgets.kpi.services import share_recompute
from budgets.models import BudgetLine
from programs.models import Program
from rdportfolio.core import copy_export
from technologies.models import Technology
from tests.api.client import LISTS, all_pages, api

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("endpoint", LISTS)
def test_every_list_and_detail_answers_an_analyst(analyst, endpoint):
    client = api(analyst)
    page = client.get(f"/api/v1/{endpoint}/", {"page_size": 3})
    assert page.status_code == 200
    body = page.json()
    assert set(body) == {"next", "previous", "results"}  # cursor paging: no count
    first = body["results"][0]
    detail = client.get(f"/api/v1/{endpoint}/{first['id']}/")
    assert detail.status_code == 200 and detail.json() == first


def test_amounts_are_integers_and_shares_decimal_strings(analyst):
    client = api(analyst)
    line = client.get("/api/v1/budget-lines/", {"page_size": 1}).json()["results"][0]
    assert isinstance(line["amount_won"], int)
    target = client.get("/api/v1/targets/", {"current": "true"}).json()["results"][0]
    assert isinstance(target["target_share"], str) and target["target_share"] in ("6.00", "15.00")


FILTERS = [
    ("technologies", {"track": "leapfrogging"}, lambda r: r["track"] == "leapfrogging"),
    ("technologies", {"field": "semiconductors"}, lambda r: r["field_code"] == "semiconductors"),
    ("technologies", {"status": "candidate"}, lambda r: r["status"] == "candidate"),
    ("technologies", {"search": "리튬"}, lambda r: r["code"] == "LF-003"),
    ("technologies", {"search": "lithium-sulfur"}, lambda r: r["code"] == "LF-003"),
    (
        "projects",
        {"track": "foundational", "start_year_min": 2025},
        lambda r: r["track"] == "foundational" and r["start_year"] >= 2025,
    ),
    (
        "projects",
        {"field": "robotics", "status": "in_progress"},
        lambda r: r["field_code"] == "robotics" and r["status"] == "in_progress",
    ),
    ("institutions", {"country": "de"}, lambda r: r["country"] == "DE"),
    ("institutions", {"kind": "research_institute"}, lambda r: r["kind"] == "research_institute"),
    ("cooperation-centers", {"status": "planned"}, lambda r: r["status"] == "planned"),
    ("collaborations", {"country": "TW", "track": "leapfrogging"}, lambda r: r["country"] == "TW"),
    ("collaborations", {"role": "advisor"}, lambda r: r["role"] == "advisor"),
    (
        "dispatches",
        {"status": "closed"},
        lambda r: r["status"] == "closed" and r["direct_participation_confirmed"],
    ),
    (
        "ip-agreements",
        {"implementation_right": "exclusive"},
        lambda r: r["implementation_right"] == "exclusive",
    ),
    (
        "budget-lines",
        {"fiscal_year": 2024, "basis": "executed"},
        lambda r: r["fiscal_year"] == 2024 and r["basis"] == "executed",
    ),
    (
        "budget-lines",
        {"fiscal_year_min": 2029, "fiscal_year_max": 2030},
        lambda r: 2029 <= r["fiscal_year"] <= 2030,
    ),
    (
        "budget-lines",
        {"is_international": "false", "track": "legacy"},
        lambda r: not r["is_international"] and r["track"] == "legacy",
    ),
    (
        "budget-lines",
        {"country": "JP", "field": "displays"},
        lambda r: r["country"] == "JP" and r["field_code"] == "displays",
    ),
    ("ministry-budgets", {"fiscal_year_min": 2027}, lambda r: r["fiscal_year"] >= 2027),
    ("targets", {"current": "true"}, lambda r: r["plan_name"].startswith("Comprehensive")),
]


@pytest.mark.parametrize(
    ("endpoint", "params", "holds"), FILTERS, ids=[f"{e}:{'&'.join(p)}" for e, p, _ in FILTERS]
)
def test_each_filter_keeps_only_matching_rows(analyst, endpoint, params, holds):
    rows = all_pages(api(analyst), f"/api/v1/{endpoint}/", {**params, "page_size": 1000})
    assert rows, "the filter should match some seeded rows"
    assert all(holds(row) for row in rows)
    unfiltered = all_pages(api(analyst), f"/api/v1/{endpoint}/", {"page_size": 1000})
    assert len(rows) < len(unfiltered) or endpoint == "targets"


@pytest.mark.parametrize(
    ("params", "lookup"),
    [
        ({"track": "game_changer"}, {"project__technology__program__track": "game_changer"}),
        ({"field": "semiconductors"}, {"project__technology__field__code": "semiconductors"}),
        ({"track": "foundational", "basis": "planned"}, {
            "project__technology__program__track": "foundational", "basis": "planned"}),
        ({"track": "legacy", "field": "nowhere"}, {"pk": -1}),  # no technology: no lines
    ],
)  # fmt: skip
def test_budget_lines_by_track_and_field_are_every_matching_line(analyst, params, lookup):
    # These filters find the technologies first, then their lines (see filter_technologies):
    # the lines are those the joins give, every one of them.
    rows = all_pages(api(analyst), "/api/v1/budget-lines/", {**params, "page_size": 1000})
    expected = set(BudgetLine.objects.filter(**lookup).values_list("pk", flat=True))
    assert {r["id"] for r in rows} == expected and len(rows) == len(expected)


@pytest.mark.parametrize(
    ("name", "chosen", "lookup"),
    [
        (
            "program",
            lambda: Program.objects.get(track="leapfrogging"),
            "project__technology__program",
        ),
        ("technology", lambda: Technology.objects.get(code="LF-001"), "project__technology"),
    ],
)
def test_a_programme_or_technology_filter_takes_its_lines_only(analyst, name, chosen, lookup):
    record = chosen()
    rows = all_pages(api(analyst), "/api/v1/budget-lines/", {name: record.pk, "page_size": 1000})
    expected = BudgetLine.objects.filter(**{lookup: record})
    assert {r["id"] for r in rows} == set(expected.values_list("pk", flat=True)) != set()
    assert len(rows) == expected.count()
    nothing = api(analyst).get("/api/v1/budget-lines/", {name: 999_999})
    assert nothing.status_code == 200 and nothing.json()["results"] == []
    refused = api(analyst).get("/api/v1/budget-lines/", {name: "LF-001"})
    assert refused.status_code == 400 and name in refused.content.decode()


def test_technologies_with_us_partners_in_semiconductors(analyst):
    rows = all_pages(
        api(analyst), "/api/v1/technologies/", {"field": "semiconductors", "country": "us"}
    )
    assert "LF-001" in {r["code"] for r in rows}
    assert len({r["id"] for r in rows}) == len(rows)  # no duplicates from the join


def test_ordering_and_cursor_paging_walk_every_row_once(analyst):
    client = api(analyst)
    rows = all_pages(
        client,
        "/api/v1/budget-lines/",
        {"ordering": "-amount_won", "page_size": 700, "fiscal_year": 2025},
    )
    amounts = [r["amount_won"] for r in rows]
    assert amounts == sorted(amounts, reverse=True)
    assert (
        len({r["id"] for r in rows})
        == len(rows)
        == BudgetLine.objects.filter(fiscal_year=2025).count()
    )


@pytest.mark.parametrize(
    ("url", "params", "parameter"),
    [
        ("/api/v1/budget-lines/", {"fiscal_year": "abc"}, "fiscal_year"),
        ("/api/v1/budget-lines/", {"fiscal_year": ""}, "fiscal_year"),
        ("/api/v1/budget-lines/", {"basis": "guessed"}, "basis"),
        ("/api/v1/budget-lines/", {"country": "XX"}, "country"),
        ("/api/v1/budget-lines/", {"is_international": "perhaps"}, "is_international"),
        ("/api/v1/budget-lines/", {"ordering": "password"}, "ordering"),
        ("/api/v1/institutions/", {"country": "Narnia"}, "country"),
        ("/api/v1/technologies/", {"status": "finished"}, "status"),
        ("/api/v1/dispatches/", {"start_date_min": "yesterday"}, "start_date_min"),
        ("/api/v1/share/", {"from_year": "twenty"}, "from_year"),
        ("/api/v1/share/", {"by": "planet"}, "by"),
        ("/api/v1/share/", {"as_of": "1 March"}, "as_of"),
        ("/api/v1/share/", {"from_year": 2028, "to_year": 2024}, "to_year"),
    ],
)
def test_a_bad_parameter_is_a_400_that_names_it(analyst, url, params, parameter):
    response = api(analyst).get(url, params)
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert parameter in {error["attr"] for error in body["errors"]}


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "cD0AeA==",  # p=\x00x: a NUL in the position
        "cD1hYmM=",  # p=abc: text where the ordering field (id) is a number
        "bz0tNQ==",  # o=-5
    ],
)
def test_a_malformed_cursor_is_a_400_naming_it(analyst, cursor):
    response = api(analyst).get("/api/v1/budget-lines/", {"cursor": cursor})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["attr"] == "cursor" and "next" in error["detail"]


def as_text(value):
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return "" if value is None else str(value)


def frame_from_json(rows):
    """The JSON rows as the text a CSV or sheet holds (null is empty, booleans True/False)."""
    return pd.DataFrame([{key: as_text(value) for key, value in row.items()} for row in rows])


# Serializers with many-valued or computed fields: their CSV is written in Python.
PYTHON_WRITTEN = {"cooperation-centers"}  # its fields (a list of field codes)

EXPORTS = [
    ("budget-lines", {"fiscal_year": 2024, "country": "US"}),
    ("technologies", {}),
    ("cooperation-centers", {}),
    ("targets", {}),
    ("dispatches", {"status": "active"}),
    ("programs", {}),
    ("program-year-plans", {}),
    ("fields", {}),
    ("projects", {"status": "in_progress"}),
    ("institutions", {}),
    ("collaborations", {}),
    ("ip-agreements", {}),
    ("ministry-budgets", {}),
]


@pytest.mark.parametrize(("endpoint", "params"), EXPORTS)
def test_csv_and_xlsx_hold_every_matching_row_equal_to_the_json(analyst, endpoint, params):
    client = api(analyst)
    rows = all_pages(client, f"/api/v1/{endpoint}/", {**params, "page_size": 50})
    expected = frame_from_json(rows)
    csv_response = client.get(f"/api/v1/{endpoint}/", {**params, "format": "csv"})
    assert csv_response.status_code == 200 and csv_response["Content-Type"].startswith("text/csv")
    assert "attachment" in csv_response["Content-Disposition"]
    csv_frame = pd.read_csv(
        io.BytesIO(b"".join(csv_response.streaming_content)), dtype=str, keep_default_na=False
    )
    pd.testing.assert_frame_equal(csv_frame, expected, check_dtype=False)
    xlsx_response = client.get(f"/api/v1/{endpoint}/", {**params, "format": "xlsx"})
    assert xlsx_response.status_code == 200
    xlsx_frame = pd.read_excel(
        io.BytesIO(xlsx_response.getvalue()), dtype=str, keep_default_na=False, engine="calamine"
    )
    pd.testing.assert_frame_equal(xlsx_frame, expected, check_dtype=False)


@pytest.mark.parametrize(("endpoint", "params"), EXPORTS)
def test_postgresql_writes_the_plain_lists_csv_itself_as_the_python_writer_would(
    on_postgresql, analyst, monkeypatch, endpoint, params
):
    """COPY and the Python writer give the same file, but for line endings (COPY's are bare
    newlines): every endpoint whose serializer reads plain columns goes through COPY."""
    copied = []
    original = copy_export.copy_chunks

    def spy(*args, **kwargs):
        copied.append(endpoint)
        yield from original(*args, **kwargs)

    monkeypatch.setattr(copy_export, "copy_chunks", spy)
    url, client = f"/api/v1/{endpoint}/", api(analyst)
    by_copy = b"".join(client.get(url, {**params, "format": "csv"}).streaming_content)
    monkeypatch.setattr("rdportfolio.core.api.can_copy", lambda kinds: False)
    by_python = b"".join(client.get(url, {**params, "format": "csv"}).streaming_content)
    plain = endpoint not in PYTHON_WRITTEN
    assert copied == ([endpoint] if plain else [])
    assert list(csv.reader(io.StringIO(by_copy.decode()))) == list(
        csv.reader(io.StringIO(by_python.decode()))
    )
    assert len(by_python.splitlines()) > 1


def test_an_export_larger_than_a_sheet_says_so_and_points_to_csv(analyst, monkeypatch):
    monkeypatch.setattr("rdportfolio.core.api.XLSX_MAX_ROWS", 100)
    response = api(analyst).get("/api/v1/budget-lines/", {"format": "xlsx"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    detail = response.json()["errors"][0]
    assert detail["attr"] == "format" and "format=csv" in detail["detail"]


def test_an_excel_list_is_sent_from_a_temporary_file_closed_once_sent(analyst, monkeypatch):
    # Built on disk, not in the worker's memory, whatever its size; the file is closed (and
    # so deleted) when the response is, and when building it fails.
    import tempfile

    from openpyxl import load_workbook

    opened = []
    real = tempfile.TemporaryFile

    def tracked(*args, **kwargs):
        opened.append(real(*args, **kwargs))
        return opened[-1]

    monkeypatch.setattr("rdportfolio.core.exports.tempfile.TemporaryFile", tracked)
    response = api(analyst).get("/api/v1/budget-lines/", {"format": "xlsx"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"].startswith('attachment; filename="budget-lines-')
    content = response.getvalue()  # read to its end: the client closes the response then
    rows = list(load_workbook(io.BytesIO(content))["data"].iter_rows(values_only=True))
    assert len(rows) - 1 == int(response["X-Row-Count"]) == BudgetLine.objects.count()
    assert len(opened) == 1 and opened[0].closed
    monkeypatch.setattr("rdportfolio.core.api.XLSX_MAX_ROWS", 1)
    assert api(analyst).get("/api/v1/budget-lines/", {"format": "xlsx"}).status_code == 400
    assert len(opened) == 2 and opened[1].closed


def test_the_share_endpoint_gives_the_latest_run_and_its_time(analyst):
    run = share_recompute(force=True)
    body = (
        api(analyst)
        .get("/api/v1/share/", {"basis": "planned", "from_year": 2023, "to_year": 2028})
        .json()
    )
    assert body["run"]["id"] == run.pk and body["computed_at"] == body["run"]["finished_at"]
    years = [row["fiscal_year"] for row in body["results"]]
    assert years == list(range(2023, 2029))
    row_2023 = body["results"][0]
    assert set(row_2023) >= {
        "fiscal_year",
        "basis",
        "international_won",
        "total_won",
        "share",
        "target_share",
        "gap_won",
        "status",
    }
    # 2023 is the measured baseline: its 6% is no target to be behind, so no gap and no verdict.
    assert row_2023["target_share"] == "6.0000" and row_2023["target_origin"] == "baseline"
    assert row_2023["gap_won"] is None and row_2023["status"] == "baseline"
    row_2028 = body["results"][-1]
    assert row_2028["target_origin"] == "published" and isinstance(row_2028["gap_won"], int)
    assert {"total_basis", "year_closed", "synthetic_inputs", "run", "computed_at"} <= set(row_2023)
    assert row_2023["synthetic_inputs"] is True and row_2023["run"] == run.pk
    by_country = (
        api(analyst)
        .get(
            "/api/v1/share/",
            {"basis": "planned", "by": "country", "from_year": 2024, "to_year": 2024},
        )
        .json()
    )
    assert {"US", "TW"} <= {row["key"] for row in by_country["results"]}
    overall_2024 = next(r for r in body["results"] if r["fiscal_year"] == 2024)
    assert (
        sum(r["international_won"] for r in by_country["results"])
        == overall_2024["international_won"]
    )


def test_the_share_as_of_a_date_before_any_run_is_a_404(analyst):
    share_recompute(force=True)
    response = api(analyst).get("/api/v1/share/", {"as_of": "2020-03-01"})
    assert response.status_code == 404
    assert "2020-03-01" in response.json()["errors"][0]["detail"]


def test_the_share_before_any_run_says_so(analyst):
    ShareRun.objects.all().delete()
    body = api(analyst, language="en").get("/api/v1/share/").json()
    assert body == {
        "run": None,
        "computed_at": None,
        "stale": True,
        "stale_reason": "The share has not been computed yet.",
        "results": [],
    }


def test_the_share_exports_as_csv(analyst):
    share_recompute(force=True)
    response = api(analyst).get("/api/v1/share/", {"basis": "executed", "format": "csv"})
    frame = pd.read_csv(io.BytesIO(b"".join(response.streaming_content)))
    assert list(frame["fiscal_year"]) == list(range(2023, 2031))
    assert frame.loc[0, "international_won"] > 300_000_000_000
