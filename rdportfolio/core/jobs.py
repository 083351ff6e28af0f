"""Work handed to the Celery workers, written once for every kind of job.

A job is a row (a share run, an import, a scenario result, and each job added later) with
the fields of :class:`LeasedJob`, and a :class:`JobQueue` that names its statuses and its
task. The queue

* **sends** a job to its task with the broker guarded: a broker away leaves the job
  waiting, logged, for the watchdog to send again; a request never waits on a broker;
* **claims** a job for a worker: a waiting one, or a working one whose lease ran out (its
  worker died); a job another live worker holds, or a finished one, is left alone, so a
  redelivered message does nothing twice;
* keeps the **lease** while the worker works (a heartbeat on its own connection,
  ``leases.lease_kept``);
* **watches** (beat, every half minute): a waiting job not handed to the workers lately is
  sent again, a job whose lease ran out is sent again once per lease, and after
  ``MAX_ATTEMPTS`` workers died on it, it fails with the queue's message.

Each kind's service keeps only what is its own: what a worker computes, and what its row
holds once done.
"""

import logging
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .leases import lease_kept
from .models import TimeStampedModel

logger = logging.getLogger(__name__)

# A worker renews its lease every third of this while it works; past it, the job is taken up
# again. With the watchdog every 30 s, a dead worker's job resumes within about LEASE + 30 s.
LEASE = timedelta(seconds=settings.RDP_LEASE_SECONDS)
# Workers that may die on one job before it fails for good, with a message.
MAX_ATTEMPTS = 3
# A waiting job is sent again if it was not handed to the workers this long ago...
RESEND_AFTER = timedelta(minutes=2)
# ...but not in the seconds after it was created, while its first message is on the way.
GRACE = timedelta(seconds=20)
# When a watchdog last ran (seconds since the epoch), in the cache every web process shares:
# beat's pulse, which /health/ reads (rdportfolio.core.health.Watchdogs).
WATCHED = "rdportfolio.jobs.watched"


class LeasedJob(TimeStampedModel):
    """The fields of work a worker carries out under a lease."""

    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Delivery: when the job was last handed to the workers, the worker's lease on it, how
    # often a worker took it up. A job whose lease ran out is taken up again (the watchdog).
    enqueued_at = models.DateTimeField(_("handed to the workers at"), null=True, blank=True)
    lease_until = models.DateTimeField(
        _("worker's lease until"),
        null=True,
        blank=True,
        help_text=_("A job whose worker stops renewing this is taken up again."),
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    # Each concrete job model has a manager with its ``status``; the stubs give abstract ones
    # none, and this one's lookups name fields that only the concrete models have.
    objects: models.Manager[Any]

    class Meta:
        abstract = True


def _gave_up(job: LeasedJob) -> dict[str, Any]:
    return {
        "error": f"Gave up after {MAX_ATTEMPTS} attempts: each time the worker stopped "
        "(killed, out of memory or its machine lost) before finishing."
    }


@dataclass(frozen=True)
class JobQueue:
    """One kind of job: its model, its task (a dotted path; it takes the job's id), the status
    of a job waiting for a worker, the statuses a worker holds under a lease (the first is
    the one a claim sets), the status of a failed job and what a given-up job says."""

    model: type[LeasedJob]
    task: str
    waiting: str
    working: tuple[str, ...]
    failed: str
    gave_up: Callable[[LeasedJob], dict[str, Any]] = field(default=_gave_up)
    # The fields ``gave_up`` reads (the job's row is read with these alone).
    gave_up_reads: tuple[str, ...] = ()
    # Which waiting message a free worker takes first: 0 before 3 before 6 (Redis keeps a list
    # per step and a worker reads them in that order), so an edit's recompute (0) never
    # waits behind a pile of scenario computations (6); what runs already runs on.
    priority: int = 0

    @property
    def name(self) -> str:
        return str(self.model._meta.verbose_name)

    def enqueue(self, job_id: int) -> bool:
        """Hand a job to its task; False (logged) if the broker could not take it."""
        try:
            # One try: the watchdog is the retry, and a request must not wait on a broker.
            import_string(self.task).apply_async(args=[job_id], retry=False, priority=self.priority)
        except Exception:  # noqa: BLE001 - whatever the broker raised, the job keeps waiting
            logger.warning(
                "could not queue %s %s; the watchdog sends it again",
                self.name,
                job_id,
                exc_info=True,
            )
            return False
        self.model.objects.filter(pk=job_id).update(enqueued_at=timezone.now())
        return True

    def claim(self, job_id: int, **fields: Any) -> bool:
        """Take a job for this worker: one waiting, or one whose worker's lease ran out."""
        now = timezone.now()
        claimable = Q(status=self.waiting) | Q(status__in=self.working, lease_until__lt=now)
        return bool(
            self.model.objects.filter(claimable, pk=job_id, attempts__lt=MAX_ATTEMPTS).update(
                status=self.working[0],
                started_at=now,
                lease_until=now + LEASE,
                attempts=F("attempts") + 1,
                updated_at=now,
                **fields,
            )
        )

    def lease_kept(self, job_id: int) -> AbstractContextManager[None]:
        """The heartbeat that keeps the claim while the worker works (a context manager)."""
        return lease_kept(self.model.objects.filter(pk=job_id), lease=LEASE)

    def watch(self, enqueue: Callable[[int], bool] | None = None) -> dict[str, int]:
        """Send again what waits or lost its worker; fail what lost MAX_ATTEMPTS workers."""
        enqueue = enqueue or self.enqueue
        now = timezone.now()
        jobs = self.model.objects
        resend = Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - RESEND_AFTER)
        waiting = jobs.filter(resend, status=self.waiting, created_at__lt=now - GRACE)
        expired = jobs.filter(status__in=self.working, lease_until__lt=now)
        failed = 0
        for job in expired.filter(attempts__gte=MAX_ATTEMPTS).only("pk", *self.gave_up_reads):
            failed += jobs.filter(pk=job.pk, lease_until__lt=now).update(
                status=self.failed,
                finished_at=now,
                lease_until=None,
                updated_at=now,
                **self.gave_up(job),
            )
        # A job whose lease ran out is sent once per lease: not again while that message waits.
        not_resent = Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=F("lease_until"))
        job_ids = [
            *waiting.values_list("pk", flat=True),
            *expired.filter(not_resent, attempts__lt=MAX_ATTEMPTS).values_list("pk", flat=True),
        ]
        sent = sum(bool(enqueue(job_id)) for job_id in job_ids)
        if sent or failed:
            logger.warning("%s watchdog: %s sent again, %s given up", self.name, sent, failed)
        cache.set(WATCHED, time.time(), timeout=None)
        return {"sent": sent, "failed": failed}
