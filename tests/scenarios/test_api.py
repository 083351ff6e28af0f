"""/api/v1/scenarios/: who may read and write what, refusals that name the field, results as
JSON, CSV and XLSX, the solver; and lists that cost the same queries at any length."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budgets.scenarios.models import Scenario
from tests.api.client import api

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scenarios_computed")]
URL = "/api/v1/scenarios/"
EOK = 10**8
TWO_STEPS = {
    "name": "Two steps",
    "adjustments": [
        {"kind": "shift", "track": "leapfrogging", "from_year": 2026, "to_year": 2028,
         "percent": "20", "partner_country": "us"},
        {"kind": "add", "track": "game_changer", "from_year": 2026, "to_year": 2030,
         "amount_won": 50 * EOK, "partner_country": "US"},
    ],
}  # fmt: skip


@pytest.fixture
def draft(ministry_editor):
    response = api(ministry_editor).post(URL, TWO_STEPS, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_an_editor_creates_a_scenario_whose_result_is_computed(draft):
    assert draft["status"] == "draft" and draft["owner"] == "t_editor"
    assert [a["position"] for a in draft["adjustments"]] == [1, 2]
    assert draft["adjustments"][0]["partner_country"] == "US"
    assert draft["result"]["status"] == "succeeded"


def test_results_give_the_three_paths_with_their_difference(draft, ministry_editor):
    body = api(ministry_editor).get(f"{URL}{draft['id']}/results/", {"by": "overall"}).json()
    rows = {(r["path"], r["fiscal_year"]): r for r in body["results"]}
    assert {path for path, _year in rows} == {"baseline", "scenario", "expected"}
    baseline, scenario = rows[("baseline", 2030)], rows[("scenario", 2030)]
    # 2030 only gets the added 50억 (the shift stops in 2028).
    assert scenario["international_won"] - baseline["international_won"] == 50 * EOK
    assert scenario["difference_won"] == 50 * EOK
    assert scenario["gap_won"] == scenario["target_won"] - scenario["international_won"]


def test_results_as_csv_and_xlsx_hold_the_same_rows(draft, analyst, ministry_editor):
    client = api(ministry_editor)
    url = f"{URL}{draft['id']}/results/"
    rows = client.get(url, {"by": "track"}).json()["results"]
    response = client.get(url, {"by": "track", "format": "csv"})
    assert response.status_code == 200
    table = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(table) == len(rows)
    assert [int(r["international_won"]) for r in table] == [r["international_won"] for r in rows]
    xlsx = client.get(url, {"format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxml")


def test_refusals_name_the_adjustment_and_its_field(ministry_editor):
    client = api(ministry_editor)
    before = Scenario.objects.count()
    too_much = {
        "name": "Too much",
        "adjustments": [
            {"kind": "add", "track": "legacy", "from_year": 2026, "to_year": 2026, "amount_won": 1},
            {"kind": "shift", "track": "leapfrogging", "from_year": 2026, "to_year": 2026,
             "amount_won": 10**15},
        ],
    }  # fmt: skip
    response = client.post(URL, too_much, format="json")
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["attr"] == "adjustments.1.amount_won" and "2026" in error["detail"]
    closed = {"name": "Past", "adjustments": [{"kind": "total", "from_year": 2024,
                                               "to_year": 2026, "percent": "5"}]}  # fmt: skip
    response = client.post(URL, closed, format="json")
    assert response.json()["errors"][0]["attr"] == "adjustments.0.from_year"
    country = {"name": "Where", "adjustments": [{"kind": "add", "track": "legacy", "from_year":
               2026, "to_year": 2026, "amount_won": 1, "partner_country": "XX"}]}  # fmt: skip
    response = client.post(URL, country, format="json")
    assert response.json()["errors"][0]["attr"] == "adjustments.0.partner_country"
    assert Scenario.objects.count() == before


def test_cto_viewers_and_analysts_read_published_scenarios_only(
    draft, ministry_editor, cto_viewer, analyst, outsider
):
    for reader in (cto_viewer, analyst):
        client = api(reader)
        listed = {s["id"]: s["status"] for s in client.get(URL).json()["results"]}
        assert draft["id"] not in listed and set(listed.values()) <= {"published"}
        assert client.get(f"{URL}{draft['id']}/").status_code == 404
        assert client.get(f"{URL}{draft['id']}/results/").status_code == 404
        assert client.post(URL, TWO_STEPS, format="json").status_code == 403
        # Readers may not change scenarios: refused before the draft is even looked up.
        assert client.post(f"{URL}{draft['id']}/publish/").status_code == 403
    assert api(outsider).get(URL).status_code == 403
    anonymous = api().get(URL)
    assert anonymous.status_code == 401 and anonymous["WWW-Authenticate"] == "Token"

    published = api(ministry_editor).post(f"{URL}{draft['id']}/publish/")
    assert published.status_code == 200 and published.json()["status"] == "published"
    for reader in (cto_viewer, analyst):
        client = api(reader)
        assert draft["id"] in [s["id"] for s in client.get(URL).json()["results"]]
        assert client.get(f"{URL}{draft['id']}/results/").json()["results"]
        assert client.patch(f"{URL}{draft['id']}/", {"name": "x"}, format="json").status_code == 403
        assert client.delete(f"{URL}{draft['id']}/").status_code == 403


def test_a_published_scenario_is_read_only_and_revised_into_a_draft(draft, ministry_editor):
    client = api(ministry_editor)
    client.post(f"{URL}{draft['id']}/publish/")
    assert client.patch(f"{URL}{draft['id']}/", {"name": "x"}, format="json").status_code == 409
    assert client.delete(f"{URL}{draft['id']}/").status_code == 409
    assert client.post(f"{URL}{draft['id']}/publish/").status_code == 409
    revision = client.post(f"{URL}{draft['id']}/revise/")
    assert revision.status_code == 201
    assert revision.json()["revision_of"] == draft["id"] and revision.json()["status"] == "draft"
    changed = client.patch(
        f"{URL}{revision.json()['id']}/",
        {"adjustments": TWO_STEPS["adjustments"][:1]},
        format="json",
    )
    assert changed.status_code == 200 and changed.json()["revision"] == 2
    assert len(changed.json()["adjustments"]) == 1
    assert client.delete(f"{URL}{revision.json()['id']}/").status_code == 204


def test_the_solver_answers_readers_and_saves_for_editors(cto_viewer, ministry_editor):
    ask = {"by": "track", "source": "add"}
    answer = api(cto_viewer).post(f"{URL}solve/", ask, format="json")
    assert answer.status_code == 200 and answer.json()["feasible"] is True
    assert answer.json()["scenario"] is None
    needed = answer.json()["needed_won"]
    assert sum(row["won"] for row in answer.json()["allocation"]) == sum(needed.values())
    saving = {**ask, "save": True, "name": "Least new won"}
    assert api(cto_viewer).post(f"{URL}solve/", saving, format="json").status_code == 403
    saved = api(ministry_editor).post(f"{URL}solve/", saving, format="json")
    assert saved.status_code == 201
    results = api(ministry_editor).get(
        f"{URL}{saved.json()['scenario']}/results/", {"by": "overall", "path": "scenario"}
    )
    for row in results.json()["results"]:
        if str(row["fiscal_year"]) in needed and row["gap_won"] is not None:
            assert row["gap_won"] <= 0
    bad = api(ministry_editor).post(
        f"{URL}solve/", {"caps": {"nope": 5}, "max_move_percent": 150}, format="json"
    )
    assert bad.status_code == 400
    assert {e["attr"] for e in bad.json()["errors"]} == {"max_move_percent"}
    bad = api(ministry_editor).post(f"{URL}solve/", {"caps": {"nope": 5}}, format="json")
    assert bad.json()["errors"][0]["attr"] == "caps" and "nope" in bad.json()["errors"][0]["detail"]


@pytest.mark.parametrize(
    ("ask", "attr"),
    [
        ({"source": "add", "max_add_won": 10**30}, "max_add_won"),
        ({"caps": {"leapfrogging": 10**30}}, "caps.leapfrogging"),
        ({"caps": {"leapfrogging": 10**15 + 1}}, "caps.leapfrogging"),
    ],
)
def test_the_solvers_amounts_are_bounded_as_every_amount_is(ministry_editor, ask, attr):
    bad = api(ministry_editor).post(
        f"{URL}solve/", {**ask, "save": True, "name": "x"}, format="json"
    )
    assert bad.status_code == 400
    assert [error["attr"] for error in bad.json()["errors"]] == [attr]
    assert "1000000000000000" in bad.json()["errors"][0]["detail"]
    assert not Scenario.objects.filter(name="x").exists()


def test_the_list_costs_the_same_queries_at_any_length(ministry_editor):
    client = api(ministry_editor)
    client.post(URL, TWO_STEPS, format="json")
    before = Scenario.objects.count()
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(URL).json()["results"]) == before
    for n in range(4):
        client.post(URL, {**TWO_STEPS, "name": f"More {n}"}, format="json")
    with CaptureQueriesContext(connection) as five:
        assert len(client.get(URL).json()["results"]) == before + 4
    assert len(five) == len(one)


def test_the_list_as_csv_has_one_row_per_scenario(draft, ministry_editor):
    response = api(ministry_editor).get(URL, {"format": "csv"})
    assert response.status_code == 200
    table = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    rows = {row["id"]: (row["name"], row["owner"]) for row in table}
    assert rows[str(draft["id"])] == ("Two steps", "t_editor")
    assert len(rows) == Scenario.objects.count()


def test_codes_with_null_characters_are_refused_not_a_server_error(ministry_editor):
    bad = {"name": "x", "adjustments": [{"kind": "add", "field": "ai\x00", "from_year": 2026,
                                         "to_year": 2026, "amount_won": 1}]}  # fmt: skip
    response = api(ministry_editor).post(URL, bad, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "adjustments.0.field"
