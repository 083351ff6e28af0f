"""The recompute of the share and its runs: requested, queued, carried out, pruned."""

import functools
import logging
import traceback
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from rdportfolio.core.jobs import LEASE, JobQueue
from rdportfolio.core.turns import write_turn

from .models import RunStatus, RunTrigger, ShareRun
from .reading import share_inputs_read
from .rollups import rollups_replace
from .rule import share_snapshots_build, share_snapshots_write

logger = logging.getLogger(__name__)

# Errors worth another try later: the database went away or timed out.
RETRYABLE_ERRORS = (OperationalError, InterfaceError)

# The turn (rdportfolio.core.turns) that serialises recomputes.
SHARE_TURN = "budgets.kpi.share"  # one run writes its figures at a time
REQUEST_TURN = "budgets.kpi.request"  # one request looks for a waiting run at a time
# Claimed, leased, sent and watched as every job is (rdportfolio.core.jobs).
SHARE_RUNS = JobQueue(
    model=ShareRun,
    task="budgets.kpi.tasks.recompute_share",
    waiting=RunStatus.PENDING,
    working=(RunStatus.RUNNING,),
    failed=RunStatus.FAILED,
)


def share_recompute_request(*, trigger: str, requested_by=None, force: bool = False) -> ShareRun:
    """Ask for a recompute; queue it after the current transaction commits.

    Requests coalesce: while one run waits in the queue, later requests join
    it instead of adding another (a forced request marks the waiting run
    forced, and sends it to the workers again: its first message may have been
    lost). A run already under way does not absorb requests, so changes
    committed during it get a run of their own.
    """
    # In a turn of its own: on SQLite a transaction that reads, then writes beside another
    # writer (an import's, whose commit asks for this run) failed "database is locked".
    with write_turn(REQUEST_TURN):
        pending = ShareRun.objects.select_for_update().filter(status=RunStatus.PENDING).first()
        if pending is not None:
            if force:
                if not pending.forced:
                    pending.forced = True
                    pending.save(update_fields=["forced", "updated_at"])
                transaction.on_commit(lambda: share_run_enqueue(run_id=pending.pk))
            return pending
        try:
            with transaction.atomic():
                run = ShareRun.objects.create(
                    trigger=trigger, requested_by=requested_by, forced=force
                )
        except IntegrityError:
            # Another request created the pending run between our read and our insert.
            return ShareRun.objects.get(status=RunStatus.PENDING)
    transaction.on_commit(lambda: share_run_enqueue(run_id=run.id))
    return run


def share_run_enqueue(*, run_id: int) -> bool:
    """Hand a run to Celery. If the broker is down the run keeps waiting, and the watchdog
    sends it again once the broker is back; nothing is lost either way."""
    return SHARE_RUNS.enqueue(run_id)


def share_recompute_schedule(*, trigger: str = RunTrigger.CHANGE) -> None:
    """Request one recompute when the current transaction commits, however often it is called.

    Edits to budget lines, totals, targets or how lines are classified call
    this, and so does an import; a transaction that changes ten thousand lines
    still requests one run.
    """
    callback = _AFTER_COMMIT[trigger]
    if any(entry[1] is callback for entry in connection.run_on_commit):
        return
    transaction.on_commit(callback, robust=True)


# One callback per trigger, so that the check above recognises one already scheduled.
_AFTER_COMMIT = {
    trigger: functools.partial(share_recompute_request, trigger=trigger)
    for trigger in RunTrigger.values
}


def share_run_execute(*, run_id: int, final_attempt: bool = True) -> ShareRun | None:
    """Carry out a requested run: idempotent, and safe when delivered twice or concurrently.

    The worker first claims the run: a waiting run, or a running one whose
    worker's lease ran out (it died). A run another live worker holds, or one
    already finished, is left alone: a redelivered message does nothing twice.
    """
    # Leaving "pending" first lets changes committed from now on request a run of their own.
    claimed = SHARE_RUNS.claim(run_id)
    run = ShareRun.objects.filter(pk=run_id).first()
    if run is None:
        logger.warning("share run %s does not exist (another database?); nothing to do", run_id)
        return None
    if not claimed:
        return run  # finished, or under way on a live worker
    return _share_run_carry_out(run_id=run_id, final_attempt=final_attempt)


def _share_run_carry_out(*, run_id: int, final_attempt: bool) -> ShareRun:
    """Compute a claimed run and write its snapshot and outcome in one transaction.

    Under a database lock that lets one recompute at a time write; a run that
    finds its inputs' fingerprint equal to the latest successful run's is
    recorded as skipped (unless forced).
    """
    try:
        with SHARE_RUNS.lease_kept(run_id), write_turn(SHARE_TURN, wait="10min"):
            _share_settings()
            run = ShareRun.objects.select_for_update().get(pk=run_id)
            if run.status != RunStatus.RUNNING:
                return run  # finished by a concurrent delivery while we waited for the lock
            _share_write(run)
    except Exception as exc:
        retry_later = isinstance(exc, RETRYABLE_ERRORS) and not final_attempt
        try:
            ShareRun.objects.filter(pk=run_id).update(
                # A run that will be retried stays "running" with its lease given up, so that
                # the retry (or the watchdog) claims it again.
                status=RunStatus.RUNNING if retry_later else RunStatus.FAILED,
                lease_until=timezone.now() if retry_later else None,
                finished_at=None if retry_later else timezone.now(),
                updated_at=timezone.now(),
                error=traceback.format_exc(limit=20)[-4000:],
            )
        except RETRYABLE_ERRORS:
            logger.exception("could not record the failure of share run %s", run_id)
        raise
    if run.status == RunStatus.SUCCEEDED:
        share_runs_prune()
    logger.info(
        "share run %s %s in %s (%s lines)", run.pk, run.status, run.duration, run.line_count
    )
    return run


def _share_write(run: ShareRun) -> None:
    inputs = share_inputs_read()
    snapshots = share_snapshots_build(inputs)
    fingerprint = inputs.fingerprint(snapshots)
    latest = ShareRun.objects.latest_succeeded()
    run.fingerprint = fingerprint
    run.target_plan_id = inputs.plan_id
    run.line_count = inputs.line_count
    run.synthetic_inputs = any(snapshot.synthetic_inputs for snapshot in snapshots)
    if latest is not None and latest.fingerprint == fingerprint and not run.forced:
        run.status = RunStatus.SKIPPED
        run.snapshot_count = 0
    else:
        share_snapshots_write(snapshots, run)
        # The pages' rollups: this run's replace the previous run's (a skipped run keeps the
        # latest's).
        rollups_replace(inputs, run)
        run.status = RunStatus.SUCCEEDED
        run.snapshot_count = len(snapshots)
    run.finished_at = timezone.now()
    run.lease_until = None
    run.save()


def share_recompute(
    *, trigger: str = RunTrigger.COMMAND, requested_by=None, force: bool = False
) -> ShareRun:
    """Recompute now, in this process (management commands, the seed), not through the queue."""
    # Created running, claimed by this process: a pending run may be waiting for a worker
    # meanwhile (only one run may be pending).
    now = timezone.now()
    run = ShareRun.objects.create(
        trigger=trigger,
        requested_by=requested_by,
        forced=force,
        status=RunStatus.RUNNING,
        started_at=now,
        lease_until=now + LEASE,
        attempts=1,
    )
    return _share_run_carry_out(run_id=run.pk, final_attempt=True)


def share_runs_watch() -> dict[str, int]:
    """The watchdog (every half minute, from beat): no run waits or runs forever
    (``JobQueue.watch``)."""
    return SHARE_RUNS.watch(enqueue=lambda run_id: share_run_enqueue(run_id=run_id))


def share_runs_prune() -> int:
    """Delete the runs no one can ask for any more, keeping every run that was current at
    some moment of the retention window: a successful run goes once a later successful run
    had replaced its figures before the window began (so ``as_of`` answers for every moment
    inside it, and the latest run always stays); a run that wrote no figures (failed,
    skipped) goes once it was created before the window."""
    days = settings.RDP_SHARE_RUN_RETENTION_DAYS
    if not days:
        return 0
    cutoff = timezone.now() - timedelta(days=days)
    replaced_before_window = Exists(
        ShareRun.objects.filter(
            status=RunStatus.SUCCEEDED,
            finished_at__gt=OuterRef("finished_at"),
            finished_at__lt=cutoff,
        )
    )
    old = ShareRun.objects.alias(replaced=replaced_before_window).filter(
        Q(status=RunStatus.SUCCEEDED, finished_at__lt=cutoff, replaced=True)
        | Q(status__in=[RunStatus.FAILED, RunStatus.SKIPPED], created_at__lt=cutoff)
    )
    if not old.exists():  # the usual case after a run: one query, not a cascade's collection
        return 0
    deleted, _ = old.delete()
    return deleted


def _share_settings() -> None:
    # The run's transaction: in its turn (one run at a time: an advisory lock on PostgreSQL,
    # BEGIN IMMEDIATE on SQLite, where a run that read first and wrote later beside an
    # import's write failed "database is locked").
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The run writes derived figures: if the server crashed right after the commit
            # and lost it, the run would still be "running", its lease would run out and the
            # watchdog would compute it again. Not waiting for the disk saves a flush a run.
            cursor.execute("SET LOCAL synchronous_commit = off")
