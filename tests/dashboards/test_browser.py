"""The dashboards in a real browser: Debian's Chromium driven by Playwright.

Each page loads without console errors and without a request to another
host, every chart draws (its canvas holds ink), filters change the table in
place, the language and unit switches work and the CSV download reads back.
Screenshots of every page land in var/screenshots (RDP_SCREENSHOT_DIR).

The module shares one seeded database and one live server (see ``site``);
the scenarios are few and each checks a lot.
"""

import io
from pathlib import Path

import pandas as pd
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from technologies.models import Technology
from tests.dashboards.browser import (
    PAGES,
    SCREENSHOTS,
    chart_ink,
    wait_for_charts,
    wait_until,
)

AXE = Axe()  # bundles axe-core: the check runs offline, like every other browser test


def test_every_page_loads_draws_its_charts_and_stays_on_this_host(site):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    expected_charts = {
        "overview": {"share-path", "budget-stack"},
        "technologies": {"status-bars", "radar"},
        "technology": {"budget-years"},
        "partners": {"world-map"},
    }
    # Korean with the charts' entry animation (the page waits for it), English without.
    for locale, language, motion in (("ko-KR", "ko", "no-preference"), ("en-US", "en", "reduce")):
        page = site.page(locale, reduced_motion=motion)
        site.log_in(page)
        for name, path in PAGES.items():
            site.open(page, path)
            assert page.evaluate("document.documentElement.lang") == language
            ink = chart_ink(page)
            assert set(ink) == expected_charts[name], name
            for chart, pixels in ink.items():
                assert pixels > 2000, f"{name}: chart {chart} is blank ({pixels} pixels of ink)"
            page.screenshot(path=SCREENSHOTS / f"{name}-{language}.png", full_page=True)
            # axe-core, as a screen-reader user's audit would run it: nothing serious or worse.
            violations = AXE.run(page).response["violations"]
            grave = [
                (v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]])
                for v in violations
                if v["impact"] in ("serious", "critical")
            ]
            assert not grave, f"{name} ({language}): {grave}"
        page.context.close()
    site.assert_clean()


def test_the_first_tab_skips_the_header_to_the_content(site):
    page = site.page("en-US")
    site.log_in(page)
    site.open(page, "/technologies/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert skip.is_visible() and skip.inner_text() == "Skip to the content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.context.close()
    site.assert_clean()


def test_filters_change_the_table_in_place_and_the_csv_reads_back(site):
    page = site.page("en-US")
    site.log_in(page)
    site.open(page, "/technologies/")
    summary = page.locator("#results .summary")
    assert "210 technologies match" in summary.inner_text()
    page.select_option("#id_track", "leapfrogging")
    wait_until(page, "document.querySelector('#results .summary').innerText.startsWith('80 ')")
    wait_for_charts(page)
    assert "track=leapfrogging" in page.url  # the filtered view is a shareable URL
    codes = page.locator("#technology-table tbody td:first-child a").all_inner_texts()
    assert len(codes) == 80 and all(code.startswith("LF-") for code in codes)
    assert chart_ink(page)["radar"] > 2000  # redrawn after the swap

    page.select_option("#id_country", "US")
    wait_until(page, "!document.querySelector('#results .summary').innerText.startsWith('80 ')")
    wait_for_charts(page)
    shown = page.locator("#technology-table tbody td:first-child a").all_inner_texts()
    with page.expect_download() as download_info:
        page.click("#csv-link")
    frame = pd.read_csv(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    assert sorted(frame["code"]) == sorted(shown)
    assert frame["partner_countries"].str.contains("US").all()
    assert (frame["track"] == "leapfrogging").all()

    # A bad filter, changed in place, says what is wrong where the results were.
    # (Next year passes the browser's own min/max check, which would stop htmx, but not ours.)
    page.fill("#id_year", str(timezone.localdate().year + 1))
    page.dispatch_event("#id_year", "change")
    page.wait_for_selector("#filter-errors")
    assert "Radar year" in page.locator("#filter-errors").inner_text()
    assert page.locator("#technology-table").count() == 0
    # Chromium logs the expected 400 as a failed resource; only that one is forgiven.
    site.errors = [e for e in site.errors if "status of 400" not in e]
    page.context.close()
    site.assert_clean()


def test_language_and_unit_switches(site):
    page = site.page("ko-KR")
    site.log_in(page)
    site.open(page, "/")
    assert page.locator("h1").inner_text() == "목표 궤도에 있는가?"
    assert "억 원" in page.locator("[data-tile=international] .figure").inner_text()
    with page.expect_navigation():
        page.select_option("#unit-select", "usd")
    wait_for_charts(page)
    assert "달러" in page.locator("[data-tile=international] .figure").inner_text()
    with page.expect_navigation():
        page.select_option("#language-select", "en")
    wait_for_charts(page)
    assert page.locator("h1").inner_text() == "Are we on track?"
    assert page.locator("[data-tile=international] .figure").inner_text().startswith("$")
    with page.expect_navigation():
        page.select_option("#unit-select", "jo")
    wait_for_charts(page)
    assert "trillion" in page.locator("[data-tile=international] .figure").inner_text()
    page.context.close()
    site.assert_clean()


def test_a_cto_finds_us_semiconductor_partners_and_a_budget_path(site):
    """The issue's 'done when', as a CTO would do it."""
    page = site.page("en-US")
    site.log_in(page)
    with page.expect_navigation():
        page.select_option("#language-select", "ko")
    page.click("nav >> text=기술")
    wait_for_charts(page)
    page.select_option("#id_field", "semiconductors")
    wait_until(page, "location.search.includes('field=semiconductors')")
    page.select_option("#id_country", "US")
    wait_until(page, "location.search.includes('country=US')")
    wait_for_charts(page)
    first = page.locator("#technology-table tbody td:first-child a").first
    code = first.inner_text()
    technology = Technology.objects.get(code=code)
    assert technology.field.code == "semiconductors"
    assert technology.projects.filter(collaborations__institution__country="US").exists()
    first.click()
    wait_for_charts(page)
    assert page.locator("h1").inner_text().startswith(code)
    assert page.locator("h2", has_text="연도·기준별 예산").is_visible()
    assert chart_ink(page)["budget-years"] > 2000
    assert page.locator("#budget-table tbody tr").count() >= 1
    assert "미국" in page.locator("#partner-table").inner_text()
    page.context.close()
    site.assert_clean()


def test_a_cto_on_a_phone_learns_whether_2028_is_reached_and_where_the_gap_is(site):
    page = site.page(
        "ko-KR", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    site.log_in(page)
    site.open(page, "/")
    headline = page.locator("[data-headline]")
    # The answer is the first thing on the screen, without scrolling.
    box = headline.bounding_box()
    assert box is not None and box["y"] + box["height"] < 844
    assert "2028년에 15%를 달성하는가?" in headline.inner_text()
    page.click("[data-headline] >> text=어디가 모자란가?")
    page.select_option("#id_gap_year", "2027")
    with page.expect_navigation():
        page.click("#gap button[type=submit]")
    assert "트랙별 부족분, 2027년" in page.locator("[data-gap]").inner_text()
    first_track = page.locator('[data-gap-table="track"] tbody th a').first
    track = first_track.inner_text()
    with page.expect_navigation():
        first_track.click()
    assert "track=" in page.url
    assert page.locator("#id_track option:checked").inner_text() == track
    page.context.close()
    site.assert_clean()


# Where a chart drew one of its items, in page pixels: ECharts' own coordinate conversion.
ITEM_AT = """
([selector, finder, value]) => {
  const el = document.querySelector(selector + ' .chart-canvas');
  const chart = echarts.getInstanceByDom(el);
  const [x, y] = chart.convertToPixel(finder, value);
  const box = el.getBoundingClientRect();
  return [box.left + x, box.top + y];
}
"""


def click_chart(page, selector, finder, value):
    x, y = page.evaluate(ITEM_AT, [selector, finder, value])
    with page.expect_navigation():
        page.mouse.click(x, y)


def test_a_click_on_a_radar_point_a_bar_and_a_country_opens_what_it_stands_for(site):
    page = site.page("en-US", viewport={"width": 1280, "height": 1000})
    site.log_in(page)
    site.open(page, "/technologies/")
    radar = page.evaluate(
        "JSON.parse(document.getElementById('radar-data').textContent).series[0].points[0]"
    )
    page.locator("[data-chart=radar]").scroll_into_view_if_needed()
    # At this width the points are large enough to carry their numbers (the layout keeps them
    # apart, so none is hidden as overlapping).
    drawn = page.evaluate(
        "(() => { const o = echarts.getInstanceByDom(document.querySelector("
        "'[data-chart=radar] .chart-canvas')).getOption().series[0];"
        " return [o.data[0].symbolSize, o.label.show]; })()"
    )
    assert drawn[0] >= 12 and drawn[1] is True
    click_chart(page, "[data-chart=radar]", {"seriesIndex": 0}, radar["value"])
    assert page.url.endswith(f"/technologies/{radar['code']}/")

    site.open(page, "/")
    page.locator("[data-chart=budget-stack]").scroll_into_view_if_needed()
    stack = page.evaluate("JSON.parse(document.getElementById('budget-stack-data').textContent)")
    last = len(stack["series"]) - 1
    year_index = len(stack["years"]) - 3
    top = sum(float(s["values"][year_index] or 0) for s in stack["series"])
    value = float(stack["series"][last]["values"][year_index])
    click_chart(
        page, "[data-chart=budget-stack]", {"seriesIndex": last}, [year_index, top - value / 2]
    )
    assert page.url.endswith(stack["series"][last]["url"])
    assert page.locator("#id_track option:checked").inner_text() == stack["series"][last]["name"]

    site.open(page, "/partners/")
    page.locator("[data-chart=world-map]").scroll_into_view_if_needed()
    click_chart(page, "[data-chart=world-map]", {"seriesIndex": 0}, [-98, 39])  # Kansas
    assert page.url.endswith("/technologies/?country=US")
    page.context.close()
    site.assert_clean()


def test_every_chart_saves_as_a_png(site, tmp_path):
    page = site.page("en-US")
    site.log_in(page)
    for path in PAGES.values():
        site.open(page, path)
        for button in page.locator(".chart-save").all():
            with page.expect_download() as download:
                button.click()
            saved = tmp_path / download.value.suggested_filename
            download.value.save_as(saved)
            assert saved.suffix == ".png" and saved.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            assert saved.stat().st_size > 5000, saved  # a drawn chart, not an empty canvas
        charts = page.locator("[data-chart]").count()
        assert page.locator(".chart-save").count() == charts, path
    page.context.close()
    site.assert_clean()


def test_charts_survive_a_window_shrunk_to_nothing(site):
    """A full-page screenshot makes Chromium report a 1x1 window for a moment; so may a window
    dragged small or a hidden panel. The world map used to throw ("Cannot read properties of
    null (reading '0')": a zero-width projection has no inverse) when it was resized then."""
    page = site.page("en-US")
    site.log_in(page)
    for path in PAGES.values():
        site.open(page, path)
        page.set_viewport_size({"width": 1, "height": 1})
        page.wait_for_timeout(100)  # the resize handler runs at the next frame
        page.set_viewport_size({"width": 1280, "height": 900})
        wait_for_charts(page)
        assert all(pixels > 2000 for pixels in chart_ink(page).values()), path
    page.context.close()
    site.assert_clean()


def test_pages_fit_a_phone_and_print_without_their_controls(site):
    page = site.page(
        "ko-KR", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    site.log_in(page)
    for name, path in PAGES.items():
        site.open(page, path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} is {overflow}px wider than a phone"
        assert all(pixels > 1000 for pixels in chart_ink(page).values()), name
    page.emulate_media(media="print")
    for hidden in (".header-tools", ".filters"):
        assert not page.locator(hidden).first.is_visible(), hidden
    assert page.locator("[data-chart] canvas").count() == 1
    page.context.close()
    site.assert_clean()


def test_ministry_staff_import_a_korean_excel_file(site, monkeypatch, tmp_path):
    """Issue 6's 'done when': a Korean Excel file goes in with a preview; a bad one is refused."""
    from openpyxl import Workbook

    from budgets.kpi.models import RunTrigger, ShareRun
    from budgets.models import BudgetLine
    from rdportfolio.celery import app as celery_app

    # The live server runs in this process: jobs run here as the embedded mode runs them.
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)

    def workbook(rows, name):
        book = Workbook()
        book.active.append(["과제번호", "회계연도", "기준", "금액(원)", "국제협력"])
        for row in rows:
            book.active.append(row)
        path = tmp_path / name
        book.save(path)
        return path

    good = workbook(
        [["RS-2025-00100001", year, "배정", 19_500_000_000, "N"] for year in (2027, 2028, 2029)],
        "예산.xlsx",
    )
    bad = workbook(
        [
            ["RS-2025-00100001", 2027, "배정", -500, "N"],
            ["RS-9999-00000000", "2035년", "예측", "12억", "아마"],
        ],
        "오류.xlsx",
    )
    lines_before = BudgetLine.objects.count()
    page = site.page("ko-KR")
    site.log_in_admin(page)
    page.goto(site.base_url + "/admin/budgets/budgetline/")
    page.click("text=Excel/CSV에서 가져오기")
    page.set_input_files("#id_file", str(bad))
    page.click("#import-upload input[type=submit]")
    page.wait_for_selector("#import-status[data-status=refused]")
    errors = page.locator("#import-errors tbody tr").all_inner_texts()
    assert any("금액은 음수일 수 없습니다" in e for e in errors) and len(errors) == 6
    assert BudgetLine.objects.count() == lines_before

    runs_before = ShareRun.objects.filter(trigger=RunTrigger.IMPORT).count()
    page.goto(site.base_url + "/admin/imports/importjob/add/?kind=budget_lines")
    page.set_input_files("#id_file", str(good))
    page.click("#import-upload input[type=submit]")
    page.wait_for_selector("#import-status[data-status=checked]")
    assert page.locator("#import-preview tbody tr").count() == 3
    page.click("#import-confirm input[type=submit]")
    page.wait_for_selector("#import-status[data-status=succeeded]")
    assert BudgetLine.objects.count() == lines_before + 3
    assert ShareRun.objects.filter(trigger=RunTrigger.IMPORT).count() == runs_before + 1
    page.screenshot(path=SCREENSHOTS / "admin-import-ko.png", full_page=True)
    page.context.close()
    site.assert_clean()
