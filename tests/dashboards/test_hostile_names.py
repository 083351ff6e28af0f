"""Stored names that are HTML: nothing runs, in Korean and English, on any page or tooltip.

An editor can name a technology, an institution, a centre or a field anything (through the
API or the admin). Here they are named with markup that runs script if a page puts it into
HTML unescaped; every dashboard is opened, every chart point shown (through ECharts' own
showTip, and by moving the mouse across each chart), and the test fails on any dialog, any
element the names would create, and any Content-Security-Policy violation the page reports.
"""

import pytest

from partners.models import CooperationCenter, Institution
from technologies.models import Field, Technology
from tests.dashboards.browser import PAGES

# No django_db mark: this module reads the live server's committed database, like
# test_browser.py. A mark would run it among the rolled-back tests, and the flush that ends
# the module's live server would empty the seeded portfolio for every test after it.

HOSTILE = "\"'><img src=x onerror=alert(1)><script>alert(2)</script><svg onload=alert(3)>"

# Before any script of the page: collect what the policy refuses.
LISTEN = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile));
"""

# Every point of every chart, through ECharts itself; returns the tooltips' texts.
SHOW_EVERY_TIP = """
async () => {
  const texts = [];
  const frame = () => new Promise(r => requestAnimationFrame(() => r()));
  for (const el of document.querySelectorAll('[data-chart]')) {
    const chart = echarts.getInstanceByDom(el.querySelector('.chart-canvas'));
    if (!chart) continue;
    const series = chart.getOption().series;
    for (let s = 0; s < series.length; s++) {
      const count = (series[s].data || []).length;
      for (let i = 0; i < count; i++) {
        chart.dispatchAction({ type: 'showTip', seriesIndex: s, dataIndex: i });
        await frame();
        el.querySelectorAll('div').forEach(d => {
          if (d.style.pointerEvents === 'none' && d.textContent) texts.push(d.textContent);
        });
      }
    }
    chart.dispatchAction({ type: 'hideTip' });
  }
  return texts;
}
"""

INJECTED = (
    "document.querySelectorAll('img[src=x], svg[onload], script:not([src]):not([type])').length"
)


@pytest.fixture(scope="module")
def hostile(served, django_db_blocker):
    """Hostile names on records every dashboard shows; returns the technology's code and pk."""
    with django_db_blocker.unblock():
        technology = (
            Technology.objects.filter(program__track="leapfrogging", status="in_progress")
            .order_by("code")
            .first()
        )
        technology.name_ko = technology.name_en = f"T{HOSTILE}"
        technology.save()
        field = technology.field
        Field.objects.filter(pk=field.pk).update(name_ko=f"F{HOSTILE}", name_en=f"F{HOSTILE}E")
        institution = Institution.objects.filter(collaborations__isnull=False).first()
        Institution.objects.filter(pk=institution.pk).update(name=f"I{HOSTILE}")
        CooperationCenter.objects.filter(
            pk=CooperationCenter.objects.order_by("pk").first().pk
        ).update(name_ko=f"C{HOSTILE}", name_en=f"C{HOSTILE}")
        return technology.code, technology.pk


def move_across_charts(page) -> None:
    """What a reader does: the mouse over each chart, a grid of points."""
    for chart in page.query_selector_all("[data-chart]"):
        box = chart.bounding_box()
        if not box or box["width"] < 10:
            continue
        for row in range(1, 6):
            for column in range(1, 9):
                page.mouse.move(
                    box["x"] + box["width"] * column / 9, box["y"] + box["height"] * row / 6
                )


@pytest.mark.parametrize("locale", ["ko-KR", "en-US"])
def test_hostile_names_stay_text_on_every_page_and_in_every_tooltip(site, hostile, locale):
    code, _pk = hostile
    page = site.page(locale=locale)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.add_init_script(LISTEN)
    site.log_in(page)
    tooltips, texts = [], []
    for path in [*PAGES.values(), f"/technologies/?q={code}", f"/technologies/{code}/"]:
        site.open(page, path)
        tooltips += page.evaluate(SHOW_EVERY_TIP)
        move_across_charts(page)
        assert page.evaluate(INJECTED) == 0, path
        assert page.evaluate("window.__violations") == [], path
        texts.append(page.inner_text("main"))
    # The names were on the pages, as text: the technology, its field, a partner institution.
    shown = "\n".join(texts)
    assert f"T{HOSTILE}" in shown and f"F{HOSTILE}" in shown and f"I{HOSTILE}" in shown
    # The radar's tooltip showed the technology's name, as text.
    assert any(f"T{HOSTILE}" in text for text in tooltips)
    assert dialogs == []
    page.context.close()
    site.assert_clean()


def test_the_admin_runs_under_the_policy_too(site, hostile):
    page = site.page(locale="en-US")
    page.add_init_script(LISTEN)
    page.goto(site.base_url + "/admin/login/")
    page.fill("#id_username", "browser_editor")
    page.fill("#id_password", "a-long-test-password")
    page.click("input[type=submit]")
    _code, pk = hostile
    for path in (
        "/admin/",
        "/admin/technologies/technology/",
        f"/admin/technologies/technology/{pk}/change/",
        f"/admin/technologies/technology/{pk}/history/",
        "/admin/partners/institution/",
        "/admin/kpi/sharerun/",
        "/api/v1/docs/",
    ):
        page.goto(site.base_url + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate(INJECTED) == 0, path
        assert page.evaluate("window.__violations") == [], path
    page.context.close()
    site.assert_clean()
