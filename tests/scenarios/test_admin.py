"""Scenarios in the admin: the engine's refusal on the inline row and field it names, nothing
saved; a new revision and new figures when the adjustments change; published ones read-only."""

import pytest

from budgets.scenarios.services import scenario_create, scenario_current_result, scenario_publish
from tests.dashboards.pages import browser

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scenarios_computed")]
EOK = 10**8


def change_form(scenario, **adjustment):
    data = {
        "name": scenario.name,
        "description": "",
        "adjustments-TOTAL_FORMS": "1",
        "adjustments-INITIAL_FORMS": "0",
        "adjustments-MIN_NUM_FORMS": "0",
        "adjustments-MAX_NUM_FORMS": "1000",
        "_continue": "1",
    }
    for key, value in {"position": 1, "from_year": 2026, "to_year": 2026, **adjustment}.items():
        data[f"adjustments-0-{key}"] = value
    return data


def test_the_engine_refuses_in_the_admin_and_nothing_is_saved(ministry_editor):
    scenario = scenario_create(name="Admin plan", owner=ministry_editor)
    url = f"/admin/scenarios/scenario/{scenario.pk}/change/"
    client = browser(ministry_editor)
    refused = client.post(
        url, change_form(scenario, kind="shift", track="leapfrogging", amount_won="9000억")
    )
    assert refused.status_code == 200
    assert "more than the scope&#x27;s domestic won in 2026" in refused.content.decode()
    assert not scenario.adjustments.exists()

    saved = client.post(url, change_form(scenario, kind="total", amount_won="-300억"))
    assert saved.status_code == 302
    scenario.refresh_from_db()
    assert scenario.adjustments.get().amount_won == -300 * EOK
    assert scenario.revision == 2
    result = scenario_current_result(scenario)
    assert result.status == "succeeded" and result.scenario_revision == 2


def test_a_published_scenario_is_read_only_in_the_admin(ministry_editor):
    scenario = scenario_create(name="Fixed", owner=ministry_editor)
    scenario_publish(scenario_id=scenario.pk)
    client = browser(ministry_editor)
    url = f"/admin/scenarios/scenario/{scenario.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(url, change_form(scenario, kind="total", percent="5")).status_code == 403
    assert (
        client.post(f"/admin/scenarios/scenario/{scenario.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert not scenario.adjustments.exists()


def test_drafts_are_hidden_in_the_admin_as_in_the_api_from_those_who_may_only_read(
    ministry_editor, evaluation_manager
):
    from tests.api.client import api

    draft = scenario_create(name="Editors' own draft", owner=ministry_editor)
    published = scenario_create(name="Published plan", owner=ministry_editor)
    scenario_publish(scenario_id=published.pk)
    reader = browser(evaluation_manager)
    listing = reader.get("/admin/scenarios/scenario/")
    assert listing.status_code == 200
    assert "Published plan" in listing.content.decode()
    assert "Editors&#x27; own draft" not in listing.content.decode()
    for page in ("change/", "history/"):
        hidden = reader.get(f"/admin/scenarios/scenario/{draft.pk}/{page}")
        assert hidden.status_code == 302 and hidden["Location"] == "/admin/", page
    results = reader.get("/admin/scenarios/scenarioresult/").content.decode()
    assert "Published plan" in results and "Editors&#x27; own draft" not in results
    in_the_api = {
        row["id"] for row in api(evaluation_manager).get("/api/v1/scenarios/").json()["results"]
    }
    assert published.pk in in_the_api and draft.pk not in in_the_api
    # Editors see both, in either.
    assert (
        "Editors&#x27; own draft"
        in browser(ministry_editor).get("/admin/scenarios/scenario/").content.decode()
    )
