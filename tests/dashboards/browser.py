"""The browser tests' means: Chromium's flags, a site that records what goes wrong, charts' ink."""

import os
import shutil
import time
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(os.environ.get("RDP_SCREENSHOT_DIR", settings.BASE_DIR / "var" / "screenshots"))
PAGES = {
    "overview": "/",
    "technologies": "/technologies/",
    "technology": "/technologies/LF-001/",
    "partners": "/partners/",
}
# Chromium's own background traffic (updates, sync, safe browsing) is switched off: nothing
# but the page's requests should leave the browser, and those must stay on the live server.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class Site:
    def __init__(self, browser, base_url):
        self.browser = browser
        self.base_url = base_url
        self.host = urlsplit(base_url).netloc
        self.outside = []
        self.errors = []

    def page(self, locale="ko-KR", **context_options):
        # Charts without their entry animation, as a reader who asks for less motion sees them;
        # the first test keeps the animation, to see the page wait for it.
        options = {
            "viewport": {"width": 1280, "height": 900},
            "accept_downloads": True,
            "reduced_motion": "reduce",
        }
        context = self.browser.new_context(locale=locale, **{**options, **context_options})
        page = context.new_page()
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"{e}\n{e.stack}"))

        def guard(route):
            url = route.request.url
            if url.startswith("data:") or urlsplit(url).netloc == self.host:
                route.continue_()
            else:
                self.outside.append(url)
                route.abort()

        page.route("**/*", guard)
        return page

    def log_in(self, page, username="browser_cto"):
        page.goto(self.base_url + "/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", "a-long-test-password")
        page.click("form[action='/accounts/login/'] button[type=submit]")
        page.wait_for_url(self.base_url + "/")

    def log_in_admin(self, page, username="browser_editor"):
        page.goto(self.base_url + "/admin/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", "a-long-test-password")
        page.click("input[type=submit]")
        page.wait_for_url(self.base_url + "/admin/")

    def open(self, page, path):
        page.goto(self.base_url + path)
        wait_for_charts(page)

    def assert_clean(self):
        assert self.errors == [], self.errors
        assert self.outside == [], self.outside


def wait_until(page, expression: str, timeout: float = 30) -> None:
    """Until ``expression`` is true in the page.

    Playwright's wait_for_function evaluates its predicate with eval() inside the page, which
    the Content-Security-Policy refuses (as it should); page.evaluate goes through DevTools.
    """
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        time.sleep(0.05)


def wait_for_charts(page):
    # charts.js marks a chart drawn when ECharts says it finished (its entry animation too).
    wait_until(
        page,
        "Array.from(document.querySelectorAll('[data-chart]')).every(e => e.dataset.drawn === 'true')",
    )


INK = """
el => {
  const canvas = el.querySelector('canvas');
  if (!canvas) return -1;
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let ink = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] > 0 && (data[i] < 235 || data[i + 1] < 235 || data[i + 2] < 235)) ink++;
  }
  return ink;
}
"""


def chart_ink(page):
    return {
        el.get_attribute("data-chart"): el.evaluate(INK)
        for el in page.query_selector_all("[data-chart]")
    }
