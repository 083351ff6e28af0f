"""Leases: how a worker says "I am still on it", so that work whose worker died is taken up again.

A row that a worker carries out (a share run, an import job) holds ``lease_until``;
while the worker lives, a heartbeat thread pushes it forward. A worker killed
mid-way (SIGKILL, out of memory, a lost machine) stops the heartbeat, the lease
runs out, and the watchdog hands the work to another worker. The heartbeat uses
its own database connection: the worker's may be inside a long transaction, whose
writes nobody else sees until it commits.
"""

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

from django.db import connection, connections
from django.db.models import QuerySet
from django.utils import timezone

logger = logging.getLogger(__name__)


@contextlib.contextmanager
def lease_kept(queryset: QuerySet[Any], *, lease: timedelta) -> Iterator[None]:
    """Push ``lease_until`` of the rows of ``queryset`` forward every third of ``lease``
    while the block runs; stop when it ends, however it ends."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(lease.total_seconds() / 3):
                queryset.update(lease_until=timezone.now() + lease)
        except Exception:  # a heartbeat that fails lets the lease run out: the watchdog decides
            logger.exception("lease heartbeat stopped for %s", queryset.model.__name__)
        finally:
            connections.close_all()  # this thread's own connection

    thread = threading.Thread(target=beat, name="lease-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=lease.total_seconds())


@contextlib.contextmanager
def progress_aside(
    queryset: QuerySet[Any], *, every: float = 0.5
) -> Iterator[Callable[[int, int], None]]:
    """Progress of work whose own connection is busy (a ``COPY`` running while rows are
    checked): the block calls ``note(done, total)``, which keeps the latest figures, and a
    thread with its own connection writes them to ``rows_done`` and ``rows_total`` of the
    rows of ``queryset`` every ``every`` seconds, and once more at the end."""
    latest: dict[str, tuple[int, int]] = {}
    stop = threading.Event()

    def note(done: int, total: int) -> None:
        latest["figures"] = (done, total)

    if connection.vendor == "sqlite":
        # SQLite has one writer at a time: a second connection writing beside a long write
        # transaction only waits for it, and holding its read lock meanwhile it can make the
        # work's own writes fail, "database is locked". The figures are written at the end.
        try:
            yield note
        finally:
            if figures := latest.get("figures"):
                queryset.update(rows_done=figures[0], rows_total=figures[1])
        return

    def report() -> None:
        written: tuple[int, int] | None = None
        try:
            while True:
                stopping = stop.wait(every)
                figures = latest.get("figures")
                if figures is not None and figures != written:
                    queryset.update(rows_done=figures[0], rows_total=figures[1])
                    written = figures
                if stopping:
                    return
        except Exception:  # progress is for people to watch; the work goes on without it
            logger.exception("progress reporting stopped for %s", queryset.model.__name__)
        finally:
            connections.close_all()  # this thread's own connection

    thread = threading.Thread(target=report, name="progress-aside", daemon=True)
    thread.start()
    try:
        yield note
    finally:
        stop.set()
        thread.join(timeout=10)
