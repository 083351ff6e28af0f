"""The KPI in /health/: an operator's monitor is told when the figures stop following the data."""

import dataclasses
from datetime import datetime, timedelta
from typing import cast

from asgiref.sync import sync_to_async
from django.utils import timezone, translation
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable

from .models import ShareRun

# The nightly run recomputes at least once a day: older figures mean beat or the workers stopped.
MAX_AGE = timedelta(hours=26)


@dataclasses.dataclass
class ShareFigures(HealthCheck):
    """The latest successful run exists, is under a day old, and nothing newer failed or has
    waited past LATE_AFTER."""

    async def run(self):
        # In the request's own thread and database connection, not a pool thread's.
        await sync_to_async(self.check, thread_sensitive=True)()

    def check(self):
        with translation.override("en"):  # for the operator's monitor: one language
            self._check()

    def _check(self):
        freshness = ShareRun.objects.freshness()
        if freshness.alarming:
            raise ServiceUnavailable(freshness.message())
        # Not alarming: there is a latest successful run, finished.
        run = cast(ShareRun, freshness.run)
        age = timezone.now() - cast(datetime, run.finished_at)
        if age > MAX_AGE:
            raise ServiceUnavailable(
                f"The figures are from run #{run.pk}, {age.total_seconds() / 3600:.0f}"
                " hours old: no recompute has finished since (is beat running?)."
            )
