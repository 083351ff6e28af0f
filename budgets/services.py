"""Writes that span several models: the share recompute and its runs; imports."""

import logging
import traceback
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, override

from .models import (
    ImportJob,
    ImportKind,
    ImportStatus,
    RunStatus,
    RunTrigger,
    ShareRun,
    ShareSnapshot,
)
from .share import share_inputs_read, share_snapshots_build

logger = logging.getLogger(__name__)

# Errors worth another try later: the database went away or timed out.
RETRYABLE_ERRORS = (OperationalError, InterfaceError)

# Any constant: the advisory lock that serialises recomputes on PostgreSQL.
SHARE_LOCK_KEY = 7_150_2023


def share_recompute_request(*, trigger: str, requested_by=None, force: bool = False) -> ShareRun:
    """Ask for a recompute; queue it after the current transaction commits.

    Requests coalesce: while one run waits in the queue, later requests join
    it instead of adding another (a forced request marks the waiting run
    forced). A run already under way does not absorb requests, so changes
    committed during it get a run of their own.
    """
    with transaction.atomic():
        pending = ShareRun.objects.select_for_update().filter(status=RunStatus.PENDING).first()
        if pending is not None:
            if force and not pending.forced:
                pending.forced = True
                pending.save(update_fields=["forced", "updated_at"])
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


def share_run_enqueue(*, run_id: int) -> None:
    """Hand a run to Celery; if the broker is down, the nightly task picks the run up later."""
    from .tasks import recompute_share

    try:
        recompute_share.apply_async(
            args=[run_id], retry=True, retry_policy={"max_retries": 3, "interval_start": 0.5}
        )
    except Exception:
        logger.exception(
            "could not queue share run %s; it stays pending for the nightly task", run_id
        )


def share_recompute_schedule() -> None:
    """Request one recompute when the current transaction commits, however often it is called.

    Edits to budget lines, totals, targets or how lines are classified call
    this; a transaction that changes ten thousand lines still requests one run.
    """
    if any(entry[1] is _request_after_commit for entry in connection.run_on_commit):
        return
    transaction.on_commit(_request_after_commit, robust=True)


def _request_after_commit() -> None:
    share_recompute_request(trigger=RunTrigger.CHANGE)


def share_run_execute(*, run_id: int, final_attempt: bool = True) -> ShareRun | None:
    """Carry out a requested run: idempotent, and safe when delivered twice or concurrently.

    The snapshot rows and the run's final status are written in one
    transaction, under a database lock that lets one recompute at a time
    write; a run that finds its inputs' fingerprint equal to the latest
    successful run's is recorded as skipped (unless forced).
    """
    run = ShareRun.objects.filter(pk=run_id).first()
    if run is None:
        logger.warning("share run %s does not exist (another database?); nothing to do", run_id)
        return None
    if run.status in (RunStatus.SUCCEEDED, RunStatus.SKIPPED, RunStatus.FAILED):
        return run  # a redelivered message: the work is done
    # Leaving "pending" first lets changes committed from now on request a run of their own.
    ShareRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, started_at=timezone.now(), updated_at=timezone.now()
    )
    try:
        with transaction.atomic():
            _share_lock()
            run = ShareRun.objects.select_for_update().get(pk=run_id)
            if run.status != RunStatus.RUNNING:
                return run  # finished by a concurrent delivery while we waited for the lock
            inputs = share_inputs_read()
            fingerprint = inputs.fingerprint()
            latest = ShareRun.objects.latest_succeeded()
            run.fingerprint = fingerprint
            run.target_plan_id = inputs.plan_id
            run.line_count = inputs.line_count
            if latest is not None and latest.fingerprint == fingerprint and not run.forced:
                run.status = RunStatus.SKIPPED
                run.snapshot_count = 0
            else:
                snapshots = share_snapshots_build(inputs)
                for snapshot in snapshots:
                    snapshot.run = run
                ShareSnapshot.objects.bulk_create(snapshots, batch_size=2000)
                run.status = RunStatus.SUCCEEDED
                run.snapshot_count = len(snapshots)
            run.finished_at = timezone.now()
            run.save()
    except Exception as exc:
        retry_later = isinstance(exc, RETRYABLE_ERRORS) and not final_attempt
        try:
            ShareRun.objects.filter(pk=run_id).update(
                # A run that will be retried stays "running" so that the retry carries it out.
                status=RunStatus.RUNNING if retry_later else RunStatus.FAILED,
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


def share_recompute(
    *, trigger: str = RunTrigger.COMMAND, requested_by=None, force: bool = False
) -> ShareRun:
    """Recompute now, in this process (management commands, the seed), not through the queue."""
    run = ShareRun.objects.create(
        trigger=trigger, requested_by=requested_by, forced=force, status=RunStatus.RUNNING
    )
    return share_run_execute(run_id=run.pk)


def share_runs_requeue_stale(*, older_than: timedelta = timedelta(minutes=10)) -> int:
    """Queue again the pending runs whose message was lost (broker down when they were requested)."""
    stale = list(
        ShareRun.objects.filter(
            status=RunStatus.PENDING, created_at__lt=timezone.now() - older_than
        ).values_list("pk", flat=True)
    )
    for run_id in stale:
        share_run_enqueue(run_id=run_id)
    return len(stale)


def share_runs_prune() -> int:
    """Delete runs older than the retention period, always keeping the latest successful one."""
    days = settings.RDP_SHARE_RUN_RETENTION_DAYS
    if not days:
        return 0
    latest = ShareRun.objects.latest_succeeded()
    cutoff = timezone.now() - timedelta(days=days)
    old = ShareRun.objects.filter(created_at__lt=cutoff).exclude(
        status__in=[RunStatus.PENDING, RunStatus.RUNNING]
    )
    if latest is not None:
        old = old.exclude(pk=latest.pk)
    deleted, _ = old.delete()
    return deleted


def _share_lock() -> None:
    # A transaction-scoped advisory lock: released at commit or rollback, even if the
    # worker dies. SQLite serialises writers by itself and has no such lock.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '10min'")
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SHARE_LOCK_KEY])


# --- Excel / CSV imports ---------------------------------------------------------------------

IMPORT_MAX_BYTES = 50 * 1024 * 1024


class ImportRefused(ValueError):
    """The upload itself is wrong (kind, format, size): nothing was stored."""


def import_job_create(
    *,
    kind: str,
    file_name: str,
    content: bytes,
    requested_by,
    dry_run: bool = True,
    confirms: ImportJob | None = None,
    language: str | None = None,
) -> ImportJob:
    """Store an uploaded file as a job and hand it to a worker after commit."""
    from django.utils.translation import gettext as _

    if kind not in ImportKind.values:
        raise ImportRefused(_("Unknown kind of import “%(kind)s”.") % {"kind": kind})
    suffix = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if suffix not in ("xlsx", "csv"):
        raise ImportRefused(
            _("“%(name)s” is neither an Excel (.xlsx) nor a CSV (.csv) file.") % {"name": file_name}
        )
    if not content:
        raise ImportRefused(_("The file is empty."))
    if len(content) > IMPORT_MAX_BYTES:
        raise ImportRefused(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": len(content) // 2**20, "limit": IMPORT_MAX_BYTES // 2**20}
        )
    job = ImportJob.objects.create(
        kind=kind,
        file_name=file_name,
        file_format=suffix,
        content=content,
        dry_run=dry_run,
        confirms=confirms,
        requested_by=requested_by,
        language=language or get_language() or settings.LANGUAGE_CODE,
    )
    transaction.on_commit(lambda: import_job_enqueue(job_id=job.pk))
    return job


def import_job_enqueue(*, job_id: int) -> None:
    from .tasks import run_import

    try:
        run_import.apply_async(
            args=[job_id], retry=True, retry_policy={"max_retries": 3, "interval_start": 0.5}
        )
    except Exception:
        logger.exception("could not queue import %s", job_id)
        ImportJob.objects.filter(pk=job_id, status=ImportStatus.PENDING).update(
            status=ImportStatus.FAILED,
            message="The job queue is unreachable; upload the file again later.",
            finished_at=timezone.now(),
        )


def import_job_execute(*, job_id: int) -> ImportJob:
    """Check (and unless a dry run, write) an import job. A second delivery finds it done.

    Checking runs outside any transaction so that its progress is visible while it runs;
    writing is one transaction: every row or none.
    """
    from . import imports

    # A job whose worker died mid-way (still checking or writing after half an hour) is taken up
    # again: checking writes nothing, and writing is one transaction that was rolled back.
    stale = timezone.now() - timedelta(minutes=30)
    claimable = Q(status=ImportStatus.PENDING) | Q(
        status__in=[ImportStatus.CHECKING, ImportStatus.WRITING], started_at__lt=stale
    )
    claimed = ImportJob.objects.filter(claimable, pk=job_id).update(
        status=ImportStatus.CHECKING, started_at=timezone.now()
    )
    job = ImportJob.objects.get(pk=job_id)
    if not claimed:
        return job

    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(rows_done=done, rows_total=total)

    try:
        with override(job.language):
            plan = imports.import_plan(
                kind=job.kind,
                content=bytes(job.content),
                file_format=job.file_format,
                progress=progress,
            )
    except imports.FileRefused as refused:
        return _import_finish(
            job, status=ImportStatus.REFUSED, errors=refused.errors, error_count=len(refused.errors)
        )
    except Exception:
        logger.exception("import %s failed while checking", job_id)
        return _import_finish(
            job, status=ImportStatus.FAILED, message=traceback.format_exc(limit=3)
        )
    counts = dict(
        rows_total=plan.total,
        rows_done=plan.total,
        created_count=len(plan.create),
        updated_count=len(plan.update),
        unchanged_count=plan.unchanged,
        error_count=plan.error_count,
        errors=plan.errors,
        preview=plan.preview,
    )
    if plan.error_count:
        return _import_finish(job, status=ImportStatus.REFUSED, **counts)
    if job.dry_run:
        return _import_finish(job, status=ImportStatus.CHECKED, **counts)
    ImportJob.objects.filter(pk=job_id).update(status=ImportStatus.WRITING)
    try:
        import_write(kind=job.kind, plan=plan, user=job.requested_by, job_id=job.pk)
    except Exception as exc:
        logger.exception("import %s failed while writing; nothing was written", job_id)
        return _import_finish(
            job,
            status=ImportStatus.FAILED,
            message=f"Nothing was written: {type(exc).__name__}: {exc}",
            **counts,
        )
    return _import_finish(job, status=ImportStatus.SUCCEEDED, **counts)


def _import_finish(job: ImportJob, *, status: str, **fields) -> ImportJob:
    for name, value in {"status": status, "finished_at": timezone.now(), **fields}.items():
        setattr(job, name, value)
    job.save()
    return job


@transaction.atomic
def import_write(*, kind: str, plan, user, job_id: int) -> None:
    """Write a checked plan: bulk inserts and updates with their audit history, one KPI request."""
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    from technologies.models import TechnologyStatusChange

    from . import imports

    spec = imports.SPECS[kind]
    model = spec.model
    now = timezone.now()
    reason = f"Import #{job_id}"
    created = []
    for _number, values in plan.create:
        obj = model(**values)
        if hasattr(obj, "source") and not obj.source:
            obj.source = reason
        created.append(obj)
    created = bulk_create_with_history(
        created, model, batch_size=2000, default_user=user, default_change_reason=reason
    )
    changed = []
    status_moves = []
    for _number, current, values in plan.update:
        if kind == ImportKind.TECHNOLOGIES and current.status != values["status"]:
            status_moves.append(current)
        for name in spec.compare_fields:
            setattr(current, name, values[name])
        current.updated_at = now
        changed.append(current)
    if changed:
        bulk_update_with_history(
            changed,
            model,
            fields=[*spec.compare_fields, "updated_at"],
            batch_size=2000,
            default_user=user,
            default_change_reason=reason,
        )
    if kind == ImportKind.TECHNOLOGIES:
        # Bulk writes skip Technology.save(): the status history gets its rows here.
        TechnologyStatusChange.objects.bulk_create(
            TechnologyStatusChange(
                technology=t, status=t.status, changed_on=timezone.localdate(), note=reason
            )
            for t in [*created, *status_moves]
        )
    # Bulk writes send no signals: one KPI recompute for the whole file, after commit.
    transaction.on_commit(lambda: share_recompute_request(trigger=RunTrigger.IMPORT))
