"""The browser tests' fixtures: one Chromium and one seeded live server per module."""

import os
import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from pytest_django.live_server_helper import LiveServer

from rdportfolio.core import roles
from tests.dashboards.browser import CHROMIUM, CHROMIUM_ARGS, Site
from tests.environment import unavailable


def pytest_collection_modifyitems(items):
    """A test on the live server must not carry a django_db mark: pytest-django would run it
    among the rolled-back tests, and the flush that ends its module would empty the seeded
    portfolio for every test after it (what failed CI once)."""
    for item in items:
        if "served" in item.fixturenames and item.get_closest_marker("django_db"):
            raise pytest.UsageError(
                f"{item.nodeid} uses the live server and a django_db mark: remove the mark"
            )


@pytest.fixture(scope="module")
def chromium_browser(django_db_setup):
    """One browser for this module; its event loop stops when the module ends.

    Playwright's sync API keeps an event loop running in this thread, so Django
    sees an async context and refuses ORM calls; they are still sync here, so
    this module (only) allows them.
    """
    if not os.path.exists(CHROMIUM):
        unavailable("needs Debian's chromium (apt-get install chromium); .ci/run installs it")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - a dev dependency
        unavailable("needs playwright (pip install -e '.[dev]')")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def served(chromium_browser, django_db_setup, django_db_blocker):
    """The seeded portfolio on a live server for the whole module, a CTO login, a way to open pages.

    One database for every test here: pytest-django's live_server would flush it after each
    test, and each would seed the demo again. The tests read it; the one that writes (the
    import, last) adds rows the others do not count. It is flushed when the module ends, as a
    transactional test would leave it.
    """
    with django_db_blocker.unblock():
        with open(os.devnull, "w") as devnull:
            call_command("seed", "--demo", stdout=devnull)  # after transactional tests' flush
        User = get_user_model()
        for username, role, staff in (
            ("browser_cto", roles.CTO_VIEWER, False),
            ("browser_editor", roles.MINISTRY_EDITOR, True),
        ):
            user, _created = User.objects.get_or_create(username=username, is_staff=staff)
            user.set_password("a-long-test-password")
            user.save()
            user.groups.add(Group.objects.get(name=role))
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        try:
            yield Site(chromium_browser, server.url)
        finally:
            server._live_server_modified_settings.disable()
            requests_finish()
            server.stop()
            call_command("flush", interactive=False, verbosity=0)


def requests_finish(timeout: float = 10) -> None:
    """Wait until the live server's request threads end (the tests closed their browser
    contexts, so the keep-alive connections close): stopping the server under a running
    request would take the database connection it shares on SQLite from under it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(
        "process_request_thread" in thread.name for thread in threading.enumerate()
    ):
        time.sleep(0.05)


@pytest.fixture
def site(served):
    """The served site, with no console error or outside request recorded yet."""
    served.errors, served.outside = [], []
    return served
