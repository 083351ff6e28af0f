"""Drill (not a test): SIGKILL the Celery worker in the middle of a share run, 20 times, at a
million budget lines, and see every run finish by itself with exact figures.

Production settings for leases and the watchdog (45 s, every 30 s) unless told otherwise;
a real worker and beat on Redis, PostgreSQL. Each round: "Recompute now" (a forced run),
a worker takes it, the worker and its pool are SIGKILLed while the run is running, a new
worker starts (as compose would restart it), and the round waits for the run to finish.
Prints each round's recovery time (kill to finished) and whether its snapshot equals the
one computed in this process beforehand.

    .venv/bin/python benchmarks/drill_kill.py                       # 20 rounds, 1M lines
    .venv/bin/python benchmarks/drill_kill.py --rounds 3 --lines 100000
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/rdportfolio_bench"
    )
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/11")
    parser.add_argument(
        "--slow",
        type=float,
        default=3,
        help="seconds each run of the first worker waits inside its transaction, so that the "
        "kill lands mid-run (a million lines take about a second)",
    )
    args = parser.parse_args()

    from benchmarks.share_recompute import ensure_database, load_lines

    ensure_database(args.database_url)
    os.environ.update(
        DATABASE_URL=args.database_url,
        CELERY_BROKER_URL=args.broker_url,
        SECRET_KEY="drill-only",  # noqa: S106 - a throwaway process of its own
        DJANGO_SETTINGS_MODULE="rdportfolio.settings",
        LOG_LEVEL="WARNING",
    )
    queue = f"drill-{uuid.uuid4().hex[:8]}"
    os.environ["CELERY_TASK_DEFAULT_QUEUE"] = queue
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as devnull:
        call_command("seed", "--demo", stdout=devnull)
    load_lines(args.lines)
    drill(args, queue)


def drill(args, queue: str) -> None:
    from django.conf import settings

    from budgets.kpi.models import RunStatus, RunTrigger, ShareRun
    from budgets.kpi.services import share_recompute, share_recompute_request
    from tests.processes import celery, kill, stop, wait_for

    def rows(run):
        return sorted(
            run.snapshots.values_list(
                "fiscal_year",
                "basis",
                "dimension",
                "key",
                "international_won",
                "total_won",
                "share",
                "target_share",
                "gap_won",
                "status",
            )
        )

    reference = rows(share_recompute(trigger=RunTrigger.COMMAND, force=True))
    logs = Path(tempfile.mkdtemp(prefix="drill-"))
    beat = celery("beat", queue=queue, broker=args.broker_url, env={}, log=logs / "beat.log")
    print(
        f"{len(reference)} snapshot rows per run; lease {settings.RDP_LEASE_SECONDS:g} s, "
        f"watchdog every {settings.RDP_WATCHDOG_SECONDS:g} s; logs in {logs}"
    )
    recoveries, exact = [], 0
    try:
        for number in range(1, args.rounds + 1):
            first = celery(
                "worker",
                queue=queue,
                broker=args.broker_url,
                env={},
                slow=f"share:{args.slow}",
                log=logs / f"worker-{number}-killed.log",
            )
            run = share_recompute_request(trigger=RunTrigger.ADMIN, force=True)
            wait_for(
                lambda run=run: ShareRun.objects.get(pk=run.pk).status == RunStatus.RUNNING,
                timeout=120,
                every=0.02,
                what="the first worker to take the run",
            )
            kill(first)
            killed_at = time.monotonic()
            second = celery(
                "worker",
                queue=queue,
                broker=args.broker_url,
                env={},
                log=logs / f"worker-{number}.log",
            )
            done = wait_for(
                lambda run=run: _finished(run),
                timeout=600,
                every=0.2,
                what="the run to finish",
            )
            recovery = time.monotonic() - killed_at
            same = done.status == RunStatus.SUCCEEDED and rows(done) == reference
            recoveries.append(recovery)
            exact += same
            print(
                f"round {number:2}: run #{done.pk} {done.status} after {done.attempts} attempts, "
                f"recovered in {recovery:5.1f} s, figures {'exact' if same else 'DIFFER'}"
            )
            stop(second)
    finally:
        stop(beat)
    print(
        f"\n{exact} of {args.rounds} killed runs finished by themselves with exact figures; "
        f"recovery median {statistics.median(recoveries):.1f} s, max {max(recoveries):.1f} s"
    )


def _finished(run):
    from budgets.kpi.models import RunStatus, ShareRun

    current = ShareRun.objects.get(pk=run.pk)
    return current if current.status not in (RunStatus.PENDING, RunStatus.RUNNING) else None


if __name__ == "__main__":
    main()
