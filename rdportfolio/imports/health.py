"""Import jobs in /health/: none has lost its worker without being taken up again."""

import dataclasses

from asgiref.sync import sync_to_async
from django.utils import timezone
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable

from rdportfolio.core.jobs import RESEND_AFTER

from .models import ImportJob, ImportStatus


@dataclasses.dataclass
class ImportJobs(HealthCheck):
    """No job checking or writing past its worker's lease, none waiting past RESEND_AFTER
    twice over: either means the watchdog (beat) or the workers are not running."""

    async def run(self):
        # In the request's own thread and database connection, not a pool thread's.
        await sync_to_async(self.check, thread_sensitive=True)()

    def check(self):
        now = timezone.now()
        stuck = ImportJob.objects.filter(
            status__in=[ImportStatus.CHECKING, ImportStatus.WRITING],
            lease_until__lt=now - RESEND_AFTER,
        ).count()
        waiting = ImportJob.objects.filter(
            status=ImportStatus.PENDING, created_at__lt=now - 2 * RESEND_AFTER
        ).count()
        if stuck or waiting:
            raise ServiceUnavailable(
                f"{stuck} import job(s) lost their worker and {waiting} wait for one: "
                "are the workers and beat running?"
            )
