"""A ministry editor builds a scenario in Chromium: two adjustments, each saved in place (the
chart and the table update without leaving the page), publishes it; a CTO viewer reads it.
No console error, no request to another host, nothing serious for a screen reader."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from budgets.scenarios.models import Scenario, ScenarioFigure
from budgets.scenarios.services import scenario_current_result
from rdportfolio.celery import app as celery_app
from tests.dashboards.browser import SCREENSHOTS, wait_for_charts, wait_until

AXE = Axe()


@pytest.fixture(autouse=True)
def _computed_in_process(monkeypatch):
    # The live server runs here; with no worker in this test, the results are computed in it.
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


def share_2028(page) -> str:
    return page.locator(
        "[data-scenario-table] tr[data-year='2028'] [data-scenario-share]"
    ).inner_text()


def fill_new_adjustment(page, n, **values):
    row = page.locator(f"[data-adjustment='{n}']")
    for name, value in values.items():
        field = row.locator(f"[name$='-{name}']")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(str(value))


def save_and_wait(page):
    # htmx swaps the editor and the figures in: the old result element is detached.
    page.evaluate("window.__old_result = document.querySelector('#scenario-result')")
    page.click("[data-save]")
    wait_until(page, "!document.body.contains(window.__old_result)")
    wait_until(
        page, "document.querySelector('#scenario-result').dataset.resultStatus === 'succeeded'"
    )
    wait_for_charts(page)


def test_an_editor_builds_and_publishes_a_scenario_that_a_cto_then_reads(site):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = site.page("en-US")
    site.log_in(page, "browser_editor")
    page.goto(site.base_url + "/scenarios/")
    page.fill("#id_name", "Two steps to 15%")
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(re.compile(r".*/scenarios/\d+/$"))
    wait_for_charts(page)
    baseline = share_2028(page)

    fill_new_adjustment(
        page, 1, kind="shift", track="leapfrogging", from_year=2026, to_year=2028,
        percent="20", partner_country="US",
    )  # fmt: skip
    url = page.url
    page.evaluate("window.__still_here = true")  # gone if the save left the page
    save_and_wait(page)
    first = share_2028(page)
    assert float(first.rstrip("%")) > float(baseline.rstrip("%"))
    assert page.evaluate("window.__still_here === true") and page.url == url

    fill_new_adjustment(
        page, 2, kind="add", track="game_changer", from_year=2026, to_year=2030,
        amount_won="50억", partner_country="US",
    )  # fmt: skip
    save_and_wait(page)
    second = share_2028(page)
    assert float(second.rstrip("%")) > float(first.rstrip("%"))
    assert page.locator("[data-adjustment]").count() == 3  # two saved, one blank for the next
    assert page.evaluate("window.__still_here === true")

    scenario = Scenario.objects.get(name="Two steps to 15%")
    figure = ScenarioFigure.objects.get(
        result=scenario_current_result(scenario),
        path="scenario",
        dimension="overall",
        fiscal_year=2028,
    )
    assert second == f"{figure.share:.2f}%"
    violations = AXE.run(page).response["violations"]
    grave = [v["id"] for v in violations if v["impact"] in ("serious", "critical")]
    assert not grave, grave
    page.screenshot(path=SCREENSHOTS / "scenario-editor-en.png", full_page=True)

    page.click("[data-publish]")
    page.wait_for_load_state()
    assert page.locator("[data-scenario-status]").inner_text() == "Published"
    assert page.locator("[data-scenario-editor]").count() == 0
    page.context.close()

    cto = site.page("ko-KR")
    site.log_in(cto)
    cto.goto(site.base_url + "/scenarios/")
    cto.click("text=Two steps to 15%")
    wait_for_charts(cto)
    assert share_2028(cto) == second
    assert cto.locator("[data-scenario-editor]").count() == 0
    assert "이 시나리오로 2028년에" in cto.locator("[data-headline]").inner_text()
    cto.screenshot(path=SCREENSHOTS / "scenario-cto-ko.png", full_page=True)
    cto.context.close()
    site.assert_clean()
