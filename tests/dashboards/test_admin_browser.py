"""Ministry staff's admin in Chromium, in Korean and English: every page they work in renders,
in their language, with no console error, nothing serious for a screen reader, nothing from
another host; a screenshot of each is kept. And an edit as staff make it: 억 원 typed, saved,
read back in the history."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import connection

from budgets.models import BudgetLine
from budgets.scenarios.models import Scenario
from budgets.scenarios.services import scenario_create
from rdportfolio.core import admin_paging
from technologies.models import Project
from tests.dashboards.browser import SCREENSHOTS

AXE = Axe()


# One language a test, so that the two can run side by side (pytest-xdist).
@pytest.mark.parametrize(
    ("locale", "language", "word"), [("ko-KR", "ko", "로그아웃"), ("en-US", "en", "Log out")]
)
def test_the_admin_pages_staff_work_in_render_in_korean_and_english(site, locale, language, word):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    project = Project.objects.order_by("pk").first()
    line = BudgetLine.objects.filter(project=project).order_by("pk").first()
    published = Scenario.objects.filter(status="published").order_by("pk").first()
    # A draft, whose adjustments are edited inline (computed here: no worker in this test).
    draft = Scenario.objects.filter(status="draft").first() or scenario_create(
        name="Admin draft",
        owner=None,
        adjustments=[{"kind": "total", "from_year": 2027, "to_year": 2027, "percent": -5}],
        compute_now=True,
    )
    pages = {
        "index": "/admin/",
        "projects": "/admin/technologies/project/",
        "project": f"/admin/technologies/project/{project.pk}/change/",
        "project-history": f"/admin/technologies/project/{project.pk}/history/",
        "technologies": "/admin/technologies/technology/",
        "budget-lines": "/admin/budgets/budgetline/",
        "budget-line": f"/admin/budgets/budgetline/{line.pk}/change/",
        "institutions": "/admin/partners/institution/",
        "centres": "/admin/partners/cooperationcenter/",
        "targets": "/admin/budgets/targetplan/",
        "import": "/admin/imports/importjob/add/?kind=projects",
        "scenarios": "/admin/scenarios/scenario/",
        "scenario-published": f"/admin/scenarios/scenario/{published.pk}/change/",
        "scenario-draft": f"/admin/scenarios/scenario/{draft.pk}/change/",
    }
    # A word from each page's own chrome in the language it must be in.
    page = site.page(locale)
    site.log_in_admin(page)
    for name, path in pages.items():
        response = page.goto(site.base_url + path)
        assert response.status == 200, (name, response.status)
        assert page.evaluate("document.documentElement.lang") == language, name
        assert word.lower() in page.locator("#user-tools").inner_text().lower(), name
        page.screenshot(path=SCREENSHOTS / f"admin-{name}-{language}.png", full_page=True)
        # axe itself, auditing a form's select2 boxes, applies an inline style that the
        # policy refuses (seen only with axe running): its own console noise is dropped.
        page.wait_for_load_state("networkidle")
        before = len(site.errors)
        violations = AXE.run(page).response["violations"]
        del site.errors[before:]
        grave = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]])
            for v in violations
            if v["impact"] in ("serious", "critical")
        ]
        assert not grave, f"admin {name} ({language}): {grave}"
    page.context.close()
    site.assert_clean()


def test_an_editor_types_eok_and_reads_the_change_in_the_history(site):
    line = BudgetLine.objects.order_by("pk").first()
    page = site.page("ko-KR")
    site.log_in_admin(page)
    page.goto(site.base_url + f"/admin/budgets/budgetline/{line.pk}/change/")
    page.fill("#id_amount_won", "12.5억")
    page.click("input[name=_continue]")
    message = page.locator(".messagelist").inner_text()
    # Saved, and may be edited again below: not Django's "must be corrected" wording.
    assert "성공적으로 변경" in message and "수정해야" not in message, message
    line.refresh_from_db()
    assert line.amount_won == 1_250_000_000
    # Shown back in whole won, grouped as staff read it.
    assert page.input_value("#id_amount_won") == "1,250,000,000"

    # A wrong amount is refused with the field named, and nothing is saved.
    page.fill("#id_amount_won", "12억원쯤")
    page.click("input[name=_continue]")
    error = page.locator(".errorlist").first.inner_text()
    assert error, "no error shown"
    line.refresh_from_db()
    assert line.amount_won == 1_250_000_000

    page.fill("#id_amount_won", "13억")
    page.click("input[name=_continue]")
    line.refresh_from_db()
    assert line.amount_won == 1_300_000_000

    page.goto(site.base_url + f"/admin/budgets/budgetline/{line.pk}/history/")
    history = page.locator("#content").inner_text()
    # The change as staff read it: the amounts in won and in 억, by whom; no "None". The first
    # edit's earlier version was never recorded (the demo is loaded in bulk): said so.
    assert "1,250,000,000 (12.5억 원)" in history and "1,300,000,000 (13억 원)" in history
    assert "browser_editor" in history
    assert "이전 버전이 기록되지 않아" in history
    assert "None" not in history and "pk=" not in history
    page.screenshot(path=SCREENSHOTS / "admin-budget-line-history-ko.png", full_page=True)
    page.context.close()
    site.assert_clean()


def test_an_editor_deletes_every_line_of_a_filtered_list_in_the_browser(site, settings):
    # Last in the module: it deletes lines the other tests here may read. More lines than
    # the form fields Django accepts (lowered here from 1,000 to 200; a list page posts 100
    # boxes), as for 12,660 lines at a million: Django's own confirmation, posting an id
    # per line, was refused with 400.
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
    chosen = BudgetLine.objects.filter(fiscal_year=2025, basis="allocated")
    count, others = chosen.count(), BudgetLine.objects.exclude(pk__in=chosen).count()
    assert count > 200
    for locale, word, done in (("ko-KR", "…외", "삭제했습니다"), ("en-US", "…and", "Successfully")):
        page = site.page(locale)
        site.log_in_admin(page)
        page.goto(site.base_url + "/admin/budgets/budgetline/?fiscal_year=2025&basis=allocated")
        page.check("#action-toggle")
        page.click(".actions .question a")  # "Select all N budget lines"
        page.select_option("select[name=action]", "delete_selected")
        page.click("button[name=index]")
        # The confirmation's form comes after its list: read the page once it is all there
        # (read while the page was still arriving, it once lacked its last lines).
        page.wait_for_selector("input[name=selection_count]", state="attached")
        summary = page.locator("#content").inner_text()
        assert f"{count:,}" in summary and word in summary, summary[:300]
        assert page.locator("#deleted-objects li").count() == 100
        page.screenshot(path=SCREENSHOTS / f"admin-delete-selected-{locale}.png", full_page=False)
        if locale == "ko-KR":
            page.click("a.cancel-link")  # "No, take me back": nothing deleted
            page.wait_for_url("**/admin/budgets/budgetline/**")
            assert chosen.count() == count
        else:
            page.click("form input[type=submit]")
            assert done in page.locator(".messagelist").inner_text()
        page.context.close()
    assert not chosen.exists()
    assert BudgetLine.objects.count() == others
    assert BudgetLine.history.filter(history_type="-").count() == count
    site.assert_clean()


def test_a_big_unfiltered_list_says_about_and_selects_all_of_it(site, on_postgresql, monkeypatch):
    # The demo's lines pass for a big table once the threshold is lowered; ANALYZE gives
    # PostgreSQL the statistics autovacuum would.
    monkeypatch.setattr(admin_paging, "EXACT_COUNT_UP_TO", 100)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE budgets_budgetline")
    total = f"{BudgetLine.objects.count():,}"
    for locale, about, select_all, all_selected in (
        (
            "ko-KR",
            f"예산 항목 약 {total}개",
            f"예산 항목 전체(약 {total}개) 선택",
            f"약 {total}개 모두 선택됨",
        ),
        (
            "en-US",
            f"about {total} budget lines",
            f"Select all (about {total}) budget lines",
            f"All of about {total} selected",
        ),
    ):
        page = site.page(locale)
        site.log_in_admin(page)
        page.goto(site.base_url + "/admin/budgets/budgetline/")
        assert about in page.locator("p.paginator").inner_text()
        page.check("#action-toggle")  # every line on this page, then Django offers the rest
        question = page.locator("span.question a")
        assert question.inner_text() == select_all
        question.click()
        assert page.locator("span.all").inner_text() == all_selected
        assert page.locator("input[name=select_across]").input_value() == "1"
        page.context.close()
    site.assert_clean()
