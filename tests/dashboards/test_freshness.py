"""Every page that shows the run's figures says when they miss changes, in the reader's language.

The pages read the latest successful run (its snapshots and rollups): when a newer
recompute failed, or waits, each page says so above its figures; when all is current,
none does.
"""

import pytest
from django.utils import timezone

from budgets.kpi.models import RunStatus, RunTrigger, ShareRun
from budgets.kpi.services import share_recompute
from tests.dashboards.pages import PAGES, browser

pytestmark = pytest.mark.django_db

NOTICE = 'id="freshness-notice"'


def test_current_figures_carry_no_notice(cto_viewer):
    share_recompute(force=True)
    client = browser(cto_viewer)
    for url in PAGES:
        assert NOTICE not in client.get(url).content.decode(), url


@pytest.mark.parametrize("language", ["en", "ko"])
def test_a_failed_recompute_is_named_on_every_page(cto_viewer, language):
    good = share_recompute(force=True)
    failed = ShareRun.objects.create(
        trigger=RunTrigger.CHANGE,
        status=RunStatus.FAILED,
        finished_at=timezone.now(),
        error="Traceback …\nOperationalError: the database went away",
    )
    client = browser(cto_viewer, language=language)
    for url in PAGES:
        page = client.get(url).content.decode()
        assert NOTICE in page, url
        assert f"#{failed.pk}" in page and f"#{good.pk}" in page, url
        assert "the database went away" in page, url
        assert ("failed" if language == "en" else "실패") in page, url


def test_a_waiting_recompute_says_the_figures_are_being_updated(cto_viewer):
    share_recompute(force=True)
    waiting = ShareRun.objects.create(trigger=RunTrigger.CHANGE)
    client = browser(cto_viewer)
    for url in PAGES:
        page = client.get(url).content.decode()
        assert NOTICE in page and f"#{waiting.pk}" in page, url
