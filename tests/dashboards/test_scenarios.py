"""The scenario pages: who sees and changes what, the editor's refusals on the field they
name, the goal-year answer, the solver's page; and the list at a constant cost."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budgets.scenarios.models import Scenario, ScenarioFigure
from budgets.scenarios.services import scenario_create, scenario_current_result
from tests.dashboards.pages import browser, chart_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scenarios_computed")]
EOK = 10**8


def formset_data(*adjustments, name="Plan B"):
    data = {
        "scenario-name": name,
        "scenario-description": "",
        "adjustments-TOTAL_FORMS": str(len(adjustments) + 1),
        "adjustments-INITIAL_FORMS": "0",
        "adjustments-MIN_NUM_FORMS": "0",
        "adjustments-MAX_NUM_FORMS": "1000",
    }
    for i, adjustment in enumerate(adjustments):
        for key, value in {"ORDER": i + 1, **adjustment}.items():
            data[f"adjustments-{i}-{key}"] = value
    return data


SHIFT = {"kind": "shift", "track": "leapfrogging", "from_year": 2026, "to_year": 2028,
         "percent": "20", "partner_country": "US"}  # fmt: skip
ADD = {"kind": "add", "track": "game_changer", "from_year": 2026, "to_year": 2030,
       "amount_won": "50억", "partner_country": "US"}  # fmt: skip


def test_an_editor_builds_a_scenario_and_sees_the_answer_for_2028(ministry_editor):
    client = browser(ministry_editor)
    created = client.post("/scenarios/", {"name": "Plan B", "description": ""})
    assert created.status_code == 302
    url = created["Location"]
    saved = client.post(url, formset_data(SHIFT, ADD))
    assert saved.status_code == 302, saved.content.decode()[:2000]
    scenario = Scenario.objects.get(name="Plan B")
    assert [a.kind for a in scenario.adjustments.order_by("position")] == ["shift", "add"]
    assert scenario.adjustments.get(kind="add").amount_won == 50 * EOK
    page = client.get(url)
    text = page.content.decode()
    assert "Does the scenario reach 15.00% in 2028?" in text
    result = scenario_current_result(scenario)
    figure = ScenarioFigure.objects.get(
        result=result, path="scenario", dimension="overall", fiscal_year=2028
    )
    assert f"{figure.share:.2f}%" in text
    chart = chart_data(page, "scenario-path-data")
    assert chart["scenario"][chart["years"].index(2028)] == str(figure.share)
    assert set(chart) >= {"baseline", "scenario", "expected", "target"}


def test_htmx_saves_answer_with_the_editor_and_figures_only(ministry_editor):
    client = browser(ministry_editor)
    scenario = scenario_create(name="Live", owner=ministry_editor)
    response = client.post(
        f"/scenarios/{scenario.pk}/", formset_data(ADD, name="Live"), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "<html" not in text and 'data-result-status="succeeded"' in text
    assert "scenario-path-data" in text


def test_a_refusal_is_shown_on_the_adjustment_and_field_it_names(ministry_editor):
    client = browser(ministry_editor)
    scenario = scenario_create(name="Careful", owner=ministry_editor)
    too_much = {**SHIFT, "percent": "", "amount_won": "9000억"}
    response = client.post(f"/scenarios/{scenario.pk}/", formset_data(ADD, too_much))
    assert response.status_code == 400
    text = response.content.decode()
    errors = re.search(r'data-adjustment-errors="2">(.*?)</div>', text, re.S)
    assert errors and "Amount (won per year)" in errors.group(1) and "2026" in errors.group(1)
    assert not scenario.adjustments.exists()  # nothing half-saved
    past = {**ADD, "from_year": 2024}
    response = client.post(f"/scenarios/{scenario.pk}/", formset_data(past))
    assert "is not an open plan year" in response.content.decode()


def test_cto_viewers_read_published_scenarios_and_change_nothing(ministry_editor, cto_viewer):
    draft = scenario_create(name="Draft only", owner=ministry_editor)
    published = scenario_create(name="Out in the open", owner=ministry_editor)
    browser(ministry_editor).post(f"/scenarios/{published.pk}/publish/")
    published.refresh_from_db()
    assert published.is_published
    cto = browser(cto_viewer)
    listing = cto.get("/scenarios/").content.decode()
    assert "Out in the open" in listing and "Draft only" not in listing
    assert cto.get(f"/scenarios/{draft.pk}/").status_code == 404
    page = cto.get(f"/scenarios/{published.pk}/")
    assert page.status_code == 200 and "data-scenario-editor" not in page.content.decode()
    assert cto.post(f"/scenarios/{published.pk}/", formset_data(ADD)).status_code == 403
    assert cto.post(f"/scenarios/{published.pk}/revise/").status_code == 403
    assert cto.post("/scenarios/", {"name": "Mine"}).status_code == 403
    # Published is read-only for editors too: revising makes a new draft.
    editor = browser(ministry_editor)
    assert editor.post(f"/scenarios/{published.pk}/", formset_data(ADD)).status_code == 403
    revised = editor.post(f"/scenarios/{published.pk}/revise/")
    assert revised.status_code == 302
    assert Scenario.objects.filter(revision_of=published, status="draft").exists()


def test_the_solver_page_names_what_binds_and_saves_for_editors(ministry_editor, cto_viewer):
    ask = {"by": "track", "source": "shift", "max_move_percent": "60"}
    page = browser(cto_viewer).get("/scenarios/solve/", ask)
    text = page.content.decode()
    assert 'data-solution="infeasible"' in text
    assert "Foundational, 2029: all it may take" in text
    assert "data-save-solution" not in text  # readers ask; editors save
    assert browser(cto_viewer).post("/scenarios/solve/", ask).status_code == 403
    enough = {"by": "track", "source": "add", "programme_totals": "on"}
    assert (
        'data-solution="feasible"'
        in browser(ministry_editor).get("/scenarios/solve/", enough).content.decode()
    )
    saved = browser(ministry_editor).post("/scenarios/solve/", {**enough, "name": "Least new won"})
    assert saved.status_code == 302
    scenario = Scenario.objects.get(name="Least new won")
    result = scenario_current_result(scenario)
    for figure in result.figures.filter(
        path="scenario", dimension="overall", fiscal_year__gte=2026
    ):
        assert figure.gap_won <= 0, figure.fiscal_year
    bad = browser(ministry_editor).get("/scenarios/solve/", {"by": "planet"})
    assert bad.status_code == 400


def test_the_list_costs_the_same_queries_at_any_length(ministry_editor):
    client = browser(ministry_editor)
    scenario_create(name="One", owner=ministry_editor)
    client.get("/scenarios/")
    with CaptureQueriesContext(connection) as one:
        client.get("/scenarios/")
    for n in range(4):
        scenario_create(name=f"More {n}", owner=ministry_editor)
    with CaptureQueriesContext(connection) as five:
        assert client.get("/scenarios/").content.decode().count("/scenarios/") >= 5
    assert len(five) == len(one)


def test_saving_again_keeps_the_saved_adjustments_and_adds_the_new_one(ministry_editor):
    # The editor shows the saved adjustments (unchanged) and a blank one: filling the blank
    # one and saving must keep the others (a browser test caught them dropped).
    client = browser(ministry_editor)
    scenario = scenario_create(name="Growing", owner=ministry_editor)
    client.post(f"/scenarios/{scenario.pk}/", formset_data(SHIFT, name="Growing"))
    data = formset_data(SHIFT, ADD, name="Growing")
    data["adjustments-INITIAL_FORMS"] = "1"
    data["adjustments-0-percent"] = "20.000"  # as the form shows it back
    assert client.post(f"/scenarios/{scenario.pk}/", data).status_code == 302
    assert [a.kind for a in scenario.adjustments.order_by("position")] == ["shift", "add"]


def test_a_published_scenario_lists_its_adjustments_as_readers_read_amounts(cto_viewer):
    from rdportfolio.seed.scenarios import DEMO_SCENARIO

    scenario = Scenario.objects.get(name=DEMO_SCENARIO)
    text = browser(cto_viewer, "ko").get(f"/scenarios/{scenario.pk}/").content.decode()
    listed = re.search(r'<ol class="adjustment-list" data-adjustments>(.*?)</ol>', text, re.S)
    assert listed and "50억 원" in listed.group(1) and "20%" in listed.group(1)
    assert "5000000000" not in listed.group(1)
