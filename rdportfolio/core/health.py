"""What /health/ adds to django-health-check: beat's pulse, results kept a few seconds, and
details for operators only.

Without beat the watchdogs stop, and with them the recovery of lost and orphaned work, while
every other check stays green: :class:`Watchdogs` says so. A check run per request cost a
Celery ping's two seconds, so a loop of anonymous requests slowed everyone: results are kept
``FRESH_SECONDS`` per process (:class:`Remembered`), and the report's details (hosts, queue
names, errors) are for staff or a monitor holding ``RDP_HEALTH_TOKEN`` (:func:`may_read`).
"""

import dataclasses
import hmac
import time
from concurrent.futures import Executor
from typing import ClassVar

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from health_check.base import HealthCheck, HealthCheckResult
from health_check.exceptions import ServiceUnavailable

from .jobs import WATCHED

FRESH_SECONDS = 10.0


@dataclasses.dataclass
class Watchdogs(HealthCheck):
    """A watchdog ran within three of beat's intervals (``RDP_WATCHDOG_SECONDS``)."""

    def run(self) -> None:
        every = settings.RDP_WATCHDOG_SECONDS
        if "locmem" in settings.CACHES["default"]["BACKEND"].lower():
            raise ServiceUnavailable(
                "CACHE_URL is not set: the web processes cannot see the workers' watchdogs"
            )
        last = cache.get(WATCHED)
        if last is None:
            raise ServiceUnavailable(
                "No watchdog has run: is celery beat running? Without it, work whose message "
                "or worker was lost is never sent again."
            )
        ago = time.time() - float(last)
        if ago > 3 * every:
            raise ServiceUnavailable(
                f"The watchdogs last ran {ago:.0f} s ago (every {every:g} s expected): "
                "is celery beat running? Without it, lost work is not sent again."
            )


@dataclasses.dataclass
class Remembered:
    """A check whose result is kept ``FRESH_SECONDS`` in this process."""

    check: HealthCheck
    kept: ClassVar[dict[str, tuple[float, HealthCheckResult]]] = {}

    async def get_result(self, executor: Executor | None = None) -> HealthCheckResult:
        name, now = repr(self.check), time.monotonic()
        if (hit := self.kept.get(name)) and now - hit[0] < FRESH_SECONDS:
            return hit[1]
        result = await self.check.get_result(executor)
        self.kept[name] = (now, result)
        return result


async def may_read(request: HttpRequest) -> bool:
    """Staff signed in, or the monitor's ``Authorization: Bearer <RDP_HEALTH_TOKEN>``."""
    token = settings.RDP_HEALTH_TOKEN
    sent = request.headers.get("Authorization", "").removeprefix("Bearer ")
    if token and hmac.compare_digest(sent.encode(), token.encode()):
        return True
    user = await request.auser()
    return bool(user.is_staff)
